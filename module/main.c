// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - loading and unloading mseal.ko.
 *
 * Load order: every hooked symbol and every kernel function the module
 * calls is resolved and checked first, so an unsupported kernel refuses
 * the load with one line before anything is visible; then the policy
 * (/sys/kernel/mseal/, and the toggle, which arms the hooks when given at
 * load), the device (the only way to ask for an explicit seal) and the
 * system call.  Nothing is hooked until there is something to enforce
 * (module/lifecycle.c).
 *
 * Unload runs only when no seal of this module is in force anywhere: every
 * marked mm holds a reference on the module until exit_mmap() drops it, as
 * does every task that opted out of system-mapping sealing, and the locked
 * toggle holds one for good.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "hook.h"
#include "mseal.h"

static int __init mseal_init(void)
{
	int ret;

	ret = mseal_lifecycle_init();
	if (ret)
		return ret;
	ret = mseal_hooks_init();
	if (ret)
		return ret;
	ret = mseal_kcalls_init();
	if (ret)
		goto err_hooks;
	ret = mseal_policy_init();
	if (ret)
		goto err_lifecycle;
	ret = mseal_dev_init();
	if (ret)
		goto err_policy;
	ret = mseal_syscall_init();
	if (ret)
		goto err_dev;
	pr_info("version %s loaded\n", MSEAL_VERSION);
	return 0;

err_dev:
	mseal_dev_exit();
err_policy:
	mseal_policy_exit();
err_lifecycle:
	mseal_lifecycle_exit();
	mseal_inflight_drain();
err_hooks:
	mseal_hooks_exit();
	return ret;
}

static void __exit mseal_exit(void)
{
	mseal_syscall_exit();
	mseal_dev_exit();
	mseal_policy_exit();
	mseal_lifecycle_exit();
	/* Refusal stubs and queued task work still running module text. */
	mseal_inflight_drain();
	mseal_hooks_exit();
	pr_info("unloaded\n");
}

module_init(mseal_init);
module_exit(mseal_exit);

MODULE_DESCRIPTION("Memory sealing (mseal) for stock kernels");
MODULE_AUTHOR("mseal developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(MSEAL_VERSION);
