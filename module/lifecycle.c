// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle.c - which address spaces hold seals of this module, and
 * arming the hooks only while there is something to enforce.
 *
 * Marking: an mm that holds a seal this module made has a bit of its
 * mm->flags set.  The kernel does not inherit that bit at fork or exec
 * (it is outside MMF_INIT_MASK, checked at build time), so the fork probe marks a child whose
 * parent is marked (the child inherited the sealed VMAs) before the child
 * can run, and exit_mmap() (hooks/mm_exit.c) unmarks an mm that is going
 * away.  A marked mm holds a reference on the module, so the module cannot
 * be unloaded while a seal it made is in force (SPEC 4.4), and an arming
 * reference.
 *
 * Arming: mseal_arm_refs counts the reasons to have the hooks installed:
 * marked mms, seals being made, the system-mapping toggle.  It goes from 0
 * to 1 only under mseal_arm_mutex, after the hooks are installed; when it
 * drops to 0 a delayed work takes them out again if it is still 0 then.
 * The delay keeps a process that seals and exits in a loop from making
 * every CPU patch kernel text each time.  So "refs > 0" implies "armed",
 * and a caller that holds a reference never waits for anybody.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>

#include "hook.h"
#include "mmf.h"
#include "mseal.h"

#ifdef MMF_INIT_MASK
#define MSEAL_MMF_INHERITED	((unsigned long)MMF_INIT_MASK)
#else
#define MSEAL_MMF_INHERITED	((unsigned long)MMF_INIT_LEGACY_MASK)
#endif
static_assert(!(MSEAL_MMF_INHERITED &
		(BIT(MSEAL_MMF_SEALED) | BIT(MSEAL_MMF_SYSMAP))));

static atomic_t mseal_arm_refs = ATOMIC_INIT(0);
static atomic_long_t mseal_marked = ATOMIC_LONG_INIT(0);
static DEFINE_MUTEX(mseal_arm_mutex);
static bool mseal_hooks_armed;		/* under mseal_arm_mutex */
static struct tracepoint *mseal_tp_fork;

#define MSEAL_DISARM_DELAY	(2 * HZ)

static void mseal_disarm_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(mseal_disarm_work, mseal_disarm_fn);

/* Runs with preemption disabled, before @child can run. */
static void mseal_probe_fork(void *data, struct task_struct *parent,
			     struct task_struct *child)
{
	struct mm_struct *mm = child->mm;

	if (!mm || mm == parent->mm || !parent->mm ||
	    !mseal_mm_marked(parent->mm))
		return;
	/* The parent's mark holds the hooks armed: this cannot fail. */
	mseal_mm_mark(mm);
	if (mseal_mm_sysmap(parent->mm))
		mseal_mm_set(mm, MSEAL_MMF_SYSMAP);
}

static int mseal_arm(void)
{
	int ret;

	ret = tracepoint_probe_register(mseal_tp_fork, mseal_probe_fork, NULL);
	if (ret)
		return ret;
	ret = mseal_hooks_arm();
	if (ret) {
		tracepoint_probe_unregister(mseal_tp_fork, mseal_probe_fork,
					    NULL);
		tracepoint_synchronize_unregister();
	}
	return ret;
}

static void mseal_disarm(void)
{
	mseal_hooks_disarm();
	tracepoint_probe_unregister(mseal_tp_fork, mseal_probe_fork, NULL);
	tracepoint_synchronize_unregister();
}

static void mseal_disarm_fn(struct work_struct *work)
{
	mutex_lock(&mseal_arm_mutex);
	if (mseal_hooks_armed && !atomic_read(&mseal_arm_refs)) {
		mseal_disarm();
		mseal_hooks_armed = false;
	}
	mutex_unlock(&mseal_arm_mutex);
}

int mseal_arm_get(void)
{
	int ret = 0;

	if (atomic_inc_not_zero(&mseal_arm_refs))
		return 0;
	mutex_lock(&mseal_arm_mutex);
	if (!mseal_hooks_armed) {
		ret = mseal_arm();
		if (!ret)
			mseal_hooks_armed = true;
	}
	if (!ret)
		atomic_inc(&mseal_arm_refs);
	mutex_unlock(&mseal_arm_mutex);
	return ret;
}

void mseal_arm_put(void)
{
	if (atomic_dec_and_test(&mseal_arm_refs))
		schedule_delayed_work(&mseal_disarm_work, MSEAL_DISARM_DELAY);
}

bool mseal_armed(void)
{
	return atomic_read(&mseal_arm_refs) > 0;
}

bool mseal_mm_marked(struct mm_struct *mm)
{
	return mseal_mm_test(mm, MSEAL_MMF_SEALED);
}

/*
 * Mark @mm, taking an arming reference for it.  That never makes the
 * count go from 0 to 1 (only mseal_arm_get() does, armed first), so it
 * fails when nothing holds the hooks armed: a caller that holds a
 * reference of its own (a seal in progress, the parent of a fork) cannot
 * fail.  Atomic context; the mm's mmap_lock held for writing, or the mm
 * not yet running.
 */
bool mseal_mm_mark(struct mm_struct *mm)
{
	if (mseal_mm_marked(mm))
		return true;
	if (!atomic_inc_not_zero(&mseal_arm_refs))
		return false;
	if (mseal_mm_test_and_set(mm, MSEAL_MMF_SEALED)) {
		mseal_arm_put();
		return true;
	}
	atomic_long_inc(&mseal_marked);
	__module_get(THIS_MODULE);
	return true;
}

bool mseal_mm_mark_sysmap(struct mm_struct *mm)
{
	if (!mseal_mm_mark(mm))
		return false;
	mseal_mm_set(mm, MSEAL_MMF_SYSMAP);
	return true;
}

bool mseal_mm_sysmap(struct mm_struct *mm)
{
	return mseal_mm_test(mm, MSEAL_MMF_SYSMAP);
}

void mseal_mm_gone(struct mm_struct *mm)
{
	mseal_mm_clear(mm, MSEAL_MMF_SYSMAP);
	if (!mseal_mm_test_and_clear(mm, MSEAL_MMF_SEALED))
		return;
	atomic_long_dec(&mseal_marked);
	mseal_arm_put();
	module_put(THIS_MODULE);
}

long mseal_nr_sealed_mms(void)
{
	return atomic_long_read(&mseal_marked);
}

int mseal_lifecycle_init(void)
{
	mseal_tp_fork = mseal_tracepoint("sched_process_fork");
	if (!mseal_tp_fork) {
		pr_err("unsupported kernel: tracepoint sched_process_fork not found\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Unload: no mm is marked (each holds a module reference). */
void mseal_lifecycle_exit(void)
{
	cancel_delayed_work_sync(&mseal_disarm_work);
	mutex_lock(&mseal_arm_mutex);
	if (mseal_hooks_armed)
		mseal_disarm();
	mseal_hooks_armed = false;
	mutex_unlock(&mseal_arm_mutex);
}
