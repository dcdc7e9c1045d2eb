/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arch.h (arm64) - what hooks/ needs to know that differs per architecture.
 *
 * System calls (hooks/syscalls.h decodes them): AArch32 (compat) tasks use
 * the arm EABI table, and their arguments are 32 bits wide.
 */
#ifndef _MSEAL_ARCH_H
#define _MSEAL_ARCH_H

#include <linux/compat.h>
#include <asm/unistd.h>

/* Numbers from arch/arm/tools/syscall.tbl (stable ABI). */
#define MSEAL_COMPAT_NR_mprotect	125
#define MSEAL_COMPAT_NR_mremap		163
#define MSEAL_COMPAT_NR_pkey_mprotect	394

static inline bool mseal_arch_compat_syscall(void)
{
	return IS_ENABLED(CONFIG_COMPAT) && is_compat_task();
}

static inline int mseal_arch_native_nr(int nr)
{
	return nr;
}

/*
 * Skip the system call the task is entering (from a sys_enter probe): what
 * a ptrace tracer does by setting the number to NO_SYSCALL.
 */
static inline void mseal_arch_skip_syscall(struct pt_regs *regs)
{
	regs->syscallno = NO_SYSCALL;
}

/*
 * The special mappings that SPEC 5.1 seals, by the names the kernel gives
 * them: [sigpage] and [vectors] are those of AArch32 tasks; [uprobes] is
 * created lazily.
 */
#define MSEAL_ARCH_SYSMAP_NAMES \
	"[vdso]", "[vvar]", "[vvar_vclock]", "[uprobes]", "[sigpage]", \
	"[vectors]"

#endif /* _MSEAL_ARCH_H */
