// SPDX-License-Identifier: GPL-2.0
/*
 * Table pages: allocation through the HAL, the live-entry count in
 * page->private, RCU-deferred freeing, and the page cache a modifying call
 * fills before it changes anything.
 */
#include <kunit/visibility.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>

#include "npt/npt_priv.h"

static void *npt_default_alloc(void *priv, unsigned int order)
{
	struct page *page;

	/* A table page is a host page, and page->private its live count. */
	BUILD_BUG_ON(PAGE_SIZE != AXAS_NPT_PAGE_SIZE);
	page = alloc_pages(AXAS_NPT_TABLE_GFP, order);
	return page ? page_address(page) : NULL;
}

static void npt_default_free(void *priv, void *table, unsigned int order)
{
	free_pages((unsigned long)table, order);
}

phys_addr_t npt_default_virt_to_phys(void *priv, void *table)
{
	return virt_to_phys(table);
}

void *npt_default_phys_to_virt(void *priv, phys_addr_t pa)
{
	return phys_to_virt(pa);
}

const struct axas_npt_hal_ops axas_npt_default_hal = {
	.alloc_table	= npt_default_alloc,
	.free_table	= npt_default_free,
	.virt_to_phys	= npt_default_virt_to_phys,
	.phys_to_virt	= npt_default_phys_to_virt,
};
EXPORT_SYMBOL_IF_KUNIT(axas_npt_default_hal);

/*
 * Zeroed pages from the HAL, live counts reset, not yet counted. A page
 * above the format's output address width could not be linked (its entry
 * would hold a truncated address): it goes back, and the caller fails as
 * if memory had run out.
 */
u64 *npt_table_alloc(struct axas_npt *npt, unsigned int order)
{
	u64 *table = npt->cfg.hal->alloc_table(npt->cfg.hal_priv, order);
	unsigned int i;

	if (!table)
		return NULL;
	if ((npt_pa(npt, table) + (AXAS_NPT_PAGE_SIZE << order) - 1) >>
	    npt->cfg.fmt->pa_bits) {
		npt->cfg.hal->free_table(npt->cfg.hal_priv, table, order);
		return NULL;
	}
	for (i = 0; i < BIT(order); i++)
		atomic_long_set(npt_live(table + i * AXAS_NPT_ENTRIES), 0);
	return table;
}

void npt_table_free(struct axas_npt *npt, u64 *table, unsigned int order)
{
	unsigned int i;

	for (i = 0; i < BIT(order); i++)
		set_page_private(npt_table_page(table + i * AXAS_NPT_ENTRIES), 0);
	npt->cfg.hal->free_table(npt->cfg.hal_priv, table, order);
}

/* Free pages (linked through page->lru) that no walker can reach. */
void npt_free_list(struct axas_npt *npt, struct list_head *list)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru) {
		list_del(&page->lru);
		npt_table_free(npt, page_address(page), 0);
	}
}

/*
 * Drop a reference on the table's memory: each page queued for RCU holds
 * one, the table itself (until axas_npt_destroy()) another. The last one
 * hands the memory back to the owner. Callable from the RCU callback.
 */
void npt_rcu_put(struct axas_npt *npt)
{
	if (atomic_long_dec_and_test(&npt->rcu_pending) && npt->cfg.release)
		npt->cfg.release(npt);
}

static void npt_table_free_rcu_cb(struct rcu_head *head)
{
	struct page *page = container_of(head, struct page, rcu_head);
	struct axas_npt *npt = (struct axas_npt *)page_private(page);

	npt_table_free(npt, page_address(page), 0);
	npt_rcu_put(npt);
}

/*
 * Free unlinked pages once lockless walkers (axas_npt_query()) are done
 * with them. page->rcu_head overlays page->lru, and the live count in
 * page->private is dead: it carries the table to the callback instead.
 * The owner's flush has run already, so no hardware walker holds them.
 */
void npt_free_list_rcu(struct axas_npt *npt, struct list_head *list)
{
	struct page *page, *next;

	list_for_each_entry_safe(page, next, list, lru) {
		atomic_long_inc(&npt->rcu_pending);
		set_page_private(page, (unsigned long)npt);
		call_rcu(&page->rcu_head, npt_table_free_rcu_cb);
	}
	INIT_LIST_HEAD(list);
}

/*
 * Put a table unlinked from its parent and everything below it on @list
 * and uncount them. Return the bytes its leaves mapped: a level 0 table
 * holds as many 4 KiB leaves as it has live entries.
 */
u64 npt_collect(struct axas_npt *npt, u64 *table, unsigned int level,
		struct list_head *list)
{
	const struct axas_npt_fmt *fmt = npt->cfg.fmt;
	u64 bytes = 0, pte;
	unsigned int i;

	list_add_tail(&npt_table_page(table)->lru, list);
	atomic_long_dec(&npt->table_pages);
	if (!level)
		return atomic_long_read(npt_live(table)) * AXAS_NPT_PAGE_SIZE;
	for (i = 0; i < AXAS_NPT_ENTRIES; i++) {
		pte = READ_ONCE(table[i]);
		if (axas_npt_pte_is_table(fmt, pte, level))
			bytes += npt_collect(npt, npt_pte_table(npt, pte),
					     level - 1, list);
		else if (pte)
			bytes += AXAS_NPT_LEVEL_SIZE(level);
	}
	if (level == 1)
		cond_resched();
	return bytes;
}

/*
 * Take every page a call may need before it changes anything, so running
 * out of memory (or a fatal signal) leaves the table as it was.
 */
int npt_cache_fill(struct axas_npt *npt, struct npt_cache *cache,
		   unsigned long nr)
{
	u64 *table;

	while (cache->nr < nr) {
		if (fatal_signal_pending(current)) {
			npt_cache_drain(npt, cache);
			return -EINTR;
		}
		table = npt_table_alloc(npt, 0);
		if (!table) {
			npt_cache_drain(npt, cache);
			return -ENOMEM;
		}
		list_add(&npt_table_page(table)->lru, &cache->pages);
		cache->nr++;
		cond_resched();
	}
	return 0;
}

/* A page from the cache, counted as a table page from now on. */
u64 *npt_cache_pop(struct axas_npt *npt, struct npt_cache *cache)
{
	struct page *page;

	page = list_first_entry_or_null(&cache->pages, struct page, lru);
	if (!page)
		return NULL;
	list_del(&page->lru);
	cache->nr--;
	atomic_long_inc(&npt->table_pages);
	return page_address(page);
}

void npt_cache_drain(struct axas_npt *npt, struct npt_cache *cache)
{
	npt_free_list(npt, &cache->pages);
	cache->nr = 0;
}
