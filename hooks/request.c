// SPDX-License-Identifier: GPL-2.0
/*
 * request.c - decoding the system call behind a hooked call.
 *
 * The arguments are read from the task's saved user registers
 * (hooks/syscalls.h), which stay as they were at entry for the whole call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/task_stack.h>

#include "syscalls.h"
#include "mseal.h"
#include "request.h"

/* The ranges of @mm a system call asks to change, page aligned. */
struct mseal_request {
	enum mseal_syscall call;
	unsigned int nr;
	struct {
		unsigned long start;
		unsigned long end;
	} range[2];
};

static void mseal_request_add(struct mseal_request *req, unsigned long addr,
			      unsigned long len)
{
	unsigned long end = addr + PAGE_ALIGN(len);

	if (end > addr) {
		req->range[req->nr].start = addr;
		req->range[req->nr].end = end;
		req->nr++;
	}
}

/*
 * Decode the current system call if it is one that reaches the hooks in
 * pieces: mprotect()/pkey_mprotect() and madvise() (their range), mremap()
 * (its source, and with MREMAP_FIXED its destination; the old address is
 * untagged, the new one is not, as mremap itself does).  A source of
 * length 0 (which would make an alias) is the VMA at its address.
 */
static bool mseal_request_decode(struct mm_struct *mm,
				 struct mseal_request *req)
{
	struct pt_regs *regs;
	unsigned long addr;

	if (mm != current->mm || (current->flags & PF_KTHREAD))
		return false;
	regs = current_pt_regs();
	req->nr = 0;
	req->call = mseal_syscall(regs);
	switch (req->call) {
	case MSEAL_SYS_MPROTECT:
	case MSEAL_SYS_PKEY_MPROTECT:
	case MSEAL_SYS_MADVISE:
		mseal_request_add(req,
				  untagged_addr(mseal_syscall_arg(regs, 0)),
				  mseal_syscall_arg(regs, 1));
		return true;
	case MSEAL_SYS_MREMAP:
		addr = untagged_addr(mseal_syscall_arg(regs, 0));
		mseal_request_add(req, addr,
				  mseal_syscall_arg(regs, 1) ?: 1);
		if (mseal_syscall_arg(regs, 3) & MREMAP_FIXED)
			mseal_request_add(req, mseal_syscall_arg(regs, 4),
					  mseal_syscall_arg(regs, 2));
		return true;
	default:
		return false;
	}
}

bool mseal_request_is_mremap(struct mm_struct *mm)
{
	return mm == current->mm && !(current->flags & PF_KTHREAD) &&
	       mseal_syscall(current_pt_regs()) == MSEAL_SYS_MREMAP;
}

enum mseal_op mseal_request_op(struct mm_struct *mm, enum mseal_op op)
{
	return mseal_request_is_mremap(mm) ? MSEAL_OP_MREMAP : op;
}

bool mseal_madvise_discards(int behavior)
{
	switch (behavior) {
	case MADV_FREE:
	case MADV_DONTNEED:
#ifdef MADV_DONTNEED_LOCKED
	case MADV_DONTNEED_LOCKED:	/* 5.18+ */
#endif
	case MADV_REMOVE:
	case MADV_DONTFORK:
	case MADV_WIPEONFORK:
		return true;
	default:
		return false;
	}
}

bool mseal_discard_denied(struct mm_struct *mm, struct vm_area_struct *hint,
			  unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma;

	for (vma = mseal_vma_at(mm, hint, start); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end)) {
		if (mseal_vma_sealed(vma) && mseal_vma_ro_anon(vma))
			return true;
		if (vma->vm_end >= end)
			break;
	}
	return false;
}

/* Does range @i of @req touch what the request may not change? */
static bool mseal_request_range_denied(struct mm_struct *mm,
				       struct vm_area_struct *hint,
				       struct mseal_request *req,
				       unsigned int i)
{
	unsigned long start = req->range[i].start, end = req->range[i].end;

	if (req->call != MSEAL_SYS_MADVISE)
		return mseal_range_sealed(mm, hint, start, end);
	return mseal_madvise_discards(mseal_syscall_arg(current_pt_regs(), 2)) &&
	       mseal_discard_denied(mm, hint, start, end);
}

bool mseal_request_denied(struct mm_struct *mm, struct vm_area_struct *hint)
{
	struct mseal_request req;
	unsigned int i;

	if (!mseal_request_decode(mm, &req))
		return false;
	for (i = 0; i < req.nr; i++)
		if (mseal_request_range_denied(mm, hint, &req, i))
			return true;
	return false;
}

static bool mseal_range_system(struct mm_struct *mm, unsigned long start,
			       unsigned long end)
{
	struct vm_area_struct *vma;

	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end))
		if (mseal_vma_sealed(vma) && mseal_vma_is_sysmap(vma))
			return true;
	return false;
}

bool mseal_request_system_range(struct mm_struct *mm, unsigned long *start,
				unsigned long *end)
{
	struct mseal_request req;
	unsigned int i;

	if (mseal_range_system(mm, *start, *end))
		return true;
	if (!mseal_request_decode(mm, &req))
		return false;
	for (i = 0; i < req.nr; i++) {
		if (mseal_range_system(mm, req.range[i].start,
				       req.range[i].end)) {
			*start = req.range[i].start;
			*end = req.range[i].end;
			return true;
		}
	}
	return false;
}
