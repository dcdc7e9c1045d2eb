// SPDX-License-Identifier: GPL-2.0
/* struct vma_iterator and VMA_ITERATOR() (6.1+: maple tree). */
#include <linux/mm.h>
#include "probe.h"

static __maybe_unused unsigned long probe(struct mm_struct *mm)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vm_area_struct *vma = vma_next(&vmi);

	return vma ? vma->vm_start : 0;
}
