// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libmseal.c - mseal() on kernels with and without mseal(2).
 *
 * Backend choice.  The first call asks the kernel once whether mseal(2)
 * really works for this process: syscall(__NR_mseal, 0, 0, 0) seals
 * nothing and returns 0 exactly when the system call exists and is
 * allowed.  Anything else -- ENOSYS from a kernel before 6.10, or an
 * error a seccomp filter returns for a system call it does not know
 * (EPERM in many container runtimes) -- means the device is used
 * instead.  Testing for success rather than for ENOSYS is what lets a
 * sandboxed process on a kernel with the module still seal.  The answer
 * is cached in one int, read and written atomically: threads racing
 * through the first call may each ask, and get the same answer.
 *
 * The device is opened for each call and closed after it; no descriptor
 * is cached.  A cached one would go wrong in ways a library cannot see:
 * a program that closes every descriptor it does not know (daemons,
 * closefrom()) and then opens a file at the same number would have
 * MSEAL_IOC_SEAL sent to that file; a descriptor held by every process
 * that once sealed pins the module (rmmod refuses while /dev/mseal is
 * open) and shows up in fd-leak checks.  Fork needs nothing either way
 * (the device acts on the calling process's mm, not the opener's), and
 * a module loaded after the first failed call is found by the next one.
 * Sealing is done a few times per process, at start-up; an open and a
 * close cost little next to the seal itself.
 *
 * The device is opened read-only: its ioctls need no write access.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/mseal_dev.h>

#include "mseal.h"

/* The same number on every architecture (the generic syscall table). */
#ifndef __NR_mseal
#define __NR_mseal 462
#endif

#define LIBMSEAL_API __attribute__((visibility("default")))

/* struct mseal_range is the ABI's struct mseal_range_info, field by field. */
_Static_assert(sizeof(struct mseal_range) == sizeof(struct mseal_range_info),
	       "struct mseal_range");
_Static_assert(MSEAL_RANGE_SYSTEM == (1ULL << 0), "MSEAL_RANGE_SYSTEM");

enum { NATIVE_UNKNOWN, NATIVE_YES, NATIVE_NO };
static int native_state;

static bool native_mseal(void)
{
	int state = __atomic_load_n(&native_state, __ATOMIC_RELAXED);

	if (state == NATIVE_UNKNOWN) {
		int saved = errno;

		state = syscall(__NR_mseal, 0UL, 0UL, 0UL) == 0 ?
			NATIVE_YES : NATIVE_NO;
		errno = saved;
		__atomic_store_n(&native_state, state, __ATOMIC_RELAXED);
	}
	return state == NATIVE_YES;
}

/*
 * Open /dev/mseal: the descriptor, or -1 with errno set; ENOSYS when
 * there is no such device (no node, or a node without a driver behind
 * it because the module is not loaded).
 */
static int dev_open(void)
{
	int fd = open(MSEAL_DEV_PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && (errno == ENOENT || errno == ENODEV || errno == ENXIO))
		errno = ENOSYS;
	return fd;
}

/*
 * One ioctl on a freshly opened device: 0 or -1 with errno set.  ENOTTY
 * (a /dev/mseal that does not know the request) is reported as ENOSYS.
 */
static int dev_ioctl(unsigned long cmd, void *arg)
{
	int fd = dev_open();
	int ret, err;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, cmd, arg);
	err = errno;
	close(fd);
	if (ret < 0) {
		errno = err == ENOTTY ? ENOSYS : err;
		return -1;
	}
	return 0;
}

LIBMSEAL_API int mseal(void *addr, size_t len, unsigned long flags)
{
	struct mseal_args args = {
		.addr = (uintptr_t)addr,
		.len = len,
		.flags = flags,
	};
	int saved = errno;

	if (native_mseal()) {
		if (syscall(__NR_mseal, addr, len, flags))
			return -1;
	} else if (dev_ioctl(MSEAL_IOC_SEAL, &args)) {
		return -1;
	}
	errno = saved;
	return 0;
}

LIBMSEAL_API int mseal_sysmap_optout(void)
{
	int saved = errno;

	if (dev_ioctl(MSEAL_IOC_SYSMAP_OPTOUT, NULL))
		return -1;
	errno = saved;
	return 0;
}

/* ---- mseal_list() --------------------------------------------------- */

/* From the device: MSEAL_IOC_LIST, with a bigger array until all fit. */
static ssize_t list_from_dev(pid_t pid, struct mseal_range **out)
{
	struct mseal_range *buf = NULL, *bigger;
	struct mseal_list req;
	uint32_t room = 0;
	int fd = dev_open();

	if (fd < 0)
		return -1;
	for (;;) {
		req.pid = (uint32_t)pid;
		req.count = room;
		req.ranges = (uintptr_t)buf;
		if (ioctl(fd, MSEAL_IOC_LIST, &req) < 0) {
			int err = errno;

			free(buf);
			close(fd);
			errno = err == ENOTTY ? ENOSYS : err;
			return -1;
		}
		if (req.count <= room)
			break;
		/* Some slack: the process may be sealing meanwhile. */
		room = req.count + 16;
		bigger = realloc(buf, room * sizeof(*buf));
		if (!bigger) {
			free(buf);
			close(fd);
			errno = ENOMEM;
			return -1;
		}
		buf = bigger;
	}
	close(fd);
	if (!req.count) {
		free(buf);
		buf = NULL;
	}
	*out = buf;
	return req.count;
}

/*
 * Is the mapping named @name one the kernel provides (the system
 * mappings the module seals at exec, or a kernel with
 * CONFIG_MSEAL_SYSTEM_MAPPINGS does)?
 */
static bool system_mapping(const char *name)
{
	static const char *const names[] = {
		"[vdso]", "[vvar]", "[vvar_vclock]", "[sigpage]", "[vectors]",
		"[uprobes]", "[vsyscall]",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* Does a "VmFlags:" line carry the "sl" (sealed) flag? */
static bool vmflags_sealed(const char *line)
{
	const char *p = line + strlen("VmFlags:");

	for (;;) {
		p += strspn(p, " \t\n");
		if (!*p)
			return false;
		if (p[0] == 's' && p[1] == 'l' && (!p[2] || strchr(" \t\n", p[2])))
			return true;
		p += strcspn(p, " \t\n");
	}
}

/* Append [start, end) to the array, joining it to an adjacent last one. */
static int range_add(struct mseal_range **buf, size_t *n, size_t *room,
		     uint64_t start, uint64_t end, uint64_t flags)
{
	struct mseal_range *r;

	if (*n && (*buf)[*n - 1].end == start && (*buf)[*n - 1].flags == flags) {
		(*buf)[*n - 1].end = end;
		return 0;
	}
	if (*n == *room) {
		size_t more = *room ? *room * 2 : 16;

		r = realloc(*buf, more * sizeof(*r));
		if (!r)
			return -1;
		*buf = r;
		*room = more;
	}
	(*buf)[(*n)++] = (struct mseal_range){ start, end, flags };
	return 0;
}

/*
 * From /proc/PID/smaps on a kernel with mseal(2): the VMAs whose VmFlags
 * have "sl".  Kernel-provided mappings are flagged MSEAL_RANGE_SYSTEM.
 */
static ssize_t list_from_smaps(pid_t pid, struct mseal_range **out)
{
	struct mseal_range *buf = NULL;
	size_t n = 0, room = 0, linesz = 0;
	unsigned long long start = 0, end = 0;
	char path[64], *line = NULL;
	uint64_t flags = 0;
	FILE *f;
	int err = 0;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/smaps");
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	while (getline(&line, &linesz, f) > 0) {
		unsigned long long s, e;
		char name[256];
		int off = 0;

		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s%n", &s, &e,
			   &off) == 2 && off) {
			/* A VMA's first line: start-end perms off dev inode [name] */
			if (sscanf(line + off, " %255s", name) != 1)
				name[0] = 0;
			start = s;
			end = e;
			flags = system_mapping(name) ? MSEAL_RANGE_SYSTEM : 0;
		} else if (!strncmp(line, "VmFlags:", 8) && end &&
			   vmflags_sealed(line)) {
			if (range_add(&buf, &n, &room, start, end, flags)) {
				err = ENOMEM;
				break;
			}
		}
	}
	if (!err && ferror(f))
		err = errno ? errno : EIO;
	free(line);
	fclose(f);
	if (err) {
		free(buf);
		errno = err;
		return -1;
	}
	*out = buf;
	return (ssize_t)n;
}

/*
 * The device knows every seal the module made, system ones included;
 * without it, on a kernel with mseal(2), the kernel's own VMA flag is the
 * truth.
 */
LIBMSEAL_API ssize_t mseal_list(pid_t pid, struct mseal_range **ranges)
{
	int saved = errno;
	ssize_t n;

	if (pid < 0) {
		errno = EINVAL;
		return -1;
	}
	*ranges = NULL;
	n = list_from_dev(pid, ranges);
	if (n < 0 && errno == ENOSYS && native_mseal())
		n = list_from_smaps(pid, ranges);
	if (n >= 0)
		errno = saved;
	return n;
}
