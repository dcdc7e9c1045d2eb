// SPDX-License-Identifier: GPL-2.0
/*
 * sysmap.c - seal system mappings as they are created (SPEC 5.1).
 *
 * [vdso], [vvar] and the other special mappings of a new program are
 * created by _install_special_mapping(), with the mm's mmap_lock held for
 * writing: by the vdso setup of exec (x86 map_vdso(), arm64's and its
 * AArch32 [vectors]/[sigpage]) and, later in the life of the mm, by
 * uprobes for its [uprobes] area on the first breakpoint hit.  The hook
 * adds the seal to the flags the kernel is about to give the new VMA, as
 * upstream's CONFIG_MSEAL_SYSTEM_MAPPINGS does: the mapping exists sealed
 * from its first instant, nothing can fail after it was made, and where
 * the kernel has mseal(2) the kernel itself enforces the seal.  Whether to
 * seal is policy.c's call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mm_types.h>

#include "hook.h"
#include "mseal.h"

/* _install_special_mapping(mm, addr, len, vm_flags, spec) */
MSEAL_HOOK_FN(mseal_sysmap)
{
	struct mm_struct *mm = (struct mm_struct *)mseal_hook_arg(fregs, 0);
	unsigned long vm_flags = mseal_hook_arg(fregs, 3);
	const struct vm_special_mapping *spec =
		(const struct vm_special_mapping *)mseal_hook_arg(fregs, 4);

	if (!spec || !mseal_is_sysmap_name(spec->name) ||
	    !mseal_sysmap_wanted(mm) ||
	    !mseal_mm_mark_sysmap(mm))
		return;
	mseal_hook_set_arg(fregs, 3, vm_flags | MSEAL_VM_SEALED);
	mseal_count_seal();
}

struct mseal_hook mseal_sysmap_hook =
	MSEAL_HOOK("_install_special_mapping", mseal_sysmap);
