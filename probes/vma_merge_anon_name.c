// SPDX-License-Identifier: GPL-2.0
/* vma_merge() takes the VMA's anon_vma_name (5.17 to 6.6). */
#include <linux/mm.h>
#include "probe.h"

typedef struct vm_area_struct *(vma_merge_t)(struct mm_struct *,
	struct vm_area_struct *, unsigned long, unsigned long, unsigned long,
	struct anon_vma *, struct file *, pgoff_t, struct mempolicy *,
	struct vm_userfaultfd_ctx, struct anon_vma_name *);

PROBE_PROTOTYPE(vma_merge, vma_merge_t);
