// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_mmap - mapping over sealed memory (SPEC 3.2, 3.11).
 *
 * mmap(MAP_FIXED) and shmat(SHM_REMAP) replace whatever they land on; over
 * any sealed byte they must fail with EPERM (the kernel's own unmap failure
 * inside mmap_region() would say ENOMEM), whether the new mapping covers
 * the sealed range exactly, is larger than it, or only overlaps one end of
 * it.  MAP_FIXED_NOREPLACE keeps its EEXIST.  Every refusal is checked
 * with EXPECT_REFUSED: exact errno, and the region (guard holes included)
 * keeps its mappings, protections and contents.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#include "mseal_harness.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef SHM_REMAP
#define SHM_REMAP 040000
#endif

#define NPAGES 6
#define RW (PROT_READ | PROT_WRITE)

/*
 * mmap(@addr, @len, @prot, @flags, @fd, 0): 0 if it mapped exactly at
 * @addr, -errno if it failed, -EXDEV if it mapped somewhere else (that
 * mapping is removed again).
 */
static int try_mmap(void *addr, size_t len, int prot, int flags, int fd)
{
	void *p = mmap(addr, len, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	if (p != addr) {
		munmap(p, len);
		return -EXDEV;
	}
	return 0;
}

static int fixed_anon(void *addr, size_t len, int prot)
{
	return try_mmap(addr, len, prot,
			MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1);
}

/* shmat(): 0 if attached exactly at @addr, else -errno (-EXDEV: elsewhere). */
static int try_shmat(int id, void *addr, int flg)
{
	void *p = shmat(id, addr, flg);

	if (p == (void *)-1)
		return -errno;
	if (p != addr) {
		shmdt(p);
		return -EXDEV;
	}
	return 0;
}

/*
 * NPAGES RW private anonymous pages, one VMA, patterned, framed by
 * unmapped guard pages.  lo/len cover guards and region: the snapshot
 * range for EXPECT_REFUSED.  A SysV segment of 2 pages for shmat, and a
 * 2-page file in /tmp, both patterned.
 */
FIXTURE(region) {
	char *base, *lo;
	size_t ps, len;
	int shmid, fd;
};

FIXTURE_SETUP(region)
{
	char path[] = "/tmp/mseal_mmap.XXXXXX";
	char *buf;

	self->ps = pgsz();
	self->shmid = -1;
	self->fd = -1;
	ASSERT_BACKEND();
	self->base = map_region(NPAGES);
	ASSERT_NE(NULL, self->base);
	fill_pattern(self->base, NPAGES * self->ps, 2);
	self->lo = self->base - self->ps;
	self->len = (NPAGES + 2) * self->ps;

	self->fd = mkstemp(path);
	ASSERT_LE(0, self->fd) TH_LOG("mkstemp: %s", strerror(errno));
	unlink(path);
	buf = malloc(2 * self->ps);
	ASSERT_NE(NULL, buf);
	fill_pattern(buf, 2 * self->ps, 31);
	ASSERT_EQ((ssize_t)(2 * self->ps), write(self->fd, buf, 2 * self->ps));
	free(buf);
}

FIXTURE_TEARDOWN(region)
{
	if (self->shmid >= 0)
		shmctl(self->shmid, IPC_RMID, NULL);
	if (self->fd >= 0)
		close(self->fd);
}


/* SPEC 3.2: exactly the sealed page, whatever the new protection. */
TEST_F(region, fixed_over_sealed_page_eperm)
{
	ASSERT_EQ(0, seal(P(2), PS, 0));
	REFUSED(-EPERM, fixed_anon(P(2), PS, RW));
	REFUSED(-EPERM, fixed_anon(P(2), PS, PROT_READ));
	REFUSED(-EPERM, fixed_anon(P(2), PS, PROT_NONE));
	/* one byte, rounded up to the sealed page */
	REFUSED(-EPERM, fixed_anon(P(2), 1, RW));
	/* shared anonymous and file-backed replacements alike */
	REFUSED(-EPERM, try_mmap(P(2), PS, RW,
				 MAP_FIXED | MAP_SHARED | MAP_ANONYMOUS, -1));
	REFUSED(-EPERM, try_mmap(P(2), PS, PROT_READ,
				 MAP_FIXED | MAP_PRIVATE, self->fd));
	REFUSED(-EPERM, try_mmap(P(2), PS, RW, MAP_FIXED | MAP_SHARED,
				 self->fd));
	/* the page is still sealed and its neighbours free */
	EXPECT_EQ(1, page_sealed(P(2)));
	EXPECT_EQ(0, page_sealed(P(1)));
	EXPECT_EQ(0, page_sealed(P(3)));
}

/* SPEC 3.2: a sealed PROT_NONE or read-only page cannot be replaced. */
TEST_F(region, fixed_over_sealed_prot_none_and_readonly_eperm)
{
	ASSERT_EQ(0, xmprotect(P(1), PS, PROT_NONE));
	ASSERT_EQ(0, xmprotect(P(3), PS, PROT_READ));
	ASSERT_EQ(0, seal(P(1), PS, 0));
	ASSERT_EQ(0, seal(P(3), PS, 0));
	REFUSED(-EPERM, fixed_anon(P(1), PS, RW));
	REFUSED(-EPERM, fixed_anon(P(3), PS, RW));
	REFUSED(-EPERM, fixed_anon(P(1), 3 * PS, RW));
}

/* SPEC 3.2: a MAP_FIXED mapping larger than the sealed range, covering it. */
TEST_F(region, fixed_larger_than_sealed_range_eperm)
{
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	REFUSED(-EPERM, fixed_anon(P(0), NPAGES * PS, RW));
	REFUSED(-EPERM, fixed_anon(P(1), 4 * PS, PROT_READ));
	/* from hole to hole: the guards on both sides too */
	REFUSED(-EPERM, fixed_anon(self->lo, self->len, RW));
	/* a file mapping larger than its file, over the whole region */
	REFUSED(-EPERM, try_mmap(P(0), NPAGES * PS, PROT_READ,
				 MAP_FIXED | MAP_PRIVATE, self->fd));
}

/*
 * SPEC 3.2: "growing" across the seal - a mapping that starts on unsealed
 * memory and reaches into the sealed range, or starts in it and reaches
 * past the end of the old mapping (into the guard hole).
 */
TEST_F(region, fixed_growing_across_seal_eperm)
{
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	/* [P1 unsealed][P2 sealed] */
	REFUSED(-EPERM, fixed_anon(P(1), 2 * PS, RW));
	/* [P3 sealed][P4][P5][guard]: larger than the rest of the mapping */
	REFUSED(-EPERM, fixed_anon(P(3), 4 * PS, RW));
	/* [guard][P0][P1][P2 sealed] */
	REFUSED(-EPERM, fixed_anon(self->lo, 4 * PS, RW));
	/* the whole old mapping plus one page: re-mapping it bigger */
	REFUSED(-EPERM, fixed_anon(P(0), (NPAGES + 1) * PS, RW));
}

/*
 * SPEC 3.2: "shrinking" across the seal - re-mapping the old mapping at a
 * smaller size whose end (or start) falls inside the sealed range.
 */
TEST_F(region, fixed_shrinking_across_seal_eperm)
{
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	REFUSED(-EPERM, fixed_anon(P(0), 3 * PS, RW));	/* ends in P2 */
	REFUSED(-EPERM, fixed_anon(P(3), 3 * PS, RW));	/* starts in P3 */
	REFUSED(-EPERM, fixed_anon(P(1), 2 * PS, PROT_READ));
	REFUSED(-EPERM, fixed_anon(P(3), PS, RW));	/* half of the seal */
}

/* SPEC 3.2: a sealed range spanning two VMAs (sealed in one call). */
TEST_F(region, fixed_over_sealed_two_vmas_eperm)
{
	struct maps_snap s;

	ASSERT_EQ(0, xmprotect(P(3), PS, PROT_READ));
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	ASSERT_EQ(0, maps_snapshot(P(2), 2 * PS, &s));
	ASSERT_EQ(2, s.n);	/* really two VMAs */
	REFUSED(-EPERM, fixed_anon(P(2), 2 * PS, RW));
	REFUSED(-EPERM, fixed_anon(P(2), PS, RW));
	REFUSED(-EPERM, fixed_anon(P(3), PS, RW));
	REFUSED(-EPERM, fixed_anon(P(1), 4 * PS, RW));
	REFUSED(-EPERM, fixed_anon(P(3), 3 * PS, PROT_READ));
}

/* SPEC 3.2: MAP_FIXED_NOREPLACE keeps its EEXIST over sealed memory. */
TEST_F(region, fixed_noreplace_over_sealed_eexist)
{
	int nr = MAP_FIXED_NOREPLACE | MAP_PRIVATE | MAP_ANONYMOUS;

	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	REFUSED(-EEXIST, try_mmap(P(2), PS, RW, nr, -1));
	REFUSED(-EEXIST, try_mmap(P(2), 2 * PS, RW, nr, -1));
	REFUSED(-EEXIST, try_mmap(P(1), 2 * PS, RW, nr, -1));
	REFUSED(-EEXIST, try_mmap(self->lo, self->len, RW, nr, -1));
	/* into a hole next to it, NOREPLACE works as usual */
	ASSERT_EQ(0, xmunmap(P(4), PS));
	EXPECT_EQ(0, try_mmap(P(4), PS, RW, nr, -1));
	EXPECT_EQ(1, page_sealed(P(3)));
	EXPECT_EQ(-1, check_pattern(self->base, 4 * PS, 2));
}

/* SPEC 3.2: shmat(SHM_REMAP) of a SysV segment over a sealed range. */
TEST_F(region, shmat_remap_over_sealed_eperm)
{
	self->shmid = shmget(IPC_PRIVATE, 2 * PS, IPC_CREAT | 0600);
	ASSERT_LE(0, self->shmid) TH_LOG("shmget: %s", strerror(errno));
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));

	REFUSED(-EPERM, try_shmat(self->shmid, P(2), SHM_REMAP));
	REFUSED(-EPERM, try_shmat(self->shmid, P(2), SHM_REMAP | SHM_RDONLY));
	/* partly over it, from either side */
	REFUSED(-EPERM, try_shmat(self->shmid, P(1), SHM_REMAP));
	REFUSED(-EPERM, try_shmat(self->shmid, P(3), SHM_REMAP));
	/* without SHM_REMAP the kernel's own EINVAL (any overlap) stays */
	REFUSED(-EINVAL, try_shmat(self->shmid, P(2), 0));

	/* control: SHM_REMAP over the unsealed end of the region works */
	ASSERT_EQ(0, try_shmat(self->shmid, P(4), SHM_REMAP));
	EXPECT_EQ(0, shmdt(P(4)));
	EXPECT_FALSE(is_mapped(P(4)));
	EXPECT_EQ(-1, check_pattern(self->base, 4 * PS, 2));
	EXPECT_EQ(1, page_sealed(P(2)));
}

/* MAP_FIXED right next to (not over) a seal works on both sides. */
TEST_F(region, fixed_next_to_seal_ok)
{
	char copy[65536];
	int i;

	ASSERT_GE(sizeof(copy), 2 * PS);
	memcpy(copy, P(2), 2 * PS);
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));

	EXPECT_EQ(0, fixed_anon(P(1), PS, RW));
	EXPECT_EQ(0, fixed_anon(P(4), PS, PROT_READ));
	/* into the guard holes and across the rest of the region */
	EXPECT_EQ(0, fixed_anon(self->lo, 2 * PS, RW));
	EXPECT_EQ(0, fixed_anon(P(4), 3 * PS, RW));
	EXPECT_EQ(0, try_mmap(P(1), PS, PROT_READ, MAP_FIXED | MAP_PRIVATE,
			      self->fd));
	/* the new mappings are fresh: zero-filled anonymous memory */
	for (i = 0; i < (int)PS; i++)
		if (P(0)[i] || P(4)[i] || P(5)[i] || P(6)[i])
			break;
	EXPECT_EQ((int)PS, i) TH_LOG("replaced page not zero at byte %d", i);
	EXPECT_EQ(-1, check_pattern(P(1), PS, 31)) TH_LOG("file not mapped");
	/* the sealed pages are untouched and still sealed */
	EXPECT_EQ(0, memcmp(copy, P(2), 2 * PS));
	EXPECT_EQ(1, page_sealed(P(2)));
	EXPECT_EQ(1, page_sealed(P(3)));
	REFUSED(-EPERM, fixed_anon(P(2), PS, RW));
}

/* A hint (no MAP_FIXED) at a sealed address is just moved elsewhere. */
TEST_F(region, hint_over_sealed_maps_elsewhere)
{
	void *q;

	ASSERT_EQ(0, seal(P(2), PS, 0));
	q = mmap(P(2), PS, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_NE((void *)P(2), q);
	EXPECT_EQ(0, xmunmap(q, PS));
	EXPECT_EQ(-1, check_pattern(self->base, NPAGES * PS, 2));
}

TEST_HARNESS_MAIN
