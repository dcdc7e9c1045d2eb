/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every kernel-version difference of the module, in one place.
 *
 * Feature macros (MSEAL_HAVE_*) come from probes of the kernel headers in
 * Kbuild, not from version numbers, so a distribution kernel with a
 * backported change gets the right variant.
 *
 *   MSEAL_HAVE_FTRACE_REGS    ftrace callbacks take struct ftrace_regs
 *                             (5.11+); before, struct pt_regs
 *   MSEAL_HAVE_DO_VMI_MUNMAP  unmap path is do_vmi_munmap(vmi, mm, ...)
 *                             (6.4+); before it, do_mas_munmap(mas, ...)
 *                             (6.1)
 *   MSEAL_HAVE_IN_EXECVE      task_struct has the in_execve bit, which
 *                             tells a mapping created by exec from one
 *                             created later
 *
 * What differs per architecture (argument registers, the system call
 * decoding, the names of the system mappings) is in arch/<arch>/arch.h.
 */
#ifndef _MSEAL_COMPAT_H
#define _MSEAL_COMPAT_H

#include <linux/ftrace.h>
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/sched.h>

/* What an ftrace callback is given: struct MSEAL_FREGS *fregs. */
#ifdef MSEAL_HAVE_FTRACE_REGS
#define MSEAL_FREGS	ftrace_regs
#else
#define MSEAL_FREGS	pt_regs
#endif

#include "arch.h"

/*
 * Hooks read the hooked function's arguments and may divert the call by
 * setting the instruction pointer the ftrace trampoline returns to.
 * Where the trampoline saves the argument registers as a struct pt_regs
 * and honours a changed ip without saving every register (x86_64 with
 * DYNAMIC_FTRACE_WITH_ARGS), that cheaper trampoline is used; elsewhere
 * the full register set is saved (FTRACE_OPS_FL_SAVE_REGS).
 */
#if !defined(MSEAL_HAVE_FTRACE_REGS)
#define MSEAL_FTRACE_OPS_FLAGS \
	(FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY)
static __always_inline struct pt_regs *mseal_hook_regs(struct MSEAL_FREGS *f)
{
	return f;
}
#elif defined(CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS) && \
	defined(MSEAL_ARCH_FTRACE_ARGS_PT_REGS)
#define MSEAL_FTRACE_OPS_FLAGS	FTRACE_OPS_FL_IPMODIFY
static __always_inline struct pt_regs *mseal_hook_regs(struct MSEAL_FREGS *f)
{
	return &f->regs;
}
#elif defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS)
#define MSEAL_FTRACE_OPS_FLAGS \
	(FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY)
static __always_inline struct pt_regs *mseal_hook_regs(struct MSEAL_FREGS *f)
{
	return ftrace_get_regs(f);
}
#else
#error "mseal needs ftrace that can divert a call on this architecture"
#endif

/* Argument @n of the hooked function. */
static __always_inline unsigned long mseal_hook_arg(struct MSEAL_FREGS *f,
						    unsigned int n)
{
	return regs_get_kernel_argument(mseal_hook_regs(f), n);
}

/* Make the hooked function return to its caller through @stub instead. */
static __always_inline void mseal_hook_divert(struct MSEAL_FREGS *f, void *stub)
{
	instruction_pointer_set(mseal_hook_regs(f), (unsigned long)stub);
}

/*
 * The VMA before @vma in @mm, or NULL: what vma_merge() (through
 * mprotect_fixup()) needs as its prev.  mmap_lock held.
 */
static inline struct vm_area_struct *mseal_vma_prev(struct mm_struct *mm,
						    struct vm_area_struct *vma)
{
	MA_STATE(mas, &mm->mm_mt, vma->vm_start, vma->vm_start);

	return mas_prev(&mas, 0);
}

/* What vma_merge() compares a VMA's name with (6.1: anon_vma_name()). */
static inline struct anon_vma_name *
mseal_anon_vma_name(struct vm_area_struct *vma)
{
#ifdef CONFIG_ANON_VMA_NAME
	return vma->vm_file ? NULL : vma->anon_name;
#else
	return NULL;
#endif
}

/* Set a VMA's flags, the mmap_lock held for writing. */
static inline void mseal_vma_set_flags(struct vm_area_struct *vma,
				       unsigned long flags)
{
	vma->vm_flags = flags;
}

#ifdef MSEAL_HAVE_IN_EXECVE
static inline bool mseal_task_in_exec(struct task_struct *task)
{
	return task->in_execve;
}
#else
#error "mseal: no way yet to tell exec from this kernel's task_struct"
#endif

#endif /* _MSEAL_COMPAT_H */
