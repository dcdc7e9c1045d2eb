/* SPDX-License-Identifier: GPL-2.0 */
/*
 * request.h - the user request behind a hooked call.
 */
#ifndef _MSEAL_REQUEST_H
#define _MSEAL_REQUEST_H

#include <linux/types.h>

#include "mseal.h"

struct mm_struct;

/*
 * Does the system call the current task is in ask to change sealed memory
 * of @mm?  Covers the calls that reach the hooked functions in pieces:
 * mprotect()/pkey_mprotect() (one mprotect_fixup() per VMA) and mremap()
 * (which may unmap its destination and the tail of its source before it
 * looks at the source), so the first piece already refuses the whole call
 * and nothing is changed.  Any other call: false.
 */
bool mseal_request_denied(struct mm_struct *mm);

/*
 * The operation to count a denial under: a hook that guards pieces of
 * several calls (the unmap inside mremap()) counts the call, not @op.
 */
enum mseal_op mseal_request_op(struct mm_struct *mm, enum mseal_op op);

/*
 * Does the request the current task is in touch a system-mapping seal of
 * @mm?  If so, sets [*start, *end) to the part of the request that does.
 * mmap_lock held.
 */
bool mseal_request_system_range(struct mm_struct *mm, unsigned long *start,
				unsigned long *end);

/*
 * May a hooked function change [start, end) of @mm?  Not if a byte of it
 * is sealed, nor if it is a piece of a request that touches a seal.
 */
static inline bool mseal_change_denied(struct mm_struct *mm,
				       unsigned long start, unsigned long end)
{
	return mseal_table_any_sealed(mm, start, end) ||
	       mseal_request_denied(mm);
}

#endif /* _MSEAL_REQUEST_H */
