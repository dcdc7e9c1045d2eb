/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the kernel feature probes (scripts/probe.sh).
 *
 * A probe is one file probes/<name>.c; it defines MSEAL_HAVE_<NAME> in the
 * generated mseal_config.h when it compiles (with -Werror) against the
 * kernel's headers, and nothing when it does not.
 */
#ifndef MSEAL_PROBE_H
#define MSEAL_PROBE_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/types.h>

/*
 * The kernel declares SYM (a function or variable). Code that must compile
 * is written as a static __maybe_unused function that is never called.
 */
#define PROBE_DECLARED(sym) \
	static __maybe_unused const void *const probe_declared = &(sym)

/* SYM is declared with exactly the type of FN_TYPE (a function typedef). */
#define PROBE_PROTOTYPE(sym, fn_type) \
	static_assert(__builtin_types_compatible_p(typeof(sym), fn_type))

#endif
