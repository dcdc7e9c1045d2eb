// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_compat - the device used by a 32-bit (compat) process
 * (SPEC 2, 2.1-2.6, 2.10, 3.1, 3.3, 3.4, 3.8, 3.11).
 *
 * One source for both widths; the Makefile builds it with $(CC32)
 * (gcc -m32 -static) as mseal_compat32 and defines MSEAL_EXPECT_BITS=32,
 * so a CC32 that does not actually produce 32-bit code is caught.
 *
 * struct mseal_args has only __u64 fields, so a compat process passes
 * 64-bit values: the module must not truncate them to 32 bits (a
 * truncated addr/len/flags would seal the wrong range or accept bad
 * flags).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mseal_harness.h"

#define NPAGES 4
#define RW (PROT_READ | PROT_WRITE)
#define A(p) ((uint64_t)(uintptr_t)(p))

GUARDED_REGION_FIXTURE(compat, NPAGES, 4);

/* The ABI is the same in both widths; the binary is the width we meant. */
TEST_F(compat, abi_layout_and_width)
{
#ifdef MSEAL_EXPECT_BITS
	EXPECT_EQ((size_t)MSEAL_EXPECT_BITS, sizeof(void *) * 8)
		TH_LOG("built as %zu-bit, want %d-bit", sizeof(void *) * 8,
		       MSEAL_EXPECT_BITS);
#endif
	TH_LOG("running as a %zu-bit process", sizeof(void *) * 8);
	EXPECT_EQ(24u, sizeof(struct mseal_args));
	EXPECT_EQ(0u, offsetof(struct mseal_args, addr));
	EXPECT_EQ(8u, offsetof(struct mseal_args, len));
	EXPECT_EQ(16u, offsetof(struct mseal_args, flags));
	EXPECT_EQ(0x4018be01ul, (unsigned long)MSEAL_IOC_SEAL);
}

/* SPEC 3.1/3.4/3.11 from a compat process. */
TEST_F(compat, seal_blocks_munmap_and_mprotect)
{
	char pr[5];

	ASSERT_EQ(0, seal(P(1), 2 * PS, 0));
	REFUSED(-EPERM, xmunmap(P(1), 2 * PS));
	REFUSED(-EPERM, xmunmap(P(0), NPAGES * PS));
	REFUSED(-EPERM, xmprotect(P(1), PS, PROT_READ));
	REFUSED(-EPERM, xmprotect(P(1), 2 * PS, RW));		/* no-op */
	if (!kernel_enforces())	/* 3.8: the module's stricter rule */
		REFUSED(-EPERM, xmprotect(P(0), 2 * PS, PROT_READ));
	REFUSED(pkey_want(-EPERM), xpkey_mprotect(P(2), PS, PROT_NONE, -1));
	EXPECT_EQ(-1, check_pattern(P(0), NPAGES * PS, 4));
	ASSERT_EQ(0, perms_at(P(0), pr));
	EXPECT_STREQ("rw-p", pr);
	/* unsealed neighbours are free */
	EXPECT_EQ(0, xmprotect(P(0), PS, PROT_READ));
	EXPECT_EQ(0, xmunmap(P(3), PS));
}

/*
 * SPEC 3.8/3.3 from a compat process: the module reads the whole request
 * of mprotect and mremap from the i386 syscall registers.  Here the piece
 * the kernel handles first is unsealed (its own VMA, or mremap's
 * destination), so only the whole-request check can refuse in time.
 */
static int xmremap_fixed(void *src, size_t len, void *dst)
{
	void *r = mremap(src, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);

	return r == MAP_FAILED ? -errno : 0;
}

TEST_F(compat, whole_request_checked)
{
	char *dst = map_region(1);
	char pr[5];

	SKIP_IF_KERNEL_ENFORCES_3_8();
	ASSERT_TRUE(dst != NULL);
	fill_pattern(dst, PS, 9);
	ASSERT_EQ(0, xmprotect(P(0), PS, PROT_READ));	/* its own VMA */
	ASSERT_EQ(0, seal(P(1), PS, 0));
	REFUSED(-EPERM, xmprotect(P(0), 2 * PS, RW));
	ASSERT_EQ(0, perms_at(P(0), pr));
	EXPECT_STREQ("r--p", pr);
	EXPECT_EQ(-EPERM, xmremap_fixed(P(1), PS, dst));
	EXPECT_EQ(-1, check_pattern(dst, PS, 9))
		TH_LOG("mremap's destination lost its contents");
	EXPECT_EQ(-1, check_pattern(P(0), NPAGES * PS, 4));
}

/* SPEC 2.1-2.6: the errno order, as a compat process sees it. */
TEST_F(compat, errno_order)
{
	const struct {
		uint64_t addr, len, flags;
		int want;
		const char *what;
	} c[] = {
		{ A(P(0)) + 1, PS, 1, -EINVAL, "flags + unaligned" },
		{ A(P(0)), 0, 1, -EINVAL, "flags + len 0" },
		{ A(self->lo), PS, 1, -EINVAL, "flags + unmapped" },
		{ A(P(0)), PS, 1ull << 32, -EINVAL, "flags bit 32" },
		{ A(P(0)) + 8, 0, 0, -EINVAL, "unaligned + len 0" },
		{ A(self->lo) + 8, PS, 0, -EINVAL, "unaligned + unmapped" },
		{ A(P(0)), ~0ull, 0, -EINVAL, "len rounds to 0" },
		{ A(self->lo), ~0ull - 1, 0, -EINVAL, "len rounds to 0, "
						     "unmapped" },
		{ A(P(0)), 0 - (uint64_t)PS, 0, -EINVAL, "addr+len overflow" },
		{ A(P(0)), 0xffffffffull, 0, -ENOMEM, "len 4G-1: past end" },
		{ A(self->lo), PS, 0, -ENOMEM, "unmapped start" },
		{ A(P(NPAGES - 1)), 2 * PS, 0, -ENOMEM, "unmapped end" },
		{ A(self->lo), 0, 0, 0, "len 0 on unmapped" },
		{ A(P(0)), 0, 0, 0, "len 0" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		EXPECT_EQ(c[i].want, seal_raw(c[i].addr, c[i].len, c[i].flags))
			TH_LOG("%s", c[i].what);
	}
	for (i = 0; i < NPAGES; i++) {
		EXPECT_EQ(0, page_sealed(P(i))) TH_LOG("page %u sealed", i);
	}
}

/*
 * The upper 32 bits of addr and len are not dropped: a truncating module
 * would seal P(0) here instead of failing.
 */
TEST_F(compat, upper_bits_not_truncated)
{
	uint64_t hi = sizeof(void *) == 4 ? 1ull << 32 : 1ull << 45;

	if (backend_is_syscall() && sizeof(void *) == 4)
		SKIP(return, "syscall arguments are 32-bit in compat");
	EXPECT_EQ(-ENOMEM, seal_raw(A(P(0)) + hi, PS, 0));
	EXPECT_EQ(-ENOMEM, seal_raw(A(P(0)), hi + PS, 0));
	EXPECT_EQ(-ENOMEM, seal_raw(A(P(0)), hi, 0));
	EXPECT_EQ(0, page_sealed(P(0)));
	EXPECT_EQ(0, page_sealed(P(1)));
	EXPECT_EQ(0, xmunmap(P(0), PS));
}

/* SPEC 2.10 from a compat process. */
TEST_F(compat, efault_and_enotty)
{
	struct mseal_args a = { A(P(0)), PS, 0 };
	char *straddle = P(NPAGES) - 8;
	int fd;

	if (backend_is_syscall())
		SKIP(return, "device-only behaviour (syscall backend)");
	fd = mseal_dev_fd();
	EXPECT_EQ(-EFAULT, ioctl_err(fd, MSEAL_IOC_SEAL, NULL));
	EXPECT_EQ(-EFAULT, ioctl_err(fd, MSEAL_IOC_SEAL, self->lo));
	memcpy(straddle, &a, 8);
	EXPECT_EQ(-EFAULT, ioctl_err(fd, MSEAL_IOC_SEAL, straddle));
	EXPECT_EQ(-ENOTTY, ioctl_err(fd, _IO(MSEAL_IOC_MAGIC, 0x7f), &a));
	EXPECT_EQ(-ENOTTY, ioctl_err(fd, _IOW(MSEAL_IOC_MAGIC, 0x01, __u32),
				     &a));
	EXPECT_EQ(0, page_sealed(P(0)));
	EXPECT_EQ(0, ioctl_err(fd, MSEAL_IOC_SEAL, &a));
	EXPECT_EQ(1, page_sealed(P(0)));
}

/*
 * SPEC 5.1 seen from a 32-bit program: run as "MSEAL_SYSMAP_CHECK=1
 * mseal_compat32" (by mseal_sysmap, with the toggle on), it checks before
 * the harness starts that its own system mappings are sealed.  i386 has
 * [vdso] and [vvar]; AArch32 also has [sigpage] (signal return code) and
 * the kuser helpers' [vectors].  Exit status: 0 if all are, else 1.
 */
static const char *const compat_sysmaps[] = {
	"[vdso]", "[vvar]",
#ifdef __arm__
	"[sigpage]", "[vectors]",
#endif
};

static void __attribute__((constructor)) sysmap_check_mode(void)
{
	const char *mode = getenv("MSEAL_SYSMAP_CHECK");
	size_t i;
	int fails = 0;

	if (!mode || strcmp(mode, "1"))
		return;
	for (i = 0; i < sizeof(compat_sysmaps) / sizeof(compat_sysmaps[0]);
	     i++) {
		int r = sysmap_check_sealed(compat_sysmaps[i]);

		if (r < 0)
			printf("# %s: not mapped\n", compat_sysmaps[i]);
		else if (!r)
			printf("# %s: sealed\n", compat_sysmaps[i]);
		fails += r ? 1 : 0;
	}
	fflush(stdout);
	_exit(fails ? 1 : 0);
}

TEST_HARNESS_MAIN
