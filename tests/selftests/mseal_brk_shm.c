// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_brk_shm - brk and shmdt over sealed memory (SPEC 3.6, 3.7, 3.11).
 *
 * brk: shrinking the heap over a sealed page must leave the break where it
 * was (brk(2) has no errno: it returns the unchanged old break) and the
 * heap mapped with its contents.  The break is moved with the raw system
 * call and read back with brk(0), since glibc's brk()/sbrk() cache it; the
 * heap is grown with sbrk() so that glibc's cached break and the kernel's
 * agree throughout (malloc relies on it).
 *
 * shmdt: detaching a sealed SysV segment leaves its sealed VMAs attached
 * and mapped and detaches the others (upstream behaviour: shmdt unmaps
 * one VMA at a time and ignores a failed unmap).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mseal_harness.h"

#define HEAP_PAGES 4

/* The kernel's current break. */
static uintptr_t kbrk(void)
{
	return (uintptr_t)syscall(SYS_brk, 0UL);
}

/* brk(2) itself: the break after the call. */
static uintptr_t raw_brk(uintptr_t addr)
{
	return (uintptr_t)syscall(SYS_brk, addr);
}

/*
 * HEAP_PAGES fresh heap pages [heap, heap + HEAP_PAGES pages) at the top
 * of the heap (the break is their end), patterned.
 */
FIXTURE(heap) {
	char *heap;
	size_t ps, len;
};

FIXTURE_SETUP(heap)
{
	uintptr_t cur, start;

	self->ps = pgsz();
	ASSERT_BACKEND();
	/* align the break to a page, then add the pages */
	cur = (uintptr_t)sbrk(0);
	ASSERT_NE((uintptr_t)-1, cur);
	start = (cur + self->ps - 1) & ~(uintptr_t)(self->ps - 1);
	self->len = HEAP_PAGES * self->ps;
	ASSERT_NE((void *)-1, sbrk((intptr_t)(start - cur + self->len)));
	ASSERT_EQ(start + self->len, kbrk());
	self->heap = (char *)start;
	fill_pattern(self->heap, self->len, 21);
}

FIXTURE_TEARDOWN(heap)
{
}

#define H(i) pg(self->heap, (i))

/*
 * SPEC 3.6: shrinking the break over a sealed heap page: brk returns the
 * old break, the break (kernel's and glibc's) is unchanged, the heap is
 * still mapped with its contents - the unsealed pages above the seal too.
 */
TEST_F(heap, brk_shrink_over_sealed_unchanged)
{
	uintptr_t old = (uintptr_t)H(HEAP_PAGES);
	struct region_state st;
	char why[4096];
	void *glibc_before = sbrk(0);

	ASSERT_EQ(0, seal(H(1), PS, 0));
	ASSERT_EQ(0, region_save(&st, self->heap, self->len));

	/* over the sealed page and everything above it */
	EXPECT_EQ(old, raw_brk((uintptr_t)H(1)));
	EXPECT_EQ(old, kbrk());
	EXPECT_EQ(0, region_compare(&st, why, sizeof(why))) TH_LOG("%s", why);
	/* below the sealed page: the whole heap extension */
	EXPECT_EQ(old, raw_brk((uintptr_t)H(0)));
	EXPECT_EQ(old, kbrk());
	EXPECT_EQ(0, region_compare(&st, why, sizeof(why))) TH_LOG("%s", why);
	/*
	 * not page aligned, inside the page below the seal: the new break
	 * rounds up to the sealed page, which would go
	 */
	EXPECT_EQ(old, raw_brk((uintptr_t)H(0) + 100));
	EXPECT_EQ(old, kbrk());
	EXPECT_EQ(0, region_compare(&st, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(glibc_before, sbrk(0));
	EXPECT_EQ(-1, check_pattern(self->heap, self->len, 21));
	EXPECT_EQ(1, page_sealed(H(1)));
	region_free(&st);
}

/* SPEC 3.6: the last heap page sealed, shrink by one page. */
TEST_F(heap, brk_shrink_top_page_sealed_unchanged)
{
	uintptr_t old = (uintptr_t)H(HEAP_PAGES);
	struct region_state st;
	char why[4096];

	ASSERT_EQ(0, seal(H(HEAP_PAGES - 1), PS, 0));
	ASSERT_EQ(0, region_save(&st, self->heap, self->len));
	EXPECT_EQ(old, raw_brk((uintptr_t)H(HEAP_PAGES - 1)));
	EXPECT_EQ(old, kbrk());
	EXPECT_EQ(0, region_compare(&st, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_TRUE(is_mapped(H(HEAP_PAGES - 1)));
	region_free(&st);
}

/*
 * Control: a shrink that stays above the sealed page works, and the heap
 * can grow again past a seal.
 */
TEST_F(heap, brk_shrink_above_seal_and_grow_ok)
{
	uintptr_t top = (uintptr_t)H(HEAP_PAGES);

	ASSERT_EQ(0, seal(H(0), PS, 0));
	EXPECT_EQ((uintptr_t)H(2), raw_brk((uintptr_t)H(2)));
	EXPECT_EQ((uintptr_t)H(2), kbrk());
	EXPECT_FALSE(is_mapped(H(2)));
	EXPECT_TRUE(is_mapped(H(1)));
	/* grow back to where glibc thinks the break is */
	EXPECT_EQ(top, raw_brk(top));
	EXPECT_EQ(top, kbrk());
	EXPECT_EQ(-1, check_pattern(self->heap, 2 * PS, 21));
	/* still refused below the sealed page */
	EXPECT_EQ(top, raw_brk((uintptr_t)H(0)));
	EXPECT_EQ(1, page_sealed(H(0)));
}

/* ---- shmdt --------------------------------------------------------- */

#define SHM_PAGES 3

FIXTURE(segment) {
	int id;
	char *p;
	size_t ps, len;
};

FIXTURE_SETUP(segment)
{
	self->ps = pgsz();
	self->id = -1;
	ASSERT_BACKEND();
	self->len = SHM_PAGES * self->ps;
	self->id = shmget(IPC_PRIVATE, self->len, IPC_CREAT | 0600);
	ASSERT_LE(0, self->id) TH_LOG("shmget: %s", strerror(errno));
	self->p = shmat(self->id, NULL, 0);
	ASSERT_NE((void *)-1, self->p) TH_LOG("shmat: %s", strerror(errno));
	fill_pattern(self->p, self->len, 22);
}

FIXTURE_TEARDOWN(segment)
{
	if (self->id >= 0)
		shmctl(self->id, IPC_RMID, NULL);
}

static int nattch(int id)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds))
		return -errno;
	return (int)ds.shm_nattch;
}

static void shmdt_sealed(struct __test_metadata *_metadata,
			 FIXTURE_DATA(segment) *self, char *sealed,
			 size_t sealed_len)
{
	struct region_state st;
	char why[4096];
	int r;

	ASSERT_EQ(1, nattch(self->id));
	ASSERT_EQ(0, seal(sealed, sealed_len, 0));
	ASSERT_EQ(0, region_save(&st, self->p, self->len));
	r = shmdt(self->p) ? -errno : 0;
	TH_LOG("shmdt(sealed segment) = %d (%s)", r, r ? strerror(-r) : "ok");
	EXPECT_EQ(0, region_compare(&st, why, sizeof(why))) TH_LOG("%s", why);
	EXPECT_EQ(-1, check_pattern(self->p, self->len, 22));
	EXPECT_EQ(1, nattch(self->id)) TH_LOG("segment detached");
	/* still shared memory of the segment: a new attach sees writes */
	{
		char *q = shmat(self->id, NULL, SHM_RDONLY);

		ASSERT_NE((void *)-1, q);
		EXPECT_EQ(-1, check_pattern(q, self->len, 22));
		/* the sealed attach is writable: write through it */
		pg(self->p, SHM_PAGES - 1)[0] ^= 0x5a;
		EXPECT_EQ(pg(self->p, SHM_PAGES - 1)[0],
			  pg(q, SHM_PAGES - 1)[0]);
		pg(self->p, SHM_PAGES - 1)[0] ^= 0x5a;
		EXPECT_EQ(0, shmdt(q));
	}
	region_free(&st);
}

/* SPEC 3.7: shmdt of a wholly sealed segment leaves it mapped. */
TEST_F(segment, shmdt_sealed_stays_mapped)
{
	shmdt_sealed(_metadata, self, self->p, self->len);
}

/*
 * SPEC 3.7: a sealed page has a VMA of its own, which stays; the unsealed
 * VMAs around it are detached, as upstream.
 */
TEST_F(segment, shmdt_partly_sealed_keeps_sealed_page)
{
	ASSERT_EQ(0, seal(pg(self->p, 1), self->ps, 0));
	EXPECT_EQ(0, shmdt(self->p) ? -errno : 0);
	EXPECT_FALSE(is_mapped(pg(self->p, 0)));
	EXPECT_TRUE(is_mapped(pg(self->p, 1)));
	EXPECT_EQ(1, page_sealed(pg(self->p, 1)));
	EXPECT_FALSE(is_mapped(pg(self->p, 2)));
	EXPECT_EQ(1, nattch(self->id));
}

/* Control: an unsealed segment detaches as usual. */
TEST_F(segment, shmdt_unsealed_detaches)
{
	ASSERT_EQ(1, nattch(self->id));
	EXPECT_EQ(0, shmdt(self->p));
	EXPECT_FALSE(is_mapped(self->p));
	EXPECT_EQ(0, nattch(self->id));
}

TEST_HARNESS_MAIN
