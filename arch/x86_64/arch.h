/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arch.h (x86_64) - which system call the current task is in.
 *
 * Hooks that guard one piece of a larger operation (mprotect_fixup() once
 * per VMA, the unmaps inside mremap()) read the whole user request from
 * the syscall registers.  64-bit and x32 tasks use the native numbers (x32 with
 * __X32_SYSCALL_BIT set), ia32 tasks the i386 table, whose arguments are
 * 32 bits wide.
 */
#ifndef _MSEAL_ARCH_H
#define _MSEAL_ARCH_H

#include <linux/compat.h>
#include <linux/ptrace.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "syscalls.h"

/* Numbers from arch/x86/entry/syscalls/syscall_32.tbl (stable ABI). */
#define MSEAL_IA32_NR_mprotect		125
#define MSEAL_IA32_NR_mremap		163
#define MSEAL_IA32_NR_pkey_mprotect	380

static inline enum mseal_syscall mseal_arch_syscall(struct pt_regs *regs)
{
	int nr = syscall_get_nr(current, regs);

#ifdef CONFIG_IA32_EMULATION
	if (in_ia32_syscall()) {
		switch (nr) {
		case MSEAL_IA32_NR_mprotect:
			return MSEAL_SYS_MPROTECT;
		case MSEAL_IA32_NR_pkey_mprotect:
			return MSEAL_SYS_PKEY_MPROTECT;
		case MSEAL_IA32_NR_mremap:
			return MSEAL_SYS_MREMAP;
		default:
			return MSEAL_SYS_OTHER;
		}
	}
#endif
#ifdef __X32_SYSCALL_BIT
	nr &= ~__X32_SYSCALL_BIT;
#endif
	switch (nr) {
	case __NR_mprotect:
		return MSEAL_SYS_MPROTECT;
	case __NR_pkey_mprotect:
		return MSEAL_SYS_PKEY_MPROTECT;
	case __NR_mremap:
		return MSEAL_SYS_MREMAP;
	default:
		return MSEAL_SYS_OTHER;
	}
}

static inline unsigned long mseal_arch_syscall_arg(struct pt_regs *regs,
						   unsigned int n)
{
	unsigned long args[6];

	syscall_get_arguments(current, regs, args);
#ifdef CONFIG_IA32_EMULATION
	if (in_ia32_syscall())
		return (u32)args[n];
#endif
	return args[n];
}

/*
 * The special mappings that SPEC 5.1 seals, by the names the kernel gives
 * them ([vvar_vclock] exists from 6.13; [uprobes] is created lazily).
 */
#define MSEAL_ARCH_SYSMAP_NAMES \
	"[vdso]", "[vvar]", "[vvar_vclock]", "[uprobes]"

#endif /* _MSEAL_ARCH_H */
