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
#include <linux/mempolicy.h>
#include <linux/stddef.h>
#include <linux/string.h>
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

static const struct {
	const char *name;
	size_t offset;
} mseal_kcall_table[] = {
	{ "split_vma", offsetof(struct mseal_kcalls, split_vma) },
	{ "vma_merge", offsetof(struct mseal_kcalls, vma_merge) },
};

/*
 * Resolve every callee; a kernel that lacks one, or where one has no
 * landing pad, refuses with one line naming all of them.
 */
int mseal_kcalls_init(void)
{
	char missing[64] = "", padless[64] = "";
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mseal_kcall_table); i++) {
		const char *name = mseal_kcall_table[i].name;
		unsigned long addr = mseal_symbol(name);
		char *list = missing;

		if (addr) {
			addr = mseal_arch_call_target(addr,
						      MSEAL_CHECK_LANDING);
			list = padless;
		}
		if (!addr) {
			strlcat(list, list[0] ? ", " : "", sizeof(missing));
			strlcat(list, name, sizeof(missing));
			continue;
		}
		*(unsigned long *)((char *)&mseal_kcall +
				   mseal_kcall_table[i].offset) = addr;
	}
	if (missing[0]) {
		pr_err("unsupported kernel: symbol '%s' not found\n", missing);
		return -ENOENT;
	}
	if (padless[0]) {
		pr_err("unsupported kernel: no %s landing pad to call %s\n",
		       MSEAL_ARCH_LANDING_NAME, padless);
		return -EOPNOTSUPP;
	}
	return 0;
}

struct vm_area_struct *mseal_kcall_vma_merge(struct mm_struct *mm,
					     struct vm_area_struct *prev,
					     struct vm_area_struct *vma,
					     unsigned long newflags)
{
	return mseal_kcall.vma_merge(mm, prev, vma->vm_start, vma->vm_end,
				     newflags, vma->anon_vma, vma->vm_file,
				     vma->vm_pgoff, vma_policy(vma),
				     vma->vm_userfaultfd_ctx
#ifdef MSEAL_HAVE_VMA_MERGE_ANON_NAME
				     , mseal_anon_vma_name(vma)
#endif
				     );
}
#else
/*
 * The kernel's mseal(2) entry, which the device calls (module/seal.c).  Its
 * address is in the system call table, so it keeps its landing pad; should
 * it lack one here, the device does without it (EOPNOTSUPP), the rest of
 * the module works.
 */
int mseal_kcalls_init(void)
{
	unsigned long addr = mseal_symbol(MSEAL_ARCH_SYS_MSEAL);

	if (addr)
		addr = mseal_arch_call_target(addr, MSEAL_ARCH_LANDING_PAD);
	if (!addr) {
		pr_info("%s cannot be called here: MSEAL_IOC_SEAL says EOPNOTSUPP, use mseal(2)\n",
			MSEAL_ARCH_SYS_MSEAL);
		return 0;
	}
	mseal_kcall.sys_mseal = (void *)addr;
	return 0;
}
#endif
