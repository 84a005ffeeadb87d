// SPDX-License-Identifier: GPL-2.0
/*
 * Arm VMSAv8-64 stage 2, 4 KiB granule: 40-bit IPA starting at Arm level 1
 * with two concatenated root tables, and 48-bit IPA starting at Arm level 0.
 * Bits as in formats.rst.
 */
#include <linux/bitfield.h>

#include "npt/fmt.h"

#define S2_VALID		BIT_ULL(0)
#define S2_TABLE_OR_PAGE	BIT_ULL(1)	/* 0: block */
#define S2_MEMATTR		GENMASK_ULL(5, 2)
#define S2_AP_R			BIT_ULL(6)	/* S2AP[0] */
#define S2_AP_W			BIT_ULL(7)	/* S2AP[1] */
#define S2_SH			GENMASK_ULL(9, 8)
#define S2_AF			BIT_ULL(10)
#define S2_XN			BIT_ULL(54)	/* XN[1]; XN[0] (53) stays 0 */
#define S2_PFN			GENMASK_ULL(47, 12)

#define S2_MEMATTR_NORMAL_WB	0xf
#define S2_MEMATTR_DEVICE_NGNRE	0x1
#define S2_MEMATTR_NORMAL_NC	0x5
#define S2_SH_INNER		3

#define S2_VTCR_T0SZ		GENMASK_ULL(5, 0)
#define S2_VTCR_SL0		GENMASK_ULL(7, 6)
#define S2_VTCR_IRGN0		GENMASK_ULL(9, 8)
#define S2_VTCR_ORGN0		GENMASK_ULL(11, 10)
#define S2_VTCR_SH0		GENMASK_ULL(13, 12)
#define S2_VTCR_RES1		BIT_ULL(31)
#define S2_VTCR_WBWA		1

static u64 s2_memattr(u32 flags)
{
	if (flags & AXAS_UNCACHED)
		return S2_MEMATTR_NORMAL_NC;
	if (flags & AXAS_DEVICE)
		return S2_MEMATTR_DEVICE_NGNRE;
	return S2_MEMATTR_NORMAL_WB;
}

static u64 s2_leaf_bits(unsigned int level, u32 flags)
{
	u64 pte = S2_VALID | FIELD_PREP(S2_MEMATTR, s2_memattr(flags)) |
		  FIELD_PREP(S2_SH, S2_SH_INNER) | S2_AF;

	if (!level)
		pte |= S2_TABLE_OR_PAGE;
	if (flags & AXAS_READ)
		pte |= S2_AP_R;
	if (flags & AXAS_WRITE)
		pte |= S2_AP_W;
	if (!(flags & AXAS_EXEC))
		pte |= S2_XN;
	return pte;
}

static u32 s2_leaf_flags(u64 pte)
{
	u32 flags = 0;

	if (pte & S2_AP_R)
		flags |= AXAS_READ;
	if (pte & S2_AP_W)
		flags |= AXAS_WRITE;
	if (!(pte & S2_XN))
		flags |= AXAS_EXEC;
	switch (FIELD_GET(S2_MEMATTR, pte)) {
	case S2_MEMATTR_DEVICE_NGNRE:
		flags |= AXAS_DEVICE;
		break;
	case S2_MEMATTR_NORMAL_NC:
		flags |= AXAS_UNCACHED;
		break;
	}
	return flags;
}

/* VTTBR_EL2 with VMID 0 and CnP 0 is the root address itself. */
static u64 s2_hw_root(const struct axas_npt_fmt *fmt, phys_addr_t root)
{
	return root;
}

/*
 * Write-back, inner shareable walks; SL0 names the start level, 2 - SL0
 * with a 4 KiB granule. Bit 31 is RES1.
 */
static u64 s2_hw_ctl(const struct axas_npt_fmt *fmt)
{
	return FIELD_PREP(S2_VTCR_T0SZ, 64 - fmt->gpa_bits) |
	       FIELD_PREP(S2_VTCR_SL0, fmt->levels - 2) |
	       FIELD_PREP(S2_VTCR_IRGN0, S2_VTCR_WBWA) |
	       FIELD_PREP(S2_VTCR_ORGN0, S2_VTCR_WBWA) |
	       FIELD_PREP(S2_VTCR_SH0, S2_SH_INNER) | S2_VTCR_RES1;
}

#define S2_FMT(_id, _name, _levels, _xbits, _gpa_bits)		\
	{								\
		.id = _id,						\
		.name = _name,						\
		.levels = _levels,					\
		.root_xbits = _xbits,					\
		.gpa_bits = _gpa_bits,					\
		.pa_bits = 48,						\
		.leaf_levels = BIT(0) | BIT(1) | BIT(2),		\
		.pfn_shift = 12,					\
		.pfn_mask = S2_PFN,					\
		.table_bits = S2_VALID | S2_TABLE_OR_PAGE,		\
		.type_mask = S2_VALID | S2_TABLE_OR_PAGE,		\
		.perm_mask = S2_AP_R | S2_AP_W | S2_XN,			\
		.leaf_bits = s2_leaf_bits,				\
		.leaf_flags = s2_leaf_flags,				\
		.hw_root = s2_hw_root,					\
		.hw_ctl = s2_hw_ctl,					\
	}

static_assert(AXAS_NPT_PFN_MASK(48, 12) == S2_PFN);
static_assert(AXAS_NPT_GPA_BITS(3, 1) == 40);
static_assert(AXAS_NPT_GPA_BITS(4, 0) == 48);

const struct axas_npt_fmt axas_npt_fmt_arm64_s2_40 =
	S2_FMT(AXAS_FMT_ARM64_S2_40, "arm64-s2-40", 3, 1, 40);
const struct axas_npt_fmt axas_npt_fmt_arm64_s2_48 =
	S2_FMT(AXAS_FMT_ARM64_S2_48, "arm64-s2-48", 4, 0, 48);
