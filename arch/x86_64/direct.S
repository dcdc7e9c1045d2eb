/* SPDX-License-Identifier: GPL-2.0 */
/*
 * direct.S (x86_64) - the hooks as ftrace direct calls (direct.h).
 *
 * The fentry call of a hooked function reaches its trampoline here
 * directly (or, while another ftrace user traces the same function,
 * through ftrace's own trampoline, which then returns into this one as if
 * called from the function).  On entry the argument registers are the
 * function's, 0(%rsp) is the return address into the function (past the
 * fentry call) and 8(%rsp) the function's return address to its caller.
 *
 * Fast path: read the mm (an argument register, or the vm_mm of a VMA
 * argument), test the mark bit of its mm->flags, return when clear.  %rax
 * is the only scratch register used: no hooked function is variadic.
 *
 * Slow path: save the argument registers in a struct pt_regs on the
 * stack (regs->ip the return address into the function, regs->sp the
 * stack at its entry), call the hook's C callback (<hook>_cb) with it,
 * restore the (possibly changed) arguments and write regs->ip back over
 * the return address: a callback that diverted the call set it to a
 * refusal stub, and the `ret` below then enters the stub instead of the
 * function body, with the stack as at the function's entry, so that the
 * stub returns to the function's caller.  The function itself never runs.
 *
 * Request fast path, for the hooks a process that holds a seal calls most
 * (mprotect_fixup(), the per-VMA madvise checks, do_madvise()): before the
 * slow path, the same tests as the C fast path (hooks/request.h:
 * mseal_request_inside(); hooks/madvise.c: mseal_madvise_flags()) in a
 * few loads, so that an mprotect() or madvise() of one unsealed VMA in a
 * sealed process does not build a pt_regs nor call C.  They read the
 * current task's system call from its user registers (task_pt_regs(), at
 * the top of its stack; the number in orig_ax, compat if TS_COMPAT) and
 * may only ever allow: whatever they are unsure of goes to the slow path.
 * x86_64 has no address tags before LAM (6.4), so untagged_addr() is the
 * identity on every kernel with these direct calls.  %rax, %r10 and %r11
 * are scratch: the fentry call keeps only the argument registers live, as
 * ftrace's own trampoline (which clobbers the others) shows.
 *
 * Hooks that must run for every mm (or find their mm in current->mm)
 * always take the slow path.  The trampolines exist only for the hooks
 * this build has (the #ifs mirror hooks/hook.c's table).
 */
#include <linux/linkage.h>
#include <asm/percpu.h>

#include "direct.h"
#include "mseal-offsets.h"

#ifdef MSEAL_FTRACE_DIRECT

.macro MSEAL_SLOW cb
	subq	$MSEAL_PT_SIZE, %rsp
	movq	%rdi, MSEAL_PT_DI(%rsp)
	movq	%rsi, MSEAL_PT_SI(%rsp)
	movq	%rdx, MSEAL_PT_DX(%rsp)
	movq	%rcx, MSEAL_PT_CX(%rsp)
	movq	%r8, MSEAL_PT_R8(%rsp)
	movq	%r9, MSEAL_PT_R9(%rsp)
	movq	MSEAL_PT_SIZE(%rsp), %rax
	movq	%rax, MSEAL_PT_IP(%rsp)
	leaq	MSEAL_PT_SIZE+8(%rsp), %rax
	movq	%rax, MSEAL_PT_SP(%rsp)
	movq	%rsp, %rdi
	call	\cb\()_cb
	movq	MSEAL_PT_IP(%rsp), %rax
	movq	%rax, MSEAL_PT_SIZE(%rsp)
	movq	MSEAL_PT_DI(%rsp), %rdi
	movq	MSEAL_PT_SI(%rsp), %rsi
	movq	MSEAL_PT_DX(%rsp), %rdx
	movq	MSEAL_PT_CX(%rsp), %rcx
	movq	MSEAL_PT_R8(%rsp), %r8
	movq	MSEAL_PT_R9(%rsp), %r9
	addq	$MSEAL_PT_SIZE, %rsp
	RET
.endm

/* Return at once unless the mm in register \mm is marked. */
.macro MSEAL_MARKED cb, mm
	testb	$MSEAL_MMF_SEALED_MASK, MSEAL_MM_FLAGS+MSEAL_MMF_SEALED_BYTE(\mm)
	jnz	.Lslow_\cb
	RET
.Lslow_\cb:
	MSEAL_SLOW \cb
.endm

/*
 * The current task, or a pointer past the top of its stack to its user
 * registers, into %r11.
 */
.macro MSEAL_CURRENT
	movq	PER_CPU_VAR(current_task), %r11
.endm
.macro MSEAL_USER_REGS
	movq	MSEAL_TASK_STACK(%r11), %r11
.endm
#define MSEAL_USER(field)	MSEAL_STACK_PT_REGS+MSEAL_PT_##field(%r11)

/* Jump to \slow if %r11, the current task, is in a compat system call. */
.macro MSEAL_NOT_COMPAT slow
#if MSEAL_TS_COMPAT
	testl	$MSEAL_TS_COMPAT, MSEAL_TASK_TI_STATUS(%r11)
	jnz	\slow
#endif
.endm

/*
 * Return at once if the VMA in register \vma is not sealed and the
 * current task is in the native system call \nr1 or \nr2 (the address
 * and length its first two arguments) with a range wholly inside it:
 * mseal_request_inside().  Otherwise jump to \slow.
 */
.macro MSEAL_INSIDE vma, nr1, nr2, slow
	testb	$MSEAL_VM_SEALED_MASK, MSEAL_VMA_FLAGS+MSEAL_VM_SEALED_BYTE(\vma)
	jnz	\slow
	MSEAL_CURRENT
	MSEAL_NOT_COMPAT \slow
	MSEAL_USER_REGS
	movq	MSEAL_USER(ORIG_AX), %rax
	cmpq	$\nr1, %rax
	je	.Linside_\@
	cmpq	$\nr2, %rax
	jne	\slow
.Linside_\@:
	/* end = start + PAGE_ALIGN(len), neither wrapping, end > start */
	movq	MSEAL_USER(SI), %rax
	addq	$MSEAL_PAGE_SIZE-1, %rax
	jc	\slow
	andq	$-MSEAL_PAGE_SIZE, %rax
	movq	MSEAL_USER(DI), %r10
	addq	%r10, %rax
	jc	\slow
	cmpq	%r10, %rax
	jbe	\slow
	/* vm_start <= start && end <= vm_end */
	cmpq	MSEAL_VMA_START(\vma), %r10
	jb	\slow
	cmpq	MSEAL_VMA_END(\vma), %rax
	ja	\slow
	RET
.endm

/* The mm is in register \mm. */
.macro MSEAL_TRAMP_MM cb, mm
SYM_FUNC_START(\cb\()_tramp)
	MSEAL_MARKED \cb, \mm
SYM_FUNC_END(\cb\()_tramp)
.endm

/*
 * A VMA is in register \vma, the call per VMA of the native system call
 * \nr1 or \nr2: its vm_mm, then the request fast path.
 */
.macro MSEAL_TRAMP_VMA_REQ cb, vma, nr1, nr2
SYM_FUNC_START(\cb\()_tramp)
	movq	MSEAL_VMA_MM(\vma), %rax
	testb	$MSEAL_MMF_SEALED_MASK, MSEAL_MM_FLAGS+MSEAL_MMF_SEALED_BYTE(%rax)
	jnz	.Lreq_\cb
	RET
.Lreq_\cb:
	MSEAL_INSIDE \vma, \nr1, \nr2, .Lslow_\cb
.Lslow_\cb:
	MSEAL_SLOW \cb
SYM_FUNC_END(\cb\()_tramp)
.endm

/* Every call reaches the callback. */
.macro MSEAL_TRAMP_ALL cb
SYM_FUNC_START(\cb\()_tramp)
	MSEAL_SLOW \cb
SYM_FUNC_END(\cb\()_tramp)
.endm

	.text

#ifdef MSEAL_HAVE___DO_MUNMAP
	/* __do_munmap(mm, ...) */
	MSEAL_TRAMP_MM	mseal_munmap, %rdi
#else
	/* do_mas_munmap(mas, mm, ...), do_mas_align_munmap(mas, vma, mm, ...) */
	MSEAL_TRAMP_MM	mseal_munmap_request, %rsi
	MSEAL_TRAMP_MM	mseal_munmap, %rdx
#endif

#ifdef MSEAL_HAVE_MPROTECT_FIXUP_5ARG
	/* mprotect_fixup(vma, ...) */
	MSEAL_TRAMP_VMA_REQ mseal_mprotect, %rdi, MSEAL_NR_MPROTECT, MSEAL_NR_PKEY_MPROTECT
#else
	/* mprotect_fixup(tlb, vma, ...) */
	MSEAL_TRAMP_VMA_REQ mseal_mprotect, %rsi, MSEAL_NR_MPROTECT, MSEAL_NR_PKEY_MPROTECT
#endif

	/* vma_to_resize(), mmap_region(): current->mm */
	MSEAL_TRAMP_ALL	mseal_mremap
	MSEAL_TRAMP_ALL	mseal_mmap

	/*
	 * madvise_dontneed_free_valid_vma(vma, ...); up to 5.17
	 * zap_page_range(vma, ...), madvise_free_single_vma(vma, ...)
	 */
	MSEAL_TRAMP_VMA_REQ mseal_madvise, %rdi, MSEAL_NR_MADVISE, MSEAL_NR_MADVISE
#ifndef MSEAL_HAVE_MADV_DONTNEED_LOCKED
	MSEAL_TRAMP_VMA_REQ mseal_madvise_free, %rdi, MSEAL_NR_MADVISE, MSEAL_NR_MADVISE
	/* madvise(2)'s entries: current->mm */
	MSEAL_TRAMP_ALL	mseal_madvise_syscall
#endif

/*
 * do_madvise(mm, start, len_in, behavior): in a marked mm, return at once
 * for advice that discards nothing, and for a discard that a per-VMA hook
 * checks when it comes from madvise(2) itself (mseal_madvise_flags()).
 */
SYM_FUNC_START(mseal_madvise_flags_tramp)
	testb	$MSEAL_MMF_SEALED_MASK, MSEAL_MM_FLAGS+MSEAL_MMF_SEALED_BYTE(%rdi)
	jnz	.Lmarked_mseal_madvise_flags
	RET
.Lmarked_mseal_madvise_flags:
	cmpl	$31, %ecx
	ja	.Lallow_mseal_madvise_flags
	movl	$MSEAL_MADV_DISCARDS, %eax
	btl	%ecx, %eax
	jnc	.Lallow_mseal_madvise_flags
	movl	$MSEAL_MADV_VMA_HOOKED, %eax
	btl	%ecx, %eax
	jnc	.Lslow_mseal_madvise_flags
	MSEAL_CURRENT
	testl	$MSEAL_PF_NO_SYSCALL, MSEAL_TASK_FLAGS(%r11)
	jnz	.Lslow_mseal_madvise_flags
	MSEAL_NOT_COMPAT .Lslow_mseal_madvise_flags
	MSEAL_USER_REGS
	cmpq	$MSEAL_NR_MADVISE, MSEAL_USER(ORIG_AX)
	jne	.Lslow_mseal_madvise_flags
.Lallow_mseal_madvise_flags:
	RET
.Lslow_mseal_madvise_flags:
	MSEAL_SLOW mseal_madvise_flags
SYM_FUNC_END(mseal_madvise_flags_tramp)

	/* exit_mmap() and _install_special_mapping(): every mm */
	MSEAL_TRAMP_ALL	mseal_mm_exit
	MSEAL_TRAMP_ALL	mseal_sysmap

#endif /* MSEAL_FTRACE_DIRECT */
