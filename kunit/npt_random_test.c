// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite: random map/unmap/protect sequences in every format against
 * a simple model of a 4 GiB window at the top of the input space. After
 * every operation: its return value, sampled query results, the exact
 * table-page count, the mapped bytes, and that every unmap, split and
 * permission change was flushed over its range. Every 2000 operations:
 * every leaf.
 *
 * The model keeps one record per 1 GiB block, per 2 MiB block and per
 * 4 KiB page; a block record that holds a leaf overrides what is below it.
 * Which leaves exist follows the contract: map uses the largest leaves the
 * alignment allows, a split makes the largest leaves that still fit.
 */
#include <kunit/test.h>

#include "kunit/npt_test.h"

KUNIT_ARRAY_PARAM(npt_rnd, npt_tcases, npt_tcase_desc);

#define RND_OPS		10000
#define RND_FULL_EVERY	2000
#define RND_1G		4
#define RND_2M		(RND_1G * 512)
#define RND_PAGES	(RND_2M * 512ULL)
#define PG_2M		512ULL			/* pages in 2 MiB */
#define PG_1G		(512ULL * 512)		/* pages in 1 GiB */
#define RND_HOT		16

#define M_PRESENT	BIT_ULL(8)	/* a page, or a block that is one leaf */
#define M_FLAGS		GENMASK_ULL(5, 0)
#define M_HPA		GENMASK_ULL(63, 12)

struct npt_rnd_op {
	int kind;		/* 0 map, 1 unmap, 2 protect */
	u64 p0;
	u64 pages;
	u64 hpa;
	u32 flags;
	bool huge;
	bool single;		/* map through map_page() */
};

struct npt_model {
	struct npt_tctx *t;
	const struct npt_rnd_op *cur;
	u64 base;
	u64 rec1[RND_1G];
	u64 rec2[RND_2M];
	u64 *rec4;
	u16 n4[RND_2M];		/* present pages in a 2 MiB block */
	u16 n2[RND_1G];		/* non-empty 2 MiB blocks in a 1 GiB block */
	long nt0;		/* level 0 tables: blocks with n4 > 0 */
	long nt1;		/* level 1 tables: 1 GiB blocks with n2 > 0 */
	u64 mapped;
	u64 rng;
	unsigned int hot[RND_HOT];
	unsigned int op;
	bool failed;
};

struct npt_mleaf {
	bool present;
	unsigned int level;
	u64 hpa;
	u32 flags;
};

static const u32 npt_rnd_flags[] = {
	AXAS_READ, AXAS_READ | AXAS_WRITE, AXAS_READ | AXAS_EXEC,
	AXAS_READ | AXAS_WRITE | AXAS_EXEC, AXAS_EXEC,
	AXAS_READ | AXAS_DEVICE, AXAS_READ | AXAS_WRITE | AXAS_UNCACHED,
	AXAS_READ | AXAS_USER, AXAS_READ | AXAS_WRITE | AXAS_DEVICE |
	AXAS_UNCACHED,
};

static u64 m_rand(struct npt_model *m)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng;
}

static void m_fail(struct npt_model *m, const char *what, u64 p)
{
	struct npt_tflush *f = &m->t->flush;
	unsigned int i;

	if (m->failed)
		return;
	m->failed = true;
	KUNIT_FAIL(m->t->test, "op %u: %s at gpa %#llx", m->op, what,
		   m->base + p * SZ_4K_ULL);
	kunit_info(m->t->test, "op kind %d gpa %#llx pages %#llx hpa %#llx flags %#x huge %d\n",
		   m->cur->kind, m->base + m->cur->p0 * SZ_4K_ULL,
		   m->cur->pages, m->cur->hpa, m->cur->flags, m->cur->huge);
	for (i = 0; i < min(f->nr, 16U); i++)
		kunit_info(m->t->test, "flushed %#llx-%#llx\n",
			   f->ranges[i].start, f->ranges[i].end);
}

static void m_n2_add(struct npt_model *m, unsigned int blk, int d)
{
	bool was = m->n2[blk];

	m->n2[blk] += d;
	if (was != !!m->n2[blk])
		m->nt1 += was ? -1 : 1;
}

static void m_n4_add(struct npt_model *m, unsigned int blk, int d)
{
	bool was = m->n4[blk];

	m->n4[blk] += d;
	if (was == !!m->n4[blk])
		return;
	m->nt0 += was ? -1 : 1;
	m_n2_add(m, blk / 512, was ? -1 : 1);
}

static struct npt_mleaf m_get(struct npt_model *m, u64 p)
{
	struct npt_mleaf leaf = { .present = true };
	u64 rec, off;

	if (m->rec1[p / PG_1G] & M_PRESENT) {
		rec = m->rec1[p / PG_1G];
		leaf.level = 2;
		off = p % PG_1G;
	} else if (m->rec2[p / PG_2M] & M_PRESENT) {
		rec = m->rec2[p / PG_2M];
		leaf.level = 1;
		off = p % PG_2M;
	} else if (m->rec4[p] & M_PRESENT) {
		rec = m->rec4[p];
		leaf.level = 0;
		off = 0;
	} else {
		return (struct npt_mleaf) { .present = false };
	}
	leaf.hpa = (rec & M_HPA) + off * SZ_4K_ULL;
	leaf.flags = rec & M_FLAGS;
	return leaf;
}

/* Pages [p, p + n) must be covered by this operation's flushes. */
static void m_need_flush(struct npt_model *m, u64 p, u64 n)
{
	u64 gpa = m->base + p * SZ_4K_ULL;

	if (!npt_tflush_covers(&m->t->flush, gpa, gpa + n * SZ_4K_ULL))
		m_fail(m, "range changed without a flush", p);
}

static void m_split1(struct npt_model *m, unsigned int blk)
{
	u64 rec = m->rec1[blk];
	unsigned int i;

	m_need_flush(m, blk * PG_1G, PG_1G);
	m->rec1[blk] = 0;
	for (i = 0; i < 512; i++) {
		m->rec2[blk * 512 + i] = rec + i * SZ_2M_ULL;
		m_n2_add(m, blk, 1);
	}
}

static void m_split2(struct npt_model *m, unsigned int blk)
{
	u64 rec = m->rec2[blk];
	unsigned int i;

	m_need_flush(m, blk * PG_2M, PG_2M);
	m->rec2[blk] = 0;
	m_n2_add(m, blk / 512, -1);
	for (i = 0; i < 512; i++)
		m->rec4[blk * PG_2M + i] = rec + i * SZ_4K_ULL;
	m_n4_add(m, blk, 512);
}

/* A leaf that edge @p cuts becomes the largest leaves that still fit. */
static void m_split_edge(struct npt_model *m, u64 p)
{
	if (p >= RND_PAGES)
		return;
	if ((m->rec1[p / PG_1G] & M_PRESENT) && p % PG_1G)
		m_split1(m, p / PG_1G);
	if ((m->rec2[p / PG_2M] & M_PRESENT) && p % PG_2M)
		m_split2(m, p / PG_2M);
}

static bool m_overlaps(struct npt_model *m, u64 p, u64 end)
{
	while (p < end) {
		if ((m->rec1[p / PG_1G] | m->rec2[p / PG_2M]) & M_PRESENT)
			return true;
		if (!m->n4[p / PG_2M]) {
			p = round_up(p + 1, PG_2M);
			continue;
		}
		if (m->rec4[p++] & M_PRESENT)
			return true;
	}
	return false;
}

static void m_map(struct npt_model *m, u64 p0, u64 end, u64 hpa0, u32 flags,
		  bool huge)
{
	u64 p = p0, hpa;

	while (p < end) {
		hpa = hpa0 + (p - p0) * SZ_4K_ULL;
		if (huge && !(p % PG_1G) && p + PG_1G <= end &&
		    IS_ALIGNED(hpa, SZ_1G_ULL)) {
			m->rec1[p / PG_1G] = hpa | M_PRESENT | flags;
			p += PG_1G;
		} else if (huge && !(p % PG_2M) && p + PG_2M <= end &&
			   IS_ALIGNED(hpa, SZ_2M_ULL)) {
			m->rec2[p / PG_2M] = hpa | M_PRESENT | flags;
			m_n2_add(m, p / PG_1G, 1);
			p += PG_2M;
		} else {
			m->rec4[p] = hpa | M_PRESENT | flags;
			m_n4_add(m, p / PG_2M, 1);
			p++;
		}
	}
	m->mapped += (end - p0) * SZ_4K_ULL;
}

/* Leaf record at @p after the edges were split: covered whole. */
static u64 *m_leaf_at(struct npt_model *m, u64 p, u64 *pages)
{
	if (m->rec1[p / PG_1G] & M_PRESENT) {
		*pages = PG_1G;
		return &m->rec1[p / PG_1G];
	}
	if (m->rec2[p / PG_2M] & M_PRESENT) {
		*pages = PG_2M;
		return &m->rec2[p / PG_2M];
	}
	*pages = 1;
	return m->rec4[p] & M_PRESENT ? &m->rec4[p] : NULL;
}

static void m_unmap_leaf(struct npt_model *m, u64 p, u64 *rec, u64 pages)
{
	m_need_flush(m, p, pages);
	*rec = 0;
	if (pages == PG_2M)
		m_n2_add(m, p / PG_1G, -1);
	else if (pages == 1)
		m_n4_add(m, p / PG_2M, -1);
	m->mapped -= pages * SZ_4K_ULL;
}

/* A permission change or a new memory type must have been flushed. */
static void m_protect_leaf(struct npt_model *m, u64 p, u64 *rec, u64 pages,
			   u32 flags)
{
	u32 old = *rec & M_FLAGS;

	if (old == flags)
		return;
	if (old != flags)
		m_need_flush(m, p, pages);
	*rec = (*rec & ~M_FLAGS) | flags;
}

/* Unmap (@unmap) or protect to @flags, pages [p, end). */
static void m_change(struct npt_model *m, u64 p, u64 end, bool unmap,
		     u32 flags)
{
	u64 *rec, pages;

	m_split_edge(m, p);
	m_split_edge(m, end);
	while (p < end) {
		if (!(m->rec1[p / PG_1G] | m->rec2[p / PG_2M]) &&
		    !m->n4[p / PG_2M]) {
			p = round_up(p + 1, PG_2M);
			continue;
		}
		rec = m_leaf_at(m, p, &pages);
		if (rec && (p % pages || p + pages > end))
			m_fail(m, "model: leaf sticks out", p);
		else if (rec && unmap)
			m_unmap_leaf(m, p, rec, pages);
		else if (rec)
			m_protect_leaf(m, p, rec, pages, flags);
		p = round_down(p, pages) + pages;
	}
}

static void m_check_page(struct npt_model *m, u64 p)
{
	struct npt_mleaf want = m_get(m, p);
	u64 gpa = m->base + p * SZ_4K_ULL;
	struct axas_npt_leaf leaf;
	int ret;

	ret = axas_npt_query(&m->t->npt, gpa, &leaf);
	if (ret != (want.present ? 0 : -ENOENT))
		m_fail(m, want.present ? "not mapped" : "mapped", p);
	else if (want.present && (leaf.hpa + (gpa - leaf.gpa) != want.hpa ||
				  leaf.level != want.level ||
				  leaf.flags != want.flags))
		m_fail(m, "wrong leaf", p);
}

static long m_tables(struct npt_model *m)
{
	const struct npt_tcase *tc = m->t->tc;
	long upper = 0;
	unsigned int i;

	/* Tables between the root and level 1, on the window's path. */
	for (i = 0; i < RND_1G; i++)
		if ((m->rec1[i] & M_PRESENT) || m->n2[i])
			upper = tc->levels - 3;
	return tc->root_pages + upper + m->nt1 + m->nt0;
}

/* After every operation: samples in and around [p0, end), and counts. */
static void m_check(struct npt_model *m, u64 p0, u64 end)
{
	struct npt_tctx *t = m->t;
	unsigned int i;

	m_check_page(m, p0);
	m_check_page(m, end - 1);
	if (p0)
		m_check_page(m, p0 - 1);
	if (end < RND_PAGES)
		m_check_page(m, end);
	for (i = 0; i < 2; i++) {
		m_check_page(m, p0 + m_rand(m) % (end - p0));
		m_check_page(m, m_rand(m) % RND_PAGES);
	}
	if (axas_npt_table_pages(&t->npt) != m_tables(m)) {
		KUNIT_FAIL(t->test, "op %u: %lu table pages, model %ld", m->op,
			   axas_npt_table_pages(&t->npt), m_tables(m));
		m->failed = true;
	}
	if (axas_npt_mapped_bytes(&t->npt) != m->mapped)
		m_fail(m, "mapped bytes differ", p0);
	if (t->flush.bad || t->flush.overflow)
		m_fail(m, "flushed before the break, or too many flushes", p0);
}

static int m_check_leaf(void *arg, const struct axas_npt_leaf *leaf)
{
	struct npt_model *m = arg;
	u64 p = (leaf->gpa - m->base) / SZ_4K_ULL;
	struct npt_mleaf want = m_get(m, p);

	if (!want.present || want.level != leaf->level ||
	    want.hpa != leaf->hpa || want.flags != leaf->flags ||
	    leaf->size != AXAS_NPT_LEVEL_SIZE(leaf->level))
		m_fail(m, "leaf differs from the model", p);
	m->mapped -= leaf->size;
	return 0;
}

/* Every leaf against the model; every table reachable and well formed. */
static void m_check_full(struct npt_model *m)
{
	struct npt_tctx *t = m->t;
	u64 mapped = m->mapped;
	long tables;
	int ret;

	down_read(&t->lock);
	ret = axas_npt_walk_leaves(&t->npt, m->base, RND_PAGES * SZ_4K_ULL,
				   m_check_leaf, m);
	up_read(&t->lock);
	KUNIT_EXPECT_EQ(t->test, ret, 0);
	if (m->mapped)
		m_fail(m, "leaves do not add up to the mapped bytes", 0);
	m->mapped = mapped;
	tables = npt_ref_count_tables(t->tc, axas_npt_root_hpa(&t->npt));
	KUNIT_EXPECT_EQ(t->test, tables, m_tables(m));
	KUNIT_EXPECT_EQ(t->test, npt_thal_live(t), m_tables(m));
}

/* Mostly small operations near a few hot 2 MiB blocks; some big ones. */
static void m_pick(struct npt_model *m, struct npt_rnd_op *op)
{
	unsigned int g = m_rand(m) % 100;
	u64 unit, count, align;

	op->kind = m_rand(m) % 100;
	op->kind = op->kind < 45 ? 0 : op->kind < 80 ? 1 : 2;
	unit = g < 60 ? 1 : g < 95 ? PG_2M : PG_1G;
	count = unit == 1 ? 1 + m_rand(m) % 16 : unit == PG_2M ?
		1 + m_rand(m) % 4 : 1;
	op->pages = unit * count;
	if (unit == 1 && m_rand(m) % 10 < 7)
		op->p0 = m->hot[m_rand(m) % RND_HOT] * PG_2M +
			 m_rand(m) % PG_2M;
	else
		op->p0 = m_rand(m) % (RND_PAGES / unit) * unit;
	op->p0 = min(op->p0, RND_PAGES - op->pages);
	align = m_rand(m) % 10 < 8 ? unit : unit == PG_1G ? PG_2M : 1;
	op->hpa = (m_rand(m) & GENMASK_ULL(33, 0) & ~(align - 1)) * SZ_4K_ULL;
	op->flags = npt_t_flags(m->t->tc, npt_rnd_flags[m_rand(m) %
						 ARRAY_SIZE(npt_rnd_flags)]);
	op->huge = unit == PG_1G || m_rand(m) % 10;
	op->single = op->pages == 1 && m_rand(m) % 2;
}

static void m_step(struct npt_model *m, const struct npt_rnd_op *op)
{
	u64 gpa = m->base + op->p0 * SZ_4K_ULL, size = op->pages * SZ_4K_ULL;
	u64 end = op->p0 + op->pages;
	u32 canon = npt_t_canon(m->t->tc, op->flags);
	struct npt_tctx *t = m->t;
	int ret, want = 0;

	m->cur = op;
	npt_tflush_reset(&t->flush, op->kind == 2 ? canon : 0);
	if (op->kind == 0) {
		ret = op->single ? npt_t_map_page(t, gpa, op->hpa, op->flags) :
		      npt_t_map(t, gpa, op->hpa, size, op->flags, op->huge);
		if (m_overlaps(m, op->p0, end))
			want = -EEXIST;
		else
			m_map(m, op->p0, end, op->hpa, canon, op->huge);
	} else {
		ret = op->kind == 1 ? npt_t_unmap(t, gpa, size) :
		      npt_t_protect(t, gpa, size, op->flags);
		m_change(m, op->p0, end, op->kind == 1, canon);
	}
	if (ret != want) {
		KUNIT_FAIL(t->test, "op %u kind %d gpa %#llx size %#llx: %d, want %d",
			   m->op, op->kind, gpa, size, ret, want);
		m->failed = true;
	}
	if (op->kind == 0 && !want && t->flush.calls)
		m_fail(m, "a map flushed", op->p0);
	m_check(m, op->p0, end);
}

static void npt_random_test(struct kunit *test)
{
	struct npt_model *m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	struct npt_rnd_op op;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, m);
	m->rec4 = npt_t_vzalloc(test, RND_PAGES * sizeof(*m->rec4));
	KUNIT_ASSERT_NOT_NULL(test, m->rec4);
	m->t = npt_tctx_new(test);
	m->base = BIT_ULL(m->t->tc->gpa_bits) - RND_PAGES * SZ_4K_ULL;
	m->rng = 0x9e3779b97f4a7c15ULL ^ m->t->tc->id;
	/* Blocks at 1 GiB edges, and random ones. */
	for (i = 0; i < RND_HOT; i++)
		m->hot[i] = i < 4 ? (i + 1) * 512 - 1 : m_rand(m) % RND_2M;
	for (m->op = 0; m->op < RND_OPS && !m->failed; m->op++) {
		m_pick(m, &op);
		m_step(m, &op);
		if (m->op % RND_FULL_EVERY == RND_FULL_EVERY - 1)
			m_check_full(m);
	}
	m_check_full(m);
	KUNIT_EXPECT_EQ(test, npt_t_unmap(m->t, m->base, RND_PAGES * SZ_4K_ULL),
			0);
	KUNIT_EXPECT_EQ(test, axas_npt_table_pages(&m->t->npt),
			m->t->tc->root_pages);
	KUNIT_EXPECT_EQ(test, axas_npt_mapped_bytes(&m->t->npt), 0ULL);
	npt_tctx_free(m->t);
}

static struct kunit_case npt_random_cases[] = {
	KUNIT_CASE_PARAM(npt_random_test, npt_rnd_gen_params),
	{}
};

static struct kunit_suite npt_random_suite = {
	.name = "axas_npt_random",
	.test_cases = npt_random_cases,
};

kunit_test_suite(npt_random_suite);
