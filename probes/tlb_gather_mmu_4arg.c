// SPDX-License-Identifier: GPL-2.0
/* tlb_gather_mmu(tlb, mm, start, end) (up to 5.10). */
#include <linux/mm.h>
#include <linux/mm_types.h>
#include "probe.h"

typedef void probe_fn(struct mmu_gather *tlb, struct mm_struct *mm,
		      unsigned long start, unsigned long end);
PROBE_PROTOTYPE(tlb_gather_mmu, probe_fn);
