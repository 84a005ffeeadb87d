// SPDX-License-Identifier: GPL-2.0
/*
 * The default HAL: guest frames from the page allocator, zeroed and charged
 * to the caller's memory cgroup. The only place that allocates frames.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>

#include "compat.h"
#include "space.h"

struct page *axas_hal_alloc_frames(void *priv, unsigned int order)
{
	/*
	 * A frame is a 4 KiB host page: Kconfig refuses other page sizes, and
	 * this holds out-of-tree builds, which bypass Kconfig.
	 */
	BUILD_BUG_ON(PAGE_SIZE != SZ_4K);
	/* Not __GFP_COMP: the backend may split_page() a chunk later. */
	return alloc_pages(axas_frame_gfp(order), order);
}

void axas_hal_sync_guest(void *priv, phys_addr_t pa, size_t len, bool exec)
{
	/* Frames are lowmem pages (no __GFP_HIGHMEM): in the linear map. */
	axas_arch_sync_guest(phys_to_virt(pa), len, exec);
}

static void axas_hal_free_frames(void *priv, struct page *page,
				 unsigned int order)
{
	__free_pages(page, order);
}

const struct axas_hal axas_default_hal = {
	.tables		= &axas_npt_default_hal,
	.alloc_frames	= axas_hal_alloc_frames,
	.free_frames	= axas_hal_free_frames,
	.sync_guest	= axas_hal_sync_guest,
};
