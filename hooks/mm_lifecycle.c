// SPDX-License-Identifier: GPL-2.0
/*
 * mm_lifecycle.c - seals live and die with their mm (SPEC 4.2).
 *
 * exit_mmap() runs once per mm, when its last user is gone: at exit, after
 * exec replaced it, and when a failed fork drops a half-built copy.  Nothing
 * can operate on the mm any more, so its table is dropped there, and a new
 * mm that later reuses the same address starts with no seals.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "compat.h"
#include "hook.h"
#include "mseal.h"

static void (*mseal_orig_exit_mmap)(struct mm_struct *mm);
static_assert(__same_type(mseal_orig_exit_mmap, &exit_mmap));

static void mseal_exit_mmap(struct mm_struct *mm)
{
	mseal_hook_enter();
	mseal_orig_exit_mmap(mm);
	mseal_table_drop(mm);
	mseal_hook_exit();
}

struct mseal_hook mseal_mm_exit_hook =
	MSEAL_HOOK("exit_mmap", mseal_exit_mmap, &mseal_orig_exit_mmap);
