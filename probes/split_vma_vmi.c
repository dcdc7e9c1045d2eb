// SPDX-License-Identifier: GPL-2.0
/* split_vma(vmi, vma, addr, new_below) in <linux/mm.h> (6.3..6.10; mm/vma.h after). */
#include <linux/mm.h>
#include "probe.h"

typedef int probe_fn(struct vma_iterator *vmi, struct vm_area_struct *vma,
		     unsigned long addr, int new_below);
PROBE_PROTOTYPE(split_vma, probe_fn);
