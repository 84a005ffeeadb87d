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

static bool axas_in_space(struct axas *as, u64 gpa)
{
	return gpa >= as->base && gpa - as->base < as->size;
}

/* Look @gpa up in the areas and the table; any lock mode, or none (RCU). */
static int __axas_translate(struct axas *as, u64 gpa,
			    struct axas_translation *t)
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
	t->flags = READ_ONCE(a->flags) & AXAS_PROT_MASK;
	t->backend = READ_ONCE(a->backend);
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
		ret = __axas_translate(as, gpa, t);
		rcu_read_unlock();
		if (!read_seqcount_retry(&as->seq, seq))
			return ret;
	}
	down_read(&as->lock);
	ret = __axas_translate(as, gpa, t);
	up_read(&as->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(axas_translate, AXADDRSPACE);

/**
 * axas_handle_page_fault() - resolve a nested page fault
 * @as: the space
 * @npf: faulting address and access (a non-empty subset of AXAS_READ,
 *	AXAS_WRITE and AXAS_EXEC)
 * @handled: out: true when the guest should retry the access
 *
 * Handled exactly when the address lies in a lazy alloc area whose flags
 * allow the access; the page then has a frame (a new zeroed one only if it
 * had none). Faults on different pages run in parallel.
 *
 * Return: 0, -EINVAL for bad access bits, -ENOMEM.
 */
int axas_handle_page_fault(struct axas *as, const struct axas_npf_info *npf,
			   bool *handled)
{
	struct axas_area_node *a;
	int ret = 0;

	*handled = false;
	if (!npf->access || npf->access & ~AXAS_NPT_PERM)
		return axas_bad("fault at %#llx: access %#x", npf->gpa, npf->access);
	if (!axas_in_space(as, npf->gpa))
		return 0;
	down_read(&as->lock);
	a = axas_area_find(as, npf->gpa);
	if (a && a->backend == AXAS_BACKEND_ALLOC &&
	    !(a->flags & AXAS_MAP_POPULATE) &&
	    (a->flags & npf->access) == npf->access) {
		ret = axas_alloc_fault(as, ALIGN_DOWN(npf->gpa, AXAS_PAGE_SIZE),
				       a->flags);
		if (ret > 0)
			atomic64_inc(&as->faults_handled);
		*handled = ret >= 0;
	}
	up_read(&as->lock);
	return min(ret, 0);
}
EXPORT_SYMBOL_NS_GPL(axas_handle_page_fault, AXADDRSPACE);

/* Copy between @iter and device memory, through a bounce buffer. */
static size_t axas_rw_iomem(phys_addr_t pa, size_t len, struct iov_iter *iter,
			    bool write)
{
	void __iomem *io = ioremap(pa, len);
	size_t done = 0, n, got;
	u8 buf[64];

	if (!io)
		return 0;
	while (done < len) {
		n = min(len - done, sizeof(buf));
		if (write) {
			got = copy_from_iter(buf, n, iter);
			memcpy_toio(io + done, buf, got);
		} else {
			memcpy_fromio(buf, io + done, n);
			got = copy_to_iter(buf, n, iter);
		}
		done += got;
		if (got < n)
			break;
	}
	iounmap(io);
	return done;
}

/* Copy between @iter and host memory that is neither RAM nor device. */
static size_t axas_rw_memremap(phys_addr_t pa, size_t len,
			       struct iov_iter *iter, bool write)
{
	void *p = memremap(pa, len, MEMREMAP_WB);
	size_t n;

	if (!p)
		return 0;
	n = write ? copy_from_iter(p, len, iter) : copy_to_iter(p, len, iter);
	memunmap(p);
	return n;
}

/* Copy @len bytes at @pa, inside one page of RAM with a struct page. */
static size_t axas_rw_frame(phys_addr_t pa, size_t len, struct iov_iter *iter,
			    bool write)
{
	void *p = kmap_local_page(pfn_to_page(PHYS_PFN(pa)));
	size_t n;

	n = write ? copy_from_iter(p + offset_in_page(pa), len, iter) :
		    copy_to_iter(p + offset_in_page(pa), len, iter);
	kunmap_local(p);
	return n;
}

/* Copy @len bytes at host address @pa of a linear area, inside one page. */
static size_t axas_rw_host(phys_addr_t pa, size_t len, struct iov_iter *iter,
			   bool write, u32 flags)
{
	if (pfn_valid(PHYS_PFN(pa)) && page_is_ram(PHYS_PFN(pa)))
		return axas_rw_frame(pa, len, iter, write);
	return flags & (AXAS_DEVICE | AXAS_UNCACHED) ?
	       axas_rw_iomem(pa, len, iter, write) :
	       axas_rw_memremap(pa, len, iter, write);
}

/* Read or write up to @len bytes at @gpa, inside one page of area @a. */
static ssize_t axas_rw_page(struct axas *as, struct axas_area_node *a, u64 gpa,
			    size_t len, struct iov_iter *iter, bool write)
{
	struct axas_npt_leaf leaf;
	int ret;

	if (a->backend == AXAS_BACKEND_LINEAR)
		return axas_rw_host(a->hpa + (gpa - a->start), len, iter, write,
				    a->flags);
	if (axas_npt_query(&as->npt, gpa, &leaf)) {
		if (!write)
			return iov_iter_zero(len, iter);
		/*
		 * A write gives a lazy page its frame, as a write fault would;
		 * but not when no byte of the source can be read: the write
		 * fails with EFAULT and must leave the space as it was.
		 */
		if (fault_in_iov_iter_readable(iter, len) == len)
			return 0;
		ret = axas_alloc_fault(as, ALIGN_DOWN(gpa, AXAS_PAGE_SIZE), a->flags);
		if (ret < 0 || axas_npt_query(&as->npt, gpa, &leaf))
			return ret < 0 ? ret : -EIO;
	}
	/* Alloc frames come from the page allocator: always RAM. */
	return axas_rw_frame(leaf.hpa + (gpa - leaf.gpa), len, iter, write);
}

/**
 * axas_rw_iter() - read or write guest memory
 * @as: the space
 * @gpa: first guest physical address, any alignment
 * @iter: the buffer and its length
 * @write: true to write guest memory from @iter
 *
 * Transfers up to the first byte outside the space or not covered by an
 * area, across pages and areas. A lazy page without a frame reads as zeros
 * and gets no frame; a write gives it one. Area flags do not limit this
 * host access.
 *
 * Return: bytes transferred; -EIO if the first byte is not covered;
 * -EFAULT if nothing could be copied from or to @iter; -ENOMEM.
 */
ssize_t axas_rw_iter(struct axas *as, u64 gpa, struct iov_iter *iter,
		     bool write)
{
	struct axas_area_node *a;
	ssize_t done = 0, ret = -EIO;
	size_t len;

	if (!iov_iter_count(iter))
		return 0;
	down_read(&as->lock);
	while (iov_iter_count(iter) && axas_in_space(as, gpa)) {
		a = axas_area_find(as, gpa);
		if (!a)
			break;
		len = min_t(u64, iov_iter_count(iter),
			    AXAS_PAGE_SIZE - offset_in_page(gpa));
		len = min_t(u64, len, a->last - gpa + 1);
		ret = axas_rw_page(as, a, gpa, len, iter, write);
		if (ret <= 0) {
			ret = ret ?: -EFAULT;
			break;
		}
		done += ret;
		gpa += ret;
		if (ret < len || fatal_signal_pending(current))
			break;
	}
	up_read(&as->lock);
	return done ?: ret;
}
EXPORT_SYMBOL_NS_GPL(axas_rw_iter, AXADDRSPACE);

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
EXPORT_SYMBOL_NS_GPL(axas_read_buffer, AXADDRSPACE);

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
EXPORT_SYMBOL_NS_GPL(axas_write_buffer, AXADDRSPACE);
