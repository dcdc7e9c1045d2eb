/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syscalls.h - which system call the current task is in, and its arguments.
 *
 * Hooks that guard one piece of a larger operation (mprotect_fixup() once
 * per VMA, the unmaps inside mremap()) read the whole user request from
 * the task's saved user registers, which stay as they were at entry for
 * the whole call.  The calls are named here independently of any
 * architecture; arch/<arch>/arch.h gives the compat numbers and tells a
 * compat call from a native one.
 */
#ifndef _MSEAL_SYSCALLS_H
#define _MSEAL_SYSCALLS_H

#include <linux/ptrace.h>
#include <linux/sched.h>
#include <asm/syscall.h>

#include "arch.h"

/* mseal(2) has this number in every table: native, x32, i386, arm EABI. */
#define MSEAL_NR_mseal		462

enum mseal_syscall {
	MSEAL_SYS_OTHER,
	MSEAL_SYS_MPROTECT,
	MSEAL_SYS_PKEY_MPROTECT,
	MSEAL_SYS_MREMAP,
	MSEAL_SYS_MADVISE,
};

static inline enum mseal_syscall mseal_syscall(struct pt_regs *regs)
{
	int nr = syscall_get_nr(current, regs);

	if (mseal_arch_compat_syscall()) {
		switch (nr) {
		case MSEAL_COMPAT_NR_mprotect:
			return MSEAL_SYS_MPROTECT;
		case MSEAL_COMPAT_NR_pkey_mprotect:
			return MSEAL_SYS_PKEY_MPROTECT;
		case MSEAL_COMPAT_NR_mremap:
			return MSEAL_SYS_MREMAP;
		case MSEAL_COMPAT_NR_madvise:
			return MSEAL_SYS_MADVISE;
		default:
			return MSEAL_SYS_OTHER;
		}
	}
	switch (mseal_arch_native_nr(nr)) {
	case __NR_mprotect:
		return MSEAL_SYS_MPROTECT;
	case __NR_pkey_mprotect:
		return MSEAL_SYS_PKEY_MPROTECT;
	case __NR_mremap:
		return MSEAL_SYS_MREMAP;
	case __NR_madvise:
		return MSEAL_SYS_MADVISE;
	default:
		return MSEAL_SYS_OTHER;
	}
}

static inline unsigned long mseal_syscall_arg(struct pt_regs *regs,
					      unsigned int n)
{
	unsigned long args[6];

	syscall_get_arguments(current, regs, args);
	return mseal_arch_compat_syscall() ? (u32)args[n] : args[n];
}

#endif /* _MSEAL_SYSCALLS_H */
