// SPDX-License-Identifier: GPL-2.0
/*
 * axas_hv on riscv64: the H extension's G-stage (formats 5, 6 and 9). Linux
 * runs in HS-mode; the guest runs in VS-mode with its own translation off
 * (vsatp = 0, guest virtual = guest physical) on the space's table in
 * hgatp. Nothing is delegated to the guest (hedeleg = hideleg = 0): each
 * of its traps, and each host interrupt, comes back to the switch in
 * hv_riscv_switch.S. Floating point and vector stay off in the guest
 * (sstatus.FS = VS = 0), so the host's state needs no switch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/irqflags.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <asm/cpufeature.h>
#include <asm/csr.h>
#include <asm/insn-def.h>

#include "hv.h"

#define HV_RV_HGATP_MODE	GENMASK_ULL(63, 60)
#define HV_RV_CAUSE_VS_ECALL	10
#define HV_RV_CAUSE_FETCH_GPF	20
#define HV_RV_CAUSE_LOAD_GPF	21
#define HV_RV_CAUSE_STORE_GPF	23
#define HV_RV_ECALL_LEN		4
#define HV_RV_A0		10
#define HV_RV_A7		17

/* Guest mode: sret goes to VS-mode, wfi traps (KVM's reset values). */
#define HV_RV_GUEST_SSTATUS	(SR_SPP | SR_SPIE)
#define HV_RV_GUEST_HSTATUS	(HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW | \
				 (2UL << HSTATUS_VSXL_SHIFT))

/* The layout hv_riscv_switch.S knows: keep the two in step. */
struct hv_riscv_ctx {
	unsigned long guest[32];
	unsigned long host[32];
	unsigned long guest_sepc;
	unsigned long guest_sstatus;
	unsigned long guest_hstatus;
	unsigned long host_sstatus;
	unsigned long host_hstatus;
	unsigned long host_stvec;
	unsigned long host_sscratch;
};

/* The CSRs the C side changes around a switch, with the host's values. */
struct hv_riscv_csrs {
	unsigned long hgatp;
	unsigned long vsatp;
	unsigned long vsstatus;
	unsigned long hedeleg;
	unsigned long hideleg;
	unsigned long hvip;
};

/*
 * What the trap left, read before anything can trap again. htinst is not
 * needed: QEMU 7.2 leaves it 0, and decoding reads guest memory instead.
 */
struct hv_riscv_trap {
	unsigned long scause;
	unsigned long stval;
	unsigned long htval;
};

asmlinkage void hv_riscv_switch(struct hv_riscv_ctx *ctx);

static_assert(offsetof(struct hv_riscv_ctx, host) == 256);
static_assert(offsetof(struct hv_riscv_ctx, guest_sepc) == 512);
static_assert(offsetof(struct hv_riscv_ctx, guest_sstatus) == 520);
static_assert(offsetof(struct hv_riscv_ctx, guest_hstatus) == 528);
static_assert(offsetof(struct hv_riscv_ctx, host_sstatus) == 536);
static_assert(offsetof(struct hv_riscv_ctx, host_hstatus) == 544);
static_assert(offsetof(struct hv_riscv_ctx, host_stvec) == 552);
static_assert(offsetof(struct hv_riscv_ctx, host_sscratch) == 560);

int hv_arch_init(void)
{
	if (!riscv_isa_extension_available(NULL, h)) {
		pr_err("this CPU has no H extension: no guest can run\n");
		return -ENODEV;
	}
	return 0;
}

void hv_arch_exit(void)
{
}

/* Whether hgatp.MODE, a WARL field, takes the mode of @hgatp. */
static bool hv_riscv_mode_ok(u64 hgatp)
{
	unsigned long flags, old, mode = hgatp & HV_RV_HGATP_MODE;
	bool ok;

	local_irq_save(flags);
	old = csr_swap(CSR_HGATP, mode);
	ok = (csr_read(CSR_HGATP) & HV_RV_HGATP_MODE) == mode;
	csr_write(CSR_HGATP, old);
	local_irq_restore(flags);
	return ok;
}

int hv_arch_vcpu_init(struct hv_vcpu *v)
{
	struct hv_riscv_ctx *ctx;

	if (v->format != AXAS_FMT_RISCV_SV39X4 && v->format != AXAS_FMT_RISCV_SV48X4 &&
	    v->format != AXAS_FMT_RISCV_SV57X4) {
		pr_info("space format %u: the G-stage walks formats 5, 6 and 9 only\n",
			v->format);
		return -EINVAL;
	}
	if (!hv_riscv_mode_ok(v->hw_root)) {
		pr_info("space format %u: this CPU's hgatp does not take mode %llu\n",
			v->format, FIELD_GET(HV_RV_HGATP_MODE, v->hw_root));
		return -EINVAL;
	}
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	v->arch = ctx;
	return 0;
}

void hv_arch_vcpu_destroy(struct hv_vcpu *v)
{
	kfree(v->arch);
	v->arch = NULL;
}

static void hv_riscv_csrs_enter(struct hv_riscv_csrs *c, const struct hv_vcpu *v)
{
	c->hedeleg = csr_swap(CSR_HEDELEG, 0);
	c->hideleg = csr_swap(CSR_HIDELEG, 0);
	c->hvip = csr_swap(CSR_HVIP, 0);
	c->vsstatus = csr_swap(CSR_VSSTATUS, 0);
	c->vsatp = csr_swap(CSR_VSATP, 0);
	c->hgatp = csr_swap(CSR_HGATP, v->hw_root);
}

/* Nothing of the guest reaches the host, not even its VMID 0 tables. */
static void hv_riscv_csrs_exit(const struct hv_riscv_csrs *c)
{
	csr_write(CSR_HGATP, c->hgatp);
	csr_write(CSR_VSATP, c->vsatp);
	csr_write(CSR_VSSTATUS, c->vsstatus);
	csr_write(CSR_HVIP, c->hvip);
	csr_write(CSR_HIDELEG, c->hideleg);
	csr_write(CSR_HEDELEG, c->hedeleg);
}

static void hv_riscv_hypercall(struct hv_vcpu *v)
{
	struct axas_hv_hypercall *hc = &v->run.exit.hypercall;
	unsigned int i;

	v->run.pc += HV_RV_ECALL_LEN;
	hc->nr = v->run.regs[HV_RV_A7];
	for (i = 0; i < ARRAY_SIZE(hc->args); i++)
		hc->args[i] = v->run.regs[HV_RV_A0 + i];
}

static void hv_riscv_npf(struct hv_exit *e, const struct hv_riscv_trap *t, u32 access)
{
	e->kind = HV_EXIT_NPF;
	e->gpa = ((u64)t->htval << 2) | (t->stval & 3);
	e->access = access;
}

static void hv_riscv_decode_exit(struct hv_vcpu *v, const struct hv_riscv_trap *t,
				 struct hv_exit *e)
{
	e->code = t->scause;
	e->info[0] = t->stval;
	e->info[1] = t->htval;
	if (t->scause & CAUSE_IRQ_FLAG) {
		e->kind = HV_EXIT_IRQ;
		return;
	}
	switch (t->scause) {
	case HV_RV_CAUSE_VS_ECALL:
		e->kind = HV_EXIT_HYPERCALL;
		hv_riscv_hypercall(v);
		break;
	case HV_RV_CAUSE_FETCH_GPF:
		hv_riscv_npf(e, t, AXAS_EXEC);
		break;
	case HV_RV_CAUSE_LOAD_GPF:
		hv_riscv_npf(e, t, AXAS_READ);
		break;
	case HV_RV_CAUSE_STORE_GPF:
		hv_riscv_npf(e, t, AXAS_WRITE);
		break;
	default:
		e->kind = HV_EXIT_UNHANDLED;
	}
}

/*
 * As KVM's kvm_riscv_vcpu_enter_exit(): the trap CSRs are read before
 * interrupts come back on. sepc, scause, stval, htval and htinst are left
 * as the guest's trap set them: Linux reads them only in a trap of its own.
 */
void hv_arch_enter(struct hv_vcpu *v, bool flush, struct hv_exit *e)
{
	struct hv_riscv_ctx *ctx = v->arch;
	struct hv_riscv_csrs csrs;
	struct hv_riscv_trap t;

	memcpy(&ctx->guest[1], &v->run.regs[1], 31 * sizeof(ctx->guest[0]));
	ctx->guest_sepc = v->run.pc;
	ctx->guest_sstatus = HV_RV_GUEST_SSTATUS;
	ctx->guest_hstatus = HV_RV_GUEST_HSTATUS;
	hv_riscv_csrs_enter(&csrs, v);
	if (flush)	/* the run loop's: VMID 0 is every space's */
		asm volatile(HFENCE_GVMA(zero, zero) : : : "memory");
	hv_riscv_switch(ctx);
	t.scause = csr_read(CSR_SCAUSE);
	t.stval = csr_read(CSR_STVAL);
	t.htval = csr_read(CSR_HTVAL);
	hv_riscv_csrs_exit(&csrs);
	memcpy(&v->run.regs[1], &ctx->guest[1], 31 * sizeof(ctx->guest[0]));
	v->run.pc = ctx->guest_sepc;
	hv_riscv_decode_exit(v, &t, e);
}

/* ---- MMIO decoding ------------------------------------------------------- */

struct hv_rv_insn {
	u32 insn;
	unsigned int len;
	unsigned int size;
	unsigned int reg;	/* rd of a load, rs2 of a store */
	bool store;
};

/* LB LH LW LD LBU LHU LWU (opcode 0x03), SB SH SW SD (0x23). */
static int hv_rv_decode32(struct hv_rv_insn *in)
{
	unsigned int funct3 = (in->insn >> 12) & 7;

	switch (in->insn & 0x7f) {
	case 0x03:
		if (funct3 == 7)
			return -EOPNOTSUPP;
		in->reg = (in->insn >> 7) & 0x1f;
		in->size = 1 << (funct3 & 3);
		return 0;
	case 0x23:
		if (funct3 > 3)
			return -EOPNOTSUPP;
		in->store = true;
		in->reg = (in->insn >> 20) & 0x1f;
		in->size = 1 << funct3;
		return 0;
	}
	return -EOPNOTSUPP;
}

/* C.LW C.LD C.SW C.SD (quadrant 0), C.LWSP C.LDSP C.SWSP C.SDSP (2). */
static int hv_rv_decode16(struct hv_rv_insn *in)
{
	unsigned int funct3 = (in->insn >> 13) & 7;
	unsigned int quadrant = in->insn & 3;

	if ((funct3 & 3) < 2 || (quadrant != 0 && quadrant != 2))
		return -EOPNOTSUPP;
	in->store = funct3 & 4;
	in->size = funct3 & 1 ? 8 : 4;
	if (quadrant == 0)
		in->reg = 8 + ((in->insn >> 2) & 7);
	else if (in->store)
		in->reg = (in->insn >> 2) & 0x1f;
	else
		in->reg = (in->insn >> 7) & 0x1f;
	return 0;
}

/* The instruction at pc, 2 or 4 bytes (each half may be on its own page). */
static int hv_rv_fetch(struct hv_vcpu *v, struct hv_rv_insn *in)
{
	u16 half[2];

	if (axas_read_buffer(v->as, v->run.pc, &half[0], 2))
		return -EOPNOTSUPP;
	in->insn = half[0];
	in->len = 2;
	if ((half[0] & 3) != 3)
		return 0;
	if (axas_read_buffer(v->as, v->run.pc + 2, &half[1], 2))
		return -EOPNOTSUPP;
	in->insn |= (u32)half[1] << 16;
	in->len = 4;
	return 0;
}

/*
 * The loads and stores of hv_rv_decode32() and hv_rv_decode16(). A signed
 * load (LB, LH, LW) gets the VMM's value zero-extended, as the UAPI says.
 */
int hv_arch_decode_mmio(struct hv_vcpu *v, const struct hv_exit *e,
			struct axas_hv_mmio *mmio)
{
	bool write = e->access == AXAS_WRITE;
	struct hv_rv_insn in = {};
	int ret;

	ret = hv_rv_fetch(v, &in);
	if (!ret)
		ret = in.len == 4 ? hv_rv_decode32(&in) : hv_rv_decode16(&in);
	if (ret || in.store != write)
		return -EOPNOTSUPP;
	mmio->size = in.size;
	mmio->reg = in.reg;
	if (in.store && in.reg)
		mmio->data = v->run.regs[in.reg] & GENMASK_ULL(in.size * 8 - 1, 0);
	v->run.pc += in.len;
	return 0;
}
