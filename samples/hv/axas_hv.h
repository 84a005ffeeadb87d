/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * axas_hv: the UAPI of the sample hypervisor (samples/hv), an example
 * consumer of the axaddrspace in-kernel API. Not a product: see
 * Documentation/sample-hv.rst.
 *
 * One ioctl on /dev/axas_hv runs a vCPU on a space that a VMM created
 * through /dev/axaddrspace. The vCPU lives only for the call: its whole
 * state goes in and comes back in struct axas_hv_run, so that the VMM
 * resumes the guest by calling again with what it got back.
 */
#ifndef _UAPI_AXAS_HV_H
#define _UAPI_AXAS_HV_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Why AXAS_HV_RUN returned 0. */
#define AXAS_HV_EXIT_HYPERCALL	1	/* ecall / hvc / vmmcall: exit.hypercall */
#define AXAS_HV_EXIT_MMIO	2	/* access the space does not map or permit: exit.mmio */
#define AXAS_HV_EXIT_UNHANDLED	3	/* anything else: exit.unhandled; the guest cannot go on */

/**
 * struct axas_hv_mmio - a guest access the space did not resolve
 * @gpa: guest physical address of the access
 * @access: AXAS_READ, AXAS_WRITE or AXAS_EXEC (axaddrspace UAPI)
 * @size: bytes accessed, 0 when the instruction was not decoded
 * @data: the value a write stores (zero-extended)
 * @reg: for a decoded read: index into &axas_hv_run.regs that receives the
 *	value; the VMM stores the (zero-extended) data there before resuming
 * @decoded: 1 when the instruction was decoded and &axas_hv_run.pc is past
 *	it; 0 when pc still points at it (fetches, undecodable forms)
 */
struct axas_hv_mmio {
	__u64 gpa;
	__u32 access;
	__u32 size;
	__u64 data;
	__u32 reg;
	__u32 decoded;
};

/**
 * struct axas_hv_hypercall - the guest called the VMM
 * @nr: call number (riscv64 a7, arm64 x0, x86 eax)
 * @args: arguments (riscv64 a0-a5, arm64 x1-x6, x86 ebx, ecx, edx, esi,
 *	edi, ebp); &axas_hv_run.pc is already past the call instruction
 */
struct axas_hv_hypercall {
	__u64 nr;
	__u64 args[6];
};

/**
 * struct axas_hv_unhandled - an exit the sample does not handle
 * @code: the architecture's reason (scause, ESR_EL2, VMCB exit code)
 * @info: further detail (stval/htval, FAR/HPFAR, EXITINFO1/2)
 */
struct axas_hv_unhandled {
	__u64 code;
	__u64 info[2];
};

#define AXAS_HV_NR_REGS		32

/**
 * struct axas_hv_run - argument of AXAS_HV_RUN
 * @space_fd: in: a space fd of /dev/axaddrspace
 * @flags: in: must be 0
 * @pc: in: guest physical address of the next instruction; out: where the
 *	guest stopped (past a hypercall or a decoded MMIO instruction)
 * @regs: in/out: general registers. riscv64: x0-x31 (x0 ignored); arm64:
 *	x0-x30; x86: rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8-r15 in
 *	encoding order (the guest runs in 32-bit protected mode, flat
 *	segments, paging off: the low 32 bits count)
 * @exit_reason: out: AXAS_HV_EXIT_*
 * @pad: must be 0
 * @faults: out: nested page faults resolved in the kernel during the call
 * @entries: out: guest entries during the call
 * @exit: out: detail of @exit_reason
 * @exit.mmio: for %AXAS_HV_EXIT_MMIO
 * @exit.hypercall: for %AXAS_HV_EXIT_HYPERCALL
 * @exit.unhandled: for %AXAS_HV_EXIT_UNHANDLED
 * @exit.raw: room for later exits
 *
 * Returns 0 with @exit_reason set; -1 with errno EINTR when a signal came
 * (the state is written back and the guest can be resumed), EINVAL for a
 * bad argument, EBADF for a bad @space_fd, ENOMEM, or EFAULT.
 */
struct axas_hv_run {
	__s32 space_fd;
	__u32 flags;
	__u64 pc;
	__u64 regs[AXAS_HV_NR_REGS];
	__u32 exit_reason;
	__u32 pad;
	__u64 faults;
	__u64 entries;
	union {
		struct axas_hv_mmio mmio;
		struct axas_hv_hypercall hypercall;
		struct axas_hv_unhandled unhandled;
		__u64 raw[8];
	} exit;
};

/* axaddrspace's ioctl type; numbers from 0xf0 up belong to the sample. */
#define AXAS_HV_IOC		0xB9
#define AXAS_HV_RUN		_IOWR(AXAS_HV_IOC, 0xf0, struct axas_hv_run)

#endif /* _UAPI_AXAS_HV_H */
