// SPDX-License-Identifier: GPL-2.0
/* mprotect_fixup(vma, pprev, start, end, newflags) (5.10). */
#include <linux/mm.h>
#include "probe.h"

typedef int probe_fn(struct vm_area_struct *vma, struct vm_area_struct **pprev,
		     unsigned long start, unsigned long end, unsigned long newflags);
PROBE_PROTOTYPE(mprotect_fixup, probe_fn);
