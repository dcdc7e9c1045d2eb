/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arch.h (x86_64) - what hooks/ needs to know that differs per architecture.
 *
 * System calls (hooks/syscalls.h decodes them): 64-bit and x32 tasks use
 * the native numbers (x32 with __X32_SYSCALL_BIT set); ia32 tasks use the
 * i386 table, and their arguments are 32 bits wide.
 */
#ifndef _MSEAL_ARCH_H
#define _MSEAL_ARCH_H

#include <linux/compat.h>
#include <asm/unistd.h>

/* Numbers from arch/x86/entry/syscalls/syscall_32.tbl (stable ABI). */
#define MSEAL_COMPAT_NR_mprotect	125
#define MSEAL_COMPAT_NR_mremap		163
#define MSEAL_COMPAT_NR_pkey_mprotect	380

static inline bool mseal_arch_compat_syscall(void)
{
	return IS_ENABLED(CONFIG_IA32_EMULATION) && in_ia32_syscall();
}

static inline int mseal_arch_native_nr(int nr)
{
#ifdef __X32_SYSCALL_BIT
	nr &= ~__X32_SYSCALL_BIT;
#endif
	return nr;
}

/*
 * Skip the system call the task is entering (from a sys_enter probe): what
 * a ptrace tracer does by setting the number to -1.
 */
static inline void mseal_arch_skip_syscall(struct pt_regs *regs)
{
	regs->orig_ax = -1;
}

/*
 * The special mappings that SPEC 5.1 seals, by the names the kernel gives
 * them ([vvar_vclock] exists from 6.13; [uprobes] is created lazily).
 */
#define MSEAL_ARCH_SYSMAP_NAMES \
	"[vdso]", "[vvar]", "[vvar_vclock]", "[uprobes]"

#endif /* _MSEAL_ARCH_H */
