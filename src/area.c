// SPDX-License-Identifier: GPL-2.0
/*
 * The areas of a space: an interval tree of non-overlapping ranges. The
 * nodes are embedded in the areas, so no tree operation allocates and a
 * caller that preallocated its spare nodes can never fail half way.
 */
#include <linux/interval_tree_generic.h>
#include <linux/slab.h>

#include "space.h"

#define AREA_START(a)	((a)->start)
#define AREA_LAST(a)	((a)->last)

INTERVAL_TREE_DEFINE(struct axas_area_node, rb, u64, subtree_last,
		     AREA_START, AREA_LAST, static, axas_area_it)

/* The area holding @gpa, or NULL. Lock held in any mode. */
struct axas_area_node *axas_area_find(struct axas *as, u64 gpa)
{
	lockdep_assert_held(&as->lock);
	return axas_area_it_iter_first(&as->areas, gpa, gpa);
}

/*
 * The area holding @gpa, or NULL: with the lock held in any mode, or under
 * rcu_read_lock() with @as->seq checked afterwards (a concurrent writer can
 * make the descent miss, never loop: lib/rbtree.c writes child pointers
 * with WRITE_ONCE() for such lookups).
 */
struct axas_area_node *axas_area_find_rcu(struct axas *as, u64 gpa)
{
	return axas_area_it_iter_first(&as->areas, gpa, gpa);
}

/* The first area overlapping [@start, @last], or NULL. */
struct axas_area_node *axas_area_first(struct axas *as, u64 start, u64 last)
{
	lockdep_assert_held(&as->lock);
	return axas_area_it_iter_first(&as->areas, start, last);
}

/* The area after @a overlapping [@start, @last], or NULL. */
struct axas_area_node *axas_area_next(struct axas_area_node *a, u64 start,
				      u64 last)
{
	return axas_area_it_iter_next(a, start, last);
}

void axas_area_insert(struct axas *as, struct axas_area_node *a)
{
	lockdep_assert_held_write(&as->lock);
	axas_area_it_insert(a, &as->areas);
	as->nr_areas++;
}

void axas_area_remove(struct axas *as, struct axas_area_node *a)
{
	lockdep_assert_held_write(&as->lock);
	axas_area_it_remove(a, &as->areas);
	as->nr_areas--;
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
	if (a->backend == AXAS_BACKEND_LINEAR)
		spare->hpa = a->hpa + (at - a->start);
	axas_area_remove(as, a);
	a->last = at - 1;
	axas_area_insert(as, a);
	axas_area_insert(as, spare);
}

/**
 * axas_area_split_edges() - make area boundaries at both ends of a range
 * @as: the space, lock held for writing
 * @start: first gpa of the range
 * @last: last gpa of the range
 * @spare: two preallocated nodes; used ones are set to NULL
 *
 * Afterwards every area overlapping [@start, @last] lies inside it.
 */
void axas_area_split_edges(struct axas *as, u64 start, u64 last,
			   struct axas_area_node **spare)
{
	struct axas_area_node *a;

	a = axas_area_find(as, start);
	if (a && a->start < start) {
		axas_area_split(as, a, start, spare[0]);
		spare[0] = NULL;
	}
	a = last == U64_MAX ? NULL : axas_area_find(as, last);
	if (a && a->last > last) {
		axas_area_split(as, a, last + 1, spare[1]);
		spare[1] = NULL;
	}
}
