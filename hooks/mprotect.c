// SPDX-License-Identifier: GPL-2.0
/*
 * mprotect.c - refuse to change the protection of sealed memory
 * (SPEC 3.4), all or nothing (SPEC 3.8).
 *
 * do_mprotect_pkey() takes the mmap_lock for writing and then calls
 * mprotect_fixup() once per VMA of the range; the hook sits on
 * mprotect_fixup(), so the check runs under the lock of the operation it
 * guards (SPEC 3.9), even for a change that changes nothing.  Upstream
 * checks each VMA in turn, so the VMAs before a sealed one may already
 * have changed when the call fails; here the first call checks the whole
 * range the user passed to mprotect()/pkey_mprotect() (request.c), so
 * nothing changes.  With PROT_GROWSDOWN the kernel extends the range to
 * the start of the VMA the address is in, and no further: since a seal
 * has its own VMA, that stops at a seal's boundary, as upstream.
 * mprotect_fixup() has one other caller, exec's setup_arg_pages(), on a
 * new mm, which holds no seal.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "hook.h"
#include "mseal.h"
#include "request.h"

/* mprotect_fixup([tlb,] vma, pprev, start, end, newflags) */
MSEAL_HOOK_FN(mseal_mprotect)
{
	struct vm_area_struct *vma = (struct vm_area_struct *)
		mseal_hook_arg(fregs, MSEAL_MPROTECT_FIXUP_VMA);
	struct mm_struct *mm = vma->vm_mm;
	unsigned long start = mseal_hook_arg(fregs, MSEAL_MPROTECT_FIXUP_START);
	unsigned long end = mseal_hook_arg(fregs, MSEAL_MPROTECT_FIXUP_END);

	if (!mseal_mm_marked(mm))
		return;
	if (!mseal_vma_sealed(vma) &&
	    (mseal_request_inside(vma, false) || !mseal_request_denied(mm, vma)))
		return;
	mseal_denied(MSEAL_OP_MPROTECT, mm, start, end);
	mseal_hook_divert(fregs, mseal_refuse);
}

struct mseal_hook mseal_mprotect_hook =
	MSEAL_HOOK("mprotect_fixup", mseal_mprotect);
