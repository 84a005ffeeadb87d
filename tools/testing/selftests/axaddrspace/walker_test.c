// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the table walker (walker.c) on tables built by hand from
 * formats.rst: golden entries per format, a small dump per format holding a
 * 4 KiB, a 2 MiB and a 1 GiB leaf, and corruptions the checker must flag.
 * Pure userspace: needs no module.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "walker.h"

#define SZ_4K	0x1000ULL
#define SZ_2M	0x200000ULL
#define SZ_1G	0x40000000ULL
#define B(n)	(1ULL << (n))

#define ROOT_HPA	0x10000ULL	/* 64 KiB: aligned for every root */
#define TABLE_HPA	0x100000ULL	/* further table pages from here */
#define MAX_PAGES	32

enum family { EPT, ARM, RV, NPT };

static enum family family_of(unsigned int format)
{
	if (format <= AXAS_FMT_X86_EPT5)
		return EPT;
	if (format == AXAS_FMT_X86_NPT4 || format == AXAS_FMT_X86_NPT5)
		return NPT;
	return format <= AXAS_FMT_ARM64_S2_48 ? ARM : RV;
}

/*
 * The test's own encoder, from the tables of formats.rst. It is pinned to
 * hand-computed constants by the golden tests below.
 */
static uint64_t enc_table(unsigned int format, uint64_t hpa)
{
	switch (family_of(format)) {
	case EPT:
	case NPT:
		return hpa | 0x7;
	case ARM:
		return hpa | 0x3;
	default:
		return (hpa >> 12) << 10 | 0x1;
	}
}

static uint64_t enc_ept(unsigned int level, uint64_t hpa, uint32_t flags)
{
	uint64_t mt = flags & (AXAS_DEVICE | AXAS_UNCACHED) ? 0 : 6;

	return hpa | (flags & 7) | mt << 3 | (level ? B(7) : 0);
}

static uint64_t enc_arm(unsigned int level, uint64_t hpa, uint32_t flags)
{
	uint64_t ma = 0xf, e = hpa | (level ? 0x1 : 0x3);

	if (flags & AXAS_UNCACHED)
		ma = 0x5;
	else if (flags & AXAS_DEVICE)
		ma = 0x1;
	e |= ma << 2 | 3ULL << 8 | B(10);
	e |= flags & AXAS_READ ? B(6) : 0;
	e |= flags & AXAS_WRITE ? B(7) : 0;
	return e | (flags & AXAS_EXEC ? 0 : B(54));
}

static uint64_t enc_rv(uint64_t hpa, uint32_t flags)
{
	uint64_t e = (hpa >> 12) << 10 | B(0) | B(4) | B(6);

	e |= flags & AXAS_READ ? B(1) : 0;
	e |= flags & AXAS_WRITE ? B(2) | B(7) : 0;
	return e | (flags & AXAS_EXEC ? B(3) : 0);
}

/* NPT: P, U/S and A always; a present entry reads. */
static uint64_t enc_npt(unsigned int level, uint64_t hpa, uint32_t flags)
{
	uint64_t e = hpa | B(0) | B(2) | B(5) | (level ? B(7) : 0);

	e |= flags & AXAS_WRITE ? B(1) | B(6) : 0;
	e |= flags & (AXAS_DEVICE | AXAS_UNCACHED) ? B(3) | B(4) : 0;
	return e | (flags & AXAS_EXEC ? 0 : B(63));
}

static uint64_t enc_leaf(unsigned int format, unsigned int level, uint64_t hpa,
			 uint32_t flags)
{
	switch (family_of(format)) {
	case EPT:
		return enc_ept(level, hpa, flags);
	case ARM:
		return enc_arm(level, hpa, flags);
	case NPT:
		return enc_npt(level, hpa, flags);
	default:
		return enc_rv(hpa, flags);
	}
}

/* ---- Golden entries ----------------------------------------------------- */

struct golden {
	unsigned int level;
	uint64_t hpa;
	uint32_t flags;		/* what the area asks for */
	uint64_t raw;		/* computed by hand from formats.rst */
	uint32_t back;		/* what the walker must read back */
};

#define RW	(AXAS_READ | AXAS_WRITE)
#define RWX	(AXAS_READ | AXAS_WRITE | AXAS_EXEC)

static const struct golden golden_ept[] = {
	{ 0, 0x12345000, RW, 0x12345033, RW },
	{ 1, 0x40200000, RWX, 0x402000b7, RWX },
	{ 2, 0x140000000, AXAS_READ | AXAS_DEVICE, 0x140000081, AXAS_READ | AXAS_UNCACHED },
	{ 0, 0xfffffffff000, AXAS_EXEC | AXAS_USER, 0xfffffffff034, AXAS_EXEC },
	{ 0, 0x5000, RW | AXAS_UNCACHED, 0x5003, RW | AXAS_UNCACHED },
};

static const struct golden golden_arm[] = {
	{ 0, 0x12345000, RW, 0x00400000123457ffULL, RW },
	{ 1, 0x40200000, RWX, 0x00000000402007fdULL, RWX },
	{ 2, 0x140000000, AXAS_READ | AXAS_DEVICE, 0x0040000140000745ULL,
	  AXAS_READ | AXAS_DEVICE },
	{ 0, 0x5000, RW | AXAS_UNCACHED | AXAS_DEVICE, 0x00400000000057d7ULL,
	  RW | AXAS_UNCACHED },
	{ 0, 0xfffffffff000, AXAS_EXEC, 0x0000fffffffff73fULL, AXAS_EXEC },
};

static const struct golden golden_rv[] = {
	{ 0, 0x12345000, RW, 0x48d14d7, RW },
	{ 1, 0x40200000, RWX, 0x100800df, RWX },
	{ 2, 0x140000000, AXAS_READ | AXAS_DEVICE, 0x50000053, AXAS_READ },
	{ 0, 0x00fffffffffff000ULL, AXAS_EXEC | AXAS_USER,
	  0x003ffffffffffc59ULL, AXAS_EXEC },
};

static const struct golden golden_npt[] = {
	{ 0, 0x12345000, RW, 0x8000000012345067ULL, RW },
	{ 1, 0x40200000, RWX, 0x402000e7, RWX },
	{ 2, 0x140000000, AXAS_READ | AXAS_DEVICE, 0x80000001400000bdULL,
	  AXAS_READ | AXAS_UNCACHED },
	{ 0, 0xfffffffff000, AXAS_EXEC | AXAS_USER, 0xfffffffff025,
	  AXAS_READ | AXAS_EXEC },
	{ 0, 0x5000, RW | AXAS_UNCACHED, 0x800000000000507fULL,
	  RW | AXAS_UNCACHED },
};

static void check_golden(struct __test_metadata *_metadata, unsigned int format,
			 const struct golden *g, unsigned int n)
{
	struct axw_entry d;
	unsigned int i;

	for (i = 0; i < n; i++) {
		EXPECT_EQ(g[i].raw, enc_leaf(format, g[i].level, g[i].hpa, g[i].flags))
			TH_LOG("format %u golden %u: 0x%016llx", format, i,
			       (unsigned long long)g[i].raw);
		axw_decode(format, g[i].level, g[i].raw, &d);
		EXPECT_EQ(AXW_LEAF, d.kind);
		EXPECT_EQ(g[i].hpa, d.addr);
		EXPECT_EQ(g[i].back, d.flags);
		EXPECT_EQ(g[i].back, axw_expressible(format, g[i].flags));
		EXPECT_EQ(NULL, d.why);
	}
}

TEST(golden_entries_ept)
{
	check_golden(_metadata, AXAS_FMT_X86_EPT4, golden_ept, ARRAY_SIZE(golden_ept));
	check_golden(_metadata, AXAS_FMT_X86_EPT5, golden_ept, ARRAY_SIZE(golden_ept));
}

TEST(golden_entries_arm)
{
	check_golden(_metadata, AXAS_FMT_ARM64_S2_40, golden_arm, ARRAY_SIZE(golden_arm));
	check_golden(_metadata, AXAS_FMT_ARM64_S2_48, golden_arm, ARRAY_SIZE(golden_arm));
}

TEST(golden_entries_riscv)
{
	check_golden(_metadata, AXAS_FMT_RISCV_SV39X4, golden_rv, ARRAY_SIZE(golden_rv));
	check_golden(_metadata, AXAS_FMT_RISCV_SV48X4, golden_rv, ARRAY_SIZE(golden_rv));
	check_golden(_metadata, AXAS_FMT_RISCV_SV57X4, golden_rv, ARRAY_SIZE(golden_rv));
}

TEST(golden_entries_npt)
{
	check_golden(_metadata, AXAS_FMT_X86_NPT4, golden_npt, ARRAY_SIZE(golden_npt));
	check_golden(_metadata, AXAS_FMT_X86_NPT5, golden_npt, ARRAY_SIZE(golden_npt));
}

/* Table entries and empty entries, by hand. */
TEST(golden_tables)
{
	static const struct { unsigned int format; uint64_t raw; } t[] = {
		{ AXAS_FMT_X86_EPT4, 0x00101007 },
		{ AXAS_FMT_ARM64_S2_48, 0x00101003 },
		{ AXAS_FMT_RISCV_SV48X4, 0x00040401 },
		{ AXAS_FMT_X86_NPT4, 0x00101007 },
		{ AXAS_FMT_RISCV_SV57X4, 0x00040401 },
	};
	struct axw_entry d;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		EXPECT_EQ(t[i].raw, enc_table(t[i].format, 0x101000));
		axw_decode(t[i].format, 1, t[i].raw, &d);
		EXPECT_EQ(AXW_TABLE, d.kind);
		EXPECT_EQ(0x101000, d.addr);
		EXPECT_EQ(NULL, d.why);
		axw_decode(t[i].format, 1, 0, &d);
		EXPECT_EQ(AXW_NONE, d.kind);
		EXPECT_EQ(NULL, d.why);
	}
}

TEST(format_names)
{
	static const char * const names[] = {
		"native", "ept4", "ept5", "arm40", "arm48", "sv39x4", "sv48x4",
		"npt4", "npt5", "sv57x4",
	};
	static const unsigned int pages[] = { 0, 1, 1, 2, 1, 4, 4, 1, 1, 4 };
	unsigned int i;

	for (i = 0; i <= AXAS_FMT_MAX; i++) {
		EXPECT_EQ(i, axw_format_by_name(names[i]));
		EXPECT_STREQ(names[i], axw_format_name(i));
		EXPECT_EQ(pages[i], axw_root_pages(i));
	}
	EXPECT_EQ(-1, axw_format_by_name("ept3"));
}

/* ---- A small dump per format -------------------------------------------- */

struct dump {
	struct axas_table_page pages[MAX_PAGES];
	struct axw_tables t;
	unsigned int rp;
};

static struct axas_table_page *page_at(struct dump *d, uint64_t hpa)
{
	unsigned int i;

	for (i = 0; i < d->t.count; i++)
		if (d->pages[i].hpa == hpa)
			return &d->pages[i];
	return NULL;
}

static struct axas_table_page *new_page(struct dump *d, unsigned int level)
{
	struct axas_table_page *p = &d->pages[d->t.count];

	memset(p, 0, sizeof(*p));
	p->hpa = TABLE_HPA + (d->t.count - d->rp) * SZ_4K;
	p->level = level;
	d->t.count++;
	return p;
}

static void dump_init(struct dump *d, unsigned int format)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
	axw_set_format(&d->t, format);
	d->t.pages = d->pages;
	d->t.root_hpa = ROOT_HPA;
	d->rp = axw_root_pages(format);
	for (i = 0; i < d->rp; i++) {
		d->pages[i].hpa = ROOT_HPA + i * SZ_4K;
		d->pages[i].level = d->t.levels - 1;
		d->pages[i].index = i;
	}
	d->t.count = d->rp;
}

/* The entry that maps @gpa at @level, creating the tables above it. */
static __u64 *slot(struct dump *d, uint64_t gpa, unsigned int level)
{
	unsigned int l = d->t.levels - 1, fmt = d->t.format;
	struct axas_table_page *p = d->pages;
	uint64_t n = (gpa >> (12 + 9 * l)) & (d->rp * 512 - 1);
	struct axw_entry e;

	while (l > level) {
		__u64 *ent = &p[n / 512].entries[n % 512];

		if (!*ent)
			*ent = enc_table(fmt, new_page(d, l - 1)->hpa);
		axw_decode(fmt, l, *ent, &e);
		p = page_at(d, e.addr);
		l--;
		n = (gpa >> (12 + 9 * l)) & 511;
	}
	return &p[n / 512].entries[n % 512];
}

struct leafdef {
	uint64_t gpa;
	unsigned int level;
	uint64_t hpa;
	uint32_t flags;
};

static struct leafdef leaves_of(uint64_t hi_gpa, unsigned int i)
{
	const struct leafdef l[] = {
		{ 0x0, 0, 0x5000, RW | AXAS_UNCACHED },
		{ 0x40003000, 0, 0x12345000, RW },
		{ 0x40200000, 1, 0x7fe00000, RWX },
		{ hi_gpa, 2, 0x140000000, AXAS_READ | AXAS_DEVICE },
	};

	return l[i];
}

#define NLEAVES 4

FIXTURE(walker) {
	struct dump *d;
};

FIXTURE_VARIANT(walker) {
	unsigned int format;
	uint64_t hi_gpa;		/* a 1 GiB leaf in the last root page */
	unsigned int root_page;		/* where formats.rst puts its root entry */
	unsigned int root_index;
};

FIXTURE_VARIANT_ADD(walker, ept4) {
	.format = AXAS_FMT_X86_EPT4, .hi_gpa = 0x800040000000ULL,
	.root_page = 0, .root_index = 256,
};

FIXTURE_VARIANT_ADD(walker, ept5) {
	.format = AXAS_FMT_X86_EPT5, .hi_gpa = 0x100000040000000ULL,
	.root_page = 0, .root_index = 256,
};

FIXTURE_VARIANT_ADD(walker, arm40) {
	.format = AXAS_FMT_ARM64_S2_40, .hi_gpa = 0x8040000000ULL,
	.root_page = 1, .root_index = 1,
};

FIXTURE_VARIANT_ADD(walker, arm48) {
	.format = AXAS_FMT_ARM64_S2_48, .hi_gpa = 0x800040000000ULL,
	.root_page = 0, .root_index = 256,
};

FIXTURE_VARIANT_ADD(walker, sv39x4) {
	.format = AXAS_FMT_RISCV_SV39X4, .hi_gpa = 0x18440000000ULL,
	.root_page = 3, .root_index = 17,
};

FIXTURE_VARIANT_ADD(walker, sv48x4) {
	.format = AXAS_FMT_RISCV_SV48X4, .hi_gpa = 0x3000040000000ULL,
	.root_page = 3, .root_index = 0,
};

FIXTURE_VARIANT_ADD(walker, npt4) {
	.format = AXAS_FMT_X86_NPT4, .hi_gpa = 0x800040000000ULL,
	.root_page = 0, .root_index = 256,
};

FIXTURE_VARIANT_ADD(walker, npt5) {
	.format = AXAS_FMT_X86_NPT5, .hi_gpa = 0x100000040000000ULL,
	.root_page = 0, .root_index = 256,
};

FIXTURE_VARIANT_ADD(walker, sv57x4) {
	.format = AXAS_FMT_RISCV_SV57X4, .hi_gpa = 0x600000040000000ULL,
	.root_page = 3, .root_index = 0,
};

static void build(struct dump *d, unsigned int format, uint64_t hi_gpa)
{
	unsigned int i;

	dump_init(d, format);
	for (i = 0; i < NLEAVES; i++) {
		struct leafdef l = leaves_of(hi_gpa, i);

		*slot(d, l.gpa, l.level) = enc_leaf(format, l.level, l.hpa, l.flags);
	}
	d->t.table_pages = d->t.count;
}

FIXTURE_SETUP(walker)
{
	self->d = malloc(sizeof(*self->d));
	ASSERT_NE(NULL, self->d);
	build(self->d, variant->format, variant->hi_gpa);
}

FIXTURE_TEARDOWN(walker)
{
	free(self->d);
}

static unsigned int check_quiet(const struct axw_tables *t)
{
	struct axw_report r;

	axw_check(t, &r);
	return r.errors;
}

TEST_F(walker, geometry)
{
	static const unsigned int levels[] = { 0, 4, 5, 3, 4, 3, 4, 4, 5, 5 };
	static const unsigned int bits[] = { 0, 48, 57, 40, 48, 41, 50, 48, 57, 59 };

	EXPECT_EQ(levels[variant->format], self->d->t.levels);
	EXPECT_EQ(bits[variant->format], self->d->t.gpa_bits);
	/* Sizes, levels and root indexing must cover exactly the input bits. */
	EXPECT_EQ(1ULL << bits[variant->format],
		  (uint64_t)self->d->rp * 512 << (12 + 9 * (levels[variant->format] - 1)));
}

TEST_F(walker, translate_leaves)
{
	struct axw_leaf l;
	unsigned int i;

	for (i = 0; i < NLEAVES; i++) {
		struct leafdef def = leaves_of(variant->hi_gpa, i);
		uint64_t size = 1ULL << (12 + 9 * def.level);
		uint64_t off[] = { 0, 0x123, size - 1 };
		unsigned int j;

		for (j = 0; j < ARRAY_SIZE(off); j++) {
			ASSERT_EQ(0, axw_translate(&self->d->t, def.gpa + off[j], &l));
			EXPECT_EQ(def.hpa + off[j], l.out);
			EXPECT_EQ(def.hpa, l.hpa);
			EXPECT_EQ(def.gpa, l.gpa);
			EXPECT_EQ(size, l.size);
			EXPECT_EQ(def.level, l.level);
			EXPECT_EQ(axw_expressible(variant->format, def.flags), l.flags);
			EXPECT_EQ(NULL, l.why);
		}
	}
}

TEST_F(walker, translate_holes)
{
	const struct axw_tables *t = &self->d->t;
	struct axw_leaf l;

	EXPECT_EQ(-ENOENT, axw_translate(t, 0x1000, &l));
	EXPECT_EQ(-ENOENT, axw_translate(t, 0x40002fff, &l));
	EXPECT_EQ(-ENOENT, axw_translate(t, 0x40004000, &l));
	EXPECT_EQ(-ENOENT, axw_translate(t, 0x40400000, &l));
	EXPECT_EQ(-ENOENT, axw_translate(t, 0x80000000, &l));
	EXPECT_EQ(-ENOENT, axw_translate(t, variant->hi_gpa + SZ_1G, &l));
	EXPECT_EQ(-ENOENT, axw_translate(t, (1ULL << t->gpa_bits) - 1, &l));
	EXPECT_EQ(-EINVAL, axw_translate(t, 1ULL << t->gpa_bits, &l));
	EXPECT_EQ(-EINVAL, axw_translate(t, ~0ULL, &l));
}

/* A 1 GiB leaf placed where formats.rst says, without the test's slot(). */
TEST_F(walker, root_indexing)
{
	struct dump *d = self->d;
	struct axas_table_page *p;
	unsigned int l = d->t.levels - 1;
	__u64 *ent; uint64_t hi = variant->hi_gpa;
	struct axw_leaf leaf;

	dump_init(d, variant->format);
	ent = &d->pages[variant->root_page].entries[variant->root_index];
	while (l > 2) {
		p = new_page(d, l - 1);
		*ent = enc_table(variant->format, p->hpa);
		l--;
		ent = &p->entries[(hi >> (12 + 9 * l)) & 511];
	}
	*ent = enc_leaf(variant->format, 2, 0x1c0000000, AXAS_READ);
	ASSERT_EQ(0, axw_translate(&d->t, hi + 0x5678, &leaf));
	EXPECT_EQ(0x1c0005678, leaf.out);
	EXPECT_EQ(SZ_1G, leaf.size);
	EXPECT_EQ(-ENOENT, axw_translate(&d->t, hi - SZ_1G, &leaf));
	d->t.table_pages = d->t.count;
	EXPECT_EQ(0, check_quiet(&d->t));
}

TEST_F(walker, check_clean)
{
	struct axw_report r;

	EXPECT_EQ(0, axw_check(&self->d->t, &r));
	if (r.errors)
		axw_report_print(stderr, &r);
	EXPECT_EQ(self->d->t.count, r.reachable);
	EXPECT_EQ(NLEAVES, r.leaves);
	EXPECT_EQ(2 * SZ_4K + SZ_2M + SZ_1G, r.mapped_bytes);
	/* The root pages plus one table per level below the root per path. */
	EXPECT_LE(self->d->rp + 1, self->d->t.count);
}

struct collect {
	struct axw_leaf l[8];
	unsigned int n;
};

static int collect_leaf(const struct axw_leaf *l, void *arg)
{
	struct collect *c = arg;

	if (c->n < ARRAY_SIZE(c->l))
		c->l[c->n] = *l;
	c->n++;
	return 0;
}

static int stop_at_second(const struct axw_leaf *l, void *arg)
{
	return ++*(int *)arg == 2 ? 42 : 0;
}

TEST_F(walker, for_each_leaf)
{
	struct collect c = { .n = 0 };
	unsigned int i;
	int calls = 0;

	ASSERT_EQ(0, axw_walk_leaves(&self->d->t, collect_leaf, &c));
	ASSERT_EQ(NLEAVES, c.n);
	for (i = 0; i < NLEAVES; i++) {
		struct leafdef def = leaves_of(variant->hi_gpa, i);

		EXPECT_EQ(def.gpa, c.l[i].gpa);		/* in gpa order */
		EXPECT_EQ(def.hpa, c.l[i].hpa);
		EXPECT_EQ(1ULL << (12 + 9 * def.level), c.l[i].size);
		EXPECT_EQ(axw_expressible(variant->format, def.flags), c.l[i].flags);
	}
	EXPECT_EQ(42, axw_walk_leaves(&self->d->t, stop_at_second, &calls));
	EXPECT_EQ(2, calls);
}

/* ---- Corrupted entries -------------------------------------------------- */

struct corruption {
	const char *what;
	unsigned int leaf;	/* index into leaves_of() */
	uint64_t clear, set;
};

static const struct corruption bad_ept[] = {
	{ "IPAT set", 1, 0, B(6) },
	{ "memory type 5", 1, 0x38, 5 << 3 },
	{ "memory type 4 on UC", 0, 0x38, 4 << 3 },
	{ "bit 7 in a 4 KiB leaf", 1, 0, B(7) },
	{ "bit 7 cleared in a 2 MiB leaf", 2, B(7), 0 },
	{ "accessed bit", 1, 0, B(8) },
	{ "dirty bit", 2, 0, B(9) },
	{ "ignored bit 11", 1, 0, B(11) },
	{ "bit 52", 3, 0, B(52) },
	{ "suppress #VE bit 63", 1, 0, B(63) },
	{ "write without read", 1, B(0), 0 },
	{ "misaligned 2 MiB leaf", 2, 0, 0x1000 },
	{ "misaligned 1 GiB leaf", 3, 0, 0x200000 },
	{ "executable UC", 0, 0, B(2) },
	{ "not present with address", 1, 0x7, 0 },
};

static const struct corruption bad_arm[] = {
	{ "AF clear", 1, B(10), 0 },
	{ "SH outer", 1, B(8), 0 },
	{ "SH non-shareable", 2, 3ULL << 8, 0 },
	{ "XN[0] set", 1, 0, B(53) },
	{ "executable device", 3, B(54), 0 },
	{ "executable non-cacheable", 0, B(54), 0 },
	{ "MemAttr 0b0000", 1, 0xf << 2, 0 },
	{ "MemAttr 0b1010", 1, 0x5 << 2, 0 },
	{ "nG / bit 11", 1, 0, B(11) },
	{ "contiguous hint", 2, 0, B(52) },
	{ "software bit 55", 1, 0, B(55) },
	{ "bit 48 of the address", 1, 0, B(48) },
	{ "block turned into a table pointer", 2, 0, B(1) },
	{ "page turned into 0b01", 1, B(1), 0 },
	{ "low bits in a 2 MiB block", 2, 0, 0x1000 },
	{ "low bits in a 1 GiB block", 3, 0, 0x200000 },
	{ "write without read", 1, B(6), 0 },
	{ "no permission at all", 3, B(6), 0 },
	{ "invalid with bits", 1, B(0), 0 },
};

static const struct corruption bad_rv[] = {
	{ "U clear", 1, B(4), 0 },
	{ "G set", 1, 0, B(5) },
	{ "A clear", 2, B(6), 0 },
	{ "D clear on a writable leaf", 1, B(7), 0 },
	{ "D set on a read-only leaf", 3, 0, B(7) },
	{ "RSW bit", 1, 0, B(8) },
	{ "N bit", 2, 0, B(63) },
	{ "PBMT", 1, 0, B(61) },
	{ "reserved bit 54", 3, 0, B(54) },
	{ "W without R", 1, B(1), 0 },
	{ "misaligned 2 MiB superpage", 2, 0, B(10) },
	{ "misaligned 1 GiB superpage", 3, 0, B(19) },
	{ "invalid with bits", 1, B(0), 0 },
};

static const struct corruption bad_npt[] = {
	{ "U/S clear", 1, B(2), 0 },
	{ "A clear", 2, B(5), 0 },
	{ "D clear on a writable leaf", 1, B(6), 0 },
	{ "D set on a read-only leaf", 3, 0, B(6) },
	{ "PWT without PCD", 1, 0, B(3) },
	{ "PCD without PWT", 0, B(3), 0 },
	{ "PAT in a 4 KiB leaf", 1, 0, B(7) },
	{ "PS cleared in a 2 MiB leaf", 2, B(7), 0 },
	{ "G set", 1, 0, B(8) },
	{ "software bit 9", 1, 0, B(9) },
	{ "bit 52", 3, 0, B(52) },
	{ "PAT of a 2 MiB leaf", 2, 0, B(12) },
	{ "misaligned 1 GiB leaf", 3, 0, 0x200000 },
	{ "executable UC", 0, B(63), 0 },
	{ "not present with address", 1, B(0), 0 },
};

static __u64 *leaf_slot(struct dump *d, uint64_t hi_gpa, unsigned int i)
{
	struct leafdef l = leaves_of(hi_gpa, i);

	return slot(d, l.gpa, l.level);
}

TEST_F(walker, corrupt_leaves)
{
	const struct corruption *c = bad_ept;
	unsigned int i, n = ARRAY_SIZE(bad_ept);

	if (family_of(variant->format) == ARM) {
		c = bad_arm;
		n = ARRAY_SIZE(bad_arm);
	} else if (family_of(variant->format) == RV) {
		c = bad_rv;
		n = ARRAY_SIZE(bad_rv);
	} else if (family_of(variant->format) == NPT) {
		c = bad_npt;
		n = ARRAY_SIZE(bad_npt);
	}
	ASSERT_EQ(0, check_quiet(&self->d->t));
	for (i = 0; i < n; i++) {
		__u64 *e = leaf_slot(self->d, variant->hi_gpa, c[i].leaf);
		uint64_t good = *e;

		*e = (good & ~c[i].clear) | c[i].set;
		ASSERT_NE(good, *e);
		EXPECT_LT(0, check_quiet(&self->d->t))
			TH_LOG("not flagged: %s: 0x%016llx", c[i].what,
			       (unsigned long long)*e);
		*e = good;
	}
	EXPECT_EQ(0, check_quiet(&self->d->t));
}

/* A malformed but usable leaf still translates, with its fault named. */
TEST_F(walker, translate_names_fault)
{
	__u64 *e = leaf_slot(self->d, variant->hi_gpa, 1);
	static const uint64_t bits[] = { B(6), B(55), B(8), B(9) };	/* EPT, Arm, RV, NPT */
	uint64_t bit = bits[family_of(variant->format)];
	struct axw_leaf l;

	*e |= bit;
	ASSERT_EQ(0, axw_translate(&self->d->t, 0x40003000, &l));
	EXPECT_NE(NULL, l.why);
}

TEST_F(walker, bad_entries_do_not_translate)
{
	__u64 *e = leaf_slot(self->d, variant->hi_gpa, 1);
	struct axw_leaf l;

	switch (family_of(variant->format)) {
	case EPT:
		*e &= ~B(0);		/* write-only: misconfiguration */
		break;
	case ARM:
		*e &= ~B(1);		/* 0b01 at the page level */
		break;
	case RV:
		*e &= ~B(1);		/* W without R */
		break;
	case NPT:
		*e &= ~B(2);		/* U/S clear: every nested walk faults */
		break;
	}
	EXPECT_EQ(-EBADMSG, axw_translate(&self->d->t, 0x40003000, &l));
}

/* A table entry that points nowhere, and table entries with extra bits. */
TEST_F(walker, corrupt_tables)
{
	static const uint64_t extra[] = { B(0), B(10), B(6), B(5) };	/* EPT, Arm, RV, NPT */
	struct dump *d = self->d;
	__u64 *e = slot(d, 0x40200000, 2), good = *e;
	struct axw_leaf l;

	*e = enc_table(variant->format, 0x7770000);
	EXPECT_LT(0, check_quiet(&d->t));
	EXPECT_EQ(-EFAULT, axw_translate(&d->t, 0x40200000, &l));
	*e = good;
	if (family_of(variant->format) == EPT)
		*e &= ~extra[0];	/* a table entry without R */
	else
		*e |= extra[family_of(variant->format)];
	EXPECT_LT(0, check_quiet(&d->t));
	*e = good;
	EXPECT_EQ(0, check_quiet(&d->t));
}

/* No leaf above level 2: only testable where the root is above level 2. */
TEST_F(walker, leaf_above_level_2)
{
	struct dump *d = self->d;
	unsigned int top = d->t.levels - 1;
	__u64 *e = &d->pages[0].entries[511];
	uint64_t hpa = 1ULL << (12 + 9 * top);

	if (top < 3)
		SKIP(return, "root is at level %u", top);
	*e = enc_leaf(variant->format, 1, hpa, AXAS_READ);
	if (family_of(variant->format) == EPT)
		*e |= B(7);
	EXPECT_LT(0, check_quiet(&d->t));
}

TEST_F(walker, unreachable_page)
{
	struct dump *d = self->d;

	new_page(d, 0)->entries[0] = enc_leaf(variant->format, 0, 0x9000, AXAS_READ);
	d->t.table_pages = d->t.count;
	EXPECT_LT(0, check_quiet(&d->t));
}

TEST_F(walker, page_reached_twice)
{
	struct dump *d = self->d;
	__u64 *a = slot(d, 0x40200000, 2);

	/* gpa 3 GiB borrows the level-1 table of gpa 1 GiB. */
	*slot(d, 0xc0000000, 2) = *a;
	EXPECT_LT(0, check_quiet(&d->t));
}

TEST_F(walker, empty_table_not_freed)
{
	struct dump *d = self->d;
	struct axw_report r;

	*slot(d, 0x0, 0) = 0;
	EXPECT_LT(0, axw_check(&d->t, &r));
	EXPECT_EQ(NULL, strstr(r.msgs[0], "reachable"));
}

TEST_F(walker, table_pages_mismatch)
{
	struct dump *d = self->d;

	d->t.table_pages = d->t.count + 1;
	EXPECT_LT(0, check_quiet(&d->t));
	d->t.table_pages = d->t.count - 1;
	EXPECT_LT(0, check_quiet(&d->t));
	d->t.table_pages = 0;		/* not compared */
	EXPECT_EQ(0, check_quiet(&d->t));
}

TEST_F(walker, wrong_level_in_dump)
{
	struct dump *d = self->d;

	d->pages[d->rp].level ^= 1;
	EXPECT_LT(0, check_quiet(&d->t));
	d->pages[d->rp].level ^= 1;
	d->pages[d->rp].index = 1;
	EXPECT_LT(0, check_quiet(&d->t));
}

TEST_F(walker, root_checks)
{
	struct dump *d = self->d;

	d->t.root_hpa = ROOT_HPA + SZ_4K;
	EXPECT_LT(0, check_quiet(&d->t));
	d->t.root_hpa = 0;		/* taken from the dump */
	EXPECT_EQ(0, check_quiet(&d->t));
	d->pages[d->rp - 1].index ^= 1;
	EXPECT_LT(0, check_quiet(&d->t));
	d->pages[d->rp - 1].index ^= 1;
	d->t.levels++;
	EXPECT_LT(0, check_quiet(&d->t));
	d->t.levels--;
	d->t.gpa_bits--;
	EXPECT_LT(0, check_quiet(&d->t));
}

/* Multi-page roots must be complete, contiguous and aligned. */
TEST_F(walker, multi_page_root)
{
	struct dump *d = self->d;
	uint64_t save = d->pages[d->rp - 1].hpa;

	if (d->rp == 1)
		SKIP(return, "single-page root");
	d->pages[d->rp - 1].hpa = 0x900000;
	EXPECT_LT(0, check_quiet(&d->t));
	d->pages[d->rp - 1].hpa = save;
	d->t.count = d->rp - 1;
	d->t.table_pages = 0;
	EXPECT_LT(0, check_quiet(&d->t));
}

TEST_F(walker, misaligned_multi_page_root)
{
	struct dump *d = self->d;
	unsigned int i;

	if (d->rp == 1)
		SKIP(return, "single-page root");
	for (i = 0; i < d->rp; i++)
		d->pages[i].hpa += SZ_4K;
	d->t.root_hpa += SZ_4K;
	EXPECT_LT(0, check_quiet(&d->t));
}

TEST_F(walker, duplicate_page)
{
	struct dump *d = self->d;

	d->pages[d->t.count] = d->pages[d->t.count - 1];
	d->t.count++;
	EXPECT_LT(0, check_quiet(&d->t));
}

TEST_F(walker, leaf_outside_space)
{
	struct dump *d = self->d;

	d->t.base = 0;
	d->t.size = 0x80000000;		/* everything but the high 1 GiB leaf */
	EXPECT_EQ(1, check_quiet(&d->t));
	d->t.size = variant->hi_gpa + SZ_1G;
	EXPECT_EQ(0, check_quiet(&d->t));
	d->t.base = SZ_4K;		/* the leaf at gpa 0 sticks out */
	d->t.size -= SZ_4K;
	EXPECT_EQ(1, check_quiet(&d->t));
}

TEST(entry_strings)
{
	char buf[160];

	axw_entry_str(AXAS_FMT_X86_EPT4, 1, 0x402000b7, buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(buf, "leaf 2M hpa=0x40200000 rwx"));
	axw_entry_str(AXAS_FMT_ARM64_S2_48, 2, 0x00101003, buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(buf, "table -> 0x101000"));
	axw_entry_str(AXAS_FMT_RISCV_SV39X4, 0, 0x48d1457, buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(buf, "[D differs from W]"));
	EXPECT_STREQ("rw-,device,populate",
		     axw_flags_str(RW | AXAS_DEVICE | AXAS_MAP_POPULATE, buf, sizeof(buf)));
}

TEST_HARNESS_MAIN
