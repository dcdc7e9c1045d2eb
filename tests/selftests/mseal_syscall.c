// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_syscall - mseal(2) as system call 462 on a kernel without it,
 * provided by the module while its parameter "syscall" is 1 (SPEC 7.4).
 *
 * One source for both widths: the Makefile also builds it with $(CC32) as
 * mseal_syscall32, so the compat entry (i386, AArch32) is checked too.
 *
 * Every call here is the raw syscall(462, ...) an unmodified program
 * makes: no device, no library.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mseal_harness.h"
#include "mseal_modctl.h"

#define NR_MSEAL	462
#define NPAGES		4
#define PARAM		"/sys/module/mseal/parameters/syscall"
#define SEALS		"/sys/kernel/mseal/seals"
#define A(p)		((unsigned long)(uintptr_t)(p))

/* syscall(462, ...) as 0 or -errno. */
static int sys_mseal(unsigned long addr, unsigned long len,
		     unsigned long flags)
{
	return syscall(NR_MSEAL, addr, len, flags) ? -errno : 0;
}

static int set_param(const char *v)
{
	return write_file(PARAM, v);
}

static long seals_made(void)
{
	return read_long(SEALS);
}

/* Guarded pages; the parameter is on for the test and off after it. */
FIXTURE(sys) {
	char *base, *lo;
	size_t ps, len;
};

FIXTURE_SETUP(sys)
{
	char v[8];

	self->ps = pgsz();
	ASSERT_EQ(0, modctl_ensure_loaded());
	if (kernel_enforces())
		SKIP_FIXTURE("native mseal(2): system call 462 is the kernel's own");
	ASSERT_EQ(0, read_file(PARAM, v, sizeof(v)))
		TH_LOG("no %s: module without the syscall parameter?", PARAM);
	ASSERT_EQ(0, set_param("1"));
	self->base = map_region(NPAGES);
	ASSERT_TRUE(self->base != NULL);
	fill_pattern(self->base, NPAGES * self->ps, 7);
	self->lo = self->base - self->ps;
	self->len = (NPAGES + 2) * self->ps;
}

FIXTURE_TEARDOWN(sys)
{
	if (!kernel_enforces())
		set_param("0");
}

/* SPEC 7.4: without the parameter, this kernel has no system call 462. */
TEST_F(sys, off_means_enosys)
{
	char v[8];

	ASSERT_EQ(0, set_param("0"));
	ASSERT_EQ(0, read_file(PARAM, v, sizeof(v)));
	EXPECT_EQ('N', v[0]);
	EXPECT_EQ(-ENOSYS, sys_mseal(A(P(1)), PS, 0));
	EXPECT_EQ(0, page_sealed(P(1)));
	/* on, then off again: gone again, and what it sealed stays sealed */
	ASSERT_EQ(0, set_param("1"));
	EXPECT_EQ(0, sys_mseal(A(P(2)), PS, 0));
	ASSERT_EQ(0, set_param("0"));
	EXPECT_EQ(-ENOSYS, sys_mseal(A(P(1)), PS, 0));
	EXPECT_EQ(0, page_sealed(P(1)));
	EXPECT_EQ(1, page_sealed(P(2)));
}

/* It seals as MSEAL_IOC_SEAL does, and is counted as a seal. */
TEST_F(sys, seals)
{
	long before = seals_made();

	ASSERT_EQ(0, sys_mseal(A(P(1)), 2 * PS, 0));
	EXPECT_EQ(before + 1, seals_made());
	EXPECT_EQ(0, page_sealed(P(0)));
	EXPECT_EQ(1, page_sealed(P(1)));
	EXPECT_EQ(1, page_sealed(P(2)));
	EXPECT_EQ(0, page_sealed(P(3)));
	REFUSED(-EPERM, xmunmap(P(1), PS));
	REFUSED(-EPERM, xmprotect(P(2), PS, PROT_READ));
	REFUSED(-EPERM, mremap(P(1), PS, 2 * PS, MREMAP_MAYMOVE) ==
		MAP_FAILED ? -errno : 0);
	REFUSED(-EPERM, xmunmap(P(0), NPAGES * PS));
	EXPECT_EQ(0, xmprotect(P(3), PS, PROT_READ));
}

/* SPEC 2.1-2.6: mseal(2)'s errnos, in mseal(2)'s order. */
TEST_F(sys, errnos)
{
	EXPECT_EQ(-EINVAL, sys_mseal(A(P(1)), PS, 1));
	EXPECT_EQ(-EINVAL, sys_mseal(A(P(1)) + 1, PS, 0));
	/*
	 * A len that wraps when rounded up: on a 64-bit kernel a 32-bit len
	 * cannot, and reaches past the mapping instead (as upstream).
	 */
	EXPECT_EQ(sizeof(long) == 8 ? -EINVAL : -ENOMEM,
		  sys_mseal(A(P(1)), -1UL, 0));
	EXPECT_EQ(sizeof(long) == 8 ? -EINVAL : -ENOMEM,
		  sys_mseal(A(P(1)), -PS, 0));
	EXPECT_EQ(-ENOMEM, sys_mseal(A(self->lo), PS, 0));
	EXPECT_EQ(-ENOMEM, sys_mseal(A(P(3)), 2 * PS, 0));
	/* flags before alignment, alignment before mapping */
	EXPECT_EQ(-EINVAL, sys_mseal(A(self->lo) + 1, PS, 2));
	EXPECT_EQ(-EINVAL, sys_mseal(A(self->lo) + 1, PS, 0));
	EXPECT_EQ(0, sys_mseal(A(P(1)), 0, 0));
	EXPECT_EQ(0, sys_mseal(A(self->lo), 0, 0));
	/* nothing was sealed by any of them */
	EXPECT_EQ(0, page_sealed(P(1)));
	EXPECT_EQ(0, page_sealed(P(3)));
	EXPECT_EQ(0, xmunmap(P(3), PS));
}

static void *seal_from_thread(void *p)
{
	return (void *)(intptr_t)sys_mseal(A(p), pgsz(), 0);
}

/* SPEC 4.3: a thread's call seals for the whole process. */
TEST_F(sys, thread_seals_for_process)
{
	pthread_t t;
	void *r;

	ASSERT_EQ(0, pthread_create(&t, NULL, seal_from_thread, P(2)));
	ASSERT_EQ(0, pthread_join(t, &r));
	EXPECT_EQ(0, (int)(intptr_t)r);
	REFUSED(-EPERM, xmunmap(P(2), PS));
}

static atomic_int handled;

static void on_usr1(int sig)
{
	(void)sig;
	atomic_fetch_add(&handled, 1);
}

struct pelter {
	pid_t tid;
	atomic_int stop;
};

static void *pelt(void *arg)
{
	struct pelter *p = arg;

	while (!atomic_load(&p->stop))
		syscall(SYS_tgkill, getpid(), p->tid, SIGUSR1);
	return NULL;
}

/*
 * The result is written before a signal handler can run: under a stream
 * of signals every call still returns what it must (a handler that ran
 * over a placeholder would leave it in the interrupted context).
 */
TEST_F_TIMEOUT(sys, result_survives_signals, 120)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct pelter p = { .tid = gettid() };
	int i, bad = 0, unsealed = 0, r;
	pthread_t t;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, pelt, &p));
	for (i = 0; i < 300; i++) {
		char *q = map_region(1);

		if (!q) {
			bad++;
			break;
		}
		r = sys_mseal(A(q), PS, 0);
		if (r)
			bad++;
		if (page_sealed(q) != 1)
			unsealed++;
		r = sys_mseal(A(q), PS, 1);
		if (r != -EINVAL)
			bad++;
	}
	atomic_store(&p.stop, 1);
	pthread_join(t, NULL);
	signal(SIGUSR1, SIG_IGN);
	TH_LOG("%d calls, %d signals handled", 2 * i,
	       atomic_load(&handled));
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, unsealed);
	EXPECT_LT(0, atomic_load(&handled));
}

/* Only an administrator turns it on or off. */
static int try_param_as_nobody(void *arg, char *msg, size_t msgsz)
{
	int r;

	(void)arg;
	if (drop_to_nobody())
		return snprintf(msg, msgsz, "cannot drop to nobody"), 1;
	r = write_file(PARAM, "0");
	if (r != -EACCES && r != -EPERM)
		return snprintf(msg, msgsz, "write as nobody: %d", r), 1;
	return 0;
}

TEST_F(sys, param_needs_admin)
{
	char msg[128] = "";
	char v[8];

	EXPECT_EQ(0, run_in_child(try_param_as_nobody, NULL, msg,
				  sizeof(msg))) TH_LOG("%s", msg);
	ASSERT_EQ(0, read_file(PARAM, v, sizeof(v)));
	EXPECT_EQ('Y', v[0]);
	EXPECT_EQ(-EINVAL, set_param("maybe"));
}

/*
 * Given at load time, and unloading with the probe attached: the call is
 * gone with the module and back with it.
 */
TEST_F(sys, load_param_and_unload)
{
	char *q;

	ASSERT_EQ(0, munmap(self->base, NPAGES * PS));
	self->base = NULL;
	ASSERT_EQ(0, modctl_unload());
	EXPECT_FALSE(modctl_loaded());
	q = map_region(1);
	ASSERT_TRUE(q != NULL);
	EXPECT_EQ(-ENOSYS, sys_mseal(A(q), PS, 0));
	ASSERT_EQ(0, modctl_load(modctl_path(), "syscall=1"));
	EXPECT_EQ(0, sys_mseal(A(q), PS, 0));
	EXPECT_EQ(-EPERM, xmunmap(q, PS));
}

TEST_HARNESS_MAIN
