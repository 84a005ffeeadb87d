/* SPDX-License-Identifier: GPL-2.0 */
/*
 * axas_hv on riscv64: the world switch from HS-mode into a VS-mode guest
 * and back, modelled on KVM's arch/riscv/kvm/vcpu_switch.S.
 *
 * void hv_riscv_switch(struct hv_riscv_ctx *ctx), with interrupts off.
 * The layout of struct hv_riscv_ctx (hv_riscv.c checks it at build time):
 * the guest's x0-x31 at 8 * n, the host's at 256 + 8 * n, then the CSRs
 * below. The guest's sstatus and hstatus, stvec (the return label) and
 * sscratch (@ctx) are swapped in; sret enters the guest at its sepc. Any
 * trap of the guest comes back to the label, which swaps them out again:
 * Linux's sscratch, 0 in the kernel, is back before this returns.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/csr.h>

#define HV_HOST			256
#define HV_GUEST_SEPC		512
#define HV_GUEST_SSTATUS	520
#define HV_GUEST_HSTATUS	528
#define HV_HOST_SSTATUS		536
#define HV_HOST_HSTATUS		544
#define HV_HOST_STVEC		552
#define HV_HOST_SSCRATCH	560

/* The host's registers that C expects back: ra, sp, gp, tp, s0-s11. */
#define HV_HOST_REGS	1, 2, 3, 4, 8, 9, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27
/* The guest's registers but x0 and a0 (x10), which holds @ctx. */
#define HV_GUEST_REGS	1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, \
			17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31

	.text
	.option norelax

SYM_FUNC_START(hv_riscv_switch)
	.irp	n, HV_HOST_REGS
	REG_S	x\n, (HV_HOST + 8 * \n)(a0)
	.endr

	REG_L	t0, HV_GUEST_SSTATUS(a0)
	REG_L	t1, HV_GUEST_HSTATUS(a0)
	lla	t2, .Lhv_riscv_return
	REG_L	t4, HV_GUEST_SEPC(a0)
	csrrw	t0, CSR_SSTATUS, t0
	csrrw	t1, CSR_HSTATUS, t1
	csrrw	t2, CSR_STVEC, t2
	csrrw	t3, CSR_SSCRATCH, a0
	csrw	CSR_SEPC, t4
	REG_S	t0, HV_HOST_SSTATUS(a0)
	REG_S	t1, HV_HOST_HSTATUS(a0)
	REG_S	t2, HV_HOST_STVEC(a0)
	REG_S	t3, HV_HOST_SSCRATCH(a0)

	.irp	n, HV_GUEST_REGS
	REG_L	x\n, (8 * \n)(a0)
	.endr
	REG_L	a0, (8 * 10)(a0)
	sret

	/* Every trap of the guest: stvec, 4-byte aligned (direct mode). */
	.balign	4
.Lhv_riscv_return:
	csrrw	a0, CSR_SSCRATCH, a0
	.irp	n, HV_GUEST_REGS
	REG_S	x\n, (8 * \n)(a0)
	.endr

	REG_L	t1, HV_HOST_STVEC(a0)
	REG_L	t2, HV_HOST_SSCRATCH(a0)
	REG_L	t3, HV_HOST_HSTATUS(a0)
	REG_L	t4, HV_HOST_SSTATUS(a0)
	csrr	t0, CSR_SEPC
	csrrw	t2, CSR_SSCRATCH, t2
	csrw	CSR_STVEC, t1
	csrrw	t3, CSR_HSTATUS, t3
	csrrw	t4, CSR_SSTATUS, t4
	REG_S	t0, HV_GUEST_SEPC(a0)
	REG_S	t2, (8 * 10)(a0)
	REG_S	t3, HV_GUEST_HSTATUS(a0)
	REG_S	t4, HV_GUEST_SSTATUS(a0)

	.irp	n, HV_HOST_REGS
	REG_L	x\n, (HV_HOST + 8 * \n)(a0)
	.endr
	ret
SYM_FUNC_END(hv_riscv_switch)
