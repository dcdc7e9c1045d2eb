/* SPDX-License-Identifier: GPL-2.0 */
/*
 * probes/probe.h - helpers for the kernel feature probes (scripts/probe.sh).
 *
 * A probe is one file probes/<name>.c; it defines MSEAL_HAVE_<NAME> in the
 * generated mseal_config.h when it compiles (with -Werror) against the
 * kernel's headers, and nothing when it does not.
 */
#ifndef MSEAL_PROBE_H
#define MSEAL_PROBE_H

#include <linux/compiler.h>
#include <linux/types.h>

/* The kernel declares SYM (a function or variable). */
#define PROBE_DECLARED(sym) \
	_Static_assert(sizeof(&(sym)) != 0, "declared: " #sym)

/* SYM is declared with exactly the type of FN_TYPE (a function typedef). */
#define PROBE_PROTOTYPE(sym, fn_type) \
	_Static_assert(__builtin_types_compatible_p(typeof(sym), fn_type), \
		       "prototype: " #sym)

/* Code that must compile: a function that is never called. */
#define PROBE_CODE static __maybe_unused

#endif
