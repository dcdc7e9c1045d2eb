// SPDX-License-Identifier: GPL-2.0
/* mm->flags is a bitmap behind mm_flags_*() (6.18+), not an unsigned long. */
#include <linux/mm.h>
#include "probe.h"

static __maybe_unused bool probe(struct mm_struct *mm)
{
	return mm_flags_test(0, mm);
}
