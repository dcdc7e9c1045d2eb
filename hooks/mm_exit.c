// SPDX-License-Identifier: GPL-2.0
/*
 * mm_exit.c - an address space goes away (SPEC 4.2).
 *
 * exit_mmap() runs once per mm, when its last user is gone: at exit, after
 * exec replaced it, and when a failed fork drops a half-built copy.  Its
 * seals go with its VMAs, by the kernel's own hand; what is left to do is
 * to unmark it (module/lifecycle.c), so that the module's reference and
 * the hooks' arming go with it, and a new mm that later reuses the same
 * struct starts unmarked.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "hook.h"
#include "mseal.h"

/* exit_mmap(mm) */
MSEAL_HOOK_FN(mseal_mm_exit)
{
	mseal_mm_gone((struct mm_struct *)mseal_hook_arg(fregs, 0));
}

struct mseal_hook mseal_mm_exit_hook = MSEAL_HOOK("exit_mmap", mseal_mm_exit);
