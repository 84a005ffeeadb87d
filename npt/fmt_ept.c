// SPDX-License-Identifier: GPL-2.0
/*
 * Intel EPT, page-walk length 4 and 5 (SDM Vol. 3C, "EPT translation
 * mechanism"). Bits as in formats.rst.
 */
#include <linux/bitfield.h>

#include "npt/fmt.h"

#define EPT_R			BIT_ULL(0)
#define EPT_W			BIT_ULL(1)
#define EPT_X			BIT_ULL(2)
#define EPT_MEMTYPE		GENMASK_ULL(5, 3)
#define EPT_LARGE		BIT_ULL(7)	/* a 2 MiB or 1 GiB leaf */
#define EPT_PFN			GENMASK_ULL(51, 12)

#define EPT_MT_UC		0
#define EPT_MT_WB		6

#define EPTP_MEMTYPE		GENMASK_ULL(2, 0)
#define EPTP_WALK_LEN		GENMASK_ULL(5, 3)	/* levels - 1 */

static u64 ept_leaf_bits(unsigned int level, u32 flags)
{
	u64 pte = FIELD_PREP(EPT_MEMTYPE,
			     flags & (AXAS_DEVICE | AXAS_UNCACHED) ?
			     EPT_MT_UC : EPT_MT_WB);

	if (flags & AXAS_READ)
		pte |= EPT_R;
	if (flags & AXAS_WRITE)
		pte |= EPT_W;
	if (flags & AXAS_EXEC)
		pte |= EPT_X;
	if (level)
		pte |= EPT_LARGE;
	return pte;
}

/* Uncacheable serves both AXAS_DEVICE and AXAS_UNCACHED. */
static u32 ept_leaf_flags(u64 pte)
{
	u32 flags = 0;

	if (pte & EPT_R)
		flags |= AXAS_READ;
	if (pte & EPT_W)
		flags |= AXAS_WRITE;
	if (pte & EPT_X)
		flags |= AXAS_EXEC;
	if (FIELD_GET(EPT_MEMTYPE, pte) == EPT_MT_UC)
		flags |= AXAS_UNCACHED;
	return flags;
}

/* Execute-only is an EPT misconfiguration on a CPU without support. */
static bool ept_flags_ok(u32 flags)
{
	return (flags & AXAS_READ) || axas_npt_ept_exec_only();
}

static u64 ept_hw_root(const struct axas_npt_fmt *fmt, phys_addr_t root)
{
	return root | FIELD_PREP(EPTP_WALK_LEN, fmt->levels - 1) |
	       FIELD_PREP(EPTP_MEMTYPE, EPT_MT_WB);
}

#define EPT_FMT(_id, _name, _levels, _gpa_bits)				\
	{								\
		.id = _id,						\
		.name = _name,						\
		.levels = _levels,					\
		.root_xbits = 0,					\
		.gpa_bits = _gpa_bits,					\
		.pa_bits = 52,						\
		.leaf_levels = BIT(0) | BIT(1) | BIT(2),		\
		.pfn_shift = 12,					\
		.pfn_mask = EPT_PFN,					\
		.table_bits = EPT_R | EPT_W | EPT_X,			\
		.type_mask = EPT_R | EPT_W | EPT_X | EPT_LARGE,		\
		.perm_mask = EPT_R | EPT_W | EPT_X,			\
		.leaf_bits = ept_leaf_bits,				\
		.leaf_flags = ept_leaf_flags,				\
		.flags_ok = ept_flags_ok,				\
		.hw_root = ept_hw_root,					\
	}

static_assert(AXAS_NPT_PFN_MASK(52, 12) == EPT_PFN);
static_assert(AXAS_NPT_GPA_BITS(4, 0) == 48);
static_assert(AXAS_NPT_GPA_BITS(5, 0) == 57);

const struct axas_npt_fmt axas_npt_fmt_ept4 =
	EPT_FMT(AXAS_FMT_X86_EPT4, "ept4", 4, 48);
const struct axas_npt_fmt axas_npt_fmt_ept5 =
	EPT_FMT(AXAS_FMT_X86_EPT5, "ept5", 5, 57);
