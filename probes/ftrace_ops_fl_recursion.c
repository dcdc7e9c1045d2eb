// SPDX-License-Identifier: GPL-2.0
/*
 * FTRACE_OPS_FL_RECURSION (5.11+: set it to have ftrace add recursion
 * protection); before, FTRACE_OPS_FL_RECURSION_SAFE meant the opposite.
 */
#include <linux/ftrace.h>
#include "probe.h"

static __maybe_unused unsigned long probe(void)
{
	return FTRACE_OPS_FL_RECURSION;
}
