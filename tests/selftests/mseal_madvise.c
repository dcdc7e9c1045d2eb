// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_madvise - discarding advice on sealed memory (SPEC 3.5, 3.8,
 * 3.11).
 *
 * A discarding advice (MADV_FREE, MADV_DONTNEED, MADV_DONTNEED_LOCKED,
 * MADV_REMOVE, MADV_DONTFORK, MADV_WIPEONFORK) on sealed private anonymous
 * memory that cannot be written (no VM_WRITE, or write-disabled by a
 * protection key) fails with EPERM and changes nothing; on writable,
 * shared or file-backed sealed memory it does exactly what it does on the
 * same unsealed memory, and so does every other advice.  Expected results
 * are never hard-coded: each case is run on an identical unsealed mapping
 * first and the sealed one must give the same result and end in the same
 * state (contents, and what a forked child sees).
 *
 * Also: a madvise over [unsealed writable][sealed read-only] changes
 * nothing at all (3.8); process_madvise(2) and io_uring's
 * IORING_OP_MADVISE go through the same check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/io_uring.h>

#include "mseal_harness.h"

#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_process_madvise
#define __NR_process_madvise 440
#endif
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
#endif

#define NP 4
#define RW (PROT_READ | PROT_WRITE)

struct advice {
	int advice;
	const char *name;
};
#define ADV(a) { a, #a }

static const struct advice discarding[] = {
	ADV(MADV_FREE), ADV(MADV_DONTNEED), ADV(MADV_DONTNEED_LOCKED),
	ADV(MADV_REMOVE), ADV(MADV_DONTFORK), ADV(MADV_WIPEONFORK),
};

static const struct advice non_discarding[] = {
	ADV(MADV_NORMAL), ADV(MADV_RANDOM), ADV(MADV_SEQUENTIAL),
	ADV(MADV_WILLNEED), ADV(MADV_COLD), ADV(MADV_PAGEOUT),
	ADV(MADV_DODUMP), ADV(MADV_DONTDUMP), ADV(MADV_HUGEPAGE),
	ADV(MADV_NOHUGEPAGE), ADV(MADV_DOFORK), ADV(MADV_KEEPONFORK),
	ADV(MADV_MERGEABLE), ADV(MADV_UNMERGEABLE), ADV(MADV_POPULATE_READ),
	ADV(MADV_POPULATE_WRITE), ADV(MADV_COLLAPSE),
};


static int xmadvise(void *addr, size_t len, int advice)
{
	return madvise(addr, len, advice) ? -errno : 0;
}

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (c[i])
			return false;
	return true;
}

/* ---- the matrix: one variant per kind of memory ------------------- */

FIXTURE(kind) {
	size_t ps;
};

FIXTURE_VARIANT(kind) {
	int prot;	/* final protection */
	int flags;	/* MAP_PRIVATE or MAP_SHARED */
	bool file;	/* backed by a file in /tmp, else anonymous */
	bool refuse;	/* discarding advice must fail with EPERM */
};

FIXTURE_VARIANT_ADD(kind, anon_private_ro) {
	.prot = PROT_READ, .flags = MAP_PRIVATE, .refuse = true,
};

FIXTURE_VARIANT_ADD(kind, anon_private_prot_none) {
	.prot = PROT_NONE, .flags = MAP_PRIVATE, .refuse = true,
};

FIXTURE_VARIANT_ADD(kind, anon_private_rw) {
	.prot = RW, .flags = MAP_PRIVATE,
};

FIXTURE_VARIANT_ADD(kind, anon_shared_rw) {
	.prot = RW, .flags = MAP_SHARED,
};

FIXTURE_VARIANT_ADD(kind, anon_shared_ro) {
	.prot = PROT_READ, .flags = MAP_SHARED,
};

FIXTURE_VARIANT_ADD(kind, file_private_ro) {
	.prot = PROT_READ, .flags = MAP_PRIVATE, .file = true,
};

FIXTURE_VARIANT_ADD(kind, file_shared_rw) {
	.prot = RW, .flags = MAP_SHARED, .file = true,
};

FIXTURE_SETUP(kind)
{
	self->ps = pgsz();
	ASSERT_BACKEND();
}

FIXTURE_TEARDOWN(kind)
{
}

/*
 * A fresh NP-page mapping of the variant's kind, between unmapped guard
 * pages, holding pattern @seed (written before the final protection is
 * applied; a file's own contents).  NULL on failure.
 */
static char *new_map(const FIXTURE_VARIANT(kind) *v, unsigned int seed)
{
	size_t ps = pgsz(), len = NP * ps;
	char *p = map_region(NP);
	void *q;

	if (!p)
		return NULL;
	if (v->file) {
		char path[] = "/tmp/mseal_madvise.XXXXXX";
		int fd = mkstemp(path);
		char *buf = malloc(len);
		bool ok;

		if (fd < 0 || !buf)
			return NULL;
		unlink(path);
		fill_pattern(buf, len, seed);
		ok = write(fd, buf, len) == (ssize_t)len;
		free(buf);
		q = ok ? mmap(p, len, v->prot, v->flags | MAP_FIXED, fd, 0)
		       : MAP_FAILED;
		close(fd);
		return q == p ? p : NULL;
	}
	if (v->flags & MAP_SHARED) {
		q = mmap(p, len, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
			 -1, 0);
		if (q != p)
			return NULL;
	}
	fill_pattern(p, len, seed);
	if (mprotect(p, len, v->prot))
		return NULL;
	return p;
}

struct pair_arg {
	char *a, *b;
	size_t len;
	bool readable;
	bool b_intact;		/* b must still hold pattern @seed */
	unsigned int seed;
};

/*
 * In a forked child (DONTFORK, WIPEONFORK show there): a and b must be
 * in the same state - both mapped or both not, same contents - and, when
 * asked, b must still hold its pattern.
 */
static int child_compare_pair(void *arg, char *msg, size_t msgsz)
{
	struct pair_arg *pa = arg;
	bool ma = is_mapped(pa->a), mb = is_mapped(pa->b);

	if (pa->b_intact && !mb) {
		snprintf(msg, msgsz, "b not inherited by the child");
		return 1;
	}
	if (pa->b_intact && pa->readable &&
	    check_pattern(pa->b, pa->len, pa->seed) != -1) {
		snprintf(msg, msgsz, "b's contents changed in the child");
		return 2;
	}
	if (pa->b_intact)
		return 0;
	if (ma != mb) {
		snprintf(msg, msgsz, "child: a %s mapped, b %s mapped",
			 ma ? "is" : "not", mb ? "is" : "not");
		return 3;
	}
	if (ma && pa->readable && memcmp(pa->a, pa->b, pa->len)) {
		snprintf(msg, msgsz, "child: a and b contents differ");
		return 4;
	}
	return 0;
}

/*
 * Does this kernel know @advice at all?  An advice newer than the kernel
 * (MADV_DONTNEED_LOCKED before 5.18) fails with EINVAL before any VMA is
 * looked at, sealed or not, as upstream's mseal checks after the advice.
 * Tried on private and on shared anonymous memory, since some advice
 * takes only one of them.
 */
static bool advice_known(int advice)
{
	static const int kinds[] = { MAP_PRIVATE, MAP_SHARED };
	size_t ps = pgsz();
	unsigned int i;
	bool known = false;

	for (i = 0; i < 2 && !known; i++) {
		char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE,
			       kinds[i] | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			continue;
		known = xmadvise(p, ps, advice) != -EINVAL;
		munmap(p, ps);
	}
	return known;
}

static void run_pair(struct __test_metadata *_metadata,
		     const FIXTURE_VARIANT(kind) *variant,
		     const struct advice *adv, bool expect_refusal,
		     unsigned int seed)
{
	size_t ps = pgsz(), len = NP * ps;
	bool readable = variant->prot & PROT_READ;
	struct pair_arg pa;
	char *a, *b, msg[1024];
	int ra, rb;

	a = new_map(variant, seed);
	b = new_map(variant, seed);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, seal(b, len, 0));

	ra = xmadvise(a, len, adv->advice);
	if (expect_refusal && !advice_known(adv->advice)) {
		EXPECT_REFUSED(-EINVAL, xmadvise(b, len, adv->advice),
			       b - ps, len + 2 * ps);
		TH_LOG("%s: not known to this kernel (EINVAL)", adv->name);
		if (readable)
			EXPECT_EQ(-1, check_pattern(b, len, seed));
	} else if (expect_refusal) {
		EXPECT_REFUSED(-EPERM, xmadvise(b, len, adv->advice),
			       b - ps, len + 2 * ps);
		TH_LOG("%s: unsealed %d, sealed refused", adv->name, ra);
		if (readable)
			EXPECT_EQ(-1, check_pattern(b, len, seed))
				TH_LOG("%s changed sealed contents",
				       adv->name);
	} else {
		rb = xmadvise(b, len, adv->advice);
		EXPECT_EQ(ra, rb) TH_LOG("%s: unsealed %d (%s), sealed %d (%s)",
					 adv->name, ra,
					 ra ? strerror(-ra) : "ok", rb,
					 rb ? strerror(-rb) : "ok");
		if (readable)
			EXPECT_EQ(0, memcmp(a, b, len))
				TH_LOG("%s: sealed and unsealed contents "
				       "differ afterwards", adv->name);
	}
	pa = (struct pair_arg){ a, b, len, readable, expect_refusal, seed };
	EXPECT_EQ(0, run_in_child(child_compare_pair, &pa, msg, sizeof(msg)))
		TH_LOG("%s: %s", adv->name, msg);
	/* b stays: it is sealed */
	munmap(a, len);
}

/*
 * SPEC 3.5, 3.11: every discarding advice, on every kind of memory:
 * EPERM and nothing changed on read-only private anonymous memory, the
 * plain kernel's result and effect everywhere else.
 */
TEST_F(kind, discarding_advice)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(discarding); i++)
		run_pair(_metadata, variant, &discarding[i], variant->refuse,
			 100 + (unsigned int)i);
}

/* SPEC 3.5: every non-discarding advice behaves as on unsealed memory. */
TEST_F(kind, non_discarding_advice)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(non_discarding); i++)
		run_pair(_metadata, variant, &non_discarding[i], false,
			 200 + (unsigned int)i);
}

/* ---- single cases on one region ----------------------------------- */

/*
 * NPAGES RW private anonymous pages, patterned, between guard holes;
 * lo/len include the guards.
 */
#define NPAGES 6

GUARDED_REGION_FIXTURE(region, NPAGES, 3);

/*
 * SPEC 3.8: madvise(DONTNEED) over [writable unsealed VMA][sealed
 * read-only VMA] changes nothing at all - the first VMA keeps its
 * contents - and the same the other way round.
 */
TEST_F(region, mixed_range_all_or_nothing)
{
	SKIP_IF_KERNEL_ENFORCES_3_8();
	ASSERT_EQ(0, xmprotect(P(2), 2 * PS, PROT_READ));
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	REFUSED(-EPERM, xmadvise(P(0), 4 * PS, MADV_DONTNEED));
	REFUSED(-EPERM, xmadvise(P(0), NPAGES * PS, MADV_DONTNEED));
	REFUSED(-EPERM, xmadvise(P(1), 2 * PS, MADV_FREE));
	/* [sealed RO][unsealed RW] */
	REFUSED(-EPERM, xmadvise(P(3), 3 * PS, MADV_DONTNEED));
	REFUSED(-EPERM, xmadvise(P(3), 3 * PS, MADV_WIPEONFORK));
	REFUSED(-EPERM, xmadvise(P(0), NPAGES * PS, MADV_DONTFORK));
	EXPECT_EQ(-1, check_pattern(self->base, NPAGES * PS, 3));
	/* control: the writable VMA alone is discarded */
	EXPECT_EQ(0, xmadvise(P(0), 2 * PS, MADV_DONTNEED));
	EXPECT_TRUE(all_zero(P(0), 2 * PS));
}

/*
 * SPEC 3.5: only the sealed part matters.  An unsealed read-only page
 * next to a sealed one can be discarded; a range reaching one byte into
 * the sealed page cannot; sealed writable memory next to it can.
 */
TEST_F(region, partly_sealed_readonly)
{
	static char copy[3 * 65536];

	SKIP_IF_KERNEL_ENFORCES_3_8();
	ASSERT_GE(sizeof(copy), 3 * PS);
	memcpy(copy, P(1), 3 * PS);
	ASSERT_EQ(0, xmprotect(P(0), 3 * PS, PROT_READ));
	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));	/* P1 RO, P2 RO */
	ASSERT_EQ(0, seal(P(3), PS, 0));	/* P3 RW */
	REFUSED(-EPERM, xmadvise(P(0), PS + 1, MADV_DONTNEED));
	REFUSED(-EPERM, xmadvise(P(2), 1, MADV_DONTNEED));
	REFUSED(-EPERM, xmadvise(P(2), 2 * PS, MADV_DONTNEED));
	/* holes in the advised range do not change the answer */
	REFUSED(-EPERM, xmadvise(self->lo, 3 * PS, MADV_DONTNEED));
	EXPECT_EQ(0, xmadvise(P(0), PS, MADV_DONTNEED));
	EXPECT_TRUE(all_zero(P(0), PS));
	EXPECT_EQ(0, xmadvise(P(3), PS, MADV_DONTNEED));
	EXPECT_TRUE(all_zero(P(3), PS));
	/* the sealed read-only pages kept their contents */
	EXPECT_EQ(0, memcmp(copy, P(1), 2 * PS));
}

/* ---- process_madvise(2) -------------------------------------------- */

static int pidfd_open(pid_t pid)
{
	long r = syscall(__NR_pidfd_open, pid, 0);

	return r < 0 ? -errno : (int)r;
}

/* process_madvise over one iovec: bytes advised, or -errno. */
static long xprocess_madvise(int pidfd, void *addr, size_t len, int advice)
{
	struct iovec iov = { .iov_base = addr, .iov_len = len };
	long r = syscall(__NR_process_madvise, pidfd, &iov, 1UL, advice, 0U);

	return r < 0 ? -errno : r;
}

/* Does process_madvise() take MADV_WILLNEED here (unsealed memory)? */
static bool process_willneed_known(int pidfd)
{
	size_t ps = pgsz();
	char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool known;

	if (p == MAP_FAILED)
		return true;
	known = xprocess_madvise(pidfd, p, ps, MADV_WILLNEED) != -EINVAL;
	munmap(p, ps);
	return known;
}

/*
 * SPEC 3.5 through process_madvise(2) on the caller itself.  On 6.1
 * process_madvise only accepts MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED (and
 * MADV_COLLAPSE), none of them discarding, so it can never discard: a
 * discarding advice is EINVAL with or without a seal before 6.13 (the
 * kernel's answer before any seal check) and EPERM on sealed read-only
 * memory since, and MADV_PAGEOUT/COLD on sealed read-only memory are
 * allowed and keep the contents.
 */
TEST_F(region, process_madvise_self)
{
	size_t len = 2 * PS;
	int pidfd;
	long r;

	ASSERT_EQ(0, xmprotect(P(0), NPAGES * PS, PROT_READ));
	ASSERT_EQ(0, seal(P(0), len, 0));
	pidfd = pidfd_open(getpid());
	if (pidfd == -ENOSYS)
		SKIP(return, "no pidfd_open");
	ASSERT_LE(0, pidfd) TH_LOG("pidfd_open: %s", strerror(-pidfd));
	r = xprocess_madvise(pidfd, P(4), len, MADV_PAGEOUT);
	if (r == -ENOSYS)
		SKIP(return, "no process_madvise");

	/*
	 * Discarding: before 6.13 process_madvise() takes no discarding
	 * advice (EINVAL, sealed or not); since, it does on the caller itself,
	 * and then sealed read-only memory refuses it (EPERM).
	 */
	{
		char *scratch = mmap(NULL, PS, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int want;

		ASSERT_NE(MAP_FAILED, scratch);
		r = xprocess_madvise(pidfd, scratch, PS, MADV_DONTNEED);
		munmap(scratch, PS);
		want = r == -EINVAL ? -EINVAL : -EPERM;
		TH_LOG("discarding process_madvise on itself: %s",
		       want == -EINVAL ? "not taken (EINVAL)" : "taken");
		REFUSED(want, (int)xprocess_madvise(pidfd, P(0), len,
						    MADV_DONTNEED));
		REFUSED(want, (int)xprocess_madvise(pidfd, P(0), len,
						    MADV_FREE));
		if (want == -EINVAL)
			REFUSED(-EINVAL, (int)xprocess_madvise(pidfd, P(2), len,
							       MADV_DONTNEED));
	}
	/* allowed advice on sealed read-only memory */
	EXPECT_EQ((long)len, xprocess_madvise(pidfd, P(0), len, MADV_PAGEOUT));
	EXPECT_EQ((long)len, xprocess_madvise(pidfd, P(0), len, MADV_COLD));
	/* process_madvise() takes MADV_WILLNEED from 5.12 (EINVAL before) */
	EXPECT_EQ(process_willneed_known(pidfd) ? (long)len : -EINVAL,
		  xprocess_madvise(pidfd, P(0), len, MADV_WILLNEED));
	EXPECT_EQ(-1, check_pattern(self->base, NPAGES * PS, 3));
	EXPECT_EQ(1, page_sealed(P(0)));
	close(pidfd);
}

/*
 * The same through a pidfd of another process (a child that sealed its
 * own read-only memory): PAGEOUT allowed, DONTNEED EINVAL, the child's
 * memory intact and still sealed.
 */
TEST_F(region, process_madvise_child)
{
	int c2p[2], p2c[2], pidfd, status;
	char *addr = NULL, ok = 0, go = 'v';
	pid_t pid;
	long r;

	ASSERT_EQ(0, pipe(c2p));
	ASSERT_EQ(0, pipe(p2c));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *p = map_region(2), c, rep = 'k';

		if (!p || mprotect(p, 2 * pgsz(), PROT_READ) ||
		    seal(p, 2 * pgsz(), 0))
			p = NULL;
		if (write(c2p[1], &p, sizeof(p)) != sizeof(p))
			_exit(1);
		if (read(p2c[0], &c, 1) != 1)
			_exit(2);
		if (xmunmap(p, pgsz()) != -EPERM)
			rep = 'u';
		else if (!all_zero(p, 2 * pgsz()))
			rep = 'd';	/* was never written: zero */
		if (write(c2p[1], &rep, 1) != 1)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ((ssize_t)sizeof(addr), read(c2p[0], &addr, sizeof(addr)));
	ASSERT_NE(NULL, addr) TH_LOG("child could not seal");
	pidfd = pidfd_open(pid);
	ASSERT_LE(0, pidfd) TH_LOG("pidfd_open: %s", strerror(-pidfd));
	r = xprocess_madvise(pidfd, addr, 2 * PS, MADV_PAGEOUT);
	if (r == -ENOSYS) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		SKIP(return, "no process_madvise");
	}
	EXPECT_EQ((long)(2 * PS), r) TH_LOG("PAGEOUT: %ld", r);
	EXPECT_EQ(-EINVAL, xprocess_madvise(pidfd, addr, 2 * PS,
					    MADV_DONTNEED));
	EXPECT_EQ((long)(2 * PS), xprocess_madvise(pidfd, addr, 2 * PS,
						   MADV_COLD));
	ASSERT_EQ(1, write(p2c[1], &go, 1));
	ASSERT_EQ(1, read(c2p[0], &ok, 1));
	EXPECT_EQ('k', ok) TH_LOG("child: seal lost (u) or data changed (d)");
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(pidfd);
}

/* ---- io_uring IORING_OP_MADVISE ----------------------------------- */

struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

/* 0 or -errno. No liburing: the raw setup of a 4-entry ring. */
static int ring_init(struct ring *r)
{
	struct io_uring_params p;
	size_t sq_sz, cq_sz;
	char *sq, *cq;
	void *sqes;

	memset(&p, 0, sizeof(p));
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;
	sq_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sq_sz = cq_sz = sq_sz > cq_sz ? sq_sz : cq_sz;
	sq = mmap(NULL, sq_sz, RW, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		return -errno;
	if (p.features & IORING_FEAT_SINGLE_MMAP) {
		cq = sq;
	} else {
		cq = mmap(NULL, cq_sz, RW, MAP_SHARED | MAP_POPULATE, r->fd,
			  IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			return -errno;
	}
	sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), RW,
		    MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sqes == MAP_FAILED)
		return -errno;
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	r->sqes = sqes;
	return 0;
}

/*
 * Submit one IORING_OP_MADVISE and wait for it: 0 with the completion's
 * res in *res, or -errno of io_uring_enter itself.
 */
static int ring_madvise(struct ring *r, void *addr, size_t len, int advice,
			int *res)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	long ret;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_MADVISE;
	sqe->addr = (unsigned long)addr;
	sqe->len = (unsigned int)len;
	sqe->fadvise_advice = (unsigned int)advice;
	sqe->user_data = 0x6d7365616cULL;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	ret = syscall(__NR_io_uring_enter, r->fd, 1, 1,
		      IORING_ENTER_GETEVENTS, NULL, 0);
	if (ret < 0)
		return -errno;
	head = __atomic_load_n(r->cq_head, __ATOMIC_ACQUIRE);
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;		/* no completion: should not happen */
	*res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * SPEC 3.5 through io_uring: IORING_OP_MADVISE(DONTNEED) on sealed
 * read-only memory completes with -EPERM and changes nothing; the same on
 * unsealed read-only memory discards it (so the op does reach madvise).
 */
TEST_F(region, io_uring_madvise)
{
	struct ring r;
	int rc, res = 0;

	rc = ring_init(&r);
	if (rc == -ENOSYS || rc == -EPERM)
		SKIP(return, "io_uring unavailable: %s", strerror(-rc));
	ASSERT_EQ(0, rc) TH_LOG("io_uring setup: %s", strerror(-rc));
	ASSERT_EQ(0, xmprotect(P(0), NPAGES * PS, PROT_READ));
	ASSERT_EQ(0, seal(P(0), 2 * PS, 0));

	/* control first: unsealed RO pages P4..P5 */
	ASSERT_EQ(0, ring_madvise(&r, P(4), 2 * PS, MADV_DONTNEED, &res));
	if (res == -EINVAL || res == -EOPNOTSUPP)
		SKIP(return, "IORING_OP_MADVISE not supported: %d", res);
	EXPECT_EQ(0, res);
	EXPECT_TRUE(all_zero(P(4), 2 * PS));

	res = 1;
	EXPECT_REFUSED(0, ring_madvise(&r, P(0), 2 * PS, MADV_DONTNEED,
				       &res), P(0), 4 * PS);
	EXPECT_EQ(-EPERM, res);
	res = 1;
	EXPECT_REFUSED(0, ring_madvise(&r, P(1), 2 * PS, MADV_FREE, &res),
		       P(0), 4 * PS);
	EXPECT_EQ(-EPERM, res);
	res = 1;
	EXPECT_REFUSED(0, ring_madvise(&r, P(0), PS, MADV_WIPEONFORK, &res),
		       P(0), 4 * PS);
	EXPECT_EQ(-EPERM, res);
	/* a non-discarding advice goes through */
	res = 1;
	EXPECT_EQ(0, ring_madvise(&r, P(0), 2 * PS, MADV_WILLNEED, &res));
	EXPECT_EQ(0, res);
	EXPECT_EQ(-1, check_pattern(self->base, 4 * PS, 3));
	close(r.fd);
}

/* ---- protection keys ----------------------------------------------- */

/*
 * SPEC 3.5: writable by its protections but write-disabled by its
 * protection key counts as read-only: DONTNEED on such sealed memory is
 * EPERM (and works on the same memory unsealed).  Once the key allows
 * writing again, the sealed memory is writable and may be discarded.
 */
TEST_F(region, pkey_write_disabled)
{
	size_t len = 2 * PS;
	int pkey;

	pkey = pkey_alloc(0, PKEY_DISABLE_WRITE);
	if (pkey < 0 && (errno == ENOSPC || errno == EINVAL ||
			 errno == ENOSYS))
		SKIP(return, "no protection keys here: %s", strerror(errno));
	ASSERT_LE(0, pkey) TH_LOG("pkey_alloc: %s", strerror(errno));
	ASSERT_EQ(0, xpkey_mprotect(P(0), NPAGES * PS, RW, pkey));
	ASSERT_EQ(0, seal(P(0), len, 0));

	REFUSED(-EPERM, xmadvise(P(0), len, MADV_DONTNEED));
	REFUSED(-EPERM, xmadvise(P(1), PS, MADV_FREE));
	REFUSED(-EPERM, xmadvise(P(0), NPAGES * PS, MADV_DONTNEED));
	EXPECT_EQ(-1, check_pattern(self->base, NPAGES * PS, 3));
	/* control: the same key on unsealed pages */
	EXPECT_EQ(0, xmadvise(P(4), len, MADV_DONTNEED));
	EXPECT_TRUE(all_zero(P(4), len));

	/* allow writes through the key: now it is writable memory */
	ASSERT_EQ(0, pkey_set(pkey, 0));
	EXPECT_EQ(0, xmadvise(P(0), len, MADV_DONTNEED));
	EXPECT_TRUE(all_zero(P(0), len));
	EXPECT_EQ(1, page_sealed(P(0)));
}

TEST_HARNESS_MAIN
