// SPDX-License-Identifier: GPL-2.0
/*
 * mprotect.c - refuse to change the protection of sealed memory
 * (SPEC 3.4), all or nothing (SPEC 3.8).
 *
 * do_mprotect_pkey() takes the mmap_lock for writing and then calls
 * mprotect_fixup() once per VMA of the range.  The hook sits on
 * mprotect_fixup(), so the check runs under the lock of the operation it
 * guards (SPEC 3.9).  Upstream checks each VMA in turn, so the VMAs before
 * a sealed one may already have changed when the call fails; here each call
 * checks the whole range the user passed to mprotect()/pkey_mprotect()
 * (request.c), so the first call already refuses and nothing changes.
 * mprotect_fixup() has one other caller, exec's setup_arg_pages(), on a
 * fresh mm, which is checked for its own range.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "compat.h"
#include "hook.h"
#include "mseal.h"
#include "request.h"

static int (*mseal_orig_mprotect_fixup)(struct mmu_gather *tlb,
					struct vm_area_struct *vma,
					struct vm_area_struct **pprev,
					unsigned long start, unsigned long end,
					unsigned long newflags);
static_assert(__same_type(mseal_orig_mprotect_fixup, &mprotect_fixup));

static int mseal_mprotect_fixup(struct mmu_gather *tlb,
				struct vm_area_struct *vma,
				struct vm_area_struct **pprev,
				unsigned long start, unsigned long end,
				unsigned long newflags)
{
	int ret;

	mseal_hook_enter();
	if (mseal_change_denied(vma->vm_mm, start, end)) {
		mseal_denied(MSEAL_OP_MPROTECT, vma->vm_mm, start, end);
		ret = -EPERM;
	} else {
		ret = mseal_orig_mprotect_fixup(tlb, vma, pprev, start, end,
						newflags);
	}
	mseal_hook_exit();
	return ret;
}

struct mseal_hook mseal_mprotect_hook =
	MSEAL_HOOK("mprotect_fixup", mseal_mprotect_fixup,
		   &mseal_orig_mprotect_fixup);
