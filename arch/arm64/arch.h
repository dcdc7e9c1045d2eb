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
#include <linux/ptrace.h>
#include <linux/uaccess.h>
#include <asm/unistd.h>

/* Numbers from arch/arm/tools/syscall.tbl (stable ABI). */
#define MSEAL_COMPAT_NR_mprotect	125
#define MSEAL_COMPAT_NR_mremap		163
#define MSEAL_COMPAT_NR_madvise		220
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

/* Set argument @n (0-based) of a function at its entry. */
static inline void mseal_arch_set_arg(struct pt_regs *regs, unsigned int n,
				      unsigned long val)
{
	if (n < 8)
		regs->regs[n] = val;
}

/*
 * Where may the module call a kernel function whose entry a kprobe found
 * at @addr?  With BTI in the kernel an indirect call must land on a BTI C
 * (or PACIASP/PACIBSP, which are landing pads too); the compiler may omit
 * it in a function whose address is never taken.  0 when the call would
 * fault.
 */
static inline unsigned long mseal_arch_call_target(unsigned long addr,
						   bool require_landing)
{
	u32 insn;

	if (!require_landing)
		return addr;
	if (copy_from_kernel_nofault(&insn, (void *)addr, sizeof(insn)))
		return 0;
	switch (insn) {
	case 0xd503245f:	/* bti c */
	case 0xd50324df:	/* bti jc */
	case 0xd503233f:	/* paciasp */
	case 0xd503237f:	/* pacibsp */
		return addr;
	default:
		return 0;
	}
}

#define MSEAL_ARCH_LANDING_PAD	IS_ENABLED(CONFIG_ARM64_BTI_KERNEL)
#define MSEAL_ARCH_LANDING_NAME	"BTI"

/*
 * The ftrace location of a function a kprobe found at @addr: with
 * patchable function entries, "mov x9, x30" then the patched call (a NOP
 * while nobody traces it), after a BTI C if the function has one.
 */
static inline unsigned long mseal_arch_ftrace_site(unsigned long addr)
{
	unsigned long site;
	u32 insn;

	for (site = addr + 4; site <= addr + 8; site += 4) {
		if (copy_from_kernel_nofault(&insn, (void *)(site - 4),
					     sizeof(insn)))
			return 0;
		if (insn == 0xaa1e03e9)		/* mov x9, x30 */
			return site;
	}
	return 0;
}

/* mseal(2)'s entry, and how it reads its arguments. */
#define MSEAL_ARCH_SYS_MSEAL	"__arm64_sys_mseal"

/*
 * madvise(2)'s entry (hooked where it may bypass do_madvise()'s); compat
 * tasks use the same one.
 */
#define MSEAL_ARCH_SYS_MADVISE	"__arm64_sys_madvise"

static inline void mseal_arch_syscall_args(struct pt_regs *regs,
					   unsigned long a0, unsigned long a1,
					   unsigned long a2)
{
	regs->regs[0] = a0;
	regs->regs[1] = a1;
	regs->regs[2] = a2;
}

#endif /* _MSEAL_ARCH_H */
