// SPDX-License-Identifier: GPL-2.0
/*
 * dev.c - /dev/mseal and its ioctls.
 *
 * MSEAL_IOC_SEAL is mseal(2) for the caller's own address space: the same
 * checks in the same order, the same errnos (SPEC 2).  Anyone may use it
 * (mode 0666), as mseal(2) needs no privilege.  The structure has the same
 * layout for 32-bit callers, so compat ioctls only convert the pointer.
 *
 * MSEAL_IOC_SYSMAP_OPTOUT is the way out of system-mapping sealing for
 * checkpoint/restore tools (SPEC 5.4, policy.c); MSEAL_IOC_LIST lists the
 * sealed ranges of a process (SPEC 6.1).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/ptrace.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <linux/mseal_dev.h>

#include "hook.h"
#include "mseal.h"

long mseal_seal_request(unsigned long start, size_t len_in,
			unsigned long flags)
{
	struct mm_struct *mm = current->mm;
	unsigned long end;
	size_t len;
	long ret;

	if (flags)
		return -EINVAL;
	start = untagged_addr(start);
	if (!PAGE_ALIGNED(start))
		return -EINVAL;
	len = PAGE_ALIGN(len_in);
	/* A huge len_in rounds up to 0. */
	if (len_in && !len)
		return -EINVAL;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;

	ret = mseal_table_seal(mm, start, end);
	if (!ret)
		mseal_count_seal();
	return ret;
}

static long mseal_ioctl_seal(void __user *uarg)
{
	struct mseal_args args;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	/* A 32-bit kernel would truncate: refuse what does not fit. */
	if (args.addr != (unsigned long)args.addr ||
	    args.len != (size_t)args.len ||
	    args.flags != (unsigned long)args.flags)
		return -EINVAL;
	return mseal_seal_request(args.addr, args.len, args.flags);
}

/*
 * The mm of process @nr for listing, with a reference (mmput() it), NULL
 * for one without an mm, or an ERR_PTR().
 */
static struct mm_struct *mseal_list_mm(u32 nr)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;

	if (!nr) {
		mmget(current->mm);
		return current->mm;
	}
	if (nr > INT_MAX)
		return ERR_PTR(-ESRCH);
	pid = find_get_pid(nr);
	task = pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
	put_pid(pid);
	if (!task)
		return ERR_PTR(-ESRCH);
	/* Who may read /proc/PID/maps may list the seals. */
	mm = mseal_mm_access(task, PTRACE_MODE_READ_FSCREDS);
	put_task_struct(task);
	return mm;
}

static long mseal_ioctl_list(void __user *uarg)
{
	struct mseal_range_info *buf = NULL;
	struct mseal_list list;
	struct mm_struct *mm;
	u32 total = 0, n, room = 0;
	long ret = 0;

	if (copy_from_user(&list, uarg, sizeof(list)))
		return -EFAULT;
	mm = mseal_list_mm(list.pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	/*
	 * Copy under the lock into a buffer, and to the user without it: a
	 * fault on the user's array takes the mmap_lock.  The table may grow
	 * in between; then count again with a bigger buffer.
	 */
	for (;;) {
		if (mm) {
			if (mmap_read_lock_killable(mm)) {
				ret = -EINTR;
				goto out;
			}
			total = mseal_table_list(mm, buf, room);
			mmap_read_unlock(mm);
		}
		n = min(list.count, total);
		if (n <= room)
			break;
		kvfree(buf);
		room = n;
		buf = kvmalloc_array(room, sizeof(*buf), GFP_KERNEL_ACCOUNT);
		if (!buf) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (n && copy_to_user(u64_to_user_ptr(list.ranges), buf,
			      array_size(n, sizeof(*buf)))) {
		ret = -EFAULT;
		goto out;
	}
	list.count = total;
	if (copy_to_user(uarg, &list, sizeof(list)))
		ret = -EFAULT;
out:
	kvfree(buf);
	if (mm)
		mmput(mm);
	return ret;
}

static long mseal_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (!current->mm)
		return -EINVAL;

	switch (cmd) {
	case MSEAL_IOC_SEAL:
		return mseal_ioctl_seal((void __user *)arg);
	case MSEAL_IOC_SYSMAP_OPTOUT:
		return mseal_sysmap_optout();
	case MSEAL_IOC_LIST:
		return mseal_ioctl_list((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mseal_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= mseal_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice mseal_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= MSEAL_DEV_NAME,
	.fops	= &mseal_fops,
	.mode	= 0666,
};

int mseal_dev_init(void)
{
	return misc_register(&mseal_miscdev);
}

void mseal_dev_exit(void)
{
	misc_deregister(&mseal_miscdev);
}
