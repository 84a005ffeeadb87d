// SPDX-License-Identifier: GPL-2.0
/*
 * What a space reports about itself: counters, areas, table pages and the
 * hardware root values.
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "space.h"

/**
 * axas_get_info() - counters and geometry of a space
 * @as: the space
 * @info: out: every field of struct axas_info, host addresses included
 */
void axas_get_info(struct axas *as, struct axas_info *info)
{
	const struct axas_npt_fmt *fmt = axas_npt_format(&as->npt);

	memset(info, 0, sizeof(*info));
	down_read(&as->lock);
	info->base = as->base;
	info->size = as->size;
	info->format = fmt->id;
	info->levels = fmt->levels;
	info->gpa_bits = fmt->gpa_bits;
	info->flags = as->flags;
	info->root_hpa = axas_npt_root_hpa(&as->npt);
	info->hw_root = axas_npt_hw_root(&as->npt);
	info->hw_ctl = axas_npt_hw_ctl(&as->npt);
	info->nr_areas = as->nr_areas;
	info->mapped_bytes = axas_npt_mapped_bytes(&as->npt);
	info->table_pages = axas_npt_table_pages(&as->npt);
	info->alloc_pages = atomic64_read(&as->alloc_pages);
	info->faults_handled = atomic64_read(&as->faults_handled);
	up_read(&as->lock);
}
EXPORT_SYMBOL_NS_GPL(axas_get_info, AXADDRSPACE_NS);

/**
 * axas_seq_info() - a space's counters as "name:\tvalue" lines
 * @m: where to print: fdinfo of the space fd, or its debugfs info file
 * @as: the space
 * @show_hpa: include the host addresses (root_hpa, hw_root)
 *
 * One axas_get_info() snapshot, so that the lines agree with each other.
 */
void axas_seq_info(struct seq_file *m, struct axas *as, bool show_hpa)
{
	struct axas_info info;

	axas_get_info(as, &info);
	seq_printf(m, "axas-id:\t%llu\n", as->id);
	seq_printf(m, "format:\t%u\n", info.format);
	seq_printf(m, "base:\t%#llx\n", info.base);
	seq_printf(m, "size:\t%#llx\n", info.size);
	seq_printf(m, "areas:\t%llu\n", info.nr_areas);
	seq_printf(m, "mapped_bytes:\t%llu\n", info.mapped_bytes);
	seq_printf(m, "table_pages:\t%llu\n", info.table_pages);
	seq_printf(m, "alloc_pages:\t%llu\n", info.alloc_pages);
	seq_printf(m, "faults_handled:\t%llu\n", info.faults_handled);
	if (!show_hpa)
		return;
	seq_printf(m, "root_hpa:\t%#llx\n", info.root_hpa);
	seq_printf(m, "hw_root:\t%#llx\n", info.hw_root);
}

static void axas_area_out(const struct axas_area_node *a, struct axas_area *out)
{
	*out = (struct axas_area) {
		.gpa = a->start,
		.size = axas_area_size(a),
		.hpa = a->ops == &axas_linear_ops ? a->pos : 0,
		.flags = axas_area_uflags(a),
		.backend = a->ops->id,
	};
}

/**
 * axas_get_areas() - list the areas of a space
 * @as: the space
 * @areas: out: the first @capacity areas, sorted by gpa
 * @capacity: entries at @areas
 * @count: out: the number of areas, which may exceed @capacity
 *
 * Host addresses of linear areas are included.
 *
 * Return: 0.
 */
int axas_get_areas(struct axas *as, struct axas_area *areas, u32 capacity,
		   u32 *count)
{
	struct axas_area_node *a;
	u32 n = 0;

	down_read(&as->lock);
	for (a = axas_area_first(as, 0, U64_MAX); a;
	     a = axas_area_next(as, a, U64_MAX))
		if (n < capacity)
			axas_area_out(a, &areas[n++]);
	*count = as->nr_areas;
	up_read(&as->lock);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(axas_get_areas, AXADDRSPACE_NS);

/**
 * axas_get_areas_chunk() - a piece of a listing of the areas
 * @as: the space
 * @chunk: in: @chunk->next, the first gpa to list from; out: up to
 *	@chunk->capacity areas from there in @chunk->buf, @chunk->n of them,
 *	the total count, the generation of the area set, and the next gpa
 *
 * Pieces with the same generation come from one state of the space: a
 * listing in pieces restarts when the generation moves.
 */
void axas_get_areas_chunk(struct axas *as, struct axas_areas_chunk *chunk)
{
	struct axas_area_node *a;

	chunk->n = 0;
	down_read(&as->lock);
	/* Stable: writers make it odd and back only under the write lock. */
	chunk->gen = raw_read_seqcount(&as->seq);
	chunk->total = as->nr_areas;
	chunk->done = true;
	for (a = axas_area_first(as, chunk->next, U64_MAX); a;
	     a = axas_area_next(as, a, U64_MAX)) {
		if (chunk->n == chunk->capacity) {
			chunk->done = false;
			break;
		}
		axas_area_out(a, &chunk->buf[chunk->n++]);
		chunk->next = a->last + 1;
	}
	up_read(&as->lock);
}

struct axas_dump_ctx {
	int (*fn)(void *arg, const struct axas_table_page *page);
	void *arg;
	struct axas_table_page *page;
};

static int axas_dump_one(void *arg, phys_addr_t pa, unsigned int level,
			 unsigned int index, const u64 *entries)
{
	struct axas_dump_ctx *ctx = arg;

	ctx->page->hpa = pa;
	ctx->page->level = level;
	ctx->page->index = index;
	memcpy(ctx->page->entries, entries, sizeof(ctx->page->entries));
	return ctx->fn(ctx->arg, ctx->page);
}

/**
 * axas_dump_tables() - call a function for every table page
 * @as: the space
 * @fn: called with each 4 KiB table page, root pages first in index order;
 *	a non-zero return stops the dump
 * @arg: passed to @fn
 *
 * The pages form one consistent snapshot: faults and guest memory writes
 * wait while the dump runs. @fn must not call into the space.
 *
 * Return: the number of table pages, what @fn returned if negative, or
 * -ENOMEM.
 */
long axas_dump_tables(struct axas *as,
		      int (*fn)(void *arg, const struct axas_table_page *page),
		      void *arg)
{
	struct axas_dump_ctx ctx = { .fn = fn, .arg = arg };
	long ret;

	ctx.page = kmalloc(sizeof(*ctx.page), GFP_KERNEL);
	if (!ctx.page)
		return -ENOMEM;
	/*
	 * Exclusive, although nothing changes: faults install tables under
	 * the read lock, and a dump that ran beside them could copy a table
	 * before a new child was linked in and then list the child, a
	 * snapshot no table ever was. (Lockless translate never sees this
	 * lock and needs no @seq change.)
	 */
	down_write(&as->lock);
	ret = axas_npt_dump(&as->npt, axas_dump_one, &ctx);
	up_write(&as->lock);
	kfree(ctx.page);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(axas_dump_tables, AXADDRSPACE_NS);

/**
 * axas_root_hpa() - host physical address of the root table
 * @as: the space
 *
 * Return: the address; the root never moves during the space's life.
 */
u64 axas_root_hpa(struct axas *as)
{
	return axas_npt_root_hpa(&as->npt);
}
EXPORT_SYMBOL_NS_GPL(axas_root_hpa, AXADDRSPACE_NS);

/**
 * axas_hw_root() - the value to load into the hardware root register
 * @as: the space
 * @hw_ctl: out, optional: VTCR_EL2 fields for the Arm formats, else 0
 *
 * Return: EPTP, VTTBR_EL2 (VMID 0) or hgatp (VMID 0), see formats.rst.
 */
u64 axas_hw_root(struct axas *as, u64 *hw_ctl)
{
	if (hw_ctl)
		*hw_ctl = axas_npt_hw_ctl(&as->npt);
	return axas_npt_hw_root(&as->npt);
}
EXPORT_SYMBOL_NS_GPL(axas_hw_root, AXADDRSPACE_NS);
