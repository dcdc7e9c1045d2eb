/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hook.h - the ftrace hook framework.
 *
 * The pointer through which a wrapper calls the original is declared with
 * the kernel's prototype and checked against it with static_assert(), so
 * a kernel that changes a signature fails to build instead of crashing.
 *
 * A hook diverts every call of one kernel function to a wrapper in this
 * module: an ftrace callback rewrites the instruction pointer at the
 * function's entry.  The wrapper decides, and calls the original through
 * its resolved address; that nested call passes through ftrace again, sees
 * a caller inside this module and is let through.
 *
 * Each wrapper brackets its body with mseal_hook_enter()/mseal_hook_exit():
 * unloading waits until no task is between the two, so no task can be
 * running or sleeping in module text when it goes away.
 */
#ifndef _MSEAL_HOOK_H
#define _MSEAL_HOOK_H

#include <linux/ftrace.h>
#include <linux/percpu.h>

/**
 * struct mseal_hook - one diverted kernel function
 * @name:    symbol name of the function in this kernel
 * @wrapper: the function calls are diverted to; NULL for a symbol that
 *           must only resolve and be traceable (fault-injection builds)
 * @orig:    where to store the resolved address of the original
 * @addr:    resolved address
 * @site:    its ftrace location (the patched call), at or just after @addr
 */
struct mseal_hook {
	const char *name;
	void *wrapper;
	void *orig;
	unsigned long addr;
	unsigned long site;
};

#define MSEAL_HOOK(_sym, _wrapper, _orig)				\
	{ .name = (_sym), .wrapper = (_wrapper), .orig = (_orig) }

DECLARE_PER_CPU(long, mseal_hook_inflight);

static __always_inline void mseal_hook_enter(void)
{
	this_cpu_inc(mseal_hook_inflight);
}

static __always_inline void mseal_hook_exit(void)
{
	this_cpu_dec(mseal_hook_inflight);
}

/* The hooked mm paths, one file each in hooks/. */
extern struct mseal_hook mseal_munmap_hook;
extern struct mseal_hook mseal_mprotect_hook;
extern struct mseal_hook mseal_mremap_hook;
extern struct mseal_hook mseal_mmap_hook;
extern struct mseal_hook mseal_madvise_hook;
extern struct mseal_hook mseal_fork_hook;
extern struct mseal_hook mseal_fork_copy_hook;
extern struct mseal_hook mseal_mm_exit_hook;
extern struct mseal_hook mseal_sysmap_hook;

/* Optional kernel data the table reads (NULL when not resolvable). */
extern int *mseal_sysctl_max_map_count;

/* Kernel functions the module calls but does not hook (not exported). */
struct task_struct;
extern struct mm_struct *(*mseal_mm_access)(struct task_struct *task,
					    unsigned int mode);

/* A tracepoint of the kernel (not of a module) by name, or NULL. */
struct tracepoint;
struct tracepoint *mseal_tracepoint(const char *name);

/* mseal(2) as system call 462 on kernels without it (hooks/syscall.c). */
int mseal_syscall_init(void);
void mseal_syscall_exit(void);

int mseal_hooks_install(void);
void mseal_hooks_remove(void);

#endif /* _MSEAL_HOOK_H */
