/* SPDX-License-Identifier: GPL-2.0 */
/*
 * axas_hv internals: the run loop (hv_main.c) and the one world switch per
 * architecture (hv_x86.c, hv_riscv.c, hv_arm64.c) it drives.
 */
#ifndef _AXAS_HV_H
#define _AXAS_HV_H

#include <linux/axaddrspace.h>
#include <linux/types.h>

#include "axas_hv.h"

/* What one guest entry ended with, as the world switch decoded it. */
enum hv_exit_kind {
	HV_EXIT_IRQ,		/* a host interrupt: re-enter */
	HV_EXIT_NPF,		/* nested page fault: @gpa, @access */
	HV_EXIT_HYPERCALL,	/* v->run: pc past the call, exit.hypercall set */
	HV_EXIT_UNHANDLED,	/* @code, @info */
};

struct hv_exit {
	enum hv_exit_kind kind;
	u64 gpa;
	u32 access;		/* AXAS_READ, AXAS_WRITE or AXAS_EXEC */
	u64 code;
	u64 info[2];
};

/**
 * struct hv_vcpu - one vCPU for the length of one AXAS_HV_RUN call
 * @as: the space it runs on (a reference)
 * @run: the caller's state: pc and registers in, exit out
 * @hw_root: axas_hw_root() of @as
 * @hw_ctl: the control word axas_hw_root() returned (arm64 VTCR bits)
 * @format: the space's format
 * @flusher: registered on @as for the call
 * @flush_pending: set by the flush callback, consumed by the next entry
 * @cpu: the CPU the guest runs on while in guest mode, else -1
 * @last_cpu: the CPU of the previous entry, -1 before the first
 * @id: unique among the vCPUs since the module was loaded, never 0
 * @arch: the architecture's state (hv_arch_vcpu_init())
 */
struct hv_vcpu {
	struct axas *as;
	struct axas_hv_run run;
	u64 hw_root;
	u64 hw_ctl;
	u32 format;
	struct axas_flusher flusher;
	int flush_pending;
	int cpu;
	int last_cpu;
	u64 id;
	void *arch;
};

/* Called at module load: -ENODEV with a pr_err() where guests cannot run. */
int hv_arch_init(void);
void hv_arch_exit(void);
/* Allocates @v->arch; -EINVAL (with a pr_*) for a format the CPU cannot walk. */
int hv_arch_vcpu_init(struct hv_vcpu *v);
void hv_arch_vcpu_destroy(struct hv_vcpu *v);
/*
 * One guest entry, with preemption and interrupts off. @flush: invalidate
 * every cached translation of the guest first (on this CPU).
 */
void hv_arch_enter(struct hv_vcpu *v, bool flush, struct hv_exit *e);
/*
 * For an unresolved data access: decode the faulting instruction (reading
 * it from guest memory with axas_read_buffer()) into @mmio, and advance
 * @v->run.pc past it. Return 0, or -EOPNOTSUPP if it cannot be decoded.
 */
int hv_arch_decode_mmio(struct hv_vcpu *v, const struct hv_exit *e,
			struct axas_hv_mmio *mmio);

#endif /* _AXAS_HV_H */
