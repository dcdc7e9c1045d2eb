// SPDX-License-Identifier: GPL-2.0
/*
 * offsets.c (x86_64) - the structure offsets and constants the direct-call
 * trampolines (direct.S) use, generated into mseal-offsets.h at build
 * time the way the kernel's asm-offsets are (Kbuild).  Never linked.
 */
#define COMPILE_OFFSETS

#include <linux/kbuild.h>
#include <linux/mm_types.h>
#include <linux/mman.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <asm/thread_info.h>
#include <asm/unistd.h>

#include "direct.h"
#include "mmf.h"
#include "mseal.h"

/*
 * The discarding advice of mseal_madvise_discards() (hooks/request.c), and
 * those of them whose per-VMA hook covers a madvise(2) call
 * (hooks/madvise.c: mseal_madvise_flags()), as bit masks.
 */
#ifdef MADV_DONTNEED_LOCKED
#define MSEAL_MADV_LOCKED	BIT(MADV_DONTNEED_LOCKED)
#else
#define MSEAL_MADV_LOCKED	0
#endif
#define MSEAL_MADV_UNHOOKED \
	(BIT(MADV_REMOVE) | BIT(MADV_DONTFORK) | BIT(MADV_WIPEONFORK))
#define MSEAL_MADV_DISCARDS \
	(BIT(MADV_FREE) | BIT(MADV_DONTNEED) | MSEAL_MADV_LOCKED | \
	 MSEAL_MADV_UNHOOKED)

int main(void)
{
#ifdef MSEAL_FTRACE_DIRECT
	/* The mark: one bit of mm->flags, tested as one byte. */
	OFFSET(MSEAL_MM_FLAGS, mm_struct, flags);
	OFFSET(MSEAL_VMA_MM, vm_area_struct, vm_mm);
	DEFINE(MSEAL_MMF_SEALED_BYTE, MSEAL_MMF_SEALED / 8);
	DEFINE(MSEAL_MMF_SEALED_MASK, 1 << (MSEAL_MMF_SEALED & 7));
	BLANK();
	/* The frame a callback gets: a struct pt_regs. */
	DEFINE(MSEAL_PT_SIZE, sizeof(struct pt_regs));
	OFFSET(MSEAL_PT_DI, pt_regs, di);
	OFFSET(MSEAL_PT_SI, pt_regs, si);
	OFFSET(MSEAL_PT_DX, pt_regs, dx);
	OFFSET(MSEAL_PT_CX, pt_regs, cx);
	OFFSET(MSEAL_PT_R8, pt_regs, r8);
	OFFSET(MSEAL_PT_R9, pt_regs, r9);
	OFFSET(MSEAL_PT_IP, pt_regs, ip);
	OFFSET(MSEAL_PT_SP, pt_regs, sp);
	BLANK();
	/*
	 * The request fast path: the VMA's range and seal, the current
	 * task's system call (its user registers: task_pt_regs(), at the top
	 * of its stack), compat or not (in_ia32_syscall()).
	 */
	OFFSET(MSEAL_VMA_START, vm_area_struct, vm_start);
	OFFSET(MSEAL_VMA_END, vm_area_struct, vm_end);
	OFFSET(MSEAL_VMA_FLAGS, vm_area_struct, vm_flags);
	DEFINE(MSEAL_VM_SEALED_BYTE, __builtin_ctzl(MSEAL_VM_SEALED) / 8);
	DEFINE(MSEAL_VM_SEALED_MASK, 1 << (__builtin_ctzl(MSEAL_VM_SEALED) & 7));
	OFFSET(MSEAL_TASK_STACK, task_struct, stack);
	OFFSET(MSEAL_TASK_FLAGS, task_struct, flags);
	DEFINE(MSEAL_PF_NO_SYSCALL, PF_KTHREAD | PF_IO_WORKER);
	OFFSET(MSEAL_TASK_TI_STATUS, task_struct, thread_info.status);
	DEFINE(MSEAL_TS_COMPAT, IS_ENABLED(CONFIG_IA32_EMULATION) ? TS_COMPAT : 0);
	DEFINE(MSEAL_STACK_PT_REGS,
	       THREAD_SIZE - TOP_OF_KERNEL_STACK_PADDING - sizeof(struct pt_regs));
	OFFSET(MSEAL_PT_ORIG_AX, pt_regs, orig_ax);
	DEFINE(MSEAL_NR_MPROTECT, __NR_mprotect);
	DEFINE(MSEAL_NR_PKEY_MPROTECT, __NR_pkey_mprotect);
	DEFINE(MSEAL_NR_MADVISE, __NR_madvise);
	DEFINE(MSEAL_MADV_DISCARDS, MSEAL_MADV_DISCARDS);
	DEFINE(MSEAL_MADV_VMA_HOOKED,
	       MSEAL_MADVISE_SYSCALL_HOOKED ? MSEAL_MADV_DISCARDS :
	       MSEAL_MADV_DISCARDS & ~MSEAL_MADV_UNHOOKED);
	DEFINE(MSEAL_PAGE_SIZE, PAGE_SIZE);
#endif
	return 0;
}
