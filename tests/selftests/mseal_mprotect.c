// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_mprotect - mprotect and pkey_mprotect of sealed memory
 * (SPEC 3.4, 3.8, 3.11).
 *
 * Every refusal is checked with EXPECT_REFUSED: exact errno, and the
 * region (guard holes included) keeps its mappings, protections and
 * contents.  SPEC 3.8 is stricter than upstream: an mprotect over
 * [unsealed][sealed] must not even change the unsealed VMA.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mseal_harness.h"

#define NPAGES 6
#define RW (PROT_READ | PROT_WRITE)

GUARDED_REGION_FIXTURE(region, NPAGES, 3);

/* SPEC 3.4: any real change of a sealed range. */
TEST_F(region, mprotect_sealed_eperm)
{
	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	REFUSED(-EPERM, xmprotect(P(1), 2 * PS, PROT_READ));
	REFUSED(-EPERM, xmprotect(P(1), 2 * PS, PROT_NONE));
	REFUSED(-EPERM, xmprotect(P(1), 2 * PS, RW | PROT_EXEC));
	REFUSED(-EPERM, xmprotect(P(2), PS, PROT_READ));
	REFUSED(-EPERM, xmprotect(P(1), 1, PROT_READ));	/* one byte */
}

/* SPEC 3.4: even a no-op change (same protection) is refused. */
TEST_F(region, mprotect_sealed_same_prot_eperm)
{
	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	REFUSED(-EPERM, xmprotect(P(1), 2 * PS, RW));
	REFUSED(-EPERM, xmprotect(P(2), PS, RW));
}

/* SPEC 3.4: pkey_mprotect with pkey -1, change and no-op. */
TEST_F(region, pkey_mprotect_sealed_eperm)
{
	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	REFUSED(pkey_want(-EPERM), xpkey_mprotect(P(1), 2 * PS, PROT_READ, -1));
	REFUSED(pkey_want(-EPERM), xpkey_mprotect(P(1), 2 * PS, RW, -1));
	REFUSED(pkey_want(-EPERM), xpkey_mprotect(P(2), PS, PROT_NONE, -1));
	/* control: the unsealed neighbour takes the same call */
	EXPECT_EQ(pkey_want(0), xpkey_mprotect(P(3), PS, PROT_READ, -1));
	EXPECT_STREQ(have_pkey_mprotect() ? "r--p" : "rw-p", perms_str(P(3)));
}

/*
 * SPEC 3.8: [unsealed][sealed] pages: nothing changes, not even the first.
 * (Whether this is one VMA or two depends on whether sealing splits VMAs;
 * mprotect_distinct_vmas_changes_nothing has two VMAs for certain.)
 */
TEST_F(region, mprotect_unsealed_then_sealed_changes_nothing)
{
	SKIP_IF_KERNEL_ENFORCES_3_8();
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	REFUSED(-EPERM, xmprotect(P(0), 4 * PS, PROT_READ));
	REFUSED(-EPERM, xmprotect(P(1), 2 * PS, PROT_NONE));
	EXPECT_STREQ("rw-p", perms_str(P(0)));
	EXPECT_STREQ("rw-p", perms_str(P(1)));
}

/* SPEC 3.8 with pkey_mprotect. */
TEST_F(region, pkey_mprotect_unsealed_then_sealed_changes_nothing)
{
	SKIP_IF_KERNEL_ENFORCES_3_8();
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	REFUSED(pkey_want(-EPERM), xpkey_mprotect(P(0), 4 * PS, PROT_READ, -1));
	EXPECT_STREQ("rw-p", perms_str(P(0)));
	EXPECT_STREQ("rw-p", perms_str(P(1)));
}

/*
 * SPEC 3.8: the unsealed first VMA has a different protection from the
 * sealed one (two real VMAs, no merging involved); changing both to a
 * third protection changes neither.
 */
TEST_F(region, mprotect_distinct_vmas_changes_nothing)
{
	SKIP_IF_KERNEL_ENFORCES_3_8();
	ASSERT_EQ(0, xmprotect(P(0), 2 * PS, PROT_READ));
	ASSERT_EQ(0, seal(P(2), 2 * PS, 0));
	REFUSED(-EPERM, xmprotect(P(0), 4 * PS, PROT_NONE));
	REFUSED(-EPERM, xmprotect(P(0), 4 * PS, RW));
	REFUSED(pkey_want(-EPERM), xpkey_mprotect(P(1), 2 * PS, PROT_NONE, -1));
	EXPECT_STREQ("r--p", perms_str(P(0)));
	EXPECT_STREQ("rw-p", perms_str(P(2)));
}

/* SPEC 3.4/3.8: [sealed][unsealed]: the unsealed part is unchanged too. */
TEST_F(region, mprotect_sealed_then_unsealed_changes_nothing)
{
	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	REFUSED(-EPERM, xmprotect(P(1), 4 * PS, PROT_READ));
	EXPECT_STREQ("rw-p", perms_str(P(3)));
	EXPECT_STREQ("rw-p", perms_str(P(4)));
}

/* SPEC 3.4/3.8: the whole region, sealed page in the middle. */
TEST_F(region, mprotect_range_containing_sealed_middle)
{
	SKIP_IF_KERNEL_ENFORCES_3_8();
	ASSERT_EQ(0, seal(P(3), PS, 0));
	REFUSED(-EPERM, xmprotect(P(0), NPAGES * PS, PROT_READ));
	REFUSED(pkey_want(-EPERM), xpkey_mprotect(P(0), NPAGES * PS, PROT_NONE, -1));
}

/*
 * SPEC 3.4/3.8: [unsealed][hole][sealed]: EPERM (any sealed byte), and
 * the unsealed VMA before the hole is not changed.
 */
TEST_F(region, mprotect_unsealed_hole_sealed)
{
	SKIP_IF_KERNEL_ENFORCES_3_8();
	ASSERT_EQ(0, xmunmap(P(2), PS));
	ASSERT_EQ(0, seal(P(3), PS, 0));
	REFUSED(-EPERM, xmprotect(P(0), 5 * PS, PROT_READ));
	EXPECT_STREQ("rw-p", perms_str(P(0)));
	EXPECT_STREQ("rw-p", perms_str(P(1)));
}

/* SPEC 3.4: sealed across two VMAs of different protections. */
TEST_F(region, mprotect_sealed_across_two_vmas)
{
	ASSERT_EQ(0, xmprotect(P(2), PS, PROT_READ));
	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	REFUSED(-EPERM, xmprotect(P(1), PS, PROT_READ));
	REFUSED(-EPERM, xmprotect(P(2), PS, RW));
	REFUSED(-EPERM, xmprotect(P(1), 2 * PS, PROT_READ));
	EXPECT_STREQ("rw-p", perms_str(P(1)));
	EXPECT_STREQ("r--p", perms_str(P(2)));
}

/* Unsealed neighbours stay freely mprotect-able, in every direction. */
TEST_F(region, unsealed_neighbours_mprotect_ok)
{
	ASSERT_EQ(0, seal(P(2), PS, 0));
	EXPECT_EQ(0, xmprotect(P(1), PS, PROT_READ));
	EXPECT_STREQ("r--p", perms_str(P(1)));
	EXPECT_EQ(0, xmprotect(P(3), PS, PROT_NONE));
	EXPECT_STREQ("---p", perms_str(P(3)));
	EXPECT_EQ(0, xmprotect(P(0), 2 * PS, RW));
	EXPECT_STREQ("rw-p", perms_str(P(1)));
	EXPECT_EQ(0, xmprotect(P(3), 3 * PS, PROT_READ));
	EXPECT_STREQ("r--p", perms_str(P(5)));
	EXPECT_STREQ("rw-p", perms_str(P(2)));
	EXPECT_EQ(-EPERM, xmprotect(P(2), PS, PROT_READ));
}

/* A sealed read-only page cannot gain write; it stays readable. */
TEST_F(region, sealed_readonly_cannot_gain_write)
{
	ASSERT_EQ(0, xmprotect(P(1), PS, PROT_READ));
	ASSERT_EQ(0, seal(P(1), PS, 0));
	REFUSED(-EPERM, xmprotect(P(1), PS, RW));
	REFUSED(pkey_want(-EPERM), xpkey_mprotect(P(1), PS, RW, -1));
	EXPECT_STREQ("r--p", perms_str(P(1)));
	EXPECT_EQ(-1, check_pattern(P(0), 2 * PS, 3));
}

/* A sealed PROT_NONE page cannot become accessible. */
TEST_F(region, sealed_prot_none_cannot_gain_access)
{
	ASSERT_EQ(0, xmprotect(P(1), PS, PROT_NONE));
	ASSERT_EQ(0, seal(P(1), PS, 0));
	REFUSED(-EPERM, xmprotect(P(1), PS, PROT_READ));
	REFUSED(-EPERM, xmprotect(P(0), 2 * PS, RW));
	EXPECT_STREQ("---p", perms_str(P(1)));
	EXPECT_STREQ("rw-p", perms_str(P(0)));
}

/* A sealed RW page refused PROT_NONE stays readable and writable. */
TEST_F(region, sealed_rw_refused_none_stays_accessible)
{
	ASSERT_EQ(0, seal(P(1), PS, 0));
	REFUSED(-EPERM, xmprotect(P(1), PS, PROT_NONE));
	EXPECT_EQ(-1, check_pattern(P(0), NPAGES * PS, 3));
	fill_pattern(P(1), PS, 77);	/* would SIGSEGV if changed */
	EXPECT_EQ(-1, check_pattern(P(1), PS, 77));
}

TEST_HARNESS_MAIN
