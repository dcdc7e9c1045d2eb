// SPDX-License-Identifier: GPL-2.0
/*
 * hook.c - resolving, installing and draining the ftrace hooks.
 *
 * Install is all or nothing: every symbol is resolved and checked before
 * the first hook goes live, and a kernel that lacks one refuses the load
 * with one line naming it.
 *
 * Removal drains: after the ftrace ops are gone no new call can enter a
 * wrapper, synchronize_rcu_tasks() waits out any task that was diverted but
 * had not yet counted itself in, and then we wait for the in-flight count
 * to reach zero (a task can sleep on mmap_lock inside a wrapper for a long
 * time), and once more for the few instructions after the count drops.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "compat.h"
#include "hook.h"

DEFINE_PER_CPU(long, mseal_hook_inflight);

int *mseal_sysctl_max_map_count;
struct mm_struct *(*mseal_mm_access)(struct task_struct *task,
				     unsigned int mode);
static_assert(__same_type(mseal_mm_access, &mm_access));

#ifdef MSEAL_TEST_FAULT_SYMBOL
/* Fault injection for the test suite: a symbol this kernel cannot give. */
static struct mseal_hook mseal_fault_hook =
	MSEAL_HOOK(MSEAL_TEST_FAULT_SYMBOL, NULL, NULL);
#endif

static struct mseal_hook *const mseal_hooks[] = {
#ifdef MSEAL_TEST_FAULT_SYMBOL
	&mseal_fault_hook,
#endif
	&mseal_munmap_hook,
	&mseal_mprotect_hook,
	&mseal_mremap_hook,
	&mseal_mmap_hook,
	&mseal_madvise_hook,
	&mseal_fork_hook,
	&mseal_fork_copy_hook,
	&mseal_mm_exit_hook,
	&mseal_sysmap_hook,
};

static unsigned long (*mseal_kallsyms_lookup_name)(const char *name);

/*
 * kallsyms_lookup_name() is not exported since 5.7; a kprobe on it tells
 * its address.
 */
static int mseal_find_kallsyms(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int ret = register_kprobe(&kp);

	if (ret < 0) {
		pr_err("unsupported kernel: cannot locate kallsyms_lookup_name (error %d)\n",
		       ret);
		return ret;
	}
	mseal_kallsyms_lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	return 0;
}

/*
 * A function's ftrace location is at its address (x86_64 without IBT), or
 * an instruction or two in: after ENDBR (x86_64 IBT), after BTI and the
 * "mov x9, x30" that precedes the patched call (arm64).
 */
#define MSEAL_FTRACE_SITE_SPAN	16

static unsigned long (*mseal_ftrace_location_range)(unsigned long start,
						    unsigned long end);
static_assert(__same_type(mseal_ftrace_location_range,
			  &ftrace_location_range));

static void notrace mseal_ftrace_thunk(unsigned long ip,
				       unsigned long parent_ip,
				       struct ftrace_ops *ops,
				       struct ftrace_regs *fregs)
{
	unsigned int i;

	/* The wrapper calling the original comes through here too. */
	if (within_module(parent_ip, THIS_MODULE))
		return;
	for (i = 0; i < ARRAY_SIZE(mseal_hooks); i++) {
		const struct mseal_hook *hook = mseal_hooks[i];

		if (ip == hook->site) {
			if (hook->wrapper)
				mseal_ftrace_divert(fregs,
						    (unsigned long)hook->wrapper);
			return;
		}
	}
}

/*
 * One ftrace_ops for every hook: loading and unloading then patch the
 * kernel text in one batch each, not once per hooked function.
 */
static struct ftrace_ops mseal_ftrace_ops = {
	.func	= mseal_ftrace_thunk,
	.flags	= MSEAL_FTRACE_OPS_FLAGS,
};

static bool mseal_ftrace_filtered;

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

/* A symbol this module cannot work without; its absence is logged. */
static void *mseal_lookup_required(const char *name)
{
	unsigned long addr = mseal_kallsyms_lookup_name(name);

	if (!addr)
		pr_err("unsupported kernel: symbol '%s' not found\n", name);
	return (void *)addr;
}

static int mseal_hook_resolve(struct mseal_hook *hook)
{
	int ret;

	hook->addr = (unsigned long)mseal_lookup_required(hook->name);
	if (!hook->addr)
		return -ENOENT;
	/*
	 * The exact site, not ftrace_set_filter_ip(addr): for a symbol's
	 * address that function maps to any ftrace location within the
	 * symbol's size, and a symbol can cover more than one function
	 * (arm64 6.1: uprobe_dup_mmap is followed by a function kallsyms does
	 * not name).  The site must also be this function's, not the next
	 * one's when this one is notrace.
	 */
	hook->site = mseal_ftrace_location_range(hook->addr, hook->addr +
						 MSEAL_FTRACE_SITE_SPAN - 1);
	if (hook->site) {
		char name[KSYM_NAME_LEN];

		snprintf(name, sizeof(name), "%ps", (void *)hook->site);
		if (strcmp(name, hook->name))
			hook->site = 0;
	}
	if (!hook->site) {
		pr_err("unsupported kernel: '%s' cannot be traced by ftrace\n",
		       hook->name);
		return -EOPNOTSUPP;
	}
	mseal_ftrace_filtered = true;
	ret = ftrace_set_filter_ip(&mseal_ftrace_ops, hook->site, 0, 0);
	if (ret) {
		pr_err("unsupported kernel: '%s' cannot be traced by ftrace (error %d)\n",
		       hook->name, ret);
		return ret == -EINVAL ? -EOPNOTSUPP : ret;
	}
	if (hook->orig)
		*(unsigned long *)hook->orig = hook->addr;
	return 0;
}

static void mseal_hooks_drain(void)
{
	long inflight;
	int cpu;

	synchronize_rcu_tasks();
	for (;;) {
		inflight = 0;
		for_each_possible_cpu(cpu)
			inflight += per_cpu(mseal_hook_inflight, cpu);
		if (!inflight)
			break;
		msleep(20);
	}
	synchronize_rcu_tasks();
}

static void mseal_hooks_unregister(void)
{
	unsigned int i;

	if (mseal_ftrace_ops.flags & FTRACE_OPS_FL_ENABLED)
		unregister_ftrace_function(&mseal_ftrace_ops);
	mseal_hooks_drain();
	/* Frees the filter that ftrace_set_filter_ip() allocated. */
	if (mseal_ftrace_filtered)
		ftrace_free_filter(&mseal_ftrace_ops);
	mseal_ftrace_filtered = false;
	for (i = 0; i < ARRAY_SIZE(mseal_hooks); i++) {
		mseal_hooks[i]->addr = 0;
		mseal_hooks[i]->site = 0;
	}
}

int mseal_hooks_install(void)
{
	unsigned int i;
	int ret;

	ret = mseal_find_kallsyms();
	if (ret)
		return ret;

	/* Data: only with CONFIG_KALLSYMS_ALL; module/limits.c copes without. */
	mseal_sysctl_max_map_count =
		(int *)mseal_kallsyms_lookup_name("sysctl_max_map_count");
	mseal_mm_access = mseal_lookup_required("mm_access");
	mseal_ftrace_location_range =
		mseal_lookup_required("ftrace_location_range");
	if (!mseal_mm_access || !mseal_ftrace_location_range)
		return -ENOENT;

	for (i = 0; i < ARRAY_SIZE(mseal_hooks); i++) {
		ret = mseal_hook_resolve(mseal_hooks[i]);
		if (ret)
			goto fail;
	}
	ret = register_ftrace_function(&mseal_ftrace_ops);
	if (ret) {
		pr_err("cannot hook the mm functions (error %d): is another tool patching them?\n",
		       ret);
		goto fail;
	}
	return 0;
fail:
	mseal_hooks_unregister();
	return ret;
}

void mseal_hooks_remove(void)
{
	mseal_hooks_unregister();
}
