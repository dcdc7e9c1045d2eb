// SPDX-License-Identifier: GPL-2.0
/*
 * madvise.c - refuse to discard sealed read-only anonymous memory
 * (SPEC 3.5), all or nothing (SPEC 3.8).
 *
 * A discarding advice on private anonymous memory that cannot be written
 * (no VM_WRITE, or write-disabled by a protection key) would let a process
 * zero memory it cannot otherwise change, so it is refused on sealed
 * memory; on writable, shared or file-backed memory it is allowed, as is
 * every other advice.
 *
 * madvise(2), process_madvise(2) and io_uring's IORING_OP_MADVISE all end
 * in do_madvise(), which takes the mmap_lock itself and walks the VMAs in
 * code the compiler inlines.  So the check runs before it, over the whole
 * range, while holding the mm's seal pin for reading: no seal can be added
 * between the check and the end of the call (SPEC 3.9).  What the check
 * reads of the VMAs cannot change meanwhile either: sealed VMAs can be
 * neither re-protected nor replaced.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mman.h>
#include <asm/mmu_context.h>

#include "compat.h"
#include "hook.h"
#include "mseal.h"

static bool mseal_madvise_discards(int behavior)
{
	switch (behavior) {
	case MADV_FREE:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_REMOVE:
	case MADV_DONTFORK:
	case MADV_WIPEONFORK:
		return true;
	default:
		return false;
	}
}

/* Private anonymous memory this task cannot write. */
static bool mseal_vma_ro_anon(struct vm_area_struct *vma)
{
	if (vma->vm_file || (vma->vm_flags & VM_SHARED))
		return false;
	return !(vma->vm_flags & VM_WRITE) ||
	       !arch_vma_access_permitted(vma, true, false, false);
}

/* Would discarding [start, end) of @mm hit sealed read-only memory? */
static bool mseal_discard_denied(struct mm_struct *mm, unsigned long start,
				 unsigned long end)
{
	unsigned long addr = start;

	while (addr < end) {
		struct vm_area_struct *vma = find_vma(mm, addr);

		if (!vma || vma->vm_start >= end)
			break;
		if (mseal_vma_ro_anon(vma) &&
		    mseal_table_any_sealed(mm, max(addr, vma->vm_start),
					   min(end, vma->vm_end)))
			return true;
		addr = vma->vm_end;
	}
	return false;
}

/*
 * 0 or -EPERM.  Arguments do_madvise() rejects are left for it to reject
 * with its own errno, as upstream checks seals after validating them.
 */
static int mseal_madvise_check(struct mm_struct *mm, unsigned long start,
			       size_t len_in)
{
	unsigned long end;
	size_t len;
	bool denied;

	start = untagged_addr(start);
	len = PAGE_ALIGN(len_in);
	end = start + len;
	if (!PAGE_ALIGNED(start) || (len_in && !len) || end <= start)
		return 0;
	/* Cheap for an mm that has sealed nothing: no mmap_lock. */
	if (!mseal_table_exists(mm))
		return 0;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	denied = mseal_discard_denied(mm, start, end);
	if (denied)
		mseal_denied(MSEAL_OP_MADVISE, mm, start, end);
	mmap_read_unlock(mm);
	return denied ? -EPERM : 0;
}

static int (*mseal_orig_do_madvise)(struct mm_struct *mm, unsigned long start,
				    size_t len_in, int behavior);
static_assert(__same_type(mseal_orig_do_madvise, &do_madvise));

static int mseal_do_madvise(struct mm_struct *mm, unsigned long start,
			    size_t len_in, int behavior)
{
	struct rw_semaphore *pin;
	int ret;

	mseal_hook_enter();
	if (mseal_madvise_discards(behavior)) {
		pin = mseal_table_pin(mm);
		ret = mseal_madvise_check(mm, start, len_in);
		if (!ret)
			ret = mseal_orig_do_madvise(mm, start, len_in,
						    behavior);
		mseal_table_unpin(pin);
	} else {
		ret = mseal_orig_do_madvise(mm, start, len_in, behavior);
	}
	mseal_hook_exit();
	return ret;
}

struct mseal_hook mseal_madvise_hook =
	MSEAL_HOOK("do_madvise", mseal_do_madvise, &mseal_orig_do_madvise);
