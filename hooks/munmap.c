// SPDX-License-Identifier: GPL-2.0
/*
 * munmap.c - refuse to unmap sealed memory (SPEC 3.1, and the unmapping
 * parts of 3.2, 3.3, 3.6 and 3.7).
 *
 * Every unmap of a range passes the unmap entry, do_mas_munmap() (up to
 * 6.0: __do_munmap(), which also does the unmap itself),
 * whatever asked for it: munmap(2), mmap(MAP_FIXED) over a mapping,
 * mremap shrinking or moving, shmdt (once per VMA: its sealed VMAs stay,
 * the others go, as upstream), vm_munmap() of drivers; and brk shrinking
 * goes straight to do_mas_align_munmap().  Both run with the mmap_lock
 * held for writing, so the check and the unmap it guards are one step (a
 * seal that returned before the unmap took the lock is seen).
 *
 * Inside mremap() the whole request is checked (request.c), so that its
 * first unmap already refuses the call and nothing changes.  A same-size
 * mremap() calls do_mas_munmap() with length 0 and ignores its error;
 * that refusal also sets the result of the system call (SPEC 3.3).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "hook.h"
#include "mseal.h"
#include "request.h"

/* mremap() ignores this error when old_len == new_len: say it itself. */
static long mseal_refuse_mremap(void)
{
	mseal_inflight_get();
	mseal_syscall_result(-EPERM);
	mseal_inflight_put();
	return -EPERM;
}

static bool mseal_unmap_denied(struct mm_struct *mm,
			       struct vm_area_struct *vma, unsigned long start,
			       unsigned long end)
{
	if (start < end && mseal_range_sealed(mm, vma, start, end))
		return true;
	return mseal_request_is_mremap(mm) && mseal_request_denied(mm, vma);
}

#ifdef MSEAL_HAVE___DO_MUNMAP
/*
 * __do_munmap(mm, start, len, uf, downgrade) (up to 6.0): the one unmap
 * entry, with the range not yet validated.  What it rejects, it rejects
 * with its own errno.
 */
MSEAL_HOOK_FN(mseal_munmap)
{
	struct mm_struct *mm = (struct mm_struct *)mseal_hook_arg(fregs, 0);
	unsigned long start = mseal_hook_arg(fregs, 1);
	unsigned long len = mseal_hook_arg(fregs, 2);
	unsigned long end = start + PAGE_ALIGN(len);

	if (!mseal_mm_marked(mm))
		return;
	if (offset_in_page(start) || start > TASK_SIZE ||
	    len > TASK_SIZE - start)
		return;
	if (!mseal_unmap_denied(mm, NULL, start, end))
		return;
	mseal_denied(mseal_request_op(mm, MSEAL_OP_MUNMAP), mm, start, end);
	mseal_hook_divert(fregs, len ? mseal_refuse : mseal_refuse_mremap);
}

struct mseal_hook mseal_munmap_hook = MSEAL_HOOK("__do_munmap", mseal_munmap);
#else
/*
 * do_mas_munmap(mas, mm, start, len, uf, downgrade): the entry, with the
 * range not yet validated.
 */
MSEAL_HOOK_FN(mseal_munmap_request)
{
	struct mm_struct *mm = (struct mm_struct *)mseal_hook_arg(fregs, 1);
	unsigned long start = mseal_hook_arg(fregs, 2);
	unsigned long len = mseal_hook_arg(fregs, 3);

	if (!mseal_mm_marked(mm))
		return;
	/* Only mremap() reaches here without reaching the hook below. */
	if (!mseal_request_is_mremap(mm) || !mseal_request_denied(mm, NULL))
		return;
	mseal_denied(MSEAL_OP_MREMAP, mm, start, start + PAGE_ALIGN(len));
	mseal_hook_divert(fregs, len ? mseal_refuse : mseal_refuse_mremap);
}

/* do_mas_align_munmap(mas, vma, mm, start, end, uf, downgrade) */
MSEAL_HOOK_FN(mseal_munmap)
{
	struct vm_area_struct *vma =
		(struct vm_area_struct *)mseal_hook_arg(fregs, 1);
	struct mm_struct *mm = (struct mm_struct *)mseal_hook_arg(fregs, 2);
	unsigned long start = mseal_hook_arg(fregs, 3);
	unsigned long end = mseal_hook_arg(fregs, 4);

	if (!mseal_mm_marked(mm) || !mseal_unmap_denied(mm, vma, start, end))
		return;
	mseal_denied(mseal_request_op(mm, MSEAL_OP_MUNMAP), mm, start, end);
	mseal_hook_divert(fregs, mseal_refuse);
}

struct mseal_hook mseal_munmap_request_hook =
	MSEAL_HOOK("do_mas_munmap", mseal_munmap_request);
struct mseal_hook mseal_munmap_hook =
	MSEAL_HOOK("do_mas_align_munmap", mseal_munmap);
#endif
