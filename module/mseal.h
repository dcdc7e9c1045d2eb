/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mseal.h - what the parts of mseal.ko share: the seal (a VMA flag), the
 * sealed address spaces, the device and the policy.
 */
#ifndef _MSEAL_H
#define _MSEAL_H

#include <linux/bitops.h>
#include <linux/mm_types.h>
#include <linux/types.h>

#include "compat.h"

struct mseal_range_info;

/*
 * The seal (module/seal.c).
 *
 * A sealed VMA carries MSEAL_VM_SEALED in vm_flags: the kernel's own
 * VM_SEALED where it has mseal(2), the same bit (63) where it does not.
 * The kernel itself then copies it at fork, drops it with the VMA, and
 * never merges a sealed VMA with an unsealed one.  It is only ever set
 * with the mm's mmap_lock held for writing, and read with it held.
 */
#ifdef VM_SEALED
#define MSEAL_VM_SEALED		VM_SEALED
#else
#define MSEAL_VM_SEALED		BIT(63)
#endif

static inline bool mseal_vma_sealed(const struct vm_area_struct *vma)
{
	return vma->vm_flags & MSEAL_VM_SEALED;
}

/*
 * find_vma(@mm, @addr), or @hint when it contains @addr: the hooks know a
 * VMA of the operation, usually the only one, and a lookup is the largest
 * cost a sealed process pays on an allowed path.
 */
struct vm_area_struct *mseal_vma_at(struct mm_struct *mm,
				    struct vm_area_struct *hint,
				    unsigned long addr);

/* Does a sealed VMA of @mm meet [start, end)?  @hint as above. */
bool mseal_range_sealed(struct mm_struct *mm, struct vm_area_struct *hint,
			unsigned long start, unsigned long end);

/*
 * Is @vma private anonymous memory this task cannot write, the memory a
 * discarding madvise must not touch once sealed (SPEC 3.5)?
 */
bool mseal_vma_ro_anon(struct vm_area_struct *vma);

/* Is @vma, or a special mapping named @name, a system mapping of SPEC 5.1? */
bool mseal_vma_is_sysmap(struct vm_area_struct *vma);
bool mseal_is_sysmap_name(const char *name);

/*
 * mseal(2) for the current mm, its checks in its order, its errnos: what
 * MSEAL_IOC_SEAL and the system call (hooks/syscall.c) do.
 */
long mseal_seal_request(unsigned long start, size_t len_in,
			unsigned long flags);

/*
 * Copy the first @n sealed ranges of @mm, ascending, adjacent VMAs of one
 * kind coalesced, into @out; returns how many @mm has.  mmap_lock held.
 */
u32 mseal_list_ranges(struct mm_struct *mm, struct mseal_range_info *out,
		      u32 n);

/* Sealed ranges held by every process (a walk: sysfs only). */
long mseal_ranges_held(void);

/*
 * Sealed address spaces (module/lifecycle.c).
 *
 * An mm that holds a seal made by this module is marked with a bit of
 * mm->flags that fork and exec do not inherit; the fork probe marks a
 * child that inherited seals, exit_mmap() unmarks.  Each marked mm holds
 * a reference on the module (SPEC 4.4) and keeps the hooks armed.
 */
bool mseal_mm_mark(struct mm_struct *mm);
bool mseal_mm_marked(struct mm_struct *mm);
/* The mm's system mappings were sealed at its exec (SPEC 5.1). */
bool mseal_mm_mark_sysmap(struct mm_struct *mm);
bool mseal_mm_sysmap(struct mm_struct *mm);
/* exit_mmap() of @mm: nothing can use it any more. */
void mseal_mm_gone(struct mm_struct *mm);
long mseal_nr_sealed_mms(void);

/*
 * The hooks are armed only while there is something to enforce: an
 * arming reference is held by every marked mm, by a seal in progress and
 * by the system-mapping toggle while it is on.  mseal_arm_get() may sleep
 * (it installs the hooks), so never under mmap_lock.
 */
int mseal_arm_get(void);
void mseal_arm_put(void);
bool mseal_armed(void);

int mseal_lifecycle_init(void);
void mseal_lifecycle_exit(void);

/* The misc device /dev/mseal (module/dev.c). */
int mseal_dev_init(void);
void mseal_dev_exit(void);

/*
 * Policy (module/policy.c): the system-mapping toggle and its opt-out,
 * counters, the denial log and /sys/kernel/mseal/.
 */
enum mseal_op {
	MSEAL_OP_MUNMAP,
	MSEAL_OP_MPROTECT,
	MSEAL_OP_MREMAP,
	MSEAL_OP_MMAP,
	MSEAL_OP_MADVISE,
	MSEAL_NR_OPS,
};

/*
 * A system mapping is being created in @mm (hooks/sysmap.c, mmap_lock
 * held for writing, atomic context): must it be sealed?
 */
bool mseal_sysmap_wanted(struct mm_struct *mm);
/* Opt the current task and its future descendants out (SPEC 5.4). */
int mseal_sysmap_optout(void);
/* A seal was made: a request succeeded, or a system mapping was sealed. */
void mseal_count_seal(void);
/*
 * A hook refused @op on [start, end) of @mm: count it, and log it if it
 * touched a system mapping.  mmap_lock held; atomic context.
 */
void mseal_denied(enum mseal_op op, struct mm_struct *mm, unsigned long start,
		  unsigned long end);

int mseal_policy_init(void);
void mseal_policy_exit(void);

#endif /* _MSEAL_H */
