// SPDX-License-Identifier: GPL-2.0
/*
 * dev.c - /dev/mseal and its ioctls.
 *
 * MSEAL_IOC_SEAL is mseal(2) for the caller's own address space: the same
 * checks in the same order, the same errnos (SPEC 2).  Anyone may use it
 * (mode 0666), as mseal(2) needs no privilege.  The structure has the same
 * layout for 32-bit callers, so compat ioctls only convert the pointer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

#include <linux/mseal_dev.h>

#include "mseal.h"

static long mseal_do_seal(unsigned long start, size_t len_in,
			  unsigned long flags)
{
	struct mm_struct *mm = current->mm;
	unsigned long end;
	size_t len;

	if (flags)
		return -EINVAL;
	start = untagged_addr(start);
	if (!PAGE_ALIGNED(start))
		return -EINVAL;
	len = PAGE_ALIGN(len_in);
	/* A huge len_in rounds up to 0. */
	if (len_in && !len)
		return -EINVAL;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;

	return mseal_table_seal(mm, start, end);
}

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
	return mseal_do_seal(args.addr, args.len, args.flags);
}

static long mseal_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (!current->mm)
		return -EINVAL;

	switch (cmd) {
	case MSEAL_IOC_SEAL:
		return mseal_ioctl_seal((void __user *)arg);
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
	return misc_register(&mseal_miscdev);
}

void mseal_dev_exit(void)
{
	misc_deregister(&mseal_miscdev);
}
