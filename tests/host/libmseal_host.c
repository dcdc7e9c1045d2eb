// SPDX-License-Identifier: GPL-2.0
/*
 * libmseal_host - libmseal on the build machine (SPEC 7.1), no module
 * involved: run by `make userspace-check` (part of `make check`).
 *
 * The tests of mseal_lib_common.h adapt to what this kernel offers (its
 * own mseal(2) from 6.10 on, or nothing); the ones here check the
 * system call path against the kernel's own view (/proc/self/smaps), and
 * the ENOSYS path on a kernel made to look old by a seccomp filter.
 *
 * It never loads, unloads or configures a kernel module.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mseal_util.h"
#include "mseal_harness.h"
#include "mseal_lib_common.h"

/* Does the smaps entry of the mapping holding @addr have "sl"? */
static int smaps_sealed(const void *addr)
{
	unsigned long long a = (uintptr_t)addr, s, e;
	char line[512];
	bool in = false;
	int ret = -1;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx ", &s, &e) == 2 &&
		    strchr(line, '-') == line + strspn(line, "0123456789abcdef")) {
			in = s <= a && a < e;
		} else if (in && !strncmp(line, "VmFlags:", 8)) {
			ret = strstr(line, " sl ") || strstr(line, " sl\n");
			break;
		}
	}
	fclose(f);
	return ret;
}

/* With mseal(2), the kernel's own flag shows the seal. */
TEST_F(lib, native_seal_is_the_kernels)
{
	if (!self->native)
		SKIP(return, "this kernel has no mseal(2)");
	ASSERT_EQ(0, smaps_sealed(P(0)));
	ASSERT_EQ(0, mseal(P(0), self->ps, 0));
	EXPECT_EQ(1, smaps_sealed(P(0)));
	EXPECT_EQ(0, smaps_sealed(P(1)));
}

/*
 * A kernel without mseal(2) (made so by seccomp) and no module: every
 * function fails with ENOSYS and changes nothing.
 */
TEST_F(lib, no_backend_enosys)
{
	struct mseal_range *r;
	struct notif n;

	if (self->device)
		SKIP(return, "%s exists on this machine", MSEAL_DEV_PATH);
	NOTIF(ENOSYS, ENOSYS);
	EXPECT_MSEAL_FAILS(ENOSYS, P(0), self->ps, 0);
	EXPECT_MSEAL_FAILS(ENOSYS, P(0), 0, 0);
	errno = 0;
	EXPECT_EQ(-1, mseal_list(0, &r));
	EXPECT_EQ(ENOSYS, errno);
	errno = 0;
	EXPECT_EQ(-1, mseal_sysmap_optout());
	EXPECT_EQ(ENOSYS, errno);
	EXPECT_EQ(1, notif_probes(&n));
	EXPECT_EQ(0, notif_calls(&n));
}

TEST_HARNESS_MAIN
