// SPDX-License-Identifier: GPL-2.0
/*
 * request.c - decoding the system call behind a hooked call.
 *
 * The arguments are read from the task's saved user registers
 * (hooks/syscalls.h).
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
 * pieces: mprotect()/pkey_mprotect() (their range) and mremap() (its source
 * and, with MREMAP_FIXED, its destination; the old address is untagged, the
 * new one is not, as mremap itself does).
 */
static bool mseal_request_decode(struct mm_struct *mm,
				 struct mseal_request *req)
{
	struct pt_regs *regs;

	if (mm != current->mm)
		return false;
	regs = current_pt_regs();
	req->nr = 0;
	switch (mseal_syscall(regs)) {
	case MSEAL_SYS_MPROTECT:
	case MSEAL_SYS_PKEY_MPROTECT:
		mseal_request_add(req,
				  untagged_addr(mseal_syscall_arg(regs, 0)),
				  mseal_syscall_arg(regs, 1));
		return true;
	case MSEAL_SYS_MREMAP:
		mseal_request_add(req,
				  untagged_addr(mseal_syscall_arg(regs, 0)),
				  mseal_syscall_arg(regs, 1));
		if (mseal_syscall_arg(regs, 3) & MREMAP_FIXED)
			mseal_request_add(req, mseal_syscall_arg(regs, 4),
					  mseal_syscall_arg(regs, 2));
		return true;
	default:
		return false;
	}
}

enum mseal_op mseal_request_op(struct mm_struct *mm, enum mseal_op op)
{
	if (mm == current->mm &&
	    mseal_syscall(current_pt_regs()) == MSEAL_SYS_MREMAP)
		return MSEAL_OP_MREMAP;
	return op;
}

bool mseal_request_system_range(struct mm_struct *mm, unsigned long *start,
				unsigned long *end)
{
	struct mseal_request req;
	unsigned int i;

	if (!mseal_request_decode(mm, &req))
		return false;
	for (i = 0; i < req.nr; i++) {
		if (__mseal_table_any_system(mm, req.range[i].start,
					     req.range[i].end)) {
			*start = req.range[i].start;
			*end = req.range[i].end;
			return true;
		}
	}
	return false;
}

bool mseal_request_denied(struct mm_struct *mm)
{
	struct mseal_request req;
	unsigned int i;

	if (!static_branch_unlikely(&mseal_tables_in_use) ||
	    !mseal_request_decode(mm, &req))
		return false;
	for (i = 0; i < req.nr; i++)
		if (__mseal_table_any_sealed(mm, req.range[i].start,
					     req.range[i].end))
			return true;
	return false;
}
