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
 * Memory: ranges and tables are charged to the sealing task's memory cgroup
 * (GFP_KERNEL_ACCOUNT), and a table holds at most vm.max_map_count ranges,
 * the bound the kernel puts on the VMAs that upstream sealing would split.
 */
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rbtree.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "mseal.h"
#include "hook.h"

struct mseal_range {
	struct rb_node node;
	unsigned long start;
	unsigned long end;
};

struct mseal_mm {
	struct hlist_node hnode;	/* in mseal_hash, RCU */
	struct mm_struct *mm;
	struct rb_root ranges;		/* of struct mseal_range */
	unsigned long nr_ranges;
	struct rcu_head rcu;
};

#define MSEAL_HASH_BITS	8
static DEFINE_HASHTABLE(mseal_hash, MSEAL_HASH_BITS);
static DEFINE_SPINLOCK(mseal_hash_lock);

DEFINE_STATIC_KEY_FALSE(mseal_tables_in_use);

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

static unsigned long mseal_max_ranges(void)
{
	int max = mseal_sysctl_max_map_count ?
		  READ_ONCE(*mseal_sysctl_max_map_count) : DEFAULT_MAX_MAP_COUNT;

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

static struct mseal_mm *mseal_mm_create(struct mm_struct *mm)
{
	struct mseal_mm *t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);

	if (!t)
		return NULL;
	t->mm = mm;
	t->ranges = RB_ROOT;
	/* A sealed mm pins the module: no unload while a seal is in force. */
	__module_get(THIS_MODULE);
	static_branch_inc(&mseal_tables_in_use);
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
}

/*
 * Add [start, end) to @t, absorbing every range it overlaps or touches.
 * Takes ownership of @spare, which it links or frees.
 */
static void mseal_range_insert(struct mseal_mm *t, unsigned long start,
			       unsigned long end, struct mseal_range *spare)
{
	struct mseal_range *r = mseal_range_touching(t, start);

	while (r && r->start <= end) {
		struct rb_node *next = rb_next(&r->node);

		start = min(start, r->start);
		end = max(end, r->end);
		rb_erase(&r->node, &t->ranges);
		t->nr_ranges--;
		kmem_cache_free(mseal_range_cache, r);
		r = next ? rb_entry(next, struct mseal_range, node) : NULL;
	}
	spare->start = start;
	spare->end = end;
	mseal_range_link(t, spare);
}

int mseal_table_seal(struct mm_struct *mm, unsigned long start,
		     unsigned long end)
{
	struct mseal_range *spare;
	struct mseal_mm *t;

	mmap_assert_write_locked(mm);

	if (!mseal_range_mapped(mm, start, end))
		return -ENOMEM;

	t = mseal_mm_find(mm);
	if (t && t->nr_ranges >= mseal_max_ranges()) {
		struct mseal_range *r = mseal_range_touching(t, start);

		/* Full: only a request that joins an existing range can pass. */
		if (!r || r->start > end)
			return -ENOMEM;
	}

	/* Allocate everything first: an error must leave nothing sealed. */
	spare = kmem_cache_alloc(mseal_range_cache, GFP_KERNEL_ACCOUNT);
	if (!spare)
		return -ENOMEM;
	if (!t) {
		t = mseal_mm_create(mm);
		if (!t) {
			kmem_cache_free(mseal_range_cache, spare);
			return -ENOMEM;
		}
	}
	mseal_range_insert(t, start, end, spare);
	return 0;
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

	rbtree_postorder_for_each_entry_safe(r, tmp, &t->ranges, node)
		kmem_cache_free(mseal_range_cache, r);
	kfree_rcu(t, rcu);
	static_branch_dec(&mseal_tables_in_use);
	module_put(THIS_MODULE);
}

int mseal_table_init(void)
{
	mseal_range_cache = KMEM_CACHE(mseal_range, SLAB_ACCOUNT);
	return mseal_range_cache ? 0 : -ENOMEM;
}

void mseal_table_exit(void)
{
	/* No table can remain: each one holds a reference on the module. */
	WARN_ON_ONCE(static_key_enabled(&mseal_tables_in_use));
	/* Wait for kfree_rcu() of the last tables before the cache goes. */
	rcu_barrier();
	kmem_cache_destroy(mseal_range_cache);
}
