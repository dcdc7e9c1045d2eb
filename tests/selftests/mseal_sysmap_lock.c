// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_sysmap_lock - the lock of system-mapping sealing (SPEC 5.3).
 *
 * Writing 2 to seal_system_mappings turns sealing on and makes the setting
 * immutable until reboot: every later write fails with EPERM, and the
 * module holds a reference on itself, so it cannot be unloaded either.
 * That is irreversible for the guest, so this binary must run LAST of the
 * suite; the runner's final rmmod (tests/guest/run.sh) then expects the
 * module to stay loaded and checks that the lock is why.  What that rmmod
 * proved before the lock (every seal and opt-out of every earlier test was
 * dropped: nothing holds the module) is checked here first.
 *
 * Never run this on a development host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mseal_util.h"
#include "mseal_harness.h"

#define PARAM_TOGGLE	"/sys/module/mseal/parameters/seal_system_mappings"

static int read_toggle(void)
{
	return read_long(PARAM_TOGGLE);
}

static long read_refcnt(void)
{
	return read_long("/sys/module/mseal/refcnt");
}

/* Is [vdso] of @pid sealed, according to MSEAL_IOC_LIST? */
static int vdso_listed_sealed(pid_t pid)
{
	struct mseal_range_info r[16];
	struct mseal_list l = { .pid = (uint32_t)pid, .count = 16,
				.ranges = (uintptr_t)r };
	char path[64], line[512];
	unsigned long long s = 0, e = 0;
	uint32_t i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]"))
			sscanf(line, "%llx-%llx", &s, &e);
	fclose(f);
	if (!e || ioctl_err(mseal_dev_fd(), MSEAL_IOC_LIST, &l))
		return -1;
	for (i = 0; i < l.count && i < 16; i++)
		if (r[i].start <= s && e <= r[i].end &&
		    (r[i].flags & MSEAL_RANGE_SYSTEM))
			return 1;
	return 0;
}

FIXTURE(lock) {
	int unused;
};

FIXTURE_SETUP(lock)
{
	(void)self;
	(void)variant;
}

FIXTURE_TEARDOWN(lock)
{
	(void)self;
	(void)variant;
}

TEST_F(lock, lock_is_permanent)
{
	long ref0, ref1;
	int status, i;
	pid_t pid;

	if (access(PARAM_TOGGLE, F_OK))
		SKIP(return, "no %s: module not loaded?", PARAM_TOGGLE);
	/* SPEC 4.2/4.4: nothing left holds the module (up to 5 s for exits). */
	for (i = 0; i < 100; i++) {
		ref0 = read_refcnt();
		if (ref0 == 0)
			break;
		usleep(50000);
	}
	EXPECT_EQ(0, ref0) TH_LOG("references left by earlier tests");
	ref0 = read_refcnt();
	ASSERT_EQ(0, write_file(PARAM_TOGGLE, "2"));
	EXPECT_EQ(2, read_toggle());
	ref1 = read_refcnt();
	EXPECT_EQ(ref0 + 1, ref1);

	/* Immutable: any write fails, even of the same value. */
	EXPECT_EQ(-EPERM, write_file(PARAM_TOGGLE, "0"));
	EXPECT_EQ(-EPERM, write_file(PARAM_TOGGLE, "1"));
	EXPECT_EQ(-EPERM, write_file(PARAM_TOGGLE, "2"));
	EXPECT_EQ(-EPERM, write_file(PARAM_TOGGLE, "3"));
	EXPECT_EQ(2, read_toggle());

	/* And on: a program exec'd now is sealed from its first instruction. */
	fflush(stdout);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execl("/proc/self/exe", "mseal_sysmap_lock", "--stopped",
		      (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status));
	EXPECT_EQ(1, vdso_listed_sealed(pid));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	/* The module cannot go away. */
	EXPECT_NE(0, syscall(SYS_delete_module, "mseal", O_NONBLOCK));
	EXPECT_EQ(0, access("/sys/module/mseal", F_OK));
}

TEST_HARNESS_MAIN
