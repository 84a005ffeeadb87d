// SPDX-License-Identifier: GPL-2.0
/*
 * The alloc backend: areas backed by frames of the page allocator, mapped
 * all at once (populate) or one page per nested page fault. No per-page
 * metadata: the nested page table is the only record of a frame, and
 * frames on their way out are chained through page->lru.
 */
#include <linux/io.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "space.h"

#define AXAS_CHUNK_ORDER	(PMD_SHIFT - PAGE_SHIFT)
#define AXAS_CHUNK_SIZE		(AXAS_PAGE_SIZE << AXAS_CHUNK_ORDER)

static void axas_free_frames(struct axas *as, struct page *page,
			     unsigned int order)
{
	unsigned int i;

	for (i = 0; i < (1U << order); i++)
		as->hal->free_frame(as->hal->priv, page + i);
}

/* Map one chunk at @gpa: 2 MiB as one leaf when aligned, else 4 KiB. */
static int axas_populate_chunk(struct axas *as, u64 gpa, u64 left, u32 flags,
			       u64 *mapped)
{
	unsigned int order = 0;
	struct page *page = NULL;
	int ret;

	if (IS_ALIGNED(gpa, AXAS_CHUNK_SIZE) && left >= AXAS_CHUNK_SIZE) {
		order = AXAS_CHUNK_ORDER;
		page = as->hal->alloc_frames(as->hal->priv, order);
	}
	if (!page) {
		order = 0;
		page = as->hal->alloc_frames(as->hal->priv, 0);
	}
	if (!page)
		return -ENOMEM;
	ret = axas_npt_map(&as->npt, gpa, page_to_phys(page),
			   AXAS_PAGE_SIZE << order, flags & AXAS_PROT_MASK,
			   AXAS_NPT_HUGE);
	if (ret) {
		axas_free_frames(as, page, order);
		return ret;
	}
	atomic64_add(1 << order, &as->alloc_pages);
	*mapped = AXAS_PAGE_SIZE << order;
	return 0;
}

/**
 * axas_alloc_populate() - allocate and map every frame of a range
 * @as: the space, lock held for writing
 * @gpa: first gpa
 * @size: bytes
 * @flags: mapping flags
 *
 * All or nothing: on failure whatever this call mapped is unmapped and
 * freed again.
 *
 * Return: 0, -ENOMEM, or -EINTR on a fatal signal.
 */
int axas_alloc_populate(struct axas *as, u64 gpa, u64 size, u32 flags)
{
	LIST_HEAD(frames);
	u64 done = 0, step;
	int ret = 0;

	lockdep_assert_held_write(&as->lock);
	while (done < size) {
		ret = axas_populate_chunk(as, gpa + done, size - done, flags, &step);
		if (ret)
			break;
		done += step;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	if (ret && done) {
		axas_alloc_collect(as, gpa, done, &frames);
		/* Whole leaves of this call only: no split, cannot fail. */
		WARN_ON(axas_npt_unmap(&as->npt, gpa, done));
		axas_alloc_release(as, &frames);
	}
	return ret;
}

/**
 * axas_alloc_fault() - give a lazy page its frame
 * @as: the space, lock held in any mode
 * @gpa: 4 KiB aligned gpa inside an alloc area
 * @flags: the area's mapping flags
 *
 * A page that has a frame already keeps it; two callers racing for the
 * same page end with one frame.
 *
 * Return: 1 if this call mapped a new frame, 0 if the page had one, or
 * -ENOMEM.
 */
int axas_alloc_fault(struct axas *as, u64 gpa, u32 flags)
{
	struct axas_npt_leaf leaf;
	struct page *page;
	int ret;

	lockdep_assert_held(&as->lock);
	if (!axas_npt_query(&as->npt, gpa, &leaf))
		return 0;
	page = as->hal->alloc_frames(as->hal->priv, 0);
	if (!page)
		return -ENOMEM;
	ret = axas_npt_map_page(&as->npt, gpa, page_to_phys(page),
				flags & AXAS_PROT_MASK);
	if (ret) {
		as->hal->free_frame(as->hal->priv, page);
		return ret == -EEXIST ? 0 : ret;
	}
	atomic64_inc(&as->alloc_pages);
	return 1;
}

static int axas_collect_leaf(void *arg, const struct axas_npt_leaf *leaf)
{
	struct list_head *frames = arg;
	struct page *page = pfn_to_page(PHYS_PFN(leaf->hpa));
	u64 i;

	for (i = 0; i < leaf->size >> PAGE_SHIFT; i++)
		list_add_tail(&page[i].lru, frames);
	return 0;
}

/**
 * axas_alloc_collect() - chain the frames mapped in a range
 * @as: the space, lock held for writing
 * @gpa: first gpa, inside an alloc area
 * @size: bytes, inside the same area
 * @frames: list to chain them on, through page->lru
 *
 * The frames stay mapped: unmap the range, then axas_alloc_release(). If
 * the unmap fails, drop the list as it is; the frames stay in use.
 */
void axas_alloc_collect(struct axas *as, u64 gpa, u64 size,
			struct list_head *frames)
{
	lockdep_assert_held_write(&as->lock);
	axas_npt_walk_leaves(&as->npt, gpa, size, axas_collect_leaf, frames);
}

/**
 * axas_alloc_release() - free collected frames after their unmap
 * @as: the space
 * @frames: the list from axas_alloc_collect()
 */
void axas_alloc_release(struct axas *as, struct list_head *frames)
{
	struct page *page, *next;
	long n = 0;

	/* The buddy allocator takes page->lru over: no list_del needed. */
	list_for_each_entry_safe(page, next, frames, lru) {
		as->hal->free_frame(as->hal->priv, page);
		if (!(++n % 512))
			cond_resched();
	}
	atomic64_sub(n, &as->alloc_pages);
}
