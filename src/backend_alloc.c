// SPDX-License-Identifier: GPL-2.0
/*
 * The alloc backend: areas backed by frames of the page allocator, mapped
 * all at once (populate) or one page per nested page fault. No per-page
 * metadata: the nested page table is the only record of a frame, and
 * frames on their way out are chained through page->lru.
 *
 * Populate takes 2 MiB chunks (order 9, not split) and maps each with one
 * 2 MiB leaf; teardown frees each with one call. The invariant: a 2 MiB
 * leaf maps one whole unsplit chunk, a 4 KiB leaf an order-0 frame (its
 * own allocation, or a frame of a chunk split with split_page()). Only an
 * unmap or protect whose edge cuts a 2 MiB leaf makes 4 KiB leaves of a
 * chunk, and it splits the chunk as soon as the table change succeeded.
 *
 * A new frame is zeroed through the host's cache; axas_sync_guest() makes
 * the zeroes reach a guest that reads around the cache before the frame is
 * mapped, where a guest could see it.
 */
#include <linux/indirect_call_wrapper.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>

#include "space.h"

/* A chunk is what one 2 MiB leaf maps, in 4 KiB frames (not host pages). */
#define AXAS_CHUNK_ORDER	AXAS_NPT_LEVEL_BITS
#define AXAS_CHUNK_SIZE		(AXAS_PAGE_SIZE << AXAS_CHUNK_ORDER)
/* 4 KiB frames in @size bytes of leaves. */
#define AXAS_FRAMES(size)	((size) >> AXAS_NPT_PAGE_SHIFT)

static void axas_free_frames(struct axas *as, struct page *page,
			     unsigned int order)
{
	as->hal->free_frames(as->hal->priv, page, order);
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
	axas_sync_guest(as, page_to_phys(page), AXAS_PAGE_SIZE << order, flags);
	ret = axas_npt_map(&as->npt, gpa, page_to_phys(page),
			   AXAS_PAGE_SIZE << order, flags, AXAS_NPT_HUGE);
	if (ret) {
		axas_free_frames(as, page, order);
		return ret;
	}
	atomic64_add(1 << order, &as->alloc_pages);
	*mapped = AXAS_PAGE_SIZE << order;
	return 0;
}

static void axas_alloc_collect(struct axas *as, u64 gpa, u64 size,
			       struct axas_frames *frames);
static void axas_alloc_edit_end(struct axas *as, struct axas_frames *frames);

/*
 * Allocate and map every frame of a range, lock held for writing. All or
 * nothing: on failure whatever this call mapped is unmapped and freed
 * again. Return: 0, -ENOMEM, or -EINTR on a fatal signal.
 */
static int axas_alloc_populate(struct axas *as, u64 gpa, u64 size, u32 flags)
{
	struct axas_frames frames;
	u64 done = 0, step;
	int ret = 0;

	lockdep_assert_held_write(&as->lock);
	axas_frames_init(&frames, true);
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
		axas_alloc_edit_end(as, &frames);
	}
	return ret;
}

static int axas_alloc_map(struct axas *as, struct axas_area_node *a)
{
	return a->populated ?
	       axas_alloc_populate(as, a->start, axas_area_size(a), a->flags) : 0;
}

/*
 * Give a lazy page its frame, lock held in any mode. A page that has a
 * frame already keeps it; two callers racing for the same page end with
 * one frame. Return: 1 if this call mapped a new frame, 0 if the page had
 * one, or -ENOMEM.
 */
static int axas_alloc_fault(struct axas *as, struct axas_area_node *a, u64 gpa,
			    void **wait)
{
	u32 flags = a->flags;
	struct axas_npt_slot slot;
	struct page *page;
	int ret;

	lockdep_assert_held(&as->lock);
	/* One descent: the probe's slot is where the install starts. */
	ret = axas_npt_probe(&as->npt, gpa, &slot);
	if (ret)
		return ret == -EEXIST ? 0 : ret;
	page = INDIRECT_CALL_1(as->hal->alloc_frames, axas_hal_alloc_frames,
			       as->hal->priv, 0);
	if (!page)
		return -ENOMEM;
	axas_sync_guest(as, page_to_phys(page), AXAS_PAGE_SIZE, flags);
	ret = axas_npt_map_page_at(&as->npt, &slot, gpa, page_to_phys(page),
				   flags);
	if (ret) {
		axas_free_frames(as, page, 0);
		return ret == -EEXIST ? 0 : ret;
	}
	atomic64_inc(&as->alloc_pages);
	return 1;
}

/* A 2 MiB leaf of this backend: one whole unsplit chunk. */
static bool axas_leaf_is_chunk(const struct axas_npt_leaf *leaf)
{
	return AXAS_NPT_LEVEL_SIZE(leaf->level) == AXAS_CHUNK_SIZE;
}

static int axas_collect_leaf(void *arg, const struct axas_npt_leaf *leaf)
{
	struct axas_frames *frames = arg;
	struct page *page = pfn_to_page(PHYS_PFN(leaf->hpa));
	u64 i;

	if (axas_leaf_is_chunk(leaf) && leaf->size == AXAS_CHUNK_SIZE) {
		list_add_tail(&page->lru, &frames->chunks);
		return 0;
	}
	/* Part of a chunk (cut, see axas_alloc_cut_at()): one by one. */
	for (i = 0; i < AXAS_FRAMES(leaf->size); i++)
		list_add_tail(&page[i].lru, &frames->pages);
	return 0;
}

/*
 * Chain the frames mapped in a range of one alloc area (through
 * page->lru). They stay mapped: unmap the range, then
 * axas_alloc_edit_end(). If the unmap fails, drop @frames as it is.
 */
static void axas_alloc_collect(struct axas *as, u64 gpa, u64 size,
			       struct axas_frames *frames)
{
	lockdep_assert_held_write(&as->lock);
	axas_npt_walk_leaves(&as->npt, gpa, size, axas_collect_leaf, frames);
}

/* Split the cut chunks: the 4 KiB leaves left must be freeable one by one. */
static void axas_alloc_split_cut(struct axas_frames *frames)
{
	unsigned int i;

	for (i = 0; i < frames->nr_cut; i++)
		if (i == 0 || frames->cut[i] != frames->cut[0])
			split_page(frames->cut[i], AXAS_CHUNK_ORDER);
}

/* Free what an unmap collected, after the table change and its flush. */
static void axas_alloc_free_collected(struct axas *as,
				      struct axas_frames *frames)
{
	struct page *page, *next;
	long n = 0;

	/* The buddy allocator takes page->lru over: no list_del needed. */
	list_for_each_entry_safe(page, next, &frames->chunks, lru) {
		axas_free_frames(as, page, AXAS_CHUNK_ORDER);
		n += 1 << AXAS_CHUNK_ORDER;
		cond_resched();
	}
	list_for_each_entry_safe(page, next, &frames->pages, lru) {
		axas_free_frames(as, page, 0);
		if (!(++n % 512))
			cond_resched();
	}
	atomic64_sub(n, &as->alloc_pages);
}

static void axas_alloc_edit_end(struct axas *as, struct axas_frames *frames)
{
	axas_alloc_split_cut(frames);
	if (frames->unmap)
		axas_alloc_free_collected(as, frames);
}

/*
 * The one place that finds the chunks an edit cuts, for unmap and protect
 * alike: the chunk whose 2 MiB leaf holds @edge but does not start there,
 * if @edge lies inside area @a past its start (an edge at an area
 * boundary cuts no leaf: leaves never cross one).
 */
static struct page *axas_alloc_cut_at(struct axas *as, struct axas_area_node *a,
				      u64 edge)
{
	struct axas_npt_leaf leaf;

	if (edge <= a->start || edge > a->last ||
	    axas_npt_query(&as->npt, edge, &leaf) ||
	    !axas_leaf_is_chunk(&leaf) || leaf.gpa == edge)
		return NULL;
	return pfn_to_page(PHYS_PFN(leaf.hpa));
}

static void axas_alloc_note_cut(struct axas_frames *frames, struct page *chunk)
{
	if (chunk && !WARN_ON_ONCE(frames->nr_cut >= ARRAY_SIZE(frames->cut)))
		frames->cut[frames->nr_cut++] = chunk;
}

/* Before the table change: the chunks the edges cut, and for an unmap the frames. */
static void axas_alloc_edit_begin(struct axas *as, struct axas_area_node *a,
				  u64 start, u64 last, struct axas_frames *frames)
{
	lockdep_assert_held_write(&as->lock);
	axas_alloc_note_cut(frames, axas_alloc_cut_at(as, a, start));
	if (last != U64_MAX)
		axas_alloc_note_cut(frames, axas_alloc_cut_at(as, a, last + 1));
	if (frames->unmap)
		axas_alloc_collect(as, start, last - start + 1, frames);
}

static int axas_free_leaf(void *arg, const struct axas_npt_leaf *leaf)
{
	struct page *page = pfn_to_page(PHYS_PFN(leaf->hpa));
	struct axas *as = arg;
	u64 i;

	if (axas_leaf_is_chunk(leaf))
		axas_free_frames(as, page, AXAS_CHUNK_ORDER);
	else
		for (i = 0; i < AXAS_FRAMES(leaf->size); i++)
			axas_free_frames(as, page + i, 0);
	atomic64_sub(AXAS_FRAMES(leaf->size), &as->alloc_pages);
	cond_resched();
	return 0;
}

/*
 * Teardown: the frames of an area that goes away are freed while the
 * table still maps them, with no unmap and no flush; nothing may use the
 * table afterwards but axas_npt_destroy().
 */
static void axas_alloc_release(struct axas *as, struct axas_area_node *a)
{
	lockdep_assert_held_write(&as->lock);
	axas_npt_walk_leaves(&as->npt, a->start, axas_area_size(a),
			     axas_free_leaf, as);
}

/*
 * @len bytes of the area at the current gpa, inside one page. A lazy page
 * reads as zeros and gets no frame; a write gives it one, as a write
 * fault would.
 */
static int axas_alloc_rw(struct axas_rw *rw, struct axas_area_node *a,
			 size_t len)
{
	struct axas_npt_leaf leaf;
	int ret;

	if (axas_npt_query(&rw->as->npt, rw->gpa, &leaf)) {
		if (!rw->write) {
			memset(rw->bounce, 0, len);
			return 0;
		}
		ret = axas_rw_fault(rw, a);
		if (ret)
			return ret;
		if (axas_npt_query(&rw->as->npt, rw->gpa, &leaf))
			return -EIO;
	}
	/* Alloc frames come from the page allocator: always RAM. */
	axas_rw_frame(rw, leaf.hpa + (rw->gpa - leaf.gpa), len, a->flags);
	return 0;
}

const struct axas_backend_ops axas_alloc_ops = {
	.id		= AXAS_BACKEND_ALLOC,
	.map		= axas_alloc_map,
	.fault		= axas_alloc_fault,
	.rw		= axas_alloc_rw,
	.edit_begin	= axas_alloc_edit_begin,
	.edit_end	= axas_alloc_edit_end,
	.release	= axas_alloc_release,
};
