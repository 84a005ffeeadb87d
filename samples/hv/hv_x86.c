// SPDX-License-Identifier: GPL-2.0
/*
 * axas_hv on x86_64: AMD SVM with nested paging (formats 7 and 8). The
 * guest runs in 32-bit protected mode with flat segments and paging off,
 * so guest virtual addresses are guest physical ones, and everything that
 * could reach host state (MSRs, I/O ports, debug registers, CR0 and CR4
 * writes, SVM instructions, every exception) exits to the host. With
 * CR0.EM and TS set the guest cannot touch the FPU, so the host's FPU
 * state needs no switch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/io.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/svm.h>

#include "hv.h"

#define HV_SVM_IOPM_ORDER	2	/* 12 KiB used */
#define HV_SVM_MSRPM_ORDER	1	/* 8 KiB */
#define HV_SVM_VMMCALL_LEN	3	/* 0f 01 d9 */
#define HV_SVM_NPF_WRITE	BIT_ULL(1)
#define HV_SVM_NPF_FETCH	BIT_ULL(4)
#define HV_X86_RAX		0
#define HV_X86_RSP		4

/* Flat 32-bit segments: code execute/read, data read/write, accessed. */
#define HV_SEG_FLAT	(SVM_SELECTOR_S_MASK | SVM_SELECTOR_P_MASK | \
			 SVM_SELECTOR_DB_MASK | SVM_SELECTOR_G_MASK)
#define HV_SEG_CODE	(HV_SEG_FLAT | 0xb)
#define HV_SEG_DATA	(HV_SEG_FLAT | 0x3)
#define HV_SEG_TSS	(SVM_SELECTOR_P_MASK | 0xb)	/* busy 32-bit TSS */
#define HV_SEG_LDT	(SVM_SELECTOR_P_MASK | 0x2)
#define HV_PAT_DEFAULT	0x0007040600070406ULL

struct hv_svm {
	struct vmcb *vmcb;
	void *host_save;	/* VMSAVE area of the host's FS, GS, TR... */
	struct page *iopm;
	struct page *msrpm;
};

/* The architecture's host save area, one per CPU (VM_HSAVE_PA). */
static DEFINE_PER_CPU(void *, hv_hsave);
static u32 hv_asid;

asmlinkage void hv_svm_vmrun(u64 *regs, u64 vmcb_pa, u64 host_save_pa);

static void hv_free_hsave(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(hv_hsave, cpu));
		per_cpu(hv_hsave, cpu) = NULL;
	}
}

int hv_arch_init(void)
{
	int cpu;

	if (!boot_cpu_has(X86_FEATURE_SVM) || !boot_cpu_has(X86_FEATURE_NPT)) {
		pr_err("this CPU has no AMD SVM with nested paging: no guest can run\n");
		return -ENODEV;
	}
	/* The last ASID: the one KVM reaches last. */
	hv_asid = cpuid_ebx(SVM_CPUID_FUNC) - 1;
	for_each_possible_cpu(cpu) {
		per_cpu(hv_hsave, cpu) = (void *)get_zeroed_page(GFP_KERNEL);
		if (!per_cpu(hv_hsave, cpu)) {
			hv_free_hsave();
			return -ENOMEM;
		}
	}
	return 0;
}

void hv_arch_exit(void)
{
	hv_free_hsave();
}

static void hv_svm_seg(struct vmcb_seg *seg, u16 sel, u16 attrib, u32 limit)
{
	seg->selector = sel;
	seg->attrib = attrib;
	seg->limit = limit;
	seg->base = 0;
}

static void hv_svm_intercept(struct vmcb_control_area *c, unsigned int bit)
{
	c->intercepts[bit / 32] |= BIT(bit % 32);
}

static const u8 hv_svm_intercepts[] = {
	INTERCEPT_CR0_WRITE, INTERCEPT_CR4_WRITE, INTERCEPT_INTR,
	INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_INIT, INTERCEPT_SELECTIVE_CR0,
	INTERCEPT_RDPMC, INTERCEPT_CPUID, INTERCEPT_RSM, INTERCEPT_INVD,
	INTERCEPT_HLT, INTERCEPT_INVLPGA, INTERCEPT_IOIO_PROT,
	INTERCEPT_MSR_PROT, INTERCEPT_TASK_SWITCH, INTERCEPT_FERR_FREEZE,
	INTERCEPT_SHUTDOWN, INTERCEPT_VMRUN, INTERCEPT_VMMCALL,
	INTERCEPT_VMLOAD, INTERCEPT_VMSAVE, INTERCEPT_STGI, INTERCEPT_CLGI,
	INTERCEPT_SKINIT, INTERCEPT_ICEBP, INTERCEPT_WBINVD,
	INTERCEPT_MONITOR, INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND,
	INTERCEPT_XSETBV, INTERCEPT_RDPRU,
};

static void hv_svm_init_control(struct hv_svm *s, u64 ncr3)
{
	struct vmcb_control_area *c = &s->vmcb->control;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hv_svm_intercepts); i++)
		hv_svm_intercept(c, hv_svm_intercepts[i]);
	c->intercepts[INTERCEPT_DR] = ~0U;		/* DR0-7 reads and writes */
	c->intercepts[INTERCEPT_EXCEPTION] = ~0U;	/* every vector */
	c->iopm_base_pa = page_to_phys(s->iopm);
	c->msrpm_base_pa = page_to_phys(s->msrpm);
	c->asid = hv_asid;
	c->int_ctl = V_INTR_MASKING_MASK;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = ncr3;
}

static void hv_svm_init_save(struct vmcb_save_area *save)
{
	hv_svm_seg(&save->cs, 0x08, HV_SEG_CODE, 0xffffffff);
	hv_svm_seg(&save->ds, 0x10, HV_SEG_DATA, 0xffffffff);
	save->es = save->ds;
	save->ss = save->ds;
	save->fs = save->ds;
	save->gs = save->ds;
	hv_svm_seg(&save->tr, 0, HV_SEG_TSS, 0x67);
	hv_svm_seg(&save->ldtr, 0, HV_SEG_LDT, 0xffff);
	save->cpl = 0;
	save->efer = EFER_SVME;
	save->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_EM | X86_CR0_TS;
	save->dr6 = 0xffff0ff0;
	save->dr7 = 0x400;
	save->rflags = X86_EFLAGS_FIXED;
	save->g_pat = HV_PAT_DEFAULT;
}

static int hv_svm_alloc(struct hv_svm *s)
{
	s->vmcb = (struct vmcb *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	s->host_save = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	/* Every bit set: every port and every MSR exits. */
	s->iopm = alloc_pages(GFP_KERNEL_ACCOUNT, HV_SVM_IOPM_ORDER);
	s->msrpm = alloc_pages(GFP_KERNEL_ACCOUNT, HV_SVM_MSRPM_ORDER);
	if (!s->vmcb || !s->host_save || !s->iopm || !s->msrpm)
		return -ENOMEM;
	memset(page_address(s->iopm), 0xff, PAGE_SIZE << HV_SVM_IOPM_ORDER);
	memset(page_address(s->msrpm), 0xff, PAGE_SIZE << HV_SVM_MSRPM_ORDER);
	return 0;
}

static void hv_svm_free(struct hv_svm *s)
{
	free_page((unsigned long)s->vmcb);
	free_page((unsigned long)s->host_save);
	if (s->iopm)
		__free_pages(s->iopm, HV_SVM_IOPM_ORDER);
	if (s->msrpm)
		__free_pages(s->msrpm, HV_SVM_MSRPM_ORDER);
	kfree(s);
}

int hv_arch_vcpu_init(struct hv_vcpu *v)
{
	struct hv_svm *s;
	int ret;

	if (v->format != AXAS_FMT_X86_NPT4 && v->format != AXAS_FMT_X86_NPT5) {
		pr_info("space format %u: SVM walks formats 7 and 8 only\n", v->format);
		return -EINVAL;
	}
	if (pgtable_l5_enabled() ? v->format != AXAS_FMT_X86_NPT5 :
	    v->format != AXAS_FMT_X86_NPT4) {
		pr_info("space format %u: the CPU nests with the host's paging depth\n",
			v->format);
		return -EINVAL;
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	ret = hv_svm_alloc(s);
	if (ret) {
		hv_svm_free(s);
		return ret;
	}
	hv_svm_init_control(s, v->hw_root);
	hv_svm_init_save(&s->vmcb->save);
	v->arch = s;
	return 0;
}

void hv_arch_vcpu_destroy(struct hv_vcpu *v)
{
	hv_svm_free(v->arch);
	v->arch = NULL;
}

static void hv_svm_hypercall(struct hv_vcpu *v)
{
	struct axas_hv_hypercall *hc = &v->run.exit.hypercall;
	const u64 *r = v->run.regs;

	v->run.pc += HV_SVM_VMMCALL_LEN;
	hc->nr = (u32)r[0];
	hc->args[0] = (u32)r[3];	/* ebx */
	hc->args[1] = (u32)r[1];	/* ecx */
	hc->args[2] = (u32)r[2];	/* edx */
	hc->args[3] = (u32)r[6];	/* esi */
	hc->args[4] = (u32)r[7];	/* edi */
	hc->args[5] = (u32)r[5];	/* ebp */
}

static void hv_svm_decode_exit(struct hv_vcpu *v, struct hv_exit *e)
{
	const struct vmcb_control_area *c = &((struct hv_svm *)v->arch)->vmcb->control;

	e->code = c->exit_code;
	e->info[0] = c->exit_info_1;
	e->info[1] = c->exit_info_2;
	switch (c->exit_code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
		e->kind = HV_EXIT_IRQ;
		break;
	case SVM_EXIT_NPF:
		e->kind = HV_EXIT_NPF;
		e->gpa = c->exit_info_2;
		if (c->exit_info_1 & HV_SVM_NPF_FETCH)
			e->access = AXAS_EXEC;
		else if (c->exit_info_1 & HV_SVM_NPF_WRITE)
			e->access = AXAS_WRITE;
		else
			e->access = AXAS_READ;
		break;
	case SVM_EXIT_VMMCALL:
		e->kind = HV_EXIT_HYPERCALL;
		hv_svm_hypercall(v);
		break;
	default:
		e->kind = HV_EXIT_UNHANDLED;
	}
}

/*
 * As KVM's svm_vcpu_run(): GIF clear around the switch, RFLAGS.IF set for
 * VMRUN so that a host interrupt exits the guest (V_INTR_MASKING), and
 * held until STGI, after which the run loop's local_irq_enable() takes it.
 */
void hv_arch_enter(struct hv_vcpu *v, bool flush, struct hv_exit *e)
{
	struct hv_svm *s = v->arch;
	struct vmcb *vmcb = s->vmcb;
	u64 efer, hsave;

	vmcb->control.tlb_ctl = flush ? TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_DO_NOTHING;
	vmcb->save.rip = (u32)v->run.pc;
	vmcb->save.rax = (u32)v->run.regs[HV_X86_RAX];
	vmcb->save.rsp = (u32)v->run.regs[HV_X86_RSP];
	/* Whoever else uses SVM on this CPU (KVM) gets its state back. */
	rdmsrl(MSR_EFER, efer);
	rdmsrl(MSR_VM_HSAVE_PA, hsave);
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, __pa(this_cpu_read(hv_hsave)));
	asm volatile("clgi" ::: "memory");
	raw_local_irq_enable();
	hv_svm_vmrun(v->run.regs, __pa(vmcb), __pa(s->host_save));
	raw_local_irq_disable();
	asm volatile("stgi" ::: "memory");
	wrmsrl(MSR_VM_HSAVE_PA, hsave);
	wrmsrl(MSR_EFER, efer);
	v->run.pc = (u32)vmcb->save.rip;
	v->run.regs[HV_X86_RAX] = (u32)vmcb->save.rax;
	v->run.regs[HV_X86_RSP] = (u32)vmcb->save.rsp;
	hv_svm_decode_exit(v, e);
}

/*
 * The forms of MOV a guest uses for device registers: stores 88, 89, c6,
 * c7 (66 for 16 bits) and loads 8b, 0f b6, 0f b7 (movzx), the loads into
 * a whole 32-bit register so that the VMM's zero-extended value is right.
 */
struct hv_x86_insn {
	const u8 *p;
	bool opsize16;
	bool store;
	bool imm;
	unsigned int size;
};

static int hv_x86_store(struct hv_x86_insn *in, bool imm)
{
	in->store = true;
	in->imm = imm;
	return 0;
}

static int hv_x86_opcode(struct hv_x86_insn *in)
{
	unsigned int wide = in->opsize16 ? 2 : 4;

	switch (*in->p++) {
	case 0x88:
		in->size = 1;
		return hv_x86_store(in, false);
	case 0x89:
		in->size = wide;
		return hv_x86_store(in, false);
	case 0xc6:
		in->size = 1;
		return hv_x86_store(in, true);
	case 0xc7:
		in->size = wide;
		return hv_x86_store(in, true);
	case 0x8b:
		in->size = 4;
		return in->opsize16 ? -EOPNOTSUPP : 0;
	case 0x0f:
		if (*in->p != 0xb6 && *in->p != 0xb7)
			return -EOPNOTSUPP;
		in->size = *in->p++ == 0xb6 ? 1 : 2;
		return 0;
	}
	return -EOPNOTSUPP;
}

/* Length of ModRM, SIB and displacement (32-bit addressing). */
static unsigned int hv_x86_modrm_len(const u8 *p)
{
	unsigned int mod = p[0] >> 6, rm = p[0] & 7, len = 1;

	if (rm == 4) {
		len++;
		if (mod == 0 && (p[1] & 7) == 5)
			return len + 4;
	}
	if (mod == 1)
		return len + 1;
	if (mod == 2 || (mod == 0 && rm == 5))
		return len + 4;
	return len;
}

static u64 hv_x86_store_data(const struct hv_x86_insn *in, const u8 *modrm,
			     const u64 *regs)
{
	unsigned int reg = (*modrm >> 3) & 7;
	u64 data = 0;

	if (in->imm) {
		memcpy(&data, modrm + hv_x86_modrm_len(modrm), in->size);
		return data;
	}
	if (in->size == 1)	/* al, cl, dl, bl, ah, ch, dh, bh */
		return reg < 4 ? regs[reg] & 0xff : (regs[reg - 4] >> 8) & 0xff;
	return regs[reg] & GENMASK_ULL(in->size * 8 - 1, 0);
}

int hv_arch_decode_mmio(struct hv_vcpu *v, const struct hv_exit *e,
			struct axas_hv_mmio *mmio)
{
	struct hv_x86_insn in = {};
	u8 buf[15];
	const u8 *modrm;

	if (axas_read_buffer(v->as, (u32)v->run.pc, buf, sizeof(buf)) &&
	    axas_read_buffer(v->as, (u32)v->run.pc, buf, 8))
		return -EOPNOTSUPP;
	in.p = buf;
	in.opsize16 = *in.p == 0x66;
	in.p += in.opsize16;
	if (hv_x86_opcode(&in) || (*in.p >> 6) == 3)
		return -EOPNOTSUPP;
	if (in.store ? e->access != AXAS_WRITE : e->access != AXAS_READ)
		return -EOPNOTSUPP;
	modrm = in.p;
	if (in.imm && (*modrm >> 3) & 7)	/* c6 /0, c7 /0 only */
		return -EOPNOTSUPP;
	mmio->size = in.size;
	mmio->reg = (*modrm >> 3) & 7;
	if (in.store)
		mmio->data = hv_x86_store_data(&in, modrm, v->run.regs);
	v->run.pc += modrm - buf + hv_x86_modrm_len(modrm) + (in.imm ? in.size : 0);
	return 0;
}
