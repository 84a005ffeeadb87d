// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the engine's dealings with host memory, in every format:
 * table pages beyond the format's output address width are refused, and
 * table pages never call the OOM killer.
 */
#include <kunit/test.h>

#include "kunit/npt_test.h"

KUNIT_ARRAY_PARAM(npt_mem, npt_tcases, npt_tcase_desc);

#define RW	(AXAS_READ | AXAS_WRITE)

/*
 * A root the format cannot point to is refused: wholly above the output
 * address width, or (a multi-page root) reaching across it from its last
 * page. A root that just fits is taken.
 */
static void npt_high_root_test(struct kunit *test)
{
	const struct npt_tcase *tc = test->param_value;
	struct npt_thal *hal = kunit_kzalloc(test, sizeof(*hal), GFP_KERNEL);
	struct axas_npt_cfg cfg = {
		.fmt = axas_npt_fmt_get(tc->id), .hal = &npt_thal_ops,
		.hal_priv = hal,
	};
	u64 limit = BIT_ULL(tc->pa_bits), size = tc->root_pages * SZ_4K_ULL;
	struct axas_npt npt;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, hal);
	hal->pa_fixed = limit;
	KUNIT_EXPECT_EQ(test, axas_npt_init(&npt, &cfg), -ENOMEM);
	hal->pa_fixed = limit - SZ_4K_ULL;
	ret = axas_npt_init(&npt, &cfg);
	KUNIT_EXPECT_EQ(test, ret, tc->root_pages == 1 ? 0 : -ENOMEM);
	if (!ret)
		axas_npt_destroy(&npt);
	hal->pa_fixed = limit - size;
	KUNIT_ASSERT_EQ(test, axas_npt_init(&npt, &cfg), 0);
	KUNIT_EXPECT_EQ(test, axas_npt_root_hpa(&npt), limit - size);
	axas_npt_destroy(&npt);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&hal->allocs),
			atomic_long_read(&hal->frees));
}

/*
 * With the host's memory above the format's reach, every call that needs a
 * new table page fails with -ENOMEM, changes nothing and keeps nothing;
 * calls that need none still work.
 */
static void npt_high_table_test(struct kunit *test)
{
	struct npt_tctx *t = npt_tctx_new(test);
	u64 base = BIT_ULL(t->tc->gpa_bits) / 2, huge = base + SZ_1G_ULL;
	struct npt_snap *before;
	long tables;

	KUNIT_ASSERT_EQ(test, npt_t_map(t, huge, SZ_1G_ULL, SZ_1G_ULL, RW,
					true), 0);
	KUNIT_ASSERT_EQ(test, npt_t_map_page(t, base, 0x1000, RW), 0);
	before = npt_snap_take(t);
	tables = axas_npt_table_pages(&t->npt);
	t->hal.pa_offset = BIT_ULL(t->tc->pa_bits);
	KUNIT_EXPECT_EQ(test, npt_t_map(t, base + SZ_2M_ULL, 0x2000,
					3 * SZ_4K_ULL, RW, false), -ENOMEM);
	KUNIT_EXPECT_EQ(test, npt_t_map_page(t, base + 2 * SZ_2M_ULL, 0x3000,
					     RW), -ENOMEM);
	KUNIT_EXPECT_EQ(test, npt_t_fault(t, base + 3 * SZ_2M_ULL, 0x4000, RW),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, npt_t_unmap(t, huge + SZ_2M_ULL + SZ_4K_ULL,
					  SZ_4K_ULL), -ENOMEM);
	KUNIT_EXPECT_EQ(test, npt_t_protect(t, huge + SZ_4K_ULL, SZ_4K_ULL,
					    AXAS_READ), -ENOMEM);
	/* The table holding base's leaf exists: no new page needed. */
	KUNIT_EXPECT_EQ(test, npt_t_map_page(t, base + SZ_4K_ULL, 0x5000, RW),
			0);
	KUNIT_EXPECT_EQ(test, npt_t_unmap(t, base + SZ_4K_ULL, SZ_4K_ULL), 0);
	t->hal.pa_offset = 0;
	KUNIT_EXPECT_TRUE(test, npt_snap_equal(t, before, npt_snap_take(t)));
	KUNIT_EXPECT_EQ(test, npt_thal_live(t), tables);
	KUNIT_EXPECT_EQ(test, npt_t_map(t, base + SZ_2M_ULL, 0x2000,
					3 * SZ_4K_ULL, RW, false), 0);
	npt_tctx_free(t);
}

/* Table pages are charged, zeroed, and fail rather than OOM-kill. */
static void npt_table_gfp_test(struct kunit *test)
{
	gfp_t gfp = AXAS_NPT_TABLE_GFP;

	KUNIT_EXPECT_TRUE(test, (gfp & GFP_KERNEL_ACCOUNT) == GFP_KERNEL_ACCOUNT);
	KUNIT_EXPECT_TRUE(test, !!(gfp & __GFP_ZERO));
	KUNIT_EXPECT_TRUE(test, !!(gfp & __GFP_RETRY_MAYFAIL));
	KUNIT_EXPECT_FALSE(test, !!(gfp & (__GFP_NOFAIL | __GFP_HIGHMEM)));
}

static struct kunit_case npt_mem_cases[] = {
	KUNIT_CASE_PARAM(npt_high_root_test, npt_mem_gen_params),
	KUNIT_CASE_PARAM(npt_high_table_test, npt_mem_gen_params),
	KUNIT_CASE(npt_table_gfp_test),
	{}
};

static struct kunit_suite npt_mem_suite = {
	.name = "axas_npt_mem",
	.test_cases = npt_mem_cases,
};

kunit_test_suite(npt_mem_suite);
