/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every kernel-version difference of the module, in one place.
 *
 * Feature macros (MSEAL_HAVE_*) come from probes compiled against the
 * kernel's headers (probes/, one file each), not from version numbers, so
 * a distribution kernel with a backported change gets the right variant.
 *
 *   MSEAL_HAVE_FTRACE_REGS_CALLBACK  ftrace callbacks take struct
 *                             ftrace_regs (5.11+); before, struct pt_regs
 *   MSEAL_HAVE_ARCH_FTRACE_REGS  struct ftrace_regs is opaque, opened by
 *                             arch_ftrace_regs() (6.12+)
 *   MSEAL_HAVE_VM_FLAGS_SET   vm_flags is written through vm_flags_reset()
 *                             (6.3+)
 *   MSEAL_HAVE_MM_FLAGS_BITMAP  mm->flags is a bitmap behind mm_flags_*()
 *   MSEAL_HAVE_FTRACE_OPS_FL_RECURSION  ftrace's recursion guard is
 *                             opt-in (5.11+)
 *   MSEAL_HAVE_VMA_ITERATOR   VMAs are in the maple tree (6.1+); before,
 *                             in a list (vm_prev, vm_next)
 *   MSEAL_HAVE___DO_MUNMAP    one unmap entry, __do_munmap() (up to 6.0)
 *   MSEAL_HAVE_MPROTECT_FIXUP_5ARG  mprotect_fixup() has no tlb argument
 *                             (up to 6.0)
 *   MSEAL_HAVE_FILE_OPEN_ROOT_MNT  file_open_root_mnt() (5.12+)
 *   MSEAL_HAVE_MADV_DONTNEED_LOCKED  madvise has a per-VMA check
 *                             function (5.18+)
 *   MSEAL_HAVE_EXPORTED_FTRACE_FREE_FILTER  ftrace_free_filter() is
 *                             exported (5.19+; probes/exported.list)
 *   MSEAL_HAVE_IN_EXECVE      task_struct has the in_execve bit, which
 *                             tells a mapping created by exec from one
 *                             created later
 *
 * What differs per architecture (argument registers, the system call
 * decoding, the names of the system mappings) is in arch/<arch>/arch.h.
 */
#ifndef _MSEAL_COMPAT_H
#define _MSEAL_COMPAT_H

#include <linux/fs.h>
#include <linux/ftrace.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/ptrace.h>
#include <linux/sched.h>

#include "arch.h"

/*
 * What a hook's callback is given: struct MSEAL_FREGS *fregs.  A direct
 * call's trampoline (MSEAL_FTRACE_DIRECT, arch/x86_64/direct.h) passes a
 * struct pt_regs of its own; an ftrace callback gets struct ftrace_regs
 * from 5.11, struct pt_regs before.
 */
#if defined(MSEAL_HAVE_FTRACE_REGS_CALLBACK) && !defined(MSEAL_FTRACE_DIRECT)
#define MSEAL_FREGS	ftrace_regs
#else
#define MSEAL_FREGS	pt_regs
#endif

/*
 * Hooks read the hooked function's arguments, may change one, and may
 * divert the call by setting the instruction pointer the ftrace trampoline
 * returns to.  Where the trampoline saves the argument registers as a
 * struct pt_regs and honours a changed ip without saving every register
 * (x86_64 with DYNAMIC_FTRACE_WITH_ARGS), that cheaper trampoline is used;
 * where the architecture saves only its own ftrace_regs (arm64 from 6.2)
 * their accessors are; elsewhere the full register set is saved
 * (FTRACE_OPS_FL_SAVE_REGS).  Since 6.12 struct ftrace_regs is opaque and
 * arch_ftrace_regs() opens it (MSEAL_HAVE_ARCH_FTRACE_REGS).
 */
#ifdef MSEAL_HAVE_ARCH_FTRACE_REGS
#define mseal_fregs_pt_regs(f)	(&arch_ftrace_regs(f)->regs)
#else
#define mseal_fregs_pt_regs(f)	(&(f)->regs)
#endif

#if defined(MSEAL_FTRACE_DIRECT)
/* The ops only check that each site is traceable: never registered. */
#define MSEAL_FTRACE_OPS_FLAGS	0
static __always_inline struct pt_regs *mseal_hook_regs(struct MSEAL_FREGS *f)
{
	return f;
}
#elif !defined(MSEAL_HAVE_FTRACE_REGS_CALLBACK)
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
	return mseal_fregs_pt_regs(f);
}
#elif defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS) && defined(CONFIG_ARM64) && \
	!defined(CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS)
/*
 * arm64 with WITH_REGS only (6.1): its ftrace_caller already saves x0-x9,
 * fp, lr, sp and pc as a struct pt_regs and returns through the saved pc,
 * as ftrace_regs_caller does (entry-ftrace.S: ftrace_common_return);
 * SAVE_REGS would add the 19 other registers, which no hook reads.
 */
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
#elif defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS) && \
	defined(MSEAL_HAVE_ARCH_FTRACE_REGS)
#define MSEAL_FTRACE_OPS_FLAGS	FTRACE_OPS_FL_IPMODIFY
#define MSEAL_FTRACE_ARGS_ONLY
#else
#error "mseal needs ftrace that can divert a call on this architecture"
#endif

/*
 * Before 5.11 ftrace wraps a callback in its own recursion guard unless
 * the ops say the callback needs none (FTRACE_OPS_FL_RECURSION_SAFE);
 * since, the guard is opt-in (FTRACE_OPS_FL_RECURSION).  The callbacks
 * hook nothing they call, so they need none.
 */
#ifdef MSEAL_HAVE_FTRACE_OPS_FL_RECURSION
#define MSEAL_FTRACE_OPS_RECURSION	0
#else
#define MSEAL_FTRACE_OPS_RECURSION	FTRACE_OPS_FL_RECURSION_SAFE
#endif

#ifdef MSEAL_FTRACE_ARGS_ONLY
static __always_inline unsigned long mseal_hook_arg(struct MSEAL_FREGS *f,
						    unsigned int n)
{
	return ftrace_regs_get_argument(f, n);
}

static __always_inline void mseal_hook_set_arg(struct MSEAL_FREGS *f,
					       unsigned int n,
					       unsigned long val)
{
	arch_ftrace_regs(f)->regs[n] = val;
}

static __always_inline void mseal_hook_divert(struct MSEAL_FREGS *f,
					      void *stub)
{
	ftrace_regs_set_instruction_pointer(f, (unsigned long)stub);
}
#else
/* Argument @n (0-based) of the hooked function. */
static __always_inline unsigned long mseal_hook_arg(struct MSEAL_FREGS *f,
						    unsigned int n)
{
	return regs_get_kernel_argument(mseal_hook_regs(f), n);
}

/* Change argument @n before the hooked function runs. */
static __always_inline void mseal_hook_set_arg(struct MSEAL_FREGS *f,
					       unsigned int n,
					       unsigned long val)
{
	mseal_arch_set_arg(mseal_hook_regs(f), n, val);
}

/* Make the hooked function return to its caller through @stub instead. */
static __always_inline void mseal_hook_divert(struct MSEAL_FREGS *f,
					      void *stub)
{
	instruction_pointer_set(mseal_hook_regs(f), (unsigned long)stub);
}
#endif

/*
 * Where mprotect_fixup() has its VMA and range: (vma, pprev, start, end,
 * newflags) up to 6.0, (tlb, vma, pprev, start, end, newflags) in 6.1.
 */
#ifdef MSEAL_HAVE_MPROTECT_FIXUP_5ARG
#define MSEAL_MPROTECT_FIXUP_VMA	0
#else
#define MSEAL_MPROTECT_FIXUP_VMA	1
#endif
#define MSEAL_MPROTECT_FIXUP_START	(MSEAL_MPROTECT_FIXUP_VMA + 2)
#define MSEAL_MPROTECT_FIXUP_END	(MSEAL_MPROTECT_FIXUP_VMA + 3)

/*
 * MADV_DONTNEED and MADV_FREE are checked per VMA in
 * madvise_dontneed_free_valid_vma() from 5.18 (MSEAL_HAVE_MADV_DONTNEED_LOCKED
 * traces it); before, where they discard, and madvise(2)'s own entry is
 * hooked too, since it may bypass do_madvise()'s (hooks/madvise.c).
 */
#ifdef MSEAL_HAVE_MADV_DONTNEED_LOCKED
#define MSEAL_MADVISE_SYSCALL_HOOKED	0
#else
#define MSEAL_MADVISE_SYSCALL_HOOKED	1
#endif

/*
 * The VMA before @vma in @mm, or NULL: what vma_merge() (through
 * mprotect_fixup()) needs as its prev.  mmap_lock held.
 */
static inline struct vm_area_struct *mseal_vma_prev(struct mm_struct *mm,
						    struct vm_area_struct *vma)
{
#ifdef MSEAL_HAVE_VMA_ITERATOR
	MA_STATE(mas, &mm->mm_mt, vma->vm_start, vma->vm_start);

	return mas_prev(&mas, 0);
#else
	return vma->vm_prev;	/* before the maple tree (6.1) */
#endif
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
#ifdef MSEAL_HAVE_VM_FLAGS_SET
	vm_flags_reset(vma, flags);	/* 6.3+: also write-locks the VMA */
#else
	vma->vm_flags = flags;
#endif
}

/*
 * Bits of mm->flags: an unsigned long up to 6.17, a bitmap behind
 * mm_flags_*() since (MSEAL_HAVE_MM_FLAGS_BITMAP).
 */
#ifdef MSEAL_HAVE_MM_FLAGS_BITMAP
#define mseal_mm_test(mm, bit)		mm_flags_test(bit, mm)
#define mseal_mm_set(mm, bit)		mm_flags_set(bit, mm)
#define mseal_mm_clear(mm, bit)		mm_flags_clear(bit, mm)
#define mseal_mm_test_and_set(mm, bit)	mm_flags_test_and_set(bit, mm)
#define mseal_mm_test_and_clear(mm, bit) mm_flags_test_and_clear(bit, mm)
#else
#define mseal_mm_test(mm, bit)		test_bit(bit, &(mm)->flags)
#define mseal_mm_set(mm, bit)		set_bit(bit, &(mm)->flags)
#define mseal_mm_clear(mm, bit)		clear_bit(bit, &(mm)->flags)
#define mseal_mm_test_and_set(mm, bit)	test_and_set_bit(bit, &(mm)->flags)
#define mseal_mm_test_and_clear(mm, bit) test_and_clear_bit(bit, &(mm)->flags)
#endif

/* Open @name relative to the root of @mnt (5.12+: file_open_root_mnt()). */
#ifdef MSEAL_HAVE_FILE_OPEN_ROOT_MNT
#define mseal_file_open_root_mnt	file_open_root_mnt
#else
static inline struct file *mseal_file_open_root_mnt(struct vfsmount *mnt,
						    const char *name,
						    int flags, umode_t mode)
{
	return file_open_root(mnt->mnt_root, mnt, name, flags, mode);
}
#endif

#ifdef MSEAL_HAVE_IN_EXECVE
static inline bool mseal_task_in_exec(struct task_struct *task)
{
	return task->in_execve;
}
#else
#error "mseal: no way yet to tell exec from this kernel's task_struct"
#endif

#endif /* _MSEAL_COMPAT_H */
