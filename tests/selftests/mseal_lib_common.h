/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mseal_lib_common.h - tests of libmseal (SPEC 7.1) that hold on every
 * kernel, included by the in-guest test (mseal_lib: Debian's 6.1, which
 * has no mseal(2), with the module loaded) and by the host test
 * (tests/host/libmseal_host: whatever the build machine runs, which may
 * have mseal(2) and never has the module).  Include after
 * mseal_harness.h, once per binary.
 *
 * Each harness test runs in a process of its own, so each starts with
 * libmseal's backend not chosen yet; the fixture setup never calls the
 * library.  Where a test needs the kernel to answer mseal(2) a certain
 * way, mseal_notif.h arranges it with a seccomp filter.
 *
 * What the library must do (mseal(3)): use mseal(2) when a probe
 * mseal(0, 0, 0) succeeds, the device otherwise, fail with ENOSYS when
 * neither exists; pass every other error through; leave errno alone on
 * success; keep no descriptor.
 */
#ifndef MSEAL_LIB_COMMON_H
#define MSEAL_LIB_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mseal.h"
#include "mseal_notif.h"

#define NPAGES 4

/* The kernel's own mseal(2), asked directly (not through the library). */
static inline bool have_native(void)
{
	return syscall(NOTIF_NR_MSEAL, 0UL, 0UL, 0UL) == 0;
}

static inline bool have_device(void)
{
	int fd = open(MSEAL_DEV_PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* /sys/kernel/mseal/seals, -1 without the module. */
static inline long dev_seal_count(void)
{
	return read_long("/sys/kernel/mseal/seals");
}

/* Open descriptors of this process (the directory stream not counted). */
static inline int count_fds(bool *dev_open)
{
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	*dev_open = false;
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		char path[320], target[256];
		ssize_t len;

		if (d->d_name[0] == '.' || atoi(d->d_name) == dirfd(dir))
			continue;
		n++;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", d->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len > 0) {
			target[len] = 0;
			if (!strcmp(target, MSEAL_DEV_PATH))
				*dev_open = true;
		}
	}
	closedir(dir);
	return n;
}

/* Find [start, end) with @flags among @n ranges. */
static inline bool has_range(const struct mseal_range *r, ssize_t n,
			     const void *start, const void *end,
			     uint64_t flags)
{
	ssize_t i;

	for (i = 0; i < n; i++)
		if (r[i].start == (uintptr_t)start &&
		    r[i].end == (uintptr_t)end && r[i].flags == flags)
			return true;
	return false;
}

FIXTURE(lib) {
	char *base;
	size_t ps;
	bool native, device;	/* what the kernel offers this process */
};

FIXTURE_SETUP(lib)
{
	self->ps = pgsz();
	self->base = map_region(NPAGES);
	ASSERT_TRUE(self->base != NULL);
	fill_pattern(self->base, NPAGES * self->ps, 7);
	self->native = have_native();
	self->device = have_device();
}

FIXTURE_TEARDOWN(lib)
{
}

#define P(i) pg(self->base, (i))
#define ANY_BACKEND() (self->native || self->device)

/*
 * A call that must fail with @want_errno and change nothing: return -1,
 * errno exactly @want_errno, the region's maps and contents as before,
 * and no page of it sealed.
 */
#define EXPECT_MSEAL_FAILS(want_errno, addr, len, flags) do {		\
	struct region_state __st;					\
	static char __why[4096];					\
	int __r, __e, __i;						\
									\
	ASSERT_EQ(0, region_save(&__st, self->base, NPAGES * self->ps));\
	errno = 0;							\
	__r = mseal((addr), (len), (flags));				\
	__e = errno;							\
	EXPECT_EQ(-1, __r) TH_LOG("mseal(%s, %s, %s)", #addr, #len,	\
				  #flags);				\
	EXPECT_EQ((want_errno), __e) TH_LOG("mseal(%s, %s, %s): %s, "	\
		"want %s", #addr, #len, #flags, strerror(__e),		\
		strerror(want_errno));					\
	EXPECT_EQ(0, region_compare(&__st, __why, sizeof(__why)))	\
		TH_LOG("after mseal(%s, %s, %s): %s", #addr, #len,	\
		       #flags, __why);					\
	region_free(&__st);						\
	for (__i = 0; __i < NPAGES; __i++)				\
		if (is_mapped(P(__i)))					\
			EXPECT_EQ(0, page_sealed(P(__i)))		\
				TH_LOG("page %d sealed by a failed call", __i);\
} while (0)

/* SPEC 7.1: a seal through whichever backend exists; ENOSYS without. */
TEST_F(lib, seal_and_refuse)
{
	if (!ANY_BACKEND()) {
		EXPECT_MSEAL_FAILS(ENOSYS, P(0), 2 * self->ps, 0);
		return;
	}
	ASSERT_EQ(0, mseal(P(0), 2 * self->ps, 0));
	EXPECT_EQ(1, page_sealed(P(0)));
	EXPECT_EQ(1, page_sealed(P(1)));
	EXPECT_EQ(0, page_sealed(P(2)));
	/* SPEC 3.11: refused operations leave everything as it was. */
	EXPECT_REFUSED(-EPERM, xmunmap(P(1), 2 * self->ps), self->base,
		       NPAGES * self->ps);
	EXPECT_REFUSED(-EPERM, xmprotect(P(0), 3 * self->ps, PROT_READ),
		       self->base, NPAGES * self->ps);
	EXPECT_EQ(-1, check_pattern(self->base, NPAGES * self->ps, 7));
	/* Idempotent. */
	EXPECT_EQ(0, mseal(P(0), self->ps, 0));
}

/* SPEC 2.1-2.6 through the library: mseal(2)'s errors, in its order. */
TEST_F(lib, errors_exact)
{
	size_t ps = self->ps;

	if (!ANY_BACKEND())
		SKIP(return, "neither mseal(2) nor %s", MSEAL_DEV_PATH);
	EXPECT_MSEAL_FAILS(EINVAL, P(0), ps, 1);
	EXPECT_MSEAL_FAILS(EINVAL, P(0), ps, 1UL << (sizeof(long) * 8 - 1));
	/* flags before len == 0's success */
	EXPECT_MSEAL_FAILS(EINVAL, P(0), 0, 2);
	EXPECT_MSEAL_FAILS(EINVAL, P(0) + 1, ps, 0);
	/* alignment before mapping: the page before P(0) is a hole */
	EXPECT_MSEAL_FAILS(EINVAL, P(-1) + 8, ps, 0);
	/*
	 * A length that rounds up to 0; addr + len wrapping around.  A
	 * 32-bit process on a 64-bit kernel (the only kind the suite runs)
	 * passes a zero-extended length: nothing wraps, and the range runs
	 * past the mapped memory, as with mseal(2) (see mseal_compat).
	 */
#if SIZE_MAX < UINT64_MAX
#define WRAP_ERR ENOMEM
#else
#define WRAP_ERR EINVAL
#endif
	EXPECT_MSEAL_FAILS(WRAP_ERR, P(0), SIZE_MAX, 0);
	EXPECT_MSEAL_FAILS(WRAP_ERR, P(0), (size_t)0 - ps, 0);
	/* unmapped start, end, and a hole in the middle */
	EXPECT_MSEAL_FAILS(ENOMEM, P(-1), 2 * ps, 0);
	EXPECT_MSEAL_FAILS(ENOMEM, P(0), (NPAGES + 1) * ps, 0);
	ASSERT_EQ(0, munmap(P(2), ps));
	EXPECT_MSEAL_FAILS(ENOMEM, P(0), NPAGES * ps, 0);
	/* len == 0 succeeds, even on a hole, and seals nothing */
	errno = 0;
	EXPECT_EQ(0, mseal(P(-1), 0, 0));
	EXPECT_EQ(0, mseal(P(2), 0, 0));
	EXPECT_EQ(0, errno);
	EXPECT_EQ(0, page_sealed(P(0)));
}

/* errno is the caller's after a success, the first call included. */
TEST_F(lib, errno_preserved_on_success)
{
	if (!ANY_BACKEND())
		SKIP(return, "neither mseal(2) nor %s", MSEAL_DEV_PATH);
	errno = EILSEQ;
	EXPECT_EQ(0, mseal(P(0), self->ps, 0));
	EXPECT_EQ(EILSEQ, errno);
	errno = ETXTBSY;
	EXPECT_EQ(0, mseal(P(1), 0, 0));
	EXPECT_EQ(ETXTBSY, errno);
	errno = EDOM;
	EXPECT_EQ(0, mseal(P(0), self->ps, 0));
	EXPECT_EQ(EDOM, errno);
}

/* No descriptor is left open, by success or failure. */
TEST_F(lib, no_descriptor_kept)
{
	bool dev_open;
	int before = count_fds(&dev_open), after, i;

	ASSERT_LE(0, before);
	ASSERT_FALSE(dev_open);
	for (i = 0; i < 3; i++) {
		mseal(P(i), self->ps, 0);
		mseal(P(-1), self->ps, 0);	/* ENOMEM or ENOSYS */
	}
	after = count_fds(&dev_open);
	EXPECT_EQ(before, after);
	EXPECT_FALSE(dev_open) TH_LOG("%s left open", MSEAL_DEV_PATH);
}

/*
 * A program that closes every descriptor it did not open, then opens a
 * file at the same number: the library neither needs nor touches it.
 */
TEST_F(lib, caller_closes_descriptors)
{
	struct stat null_st, st;
	int fd, i;

	if (!ANY_BACKEND())
		SKIP(return, "neither mseal(2) nor %s", MSEAL_DEV_PATH);
	ASSERT_EQ(0, mseal(P(0), self->ps, 0));
	for (i = 3; i < 1024; i++)
		close(i);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);	/* the lowest free */
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &null_st));
	EXPECT_EQ(0, mseal(P(1), self->ps, 0));
	EXPECT_EQ(1, page_sealed(P(1)));
	ASSERT_EQ(0, fstat(fd, &st)) TH_LOG("the caller's descriptor was closed");
	EXPECT_EQ(null_st.st_rdev, st.st_rdev);
	EXPECT_EQ(2, write(fd, "ok", 2));
	close(fd);
}

static int child_seals(void *arg, char *msg, size_t msgsz)
{
	char *base = arg;
	size_t ps = pgsz();

	if (mseal(base + ps, ps, 0)) {
		snprintf(msg, msgsz, "child mseal: %s", strerror(errno));
		return 1;
	}
	if (page_sealed(base + ps) != 1 || page_sealed(base) != 1) {
		snprintf(msg, msgsz, "child: pages not sealed");
		return 2;
	}
	return 0;
}

/* After fork the child seals its own memory; the parent is unaffected. */
TEST_F(lib, fork_child_seals_its_own)
{
	char msg[256];

	if (!ANY_BACKEND())
		SKIP(return, "neither mseal(2) nor %s", MSEAL_DEV_PATH);
	ASSERT_EQ(0, mseal(P(0), self->ps, 0));
	EXPECT_EQ(0, run_in_child(child_seals, self->base, msg, sizeof(msg)))
		TH_LOG("%s", msg);
	EXPECT_EQ(0, page_sealed(P(1)));
	EXPECT_EQ(1, page_sealed(P(0)));
}

#define NTHREADS 8

struct thread_arg {
	char *page;
	int fails;
	int err;
};

static void *thread_seal(void *p)
{
	struct thread_arg *a = p;
	int i;

	for (i = 0; i < 20; i++)
		if (mseal(a->page, pgsz(), 0)) {
			a->fails++;
			a->err = errno;
		}
	return NULL;
}

/* Threads may call it concurrently, the very first call included. */
TEST_F(lib, threads)
{
	struct thread_arg args[NTHREADS];
	pthread_t th[NTHREADS];
	char *base;
	int i;

	if (!ANY_BACKEND())
		SKIP(return, "neither mseal(2) nor %s", MSEAL_DEV_PATH);
	base = map_region(NTHREADS);
	ASSERT_TRUE(base != NULL);
	for (i = 0; i < NTHREADS; i++) {
		args[i] = (struct thread_arg){ .page = pg(base, i) };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, thread_seal,
					    &args[i]));
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, args[i].fails) TH_LOG("thread %d: %s", i,
						   strerror(args[i].err));
		EXPECT_EQ(1, page_sealed(pg(base, i)));
	}
}

/* ---- backend choice (seccomp answers for the kernel) ----------------- */

#define NOTIF(probe, call) do {						\
	int __r = notif_install(&n, (probe), (call));			\
	if (__r == -EINVAL || __r == -ENOSYS)				\
		SKIP(return, "no seccomp user notification: %s",	\
		     strerror(-__r));					\
	ASSERT_EQ(0, __r) TH_LOG("seccomp: %s", strerror(-__r));	\
} while (0)

/*
 * Where the kernel has mseal(2), it is used, not the device: here the
 * "kernel" answers 0 without sealing, so a device seal would show.
 */
TEST_F(lib, native_preferred)
{
	long seals = dev_seal_count();
	struct notif n;

	NOTIF(0, 0);
	EXPECT_EQ(0, mseal(P(0), 3 * self->ps + 1, 0));
	EXPECT_EQ(1, notif_probes(&n));
	EXPECT_EQ(1, notif_calls(&n));
	EXPECT_EQ((uintptr_t)P(0), n.args[0]);
	EXPECT_EQ(3 * self->ps + 1, n.args[1]);
	EXPECT_EQ(0ULL, n.args[2]);
	EXPECT_EQ(0, page_sealed(P(0))) TH_LOG("sealed by the device");
	EXPECT_EQ(seals, dev_seal_count());
}

/* The system call's errors are passed through, never retried elsewhere. */
TEST_F(lib, native_errors_passed_through)
{
	static const int errs[] = { EINVAL, ENOMEM, EPERM, EINTR, EFAULT };
	struct notif n;
	unsigned int i;

	NOTIF(0, EINVAL);
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		__atomic_store_n(&n.call_reply, errs[i], __ATOMIC_SEQ_CST);
		errno = 0;
		EXPECT_EQ(-1, mseal(P(0), self->ps, 0));
		EXPECT_EQ(errs[i], errno) TH_LOG("want %s", strerror(errs[i]));
	}
	EXPECT_EQ(1, notif_probes(&n));
	EXPECT_EQ((int)i, notif_calls(&n));
	EXPECT_EQ(0, page_sealed(P(0))) TH_LOG("sealed by the device");
}

/*
 * A kernel without mseal(2): asked once per process, then the device
 * (here: ENOSYS when it is not there either).
 */
TEST_F(lib, probe_once_then_device)
{
	struct notif n;
	int i;

	NOTIF(ENOSYS, NOTIF_CONTINUE);
	for (i = 0; i < NPAGES; i++) {
		int r;

		errno = EILSEQ;
		r = mseal(P(i), self->ps, 0);
		if (self->device) {
			EXPECT_EQ(0, r) TH_LOG("page %d: %s", i,
					       strerror(errno));
			EXPECT_EQ(EILSEQ, errno);
			EXPECT_EQ(1, page_sealed(P(i)));
		} else {
			EXPECT_EQ(-1, r);
			EXPECT_EQ(ENOSYS, errno);
		}
	}
	EXPECT_EQ(1, notif_probes(&n));
	EXPECT_EQ(0, notif_calls(&n));
}

/*
 * A seccomp filter that refuses mseal(2) with EPERM (what container
 * runtimes answer for system calls they do not know) does not keep the
 * process from sealing through the device.
 */
TEST_F(lib, filtered_native_uses_device)
{
	struct notif n;

	NOTIF(EPERM, EPERM);
	if (self->device) {
		EXPECT_EQ(0, mseal(P(0), self->ps, 0)) TH_LOG("%s",
							      strerror(errno));
		EXPECT_EQ(1, page_sealed(P(0)));
	} else {
		EXPECT_MSEAL_FAILS(ENOSYS, P(0), self->ps, 0);
	}
	EXPECT_EQ(1, notif_probes(&n));
	EXPECT_EQ(0, notif_calls(&n));
}

/* The real kernel, observed: mseal(2) used exactly when it exists. */
TEST_F(lib, real_kernel_choice)
{
	struct notif n;

	NOTIF(NOTIF_CONTINUE, NOTIF_CONTINUE);
	if (!ANY_BACKEND()) {
		EXPECT_MSEAL_FAILS(ENOSYS, P(0), self->ps, 0);
		return;
	}
	EXPECT_EQ(0, mseal(P(0), self->ps, 0)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(1, page_sealed(P(0)));
	EXPECT_EQ(1, notif_probes(&n));
	EXPECT_EQ(self->native ? 1 : 0, notif_calls(&n));
}

/* ---- mseal_list() ------------------------------------------------------ */

TEST_F(lib, list_self)
{
	struct mseal_range *r = (void *)1;
	ssize_t n, i;

	if (!ANY_BACKEND()) {
		errno = 0;
		EXPECT_EQ(-1, mseal_list(0, &r));
		EXPECT_EQ(ENOSYS, errno);
		return;
	}
	ASSERT_EQ(0, mseal(P(0), self->ps, 0));
	ASSERT_EQ(0, mseal(P(2), 2 * self->ps, 0));
	errno = EILSEQ;
	n = mseal_list(0, &r);
	ASSERT_LE(2, n) TH_LOG("mseal_list: %s", strerror(errno));
	EXPECT_EQ(EILSEQ, errno);
	EXPECT_TRUE(has_range(r, n, P(0), P(1), 0));
	EXPECT_TRUE(has_range(r, n, P(2), P(4), 0));
	for (i = 1; i < n; i++)
		EXPECT_LT(r[i - 1].start, r[i].start);
	free(r);
}

/* More ranges than the library's first guess: it asks again. */
TEST_F(lib, list_many)
{
	const int nr = 150;
	struct mseal_range *r;
	char *base;
	ssize_t n;
	int i, missing = 0;

	if (!ANY_BACKEND())
		SKIP(return, "neither mseal(2) nor %s", MSEAL_DEV_PATH);
	base = map_region(2 * nr);
	ASSERT_TRUE(base != NULL);
	for (i = 0; i < nr; i++)
		ASSERT_EQ(0, mseal(pg(base, 2 * i), self->ps, 0));
	n = mseal_list(0, &r);
	ASSERT_LE(nr, n) TH_LOG("mseal_list: %s", strerror(errno));
	for (i = 0; i < nr; i++)
		if (!has_range(r, n, pg(base, 2 * i), pg(base, 2 * i + 1), 0))
			missing++;
	EXPECT_EQ(0, missing);
	free(r);
}

/* Another process's seals; a process without seals of its own. */
TEST_F(lib, list_other_process)
{
	int go[2], ready[2];
	struct mseal_range *r = NULL;
	ssize_t n, i;
	pid_t pid;
	char c;

	if (!ANY_BACKEND())
		SKIP(return, "neither mseal(2) nor %s", MSEAL_DEV_PATH);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		c = mseal(P(1), self->ps, 0) ? 'e' : 'k';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ('k', c);
	n = mseal_list(pid, &r);
	EXPECT_LE(1, n) TH_LOG("mseal_list(%d): %s", pid, strerror(errno));
	EXPECT_TRUE(has_range(r, n, P(1), P(2), 0));
	free(r);
	/* The parent sealed nothing explicitly. */
	n = mseal_list(0, &r);
	EXPECT_LE(0, n);
	for (i = 0; i < n; i++)
		EXPECT_NE(0ULL, r[i].flags & MSEAL_RANGE_SYSTEM);
	EXPECT_EQ(n == 0, r == NULL);
	free(r);
	EXPECT_EQ(1, write(go[1], "x", 1));
	waitpid(pid, NULL, 0);
}

TEST_F(lib, list_errors)
{
	struct mseal_range *r;
	pid_t pid;

	errno = 0;
	EXPECT_EQ(-1, mseal_list(-1, &r));
	EXPECT_EQ(EINVAL, errno);
	if (!ANY_BACKEND())
		SKIP(return, "neither mseal(2) nor %s", MSEAL_DEV_PATH);
	/* A pid that was just freed: a reaped child's. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(0);
	waitpid(pid, NULL, 0);
	errno = 0;
	EXPECT_EQ(-1, mseal_list(pid, &r));
	EXPECT_EQ(ESRCH, errno);
}

#endif /* MSEAL_LIB_COMMON_H */
