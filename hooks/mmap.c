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

#include "compat.h"
#include "hook.h"
#include "mseal.h"

static unsigned long (*mseal_orig_mmap_region)(struct file *file,
					       unsigned long addr,
					       unsigned long len,
					       vm_flags_t vm_flags,
					       unsigned long pgoff,
					       struct list_head *uf);
static_assert(__same_type(mseal_orig_mmap_region, &mmap_region));

static unsigned long mseal_mmap_region(struct file *file, unsigned long addr,
				       unsigned long len, vm_flags_t vm_flags,
				       unsigned long pgoff,
				       struct list_head *uf)
{
	unsigned long ret;

	mseal_hook_enter();
	if (mseal_table_any_sealed(current->mm, addr, addr + len)) {
		mseal_denied(MSEAL_OP_MMAP, current->mm, addr, addr + len);
		ret = -EPERM;
	} else {
		ret = mseal_orig_mmap_region(file, addr, len, vm_flags, pgoff,
					     uf);
	}
	mseal_hook_exit();
	return ret;
}

struct mseal_hook mseal_mmap_hook =
	MSEAL_HOOK("mmap_region", mseal_mmap_region, &mseal_orig_mmap_region);
