// SPDX-License-Identifier: GPL-2.0
/*
 * Shared pieces of the nested page table suites. Everything about formats
 * here is written from formats.rst and userspace-api.rst, not from npt/: the case
 * table of every suite (formats.h), the golden entries and the reference
 * walker.
 */
#include <kunit/resource.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "kunit/npt_test.h"

#define R	AXAS_READ
#define W	AXAS_WRITE
#define X	AXAS_EXEC
#define U	AXAS_USER
#define DEV	AXAS_DEVICE
#define UC	AXAS_UNCACHED

/* The same five leaves in every format; entries worked out from formats.rst. */
#define EPT_GOLDEN {							\
	{ 0x123456000ULL, 0, R | W | X, 0x0000000123456037ULL },	\
	{ 0xffffffffff000ULL, 0, R | DEV, 0x000ffffffffff001ULL },	\
	{ 0x4000200000ULL, 1, R | W | UC, 0x0000004000200083ULL },	\
	{ 0x80c0000000ULL, 2, X, 0x00000080c00000b4ULL },		\
	{ 0x1000ULL, 0, R | U | DEV | UC, 0x0000000000001001ULL },	\
}

#define ARM_GOLDEN {							\
	{ 0x123456000ULL, 0, R | W | X, 0x00000001234567ffULL },	\
	{ 0xfffffffff000ULL, 0, R | DEV, 0x0040fffffffff747ULL },	\
	{ 0x4000200000ULL, 1, R | W | UC, 0x00400040002007d5ULL },	\
	{ 0x80c0000000ULL, 2, X, 0x00000080c000073dULL },		\
	{ 0x1000ULL, 0, R | U | DEV | UC, 0x0040000000001757ULL },	\
}

#define RISCV_GOLDEN {							\
	{ 0x123456000ULL, 0, R | W | X, 0x0000000048d158dfULL },	\
	{ 0xfffffffffff000ULL, 0, R | DEV, 0x003ffffffffffc53ULL },	\
	{ 0x4000200000ULL, 1, R | W | UC, 0x00000010000800d7ULL },	\
	{ 0x80c0000000ULL, 2, X, 0x0000002030000059ULL },		\
	{ 0x1000ULL, 0, R | U | DEV | UC, 0x0000000000000453ULL },	\
}

/* NPT cannot express execute-only: the fourth leaf is R | X there. */
#define NPT_GOLDEN {							\
	{ 0x123456000ULL, 0, R | W | X, 0x0000000123456067ULL },	\
	{ 0xffffffffff000ULL, 0, R | DEV, 0x800ffffffffff03dULL },	\
	{ 0x4000200000ULL, 1, R | W | UC, 0x80000040002000ffULL },	\
	{ 0x80c0000000ULL, 2, R | X, 0x00000080c00000a5ULL },		\
	{ 0x1000ULL, 0, R | U | DEV | UC, 0x800000000000103dULL },	\
}

const struct npt_tcase npt_tcases[NPT_T_FORMATS] = {
	{
		.id = AXAS_FMT_X86_EPT4, .name = "ept4", .family = NPT_T_EPT,
		.levels = 4, .root_pages = 1, .gpa_bits = 48, .pa_bits = 52,
		.eptp_low = 0x1e, .table_low = 0x7, .golden = EPT_GOLDEN,
	}, {
		.id = AXAS_FMT_X86_EPT5, .name = "ept5", .family = NPT_T_EPT,
		.levels = 5, .root_pages = 1, .gpa_bits = 57, .pa_bits = 52,
		.eptp_low = 0x26, .table_low = 0x7, .golden = EPT_GOLDEN,
	}, {
		.id = AXAS_FMT_ARM64_S2_40, .name = "arm64-s2-40",
		.family = NPT_T_ARM, .levels = 3, .root_pages = 2,
		.gpa_bits = 40, .pa_bits = 48, .hw_ctl = 0x80003558,
		.table_low = 0x3, .golden = ARM_GOLDEN,
	}, {
		.id = AXAS_FMT_ARM64_S2_48, .name = "arm64-s2-48",
		.family = NPT_T_ARM, .levels = 4, .root_pages = 1,
		.gpa_bits = 48, .pa_bits = 48, .hw_ctl = 0x80003590,
		.table_low = 0x3, .golden = ARM_GOLDEN,
	}, {
		.id = AXAS_FMT_RISCV_SV39X4, .name = "riscv-sv39x4",
		.family = NPT_T_RISCV, .levels = 3, .root_pages = 4,
		.gpa_bits = 41, .pa_bits = 56, .hgatp_mode = 8,
		.table_low = 0x1, .golden = RISCV_GOLDEN,
	}, {
		.id = AXAS_FMT_RISCV_SV48X4, .name = "riscv-sv48x4",
		.family = NPT_T_RISCV, .levels = 4, .root_pages = 4,
		.gpa_bits = 50, .pa_bits = 56, .hgatp_mode = 9,
		.table_low = 0x1, .golden = RISCV_GOLDEN,
	}, {
		.id = AXAS_FMT_X86_NPT4, .name = "npt4", .family = NPT_T_NPT,
		.levels = 4, .root_pages = 1, .gpa_bits = 48, .pa_bits = 52,
		.table_low = 0x7, .golden = NPT_GOLDEN,
	}, {
		.id = AXAS_FMT_X86_NPT5, .name = "npt5", .family = NPT_T_NPT,
		.levels = 5, .root_pages = 1, .gpa_bits = 57, .pa_bits = 52,
		.table_low = 0x7, .golden = NPT_GOLDEN,
	}, {
		.id = AXAS_FMT_RISCV_SV57X4, .name = "riscv-sv57x4",
		.family = NPT_T_RISCV, .levels = 5, .root_pages = 4,
		.gpa_bits = 59, .pa_bits = 56, .hgatp_mode = 10,
		.table_low = 0x1, .golden = RISCV_GOLDEN,
	},
};

void npt_tcase_desc(const struct npt_tcase *tc, char *desc)
{
	strscpy(desc, tc->name, KUNIT_PARAM_DESC_SIZE);
}

u64 npt_tcase_hw_root(const struct npt_tcase *tc, u64 root)
{
	if (tc->hgatp_mode)
		return tc->hgatp_mode << 60 | root >> 12;
	return root | tc->eptp_low;
}

u32 npt_t_canon(const struct npt_tcase *tc, u32 flags)
{
	u32 perm = flags & AXAS_NPT_PERM;

	switch (tc->family) {
	case NPT_T_EPT:		/* UC for either */
		return perm | (flags & (DEV | UC) ? UC : 0);
	case NPT_T_ARM:		/* Normal-NC wins over Device */
		if (flags & UC)
			return perm | UC;
		return perm | (flags & DEV);
	case NPT_T_NPT:		/* a present leaf reads; UC for either */
		return perm | R | (flags & (DEV | UC) ? UC : 0);
	default:		/* the PMAs decide */
		return perm;
	}
}

/* EPT: only if the host CPU says so (or a test pretends it does). */
bool npt_t_exec_only(const struct npt_tcase *tc)
{
	if (tc->family == NPT_T_EPT)
		return axas_npt_ept_exec_only();
	return tc->family != NPT_T_NPT;
}

u32 npt_t_flags(const struct npt_tcase *tc, u32 flags)
{
	if ((flags & (R | X)) == X && !npt_t_exec_only(tc))
		flags |= R;
	return flags;
}

/* Pages held, once every RCU-deferred free has run. */
long npt_thal_live(struct npt_tctx *t)
{
	rcu_barrier();
	return thal_live_tables(&t->hal);
}

void npt_tflush_reset(struct npt_tflush *flush, u32 perm)
{
	flush->calls = 0;
	flush->nr = 0;
	flush->sorted = false;
	flush->overflow = false;
	flush->perm = perm;
	flush->bad = 0;
}

/* At flush time the break must be done: nothing left beyond @perm. */
static void npt_tflush_check(struct npt_tflush *flush, u64 gpa)
{
	struct axas_npt_leaf leaf;

	if (!axas_npt_query(flush->npt, gpa, &leaf) &&
	    (leaf.flags & AXAS_NPT_PERM & ~flush->perm))
		flush->bad++;
}

static void npt_tflush_range(void *priv, u64 gpa, u64 size)
{
	struct npt_tflush *flush = priv;
	struct npt_trange *last = flush->nr ? &flush->ranges[flush->nr - 1] :
				  NULL;

	flush->calls++;
	npt_tflush_check(flush, gpa);
	npt_tflush_check(flush, gpa + size - SZ_4K_ULL);
	if (last && last->end == gpa && !flush->sorted) {
		last->end += size;
	} else if (flush->nr < NPT_TFLUSH_MAX) {
		flush->ranges[flush->nr++] = (struct npt_trange) {
			.start = gpa, .end = gpa + size,
		};
		flush->sorted = false;
	} else {
		flush->overflow = true;
	}
}

static const struct axas_npt_flush_ops npt_tflush_ops = {
	.flush_range	= npt_tflush_range,
};

static int npt_trange_cmp(const void *a, const void *b)
{
	const struct npt_trange *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort the ranges and merge those that overlap or touch. */
static void npt_tflush_sort(struct npt_tflush *flush)
{
	struct npt_trange *r = flush->ranges;
	unsigned int i, nr = 0;

	sort(r, flush->nr, sizeof(*r), npt_trange_cmp, NULL);
	for (i = 0; i < flush->nr; i++) {
		if (nr && r[i].start <= r[nr - 1].end)
			r[nr - 1].end = max(r[nr - 1].end, r[i].end);
		else
			r[nr++] = r[i];
	}
	flush->nr = nr;
	flush->sorted = true;
}

/* Whether the recorded flushes together cover [@start, @end). */
bool npt_tflush_covers(struct npt_tflush *flush, u64 start, u64 end)
{
	unsigned int lo = 0, hi, mid;

	if (flush->overflow)
		return false;
	if (!flush->sorted)
		npt_tflush_sort(flush);
	hi = flush->nr;
	while (lo < hi) {	/* first range ending after @start */
		mid = (lo + hi) / 2;
		if (flush->ranges[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < flush->nr && flush->ranges[lo].start <= start &&
	       end <= flush->ranges[lo].end;
}

static int npt_t_vzalloc_init(struct kunit_resource *res, void *context)
{
	res->data = vzalloc(*(size_t *)context);
	return res->data ? 0 : -ENOMEM;
}

static void npt_t_vzalloc_free(struct kunit_resource *res)
{
	vfree(res->data);
}

/* vzalloc() freed when the test ends. */
void *npt_t_vzalloc(struct kunit *test, size_t size)
{
	return kunit_alloc_resource(test, npt_t_vzalloc_init,
				    npt_t_vzalloc_free, GFP_KERNEL, &size);
}

static int npt_tctx_res_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

/* A test that stopped early still frees its table. */
static void npt_tctx_res_free(struct kunit_resource *res)
{
	struct npt_tctx *t = res->data;

	if (t->npt.root)
		axas_npt_destroy(&t->npt);
}

struct npt_tctx *npt_tctx_new(struct kunit *test)
{
	const struct npt_tcase *tc = test->param_value;
	struct npt_tctx *t;
	struct axas_npt_cfg cfg;
	void *res;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->test = test;
	t->tc = tc;
	t->fmt = axas_npt_fmt_get(tc->id);
	KUNIT_ASSERT_NOT_NULL(test, t->fmt);
	init_rwsem(&t->lock);
	t->flush.npt = &t->npt;
	t->flush.ranges = npt_t_vzalloc(test, NPT_TFLUSH_MAX *
					sizeof(*t->flush.ranges));
	KUNIT_ASSERT_NOT_NULL(test, t->flush.ranges);
	cfg = (struct axas_npt_cfg) {
		.fmt		= t->fmt,
		.hal		= &thal_tables,
		.hal_priv	= &t->hal,
		.flush		= &npt_tflush_ops,
		.flush_priv	= &t->flush,
		.lock_map	= axas_npt_lock_map(&t->lock),
	};
	KUNIT_ASSERT_EQ(test, axas_npt_init(&t->npt, &cfg), 0);
	res = kunit_alloc_resource(test, npt_tctx_res_init, npt_tctx_res_free,
				   GFP_KERNEL, t);
	KUNIT_ASSERT_NOT_NULL(test, res);
	return t;
}

/* Destroy and check that every page came back and none was misaligned. */
void npt_tctx_free(struct npt_tctx *t)
{
	axas_npt_destroy(&t->npt);
	KUNIT_EXPECT_EQ(t->test, atomic_long_read(&t->hal.allocs),
			atomic_long_read(&t->hal.frees));
	KUNIT_EXPECT_EQ(t->test, atomic_read(&t->hal.misaligned), 0);
}

int npt_t_map(struct npt_tctx *t, u64 gpa, u64 hpa, u64 size, u32 flags,
	      bool huge)
{
	int ret;

	down_write(&t->lock);
	ret = axas_npt_map(&t->npt, gpa, hpa, size, flags,
			   huge ? AXAS_NPT_HUGE : 0);
	up_write(&t->lock);
	return ret;
}

int npt_t_map_page(struct npt_tctx *t, u64 gpa, u64 hpa, u32 flags)
{
	int ret;

	down_read(&t->lock);
	ret = axas_npt_map_page(&t->npt, gpa, hpa, flags);
	up_read(&t->lock);
	return ret;
}

int npt_t_probe(struct npt_tctx *t, u64 gpa, struct axas_npt_slot *slot)
{
	int ret;

	down_read(&t->lock);
	ret = axas_npt_probe(&t->npt, gpa, slot);
	up_read(&t->lock);
	return ret;
}

/*
 * The slot outlives the lock here, which only a test may do: nothing in it
 * unmaps, so the probed table stays linked.
 */
int npt_t_map_at(struct npt_tctx *t, const struct axas_npt_slot *slot,
		 u64 gpa, u64 hpa, u32 flags)
{
	int ret;

	down_read(&t->lock);
	ret = axas_npt_map_page_at(&t->npt, slot, gpa, hpa, flags);
	up_read(&t->lock);
	return ret;
}

/* A fault's two halves under one hold of the lock, as the space does. */
int npt_t_fault(struct npt_tctx *t, u64 gpa, u64 hpa, u32 flags)
{
	struct axas_npt_slot slot;
	int ret;

	down_read(&t->lock);
	ret = axas_npt_probe(&t->npt, gpa, &slot) ?:
	      axas_npt_map_page_at(&t->npt, &slot, gpa, hpa, flags);
	up_read(&t->lock);
	return ret;
}

int npt_t_unmap(struct npt_tctx *t, u64 gpa, u64 size)
{
	int ret;

	down_write(&t->lock);
	ret = axas_npt_unmap(&t->npt, gpa, size);
	up_write(&t->lock);
	return ret;
}

int npt_t_protect(struct npt_tctx *t, u64 gpa, u64 size, u32 flags)
{
	int ret;

	down_write(&t->lock);
	ret = axas_npt_protect(&t->npt, gpa, size, flags);
	up_write(&t->lock);
	return ret;
}

static int npt_t_count_leaf(void *arg, const struct axas_npt_leaf *leaf)
{
	long *count = arg;

	count[leaf->level]++;
	return 0;
}

/* Leaves per level in a range; returns their total. */
long npt_t_count_leaves(struct npt_tctx *t, u64 gpa, u64 size,
			long count[AXAS_NPT_LEAF_LEVELS])
{
	int ret;

	memset(count, 0, sizeof(long) * AXAS_NPT_LEAF_LEVELS);
	down_read(&t->lock);
	ret = axas_npt_walk_leaves(&t->npt, gpa, size, npt_t_count_leaf, count);
	up_read(&t->lock);
	KUNIT_EXPECT_EQ(t->test, ret, 0);
	return count[0] + count[1] + count[2];
}

static int npt_snap_page(void *arg, phys_addr_t pa, unsigned int level,
			 unsigned int index, const u64 *entries)
{
	struct npt_snap *snap = arg;
	struct axas_table_page *page;

	if (snap->pages) {
		page = &snap->pages[snap->nr];
		page->hpa = pa;
		page->level = level;
		page->index = index;
		memcpy(page->entries, entries, sizeof(page->entries));
	}
	snap->nr++;
	return 0;
}

/* Every table page, in dump order; the count must match table_pages. */
struct npt_snap *npt_snap_take(struct npt_tctx *t)
{
	struct kunit *test = t->test;
	struct npt_snap *snap;
	long nr;

	snap = kunit_kzalloc(test, sizeof(*snap), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, snap);
	down_read(&t->lock);
	nr = axas_npt_dump(&t->npt, npt_snap_page, snap);
	KUNIT_EXPECT_EQ(test, nr, (long)axas_npt_table_pages(&t->npt));
	snap->pages = kunit_kmalloc_array(test, nr, sizeof(*snap->pages),
					  GFP_KERNEL);
	if (snap->pages) {
		snap->nr = 0;
		KUNIT_EXPECT_EQ(test, axas_npt_dump(&t->npt, npt_snap_page, snap),
				nr);
	}
	up_read(&t->lock);
	KUNIT_ASSERT_NOT_NULL(test, snap->pages);
	return snap;
}

bool npt_snap_equal(struct npt_tctx *t, const struct npt_snap *a,
		    const struct npt_snap *b)
{
	return a->nr == b->nr &&
	       !memcmp(a->pages, b->pages, a->nr * sizeof(*a->pages));
}

enum { REF_EMPTY, REF_TABLE, REF_LEAF };

static bool ref_leaf_aligned(u64 pa, unsigned int level)
{
	return level <= 2 && IS_ALIGNED(pa, AXAS_NPT_LEVEL_SIZE(level));
}

/* EPT: formats.rst, first table. */
static int ref_ept(u64 pte, unsigned int level, u64 *pa, u32 *flags)
{
	u64 mt = (pte >> 3) & 7;

	if (!(pte & 7))
		return pte ? -EILSEQ : REF_EMPTY;
	*pa = pte & GENMASK_ULL(51, 12);
	if (pte & GENMASK_ULL(63, 52))
		return -EILSEQ;
	if (level && !(pte & BIT_ULL(7)))
		return (pte & GENMASK_ULL(11, 0)) == 7 ? REF_TABLE : -EILSEQ;
	if (!ref_leaf_aligned(*pa, level) || !!(pte & BIT_ULL(7)) != !!level ||
	    (pte & (BIT_ULL(6) | GENMASK_ULL(11, 8))) || (pte & 3) == 2 ||
	    (mt != 0 && mt != 6))
		return -EILSEQ;
	*flags = (pte & 1 ? R : 0) | (pte & 2 ? W : 0) | (pte & 4 ? X : 0) |
		 (mt ? 0 : UC);
	return REF_LEAF;
}

/* Arm stage 2: formats.rst, second table. */
static int ref_arm(u64 pte, unsigned int level, u64 *pa, u32 *flags)
{
	u64 attr = (pte >> 2) & 0xf;

	if (!(pte & 1))
		return pte ? -EILSEQ : REF_EMPTY;
	*pa = pte & GENMASK_ULL(47, 12);
	if (level && (pte & 3) == 3)
		return (pte & ~GENMASK_ULL(47, 12)) == 3 ? REF_TABLE : -EILSEQ;
	if (!ref_leaf_aligned(*pa, level) || (pte & 3) != (level ? 1 : 3) ||
	    (pte & ~(GENMASK_ULL(10, 0) | BIT_ULL(54) | GENMASK_ULL(47, 12))) ||
	    ((pte >> 8) & 3) != 3 || !(pte & BIT_ULL(10)) ||
	    (attr != 0xf && attr != 0x1 && attr != 0x5) ||
	    (pte & (BIT_ULL(6) | BIT_ULL(7))) == BIT_ULL(7))
		return -EILSEQ;
	*flags = (pte & BIT_ULL(6) ? R : 0) | (pte & BIT_ULL(7) ? W : 0) |
		 (pte & BIT_ULL(54) ? 0 : X) | (attr == 1 ? DEV : 0) |
		 (attr == 5 ? UC : 0);
	return REF_LEAF;
}

/* RISC-V G-stage: formats.rst, third table. */
static int ref_riscv(u64 pte, unsigned int level, u64 *pa, u32 *flags)
{
	u64 rwx = (pte >> 1) & 7;

	if (!(pte & 1))
		return pte ? -EILSEQ : REF_EMPTY;
	*pa = ((pte >> 10) & GENMASK_ULL(43, 0)) << 12;
	if (pte & (GENMASK_ULL(63, 54) | GENMASK_ULL(9, 8)))
		return -EILSEQ;
	if (!rwx)
		return level && !(pte & GENMASK_ULL(9, 1)) ? REF_TABLE : -EILSEQ;
	if (!ref_leaf_aligned(*pa, level) || rwx == 2 ||
	    !(pte & BIT_ULL(4)) || (pte & BIT_ULL(5)) || !(pte & BIT_ULL(6)) ||
	    !!(pte & BIT_ULL(7)) != !!(pte & BIT_ULL(2)))
		return -EILSEQ;
	*flags = (rwx & 1 ? R : 0) | (rwx & 2 ? W : 0) | (rwx & 4 ? X : 0);
	return REF_LEAF;
}

/* AMD NPT: formats.rst, fourth table. */
static int ref_npt(u64 pte, unsigned int level, u64 *pa, u32 *flags)
{
	u64 low = pte & GENMASK_ULL(11, 0);

	if (!(pte & 1))
		return pte ? -EILSEQ : REF_EMPTY;
	*pa = pte & GENMASK_ULL(51, 12);
	if (pte & GENMASK_ULL(62, 52))
		return -EILSEQ;
	if (level && !(pte & BIT_ULL(7)))
		return !(pte & BIT_ULL(63)) && low == 7 ? REF_TABLE : -EILSEQ;
	if (!ref_leaf_aligned(*pa, level) || !!(pte & BIT_ULL(7)) != !!level ||
	    (low & GENMASK_ULL(11, 8)) || !(low & BIT(2)) || !(low & BIT(5)) ||
	    !!(low & BIT(6)) != !!(low & BIT(1)) ||
	    !!(low & BIT(3)) != !!(low & BIT(4)))
		return -EILSEQ;
	*flags = R | (low & BIT(1) ? W : 0) | (pte & BIT_ULL(63) ? 0 : X) |
		 (low & BIT(4) ? UC : 0);
	return REF_LEAF;
}

static int ref_decode(const struct npt_tcase *tc, u64 pte, unsigned int level,
		      u64 *pa, u32 *flags)
{
	switch (tc->family) {
	case NPT_T_EPT:
		return ref_ept(pte, level, pa, flags);
	case NPT_T_ARM:
		return ref_arm(pte, level, pa, flags);
	case NPT_T_NPT:
		return ref_npt(pte, level, pa, flags);
	default:
		return ref_riscv(pte, level, pa, flags);
	}
}

/* A leaf alone: 0 with its address and flags, or -EILSEQ / -ENOENT. */
int npt_ref_decode_leaf(const struct npt_tcase *tc, u64 pte,
			unsigned int level, u64 *pa, u32 *flags)
{
	int ret = ref_decode(tc, pte, level, pa, flags);

	if (ret < 0)
		return ret;
	return ret == REF_LEAF ? 0 : ret == REF_EMPTY ? -ENOENT : -EILSEQ;
}

/* Index bits of the root: what is left of gpa_bits above the lower levels. */
static unsigned int ref_root_bits(const struct npt_tcase *tc)
{
	return tc->gpa_bits - 12 - 9 * (tc->levels - 1);
}

int npt_ref_walk(const struct npt_tcase *tc, phys_addr_t root, u64 gpa,
		 struct npt_ref *ref)
{
	unsigned int level = tc->levels - 1, bits = ref_root_bits(tc);
	u64 pa = root, pte;
	int ret;

	memset(ref, 0, sizeof(*ref));
	for (;;) {
		pte = ((u64 *)phys_to_virt(pa))[(gpa >> (12 + 9 * level)) &
						 (BIT_ULL(bits) - 1)];
		ref->path[tc->levels - 1 - level] = pte;
		ret = ref_decode(tc, pte, level, &pa, &ref->flags);
		if (ret < 0)
			return ret;
		if (ret == REF_EMPTY)
			return -ENOENT;
		if (ret == REF_LEAF)
			break;
		level--;
		bits = 9;
	}
	ref->hpa = pa + (gpa & (AXAS_NPT_LEVEL_SIZE(level) - 1));
	ref->level = level;
	ref->pte = pte;
	return 0;
}

static long ref_count(const struct npt_tcase *tc, u64 pa, unsigned int level,
		      unsigned int nr)
{
	const u64 *table = phys_to_virt(pa);
	long count = 0, sub;
	unsigned int i;
	u32 flags;
	u64 next;
	int ret;

	for (i = 0; i < nr; i++) {
		ret = ref_decode(tc, table[i], level, &next, &flags);
		if (ret < 0)
			return ret;
		if (ret != REF_TABLE)
			continue;
		sub = ref_count(tc, next, level - 1, 512);
		if (sub < 0)
			return sub;
		count += 1 + sub;
	}
	return count;
}

/* Table pages reachable from the root; every entry must be well formed. */
long npt_ref_count_tables(const struct npt_tcase *tc, phys_addr_t root)
{
	long count = ref_count(tc, root, tc->levels - 1, 512 * tc->root_pages);

	return count < 0 ? count : count + tc->root_pages;
}

bool npt_ref_agrees(struct npt_tctx *t, u64 gpa)
{
	struct axas_npt_leaf leaf;
	struct npt_ref ref;
	int qret, rret;

	qret = axas_npt_query(&t->npt, gpa, &leaf);
	rret = npt_ref_walk(t->tc, axas_npt_root_hpa(&t->npt), gpa, &ref);
	if (qret || rret) {
		if (qret == rret)
			return true;
		KUNIT_FAIL(t->test, "gpa %#llx: query %d, reference %d",
			   gpa, qret, rret);
		return false;
	}
	if (leaf.hpa + (gpa - leaf.gpa) == ref.hpa && leaf.level == ref.level &&
	    leaf.size == AXAS_NPT_LEVEL_SIZE(ref.level) &&
	    leaf.flags == ref.flags && leaf.gpa <= gpa &&
	    gpa - leaf.gpa < leaf.size)
		return true;
	KUNIT_FAIL(t->test,
		   "gpa %#llx: query hpa %#llx level %u flags %#x, reference hpa %#llx level %u flags %#x",
		   gpa, leaf.hpa + (gpa - leaf.gpa), leaf.level, leaf.flags,
		   ref.hpa, ref.level, ref.flags);
	return false;
}
