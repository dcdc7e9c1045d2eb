// SPDX-License-Identifier: GPL-2.0
/*
 * sysmap.c - seal system mappings as they are created (SPEC 5.1).
 *
 * [vdso], [vvar] and the other special mappings of a new program are
 * created by _install_special_mapping(), with the mm's mmap_lock held for
 * writing: by the vdso setup of exec (x86 map_vdso(), arm64's and its
 * AArch32 [vectors]/[sigpage]) and, later in the life of the mm, by
 * uprobes for its [uprobes] area on the first breakpoint hit.  The seal is
 * made under that lock, before the program has run an instruction: nothing
 * can have checked the mapping yet.  Whether to seal is policy.c's call.
 * If the seal cannot be made, the mapping fails with ENOMEM, and so does
 * the exec: better no program than one that runs unsealed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/string.h>

#include "arch.h"
#include "compat.h"
#include "hook.h"
#include "mseal.h"

static const char *const mseal_sysmap_names[] = { MSEAL_ARCH_SYSMAP_NAMES };

static bool mseal_is_sysmap(const struct vm_special_mapping *spec)
{
	unsigned int i;

	if (!spec || !spec->name)
		return false;
	for (i = 0; i < ARRAY_SIZE(mseal_sysmap_names); i++) {
		if (!strcmp(spec->name, mseal_sysmap_names[i]))
			return true;
	}
	return false;
}

static struct vm_area_struct *
(*mseal_orig_install_special_mapping)(struct mm_struct *mm,
				      unsigned long addr, unsigned long len,
				      unsigned long vm_flags,
				      const struct vm_special_mapping *spec);
static_assert(__same_type(mseal_orig_install_special_mapping,
			  &_install_special_mapping));

static struct vm_area_struct *
mseal_install_special_mapping(struct mm_struct *mm, unsigned long addr,
			      unsigned long len, unsigned long vm_flags,
			      const struct vm_special_mapping *spec)
{
	struct vm_area_struct *vma;

	mseal_hook_enter();
	vma = mseal_orig_install_special_mapping(mm, addr, len, vm_flags,
						 spec);
	if (!IS_ERR(vma) && mseal_is_sysmap(spec) &&
	    mseal_sysmap_created(mm, vma->vm_start, vma->vm_end))
		vma = ERR_PTR(-ENOMEM);
	mseal_hook_exit();
	return vma;
}

struct mseal_hook mseal_sysmap_hook =
	MSEAL_HOOK("_install_special_mapping", mseal_install_special_mapping,
		   &mseal_orig_install_special_mapping);
