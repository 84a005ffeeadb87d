// SPDX-License-Identifier: GPL-2.0
/*
 * The linear backend: an area that maps a fixed host physical range
 * (device BARs, reserved carve-outs) with the largest leaves alignment
 * allows. It owns no frames: unmap and protect only change the table.
 * Guest memory access maps the host range (memremap() or ioremap()) for
 * as long as one read or write runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/uio.h>

#include "space.h"

/* Host memory of linear areas is mapped this much at a time. */
#define AXAS_HOSTMAP_MAX	SZ_2M

static int axas_linear_map(struct axas *as, struct axas_area_node *a)
{
	return axas_npt_map(&as->npt, a->start, a->pos, axas_area_size(a),
			    a->flags, AXAS_NPT_HUGE);
}

/**
 * axas_rw_unmap_host() - drop the host mapping a read or write kept
 * @rw: the read or write, at its end
 */
void axas_rw_unmap_host(struct axas_rw *rw)
{
	if (!rw->map_len)
		return;
	if (rw->map_io)
		iounmap((void __iomem *)rw->map_va);
	else
		memunmap(rw->map_va);
	rw->map_len = 0;
}

/*
 * The kernel address of host address @pa of a linear area with @flags,
 * which needs @len bytes from there; one mapping serves a whole call.
 */
static void *axas_rw_map_host(struct axas_rw *rw, phys_addr_t pa, size_t len,
			      u64 area_end, u32 flags)
{
	bool io = flags & (AXAS_DEVICE | AXAS_UNCACHED);

	if (rw->map_len && io == rw->map_io && pa >= rw->map_pa &&
	    pa + len <= rw->map_pa + rw->map_len)
		return rw->map_va + (pa - rw->map_pa);
	axas_rw_unmap_host(rw);
	rw->map_pa = pa;
	rw->map_len = min_t(u64, max_t(u64, iov_iter_count(rw->iter), len),
			    min_t(u64, area_end, AXAS_HOSTMAP_MAX));
	rw->map_io = io;
	rw->map_va = io ? (void __force *)ioremap(pa, rw->map_len) :
		     memremap(pa, rw->map_len, MEMREMAP_WB);
	if (!rw->map_va)
		rw->map_len = 0;
	return rw->map_va;
}

static void axas_rw_io(struct axas_rw *rw, void __iomem *p, size_t len)
{
	if (rw->write)
		memcpy_toio(p, rw->bounce, len);
	else
		memcpy_fromio(rw->bounce, p, len);
}

/* @len bytes of linear area @a at the current gpa, inside one page. */
static int axas_linear_rw(struct axas_rw *rw, struct axas_area_node *a,
			  size_t len)
{
	phys_addr_t pa = a->pos + (rw->gpa - a->start);
	void *p;

	if (!(a->flags & (rw->write ? AXAS_WRITE : AXAS_READ)))
		return -EACCES;
	if (pfn_valid(PHYS_PFN(pa)) && page_is_ram(PHYS_PFN(pa))) {
		/* Not RAM when it was mapped: hot-added since. */
		if (!axas_allow_ram_linear()) {
			pr_warn_ratelimited("host page %pa of a linear area became System RAM: refused\n",
					    &pa);
			return -EIO;
		}
		axas_rw_frame(rw, pa, len, a->flags);
		return 0;
	}
	p = axas_rw_map_host(rw, pa, len, a->last - rw->gpa + 1, a->flags);
	if (!p)
		return -ENOMEM;
	if (rw->map_io)
		axas_rw_io(rw, (void __iomem *)p, len);
	else
		axas_rw_mem(rw, p, len);
	return 0;
}

static void axas_linear_split(struct axas_area_node *lo,
			      struct axas_area_node *hi)
{
	hi->pos = lo->pos + (hi->start - lo->start);
}

const struct axas_backend_ops axas_linear_ops = {
	.id		= AXAS_BACKEND_LINEAR,
	.map		= axas_linear_map,
	.rw		= axas_linear_rw,
	.split		= axas_linear_split,
};
