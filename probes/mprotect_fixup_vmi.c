// SPDX-License-Identifier: GPL-2.0
/* mprotect_fixup(vmi, tlb, vma, pprev, start, end, newflags) (6.12 and later). */
#include <linux/mm.h>
#include "probe.h"

typedef int probe_fn(struct vma_iterator *vmi, struct mmu_gather *tlb,
		     struct vm_area_struct *vma, struct vm_area_struct **pprev,
		     unsigned long start, unsigned long end, vm_flags_t newflags);
PROBE_PROTOTYPE(mprotect_fixup, probe_fn);
