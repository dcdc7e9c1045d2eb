// SPDX-License-Identifier: GPL-2.0
/* ftrace_regs_get_argument(fregs, n) exists (a function or a macro). */
#include <linux/ftrace.h>
#include "probe.h"

static __maybe_unused unsigned long probe(struct ftrace_regs *fregs)
{
	return ftrace_regs_get_argument(fregs, 0);
}
