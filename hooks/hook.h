/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hook.h - the ftrace hook framework.
 *
 * A hook is an ftrace callback at the entry of one kernel function.  It
 * reads the function's arguments, decides, and either returns (the
 * function runs untouched: nothing of this module is on the stack of an
 * allowed call) or diverts the call to a refusal stub of this module,
 * which returns the error to the function's caller.  The original is never
 * called from here, so no call through a pointer into the kernel is made
 * on any path, and no hooked call passes ftrace twice.
 *
 * Callbacks run in the context of the hooked call, with whatever lock its
 * caller holds (the mmap_lock, for every mm hook), and must not sleep.
 * All hooks share one ftrace_ops, whose callback finds the hook by the
 * traced address: with a single ops ftrace's trampoline calls it without
 * going through the list of every ops (arm64 before 6.4 has no per-ops
 * trampolines, so each further ops would cost every hooked call a filter
 * lookup).  On x86_64 kernels with ftrace direct calls each hook is a
 * direct call to an assembly trampoline of its own instead, which tests
 * the mm's mark, and for the hottest hooks the request, before it calls
 * the callback (arch/x86_64/direct.S).
 */
#ifndef _MSEAL_HOOK_H
#define _MSEAL_HOOK_H

#include <linux/ftrace.h>

#include "compat.h"

#ifdef MSEAL_FTRACE_DIRECT
/*
 * Direct calls (arch/x86_64/direct.S): the trampoline <fn>_tramp calls
 * the callback <fn>_cb by name, so neither is static.
 */
#define MSEAL_HOOK_FN(fn)						\
	void fn##_tramp(void);						\
	void fn##_cb(struct pt_regs *fregs);				\
	void notrace fn##_cb(struct pt_regs *fregs)

#define MSEAL_HOOK(_sym, _func)						\
	{ .name = (_sym), .func = _func##_cb, .tramp = _func##_tramp }
#else
#define MSEAL_HOOK_FN(fn)						\
	static void notrace fn(unsigned long ip, unsigned long parent_ip, \
			       struct ftrace_ops *op,			\
			       struct MSEAL_FREGS *fregs)

#define MSEAL_HOOK(_sym, _func)						\
	{ .name = (_sym), .func = (_func), }
#endif

/**
 * struct mseal_hook - one hooked kernel function
 * @name:  symbol name of the function in this kernel
 * @func:  the callback; NULL for a symbol that must only resolve and be
 *         traceable (fault-injection builds)
 * @site:  its ftrace location, resolved at load
 * @tramp: the direct call's trampoline
 * @armed: the direct call is registered
 */
struct mseal_hook {
	const char *name;
#ifdef MSEAL_FTRACE_DIRECT
	void (*func)(struct pt_regs *regs);
#else
	ftrace_func_t func;
#endif
	unsigned long site;
#ifdef MSEAL_FTRACE_DIRECT
	void (*tramp)(void);
	bool armed;
#endif
};

/* The hooked paths, one file each in hooks/. */
extern struct mseal_hook mseal_munmap_hook;
extern struct mseal_hook mseal_munmap_request_hook;
extern struct mseal_hook mseal_mprotect_hook;
extern struct mseal_hook mseal_mremap_hook;
extern struct mseal_hook mseal_mmap_hook;
extern struct mseal_hook mseal_madvise_hook;
extern struct mseal_hook mseal_madvise_flags_hook;
extern struct mseal_hook mseal_madvise_free_hook;
extern struct mseal_hook mseal_madvise_syscall_hook;
extern struct mseal_hook mseal_madvise_compat_syscall_hook;
extern struct mseal_hook mseal_mm_exit_hook;
extern struct mseal_hook mseal_sysmap_hook;

/*
 * The refusal stub: a diverted call returns -EPERM to its caller (as int,
 * long, or ERR_PTR(-EPERM): the same register value).
 */
long mseal_refuse(void);

/*
 * For stubs whose caller swallows the error: make the system call the
 * current task is in return @ret.  Sleeps; counts itself in flight.
 */
void mseal_syscall_result(long ret);

/*
 * The address of a kernel function, found without calling anything (a
 * kprobe reports it), or 0.
 */
unsigned long mseal_symbol(const char *name);

/*
 * Kernel functions the module calls (not exported), resolved at load.
 * Each is checked to start with the landing pad an indirect call needs
 * where the kernel enforces one (IBT, BTI); a kernel where one lacks it
 * refuses the load (hooks/kcall.c).
 */
struct mseal_kcalls {
#ifdef VM_SEALED
	/* mseal(2)'s entry; NULL when it cannot be called safely */
	long (*sys_mseal)(const struct pt_regs *regs);
#else
	int (*split_vma)(struct mm_struct *mm, struct vm_area_struct *vma,
			 unsigned long addr, int new_below);
	struct vm_area_struct *(*vma_merge)(struct mm_struct *mm,
					    struct vm_area_struct *prev,
					    unsigned long addr,
					    unsigned long end,
					    unsigned long vm_flags,
					    struct anon_vma *anon_vma,
					    struct file *file, pgoff_t pgoff,
					    struct mempolicy *policy,
					    struct vm_userfaultfd_ctx uffd_ctx
#ifdef MSEAL_HAVE_VMA_MERGE_ANON_NAME
					    , struct anon_vma_name *anon_name
#endif
					    );
#endif
};

extern struct mseal_kcalls mseal_kcall;
int mseal_kcalls_init(void);

#ifndef VM_SEALED
/*
 * vma_merge() of [@vma] with its neighbours, as mprotect_fixup() calls it
 * to give @vma the flags @newflags: the merged VMA, or NULL.
 */
struct vm_area_struct *mseal_kcall_vma_merge(struct mm_struct *mm,
					     struct vm_area_struct *prev,
					     struct vm_area_struct *vma,
					     unsigned long newflags);
#endif

/* A tracepoint of the kernel (not of a module) by name, or NULL. */
struct tracepoint;
struct tracepoint *mseal_tracepoint(const char *name);

/* mseal(2) as system call 462 on kernels without it (hooks/syscall.c). */
int mseal_syscall_init(void);
void mseal_syscall_exit(void);

/*
 * Resolve every hook at load (an unsupported kernel refuses with one line
 * naming the symbol); arm and disarm them all (module/lifecycle.c decides
 * when).
 */
int mseal_hooks_init(void);
int mseal_hooks_arm(void);
void mseal_hooks_disarm(void);
void mseal_hooks_exit(void);

/*
 * Module text that a task may still be in after the hooks are gone (a
 * refusal stub that sleeps, queued task work) counts itself here; unload
 * waits for zero.
 */
void mseal_inflight_get(void);
void mseal_inflight_put(void);
void mseal_inflight_drain(void);

#endif /* _MSEAL_HOOK_H */
