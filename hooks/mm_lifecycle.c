// SPDX-License-Identifier: GPL-2.0
/*
 * mm_lifecycle.c - seals live and die with their mm (SPEC 4.1, 4.2).
 *
 * Fork: dup_mmap() copies the VMAs while holding the parent's mmap_lock
 * for writing; uprobe_dup_mmap() is called from it under that lock, before
 * the copy, when the parent's seals are exactly those the child inherits.
 * The child's table is prepared before dup_mmap(), filled there, and
 * trimmed afterwards to the VMAs that were copied (MADV_DONTFORK ranges are
 * not).  If a range cannot be copied the fork fails with ENOMEM rather
 * than give the child unsealed memory.
 *
 * Exit: exit_mmap() runs once per mm, when its last user is gone: at exit,
 * after exec replaced it, and when a failed fork drops a half-built copy.
 * Nothing can operate on the mm any more, so its table is dropped there,
 * and a new mm that later reuses the same address starts with no seals.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/uprobes.h>

#include "compat.h"
#include "hook.h"
#include "mseal.h"

/* Static in kernel/fork.c. */
static int (*mseal_orig_dup_mmap)(struct mm_struct *mm,
				  struct mm_struct *oldmm);

static int mseal_dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	int ret;

	mseal_hook_enter();
	mseal_table_fork_prepare(oldmm, mm);
	ret = mseal_orig_dup_mmap(mm, oldmm);
	if (!ret)
		ret = mseal_table_fork_finish(mm);
	mseal_hook_exit();
	return ret;
}

static void (*mseal_orig_uprobe_dup_mmap)(struct mm_struct *oldmm,
					  struct mm_struct *newmm);
static_assert(__same_type(mseal_orig_uprobe_dup_mmap, &uprobe_dup_mmap));

static void mseal_uprobe_dup_mmap(struct mm_struct *oldmm,
				  struct mm_struct *newmm)
{
	mseal_hook_enter();
	mseal_orig_uprobe_dup_mmap(oldmm, newmm);
	mseal_table_fork_copy(oldmm, newmm);
	mseal_hook_exit();
}

static void (*mseal_orig_exit_mmap)(struct mm_struct *mm);
static_assert(__same_type(mseal_orig_exit_mmap, &exit_mmap));

static void mseal_exit_mmap(struct mm_struct *mm)
{
	mseal_hook_enter();
	mseal_orig_exit_mmap(mm);
	mseal_table_drop(mm);
	mseal_hook_exit();
}

struct mseal_hook mseal_fork_hook =
	MSEAL_HOOK("dup_mmap", mseal_dup_mmap, &mseal_orig_dup_mmap);
struct mseal_hook mseal_fork_copy_hook =
	MSEAL_HOOK("uprobe_dup_mmap", mseal_uprobe_dup_mmap,
		   &mseal_orig_uprobe_dup_mmap);
struct mseal_hook mseal_mm_exit_hook =
	MSEAL_HOOK("exit_mmap", mseal_exit_mmap, &mseal_orig_exit_mmap);
