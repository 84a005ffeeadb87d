/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nested page table engine: one generic walker over nine table formats
 * (Intel EPT, AMD NPT, Arm stage 2, RISC-V G-stage). It edits tables and knows
 * nothing of areas. The bits of every format are in formats.rst; what only
 * the format files, the engine and KUnit need of a format (index
 * arithmetic, entry encoding) is in fmt.h.
 *
 * Locking contract (the owner chooses the locks, the engine asserts them
 * through lockdep when the owner hands over its lock in struct axas_npt_cfg):
 *
 * - axas_npt_map(), axas_npt_unmap() and axas_npt_protect() need the
 *   owner's lock held exclusively (a writer): they split leaves and free
 *   tables. axas_npt_destroy() needs that no other call runs at all.
 * - axas_npt_map_page(), axas_npt_probe(), axas_npt_map_page_at(),
 *   axas_npt_walk_leaves() and axas_npt_dump() need the lock held in any
 *   mode: many map_page() calls may race with each other (a lost
 *   compare-and-exchange frees the loser's pages).
 * - axas_npt_query() needs no lock: it walks under rcu_read_lock() and
 *   table pages are freed only after an RCU grace period. Against a
 *   concurrent split it may transiently see the break of break-before-make.
 *
 * Every function that changes tables may sleep. Levels count from the
 * leaf: level 0 entries map 4 KiB, level 1 entries 2 MiB, level 2 1 GiB.
 */
#ifndef _AXAS_NPT_H
#define _AXAS_NPT_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/lockdep_types.h>
#include <linux/types.h>

#include <uapi/linux/axaddrspace.h>

#define AXAS_NPT_PAGE_SHIFT	12
#define AXAS_NPT_PAGE_SIZE	BIT_ULL(AXAS_NPT_PAGE_SHIFT)
#define AXAS_NPT_LEVEL_BITS	9

/* Shift and size of the range one entry at @level covers. */
#define AXAS_NPT_LEVEL_SHIFT(level) \
	(AXAS_NPT_PAGE_SHIFT + AXAS_NPT_LEVEL_BITS * (level))
#define AXAS_NPT_LEVEL_SIZE(level)	BIT_ULL(AXAS_NPT_LEVEL_SHIFT(level))

/* The permission flags; the others are memory attributes. */
#define AXAS_NPT_PERM		(AXAS_READ | AXAS_WRITE | AXAS_EXEC)

/**
 * struct axas_npt_fmt - geometry and encoding of one nested page table format
 * @id: the AXAS_FMT_* number
 * @name: short name for messages
 * @levels: number of table levels; the root is level @levels - 1
 * @root_xbits: extra index bits of the root: 0, or 1 and 2 for the 8 KiB
 *	(two concatenated tables) and 16 KiB (x4) roots
 * @gpa_bits: input address bits, AXAS_NPT_GPA_BITS(@levels, @root_xbits)
 * @pa_bits: output address bits an entry can hold
 * @leaf_levels: BIT(level) for every level that may hold a leaf
 * @pfn_shift: bit position of the frame number in an entry
 * @pfn_mask: the bits of an entry that hold the frame number
 * @table_bits: the bits of a table entry besides its address
 * @type_mask: bits that hold @table_bits in a table entry and something
 *	else in a leaf at level 1 and above
 * @perm_mask: leaf bits that follow the permission flags alone; a change of
 *	other bits needs break-before-make
 * @leaf_bits: encode the bits of a leaf at @level besides its address from
 *	format-neutral AXAS_READ.. flags
 * @leaf_flags: decode a leaf into the flags this format can represent
 * @flags_ok: whether the format can express valid AXAS_READ.. flags (an
 *	execute-only leaf, say) on this host; NULL when it expresses all
 * @hw_root: the hardware root value (EPTP, VTTBR_EL2, hgatp) for a root table
 *	at @root
 * @hw_ctl: the hardware control value (VTCR_EL2 fields for Arm); NULL when
 *	the format has none
 *
 * One const instance per format; the engine has no other format knowledge.
 */
struct axas_npt_fmt {
	u32 id;
	const char *name;
	u8 levels;
	u8 root_xbits;
	u8 gpa_bits;
	u8 pa_bits;
	u8 leaf_levels;
	u8 pfn_shift;
	u64 pfn_mask;
	u64 table_bits;
	u64 type_mask;
	u64 perm_mask;
	u64 (*leaf_bits)(unsigned int level, u32 flags);
	u32 (*leaf_flags)(u64 pte);
	bool (*flags_ok)(u32 flags);
	u64 (*hw_root)(const struct axas_npt_fmt *fmt, phys_addr_t root);
	u64 (*hw_ctl)(const struct axas_npt_fmt *fmt);
};

/**
 * axas_npt_fmt_get() - the descriptor of a format
 * @id: an AXAS_FMT_* number; %AXAS_FMT_NATIVE resolves to the running
 *	architecture's format
 *
 * Return: the descriptor, or NULL if @id names no format (or NATIVE on an
 * architecture without one).
 */
const struct axas_npt_fmt *axas_npt_fmt_get(u32 id);

/**
 * axas_npt_host_init() - probe the host CPU, once, at module init
 *
 * Resolves what %AXAS_FMT_NATIVE means here (userspace-api.rst) and whether the CPU
 * takes execute-only EPT leaves; before it, NATIVE names no format. May
 * rewrite per-CPU state for a moment (the RISC-V hgatp probe).
 */
void axas_npt_host_init(void);

/**
 * axas_npt_native() - the format %AXAS_FMT_NATIVE resolves to
 *
 * Return: an AXAS_FMT_* number, or %AXAS_FMT_NATIVE if the host has none.
 */
u32 axas_npt_native(void);

/**
 * axas_npt_ept_exec_only() - whether EPT leaves may be execute-only
 *
 * Return: true if the host CPU reports EPT execute-only support
 * (IA32_VMX_EPT_VPID_CAP bit 0); false elsewhere.
 */
bool axas_npt_ept_exec_only(void);

/**
 * struct axas_npt_hal_ops - where table pages come from
 * @alloc_table: allocate 2^@order zeroed, physically contiguous 4 KiB table
 *	pages aligned to their size; return their kernel address or NULL.
 *	Only the root is ever larger than one page. Pages whose address (as
 *	@virt_to_phys gives it) does not fit the format's @pa_bits are freed
 *	again, and the call that needed them fails with -ENOMEM.
 * @free_table: free what @alloc_table returned. May be called from RCU
 *	callback (softirq) context.
 * @virt_to_phys: the address the hardware uses for a table page
 * @phys_to_virt: the reverse of @virt_to_phys; called under
 *	rcu_read_lock(), must not sleep
 *
 * Table pages must be pages of the kernel's linear map with a struct page:
 * the engine keeps each table's live-entry count in page->private and frees
 * through page->rcu_head.
 */
struct axas_npt_hal_ops {
	void *(*alloc_table)(void *priv, unsigned int order);
	void (*free_table)(void *priv, void *table, unsigned int order);
	phys_addr_t (*virt_to_phys)(void *priv, void *table);
	void *(*phys_to_virt)(void *priv, phys_addr_t pa);
};

/*
 * The default HAL: alloc_pages(AXAS_NPT_TABLE_GFP) and the kernel's linear
 * map. Table pages are zeroed and charged to the caller's memory cgroup;
 * running out fails with -ENOMEM and never calls the OOM killer, which
 * could only kill a bystander: the pages belong to no process's RSS.
 */
#define AXAS_NPT_TABLE_GFP	(GFP_KERNEL_ACCOUNT | __GFP_ZERO | \
				 __GFP_RETRY_MAYFAIL)

extern const struct axas_npt_hal_ops axas_npt_default_hal;

/**
 * struct axas_npt_flush_ops - TLB maintenance, supplied by the table's owner
 * @flush_range: invalidate every cached translation (TLB and paging-structure
 *	caches) of guest physical addresses [@gpa, @gpa + @size). Called after
 *	every unmap, every split (between the break and the make) and every
 *	permission change, from the modifying call's context with the owner's
 *	lock held; it must be complete when it returns.
 *
 * The engine never executes INVEPT, TLBI or HFENCE itself.
 */
struct axas_npt_flush_ops {
	void (*flush_range)(void *priv, u64 gpa, u64 size);
};

struct axas_npt;

/**
 * struct axas_npt_cfg - what axas_npt_init() needs
 * @fmt: the format, from axas_npt_fmt_get()
 * @hal: table page operations; NULL for &axas_npt_default_hal
 * @hal_priv: passed to every @hal operation
 * @flush: TLB maintenance; NULL if no hardware ever uses the table
 * @flush_priv: passed to @flush->flush_range
 * @lock_map: lockdep map of the owner's lock, from axas_npt_lock_map(), so
 *	the engine can assert the locking contract; NULL to assert nothing
 * @release: called once, when the table is destroyed and the last table
 *	page queued for RCU freeing is freed: only then may the owner free the
 *	memory holding the &struct axas_npt (and @hal_priv). It may run from
 *	axas_npt_destroy() or from an RCU callback (softirq context). NULL:
 *	axas_npt_destroy() waits for the queued pages itself (rcu_barrier()).
 */
struct axas_npt_cfg {
	const struct axas_npt_fmt *fmt;
	const struct axas_npt_hal_ops *hal;
	void *hal_priv;
	const struct axas_npt_flush_ops *flush;
	void *flush_priv;
	struct lockdep_map *lock_map;
	void (*release)(struct axas_npt *npt);
};

/**
 * axas_npt_lock_map() - the lockdep map of the owner's lock
 * @lock: pointer to a lock with a dep_map (mutex, rw_semaphore, ...)
 *
 * For &axas_npt_cfg.lock_map: NULL without lockdep, so nothing is asserted.
 */
#ifdef CONFIG_DEBUG_LOCK_ALLOC
#define axas_npt_lock_map(lock)	(&(lock)->dep_map)
#else
#define axas_npt_lock_map(lock)	((void)(lock), NULL)
#endif

/**
 * struct axas_npt - one nested page table; embed it in its owner
 * @cfg: what axas_npt_init() was given, &axas_npt_cfg.hal filled in
 * @root: kernel address of the root table
 * @root_pa: address of the root table as &axas_npt_cfg.hal reports it
 * @table_pages: 4 KiB table pages reachable from the root, root included
 * @mapped_bytes: bytes covered by present leaves
 * @rcu_pending: table pages queued for RCU freeing, plus one until
 *	axas_npt_destroy(); whoever drops it to 0 calls &axas_npt_cfg.release
 *
 * All fields are private to the engine; use the accessors below.
 */
struct axas_npt {
	struct axas_npt_cfg cfg;
	u64 *root;
	phys_addr_t root_pa;
	atomic_long_t table_pages;
	atomic64_t mapped_bytes;
	atomic_long_t rcu_pending;
};

/**
 * struct axas_npt_leaf - one leaf, or the part of it inside a range
 * @gpa: first guest physical address
 * @hpa: host physical address of @gpa
 * @size: bytes from @gpa
 * @flags: AXAS_READ .. flags as the format represents them (for example EPT
 *	reports %AXAS_DEVICE as %AXAS_UNCACHED and no format reports %AXAS_USER)
 * @level: level of the leaf: its full size is AXAS_NPT_LEVEL_SIZE(@level)
 */
struct axas_npt_leaf {
	u64 gpa;
	u64 hpa;
	u64 size;
	u32 flags;
	unsigned int level;
};

/* axas_npt_map() flags */
#define AXAS_NPT_HUGE		BIT(0)	/* 2 MiB and 1 GiB leaves allowed */

/**
 * axas_npt_init() - create an empty table (a zeroed root)
 * @npt: the table to initialise
 * @cfg: format, HAL, flush operations and lock
 *
 * Return: 0, -EINVAL for a bad @cfg or -ENOMEM (also for a root above the
 * format's output address width). On error nothing is allocated and
 * &axas_npt_cfg.release is not called.
 */
int axas_npt_init(struct axas_npt *npt, const struct axas_npt_cfg *cfg);

/**
 * axas_npt_destroy() - free every table page, root included
 * @npt: the table
 *
 * Leaves are dropped without flushing: the owner makes sure no hardware uses
 * the table any more and that no other call on @npt is running or will run.
 * Table pages an earlier unmap queued for RCU freeing may still be queued:
 * with a &axas_npt_cfg.release callback, the owner frees @npt there, once
 * they are gone (maybe before this returns); without one, this waits for
 * them (rcu_barrier()), so @npt may be freed afterwards. May sleep.
 */
void axas_npt_destroy(struct axas_npt *npt);

/**
 * axas_npt_map() - map a range to a host range
 * @npt: the table
 * @gpa: first guest physical address, 4 KiB aligned
 * @hpa: host physical address of @gpa, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 * @flags: AXAS_READ .. AXAS_UNCACHED; at least one of READ, WRITE, EXEC and
 *	no WRITE without READ
 * @mflags: %AXAS_NPT_HUGE to use the largest leaves that the alignment of
 *	@gpa, @hpa and @size allows; 4 KiB leaves otherwise
 *
 * All or nothing: the table pages the mapping needs are allocated before the
 * first entry changes, and new subtrees are built unlinked and published
 * with one release store. Writer lock.
 *
 * Return: 0; -EINVAL for bad arguments or a range outside the format;
 * -EEXIST if any page of the range is mapped already; -ENOMEM; -EINTR on a
 * fatal signal while allocating. On error the table is unchanged.
 */
int axas_npt_map(struct axas_npt *npt, u64 gpa, u64 hpa, u64 size, u32 flags,
		 unsigned int mflags);

/**
 * axas_npt_map_page() - map one 4 KiB page
 * @npt: the table
 * @gpa: guest physical address, 4 KiB aligned
 * @hpa: host physical address, 4 KiB aligned
 * @flags: as for axas_npt_map()
 *
 * The fault path: safe against concurrent axas_npt_map_page() calls (lock
 * held in any mode). Missing tables are built unlinked and installed with a
 * compare-and-exchange; the loser of a race reuses or frees its pages.
 *
 * Return: 0; -EEXIST if @gpa is mapped already (also when another caller
 * won the race for it); -EINVAL; -ENOMEM with the table unchanged.
 */
int axas_npt_map_page(struct axas_npt *npt, u64 gpa, u64 hpa, u32 flags);

/**
 * struct axas_npt_slot - the entry axas_npt_probe() found for a page
 * @ptep: the entry: empty, in the lowest table on the page's path
 * @level: level of the table holding @ptep
 *
 * Valid while the caller keeps holding the lock it held for the probe.
 */
struct axas_npt_slot {
	u64 *ptep;
	unsigned int level;
};

/**
 * axas_npt_probe() - whether a page is mapped, and where its entry would go
 * @npt: the table
 * @gpa: guest physical address, 4 KiB aligned
 * @slot: out, when the page is not mapped: for axas_npt_map_page_at()
 *
 * The first half of a fault: the caller learns the page needs a frame
 * before it allocates one, and the install need not descend again. Lock
 * held in any mode.
 *
 * Return: 0 if no leaf maps @gpa; -EEXIST if one does; -EINVAL if @gpa is
 * misaligned or beyond the format's input address bits.
 */
int axas_npt_probe(struct axas_npt *npt, u64 gpa, struct axas_npt_slot *slot);

/**
 * axas_npt_map_page_at() - axas_npt_map_page() from a probed slot
 * @npt: the table
 * @slot: what axas_npt_probe() found for @gpa, under the lock still held;
 *	NULL descends from the root, as axas_npt_map_page() does
 * @gpa: the probed address
 * @hpa: host physical address, 4 KiB aligned
 * @flags: as for axas_npt_map()
 *
 * Installs at @slot when it is still empty; when a racing install filled it
 * meanwhile (with the page, or with a table on its path), descends again as
 * axas_npt_map_page() does.
 *
 * Return: as axas_npt_map_page().
 */
int axas_npt_map_page_at(struct axas_npt *npt, const struct axas_npt_slot *slot,
			 u64 gpa, u64 hpa, u32 flags);

/**
 * axas_npt_unmap() - remove every mapping in a range
 * @npt: the table
 * @gpa: first guest physical address, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 *
 * Leaves that stick out of the range are split into the largest leaves
 * that still fit, keeping their frames; tables left empty are freed (after
 * the flush, through RCU). Holes are not an error. Flushes everything it
 * unmapped. Writer lock.
 *
 * Return: 0, -EINVAL, or -ENOMEM / -EINTR (a split could not get its table
 * pages) with the table unchanged.
 */
int axas_npt_unmap(struct axas_npt *npt, u64 gpa, u64 size);

/**
 * axas_npt_protect() - change the flags of every present leaf in a range
 * @npt: the table
 * @gpa: first guest physical address, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 * @flags: new flags, as for axas_npt_map()
 *
 * Leaves that stick out of the range are split as axas_npt_unmap() splits
 * them, also when their flags do not change: afterwards no leaf crosses an
 * edge of the range. Empty entries stay empty. A change of memory type goes
 * through break-before-make; a permission change is flushed. Writer
 * lock.
 *
 * Return: 0, -EINVAL, or -ENOMEM / -EINTR with the table unchanged.
 */
int axas_npt_protect(struct axas_npt *npt, u64 gpa, u64 size, u32 flags);

/**
 * axas_npt_query() - translate one address
 * @npt: the table
 * @gpa: guest physical address, any alignment
 * @leaf: out: the whole leaf that maps @gpa (@leaf->gpa and @leaf->hpa are
 *	its start, @leaf->size its size)
 *
 * Lockless (RCU).
 *
 * Return: 0, -ENOENT if no leaf maps @gpa, -EINVAL if @gpa is beyond the
 * format's input address bits.
 */
int axas_npt_query(struct axas_npt *npt, u64 gpa, struct axas_npt_leaf *leaf);

/**
 * axas_npt_walk_leaves() - call a function for every leaf in a range
 * @npt: the table
 * @gpa: first guest physical address, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 * @fn: called in address order with the part of each leaf inside the range;
 *	a non-zero return stops the walk
 * @arg: passed to @fn
 *
 * For freeing frames before an unmap, or counting. Lock held in any mode;
 * may sleep.
 *
 * Return: 0, -EINVAL, or what @fn returned.
 */
int axas_npt_walk_leaves(struct axas_npt *npt, u64 gpa, u64 size,
			 int (*fn)(void *arg, const struct axas_npt_leaf *leaf),
			 void *arg);

/**
 * axas_npt_dump() - call a function for every table page
 * @npt: the table
 * @fn: called with each 4 KiB table page: its address as the hardware sees
 *	it, its level, its index inside a multi-page root (else 0) and its 512
 *	entries; root pages come first in index order, then the other tables
 *	depth first in address order. A non-zero return (a negative
 *	errno) stops the dump.
 * @arg: passed to @fn
 *
 * Lock held in any mode; may sleep.
 *
 * Return: the number of table pages, or what @fn returned if non-zero.
 */
long axas_npt_dump(struct axas_npt *npt,
		   int (*fn)(void *arg, phys_addr_t pa, unsigned int level,
			     unsigned int index, const u64 *entries),
		   void *arg);

/**
 * axas_npt_root_hpa() - address of the root table
 * @npt: the table
 *
 * Return: the root's address as the HAL reports it.
 */
static inline phys_addr_t axas_npt_root_hpa(const struct axas_npt *npt)
{
	return npt->root_pa;
}

/**
 * axas_npt_format() - the format of a table
 * @npt: the table
 *
 * Return: the descriptor the table was created with.
 */
static inline const struct axas_npt_fmt *axas_npt_format(const struct axas_npt *npt)
{
	return npt->cfg.fmt;
}

/**
 * axas_npt_flags_ok() - whether the format can express a flag combination
 * @npt: the table
 * @flags: AXAS_READ .. AXAS_UNCACHED, otherwise valid
 *
 * For an owner that checks flags before it maps anything (a lazy area):
 * the NPT formats cannot express execute-only, nor EPT on a host CPU
 * without execute-only support.
 *
 * Return: true when axas_npt_map() accepts @flags in this format.
 */
static inline bool axas_npt_flags_ok(const struct axas_npt *npt, u32 flags)
{
	return !npt->cfg.fmt->flags_ok || npt->cfg.fmt->flags_ok(flags);
}

/**
 * axas_npt_hw_root() - the hardware root register value
 * @npt: the table
 *
 * Return: EPTP, VTTBR_EL2 (VMID 0) or hgatp (VMID 0), see formats.rst.
 */
static inline u64 axas_npt_hw_root(const struct axas_npt *npt)
{
	return npt->cfg.fmt->hw_root(npt->cfg.fmt, npt->root_pa);
}

/**
 * axas_npt_hw_ctl() - the hardware control value
 * @npt: the table
 *
 * Return: VTCR_EL2 fields (without PS and VS) for Arm, else 0.
 */
static inline u64 axas_npt_hw_ctl(const struct axas_npt *npt)
{
	return npt->cfg.fmt->hw_ctl ? npt->cfg.fmt->hw_ctl(npt->cfg.fmt) : 0;
}

/**
 * axas_npt_table_pages() - number of table pages
 * @npt: the table
 *
 * Exact whenever no modifying call is in progress: pages reachable from the
 * root, a multi-page root counting all its pages.
 *
 * Return: the number of 4 KiB table pages.
 */
static inline unsigned long axas_npt_table_pages(const struct axas_npt *npt)
{
	return atomic_long_read(&npt->table_pages);
}

/**
 * axas_npt_mapped_bytes() - bytes covered by present leaves
 * @npt: the table
 *
 * Return: the sum of the sizes of all leaves.
 */
static inline u64 axas_npt_mapped_bytes(const struct axas_npt *npt)
{
	return atomic64_read(&npt->mapped_bytes);
}

#endif /* _AXAS_NPT_H */
