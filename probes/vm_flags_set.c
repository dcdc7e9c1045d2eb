// SPDX-License-Identifier: GPL-2.0
/* vm_flags_set() (6.3+): vma->vm_flags is no longer written directly. */
#include <linux/mm.h>
#include "probe.h"

static __maybe_unused void probe(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_DONTCOPY);
}
