// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the space layer's guards: what a linear area's grant
 * allows the VMM to read and write, host ranges a driver holds or that
 * became RAM, and lockless translate racing writers that add and remove a
 * space's only area.
 */
#include <kunit/test.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/uio.h>
#include <linux/axaddrspace.h>

#include "src/space.h"

#define K4	0x1000ULL
#define M2	0x200000ULL
#define G1	0x40000000ULL
#define RW	(AXAS_READ | AXAS_WRITE)
/* Fake host memory for linear areas: far above the VM's RAM, never touched. */
#define FAKE_HPA	(256 * G1)

/* Arm stage 2 expresses execute-only on every host; EPT may not. */
static struct axas *guard_space(struct kunit *test)
{
	struct axas *as = axas_create(0, 4 * G1, AXAS_FMT_ARM64_S2_48, 0);

	KUNIT_ASSERT_FALSE(test, IS_ERR(as));
	return as;
}

static ssize_t guard_rw(struct axas *as, u64 gpa, void *buf, size_t len,
			bool write)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;

	iov_iter_kvec(&iter, write ? WRITE : READ, &kv, 1, len);
	return axas_rw_iter(as, gpa, &iter, write);
}

/*
 * A linear area's READ and WRITE bound what the VMM may read and write;
 * the refused byte ends a transfer as a hole does. Alloc areas are always
 * readable and writable.
 */
static void guard_linear_rw_test(struct kunit *test)
{
	struct axas *as = guard_space(test);
	u8 *buf = kunit_kzalloc(test, 2 * K4, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, axas_map_alloc(as, 0, K4, AXAS_EXEC), 0);
	KUNIT_ASSERT_EQ(test, axas_map_linear(as, K4, FAKE_HPA, K4, AXAS_EXEC), 0);
	KUNIT_ASSERT_EQ(test, axas_map_linear(as, 2 * K4, FAKE_HPA, K4,
					      AXAS_READ), 0);
	KUNIT_EXPECT_EQ(test, guard_rw(as, K4, buf, 8, false), -EACCES);
	KUNIT_EXPECT_EQ(test, guard_rw(as, K4, buf, 8, true), -EACCES);
	KUNIT_EXPECT_EQ(test, guard_rw(as, 2 * K4, buf, 8, true), -EACCES);
	memset(buf, 0x5a, 2 * K4);
	KUNIT_EXPECT_EQ(test, guard_rw(as, 0, buf, 2 * K4, true), K4);
	memset(buf, 0, 2 * K4);
	KUNIT_EXPECT_EQ(test, guard_rw(as, 0, buf, 2 * K4, false), K4);
	KUNIT_EXPECT_EQ(test, buf[0], 0x5a);
	KUNIT_EXPECT_EQ(test, buf[K4 - 1], 0x5a);
	KUNIT_EXPECT_EQ(test, buf[K4], 0);
	axas_put(as);
}

/* A host range that a driver holds exclusively is refused, even in part. */
static void guard_exclusive_test(struct kunit *test)
{
	struct axas *as = guard_space(test);
	struct resource *res;
	struct axas_info info;

	res = request_mem_region_exclusive(FAKE_HPA + K4, K4, "axaddrspace-kunit");
	KUNIT_ASSERT_NOT_NULL(test, res);
	KUNIT_EXPECT_EQ(test, axas_map_linear(as, 0, FAKE_HPA + K4, K4, RW), -EBUSY);
	KUNIT_EXPECT_EQ(test, axas_map_linear(as, 0, FAKE_HPA, 3 * K4, RW), -EBUSY);
	KUNIT_EXPECT_EQ(test, axas_map_linear(as, 0, FAKE_HPA, K4, RW), 0);
	axas_get_info(as, &info);
	KUNIT_EXPECT_EQ(test, info.nr_areas, 1);
	release_mem_region(FAKE_HPA + K4, K4);
	KUNIT_EXPECT_EQ(test, axas_map_linear(as, K4, FAKE_HPA + K4, K4, RW), 0);
	axas_put(as);
}

/*
 * A linear area over RAM (allowed at load time) whose host page is RAM at
 * access time while RAM is not allowed any more: as if the page had been
 * hot-added since. The access is refused instead of mapped.
 */
static void guard_became_ram_test(struct kunit *test)
{
	struct axas *as = guard_space(test);
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	u8 buf[8] = { 0 };

	KUNIT_ASSERT_NOT_NULL(test, page);
	memset(page_address(page), 0x3c, 8);
	axas_kunit_allow_ram_linear(true);
	KUNIT_EXPECT_EQ(test, axas_map_linear(as, 0, page_to_phys(page), K4, RW), 0);
	KUNIT_EXPECT_EQ(test, guard_rw(as, 0, buf, sizeof(buf), false), 8);
	KUNIT_EXPECT_EQ(test, buf[7], 0x3c);
	axas_kunit_allow_ram_linear(false);
	KUNIT_EXPECT_EQ(test, guard_rw(as, 0, buf, sizeof(buf), false), -EIO);
	KUNIT_EXPECT_EQ(test, guard_rw(as, 0, buf, sizeof(buf), true), -EIO);
	axas_put(as);
	__free_page(page);
}

struct guard_race {
	struct axas *as;
	atomic_t bad;
	atomic_long_t seen;
};

/* Every answer is one the space had: no area, or the one populated page. */
static int guard_reader(void *arg)
{
	struct guard_race *r = arg;
	struct axas_translation t;
	int ret;

	while (!kthread_should_stop()) {
		ret = axas_translate(r->as, 0, &t);
		cond_resched();
		if (ret == -ENOENT)
			continue;
		if (ret || t.area_start || t.area_size != K4 || t.page_size != K4 ||
		    t.backend != AXAS_BACKEND_ALLOC || t.flags != RW)
			atomic_inc(&r->bad);
		atomic_long_inc(&r->seen);
	}
	return 0;
}

/*
 * Lockless translate against a writer that puts a space's only area in
 * and takes it out again: the lookup must never see a half-changed tree.
 */
static void guard_translate_race_test(struct kunit *test)
{
	struct guard_race r = { .as = guard_space(test) };
	unsigned long end = jiffies + 3 * HZ;
	struct task_struct *readers[3];
	unsigned int i;

	atomic_set(&r.bad, 0);
	atomic_long_set(&r.seen, 0);
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		readers[i] = kthread_run(guard_reader, &r, "axas-guard-%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(readers[i]));
		get_task_struct(readers[i]);
	}
	/* A bound on the run, not a timing assertion: TCG is slow. */
	for (i = 0; i < 20000 && time_before(jiffies, end); i++) {
		if (axas_map_alloc(r.as, 0, K4, RW | AXAS_MAP_POPULATE) ||
		    axas_unmap(r.as, 0, K4)) {
			KUNIT_FAIL(test, "map or unmap failed at %u", i);
			break;
		}
		cond_resched();
	}
	for (i = 0; i < ARRAY_SIZE(readers); i++) {
		kthread_stop(readers[i]);
		put_task_struct(readers[i]);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&r.bad), 0);
	kunit_info(test, "%u maps, %ld translations found the area\n", i,
		   atomic_long_read(&r.seen));
	axas_put(r.as);
}

static struct kunit_case guard_cases[] = {
	KUNIT_CASE(guard_linear_rw_test),
	KUNIT_CASE(guard_exclusive_test),
	KUNIT_CASE(guard_became_ram_test),
	KUNIT_CASE(guard_translate_race_test),
	{}
};

static struct kunit_suite guard_suite = {
	.name = "axaddrspace_guard",
	.test_cases = guard_cases,
};

kunit_test_suite(guard_suite);
