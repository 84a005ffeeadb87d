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
	struct axas_frames frames;
	u64 done = 0, step;
	int ret = 0;

	lockdep_assert_held_write(&as->lock);
	axas_frames_init(&frames);
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
				   flags & AXAS_PROT_MASK);
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
	/* Part of a chunk: its frames go one by one once it is split. */
	if (axas_leaf_is_chunk(leaf) && !WARN_ON_ONCE(frames->nr_cut >= 2))
		frames->cut[frames->nr_cut++] =
			pfn_to_page(PHYS_PFN(ALIGN_DOWN(leaf->hpa, AXAS_CHUNK_SIZE)));
	for (i = 0; i < AXAS_FRAMES(leaf->size); i++)
		list_add_tail(&page[i].lru, &frames->pages);
	return 0;
}

/**
 * axas_alloc_collect() - chain the frames mapped in a range
 * @as: the space, lock held for writing
 * @gpa: first gpa, inside an alloc area
 * @size: bytes, inside the same area
 * @frames: where to chain them (through page->lru)
 *
 * The frames stay mapped: unmap the range, then axas_alloc_release(). If
 * the unmap fails, drop @frames as it is; the frames stay in use.
 */
void axas_alloc_collect(struct axas *as, u64 gpa, u64 size,
			struct axas_frames *frames)
{
	lockdep_assert_held_write(&as->lock);
	axas_npt_walk_leaves(&as->npt, gpa, size, axas_collect_leaf, frames);
}

/**
 * axas_alloc_split_chunks() - split chunks whose 2 MiB leaf was cut
 * @cut: first frames of the chunks
 * @nr: number of entries in @cut
 *
 * Call once the unmap or protect that cut the leaves succeeded: the 4 KiB
 * leaves it left map frames that must be freeable one by one.
 */
void axas_alloc_split_chunks(struct page **cut, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (i == 0 || cut[i] != cut[0])
			split_page(cut[i], AXAS_CHUNK_ORDER);
}

/**
 * axas_alloc_release() - free collected frames after their unmap
 * @as: the space
 * @frames: what axas_alloc_collect() chained
 */
void axas_alloc_release(struct axas *as, struct axas_frames *frames)
{
	struct page *page, *next;
	long n = 0;

	axas_alloc_split_chunks(frames->cut, frames->nr_cut);
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

/*
 * The chunk whose 2 MiB leaf holds @gpa but does not start there, if the
 * alloc area at @gpa has one.
 */
static struct page *axas_alloc_cut_at(struct axas *as, u64 gpa)
{
	struct axas_area_node *a = axas_area_find(as, gpa);
	struct axas_npt_leaf leaf;

	if (!a || a->backend != AXAS_BACKEND_ALLOC ||
	    axas_npt_query(&as->npt, gpa, &leaf) ||
	    !axas_leaf_is_chunk(&leaf) || leaf.gpa == gpa)
		return NULL;
	return pfn_to_page(PHYS_PFN(leaf.hpa));
}

/**
 * axas_alloc_edge_chunks() - chunks that a protect of a range would cut
 * @as: the space, lock held for writing
 * @gpa: first gpa of the range
 * @size: bytes
 * @cut: out: up to two chunks, for axas_alloc_split_chunks() once the
 *	protect succeeded
 *
 * Return: the number of chunks in @cut.
 */
int axas_alloc_edge_chunks(struct axas *as, u64 gpa, u64 size,
			   struct page **cut)
{
	int nr = 0;

	lockdep_assert_held_write(&as->lock);
	cut[nr] = axas_alloc_cut_at(as, gpa);
	nr += !!cut[nr];
	cut[nr] = axas_alloc_cut_at(as, gpa + size);
	nr += !!cut[nr];
	return nr;
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

/**
 * axas_alloc_free_all() - free every frame of an alloc area that goes away
 * @as: the space, lock held for writing, about to be destroyed
 * @gpa: first gpa of the area
 * @size: its size
 *
 * Teardown only: the frames are freed while the table still maps them,
 * with no unmap and no flush; nothing may use the table afterwards but
 * axas_npt_destroy().
 */
void axas_alloc_free_all(struct axas *as, u64 gpa, u64 size)
{
	lockdep_assert_held_write(&as->lock);
	axas_npt_walk_leaves(&as->npt, gpa, size, axas_free_leaf, as);
}
