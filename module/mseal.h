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

/* Seal [start, end) of @mm; takes its pin and mmap_lock for writing. */
int mseal_table_seal(struct mm_struct *mm, unsigned long start,
		     unsigned long end);

/* Does any sealed byte of @mm lie in [start, end)? mmap_lock held. */
bool __mseal_table_any_sealed(struct mm_struct *mm, unsigned long start,
			      unsigned long end);

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

/* The misc device /dev/mseal (module/dev.c). */
int mseal_dev_init(void);
void mseal_dev_exit(void);

#endif /* _MSEAL_H */
