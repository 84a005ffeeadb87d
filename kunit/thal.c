// SPDX-License-Identifier: GPL-2.0
/*
 * The counting HAL of every suite (thal.h): it stands in for the page
 * allocator, as the seed's mock does, and fails the n-th allocation.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pfn.h>

#include "kunit/thal.h"

/* Whether this allocation call is the one to fail. */
static bool thal_failing(struct thal *t)
{
	if (atomic_inc_return(&t->calls) != atomic_read(&t->fail_nth))
		return false;
	atomic_inc(&t->failed);
	return true;
}

static void *thal_alloc_table(void *priv, unsigned int order)
{
	struct thal *t = priv;
	struct page *page;

	if (thal_failing(t))
		return NULL;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!page)
		return NULL;
	if (!IS_ALIGNED(PFN_PHYS(page_to_pfn(page)), PAGE_SIZE << order))
		atomic_inc(&t->misaligned);
	atomic_long_add(1L << order, &t->allocs);
	return page_address(page);
}

static void thal_free_table(void *priv, void *table, unsigned int order)
{
	struct thal *t = priv;

	atomic_long_add(1L << order, &t->frees);
	free_pages((unsigned long)table, order);
}

static phys_addr_t thal_virt_to_phys(void *priv, void *table)
{
	struct thal *t = priv;

	return t->pa_fixed ?: virt_to_phys(table) + t->pa_offset;
}

static void *thal_phys_to_virt(void *priv, phys_addr_t pa)
{
	return phys_to_virt(pa);
}

const struct axas_npt_hal_ops thal_tables = {
	.alloc_table	= thal_alloc_table,
	.free_table	= thal_free_table,
	.virt_to_phys	= thal_virt_to_phys,
	.phys_to_virt	= thal_phys_to_virt,
};

static struct page *thal_alloc_frames(void *priv, unsigned int order)
{
	struct thal *t = priv;
	struct page *page;

	if (thal_failing(t))
		return NULL;
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO | (order ? __GFP_NOWARN : 0),
			   order);
	if (!page)
		return NULL;
	atomic_long_add(1L << order, &t->frame_allocs);
	return page;
}

static void thal_free_frames(void *priv, struct page *page, unsigned int order)
{
	struct thal *t = priv;

	atomic_long_add(1L << order, &t->frame_frees);
	__free_pages(page, order);
}

/* A zeroed @t becomes a HAL that counts and fails nothing. */
void thal_init(struct thal *t)
{
	t->hal = (struct axas_hal) {
		.tables		= &thal_tables,
		.alloc_frames	= thal_alloc_frames,
		.free_frames	= thal_free_frames,
		.priv		= t,
	};
}

/* A new HAL, freed when the test ends. */
struct thal *thal_new(struct kunit *test)
{
	struct thal *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	thal_init(t);
	return t;
}

/* Fail the @nth allocation from now on (0: none). */
void thal_fail(struct thal *t, int nth)
{
	atomic_set(&t->calls, 0);
	atomic_set(&t->fail_nth, nth);
}
