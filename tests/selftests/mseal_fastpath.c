// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_fastpath - the edges of the request fast path (SPEC 3.4, 3.5,
 * 3.7, 3.8, 3.11).
 *
 * In a process that holds a seal, the per-VMA hooks of mprotect() and
 * madvise(MADV_DONTNEED) allow a call at once when the VMA is unsealed
 * and the range the user passed lies wholly inside it (hooks/request.h,
 * and on x86_64 with direct calls arch/x86_64/direct.S).  Each test here
 * puts a range just inside or just outside that condition: inside one
 * unsealed VMA up to its very boundaries (allowed), one page or one byte
 * (rounded up to a page) into a sealed neighbour, in either order
 * (refused, nothing changed), into a hole, and PROT_GROWSDOWN next to a
 * seal.  A fast path that allowed too much makes a refusal here succeed.
 *
 * Layout of the region (one VMA of NPAGES pages before sealing, framed by
 * unmapped guard pages): page 4 is sealed, read-only, so that a discard
 * is refused there too (SPEC 3.5); pages 0-3 and 5-7 stay two unsealed
 * VMAs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mseal_harness.h"

#define NPAGES 8
#define SEALED 4
#define RW (PROT_READ | PROT_WRITE)

GUARDED_REGION_FIXTURE(region, NPAGES, 5);

static int xmadvise(void *addr, size_t len, int advice)
{
	return madvise(addr, len, advice) ? -errno : 0;
}

/* Page @i reads zeroes: it was discarded. */
static bool zeroed(const char *p, size_t ps)
{
	size_t i;

	for (i = 0; i < ps; i++)
		if (p[i])
			return false;
	return true;
}

/* Seal page SEALED, read-only: [0-3 rw][4 r-- sealed][5-7 rw]. */
static void seal_middle(struct __test_metadata *_metadata, char *base,
			size_t ps)
{
	ASSERT_EQ(0, xmprotect(pg(base, SEALED), ps, PROT_READ));
	ASSERT_EQ(0, seal(pg(base, SEALED), ps, 0));
	ASSERT_EQ(1, page_sealed(pg(base, SEALED)));
}

#define SEAL_MIDDLE() seal_middle(_metadata, self->base, PS)

/* (a) Inside one unsealed VMA, up to both its boundaries: allowed. */
TEST_F(region, mprotect_inside_unsealed_vma)
{
	SEAL_MIDDLE();
	EXPECT_EQ(0, xmprotect(P(1), PS, PROT_READ));
	EXPECT_STREQ("r--p", perms_str(P(1)));
	/* the whole VMA before the seal: end == vm_end */
	EXPECT_EQ(0, xmprotect(P(0), SEALED * PS, PROT_READ));
	EXPECT_STREQ("r--p", perms_str(P(3)));
	/* a length that rounds up to exactly vm_end */
	EXPECT_EQ(0, xmprotect(P(2), 2 * PS - 1, RW));
	EXPECT_STREQ("rw-p", perms_str(P(3)));
	/* the VMA after the seal: start == vm_start */
	EXPECT_EQ(0, xmprotect(P(SEALED + 1), 3 * PS, PROT_READ));
	EXPECT_STREQ("r--p", perms_str(P(7)));
	EXPECT_EQ(pkey_want(0),
		  xpkey_mprotect(P(SEALED + 1), PS, PROT_NONE, -1));
	EXPECT_STREQ("r--p", perms_str(P(SEALED)));
	EXPECT_EQ(-1, check_pattern(P(0), SEALED * PS, 5));
}

TEST_F(region, madvise_inside_unsealed_vma)
{
	static char sealed[65536];

	ASSERT_GE(sizeof(sealed), PS);
	SEAL_MIDDLE();
	memcpy(sealed, P(SEALED), PS);
	EXPECT_EQ(0, xmadvise(P(1), PS, MADV_DONTNEED));
	EXPECT_TRUE(zeroed(P(1), PS));
	EXPECT_EQ(0, xmadvise(P(2), 2 * PS - 1, MADV_DONTNEED));
	EXPECT_TRUE(zeroed(P(3), PS));
	EXPECT_EQ(0, xmadvise(P(SEALED + 1), 3 * PS, MADV_DONTNEED));
	EXPECT_TRUE(zeroed(P(7), PS));
	/* read-only unsealed: still allowed (only a seal protects it) */
	ASSERT_EQ(0, xmprotect(P(0), PS, PROT_READ));
	EXPECT_EQ(0, xmadvise(P(0), PS, MADV_DONTNEED));
	EXPECT_TRUE(zeroed(P(0), PS));
	EXPECT_EQ(0, memcmp(sealed, P(SEALED), PS));
}

/* (b) [unsealed][sealed]: the range leaves the first VMA at its end. */
TEST_F(region, mprotect_unsealed_into_sealed)
{
	SKIP_IF_KERNEL_ENFORCES_3_8();
	SEAL_MIDDLE();
	REFUSED(-EPERM, xmprotect(P(3), 2 * PS, PROT_NONE));
	REFUSED(-EPERM, xmprotect(P(0), NPAGES * PS, PROT_NONE));
	/* one byte past vm_end is a page of the seal */
	REFUSED(-EPERM, xmprotect(P(2), 2 * PS + 1, PROT_NONE));
	REFUSED(-EPERM, xmprotect(P(3), PS + 1, RW));
	REFUSED(pkey_want(-EPERM), xpkey_mprotect(P(3), PS + 1, PROT_NONE, -1));
	EXPECT_STREQ("rw-p", perms_str(P(3)));
	EXPECT_STREQ("r--p", perms_str(P(SEALED)));
}

/* (b) [sealed][unsealed], starting in the seal. */
TEST_F(region, mprotect_sealed_into_unsealed)
{
	SEAL_MIDDLE();
	REFUSED(-EPERM, xmprotect(P(SEALED), 2 * PS, PROT_NONE));
	REFUSED(pkey_want(-EPERM),
		xpkey_mprotect(P(SEALED), 4 * PS, PROT_NONE, -1));
	EXPECT_STREQ("rw-p", perms_str(P(SEALED + 1)));
}

TEST_F(region, madvise_unsealed_into_sealed)
{
	SKIP_IF_KERNEL_ENFORCES_3_8();
	SEAL_MIDDLE();
	REFUSED(-EPERM, xmadvise(P(3), 2 * PS, MADV_DONTNEED));
	REFUSED(-EPERM, xmadvise(P(2), 2 * PS + 1, MADV_DONTNEED));
	REFUSED(-EPERM, xmadvise(P(0), NPAGES * PS, MADV_DONTNEED));
	EXPECT_EQ(-1, check_pattern(P(0), NPAGES * PS, 5));
}

TEST_F(region, madvise_sealed_into_unsealed)
{
	SKIP_IF_KERNEL_ENFORCES_3_8();
	SEAL_MIDDLE();
	REFUSED(-EPERM, xmadvise(P(SEALED), 2 * PS, MADV_DONTNEED));
	REFUSED(-EPERM, xmadvise(P(SEALED), 4 * PS, MADV_DONTNEED));
	EXPECT_EQ(-1, check_pattern(P(0), NPAGES * PS, 5));
}

/*
 * (c) From an unsealed VMA into a hole: the kernel's own ENOMEM, after
 * changing what lies before the hole, as without the module; with a seal
 * beyond the hole, EPERM and nothing changed.
 */
TEST_F(region, mprotect_unsealed_into_hole)
{
	SEAL_MIDDLE();
	ASSERT_EQ(0, xmunmap(P(3), PS));
	EXPECT_EQ(-ENOMEM, xmprotect(P(1), 3 * PS, PROT_READ));
	EXPECT_STREQ("r--p", perms_str(P(2)));
	EXPECT_FALSE(is_mapped(P(3)));
}

TEST_F(region, mprotect_unsealed_hole_sealed)
{
	SKIP_IF_KERNEL_ENFORCES_3_8();
	SEAL_MIDDLE();
	ASSERT_EQ(0, xmunmap(P(3), PS));
	REFUSED(-EPERM, xmprotect(P(1), 4 * PS, PROT_NONE));
	REFUSED(-EPERM, xmprotect(P(2), 2 * PS + 1, PROT_NONE));
	EXPECT_STREQ("rw-p", perms_str(P(2)));
}

TEST_F(region, madvise_unsealed_into_hole)
{
	SEAL_MIDDLE();
	ASSERT_EQ(0, xmunmap(P(3), PS));
	/* madvise skips a hole, discards the rest, then says ENOMEM */
	EXPECT_EQ(-ENOMEM, xmadvise(P(1), 3 * PS, MADV_DONTNEED));
	EXPECT_TRUE(zeroed(P(2), PS));
}

TEST_F(region, madvise_unsealed_hole_sealed)
{
	SKIP_IF_KERNEL_ENFORCES_3_8();
	SEAL_MIDDLE();
	ASSERT_EQ(0, xmunmap(P(3), PS));
	REFUSED(-EPERM, xmadvise(P(1), 4 * PS, MADV_DONTNEED));
	REFUSED(-EPERM, xmadvise(P(2), 2 * PS + 1, MADV_DONTNEED));
	EXPECT_EQ(-1, check_pattern(P(0), 3 * PS, 5));
}

/*
 * (d) PROT_GROWSDOWN: the kernel extends the range down to the start of
 * the VMA the address is in, never across a seal's boundary.  Pages
 * [0 sealed][1-5 growsdown]: from page 3 it changes pages 1-3 and
 * succeeds; from the sealed page it is refused.
 */
TEST_F(region, growsdown_next_to_seal)
{
	size_t ps = PS;
	char *base;

	base = mmap(NULL, 6 * ps, RW,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
	ASSERT_TRUE(base != MAP_FAILED);
	fill_pattern(base, 6 * ps, 9);
	ASSERT_EQ(0, seal(base, ps, 0));
	EXPECT_EQ(0, xmprotect(pg(base, 3), ps, PROT_READ | PROT_GROWSDOWN));
	EXPECT_STREQ("r--p", perms_str(pg(base, 1)));
	EXPECT_STREQ("r--p", perms_str(pg(base, 3)));
	EXPECT_STREQ("rw-p", perms_str(pg(base, 4)));
	EXPECT_STREQ("rw-p", perms_str(base));
	EXPECT_REFUSED(-EPERM, xmprotect(base, ps, PROT_READ | PROT_GROWSDOWN),
		       base, 6 * ps);
	EXPECT_REFUSED(-EPERM, xmprotect(base, 2 * ps, PROT_READ),
		       base, 6 * ps);
	EXPECT_STREQ("rw-p", perms_str(base));
	EXPECT_EQ(-1, check_pattern(base, 6 * ps, 9));
	munmap(pg(base, 1), 5 * ps);
}

TEST_HARNESS_MAIN
