/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmf.h - the bits of mm->flags this module uses (module/lifecycle.c),
 * also read by the x86_64 direct-call trampolines (arch/x86_64/direct.S).
 *
 * Bits no kernel uses (the gap after the core-dump filter, below
 * MMF_VM_MERGEABLE), and that fork and exec do not copy: not in
 * MMF_INIT_MASK.  The high bits are no choice: up to 6.17 MMF_INIT_MASK
 * holds (1 << MMF_TOPDOWN), an int whose sign extension copies every bit
 * from 31 up to a new mm.
 */
#ifndef _MSEAL_MMF_H
#define _MSEAL_MMF_H

#define MSEAL_MMF_SEALED	13
#define MSEAL_MMF_SYSMAP	14

#endif /* _MSEAL_MMF_H */
