// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace_instruction_pointer_set(fregs, ip) exists and really sets the IP.
 * Without CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS <linux/ftrace.h> (5.11..6.x)
 * defines it as an empty statement: that does not count.
 */
#include <linux/ftrace.h>
#include "probe.h"

#ifndef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
#error "only the no-op fallback of ftrace_instruction_pointer_set"
#endif

static __maybe_unused void probe(struct ftrace_regs *fregs, unsigned long ip)
{
	ftrace_instruction_pointer_set(fregs, ip);
}
