/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the nested page table suites: the formats as formats.rst
 * describes them (formats.h, independent of npt/), the counting HAL that
 * can fail the n-th allocation (thal.h), a recording flush mock, table
 * snapshots and a reference walker that reads raw table memory.
 */
#ifndef _AXAS_NPT_TEST_H
#define _AXAS_NPT_TEST_H

#include <kunit/test.h>
#include <linux/rwsem.h>

#include "kunit/formats.h"
#include "kunit/thal.h"
#include "npt/fmt.h"

#define SZ_4K_ULL	0x1000ULL
#define SZ_2M_ULL	0x200000ULL
#define SZ_1G_ULL	0x40000000ULL

#define NPT_TFLUSH_MAX	65536

struct npt_trange {
	u64 start;
	u64 end;
};

/**
 * struct npt_tflush - flush mock: records ranges and checks break-before-make
 * @npt: the table, queried at every flush
 * @calls: flushes since the last reset
 * @nr: recorded ranges
 * @sorted: @ranges are sorted and merged
 * @overflow: more separate ranges than fit
 * @ranges: the flushed ranges, NPT_TFLUSH_MAX of them
 * @perm: permissions the flushed range may still have when flushed (0 for
 *	an unmap: gone already)
 * @bad: flushes whose first or last page still had more permissions
 */
struct npt_tflush {
	struct axas_npt *npt;
	unsigned int calls;
	unsigned int nr;
	bool sorted;
	bool overflow;
	struct npt_trange *ranges;
	u32 perm;
	unsigned int bad;
};

void npt_tflush_reset(struct npt_tflush *flush, u32 perm);
bool npt_tflush_covers(struct npt_tflush *flush, u64 start, u64 end);
void *npt_t_vzalloc(struct kunit *test, size_t size);

/**
 * struct npt_tctx - one table under test with its HAL, flush mock and lock
 * @test: the running test
 * @tc: the format as the test knows it
 * @fmt: the engine's descriptor
 * @npt: the table
 * @hal: counting HAL
 * @flush: flush mock
 * @lock: the owner's lock, as the space layer will hold it
 */
struct npt_tctx {
	struct kunit *test;
	const struct npt_tcase *tc;
	const struct axas_npt_fmt *fmt;
	struct axas_npt npt;
	struct thal hal;
	struct npt_tflush flush;
	struct rw_semaphore lock;
};

struct npt_tctx *npt_tctx_new(struct kunit *test);
void npt_tctx_free(struct npt_tctx *t);
long npt_thal_live(struct npt_tctx *t);

/* The engine's calls under the lock mode the contract asks for. */
int npt_t_map(struct npt_tctx *t, u64 gpa, u64 hpa, u64 size, u32 flags,
	      bool huge);
int npt_t_map_page(struct npt_tctx *t, u64 gpa, u64 hpa, u32 flags);
int npt_t_probe(struct npt_tctx *t, u64 gpa, struct axas_npt_slot *slot);
int npt_t_map_at(struct npt_tctx *t, const struct axas_npt_slot *slot,
		 u64 gpa, u64 hpa, u32 flags);
int npt_t_fault(struct npt_tctx *t, u64 gpa, u64 hpa, u32 flags);
int npt_t_unmap(struct npt_tctx *t, u64 gpa, u64 size);
int npt_t_protect(struct npt_tctx *t, u64 gpa, u64 size, u32 flags);
long npt_t_count_leaves(struct npt_tctx *t, u64 gpa, u64 size,
			long count[AXAS_NPT_LEAF_LEVELS]);

/* A copy of every table page, to prove that a failed call changed nothing. */
struct npt_snap {
	long nr;
	struct axas_table_page *pages;
};

struct npt_snap *npt_snap_take(struct npt_tctx *t);
bool npt_snap_equal(struct npt_tctx *t, const struct npt_snap *a,
		    const struct npt_snap *b);

/* The reference walker: formats.rst applied to raw table memory. */
struct npt_ref {
	u64 hpa;		/* of the address asked, offset included */
	unsigned int level;
	u32 flags;		/* as npt_t_canon() */
	u64 pte;		/* the raw leaf */
	u64 path[AXAS_NPT_MAX_LEVELS];	/* raw entries from the root down */
};

int npt_ref_walk(const struct npt_tcase *tc, phys_addr_t root, u64 gpa,
		 struct npt_ref *ref);
int npt_ref_decode_leaf(const struct npt_tcase *tc, u64 pte,
			unsigned int level, u64 *pa, u32 *flags);
long npt_ref_count_tables(const struct npt_tcase *tc, phys_addr_t root);

/* Reference walk of @gpa must agree with axas_npt_query(). */
bool npt_ref_agrees(struct npt_tctx *t, u64 gpa);

#endif /* _AXAS_NPT_TEST_H */
