// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the nine nested page table formats: geometry, encode and
 * decode of every flag combination at every leaf level, golden entries and
 * root values from Documentation/formats.rst, and argument checks.
 */
#include <kunit/test.h>
#if defined(CONFIG_X86_64) && !defined(CONFIG_UML)
#include <asm/cpufeature.h>
#include <asm/pgtable.h>
#endif

#include "kunit/npt_test.h"

KUNIT_ARRAY_PARAM(npt_fmt, npt_tcases, npt_tcase_desc);

static void npt_fmt_geometry_test(struct kunit *test)
{
	const struct npt_tcase *tc = test->param_value;
	const struct axas_npt_fmt *fmt = axas_npt_fmt_get(tc->id);

	KUNIT_ASSERT_NOT_NULL(test, fmt);
	KUNIT_EXPECT_EQ(test, fmt->id, tc->id);
	KUNIT_EXPECT_EQ(test, fmt->levels, tc->levels);
	KUNIT_EXPECT_EQ(test, fmt->gpa_bits, tc->gpa_bits);
	KUNIT_EXPECT_EQ(test, fmt->pa_bits, tc->pa_bits);
	KUNIT_EXPECT_EQ(test, axas_npt_root_pages(fmt), tc->root_pages);
	KUNIT_EXPECT_EQ(test, axas_npt_root_level(fmt), tc->levels - 1);
	/* The root indexes exactly the bits the lower levels leave. */
	KUNIT_EXPECT_EQ(test, axas_npt_index(fmt, BIT_ULL(tc->gpa_bits) - 1,
					     tc->levels - 1),
			512 * tc->root_pages - 1);
	KUNIT_EXPECT_EQ(test, axas_npt_index(fmt, BIT_ULL(tc->gpa_bits) - 1, 0),
			511U);
}

/*
 * Documentation/userspace-api.rst: what AXAS_FMT_NATIVE may mean on the architecture running this;
 * x86 is checked exactly, Arm and RISC-V by the set their probes choose
 * from (the RISC-V probe writes hgatp, which a test should not redo).
 */
static bool npt_fmt_native_ok(u32 id)
{
#if defined(CONFIG_X86_64) && !defined(CONFIG_UML)
	if (!boot_cpu_has(X86_FEATURE_SVM))
		return id == AXAS_FMT_X86_EPT4;
	return id == (pgtable_l5_enabled() ? AXAS_FMT_X86_NPT5 :
		      AXAS_FMT_X86_NPT4);
#elif defined(CONFIG_X86_64)
	return id == AXAS_FMT_X86_EPT4;
#elif defined(CONFIG_ARM64)
	return id == AXAS_FMT_ARM64_S2_40 || id == AXAS_FMT_ARM64_S2_48;
#elif defined(CONFIG_RISCV) && defined(CONFIG_64BIT)
	return id == AXAS_FMT_RISCV_SV39X4 || id == AXAS_FMT_RISCV_SV48X4 ||
	       id == AXAS_FMT_RISCV_SV57X4;
#else
	return id == AXAS_FMT_NATIVE;	/* elsewhere: no native format */
#endif
}

static void npt_fmt_lookup_test(struct kunit *test)
{
	const struct axas_npt_fmt *native = axas_npt_fmt_get(AXAS_FMT_NATIVE);

	KUNIT_EXPECT_NULL(test, axas_npt_fmt_get(AXAS_FMT_MAX + 1));
	KUNIT_EXPECT_NULL(test, axas_npt_fmt_get(~0U));
	KUNIT_EXPECT_EQ(test, axas_npt_native(), native ? native->id : 0);
	if (npt_fmt_native_ok(AXAS_FMT_NATIVE)) {
		KUNIT_EXPECT_NULL(test, native);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, native);
	KUNIT_EXPECT_TRUE_MSG(test, npt_fmt_native_ok(native->id),
			      "AXAS_FMT_NATIVE is format %u", native->id);
	kunit_info(test, "AXAS_FMT_NATIVE is format %u here\n", native->id);
}

/* Output addresses that probe both ends of the address field. */
static u64 npt_fmt_probe_pa(const struct npt_tcase *tc, unsigned int level,
			    unsigned int i)
{
	u64 size = AXAS_NPT_LEVEL_SIZE(level);

	switch (i) {
	case 0:
		return 0;
	case 1:
		return size;
	case 2:
		return 0x5a5a5a5a5a5a5a5aULL & (BIT_ULL(tc->pa_bits) - size);
	default:
		return BIT_ULL(tc->pa_bits) - size;
	}
}

static void npt_fmt_roundtrip_one(struct kunit *test,
				  const struct axas_npt_fmt *fmt,
				  unsigned int level, u64 pa, u32 flags)
{
	const struct npt_tcase *tc = test->param_value;
	u64 pte = axas_npt_mk_leaf(fmt, pa, level, flags), ref_pa;
	u32 canon = npt_t_canon(tc, flags), ref_flags;

	KUNIT_EXPECT_NE(test, pte, 0);
	KUNIT_EXPECT_FALSE(test, axas_npt_pte_is_table(fmt, pte, level));
	KUNIT_EXPECT_EQ(test, axas_npt_pte_to_pa(fmt, pte), pa);
	KUNIT_EXPECT_EQ_MSG(test, fmt->leaf_flags(pte), canon,
			    "level %u flags %#x", level, flags);
	/* What a split re-encodes must be the same entry. */
	KUNIT_EXPECT_EQ(test, axas_npt_mk_leaf(fmt, pa, level,
					       fmt->leaf_flags(pte)), pte);
	if ((flags & (AXAS_READ | AXAS_WRITE)) == AXAS_WRITE)
		return;	/* write-only: not encodable in EPT and RISC-V */
	KUNIT_EXPECT_EQ_MSG(test, npt_ref_decode_leaf(tc, pte, level, &ref_pa,
						      &ref_flags), 0,
			    "level %u flags %#x pte %#llx", level, flags, pte);
	KUNIT_EXPECT_EQ(test, ref_pa, pa);
	KUNIT_EXPECT_EQ(test, ref_flags, canon);
}

static void npt_fmt_roundtrip_test(struct kunit *test)
{
	const struct npt_tcase *tc = test->param_value;
	const struct axas_npt_fmt *fmt = axas_npt_fmt_get(tc->id);
	unsigned int level, i;
	u64 pa, pte;
	u32 flags;

	KUNIT_ASSERT_NOT_NULL(test, fmt);
	for (level = 0; level < AXAS_NPT_LEAF_LEVELS; level++) {
		KUNIT_EXPECT_TRUE(test, fmt->leaf_levels & BIT(level));
		for (flags = 0; flags <= AXAS_PROT_MASK; flags++) {
			if (!(flags & AXAS_NPT_PERM))
				continue;
			for (i = 0; i < 4; i++)
				npt_fmt_roundtrip_one(test, fmt, level,
						      npt_fmt_probe_pa(tc, level, i),
						      flags);
		}
	}
	pa = npt_fmt_probe_pa(tc, 0, 3);
	pte = axas_npt_mk_table(fmt, pa);
	for (level = 1; level < tc->levels; level++)
		KUNIT_EXPECT_TRUE(test, axas_npt_pte_is_table(fmt, pte, level));
	KUNIT_EXPECT_FALSE(test, axas_npt_pte_is_table(fmt, pte, 0));
	KUNIT_EXPECT_EQ(test, axas_npt_pte_to_pa(fmt, pte), pa);
	KUNIT_EXPECT_EQ(test, axas_npt_mk_table(fmt, 0), tc->table_low);
}

static void npt_fmt_golden_test(struct kunit *test)
{
	struct npt_tctx *t = npt_tctx_new(test);
	const struct npt_tcase *tc = t->tc;
	u64 root = axas_npt_root_hpa(&t->npt), gpa, pte, size;
	bool xo = axas_npt_set_ept_exec_only(true);	/* EPT's 4th golden */
	const struct npt_golden *g;
	struct npt_ref ref;
	unsigned int i, j;

	KUNIT_EXPECT_EQ(test, axas_npt_hw_root(&t->npt),
			npt_tcase_hw_root(tc, root));
	KUNIT_EXPECT_EQ(test, axas_npt_hw_ctl(&t->npt), tc->hw_ctl);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(root, SZ_4K_ULL * tc->root_pages));
	KUNIT_EXPECT_EQ(test, axas_npt_table_pages(&t->npt), tc->root_pages);
	for (i = 0; i < NPT_T_GOLDEN; i++) {
		g = &tc->golden[i];
		pte = axas_npt_mk_leaf(t->fmt, g->hpa, g->level, g->flags);
		KUNIT_EXPECT_EQ_MSG(test, pte, g->pte, "golden %u", i);
		gpa = BIT_ULL(tc->gpa_bits - 1) + i * SZ_1G_ULL;
		size = AXAS_NPT_LEVEL_SIZE(g->level);
		KUNIT_ASSERT_EQ(test, npt_t_map(t, gpa, g->hpa, size, g->flags,
						true), 0);
		KUNIT_ASSERT_EQ(test, npt_ref_walk(tc, root, gpa, &ref), 0);
		KUNIT_EXPECT_EQ_MSG(test, ref.pte, g->pte, "golden %u", i);
		KUNIT_EXPECT_EQ(test, ref.level, g->level);
		for (j = 0; j < tc->levels - 1 - g->level; j++)
			KUNIT_EXPECT_EQ(test, ref.path[j] & GENMASK_ULL(9, 0),
					tc->table_low);
		npt_ref_agrees(t, gpa);
	}
	axas_npt_set_ept_exec_only(xo);
	npt_tctx_free(t);
}

/* Execute-only: refused where the format (on this host) cannot express it. */
static void npt_fmt_exec_only_check(struct kunit *test, struct npt_tctx *t)
{
	static const u32 xo[] = { AXAS_EXEC, AXAS_EXEC | AXAS_USER };
	int want = npt_t_exec_only(t->tc) ? 0 : -EINVAL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xo); i++) {
		KUNIT_EXPECT_EQ(test, axas_npt_flags_ok(&t->npt, xo[i]), !want);
		KUNIT_EXPECT_EQ(test, npt_t_map(t, 0, 0, SZ_4K_ULL, xo[i], true),
				want);
		KUNIT_EXPECT_EQ(test, npt_t_protect(t, 0, SZ_4K_ULL, xo[i]),
				want);
		KUNIT_EXPECT_EQ(test, npt_t_unmap(t, 0, SZ_4K_ULL), 0);
		KUNIT_EXPECT_EQ(test, npt_t_map_page(t, 0, 0, xo[i]), want);
		KUNIT_EXPECT_EQ(test, npt_t_unmap(t, 0, SZ_4K_ULL), 0);
	}
	KUNIT_EXPECT_TRUE(test, axas_npt_flags_ok(&t->npt, AXAS_READ |
						  AXAS_EXEC));
	KUNIT_EXPECT_EQ(test, axas_npt_table_pages(&t->npt), t->tc->root_pages);
}

/* EPT both ways: with and without the host's execute-only support. */
static void npt_fmt_exec_only_test(struct kunit *test)
{
	struct npt_tctx *t = npt_tctx_new(test);
	bool host = axas_npt_set_ept_exec_only(false);

	KUNIT_EXPECT_EQ(test, npt_t_exec_only(t->tc),
			t->tc->family != NPT_T_EPT && t->tc->family != NPT_T_NPT);
	npt_fmt_exec_only_check(test, t);
	axas_npt_set_ept_exec_only(true);
	KUNIT_EXPECT_EQ(test, npt_t_exec_only(t->tc), t->tc->family != NPT_T_NPT);
	npt_fmt_exec_only_check(test, t);
	axas_npt_set_ept_exec_only(host);
	kunit_info(test, "host EPT execute-only support: %d\n", host);
	npt_tctx_free(t);
}

static void npt_fmt_args_test(struct kunit *test)
{
	static const u32 bad_flags[] = {
		0, AXAS_USER, AXAS_DEVICE | AXAS_UNCACHED, AXAS_WRITE,
		AXAS_WRITE | AXAS_EXEC, AXAS_READ | BIT(6),
		AXAS_READ | AXAS_MAP_POPULATE,
	};
	struct npt_tctx *t = npt_tctx_new(test);
	u64 top = BIT_ULL(t->tc->gpa_bits), pa_top = BIT_ULL(t->tc->pa_bits);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		KUNIT_EXPECT_EQ(test, npt_t_map(t, 0, 0, SZ_4K_ULL,
						bad_flags[i], true), -EINVAL);
		KUNIT_EXPECT_EQ(test, npt_t_map_page(t, 0, 0, bad_flags[i]),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, npt_t_protect(t, 0, SZ_4K_ULL,
						    bad_flags[i]), -EINVAL);
	}
	KUNIT_EXPECT_EQ(test, npt_t_map(t, 0x800, 0, SZ_4K_ULL, AXAS_READ,
					true), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_t_map(t, 0, 0x800, SZ_4K_ULL, AXAS_READ,
					true), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_t_map(t, 0, 0, 0x800, AXAS_READ, true),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, npt_t_map(t, 0, 0, 0, AXAS_READ, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_t_map(t, top, 0, SZ_4K_ULL, AXAS_READ, true),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, npt_t_map(t, top - SZ_4K_ULL, 0, 2 * SZ_4K_ULL,
					AXAS_READ, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_t_map(t, SZ_4K_ULL, 0, ~0ULL & ~0xfffULL,
					AXAS_READ, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_t_map(t, 0, pa_top - SZ_4K_ULL,
					2 * SZ_4K_ULL, AXAS_READ, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_t_map_page(t, 0, pa_top, AXAS_READ), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_t_unmap(t, top, SZ_4K_ULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_t_unmap(t, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, npt_t_protect(t, top - SZ_4K_ULL, 2 * SZ_4K_ULL,
					    AXAS_READ), -EINVAL);
	/* Nothing of that left a trace. */
	KUNIT_EXPECT_EQ(test, axas_npt_table_pages(&t->npt), t->tc->root_pages);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->hal.allocs),
			(long)t->tc->root_pages);
	KUNIT_EXPECT_EQ(test, t->flush.calls, 0U);
	npt_tctx_free(t);
}

/* The default HAL: zeroed pages from alloc_pages(), root aligned. */
static void npt_fmt_default_hal_test(struct kunit *test)
{
	const struct npt_tcase *tc = test->param_value;
	struct axas_npt_cfg cfg = { .fmt = axas_npt_fmt_get(tc->id) };
	struct axas_npt npt;
	struct axas_npt_leaf leaf;
	u64 gpa = BIT_ULL(tc->gpa_bits) - SZ_2M_ULL;

	KUNIT_ASSERT_EQ(test, axas_npt_init(&npt, &cfg), 0);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(axas_npt_root_hpa(&npt),
					   SZ_4K_ULL * tc->root_pages));
	KUNIT_EXPECT_EQ(test, axas_npt_map(&npt, gpa, SZ_2M_ULL, SZ_2M_ULL,
					   AXAS_READ, 0), 0);
	KUNIT_EXPECT_EQ(test, axas_npt_table_pages(&npt),
			tc->root_pages + tc->levels - 1);
	KUNIT_EXPECT_EQ(test, axas_npt_query(&npt, gpa + SZ_4K_ULL, &leaf), 0);
	KUNIT_EXPECT_EQ(test, leaf.hpa, SZ_2M_ULL + SZ_4K_ULL);
	KUNIT_EXPECT_EQ(test, axas_npt_unmap(&npt, gpa, SZ_2M_ULL), 0);
	KUNIT_EXPECT_EQ(test, axas_npt_table_pages(&npt), tc->root_pages);
	axas_npt_destroy(&npt);
}

static struct kunit_case npt_fmt_cases[] = {
	KUNIT_CASE_PARAM(npt_fmt_geometry_test, npt_fmt_gen_params),
	KUNIT_CASE(npt_fmt_lookup_test),
	KUNIT_CASE_PARAM(npt_fmt_roundtrip_test, npt_fmt_gen_params),
	KUNIT_CASE_PARAM(npt_fmt_golden_test, npt_fmt_gen_params),
	KUNIT_CASE_PARAM(npt_fmt_args_test, npt_fmt_gen_params),
	KUNIT_CASE_PARAM(npt_fmt_exec_only_test, npt_fmt_gen_params),
	KUNIT_CASE_PARAM(npt_fmt_default_hal_test, npt_fmt_gen_params),
	{}
};

static struct kunit_suite npt_fmt_suite = {
	.name = "axas_npt_fmt",
	.test_cases = npt_fmt_cases,
};

kunit_test_suite(npt_fmt_suite);
