// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_ioctl - the sealing request itself (SPEC 2.1-2.11): argument
 * checks and their order, ENOMEM for unmapped parts, atomicity, partial
 * VMAs, idempotence, ioctl numbers, bad pointers, the fd and the mm.
 *
 * Whether a page is sealed is observed with page_sealed(): a real
 * mprotect change that must fail with EPERM on a sealed page and succeed
 * (and is undone) on an unsealed one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mseal_util.h"
#include "mseal_harness.h"

#define NPAGES 4
#define A(p) ((uint64_t)(uintptr_t)(p))

/*
 * A region of NPAGES RW private anonymous pages, one VMA, filled with a
 * pattern, with unmapped guard pages right before and after.
 */
FIXTURE(region) {
	char *base;
	size_t ps;
};

FIXTURE_SETUP(region)
{
	self->ps = pgsz();
	ASSERT_BACKEND();
	self->base = map_region(NPAGES);
	ASSERT_NE(NULL, self->base);
	fill_pattern(self->base, NPAGES * self->ps, 1);
}

FIXTURE_TEARDOWN(region)
{
}

#define DEVICE_ONLY() do {						\
	if (backend_is_syscall())					\
		SKIP(return, "device-only behaviour (syscall backend)");\
} while (0)

#define EXPECT_SEALED(p) EXPECT_EQ(1, page_sealed(p))			\
	TH_LOG("page %p should be sealed", (void *)(p))
#define EXPECT_UNSEALED(p) EXPECT_EQ(0, page_sealed(p))			\
	TH_LOG("page %p should not be sealed", (void *)(p))

#define before(s) ((s)->base - (s)->ps)		/* guard page before */
#define after(s) ((s)->base + NPAGES * (s)->ps)	/* guard page after */

/* SPEC 2.1: any flag bit -> EINVAL, nothing sealed. */
TEST_F(region, flags_nonzero_einval)
{
	static const uint64_t bad[] = {
		1, 2, 0x80000000ull, 0x100000000ull,
		0x8000000000000000ull, ~0ull,
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, seal_raw(A(self->base), self->ps, bad[i]))
			TH_LOG("flags %#llx", (unsigned long long)bad[i]);
	}
	EXPECT_UNSEALED(self->base);
}

/* SPEC 2.1 before 2.2-2.6: flags are checked first. */
TEST_F(region, flags_checked_before_everything)
{
	/* otherwise 0 (len 0) */
	EXPECT_EQ(-EINVAL, seal(self->base, 0, 1));
	/* otherwise ENOMEM (unmapped) */
	EXPECT_EQ(-EINVAL, seal(before(self), self->ps, 1));
	EXPECT_EQ(-EINVAL, seal(self->base + 1, self->ps, 1));
	EXPECT_EQ(-EINVAL, seal_raw(A(self->base), ~0ull, 1));
	EXPECT_UNSEALED(self->base);
}

/* SPEC 2.2: unaligned addr -> EINVAL, also when len == 0 or unmapped. */
TEST_F(region, unaligned_addr_einval)
{
	size_t offs[] = { 1, 8, self->ps / 2, self->ps - 1 };
	unsigned int i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		EXPECT_EQ(-EINVAL, seal(self->base + offs[i], self->ps, 0))
			TH_LOG("offset %zu", offs[i]);
		/* before 2.5 (len 0 -> 0) */
		EXPECT_EQ(-EINVAL, seal(self->base + offs[i], 0, 0));
		/* before 2.6 (ENOMEM) */
		EXPECT_EQ(-EINVAL, seal(before(self) + offs[i], self->ps, 0));
	}
	EXPECT_UNSEALED(self->base);
	EXPECT_UNSEALED(self->base + self->ps);
}

/*
 * arm64: a user address may carry a tag in its top byte; the seal request
 * is checked after untagging, as upstream does, and so are the mprotect,
 * munmap and mremap that it then refuses.
 */
TEST_F(region, tagged_address_untagged)
{
#ifndef __aarch64__
	SKIP(return, "no tagged addresses (top-byte ignore) on this arch");
#else
	const uint64_t tag = 0x5aULL << 56;
	char *t1 = (char *)(uintptr_t)(A(self->base + self->ps) | tag);
	size_t ps = self->ps, len = NPAGES * ps;

	ASSERT_EQ(0, seal_raw(A(t1), 2 * ps, 0));
	EXPECT_UNSEALED(self->base);
	EXPECT_SEALED(self->base + ps);
	EXPECT_SEALED(self->base + 2 * ps);
	EXPECT_UNSEALED(self->base + 3 * ps);
	/* a tag does not hide an unaligned address or a hole either */
	EXPECT_EQ(-EINVAL, seal_raw(A(t1) + 1, ps, 0));
	EXPECT_EQ(-ENOMEM, seal_raw(A(before(self)) | tag, ps, 0));

	EXPECT_REFUSED(-EPERM, xmunmap(t1, ps), self->base, len);
	EXPECT_REFUSED(-EPERM, xmprotect(t1 + ps, ps, PROT_READ), self->base,
		       len);
	EXPECT_REFUSED(-EPERM, mremap(t1, ps, 2 * ps, MREMAP_MAYMOVE) ==
			       MAP_FAILED ? -errno : 0, self->base, len);
	/* the unsealed neighbour, tagged too, still changes */
	EXPECT_EQ(0, xmprotect((char *)(uintptr_t)(A(self->base) | tag), ps,
			       PROT_READ));
#endif
}

/* SPEC 2.3: non-zero len rounding up to 0 -> EINVAL (before 2.6). */
TEST_F(region, len_rounding_to_zero_einval)
{
	uint64_t bad[] = { ~0ull, (uint64_t)0 - (self->ps - 1),
			   (uint64_t)0 - 1 - self->ps / 2 };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, seal_raw(A(self->base), bad[i], 0))
			TH_LOG("len %#llx", (unsigned long long)bad[i]);
		EXPECT_EQ(-EINVAL, seal_raw(A(before(self)), bad[i], 0));
	}
	EXPECT_UNSEALED(self->base);
}

/* SPEC 2.4: addr + len overflows -> EINVAL, not ENOMEM. */
TEST_F(region, addr_plus_len_overflow_einval)
{
	uint64_t ps = self->ps;

	/* page-aligned len that wraps from a mapped start */
	EXPECT_EQ(-EINVAL, seal_raw(A(self->base), (uint64_t)0 - ps, 0));
	/* top page + 2 pages */
	EXPECT_EQ(-EINVAL, seal_raw((uint64_t)0 - ps, 2 * ps, 0));
	/* wrapping to exactly 0 is an overflow too */
	EXPECT_EQ(-EINVAL, seal_raw((uint64_t)0 - ps, ps, 0));
	/* unaligned len that rounds up past the top */
	EXPECT_EQ(-EINVAL, seal_raw((uint64_t)0 - 2 * ps, ps + 1 + ps, 0));
	EXPECT_UNSEALED(self->base);
}

/* SPEC 2.5: len == 0 succeeds wherever addr is, and seals nothing. */
TEST_F(region, len_zero_succeeds_seals_nothing)
{
	EXPECT_EQ(0, seal(self->base, 0, 0));
	EXPECT_EQ(0, seal(before(self), 0, 0));
	EXPECT_EQ(0, seal_raw((uint64_t)0 - self->ps, 0, 0));
	EXPECT_EQ(0, seal_raw(0, 0, 0));
	EXPECT_UNSEALED(self->base);
	EXPECT_EQ(0, xmunmap(self->base, NPAGES * self->ps));
}

/* SPEC 2.3/2.7: len is rounded up to whole pages. */
TEST_F(region, len_rounded_up_to_pages)
{
	EXPECT_EQ(0, seal(self->base, 1, 0));
	EXPECT_SEALED(pg(self->base, 0));
	EXPECT_UNSEALED(pg(self->base, 1));
	EXPECT_EQ(0, seal(pg(self->base, 1), self->ps + 1, 0));
	EXPECT_SEALED(pg(self->base, 1));
	EXPECT_SEALED(pg(self->base, 2));
	EXPECT_UNSEALED(pg(self->base, 3));
}

/* SPEC 2.6/2.8: unmapped start -> ENOMEM, nothing sealed. */
TEST_F(region, unmapped_start_enomem)
{
	EXPECT_EQ(-ENOMEM, seal(before(self), 2 * self->ps, 0));
	EXPECT_EQ(-ENOMEM, seal(before(self), (NPAGES + 1) * self->ps, 0));
	EXPECT_UNSEALED(self->base);
	EXPECT_EQ(0, xmunmap(self->base, NPAGES * self->ps));
}

/* SPEC 2.6/2.8: unmapped end -> ENOMEM, nothing sealed. */
TEST_F(region, unmapped_end_enomem)
{
	EXPECT_EQ(-ENOMEM, seal(pg(self->base, NPAGES - 1), 2 * self->ps, 0));
	EXPECT_EQ(-ENOMEM, seal(self->base, (NPAGES + 1) * self->ps, 0));
	EXPECT_UNSEALED(pg(self->base, 0));
	EXPECT_UNSEALED(pg(self->base, NPAGES - 1));
	EXPECT_EQ(0, xmunmap(self->base, NPAGES * self->ps));
}

/* SPEC 2.6/2.8: a hole in the middle -> ENOMEM, nothing sealed. */
TEST_F(region, unmapped_hole_enomem)
{
	ASSERT_EQ(0, xmunmap(pg(self->base, 1), self->ps));
	EXPECT_EQ(-ENOMEM, seal(self->base, NPAGES * self->ps, 0));
	EXPECT_EQ(-ENOMEM, seal(self->base, 2 * self->ps, 0));
	EXPECT_EQ(-ENOMEM, seal(pg(self->base, 1), 2 * self->ps, 0));
	/* every mapped part can still be unmapped: nothing was sealed */
	EXPECT_EQ(0, xmunmap(pg(self->base, 0), self->ps));
	EXPECT_EQ(0, xmunmap(pg(self->base, 2), 2 * self->ps));
}

/* SPEC 2.6: a completely unmapped range -> ENOMEM. */
TEST_F(region, fully_unmapped_enomem)
{
	EXPECT_EQ(-ENOMEM, seal(before(self), self->ps, 0));
	EXPECT_EQ(-ENOMEM, seal(after(self), self->ps, 0));
	EXPECT_FALSE(is_mapped(before(self)));
	EXPECT_FALSE(is_mapped(after(self)));
}

/* SPEC 2.6/2.8: sealed + unmapped parts -> ENOMEM; the rest stays unsealed */
TEST_F(region, sealed_but_partly_unmapped_enomem)
{
	ASSERT_EQ(0, seal(self->base, self->ps, 0));
	EXPECT_EQ(-ENOMEM, seal(self->base, (NPAGES + 1) * self->ps, 0));
	EXPECT_EQ(-ENOMEM, seal(before(self), 2 * self->ps, 0));
	EXPECT_SEALED(pg(self->base, 0));
	EXPECT_UNSEALED(pg(self->base, 1));
	EXPECT_UNSEALED(pg(self->base, NPAGES - 1));
	EXPECT_EQ(0, xmunmap(pg(self->base, 1), (NPAGES - 1) * self->ps));
}

/* SPEC 2.7: the range need not match VMA boundaries. */
TEST_F(region, seal_middle_page_of_vma)
{
	char *p = self->base;
	size_t ps = self->ps;
	char *copy = malloc(ps);

	ASSERT_NE(NULL, copy);
	memcpy(copy, pg(p, 1), ps);
	ASSERT_EQ(0, seal(pg(p, 1), ps, 0));
	EXPECT_UNSEALED(pg(p, 0));
	EXPECT_SEALED(pg(p, 1));
	EXPECT_UNSEALED(pg(p, 2));
	/* anything touching page 1 is refused */
	EXPECT_EQ(-EPERM, xmunmap(pg(p, 1), ps));
	EXPECT_EQ(-EPERM, xmunmap(pg(p, 0), 2 * ps));
	EXPECT_EQ(-EPERM, xmunmap(pg(p, 1), 2 * ps));
	EXPECT_EQ(-EPERM, xmprotect(pg(p, 0), 3 * ps, PROT_READ));
	/* the pages around it are free */
	EXPECT_EQ(0, xmprotect(pg(p, 0), ps, PROT_READ));
	EXPECT_EQ(0, xmunmap(pg(p, 2), ps));
	EXPECT_EQ(0, xmunmap(pg(p, 0), ps));
	EXPECT_TRUE(is_mapped(pg(p, 1)));
	EXPECT_EQ(0, memcmp(copy, pg(p, 1), ps));
	free(copy);
}

/* SPEC 2.7: one call can seal across two VMAs. */
TEST_F(region, seal_spanning_two_vmas)
{
	char *p = self->base;

	ASSERT_EQ(0, xmprotect(pg(p, 1), self->ps, PROT_READ));
	ASSERT_EQ(0, seal(p, 2 * self->ps, 0));
	EXPECT_SEALED(pg(p, 0));
	EXPECT_SEALED(pg(p, 1));
	EXPECT_UNSEALED(pg(p, 2));
}

/* SPEC 2.9: sealing again, fully or overlapping, returns 0. */
TEST_F(region, reseal_is_idempotent)
{
	char *p = self->base;

	ASSERT_EQ(0, seal(p, self->ps, 0));
	EXPECT_EQ(0, seal(p, self->ps, 0));
	EXPECT_EQ(0, seal(p, 3 * self->ps, 0));
	EXPECT_EQ(0, seal(pg(p, 1), self->ps, 0));
	EXPECT_SEALED(pg(p, 0));
	EXPECT_SEALED(pg(p, 1));
	EXPECT_SEALED(pg(p, 2));
	EXPECT_UNSEALED(pg(p, 3));
}

/* Sealing changes neither protections nor contents; writes still work. */
TEST_F(region, seal_keeps_prot_and_contents)
{
	char *p = self->base;
	char before_perms[NPAGES][5], now[5];
	int i;

	ASSERT_EQ(0, xmprotect(pg(p, 2), self->ps, PROT_READ));
	for (i = 0; i < NPAGES; i++) {
		ASSERT_EQ(0, perms_at(pg(p, i), before_perms[i]));
	}
	ASSERT_EQ(0, seal(p, NPAGES * self->ps, 0));
	for (i = 0; i < NPAGES; i++) {
		ASSERT_EQ(0, perms_at(pg(p, i), now));
		EXPECT_STREQ(before_perms[i], now) TH_LOG("page %d", i);
	}
	EXPECT_EQ(-1, check_pattern(p, NPAGES * self->ps, 1));
	/* a seal is not write protection */
	fill_pattern(p, self->ps, 99);
	EXPECT_EQ(-1, check_pattern(p, self->ps, 99));
}

/* Any kind of mapping can be sealed: PROT_NONE, read-only, shared. */
TEST_F(region, seal_prot_none_readonly_shared)
{
	char *p = self->base;
	char *sh;

	ASSERT_EQ(0, xmprotect(pg(p, 0), self->ps, PROT_NONE));
	ASSERT_EQ(0, xmprotect(pg(p, 1), self->ps, PROT_READ));
	EXPECT_EQ(0, seal(p, 2 * self->ps, 0));
	EXPECT_SEALED(pg(p, 0));
	EXPECT_SEALED(pg(p, 1));
	sh = mmap(NULL, self->ps, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	EXPECT_EQ(0, seal(sh, self->ps, 0));
	EXPECT_SEALED(sh);
	EXPECT_EQ(-EPERM, xmunmap(sh, self->ps));
}

/* SPEC 2.10: unknown command numbers -> ENOTTY, nothing sealed. */
TEST_F(region, unknown_cmd_enotty)
{
	struct mseal_args a = { A(self->base), self->ps, 0 };
	const unsigned long cmds[] = {
		_IO(MSEAL_IOC_MAGIC, 0x7f),
		_IO(MSEAL_IOC_MAGIC, 0x01),
		_IOW(MSEAL_IOC_MAGIC, 0x01, __u32),	/* wrong size */
		_IOW(MSEAL_IOC_MAGIC, 0x01, struct { __u64 x[2]; }),
		_IOR(MSEAL_IOC_MAGIC, 0x01, struct mseal_args), /* wrong dir */
		_IOW(MSEAL_IOC_MAGIC, 0x02, struct mseal_args), /* wrong nr */
		_IOW(MSEAL_IOC_MAGIC + 1, 0x01, struct mseal_args),
		0,
	};
	unsigned int i;
	int fd;

	DEVICE_ONLY();
	fd = mseal_dev_fd();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(-ENOTTY, ioctl_err(fd, cmds[i], &a))
			TH_LOG("cmd %#lx", cmds[i]);
	}
	EXPECT_UNSEALED(self->base);
	/* the right command with the same args does seal */
	EXPECT_EQ(0, ioctl_err(fd, MSEAL_IOC_SEAL, &a));
	EXPECT_SEALED(self->base);
}

/* SPEC 2.10: unreadable argument pointer -> EFAULT, nothing sealed. */
TEST_F(region, bad_args_pointer_efault)
{
	struct mseal_args a = { A(self->base), self->ps, 0 };
	char *none, *straddle;
	int fd;

	DEVICE_ONLY();
	fd = mseal_dev_fd();
	EXPECT_EQ(-EFAULT, ioctl_err(fd, MSEAL_IOC_SEAL, NULL));
	EXPECT_EQ(-EFAULT, ioctl_err(fd, MSEAL_IOC_SEAL, before(self)));
	EXPECT_EQ(-EFAULT, ioctl_err(fd, MSEAL_IOC_SEAL, (void *)(uintptr_t)
				     (sizeof(void *) == 8 ?
				      0xffff888000000000ull : 0xc0000000ull)));
	/* PROT_NONE page holding valid-looking args */
	memcpy(pg(self->base, 3), &a, sizeof(a));
	ASSERT_EQ(0, xmprotect(pg(self->base, 3), self->ps, PROT_NONE));
	none = pg(self->base, 3);
	EXPECT_EQ(-EFAULT, ioctl_err(fd, MSEAL_IOC_SEAL, none));
	/* struct straddling the end of the mapping into the guard hole */
	straddle = after(self) - 8;
	ASSERT_EQ(0, xmprotect(pg(self->base, 3), self->ps,
			       PROT_READ | PROT_WRITE));
	memcpy(straddle, &a, 8);
	EXPECT_EQ(-EFAULT, ioctl_err(fd, MSEAL_IOC_SEAL, straddle));
	EXPECT_UNSEALED(self->base);
}

/* The args may live inside the very range being sealed. */
TEST_F(region, args_inside_sealed_range)
{
	struct mseal_args *a = (struct mseal_args *)pg(self->base, 1);

	DEVICE_ONLY();
	a->addr = A(self->base);
	a->len = 2 * self->ps;
	a->flags = 0;
	EXPECT_EQ(0, ioctl_err(mseal_dev_fd(), MSEAL_IOC_SEAL, a));
	EXPECT_SEALED(pg(self->base, 0));
	EXPECT_SEALED(pg(self->base, 1));
}

/* A seal belongs to the mm, not the fd: it outlives close(). */
TEST_F(region, seal_outlives_fd_close)
{
	DEVICE_ONLY();
	ASSERT_EQ(0, seal(self->base, self->ps, 0));
	mseal_dev_close();
	EXPECT_EQ(-EPERM, xmunmap(self->base, self->ps));
	EXPECT_SEALED(self->base);
	/* a new fd sees the same seals: resealing is idempotent */
	EXPECT_EQ(0, seal(self->base, 2 * self->ps, 0));
	EXPECT_SEALED(pg(self->base, 1));
}

/* Several fds of one process all act on the same mm. */
TEST_F(region, two_fds_same_mm)
{
	struct mseal_args a = { A(self->base), self->ps, 0 };
	int fd2;

	DEVICE_ONLY();
	fd2 = open(MSEAL_DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, ioctl_err(fd2, MSEAL_IOC_SEAL, &a));
	close(fd2);
	EXPECT_EQ(0, seal(self->base, self->ps, 0));
	EXPECT_SEALED(self->base);
	EXPECT_UNSEALED(pg(self->base, 1));
}

struct child_seal_arg {
	char *p;
	size_t ps;
};

static int child_seals_with_parents_fd(void *arg, char *msg, size_t msgsz)
{
	struct child_seal_arg *c = arg;
	int r = seal(c->p, c->ps, 0);	/* fd opened by the parent */

	if (r) {
		snprintf(msg, msgsz, "child seal: %s", strerror(-r));
		return 1;
	}
	r = xmunmap(c->p, c->ps);
	if (r != -EPERM) {
		snprintf(msg, msgsz, "child munmap of its sealed page: %d", r);
		return 2;
	}
	return 0;
}

/*
 * SPEC 2: the ioctl acts on the CALLER's mm, whoever opened the fd: a
 * child using an fd its parent opened seals its own copy only.
 */
TEST_F(region, acts_on_callers_mm_only)
{
	struct child_seal_arg c = { self->base, self->ps };
	char msg[1024];

	DEVICE_ONLY();
	ASSERT_LE(0, mseal_dev_fd());	/* parent's fd, inherited */
	EXPECT_EQ(0, run_in_child(child_seals_with_parents_fd, &c, msg,
				  sizeof(msg))) TH_LOG("%s", msg);
	EXPECT_UNSEALED(self->base);
	EXPECT_EQ(0, xmunmap(self->base, self->ps));
}

TEST_HARNESS_MAIN
