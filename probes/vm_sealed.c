// SPDX-License-Identifier: GPL-2.0
/* VM_SEALED: the kernel has native mseal(2) (6.10+, 64-bit). */
#include <linux/mm.h>
#include "probe.h"

static __maybe_unused bool probe(struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_SEALED) != 0;
}
