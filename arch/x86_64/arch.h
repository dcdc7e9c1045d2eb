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
#include <linux/kernel.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/unistd.h>

#include "direct.h"

/* Numbers from arch/x86/entry/syscalls/syscall_32.tbl (stable ABI). */
#define MSEAL_COMPAT_NR_mprotect	125
#define MSEAL_COMPAT_NR_mremap		163
#define MSEAL_COMPAT_NR_madvise		219
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

/*
 * With DYNAMIC_FTRACE_WITH_ARGS, struct ftrace_regs wraps a struct pt_regs
 * holding the argument registers and the ip (compat.h).
 */
#define MSEAL_ARCH_FTRACE_ARGS_PT_REGS

/* Set argument @n (0-based) of a function at its entry. */
static inline void mseal_arch_set_arg(struct pt_regs *regs, unsigned int n,
				      unsigned long val)
{
	switch (n) {
	case 0:
		regs->di = val;
		break;
	case 1:
		regs->si = val;
		break;
	case 2:
		regs->dx = val;
		break;
	case 3:
		regs->cx = val;
		break;
	case 4:
		regs->r8 = val;
		break;
	case 5:
		regs->r9 = val;
		break;
	}
}

/*
 * Where may the module call a kernel function whose entry a kprobe found
 * at @addr?  With IBT an indirect call must land on ENDBR, and the kernel
 * seals (overwrites) the ENDBR of every function whose address it never
 * takes: a kprobe then reports the function's first byte, past which there
 * is no ENDBR to land on.  0 when the call would fault.
 */
static inline unsigned long mseal_arch_call_target(unsigned long addr,
						   bool require_landing)
{
	u32 insn;

	if (!require_landing)
		return addr;
	/* A kprobe on a function that starts with ENDBR reports +4. */
	if (copy_from_kernel_nofault(&insn, (void *)(addr - 4), sizeof(insn)))
		return 0;
	return insn == 0xfa1e0ff3 ? addr - 4 : 0;	/* endbr64 */
}

#define MSEAL_ARCH_LANDING_PAD	IS_ENABLED(CONFIG_X86_KERNEL_IBT)
#define MSEAL_ARCH_LANDING_NAME	"ENDBR"

/*
 * The ftrace location of a function a kprobe found at @addr: its first
 * instruction (after ENDBR, which the kprobe already skipped), the 5-byte
 * call to __fentry__ that ftrace keeps as a NOP while nobody traces it.
 */
static inline unsigned long mseal_arch_ftrace_site(unsigned long addr)
{
	/*
	 * The single-instruction 5-byte NOPs ftrace may write: P6 (always
	 * since 5.13), and before, per CPU vendor, K8 and K7/generic.
	 */
	static const u8 nops[][5] = {
		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },	/* nopl 0(%rax,%rax) */
		{ 0x66, 0x66, 0x66, 0x66, 0x90 },	/* K8_NOP5_ATOMIC */
		{ 0x3e, 0x8d, 0x74, 0x26, 0x00 },	/* K7/generic */
	};
	u8 insn[5];
	unsigned int i;

	if (copy_from_kernel_nofault(insn, (void *)addr, sizeof(insn)))
		return 0;
	if (insn[0] == 0xe8)				/* call */
		return addr;
	for (i = 0; i < ARRAY_SIZE(nops); i++)
		if (!memcmp(insn, nops[i], sizeof(insn)))
			return addr;
	return 0;
}

/* mseal(2)'s entry, and how it reads its arguments. */
#define MSEAL_ARCH_SYS_MSEAL	"__x64_sys_mseal"

/* madvise(2)'s entries (hooked where it may bypass do_madvise()'s) */
#define MSEAL_ARCH_SYS_MADVISE	"__x64_sys_madvise"
#ifdef CONFIG_IA32_EMULATION
#define MSEAL_ARCH_COMPAT_SYS_MADVISE	"__ia32_sys_madvise"
#endif

static inline void mseal_arch_syscall_args(struct pt_regs *regs,
					   unsigned long a0, unsigned long a1,
					   unsigned long a2)
{
	regs->di = a0;
	regs->si = a1;
	regs->dx = a2;
}

#endif /* _MSEAL_ARCH_H */
