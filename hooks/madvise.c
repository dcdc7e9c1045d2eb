// SPDX-License-Identifier: GPL-2.0
/*
 * madvise.c - refuse to discard sealed read-only anonymous memory
 * (SPEC 3.5).
 *
 * A discarding advice on private anonymous memory that cannot be written
 * (no VM_WRITE, or write-disabled by a protection key) would let a process
 * zero memory it cannot otherwise change, so it is refused on sealed
 * memory; on writable, shared or file-backed memory it is allowed, as is
 * every other advice.  madvise(2), process_madvise(2) and io_uring's
 * IORING_OP_MADVISE all end in do_madvise().
 *
 * MADV_DONTNEED, MADV_DONTNEED_LOCKED and MADV_FREE: every VMA they touch
 * is first checked by madvise_dontneed_free_valid_vma(), under the
 * mmap_lock, and checked again there after userfaultfd_remove() dropped
 * and retook the lock; the hook sits on it (SPEC 3.9).  For madvise(2)
 * the first VMA's check covers the whole range of the call (request.c),
 * so nothing is discarded (SPEC 3.8).  The kernel turns the refusal into
 * EINVAL; the stub makes madvise(2) return EPERM.
 *
 * MADV_REMOVE, MADV_DONTFORK and MADV_WIPEONFORK reach nothing that can
 * be hooked under the lock, and an io_uring worker has no system call
 * whose range or result the hooks could use: those are checked at
 * do_madvise()'s entry over the whole range, under the mmap_lock taken for
 * reading without waiting, and refused with EPERM (the per-VMA check above
 * still applies to an io_uring discard, should a seal come in between).
 * If the lock cannot be had at once, madvise(2) is restarted (after the
 * task passed through its return to user mode) rather than wait in this
 * module; an io_uring request gets EAGAIN.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/signal.h>

#include "hook.h"
#include "mseal.h"
#include "request.h"
#include "syscalls.h"

static bool mseal_in_madvise(void)
{
	return !(current->flags & (PF_KTHREAD | PF_IO_WORKER)) &&
	       mseal_syscall(current_pt_regs()) == MSEAL_SYS_MADVISE;
}

/* madvise_dontneed_free_valid_vma() returns false: madvise(2) EPERM. */
static bool mseal_refuse_discard(void)
{
	mseal_inflight_get();
	if (mseal_in_madvise())
		mseal_syscall_result(-EPERM);
	mseal_inflight_put();
	return false;
}

/* madvise_dontneed_free_valid_vma(vma, start, *end, behavior) */
static MSEAL_HOOK_FN(mseal_madvise)
{
	struct vm_area_struct *vma =
		(struct vm_area_struct *)mseal_hook_arg(fregs, 0);
	struct mm_struct *mm = vma->vm_mm;
	unsigned long start = mseal_hook_arg(fregs, 1);

	if (!mseal_mm_marked(mm))
		return;
	if (!(mseal_vma_sealed(vma) && mseal_vma_ro_anon(vma)) &&
	    !mseal_request_denied(mm, vma))
		return;
	mseal_denied(MSEAL_OP_MADVISE, mm, start, vma->vm_end);
	mseal_hook_divert(fregs, mseal_refuse_discard);
}

/* Try again: the system call is restarted on its way to user mode. */
static long mseal_madvise_again(void)
{
	if (!mseal_in_madvise())
		return -EAGAIN;
	set_tsk_thread_flag(current, TIF_NOTIFY_SIGNAL);
	return -ERESTARTNOINTR;
}

/* do_madvise(mm, start, len_in, behavior) */
static MSEAL_HOOK_FN(mseal_madvise_flags)
{
	struct mm_struct *mm = (struct mm_struct *)mseal_hook_arg(fregs, 0);
	unsigned long start = untagged_addr(mseal_hook_arg(fregs, 1));
	size_t len_in = mseal_hook_arg(fregs, 2);
	int behavior = mseal_hook_arg(fregs, 3);
	unsigned long end;
	size_t len;
	bool denied;

	if (!mseal_mm_marked(mm) || !mseal_madvise_discards(behavior))
		return;
	if (behavior != MADV_REMOVE && behavior != MADV_DONTFORK &&
	    behavior != MADV_WIPEONFORK && mseal_in_madvise())
		return;
	/* What do_madvise() rejects, it rejects with its own errno. */
	len = PAGE_ALIGN(len_in);
	end = start + len;
	if (!PAGE_ALIGNED(start) || (len_in && !len) || end <= start)
		return;
	if (!mmap_read_trylock(mm)) {
		mseal_hook_divert(fregs, mseal_madvise_again);
		return;
	}
	denied = mseal_discard_denied(mm, NULL, start, end);
	if (denied)
		mseal_denied(MSEAL_OP_MADVISE, mm, start, end);
	mmap_read_unlock(mm);
	if (denied)
		mseal_hook_divert(fregs, mseal_refuse);
}

struct mseal_hook mseal_madvise_hook =
	MSEAL_HOOK("madvise_dontneed_free_valid_vma", mseal_madvise);
struct mseal_hook mseal_madvise_flags_hook =
	MSEAL_HOOK("do_madvise", mseal_madvise_flags);
