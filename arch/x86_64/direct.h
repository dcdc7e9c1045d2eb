/* SPDX-License-Identifier: GPL-2.0 */
/*
 * direct.h (x86_64) - whether the hooks are ftrace direct calls.
 *
 * Where the kernel has direct calls with the (ip, addr) API (5.5 to 6.3:
 * the Debian 11 and 12 kernels), each hook is a trampoline of this module
 * (direct.S) that the hooked function's fentry call reaches without
 * ftrace's own trampoline: it tests the mm's mark and returns at once when
 * the mm holds no seal.  Elsewhere, and in a build with MSEAL_NO_DIRECT,
 * each hook is an ftrace_ops callback (hooks/hook.c).  Read by C and by
 * assembly.
 */
#ifndef _MSEAL_DIRECT_H
#define _MSEAL_DIRECT_H

#if defined(CONFIG_X86_64) && \
	defined(CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS) && \
	defined(MSEAL_HAVE_REGISTER_FTRACE_DIRECT_IP) && \
	!defined(MSEAL_NO_DIRECT)
#define MSEAL_FTRACE_DIRECT
#endif

#endif /* _MSEAL_DIRECT_H */
