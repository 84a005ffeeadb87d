/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside a nested page table format: the index arithmetic and the entry
 * helpers that the format files (fmt_*.c), the engine and KUnit share, and
 * the descriptors themselves. The engine's API for its owners is npt.h;
 * the walker and table pages are npt_priv.h.
 */
#ifndef _AXAS_NPT_FMT_H
#define _AXAS_NPT_FMT_H

#include <linux/bits.h>
#include <linux/types.h>

#include "npt/npt.h"

/* Entries of a 4 KiB table, and the most levels a format has. */
#define AXAS_NPT_ENTRIES	BIT(AXAS_NPT_LEVEL_BITS)
#define AXAS_NPT_MAX_LEVELS	5
/* Leaves exist at levels 0..2 (4 KiB, 2 MiB, 1 GiB) in every format. */
#define AXAS_NPT_LEAF_LEVELS	3

/* Input address bits of a format with @levels levels and @xbits root bits. */
#define AXAS_NPT_GPA_BITS(levels, xbits) \
	(AXAS_NPT_LEVEL_SHIFT(levels) + (xbits))

/* The frame number field of an entry holding @pa_bits bits of address. */
#define AXAS_NPT_PFN_MASK(pa_bits, pfn_shift) \
	(GENMASK_ULL((pa_bits) - AXAS_NPT_PAGE_SHIFT - 1, 0) << (pfn_shift))

/**
 * axas_npt_set_ept_exec_only() - override axas_npt_ept_exec_only(), for KUnit
 * @on: the new answer
 *
 * Return: the previous answer, to restore.
 */
bool axas_npt_set_ept_exec_only(bool on);

/**
 * axas_npt_root_level() - level of the root table
 * @fmt: the format
 *
 * Return: @fmt->levels - 1.
 */
static inline unsigned int axas_npt_root_level(const struct axas_npt_fmt *fmt)
{
	return fmt->levels - 1;
}

/**
 * axas_npt_root_pages() - number of 4 KiB pages of the root table
 * @fmt: the format
 *
 * Return: 1, 2 (Arm 40-bit) or 4 (RISC-V x4).
 */
static inline unsigned int axas_npt_root_pages(const struct axas_npt_fmt *fmt)
{
	return 1U << fmt->root_xbits;
}

/**
 * axas_npt_index() - index of the entry for an address in a table
 * @fmt: the format
 * @gpa: guest physical address
 * @level: level of the table
 *
 * Return: the index, below 512 or, for the root, below 512 * root pages.
 */
static inline unsigned int axas_npt_index(const struct axas_npt_fmt *fmt,
					  u64 gpa, unsigned int level)
{
	unsigned int bits = AXAS_NPT_LEVEL_BITS;

	if (level == axas_npt_root_level(fmt))
		bits += fmt->root_xbits;
	return (gpa >> AXAS_NPT_LEVEL_SHIFT(level)) & (BIT(bits) - 1);
}

/**
 * axas_npt_pa_to_pte() - the address field of an entry
 * @fmt: the format
 * @pa: a 4 KiB aligned output or table address below 2^@fmt->pa_bits
 *
 * Return: @pa placed where @fmt keeps the frame number.
 */
static inline u64 axas_npt_pa_to_pte(const struct axas_npt_fmt *fmt,
				     phys_addr_t pa)
{
	return ((u64)pa >> AXAS_NPT_PAGE_SHIFT) << fmt->pfn_shift;
}

/**
 * axas_npt_pte_to_pa() - the address an entry holds
 * @fmt: the format
 * @pte: a table or leaf entry
 *
 * Return: the next table's address or the leaf's output address.
 */
static inline phys_addr_t axas_npt_pte_to_pa(const struct axas_npt_fmt *fmt,
					     u64 pte)
{
	return ((pte & fmt->pfn_mask) >> fmt->pfn_shift) << AXAS_NPT_PAGE_SHIFT;
}

/**
 * axas_npt_mk_table() - encode a table entry
 * @fmt: the format
 * @pa: address of the next table
 *
 * Return: the entry.
 */
static inline u64 axas_npt_mk_table(const struct axas_npt_fmt *fmt,
				    phys_addr_t pa)
{
	return fmt->table_bits | axas_npt_pa_to_pte(fmt, pa);
}

/**
 * axas_npt_mk_leaf() - encode a leaf entry
 * @fmt: the format
 * @pa: output address, aligned to the leaf size
 * @level: leaf level, one of @fmt->leaf_levels
 * @flags: AXAS_READ .. AXAS_UNCACHED
 *
 * Return: the entry.
 */
static inline u64 axas_npt_mk_leaf(const struct axas_npt_fmt *fmt,
				   phys_addr_t pa, unsigned int level,
				   u32 flags)
{
	return fmt->leaf_bits(level, flags) | axas_npt_pa_to_pte(fmt, pa);
}

/**
 * axas_npt_pte_is_table() - whether an entry points to a table
 * @fmt: the format
 * @pte: the entry
 * @level: level of the table holding @pte
 *
 * An entry that is neither empty (0) nor a table is a leaf.
 *
 * Return: true for a table entry.
 */
static inline bool axas_npt_pte_is_table(const struct axas_npt_fmt *fmt,
					 u64 pte, unsigned int level)
{
	return level && (pte & fmt->type_mask) == fmt->table_bits;
}

extern const struct axas_npt_fmt axas_npt_fmt_ept4;
extern const struct axas_npt_fmt axas_npt_fmt_ept5;
extern const struct axas_npt_fmt axas_npt_fmt_arm64_s2_40;
extern const struct axas_npt_fmt axas_npt_fmt_arm64_s2_48;
extern const struct axas_npt_fmt axas_npt_fmt_riscv_sv39x4;
extern const struct axas_npt_fmt axas_npt_fmt_riscv_sv48x4;
extern const struct axas_npt_fmt axas_npt_fmt_npt4;
extern const struct axas_npt_fmt axas_npt_fmt_npt5;
extern const struct axas_npt_fmt axas_npt_fmt_riscv_sv57x4;

#endif /* _AXAS_NPT_FMT_H */
