// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the table operations, in every format: the io-pgtable
 * style script, agreement with the reference walker, fail-nth allocation
 * over map and split, the flush contract, and racing single-page installs.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>

#include "kunit/npt_test.h"

KUNIT_ARRAY_PARAM(npt_ops, npt_tcases, npt_tcase_desc);

#define RW	(AXAS_READ | AXAS_WRITE)

static u64 npt_top(const struct npt_tctx *t)
{
	return BIT_ULL(t->tc->gpa_bits);
}

/* Query must find @gpa at @hpa in a leaf of @size. */
static void npt_expect_map(struct npt_tctx *t, u64 gpa, u64 hpa, u64 size)
{
	struct axas_npt_leaf leaf;

	KUNIT_ASSERT_EQ_MSG(t->test, axas_npt_query(&t->npt, gpa, &leaf), 0,
			    "gpa %#llx", gpa);
	KUNIT_EXPECT_EQ(t->test, leaf.hpa + (gpa - leaf.gpa), hpa);
	KUNIT_EXPECT_EQ(t->test, leaf.size, size);
	KUNIT_EXPECT_TRUE(t->test, npt_ref_agrees(t, gpa));
}

static void npt_expect_unmapped(struct npt_tctx *t, u64 gpa)
{
	struct axas_npt_leaf leaf;

	KUNIT_EXPECT_EQ_MSG(t->test, axas_npt_query(&t->npt, gpa, &leaf),
			    -ENOENT, "gpa %#llx", gpa);
	KUNIT_EXPECT_TRUE(t->test, npt_ref_agrees(t, gpa));
}

/* table_pages is what the reference walker can reach, and the HAL holds. */
static void npt_expect_tables(struct npt_tctx *t, long expect)
{
	long pages = axas_npt_table_pages(&t->npt);
	phys_addr_t root = axas_npt_root_hpa(&t->npt);

	KUNIT_EXPECT_EQ(t->test, pages, expect);
	KUNIT_EXPECT_EQ(t->test, npt_ref_count_tables(t->tc, root), pages);
	KUNIT_EXPECT_EQ(t->test, npt_thal_live(t), pages);
}

struct npt_leaf_check {
	u64 gpa;
	u64 hpa;
	bool bad;
};

/* Every leaf keeps its frame: hpa - gpa is the same everywhere. */
static int npt_check_same_frames(void *arg, const struct axas_npt_leaf *leaf)
{
	struct npt_leaf_check *c = arg;

	if (leaf->hpa - leaf->gpa != c->hpa - c->gpa)
		c->bad = true;
	return 0;
}

static void npt_script_empty(struct npt_tctx *t)
{
	u64 top = npt_top(t);
	struct axas_npt_leaf leaf;

	npt_expect_unmapped(t, 0);
	npt_expect_unmapped(t, top / 2 + 0x1234000);
	npt_expect_unmapped(t, top - 1);
	KUNIT_EXPECT_EQ(t->test, axas_npt_query(&t->npt, top, &leaf), -EINVAL);
	npt_expect_tables(t, t->tc->root_pages);
	KUNIT_EXPECT_EQ(t->test, axas_npt_mapped_bytes(&t->npt), 0ULL);
}

/* One leaf of each size; overlapping maps are refused without a trace. */
static void npt_script_sizes(struct npt_tctx *t, u64 base)
{
	static const u64 over[][2] = {
		{ 2 * SZ_1G_ULL + SZ_4K_ULL, SZ_4K_ULL },
		{ SZ_1G_ULL + 5 * SZ_2M_ULL - SZ_4K_ULL, 2 * SZ_4K_ULL },
		{ 3 * SZ_4K_ULL, SZ_4K_ULL },
		{ 0, SZ_1G_ULL },
		{ SZ_1G_ULL, 8 * SZ_1G_ULL },
	};
	struct kunit *test = t->test;
	struct npt_snap *before;
	unsigned int i;
	long allocs;
	int ret;

	KUNIT_ASSERT_EQ(test, npt_t_map(t, base + 3 * SZ_4K_ULL, 0x1234000,
					SZ_4K_ULL, RW, true), 0);
	KUNIT_ASSERT_EQ(test, npt_t_map(t, base + SZ_1G_ULL + 5 * SZ_2M_ULL,
					0x7600000, SZ_2M_ULL, RW, true), 0);
	KUNIT_ASSERT_EQ(test, npt_t_map(t, base + 2 * SZ_1G_ULL,
					0x80c0000000, SZ_1G_ULL, RW, true), 0);
	npt_expect_map(t, base + 3 * SZ_4K_ULL, 0x1234000, SZ_4K_ULL);
	npt_expect_map(t, base + SZ_1G_ULL + 5 * SZ_2M_ULL + 0x3000, 0x7603000,
		       SZ_2M_ULL);
	npt_expect_map(t, base + 3 * SZ_1G_ULL - SZ_4K_ULL,
		       0x80c0000000 + SZ_1G_ULL - SZ_4K_ULL, SZ_1G_ULL);
	KUNIT_EXPECT_EQ(test, axas_npt_mapped_bytes(&t->npt),
			SZ_4K_ULL + SZ_2M_ULL + SZ_1G_ULL);
	before = npt_snap_take(t);
	allocs = atomic_long_read(&t->hal.allocs);
	for (i = 0; i < ARRAY_SIZE(over); i++) {
		ret = npt_t_map(t, base + over[i][0], 0, over[i][1], AXAS_READ,
				true);
		KUNIT_EXPECT_EQ_MSG(test, ret, -EEXIST, "overlap %u", i);
	}
	KUNIT_EXPECT_EQ(test, npt_t_map_page(t, base + 3 * SZ_4K_ULL, 0,
					     AXAS_READ), -EEXIST);
	KUNIT_EXPECT_EQ(test, npt_t_map_page(t, base + 2 * SZ_1G_ULL + SZ_2M_ULL,
					     0, AXAS_READ), -EEXIST);
	KUNIT_EXPECT_TRUE(test, npt_snap_equal(t, before, npt_snap_take(t)));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->hal.allocs), allocs);
}

/*
 * A 4 KiB hole in a 1 GiB leaf: 511 leaves of 2 MiB and 511 of 4 KiB on
 * the same frames, two more table pages; then fill the hole again.
 */
static void npt_script_hole(struct npt_tctx *t, u64 base)
{
	struct npt_leaf_check check = { .gpa = base, .hpa = 0x80c0000000 };
	u64 hole = base + 0x12345000;
	struct kunit *test = t->test;
	long tables = axas_npt_table_pages(&t->npt);
	long count[AXAS_NPT_LEAF_LEVELS];

	npt_tflush_reset(&t->flush, 0);
	KUNIT_ASSERT_EQ(test, npt_t_unmap(t, hole, SZ_4K_ULL), 0);
	KUNIT_EXPECT_EQ(test, npt_t_count_leaves(t, base, SZ_1G_ULL, count),
			1022L);
	KUNIT_EXPECT_EQ(test, count[1], 511L);
	KUNIT_EXPECT_EQ(test, count[0], 511L);
	KUNIT_EXPECT_EQ(test, count[2], 0L);
	down_read(&t->lock);
	axas_npt_walk_leaves(&t->npt, base, SZ_1G_ULL, npt_check_same_frames,
			     &check);
	up_read(&t->lock);
	KUNIT_EXPECT_FALSE(test, check.bad);
	npt_expect_unmapped(t, hole);
	npt_expect_map(t, hole - SZ_4K_ULL, 0x80c0000000 + 0x12344000,
		       SZ_4K_ULL);
	npt_expect_map(t, hole + SZ_2M_ULL, 0x80c0000000 + 0x12545000,
		       SZ_2M_ULL);
	npt_expect_tables(t, tables + 2);
	KUNIT_EXPECT_TRUE(test, npt_tflush_covers(&t->flush, base,
						  base + SZ_1G_ULL));
	KUNIT_EXPECT_EQ(test, t->flush.bad, 0U);
	KUNIT_ASSERT_EQ(test, npt_t_map_page(t, hole, 0x80c0000000 + 0x12345000,
					     RW), 0);
	npt_expect_map(t, hole, 0x80c0000000 + 0x12345000, SZ_4K_ULL);
	npt_expect_tables(t, tables + 2);
}

/* Unmapping everything leaves the root alone, and empty. */
static void npt_script_clear(struct npt_tctx *t)
{
	struct kunit *test = t->test;
	struct npt_snap *snap;
	unsigned int i, j;

	KUNIT_ASSERT_EQ(test, npt_t_unmap(t, 0, npt_top(t)), 0);
	npt_expect_tables(t, t->tc->root_pages);
	KUNIT_EXPECT_EQ(test, axas_npt_mapped_bytes(&t->npt), 0ULL);
	snap = npt_snap_take(t);
	KUNIT_ASSERT_EQ(test, snap->nr, (long)t->tc->root_pages);
	for (i = 0; i < snap->nr; i++) {
		KUNIT_EXPECT_EQ(test, snap->pages[i].index, i);
		KUNIT_EXPECT_EQ(test, snap->pages[i].hpa,
				axas_npt_root_hpa(&t->npt) + i * SZ_4K_ULL);
		for (j = 0; j < 512; j++)
			KUNIT_EXPECT_EQ(test, snap->pages[i].entries[j], 0ULL);
	}
}

/* The very top of the input space is the last entry of the last root page. */
static void npt_script_top(struct npt_tctx *t)
{
	struct kunit *test = t->test;
	u64 top = npt_top(t);
	struct npt_snap *snap;
	u64 last;

	KUNIT_ASSERT_EQ(test, npt_t_map(t, top - SZ_4K_ULL, 0x5000, SZ_4K_ULL,
					AXAS_READ, true), 0);
	npt_expect_map(t, top - 1, 0x5fff, SZ_4K_ULL);
	snap = npt_snap_take(t);
	last = snap->pages[t->tc->root_pages - 1].entries[511];
	KUNIT_EXPECT_NE(test, last, 0ULL);
	KUNIT_EXPECT_EQ(test, last & GENMASK_ULL(9, 0), t->tc->table_low);
	KUNIT_ASSERT_EQ(test, npt_t_unmap(t, top - SZ_1G_ULL, SZ_1G_ULL), 0);
	npt_expect_tables(t, t->tc->root_pages);

	KUNIT_ASSERT_EQ(test, npt_t_map(t, top - SZ_1G_ULL, SZ_1G_ULL,
					SZ_1G_ULL, RW, true), 0);
	npt_expect_map(t, top - SZ_4K_ULL, 2 * SZ_1G_ULL - SZ_4K_ULL,
		       SZ_1G_ULL);
	snap = npt_snap_take(t);
	last = snap->pages[t->tc->root_pages - 1].entries[511];
	KUNIT_EXPECT_NE(test, last, 0ULL);
	/* Root level 2 holds the 1 GiB leaf itself; deeper roots a table. */
	if (t->tc->levels == 3)
		KUNIT_EXPECT_NE(test, last & GENMASK_ULL(9, 0), t->tc->table_low);
	KUNIT_EXPECT_EQ(test, npt_t_map(t, top - SZ_1G_ULL - SZ_4K_ULL, 0,
					2 * SZ_4K_ULL, AXAS_READ, true), -EEXIST);
	KUNIT_ASSERT_EQ(test, npt_t_unmap(t, top - 2 * SZ_1G_ULL,
					  2 * SZ_1G_ULL), 0);
	npt_expect_tables(t, t->tc->root_pages);
}

static void npt_script_test(struct kunit *test)
{
	struct npt_tctx *t = npt_tctx_new(test);
	u64 base = 0x200000000ULL;

	npt_script_empty(t);
	npt_script_sizes(t, base);
	npt_script_hole(t, base + 2 * SZ_1G_ULL);
	npt_script_clear(t);
	npt_script_top(t);
	npt_tctx_free(t);
}

/* Each range: gpa offset, hpa, size, flags, huge. */
static const struct {
	u64 gpa;
	u64 hpa;
	u64 size;
	u32 flags;
	bool huge;
} npt_ref_ranges[] = {
	{ 0, 0x1000, 5 * SZ_4K_ULL, AXAS_READ, true },
	{ SZ_2M_ULL - SZ_4K_ULL, 0x40000000, SZ_2M_ULL + 2 * SZ_4K_ULL,
	  RW | AXAS_EXEC, true },
	{ 4 * SZ_2M_ULL, 0x3200000, 3 * SZ_2M_ULL, RW | AXAS_UNCACHED, true },
	{ 8 * SZ_2M_ULL, 0x3201000, SZ_2M_ULL, AXAS_EXEC, true },
	{ 10 * SZ_2M_ULL, 0x4000000, SZ_2M_ULL, AXAS_READ | AXAS_DEVICE,
	  false },
	{ SZ_1G_ULL, 0x3c0000000, SZ_1G_ULL, RW | AXAS_USER, true },
	{ 3 * SZ_1G_ULL - SZ_4K_ULL, 0x1ffff000, 2 * SZ_4K_ULL,
	  AXAS_READ | AXAS_EXEC, true },
};

/*
 * Next page to compare: every page, except inside the 1 GiB leaf, where
 * its first and last 2 MiB are compared page by page and the rest at one
 * page per 2 MiB, at a different offset each time (262144 reference walks
 * per format take too long under TCG and KASAN).
 */
static u64 npt_ref_next(u64 gpa, u64 start, u64 end)
{
	if (end - start < SZ_1G_ULL || gpa - start < SZ_2M_ULL ||
	    end - gpa <= 2 * SZ_2M_ULL)
		return gpa + SZ_4K_ULL;
	return gpa + SZ_2M_ULL + SZ_4K_ULL;
}

/*
 * The reference walker and query agree on the mapped pages (see
 * npt_ref_next()) and just around every range; every table entry is well
 * formed. The last range straddles the middle of the input space: two
 * root entries.
 */
static void npt_ref_test(struct kunit *test)
{
	struct npt_tctx *t = npt_tctx_new(test);
	u64 base = BIT_ULL(t->tc->gpa_bits) / 2 - 3 * SZ_1G_ULL, gpa, end, start;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(npt_ref_ranges); i++) {
		ret = npt_t_map(t, base + npt_ref_ranges[i].gpa,
				npt_ref_ranges[i].hpa, npt_ref_ranges[i].size,
				npt_t_flags(t->tc, npt_ref_ranges[i].flags),
				npt_ref_ranges[i].huge);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	npt_expect_tables(t, axas_npt_table_pages(&t->npt));
	for (i = 0; i < ARRAY_SIZE(npt_ref_ranges); i++) {
		start = base + npt_ref_ranges[i].gpa;
		end = start + npt_ref_ranges[i].size;
		npt_ref_agrees(t, start - SZ_4K_ULL);
		npt_ref_agrees(t, end);
		for (gpa = start; gpa < end; gpa = npt_ref_next(gpa, start, end))
			if (!npt_ref_agrees(t, gpa))
				break;
	}
	npt_tctx_free(t);
}

/*
 * Fail the n-th table allocation for n = 1, 2, ... until the call
 * succeeds: every failure leaves the table unchanged and leaks nothing,
 * and the call succeeds exactly when it gets all the pages it needs.
 */
static void npt_fail_nth(struct npt_tctx *t, const char *what,
			 int (*op)(struct npt_tctx *t))
{
	struct kunit *test = t->test;
	struct npt_snap *before = npt_snap_take(t), *after;
	long tables = axas_npt_table_pages(&t->npt), allocs;
	int n, ret = -ENOMEM;

	for (n = 1; ret == -ENOMEM && n < 64; n++) {
		thal_fail(&t->hal, n);
		allocs = atomic_long_read(&t->hal.allocs);
		ret = op(t);
		thal_fail(&t->hal, 0);
		if (ret != -ENOMEM)
			break;
		after = npt_snap_take(t);
		KUNIT_EXPECT_TRUE_MSG(test, npt_snap_equal(t, before, after),
				      "%s n=%d", what, n);
		KUNIT_EXPECT_EQ_MSG(test, npt_thal_live(t), tables,
				    "%s n=%d", what, n);
	}
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "%s n=%d", what, n);
	KUNIT_EXPECT_GT_MSG(test, n, 1, "%s never allocated", what);
	/* It needed n - 1 pages, allocated exactly those, and linked them. */
	KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&t->hal.allocs) - allocs,
			    (long)n - 1, "%s", what);
	npt_expect_tables(t, tables + n - 1);
}

static u64 npt_fail_base(struct npt_tctx *t)
{
	return BIT_ULL(t->tc->gpa_bits) / 2;
}

/* 4 KiB leaves across a 512 GiB boundary: tables at every level. */
static int npt_fail_map_wide(struct npt_tctx *t)
{
	return npt_t_map(t, npt_fail_base(t) - SZ_2M_ULL - 2 * SZ_4K_ULL,
			 0x100000, 2 * SZ_2M_ULL + 3 * SZ_4K_ULL, RW, false);
}

static int npt_fail_map_page(struct npt_tctx *t)
{
	return npt_t_map_page(t, npt_fail_base(t) + 7 * SZ_1G_ULL + SZ_4K_ULL,
			      0x9000, RW);
}

static int npt_fail_fault(struct npt_tctx *t)
{
	return npt_t_fault(t, npt_fail_base(t) + 9 * SZ_1G_ULL + SZ_4K_ULL,
			   0xa000, RW);
}

/* The 1 GiB leaf at base + 4 GiB, holed with both edges unaligned. */
static int npt_fail_unmap_split(struct npt_tctx *t)
{
	return npt_t_unmap(t, npt_fail_base(t) + 4 * SZ_1G_ULL + SZ_2M_ULL -
			   SZ_4K_ULL, 2 * SZ_4K_ULL);
}

/* The 1 GiB leaves at base + 5 and + 6 GiB, across their boundary. */
static int npt_fail_protect_split(struct npt_tctx *t)
{
	return npt_t_protect(t, npt_fail_base(t) + 6 * SZ_1G_ULL -
			     SZ_4K_ULL, 2 * SZ_4K_ULL, AXAS_READ);
}

static void npt_fail_nth_test(struct kunit *test)
{
	struct npt_tctx *t = npt_tctx_new(test);
	u64 base = npt_fail_base(t);
	long count[AXAS_NPT_LEAF_LEVELS];

	KUNIT_ASSERT_EQ(test, npt_t_map(t, base + 4 * SZ_1G_ULL, 0x40000000,
					3 * SZ_1G_ULL, RW, true), 0);
	npt_fail_nth(t, "map", npt_fail_map_wide);
	npt_fail_nth(t, "map_page", npt_fail_map_page);
	npt_fail_nth(t, "probe + map_page_at", npt_fail_fault);
	npt_fail_nth(t, "unmap", npt_fail_unmap_split);
	npt_fail_nth(t, "protect", npt_fail_protect_split);
	/* The splits made the largest leaves that still fit. */
	npt_t_count_leaves(t, base + 4 * SZ_1G_ULL, SZ_1G_ULL, count);
	KUNIT_EXPECT_EQ(test, count[1], 510L);
	KUNIT_EXPECT_EQ(test, count[0], 1022L);
	npt_t_count_leaves(t, base + 5 * SZ_1G_ULL, 2 * SZ_1G_ULL, count);
	KUNIT_EXPECT_EQ(test, count[1], 1022L);
	KUNIT_EXPECT_EQ(test, count[0], 1024L);
	npt_tctx_free(t);
}

/* Every unmap, split and permission change is flushed over its range. */
static void npt_flush_test(struct kunit *test)
{
	struct npt_tctx *t = npt_tctx_new(test);
	u64 base = BIT_ULL(t->tc->gpa_bits) - 4 * SZ_1G_ULL;
	struct npt_tflush *f = &t->flush;
	long count[AXAS_NPT_LEAF_LEVELS];

	KUNIT_ASSERT_EQ(test, npt_t_map(t, base, 0, SZ_1G_ULL, RW, true), 0);
	KUNIT_ASSERT_EQ(test, npt_t_map(t, base + SZ_1G_ULL, 0, 8 * SZ_4K_ULL,
					RW, true), 0);
	KUNIT_EXPECT_EQ(test, f->calls, 0U);	/* mapping needs no flush */

	npt_tflush_reset(f, RW);	/* an upgrade: a TLB may hold the old */
	KUNIT_ASSERT_EQ(test, npt_t_protect(t, base + SZ_1G_ULL, 8 * SZ_4K_ULL,
					    RW | AXAS_EXEC), 0);
	KUNIT_EXPECT_TRUE(test, npt_tflush_covers(f, base + SZ_1G_ULL,
						  base + SZ_1G_ULL + 8 * SZ_4K_ULL));

	npt_tflush_reset(f, AXAS_READ);	/* downgrade: write and exec go */
	KUNIT_ASSERT_EQ(test, npt_t_protect(t, base + SZ_1G_ULL + SZ_4K_ULL,
					    2 * SZ_4K_ULL, AXAS_READ), 0);
	KUNIT_EXPECT_TRUE(test, npt_tflush_covers(f, base + SZ_1G_ULL +
				SZ_4K_ULL, base + SZ_1G_ULL + 3 * SZ_4K_ULL));

	npt_tflush_reset(f, RW | AXAS_EXEC);	/* new memory type: BBM */
	KUNIT_ASSERT_EQ(test, npt_t_protect(t, base + SZ_1G_ULL + 4 * SZ_4K_ULL,
					    SZ_4K_ULL, RW | AXAS_EXEC |
					    AXAS_UNCACHED), 0);
	KUNIT_EXPECT_EQ(test, f->calls, t->tc->family == NPT_T_RISCV ? 0U : 1U);

	npt_tflush_reset(f, 0);		/* a split, then an unmap */
	KUNIT_ASSERT_EQ(test, npt_t_unmap(t, base + SZ_2M_ULL, SZ_4K_ULL), 0);
	KUNIT_EXPECT_TRUE(test, npt_tflush_covers(f, base, base + SZ_1G_ULL));

	npt_tflush_reset(f, AXAS_READ);	/* a split, then a downgrade */
	KUNIT_ASSERT_EQ(test, npt_t_protect(t, base + 5 * SZ_2M_ULL, SZ_4K_ULL,
					    AXAS_READ), 0);
	KUNIT_EXPECT_TRUE(test, npt_tflush_covers(f, base + 5 * SZ_2M_ULL,
						  base + 6 * SZ_2M_ULL));

	npt_tflush_reset(f, RW);	/* equal flags still split at the edges */
	KUNIT_ASSERT_EQ(test, npt_t_map(t, base + 3 * SZ_1G_ULL, 0, SZ_1G_ULL,
					RW, true), 0);
	KUNIT_ASSERT_EQ(test, npt_t_protect(t, base + 3 * SZ_1G_ULL + SZ_4K_ULL,
					    SZ_4K_ULL, RW | AXAS_USER), 0);
	npt_t_count_leaves(t, base + 3 * SZ_1G_ULL, SZ_1G_ULL, count);
	KUNIT_EXPECT_EQ(test, count[2], 0L);
	KUNIT_EXPECT_EQ(test, count[1], 511L);
	KUNIT_EXPECT_EQ(test, count[0], 512L);
	KUNIT_EXPECT_TRUE(test, npt_tflush_covers(f, base + 3 * SZ_1G_ULL,
						  base + 4 * SZ_1G_ULL));

	npt_tflush_reset(f, 0);		/* unmapping a hole flushes nothing */
	KUNIT_ASSERT_EQ(test, npt_t_unmap(t, base + 2 * SZ_1G_ULL, SZ_1G_ULL),
			0);
	KUNIT_EXPECT_EQ(test, f->calls, 0U);

	npt_tflush_reset(f, 0);		/* emptied tables go after a flush */
	KUNIT_ASSERT_EQ(test, npt_t_unmap(t, base, 4 * SZ_1G_ULL), 0);
	KUNIT_EXPECT_TRUE(test, npt_tflush_covers(f, base, base + SZ_1G_ULL));
	KUNIT_EXPECT_TRUE(test, npt_tflush_covers(f, base + SZ_1G_ULL, base +
						  SZ_1G_ULL + 8 * SZ_4K_ULL));
	KUNIT_EXPECT_EQ(test, f->bad, 0U);
	npt_expect_tables(t, t->tc->root_pages);
	npt_tctx_free(t);
}

/*
 * The fault path's two halves: a probe finds the empty entry highest on the
 * path; an install elsewhere fills it with a table before map_page_at()
 * runs, which must then descend again; a slot whose page got mapped
 * meanwhile gives -EEXIST and changes nothing; bad input is refused.
 */
static void npt_probe_test(struct kunit *test)
{
	struct npt_tctx *t = npt_tctx_new(test);
	u64 base = npt_fail_base(t) + 16 * SZ_1G_ULL;
	struct axas_npt_slot slot, late;
	struct npt_snap *before;
	long allocs;

	KUNIT_ASSERT_EQ(test, npt_t_probe(t, base, &slot), 0);
	KUNIT_EXPECT_EQ(test, slot.level, axas_npt_root_level(t->npt.cfg.fmt));
	KUNIT_ASSERT_EQ(test, npt_t_map_page(t, base + SZ_4K_ULL, 0x5000, RW), 0);
	KUNIT_EXPECT_EQ(test, npt_t_map_at(t, &slot, base, 0x7000, RW), 0);
	npt_expect_map(t, base, 0x7000, SZ_4K_ULL);
	npt_expect_map(t, base + SZ_4K_ULL, 0x5000, SZ_4K_ULL);
	npt_expect_tables(t, t->tc->root_pages + slot.level);
	KUNIT_EXPECT_EQ(test, npt_t_probe(t, base, &slot), -EEXIST);

	KUNIT_ASSERT_EQ(test, npt_t_probe(t, base + 2 * SZ_4K_ULL, &late), 0);
	KUNIT_EXPECT_EQ(test, late.level, 0U);
	KUNIT_ASSERT_EQ(test, npt_t_map_page(t, base + 2 * SZ_4K_ULL, 0x9000,
					     RW), 0);
	before = npt_snap_take(t);
	allocs = atomic_long_read(&t->hal.allocs);
	KUNIT_EXPECT_EQ(test, npt_t_map_at(t, &late, base + 2 * SZ_4K_ULL,
					   0xb000, RW), -EEXIST);
	KUNIT_EXPECT_EQ(test, npt_t_map_at(t, &late, base + 3 * SZ_4K_ULL,
					   0xb000, 0), -EINVAL);
	KUNIT_EXPECT_TRUE(test, npt_snap_equal(t, before, npt_snap_take(t)));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->hal.allocs), allocs);
	npt_expect_map(t, base + 2 * SZ_4K_ULL, 0x9000, SZ_4K_ULL);

	KUNIT_EXPECT_EQ(test, npt_t_probe(t, base + 1, &slot), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_t_probe(t, npt_top(t), &slot), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_npt_mapped_bytes(&t->npt), 3 * SZ_4K_ULL);
	npt_tctx_free(t);
}

#define NPT_RACE_THREADS	4
#define NPT_RACE_PAGES		2048

struct npt_race {
	struct npt_tctx *t;
	u64 base;
	struct completion go;
	atomic_t won;
	atomic_t lost;
	atomic_t errors;
	atomic_t done;
	struct completion finished;
};

/*
 * Every thread installs every page, the threads in different orders, half
 * of them through probe + map_page_at (whose slot a racing install may
 * fill); each page must end up installed exactly once.
 */
static int npt_race_thread(void *arg)
{
	struct npt_race *race = arg;
	unsigned int i, id = atomic_inc_return(&race->done) - 1;
	u64 gpa;
	int ret;

	wait_for_completion(&race->go);
	for (i = 0; i < NPT_RACE_PAGES; i++) {
		gpa = race->base + (((i * (2 * id + 1)) % NPT_RACE_PAGES) <<
				    AXAS_NPT_PAGE_SHIFT);
		ret = id & 1 ? npt_t_fault(race->t, gpa, gpa - race->base, RW) :
			       npt_t_map_page(race->t, gpa, gpa - race->base, RW);
		if (!ret)
			atomic_inc(&race->won);
		else if (ret == -EEXIST)
			atomic_inc(&race->lost);
		else
			atomic_inc(&race->errors);
	}
	if (atomic_dec_and_test(&race->done))
		complete(&race->finished);
	return 0;
}

static void npt_race_test(struct kunit *test)
{
	struct npt_race *race = kunit_kzalloc(test, sizeof(*race), GFP_KERNEL);
	struct task_struct *task;
	long count[AXAS_NPT_LEAF_LEVELS], leaves;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, race);
	race->t = npt_tctx_new(test);
	race->base = BIT_ULL(race->t->tc->gpa_bits) / 2 - SZ_2M_ULL * 2;
	init_completion(&race->go);
	init_completion(&race->finished);
	for (i = 0; i < NPT_RACE_THREADS; i++) {
		task = kthread_run(npt_race_thread, race, "npt_race/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	while (atomic_read(&race->done) < NPT_RACE_THREADS)
		cond_resched();
	complete_all(&race->go);
	wait_for_completion(&race->finished);
	KUNIT_EXPECT_EQ(test, atomic_read(&race->errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&race->won), NPT_RACE_PAGES);
	KUNIT_EXPECT_EQ(test, atomic_read(&race->lost),
			(NPT_RACE_THREADS - 1) * NPT_RACE_PAGES);
	leaves = npt_t_count_leaves(race->t, race->base,
				    NPT_RACE_PAGES * SZ_4K_ULL, count);
	KUNIT_EXPECT_EQ(test, leaves, (long)NPT_RACE_PAGES);
	npt_expect_tables(race->t, axas_npt_table_pages(&race->t->npt));
	KUNIT_EXPECT_EQ(test, axas_npt_mapped_bytes(&race->t->npt),
			NPT_RACE_PAGES * SZ_4K_ULL);
	for (i = 0; i < NPT_RACE_PAGES; i++)
		npt_expect_map(race->t, race->base + i * SZ_4K_ULL,
			       i * SZ_4K_ULL, SZ_4K_ULL);
	npt_tctx_free(race->t);
}

#define NPT_RCU_ROUNDS	40
#define NPT_RCU_HPA	0x40000000ULL

struct npt_rcu {
	struct npt_tctx *t;
	u64 base;
	atomic_t stop;
	atomic_t bad;
	atomic_long_t found;
	struct completion done;
};

/*
 * Lockless queries while tables are split, emptied and freed under them:
 * every answer is a hole or the one frame every round maps there.
 */
static int npt_rcu_reader(void *arg)
{
	struct npt_rcu *rcu = arg;
	struct axas_npt_leaf leaf;
	unsigned int i = 0;
	u64 gpa;

	while (!atomic_read(&rcu->stop)) {
		if (!(++i % 64))
			cond_resched();
		gpa = rcu->base + ((u64)(i * 7919) % (SZ_1G_ULL >> 12) << 12);
		if (axas_npt_query(&rcu->t->npt, gpa, &leaf) == -ENOENT)
			continue;
		if (leaf.hpa + (gpa - leaf.gpa) != gpa - rcu->base + NPT_RCU_HPA)
			atomic_inc(&rcu->bad);
		atomic_long_inc(&rcu->found);
	}
	complete(&rcu->done);
	return 0;
}

static void npt_rcu_round(struct npt_rcu *rcu, unsigned int round)
{
	struct npt_tctx *t = rcu->t;
	u64 base = rcu->base, off = (round * 0x1234567ULL) % SZ_1G_ULL;

	off &= ~(SZ_4K_ULL - 1);
	KUNIT_EXPECT_EQ(t->test, npt_t_map(t, base, NPT_RCU_HPA, SZ_1G_ULL,
					   RW, true), 0);
	KUNIT_EXPECT_EQ(t->test, npt_t_unmap(t, base + off, SZ_4K_ULL), 0);
	KUNIT_EXPECT_EQ(t->test, npt_t_protect(t, base + SZ_2M_ULL, SZ_4K_ULL,
					       AXAS_READ), 0);
	KUNIT_EXPECT_EQ(t->test, npt_t_unmap(t, base, SZ_1G_ULL), 0);
	KUNIT_EXPECT_EQ(t->test, npt_t_map(t, base + off, NPT_RCU_HPA + off,
					   4 * SZ_2M_ULL, RW, false), 0);
	KUNIT_EXPECT_EQ(t->test, npt_t_unmap(t, base, SZ_1G_ULL), 0);
}

static void npt_rcu_test(struct kunit *test)
{
	struct npt_rcu *rcu = kunit_kzalloc(test, sizeof(*rcu), GFP_KERNEL);
	struct task_struct *task;
	unsigned int round;

	KUNIT_ASSERT_NOT_NULL(test, rcu);
	rcu->t = npt_tctx_new(test);
	rcu->base = BIT_ULL(rcu->t->tc->gpa_bits) - 2 * SZ_1G_ULL;
	init_completion(&rcu->done);
	task = kthread_run(npt_rcu_reader, rcu, "npt_rcu");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	for (round = 0; round < NPT_RCU_ROUNDS; round++)
		npt_rcu_round(rcu, round);
	atomic_set(&rcu->stop, 1);
	wait_for_completion(&rcu->done);
	KUNIT_EXPECT_EQ(test, atomic_read(&rcu->bad), 0);
	kunit_info(test, "%ld lockless hits\n", atomic_long_read(&rcu->found));
	npt_expect_tables(rcu->t, rcu->t->tc->root_pages);
	npt_tctx_free(rcu->t);
}

static struct kunit_case npt_ops_cases[] = {
	KUNIT_CASE_PARAM(npt_script_test, npt_ops_gen_params),
	KUNIT_CASE_PARAM(npt_ref_test, npt_ops_gen_params),
	KUNIT_CASE_PARAM(npt_fail_nth_test, npt_ops_gen_params),
	KUNIT_CASE_PARAM(npt_flush_test, npt_ops_gen_params),
	KUNIT_CASE_PARAM(npt_probe_test, npt_ops_gen_params),
	KUNIT_CASE_PARAM(npt_race_test, npt_ops_gen_params),
	KUNIT_CASE_PARAM(npt_rcu_test, npt_ops_gen_params),
	{}
};

static struct kunit_suite npt_ops_suite = {
	.name = "axas_npt_ops",
	.test_cases = npt_ops_cases,
};

kunit_test_suite(npt_ops_suite);
