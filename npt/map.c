// SPDX-License-Identifier: GPL-2.0
/*
 * Range operations, as visitors of the one walker: map, unmap and protect.
 * Each takes the table pages it may need before it changes anything, so a
 * failed allocation leaves the table as it was.
 */
#include <kunit/visibility.h>
#include <linux/module.h>

#include "npt/npt_priv.h"

/* The non-address bits of a leaf for @flags at every leaf level. */
static void npt_leaf_bits(const struct axas_npt_fmt *fmt, u32 flags,
			  u64 bits[AXAS_NPT_LEAF_LEVELS])
{
	unsigned int level;

	for (level = 0; level < AXAS_NPT_LEAF_LEVELS; level++)
		bits[level] = fmt->leaf_levels & BIT(level) ?
			      fmt->leaf_bits(level, flags) : 0;
}

struct npt_map {
	u64 gpa;
	u64 hpa;
	u64 bits[AXAS_NPT_LEAF_LEVELS];
	unsigned int leaf_levels;
	bool count;
	unsigned long need;
	struct npt_cache cache;
	u64 mapped;
};

static bool npt_map_fits(const struct npt_ctx *ctx, const struct npt_map *map)
{
	return (map->leaf_levels & BIT(ctx->level)) && npt_ctx_covered(ctx) &&
	       IS_ALIGNED(map->hpa - map->gpa, npt_ctx_size(ctx));
}

static void npt_map_leaf(struct npt_ctx *ctx, struct npt_map *map)
{
	phys_addr_t pa = map->hpa + (ctx->base - map->gpa);

	npt_make(ctx, map->bits[ctx->level] |
		      axas_npt_pa_to_pte(ctx->npt->cfg.fmt, pa));
	npt_get(ctx->ptep);
	map->mapped += npt_ctx_size(ctx);
}

/*
 * Runs twice over the range: counting (refusing any overlap, writing
 * nothing) and then mapping with exactly the pages counted. A missing
 * table is filled before it is linked; while counting it is NULL.
 */
static int npt_map_cb(struct npt_ctx *ctx, enum npt_visit visit)
{
	struct npt_map *map = ctx->arg;
	struct axas_npt *npt = ctx->npt;

	if (visit == NPT_VISIT_PUBLISH) {
		if (ctx->child) {
			npt_make(ctx, axas_npt_mk_table(npt->cfg.fmt,
							npt_pa(npt, ctx->child)));
			npt_get(ctx->ptep);
		}
		return 0;
	}
	if (ctx->old)
		return -EEXIST;
	if (npt_map_fits(ctx, map)) {
		if (!map->count)
			npt_map_leaf(ctx, map);
		return 0;
	}
	if (map->count) {
		map->need++;
		/* A new level 0 table holds leaves only: no more to count. */
		ctx->new_child = ctx->level > 1;
		return 0;
	}
	ctx->child = npt_cache_pop(npt, &map->cache);
	if (WARN_ON_ONCE(!ctx->child))
		return -ENOMEM;
	ctx->new_child = true;
	return 0;
}

int axas_npt_map(struct axas_npt *npt, u64 gpa, u64 hpa, u64 size, u32 flags,
		 unsigned int mflags)
{
	struct npt_map map = {
		.gpa	= gpa,
		.hpa	= hpa,
		.count	= true,
		.cache	= NPT_CACHE_INIT(map.cache),
	};
	struct npt_walker walker = {
		.cb	= npt_map_cb,
		.arg	= &map,
		.flags	= NPT_VISIT_LEAF,
	};
	int ret;

	npt_assert_writer(npt);
	ret = npt_check_map(npt, gpa, hpa, size, flags);
	if (ret)
		return ret;
	/* One page (a populate of small frames): one walk, no counting. */
	if (size == AXAS_NPT_PAGE_SIZE)
		return npt_install_page(npt, gpa, axas_npt_mk_leaf(npt->cfg.fmt,
							hpa, 0, flags), NULL);
	npt_leaf_bits(npt->cfg.fmt, flags, map.bits);
	map.leaf_levels = mflags & AXAS_NPT_HUGE ? npt->cfg.fmt->leaf_levels : BIT(0);
	ret = npt_walk(npt, gpa, size, &walker);
	if (!ret)
		ret = npt_cache_fill(npt, &map.cache, map.need);
	if (ret)
		return ret;
	map.count = false;
	ret = npt_walk(npt, gpa, size, &walker);
	WARN_ON_ONCE(ret || map.cache.nr);
	npt_cache_drain(npt, &map.cache);
	atomic64_add(map.mapped, &npt->mapped_bytes);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_map);

/*
 * Replace a leaf sticking out of the range by a table of the next smaller
 * leaves on the same frames and attributes. The walker then works inside
 * the new table before it is published.
 */
static int npt_split(struct npt_ctx *ctx, struct npt_cache *cache)
{
	const struct axas_npt_fmt *fmt = ctx->npt->cfg.fmt;
	unsigned int level = ctx->level - 1;
	u64 bits = fmt->leaf_bits(level, fmt->leaf_flags(ctx->old));
	phys_addr_t pa = axas_npt_pte_to_pa(fmt, ctx->old);
	u64 *child = npt_cache_pop(ctx->npt, cache);
	unsigned int i;

	if (WARN_ON_ONCE(!child))
		return -ENOMEM;
	for (i = 0; i < AXAS_NPT_ENTRIES; i++, pa += AXAS_NPT_LEVEL_SIZE(level))
		child[i] = bits | axas_npt_pa_to_pte(fmt, pa);
	atomic_long_set(npt_live(child), AXAS_NPT_ENTRIES);
	ctx->child = child;
	ctx->new_child = true;
	return 0;
}

static void npt_split_publish(struct npt_ctx *ctx)
{
	npt_replace(ctx, axas_npt_mk_table(ctx->npt->cfg.fmt,
					   npt_pa(ctx->npt, ctx->child)));
}

/* Level of the leaf holding @addr, or -1. */
static int npt_edge_level(struct axas_npt *npt, u64 addr)
{
	unsigned int level;
	u64 pte;

	if (addr >> npt->cfg.fmt->gpa_bits)
		return -1;
	npt_descend(npt, addr, &level, &pte);
	return pte ? level : -1;
}

/*
 * Splits happen only at the two edges of a range: a leaf holding an edge
 * that is not aligned to it becomes a table, down to the level the edge is
 * aligned to. Count one table per block split, once if both edges share it.
 */
static unsigned long npt_split_need(struct axas_npt *npt, u64 start, u64 end)
{
	int ls = npt_edge_level(npt, start), le = npt_edge_level(npt, end);
	unsigned long need = 0;
	int level;

	for (level = max(ls, le); level > 0; level--) {
		u64 mask = AXAS_NPT_LEVEL_SIZE(level) - 1;
		bool s = level <= ls && (start & mask);
		bool e = level <= le && (end & mask);

		need += s + e;
		if (s && e && (start & ~mask) == (end & ~mask))
			need--;
	}
	return need;
}

struct npt_unmap {
	struct npt_cache cache;
	struct npt_flush flush;
	struct list_head free;
	u64 unmapped;
};

/* Clear a leaf, or a table with all it holds, inside the range. */
static void npt_unmap_entry(struct npt_ctx *ctx, struct npt_unmap *unmap,
			    enum npt_visit visit)
{
	npt_break(ctx, &unmap->flush);
	npt_put(ctx->ptep);
	if (visit == NPT_VISIT_LEAF)
		unmap->unmapped += npt_ctx_size(ctx);
	else
		unmap->unmapped += npt_collect(ctx->npt,
					       npt_pte_table(ctx->npt, ctx->old),
					       ctx->level - 1, &unmap->free);
}

/* A table left empty goes too; the root has no parent entry and stays. */
static void npt_unmap_post(struct npt_ctx *ctx, struct npt_unmap *unmap)
{
	u64 *table = npt_pte_table(ctx->npt, ctx->old);

	if (atomic_long_read(npt_live(table)))
		return;
	npt_break(ctx, &unmap->flush);
	npt_put(ctx->ptep);
	npt_collect(ctx->npt, table, ctx->level - 1, &unmap->free);
}

static int npt_unmap_cb(struct npt_ctx *ctx, enum npt_visit visit)
{
	struct npt_unmap *unmap = ctx->arg;

	switch (visit) {
	case NPT_VISIT_PUBLISH:
		npt_split_publish(ctx);
		return 0;
	case NPT_VISIT_TABLE_POST:
		npt_unmap_post(ctx, unmap);
		return 0;
	default:
		break;
	}
	if (!ctx->old)
		return 0;
	if (npt_ctx_covered(ctx))
		npt_unmap_entry(ctx, unmap, visit);
	else if (visit == NPT_VISIT_LEAF)
		return npt_split(ctx, &unmap->cache);
	return 0;
}

int axas_npt_unmap(struct axas_npt *npt, u64 gpa, u64 size)
{
	struct npt_unmap unmap = {
		.cache	= NPT_CACHE_INIT(unmap.cache),
		.flush	= NPT_FLUSH_INIT,
		.free	= LIST_HEAD_INIT(unmap.free),
	};
	struct npt_walker walker = {
		.cb	= npt_unmap_cb,
		.arg	= &unmap,
		.flags	= NPT_VISIT_LEAF | NPT_VISIT_TABLE_PRE |
			  NPT_VISIT_TABLE_POST,
	};
	int ret;

	npt_assert_writer(npt);
	ret = npt_check_range(npt, gpa, size);
	if (!ret)
		ret = npt_cache_fill(npt, &unmap.cache,
				     npt_split_need(npt, gpa, gpa + size));
	if (ret)
		return ret;
	ret = npt_walk(npt, gpa, size, &walker);
	WARN_ON_ONCE(ret);
	npt_cache_drain(npt, &unmap.cache);
	npt_flush_batch(npt, &unmap.flush);
	npt_free_list_rcu(npt, &unmap.free);
	atomic64_sub(unmap.unmapped, &npt->mapped_bytes);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_unmap);

struct npt_protect {
	u64 bits[AXAS_NPT_LEAF_LEVELS];
	struct npt_cache cache;
	struct npt_flush flush;
};

static u64 npt_protect_pte(const struct npt_ctx *ctx,
			   const struct npt_protect *prot)
{
	return prot->bits[ctx->level] | (ctx->old & ctx->npt->cfg.fmt->pfn_mask);
}

/*
 * A new memory type needs break-before-make; new permissions alone are
 * written in place and flushed, whether taken away or granted: a TLB may
 * hold the old entry, and an upgrade left to a spurious fault would make
 * the owner retry twice.
 */
static void npt_protect_leaf(struct npt_ctx *ctx, struct npt_protect *prot,
			     u64 pte)
{
	const struct axas_npt_fmt *fmt = ctx->npt->cfg.fmt;

	if ((pte ^ ctx->old) & ~fmt->perm_mask) {
		npt_replace(ctx, pte);
		return;
	}
	npt_make(ctx, pte);
	if (ctx->linked)
		npt_flush_add(&prot->flush, ctx->base, npt_ctx_size(ctx));
}

static int npt_protect_cb(struct npt_ctx *ctx, enum npt_visit visit)
{
	struct npt_protect *prot = ctx->arg;
	u64 pte;

	if (visit == NPT_VISIT_PUBLISH) {
		npt_split_publish(ctx);
		return 0;
	}
	if (!ctx->old)
		return 0;
	/* Even to equal flags: no leaf crosses an edge of the range after. */
	if (!npt_ctx_covered(ctx))
		return npt_split(ctx, &prot->cache);
	pte = npt_protect_pte(ctx, prot);
	if (pte != ctx->old)
		npt_protect_leaf(ctx, prot, pte);
	return 0;
}

int axas_npt_protect(struct axas_npt *npt, u64 gpa, u64 size, u32 flags)
{
	struct npt_protect prot = {
		.cache	= NPT_CACHE_INIT(prot.cache),
		.flush	= NPT_FLUSH_INIT,
	};
	struct npt_walker walker = {
		.cb	= npt_protect_cb,
		.arg	= &prot,
		.flags	= NPT_VISIT_LEAF,
	};
	int ret;

	npt_assert_writer(npt);
	ret = npt_check_range(npt, gpa, size) ?: npt_check_flags(npt, flags);
	if (!ret)
		ret = npt_cache_fill(npt, &prot.cache,
				     npt_split_need(npt, gpa, gpa + size));
	if (ret)
		return ret;
	npt_leaf_bits(npt->cfg.fmt, flags, prot.bits);
	ret = npt_walk(npt, gpa, size, &walker);
	WARN_ON_ONCE(ret);
	npt_cache_drain(npt, &prot.cache);
	npt_flush_batch(npt, &prot.flush);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_protect);
