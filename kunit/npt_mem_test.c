// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the engine's dealings with host memory, in every format:
 * table pages beyond the format's output address width are refused, table
 * pages never call the OOM killer, and the owner's release callback frees
 * the table's memory once the last RCU-deferred page is gone, without a
 * global barrier.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/slab.h>

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
	struct thal *hal = thal_new(test);
	struct axas_npt_cfg cfg = {
		.fmt = axas_npt_fmt_get(tc->id), .hal = &thal_tables,
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

/* A table whose memory its release callback frees, and what it saw. */
struct npt_rel_log {
	atomic_t calls;
	long allocs;
	long frees;
};

struct npt_rel_table {
	struct axas_npt npt;
	struct thal hal;
	struct npt_rel_log *log;
};

static void npt_rel_release(struct axas_npt *npt)
{
	struct npt_rel_table *r = container_of(npt, struct npt_rel_table, npt);

	r->log->allocs = atomic_long_read(&r->hal.allocs);
	r->log->frees = atomic_long_read(&r->hal.frees);
	atomic_inc(&r->log->calls);
	kfree(r);
}

static struct npt_rel_table *npt_rel_new(struct kunit *test,
					 struct npt_rel_log *log)
{
	const struct npt_tcase *tc = test->param_value;
	struct npt_rel_table *r = kzalloc(sizeof(*r), GFP_KERNEL);
	struct axas_npt_cfg cfg = {
		.fmt = axas_npt_fmt_get(tc->id), .hal = &thal_tables,
		.release = npt_rel_release,
	};
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->log = log;
	cfg.hal_priv = &r->hal;
	ret = axas_npt_init(&r->npt, &cfg);
	if (ret)
		kfree(r);
	KUNIT_ASSERT_EQ(test, ret, 0);
	return r;
}

/* Map and unmap one page: its tables go through RCU. */
static void npt_rel_queue(struct kunit *test, struct npt_rel_table *r)
{
	u64 gpa = BIT_ULL(r->npt.cfg.fmt->gpa_bits) / 2;

	KUNIT_EXPECT_EQ(test, axas_npt_map_page(&r->npt, gpa, 0x1000, RW), 0);
	KUNIT_EXPECT_EQ(test, axas_npt_unmap(&r->npt, gpa, SZ_4K_ULL), 0);
	KUNIT_EXPECT_EQ(test, axas_npt_table_pages(&r->npt),
			(unsigned long)axas_npt_root_pages(r->npt.cfg.fmt));
}

/* Nothing queued: the release runs in axas_npt_destroy(), once. */
static void npt_release_now_test(struct kunit *test)
{
	struct npt_rel_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, log);
	axas_npt_destroy(&npt_rel_new(test, log)->npt);
	KUNIT_EXPECT_EQ(test, atomic_read(&log->calls), 1);
	KUNIT_EXPECT_EQ(test, log->frees, log->allocs);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&log->calls), 1);
}

struct npt_rel_reader {
	atomic_t holding;
	atomic_t stop;
	atomic_t timed_out;
	struct completion done;
};

/*
 * Hold off every grace period (up to 5 s) until told to stop: callbacks
 * queued meanwhile cannot run, and an rcu_barrier() cannot return.
 */
static int npt_rel_reader_fn(void *arg)
{
	struct npt_rel_reader *rd = arg;
	unsigned long end = jiffies + 5 * HZ;

	rcu_read_lock();
	atomic_set(&rd->holding, 1);
	while (!atomic_read(&rd->stop) && time_before(jiffies, end))
		cpu_relax();
	atomic_set(&rd->timed_out, !atomic_read(&rd->stop));
	rcu_read_unlock();
	complete(&rd->done);
	return 0;
}

/*
 * Pages still queued for RCU: axas_npt_destroy() returns while a reader
 * holds the grace period off (it waits for nothing), the release has not
 * run yet, and it runs exactly once after the last page was freed.
 */
static void npt_release_rcu_test(struct kunit *test)
{
	struct npt_rel_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	struct npt_rel_reader *rd = kunit_kzalloc(test, sizeof(*rd), GFP_KERNEL);
	struct npt_rel_table *r;
	struct task_struct *task;
	unsigned int cpu;

	KUNIT_ASSERT_NOT_NULL(test, log);
	KUNIT_ASSERT_NOT_NULL(test, rd);
	init_completion(&rd->done);
	r = npt_rel_new(test, log);
	/* The reader spins on another CPU; without one, only count calls. */
	migrate_disable();
	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	if (cpu < nr_cpu_ids) {
		task = kthread_create(npt_rel_reader_fn, rd, "npt_rel");
		if (IS_ERR(task)) {
			migrate_enable();
			KUNIT_FAIL(test, "kthread_create: %ld", PTR_ERR(task));
			axas_npt_destroy(&r->npt);
			return;
		}
		kthread_bind(task, cpu);
		wake_up_process(task);
		while (!atomic_read(&rd->holding))
			cond_resched();
	}
	npt_rel_queue(test, r);
	axas_npt_destroy(&r->npt);
	if (cpu < nr_cpu_ids) {
		KUNIT_EXPECT_EQ(test, atomic_read(&log->calls), 0);
		atomic_set(&rd->stop, 1);
		wait_for_completion(&rd->done);
		KUNIT_EXPECT_EQ(test, atomic_read(&rd->timed_out), 0);
	} else {
		kunit_info(test, "one CPU: not waiting is not testable here\n");
	}
	migrate_enable();
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&log->calls), 1);
	KUNIT_EXPECT_EQ(test, log->frees, log->allocs);
}

static struct kunit_case npt_mem_cases[] = {
	KUNIT_CASE_PARAM(npt_high_root_test, npt_mem_gen_params),
	KUNIT_CASE_PARAM(npt_high_table_test, npt_mem_gen_params),
	KUNIT_CASE(npt_table_gfp_test),
	KUNIT_CASE_PARAM(npt_release_now_test, npt_mem_gen_params),
	KUNIT_CASE_PARAM(npt_release_rcu_test, npt_mem_gen_params),
	{}
};

static struct kunit_suite npt_mem_suite = {
	.name = "axas_npt_mem",
	.test_cases = npt_mem_cases,
};

kunit_test_suite(npt_mem_suite);
