// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_lifecycle - seals across fork, threads, exec and exit; many seals;
 * the module pinned by seals (SPEC 4.1 - 4.5).
 *
 *  4.1 fork: the child (and grandchild) inherits every seal; ranges that
 *      are not copied (MADV_DONTFORK) are not inherited, so the child can
 *      map and unmap there freely.
 *  4.2 exec and exit drop the seals of the old mm; a later mm (likely at
 *      the same struct mm_struct address) starts unsealed.
 *  4.3 threads share one set of seals.
 *  4.4 a seal held by any process (not only the sealer) pins the module.
 *  4.5 the table takes many separate ranges quickly, adjacent seals
 *      coalesce, and the number of ranges is bounded by vm.max_map_count.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mseal_harness.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define NPAGES 6
#define RW (PROT_READ | PROT_WRITE)

/*
 * Fixed addresses far from anything a static binary maps (text near
 * 4 MiB, heap after it, mmap and stack near the top of the 47-bit space).
 */
#define EXEC_ADDR ((void *)0x2a0000000000UL)
#define EXIT_ADDR ((void *)0x2b0000000000UL)

#define EXEC_ENV "MSEAL_LIFECYCLE_EXEC_ADDR"

/* ---- the exec'd side of exec_drops_seals --------------------------- */

/*
 * In the freshly exec'd image: the address the pre-exec image had sealed
 * must be free, and mapping, re-protecting, replacing and unmapping there
 * must all work.  Exit code: 0, or the step that failed.
 */
static int exec_side(const char *arg)
{
	size_t ps = pgsz();
	char *addr = (char *)strtoul(arg, NULL, 16), *p;

	if (is_mapped(addr))
		return 2;
	p = map_at(addr, 2, RW);
	if (!p)
		return 3;
	fill_pattern(p, 2 * ps, 9);
	if (check_pattern(p, 2 * ps, 9) != -1)
		return 4;
	if (xmprotect(p, 2 * ps, PROT_READ))
		return 5;
	if (mmap(p, ps, RW, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) !=
	    p)
		return 6;
	if (xmunmap(p, 2 * ps))
		return 7;
	if (is_mapped(p))
		return 8;
	return 0;
}

static void __attribute__((constructor)) exec_side_entry(void)
{
	const char *arg = getenv(EXEC_ENV);

	if (arg)
		_exit(exec_side(arg));
}

/* ---- fixture ------------------------------------------------------- */

FIXTURE(life) {
	char *base, *lo;
	size_t ps, len;
	char saved_max_map_count[32];
};

FIXTURE_SETUP(life)
{
	self->ps = pgsz();
	ASSERT_BACKEND();
	self->base = map_region(NPAGES);
	ASSERT_NE(NULL, self->base);
	fill_pattern(self->base, NPAGES * self->ps, 4);
	self->lo = self->base - self->ps;
	self->len = (NPAGES + 2) * self->ps;
}

FIXTURE_TEARDOWN(life)
{
	if (self->saved_max_map_count[0])
		write_file("/proc/sys/vm/max_map_count",
			  self->saved_max_map_count);
}


/* ---- 4.1 fork ------------------------------------------------------ */

struct fork_arg {
	char *base;
	int depth;
};

static int xmremap_move(void *p, size_t len)
{
	void *r = mremap(p, len, 2 * len, MREMAP_MAYMOVE);

	return r == MAP_FAILED ? -errno : 0;
}

/*
 * Pages 1-2 of the region are sealed: every change is refused, contents
 * intact, page 0 free.  At depth 1, fork a grandchild that checks the
 * same; then seal page 4 (which the parent must not see sealed).
 */
static int child_inherits(void *arg, char *msg, size_t msgsz)
{
	struct fork_arg *f = arg;
	size_t ps = pgsz();
	char *p1 = pg(f->base, 1);
	int r;

	if ((r = xmunmap(p1, ps)) != -EPERM) {
		snprintf(msg, msgsz, "depth %d: munmap = %d", f->depth, r);
		return 1;
	}
	if ((r = xmunmap(f->base, 4 * ps)) != -EPERM) {
		snprintf(msg, msgsz, "depth %d: munmap over = %d", f->depth, r);
		return 2;
	}
	if ((r = xmprotect(pg(f->base, 2), ps, PROT_READ)) != -EPERM) {
		snprintf(msg, msgsz, "depth %d: mprotect = %d", f->depth, r);
		return 3;
	}
	if ((r = xmremap_move(p1, 2 * ps)) != -EPERM) {
		snprintf(msg, msgsz, "depth %d: mremap = %d", f->depth, r);
		return 4;
	}
	if (mmap(p1, ps, RW, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0) != MAP_FAILED || errno != EPERM) {
		snprintf(msg, msgsz, "depth %d: mmap(MAP_FIXED) not EPERM",
			 f->depth);
		return 5;
	}
	if (check_pattern(f->base, NPAGES * ps, 4) != -1) {
		snprintf(msg, msgsz, "depth %d: contents changed", f->depth);
		return 6;
	}
	if (f->depth == 1) {
		struct fork_arg g = { f->base, 2 };

		r = run_in_child(child_inherits, &g, msg, msgsz);
		if (r) {
			size_t l = strlen(msg);

			snprintf(msg + l, msgsz - l, " (grandchild: %d)", r);
			return 7;
		}
		if ((r = seal(pg(f->base, 4), ps, 0))) {
			snprintf(msg, msgsz, "child cannot seal: %d", r);
			return 8;
		}
	}
	/* unsealed neighbours are free (after the grandchild ran) */
	if ((r = xmprotect(f->base, ps, PROT_READ))) {
		snprintf(msg, msgsz, "depth %d: mprotect page 0 = %d",
			 f->depth, r);
		return 9;
	}
	return 0;
}

/* SPEC 4.1: child and grandchild inherit the seals. */
TEST_F(life, fork_child_and_grandchild_inherit)
{
	struct fork_arg f = { self->base, 1 };
	char msg[1024];

	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	EXPECT_EQ(0, run_in_child(child_inherits, &f, msg, sizeof(msg)))
		TH_LOG("%s", msg);
	/* the child's own seal of page 4 is the child's only */
	EXPECT_EQ(0, page_sealed(P(4)));
	EXPECT_EQ(0, xmprotect(P(0), PS, PROT_READ));
	REFUSED(-EPERM, xmunmap(P(1), 2 * PS));
}

/*
 * In a child of a process that sealed the whole region after (or before)
 * giving pages 2-3 MADV_DONTFORK: those pages are absent and free - the
 * child maps, replaces, re-protects and unmaps memory there - while the
 * rest is inherited sealed.
 */
static int child_dontfork(void *arg, char *msg, size_t msgsz)
{
	char *base = arg, *p2 = pg(base, 2);
	size_t ps = pgsz();
	int r;

	if (is_mapped(p2) || is_mapped(pg(base, 3))) {
		snprintf(msg, msgsz, "MADV_DONTFORK pages inherited");
		return 1;
	}
	if ((r = xmunmap(pg(base, 1), ps)) != -EPERM ||
	    (r = xmunmap(pg(base, 4), ps)) != -EPERM) {
		snprintf(msg, msgsz, "inherited seal lost: munmap = %d", r);
		return 2;
	}
	if (!map_at(p2, 2, RW)) {
		snprintf(msg, msgsz, "cannot map at the DONTFORK hole: %s",
			 strerror(errno));
		return 3;
	}
	memset(p2, 0x33, 2 * ps);
	if (mmap(p2, ps, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0) != p2) {
		snprintf(msg, msgsz, "MAP_FIXED there: %s", strerror(errno));
		return 4;
	}
	if ((r = xmprotect(p2, 2 * ps, RW))) {
		snprintf(msg, msgsz, "mprotect there: %d", r);
		return 5;
	}
	if ((r = xmunmap(p2, 2 * ps))) {
		snprintf(msg, msgsz, "munmap there: %d", r);
		return 6;
	}
	/* and the seal around the hole is still whole */
	if ((r = xmunmap(pg(base, 1), 4 * ps)) != -EPERM) {
		snprintf(msg, msgsz, "munmap across the hole: %d", r);
		return 7;
	}
	if (check_pattern(base, 2 * ps, 4) != -1) {
		snprintf(msg, msgsz, "inherited contents changed");
		return 8;
	}
	return 0;
}

/* SPEC 4.1: MADV_DONTFORK (applied before the seal) is not inherited. */
TEST_F(life, dontfork_before_seal_not_inherited)
{
	char msg[1024];

	ASSERT_EQ(0, madvise(P(2), 2 * PS, MADV_DONTFORK));
	ASSERT_EQ(0, seal(P(0), NPAGES * PS, 0));
	EXPECT_EQ(0, run_in_child(child_dontfork, self->base, msg,
				  sizeof(msg))) TH_LOG("%s", msg);
	/* in the parent the pages are still there and sealed */
	REFUSED(-EPERM, xmunmap(P(2), 2 * PS));
	EXPECT_EQ(-1, check_pattern(self->base, NPAGES * PS, 4));
}

/*
 * SPEC 4.1, 3.5: MADV_DONTFORK on sealed writable memory is allowed, and
 * then not inherited either.
 */
TEST_F(life, dontfork_after_seal_not_inherited)
{
	char msg[1024];

	ASSERT_EQ(0, seal(P(0), NPAGES * PS, 0));
	ASSERT_EQ(0, madvise(P(2), 2 * PS, MADV_DONTFORK));
	EXPECT_EQ(0, run_in_child(child_dontfork, self->base, msg,
				  sizeof(msg))) TH_LOG("%s", msg);
	REFUSED(-EPERM, xmunmap(P(2), 2 * PS));
}

static int child_wiped_still_sealed(void *arg, char *msg, size_t msgsz)
{
	char *base = arg;
	size_t ps = pgsz(), i;
	int r;

	for (i = 0; i < NPAGES * ps; i++)
		if (base[i])
			break;
	if (i != NPAGES * ps) {
		snprintf(msg, msgsz, "WIPEONFORK memory not wiped (byte %zu)",
			 i);
		return 1;
	}
	if ((r = xmunmap(base, ps)) != -EPERM) {
		snprintf(msg, msgsz, "wiped sealed memory: munmap = %d", r);
		return 2;
	}
	if ((r = xmprotect(base, NPAGES * ps, PROT_READ)) != -EPERM) {
		snprintf(msg, msgsz, "wiped sealed memory: mprotect = %d", r);
		return 3;
	}
	return 0;
}

/*
 * SPEC 4.1, 3.5: MADV_WIPEONFORK on sealed writable memory is allowed;
 * the child gets the range wiped - and still sealed.
 */
TEST_F(life, wipeonfork_sealed_writable)
{
	char msg[1024];

	ASSERT_EQ(0, seal(P(0), NPAGES * PS, 0));
	ASSERT_EQ(0, madvise(P(0), NPAGES * PS, MADV_WIPEONFORK));
	EXPECT_EQ(0, run_in_child(child_wiped_still_sealed, self->base, msg,
				  sizeof(msg))) TH_LOG("%s", msg);
	EXPECT_EQ(-1, check_pattern(self->base, NPAGES * PS, 4));
}

/* ---- 4.3 threads --------------------------------------------------- */

struct thr {
	pthread_barrier_t b;
	char *base;
	size_t ps;
	int r_seal, r_munmap, r_mprotect, r_seal2_seen;
};

/* Seals page 1 and exits. */
static void *thr_sealer(void *a)
{
	struct thr *t = a;

	t->r_seal = seal(pg(t->base, 1), t->ps, 0);
	return NULL;
}

/* Lives across both seals; tries to change each one after it is made. */
static void *thr_other(void *a)
{
	struct thr *t = a;

	pthread_barrier_wait(&t->b);	/* page 1 sealed by thr_sealer */
	t->r_munmap = xmunmap(pg(t->base, 1), t->ps);
	t->r_mprotect = xmprotect(pg(t->base, 1), t->ps, PROT_READ);
	pthread_barrier_wait(&t->b);	/* main seals page 3 */
	pthread_barrier_wait(&t->b);
	t->r_seal2_seen = xmunmap(pg(t->base, 3), t->ps);
	return NULL;
}

/* SPEC 4.3: a seal made by one thread binds every other one. */
TEST_F(life, threads_share_seals)
{
	static struct thr t;
	pthread_t a, b;

	memset(&t, 0, sizeof(t));
	t.base = self->base;
	t.ps = PS;
	ASSERT_EQ(0, pthread_barrier_init(&t.b, NULL, 2));
	ASSERT_EQ(0, pthread_create(&b, NULL, thr_other, &t));
	ASSERT_EQ(0, pthread_create(&a, NULL, thr_sealer, &t));
	ASSERT_EQ(0, pthread_join(a, NULL));	/* the sealer is gone */
	ASSERT_EQ(0, t.r_seal);
	pthread_barrier_wait(&t.b);
	pthread_barrier_wait(&t.b);
	ASSERT_EQ(0, seal(P(3), PS, 0));
	pthread_barrier_wait(&t.b);
	ASSERT_EQ(0, pthread_join(b, NULL));
	EXPECT_EQ(-EPERM, t.r_munmap);
	EXPECT_EQ(-EPERM, t.r_mprotect);
	EXPECT_EQ(-EPERM, t.r_seal2_seen);
	/* and the main thread, for the seal of the exited thread */
	REFUSED(-EPERM, xmunmap(P(1), PS));
	EXPECT_EQ(0, xmunmap(P(2), PS));
}

/* ---- 4.2 exec and exit -------------------------------------------- */

/* SPEC 4.2: exec drops the seals of the old image. */
TEST_F(life, exec_drops_seals)
{
	int status;
	pid_t pid;

	ASSERT_FALSE(is_mapped(EXEC_ADDR));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char env[64], name[] = "mseal_lifecycle";
		char *envp[] = { env, NULL }, *argv[] = { name, NULL };
		char *p = map_at(EXEC_ADDR, 2, RW);

		if (!p)
			_exit(20);
		fill_pattern(p, 2 * pgsz(), 9);
		if (seal(p, 2 * pgsz(), 0))
			_exit(21);
		if (xmunmap(p, pgsz()) != -EPERM)
			_exit(22);
		snprintf(env, sizeof(env), EXEC_ENV "=%lx", (unsigned long)p);
		execve("/proc/self/exe", argv, envp);
		_exit(23);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("exec'd child killed by %d",
					     WTERMSIG(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("exit %d: 2x in the exec'd image (2 still mapped, "
		       "3 map, 5 mprotect, 6 MAP_FIXED, 7 munmap), 2x "
		       "before the exec", WEXITSTATUS(status));
}

/*
 * SPEC 4.2: exec drops the seals of the *old mm* - but after vfork() the
 * child execs out of its parent's mm, which lives on: the parent keeps
 * every seal.
 */
TEST_F(life, vfork_exec_keeps_parent_seals)
{
	char env[64], name[] = "mseal_lifecycle";
	char *envp[] = { env, NULL }, *argv[] = { name, NULL };
	int status;
	pid_t pid;

	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	ASSERT_FALSE(is_mapped(EXEC_ADDR));
	snprintf(env, sizeof(env), EXEC_ENV "=%lx", (unsigned long)EXEC_ADDR);
	fflush(stdout);
	fflush(stderr);
	pid = vfork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execve("/proc/self/exe", argv, envp);
		_exit(23);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("exec'd child: status %#x", status);
	REFUSED(-EPERM, xmunmap(P(1), 2 * PS));
	REFUSED(-EPERM, xmprotect(P(2), PS, PROT_READ));
	EXPECT_EQ(0, xmunmap(P(0), PS));
}

/* /sys/module/mseal/refcnt, or -errno. */
static long module_refcnt(void)
{
	char buf[32];
	int r = read_file("/sys/module/mseal/refcnt", buf, sizeof(buf));

	return r ? r : strtol(buf, NULL, 10);
}

/* Child: seal a page at EXIT_ADDR and exit.  0 or the failed step. */
static int exit_sealer(void)
{
	char *p = map_at(EXIT_ADDR, 1, RW);

	if (!p)
		return 2;
	p[0] = 1;
	if (seal(p, pgsz(), 0))
		return 3;
	if (xmunmap(p, pgsz()) != -EPERM)
		return 4;
	return 0;
}

/* Child: map, re-protect and unmap at EXIT_ADDR.  0 or the failed step. */
static int exit_checker(void)
{
	char *p = map_at(EXIT_ADDR, 1, RW);

	if (!p)
		return 5;
	p[0] = 1;
	if (xmprotect(p, pgsz(), PROT_READ))
		return 6;
	if (xmunmap(p, pgsz()))
		return 7;
	return 0;
}

/* Fork, run @fn in the child, wait: its exit code, or 100 + signal. */
static int fork_run(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 99;
	if (pid == 0)
		_exit(fn());
	if (waitpid(pid, &status, 0) != pid)
		return 98;
	return WIFEXITED(status) ? WEXITSTATUS(status)
				 : 100 + WTERMSIG(status);
}

#define EXIT_ROUNDS mseal_rounds(300)

/*
 * SPEC 4.2: exit drops the seals; fresh mm's (many of which reuse the
 * struct mm_struct of an exited sealer) start unsealed.  With the device
 * backend the module's reference count, which each sealed mm holds once,
 * must be back where it was.
 */
TEST_F_TIMEOUT(life, exit_drops_seals_mm_reuse, 240)
{
	int i, r, bad_seal = 0, bad_check = 0, first = 0;
	long ref0 = -1, ref1 = -1;

	ASSERT_FALSE(is_mapped(EXIT_ADDR));
	if (!backend_is_syscall())
		ref0 = module_refcnt();
	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < EXIT_ROUNDS; i++) {
		r = fork_run(exit_sealer);
		if (r && !bad_seal++)
			first = r;
	}
	if (ref0 >= 0) {
		ref1 = module_refcnt();
		EXPECT_EQ(ref0, ref1)
			TH_LOG("module refcnt %ld before %d sealers, %ld "
			       "after they exited", ref0, EXIT_ROUNDS, ref1);
	}
	for (i = 0; i < EXIT_ROUNDS; i++) {
		r = fork_run(exit_checker);
		if (r && !bad_check++ && !first)
			first = r;
	}
	/* and alternating, so each checker likely gets the sealer's mm */
	for (i = 0; i < EXIT_ROUNDS / 2; i++) {
		r = fork_run(exit_sealer);
		if (r && !bad_seal++ && !first)
			first = r;
		r = fork_run(exit_checker);
		if (r && !bad_check++ && !first)
			first = r;
	}
	EXPECT_EQ(0, bad_seal) TH_LOG("sealer children failed, first "
				      "code %d", first);
	EXPECT_EQ(0, bad_check)
		TH_LOG("fresh children could not use the address an exited "
		       "sealer had sealed (first code %d: 5 map, 6 mprotect, "
		       "7 munmap)", first);
	if (ref0 >= 0)
		EXPECT_EQ(ref0, module_refcnt());
}

/* ---- 4.5 many seals, coalescing, bound ----------------------------- */

#define MANY mseal_rounds(20000)

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 +
	       (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * SPEC 4.5: MANY separate sealed ranges (every other page of one big
 * mapping) in one process: all succeed; the sealed pages are refused,
 * every gap between them can be unmapped.  The time taken is printed, not
 * judged (the test's timeout catches a table gone quadratic).
 */
TEST_F_TIMEOUT(life, many_separate_ranges, 240)
{
	size_t ps = PS;
	char *p = map_region(2 * MANY);
	struct timespec t0;
	int i, ok = 0, first_err = 0, gap_bad = 0, gap_err = 0;
	double ms;

	ASSERT_NE(NULL, p);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < MANY; i++) {
		int r = seal(p + 2 * (size_t)i * ps, ps, 0);

		if (r) {
			first_err = r;
			break;
		}
		ok++;
	}
	ms = ms_since(&t0);
	ksft_print_msg("sealed %d ranges in %.0f ms\n", ok, ms);
	ASSERT_EQ(MANY, ok) TH_LOG("seal %d failed: %s", ok,
				   strerror(-first_err));

	/* a sample of the sealed pages, first and last included */
	for (i = 0; i < MANY; i += 97)
		EXPECT_EQ(-EPERM, xmunmap(p + 2 * (size_t)i * ps, ps))
			TH_LOG("sealed page %d", i);
	EXPECT_EQ(-EPERM, xmunmap(p + 2 * (size_t)(MANY - 1) * ps, ps));
	/* every gap */
	for (i = 0; i < MANY; i++) {
		int r = xmunmap(p + (2 * (size_t)i + 1) * ps, ps);

		if (r && !gap_bad++)
			gap_err = r;
	}
	EXPECT_EQ(0, gap_bad) TH_LOG("%d gaps could not be unmapped (%s)",
				     gap_bad, strerror(-gap_err));
	EXPECT_FALSE(is_mapped(p + ps));
	EXPECT_TRUE(is_mapped(p + 2 * (size_t)(MANY / 2) * ps));
	EXPECT_EQ(1, page_sealed(p + 2 * (size_t)(MANY / 2) * ps));
}

/*
 * SPEC 4.5: pages sealed one by one, in an order that joins ranges from
 * both sides, behave as one sealed range: the whole, any single page,
 * any part are refused; the neighbours are free.
 */
TEST_F(life, adjacent_seals_coalesce)
{
	static const int order[] = { 2, 4, 1, 3 };
	static char copy[4 * 65536];
	char *p = map_region(6);
	size_t i;

	ASSERT_NE(NULL, p);
	ASSERT_GE(sizeof(copy), 4 * PS);
	fill_pattern(p, 6 * PS, 5);
	memcpy(copy, pg(p, 1), 4 * PS);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		ASSERT_EQ(0, seal(pg(p, order[i]), PS, 0));
	EXPECT_REFUSED(-EPERM, xmunmap(pg(p, 1), 4 * PS), p, 6 * PS);
	for (i = 1; i <= 4; i++)
		EXPECT_REFUSED(-EPERM, xmunmap(pg(p, i), PS), p, 6 * PS);
	EXPECT_REFUSED(-EPERM, xmunmap(pg(p, 2), 2 * PS), p, 6 * PS);
	EXPECT_REFUSED(-EPERM, xmprotect(pg(p, 1), 4 * PS, PROT_READ), p,
		       6 * PS);
	EXPECT_EQ(0, xmunmap(p, PS));
	EXPECT_EQ(0, xmunmap(pg(p, 5), PS));
	EXPECT_EQ(0, memcmp(copy, pg(p, 1), 4 * PS));
	EXPECT_EQ(1, page_sealed(pg(p, 1)));
	EXPECT_EQ(1, page_sealed(pg(p, 4)));
}

/*
 * SPEC 2.12, 4.5: a seal is a VMA, bounded by vm.max_map_count as every
 * VMA is, and adjacent seals merge.  With the limit lowered to the
 * process's VMAs plus LIMIT: thousands of pages sealed one by one next to
 * each other cost at most two VMAs, separate seals (two VMAs each: the
 * split at both ends) stop at the limit with ENOMEM and leave nothing
 * sealed, and sealing sealed memory (no split) is still accepted.
 */
#define LIMIT 128
#define ADJ 2000

static int count_vmas(void)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

TEST_F_TIMEOUT(life, range_bound_and_coalescing, 120)
{
	char *up, *sep, buf[32];
	int i, r = 0, sep_ok = 0, base;

	if (read_file("/proc/sys/vm/max_map_count", buf, sizeof(buf)) ||
	    access("/proc/sys/vm/max_map_count", W_OK))
		SKIP(return, "cannot change vm.max_map_count");
	up = map_region(ADJ);
	sep = map_region(2 * LIMIT + 8);
	ASSERT_NE(NULL, up);
	ASSERT_NE(NULL, sep);
	base = count_vmas();
	ASSERT_LT(0, base);
	snprintf(self->saved_max_map_count, sizeof(self->saved_max_map_count),
		 "%s", buf);
	snprintf(buf, sizeof(buf), "%d", base + LIMIT);
	ASSERT_EQ(0, write_file("/proc/sys/vm/max_map_count", buf));

	/* all but the last page of up, one by one: they merge */
	for (i = 0; i < ADJ - 1 && !r; i++)
		r = seal(pg(up, i), PS, 0);
	EXPECT_EQ(0, r) TH_LOG("ascending page %d of %d: %s", i - 1, ADJ,
			       strerror(-r));
	EXPECT_GE(base + 1, count_vmas());

	/* separate ranges: every other page, until the limit */
	for (i = 0, r = 0; i < LIMIT + 4; i++) {
		r = seal(pg(sep, 2 * i), PS, 0);
		if (r)
			break;
		sep_ok++;
	}
	EXPECT_EQ(-ENOMEM, r) TH_LOG("%d separate seals, then %d", sep_ok, r);
	EXPECT_LE(LIMIT / 2 - 2, sep_ok) TH_LOG("only %d separate seals", sep_ok);
	EXPECT_GE(LIMIT / 2, sep_ok) TH_LOG("%d separate seals", sep_ok);
	/* sealing what is sealed splits nothing: still fine */
	EXPECT_EQ(0, seal(pg(up, 0), 1, 0));
	EXPECT_EQ(0, seal(sep, PS, 0));

	ASSERT_EQ(0, write_file("/proc/sys/vm/max_map_count",
				self->saved_max_map_count));
	/* the refused seal left nothing sealed */
	EXPECT_EQ(0, page_sealed(pg(sep, 2 * sep_ok)));
	EXPECT_EQ(1, page_sealed(pg(sep, 2 * sep_ok - 2)));
	EXPECT_EQ(-EPERM, xmunmap(up, ADJ * PS));
	EXPECT_EQ(-EPERM, xmunmap(pg(up, ADJ / 2), PS));
	EXPECT_EQ(-EPERM, xmunmap(sep, 3 * PS));
}

/* ---- armed only while something is sealed (SPEC 8.1) ---------------- */

#define ENABLED_FUNCTIONS "/sys/kernel/tracing/enabled_functions"

/*
 * Is a hook on @fn in place (a line of enabled_functions names it, and a
 * trampoline of a module)?  1, 0, or -1 (no tracefs).
 */
static int hooked(const char *fn)
{
	static char buf[1 << 16];
	size_t n = strlen(fn);
	char *line;

	if (read_file(ENABLED_FUNCTIONS, buf, sizeof(buf)))
		return -1;
	for (line = buf; *line; line++) {
		if (!strncmp(line, fn, n) &&
		    (line[n] == ' ' || line[n] == '\t'))
			return 1;
		line = strchr(line, '\n');
		if (!line)
			break;
	}
	return 0;
}

/* Wait up to 10 s (the module disarms 2 s after the last seal went). */
static int hooked_settles(const char *fn, int want)
{
	int i, h = -1;

	for (i = 0; i < 100; i++) {
		h = hooked(fn);
		if (h == want || h < 0)
			break;
		usleep(100 * 1000);
	}
	return h;
}

static int seal_and_report(void *arg, char *msg, size_t msgsz)
{
	size_t ps = pgsz();
	char *p = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)arg;
	if (p == MAP_FAILED || seal(p, ps, 0))
		return snprintf(msg, msgsz, "cannot seal"), 1;
	if (hooked("mprotect_fixup") != 1)
		return snprintf(msg, msgsz, "not hooked while sealed"), 2;
	return 0;
}

TEST_F_TIMEOUT(life, hooks_armed_only_while_sealed, 60)
{
	char msg[256] = "";

	if (backend_is_syscall())
		SKIP(return, "the module's own hooks");
	if (kernel_enforces())
		SKIP(return, "native mseal: enforcement is the kernel's, no hook to arm");
	if (hooked("mprotect_fixup") < 0)
		SKIP(return, "no %s", ENABLED_FUNCTIONS);
	if (read_long("/sys/kernel/mseal/mms") != 0 ||
	    read_long("/sys/module/mseal/parameters/seal_system_mappings") != 0)
		SKIP(return, "something else holds a seal");
	EXPECT_EQ(0, hooked_settles("mprotect_fixup", 0))
		TH_LOG("hooks armed with nothing sealed");
	EXPECT_EQ(0, run_in_child(seal_and_report, NULL, msg, sizeof(msg)))
		TH_LOG("%s", msg);
	EXPECT_EQ(0, read_long("/sys/kernel/mseal/mms"));
	/* Disarming takes them out one after the other. */
	EXPECT_EQ(0, hooked_settles("mprotect_fixup", 0))
		TH_LOG("hooks still armed after the last sealed mm went");
	EXPECT_EQ(0, hooked_settles("do_mas_align_munmap", 0));
	EXPECT_EQ(0, hooked_settles("exit_mmap", 0));
	EXPECT_EQ(0, hooked_settles("_install_special_mapping", 0));
}

/* ---- another ftrace user on a hooked function ----------------------- */

#define TRACING "/sys/kernel/tracing"

/* Write @val to tracefs file @name, truncating it (set_ftrace_filter: reset). */
static int tracefs_set(const char *name, const char *val)
{
	char path[128];
	int fd, r = 0;

	snprintf(path, sizeof(path), TRACING "/%s", name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (*val && write(fd, val, strlen(val)) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* A sealed page refused, an unsealed one changed, the seal's contents kept. */
static int enforced(char *p, size_t ps, const char *when, char *msg,
		    size_t msgsz)
{
	if (xmprotect(p, ps, PROT_READ | PROT_WRITE) != -EPERM)
		return snprintf(msg, msgsz, "%s: mprotect of the seal not refused",
				when), 1;
	if (check_pattern(p, ps, 9) != -1)
		return snprintf(msg, msgsz, "%s: sealed contents changed", when), 2;
	if (xmprotect(p + ps, ps, PROT_READ) || xmprotect(p + ps, ps, PROT_READ | PROT_WRITE))
		return snprintf(msg, msgsz, "%s: mprotect next to the seal refused",
				when), 3;
	return 0;
}

static int seal_under_function_tracer(void *arg, char *msg, size_t msgsz)
{
	size_t ps = pgsz();
	char *p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r;

	(void)arg;
	if (p == MAP_FAILED)
		return snprintf(msg, msgsz, "mmap failed"), 10;
	fill_pattern(p, 2 * ps, 9);
	/* armed while the function tracer already traces the function */
	if (xmprotect(p, ps, PROT_READ) || seal(p, ps, 0))
		return snprintf(msg, msgsz, "cannot seal"), 11;
	r = enforced(p, ps, "armed under the tracer", msg, msgsz);
	if (r)
		return r;
	if (tracefs_set("current_tracer", "nop"))
		return snprintf(msg, msgsz, "cannot stop the tracer"), 12;
	r = enforced(p, ps, "tracer stopped", msg, msgsz);
	if (r)
		return r;
	/* and the tracer started again while the hooks are armed */
	if (tracefs_set("current_tracer", "function"))
		return snprintf(msg, msgsz, "cannot start the tracer again"), 13;
	return enforced(p, ps, "tracer restarted", msg, msgsz);
}

/*
 * The function tracer on mprotect_fixup(), the function the module hooks
 * (an ftrace direct call on x86_64 6.1 and 5.10, an ftrace_ops elsewhere):
 * sealing arms the hooks beside it, stopping and restarting it leaves them
 * in place, and every seal is enforced throughout.
 */
TEST_F_TIMEOUT(life, other_ftrace_user_on_hooked_function, 60)
{
	char msg[256] = "";
	int r;

	if (backend_is_syscall())
		SKIP(return, "the module's own hooks");
	if (kernel_enforces())
		SKIP(return, "native mseal: mprotect_fixup() is not hooked");
	if (tracefs_set("set_ftrace_filter", "mprotect_fixup"))
		SKIP(return, "no writable " TRACING "/set_ftrace_filter");
	if (tracefs_set("current_tracer", "function")) {
		tracefs_set("set_ftrace_filter", "");
		SKIP(return, "no function tracer");
	}
	r = run_in_child(seal_under_function_tracer, NULL, msg, sizeof(msg));
	tracefs_set("current_tracer", "nop");
	tracefs_set("set_ftrace_filter", "");
	EXPECT_EQ(0, r) TH_LOG("%s", msg);
}

#define CG_ROOT "/sys/fs/cgroup"

/* slab_unreclaimable of memory.stat in @cg, in bytes, or -errno. */
static long cg_slab(const char *cg)
{
	char path[256], line[256];
	long v = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", cg);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "slab_unreclaimable ", 19))
			v = strtol(line + 19, NULL, 10);
	fclose(f);
	return v;
}

/*
 * Child of table_memory_charged: joins the cgroup, maps, reports 'r';
 * on 's' seals MANY separate pages and reports 'k' (or 'e'); exits on
 * EOF.
 */
static void cg_child(const char *cg, int rep, int cmd)
{
	char path[256], c, k = 'e';
	char *p;
	int i;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	if (write_file(path, "0"))
		_exit(2);
	p = map_region(2 * MANY);
	if (!p)
		_exit(3);
	k = 'r';
	if (write(rep, &k, 1) != 1 || read(cmd, &c, 1) != 1)
		_exit(4);
	k = 'k';
	for (i = 0; i < MANY; i++)
		if (seal(p + 2 * (size_t)i * pgsz(), pgsz(), 0))
			k = 'e';
	if (write(rep, &k, 1) != 1)
		_exit(5);
	while (read(cmd, &c, 1) == 1)
		;
	_exit(0);
}

/*
 * SPEC 4.5, 4.2: the table's memory is charged to the sealing process's
 * memory cgroup (slab_unreclaimable grows by at least 32 bytes per range
 * for MANY separate ranges), and freed when the process exits.
 */
TEST_F_TIMEOUT(life, table_memory_charged_and_freed, 120)
{
	char cg[128], k = 0, go = 's';
	long s0, s1, s2 = -1;
	int c2p[2], p2c[2], status, tries;
	pid_t pid;

	if (backend_is_syscall())
		SKIP(return, "the module's own accounting");
	snprintf(cg, sizeof(cg), CG_ROOT "/mseal_lifecycle.%d", getpid());
	write_file(CG_ROOT "/cgroup.subtree_control", "+memory");
	if (mkdir(cg, 0755) && errno != EEXIST)
		SKIP(return, "cannot create a cgroup: %s", strerror(errno));
	if (cg_slab(cg) < 0) {
		rmdir(cg);
		SKIP(return, "no memory controller in %s", cg);
	}
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(c2p[0]);
		close(p2c[1]);
		cg_child(cg, c2p[1], p2c[0]);
	}
	close(c2p[1]);
	close(p2c[0]);
	ASSERT_EQ(1, read(c2p[0], &k, 1));
	ASSERT_EQ('r', k);
	s0 = cg_slab(cg);
	ASSERT_EQ(1, write(p2c[1], &go, 1));
	ASSERT_EQ(1, read(c2p[0], &k, 1));
	EXPECT_EQ('k', k) TH_LOG("child could not seal %d ranges", MANY);
	s1 = cg_slab(cg);
	close(p2c[1]);		/* the child exits */
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(c2p[0]);
	for (tries = 0; tries < 50; tries++) {
		s2 = cg_slab(cg);
		if (s1 - s2 >= (s1 - s0) * 3 / 4)
			break;
		usleep(20000);
	}
	ksft_print_msg("cgroup slab: %ld before, %ld with %d ranges, %ld "
		       "after exit\n", s0, s1, MANY, s2);
	EXPECT_LE((long)MANY * 32, s1 - s0)
		TH_LOG("%d ranges charged only %ld bytes to the cgroup", MANY,
		       s1 - s0);
	EXPECT_LE((s1 - s0) * 3 / 4, s1 - s2)
		TH_LOG("not freed at exit: %ld of %ld bytes", s1 - s2,
		       s1 - s0);
	rmdir(cg);
}

/* ---- 4.4 module pinned by a seal in another process ---------------- */

static int unload_module(void)
{
	return syscall(SYS_delete_module, "mseal", O_NONBLOCK) ? -errno : 0;
}

static void reload_module(void)
{
	const char *path = getenv("MSEAL_MODULE");
	int fd = open(path && *path ? path : "/mseal/mseal.ko",
		      O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		syscall(SYS_finit_module, fd, "", 0);
		close(fd);
	}
}

/*
 * The holder: a grandchild that inherited the seal of its (exited)
 * parent, the sealer; it does not have the device open.  Reports 'k'
 * when ready and again after each 'v' (verify), then exits on EOF.
 */
static void holder_main(char *p, int rep, int cmd)
{
	char c, k;

	k = xmunmap(p, pgsz()) == -EPERM &&
	    check_pattern(p, pgsz(), 6) == -1 ? 'k' : 'u';
	if (write(rep, &k, 1) != 1)
		_exit(1);
	while (read(cmd, &c, 1) == 1) {
		k = xmunmap(p, pgsz()) == -EPERM &&
		    check_pattern(p, pgsz(), 6) == -1 ? 'k' : 'u';
		if (write(rep, &k, 1) != 1)
			_exit(1);
	}
	_exit(0);
}

/*
 * SPEC 4.4: while a process other than the sealer (its child, holding
 * the inherited seal, no device fd) is alive, the module cannot be
 * unloaded; once it exits, the module's reference count drops by exactly
 * the one reference its sealed mm held.
 */
TEST_F_TIMEOUT(life, unload_refused_while_other_process_holds_seal, 60)
{
	int c2p[2], p2c[2], status, r;
	long ref_before, ref_held, ref_after = -1;
	char k = 0, v = 'v';
	pid_t sealer, holder;
	int tries;

	if (kernel_enforces())
		SKIP(return, "native mseal: the seal is the kernel's, and unloading the module leaves it in force");
	if (backend_is_syscall())
		SKIP(return, "module only");
	if (access("/sys/module/mseal", F_OK))
		SKIP(return, "module mseal not loaded");
	/* this process must not pin the module itself */
	mseal_dev_close();
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	ref_before = module_refcnt();
	ASSERT_LE(0, ref_before);
	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	fflush(stdout);
	fflush(stderr);
	sealer = fork();
	ASSERT_LE(0, sealer);
	if (sealer == 0) {
		char *p = map_region(1);

		close(c2p[0]);
		close(p2c[1]);
		if (!p)
			_exit(2);
		fill_pattern(p, pgsz(), 6);
		if (seal(p, pgsz(), 0))
			_exit(3);
		mseal_dev_close();
		if (fork() == 0)
			holder_main(p, c2p[1], p2c[0]);
		_exit(0);
	}
	close(c2p[1]);
	close(p2c[0]);
	ASSERT_EQ(sealer, waitpid(sealer, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("sealer failed: status %#x", status);
	ASSERT_EQ(1, read(c2p[0], &k, 1));
	ASSERT_EQ('k', k) TH_LOG("holder did not inherit the seal");
	ref_held = module_refcnt();

	r = unload_module();
	if (r == -EWOULDBLOCK || r == -EBUSY)
		TH_LOG("unload refused with %s (refcnt %ld, %ld before the "
		       "seal)", r == -EBUSY ? "EBUSY" : "EAGAIN/EWOULDBLOCK",
		       ref_held, ref_before);
	EXPECT_TRUE(r == -EWOULDBLOCK || r == -EBUSY)
		TH_LOG("delete_module: %d (%s)", r,
		       r ? strerror(-r) : "unloaded!");
	EXPECT_EQ(0, access("/sys/module/mseal", F_OK));
	if (r == 0)
		reload_module();	/* keep the later tests going */
	else {
		ASSERT_EQ(1, write(p2c[1], &v, 1));
		ASSERT_EQ(1, read(c2p[0], &k, 1));
		EXPECT_EQ('k', k) TH_LOG("seal not enforced after the refusal");
	}
	EXPECT_EQ(ref_before + 1, ref_held)
		TH_LOG("the holder's sealed mm does not hold the module");

	close(p2c[1]);		/* the holder exits */
	holder = waitpid(-1, &status, 0);
	EXPECT_LT(0, holder);
	close(c2p[0]);
	for (tries = 0; tries < 50; tries++) {
		ref_after = module_refcnt();
		if (ref_after == ref_before)
			break;
		usleep(20000);
	}
	EXPECT_EQ(ref_before, ref_after)
		TH_LOG("refcnt %ld after the holder exited, want %ld",
		       ref_after, ref_before);
}

TEST_HARNESS_MAIN
