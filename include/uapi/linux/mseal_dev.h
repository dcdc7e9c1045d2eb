/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mseal_dev.h - ioctl ABI of /dev/mseal, the memory-sealing device of the
 * out-of-tree mseal module.
 *
 * The device gives kernels without mseal(2) the semantics of that system
 * call: a sealed range of the caller's address space can no longer be
 * unmapped, moved, remapped, re-protected or discarded.
 *
 * Every structure here is made of fixed-size fields with no padding, so
 * 32-bit (compat) processes use the same layout and the same command
 * numbers as 64-bit ones.
 */
#ifndef _UAPI_LINUX_MSEAL_DEV_H
#define _UAPI_LINUX_MSEAL_DEV_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define MSEAL_DEV_NAME		"mseal"
#define MSEAL_DEV_PATH		"/dev/mseal"

/*
 * ioctl type 0xBE, numbers 0x00-0x1F: not registered to anyone in
 * Documentation/userspace-api/ioctl/ioctl-number.rst.
 */
#define MSEAL_IOC_MAGIC		0xBE

/**
 * struct mseal_args - argument of %MSEAL_IOC_SEAL
 * @addr:  start of the range; must be page aligned (arm64: after untagging)
 * @len:   length in bytes, rounded up to a whole number of pages
 * @flags: must be 0
 *
 * Result (the ioctl's return value and errno) is that of mseal(2):
 * 0, or -1 with errno EINVAL (flags, alignment, overflow), ENOMEM (part of
 * the range is not mapped), EPERM, EINTR or EFAULT (@args not readable).
 */
struct mseal_args {
	__u64 addr;
	__u64 len;
	__u64 flags;
};

#define MSEAL_IOC_SEAL		_IOW(MSEAL_IOC_MAGIC, 0x01, struct mseal_args)

#endif /* _UAPI_LINUX_MSEAL_DEV_H */
