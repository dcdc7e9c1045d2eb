// SPDX-License-Identifier: GPL-2.0
/* split_vma(mm, vma, addr, new_below) in <linux/mm.h> (up to 6.2). */
#include <linux/mm.h>
#include "probe.h"

typedef int probe_fn(struct mm_struct *mm, struct vm_area_struct *vma,
		     unsigned long addr, int new_below);
PROBE_PROTOTYPE(split_vma, probe_fn);
