// SPDX-License-Identifier: GPL-2.0
/*
 * limits.c - vm.max_map_count, the bound on a seal table (SPEC 4.5).
 *
 * Upstream sealing splits VMAs, so the number of separately sealed ranges
 * of an mm is bounded by vm.max_map_count; a table here holds at most that
 * many ranges.  The kernel does not export sysctl_max_map_count:
 *
 *  - where kallsyms names data (CONFIG_KALLSYMS_ALL: Debian amd64),
 *    hooks/hook.c resolves it and it is read directly;
 *  - otherwise (Debian arm64) the sysctl file is opened once, at load, on a
 *    procfs instance of the module's own, so that neither the loader's nor
 *    a sealing process's mount namespace matters, and read when a seal
 *    needs the bound, at most once per jiffy (a read costs a few
 *    microseconds; a bound a tick old is as good);
 *  - failing both, the kernel's default bound applies.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/string.h>

#include "hook.h"
#include "mseal.h"

static struct vfsmount *mseal_proc_mnt;
static struct file *mseal_max_map_count_file;
static int mseal_max_map_count_cached;
static unsigned long mseal_max_map_count_read_at;	/* jiffies */

static int mseal_max_map_count_read(void)
{
	char buf[16];
	loff_t pos = 0;
	ssize_t n;
	int val;

	n = kernel_read(mseal_max_map_count_file, buf, sizeof(buf) - 1, &pos);
	if (n <= 0)
		return DEFAULT_MAX_MAP_COUNT;
	buf[n] = '\0';
	if (kstrtoint(strim(buf), 10, &val))
		return DEFAULT_MAX_MAP_COUNT;
	return val;
}

int mseal_max_map_count(void)
{
	unsigned long now = jiffies;
	int val;

	if (mseal_sysctl_max_map_count)
		return READ_ONCE(*mseal_sysctl_max_map_count);
	if (!mseal_max_map_count_file)
		return DEFAULT_MAX_MAP_COUNT;
	/* Racing readers may both read: each gets a current value. */
	if (READ_ONCE(mseal_max_map_count_read_at) == now)
		return READ_ONCE(mseal_max_map_count_cached);
	val = mseal_max_map_count_read();
	WRITE_ONCE(mseal_max_map_count_cached, val);
	WRITE_ONCE(mseal_max_map_count_read_at, now);
	return val;
}

void mseal_limits_init(void)
{
	struct file_system_type *proc;
	struct file *f;

	if (mseal_sysctl_max_map_count)
		return;
	proc = get_fs_type("proc");
	if (!proc)
		goto fallback;
	mseal_proc_mnt = kern_mount(proc);
	module_put(proc->owner);	/* get_fs_type() took it */
	if (IS_ERR(mseal_proc_mnt)) {
		mseal_proc_mnt = NULL;
		goto fallback;
	}
	f = file_open_root_mnt(mseal_proc_mnt, "sys/vm/max_map_count",
			       O_RDONLY, 0);
	if (IS_ERR(f)) {
		kern_unmount(mseal_proc_mnt);
		mseal_proc_mnt = NULL;
		goto fallback;
	}
	mseal_max_map_count_file = f;
	mseal_max_map_count_read_at = jiffies - 1;	/* nothing cached */
	return;

fallback:
	pr_warn("vm.max_map_count unreadable: seal tables are bounded by %d ranges\n",
		DEFAULT_MAX_MAP_COUNT);
}

void mseal_limits_exit(void)
{
	if (mseal_max_map_count_file)
		fput(mseal_max_map_count_file);
	mseal_max_map_count_file = NULL;
	if (mseal_proc_mnt)
		kern_unmount(mseal_proc_mnt);
	mseal_proc_mnt = NULL;
}
