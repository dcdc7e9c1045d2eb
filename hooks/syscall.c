// SPDX-License-Identifier: GPL-2.0
/*
 * syscall.c - mseal(2) itself, system call 462, on kernels that lack it
 * (SPEC 7.4): unmodified programs that call syscall(__NR_mseal, ...) get
 * what MSEAL_IOC_SEAL gives, with the same errnos.
 *
 * Off unless the module parameter "syscall" is 1: the only way in is a
 * probe on the sys_enter tracepoint, and while any probe is attached every
 * system call of every task takes the slow entry path (about +65
 * instructions each; docs/admin.md has the measured cost).
 *
 * The probe runs with preemption disabled and cannot take mmap_lock.  It
 * takes the arguments, turns the call into a skipped one (returning 0 for
 * the moment: a tracer's syscall-exit stop sees that) and queues task
 * work.  The work runs in the same task before it returns to user mode,
 * sleepable: it seals and writes the result into the user registers.  It
 * is queued as TWA_SIGNAL, so it runs before any signal frame is built: a
 * handler never sees the placeholder, and the interrupted context is saved
 * with the real result.
 *
 * A queued work counts as in flight (mseal_inflight_get()), so the unload
 * drain waits for it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/tracepoint.h>
#include <asm/syscall.h>

#include "hook.h"
#include "mseal.h"
#include "syscalls.h"

#ifndef __NR_mseal	/* the kernel has its own: nothing to provide */

struct mseal_syscall_work {
	struct callback_head twork;
	unsigned long start, len, flags;
};

static bool mseal_syscall_param;	/* what was asked */
static bool mseal_syscall_ready;	/* init is done: attach on request */
static struct tracepoint *mseal_tp_sys_enter;
static DEFINE_MUTEX(mseal_syscall_mutex);

static void mseal_syscall_complete(struct callback_head *head)
{
	struct mseal_syscall_work *w =
		container_of(head, struct mseal_syscall_work, twork);
	long ret = -ESRCH;

	if (current->mm && !(current->flags & PF_EXITING))
		ret = mseal_seal_request(w->start, w->len, w->flags);
	syscall_set_return_value(current, task_pt_regs(current), ret, 0);
	kfree(w);
	mseal_inflight_put();
}

static void mseal_probe_sys_enter(void *data, struct pt_regs *regs, long id)
{
	struct mseal_syscall_work *w;
	long ret = -ENOMEM;

	/* Every system call comes here: 462 (or x32's 462) only. */
	if (likely(id != MSEAL_NR_mseal) &&
	    (mseal_arch_compat_syscall() ||
	     mseal_arch_native_nr(id) != MSEAL_NR_mseal))
		return;
	mseal_arch_skip_syscall(regs);
	w = kmalloc(sizeof(*w), GFP_NOWAIT | __GFP_ACCOUNT | __GFP_NOWARN);
	if (w) {
		w->start = mseal_syscall_arg(regs, 0);
		w->len = mseal_syscall_arg(regs, 1);
		w->flags = mseal_syscall_arg(regs, 2);
		init_task_work(&w->twork, mseal_syscall_complete);
		mseal_inflight_get();
		ret = task_work_add(current, &w->twork, TWA_SIGNAL);
		if (!ret) {
			ret = 0;	/* the work writes the result */
		} else {
			mseal_inflight_put();
			kfree(w);
			ret = -ESRCH;	/* the task is exiting */
		}
	}
	syscall_set_return_value(current, regs, ret, 0);
}

/* Attach or detach the probe as the parameter says; the mutex held. */
static int mseal_syscall_apply(bool on)
{
	static bool attached;
	int ret;

	if (on == attached)
		return 0;
	if (!on) {
		tracepoint_probe_unregister(mseal_tp_sys_enter,
					    mseal_probe_sys_enter, NULL);
		tracepoint_synchronize_unregister();
		attached = false;
		return 0;
	}
	if (!mseal_tp_sys_enter)
		mseal_tp_sys_enter = mseal_tracepoint("sys_enter");
	if (!mseal_tp_sys_enter) {
		pr_err("syscall unavailable: tracepoint sys_enter not found\n");
		return -EOPNOTSUPP;
	}
	ret = tracepoint_probe_register(mseal_tp_sys_enter,
					mseal_probe_sys_enter, NULL);
	if (!ret)
		attached = true;
	return ret;
}

static int mseal_syscall_param_set(const char *val,
				   const struct kernel_param *kp)
{
	bool on;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = kstrtobool(val, &on);
	if (ret)
		return ret;
	mutex_lock(&mseal_syscall_mutex);
	ret = mseal_syscall_ready ? mseal_syscall_apply(on) : 0;
	if (!ret)
		mseal_syscall_param = on;
	mutex_unlock(&mseal_syscall_mutex);
	return ret;
}

static const struct kernel_param_ops mseal_syscall_param_ops = {
	.set	= mseal_syscall_param_set,
	.get	= param_get_bool,
};

module_param_cb(syscall, &mseal_syscall_param_ops, &mseal_syscall_param,
		0644);
MODULE_PARM_DESC(syscall,
		 "Provide mseal(2), system call 462, to every program: 1 on, 0 off (default; on costs every system call the slow entry path)");

int mseal_syscall_init(void)
{
	int ret;

	mutex_lock(&mseal_syscall_mutex);
	mseal_syscall_ready = true;
	ret = mseal_syscall_apply(mseal_syscall_param);
	if (ret)
		mseal_syscall_ready = false;
	mutex_unlock(&mseal_syscall_mutex);
	return ret;
}

void mseal_syscall_exit(void)
{
	mutex_lock(&mseal_syscall_mutex);
	mseal_syscall_apply(false);
	mseal_syscall_ready = false;
	mutex_unlock(&mseal_syscall_mutex);
}

#else

int mseal_syscall_init(void)
{
	return 0;
}

void mseal_syscall_exit(void)
{
}

#endif /* __NR_mseal */
