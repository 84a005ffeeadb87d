// SPDX-License-Identifier: GPL-2.0
/*
 * Format number to descriptor: geometry is data, not code.
 */
#include <kunit/visibility.h>
#include <linux/kernel.h>
#include <linux/module.h>

#include "npt/fmt.h"

static const struct axas_npt_fmt *const npt_fmts[] = {
	[AXAS_FMT_X86_EPT4]	= &axas_npt_fmt_ept4,
	[AXAS_FMT_X86_EPT5]	= &axas_npt_fmt_ept5,
	[AXAS_FMT_ARM64_S2_40]	= &axas_npt_fmt_arm64_s2_40,
	[AXAS_FMT_ARM64_S2_48]	= &axas_npt_fmt_arm64_s2_48,
	[AXAS_FMT_RISCV_SV39X4]	= &axas_npt_fmt_riscv_sv39x4,
	[AXAS_FMT_RISCV_SV48X4]	= &axas_npt_fmt_riscv_sv48x4,
	[AXAS_FMT_X86_NPT4]	= &axas_npt_fmt_npt4,
	[AXAS_FMT_X86_NPT5]	= &axas_npt_fmt_npt5,
	[AXAS_FMT_RISCV_SV57X4]	= &axas_npt_fmt_riscv_sv57x4,
};

static_assert(ARRAY_SIZE(npt_fmts) == AXAS_FMT_MAX + 1);

const struct axas_npt_fmt *axas_npt_fmt_get(u32 id)
{
	if (id == AXAS_FMT_NATIVE)
		id = axas_npt_native();
	if (id == AXAS_FMT_NATIVE || id >= ARRAY_SIZE(npt_fmts))
		return NULL;
	return npt_fmts[id];
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_fmt_get);
