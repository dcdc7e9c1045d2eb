// SPDX-License-Identifier: GPL-2.0
/*
 * munmap.c - refuse to unmap sealed memory (SPEC 3.1).
 *
 * Every unmap of a range goes through one function, whatever asked for it:
 * munmap(2), mmap(MAP_FIXED) replacing a mapping, mremap shrinking or
 * moving, brk shrinking, shmdt, vm_munmap() of drivers.  Its callers hold
 * the mmap_lock for writing, so the check below and the unmap it guards are
 * one step: a seal that returned before the unmap took the lock is seen.
 *
 * The range is validated exactly as the original validates it, and an
 * invalid one is passed through for the original to refuse with its own
 * errno, as upstream checks seals only after these checks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "compat.h"
#include "hook.h"
#include "mseal.h"

static bool mseal_munmap_denied(struct mm_struct *mm, unsigned long start,
				size_t len)
{
	if (offset_in_page(start) || start > TASK_SIZE ||
	    len > TASK_SIZE - start || !len)
		return false;
	return mseal_table_any_sealed(mm, start, start + PAGE_ALIGN(len));
}

#ifdef MSEAL_HAVE_DO_VMI_MUNMAP
static int (*mseal_orig_munmap)(struct vma_iterator *vmi,
				struct mm_struct *mm, unsigned long start,
				size_t len, struct list_head *uf, bool unlock);
static_assert(__same_type(mseal_orig_munmap, &do_vmi_munmap));

static int mseal_do_vmi_munmap(struct vma_iterator *vmi, struct mm_struct *mm,
			       unsigned long start, size_t len,
			       struct list_head *uf, bool unlock)
{
	int ret;

	mseal_hook_enter();
	if (mseal_munmap_denied(mm, start, len))
		ret = -EPERM;
	else
		ret = mseal_orig_munmap(vmi, mm, start, len, uf, unlock);
	mseal_hook_exit();
	return ret;
}

struct mseal_hook mseal_munmap_hook =
	MSEAL_HOOK("do_vmi_munmap", mseal_do_vmi_munmap, &mseal_orig_munmap);
#else
static int (*mseal_orig_munmap)(struct ma_state *mas, struct mm_struct *mm,
				unsigned long start, size_t len,
				struct list_head *uf, bool downgrade);
static_assert(__same_type(mseal_orig_munmap, &do_mas_munmap));

static int mseal_do_mas_munmap(struct ma_state *mas, struct mm_struct *mm,
			       unsigned long start, size_t len,
			       struct list_head *uf, bool downgrade)
{
	int ret;

	mseal_hook_enter();
	if (mseal_munmap_denied(mm, start, len))
		ret = -EPERM;
	else
		ret = mseal_orig_munmap(mas, mm, start, len, uf, downgrade);
	mseal_hook_exit();
	return ret;
}

struct mseal_hook mseal_munmap_hook =
	MSEAL_HOOK("do_mas_munmap", mseal_do_mas_munmap, &mseal_orig_munmap);
#endif
