// SPDX-License-Identifier: GPL-2.0
/*
 * offsets.c (x86_64) - the structure offsets and constants the direct-call
 * trampolines (direct.S) use, generated into mseal-offsets.h at build
 * time the way the kernel's asm-offsets are (Kbuild).  Never linked.
 */
#define COMPILE_OFFSETS

#include <linux/kbuild.h>
#include <linux/mm_types.h>
#include <linux/ptrace.h>

#include "direct.h"
#include "mmf.h"

int main(void)
{
#ifdef MSEAL_FTRACE_DIRECT
	/* The mark: one bit of mm->flags, tested as one byte. */
	OFFSET(MSEAL_MM_FLAGS, mm_struct, flags);
	OFFSET(MSEAL_VMA_MM, vm_area_struct, vm_mm);
	DEFINE(MSEAL_MMF_SEALED_BYTE, MSEAL_MMF_SEALED / 8);
	DEFINE(MSEAL_MMF_SEALED_MASK, 1 << (MSEAL_MMF_SEALED & 7));
	BLANK();
	/* The frame a callback gets: a struct pt_regs. */
	DEFINE(MSEAL_PT_SIZE, sizeof(struct pt_regs));
	OFFSET(MSEAL_PT_DI, pt_regs, di);
	OFFSET(MSEAL_PT_SI, pt_regs, si);
	OFFSET(MSEAL_PT_DX, pt_regs, dx);
	OFFSET(MSEAL_PT_CX, pt_regs, cx);
	OFFSET(MSEAL_PT_R8, pt_regs, r8);
	OFFSET(MSEAL_PT_R9, pt_regs, r9);
	OFFSET(MSEAL_PT_IP, pt_regs, ip);
	OFFSET(MSEAL_PT_SP, pt_regs, sp);
#endif
	return 0;
}
