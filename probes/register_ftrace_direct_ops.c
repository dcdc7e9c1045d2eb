// SPDX-License-Identifier: GPL-2.0
/* register_ftrace_direct(struct ftrace_ops *, addr) (6.4+; before: ip, addr). */
#include <linux/ftrace.h>
#include "probe.h"

typedef int probe_fn(struct ftrace_ops *ops, unsigned long addr);
PROBE_PROTOTYPE(register_ftrace_direct, probe_fn);
