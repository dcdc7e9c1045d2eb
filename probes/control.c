// SPDX-License-Identifier: GPL-2.0
/* The control: always compiles, or the headers (or the compiler) are broken. */
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/ftrace.h>
#include "probe.h"

static __maybe_unused int probe(struct vm_area_struct *vma)
{
	return vma->vm_start != 0;
}
