// SPDX-License-Identifier: GPL-2.0
/*
 * kcall.c - the kernel functions the module calls that are not exported.
 *
 * Only sealing calls into the kernel this way (module/seal.c), to split
 * and merge VMAs exactly as mprotect() does; every hook only reads and
 * diverts.  Where the kernel enforces indirect-branch landing pads (x86
 * IBT, arm64 BTI), a call to a function without one faults, and the kernel
 * even removes the ENDBR of the functions whose address it never takes.
 * So each callee is checked at load to start with its landing pad, and a
 * kernel where one does not refuses the load with one line naming it.
 *
 * On a kernel with mseal(2) of its own nothing is called this way.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>

#include "hook.h"
#include "mseal.h"

struct mseal_kcalls mseal_kcall;

#ifndef VM_SEALED
static_assert(__same_type(mseal_kcall.split_vma, &split_vma));
static_assert(__same_type(mseal_kcall.vma_merge, &vma_merge));

/* Test builds: check the landing pad even where nothing enforces it. */
#ifdef MSEAL_TEST_LANDING_PAD
#define MSEAL_CHECK_LANDING	true
#else
#define MSEAL_CHECK_LANDING	MSEAL_ARCH_LANDING_PAD
#endif

static int mseal_kcall_resolve(const char *name, void *fnp)
{
	unsigned long addr = mseal_symbol(name);

	if (!addr) {
		pr_err("unsupported kernel: symbol '%s' not found\n", name);
		return -ENOENT;
	}
	addr = mseal_arch_call_target(addr, MSEAL_CHECK_LANDING);
	if (!addr) {
		pr_err("unsupported kernel: '%s' has no %s landing pad to call\n",
		       name, MSEAL_ARCH_LANDING_NAME);
		return -EOPNOTSUPP;
	}
	*(unsigned long *)fnp = addr;
	return 0;
}

int mseal_kcalls_init(void)
{
	int ret;

	ret = mseal_kcall_resolve("split_vma", &mseal_kcall.split_vma);
	if (!ret)
		ret = mseal_kcall_resolve("vma_merge", &mseal_kcall.vma_merge);
	return ret;
}
#else
int mseal_kcalls_init(void)
{
	return 0;
}
#endif
