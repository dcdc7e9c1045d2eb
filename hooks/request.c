// SPDX-License-Identifier: GPL-2.0
/*
 * request.c - decoding the system call behind a hooked call.
 *
 * The arguments are read from the task's saved user registers, which stay
 * as they were at entry for the whole call; arch/<arch>/arch.h knows the
 * numbers and the calling convention, including compat tasks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/task_stack.h>

#include "arch.h"
#include "mseal.h"
#include "request.h"

/* Is any byte of [addr, addr + PAGE_ALIGN(len)) sealed in @mm? */
static bool mseal_user_range_sealed(struct mm_struct *mm, unsigned long addr,
				    unsigned long len)
{
	unsigned long end = addr + PAGE_ALIGN(len);

	return end > addr && __mseal_table_any_sealed(mm, addr, end);
}

/* Does [addr, addr + PAGE_ALIGN(len)) hold a system seal of @mm? */
static bool mseal_user_range_system(struct mm_struct *mm, unsigned long addr,
				    unsigned long len, unsigned long *start,
				    unsigned long *end)
{
	unsigned long last = addr + PAGE_ALIGN(len);

	if (last <= addr || !__mseal_table_any_system(mm, addr, last))
		return false;
	*start = addr;
	*end = last;
	return true;
}

enum mseal_op mseal_request_op(struct mm_struct *mm, enum mseal_op op)
{
	if (mm == current->mm &&
	    mseal_arch_syscall(current_pt_regs()) == MSEAL_SYS_MREMAP)
		return MSEAL_OP_MREMAP;
	return op;
}

bool mseal_request_system_range(struct mm_struct *mm, unsigned long *start,
				unsigned long *end)
{
	struct pt_regs *regs;
	unsigned long addr;

	if (mm != current->mm)
		return false;

	regs = current_pt_regs();
	switch (mseal_arch_syscall(regs)) {
	case MSEAL_SYS_MPROTECT:
	case MSEAL_SYS_PKEY_MPROTECT:
		addr = untagged_addr(mseal_arch_syscall_arg(regs, 0));
		return mseal_user_range_system(mm, addr,
					       mseal_arch_syscall_arg(regs, 1),
					       start, end);
	case MSEAL_SYS_MREMAP:
		addr = untagged_addr(mseal_arch_syscall_arg(regs, 0));
		if (mseal_user_range_system(mm, addr,
					    mseal_arch_syscall_arg(regs, 1),
					    start, end))
			return true;
		if (!(mseal_arch_syscall_arg(regs, 3) & MREMAP_FIXED))
			return false;
		return mseal_user_range_system(mm,
					       mseal_arch_syscall_arg(regs, 4),
					       mseal_arch_syscall_arg(regs, 2),
					       start, end);
	default:
		return false;
	}
}

bool mseal_request_denied(struct mm_struct *mm)
{
	struct pt_regs *regs;
	unsigned long addr;

	if (!static_branch_unlikely(&mseal_tables_in_use) ||
	    mm != current->mm)
		return false;

	regs = current_pt_regs();
	switch (mseal_arch_syscall(regs)) {
	case MSEAL_SYS_MPROTECT:
	case MSEAL_SYS_PKEY_MPROTECT:
		addr = untagged_addr(mseal_arch_syscall_arg(regs, 0));
		return mseal_user_range_sealed(mm, addr,
					       mseal_arch_syscall_arg(regs, 1));
	case MSEAL_SYS_MREMAP:
		/* Source: the old address is untagged, the new one is not. */
		addr = untagged_addr(mseal_arch_syscall_arg(regs, 0));
		if (mseal_user_range_sealed(mm, addr,
					    mseal_arch_syscall_arg(regs, 1)))
			return true;
		if (!(mseal_arch_syscall_arg(regs, 3) & MREMAP_FIXED))
			return false;
		return mseal_user_range_sealed(mm,
					       mseal_arch_syscall_arg(regs, 4),
					       mseal_arch_syscall_arg(regs, 2));
	default:
		return false;
	}
}
