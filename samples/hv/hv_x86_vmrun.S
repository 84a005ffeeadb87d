/* SPDX-License-Identifier: GPL-2.0 */
/*
 * axas_hv on x86_64: one VMRUN. VMRUN and #VMEXIT switch RAX, RSP, RIP
 * and the segment and control state; the other general registers are
 * swapped here, and FS, GS, TR, LDTR and the syscall MSRs with VMLOAD and
 * VMSAVE, as KVM's __svm_vcpu_run does (arch/x86/kvm/svm/vmenter.S).
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>

/* Offsets into the u64 array of general registers, in encoding order. */
#define R_RCX	(1 * 8)
#define R_RDX	(2 * 8)
#define R_RBX	(3 * 8)
#define R_RBP	(5 * 8)
#define R_RSI	(6 * 8)
#define R_RDI	(7 * 8)
#define R_R8	(8 * 8)
#define R_R9	(9 * 8)
#define R_R10	(10 * 8)
#define R_R11	(11 * 8)
#define R_R12	(12 * 8)
#define R_R13	(13 * 8)
#define R_R14	(14 * 8)
#define R_R15	(15 * 8)

	.text
/*
 * void hv_svm_vmrun(u64 *regs, u64 vmcb_pa, u64 host_save_pa)
 * With GIF clear; EFER.SVME and VM_HSAVE_PA set up by the caller.
 */
SYM_FUNC_START(hv_svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi			/* 16(%rsp): regs */
	push	%rdx			/*  8(%rsp): host save area */
	push	%rsi			/*  0(%rsp): VMCB */

	mov	%rdx, %rax
	vmsave	%rax			/* the host's FS, GS, TR, ... */
	mov	(%rsp), %rax
	vmload	%rax			/* the guest's */

	mov	R_RCX(%rdi), %rcx
	mov	R_RDX(%rdi), %rdx
	mov	R_RBX(%rdi), %rbx
	mov	R_RBP(%rdi), %rbp
	mov	R_RSI(%rdi), %rsi
	mov	R_R8(%rdi), %r8
	mov	R_R9(%rdi), %r9
	mov	R_R10(%rdi), %r10
	mov	R_R11(%rdi), %r11
	mov	R_R12(%rdi), %r12
	mov	R_R13(%rdi), %r13
	mov	R_R14(%rdi), %r14
	mov	R_R15(%rdi), %r15
	mov	R_RDI(%rdi), %rdi

	vmrun	%rax

	/* #VMEXIT: RSP and RAX (the VMCB's address) are the host's again. */
	push	%rdi
	mov	24(%rsp), %rdi
	mov	%rcx, R_RCX(%rdi)
	mov	%rdx, R_RDX(%rdi)
	mov	%rbx, R_RBX(%rdi)
	mov	%rbp, R_RBP(%rdi)
	mov	%rsi, R_RSI(%rdi)
	mov	%r8, R_R8(%rdi)
	mov	%r9, R_R9(%rdi)
	mov	%r10, R_R10(%rdi)
	mov	%r11, R_R11(%rdi)
	mov	%r12, R_R12(%rdi)
	mov	%r13, R_R13(%rdi)
	mov	%r14, R_R14(%rdi)
	mov	%r15, R_R15(%rdi)
	pop	%rax
	mov	%rax, R_RDI(%rdi)

	mov	(%rsp), %rax
	vmsave	%rax			/* the guest's FS, GS, TR, ... */
	mov	8(%rsp), %rax
	vmload	%rax			/* the host's back */

	/* No guest value stays in a register the host does not restore. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(hv_svm_vmrun)
