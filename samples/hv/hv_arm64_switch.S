/* SPDX-License-Identifier: GPL-2.0 */
/*
 * axas_hv on arm64: the world switch. A VHE kernel at EL2 saves its
 * callee-saved registers, SP_EL0 (current), PSTATE.PAN and DAIF on its own
 * stack, installs hv_arm64_vectors and erets to the guest at EL1. Every
 * exception from the guest comes back to EL2 on the same SP_EL2, so the
 * vectors find the saved frame and the guest context at [sp]. As KVM's
 * __guest_enter/__guest_exit (arch/arm64/kvm/hyp/entry.S), minus the
 * features the sample leaves off in the guest (FP, SVE, ptrauth, MTE).
 *
 * The guest context (struct hv_arm64_ctx in hv_arm64.c):
 *   x0..x30 at 0, pc (ELR_EL2) and pstate (SPSR_EL2) at 248,
 *   ESR_EL2 and FAR_EL2 at 264, HPFAR_EL2 at 280.
 */
#include <linux/linkage.h>
#include <asm/assembler.h>

#define HV_CTX_PC	248
#define HV_CTX_ESR	264
#define HV_CTX_HPFAR	280

/* Host frame: ctx, host VBAR_EL2, x19..x30, SP_EL0, PAN, DAIF. */
#define HV_FR_CTX	0
#define HV_FR_VBAR	8
#define HV_FR_X19	16
#define HV_FR_SP_EL0	112
#define HV_FR_DAIF	128
#define HV_FRAME	144

/* Exit codes returned by hv_arm64_run(): the vector that was taken. */
#define HV_VEC_SYNC	0
#define HV_VEC_IRQ	1
#define HV_VEC_FIQ	2
#define HV_VEC_SERROR	3
#define HV_VEC_AARCH32	4

#define SYS_PAN		s3_0_c4_c2_3

	.text

/*
 * u64 hv_arm64_run(struct hv_arm64_ctx *ctx, void (*vectors)(void))
 *
 * Enters the guest with the EL2 state hv_arm64.c has set up; returns the
 * HV_VEC_* of the exception that ended the entry, with the guest's
 * registers and the syndrome registers stored in @ctx.
 */
SYM_FUNC_START(hv_arm64_run)
	sub	sp, sp, #HV_FRAME
	stp	x19, x20, [sp, #HV_FR_X19]
	stp	x21, x22, [sp, #HV_FR_X19 + 16]
	stp	x23, x24, [sp, #HV_FR_X19 + 32]
	stp	x25, x26, [sp, #HV_FR_X19 + 48]
	stp	x27, x28, [sp, #HV_FR_X19 + 64]
	stp	x29, x30, [sp, #HV_FR_X19 + 80]
	mrs	x2, sp_el0
	mrs	x3, SYS_PAN
	stp	x2, x3, [sp, #HV_FR_SP_EL0]
	mrs	x2, daif
	str	x2, [sp, #HV_FR_DAIF]
	/* No debug exception or SError at EL2 while our vectors are in. */
	msr	daifset, #0xf
	mrs	x2, vbar_el2
	stp	x0, x2, [sp, #HV_FR_CTX]
	msr	vbar_el2, x1
	ldp	x2, x3, [x0, #HV_CTX_PC]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	isb

	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0]
	eret
	dsb	nsh			/* no speculation past the eret */
	isb
SYM_FUNC_END(hv_arm64_run)

/*
 * Back from the guest: x0 = HV_VEC_*, the guest's x0 and x1 at [sp],
 * the host frame above them.
 */
SYM_CODE_START_LOCAL(hv_arm64_exit)
	ldr	x1, [sp, #16 + HV_FR_CTX]
	stp	x2, x3, [x1, #16]
	stp	x4, x5, [x1, #32]
	stp	x6, x7, [x1, #48]
	stp	x8, x9, [x1, #64]
	stp	x10, x11, [x1, #80]
	stp	x12, x13, [x1, #96]
	stp	x14, x15, [x1, #112]
	stp	x16, x17, [x1, #128]
	stp	x18, x19, [x1, #144]
	stp	x20, x21, [x1, #160]
	stp	x22, x23, [x1, #176]
	stp	x24, x25, [x1, #192]
	stp	x26, x27, [x1, #208]
	stp	x28, x29, [x1, #224]
	str	x30, [x1, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x1]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x1, #HV_CTX_PC]
	mrs	x2, esr_el2
	mrs	x3, far_el2
	stp	x2, x3, [x1, #HV_CTX_ESR]
	mrs	x2, hpfar_el2
	str	x2, [x1, #HV_CTX_HPFAR]

	/* The guest's PSTATE.PAN survives the exception: take the host's back. */
	ldp	x2, x3, [sp, #HV_FR_SP_EL0]
	msr	sp_el0, x2
	msr	SYS_PAN, x3
	ldr	x2, [sp, #HV_FR_VBAR]
	msr	vbar_el2, x2
	isb
	ldp	x19, x20, [sp, #HV_FR_X19]
	ldp	x21, x22, [sp, #HV_FR_X19 + 16]
	ldp	x23, x24, [sp, #HV_FR_X19 + 32]
	ldp	x25, x26, [sp, #HV_FR_X19 + 48]
	ldp	x27, x28, [sp, #HV_FR_X19 + 64]
	ldp	x29, x30, [sp, #HV_FR_X19 + 80]
	ldr	x2, [sp, #HV_FR_DAIF]
	msr	daif, x2
	add	sp, sp, #HV_FRAME
	ret
SYM_CODE_END(hv_arm64_exit)

/*
 * An exception taken at EL2 itself between the vector switch and back,
 * which only a bug here can cause: put Linux's vectors back (saved per
 * CPU by hv_arm64.c) and retry the instruction, so that Linux reports it.
 */
SYM_CODE_START_LOCAL(hv_arm64_el2_fault)
	stp	x0, x1, [sp, #-16]!
	ldr	x0, =hv_arm64_host_vbar
	mrs	x1, tpidr_el2		/* the VHE kernel's per-CPU offset */
	ldr	x0, [x0, x1]
	msr	vbar_el2, x0
	isb
	ldp	x0, x1, [sp], #16
	eret
	.ltorg
SYM_CODE_END(hv_arm64_el2_fault)

.macro hv_vector_el2
	.align	7
	b	hv_arm64_el2_fault
.endm

.macro hv_vector_guest vec
	.align	7
	stp	x0, x1, [sp, #-16]!
	mov	x0, #\vec
	b	hv_arm64_exit
.endm

/* VBAR_EL2 while the guest runs: 2 KiB aligned, 16 entries of 0x80. */
	.align	11
SYM_CODE_START(hv_arm64_vectors)
	hv_vector_el2			/* current EL, SP_EL0 */
	hv_vector_el2
	hv_vector_el2
	hv_vector_el2
	hv_vector_el2			/* current EL, SP_EL2 */
	hv_vector_el2
	hv_vector_el2
	hv_vector_el2
	hv_vector_guest HV_VEC_SYNC	/* lower EL, AArch64: +0x400 */
	hv_vector_guest HV_VEC_IRQ	/* +0x480 */
	hv_vector_guest HV_VEC_FIQ	/* +0x500 */
	hv_vector_guest HV_VEC_SERROR	/* +0x580 */
	hv_vector_guest HV_VEC_AARCH32	/* lower EL, AArch32: not with HCR_EL2.RW */
	hv_vector_guest HV_VEC_AARCH32
	hv_vector_guest HV_VEC_AARCH32
	hv_vector_guest HV_VEC_AARCH32
SYM_CODE_END(hv_arm64_vectors)
