// SPDX-License-Identifier: GPL-2.0
/*
 * RISC-V G-stage translation, Sv39x4, Sv48x4 and Sv57x4: the root has two more
 * index bits than a normal table, 2048 entries in 16 KiB. Bits as in
 * formats.rst.
 */
#include <linux/bitfield.h>

#include "npt/fmt.h"

#define G_V			BIT_ULL(0)
#define G_R			BIT_ULL(1)
#define G_W			BIT_ULL(2)
#define G_X			BIT_ULL(3)
#define G_U			BIT_ULL(4)	/* G-stage checks as user */
#define G_A			BIT_ULL(6)
#define G_D			BIT_ULL(7)
#define G_PPN			GENMASK_ULL(53, 10)

#define G_HGATP_MODE		GENMASK_ULL(63, 60)
#define G_HGATP_PPN		GENMASK_ULL(43, 0)
#define G_HGATP_MODE_SV39X4	8
#define G_HGATP_MODE_SV48X4	9
#define G_HGATP_MODE_SV57X4	10

/* A and D preset: no hardware or trap-based A/D updates are wanted. */
static u64 g_leaf_bits(unsigned int level, u32 flags)
{
	u64 pte = G_V | G_U | G_A;

	if (flags & AXAS_READ)
		pte |= G_R;
	if (flags & AXAS_WRITE)
		pte |= G_W | G_D;
	if (flags & AXAS_EXEC)
		pte |= G_X;
	return pte;
}

/* The platform's PMAs decide the memory type: no flag for it here. */
static u32 g_leaf_flags(u64 pte)
{
	u32 flags = 0;

	if (pte & G_R)
		flags |= AXAS_READ;
	if (pte & G_W)
		flags |= AXAS_WRITE;
	if (pte & G_X)
		flags |= AXAS_EXEC;
	return flags;
}

static u64 g_hgatp(phys_addr_t root, u64 mode)
{
	return FIELD_PREP(G_HGATP_MODE, mode) |
	       FIELD_PREP(G_HGATP_PPN, root >> AXAS_NPT_PAGE_SHIFT);
}

static u64 g_sv39x4_hw_root(const struct axas_npt_fmt *fmt, phys_addr_t root)
{
	return g_hgatp(root, G_HGATP_MODE_SV39X4);
}

static u64 g_sv48x4_hw_root(const struct axas_npt_fmt *fmt, phys_addr_t root)
{
	return g_hgatp(root, G_HGATP_MODE_SV48X4);
}

static u64 g_sv57x4_hw_root(const struct axas_npt_fmt *fmt, phys_addr_t root)
{
	return g_hgatp(root, G_HGATP_MODE_SV57X4);
}

#define G_FMT(_id, _name, _levels, _gpa_bits, _hw_root)		\
	{								\
		.id = _id,						\
		.name = _name,						\
		.levels = _levels,					\
		.root_xbits = 2,					\
		.gpa_bits = _gpa_bits,					\
		.pa_bits = 56,						\
		.leaf_levels = BIT(0) | BIT(1) | BIT(2),		\
		.pfn_shift = 10,					\
		.pfn_mask = G_PPN,					\
		.table_bits = G_V,					\
		.type_mask = G_V | G_R | G_W | G_X,			\
		.perm_mask = G_R | G_W | G_X | G_D,			\
		.leaf_bits = g_leaf_bits,				\
		.leaf_flags = g_leaf_flags,				\
		.hw_root = _hw_root,					\
	}

static_assert(AXAS_NPT_PFN_MASK(56, 10) == G_PPN);
static_assert(AXAS_NPT_GPA_BITS(3, 2) == 41);
static_assert(AXAS_NPT_GPA_BITS(4, 2) == 50);
static_assert(AXAS_NPT_GPA_BITS(5, 2) == 59);

const struct axas_npt_fmt axas_npt_fmt_riscv_sv39x4 =
	G_FMT(AXAS_FMT_RISCV_SV39X4, "riscv-sv39x4", 3, 41, g_sv39x4_hw_root);
const struct axas_npt_fmt axas_npt_fmt_riscv_sv48x4 =
	G_FMT(AXAS_FMT_RISCV_SV48X4, "riscv-sv48x4", 4, 50, g_sv48x4_hw_root);
const struct axas_npt_fmt axas_npt_fmt_riscv_sv57x4 =
	G_FMT(AXAS_FMT_RISCV_SV57X4, "riscv-sv57x4", 5, 59, g_sv57x4_hw_root);
