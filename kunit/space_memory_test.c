// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of spaces that map memory fds (src/backend_memory.c) and of
 * AXAS_DISCARD: leaves on the file's own frames, 2 MiB leaves on its 2 MiB
 * folios, a punch-hole that unmaps from the space, bindings and file
 * references that come and go with the areas, and fail-nth table
 * allocation failures that leave the space as it was.
 */
#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/rcupdate.h>
#include <linux/axaddrspace.h>

#include "kunit/formats.h"
#include "kunit/thal.h"
#include "src/memfile.h"
#include "src/space.h"

#define K4	0x1000ULL
#define M2	0x200000ULL
#define RW	(AXAS_READ | AXAS_WRITE)
#define POP	AXAS_MAP_POPULATE
/* The leaf on a huge memory fd's frame: 4 KiB where the kernel has no THP. */
#define HUGE_LEAF	(IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) ? M2 : K4)

struct mctx {
	struct thal *t;
	struct axas *as;
	struct file *file;
};

static void mctx_init(struct kunit *test, struct mctx *m, u32 format,
		      u64 file_size, u32 file_flags)
{
	m->t = thal_new(test);
	m->as = axas_create_with_hal(0, 1ULL << 30, format, 0, &m->t->hal);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(m->as));
	m->file = axas_memfile_create(file_size, file_flags);
	KUNIT_ASSERT_FALSE(test, IS_ERR(m->file));
}

/* Drop the space: its tables and frames go, and its file reference. */
static void mctx_done(struct kunit *test, struct mctx *m)
{
	axas_put(m->as);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, thal_live_tables(m->t), 0);
	KUNIT_EXPECT_EQ(test, thal_live_frames(m->t), 0);
	KUNIT_EXPECT_EQ(test, file_count(m->file), 1);
	fput(m->file);
}

static u64 leaf_of(struct axas *as, u64 gpa, u64 *hpa)
{
	struct axas_translation t;

	if (axas_translate(as, gpa, &t))
		return 0;
	if (hpa)
		*hpa = t.hpa;
	return t.page_size;
}

/* The host address of the file's frame of page @index, made if absent. */
static u64 file_pa(struct kunit *test, struct file *file, pgoff_t index)
{
	struct folio *folio;
	u64 pa;

	KUNIT_ASSERT_EQ(test, axas_memfile_get_folio(file, index, &folio), 0);
	pa = page_to_phys(folio_file_page(folio, index));
	folio_put(folio);
	return pa;
}

static struct axas_info info_of(struct axas *as)
{
	struct axas_info info;

	axas_get_info(as, &info);
	return info;
}

KUNIT_ARRAY_PARAM(mem_format, npt_tcases, npt_tcase_desc);

static u32 param_format(struct kunit *test)
{
	return ((const struct npt_tcase *)test->param_value)->id;
}

/* A lazy page faults in as the file's own frame, at the area's offset. */
static void memory_fault_test(struct kunit *test)
{
	struct axas_npf_info npf = { .gpa = 0x10000 + 3 * K4, .access = AXAS_WRITE };
	struct axas_translation tr;
	struct mctx m;
	bool handled;
	u64 hpa;

	mctx_init(test, &m, param_format(test), 4 * M2, 0);
	KUNIT_ASSERT_EQ(test, axas_map_memory(m.as, 0x10000, M2, m.file, M2, RW), 0);
	KUNIT_EXPECT_EQ(test, file_count(m.file), 2);
	KUNIT_EXPECT_EQ(test, leaf_of(m.as, npf.gpa, NULL), 0);
	KUNIT_ASSERT_EQ(test, axas_handle_page_fault(m.as, &npf, &handled), 0);
	KUNIT_EXPECT_TRUE(test, handled);
	KUNIT_EXPECT_EQ(test, leaf_of(m.as, npf.gpa, &hpa), K4);
	KUNIT_EXPECT_EQ(test, hpa, file_pa(test, m.file, (M2 >> PAGE_SHIFT) + 3));
	KUNIT_EXPECT_EQ(test, info_of(m.as).faults_handled, 1);
	/* Memory frames are the file's, not the space's. */
	KUNIT_EXPECT_EQ(test, info_of(m.as).alloc_pages, 0);
	KUNIT_EXPECT_EQ(test, thal_live_frames(m.t), 0);
	KUNIT_ASSERT_EQ(test, axas_translate(m.as, npf.gpa, &tr), 0);
	KUNIT_EXPECT_EQ(test, tr.backend, AXAS_BACKEND_MEMORY);
	/* A second fault maps nothing new. */
	KUNIT_ASSERT_EQ(test, axas_handle_page_fault(m.as, &npf, &handled), 0);
	KUNIT_EXPECT_EQ(test, info_of(m.as).faults_handled, 1);
	mctx_done(test, &m);
}

/* Populate maps the file's 2 MiB folios with 2 MiB leaves where they line up. */
static void memory_populate_huge_test(struct kunit *test)
{
	struct mctx m;
	u64 hpa;

	mctx_init(test, &m, param_format(test), 4 * M2, AXAS_MEMORY_HUGE);
	KUNIT_ASSERT_EQ(test, axas_map_memory(m.as, M2, 2 * M2, m.file, 0, RW | POP), 0);
	KUNIT_EXPECT_EQ(test, leaf_of(m.as, M2 + K4, &hpa), HUGE_LEAF);
	KUNIT_EXPECT_EQ(test, hpa, file_pa(test, m.file, 1));
	KUNIT_EXPECT_EQ(test, info_of(m.as).mapped_bytes, 2 * M2);
	/* Out of line with the file: 4 KiB leaves on the same folio. */
	KUNIT_ASSERT_EQ(test, axas_map_memory(m.as, 8 * M2, M2, m.file, 2 * M2 + K4,
					      RW | POP), 0);
	KUNIT_EXPECT_EQ(test, leaf_of(m.as, 8 * M2, &hpa), K4);
	KUNIT_EXPECT_EQ(test, hpa, file_pa(test, m.file, 2 * 512 + 1));
	mctx_done(test, &m);
}

/* A punch-hole unmaps the range from the space; the areas stay. */
static void memory_punch_test(struct kunit *test)
{
	struct mctx m;

	mctx_init(test, &m, param_format(test), 4 * M2, AXAS_MEMORY_HUGE);
	KUNIT_ASSERT_EQ(test, axas_map_memory(m.as, 0, 4 * M2, m.file, 0, RW | POP), 0);
	KUNIT_ASSERT_EQ(test, axas_memfile_punch(m.file, M2 + K4, K4), 0);
	/* The whole 2 MiB leaf around the hole goes: no split under a punch. */
	KUNIT_EXPECT_EQ(test, leaf_of(m.as, M2, NULL), 0);
	KUNIT_EXPECT_EQ(test, leaf_of(m.as, 2 * M2 - K4, NULL), 0);
	KUNIT_EXPECT_EQ(test, leaf_of(m.as, 0, NULL), HUGE_LEAF);
	KUNIT_EXPECT_EQ(test, leaf_of(m.as, 2 * M2, NULL), HUGE_LEAF);
	KUNIT_EXPECT_EQ(test, info_of(m.as).mapped_bytes, 3 * M2);
	KUNIT_EXPECT_EQ(test, info_of(m.as).nr_areas, 1);
	mctx_done(test, &m);
}

/*
 * Unmapping the last area of a file drops the binding and the file
 * reference; a punch afterwards calls nothing of the space.
 */
static void memory_unbind_test(struct kunit *test)
{
	struct mctx m;

	mctx_init(test, &m, param_format(test), 2 * M2, 0);
	KUNIT_ASSERT_EQ(test, axas_map_memory(m.as, 0, M2, m.file, 0, RW), 0);
	KUNIT_ASSERT_EQ(test, axas_map_memory(m.as, 4 * M2, M2, m.file, M2, RW), 0);
	KUNIT_EXPECT_EQ(test, file_count(m.file), 2);
	/* A split area holds the binding too. */
	KUNIT_ASSERT_EQ(test, axas_unmap(m.as, K4, K4), 0);
	KUNIT_EXPECT_EQ(test, info_of(m.as).nr_areas, 3);
	KUNIT_ASSERT_EQ(test, axas_unmap(m.as, 0, M2), 0);
	KUNIT_EXPECT_EQ(test, file_count(m.file), 2);
	KUNIT_ASSERT_EQ(test, axas_unmap(m.as, 4 * M2, M2), 0);
	KUNIT_EXPECT_EQ(test, file_count(m.file), 1);
	KUNIT_EXPECT_EQ(test, axas_memfile_punch(m.file, 0, 2 * M2), 0);
	mctx_done(test, &m);
}

static void memory_bad_args_test(struct kunit *test)
{
	struct mctx m;
	struct file *other;

	mctx_init(test, &m, AXAS_FMT_X86_NPT4, 2 * M2, 0);
	KUNIT_EXPECT_EQ(test, axas_map_memory(m.as, 0, 4 * M2, m.file, 0, RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_map_memory(m.as, 0, M2, m.file, 0x800, RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_map_memory(m.as, 0, M2, m.file, U64_MAX & ~0xfffULL,
					      RW), -EINVAL);
	KUNIT_EXPECT_EQ(test, axas_map_memory(m.as, 0, M2, m.file, 0, RW | BIT(10)),
			-EINVAL);
	/* A file that is not a memory fd. */
	other = anon_inode_getfile("axas-kunit", &simple_dir_operations, NULL, O_RDWR);
	if (!IS_ERR(other)) {
		KUNIT_EXPECT_EQ(test, axas_map_memory(m.as, 0, M2, other, 0, RW), -EINVAL);
		fput(other);
	}
	KUNIT_EXPECT_EQ(test, info_of(m.as).nr_areas, 0);
	KUNIT_EXPECT_EQ(test, file_count(m.file), 1);
	KUNIT_ASSERT_EQ(test, axas_map_memory(m.as, 0, M2, m.file, 0, RW), 0);
	KUNIT_EXPECT_EQ(test, axas_map_memory(m.as, M2 - K4, M2, m.file, 0, RW), -EEXIST);
	KUNIT_EXPECT_EQ(test, file_count(m.file), 2);
	mctx_done(test, &m);
}

/* A discard frees an alloc range, splitting a 2 MiB chunk, and leaves it lazy. */
static void discard_alloc_test(struct kunit *test)
{
	struct axas_area areas[4];
	struct mctx m;
	u32 n;

	mctx_init(test, &m, param_format(test), M2, 0);
	KUNIT_ASSERT_EQ(test, axas_map_alloc(m.as, 0, 2 * M2, RW | POP), 0);
	KUNIT_ASSERT_EQ(test, axas_discard(m.as, M2 - K4, 2 * K4), 0);
	KUNIT_EXPECT_EQ(test, info_of(m.as).alloc_pages, 1024 - 2);
	KUNIT_EXPECT_EQ(test, thal_live_frames(m.t), 1024 - 2);
	KUNIT_EXPECT_EQ(test, leaf_of(m.as, M2 - K4, NULL), 0);
	KUNIT_EXPECT_EQ(test, leaf_of(m.as, M2 - 2 * K4, NULL), K4);
	axas_get_areas(m.as, areas, ARRAY_SIZE(areas), &n);
	KUNIT_ASSERT_EQ(test, n, 3);
	KUNIT_EXPECT_EQ(test, areas[1].flags, RW);
	KUNIT_EXPECT_EQ(test, areas[0].flags, RW | POP);
	/* Linear areas refuse, and nothing changes. */
	KUNIT_ASSERT_EQ(test, axas_map_linear(m.as, 8 * M2, 256ULL << 30, M2, RW), 0);
	KUNIT_EXPECT_EQ(test, axas_discard(m.as, 0, 16 * M2), -EINVAL);
	KUNIT_EXPECT_EQ(test, info_of(m.as).alloc_pages, 1024 - 2);
	mctx_done(test, &m);
}

enum mem_op { MOP_MAP_MEMORY, MOP_FAULT, MOP_DISCARD, MOP_COUNT };

static int mem_op_run(struct mctx *m, enum mem_op op)
{
	struct axas_npf_info npf = { .gpa = 16 * M2 + 7 * K4, .access = AXAS_READ };
	bool handled;
	int ret;

	switch (op) {
	case MOP_MAP_MEMORY:
		return axas_map_memory(m->as, M2 - K4, M2 + 2 * K4, m->file, 0,
				       RW | POP);
	case MOP_FAULT:
		ret = axas_handle_page_fault(m->as, &npf, &handled);
		return ret ?: handled ? 0 : -ENOENT;
	default:
		return axas_discard(m->as, 8 * M2 + K4, K4);
	}
}

/* Failing the n-th table or frame allocation of each op changes nothing. */
static void memory_failnth_test(struct kunit *test)
{
	struct axas_info before, after;
	unsigned int op, n;
	struct mctx m;
	int ret;

	for (op = 0; op < MOP_COUNT; op++) {
		for (n = 1; n < 64; n++) {
			mctx_init(test, &m, param_format(test), 4 * M2, 0);
			KUNIT_ASSERT_EQ(test, axas_map_alloc(m.as, 8 * M2, M2, RW | POP), 0);
			KUNIT_ASSERT_EQ(test, axas_map_memory(m.as, 16 * M2, M2, m.file,
							      2 * M2, RW), 0);
			before = info_of(m.as);
			thal_fail(m.t, n);
			ret = mem_op_run(&m, op);
			thal_fail(m.t, 0);
			if (!ret) {
				mctx_done(test, &m);
				break;
			}
			KUNIT_EXPECT_EQ_MSG(test, ret, -ENOMEM, "op %u n %u", op, n);
			after = info_of(m.as);
			KUNIT_EXPECT_EQ_MSG(test, memcmp(&before, &after, sizeof(before)), 0,
					    "op %u n %u", op, n);
			KUNIT_EXPECT_EQ_MSG(test, file_count(m.file), 2, "op %u n %u", op, n);
			mctx_done(test, &m);
		}
		KUNIT_EXPECT_GT_MSG(test, n, 1U, "op %u never allocated", op);
		KUNIT_EXPECT_LT_MSG(test, n, 64U, "op %u never succeeded", op);
	}
}

static struct kunit_case space_memory_cases[] = {
	KUNIT_CASE_PARAM(memory_fault_test, mem_format_gen_params),
	KUNIT_CASE_PARAM(memory_populate_huge_test, mem_format_gen_params),
	KUNIT_CASE_PARAM(memory_punch_test, mem_format_gen_params),
	KUNIT_CASE_PARAM(memory_unbind_test, mem_format_gen_params),
	KUNIT_CASE(memory_bad_args_test),
	KUNIT_CASE_PARAM(discard_alloc_test, mem_format_gen_params),
	KUNIT_CASE_PARAM(memory_failnth_test, mem_format_gen_params),
	{}
};

static struct kunit_suite space_memory_suite = {
	.name = "axaddrspace_space_memory",
	.test_cases = space_memory_cases,
};

kunit_test_suite(space_memory_suite);
