/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the nested page table engine: the walker, table pages, the
 * break-before-make pair and the argument checks. Nothing outside npt/
 * includes this; the format internals it builds on are in fmt.h.
 */
#ifndef _AXAS_NPT_PRIV_H
#define _AXAS_NPT_PRIV_H

#include <linux/indirect_call_wrapper.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mm.h>

#include "npt/fmt.h"

/* What a walker visits; a visitor's callback gets one at a time. */
enum npt_visit {
	NPT_VISIT_LEAF		= BIT(0),	/* an empty entry or a leaf */
	NPT_VISIT_TABLE_PRE	= BIT(1),	/* a table, before its entries */
	NPT_VISIT_TABLE_POST	= BIT(2),	/* a table, after its entries */
	NPT_VISIT_PUBLISH	= BIT(3),	/* @child is built: link it */
};

/**
 * struct npt_ctx - what a visitor sees of one entry
 * @npt: the table
 * @ptep: the entry; NULL inside a table that does not exist yet (a map
 *	counting the tables it needs)
 * @old: the entry's value when visited
 * @addr: the walk's current address, inside the entry's range
 * @base: first address the entry covers
 * @end: end of the walk
 * @level: level of the table holding the entry
 * @linked: the entry is reachable from the root (hardware may see it)
 * @arg: the walker's argument
 * @child: set by a LEAF visitor with @new_child: a new table, not yet
 *	linked, that the walker fills before calling PUBLISH; NULL for a
 *	table that is only counted
 * @new_child: descend into @child instead of @old
 */
struct npt_ctx {
	struct axas_npt *npt;
	u64 *ptep;
	u64 old;
	u64 addr;
	u64 base;
	u64 end;
	unsigned int level;
	bool linked;
	void *arg;
	u64 *child;
	bool new_child;
};

/**
 * struct npt_walker - a visitor
 * @cb: called for the visits in @flags (and PUBLISH for its own children);
 *	a non-zero return stops the walk
 * @arg: becomes &npt_ctx.arg
 * @flags: NPT_VISIT_* the visitor wants
 */
struct npt_walker {
	int (*cb)(struct npt_ctx *ctx, enum npt_visit visit);
	void *arg;
	unsigned int flags;
};

int npt_walk(struct axas_npt *npt, u64 addr, u64 size,
	     const struct npt_walker *walker);
u64 *npt_descend(struct axas_npt *npt, u64 gpa, unsigned int *level, u64 *pte);

/* A flush range being collected during one call. */
struct npt_flush {
	u64 start;
	u64 end;
};

#define NPT_FLUSH_INIT	{ .start = U64_MAX, .end = 0 }

void npt_flush(struct axas_npt *npt, u64 gpa, u64 size);
void npt_flush_add(struct npt_flush *batch, u64 gpa, u64 size);
void npt_flush_batch(struct axas_npt *npt, const struct npt_flush *batch);
void npt_break(struct npt_ctx *ctx, struct npt_flush *batch);
void npt_make(struct npt_ctx *ctx, u64 pte);
void npt_replace(struct npt_ctx *ctx, u64 pte);

static inline u64 npt_ctx_size(const struct npt_ctx *ctx)
{
	return AXAS_NPT_LEVEL_SIZE(ctx->level);
}

/* The walk's range covers the whole entry. */
static inline bool npt_ctx_covered(const struct npt_ctx *ctx)
{
	return ctx->addr == ctx->base && ctx->end - ctx->base >= npt_ctx_size(ctx);
}

/* Table pages (table.c). */
struct npt_cache {
	struct list_head pages;
	unsigned long nr;
};

#define NPT_CACHE_INIT(name)	{ .pages = LIST_HEAD_INIT((name).pages) }

u64 *npt_table_alloc(struct axas_npt *npt, unsigned int order);
void npt_table_free(struct axas_npt *npt, u64 *table, unsigned int order);
void npt_free_list(struct axas_npt *npt, struct list_head *list);
void npt_free_list_rcu(struct axas_npt *npt, struct list_head *list);
void npt_rcu_put(struct axas_npt *npt);
u64 npt_collect(struct axas_npt *npt, u64 *table, unsigned int level,
		struct list_head *list);
int npt_cache_fill(struct axas_npt *npt, struct npt_cache *cache,
		   unsigned long nr);
u64 *npt_cache_pop(struct axas_npt *npt, struct npt_cache *cache);
void npt_cache_drain(struct axas_npt *npt, struct npt_cache *cache);

static inline struct page *npt_table_page(const u64 *ptep)
{
	return virt_to_page(ptep);
}

/*
 * Live entries of the table page holding @ptep, kept in page->private:
 * atomic, since racing map_page() calls install into one table.
 */
static inline atomic_long_t *npt_live(const u64 *ptep)
{
	BUILD_BUG_ON(sizeof(atomic_long_t) != sizeof(unsigned long));
	return (atomic_long_t *)&npt_table_page(ptep)->private;
}

static inline void npt_get(const u64 *ptep)
{
	atomic_long_inc(npt_live(ptep));
}

static inline void npt_put(const u64 *ptep)
{
	atomic_long_dec(npt_live(ptep));
}

phys_addr_t npt_default_virt_to_phys(void *priv, void *table);
void *npt_default_phys_to_virt(void *priv, phys_addr_t pa);

/*
 * Every descent translates once a level: a direct call for the default HAL
 * (the module's own), not a retpoline.
 */
static inline phys_addr_t npt_pa(const struct axas_npt *npt, u64 *table)
{
	return INDIRECT_CALL_1(npt->cfg.hal->virt_to_phys, npt_default_virt_to_phys,
			       npt->cfg.hal_priv, table);
}

static inline u64 *npt_pte_table(const struct axas_npt *npt, u64 pte)
{
	return INDIRECT_CALL_1(npt->cfg.hal->phys_to_virt, npt_default_phys_to_virt,
			       npt->cfg.hal_priv, axas_npt_pte_to_pa(npt->cfg.fmt, pte));
}

/* The fault path's install (fault.c), also a one-page axas_npt_map(). */
int npt_install_page(struct axas_npt *npt, u64 gpa, u64 leaf,
		     const struct axas_npt_slot *slot);

/*
 * Argument checks of the calls, inline so that map.c, fault.c and npt.c
 * share them without calling each other. A range: 4 KiB aligned, not
 * empty, inside the format's input address bits.
 */
static inline int npt_check_range(const struct axas_npt *npt, u64 gpa,
				  u64 size)
{
	u64 limit = BIT_ULL(npt->cfg.fmt->gpa_bits);

	if (!size || !IS_ALIGNED(gpa | size, AXAS_NPT_PAGE_SIZE))
		return -EINVAL;
	if (gpa >= limit || size > limit - gpa)
		return -EINVAL;
	return 0;
}

/*
 * Flags every format can encode (some access, and no write-only page), and
 * that this one can express on this host.
 */
static inline int npt_check_flags(const struct axas_npt *npt, u32 flags)
{
	if ((flags & ~AXAS_PROT_MASK) || !(flags & AXAS_NPT_PERM))
		return -EINVAL;
	if ((flags & AXAS_WRITE) && !(flags & AXAS_READ))
		return -EINVAL;
	return axas_npt_flags_ok(npt, flags) ? 0 : -EINVAL;
}

/* A map's range, flags and host range (below the output address bits). */
static inline int npt_check_map(const struct axas_npt *npt, u64 gpa, u64 hpa,
				u64 size, u32 flags)
{
	u64 limit = BIT_ULL(npt->cfg.fmt->pa_bits);
	int ret;

	ret = npt_check_range(npt, gpa, size) ?: npt_check_flags(npt, flags);
	if (ret)
		return ret;
	if (!IS_ALIGNED(hpa, AXAS_NPT_PAGE_SIZE) || hpa >= limit ||
	    size > limit - hpa)
		return -EINVAL;
	return 0;
}

/* Locking contract, asserted when the owner gave its lock. */
static inline void npt_assert_writer(const struct axas_npt *npt)
{
	if (npt->cfg.lock_map)
		lockdep_assert(lock_is_held_type(npt->cfg.lock_map, 0));
}

static inline void npt_assert_held(const struct axas_npt *npt)
{
	if (npt->cfg.lock_map)
		lockdep_assert(lock_is_held(npt->cfg.lock_map));
}

#endif /* _AXAS_NPT_PRIV_H */
