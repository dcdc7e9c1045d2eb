// SPDX-License-Identifier: GPL-2.0
/* untagged_addr_remote(mm, addr) (6.4+): untag for another mm. */
#include <linux/mm.h>
#include <linux/uaccess.h>
#include "probe.h"

static __maybe_unused unsigned long probe(struct mm_struct *mm, unsigned long addr)
{
	return (unsigned long)untagged_addr_remote(mm, addr);
}
