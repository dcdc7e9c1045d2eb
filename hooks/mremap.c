// SPDX-License-Identifier: GPL-2.0
/*
 * mremap.c - refuse to resize or move sealed memory (SPEC 3.3).
 *
 * mremap(2) holds the mmap_lock for writing from its checks to its end.
 * Every path that changes something either unmaps first (the destination
 * of MREMAP_FIXED, the tail of a shrink: munmap.c checks the whole request
 * there), or asks vma_to_resize() for the source VMA first (expand in
 * place, move, MREMAP_DONTUNMAP, a source of length 0).  Hooking
 * vma_to_resize() therefore refuses a sealed source before anything is
 * touched; for a length of 0 the source is the VMA at the address (which
 * would otherwise become a second, unsealed mapping of the same pages).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "hook.h"
#include "mseal.h"
#include "request.h"

/* vma_to_resize(addr, old_len, new_len, flags): static in mm/mremap.c */
MSEAL_HOOK_FN(mseal_mremap)
{
	struct mm_struct *mm = current->mm;
	unsigned long addr = mseal_hook_arg(fregs, 0);
	unsigned long old_len = mseal_hook_arg(fregs, 1);

	if (!mm || !mseal_mm_marked(mm))
		return;
	if (!mseal_range_sealed(mm, NULL, addr, addr + (old_len ?: 1)) &&
	    !mseal_request_denied(mm, NULL))
		return;
	mseal_denied(MSEAL_OP_MREMAP, mm, addr, addr + old_len);
	mseal_hook_divert(fregs, mseal_refuse);	/* ERR_PTR(-EPERM) */
}

struct mseal_hook mseal_mremap_hook =
	MSEAL_HOOK("vma_to_resize", mseal_mremap);
