// SPDX-License-Identifier: GPL-2.0
/* task_struct::in_execve (a bit field: set by bprm_execve during exec). */
#include <linux/sched.h>
#include "probe.h"

static __maybe_unused unsigned int probe(struct task_struct *t)
{
	return t->in_execve;
}
