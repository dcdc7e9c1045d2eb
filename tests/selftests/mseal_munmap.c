// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_munmap - munmap of sealed memory (SPEC 3.1, 3.11, 4.1).
 *
 * Every refusal is checked with EXPECT_REFUSED: exact errno, and the
 * region (guard holes included) keeps its mappings, protections and
 * contents, the unsealed parts too (munmap is all or nothing).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mseal_harness.h"

#define NPAGES 6

/*
 * NPAGES RW private anonymous pages, one VMA, patterned, framed by
 * unmapped guard pages.  lo/len cover guards and region: the snapshot
 * range for EXPECT_REFUSED.
 */
GUARDED_REGION_FIXTURE(region, NPAGES, 2);

/* SPEC 3.1: exactly the sealed range. */
TEST_F(region, munmap_sealed_range_eperm)
{
	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	REFUSED(-EPERM, xmunmap(P(1), 2 * PS));
	REFUSED(-EPERM, xmunmap(P(1), PS));
	REFUSED(-EPERM, xmunmap(P(2), PS));
}

/* SPEC 3.1: a single byte (rounded to its page) of a sealed page. */
TEST_F(region, munmap_one_byte_of_sealed_eperm)
{
	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	REFUSED(-EPERM, xmunmap(P(1), 1));
	REFUSED(-EPERM, xmunmap(P(2), 1));
	REFUSED(-EPERM, xmunmap(P(0), PS + 1));
}

/* SPEC 3.1: [unsealed][sealed] -> EPERM, the unsealed page stays too. */
TEST_F(region, munmap_unsealed_then_sealed_atomic)
{
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	REFUSED(-EPERM, xmunmap(P(0), 3 * PS));
	REFUSED(-EPERM, xmunmap(P(1), 2 * PS));
}

/* SPEC 3.1: [sealed][unsealed] -> EPERM, the unsealed page stays too. */
TEST_F(region, munmap_sealed_then_unsealed_atomic)
{
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	REFUSED(-EPERM, xmunmap(P(3), 3 * PS));
	REFUSED(-EPERM, xmunmap(P(2), 4 * PS));
}

/* SPEC 3.1: a munmap range with the sealed part in its middle. */
TEST_F(region, munmap_range_containing_sealed_middle)
{
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	REFUSED(-EPERM, xmunmap(P(0), NPAGES * PS));
	REFUSED(-EPERM, xmunmap(P(1), 4 * PS));
	/* guards included: starts and ends in unmapped space */
	REFUSED(-EPERM, xmunmap(self->lo, self->len));
}

/* SPEC 3.1: holes in the munmap range do not change the answer. */
TEST_F(region, munmap_range_with_holes_and_sealed)
{
	ASSERT_EQ(0, xmunmap(P(0), PS));	/* hole before */
	ASSERT_EQ(0, xmunmap(P(4), PS));	/* hole after */
	ASSERT_EQ(0, seal(P(2), PS, 0));
	REFUSED(-EPERM, xmunmap(P(0), NPAGES * PS));
	REFUSED(-EPERM, xmunmap(self->lo, 4 * PS));	/* hole, hole, 1, 2 */
	REFUSED(-EPERM, xmunmap(P(2), 4 * PS));	/* 2, 3, hole, 5 */
	EXPECT_TRUE(is_mapped(P(1)));
	EXPECT_TRUE(is_mapped(P(3)));
	EXPECT_TRUE(is_mapped(P(5)));
}

/*
 * SPEC 3.1: a sealed range spanning two VMAs (different protections,
 * sealed in one call): each VMA and both together are refused.
 */
TEST_F(region, munmap_sealed_across_two_vmas)
{
	ASSERT_EQ(0, xmprotect(P(2), PS, PROT_READ));
	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	REFUSED(-EPERM, xmunmap(P(1), PS));
	REFUSED(-EPERM, xmunmap(P(2), PS));
	REFUSED(-EPERM, xmunmap(P(1), 2 * PS));
	REFUSED(-EPERM, xmunmap(P(0), NPAGES * PS));
	/* neighbours of the two sealed VMAs are free */
	EXPECT_EQ(0, xmunmap(P(0), PS));
	EXPECT_EQ(0, xmunmap(P(3), PS));
	EXPECT_TRUE(is_mapped(P(1)));
	EXPECT_TRUE(is_mapped(P(2)));
}

/* SPEC 3.1: a range spanning two separate mappings, only one sealed. */
TEST_F(region, munmap_two_mappings_one_sealed)
{
	char *other = map_region(2);

	ASSERT_NE(NULL, other);
	fill_pattern(other, 2 * PS, 5);
	ASSERT_EQ(0, seal(P(NPAGES - 1), PS, 0));
	/* whichever comes first in the address space */
	if (other < self->base) {
		EXPECT_REFUSED(-EPERM,
			       xmunmap(other, P(NPAGES) - other),
			       other - PS, P(NPAGES + 1) - (other - PS));
	} else {
		EXPECT_REFUSED(-EPERM,
			       xmunmap(P(NPAGES - 1),
				       other + 2 * PS - P(NPAGES - 1)),
			       self->lo, other + 3 * PS - self->lo);
	}
	EXPECT_EQ(-1, check_pattern(other, 2 * PS, 5));
	EXPECT_EQ(0, xmunmap(other, 2 * PS));
}

/* Unsealed neighbours of a sealed page can be unmapped. */
TEST_F(region, unsealed_neighbours_unmap_ok)
{
	char copy[65536];

	ASSERT_GE(sizeof(copy), PS);
	memcpy(copy, P(2), PS);
	ASSERT_EQ(0, seal(P(2), PS, 0));
	EXPECT_EQ(0, xmunmap(P(1), PS));
	EXPECT_EQ(0, xmunmap(P(3), PS));
	EXPECT_EQ(0, xmunmap(P(0), PS));
	EXPECT_EQ(0, xmunmap(P(4), 2 * PS));
	EXPECT_FALSE(is_mapped(P(1)));
	EXPECT_FALSE(is_mapped(P(3)));
	EXPECT_TRUE(is_mapped(P(2)));
	EXPECT_EQ(0, memcmp(copy, P(2), PS));
	/* and the survivor is still sealed */
	EXPECT_EQ(-EPERM, xmunmap(P(2), PS));
}

/* A PROT_NONE or read-only sealed mapping cannot be unmapped either. */
TEST_F(region, munmap_sealed_prot_none_and_readonly)
{
	ASSERT_EQ(0, xmprotect(P(1), PS, PROT_NONE));
	ASSERT_EQ(0, xmprotect(P(3), PS, PROT_READ));
	ASSERT_EQ(0, seal(P(1), PS, 0));
	ASSERT_EQ(0, seal(P(3), PS, 0));
	REFUSED(-EPERM, xmunmap(P(1), PS));
	REFUSED(-EPERM, xmunmap(P(3), PS));
	REFUSED(-EPERM, xmunmap(P(0), 2 * PS));
}

/* Shared anonymous memory sealed: munmap refused, contents kept. */
TEST_F(region, munmap_sealed_shared_anon)
{
	char *sh = mmap(NULL, 3 * PS, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, sh);
	fill_pattern(sh, 3 * PS, 8);
	ASSERT_EQ(0, seal(sh + PS, PS, 0));
	EXPECT_REFUSED(-EPERM, xmunmap(sh, 3 * PS), sh, 3 * PS);
	EXPECT_REFUSED(-EPERM, xmunmap(sh + PS, PS), sh, 3 * PS);
	EXPECT_EQ(-1, check_pattern(sh, 3 * PS, 8));
}

/* A failed seal (ENOMEM) leaves everything unmappable as before. */
TEST_F(region, munmap_after_failed_seal_ok)
{
	ASSERT_EQ(0, xmunmap(P(3), PS));
	ASSERT_EQ(-ENOMEM, seal(P(0), NPAGES * PS, 0));
	EXPECT_EQ(0, xmunmap(P(0), NPAGES * PS));
	EXPECT_FALSE(is_mapped(P(0)));
	EXPECT_FALSE(is_mapped(P(5)));
}

struct fork_arg {
	char *base;
	size_t ps;
};

static int child_checks_inherited(void *arg, char *msg, size_t msgsz)
{
	struct fork_arg *f = arg;
	char *p1 = f->base + f->ps;
	int r;

	r = xmunmap(p1, f->ps);
	if (r != -EPERM) {
		snprintf(msg, msgsz, "child munmap(inherited seal) = %d", r);
		return 1;
	}
	r = xmprotect(p1, f->ps, PROT_READ);
	if (r != -EPERM) {
		snprintf(msg, msgsz, "child mprotect(inherited seal) = %d", r);
		return 2;
	}
	if (check_pattern(f->base, 6 * f->ps, 2) != -1) {
		snprintf(msg, msgsz, "child sees changed contents");
		return 3;
	}
	r = xmunmap(f->base, f->ps);
	if (r) {
		snprintf(msg, msgsz, "child munmap(unsealed) = %d", r);
		return 4;
	}
	return 0;
}

/* SPEC 4.1: a forked child inherits the seals. */
TEST_F(region, fork_child_inherits_seal)
{
	struct fork_arg f = { self->base, PS };
	char msg[1024];

	ASSERT_EQ(0, seal(P(1), PS, 0));
	EXPECT_EQ(0, run_in_child(child_checks_inherited, &f, msg,
				  sizeof(msg))) TH_LOG("%s", msg);
	/* the parent's view is unaffected by what the child did */
	EXPECT_TRUE(is_mapped(P(0)));
	REFUSED(-EPERM, xmunmap(P(1), PS));
}

TEST_HARNESS_MAIN
