// SPDX-License-Identifier: GPL-2.0
/*
 * AMD nested paging (APM Vol. 2, "Nested paging"), 4 and 5 levels: the
 * ordinary x86-64 long-mode entries, U/S set at every level since every
 * nested walk is a user access. Bits as in formats.rst.
 */
#include "npt/fmt.h"

#define NPT_P			BIT_ULL(0)
#define NPT_RW			BIT_ULL(1)
#define NPT_US			BIT_ULL(2)
#define NPT_PWT			BIT_ULL(3)
#define NPT_PCD			BIT_ULL(4)
#define NPT_A			BIT_ULL(5)
#define NPT_D			BIT_ULL(6)
#define NPT_PS			BIT_ULL(7)	/* a 2 MiB or 1 GiB leaf */
#define NPT_NX			BIT_ULL(63)
#define NPT_PFN			GENMASK_ULL(51, 12)

/* PWT | PCD: host PAT index 3, uncacheable in Linux's PAT. */
#define NPT_UC			(NPT_PWT | NPT_PCD)

/* A and D preset, as the CPU would set them on the first access. */
static u64 npt_leaf_bits(unsigned int level, u32 flags)
{
	u64 pte = NPT_P | NPT_US | NPT_A;

	if (flags & AXAS_WRITE)
		pte |= NPT_RW | NPT_D;
	if (!(flags & AXAS_EXEC))
		pte |= NPT_NX;
	if (flags & (AXAS_DEVICE | AXAS_UNCACHED))
		pte |= NPT_UC;
	if (level)
		pte |= NPT_PS;
	return pte;
}

/* A present leaf is readable; uncacheable serves DEVICE and UNCACHED. */
static u32 npt_leaf_flags(u64 pte)
{
	u32 flags = AXAS_READ;

	if (pte & NPT_RW)
		flags |= AXAS_WRITE;
	if (!(pte & NPT_NX))
		flags |= AXAS_EXEC;
	if (pte & NPT_PCD)
		flags |= AXAS_UNCACHED;
	return flags;
}

/* Execute-only cannot be expressed: it would grant reads too. */
static bool npt_flags_ok(u32 flags)
{
	return flags & AXAS_READ;
}

/* nCR3 with PWT and PCD 0: write-back walks. */
static u64 npt_hw_root(const struct axas_npt_fmt *fmt, phys_addr_t root)
{
	return root;
}

#define NPT_FMT(_id, _name, _levels, _gpa_bits)				\
	{								\
		.id = _id,						\
		.name = _name,						\
		.levels = _levels,					\
		.root_xbits = 0,					\
		.gpa_bits = _gpa_bits,					\
		.pa_bits = 52,						\
		.leaf_levels = BIT(0) | BIT(1) | BIT(2),		\
		.pfn_shift = 12,					\
		.pfn_mask = NPT_PFN,					\
		.table_bits = NPT_P | NPT_RW | NPT_US,			\
		.type_mask = NPT_P | NPT_RW | NPT_US | NPT_PS,		\
		.perm_mask = NPT_RW | NPT_D | NPT_NX,			\
		.leaf_bits = npt_leaf_bits,				\
		.leaf_flags = npt_leaf_flags,				\
		.flags_ok = npt_flags_ok,				\
		.hw_root = npt_hw_root,					\
	}

static_assert(AXAS_NPT_PFN_MASK(52, 12) == NPT_PFN);
static_assert(AXAS_NPT_GPA_BITS(4, 0) == 48);
static_assert(AXAS_NPT_GPA_BITS(5, 0) == 57);

const struct axas_npt_fmt axas_npt_fmt_npt4 =
	NPT_FMT(AXAS_FMT_X86_NPT4, "npt4", 4, 48);
const struct axas_npt_fmt axas_npt_fmt_npt5 =
	NPT_FMT(AXAS_FMT_X86_NPT5, "npt5", 5, 57);
