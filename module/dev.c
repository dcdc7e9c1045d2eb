// SPDX-License-Identifier: GPL-2.0
/*
 * dev.c - /dev/mseal and its ioctls.
 *
 * MSEAL_IOC_SEAL is mseal(2) for the caller's own address space: the same
 * checks in the same order, the same errnos (SPEC 2).  Anyone may use it
 * (mode 0666), as mseal(2) needs no privilege.  The structure has the same
 * layout for 32-bit callers, so compat ioctls only convert the pointer.
 *
 * MSEAL_IOC_SYSMAP_OPTOUT is the way out of system-mapping sealing for
 * checkpoint/restore tools (SPEC 5.4, policy.c); MSEAL_IOC_LIST lists the
 * sealed ranges of a process (SPEC 6.1).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <linux/mseal_dev.h>

#include "mseal.h"

static long mseal_ioctl_seal(void __user *uarg)
{
	struct mseal_args args;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	/* A 32-bit kernel would truncate: refuse what does not fit. */
	if (args.addr != (unsigned long)args.addr ||
	    args.len != (size_t)args.len ||
	    args.flags != (unsigned long)args.flags)
		return -EINVAL;
	return mseal_seal_request(args.addr, args.len, args.flags);
}

/*
 * Who may read /proc/PID/maps may list the seals: the kernel's check of
 * that (mm_access(), with the LSMs' say) is not exported, so the module
 * opens the task's maps file, as the caller, on a procfs instance of its
 * own (mounted at load, in the loader's pid namespace).  The mm is taken
 * afterwards under exec_update_lock; if the task exec'd in between, the
 * check was for another program: EAGAIN.
 */
static struct vfsmount *mseal_proc_mnt;
static struct pid_namespace *mseal_proc_ns;

static struct mm_struct *mseal_task_mm(struct task_struct *task)
{
	u64 exec_id = READ_ONCE(task->self_exec_id);
	struct mm_struct *mm;
	struct file *f;
	char path[32];
	int ret;

	snprintf(path, sizeof(path), "%d/maps",
		 task_tgid_nr_ns(task, mseal_proc_ns));
	f = mseal_file_open_root_mnt(mseal_proc_mnt, path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f) == -ENOENT ? ERR_PTR(-ESRCH) : ERR_CAST(f);
	fput(f);
	ret = down_read_killable(&task->signal->exec_update_lock);
	if (ret)
		return ERR_PTR(ret);
	mm = get_task_mm(task);
	if (mm && READ_ONCE(task->self_exec_id) != exec_id) {
		mmput(mm);
		mm = ERR_PTR(-EAGAIN);
	}
	up_read(&task->signal->exec_update_lock);
	return mm;
}

/*
 * The mm of process @nr for listing, with a reference (mmput() it), NULL
 * for one without an mm, or an ERR_PTR().
 */
static struct mm_struct *mseal_list_mm(u32 nr)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;

	if (!nr) {
		mmget(current->mm);
		return current->mm;
	}
	if (nr > INT_MAX)
		return ERR_PTR(-ESRCH);
	pid = find_get_pid(nr);
	task = pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
	put_pid(pid);
	if (!task)
		return ERR_PTR(-ESRCH);
	mm = mseal_task_mm(task);
	put_task_struct(task);
	return mm;
}

static long mseal_ioctl_list(void __user *uarg)
{
	struct mseal_range_info *buf = NULL;
	struct mseal_list list;
	struct mm_struct *mm;
	u32 total = 0, n, room = 0;
	long ret = 0;

	if (copy_from_user(&list, uarg, sizeof(list)))
		return -EFAULT;
	mm = mseal_list_mm(list.pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	/*
	 * Copy under the lock into a buffer, and to the user without it: a
	 * fault on the user's array takes the mmap_lock.  The table may grow
	 * in between; then count again with a bigger buffer.
	 */
	for (;;) {
		if (mm) {
			if (mmap_read_lock_killable(mm)) {
				ret = -EINTR;
				goto out;
			}
			total = mseal_list_ranges(mm, buf, room);
			mmap_read_unlock(mm);
		}
		n = min(list.count, total);
		if (n <= room)
			break;
		kvfree(buf);
		room = n;
		buf = kvmalloc_array(room, sizeof(*buf), GFP_KERNEL_ACCOUNT);
		if (!buf) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (n && copy_to_user(u64_to_user_ptr(list.ranges), buf,
			      array_size(n, sizeof(*buf)))) {
		ret = -EFAULT;
		goto out;
	}
	list.count = total;
	if (copy_to_user(uarg, &list, sizeof(list)))
		ret = -EFAULT;
out:
	kvfree(buf);
	if (mm)
		mmput(mm);
	return ret;
}

static long mseal_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (!current->mm)
		return -EINVAL;

	switch (cmd) {
	case MSEAL_IOC_SEAL:
		return mseal_ioctl_seal((void __user *)arg);
	case MSEAL_IOC_SYSMAP_OPTOUT:
		return mseal_sysmap_optout();
	case MSEAL_IOC_LIST:
		return mseal_ioctl_list((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mseal_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= mseal_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice mseal_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= MSEAL_DEV_NAME,
	.fops	= &mseal_fops,
	.mode	= 0666,
};

int mseal_dev_init(void)
{
	struct file_system_type *proc = get_fs_type("proc");
	int ret;

	if (!proc) {
		pr_err("unsupported kernel: no procfs\n");
		return -EOPNOTSUPP;
	}
	mseal_proc_mnt = kern_mount(proc);
	module_put(proc->owner);	/* get_fs_type() took it */
	if (IS_ERR(mseal_proc_mnt)) {
		ret = PTR_ERR(mseal_proc_mnt);
		mseal_proc_mnt = NULL;
		return ret;
	}
	mseal_proc_ns = get_pid_ns(task_active_pid_ns(current));
	ret = misc_register(&mseal_miscdev);
	if (ret)
		mseal_dev_exit();
	return ret;
}

void mseal_dev_exit(void)
{
	if (mseal_miscdev.this_device)
		misc_deregister(&mseal_miscdev);
	mseal_miscdev.this_device = NULL;
	if (mseal_proc_ns)
		put_pid_ns(mseal_proc_ns);
	mseal_proc_ns = NULL;
	if (mseal_proc_mnt)
		kern_unmount(mseal_proc_mnt);
	mseal_proc_mnt = NULL;
}
