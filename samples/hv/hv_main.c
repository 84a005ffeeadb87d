// SPDX-License-Identifier: GPL-2.0
/*
 * axas_hv: a minimal hypervisor, an example consumer of the axaddrspace
 * in-kernel API. /dev/axas_hv runs a vCPU on a space a VMM created through
 * /dev/axaddrspace (AXAS_HV_RUN, samples/hv/axas_hv.h) until the guest needs
 * the VMM. This file is the run loop, shared by every architecture; the
 * world switch of each is in hv_<arch>.c. Documentation/sample-hv.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include "hv.h"

/*
 * The vCPU each CPU entered last, by id: every vCPU shares the one tag
 * (ASID, VMID 0), so a CPU that ran another vCPU in between holds its
 * translations. An id, not a pointer: a new vCPU may reuse the memory.
 */
static DEFINE_PER_CPU(u64, hv_last_vcpu);
static atomic64_t hv_vcpu_ids = ATOMIC64_INIT(0);

static void hv_kick(void *unused)
{
}

/*
 * The space changed a mapping: the next entry must not use a cached
 * translation. A guest running right now on another CPU is kicked out
 * (the IPI exits it) and waited for, so that the space may free what it
 * unmapped as soon as this returns. The protocol is KVM's vcpu->mode:
 * the entry publishes @cpu, then reads @flush_pending; this writes
 * @flush_pending, then reads @cpu.
 */
static void hv_flush_range(void *priv, u64 gpa, u64 size)
{
	struct hv_vcpu *v = priv;
	int cpu;

	WRITE_ONCE(v->flush_pending, 1);
	smp_mb();	/* pairs with hv_enter(): pending before cpu */
	cpu = READ_ONCE(v->cpu);
	if (cpu >= 0)
		smp_call_function_single(cpu, hv_kick, NULL, 1);
}

static const struct axas_flush_ops hv_flush_ops = {
	.flush_range = hv_flush_range,
};

/* One entry, interrupts off; the host's pending interrupts run after it. */
static void hv_enter(struct hv_vcpu *v, struct hv_exit *e)
{
	int cpu;
	bool flush;

	preempt_disable();
	local_irq_disable();
	cpu = smp_processor_id();
	WRITE_ONCE(v->cpu, cpu);
	smp_mb();	/* pairs with hv_flush_range(): cpu before pending */
	/*
	 * A new CPU may hold translations from before a flush elsewhere, and
	 * one that ran another vCPU since holds that one's.
	 */
	flush = xchg(&v->flush_pending, 0) || cpu != v->last_cpu ||
		this_cpu_read(hv_last_vcpu) != v->id;
	v->last_cpu = cpu;
	this_cpu_write(hv_last_vcpu, v->id);
	hv_arch_enter(v, flush, e);
	WRITE_ONCE(v->cpu, -1);
	local_irq_enable();
	preempt_enable();
	v->run.entries++;
}

/* An access the space did not resolve: an MMIO exit for the VMM. */
static void hv_mmio_exit(struct hv_vcpu *v, const struct hv_exit *e)
{
	struct axas_hv_mmio *mmio = &v->run.exit.mmio;

	memset(mmio, 0, sizeof(*mmio));
	v->run.exit_reason = AXAS_HV_EXIT_MMIO;
	if (e->access != AXAS_EXEC && !hv_arch_decode_mmio(v, e, mmio))
		mmio->decoded = 1;
	mmio->gpa = e->gpa;
	mmio->access = e->access;
}

/* Return: 1 to re-enter, 0 to go back to the VMM, or a negative errno. */
static int hv_handle_npf(struct hv_vcpu *v, const struct hv_exit *e)
{
	struct axas_npf_info npf = { .gpa = e->gpa, .access = e->access };
	bool handled;
	int ret;

	ret = axas_handle_page_fault(v->as, &npf, &handled);
	if (ret)
		return ret;
	if (!handled) {
		hv_mmio_exit(v, e);
		return 0;
	}
	v->run.faults++;
	return 1;
}

static void hv_unhandled_exit(struct hv_vcpu *v, const struct hv_exit *e)
{
	v->run.exit_reason = AXAS_HV_EXIT_UNHANDLED;
	v->run.exit.unhandled.code = e->code;
	v->run.exit.unhandled.info[0] = e->info[0];
	v->run.exit.unhandled.info[1] = e->info[1];
}

/* Enter until the guest needs the VMM. Return: 0 or a negative errno. */
static int hv_run_loop(struct hv_vcpu *v)
{
	struct hv_exit e;
	int ret;

	for (;;) {
		if (signal_pending(current))
			return -EINTR;
		cond_resched();
		hv_enter(v, &e);
		switch (e.kind) {
		case HV_EXIT_IRQ:
			continue;
		case HV_EXIT_NPF:
			ret = hv_handle_npf(v, &e);
			if (ret > 0)
				continue;
			return ret;
		case HV_EXIT_HYPERCALL:
			v->run.exit_reason = AXAS_HV_EXIT_HYPERCALL;
			return 0;
		default:
			hv_unhandled_exit(v, &e);
			return 0;
		}
	}
}

static int hv_vcpu_open(struct hv_vcpu *v)
{
	struct axas_info info;
	int ret;

	if (v->run.flags || v->run.pad) {
		pr_info_ratelimited("%s[%d]: unknown flags or non-zero pad\n",
				    current->comm, task_pid_nr(current));
		return -EINVAL;
	}
	v->as = axas_get_from_fd(v->run.space_fd);
	if (IS_ERR(v->as))
		return PTR_ERR(v->as);
	axas_get_info(v->as, &info);
	v->format = info.format;
	v->hw_root = axas_hw_root(v->as, &v->hw_ctl);
	v->cpu = -1;
	v->last_cpu = -1;
	v->id = atomic64_inc_return(&hv_vcpu_ids);
	ret = hv_arch_vcpu_init(v);
	if (ret) {
		axas_put(v->as);
		return ret;
	}
	v->flusher.ops = &hv_flush_ops;
	v->flusher.priv = v;
	axas_register_flush(v->as, &v->flusher);
	return 0;
}

static void hv_vcpu_close(struct hv_vcpu *v)
{
	axas_unregister_flush(v->as, &v->flusher);
	hv_arch_vcpu_destroy(v);
	axas_put(v->as);
}

static long hv_ioctl_run(struct axas_hv_run __user *uarg)
{
	struct hv_vcpu *v;
	long ret;

	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(&v->run, uarg, sizeof(v->run)))
		goto out;
	ret = hv_vcpu_open(v);
	if (ret)
		goto out;
	v->run.exit_reason = 0;
	v->run.faults = 0;
	v->run.entries = 0;
	memset(&v->run.exit, 0, sizeof(v->run.exit));
	ret = hv_run_loop(v);
	hv_vcpu_close(v);
	if ((!ret || ret == -EINTR) && copy_to_user(uarg, &v->run, sizeof(v->run)))
		ret = -EFAULT;
out:
	kfree(v);
	return ret;
}

static long hv_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	if (cmd != AXAS_HV_RUN)
		return -ENOTTY;
	return hv_ioctl_run((struct axas_hv_run __user *)arg);
}

static const struct file_operations hv_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hv_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* Guest code runs with kernel privilege around it: root only. */
static struct miscdevice hv_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "axas_hv",
	.fops = &hv_fops,
	.mode = 0600,
};

static int __init hv_init(void)
{
	int ret;

	ret = hv_arch_init();
	if (ret)
		return ret;
	ret = misc_register(&hv_misc);
	if (ret)
		hv_arch_exit();
	return ret;
}

static void __exit hv_exit(void)
{
	misc_deregister(&hv_misc);
	hv_arch_exit();
}

module_init(hv_init);
module_exit(hv_exit);

MODULE_DESCRIPTION("axas_hv: a sample hypervisor on axaddrspace spaces");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(AXADDRSPACE_NS);
