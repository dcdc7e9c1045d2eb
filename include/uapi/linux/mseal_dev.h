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

/*
 * MSEAL_IOC_SYSMAP_OPTOUT - no argument.
 *
 * When system-mapping sealing is on (module parameter
 * seal_system_mappings), every exec seals [vdso], [vvar] and the other
 * system mappings of the new program.  Checkpoint/restore tools and
 * debuggers that move or unmap them (CRIU, rr, gVisor, UML) call this
 * first: the future execs of the calling task, and of every task it
 * creates afterwards (and their descendants), are not system-sealed.
 * Explicit MSEAL_IOC_SEAL requests are not affected.  There is no way
 * back in.
 *
 * Result: 0, or -1 with errno EPERM (the caller has neither
 * CAP_CHECKPOINT_RESTORE nor CAP_SYS_ADMIN), ENOMEM, or EOPNOTSUPP (the
 * kernel lacks the scheduler tracepoints the inheritance needs).
 */
#define MSEAL_IOC_SYSMAP_OPTOUT	_IO(MSEAL_IOC_MAGIC, 0x02)

/* mseal_range_info.flags: the range is a system mapping sealed at exec. */
#define MSEAL_RANGE_SYSTEM	(1ULL << 0)

/**
 * struct mseal_range_info - one sealed range, filled by %MSEAL_IOC_LIST
 * @start: first byte
 * @end:   one past the last byte
 * @flags: %MSEAL_RANGE_SYSTEM or 0
 */
struct mseal_range_info {
	__u64 start;
	__u64 end;
	__u64 flags;
};

/**
 * struct mseal_list - argument of %MSEAL_IOC_LIST
 * @pid:    process to list, in the caller's pid namespace; 0 for the caller
 * @count:  in: entries @ranges has room for; out: ranges the process holds
 *          (more than were filled when the array was too small: retry
 *          with a bigger one)
 * @ranges: user pointer to an array of struct mseal_range_info, filled
 *          with up to @count ranges in ascending address order
 *
 * The sealed ranges of a process, the equivalent of the "sl" flag of
 * /proc/PID/smaps.  Adjacent seals of one kind are one range.  Listing
 * another process needs the access /proc/PID/maps needs
 * (PTRACE_MODE_READ_FSCREDS).
 *
 * Result: 0, or -1 with errno ESRCH (no such process), EACCES (no access),
 * EFAULT, ENOMEM or EINTR.
 */
struct mseal_list {
	__u32 pid;
	__u32 count;
	__u64 ranges;
};

#define MSEAL_IOC_LIST		_IOWR(MSEAL_IOC_MAGIC, 0x03, struct mseal_list)

#endif /* _UAPI_LINUX_MSEAL_DEV_H */
