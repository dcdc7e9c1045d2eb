// SPDX-License-Identifier: GPL-2.0
/* struct ftrace_regs is opaque, opened by arch_ftrace_regs() (6.12+). */
#include <linux/ftrace.h>
#include "probe.h"

static __maybe_unused void *probe(struct ftrace_regs *fregs)
{
	return arch_ftrace_regs(fregs);
}
