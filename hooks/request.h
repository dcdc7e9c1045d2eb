/* SPDX-License-Identifier: GPL-2.0 */
/*
 * request.h - the user request behind a hooked call.
 */
#ifndef _MSEAL_REQUEST_H
#define _MSEAL_REQUEST_H

#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <linux/types.h>
#include <linux/uaccess.h>

#include "mseal.h"
#include "syscalls.h"

struct mm_struct;

/*
 * Does the system call the current task is in ask to change sealed memory
 * of @mm?  Covers the calls that reach the hooked functions in pieces:
 * mprotect()/pkey_mprotect() (one mprotect_fixup() per VMA), mremap()
 * (which may unmap its destination and the tail of its source before it
 * looks at the source) and madvise() with a discarding advice (one check
 * per VMA), so that the first piece already refuses the whole call and
 * nothing is changed (SPEC 3.8).  Any other call: false.  mmap_lock held;
 * @hint, a VMA of the operation or NULL, spares a lookup.
 */
bool mseal_request_denied(struct mm_struct *mm, struct vm_area_struct *hint);

/*
 * The fast path of the per-VMA hooks of a marked mm, where @vma is not
 * sealed: is the current task in mprotect()/pkey_mprotect() (@madvise
 * false) or madvise() (true) with a range that lies wholly inside @vma?
 * Then nothing the call asks to change is sealed: what
 * mseal_request_denied() would find, without looking at any other VMA.
 * False whenever unsure; the caller then takes the full check.
 */
static __always_inline bool mseal_request_inside(struct vm_area_struct *vma,
						 bool madvise)
{
	struct pt_regs *regs = current_pt_regs();
	enum mseal_syscall call = mseal_syscall(regs);
	unsigned long start, end;

	if (madvise ? call != MSEAL_SYS_MADVISE :
		      call != MSEAL_SYS_MPROTECT &&
		      call != MSEAL_SYS_PKEY_MPROTECT)
		return false;
	/* As mseal_request_denied() decodes it. */
	start = untagged_addr(mseal_syscall_arg(regs, 0));
	end = start + PAGE_ALIGN(mseal_syscall_arg(regs, 1));
	return start < end && vma->vm_start <= start && end <= vma->vm_end;
}

/* Is the current task in mremap(2)? */
bool mseal_request_is_mremap(struct mm_struct *mm);

/*
 * The operation to count a denial under: a hook that guards pieces of
 * several calls (the unmap inside mremap()) counts the call, not @op.
 */
enum mseal_op mseal_request_op(struct mm_struct *mm, enum mseal_op op);

/*
 * Does the request the current task is in touch a sealed system mapping
 * of @mm?  If so, sets [*start, *end) to the part of the request that
 * does.  mmap_lock held.
 */
bool mseal_request_system_range(struct mm_struct *mm, unsigned long *start,
				unsigned long *end);

/* Would @behavior discard memory (SPEC 3.5)? */
bool mseal_madvise_discards(int behavior);

/*
 * Would discarding [start, end) of @mm hit sealed read-only anonymous
 * memory?  mmap_lock held.
 */
bool mseal_discard_denied(struct mm_struct *mm, struct vm_area_struct *hint,
			  unsigned long start, unsigned long end);

#endif /* _MSEAL_REQUEST_H */
