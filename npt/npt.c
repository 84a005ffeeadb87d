// SPDX-License-Identifier: GPL-2.0
/*
 * One nested page table: create and destroy, the lockless query, the fault
 * path's single-page install, and the read-only walks (leaves, dump).
 */
#include <kunit/visibility.h>
#include <linux/module.h>
#include <linux/rcupdate.h>

#include "npt/npt_priv.h"

int axas_npt_init(struct axas_npt *npt, const struct axas_npt_cfg *cfg)
{
	const struct axas_npt_fmt *fmt = cfg->fmt;

	if (!fmt)
		return -EINVAL;
	*npt = (struct axas_npt) { .cfg = *cfg };
	if (!npt->cfg.hal)
		npt->cfg.hal = &axas_npt_default_hal;
	atomic_long_set(&npt->rcu_pending, 1);
	npt->root = npt_table_alloc(npt, fmt->root_xbits);
	if (!npt->root)
		return -ENOMEM;
	npt->root_pa = npt_pa(npt, npt->root);
	if (WARN_ON_ONCE(!IS_ALIGNED(npt->root_pa, AXAS_NPT_PAGE_SIZE <<
				     fmt->root_xbits))) {
		npt_table_free(npt, npt->root, fmt->root_xbits);
		return -EINVAL;
	}
	atomic_long_set(&npt->table_pages, axas_npt_root_pages(fmt));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_init);

void axas_npt_destroy(struct axas_npt *npt)
{
	const struct axas_npt_fmt *fmt = npt->cfg.fmt;
	unsigned int level = axas_npt_root_level(fmt);
	unsigned int i, nr = AXAS_NPT_ENTRIES << fmt->root_xbits;
	LIST_HEAD(list);
	u64 pte;

	for (i = 0; i < nr; i++) {
		pte = npt->root[i];
		if (!axas_npt_pte_is_table(fmt, pte, level))
			continue;
		npt_collect(npt, npt_pte_table(npt, pte), level - 1, &list);
		npt_free_list(npt, &list);
		cond_resched();
	}
	npt_table_free(npt, npt->root, fmt->root_xbits);
	npt->root = NULL;
	atomic_long_set(&npt->table_pages, 0);
	atomic64_set(&npt->mapped_bytes, 0);
	/*
	 * RCU callbacks still to run use npt->cfg.hal. An owner with a release
	 * callback frees the memory when the last of them is done; no global
	 * barrier on the way: a process closing many spaces does not wait a
	 * grace period for each.
	 */
	if (npt->cfg.release)
		npt_rcu_put(npt);
	else if (!atomic_long_dec_and_test(&npt->rcu_pending))
		rcu_barrier();
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_destroy);

void npt_leaf_decode(const struct axas_npt_fmt *fmt, u64 pte,
		     unsigned int level, u64 gpa, struct axas_npt_leaf *leaf)
{
	leaf->gpa = gpa;
	leaf->hpa = axas_npt_pte_to_pa(fmt, pte);
	leaf->size = AXAS_NPT_LEVEL_SIZE(level);
	leaf->flags = fmt->leaf_flags(pte);
	leaf->level = level;
}

int axas_npt_query(struct axas_npt *npt, u64 gpa, struct axas_npt_leaf *leaf)
{
	unsigned int level;
	u64 pte;

	if (gpa >> npt->cfg.fmt->gpa_bits)
		return -EINVAL;
	rcu_read_lock();
	npt_descend(npt, gpa, &level, &pte);
	rcu_read_unlock();
	if (!pte)
		return -ENOENT;
	npt_leaf_decode(npt->cfg.fmt, pte, level,
			ALIGN_DOWN(gpa, AXAS_NPT_LEVEL_SIZE(level)), leaf);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_query);

/* Tables map_page() builds below an empty entry; tables[i] is at level i. */
struct npt_chain {
	u64 *tables[AXAS_NPT_MAX_LEVELS - 1];
	unsigned int nr;
};

/*
 * Fill tables for levels @level - 1 .. 0 on the path of @gpa, each pointing
 * to the next and the last holding the leaf *@pte; return in *@pte the
 * entry that links them all in one store.
 */
static int npt_chain_build(struct axas_npt *npt, struct npt_chain *chain,
			   u64 gpa, unsigned int level, u64 *pte)
{
	const struct axas_npt_fmt *fmt = npt->cfg.fmt;
	unsigned int i;
	u64 *table;

	while (chain->nr < level) {
		table = npt_table_alloc(npt, 0);
		if (!table)
			return -ENOMEM;
		chain->tables[chain->nr++] = table;
	}
	for (i = 0; i < level; i++) {
		table = chain->tables[i];
		table[axas_npt_index(fmt, gpa, i)] = *pte;
		atomic_long_set(npt_live(table), 1);
		*pte = axas_npt_mk_table(fmt, npt_pa(npt, table));
	}
	return 0;
}

/* Lost the race: empty the chain's tables again for the next attempt. */
static void npt_chain_reset(struct axas_npt *npt, struct npt_chain *chain,
			    u64 gpa, unsigned int level)
{
	unsigned int i;

	for (i = 0; i < level; i++) {
		chain->tables[i][axas_npt_index(npt->cfg.fmt, gpa, i)] = 0;
		atomic_long_set(npt_live(chain->tables[i]), 0);
	}
}

static void npt_chain_free(struct axas_npt *npt, struct npt_chain *chain,
			   unsigned int used)
{
	while (chain->nr > used)
		npt_table_free(npt, chain->tables[--chain->nr], 0);
}

/*
 * Where the install starts: the entry axas_npt_probe() found, if it is still
 * empty (the table holding it stays linked while the caller holds the lock),
 * else a descent from the root.
 */
static u64 *npt_install_start(struct axas_npt *npt, u64 gpa,
			      const struct axas_npt_slot *slot,
			      unsigned int *level, u64 *old)
{
	if (slot) {
		*level = slot->level;
		*old = READ_ONCE(*slot->ptep);
		if (!*old)
			return slot->ptep;
	}
	return npt_descend(npt, gpa, level, old);
}

/**
 * npt_install_page() - install one 4 KiB leaf, building missing tables
 * @npt: the table
 * @gpa: its address, checked
 * @leaf: the leaf entry
 * @slot: the empty entry axas_npt_probe() found for @gpa, or NULL
 *
 * Safe against concurrent installs: the missing tables are built as a
 * chain and linked with one compare-and-exchange. Allocates before it
 * changes anything.
 *
 * Return: 0, -EEXIST or -ENOMEM.
 */
int npt_install_page(struct axas_npt *npt, u64 gpa, u64 leaf,
		     const struct axas_npt_slot *slot)
{
	struct npt_chain chain = { .nr = 0 };
	unsigned int level, used = 0;
	u64 *ptep, old, pte;
	int ret;

	for (;; slot = NULL) {
		ptep = npt_install_start(npt, gpa, slot, &level, &old);
		if (old) {
			ret = -EEXIST;
			break;
		}
		pte = leaf;
		ret = npt_chain_build(npt, &chain, gpa, level, &pte);
		if (ret)
			break;
		if (try_cmpxchg64(ptep, &old, pte)) {
			npt_get(ptep);
			used = level;
			if (used)
				atomic_long_add(used, &npt->table_pages);
			atomic64_add(AXAS_NPT_PAGE_SIZE, &npt->mapped_bytes);
			break;
		}
		npt_chain_reset(npt, &chain, gpa, level);
	}
	npt_chain_free(npt, &chain, used);
	return ret;
}

int axas_npt_map_page(struct axas_npt *npt, u64 gpa, u64 hpa, u32 flags)
{
	return axas_npt_map_page_at(npt, NULL, gpa, hpa, flags);
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_map_page);

int axas_npt_probe(struct axas_npt *npt, u64 gpa, struct axas_npt_slot *slot)
{
	u64 pte;

	npt_assert_held(npt);
	if (gpa >> npt->cfg.fmt->gpa_bits || !IS_ALIGNED(gpa, AXAS_NPT_PAGE_SIZE))
		return -EINVAL;
	slot->ptep = npt_descend(npt, gpa, &slot->level, &pte);
	return pte ? -EEXIST : 0;
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_probe);

int axas_npt_map_page_at(struct axas_npt *npt, const struct axas_npt_slot *slot,
			 u64 gpa, u64 hpa, u32 flags)
{
	int ret;

	npt_assert_held(npt);
	ret = npt_check_map(npt, gpa, hpa, AXAS_NPT_PAGE_SIZE, flags);
	if (ret)
		return ret;
	return npt_install_page(npt, gpa,
				axas_npt_mk_leaf(npt->cfg.fmt, hpa, 0, flags), slot);
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_map_page_at);

struct npt_leaves {
	int (*fn)(void *arg, const struct axas_npt_leaf *leaf);
	void *arg;
};

static int npt_leaves_cb(struct npt_ctx *ctx, enum npt_visit visit)
{
	struct npt_leaves *leaves = ctx->arg;
	struct axas_npt_leaf leaf;
	u64 end;

	if (!ctx->old)
		return 0;
	npt_leaf_decode(ctx->npt->cfg.fmt, ctx->old, ctx->level, ctx->base, &leaf);
	end = min(ctx->end, leaf.gpa + leaf.size);
	leaf.hpa += ctx->addr - ctx->base;
	leaf.gpa = ctx->addr;
	leaf.size = end - ctx->addr;
	return leaves->fn(leaves->arg, &leaf);
}

int axas_npt_walk_leaves(struct axas_npt *npt, u64 gpa, u64 size,
			 int (*fn)(void *arg, const struct axas_npt_leaf *leaf),
			 void *arg)
{
	struct npt_leaves leaves = { .fn = fn, .arg = arg };
	struct npt_walker walker = {
		.cb	= npt_leaves_cb,
		.arg	= &leaves,
		.flags	= NPT_VISIT_LEAF,
	};
	int ret;

	npt_assert_held(npt);
	ret = npt_check_range(npt, gpa, size);
	return ret ?: npt_walk(npt, gpa, size, &walker);
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_walk_leaves);

struct npt_dump {
	int (*fn)(void *arg, phys_addr_t pa, unsigned int level,
		  unsigned int index, const u64 *entries);
	void *arg;
	long count;
};

static int npt_dump_cb(struct npt_ctx *ctx, enum npt_visit visit)
{
	struct npt_dump *dump = ctx->arg;
	int ret;

	ret = dump->fn(dump->arg, axas_npt_pte_to_pa(ctx->npt->cfg.fmt, ctx->old),
		       ctx->level - 1, 0, npt_pte_table(ctx->npt, ctx->old));
	dump->count++;
	return ret;
}

long axas_npt_dump(struct axas_npt *npt,
		   int (*fn)(void *arg, phys_addr_t pa, unsigned int level,
			     unsigned int index, const u64 *entries),
		   void *arg)
{
	const struct axas_npt_fmt *fmt = npt->cfg.fmt;
	struct npt_dump dump = { .fn = fn, .arg = arg };
	struct npt_walker walker = {
		.cb	= npt_dump_cb,
		.arg	= &dump,
		.flags	= NPT_VISIT_TABLE_PRE,
	};
	unsigned int i;
	int ret;

	npt_assert_held(npt);
	for (i = 0; i < axas_npt_root_pages(fmt); i++, dump.count++) {
		ret = fn(arg, npt->root_pa + i * AXAS_NPT_PAGE_SIZE,
			 axas_npt_root_level(fmt), i,
			 npt->root + i * AXAS_NPT_ENTRIES);
		if (ret)
			return ret;
	}
	ret = npt_walk(npt, 0, BIT_ULL(fmt->gpa_bits), &walker);
	return ret ?: dump.count;
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_dump);
