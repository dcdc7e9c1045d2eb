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
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>

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
 * The hooked sites of one function: its ftrace location is its address on
 * x86_64 and a few instructions in on arm64 (patchable-function-entry).
 */
#define MSEAL_FTRACE_SITE_SPAN	16

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

		if (ip - hook->addr < MSEAL_FTRACE_SITE_SPAN) {
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

static int mseal_hook_resolve(struct mseal_hook *hook)
{
	int ret;

	hook->addr = mseal_kallsyms_lookup_name(hook->name);
	if (!hook->addr) {
		pr_err("unsupported kernel: symbol '%s' not found\n",
		       hook->name);
		return -ENOENT;
	}
	mseal_ftrace_filtered = true;
	ret = ftrace_set_filter_ip(&mseal_ftrace_ops, hook->addr, 0, 0);
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
	for (i = 0; i < ARRAY_SIZE(mseal_hooks); i++)
		mseal_hooks[i]->addr = 0;
}

int mseal_hooks_install(void)
{
	unsigned int i;
	int ret;

	ret = mseal_find_kallsyms();
	if (ret)
		return ret;

	/* Optional: without it the table falls back to the default bound. */
	mseal_sysctl_max_map_count =
		(int *)mseal_kallsyms_lookup_name("sysctl_max_map_count");
	mseal_mm_access = (void *)mseal_kallsyms_lookup_name("mm_access");
	if (!mseal_mm_access) {
		pr_err("unsupported kernel: symbol 'mm_access' not found\n");
		return -ENOENT;
	}

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
