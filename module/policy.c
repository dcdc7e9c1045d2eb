// SPDX-License-Identifier: GPL-2.0
/*
 * policy.c - sealing of system mappings at exec (SPEC 5), its opt-out,
 * the counters and /sys/kernel/mseal/ (SPEC 6.2).
 *
 * Toggle: the module parameter seal_system_mappings is 0 (off, the
 * default), 1 (on) or 2 (on, and locked: no write succeeds until reboot,
 * and the module pins itself so that it cannot be unloaded either).  Only
 * CAP_SYS_ADMIN may write it.  While it is on it holds the hooks armed
 * (module/lifecycle.c), since the seal is made in a hook.
 *
 * Exec is the edge (SPEC 5.2): the decision is taken when a system mapping
 * is created during exec (hooks/sysmap.c), for the new program, and
 * recorded on its mm, so that a [uprobes] area created later in that mm's
 * life is sealed the same way whatever the toggle says by then.
 *
 * Opt-out (SPEC 5.4): a task that asked is kept in a hash keyed by its
 * task_struct, read under RCU at exec.  A probe on the sched_process_fork
 * tracepoint copies the entry to every task the opted-out one creates; one
 * on sched_process_free drops it when the task_struct goes.  The probes
 * are attached on the first opt-out and stay attached until unload.  Each
 * entry holds a reference on the module, as a seal does: unloading would
 * forget the opt-out while the tasks that asked for it still run.
 *
 * Counters are atomic and only ever touched on the cold paths: a seal
 * being made, a denial.  The allowed path of every hook costs nothing
 * more.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/hashtable.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/tracepoint.h>

#include "compat.h"
#include "hook.h"
#include "mseal.h"
#include "request.h"

/* ---- toggle -------------------------------------------------------- */

#define MSEAL_SYSMAP_OFF	0
#define MSEAL_SYSMAP_ON		1
#define MSEAL_SYSMAP_LOCKED	2

static int mseal_sysmap_mode;
static bool mseal_policy_ready;		/* the hooks can be armed */
static DEFINE_MUTEX(mseal_policy_mutex);

/* Hold the hooks armed while the toggle is on; the policy mutex held. */
static int mseal_sysmap_apply(int old, int mode)
{
	bool was_on = old != MSEAL_SYSMAP_OFF, on = mode != MSEAL_SYSMAP_OFF;

	if (!mseal_policy_ready || was_on == on)
		return 0;
	if (!on) {
		mseal_arm_put();
		return 0;
	}
	return mseal_arm_get();
}

static int mseal_sysmap_param_set(const char *val,
				  const struct kernel_param *kp)
{
	int mode, ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mutex_lock(&mseal_policy_mutex);
	if (mseal_sysmap_mode == MSEAL_SYSMAP_LOCKED) {
		ret = -EPERM;
		goto out;
	}
	ret = kstrtoint(val, 0, &mode);
	if (ret || mode < MSEAL_SYSMAP_OFF || mode > MSEAL_SYSMAP_LOCKED) {
		ret = -EINVAL;
		goto out;
	}
	/* Armed first: an exec that sees the toggle on will seal. */
	ret = mseal_sysmap_apply(mseal_sysmap_mode, mode);
	if (ret)
		goto out;
	/* Locked until reboot: never unloaded, never put. */
	if (mode == MSEAL_SYSMAP_LOCKED)
		__module_get(THIS_MODULE);
	WRITE_ONCE(mseal_sysmap_mode, mode);
out:
	mutex_unlock(&mseal_policy_mutex);
	return ret;
}

static const struct kernel_param_ops mseal_sysmap_param_ops = {
	.set	= mseal_sysmap_param_set,
	.get	= param_get_int,
};

module_param_cb(seal_system_mappings, &mseal_sysmap_param_ops,
		&mseal_sysmap_mode, 0644);
MODULE_PARM_DESC(seal_system_mappings,
		 "Seal [vdso], [vvar] and the other system mappings of every program exec'd from now on: 0 off, 1 on, 2 on and locked until reboot");

static bool mseal_log_denials;

static int mseal_log_param_set(const char *val, const struct kernel_param *kp)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return param_set_bool(val, kp);
}

static const struct kernel_param_ops mseal_log_param_ops = {
	.set	= mseal_log_param_set,
	.get	= param_get_bool,
};

module_param_cb(log_denials, &mseal_log_param_ops, &mseal_log_denials, 0644);
MODULE_PARM_DESC(log_denials,
		 "Log (rate-limited) every refused operation on a sealed system mapping");

/* ---- opt-out ------------------------------------------------------- */

struct mseal_optout {
	struct hlist_node hnode;	/* in mseal_optout_hash, RCU */
	struct task_struct *task;	/* only compared, never followed */
	struct rcu_head rcu;
};

#define MSEAL_OPTOUT_BITS	6
static DEFINE_HASHTABLE(mseal_optout_hash, MSEAL_OPTOUT_BITS);
/* Taken from the free probe, which runs in softirq context. */
static DEFINE_SPINLOCK(mseal_optout_lock);
static atomic_t mseal_nr_optouts = ATOMIC_INIT(0);

static struct tracepoint *mseal_tp_fork, *mseal_tp_free;
static bool mseal_tp_attached;

static bool mseal_optout_find(struct task_struct *task)
{
	struct mseal_optout *o;
	bool found = false;

	rcu_read_lock();
	hash_for_each_possible_rcu(mseal_optout_hash, o, hnode,
				   (unsigned long)task) {
		if (o->task == task) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* Add @task unless it is there already; takes ownership of @o. */
static void mseal_optout_add(struct task_struct *task, struct mseal_optout *o)
{
	unsigned long flags;

	spin_lock_irqsave(&mseal_optout_lock, flags);
	if (mseal_optout_find(task)) {
		spin_unlock_irqrestore(&mseal_optout_lock, flags);
		kfree(o);
		return;
	}
	o->task = task;
	__module_get(THIS_MODULE);
	atomic_inc(&mseal_nr_optouts);
	hash_add_rcu(mseal_optout_hash, &o->hnode, (unsigned long)task);
	spin_unlock_irqrestore(&mseal_optout_lock, flags);
}

/* Runs with preemption disabled, before @child can run. */
static void mseal_probe_fork(void *data, struct task_struct *parent,
			     struct task_struct *child)
{
	struct mseal_optout *o;

	if (!atomic_read(&mseal_nr_optouts) || !mseal_optout_find(parent))
		return;
	/* Without memory the child stays opted in: the safe side. */
	o = kzalloc(sizeof(*o), GFP_NOWAIT | __GFP_ACCOUNT | __GFP_NOWARN);
	if (o)
		mseal_optout_add(child, o);
}

/* From an RCU callback: @task is about to be freed. */
static void mseal_probe_free(void *data, struct task_struct *task)
{
	struct mseal_optout *o, *found = NULL;
	unsigned long flags;

	if (!atomic_read(&mseal_nr_optouts))
		return;
	spin_lock_irqsave(&mseal_optout_lock, flags);
	hash_for_each_possible(mseal_optout_hash, o, hnode,
			       (unsigned long)task) {
		if (o->task == task) {
			hash_del_rcu(&o->hnode);
			atomic_dec(&mseal_nr_optouts);
			found = o;
			break;
		}
	}
	spin_unlock_irqrestore(&mseal_optout_lock, flags);
	if (found) {
		kfree_rcu(found, rcu);
		module_put(THIS_MODULE);
	}
}

/* Attach the probes once; policy mutex held. */
static int mseal_optout_attach(void)
{
	int ret;

	if (mseal_tp_attached)
		return 0;
	mseal_tp_fork = mseal_tracepoint("sched_process_fork");
	mseal_tp_free = mseal_tracepoint("sched_process_free");
	if (!mseal_tp_fork || !mseal_tp_free) {
		pr_err("opt-out unavailable: tracepoint sched_process_%s not found\n",
		       mseal_tp_fork ? "free" : "fork");
		return -EOPNOTSUPP;
	}
	ret = tracepoint_probe_register(mseal_tp_free, mseal_probe_free, NULL);
	if (ret)
		return ret;
	ret = tracepoint_probe_register(mseal_tp_fork, mseal_probe_fork, NULL);
	if (ret) {
		tracepoint_probe_unregister(mseal_tp_free, mseal_probe_free,
					    NULL);
		tracepoint_synchronize_unregister();
		return ret;
	}
	mseal_tp_attached = true;
	return 0;
}

int mseal_sysmap_optout(void)
{
	struct mseal_optout *o;
	int ret;

	if (!capable(CAP_CHECKPOINT_RESTORE) && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	o = kzalloc(sizeof(*o), GFP_KERNEL_ACCOUNT);
	if (!o)
		return -ENOMEM;
	mutex_lock(&mseal_policy_mutex);
	ret = mseal_optout_attach();
	mutex_unlock(&mseal_policy_mutex);
	if (ret) {
		kfree(o);
		return ret;
	}
	mseal_optout_add(current, o);
	return 0;
}

/* ---- sealing at exec ----------------------------------------------- */

static atomic_long_t mseal_nr_seals = ATOMIC_LONG_INIT(0);

void mseal_count_seal(void)
{
	atomic_long_inc(&mseal_nr_seals);
}

bool mseal_sysmap_wanted(struct mm_struct *mm)
{
	/* Later ([uprobes]): as decided at this mm's exec. */
	if (!mseal_task_in_exec(current) || mm != current->mm)
		return mseal_mm_sysmap(mm);
	/* The new program: the toggle and the opt-out decide. */
	if (READ_ONCE(mseal_sysmap_mode) == MSEAL_SYSMAP_OFF)
		return false;
	return !atomic_read(&mseal_nr_optouts) || !mseal_optout_find(current);
}

/* ---- denials ------------------------------------------------------- */

static const char *const mseal_op_names[MSEAL_NR_OPS] = {
	[MSEAL_OP_MUNMAP]	= "munmap",
	[MSEAL_OP_MPROTECT]	= "mprotect",
	[MSEAL_OP_MREMAP]	= "mremap",
	[MSEAL_OP_MMAP]		= "mmap",
	[MSEAL_OP_MADVISE]	= "madvise",
};

static atomic_long_t mseal_nr_denied[MSEAL_NR_OPS];
static atomic_long_t mseal_nr_sysmap_denied = ATOMIC_LONG_INIT(0);

void mseal_denied(enum mseal_op op, struct mm_struct *mm, unsigned long start,
		  unsigned long end)
{
	atomic_long_inc(&mseal_nr_denied[op]);
	/* The piece the hook saw, or the request it is a piece of. */
	if (!mseal_request_system_range(mm, &start, &end))
		return;
	atomic_long_inc(&mseal_nr_sysmap_denied);
	if (READ_ONCE(mseal_log_denials))
		pr_info_ratelimited("%s of system mapping in [%#lx, %#lx) denied: pid %d (%s)\n",
				    mseal_op_names[op], start, end,
				    task_tgid_nr(current), current->comm);
}

/* ---- /sys/kernel/mseal/ -------------------------------------------- */

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", MSEAL_VERSION);
}

/* Who refuses operations on sealed memory: this module, or the kernel. */
static ssize_t enforcement_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
#ifdef VM_SEALED
	return sysfs_emit(buf, "kernel\n");
#else
	return sysfs_emit(buf, "module\n");
#endif
}

static ssize_t seals_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&mseal_nr_seals));
}

static ssize_t ranges_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%ld\n", mseal_ranges_held());
}

static ssize_t mms_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%ld\n", mseal_nr_sealed_mms());
}

static ssize_t denied_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	int len = 0;
	int op;

	for (op = 0; op < MSEAL_NR_OPS; op++)
		len += sysfs_emit_at(buf, len, "%s %ld\n", mseal_op_names[op],
				     atomic_long_read(&mseal_nr_denied[op]));
	return len;
}

static ssize_t sysmap_denied_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&mseal_nr_sysmap_denied));
}

static struct kobj_attribute mseal_attr_version = __ATTR_RO(version);
static struct kobj_attribute mseal_attr_enforcement = __ATTR_RO(enforcement);
static struct kobj_attribute mseal_attr_seals = __ATTR_RO(seals);
static struct kobj_attribute mseal_attr_ranges = __ATTR_RO(ranges);
static struct kobj_attribute mseal_attr_mms = __ATTR_RO(mms);
static struct kobj_attribute mseal_attr_denied = __ATTR_RO(denied);
static struct kobj_attribute mseal_attr_sysmap_denied =
	__ATTR_RO(sysmap_denied);

static struct attribute *mseal_attrs[] = {
	&mseal_attr_version.attr,
	&mseal_attr_enforcement.attr,
	&mseal_attr_seals.attr,
	&mseal_attr_ranges.attr,
	&mseal_attr_mms.attr,
	&mseal_attr_denied.attr,
	&mseal_attr_sysmap_denied.attr,
	NULL,
};

static const struct attribute_group mseal_attr_group = {
	.attrs = mseal_attrs,
};

static struct kobject *mseal_kobj;

int mseal_policy_init(void)
{
	int ret;

	/* Given at load time: parameters are set before init runs. */
	mutex_lock(&mseal_policy_mutex);
	mseal_policy_ready = true;
	ret = mseal_sysmap_apply(MSEAL_SYSMAP_OFF, mseal_sysmap_mode);
	if (ret)
		mseal_policy_ready = false;
	mutex_unlock(&mseal_policy_mutex);
	if (ret)
		return ret;

	mseal_kobj = kobject_create_and_add("mseal", kernel_kobj);
	if (!mseal_kobj) {
		mseal_policy_exit();
		return -ENOMEM;
	}
	ret = sysfs_create_group(mseal_kobj, &mseal_attr_group);
	if (ret) {
		kobject_put(mseal_kobj);
		mseal_kobj = NULL;
		mseal_policy_exit();
	}
	return ret;
}

/*
 * Unload runs only when no entry is left (each holds a reference), so
 * detaching the probes is all there is to do.
 */
void mseal_policy_exit(void)
{
	mutex_lock(&mseal_policy_mutex);
	mseal_sysmap_apply(mseal_sysmap_mode, MSEAL_SYSMAP_OFF);
	mseal_policy_ready = false;
	mutex_unlock(&mseal_policy_mutex);
	if (mseal_tp_attached) {
		tracepoint_probe_unregister(mseal_tp_fork, mseal_probe_fork,
					    NULL);
		tracepoint_probe_unregister(mseal_tp_free, mseal_probe_free,
					    NULL);
		tracepoint_synchronize_unregister();
		mseal_tp_attached = false;
	}
	/* kfree_rcu() of the last entries runs before the module goes. */
	rcu_barrier();
	kobject_put(mseal_kobj);
	mseal_kobj = NULL;
}
