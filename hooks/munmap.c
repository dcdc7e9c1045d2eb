// SPDX-License-Identifier: GPL-2.0
/*
 * munmap.c - refuse to unmap sealed memory (SPEC 3.1, and the unmapping
 * parts of 3.2, 3.3, 3.6 and 3.7).
 *
 * Every unmap of a range ends in one function, whatever asked for it:
 * munmap(2), mmap(MAP_FIXED) over a mapping, mremap shrinking or moving,
 * brk shrinking, shmdt, vm_munmap() of drivers.  It is called with the
 * range already validated and page aligned and with the mmap_lock held for
 * writing, so the check and the unmap it guards are one step: a seal that
 * returned before the unmap took the lock is seen.  When the unmap is one
 * piece of an mremap(), the whole request is checked (request.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "compat.h"
#include "hook.h"
#include "mseal.h"
#include "request.h"

#ifdef MSEAL_HAVE_DO_VMI_MUNMAP
/* 6.4+: static in mm/mmap.c, the same shape as in 6.1 with an iterator. */
static int (*mseal_orig_align_munmap)(struct vma_iterator *vmi,
				      struct vm_area_struct *vma,
				      struct mm_struct *mm,
				      unsigned long start, unsigned long end,
				      struct list_head *uf, bool unlock);

static int mseal_align_munmap(struct vma_iterator *vmi,
			      struct vm_area_struct *vma, struct mm_struct *mm,
			      unsigned long start, unsigned long end,
			      struct list_head *uf, bool unlock)
{
	int ret;

	mseal_hook_enter();
	if (mseal_change_denied(mm, start, end)) {
		mseal_denied(MSEAL_OP_MUNMAP, mm, start, end);
		ret = -EPERM;
	} else {
		ret = mseal_orig_align_munmap(vmi, vma, mm, start, end, uf,
					      unlock);
	}
	mseal_hook_exit();
	return ret;
}

struct mseal_hook mseal_munmap_hook =
	MSEAL_HOOK("do_vmi_align_munmap", mseal_align_munmap,
		   &mseal_orig_align_munmap);
#else
/* 6.1: static in mm/mmap.c; do_mas_munmap() and brk's shrink call it. */
static int (*mseal_orig_align_munmap)(struct ma_state *mas,
				      struct vm_area_struct *vma,
				      struct mm_struct *mm,
				      unsigned long start, unsigned long end,
				      struct list_head *uf, bool downgrade);

static int mseal_align_munmap(struct ma_state *mas,
			      struct vm_area_struct *vma, struct mm_struct *mm,
			      unsigned long start, unsigned long end,
			      struct list_head *uf, bool downgrade)
{
	int ret;

	mseal_hook_enter();
	if (mseal_change_denied(mm, start, end)) {
		mseal_denied(MSEAL_OP_MUNMAP, mm, start, end);
		ret = -EPERM;
	} else {
		ret = mseal_orig_align_munmap(mas, vma, mm, start, end, uf,
					      downgrade);
	}
	mseal_hook_exit();
	return ret;
}

struct mseal_hook mseal_munmap_hook =
	MSEAL_HOOK("do_mas_align_munmap", mseal_align_munmap,
		   &mseal_orig_align_munmap);
#endif
