// SPDX-License-Identifier: GPL-2.0
/*
 * mremap.c - refuse to resize or move sealed memory (SPEC 3.3).
 *
 * mremap(2) holds the mmap_lock for writing from its checks to its end.
 * Every path that changes something either unmaps first (the destination
 * of MREMAP_FIXED, the tail of a shrink: munmap.c checks the whole request
 * there) or asks vma_to_resize() for the source VMA first (expand in place,
 * move, MREMAP_DONTUNMAP).  Hooking vma_to_resize() therefore refuses a
 * sealed source before anything is touched.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/mm.h>

#include "compat.h"
#include "hook.h"
#include "mseal.h"
#include "request.h"

/* Static in mm/mremap.c. */
typedef struct vm_area_struct *(mseal_vma_to_resize_t)(unsigned long addr,
						       unsigned long old_len,
						       unsigned long new_len,
						       unsigned long flags);
static mseal_vma_to_resize_t *mseal_orig_vma_to_resize;

static struct vm_area_struct *mseal_vma_to_resize(unsigned long addr,
						  unsigned long old_len,
						  unsigned long new_len,
						  unsigned long flags)
{
	struct vm_area_struct *vma;

	mseal_hook_enter();
	if (mseal_change_denied(current->mm, addr, addr + old_len)) {
		mseal_denied(MSEAL_OP_MREMAP, current->mm, addr,
			     addr + old_len);
		vma = ERR_PTR(-EPERM);
	} else {
		vma = mseal_orig_vma_to_resize(addr, old_len, new_len, flags);
	}
	mseal_hook_exit();
	return vma;
}

struct mseal_hook mseal_mremap_hook =
	MSEAL_HOOK("vma_to_resize", mseal_vma_to_resize,
		   &mseal_orig_vma_to_resize);
