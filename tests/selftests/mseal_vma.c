// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_vma - the seal is a property of the VMA, as upstream's (SPEC 2.12,
 * 3.3, 3.5, 3.7, 3.12).
 *
 * Layout: sealing splits VMAs at the range's boundaries and merges equal
 * neighbours, and refused operations leave the layout as it was; each
 * case compares /proc/self/maps (VMA boundaries, protections, and which
 * VMAs are sealed) with what a kernel with native mseal(2) shows.  The same
 * binary runs natively on a kernel that has mseal(2)
 * (MSEAL_TEST_BACKEND=syscall), which checks the expectations themselves
 * against upstream.
 *
 * Bypasses that must stay closed: a second mapping of sealed shared memory
 * made by mremap(old_len 0); discarding sealed read-only private /dev/zero
 * memory (anonymous although it has a file); a same-size mremap().
 *
 * No cross-process wait: a discarding madvise parked in userfaultfd does
 * not keep another process, nor a thread of its own process, from sealing
 * and discarding (a wait would hang the test until the harness's timeout
 * fails it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mseal_harness.h"

#define NPAGES 4
#define RW (PROT_READ | PROT_WRITE)

/*
 * The VMAs of [base, base + npages pages) as "s-e perms S|..." with page
 * indexes relative to @base and S (sealed) or - for each VMA.
 */
static const char *layout(void *base, long npages, char *buf, size_t sz)
{
	struct maps_snap s;
	size_t off = 0;
	int i;

	buf[0] = '\0';
	if (maps_snapshot(base, npages * pgsz(), &s))
		return "(maps unreadable)";
	for (i = 0; i < s.n && off < sz; i++) {
		uint64_t b = (uint64_t)(uintptr_t)base;
		long from = ((int64_t)s.l[i].start - (int64_t)b) / (long)pgsz();
		long to = ((int64_t)s.l[i].end - (int64_t)b) / (long)pgsz();
		int sealed = page_sealed((void *)(uintptr_t)s.l[i].start);

		off += snprintf(buf + off, sz - off, "%s%ld-%ld %s %c",
				i ? "|" : "", from, to, s.l[i].perms,
				sealed == 1 ? 'S' : sealed == 0 ? '-' : '?');
	}
	return buf;
}

#define EXPECT_LAYOUT(want) do {					\
	char __buf[512];						\
									\
	EXPECT_STREQ((want), layout(self->base, NPAGES, __buf,		\
				    sizeof(__buf)));			\
} while (0)

GUARDED_REGION_FIXTURE(vma, NPAGES, 31);

TEST_F(vma, layout_head)
{
	ASSERT_EQ(0, seal(P(0), PS, 0));
	EXPECT_LAYOUT("0-1 rw-p S|1-4 rw-p -");
}

TEST_F(vma, layout_middle)
{
	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	EXPECT_LAYOUT("0-1 rw-p -|1-3 rw-p S|3-4 rw-p -");
}

TEST_F(vma, layout_tail)
{
	ASSERT_EQ(0, seal(P(3), PS, 0));
	EXPECT_LAYOUT("0-3 rw-p -|3-4 rw-p S");
}

TEST_F(vma, layout_across_two_vmas)
{
	ASSERT_EQ(0, xmprotect(P(2), 2 * PS, PROT_READ));
	EXPECT_LAYOUT("0-2 rw-p -|2-4 r--p -");
	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	EXPECT_LAYOUT("0-1 rw-p -|1-2 rw-p S|2-3 r--p S|3-4 r--p -");
}

TEST_F(vma, layout_adjacent_seals_merge)
{
	ASSERT_EQ(0, seal(P(0), PS, 0));
	ASSERT_EQ(0, seal(P(1), PS, 0));
	EXPECT_LAYOUT("0-2 rw-p S|2-4 rw-p -");
	ASSERT_EQ(0, seal(P(3), PS, 0));
	ASSERT_EQ(0, seal(P(2), PS, 0));
	EXPECT_LAYOUT("0-4 rw-p S");
}

TEST_F(vma, layout_merge_and_split)
{
	ASSERT_EQ(0, seal(P(1), PS, 0));
	ASSERT_EQ(0, seal(P(2), PS, 0));
	EXPECT_LAYOUT("0-1 rw-p -|1-3 rw-p S|3-4 rw-p -");
	ASSERT_EQ(0, seal(P(0), 4 * PS, 0));
	EXPECT_LAYOUT("0-4 rw-p S");
}

TEST_F(vma, layout_resealing_changes_nothing)
{
	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	ASSERT_EQ(0, seal(P(1), PS, 0));
	ASSERT_EQ(0, seal(P(2), PS, 0));
	EXPECT_LAYOUT("0-1 rw-p -|1-3 rw-p S|3-4 rw-p -");
}

/*
 * A refused operation over a sealed VMA and an unsealed one.  Upstream
 * (6.11 and later) changes the unsealed part before it meets the seal:
 * mprotect() re-protects it, munmap() splits it.  The contract is
 * stricter (SPEC 3.8, 3.11): nothing changes, not even a VMA boundary.
 * Natively the test expects upstream's layout, which is what it is
 * measured against.
 */
#define REFUSED_LAYOUT(call, module_want, upstream_want) do {		\
	if (kernel_enforces()) {					\
		EXPECT_EQ(-EPERM, (call));				\
		EXPECT_LAYOUT(upstream_want);				\
	} else {							\
		REFUSED(-EPERM, (call));				\
		EXPECT_LAYOUT(module_want);				\
	}								\
} while (0)

TEST_F(vma, layout_partial_mprotect_of_tail_refused)
{
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	REFUSED_LAYOUT(xmprotect(P(1), 3 * PS, PROT_READ),
		       "0-2 rw-p -|2-4 rw-p S",
		       "0-1 rw-p -|1-2 r--p -|2-4 rw-p S");
}

TEST_F(vma, layout_mprotect_next_to_seal)
{
	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	ASSERT_EQ(0, xmprotect(P(0), PS, PROT_READ));
	ASSERT_EQ(0, xmprotect(P(3), PS, PROT_READ));
	EXPECT_LAYOUT("0-1 r--p -|1-3 rw-p S|3-4 r--p -");
}

TEST_F(vma, layout_munmap_across_vmas_refused)
{
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	REFUSED_LAYOUT(xmunmap(P(1), 2 * PS),
		       "0-2 rw-p -|2-4 rw-p S",
		       "0-1 rw-p -|1-2 rw-p -|2-4 rw-p S");
}

TEST_F(vma, layout_munmap_with_freed_middle_refused)
{
	ASSERT_EQ(0, xmunmap(P(1), PS));
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	REFUSED(-EPERM, xmunmap(P(0), 4 * PS));
	EXPECT_LAYOUT("0-1 rw-p -|2-4 rw-p S");
}

TEST_F(vma, layout_seal_over_hole_refused)
{
	ASSERT_EQ(0, xmunmap(P(2), PS));
	REFUSED(-ENOMEM, seal(P(0), 4 * PS, 0));
	EXPECT_LAYOUT("0-2 rw-p -|3-4 rw-p -");
}

/* SPEC 3.7: PROT_GROWSDOWN stops at the seal's VMA boundary. */
TEST_F(vma, growsdown_stops_at_seal)
{
	size_t ps = pgsz();
	char buf[512];
	char *base;

	ASSERT_BACKEND();
	base = mmap(NULL, NPAGES * ps, RW,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
	ASSERT_TRUE(base != MAP_FAILED);
	ASSERT_EQ(0, seal(base, ps, 0));
	EXPECT_EQ(0, xmprotect(pg(base, 2), ps, PROT_READ | PROT_GROWSDOWN));
	EXPECT_STREQ("0-1 rw-p S|1-3 r--p -|3-4 rw-p -",
		     layout(base, NPAGES, buf, sizeof(buf)));
}

/* SPEC 3.7: shmdt keeps the sealed VMAs and detaches the others. */
TEST_F(vma, shmdt_detaches_unsealed_part)
{
	size_t ps = pgsz();
	char buf[512];
	int id, r;
	char *p;

	ASSERT_BACKEND();
	id = shmget(IPC_PRIVATE, NPAGES * ps, IPC_CREAT | 0600);
	ASSERT_LE(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_TRUE(p != (void *)-1);
	shmctl(id, IPC_RMID, NULL);
	fill_pattern(p, NPAGES * ps, 7);
	ASSERT_EQ(0, seal(p, 2 * ps, 0));
	r = shmdt(p) ? -errno : 0;
	EXPECT_EQ(0, r);
	EXPECT_STREQ("0-2 rw-s S", layout(p, NPAGES, buf, sizeof(buf)));
	EXPECT_EQ(-1, check_pattern(p, 2 * ps, 7));
	EXPECT_FALSE(is_mapped(pg(p, 2)));
	EXPECT_FALSE(is_mapped(pg(p, 3)));
}

/* ---- no second mapping of sealed memory ----------------------------- */

static long count_inode(unsigned long inode)
{
	char line[512];
	long n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long ino = 0;

		if (sscanf(line, "%*s %*s %*s %*s %lu", &ino) == 1 &&
		    ino == inode)
			n++;
	}
	fclose(f);
	return n;
}

static void *xmremap_alias(void *p, size_t new_len)
{
	return (void *)syscall(SYS_mremap, p, 0UL, new_len,
			       (long)MREMAP_MAYMOVE, 0L);
}

TEST_F(vma, alias_of_sealed_shared_memfd_refused)
{
	size_t ps = pgsz();
	struct region_state st;
	char why[4096];
	struct stat sb;
	void *alias;
	char *p;
	int fd;

	ASSERT_BACKEND();
	fd = memfd_create("mseal_vma", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, ps));
	ASSERT_EQ(0, fstat(fd, &sb));
	p = mmap(NULL, ps, RW, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	fill_pattern(p, ps, 3);
	ASSERT_EQ(0, xmprotect(p, ps, PROT_READ));
	ASSERT_EQ(0, seal(p, ps, 0));
	ASSERT_EQ(1, count_inode(sb.st_ino));
	ASSERT_EQ(0, region_save(&st, p - ps, 3 * ps));
	alias = xmremap_alias(p, ps);
	EXPECT_TRUE(alias == MAP_FAILED);
	EXPECT_EQ(EPERM, errno);
	if (alias != MAP_FAILED) {
		/* The bypass: a writable alias changes the sealed page. */
		if (!mprotect(alias, ps, RW))
			((char *)alias)[0] ^= 1;
	}
	EXPECT_EQ(1, count_inode(sb.st_ino));
	EXPECT_EQ(0, region_compare(&st, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(-1, check_pattern(p, ps, 3));
	region_free(&st);
	close(fd);
}

TEST_F(vma, alias_of_sealed_sysv_shm_refused)
{
	size_t ps = pgsz();
	struct region_state st;
	char why[4096];
	void *alias;
	char *p;
	int id;

	ASSERT_BACKEND();
	id = shmget(IPC_PRIVATE, ps, IPC_CREAT | 0600);
	ASSERT_LE(0, id);
	p = shmat(id, NULL, 0);
	ASSERT_TRUE(p != (void *)-1);
	shmctl(id, IPC_RMID, NULL);
	fill_pattern(p, ps, 4);
	ASSERT_EQ(0, xmprotect(p, ps, PROT_READ));
	ASSERT_EQ(0, seal(p, ps, 0));
	ASSERT_EQ(0, region_save(&st, p - ps, 3 * ps));
	alias = xmremap_alias(p, ps);
	EXPECT_TRUE(alias == MAP_FAILED);
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(0, region_compare(&st, why, sizeof(why))) TH_LOG("%s", why);
	region_free(&st);
}

/* ---- same-size mremap ------------------------------------------------ */

TEST_F(vma, mremap_same_size_refused)
{
	ASSERT_EQ(0, seal(P(0), 2 * PS, 0));
	REFUSED(-EPERM, syscall(SYS_mremap, P(0), 2 * PS, 2 * PS, 0L, 0L) ==
			-1 ? -errno : 0);
	REFUSED(-EPERM, syscall(SYS_mremap, P(0), 2 * PS, 2 * PS,
				(long)MREMAP_MAYMOVE, 0L) == -1 ? -errno : 0);
	/* A sealed head with an unmapped tail: nothing to unmap, still EPERM. */
	ASSERT_EQ(0, xmunmap(P(3), PS));
	REFUSED(-EPERM, syscall(SYS_mremap, P(1), 3 * PS, PS, 0L, 0L) == -1 ?
			-errno : 0);
}

/* ---- private /dev/zero is anonymous memory --------------------------- */

TEST_F(vma, devzero_private_ro_discard_refused)
{
	static const int advice[] = { MADV_DONTNEED, MADV_FREE };
	size_t ps = pgsz();
	struct region_state st;
	char why[4096];
	unsigned int i;
	char *p;
	int fd;

	ASSERT_BACKEND();
	if (kernel_enforces() && kernel_older_than(6, 17))
		SKIP(return, "native mseal of this kernel decides anonymity by vm_file; vma_is_anonymous() (SPEC 3.5) is upstream's from 6.17");
	fd = open("/dev/zero", O_RDWR);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 2 * ps, RW, MAP_PRIVATE, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	close(fd);
	fill_pattern(p, 2 * ps, 5);
	ASSERT_EQ(0, xmprotect(p, 2 * ps, PROT_READ));
	ASSERT_EQ(0, seal(p, 2 * ps, 0));
	for (i = 0; i < sizeof(advice) / sizeof(advice[0]); i++) {
		int r;

		ASSERT_EQ(0, region_save(&st, p, 2 * ps));
		r = madvise(p, 2 * ps, advice[i]) ? -errno : 0;
		EXPECT_EQ(-EPERM, r) TH_LOG("advice %d", advice[i]);
		EXPECT_EQ(0, region_compare(&st, why, sizeof(why)))
			TH_LOG("%s", why);
		region_free(&st);
	}
	EXPECT_EQ(-1, check_pattern(p, 2 * ps, 5));
}

/* ---- a discard parked in userfaultfd makes nobody else wait ---------- */

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

struct parked {
	char *addr;
	size_t len;
	atomic_int done;
	int ret;
};

static void *park_dontneed(void *arg)
{
	struct parked *pk = arg;

	pk->ret = madvise(pk->addr, pk->len, MADV_DONTNEED) ? -errno : 0;
	atomic_store(&pk->done, 1);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Seal a fresh page and discard another: 0, or what went wrong. */
static int seal_and_discard(void *arg, char *msg, size_t msgsz)
{
	size_t ps = pgsz();
	char *a = mmap(NULL, 2 * ps, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)arg;
	if (a == MAP_FAILED)
		return snprintf(msg, msgsz, "mmap"), 1;
	a[0] = a[ps] = 1;
	if (seal(a, ps, 0))
		return snprintf(msg, msgsz, "seal failed"), 2;
	if (madvise(a + ps, ps, MADV_DONTNEED) || a[ps])
		return snprintf(msg, msgsz, "discard failed"), 3;
	return 0;
}

TEST_F(vma, parked_uffd_discard_blocks_nobody)
{
	struct uffdio_api api = { .api = UFFD_API,
				  .features = UFFD_FEATURE_EVENT_REMOVE };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	size_t ps = pgsz();
	struct parked pk = { .len = 2 * ps };
	struct uffd_msg m;
	pthread_t t;
	char msg[256] = "";
	double t0;
	int uffd, r;
	char *own;

	ASSERT_BACKEND();
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (uffd < 0 && errno == EINVAL)	/* before 5.11: no such flag */
		uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	pk.addr = mmap(NULL, pk.len, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(pk.addr != MAP_FAILED);
	pk.addr[0] = 1;
	reg.range.start = (unsigned long)pk.addr;
	reg.range.len = pk.len;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	/* Something of this process is sealed: its madvise is checked. */
	own = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(own != MAP_FAILED);
	ASSERT_EQ(0, seal(own, ps, 0));

	ASSERT_EQ(0, pthread_create(&t, NULL, park_dontneed, &pk));
	usleep(300 * 1000);
	ASSERT_EQ(0, atomic_load(&pk.done)) TH_LOG("the discard did not park");

	/* The monitor thread itself seals while its event is pending. */
	t0 = now();
	EXPECT_EQ(0, seal_and_discard(NULL, msg, sizeof(msg))) TH_LOG("%s", msg);
	/* So does an unrelated process. */
	r = run_in_child(seal_and_discard, NULL, msg, sizeof(msg));
	EXPECT_EQ(0, r) TH_LOG("child: %s", msg);
	TH_LOG("sealed and discarded beside the parked discard in %.2f s",
	       now() - t0);
	EXPECT_EQ(0, atomic_load(&pk.done));

	/* Release the parked discard: it completes. */
	ASSERT_EQ((ssize_t)sizeof(m), read(uffd, &m, sizeof(m)));
	EXPECT_EQ(UFFD_EVENT_REMOVE, m.event);
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, pk.ret);
	close(uffd);
}

TEST_HARNESS_MAIN
