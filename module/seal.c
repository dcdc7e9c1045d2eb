// SPDX-License-Identifier: GPL-2.0
/*
 * seal.c - the seal is a flag on the VMA, as upstream's mseal(2) makes it.
 *
 * Sealing [start, end) splits the VMAs at the range's boundaries and sets
 * MSEAL_VM_SEALED on every VMA in it, merging with equal neighbours, with
 * the kernel's own split_vma() and vma_merge(), as mprotect() would for a
 * change of that bit alone (upstream's mseal did the same).  Splitting
 * counts against
 * vm.max_map_count (ENOMEM), as upstream's does, so a seal costs what a
 * VMA costs (SPEC 4.5) and the layout of /proc/PID/maps is upstream's
 * (SPEC 2.12).  Everything that follows from the flag (fork copies it,
 * exec and exit drop it with the VMAs) is the kernel's own doing.
 *
 * Atomicity (SPEC 2.8): every check comes before any change; then the at
 * most two splits the range needs (the only steps that can fail: ENOMEM),
 * and only then the flags.  A failed second split leaves the first one
 * (an extra VMA boundary, as a failed mprotect() may) but nothing sealed.
 *
 * Everything here runs with the mm's mmap_lock held for writing, which is
 * what every hook that reads the flag holds (at least for reading): a seal
 * and an operation it guards are ordered by that lock (SPEC 3.9).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <asm/mmu_context.h>

#include <linux/mseal_dev.h>

#include "hook.h"
#include "mseal.h"

static const char *const mseal_sysmap_names[] = { MSEAL_ARCH_SYSMAP_NAMES };

struct vm_area_struct *mseal_vma_at(struct mm_struct *mm,
				    struct vm_area_struct *hint,
				    unsigned long addr)
{
	if (hint && hint->vm_start <= addr && addr < hint->vm_end)
		return hint;
	return find_vma(mm, addr);
}

bool mseal_range_sealed(struct mm_struct *mm, struct vm_area_struct *hint,
			unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = mseal_vma_at(mm, hint, start);

	for (; vma && vma->vm_start < end; vma = find_vma(mm, vma->vm_end)) {
		if (mseal_vma_sealed(vma))
			return true;
		if (vma->vm_end >= end)
			break;
	}
	return false;
}

bool mseal_vma_ro_anon(struct vm_area_struct *vma)
{
	/* vma_is_anonymous(): private /dev/zero mappings are, too. */
	if (!vma_is_anonymous(vma) || (vma->vm_flags & VM_SHARED))
		return false;
	return !(vma->vm_flags & VM_WRITE) ||
	       !arch_vma_access_permitted(vma, true, false, false);
}

bool mseal_is_sysmap_name(const char *name)
{
	unsigned int i;

	for (i = 0; name && i < ARRAY_SIZE(mseal_sysmap_names); i++)
		if (!strcmp(name, mseal_sysmap_names[i]))
			return true;
	return false;
}

bool mseal_vma_is_sysmap(struct vm_area_struct *vma)
{
	/*
	 * Special mappings name themselves, as /proc/PID/maps shows, through
	 * the kernel's own ops table (whose functions the kernel itself
	 * calls indirectly, so they start with their landing pad).
	 */
	if (!vma->vm_ops || !vma->vm_ops->name)
		return false;
	return mseal_is_sysmap_name(vma->vm_ops->name(vma));
}

#ifndef VM_SEALED
/* Is every byte of [start, end) of @mm mapped?  (SPEC 2.6) */
static bool mseal_range_mapped(struct mm_struct *mm, unsigned long start,
			       unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long addr = start;

	while (addr < end) {
		vma = find_vma(mm, addr);
		if (!vma || vma->vm_start > addr)
			return false;
		addr = vma->vm_end;
	}
	return true;
}

/* Split an unsealed VMA of @mm at @addr, if one straddles it. */
static int mseal_split_at(struct mm_struct *mm, unsigned long addr,
			  int new_below)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	if (!vma || vma->vm_start >= addr || mseal_vma_sealed(vma))
		return 0;
	return mseal_kcall.split_vma(mm, vma, addr, new_below);
}

/*
 * Seal @vma, which lies inside the range, merging it with an equal
 * neighbour as mprotect_fixup() would (the same vma_merge() call): the
 * flag is the only change, so neither the page tables nor any accounting
 * change.  Returns the VMA that now holds its range.
 */
static struct vm_area_struct *mseal_vma_seal(struct mm_struct *mm,
					     struct vm_area_struct *prev,
					     struct vm_area_struct *vma)
{
	unsigned long newflags = vma->vm_flags | MSEAL_VM_SEALED;
	struct vm_area_struct *merged;

	merged = mseal_kcall_vma_merge(mm, prev, vma, newflags);
	if (merged)
		vma = merged;
	mseal_vma_set_flags(vma, newflags);
	return vma;
}

/* mmap_lock held for writing; [start, end) mapped. */
static int mseal_apply(struct mm_struct *mm, unsigned long start,
		       unsigned long end)
{
	struct vm_area_struct *vma, *prev;
	unsigned long addr;
	int ret;

	ret = mseal_split_at(mm, start, 1);
	if (!ret)
		ret = mseal_split_at(mm, end, 0);
	if (ret)
		return ret;

	/* Every VMA now lies inside [start, end) or is sealed already. */
	vma = find_vma(mm, start);
	prev = mseal_vma_prev(mm, vma);
	for (addr = start; addr < end; addr = vma->vm_end) {
		vma = find_vma(mm, addr);
		if (!mseal_vma_sealed(vma))
			vma = mseal_vma_seal(mm, prev, vma);
		prev = vma;
	}
	return 0;
}

static long mseal_seal_range(struct mm_struct *mm, unsigned long start,
			     unsigned long end)
{
	long ret;

	/*
	 * The hooks must be armed before the seal is visible: a seal no
	 * hook enforces is no seal.  The reference is the mm's from now on
	 * if the mm becomes marked, and dropped otherwise.
	 */
	ret = mseal_arm_get();
	if (ret)
		return ret;
	if (mmap_write_lock_killable(mm)) {
		mseal_arm_put();
		return -EINTR;
	}
	if (!mseal_range_mapped(mm, start, end)) {
		ret = -ENOMEM;
		goto out;
	}
	ret = mseal_apply(mm, start, end);
	if (!ret)
		mseal_mm_mark(mm);	/* cannot fail: we hold a reference */
out:
	mmap_write_unlock(mm);
	mseal_arm_put();
	return ret;
}
#else
/*
 * The kernel has mseal(2) of its own, and its VM_SEALED: the device seals
 * through it, not beside it, so that both routes give exactly the same
 * seals (SPEC 1.4).  The system call's entry reads its arguments from a
 * struct pt_regs; where it cannot be called safely (hooks/kcall.c) the
 * device says EOPNOTSUPP and libmseal uses the system call.
 */
static long mseal_seal_range(struct mm_struct *mm, unsigned long start,
			     unsigned long end)
{
	struct pt_regs regs = {};

	if (!mseal_kcall.sys_mseal)
		return -EOPNOTSUPP;
	mseal_arch_syscall_args(&regs, start, end - start, 0);
	return mseal_kcall.sys_mseal(&regs);
}
#endif

long mseal_seal_request(unsigned long start, size_t len_in,
			unsigned long flags)
{
	unsigned long end;
	size_t len;
	long ret;

	if (flags)
		return -EINVAL;
	start = untagged_addr(start);
	if (!PAGE_ALIGNED(start))
		return -EINVAL;
	len = PAGE_ALIGN(len_in);
	/* A huge len_in rounds up to 0. */
	if (len_in && !len)
		return -EINVAL;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;

	ret = mseal_seal_range(current->mm, start, end);
	if (!ret)
		mseal_count_seal();
	return ret;
}

u32 mseal_list_ranges(struct mm_struct *mm, struct mseal_range_info *out,
		      u32 n)
{
	struct vm_area_struct *vma;
	unsigned long last_end = 0;
	u32 count = 0;
	u64 kind = 0;

	for (vma = find_vma(mm, 0); vma; vma = find_vma(mm, vma->vm_end)) {
		u64 vkind;

		if (!mseal_vma_sealed(vma))
			continue;
		vkind = mseal_vma_is_sysmap(vma) ? MSEAL_RANGE_SYSTEM : 0;
		if (count && last_end == vma->vm_start && kind == vkind) {
			if (count <= n)
				out[count - 1].end = vma->vm_end;
		} else {
			if (count < n) {
				out[count].start = vma->vm_start;
				out[count].end = vma->vm_end;
				out[count].flags = vkind;
			}
			count++;
			kind = vkind;
		}
		last_end = vma->vm_end;
	}
	return count;
}

/* Sealed ranges of @mm, listed as MSEAL_IOC_LIST lists them. */
static long mseal_mm_ranges(struct mm_struct *mm)
{
	long n;

	if (mmap_read_lock_killable(mm))
		return 0;
	n = mseal_list_ranges(mm, NULL, 0);
	mmap_read_unlock(mm);
	return n;
}

/*
 * Every process's mm, each counted once: the address spaces are collected
 * (with a reference) under RCU, then walked one at a time under their own
 * mmap_lock.  Only a reader of /sys/kernel/mseal/ranges pays for it.
 */
long mseal_ranges_held(void)
{
	struct mm_struct **mms;
	struct task_struct *p;
	unsigned int nr = 0, max, i, j;
	long total = 0;

	max = 16;
	rcu_read_lock();
	for_each_process(p)
		max++;
	rcu_read_unlock();
	mms = kvmalloc_array(max, sizeof(*mms), GFP_KERNEL);
	if (!mms)
		return -ENOMEM;
	rcu_read_lock();
	for_each_process(p) {
		struct mm_struct *mm;

		if (nr == max)
			break;
		if (p->flags & PF_KTHREAD)
			continue;
		mm = get_task_mm(p);
		if (!mm)
			continue;
		for (j = 0; j < nr && mms[j] != mm; j++)
			;
		if (j < nr) {
			mmput_async(mm);
			continue;
		}
		mms[nr++] = mm;
	}
	rcu_read_unlock();
	for (i = 0; i < nr; i++) {
		total += mseal_mm_ranges(mms[i]);
		mmput(mms[i]);
	}
	kvfree(mms);
	return total;
}
