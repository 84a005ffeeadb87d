// SPDX-License-Identifier: GPL-2.0
/*
 * What the host CPU runs, probed once at module init: the format
 * AXAS_FMT_NATIVE names (userspace-api.rst) and whether EPT may hold execute-only
 * leaves (formats.rst). The engine's only architecture code.
 */
#include <kunit/visibility.h>
#include <linux/bits.h>
#include <linux/irqflags.h>
#include <linux/module.h>
#include <linux/preempt.h>

#if defined(CONFIG_X86_64) && !defined(CONFIG_UML)
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/pgtable.h>
#elif defined(CONFIG_ARM64)
#include <asm/cpufeature.h>
#include <asm/sysreg.h>
#elif defined(CONFIG_RISCV) && defined(CONFIG_64BIT)
#include <asm/csr.h>
#include <asm/switch_to.h>	/* riscv_isa_extension_available(), 6.1 and 6.12 */
#endif

#include "npt/fmt.h"

static u32 npt_native;
static bool npt_ept_xo;

#if defined(CONFIG_X86_64) && !defined(CONFIG_UML)
#define NPT_EPT_CAP_EXEC_ONLY	BIT_ULL(0)	/* IA32_VMX_EPT_VPID_CAP */

/* AMD: the CPU nests 5 levels exactly when the host runs with LA57. */
static u32 npt_host_native(void)
{
	if (!boot_cpu_has(X86_FEATURE_SVM))
		return AXAS_FMT_X86_EPT4;
	return pgtable_l5_enabled() ? AXAS_FMT_X86_NPT5 : AXAS_FMT_X86_NPT4;
}

static bool npt_host_ept_exec_only(void)
{
	u64 cap;

	if (!boot_cpu_has(X86_FEATURE_VMX) ||
	    rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &cap))
		return false;
	return cap & NPT_EPT_CAP_EXEC_ONLY;
}
#elif defined(CONFIG_X86_64)	/* UML: no guest runs; the x86 default */
static u32 npt_host_native(void)
{
	return AXAS_FMT_X86_EPT4;
}

static bool npt_host_ept_exec_only(void)
{
	return false;
}
#elif defined(CONFIG_ARM64)
#define NPT_PARANGE_SHIFT	0	/* ID_AA64MMFR0_EL1.PARange, 3:0 */
#define NPT_PARANGE_48		5

/* Format 4 needs 48-bit output addresses (formats.rst). */
static u32 npt_host_native(void)
{
	u64 mmfr0 = read_sanitised_ftr_reg(SYS_ID_AA64MMFR0_EL1);

	if (cpuid_feature_extract_unsigned_field(mmfr0, NPT_PARANGE_SHIFT) >=
	    NPT_PARANGE_48)
		return AXAS_FMT_ARM64_S2_48;
	return AXAS_FMT_ARM64_S2_40;
}

static bool npt_host_ept_exec_only(void)
{
	return false;
}
#elif defined(CONFIG_RISCV) && defined(CONFIG_64BIT)
#define NPT_HGATP_MODE_SHIFT	60

/*
 * hgatp.MODE is WARL: write each mode, widest first, and keep the first
 * that reads back, as KVM does. No guest runs on this hart meanwhile (the
 * interrupts are off), and the old value comes back.
 */
static u32 npt_host_native(void)
{
	static const struct { u32 fmt; unsigned long mode; } modes[] = {
		{ AXAS_FMT_RISCV_SV57X4, 10 },
		{ AXAS_FMT_RISCV_SV48X4, 9 },
	};
	u32 fmt = AXAS_FMT_RISCV_SV39X4;
	unsigned long old, flags, want;
	unsigned int i;

	if (!riscv_isa_extension_available(NULL, h))
		return fmt;
	local_irq_save(flags);
	old = csr_read(CSR_HGATP);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		want = modes[i].mode << NPT_HGATP_MODE_SHIFT;
		csr_write(CSR_HGATP, want);
		if (csr_read(CSR_HGATP) >> NPT_HGATP_MODE_SHIFT == modes[i].mode) {
			fmt = modes[i].fmt;
			break;
		}
	}
	csr_write(CSR_HGATP, old);
	local_irq_restore(flags);
	return fmt;
}

static bool npt_host_ept_exec_only(void)
{
	return false;
}
#else
static u32 npt_host_native(void)
{
	return AXAS_FMT_NATIVE;		/* none */
}

static bool npt_host_ept_exec_only(void)
{
	return false;
}
#endif

void axas_npt_host_init(void)
{
	npt_native = npt_host_native();
	npt_ept_xo = npt_host_ept_exec_only();
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_host_init);

u32 axas_npt_native(void)
{
	return npt_native;
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_native);

bool axas_npt_ept_exec_only(void)
{
	return READ_ONCE(npt_ept_xo);
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_ept_exec_only);

bool axas_npt_set_ept_exec_only(bool on)
{
	bool old = READ_ONCE(npt_ept_xo);

	WRITE_ONCE(npt_ept_xo, on);
	return old;
}
EXPORT_SYMBOL_IF_KUNIT(axas_npt_set_ept_exec_only);
