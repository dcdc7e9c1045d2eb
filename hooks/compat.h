/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - every kernel-version difference of the hooks, in one place.
 *
 * Feature macros (MSEAL_HAVE_*) come from probes of the kernel headers in
 * Kbuild, not from version numbers, so a distribution kernel with a
 * backported change gets the right variant.
 *
 *   MSEAL_HAVE_DO_VMI_MUNMAP  unmap path is do_vmi_munmap(vmi, mm, ...)
 *                             (6.4+); before it, do_mas_munmap(mas, ...)
 *                             (6.1) and do_munmap() (5.10).
 *   MSEAL_HAVE_IN_EXECVE      task_struct has the in_execve bit (up to
 *                             6.7), which tells a mapping created by exec
 *                             from one created later.
 */
#ifndef _MSEAL_COMPAT_H
#define _MSEAL_COMPAT_H

#include <linux/ftrace.h>
#include <linux/ptrace.h>
#include <linux/version.h>

/*
 * ftrace callbacks take struct ftrace_regs since 5.11; diverting a call
 * means setting the instruction pointer the trampoline returns to.  With
 * FTRACE_OPS_FL_SAVE_REGS the full pt_regs are there on every kernel that
 * can divert calls at all (x86_64; arm64 up to 6.1).  arm64 from 6.2 has
 * only DYNAMIC_FTRACE_WITH_ARGS and its own accessor.
 */
#if defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS)
#define MSEAL_FTRACE_OPS_FLAGS \
	(FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY)

static __always_inline void mseal_ftrace_divert(struct ftrace_regs *fregs,
						unsigned long ip)
{
	instruction_pointer_set(ftrace_get_regs(fregs), ip);
}
#elif defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS)
#define MSEAL_FTRACE_OPS_FLAGS	FTRACE_OPS_FL_IPMODIFY

static __always_inline void mseal_ftrace_divert(struct ftrace_regs *fregs,
						unsigned long ip)
{
	ftrace_regs_set_instruction_pointer(fregs, ip);
}
#else
#error "mseal needs DYNAMIC_FTRACE_WITH_REGS or DYNAMIC_FTRACE_WITH_ARGS"
#endif

#ifdef MSEAL_HAVE_IN_EXECVE
#include <linux/sched.h>

static inline bool mseal_task_in_exec(struct task_struct *task)
{
	return task->in_execve;
}
#else
#error "mseal: no way yet to tell exec from this kernel's task_struct"
#endif

#endif /* _MSEAL_COMPAT_H */
