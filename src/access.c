// SPDX-License-Identifier: GPL-2.0
/*
 * Lookups and guest memory access: translate, nested page faults, reads
 * and writes of guest memory, and the listings. All run with the space's
 * lock held for reading, so they run in parallel with each other.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "space.h"
#include "trace.h"

static bool axas_in_space(struct axas *as, u64 gpa)
{
	return gpa >= as->base && gpa - as->base < as->size;
}

/* Look @gpa up in the areas and the table; any lock mode, or none (RCU). */
static int axas_lookup(struct axas *as, u64 gpa, struct axas_translation *t)
{
	struct axas_area_node *a;
	struct axas_npt_leaf leaf;

	a = axas_area_find_rcu(as, gpa);
	if (!a || axas_npt_query(&as->npt, gpa, &leaf))
		return -ENOENT;
	t->hpa = leaf.hpa + (gpa - leaf.gpa);
	t->page_size = leaf.size;
	t->area_start = READ_ONCE(a->start);
	t->area_size = READ_ONCE(a->last) - t->area_start + 1;
	t->limit = t->area_start + t->area_size - gpa;
	t->flags = READ_ONCE(a->flags);
	t->backend = READ_ONCE(a->ops)->id;
	return 0;
}

/**
 * axas_translate() - translate a guest physical address
 * @as: the space
 * @gpa: guest physical address, any alignment
 * @t: out: host address, leaf size and the area holding @gpa
 *
 * Lockless: the area is looked up under RCU and the answer kept only if no
 * writer ran meanwhile (@as->seq), the leaf comes from axas_npt_query().
 * Only when a writer is active does it wait for the lock.
 *
 * Return: 0, -EINVAL if @gpa is outside the space, -ENOENT if no present
 * leaf maps it (a hole, or a lazy page without its frame yet).
 */
int axas_translate(struct axas *as, u64 gpa, struct axas_translation *t)
{
	unsigned int seq;
	int ret;

	if (!axas_in_space(as, gpa))
		return -EINVAL;
	seq = raw_read_seqcount(&as->seq);
	if (!(seq & 1)) {
		rcu_read_lock();
		ret = axas_lookup(as, gpa, t);
		rcu_read_unlock();
		if (!read_seqcount_retry(&as->seq, seq))
			return ret;
	}
	down_read(&as->lock);
	ret = axas_lookup(as, gpa, t);
	up_read(&as->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(axas_translate, AXADDRSPACE_NS);

/*
 * A fault in area @a that permits @access; lock held for reading. Return:
 * 1 if a new frame was mapped, 0, or an errno (-EAGAIN: wait, see below).
 */
static int axas_fault_in_area(struct axas *as, struct axas_area_node *a,
			      u64 gpa, u32 access, bool *handled, void **wait)
{
	struct axas_npt_leaf leaf;
	int ret;

	if (a->ops->fault) {
		ret = a->ops->fault(as, a, ALIGN_DOWN(gpa, AXAS_PAGE_SIZE), wait);
		if (ret > 0)
			atomic64_inc(&as->faults_handled);
		*handled = ret >= 0;
		return ret;
	}
	/* Present already: a stale TLB entry, the guest retries. */
	*handled = !axas_npt_query(&as->npt, gpa, &leaf) &&
		   (leaf.flags & access) == access;
	return 0;
}

/* One try at a fault, under the lock; -EAGAIN after waiting without it. */
static int axas_fault_once(struct axas *as, const struct axas_npf_info *npf,
			   bool *handled)
{
	void (*fault_wait)(void *arg) = NULL;
	struct axas_area_node *a;
	void *wait = NULL;
	int ret = 0;

	down_read(&as->lock);
	a = axas_area_find(as, npf->gpa);
	if (a && (a->flags & npf->access) == npf->access) {
		ret = axas_fault_in_area(as, a, npf->gpa, npf->access, handled,
					 &wait);
		fault_wait = a->ops->fault_wait;
	}
	up_read(&as->lock);
	if (ret == -EAGAIN)
		fault_wait(wait);
	return ret;
}

/**
 * axas_handle_page_fault() - resolve a nested page fault
 * @as: the space
 * @npf: faulting address and access (a non-empty subset of AXAS_READ,
 *	AXAS_WRITE and AXAS_EXEC)
 * @handled: out: true when the guest should retry the access
 *
 * Handled whenever, after the call, a present leaf maps the address and
 * permits the access: a lazy page of an alloc area got its frame (a new
 * zeroed one only if it had none), or the entry was there already (a
 * spurious fault). Not handled for holes, addresses outside the space and
 * accesses the area's flags deny. Faults on different pages run in
 * parallel.
 *
 * Return: 0, -EINVAL for bad access bits, -ENOMEM.
 */
int axas_handle_page_fault(struct axas *as, const struct axas_npf_info *npf,
			   bool *handled)
{
	int ret = 0;

	*handled = false;
	if (!npf->access || npf->access & ~AXAS_NPT_PERM)
		ret = axas_bad_space(as, "fault at %#llx: access %#x", npf->gpa,
				     npf->access);
	else if (axas_in_space(as, npf->gpa))
		do {
			ret = axas_fault_once(as, npf, handled);
		} while (ret == -EAGAIN);
	trace_axas_fault(as, npf->gpa, npf->access, min(ret, 0), *handled,
			 ret > 0);
	return min(ret, 0);
}
EXPORT_SYMBOL_NS_GPL(axas_handle_page_fault, AXADDRSPACE_NS);

/**
 * axas_rw_frame() - move bytes between the bounce page and a frame
 * @rw: the read or write
 * @pa: host address, inside one page of RAM with a struct page
 * @len: bytes, not beyond that page
 * @flags: the area's flags, for axas_sync_guest() after a write
 */
void axas_rw_frame(struct axas_rw *rw, phys_addr_t pa, size_t len, u32 flags)
{
	void *p = kmap_local_page(pfn_to_page(PHYS_PFN(pa)));

	axas_rw_mem(rw, p + (pa & (AXAS_PAGE_SIZE - 1)), len);
	kunmap_local(p);
	if (rw->write)
		axas_sync_guest(rw->as, pa, len, flags);
}

/**
 * axas_rw_fault() - give the page a write goes to its frame
 * @rw: the write, lock held for reading
 * @a: the area holding @rw->gpa, with a lazy page there
 *
 * As a write fault would. On -EAGAIN, @rw notes what to wait for once
 * the lock is dropped; the step is then tried again.
 *
 * Return: 0 or an errno.
 */
int axas_rw_fault(struct axas_rw *rw, struct axas_area_node *a)
{
	int ret;

	ret = a->ops->fault(rw->as, a, ALIGN_DOWN(rw->gpa, AXAS_PAGE_SIZE),
			    &rw->wait);
	if (ret == -EAGAIN)
		rw->wait_fn = a->ops->fault_wait;
	return min(ret, 0);
}

/*
 * Move up to @len bytes (inside one page) between the guest and the bounce
 * page, under the lock. Return the bytes moved, or an errno.
 */
static ssize_t axas_rw_step(struct axas_rw *rw, size_t len)
{
	struct axas *as = rw->as;
	struct axas_area_node *a;
	ssize_t ret;

	down_read(&as->lock);
	a = axas_in_space(as, rw->gpa) ? axas_area_find(as, rw->gpa) : NULL;
	if (!a) {
		ret = -EIO;
	} else {
		len = min_t(u64, len, a->last - rw->gpa + 1);
		ret = a->ops->rw(rw, a, len);
	}
	up_read(&as->lock);
	if (ret == -EAGAIN)
		rw->wait_fn(rw->wait);
	return ret ?: len;
}

/*
 * One page at most: a write copies from the caller first, outside the
 * lock (a source that faults, blocks or is gone changes nothing), a read
 * copies to the caller last.
 */
static ssize_t axas_rw_chunk(struct axas_rw *rw)
{
	size_t len = min_t(u64, iov_iter_count(rw->iter),
			   AXAS_PAGE_SIZE - (rw->gpa & (AXAS_PAGE_SIZE - 1)));
	ssize_t ret;

	if (rw->write) {
		len = copy_from_iter(rw->bounce, len, rw->iter);
		if (!len)
			return -EFAULT;
	}
	do {
		ret = axas_rw_step(rw, len);
	} while (ret == -EAGAIN);
	if (ret <= 0 || rw->write)
		return ret;
	len = copy_to_iter(rw->bounce, ret, rw->iter);
	return len ?: -EFAULT;
}

/**
 * axas_rw_iter() - read or write guest memory
 * @as: the space
 * @gpa: first guest physical address, any alignment
 * @iter: the buffer and its length
 * @write: true to write guest memory from @iter
 *
 * Transfers up to the first byte outside the space, not covered by an
 * area, or in a linear area whose flags deny the access (%AXAS_READ for a
 * read, %AXAS_WRITE for a write), across pages and areas. Alloc areas are
 * readable and writable whatever their flags. A lazy page without a frame
 * reads as zeros and gets no frame; a write gives it one. Caller memory is
 * copied outside the space's lock, through a bounce page. A fatal signal
 * ends the transfer after the piece in progress.
 *
 * Return: bytes transferred; if none, -EIO when the first byte is not
 * covered, -EACCES when a linear area's flags deny it, -EFAULT when
 * nothing could be copied from or to @iter, or -ENOMEM.
 */
ssize_t axas_rw_iter(struct axas *as, u64 gpa, struct iov_iter *iter,
		     bool write)
{
	struct axas_rw rw = { .as = as, .gpa = gpa, .iter = iter, .write = write };
	ssize_t done = 0, ret = 0;

	if (!iov_iter_count(iter))
		return 0;
	rw.bounce = (u8 *)__get_free_page(GFP_KERNEL);
	if (!rw.bounce)
		return -ENOMEM;
	while (iov_iter_count(iter)) {
		ret = axas_rw_chunk(&rw);
		if (ret <= 0)
			break;
		done += ret;
		rw.gpa += ret;
		if (fatal_signal_pending(current))
			break;	/* with done > 0: the bytes so far */
		cond_resched();
	}
	axas_rw_unmap_host(&rw);
	free_page((unsigned long)rw.bounce);
	return done ?: ret;
}
EXPORT_SYMBOL_NS_GPL(axas_rw_iter, AXADDRSPACE_NS);

static int axas_rw_kernel(struct axas *as, u64 gpa, void *buf, size_t len,
			  bool write)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;
	ssize_t n;

	iov_iter_kvec(&iter, write ? WRITE : READ, &kv, 1, len);
	n = axas_rw_iter(as, gpa, &iter, write);
	if (n < 0)
		return n == -ENOMEM ? n : -EFAULT;
	return n == len ? 0 : -EFAULT;
}

/**
 * axas_read_buffer() - read guest memory into a kernel buffer
 * @as: the space
 * @gpa: first guest physical address
 * @buf: destination
 * @len: bytes
 *
 * Return: 0 when all @len bytes were read, -EFAULT if some byte is not
 * backed by an area, -ENOMEM.
 */
int axas_read_buffer(struct axas *as, u64 gpa, void *buf, size_t len)
{
	return axas_rw_kernel(as, gpa, buf, len, false);
}
EXPORT_SYMBOL_NS_GPL(axas_read_buffer, AXADDRSPACE_NS);

/**
 * axas_write_buffer() - write a kernel buffer to guest memory
 * @as: the space
 * @gpa: first guest physical address
 * @buf: source
 * @len: bytes
 *
 * Return: 0 when all @len bytes were written, -EFAULT if some byte is not
 * backed by an area (bytes before it are written), -ENOMEM.
 */
int axas_write_buffer(struct axas *as, u64 gpa, const void *buf, size_t len)
{
	return axas_rw_kernel(as, gpa, (void *)buf, len, true);
}
EXPORT_SYMBOL_NS_GPL(axas_write_buffer, AXADDRSPACE_NS);
