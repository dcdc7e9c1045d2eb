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
 * Hooks that must run for every mm (or find their mm in current->mm)
 * always take the slow path.  The trampolines exist only for the hooks
 * this build has (the #ifs mirror hooks/hook.c's table).
 */
#include <linux/linkage.h>

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

/* The mm is in register \mm. */
.macro MSEAL_TRAMP_MM cb, mm
SYM_FUNC_START(\cb\()_tramp)
	MSEAL_MARKED \cb, \mm
SYM_FUNC_END(\cb\()_tramp)
.endm

/* A VMA is in register \vma: its vm_mm. */
.macro MSEAL_TRAMP_VMA cb, vma
SYM_FUNC_START(\cb\()_tramp)
	movq	MSEAL_VMA_MM(\vma), %rax
	MSEAL_MARKED \cb, %rax
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
	MSEAL_TRAMP_VMA	mseal_mprotect, %rdi
#else
	/* mprotect_fixup(tlb, vma, ...) */
	MSEAL_TRAMP_VMA	mseal_mprotect, %rsi
#endif

	/* vma_to_resize(), mmap_region(): current->mm */
	MSEAL_TRAMP_ALL	mseal_mremap
	MSEAL_TRAMP_ALL	mseal_mmap

	/*
	 * madvise_dontneed_free_valid_vma(vma, ...); up to 5.17
	 * zap_page_range(vma, ...), madvise_free_single_vma(vma, ...)
	 */
	MSEAL_TRAMP_VMA	mseal_madvise, %rdi
#ifndef MSEAL_HAVE_MADV_DONTNEED_LOCKED
	MSEAL_TRAMP_VMA	mseal_madvise_free, %rdi
	/* madvise(2)'s entries: current->mm */
	MSEAL_TRAMP_ALL	mseal_madvise_syscall
#endif
	/* do_madvise(mm, ...) */
	MSEAL_TRAMP_MM	mseal_madvise_flags, %rdi

	/* exit_mmap() and _install_special_mapping(): every mm */
	MSEAL_TRAMP_ALL	mseal_mm_exit
	MSEAL_TRAMP_ALL	mseal_sysmap

#endif /* MSEAL_FTRACE_DIRECT */
