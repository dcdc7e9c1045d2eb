// SPDX-License-Identifier: GPL-2.0
/*
 * hook.c - resolving, arming and disarming the ftrace hooks; the refusal
 * stubs.
 *
 * Resolution is all or nothing and happens once, at load: every hooked
 * symbol is found (by a kprobe, which calls nothing of ours into the
 * kernel) and its exact ftrace location checked, so a kernel that lacks
 * one refuses the load with one line naming it.  Arming registers one
 * ftrace_ops for all hooks, its filter every hook's site, its callback a
 * dispatch by the traced address (on x86_64 kernels with ftrace direct
 * calls, one direct call per hook: arch/x86_64/direct.S, the ops then only
 * checks the sites); module/lifecycle.c arms only while something is
 * sealed or system-mapping sealing is on.
 *
 * One ops, not one per hook: ftrace calls a module's (dynamic) ops through
 * ftrace_ops_list_func() unless the architecture gives the ops a
 * trampoline of its own (x86_64 does, arm64 before 6.4 does not), and that
 * function tests the filter of every registered ops at every traced call.
 * Measured on arm64 6.1 with twelve ops: about 510 instructions per
 * hooked call in a process that holds no seal.
 *
 * Disarming: after unregister_ftrace_function() no new call enters a
 * callback, and ftrace waits out the tasks in one (its ops are dynamic).
 * A task may still be in a refusal stub: synchronize_rcu_tasks() waits
 * until every task has scheduled voluntarily or been in user mode since,
 * which covers a stub that was preempted; a stub that sleeps counts itself
 * in flight first (mseal_inflight_get()) and module unload waits for that
 * count too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/task_work.h>
#include <linux/tracepoint.h>
#include <asm/syscall.h>

#include "hook.h"
#include "mseal.h"

#ifdef MSEAL_TEST_FAULT_SYMBOL
/* Fault injection for the test suite: a symbol this kernel cannot give. */
static struct mseal_hook mseal_fault_hook = {
	.name = MSEAL_TEST_FAULT_SYMBOL,
};
#endif

/*
 * In the order the dispatch below compares them: the hooks called most
 * often first.
 */
static struct mseal_hook *const mseal_hooks[] = {
#ifdef MSEAL_TEST_FAULT_SYMBOL
	&mseal_fault_hook,
#endif
#ifndef VM_SEALED
	/* Enforcement: only where the kernel has no mseal(2) of its own. */
	&mseal_mprotect_hook,
	&mseal_madvise_hook,
	&mseal_madvise_flags_hook,
	&mseal_munmap_hook,
#ifndef MSEAL_HAVE___DO_MUNMAP
	&mseal_munmap_request_hook,
#endif
	&mseal_mmap_hook,
	&mseal_mremap_hook,
#if MSEAL_MADVISE_SYSCALL_HOOKED
	&mseal_madvise_free_hook,
	&mseal_madvise_syscall_hook,
#ifdef MSEAL_ARCH_COMPAT_SYS_MADVISE
	&mseal_madvise_compat_syscall_hook,
#endif
#endif
#endif
	&mseal_mm_exit_hook,
	&mseal_sysmap_hook,
};

#ifndef MSEAL_FTRACE_DIRECT
/* The callback of every hook: the one whose site was traced. */
static void notrace mseal_dispatch(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *op,
				   struct MSEAL_FREGS *fregs)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mseal_hooks); i++) {
		if (mseal_hooks[i]->site == ip) {
			mseal_hooks[i]->func(ip, parent_ip, op, fregs);
			return;
		}
	}
}
#endif

/*
 * Every hook's site is in its filter.  With direct calls it is never
 * registered: setting its filter checks that each site can be traced.
 */
static struct ftrace_ops mseal_ops = {
#ifndef MSEAL_FTRACE_DIRECT
	.func	= mseal_dispatch,
#endif
	.flags	= MSEAL_FTRACE_OPS_FLAGS | MSEAL_FTRACE_OPS_RECURSION,
};

unsigned long mseal_symbol(const char *name)
{
	struct kprobe kp = {
		.symbol_name	= name,
		.flags		= KPROBE_FLAG_DISABLED,	/* never armed */
	};
	unsigned long addr;

	if (register_kprobe(&kp) < 0)
		return 0;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return addr;
}

static int mseal_hook_resolve(struct mseal_hook *hook)
{
	unsigned long addr = mseal_symbol(hook->name);
	char name[KSYM_NAME_LEN];
	int ret;

	if (!addr) {
		pr_err("unsupported kernel: symbol '%s' not found\n",
		       hook->name);
		return -ENOENT;
	}
	/*
	 * The exact site, never ftrace_set_filter_ip(addr): for a symbol's
	 * first byte that function takes any ftrace location within the
	 * symbol, and one symbol can cover two functions (arm64 6.1:
	 * uprobe_dup_mmap is followed by a function kallsyms does not
	 * name).  The site must also carry this function's name.
	 */
	hook->site = mseal_arch_ftrace_site(addr);
	if (hook->site) {
		snprintf(name, sizeof(name), "%ps", (void *)hook->site);
		if (strcmp(name, hook->name))
			hook->site = 0;
	}
	ret = hook->site ? ftrace_set_filter_ip(&mseal_ops, hook->site, 0, 0) :
			   -EINVAL;
	if (ret) {
		hook->site = 0;
		pr_err("unsupported kernel: '%s' cannot be traced by ftrace\n",
		       hook->name);
		return -EOPNOTSUPP;
	}
	return 0;
}

/*
 * Drop the ops' filter.  Before 5.19 ftrace_free_filter() is not
 * exported: each site is removed from the filter instead, which leaves
 * the (empty) filter hash allocated, a few dozen bytes per load.
 */
static void mseal_hooks_release(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mseal_hooks); i++) {
#ifndef MSEAL_HAVE_EXPORTED_FTRACE_FREE_FILTER
		if (mseal_hooks[i]->site)
			ftrace_set_filter_ip(&mseal_ops, mseal_hooks[i]->site,
					     1, 0);
#endif
		mseal_hooks[i]->site = 0;
	}
#ifdef MSEAL_HAVE_EXPORTED_FTRACE_FREE_FILTER
	ftrace_free_filter(&mseal_ops);
#endif
}

int mseal_hooks_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(mseal_hooks); i++) {
		ret = mseal_hook_resolve(mseal_hooks[i]);
		if (ret)
			goto fail;
		if (!mseal_hooks[i]->func) {
			/* A fault-injection symbol that did resolve. */
			ret = -EINVAL;
			goto fail;
		}
	}
	return 0;
fail:
	mseal_hooks_release();
	return ret;
}

/* Why arming failed, for its log line: ftrace says EBUSY for a conflict. */
static const char *mseal_arm_hint(int ret)
{
	if (ret == -EBUSY)
		return ": another ftrace user (a livepatch?) redirects it";
	if (ret == -ENOMEM)
		return ": out of memory";
	return "";
}

#ifdef MSEAL_FTRACE_DIRECT
/*
 * The fentry call of the site calls the hook's trampoline (or, while
 * another ftrace user traces the same function, ftrace's trampoline does,
 * after the others).  The fast path reads mm->flags as one byte.
 */
static_assert(sizeof_field(struct mm_struct, flags) == sizeof(unsigned long));

static int mseal_hook_register(struct mseal_hook *hook)
{
	int ret = register_ftrace_direct(hook->site,
					 (unsigned long)hook->tramp);

	hook->armed = !ret;
	return ret;
}

static void mseal_hook_unregister(struct mseal_hook *hook)
{
	if (!hook->armed)
		return;
	unregister_ftrace_direct(hook->site, (unsigned long)hook->tramp);
	hook->armed = false;
}

void mseal_hooks_disarm(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mseal_hooks); i++)
		mseal_hook_unregister(mseal_hooks[i]);
	/* Tasks preempted in a trampoline, a callback or a refusal stub. */
	synchronize_rcu_tasks();
}

int mseal_hooks_arm(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(mseal_hooks); i++) {
		ret = mseal_hook_register(mseal_hooks[i]);
		if (ret) {
			pr_err("cannot hook '%s' (error %d)%s\n",
			       mseal_hooks[i]->name, ret, mseal_arm_hint(ret));
			mseal_hooks_disarm();
			return ret;
		}
	}
	return 0;
}
#else
void mseal_hooks_disarm(void)
{
	if (mseal_ops.flags & FTRACE_OPS_FL_ENABLED)
		unregister_ftrace_function(&mseal_ops);
	/* Tasks preempted in a callback or a refusal stub. */
	synchronize_rcu_tasks();
}

int mseal_hooks_arm(void)
{
	int ret = register_ftrace_function(&mseal_ops);

	if (ret)
		pr_err("cannot register the hooks (error %d)%s\n", ret,
		       mseal_arm_hint(ret));
	return ret;
}
#endif

void mseal_hooks_exit(void)
{
	mseal_hooks_release();
}

/* ---- in flight ----------------------------------------------------- */

static DEFINE_PER_CPU(long, mseal_inflight);

void mseal_inflight_get(void)
{
	this_cpu_inc(mseal_inflight);
}

void mseal_inflight_put(void)
{
	this_cpu_dec(mseal_inflight);
}

void mseal_inflight_drain(void)
{
	long n;
	int cpu;

	for (;;) {
		n = 0;
		for_each_possible_cpu(cpu)
			n += per_cpu(mseal_inflight, cpu);
		if (!n)
			break;
		msleep(20);
	}
	/* The few instructions after the count dropped. */
	synchronize_rcu_tasks();
}

/* ---- refusal stubs ------------------------------------------------- */

long mseal_refuse(void)
{
	return -EPERM;
}

struct mseal_result_work {
	struct callback_head twork;
	long ret;
};

/* Runs before the task returns to user mode: after the system call. */
static void mseal_result_set(struct callback_head *head)
{
	struct mseal_result_work *w =
		container_of(head, struct mseal_result_work, twork);

	syscall_set_return_value(current, task_pt_regs(current), w->ret, 0);
	kfree(w);
	mseal_inflight_put();
}

/*
 * Make the system call the task is in return @ret, whatever its own code
 * returns.  TWA_SIGNAL: the work runs before a signal frame can be built,
 * so a handler never sees the other result.  A kernel thread or an
 * io_uring worker has no system call: it keeps the hooked function's
 * error.  May sleep: refusal stubs only.
 */
void mseal_syscall_result(long ret)
{
	struct mseal_result_work *w;

	if (current->flags & (PF_KTHREAD | PF_IO_WORKER))
		return;
	/* Tiny, and on a refusal only: worth not failing. */
	w = kmalloc(sizeof(*w), GFP_KERNEL | __GFP_NOFAIL);
	init_task_work(&w->twork, mseal_result_set);
	w->ret = ret;
	mseal_inflight_get();
	if (task_work_add(current, &w->twork, TWA_SIGNAL)) {
		/* Exiting: nobody will see the result. */
		mseal_inflight_put();
		kfree(w);
	}
}

/* ---- tracepoints --------------------------------------------------- */

struct mseal_tp_query {
	const char *name;
	struct tracepoint *tp;
};

static void mseal_tp_match(struct tracepoint *tp, void *priv)
{
	struct mseal_tp_query *q = priv;

	if (!strcmp(tp->name, q->name))
		q->tp = tp;
}

struct tracepoint *mseal_tracepoint(const char *name)
{
	struct mseal_tp_query q = { .name = name };

	for_each_kernel_tracepoint(mseal_tp_match, &q);
	return q.tp;
}
