// SPDX-License-Identifier: GPL-2.0
/*
 * The areas of a space: non-overlapping ranges in a maple tree in RCU
 * mode, so that lockless lookups (translate) are safe by design: a reader
 * under rcu_read_lock() always finds either an area that was in the tree
 * or nothing, never a torn node, and areas are freed after a grace period.
 *
 * The tree uses the space's lock as its external lock. Writers change a
 * node's fields (an edge cut, new flags) in place with WRITE_ONCE() while
 * @as->seq is odd; lockless readers read them with READ_ONCE() and keep
 * the answer only if @as->seq did not move.
 */
#include <linux/slab.h>

#include "space.h"

void axas_areas_init(struct axas *as)
{
	mt_init_flags(&as->areas, MT_FLAGS_LOCK_EXTERN | MT_FLAGS_USE_RCU);
	mt_set_external_lock(&as->areas, &as->lock);
}

/* The area holding @gpa, or NULL. Lock held in any mode. */
struct axas_area_node *axas_area_find(struct axas *as, u64 gpa)
{
	lockdep_assert_held(&as->lock);
	return mtree_load(&as->areas, gpa);
}

/*
 * The area holding @gpa, or NULL, under rcu_read_lock() and without the
 * lock: the node stays valid until rcu_read_unlock(), its fields may be
 * changing (read them with READ_ONCE() and check @as->seq afterwards).
 */
struct axas_area_node *axas_area_find_rcu(struct axas *as, u64 gpa)
{
	return mtree_load(&as->areas, gpa);
}

/* The first area overlapping [@start, @last], or NULL. */
struct axas_area_node *axas_area_first(struct axas *as, u64 start, u64 last)
{
	unsigned long index = start;

	lockdep_assert_held(&as->lock);
	return mt_find(&as->areas, &index, last);
}

/* The area after @a overlapping [@start, @last], or NULL. */
struct axas_area_node *axas_area_next(struct axas *as, struct axas_area_node *a,
				      u64 last)
{
	unsigned long index = a->last + 1;

	lockdep_assert_held(&as->lock);
	if (a->last >= last)
		return NULL;
	return mt_find(&as->areas, &index, last);
}

/*
 * Every change of the tree follows a change of the table that succeeded,
 * so it must not fail: it needs at most a few 256-byte maple nodes, and
 * everything else that can run out of memory (table pages, areas, frames)
 * was allocated before the table changed. (Linux 6.1 does not export
 * mas_preallocate() to modules.)
 */
static void axas_area_store(struct axas *as, u64 first, u64 last, void *entry)
{
	MA_STATE(mas, &as->areas, first, last);

	lockdep_assert_held_write(&as->lock);
	WARN_ON_ONCE(mas_store_gfp(&mas, entry, GFP_KERNEL_ACCOUNT | __GFP_NOFAIL));
}

/**
 * axas_area_add() - insert an area after its backend mapped it
 * @as: the space, lock held for writing
 * @a: the new area, not yet in the tree
 *
 * Either both the table and the tree change or neither does.
 *
 * Return: 0, -EEXIST if @a overlaps an area, or what
 * &axas_backend_ops.map returned.
 */
int axas_area_add(struct axas *as, struct axas_area_node *a)
{
	int ret;

	lockdep_assert_held_write(&as->lock);
	if (axas_area_first(as, a->start, a->last))
		return -EEXIST;
	ret = a->ops->map ? a->ops->map(as, a) : 0;
	if (ret)
		return ret;
	axas_area_store(as, a->start, a->last, a);
	as->nr_areas++;
	return 0;
}

/**
 * axas_area_remove_range() - take every area inside a range out of the tree
 * @as: the space, lock held for writing
 * @start: first gpa; no area crosses it (axas_area_split_edges())
 * @last: last gpa; no area crosses it
 *
 * The areas are freed after a grace period: lockless lookups may still
 * hold them.
 */
void axas_area_remove_range(struct axas *as, u64 start, u64 last)
{
	struct axas_area_node *a, *next;

	a = axas_area_first(as, start, last);
	if (!a)
		return;
	/* No grace period ends inside: the walk may read what it queued. */
	rcu_read_lock();
	for (; a; a = next) {
		next = axas_area_next(as, a, last);
		if (a->ops->detach)
			a->ops->detach(as, a);
		as->nr_areas--;
		kfree_rcu(a, rcu);
	}
	rcu_read_unlock();
	axas_area_store(as, start, last, NULL);
}

/*
 * Split @a before @at (inside it, not its start): @a keeps the lower part,
 * @spare becomes the upper part with the same attributes.
 */
static void axas_area_split(struct axas *as, struct axas_area_node *a, u64 at,
			    struct axas_area_node *spare)
{
	*spare = *a;
	spare->start = at;
	if (a->ops->split)
		a->ops->split(a, spare);
	axas_area_store(as, at, a->last, spare);
	WRITE_ONCE(a->last, at - 1);
	as->nr_areas++;
}

/* Split the area holding @at before @at, if it starts earlier and @want it. */
static bool axas_area_split_at(struct axas *as, u64 at,
			       bool (*want)(const struct axas_area_node *a),
			       struct axas_area_node *spare)
{
	struct axas_area_node *a = axas_area_find(as, at);

	if (!a || a->start == at || (want && !want(a)))
		return false;
	axas_area_split(as, a, at, spare);
	return true;
}

/**
 * axas_area_split_edges() - make area boundaries at both ends of a range
 * @as: the space, lock held for writing
 * @start: first gpa of the range
 * @last: last gpa of the range
 * @want: which areas to split; NULL for all
 * @spare: two preallocated nodes; used ones are set to NULL
 *
 * Afterwards every area overlapping [@start, @last] that @want lies inside
 * it.
 */
void axas_area_split_edges(struct axas *as, u64 start, u64 last,
			   bool (*want)(const struct axas_area_node *a),
			   struct axas_area_node **spare)
{
	if (axas_area_split_at(as, start, want, spare[0]))
		spare[0] = NULL;
	if (last != U64_MAX && axas_area_split_at(as, last + 1, want, spare[1]))
		spare[1] = NULL;
}

/**
 * axas_area_drain() - take every area out of the tree and destroy it
 * @as: the space, lock held for writing, about to be freed
 * @fn: called for each area before it is freed
 */
void axas_area_drain(struct axas *as, void (*fn)(struct axas *as,
						 struct axas_area_node *a))
{
	MA_STATE(mas, &as->areas, 0, 0);
	struct axas_area_node *a;

	lockdep_assert_held_write(&as->lock);
	mas_for_each(&mas, a, ULONG_MAX) {
		fn(as, a);
		kfree(a);
	}
	__mt_destroy(&as->areas);
	as->nr_areas = 0;
}
