/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mseal_modctl.h - load and unload mseal.ko from a test, for the tests
 * of the userspace tools that need the module gone or back (mseal_lib,
 * mseal_ctl).  Guest only: never include this in a host test.
 *
 * The module file is $MSEAL_MODULE (set by tests/guest/run.sh), default
 * /mseal/mseal.ko.
 */
#ifndef MSEAL_MODCTL_H
#define MSEAL_MODCTL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline const char *modctl_path(void)
{
	const char *p = getenv("MSEAL_MODULE");

	return p && *p ? p : "/mseal/mseal.ko";
}

/* Loaded and initialised. */
static inline bool modctl_loaded(void)
{
	char buf[16] = "";
	int fd = open("/sys/module/mseal/initstate", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 && !strncmp(buf, "live", 4);
}

/* finit_module(2) of @path with @params: 0 or -errno. */
static inline int modctl_load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, params ? params : "", 0) ? -errno : 0;
	close(fd);
	return r;
}

/*
 * Unload, waiting up to 5 s for processes of earlier tests whose seals
 * are dropped when their mm goes: 0 (or not loaded), or -errno.
 */
static inline int modctl_unload(void)
{
	int i, r = 0;

	for (i = 0; i < 50; i++) {
		if (!syscall(SYS_delete_module, "mseal", O_NONBLOCK))
			return 0;
		r = -errno;
		if (r == -ENOENT)
			return 0;
		if (r != -EWOULDBLOCK && r != -EBUSY)
			return r;
		usleep(100000);
	}
	return r;
}

/* Make sure the module is loaded with its defaults: 0 or -errno. */
static inline int modctl_ensure_loaded(void)
{
	return modctl_loaded() ? 0 : modctl_load(modctl_path(), "");
}

#endif /* MSEAL_MODCTL_H */
