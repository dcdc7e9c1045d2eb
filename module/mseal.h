/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mseal.h - what the parts of mseal.ko share: the seal table, the device
 * and the hooks' verdicts.
 */
#ifndef _MSEAL_H
#define _MSEAL_H

#include <linux/types.h>
#include <linux/jump_label.h>

struct mm_struct;

/*
 * Seal table (module/table.c).
 *
 * Every function below expects the mm's mmap_lock held as documented:
 * the table of one mm is only ever changed with its mmap_lock held for
 * writing, and only ever read with it held for reading or writing, which is
 * what makes a check and the operation it guards one atomic step (SPEC 3.9).
 */
DECLARE_STATIC_KEY_FALSE(mseal_tables_in_use);

/*
 * What made a range sealed: a request (MSEAL_IOC_SEAL) or the sealing of
 * system mappings at exec (SPEC 5).  Ranges of different kinds never
 * coalesce, so a denial can be attributed.
 */
enum mseal_kind {
	MSEAL_KIND_EXPLICIT,
	MSEAL_KIND_SYSTEM,
};

/* Switch the hooks' fast path on; may sleep, never under mmap_lock. */
void mseal_tables_enable(void);

/* Seal [start, end) of @mm; takes its pin and mmap_lock for writing. */
int mseal_table_seal(struct mm_struct *mm, unsigned long start,
		     unsigned long end);

/*
 * Seal the system mapping just created at [start, end) of @mm, with its
 * mmap_lock held for writing, and mark the mm as one whose system mappings
 * are sealed.  Does not take the pin (taken before mmap_lock elsewhere):
 * nobody can have checked a mapping that did not exist yet.
 */
int mseal_table_seal_system(struct mm_struct *mm, unsigned long start,
			    unsigned long end);

/* Were @mm's system mappings sealed at its exec? mmap_lock held. */
bool mseal_table_sysmap_marked(struct mm_struct *mm);

/* Does any sealed byte of @mm lie in [start, end)? mmap_lock held. */
/* Has @mm a table?  No explicit seal can create one while its pin is held. */
bool mseal_table_exists(struct mm_struct *mm);

bool __mseal_table_any_sealed(struct mm_struct *mm, unsigned long start,
			      unsigned long end);

/* Does a byte of a system-mapping seal lie in [start, end)? Lock held. */
bool __mseal_table_any_system(struct mm_struct *mm, unsigned long start,
			      unsigned long end);

struct mseal_range_info;

/*
 * Copy the first @n ranges of @mm, in ascending order, into @out; returns
 * how many ranges @mm holds.  mmap_lock held.
 */
u32 mseal_table_list(struct mm_struct *mm, struct mseal_range_info *out,
		     u32 n);

/* Ranges held by all tables. */
long mseal_table_ranges_held(void);

static inline bool mseal_table_any_sealed(struct mm_struct *mm,
					  unsigned long start,
					  unsigned long end)
{
	/* Fast path: nothing sealed anywhere costs one patched jump. */
	if (!static_branch_unlikely(&mseal_tables_in_use))
		return false;
	return __mseal_table_any_sealed(mm, start, end);
}

/*
 * Operations that must check before they take the mmap_lock hold the pin
 * of the mm from their check to their end; sealing waits for them.
 */
struct rw_semaphore *mseal_table_pin(struct mm_struct *mm);
void mseal_table_unpin(struct rw_semaphore *sem);

/* Fork: before dup_mmap(), from inside it, and after it succeeded. */
void mseal_table_fork_prepare(struct mm_struct *oldmm, struct mm_struct *mm);
void mseal_table_fork_copy(struct mm_struct *oldmm, struct mm_struct *mm);
int mseal_table_fork_finish(struct mm_struct *mm);

/* Drop every seal of @mm: the mm is being torn down (exit, exec). */
void mseal_table_drop(struct mm_struct *mm);

int mseal_table_init(void);
void mseal_table_exit(void);

/* vm.max_map_count, however this kernel lets it be read (module/limits.c). */
int mseal_max_map_count(void);
void mseal_limits_init(void);
void mseal_limits_exit(void);

/*
 * mseal(2) for the current mm, its checks in its order, its errnos: what
 * MSEAL_IOC_SEAL and the system call (hooks/syscall.c) do (module/dev.c).
 */
long mseal_seal_request(unsigned long start, size_t len_in,
			unsigned long flags);

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
 * A system mapping was created at [start, end) of @mm, whose mmap_lock is
 * held for writing: seal it if policy says so.  0, or -ENOMEM.
 */
int mseal_sysmap_created(struct mm_struct *mm, unsigned long start,
			 unsigned long end);
/* Opt the current task and its future descendants out (SPEC 5.4). */
int mseal_sysmap_optout(void);
/* A seal was made: MSEAL_IOC_SEAL succeeded, or a system seal. */
void mseal_count_seal(void);
/*
 * A hook refused @op on [start, end) of @mm: count it, and log it if it
 * touched a system mapping.  mmap_lock held; the cold path only.
 */
void mseal_denied(enum mseal_op op, struct mm_struct *mm, unsigned long start,
		  unsigned long end);

int mseal_policy_init(void);
void mseal_policy_exit(void);

#endif /* _MSEAL_H */
