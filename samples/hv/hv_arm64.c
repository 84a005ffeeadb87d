// SPDX-License-Identifier: GPL-2.0
/*
 * axas_hv on arm64: a VHE kernel at EL2 runs the guest at EL1 on a space's
 * stage 2 tables (formats 3 and 4). The guest's stage 1 is off (SCTLR_EL12
 * with the MMU off, its writes to the VM control registers trapped by
 * HCR_EL2.TVM), so guest virtual addresses are guest physical ones. Its
 * physical interrupts, SMCs, FP/SIMD/SVE/SME use, debug and PMU register
 * accesses and its own exceptions (VBAR_EL12 = 0: a fetch at gpa 0x200,
 * which the VMM leaves unmapped) all come to the host.
 *
 * The space's VTTBR_EL2 carries VMID 0, which KVM never allocates, for
 * every space. A flush is TLBI VMALLS12E1 of that VMID on this CPU only
 * (VTTBR_EL2.CnP is 0); the run loop asks for one whenever the CPU entered
 * another vCPU since. The switch itself is hv_arm64_switch.S.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <asm/barrier.h>
#include <asm/cpufeature.h>
#include <asm/esr.h>
#include <asm/kvm_arm.h>
#include <asm/sysreg.h>
#include <asm/tlbflush.h>
#include <asm/virt.h>

#include "hv.h"

/* hv_arm64_run()'s return: the guest vector that was taken. */
#define HV_VEC_SYNC	0
#define HV_VEC_IRQ	1
#define HV_VEC_FIQ	2

#define HV_ARM64_NR_REGS	31	/* x0..x30 */
#define HV_ARM64_INSN_LEN	4
#define HV_ARM64_HPFAR_FIPA	GENMASK_ULL(47, 4)	/* IPA[55:12] */
#define HV_ARM64_SRT_ZR		31	/* xzr / wzr */

/* EL1h with D, A, I and F masked. */
#define HV_ARM64_GUEST_PSTATE	(PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | \
				 PSR_I_BIT | PSR_F_BIT)
/*
 * Stage 2 on, AArch64 EL1, physical IRQ/FIQ/SError and SMC to EL2, and the
 * guest's writes to SCTLR_EL1, TTBRn_EL1, TCR_EL1... trapped (TVM), so
 * that its stage 1 stays off and FAR_EL2 is a gpa.
 */
#define HV_ARM64_HCR_GUEST	(HCR_VM | HCR_RW | HCR_IMO | HCR_FMO | \
				 HCR_AMO | HCR_TSC | HCR_TVM)
#define HV_ARM64_CPACR_TRAP	(CPACR_ELx_FPEN | CPACR_ELx_ZEN | CPACR_ELx_SMEN)
/* Debug and PMU registers: MDSCR_EL1 and the PMU are the host's too. */
#define HV_ARM64_MDCR_TRAP	(MDCR_EL2_TDA | MDCR_EL2_TDOSA | MDCR_EL2_TDRA | \
				 MDCR_EL2_TPM | MDCR_EL2_TPMCR)

/* The guest's side of the switch: hv_arm64_switch.S knows the offsets. */
struct hv_arm64_ctx {
	u64 regs[HV_ARM64_NR_REGS];
	u64 pc;
	u64 pstate;
	u64 esr;
	u64 far;
	u64 hpfar;
	u64 vtcr;
};

/* What hv_arch_enter() changes around the switch, and restores. */
struct hv_arm64_host {
	u64 hcr;
	u64 vtcr;
	u64 vttbr;
	u64 sctlr12;
	u64 vbar12;
	u64 cpacr;
	u64 mdcr;
	u64 tpidr;
	u64 tpidrro;
};

asmlinkage u64 hv_arm64_run(struct hv_arm64_ctx *ctx, void (*vectors)(void));
asmlinkage void hv_arm64_vectors(void);	/* not a function: VBAR_EL2's table */

/* Linux's VBAR_EL2 on this CPU, for hv_arm64_el2_fault. */
DECLARE_PER_CPU(u64, hv_arm64_host_vbar);
DEFINE_PER_CPU(u64, hv_arm64_host_vbar);

static u64 hv_arm64_vtcr_ps_vs;		/* VTCR_EL2.PS and VS */
static unsigned int hv_arm64_pa_bits;

int hv_arch_init(void)
{
	u64 mmfr0, mmfr1;
	unsigned int parange;

	if (!is_kernel_in_hyp_mode()) {
		pr_err("the kernel does not run at EL2 with VHE (no EL2, no VHE, or kvm-arm.mode=nvhe/protected): no guest can run\n");
		return -ENODEV;
	}
	mmfr0 = read_sanitised_ftr_reg(SYS_ID_AA64MMFR0_EL1);
	mmfr1 = read_sanitised_ftr_reg(SYS_ID_AA64MMFR1_EL1);
	/* 52-bit output addresses would need the LPA table format. */
	parange = min_t(unsigned int,
			FIELD_GET(ID_AA64MMFR0_EL1_PARANGE_MASK, mmfr0),
			ID_AA64MMFR0_EL1_PARANGE_48);
	hv_arm64_pa_bits = id_aa64mmfr0_parange_to_phys_shift(parange);
	hv_arm64_vtcr_ps_vs = (u64)parange << VTCR_EL2_PS_SHIFT;
	/* VMIDs as wide as KVM's, so that VMID 0 is none of KVM's. */
	if (get_vmid_bits(mmfr1) == 16)
		hv_arm64_vtcr_ps_vs |= VTCR_EL2_VS_16BIT;
	return 0;
}

void hv_arch_exit(void)
{
}

int hv_arch_vcpu_init(struct hv_vcpu *v)
{
	struct hv_arm64_ctx *c;
	unsigned int gpa_bits;

	BUILD_BUG_ON(offsetof(struct hv_arm64_ctx, pc) != 248 ||
		     offsetof(struct hv_arm64_ctx, esr) != 264 ||
		     offsetof(struct hv_arm64_ctx, hpfar) != 280);
	if (v->format == AXAS_FMT_ARM64_S2_40) {
		gpa_bits = 40;
	} else if (v->format == AXAS_FMT_ARM64_S2_48) {
		gpa_bits = 48;
	} else {
		pr_info("space format %u: stage 2 walks formats 3 and 4 only\n", v->format);
		return -EINVAL;
	}
	if (gpa_bits > hv_arm64_pa_bits) {
		pr_info("space format %u: %u-bit guest addresses, the CPU has %u-bit physical ones\n",
			v->format, gpa_bits, hv_arm64_pa_bits);
		return -EINVAL;
	}
	if (v->hw_root & ~GENMASK_ULL(47, 1)) {
		pr_info("space format %u: VTTBR value %#llx has a VMID or CnP\n",
			v->format, v->hw_root);
		return -EINVAL;
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return -ENOMEM;
	c->vtcr = v->hw_ctl | hv_arm64_vtcr_ps_vs;
	/* The UAPI has no PSTATE: each call starts here, entries keep it. */
	c->pstate = HV_ARM64_GUEST_PSTATE;
	v->arch = c;
	return 0;
}

void hv_arch_vcpu_destroy(struct hv_vcpu *v)
{
	kfree(v->arch);
	v->arch = NULL;
}

static void hv_arm64_save_host(struct hv_arm64_host *h)
{
	h->hcr = read_sysreg(hcr_el2);
	h->vtcr = read_sysreg(vtcr_el2);
	h->vttbr = read_sysreg(vttbr_el2);
	h->sctlr12 = read_sysreg_s(SYS_SCTLR_EL12);
	h->vbar12 = read_sysreg_s(SYS_VBAR_EL12);
	h->cpacr = read_sysreg(cpacr_el1);	/* CPTR_EL2 under E2H */
	h->mdcr = read_sysreg(mdcr_el2);
	h->tpidr = read_sysreg(tpidr_el0);
	h->tpidrro = read_sysreg(tpidrro_el0);
	this_cpu_write(hv_arm64_host_vbar, read_sysreg(vbar_el2));
}

/* The translation regime and traps of the guest; stage 2 flushed if @flush. */
static void hv_arm64_load_guest(const struct hv_vcpu *v, const struct hv_arm64_host *h,
				bool flush)
{
	const struct hv_arm64_ctx *c = v->arch;

	dsb(ishst);			/* table updates before the walks */
	write_sysreg(c->vtcr, vtcr_el2);
	write_sysreg(v->hw_root, vttbr_el2);
	write_sysreg_s(INIT_SCTLR_EL1_MMU_OFF, SYS_SCTLR_EL12);
	write_sysreg_s(0, SYS_VBAR_EL12);
	write_sysreg(h->cpacr & ~HV_ARM64_CPACR_TRAP, cpacr_el1);
	write_sysreg(h->mdcr | HV_ARM64_MDCR_TRAP, mdcr_el2);
	isb();
	if (flush) {
		__tlbi(vmalls12e1);
		dsb(nsh);
	}
	write_sysreg((h->hcr & ~HCR_TGE) | HV_ARM64_HCR_GUEST, hcr_el2);
	isb();
}

static void hv_arm64_restore_host(const struct hv_arm64_host *h)
{
	write_sysreg(h->hcr, hcr_el2);
	isb();
	write_sysreg(h->vttbr, vttbr_el2);
	write_sysreg(h->vtcr, vtcr_el2);
	write_sysreg_s(h->sctlr12, SYS_SCTLR_EL12);
	write_sysreg_s(h->vbar12, SYS_VBAR_EL12);
	write_sysreg(h->cpacr, cpacr_el1);
	write_sysreg(h->mdcr, mdcr_el2);
	write_sysreg(h->tpidr, tpidr_el0);
	write_sysreg(h->tpidrro, tpidrro_el0);
	isb();
}

static void hv_arm64_hypercall(struct hv_vcpu *v)
{
	struct axas_hv_hypercall *hc = &v->run.exit.hypercall;
	unsigned int i;

	hc->nr = v->run.regs[0];
	for (i = 0; i < ARRAY_SIZE(hc->args); i++)
		hc->args[i] = v->run.regs[i + 1];
}

/*
 * The gpa of a stage 2 fault. HPFAR_EL2 may be stale for a permission
 * fault that is not on a stage 1 walk (KVM's __get_fault_info()); FAR_EL2
 * is the gpa itself with the guest's stage 1 off.
 */
static u64 hv_arm64_fault_gpa(const struct hv_arm64_ctx *c)
{
	if (esr_fsc_is_permission_fault(c->esr) && !(c->esr & ESR_ELx_S1PTW) &&
	    !(c->esr & ESR_ELx_FnV))
		return c->far;
	return (c->hpfar & HV_ARM64_HPFAR_FIPA) << 8 | (c->far & ~PAGE_MASK);
}

/* A data or instruction abort from the guest: true if it is stage 2's. */
static bool hv_arm64_abort(const struct hv_arm64_ctx *c, struct hv_exit *e)
{
	if (!esr_fsc_is_translation_fault(c->esr) &&
	    !esr_fsc_is_access_flag_fault(c->esr) &&
	    !esr_fsc_is_permission_fault(c->esr))
		return false;
	e->kind = HV_EXIT_NPF;
	e->gpa = hv_arm64_fault_gpa(c);
	if (ESR_ELx_EC(c->esr) == ESR_ELx_EC_IABT_LOW)
		e->access = AXAS_EXEC;
	else if (c->esr & ESR_ELx_WNR)
		e->access = AXAS_WRITE;
	else
		e->access = AXAS_READ;
	return true;
}

static void hv_arm64_sync(struct hv_vcpu *v, const struct hv_arm64_ctx *c,
			  struct hv_exit *e)
{
	switch (ESR_ELx_EC(c->esr)) {
	case ESR_ELx_EC_HVC64:		/* ELR_EL2 is past the hvc */
		e->kind = HV_EXIT_HYPERCALL;
		hv_arm64_hypercall(v);
		return;
	case ESR_ELx_EC_DABT_LOW:
	case ESR_ELx_EC_IABT_LOW:
		if (hv_arm64_abort(c, e))
			return;
		break;
	}
	e->kind = HV_EXIT_UNHANDLED;
}

static void hv_arm64_decode_exit(struct hv_vcpu *v, u64 vec, struct hv_exit *e)
{
	const struct hv_arm64_ctx *c = v->arch;

	memcpy(v->run.regs, c->regs, sizeof(c->regs));
	v->run.pc = c->pc;
	e->code = c->esr;
	e->info[0] = c->far;
	e->info[1] = c->hpfar;
	if (vec == HV_VEC_IRQ || vec == HV_VEC_FIQ)
		e->kind = HV_EXIT_IRQ;
	else if (vec == HV_VEC_SYNC)
		hv_arm64_sync(v, c, e);
	else
		e->kind = HV_EXIT_UNHANDLED;	/* SError, AArch32 */
}

/*
 * Interrupts are masked here and stay masked at EL2 (hv_arm64_run() masks
 * D, A, I, F too); with HCR_EL2.IMO and FMO a physical interrupt while the
 * guest runs exits to the lower-EL vectors, and stays pending for Linux.
 */
void hv_arch_enter(struct hv_vcpu *v, bool flush, struct hv_exit *e)
{
	struct hv_arm64_ctx *c = v->arch;
	struct hv_arm64_host h;
	u64 vec;

	memcpy(c->regs, v->run.regs, sizeof(c->regs));
	c->pc = v->run.pc;
	hv_arm64_save_host(&h);
	hv_arm64_load_guest(v, &h, flush);
	vec = hv_arm64_run(c, hv_arm64_vectors);
	hv_arm64_restore_host(&h);
	hv_arm64_decode_exit(v, vec, e);
}

/*
 * ESR_EL2 decodes the access when ISV is set: single-register loads and
 * stores of a general register without writeback (LDR/STR, LDRB/STRB,
 * LDRH/STRH and the acquire/release forms). Sign-extending loads are left
 * to the VMM (it zero-extends).
 */
int hv_arch_decode_mmio(struct hv_vcpu *v, const struct hv_exit *e,
			struct axas_hv_mmio *mmio)
{
	u64 esr = e->code;
	bool write = e->access == AXAS_WRITE;
	unsigned int rt;

	if (ESR_ELx_EC(esr) != ESR_ELx_EC_DABT_LOW || !(esr & ESR_ELx_ISV) ||
	    (esr & ESR_ELx_SSE) || write != !!(esr & ESR_ELx_WNR))
		return -EOPNOTSUPP;
	rt = FIELD_GET(ESR_ELx_SRT_MASK, esr);
	mmio->size = 1U << FIELD_GET(ESR_ELx_SAS, esr);
	mmio->reg = rt;		/* 31: the zero register, a load discards */
	if (write && rt != HV_ARM64_SRT_ZR)
		mmio->data = v->run.regs[rt] & GENMASK_ULL(mmio->size * 8 - 1, 0);
	v->run.pc += HV_ARM64_INSN_LEN;
	return 0;
}
