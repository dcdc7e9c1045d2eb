// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - the seal table: which byte ranges of which mm are sealed.
 *
 * One struct mseal_mm per mm that has sealed anything, found by hashing the
 * mm pointer.  Its ranges are disjoint, coalesced [start, end) intervals in
 * an rbtree.
 *
 * Locking: the hash is walked under RCU and changed under mseal_hash_lock.
 * A table's ranges are changed only with its mm's mmap_lock held for
 * writing and read only with it held, so a hook that checks a range under
 * the mmap_lock the guarded operation holds sees a table that cannot change
 * until the operation is done.  A struct mseal_mm lives until its mm is
 * torn down (mseal_table_drop() from exit_mmap), and nobody can be inside
 * an operation on an mm at that point, so a pointer found under RCU stays
 * valid for as long as the caller holds the mm's mmap_lock.
 *
 * Kinds: a range is sealed either by a request or as a system mapping at
 * exec (SPEC 5).  Ranges of different kinds never coalesce and never
 * overlap (where a request covers a system seal, that part stays system),
 * so a denial can be attributed and a listing can tell them apart.
 *
 * Memory: ranges and tables are charged to the sealing task's memory cgroup
 * (GFP_KERNEL_ACCOUNT), and a table holds at most vm.max_map_count ranges,
 * the bound the kernel puts on the VMAs that upstream sealing would split.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rbtree.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <linux/mseal_dev.h>

#include "mseal.h"
#include "hook.h"

struct mseal_range {
	union {
		struct rb_node node;
		struct mseal_range *next_spare;	/* allocated, not linked */
	};
	unsigned long start;
	unsigned long end;
	enum mseal_kind kind;
};

struct mseal_mm {
	struct hlist_node hnode;	/* in mseal_hash, RCU */
	struct mm_struct *mm;
	struct rb_root ranges;		/* of struct mseal_range */
	unsigned long nr_ranges;
	bool fork_failed;		/* a range could not be copied */
	bool sysmap;			/* system mappings sealed at exec */
	struct rcu_head rcu;
};

#define MSEAL_HASH_BITS	8
static DEFINE_HASHTABLE(mseal_hash, MSEAL_HASH_BITS);
static DEFINE_SPINLOCK(mseal_hash_lock);

DEFINE_STATIC_KEY_FALSE(mseal_tables_in_use);

/* Ranges held by all tables (SPEC 6.2). */
static atomic_long_t mseal_nr_ranges_held = ATOMIC_LONG_INIT(0);

long mseal_table_ranges_held(void)
{
	return atomic_long_read(&mseal_nr_ranges_held);
}

/*
 * Sealing an mm takes its pin semaphore for writing; an operation that
 * checks seals before it takes the mmap_lock (madvise) holds it for
 * reading until it is done, so no seal can slip in between.  Hashed by mm:
 * one per mm would need a table before the first seal.
 */
#define MSEAL_PIN_BITS	6
static struct rw_semaphore mseal_pin_sems[1 << MSEAL_PIN_BITS];

static struct rw_semaphore *mseal_pin_sem(struct mm_struct *mm)
{
	return &mseal_pin_sems[hash_ptr(mm, MSEAL_PIN_BITS)];
}

struct rw_semaphore *mseal_table_pin(struct mm_struct *mm)
{
	struct rw_semaphore *sem = mseal_pin_sem(mm);

	down_read(sem);
	return sem;
}

void mseal_table_unpin(struct rw_semaphore *sem)
{
	up_read(sem);
}

static struct kmem_cache *mseal_range_cache;

static struct mseal_mm *mseal_mm_find(struct mm_struct *mm)
{
	struct mseal_mm *t;

	rcu_read_lock();
	hash_for_each_possible_rcu(mseal_hash, t, hnode, (unsigned long)mm) {
		if (t->mm == mm) {
			rcu_read_unlock();
			return t;
		}
	}
	rcu_read_unlock();
	return NULL;
}

/* The first range that ends after @addr, or NULL. */
static struct mseal_range *mseal_range_after(struct mseal_mm *t,
					     unsigned long addr)
{
	struct rb_node *n = t->ranges.rb_node;
	struct mseal_range *found = NULL;

	while (n) {
		struct mseal_range *r = rb_entry(n, struct mseal_range, node);

		if (r->end > addr) {
			found = r;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return found;
}

/* The first range that overlaps or touches [start, ...), or NULL. */
static struct mseal_range *mseal_range_touching(struct mseal_mm *t,
						unsigned long start)
{
	return mseal_range_after(t, start ? start - 1 : 0);
}

bool mseal_table_exists(struct mm_struct *mm)
{
	return static_branch_unlikely(&mseal_tables_in_use) &&
	       mseal_mm_find(mm);
}

bool __mseal_table_any_sealed(struct mm_struct *mm, unsigned long start,
			      unsigned long end)
{
	struct mseal_mm *t = mseal_mm_find(mm);
	struct mseal_range *r;

	if (!t || start >= end)
		return false;
	r = mseal_range_after(t, start);
	return r && r->start < end;
}

bool __mseal_table_any_system(struct mm_struct *mm, unsigned long start,
			      unsigned long end)
{
	struct mseal_mm *t = mseal_mm_find(mm);
	struct mseal_range *r;
	struct rb_node *n;

	if (!t || start >= end)
		return false;
	for (r = mseal_range_after(t, start); r && r->start < end;
	     r = n ? rb_entry(n, struct mseal_range, node) : NULL) {
		if (r->kind == MSEAL_KIND_SYSTEM)
			return true;
		n = rb_next(&r->node);
	}
	return false;
}

bool mseal_table_sysmap_marked(struct mm_struct *mm)
{
	struct mseal_mm *t = mseal_mm_find(mm);

	return t && t->sysmap;
}

u32 mseal_table_list(struct mm_struct *mm, struct mseal_range_info *out,
		     u32 n)
{
	struct mseal_mm *t = mseal_mm_find(mm);
	struct rb_node *node;
	u32 i = 0;

	if (!t)
		return 0;
	for (node = rb_first(&t->ranges); node && i < n;
	     node = rb_next(node), i++) {
		struct mseal_range *r = rb_entry(node, struct mseal_range,
						 node);

		out[i].start = r->start;
		out[i].end = r->end;
		out[i].flags = r->kind == MSEAL_KIND_SYSTEM ?
			       MSEAL_RANGE_SYSTEM : 0;
	}
	return t->nr_ranges;
}

static unsigned long mseal_max_ranges(void)
{
	int max = mseal_max_map_count();

	return max > 0 ? max : 0;
}

/* Is every byte of [start, end) mapped in @mm? mmap_lock held. */
static bool mseal_range_mapped(struct mm_struct *mm, unsigned long start,
			       unsigned long end)
{
	unsigned long addr = start;

	while (addr < end) {
		struct vm_area_struct *vma = find_vma(mm, addr);

		if (!vma || vma->vm_start > addr)
			return false;
		addr = vma->vm_end;
	}
	return true;
}

/*
 * The fast path of every hook tests one static key.  It is switched on,
 * outside any mmap_lock (it takes the CPU hotplug lock), before the first
 * table is created, and stays on until the module is unloaded.
 */
void mseal_tables_enable(void)
{
	if (!static_key_enabled(&mseal_tables_in_use))
		static_branch_enable(&mseal_tables_in_use);
}

static struct mseal_mm *mseal_mm_create(struct mm_struct *mm, gfp_t gfp)
{
	struct mseal_mm *t = kzalloc(sizeof(*t), gfp);

	if (!t)
		return NULL;
	t->mm = mm;
	t->ranges = RB_ROOT;
	/* A sealed mm pins the module: no unload while a seal is in force. */
	__module_get(THIS_MODULE);
	spin_lock(&mseal_hash_lock);
	hash_add_rcu(mseal_hash, &t->hnode, (unsigned long)mm);
	spin_unlock(&mseal_hash_lock);
	return t;
}

/* Link @new, which overlaps no range of @t, into its place. */
static void mseal_range_link(struct mseal_mm *t, struct mseal_range *new)
{
	struct rb_node **link = &t->ranges.rb_node, *parent = NULL;

	while (*link) {
		struct mseal_range *r = rb_entry(*link, struct mseal_range,
						 node);

		parent = *link;
		link = new->start < r->start ? &parent->rb_left :
					       &parent->rb_right;
	}
	rb_link_node(&new->node, parent, link);
	rb_insert_color(&new->node, &t->ranges);
	t->nr_ranges++;
	atomic_long_inc(&mseal_nr_ranges_held);
}

static void mseal_range_unlink(struct mseal_mm *t, struct mseal_range *r)
{
	rb_erase(&r->node, &t->ranges);
	t->nr_ranges--;
	atomic_long_dec(&mseal_nr_ranges_held);
}

static struct mseal_range *mseal_range_next(struct mseal_range *r)
{
	struct rb_node *next = rb_next(&r->node);

	return next ? rb_entry(next, struct mseal_range, node) : NULL;
}

/*
 * Add [start, end) of @kind to @t, absorbing every range of that kind it
 * overlaps or touches; it must not overlap a range of another kind.
 * Takes ownership of @spare, which it links or frees.
 */
static void mseal_range_insert(struct mseal_mm *t, unsigned long start,
			       unsigned long end, enum mseal_kind kind,
			       struct mseal_range *spare)
{
	struct mseal_range *r = mseal_range_touching(t, start);

	while (r && r->start <= end) {
		struct mseal_range *next = mseal_range_next(r);

		if (r->kind == kind) {
			start = min(start, r->start);
			end = max(end, r->end);
			mseal_range_unlink(t, r);
			kmem_cache_free(mseal_range_cache, r);
		}
		r = next;
	}
	spare->start = start;
	spare->end = end;
	spare->kind = kind;
	mseal_range_link(t, spare);
}

/*
 * Count the pieces of [start, end) that no range of another kind than
 * @kind covers; with @spares, also seal each piece with one of them.
 */
static unsigned int mseal_range_pieces(struct mseal_mm *t, unsigned long start,
				       unsigned long end, enum mseal_kind kind,
				       struct mseal_range **spares)
{
	struct mseal_range *r = t ? mseal_range_after(t, start) : NULL;
	unsigned long addr = start;
	unsigned int n = 0;

	for (; r && r->start < end; r = mseal_range_next(r)) {
		if (r->kind == kind)
			continue;
		if (r->start > addr) {
			if (spares) {
				struct mseal_range *spare = *spares;

				*spares = spare->next_spare;
				mseal_range_insert(t, addr, r->start, kind,
						   spare);
			}
			n++;
		}
		addr = r->end;
	}
	if (addr < end) {
		if (spares) {
			struct mseal_range *spare = *spares;

			*spares = spare->next_spare;
			mseal_range_insert(t, addr, end, kind, spare);
		}
		n++;
	}
	return n;
}

static void mseal_spares_free(struct mseal_range *spares)
{
	while (spares) {
		struct mseal_range *next = spares->next_spare;

		kmem_cache_free(mseal_range_cache, spares);
		spares = next;
	}
}

/* Seal [start, end) of @mm as @kind; mmap_lock held for writing. */
static int __mseal_table_seal(struct mm_struct *mm, unsigned long start,
			      unsigned long end, enum mseal_kind kind)
{
	struct mseal_range *spares = NULL;
	unsigned int i, n;
	struct mseal_mm *t;

	mmap_assert_write_locked(mm);

	if (!mseal_range_mapped(mm, start, end))
		return -ENOMEM;

	t = mseal_mm_find(mm);
	/* A system seal is one of a handful per mm: it is never refused. */
	if (t && kind == MSEAL_KIND_EXPLICIT &&
	    t->nr_ranges >= mseal_max_ranges()) {
		struct mseal_range *r = mseal_range_touching(t, start);

		/* Full: only a request that joins an existing range can pass. */
		if (!r || r->start > end)
			return -ENOMEM;
	}

	/*
	 * Allocate everything first: an error must leave nothing sealed.
	 * Parts already sealed as another kind keep their kind, so the
	 * request may become several pieces.
	 */
	n = mseal_range_pieces(t, start, end, kind, NULL);
	for (i = 0; i < n; i++) {
		struct mseal_range *spare;

		spare = kmem_cache_alloc(mseal_range_cache,
					 GFP_KERNEL_ACCOUNT);
		if (!spare) {
			mseal_spares_free(spares);
			return -ENOMEM;
		}
		spare->next_spare = spares;
		spares = spare;
	}
	if (!t) {
		t = mseal_mm_create(mm, GFP_KERNEL_ACCOUNT);
		if (!t) {
			mseal_spares_free(spares);
			return -ENOMEM;
		}
	}
	mseal_range_pieces(t, start, end, kind, &spares);
	if (kind == MSEAL_KIND_SYSTEM)
		t->sysmap = true;
	return 0;
}

int mseal_table_seal(struct mm_struct *mm, unsigned long start,
		     unsigned long end)
{
	struct rw_semaphore *sem = mseal_pin_sem(mm);
	int ret;

	mseal_tables_enable();
	if (down_write_killable(sem))
		return -EINTR;
	if (mmap_write_lock_killable(mm)) {
		up_write(sem);
		return -EINTR;
	}
	ret = __mseal_table_seal(mm, start, end, MSEAL_KIND_EXPLICIT);
	mmap_write_unlock(mm);
	up_write(sem);
	return ret;
}

int mseal_table_seal_system(struct mm_struct *mm, unsigned long start,
			    unsigned long end)
{
	/* Enabled before the policy could ask: a seal must be seen. */
	if (WARN_ON_ONCE(!static_key_enabled(&mseal_tables_in_use)))
		return 0;
	return __mseal_table_seal(mm, start, end, MSEAL_KIND_SYSTEM);
}

/*
 * Fork, in three steps around dup_mmap().  The child's table is created
 * before the copy (so that copying, under the parent's mmap_lock, need not
 * allocate the table itself), filled while dup_mmap() holds the parent's
 * mmap_lock for writing, when its seals are exactly those the child must
 * inherit, and finished once the child's VMAs exist: ranges of VMAs that
 * were not copied (MADV_DONTFORK) are trimmed away.
 */
void mseal_table_fork_prepare(struct mm_struct *oldmm, struct mm_struct *mm)
{
	if (static_branch_unlikely(&mseal_tables_in_use) &&
	    mseal_mm_find(oldmm))
		mseal_mm_create(mm, GFP_KERNEL_ACCOUNT);
}

void mseal_table_fork_copy(struct mm_struct *oldmm, struct mm_struct *mm)
{
	struct mseal_mm *parent, *child;
	struct rb_node *n;

	if (!static_branch_unlikely(&mseal_tables_in_use))
		return;
	parent = mseal_mm_find(oldmm);
	if (!parent)
		return;
	child = mseal_mm_find(mm);
	if (!child) {
		/*
		 * The parent's first seal raced with this fork, or preparing
		 * ran out of memory: a small allocation that cannot fail, so
		 * that a child without a table is one that inherits nothing.
		 */
		child = mseal_mm_create(mm, GFP_KERNEL_ACCOUNT | __GFP_NOFAIL);
	}
	for (n = rb_first(&parent->ranges); n; n = rb_next(n)) {
		struct mseal_range *r = rb_entry(n, struct mseal_range, node);
		struct mseal_range *copy;

		copy = kmem_cache_alloc(mseal_range_cache, GFP_KERNEL_ACCOUNT);
		if (!copy) {
			child->fork_failed = true;
			return;
		}
		copy->start = r->start;
		copy->end = r->end;
		copy->kind = r->kind;
		mseal_range_link(child, copy);
	}
	/* A later [uprobes] of the child is sealed as the parent's would be. */
	child->sysmap = parent->sysmap;
}

/* Keep only the parts of @t's ranges that the child mm maps. */
static int mseal_table_trim_unmapped(struct mseal_mm *t, struct mm_struct *mm)
{
	struct rb_root old = t->ranges;
	struct mseal_range *r, *tmp;
	int ret = 0;

	t->ranges = RB_ROOT;
	atomic_long_sub(t->nr_ranges, &mseal_nr_ranges_held);
	t->nr_ranges = 0;
	rbtree_postorder_for_each_entry_safe(r, tmp, &old, node) {
		unsigned long addr = r->start;

		while (!ret && addr < r->end) {
			struct vm_area_struct *vma = find_vma(mm, addr);
			struct mseal_range *part;

			if (!vma || vma->vm_start >= r->end)
				break;
			part = kmem_cache_alloc(mseal_range_cache,
						GFP_KERNEL_ACCOUNT);
			if (!part) {
				ret = -ENOMEM;
				break;
			}
			mseal_range_insert(t, max(addr, vma->vm_start),
					   min(r->end, vma->vm_end), r->kind,
					   part);
			addr = vma->vm_end;
		}
		kmem_cache_free(mseal_range_cache, r);
	}
	return ret;
}

int mseal_table_fork_finish(struct mm_struct *mm)
{
	struct mseal_mm *child;
	int ret;

	if (!static_branch_unlikely(&mseal_tables_in_use))
		return 0;
	child = mseal_mm_find(mm);
	if (!child)
		return 0;
	if (child->fork_failed)
		return -ENOMEM;	/* exit_mmap() of the child drops the table */
	if (!child->nr_ranges && !child->sysmap) {
		mseal_table_drop(mm);
		return 0;
	}
	/* Nobody else can see the child yet; lockdep wants the lock all the same. */
	mmap_write_lock(mm);
	ret = mseal_table_trim_unmapped(child, mm);
	mmap_write_unlock(mm);
	return ret;
}

void mseal_table_drop(struct mm_struct *mm)
{
	struct mseal_range *r, *tmp;
	struct mseal_mm *t;

	if (!static_branch_unlikely(&mseal_tables_in_use))
		return;
	t = mseal_mm_find(mm);
	if (!t)
		return;

	spin_lock(&mseal_hash_lock);
	hash_del_rcu(&t->hnode);
	spin_unlock(&mseal_hash_lock);

	atomic_long_sub(t->nr_ranges, &mseal_nr_ranges_held);
	rbtree_postorder_for_each_entry_safe(r, tmp, &t->ranges, node)
		kmem_cache_free(mseal_range_cache, r);
	kfree_rcu(t, rcu);
	module_put(THIS_MODULE);
}

int mseal_table_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mseal_pin_sems); i++)
		init_rwsem(&mseal_pin_sems[i]);
	mseal_range_cache = KMEM_CACHE(mseal_range, SLAB_ACCOUNT);
	return mseal_range_cache ? 0 : -ENOMEM;
}

void mseal_table_exit(void)
{
	/* Wait for kfree_rcu() of the last tables before the cache goes. */
	rcu_barrier();
	kmem_cache_destroy(mseal_range_cache);
}
