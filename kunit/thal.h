/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counting HAL every suite uses: table pages (for an engine table or a
 * space) and frames (for a space), counted, failing the n-th allocation on
 * request.
 */
#ifndef _AXAS_KUNIT_THAL_H
#define _AXAS_KUNIT_THAL_H

#include <kunit/test.h>

#include "src/space.h"

/**
 * struct thal - a HAL that counts pages and fails the n-th allocation
 * @hal: the space layer's HAL: table pages through &thal_tables, frames
 *	from the page allocator, @hal.priv this HAL
 * @calls: allocation calls (tables and frames) since thal_fail() armed it
 * @fail_nth: fail call number @fail_nth (1-based); 0 never
 * @failed: allocations failed so far
 * @allocs: 4 KiB table pages allocated
 * @frees: 4 KiB table pages freed (RCU callbacks too)
 * @misaligned: table allocations not aligned to their size
 * @pa_offset: added to every address virt_to_phys reports, as if the host's
 *	memory sat that much higher (phys_to_virt does not subtract it)
 * @pa_fixed: if non-zero, the address virt_to_phys reports for every page;
 *	for tables that are never walked
 * @frame_allocs: frames allocated
 * @frame_frees: frames freed
 */
struct thal {
	struct axas_hal hal;
	atomic_t calls;
	atomic_t fail_nth;
	atomic_t failed;
	atomic_long_t allocs;
	atomic_long_t frees;
	atomic_t misaligned;
	u64 pa_offset;
	u64 pa_fixed;
	atomic_long_t frame_allocs;
	atomic_long_t frame_frees;
};

/* The table page operations, with the &struct thal as their priv. */
extern const struct axas_npt_hal_ops thal_tables;

void thal_init(struct thal *t);
struct thal *thal_new(struct kunit *test);
void thal_fail(struct thal *t, int nth);

/* Table pages held now; RCU-deferred frees may still be pending. */
static inline long thal_live_tables(struct thal *t)
{
	return atomic_long_read(&t->allocs) - atomic_long_read(&t->frees);
}

/* Frames held now. */
static inline long thal_live_frames(struct thal *t)
{
	return atomic_long_read(&t->frame_allocs) -
	       atomic_long_read(&t->frame_frees);
}

#endif /* _AXAS_KUNIT_THAL_H */
