/* SPDX-License-Identifier: GPL-2.0 */
/*
 * syscalls.h - the system calls whose whole request a hook needs to know,
 * named independently of any architecture's numbering (arch/<arch>/arch.h
 * maps the numbers).
 */
#ifndef _MSEAL_SYSCALLS_H
#define _MSEAL_SYSCALLS_H

enum mseal_syscall {
	MSEAL_SYS_OTHER,
	MSEAL_SYS_MPROTECT,
	MSEAL_SYS_PKEY_MPROTECT,
	MSEAL_SYS_MREMAP,
};

#endif /* _MSEAL_SYSCALLS_H */
