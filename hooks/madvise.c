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

/*
 * A discard refused: the hooked function returns false (to
 * madvise_dontneed_free_valid_vma()'s caller; zap_page_range()'s ignores
 * it), and madvise(2) EPERM.
 */
static bool mseal_refuse_discard(void)
{
	mseal_inflight_get();
	if (mseal_in_madvise())
		mseal_syscall_result(-EPERM);
	mseal_inflight_put();
	return false;
}

/*
 * The per-VMA check of a discard, for hooked functions that take the VMA
 * and the start of the range first: refuse through @stub when discarding
 * in the VMA breaks a seal (of it, or of the whole request).
 */
static void mseal_madvise_vma(struct MSEAL_FREGS *fregs, void *stub)
{
	struct vm_area_struct *vma =
		(struct vm_area_struct *)mseal_hook_arg(fregs, 0);
	unsigned long start = mseal_hook_arg(fregs, 1);
	struct mm_struct *mm = vma->vm_mm;

	if (!mseal_mm_marked(mm))
		return;
	if (!mseal_vma_sealed(vma) && mseal_request_inside(vma, true))
		return;
	if (!(mseal_vma_sealed(vma) && mseal_vma_ro_anon(vma)) &&
	    !mseal_request_denied(mm, vma))
		return;
	mseal_denied(MSEAL_OP_MADVISE, mm, start, vma->vm_end);
	mseal_hook_divert(fregs, stub);
}

#ifdef MSEAL_HAVE_MADV_DONTNEED_LOCKED
/* madvise_dontneed_free_valid_vma(vma, start, *end, behavior) */
MSEAL_HOOK_FN(mseal_madvise)
{
	mseal_madvise_vma(fregs, mseal_refuse_discard);
}

struct mseal_hook mseal_madvise_hook =
	MSEAL_HOOK("madvise_dontneed_free_valid_vma", mseal_madvise);
#else
/*
 * Up to 5.17 nothing checks a VMA before MADV_DONTNEED or MADV_FREE
 * discards it but code inlined into do_madvise(); the discarding itself
 * is hooked, under the same mmap_lock: zap_page_range(vma, start, size),
 * which only madvise(MADV_DONTNEED) calls on user memory and whose caller
 * ignores what it returns (so the stub sets madvise(2)'s result), and
 * madvise_free_single_vma(vma, start, end), whose -EPERM is returned.
 */
MSEAL_HOOK_FN(mseal_madvise)
{
	mseal_madvise_vma(fregs, mseal_refuse_discard);
}

MSEAL_HOOK_FN(mseal_madvise_free)
{
	mseal_madvise_vma(fregs, mseal_refuse);
}

struct mseal_hook mseal_madvise_hook =
	MSEAL_HOOK("zap_page_range", mseal_madvise);
struct mseal_hook mseal_madvise_free_hook =
	MSEAL_HOOK("madvise_free_single_vma", mseal_madvise_free);
#endif

/* Try again: the system call is restarted on its way to user mode. */
static long mseal_madvise_again(void)
{
	if (!mseal_in_madvise())
		return -EAGAIN;
	set_tsk_thread_flag(current, TIF_NOTIFY_SIGNAL);
	return -ERESTARTNOINTR;
}

/*
 * The check at the entry of a madvise: over the whole range, for what the
 * per-VMA hooks above do not see.  What do_madvise() rejects, it rejects
 * with its own errno.
 */
static void mseal_madvise_entry(struct MSEAL_FREGS *fregs,
				struct mm_struct *mm, unsigned long start,
				size_t len_in, int behavior)
{
	unsigned long end;
	size_t len;
	bool denied;

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

/* Discarding advice that no per-VMA hook sees. */
static bool mseal_madvise_unhooked(int behavior)
{
	return behavior == MADV_REMOVE || behavior == MADV_DONTFORK ||
	       behavior == MADV_WIPEONFORK;
}

/* do_madvise(mm, start, len_in, behavior) */
MSEAL_HOOK_FN(mseal_madvise_flags)
{
	struct mm_struct *mm = (struct mm_struct *)mseal_hook_arg(fregs, 0);
	int behavior = mseal_hook_arg(fregs, 3);

	if (!mseal_mm_marked(mm) || !mseal_madvise_discards(behavior))
		return;
	if (mseal_in_madvise() &&
	    (!mseal_madvise_unhooked(behavior) || MSEAL_MADVISE_SYSCALL_HOOKED))
		return;
	mseal_madvise_entry(fregs, mm, untagged_addr(mseal_hook_arg(fregs, 1)),
			    mseal_hook_arg(fregs, 2), behavior);
}

struct mseal_hook mseal_madvise_flags_hook =
	MSEAL_HOOK("do_madvise", mseal_madvise_flags);

#if MSEAL_MADVISE_SYSCALL_HOOKED
/*
 * Up to 5.17 madvise(2) may call a clone of do_madvise() (amd64 5.10:
 * do_madvise.part.0) rather than its entry: its own entry is hooked for
 * the advice of mseal_madvise_unhooked(), its arguments read from the
 * user registers.
 */
MSEAL_HOOK_FN(mseal_madvise_syscall)
{
	struct mm_struct *mm = current->mm;
	struct pt_regs *regs = current_pt_regs();
	int behavior = mseal_syscall_arg(regs, 2);

	if (!mm || !mseal_mm_marked(mm) || !mseal_madvise_unhooked(behavior))
		return;
	mseal_madvise_entry(fregs, mm, untagged_addr(mseal_syscall_arg(regs, 0)),
			    mseal_syscall_arg(regs, 1), behavior);
}

struct mseal_hook mseal_madvise_syscall_hook =
	MSEAL_HOOK(MSEAL_ARCH_SYS_MADVISE, mseal_madvise_syscall);
#ifdef MSEAL_ARCH_COMPAT_SYS_MADVISE
struct mseal_hook mseal_madvise_compat_syscall_hook =
	MSEAL_HOOK(MSEAL_ARCH_COMPAT_SYS_MADVISE, mseal_madvise_syscall);
#endif
#endif
