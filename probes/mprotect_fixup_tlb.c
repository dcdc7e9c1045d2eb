// SPDX-License-Identifier: GPL-2.0
/* mprotect_fixup(tlb, vma, pprev, start, end, newflags) (6.1). */
#include <linux/mm.h>
#include "probe.h"

typedef int probe_fn(struct mmu_gather *tlb, struct vm_area_struct *vma,
		     struct vm_area_struct **pprev, unsigned long start,
		     unsigned long end, unsigned long newflags);
PROBE_PROTOTYPE(mprotect_fixup, probe_fn);
