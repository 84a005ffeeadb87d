// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites of the address space layer: the seed crate's tests of
 * AddrSpace, the guest memory accessor and frames, the seed's bugs shown
 * fixed, area splitting, overlap, fail-nth and flushing, in every format of
 * formats.h. The counting HAL of thal.h stands in for the page allocator.
 */
#include <kunit/test.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/axaddrspace.h>

#include "kunit/formats.h"
#include "kunit/thal.h"
#include "src/space.h"

#define K4	0x1000ULL
#define M2	0x200000ULL
#define G1	0x40000000ULL
/* Fake host memory for linear areas: far above the VM's RAM, never touched. */
#define FAKE_HPA	(256 * G1)

static struct axas *space_new(struct kunit *test, struct thal *t, u32 format,
			      u64 base, u64 size)
{
	struct axas *as = axas_create_with_hal(base, size, format, 0, &t->hal);

	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(as));
	return as;
}

/*
 * Drop the space and check the HAL got every page back: table pages an
 * unmap queued for RCU come back after a grace period, and the space's
 * memory (and @t, which the test frees) is theirs until then.
 */
static void space_done(struct kunit *test, struct thal *t, struct axas *as)
{
	axas_put(as);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, thal_live_tables(t), 0);
	KUNIT_EXPECT_EQ(test, thal_live_frames(t), 0);
}

static struct axas_info info_of(struct axas *as)
{
	struct axas_info info;

	axas_get_info(as, &info);
	return info;
}

KUNIT_ARRAY_PARAM(space_format, npt_tcases, npt_tcase_desc);

/* The format of a parameterised case, as the tests know it (formats.h). */
static const struct npt_tcase *param_tcase(struct kunit *test)
{
	return test->param_value;
}

static u32 param_format(struct kunit *test)
{
	return param_tcase(test)->id;
}

/* The Arm and RISC-V roots are right (the seed's are not): size, alignment, values. */
static void space_create_test(struct kunit *test)
{
	u32 fmt = param_format(test);
	const struct npt_tcase *g = param_tcase(test);
	struct thal *t = thal_new(test);
	struct axas *as = space_new(test, t, fmt, 0, BIT_ULL(g->gpa_bits));
	struct axas_info info = info_of(as);
	u64 ctl;

	KUNIT_EXPECT_EQ(test, info.format, fmt);
	KUNIT_EXPECT_EQ(test, info.levels, g->levels);
	KUNIT_EXPECT_EQ(test, info.gpa_bits, g->gpa_bits);
	KUNIT_EXPECT_EQ(test, info.table_pages, g->root_pages);
	KUNIT_EXPECT_EQ(test, thal_live_tables(t), g->root_pages);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(info.root_hpa, g->root_pages * K4));
	KUNIT_EXPECT_EQ(test, info.root_hpa, axas_root_hpa(as));
	KUNIT_EXPECT_EQ(test, info.hw_root, npt_tcase_hw_root(g, info.root_hpa));
	KUNIT_EXPECT_EQ(test, axas_hw_root(as, &ctl), info.hw_root);
	KUNIT_EXPECT_EQ(test, ctl, g->hw_ctl);
	KUNIT_EXPECT_EQ(test, info.hw_ctl, g->hw_ctl);
	KUNIT_EXPECT_EQ(test, info.nr_areas, 0);
	KUNIT_EXPECT_EQ(test, info.mapped_bytes, 0);
	space_done(test, t, as);
}

static void space_bad_create_test(struct kunit *test)
{
	u32 fmt = param_format(test);
	u64 top = BIT_ULL(param_tcase(test)->gpa_bits);
	struct thal *t = thal_new(test);
	static const struct { u64 base, size; } bad[] = {
		{ 0, 0 }, { 0x800, K4 }, { 0, 0x1800 }, { K4, U64_MAX & ~0xfffULL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct axas *as = axas_create_with_hal(bad[i].base, bad[i].size, fmt, 0,
						&t->hal);

		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(as), -EINVAL, "case %u", i);
	}
	KUNIT_EXPECT_EQ(test, PTR_ERR(axas_create_with_hal(0, top + K4, fmt, 0, &t->hal)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(axas_create_with_hal(top - K4, 2 * K4, fmt, 0, &t->hal)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(axas_create_with_hal(0, K4, fmt, 1, &t->hal)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(axas_create_with_hal(0, K4, AXAS_FMT_MAX + 1,
							   0, &t->hal)), -EINVAL);
	KUNIT_EXPECT_EQ(test, thal_live_tables(t), 0);
	/* The very top of the input address space is a valid space. */
	space_done(test, t, space_new(test, t, fmt, top - K4, K4));
}

/* The seed's map_alloc with populate: every frame mapped, zeroed, freed. */
static void space_populate_test(struct kunit *test)
{
	struct thal *t = thal_new(test);
	struct axas *as = space_new(test, t, param_format(test), 0, 4 * G1);
	u64 gpa, size = 2 * M2 + 3 * K4, base = M2;
	struct axas_translation tr;
	struct axas_info info;
	u64 word = 1;

	KUNIT_ASSERT_EQ(test, axas_map_alloc(as, base, size,
					     AXAS_READ | AXAS_WRITE | AXAS_MAP_POPULATE), 0);
	info = info_of(as);
	KUNIT_EXPECT_EQ(test, info.alloc_pages, size / K4);
	KUNIT_EXPECT_EQ(test, thal_live_frames(t), size / K4);
	KUNIT_EXPECT_EQ(test, info.mapped_bytes, size);
	KUNIT_EXPECT_EQ(test, info.nr_areas, 1);
	for (gpa = base; gpa < base + size; gpa += K4) {
		KUNIT_ASSERT_EQ(test, axas_translate(as, gpa + 8, &tr), 0);
		KUNIT_EXPECT_EQ(test, tr.backend, AXAS_BACKEND_ALLOC);
		KUNIT_EXPECT_EQ(test, tr.flags, AXAS_READ | AXAS_WRITE);
		KUNIT_EXPECT_EQ(test, axas_read_obj(as, gpa + 8, &word), 0);
		KUNIT_EXPECT_EQ(test, word, 0);
	}
	KUNIT_ASSERT_EQ(test, axas_unmap(as, base, size), 0);
	info = info_of(as);
	KUNIT_EXPECT_EQ(test, info.alloc_pages, 0);
	KUNIT_EXPECT_EQ(test, info.mapped_bytes, 0);
	KUNIT_EXPECT_EQ(test, info.nr_areas, 0);
	KUNIT_EXPECT_EQ(test, info.table_pages, param_tcase(test)->root_pages);
	KUNIT_EXPECT_EQ(test, thal_live_frames(t), 0);
	space_done(test, t, as);
}

/* Lazy areas write nothing in advance; a repeated fault keeps its frame. */
static void space_lazy_fault_test(struct kunit *test)
{
	struct thal *t = thal_new(test);
	struct axas *as = space_new(test, t, param_format(test), 0, G1);
	struct axas_npf_info npf = { .gpa = 0x10123, .access = AXAS_READ };
	struct axas_translation tr;
	struct axas_info info;
	bool handled;
	u64 hpa;

	KUNIT_ASSERT_EQ(test, axas_map_alloc(as, 0x10000, 16 * K4, AXAS_READ | AXAS_WRITE), 0);
	info = info_of(as);
	KUNIT_EXPECT_EQ(test, info.table_pages, param_tcase(test)->root_pages);
	KUNIT_EXPECT_EQ(test, axas_translate(as, 0x10123, &tr), -ENOENT);
	KUNIT_ASSERT_EQ(test, axas_handle_page_fault(as, &npf, &handled), 0);
	KUNIT_EXPECT_TRUE(test, handled);
	KUNIT_ASSERT_EQ(test, axas_translate(as, 0x10123, &tr), 0);
	hpa = tr.hpa;
	KUNIT_EXPECT_EQ(test, hpa & 0xfff, 0x123);
	KUNIT_EXPECT_EQ(test, tr.page_size, K4);
	npf.access = AXAS_READ | AXAS_WRITE;
	KUNIT_ASSERT_EQ(test, axas_handle_page_fault(as, &npf, &handled), 0);
	KUNIT_EXPECT_TRUE(test, handled);
	KUNIT_ASSERT_EQ(test, axas_translate(as, 0x10123, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.hpa, hpa);
	info = info_of(as);
	KUNIT_EXPECT_EQ(test, info.alloc_pages, 1);
	KUNIT_EXPECT_EQ(test, info.faults_handled, 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->frame_allocs), 1);
	space_done(test, t, as);
}

static bool fault(struct kunit *test, struct axas *as, u64 gpa, u32 access)
{
	struct axas_npf_info npf = { .gpa = gpa, .access = access };
	bool handled = true;

	KUNIT_EXPECT_EQ(test, axas_handle_page_fault(as, &npf, &handled), 0);
	return handled;
}

/*
 * Handled whenever a present leaf permits the access afterwards: a lazy
 * page gets its frame, a present one is a spurious fault. Denied accesses,
 * holes and the outside are not handled.
 */
static void space_fault_denied_test(struct kunit *test)
{
	struct thal *t = thal_new(test);
	struct axas *as = space_new(test, t, AXAS_FMT_X86_EPT4, 0x100000, G1);
	struct axas_npf_info npf = { .gpa = 0x200000, .access = 0 };
	bool handled;

	KUNIT_ASSERT_EQ(test, axas_map_alloc(as, 0x200000, 4 * K4, AXAS_READ), 0);
	KUNIT_ASSERT_EQ(test, axas_map_alloc(as, 0x300000, K4,
					     AXAS_READ | AXAS_WRITE | AXAS_MAP_POPULATE), 0);
	KUNIT_ASSERT_EQ(test, axas_map_linear(as, 0x400000, FAKE_HPA, K4, AXAS_READ), 0);
	KUNIT_EXPECT_FALSE(test, fault(test, as, 0x200000, AXAS_WRITE));
	KUNIT_EXPECT_FALSE(test, fault(test, as, 0x200000, AXAS_EXEC));
	KUNIT_EXPECT_FALSE(test, fault(test, as, 0x200000, AXAS_READ | AXAS_WRITE));
	KUNIT_EXPECT_TRUE(test, fault(test, as, 0x300000, AXAS_READ | AXAS_WRITE));
	KUNIT_EXPECT_FALSE(test, fault(test, as, 0x300000, AXAS_EXEC));
	KUNIT_EXPECT_TRUE(test, fault(test, as, 0x400000, AXAS_READ));
	KUNIT_EXPECT_FALSE(test, fault(test, as, 0x400000, AXAS_WRITE));
	KUNIT_EXPECT_FALSE(test, fault(test, as, 0x500000, AXAS_READ));
	KUNIT_EXPECT_FALSE(test, fault(test, as, 0x1000, AXAS_READ));
	KUNIT_EXPECT_FALSE(test, fault(test, as, 2 * G1, AXAS_READ));
	KUNIT_EXPECT_EQ(test, info_of(as).alloc_pages, 1);
	KUNIT_EXPECT_EQ(test, info_of(as).faults_handled, 0);
	KUNIT_EXPECT_EQ(test, axas_handle_page_fault(as, &npf, &handled), -EINVAL);
	npf.access = AXAS_USER;
	KUNIT_EXPECT_EQ(test, axas_handle_page_fault(as, &npf, &handled), -EINVAL);
	KUNIT_EXPECT_TRUE(test, fault(test, as, 0x203fff, AXAS_READ));
	space_done(test, t, as);
}

struct exp_area {
	u64 gpa, size;
	u32 flags;
};

static void expect_areas(struct kunit *test, struct axas *as,
			 const struct exp_area *exp, u32 n)
{
	struct axas_area got[8];
	u32 count, i;

	KUNIT_ASSERT_EQ(test, axas_get_areas(as, got, ARRAY_SIZE(got), &count), 0);
	KUNIT_ASSERT_EQ(test, count, n);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, got[i].gpa, exp[i].gpa, "area %u", i);
		KUNIT_EXPECT_EQ_MSG(test, got[i].size, exp[i].size, "area %u", i);
		KUNIT_EXPECT_EQ_MSG(test, got[i].flags, exp[i].flags, "area %u", i);
	}
}

#define A0	0x100000ULL	/* the area of the split tests: [A0, A0 + 16 pages) */
#define RW	(AXAS_READ | AXAS_WRITE)

/* A map overlapping an area in any way is refused and changes nothing. */
static void space_overlap_test(struct kunit *test)
{
	static const struct { u64 gpa, size; } cases[] = {
		{ A0, 16 * K4 }, { A0 - K4, 2 * K4 }, { A0 + 15 * K4, 2 * K4 },
		{ A0 + 4 * K4, K4 }, { A0 - K4, 18 * K4 }, { A0 + 15 * K4, K4 },
	};
	const struct exp_area one = { A0, 16 * K4, RW };
	struct thal *t = thal_new(test);
	struct axas *as = space_new(test, t, param_format(test), 0, G1);
	unsigned int i;

	KUNIT_ASSERT_EQ(test, axas_map_alloc(as, A0, 16 * K4, RW), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KUNIT_EXPECT_EQ_MSG(test, axas_map_alloc(as, cases[i].gpa, cases[i].size, RW),
				    -EEXIST, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, axas_map_alloc(as, cases[i].gpa, cases[i].size,
							 RW | AXAS_MAP_POPULATE),
				    -EEXIST, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, axas_map_linear(as, cases[i].gpa, FAKE_HPA,
							  cases[i].size, RW),
				    -EEXIST, "case %u", i);
	}
	expect_areas(test, as, &one, 1);
	KUNIT_EXPECT_EQ(test, info_of(as).alloc_pages, 0);
	/* Touching is not overlapping. */
	KUNIT_EXPECT_EQ(test, axas_map_alloc(as, A0 - K4, K4, RW), 0);
	KUNIT_EXPECT_EQ(test, axas_map_alloc(as, A0 + 16 * K4, K4, RW), 0);
	space_done(test, t, as);
}

/* Unmap at every edge position splits or trims the area exactly. */
static void space_unmap_split_test(struct kunit *test)
{
	static const struct {
		s64 off;
		u64 size;
		struct exp_area left, right;
	} cases[] = {
		{ 0, K4, { 0 }, { A0 + K4, 15 * K4, RW } },
		{ 15 * K4, K4, { A0, 15 * K4, RW }, { 0 } },
		{ 4 * K4, 2 * K4, { A0, 4 * K4, RW }, { A0 + 6 * K4, 10 * K4, RW } },
		{ 0, 16 * K4, { 0 }, { 0 } },
		{ -2 * K4, 20 * K4, { 0 }, { 0 } },
		{ -4 * K4, 6 * K4, { 0 }, { A0 + 2 * K4, 14 * K4, RW } },
		{ 14 * K4, 6 * K4, { A0, 14 * K4, RW }, { 0 } },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct thal *t = thal_new(test);
		struct axas *as = space_new(test, t, param_format(test), 0, G1);
		struct exp_area exp[2];
		u64 left = 0;
		u32 n = 0, j;

		KUNIT_ASSERT_EQ(test, axas_map_alloc(as, A0, 16 * K4,
						     RW | AXAS_MAP_POPULATE), 0);
		KUNIT_ASSERT_EQ(test, axas_unmap(as, A0 + cases[i].off, cases[i].size), 0);
		if (cases[i].left.size)
			exp[n++] = cases[i].left;
		if (cases[i].right.size)
			exp[n++] = cases[i].right;
		for (j = 0; j < n; j++) {
			exp[j].flags |= AXAS_MAP_POPULATE;
			left += exp[j].size;
		}
		expect_areas(test, as, exp, n);
		KUNIT_EXPECT_EQ_MSG(test, info_of(as).alloc_pages, left / K4, "case %u", i);
		KUNIT_EXPECT_EQ(test, thal_live_frames(t), left / K4);
		space_done(test, t, as);
	}
}

/* Protect at every edge position: only the part inside gets the flags. */
static void space_protect_split_test(struct kunit *test)
{
	static const struct {
		s64 off;
		u64 size;
		struct exp_area exp[3];
	} cases[] = {
		{ 0, K4, { { A0, K4, AXAS_READ }, { A0 + K4, 15 * K4, RW } } },
		{ 15 * K4, 2 * K4, { { A0, 15 * K4, RW }, { A0 + 15 * K4, K4, AXAS_READ } } },
		{ 4 * K4, 2 * K4, { { A0, 4 * K4, RW }, { A0 + 4 * K4, 2 * K4, AXAS_READ },
				    { A0 + 6 * K4, 10 * K4, RW } } },
		{ -K4, 18 * K4, { { A0, 16 * K4, AXAS_READ } } },
	};
	unsigned int i, n;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct thal *t = thal_new(test);
		struct axas *as = space_new(test, t, param_format(test), 0, G1);
		struct axas_translation tr;
		bool inside;

		KUNIT_ASSERT_EQ(test, axas_map_alloc(as, A0, 16 * K4, RW), 0);
		KUNIT_ASSERT_TRUE(test, fault(test, as, A0 + 4 * K4, AXAS_WRITE));
		KUNIT_ASSERT_EQ(test, axas_protect(as, A0 + cases[i].off, cases[i].size,
						   AXAS_READ), 0);
		for (n = 0; n < 3 && cases[i].exp[n].size; n++)
			;
		expect_areas(test, as, cases[i].exp, n);
		KUNIT_ASSERT_EQ(test, axas_translate(as, A0 + 4 * K4, &tr), 0);
		inside = cases[i].off <= (s64)(4 * K4) &&
			 cases[i].off + (s64)cases[i].size > (s64)(4 * K4);
		KUNIT_EXPECT_EQ(test, tr.flags, inside ? AXAS_READ : RW);
		space_done(test, t, as);
	}
}

/* The seed returns the area size as the limit; it is the bytes left. */
static void space_translate_limit_test(struct kunit *test)
{
	struct thal *t = thal_new(test);
	struct axas *as = space_new(test, t, param_format(test), 0, G1);
	struct axas_translation tr;

	KUNIT_ASSERT_EQ(test, axas_map_alloc(as, A0, 16 * K4, RW | AXAS_MAP_POPULATE), 0);
	KUNIT_ASSERT_EQ(test, axas_translate(as, A0 + 5 * K4 + 0x123, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.limit, 11 * K4 - 0x123);
	KUNIT_EXPECT_EQ(test, tr.area_start, A0);
	KUNIT_EXPECT_EQ(test, tr.area_size, 16 * K4);
	KUNIT_EXPECT_EQ(test, axas_translate(as, A0 + 16 * K4, &tr), -ENOENT);
	KUNIT_EXPECT_EQ(test, axas_translate(as, 2 * G1, &tr), -EINVAL);
	space_done(test, t, as);
}

/* A 4 KiB hole in a 1 GiB leaf: the neighbours keep their frames. */
static void space_huge_unmap_test(struct kunit *test)
{
	const struct npt_tcase *tc = param_tcase(test);
	struct thal *t = thal_new(test);
	struct axas *as = space_new(test, t, tc->id, 0, 4 * G1);
	struct axas_translation tr;
	u64 hole = G1 + 5 * M2 + 7 * K4, gpa;

	KUNIT_ASSERT_EQ(test, axas_map_linear(as, G1, FAKE_HPA, G1, RW), 0);
	KUNIT_ASSERT_EQ(test, axas_translate(as, G1, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.page_size, G1);
	KUNIT_ASSERT_EQ(test, axas_unmap(as, hole, K4), 0);
	KUNIT_EXPECT_EQ(test, axas_translate(as, hole, &tr), -ENOENT);
	for (gpa = G1; gpa < 2 * G1;
	     gpa += ALIGN_DOWN(gpa, M2) == ALIGN_DOWN(hole, M2) ? K4 : M2) {
		if (gpa == hole)
			continue;
		KUNIT_ASSERT_EQ(test, axas_translate(as, gpa, &tr), 0);
		KUNIT_EXPECT_EQ(test, tr.hpa, FAKE_HPA + gpa - G1);
		KUNIT_EXPECT_EQ(test, tr.page_size,
				ALIGN_DOWN(gpa, M2) == ALIGN_DOWN(hole, M2) ? K4 : M2);
	}
	KUNIT_EXPECT_EQ(test, info_of(as).mapped_bytes, G1 - K4);
	KUNIT_EXPECT_EQ(test, info_of(as).nr_areas, 2);
	KUNIT_EXPECT_EQ(test, info_of(as).table_pages,
			tc->root_pages + tc->levels - 1);
	KUNIT_ASSERT_EQ(test, axas_map_alloc(as, hole, K4, RW | AXAS_MAP_POPULATE), 0);
	KUNIT_EXPECT_EQ(test, info_of(as).mapped_bytes, G1);
	space_done(test, t, as);
}

/* The seed's GuestMemoryAccessor: objects and buffers across pages and areas. */
static void space_memory_accessor_test(struct kunit *test)
{
	struct thal *t = thal_new(test);
	struct axas *as = space_new(test, t, param_format(test), 0, G1);
	u8 *buf = kunit_kzalloc(test, 3 * K4, GFP_KERNEL);
	u8 *back = kunit_kzalloc(test, 3 * K4, GFP_KERNEL);
	u64 obj = 0x0123456789abcdefULL, got = 0;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, back);
	for (i = 0; i < 3 * K4; i++)
		buf[i] = i * 7 + 1;
	KUNIT_ASSERT_EQ(test, axas_map_alloc(as, A0, 2 * K4, RW | AXAS_MAP_POPULATE), 0);
	KUNIT_ASSERT_EQ(test, axas_map_alloc(as, A0 + 2 * K4, 2 * K4, RW), 0);
	/* Reading a lazy page gives zeros and allocates nothing. */
	KUNIT_EXPECT_EQ(test, axas_read_buffer(as, A0 + 2 * K4, back, K4), 0);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(back, 0, K4), NULL);
	KUNIT_EXPECT_EQ(test, info_of(as).alloc_pages, 2);
	/* A buffer across a page and an area boundary; writing allocates. */
	KUNIT_EXPECT_EQ(test, axas_write_buffer(as, A0 + 0x800, buf, 3 * K4), 0);
	KUNIT_EXPECT_EQ(test, info_of(as).alloc_pages, 4);
	KUNIT_EXPECT_EQ(test, axas_read_buffer(as, A0 + 0x800, back, 3 * K4), 0);
	KUNIT_EXPECT_EQ(test, memcmp(buf, back, 3 * K4), 0);
	KUNIT_EXPECT_EQ(test, axas_write_obj(as, A0 + K4 - 4, &obj), 0);
	KUNIT_EXPECT_EQ(test, axas_read_obj(as, A0 + K4 - 4, &got), 0);
	KUNIT_EXPECT_EQ(test, got, obj);
	/* Beyond the last area, or in a hole: nothing to read. */
	KUNIT_EXPECT_EQ(test, axas_read_obj(as, A0 + 4 * K4 - 4, &got), -EFAULT);
	KUNIT_EXPECT_EQ(test, axas_read_obj(as, A0 - 8, &got), -EFAULT);
	KUNIT_EXPECT_EQ(test, axas_write_obj(as, 2 * G1, &got), -EFAULT);
	space_done(test, t, as);
}

/* The seed's frame tests: frames are zeroed, and each one is freed once. */
static void space_frame_test(struct kunit *test)
{
	struct thal *t = thal_new(test);
	struct axas *as = space_new(test, t, AXAS_FMT_X86_EPT4, 0, G1);
	u64 word = ~0ULL, gpa;

	KUNIT_ASSERT_EQ(test, axas_map_alloc(as, 0, 64 * K4, RW), 0);
	for (gpa = 0; gpa < 64 * K4; gpa += 4 * K4)
		KUNIT_EXPECT_TRUE(test, fault(test, as, gpa + 0x18, AXAS_READ));
	KUNIT_EXPECT_EQ(test, thal_live_frames(t), 16);
	for (gpa = 0; gpa < 64 * K4; gpa += 4 * K4) {
		KUNIT_EXPECT_EQ(test, axas_read_obj(as, gpa + 0xff8, &word), 0);
		KUNIT_EXPECT_EQ(test, word, 0);
	}
	KUNIT_EXPECT_EQ(test, axas_unmap(as, 8 * K4, 8 * K4), 0);
	KUNIT_EXPECT_EQ(test, thal_live_frames(t), 14);
	KUNIT_EXPECT_EQ(test, axas_clear(as), 0);
	KUNIT_EXPECT_EQ(test, thal_live_frames(t), 0);
	KUNIT_EXPECT_EQ(test, info_of(as).nr_areas, 0);
	KUNIT_EXPECT_EQ(test, info_of(as).table_pages, 1);
	/* The space stays usable after clear. */
	KUNIT_EXPECT_EQ(test, axas_map_alloc(as, 0, K4, RW | AXAS_MAP_POPULATE), 0);
	space_done(test, t, as);
}

struct snapshot {
	struct axas_info info;
	struct axas_area areas[4];
	u32 nr;
};

static void snap(struct axas *as, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->info = info_of(as);
	axas_get_areas(as, s->areas, ARRAY_SIZE(s->areas), &s->nr);
}

enum failnth_op { OP_POPULATE, OP_FAULT, OP_PROTECT, OP_UNMAP, OP_COUNT };

/* The space each fail-nth op starts from: a 1 GiB linear leaf and a lazy area. */
static int failnth_run(struct axas *as, enum failnth_op op)
{
	struct axas_npf_info npf = { .gpa = 2 * G1 + 5 * M2, .access = AXAS_READ };
	bool handled;
	int ret;

	switch (op) {
	case OP_POPULATE:
		return axas_map_alloc(as, 3 * G1 + M2 - 2 * K4, 2 * M2 + 3 * K4,
				      RW | AXAS_MAP_POPULATE);
	case OP_FAULT:
		ret = axas_handle_page_fault(as, &npf, &handled);
		return ret ?: handled ? 0 : -ENOENT;
	case OP_PROTECT:
		return axas_protect(as, G1 + M2 + K4, K4, AXAS_READ);
	default:
		return axas_unmap(as, G1 + 3 * M2 + K4, K4);
	}
}

/* Failing the n-th allocation of every op leaves the space as it was. */
static void space_failnth_test(struct kunit *test)
{
	struct snapshot before, after;
	unsigned int op, n;
	int ret;

	for (op = 0; op < OP_COUNT; op++) {
		for (n = 1; n < 64; n++) {
			struct thal *t = thal_new(test);
			struct axas *as = space_new(test, t, param_format(test), 0, 4 * G1);

			KUNIT_ASSERT_EQ(test, axas_map_linear(as, G1, FAKE_HPA, G1, RW), 0);
			KUNIT_ASSERT_EQ(test, axas_map_alloc(as, 2 * G1, G1, RW), 0);
			snap(as, &before);
			thal_fail(t, n);
			ret = failnth_run(as, op);
			thal_fail(t, 0);
			if (!ret) {
				space_done(test, t, as);
				break;
			}
			KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "op %u n %u", op, n);
			snap(as, &after);
			KUNIT_EXPECT_EQ_MSG(test, memcmp(&before, &after, sizeof(before)), 0,
					    "op %u n %u", op, n);
			space_done(test, t, as);
		}
		KUNIT_EXPECT_GT_MSG(test, n, 1U, "op %u never allocated", op);
		KUNIT_EXPECT_LT_MSG(test, n, 64U, "op %u never succeeded", op);
	}
}

struct flush_log {
	unsigned int calls;
	u64 lo, hi;
};

static void flush_record(void *priv, u64 gpa, u64 size)
{
	struct flush_log *log = priv;

	log->lo = log->calls ? min(log->lo, gpa) : gpa;
	log->hi = log->calls ? max(log->hi, gpa + size) : gpa + size;
	log->calls++;
}

static const struct axas_flush_ops flush_ops = { .flush_range = flush_record };

/* Registered flush callbacks cover every unmap and downgrade. */
static void space_flush_test(struct kunit *test)
{
	struct thal *t = thal_new(test);
	struct axas *as = space_new(test, t, param_format(test), 0, 4 * G1);
	struct flush_log log = { 0 };
	struct axas_flusher f = { .ops = &flush_ops, .priv = &log };

	axas_register_flush(as, &f);
	KUNIT_ASSERT_EQ(test, axas_map_linear(as, G1, FAKE_HPA, G1, RW), 0);
	KUNIT_EXPECT_EQ(test, log.calls, 0);
	KUNIT_ASSERT_EQ(test, axas_unmap(as, G1 + M2, K4), 0);
	KUNIT_EXPECT_GT(test, log.calls, 0);
	KUNIT_EXPECT_LE(test, log.lo, G1 + M2);
	KUNIT_EXPECT_GE(test, log.hi, G1 + M2 + K4);
	log.calls = 0;
	KUNIT_ASSERT_EQ(test, axas_protect(as, G1 + 4 * M2, M2, AXAS_READ), 0);
	KUNIT_EXPECT_GT(test, log.calls, 0);
	KUNIT_EXPECT_LE(test, log.lo, G1 + 4 * M2);
	KUNIT_EXPECT_GE(test, log.hi, G1 + 5 * M2);
	axas_unregister_flush(as, &f);
	log.calls = 0;
	KUNIT_ASSERT_EQ(test, axas_unmap(as, G1, G1), 0);
	KUNIT_EXPECT_EQ(test, log.calls, 0);
	space_done(test, t, as);
}

/* The seed's device address types. */
static void space_device_types_test(struct kunit *test)
{
	struct axas_port_range ports = { 0x3f8, 0x3ff };
	struct axas_sysreg_range regs = { 0x100, 0x1ff };
	struct axas_gpa_range top = { U64_MAX - K4 + 1, K4 };
	enum axas_access_width w;

	KUNIT_EXPECT_TRUE(test, axas_port_range_contains(&ports, 0x3f8));
	KUNIT_EXPECT_TRUE(test, axas_port_range_contains(&ports, 0x3ff));
	KUNIT_EXPECT_FALSE(test, axas_port_range_contains(&ports, 0x400));
	KUNIT_EXPECT_FALSE(test, axas_port_range_contains(&ports, 0x3f7));
	KUNIT_EXPECT_TRUE(test, axas_sysreg_range_contains(&regs, 0x1ff));
	KUNIT_EXPECT_FALSE(test, axas_sysreg_range_contains(&regs, 0x200));
	KUNIT_EXPECT_TRUE(test, axas_gpa_range_contains(&top, U64_MAX));
	KUNIT_EXPECT_FALSE(test, axas_gpa_range_contains(&top, U64_MAX - K4));
	KUNIT_EXPECT_EQ(test, axas_access_width_from_size(4, &w), 0);
	KUNIT_EXPECT_EQ(test, w, AXAS_WIDTH_DWORD);
	KUNIT_EXPECT_EQ(test, axas_access_width_from_size(3, &w), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_access_width_from_size(16, &w), -EINVAL);
}

/* Bad ranges and flags: EINVAL, nothing changes. */
static void space_bad_args_test(struct kunit *test)
{
	struct thal *t = thal_new(test);
	struct axas *as = space_new(test, t, AXAS_FMT_X86_EPT4, G1, G1);
	static const u32 bad_flags[] = {
		0, AXAS_WRITE, AXAS_EXEC | AXAS_DEVICE, AXAS_EXEC | AXAS_UNCACHED,
		AXAS_READ | BIT(6), AXAS_READ | AXAS_MAP_POPULATE << 1,
	};
	unsigned int i;

	KUNIT_EXPECT_EQ(test, axas_map_alloc(as, G1 + 0x800, K4, RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_map_alloc(as, G1, 0, RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_map_alloc(as, G1 - K4, 2 * K4, RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_map_alloc(as, 2 * G1 - K4, 2 * K4, RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_map_alloc(as, G1, -G1, RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_unmap(as, G1, K4 + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_protect(as, G1, K4, RW | AXAS_MAP_POPULATE), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_map_linear(as, G1, FAKE_HPA + 0x10, K4, RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_map_linear(as, G1, BIT_ULL(63), K4, RW), -EINVAL);
	/* RAM is refused, where the platform registers "System RAM" (UML does not). */
	if (region_intersects(page_to_phys(virt_to_page(t)), K4, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT)
		KUNIT_EXPECT_EQ(test, axas_map_linear(as, G1, page_to_phys(virt_to_page(t)),
						      K4, RW), -EPERM);
	else
		kunit_info(test, "no System RAM resources: RAM refusal not testable\n");
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		KUNIT_EXPECT_EQ_MSG(test, axas_map_alloc(as, G1, K4, bad_flags[i]),
				    -EINVAL, "flags %#x", bad_flags[i]);
		KUNIT_EXPECT_EQ_MSG(test, axas_protect(as, G1, K4, bad_flags[i]),
				    -EINVAL, "flags %#x", bad_flags[i]);
	}
	KUNIT_EXPECT_EQ(test, info_of(as).nr_areas, 0);
	KUNIT_EXPECT_EQ(test, thal_live_frames(t), 0);
	space_done(test, t, as);
}

static struct kunit_case space_cases[] = {
	KUNIT_CASE_PARAM(space_create_test, space_format_gen_params),
	KUNIT_CASE_PARAM(space_bad_create_test, space_format_gen_params),
	KUNIT_CASE(space_bad_args_test),
	KUNIT_CASE_PARAM(space_populate_test, space_format_gen_params),
	KUNIT_CASE_PARAM(space_lazy_fault_test, space_format_gen_params),
	KUNIT_CASE(space_fault_denied_test),
	KUNIT_CASE_PARAM(space_overlap_test, space_format_gen_params),
	KUNIT_CASE_PARAM(space_unmap_split_test, space_format_gen_params),
	KUNIT_CASE_PARAM(space_protect_split_test, space_format_gen_params),
	KUNIT_CASE_PARAM(space_translate_limit_test, space_format_gen_params),
	KUNIT_CASE_PARAM(space_huge_unmap_test, space_format_gen_params),
	KUNIT_CASE_PARAM(space_memory_accessor_test, space_format_gen_params),
	KUNIT_CASE(space_frame_test),
	KUNIT_CASE_PARAM(space_failnth_test, space_format_gen_params),
	KUNIT_CASE_PARAM(space_flush_test, space_format_gen_params),
	KUNIT_CASE(space_device_types_test),
	{}
};

static struct kunit_suite space_suite = {
	.name = "axaddrspace_space",
	.test_cases = space_cases,
};

kunit_test_suite(space_suite);

/*
 * The HAL's sync_guest: a counting one, on a copy of the counting HAL. It
 * checks at each call that the table maps nothing beyond what was synced
 * before (the frame is synced before it is mapped).
 */
#define SYNC_MAX	1024U

struct sync_thal {
	struct thal t;
	struct axas *as;
	u64 mapped_base;
	u64 synced;
	unsigned int calls;
	unsigned int late;
	struct { phys_addr_t pa; size_t len; bool exec; } log[SYNC_MAX];
};

static void sync_record(void *priv, phys_addr_t pa, size_t len, bool exec)
{
	struct sync_thal *s = container_of(priv, struct sync_thal, t);

	if (axas_npt_mapped_bytes(&s->as->npt) != s->mapped_base + s->synced)
		s->late++;
	if (s->calls < SYNC_MAX)
		s->log[s->calls] = (typeof(s->log[0])) { pa, len, exec };
	s->calls++;
	s->synced += len;
}

static struct sync_thal *sync_thal_new(struct kunit *test)
{
	struct sync_thal *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	thal_init(&s->t);
	s->t.hal.sync_guest = sync_record;
	return s;
}

/* Start counting before an operation. */
static void sync_reset(struct sync_thal *s)
{
	s->mapped_base = axas_npt_mapped_bytes(&s->as->npt);
	s->synced = 0;
	s->calls = 0;
	s->late = 0;
}

/* Every page of [@gpa, @gpa + @size) maps a frame synced with @exec. */
static void sync_expect_range(struct kunit *test, struct sync_thal *s, u64 gpa,
			      u64 size, bool exec)
{
	unsigned int i, n = min(s->calls, SYNC_MAX);
	struct axas_translation tr;
	u64 end;

	for (end = gpa + size; gpa < end; gpa += K4) {
		KUNIT_ASSERT_EQ(test, axas_translate(s->as, gpa, &tr), 0);
		for (i = 0; i < n; i++)
			if (tr.hpa >= s->log[i].pa &&
			    tr.hpa - s->log[i].pa < s->log[i].len)
				break;
		KUNIT_ASSERT_LT_MSG(test, i, n, "gpa %#llx: frame not synced",
				    gpa);
		KUNIT_EXPECT_EQ_MSG(test, s->log[i].exec, exec, "gpa %#llx", gpa);
	}
}

/*
 * Populate and faults hand every new frame to sync_guest before it is
 * mapped, once, with exec for executable areas; a fault on a page that has
 * its frame syncs nothing.
 */
static void space_sync_guest_test(struct kunit *test)
{
	struct sync_thal *s = sync_thal_new(test);
	u64 size = M2 + 3 * K4, lazy = 8 * M2, code = 16 * M2;

	s->as = space_new(test, &s->t, param_format(test), 0, G1);
	sync_reset(s);
	KUNIT_ASSERT_EQ(test, axas_map_alloc(s->as, M2, size, RW | AXAS_EXEC |
					     AXAS_MAP_POPULATE), 0);
	KUNIT_EXPECT_EQ(test, s->synced, size);
	KUNIT_EXPECT_EQ(test, s->late, 0);
	sync_expect_range(test, s, M2, size, true);

	KUNIT_ASSERT_EQ(test, axas_map_alloc(s->as, lazy, 4 * K4, RW), 0);
	KUNIT_ASSERT_EQ(test, axas_map_alloc(s->as, code, K4,
					     AXAS_READ | AXAS_EXEC), 0);
	sync_reset(s);
	KUNIT_EXPECT_TRUE(test, fault(test, s->as, lazy + K4, AXAS_WRITE));
	KUNIT_EXPECT_TRUE(test, fault(test, s->as, lazy + 3 * K4, AXAS_READ));
	KUNIT_EXPECT_EQ(test, s->calls, 2);
	sync_expect_range(test, s, lazy + K4, K4, false);
	sync_expect_range(test, s, lazy + 3 * K4, K4, false);
	sync_reset(s);
	KUNIT_EXPECT_TRUE(test, fault(test, s->as, code, AXAS_EXEC));
	KUNIT_EXPECT_EQ(test, s->calls, 1);
	sync_expect_range(test, s, code, K4, true);
	KUNIT_EXPECT_EQ(test, s->late, 0);
	sync_reset(s);
	KUNIT_EXPECT_TRUE(test, fault(test, s->as, lazy + K4, AXAS_READ));
	KUNIT_EXPECT_EQ(test, s->calls, 0);
	space_done(test, &s->t, s->as);
}

static bool gfp_has(gfp_t gfp, gfp_t bits)
{
	return (gfp & bits) == bits;
}

/*
 * Guest frames are charged and zeroed; order 0 fails instead of calling the
 * OOM killer, 2 MiB chunks give up early and quietly (order 0 follows).
 */
static void space_frame_gfp_test(struct kunit *test)
{
	gfp_t small = axas_frame_gfp(0), chunk = axas_frame_gfp(9);

	KUNIT_EXPECT_TRUE(test, gfp_has(small, GFP_KERNEL_ACCOUNT | __GFP_ZERO |
					__GFP_RETRY_MAYFAIL));
	KUNIT_EXPECT_TRUE(test, gfp_has(chunk, GFP_KERNEL_ACCOUNT | __GFP_ZERO |
					__GFP_NORETRY | __GFP_NOWARN));
	KUNIT_EXPECT_FALSE(test, !!((small | chunk) &
				    (__GFP_NOFAIL | __GFP_COMP | __GFP_HIGHMEM)));
}

static struct kunit_case space_hal_cases[] = {
	KUNIT_CASE_PARAM(space_sync_guest_test, space_format_gen_params),
	KUNIT_CASE(space_frame_gfp_test),
	{}
};

static struct kunit_suite space_hal_suite = {
	.name = "axaddrspace_space_hal",
	.test_cases = space_hal_cases,
};

kunit_test_suite(space_hal_suite);
