// SPDX-License-Identifier: GPL-2.0
/*
 * mmap.c - refuse to map over sealed memory (SPEC 3.2).
 *
 * mmap(MAP_FIXED) and shmat(SHM_REMAP) over an existing mapping replace it
 * in mmap_region(), called with the mmap_lock held for writing.  It unmaps
 * the old mapping itself, but turns any failure of that into ENOMEM, so
 * the seal is checked first, for EPERM.  MAP_FIXED_NOREPLACE fails with
 * EEXIST before it gets here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "hook.h"
#include "mseal.h"

/* mmap_region(file, addr, len, vm_flags, pgoff, uf) */
MSEAL_HOOK_FN(mseal_mmap)
{
	struct mm_struct *mm = current->mm;
	unsigned long addr = mseal_hook_arg(fregs, 1);
	unsigned long len = mseal_hook_arg(fregs, 2);

	if (!mm || !mseal_mm_marked(mm) ||
	    !mseal_range_sealed(mm, NULL, addr, addr + len))
		return;
	mseal_denied(MSEAL_OP_MMAP, mm, addr, addr + len);
	mseal_hook_divert(fregs, mseal_refuse);
}

struct mseal_hook mseal_mmap_hook = MSEAL_HOOK("mmap_region", mseal_mmap);
