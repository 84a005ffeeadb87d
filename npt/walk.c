// SPDX-License-Identifier: GPL-2.0
/*
 * The one walker: a recursive descent over a range that hands each entry to
 * a visitor, and the break-before-make pair, the only code that changes a
 * present entry of a linked table.
 */
#include <linux/sched.h>

#include "npt/npt_priv.h"

struct npt_walk_data {
	struct axas_npt *npt;
	const struct npt_walker *walker;
	u64 addr;
	u64 end;
};

static int npt_walk_table(struct npt_walk_data *data, u64 *table,
			  unsigned int level, unsigned int nr, bool linked);

/*
 * A visitor built a new table under an entry: fill it while nothing can
 * see it, then let the visitor publish it with one store.
 */
static int npt_visit_child(struct npt_walk_data *data, struct npt_ctx *ctx)
{
	struct axas_npt *npt = data->npt;
	LIST_HEAD(list);
	int ret;

	ret = npt_walk_table(data, ctx->child, ctx->level - 1,
			     AXAS_NPT_ENTRIES, false);
	if (!ret)
		return data->walker->cb(ctx, NPT_VISIT_PUBLISH);
	if (ctx->child) {
		npt_collect(npt, ctx->child, ctx->level - 1, &list);
		npt_free_list(npt, &list);
	}
	return ret;
}

static int npt_visit(struct npt_walk_data *data, u64 *ptep,
		     unsigned int level, bool linked)
{
	const struct npt_walker *walker = data->walker;
	const struct axas_npt_fmt *fmt = data->npt->cfg.fmt;
	struct npt_ctx ctx = {
		.npt	= data->npt,
		.ptep	= ptep,
		.old	= ptep ? READ_ONCE(*ptep) : 0,
		.addr	= data->addr,
		.base	= ALIGN_DOWN(data->addr, AXAS_NPT_LEVEL_SIZE(level)),
		.end	= data->end,
		.level	= level,
		.linked	= linked,
		.arg	= walker->arg,
	};
	enum npt_visit visit;
	int ret;

	visit = axas_npt_pte_is_table(fmt, ctx.old, level) ?
		NPT_VISIT_TABLE_PRE : NPT_VISIT_LEAF;
	if (walker->flags & visit) {
		ret = walker->cb(&ctx, visit);
		if (ret)
			return ret;
		if (ctx.new_child)
			return npt_visit_child(data, &ctx);
		/* The visitor may have cleared or replaced the entry. */
		ctx.old = ptep ? READ_ONCE(*ptep) : 0;
	}
	if (!axas_npt_pte_is_table(fmt, ctx.old, level)) {
		data->addr = ctx.base + npt_ctx_size(&ctx);
		return 0;
	}
	ret = npt_walk_table(data, npt_pte_table(data->npt, ctx.old), level - 1,
			     AXAS_NPT_ENTRIES, linked);
	if (ret || !(walker->flags & NPT_VISIT_TABLE_POST))
		return ret;
	return walker->cb(&ctx, NPT_VISIT_TABLE_POST);
}

/* @table is NULL for a table that does not exist yet: all entries empty. */
static int npt_walk_table(struct npt_walk_data *data, u64 *table,
			  unsigned int level, unsigned int nr, bool linked)
{
	unsigned int idx = (data->addr >> AXAS_NPT_LEVEL_SHIFT(level)) & (nr - 1);
	int ret = 0;

	for (; idx < nr && data->addr < data->end; idx++) {
		ret = npt_visit(data, table ? table + idx : NULL, level, linked);
		if (ret)
			break;
	}
	if (!level)
		cond_resched();
	return ret;
}

/**
 * npt_walk() - visit the entries covering a range, depth first
 * @npt: the table
 * @addr: first address, 4 KiB aligned
 * @size: bytes, non-zero; @addr + @size within the format
 * @walker: the visitor
 *
 * Tables are entered after TABLE_PRE (if the entry is still a table then)
 * and followed by TABLE_POST. May sleep.
 *
 * Return: 0 or the first non-zero value of the visitor.
 */
int npt_walk(struct axas_npt *npt, u64 addr, u64 size,
	     const struct npt_walker *walker)
{
	struct npt_walk_data data = {
		.npt	= npt,
		.walker	= walker,
		.addr	= addr,
		.end	= addr + size,
	};

	return npt_walk_table(&data, npt->root, axas_npt_root_level(npt->cfg.fmt),
			      AXAS_NPT_ENTRIES << npt->cfg.fmt->root_xbits, true);
}

/**
 * npt_descend() - follow one address down to its leaf or hole
 * @npt: the table
 * @gpa: the address, within the format
 * @level: out: level of the table holding the returned entry
 * @pte: out: the entry's value: a leaf, or 0
 *
 * Lockless readers call this under rcu_read_lock().
 *
 * Return: the entry.
 */
u64 *npt_descend(struct axas_npt *npt, u64 gpa, unsigned int *level, u64 *pte)
{
	const struct axas_npt_fmt *fmt = npt->cfg.fmt;
	unsigned int lvl = axas_npt_root_level(fmt);
	u64 *ptep = npt->root + axas_npt_index(fmt, gpa, lvl);
	u64 val = READ_ONCE(*ptep);

	while (axas_npt_pte_is_table(fmt, val, lvl)) {
		lvl--;
		ptep = npt_pte_table(npt, val) + axas_npt_index(fmt, gpa, lvl);
		val = READ_ONCE(*ptep);
	}
	*level = lvl;
	*pte = val;
	return ptep;
}

void npt_flush(struct axas_npt *npt, u64 gpa, u64 size)
{
	if (npt->cfg.flush)
		npt->cfg.flush->flush_range(npt->cfg.flush_priv, gpa, size);
}

void npt_flush_add(struct npt_flush *batch, u64 gpa, u64 size)
{
	batch->start = min(batch->start, gpa);
	batch->end = max(batch->end, gpa + size);
}

void npt_flush_batch(struct axas_npt *npt, const struct npt_flush *batch)
{
	if (batch->start < batch->end)
		npt_flush(npt, batch->start, batch->end - batch->start);
}

/**
 * npt_break() - clear an entry: the "break" of break-before-make
 * @ctx: the entry
 * @batch: collect the flush here, to run before the call returns; NULL to
 *	flush now because the entry will be made again
 *
 * An unlinked entry needs no flush: no hardware can have seen it.
 */
void npt_break(struct npt_ctx *ctx, struct npt_flush *batch)
{
	WRITE_ONCE(*ctx->ptep, 0);
	if (!ctx->linked)
		return;
	if (batch)
		npt_flush_add(batch, ctx->base, npt_ctx_size(ctx));
	else
		npt_flush(ctx->npt, ctx->base, npt_ctx_size(ctx));
}

/**
 * npt_make() - write an entry: the "make" of break-before-make
 * @ctx: the entry, empty or only changing permissions
 * @pte: the new value
 *
 * A release store into a linked table publishes everything written before
 * it, such as a new table's entries, to lockless walkers and hardware.
 */
void npt_make(struct npt_ctx *ctx, u64 pte)
{
	if (ctx->linked)
		smp_store_release(ctx->ptep, pte);	/* pairs with READ_ONCE() walks */
	else
		WRITE_ONCE(*ctx->ptep, pte);
}

/* Break-before-make in full: clear, flush, write. */
void npt_replace(struct npt_ctx *ctx, u64 pte)
{
	npt_break(ctx, NULL);
	npt_make(ctx, pte);
}
