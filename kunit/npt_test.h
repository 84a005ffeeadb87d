/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the nested page table suites: the formats as formats.rst
 * describes them (independent of npt/), a counting HAL that can fail the
 * n-th allocation, a recording flush mock, table snapshots and a reference
 * walker that reads raw table memory.
 */
#ifndef _AXAS_NPT_TEST_H
#define _AXAS_NPT_TEST_H

#include <kunit/test.h>
#include <linux/rwsem.h>

#include "npt/fmt.h"

#define NPT_T_FORMATS	9
#define SZ_4K_ULL	0x1000ULL
#define SZ_2M_ULL	0x200000ULL
#define SZ_1G_ULL	0x40000000ULL

enum npt_family {
	NPT_T_EPT,
	NPT_T_ARM,
	NPT_T_RISCV,
	NPT_T_NPT,
};

/* One golden leaf: Documentation/formats.rst, worked out by hand. */
struct npt_golden {
	u64 hpa;
	unsigned int level;
	u32 flags;
	u64 pte;
};

#define NPT_T_GOLDEN	5

/**
 * struct npt_tcase - a format as the tests know it, from formats.rst/userspace-api.rst
 * @id: AXAS_FMT_* number
 * @name: for the parameter description
 * @family: which table of formats.rst
 * @levels: table levels
 * @root_pages: 4 KiB pages of the root
 * @gpa_bits: input address bits
 * @pa_bits: output address bits
 * @hw_ctl: expected hw_ctl
 * @eptp_low: EPT: bits ORed into the root address to make the EPTP
 * @hgatp_mode: RISC-V: hgatp.MODE
 * @table_low: the non-address bits of a table entry
 * @golden: leaves with their exact entries
 */
struct npt_tcase {
	u32 id;
	const char *name;
	enum npt_family family;
	unsigned int levels;
	unsigned int root_pages;
	unsigned int gpa_bits;
	unsigned int pa_bits;
	u64 hw_ctl;
	u64 eptp_low;
	u64 hgatp_mode;
	u64 table_low;
	struct npt_golden golden[NPT_T_GOLDEN];
};

extern const struct npt_tcase npt_tcases[NPT_T_FORMATS];
void npt_tcase_desc(const struct npt_tcase *tc, char *desc);

/* Flags as a format represents them (formats.rst). */
u32 npt_t_canon(const struct npt_tcase *tc, u32 flags);

/* Whether the format accepts AXAS_EXEC without AXAS_READ on this host. */
bool npt_t_exec_only(const struct npt_tcase *tc);

/* @flags, with AXAS_READ added to an execute-only request the format refuses. */
u32 npt_t_flags(const struct npt_tcase *tc, u32 flags);

/**
 * struct npt_thal - a HAL that counts pages and fails the n-th allocation
 * @calls: allocation calls since npt_thal_fail() armed it
 * @fail_nth: fail call number @fail_nth (1-based); 0 never
 * @failed: allocations failed so far
 * @allocs: 4 KiB pages allocated
 * @frees: 4 KiB pages freed (RCU callbacks too)
 * @misaligned: allocations not aligned to their size
 * @pa_offset: added to every address virt_to_phys reports, as if the host's
 *	memory sat that much higher (phys_to_virt does not subtract it)
 * @pa_fixed: if non-zero, the address virt_to_phys reports for every page;
 *	for tables that are never walked
 */
struct npt_thal {
	atomic_t calls;
	atomic_t fail_nth;
	atomic_t failed;
	atomic_long_t allocs;
	atomic_long_t frees;
	atomic_t misaligned;
	u64 pa_offset;
	u64 pa_fixed;
};

extern const struct axas_npt_hal_ops npt_thal_ops;

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
	struct npt_thal hal;
	struct npt_tflush flush;
	struct rw_semaphore lock;
};

struct npt_tctx *npt_tctx_new(struct kunit *test);
void npt_tctx_free(struct npt_tctx *t);
void npt_thal_fail(struct npt_tctx *t, int nth);
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
