// SPDX-License-Identifier: GPL-2.0
/* ftrace callbacks take struct ftrace_regs * (5.11+), not struct pt_regs *. */
#include <linux/ftrace.h>
#include "probe.h"

typedef void probe_fn(unsigned long ip, unsigned long parent_ip,
		      struct ftrace_ops *op, struct ftrace_regs *fregs);
static_assert(__builtin_types_compatible_p(ftrace_func_t, probe_fn *));
