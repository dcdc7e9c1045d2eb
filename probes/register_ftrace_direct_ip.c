// SPDX-License-Identifier: GPL-2.0
/* register_ftrace_direct(unsigned long ip, unsigned long addr) (up to 6.3). */
#include <linux/ftrace.h>
#include "probe.h"

typedef int probe_fn(unsigned long ip, unsigned long addr);
PROBE_PROTOTYPE(register_ftrace_direct, probe_fn);
