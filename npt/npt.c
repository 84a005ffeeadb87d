// SPDX-License-Identifier: GPL-2.0
/*
 * One nested page table: create and destroy, the lockless query and the
 * read-only walks (leaves, dump). The top of npt/: it calls down into the
 * walker, table pages and formats; nothing below calls up into it.
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

static void npt_leaf_decode(const struct axas_npt_fmt *fmt, u64 pte,
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
