/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <mseal.h> - libmseal: memory sealing on any Linux kernel.
 *
 * mseal() seals a range of the calling process's address space: from then
 * on it cannot be unmapped, moved, remapped, re-protected or discarded.
 * The library uses the kernel's own mseal(2) system call where the kernel
 * has it (Linux 6.10 and later) and the /dev/mseal device of the mseal
 * module otherwise; see mseal(3).
 *
 * Link with -lmseal (pkg-config --cflags --libs libmseal).
 *
 * glibc 2.43 and later also declare mseal() in <sys/mman.h> (and define
 * mseal@GLIBC_2.43), as a plain system call wrapper that fails with
 * ENOSYS on kernels without it.  The declaration below is the same (C++
 * exception specification included), so both headers may be included in
 * either order, and a program linked with -lmseal calls this library's
 * mseal@LIBMSEAL_0.1, with its fallback, whatever else is loaded; see
 * mseal(3).
 */
#ifndef LIBMSEAL_MSEAL_H
#define LIBMSEAL_MSEAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* As glibc's __THROW: C++ callers may rely on these not throwing. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define LIBMSEAL_NOTHROW noexcept(true)
#elif defined(__cplusplus)
#define LIBMSEAL_NOTHROW throw()
#else
#define LIBMSEAL_NOTHROW
#endif

/*
 * Seal [addr, addr + len) (len rounded up to whole pages).  flags must be
 * 0.  Returns 0, or -1 with errno set: EINVAL, ENOMEM, EPERM as mseal(2);
 * ENOSYS when neither mseal(2) nor /dev/mseal is available.  errno is
 * left unchanged on success.
 */
int mseal(void *addr, size_t len, unsigned long flags) LIBMSEAL_NOTHROW;

/*
 * struct mseal_range.flags: a system mapping ([vdso], ...), sealed by the
 * kernel rather than by the process.
 */
#ifndef MSEAL_RANGE_SYSTEM
#define MSEAL_RANGE_SYSTEM	(1ULL << 0)
#endif

/* One sealed range: [start, end). */
struct mseal_range {
	uint64_t start;
	uint64_t end;
	uint64_t flags;
};

/*
 * The sealed ranges of process @pid (0: the caller), in ascending order,
 * in an array allocated with malloc() (free() it; NULL when there is
 * none).  Returns their number, or -1 with errno set: ESRCH, EACCES
 * (listing needs the access reading /proc/PID/maps needs), ENOMEM,
 * EINVAL (@pid negative), ENOSYS (no source of the information).
 */
ssize_t mseal_list(pid_t pid, struct mseal_range **ranges) LIBMSEAL_NOTHROW;

/*
 * Opt the calling task, and every task it creates from now on, out of
 * the mseal module's sealing of system mappings at exec.  Needs
 * CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN.  Returns 0, or -1 with errno
 * set: EPERM, ENOMEM, EOPNOTSUPP, ENOSYS (the module is not loaded).
 */
int mseal_sysmap_optout(void) LIBMSEAL_NOTHROW;

#ifdef __cplusplus
}
#endif

#endif /* LIBMSEAL_MSEAL_H */
