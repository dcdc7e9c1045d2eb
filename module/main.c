// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - loading and unloading mseal.ko.
 *
 * Load order: the table, the policy (whose toggle, when given at load,
 * switches the table's fast path on before any hook can seal at exec; and
 * /sys/kernel/mseal/), then the hooks (which refuse an unsupported kernel
 * before anything is visible), then the device, the only way to create an
 * explicit seal.  Unload runs only when no seal is in force anywhere: every
 * sealed mm holds a reference on the module until exit_mmap() drops it, as
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

	ret = mseal_table_init();
	if (ret)
		return ret;
	ret = mseal_policy_init();
	if (ret)
		goto err_table;
	ret = mseal_hooks_install();
	if (ret)
		goto err_policy;
	/* After the hooks: they resolve sysctl_max_map_count if they can. */
	mseal_limits_init();
	ret = mseal_dev_init();
	if (ret)
		goto err_limits;
	ret = mseal_syscall_init();
	if (ret)
		goto err_dev;
	pr_info("version %s loaded\n", MSEAL_VERSION);
	return 0;

err_dev:
	mseal_dev_exit();
err_limits:
	mseal_hooks_remove();
	mseal_limits_exit();
err_policy:
	mseal_policy_exit();
err_table:
	mseal_table_exit();
	return ret;
}

static void __exit mseal_exit(void)
{
	mseal_syscall_exit();
	mseal_dev_exit();
	/*
	 * The drain also waits for queued system calls (hooks/syscall.c),
	 * which seal and so read the limit: limits go after it.
	 */
	mseal_hooks_remove();
	mseal_limits_exit();
	mseal_policy_exit();
	mseal_table_exit();
	pr_info("unloaded\n");
}

module_init(mseal_init);
module_exit(mseal_exit);

MODULE_DESCRIPTION("Memory sealing (mseal) for kernels without it");
MODULE_AUTHOR("mseal developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(MSEAL_VERSION);
