// SPDX-License-Identifier: GPL-2.0
/*
 * Memory fds: guest memory as a file a VMM can mmap, read, write, punch and
 * pass on, on the model of mm/secretmem.c (its own pseudo filesystem, an
 * inode and address_space per file, zeroed frames made on fault, never
 * evicted, never migrated) and KVM's guest_memfd (bindings invalidated
 * under the invalidate lock, a sequence for the mappers' fault paths).
 * The interface to the spaces is memfile.h; locking.rst has the lock order.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/fs.h>
#include <linux/falloc.h>	/* after fs.h: 6.1's needs its types */
#include <linux/gfp.h>
#include <linux/migrate.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/pseudo_fs.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/axaddrspace.h>

#include "compat.h"
#include "memfile.h"
#include "space.h"

#define AXAS_MEMFILE_MAGIC	0x61786d66	/* "axmf" */
/* A 2 MiB frame: the PMD order with 4 KiB pages. */
#define AXAS_MEMFILE_HUGE_ORDER	(21 - PAGE_SHIFT)

/**
 * struct axas_memfile - a memory fd's state, its inode's i_private
 * @bindings: the mappers' &struct axas_mem_binding, under the invalidate lock
 * @inval_count: punch-holes between invalidating the bindings and freeing
 *	the range; written under the invalidate lock held for writing
 * @inval_seq: punch-holes done; written as @inval_count
 * @flags: AXAS_MEMORY_*
 */
struct axas_memfile {
	struct list_head bindings;
	unsigned long inval_count;
	unsigned long inval_seq;
	u32 flags;
};

static struct vfsmount *axas_memfile_mnt;
static const struct file_operations axas_memfile_fops;

static struct axas_memfile *axas_mf(const struct file *file)
{
	return file_inode(file)->i_private;
}

/**
 * axas_is_memfile() - whether @file is a memory fd's file
 * @file: any file
 *
 * Return: true for a file of axas_memfile_create().
 */
bool axas_is_memfile(const struct file *file)
{
	return file->f_op == &axas_memfile_fops;
}
EXPORT_SYMBOL_IF_KUNIT(axas_is_memfile);

/**
 * axas_memfile_size() - a memory fd's size
 * @file: a memory fd's file
 *
 * Return: its size in bytes, fixed at creation.
 */
u64 axas_memfile_size(const struct file *file)
{
	return i_size_read(file_inode(file));
}
EXPORT_SYMBOL_IF_KUNIT(axas_memfile_size);

/* ---- Frames ---------------------------------------------------------------- */

/*
 * The order of a new folio at @index: 2 MiB for a huge file when the
 * aligned 2 MiB around @index is inside it, else 4 KiB.
 */
static unsigned int axas_memfile_order(struct file *file, pgoff_t index)
{
	pgoff_t nr = 1UL << AXAS_MEMFILE_HUGE_ORDER;
	pgoff_t pages = axas_memfile_size(file) >> PAGE_SHIFT;

	if (!IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE) ||
	    !(axas_mf(file)->flags & AXAS_MEMORY_HUGE))
		return 0;
	return ALIGN_DOWN(index, nr) + nr <= pages ? AXAS_MEMFILE_HUGE_ORDER : 0;
}

/*
 * Add a zeroed folio of @order at @index (aligned down to it) to the page
 * cache. Return: the folio, locked, with a reference; or an ERR_PTR:
 * -EEXIST when the range holds a folio already, -ENOMEM.
 */
static struct folio *axas_memfile_add(struct address_space *mapping,
				      pgoff_t index, unsigned int order)
{
	gfp_t gfp = mapping_gfp_mask(mapping);
	gfp_t alloc_gfp = gfp | __GFP_ZERO;
	struct folio *folio;
	int ret;

	if (order)	/* quietly: order 0 is the fallback */
		alloc_gfp = (alloc_gfp | __GFP_NOWARN | __GFP_NORETRY) &
			    ~__GFP_RETRY_MAYFAIL;
	folio = folio_alloc(alloc_gfp, order);
	if (!folio)
		return ERR_PTR(-ENOMEM);
	__folio_mark_uptodate(folio);
	/* Charges the caller's memory cgroup. */
	ret = filemap_add_folio(mapping, folio, ALIGN_DOWN(index, 1UL << order),
				gfp);
	if (ret) {
		folio_put(folio);
		return ERR_PTR(ret);
	}
	/* Never clean: nothing writes it back, reclaim must not drop it. */
	folio_mark_dirty(folio);
	return folio;
}

/*
 * The folio holding page @index, created if absent, with a reference and
 * locked if @lock. Return: 0 or -ENOMEM.
 */
static int axas_memfile_folio(struct file *file, pgoff_t index, bool lock,
			      struct folio **out)
{
	struct address_space *mapping = file->f_mapping;
	unsigned int order = axas_memfile_order(file, index);
	struct folio *folio;

	for (;;) {
		folio = axas_filemap_find(mapping, index, lock);
		if (folio)
			break;
		folio = axas_memfile_add(mapping, index, order);
		if (!IS_ERR(folio)) {
			if (!lock)
				folio_unlock(folio);
			break;
		}
		/* -EEXIST at order 0: someone else's, look again. */
		if (!order && PTR_ERR(folio) != -EEXIST)
			return PTR_ERR(folio);
		/* No 2 MiB frame, or a smaller folio in the 2 MiB: 4 KiB. */
		order = 0;
	}
	*out = folio;
	return 0;
}

/**
 * axas_memfile_get_folio() - the folio holding a file page, created if absent
 * @file: a memory fd's file
 * @index: file page number, below the size
 * @folio: out: the folio, with a reference for the caller (folio_put())
 *
 * See memfile.h. Takes no invalidate lock: a concurrent punch-hole is the
 * caller's sequence protocol's business.
 *
 * Return: 0, -EINVAL beyond the size, -ENOMEM.
 */
int axas_memfile_get_folio(struct file *file, pgoff_t index,
			   struct folio **folio)
{
	if (index >= axas_memfile_size(file) >> PAGE_SHIFT)
		return -EINVAL;
	return axas_memfile_folio(file, index, false, folio);
}
EXPORT_SYMBOL_IF_KUNIT(axas_memfile_get_folio);

/* ---- Bindings and the invalidation sequence -------------------------------- */

/**
 * axas_memfile_bind() - add a mapper
 * @file: a memory fd's file, which the mapper holds a reference to while
 *	bound
 * @b: the binding, its @ops set
 *
 * Takes the invalidate lock for writing: no space lock may be held.
 */
void axas_memfile_bind(struct file *file, struct axas_mem_binding *b)
{
	filemap_invalidate_lock(file->f_mapping);
	list_add_tail(&b->node, &axas_mf(file)->bindings);
	filemap_invalidate_unlock(file->f_mapping);
}
EXPORT_SYMBOL_IF_KUNIT(axas_memfile_bind);

/**
 * axas_memfile_unbind() - remove a mapper
 * @file: the file @b is bound to
 * @b: the binding
 *
 * Takes the invalidate lock for writing: no space lock may be held. No
 * @b->ops->invalidate() runs once this returns.
 */
void axas_memfile_unbind(struct file *file, struct axas_mem_binding *b)
{
	filemap_invalidate_lock(file->f_mapping);
	list_del_init(&b->node);
	filemap_invalidate_unlock(file->f_mapping);
}
EXPORT_SYMBOL_IF_KUNIT(axas_memfile_unbind);

/**
 * axas_memfile_inval_begin() - start a fault: the invalidation sequence
 * @file: a memory fd's file
 *
 * Read before axas_memfile_get_folio() (KVM's mmu_invalidate_seq).
 *
 * Return: the sequence, for axas_memfile_inval_retry().
 */
unsigned long axas_memfile_inval_begin(struct file *file)
{
	unsigned long seq = READ_ONCE(axas_mf(file)->inval_seq);

	/* Pairs with the smp_wmb() of axas_memfile_inval_end(). */
	smp_rmb();
	return seq;
}
EXPORT_SYMBOL_IF_KUNIT(axas_memfile_inval_begin);

/**
 * axas_memfile_inval_retry() - whether a fault must start again
 * @file: a memory fd's file
 * @seq: what axas_memfile_inval_begin() returned
 *
 * Call under the mapper's lock, the one its @invalidate takes, before
 * installing the folio: a punch-hole in progress or done since @seq may
 * have invalidated the mapper already, so the folio may be stale.
 *
 * Return: true to drop the folio and retry after axas_memfile_inval_wait().
 */
bool axas_memfile_inval_retry(struct file *file, unsigned long seq)
{
	struct axas_memfile *mf = axas_mf(file);

	if (unlikely(READ_ONCE(mf->inval_count)))
		return true;
	/* Pairs with the smp_wmb() of axas_memfile_inval_end(). */
	smp_rmb();
	return READ_ONCE(mf->inval_seq) != seq;
}
EXPORT_SYMBOL_IF_KUNIT(axas_memfile_inval_retry);

/**
 * axas_memfile_inval_wait() - wait for the punch-holes in progress
 * @file: a memory fd's file
 *
 * A punch-hole holds the invalidate lock for writing from raising the
 * count to lowering it: taking it shared waits for its end. Call with no
 * space lock held.
 */
void axas_memfile_inval_wait(struct file *file)
{
	filemap_invalidate_lock_shared(file->f_mapping);
	filemap_invalidate_unlock_shared(file->f_mapping);
}
EXPORT_SYMBOL_IF_KUNIT(axas_memfile_inval_wait);

static void axas_memfile_inval_start(struct axas_memfile *mf, pgoff_t start,
				     pgoff_t end)
{
	struct axas_mem_binding *b;

	WRITE_ONCE(mf->inval_count, mf->inval_count + 1);
	/* Before any mapper's lock: a fault behind it sees the count. */
	smp_mb();
	list_for_each_entry(b, &mf->bindings, node)
		b->ops->invalidate(b, start, end);
}

static void axas_memfile_inval_end(struct axas_memfile *mf)
{
	WRITE_ONCE(mf->inval_seq, mf->inval_seq + 1);
	/* A fault that sees the count lowered sees the sequence bumped. */
	smp_wmb();
	WRITE_ONCE(mf->inval_count, mf->inval_count - 1);
}

/**
 * axas_memfile_punch() - discard a range: fallocate(FALLOC_FL_PUNCH_HOLE)
 * @file: a memory fd's file
 * @offset: bytes, page aligned
 * @len: bytes, > 0, a multiple of the page size; @offset + @len within the
 *	size
 *
 * In KVM's order, under the invalidate lock held for writing: raise the
 * count, invalidate every binding, zap the user mappings and free the
 * range (a 2 MiB folio partly inside that cannot be split is zeroed in
 * that part), bump the sequence, lower the count. Call with no space lock
 * held; may sleep.
 *
 * Return: 0 or -EINVAL.
 */
int axas_memfile_punch(struct file *file, u64 offset, u64 len)
{
	struct address_space *mapping = file->f_mapping;
	struct axas_memfile *mf = axas_mf(file);
	u64 size = axas_memfile_size(file);

	if (!PAGE_ALIGNED(offset) || !PAGE_ALIGNED(len) || !len ||
	    offset > size || len > size - offset)
		return axas_bad("memory fd: punch %#llx+%#llx outside or misaligned in %#llx bytes",
				offset, len, size);
	filemap_invalidate_lock(mapping);
	axas_memfile_inval_start(mf, offset >> PAGE_SHIFT,
				 (offset + len) >> PAGE_SHIFT);
	truncate_pagecache_range(file_inode(file), offset, offset + len - 1);
	axas_memfile_inval_end(mf);
	filemap_invalidate_unlock(mapping);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(axas_memfile_punch);

/* ---- mmap ------------------------------------------------------------------ */

static vm_fault_t axas_memfile_fault(struct vm_fault *vmf)
{
	struct file *file = vmf->vma->vm_file;
	struct folio *folio;
	vm_fault_t ret = VM_FAULT_LOCKED;
	int err;

	if (vmf->pgoff >= axas_memfile_size(file) >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	/* No folio is added while a punch-hole frees the range. */
	filemap_invalidate_lock_shared(file->f_mapping);
	err = axas_memfile_folio(file, vmf->pgoff, true, &folio);
	if (err)
		ret = vmf_error(err);
	else
		vmf->page = folio_file_page(folio, vmf->pgoff);
	filemap_invalidate_unlock_shared(file->f_mapping);
	return ret;
}

static const struct vm_operations_struct axas_memfile_vm_ops = {
	.fault = axas_memfile_fault,
};

/* Shared mappings only: a private copy of guest memory is nobody's. */
static int axas_memfile_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_MAYSHARE))
		return axas_bad("memory fd: mmap without MAP_SHARED");
	file_accessed(file);
	vma->vm_ops = &axas_memfile_vm_ops;
	return 0;
}

/* ---- read, write ----------------------------------------------------------- */

/* One page's part of a read at @pos: the folio's bytes, or zeros for a hole. */
static size_t axas_memfile_read_page(struct file *file, loff_t pos, size_t n,
				     struct iov_iter *to)
{
	pgoff_t index = pos >> PAGE_SHIFT;
	struct folio *folio = axas_filemap_find(file->f_mapping, index, false);
	size_t done;

	if (!folio)
		return iov_iter_zero(n, to);
	done = copy_page_to_iter(folio_file_page(folio, index),
				 offset_in_page(pos), n, to);
	folio_put(folio);
	return done;
}

/*
 * One page's part of a write at @pos: the folio is found or made under the
 * invalidate lock, which is dropped before the copy (the source may be a
 * mapping of this very file, whose fault takes it).
 */
static ssize_t axas_memfile_write_page(struct file *file, loff_t pos, size_t n,
				       struct iov_iter *from)
{
	pgoff_t index = pos >> PAGE_SHIFT;
	struct folio *folio;
	size_t done;
	int err;

	filemap_invalidate_lock_shared(file->f_mapping);
	err = axas_memfile_folio(file, index, false, &folio);
	filemap_invalidate_unlock_shared(file->f_mapping);
	if (err)
		return err;
	done = copy_page_from_iter(folio_file_page(folio, index),
				   offset_in_page(pos), n, from);
	folio_put(folio);
	return done;
}

/*
 * Page by page from iocb->ki_pos, within the size. Return: bytes done,
 * else the first error (-EFAULT for a short copy).
 */
static ssize_t axas_memfile_rw(struct kiocb *iocb, struct iov_iter *iter,
			       bool write)
{
	struct file *file = iocb->ki_filp;
	loff_t pos = iocb->ki_pos;
	ssize_t done = 0, ret;
	size_t n;

	iov_iter_truncate(iter, axas_memfile_size(file) - pos);
	while (iov_iter_count(iter)) {
		n = min_t(size_t, PAGE_SIZE - offset_in_page(pos),
			  iov_iter_count(iter));
		if (write)
			ret = axas_memfile_write_page(file, pos, n, iter);
		else
			ret = axas_memfile_read_page(file, pos, n, iter);
		if (ret > 0) {
			done += ret;
			pos += ret;
		}
		if (ret != (ssize_t)n) {
			if (!done)
				done = ret < 0 ? ret : -EFAULT;
			break;
		}
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	iocb->ki_pos = pos;
	return done;
}

static ssize_t axas_memfile_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	if (iocb->ki_pos >= axas_memfile_size(iocb->ki_filp))
		return 0;
	return axas_memfile_rw(iocb, to, false);
}

/* The size is fixed: a write at or past it has no room (-ENOSPC). */
static ssize_t axas_memfile_write_iter(struct kiocb *iocb,
				       struct iov_iter *from)
{
	if (!iov_iter_count(from))
		return 0;
	if (iocb->ki_pos >= axas_memfile_size(iocb->ki_filp))
		return -ENOSPC;
	return axas_memfile_rw(iocb, from, true);
}

/* ---- fallocate, llseek, setattr -------------------------------------------- */

static long axas_memfile_fallocate(struct file *file, int mode, loff_t offset,
				   loff_t len)
{
	if (mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	return axas_memfile_punch(file, offset, len);
}

/*
 * The first page at or after @index below @end that is data (@data) or a
 * hole, @end if none.
 */
static pgoff_t axas_memfile_seek_page(struct address_space *mapping,
				      pgoff_t index, pgoff_t end, bool data)
{
	struct folio_batch fbatch;
	pgoff_t next = index;
	unsigned int i, nr;
	bool found = false;

	folio_batch_init(&fbatch);
	while (!found && index < end) {
		nr = filemap_get_folios(mapping, &next, end - 1, &fbatch);
		if (!nr)	/* a hole from @index to @end */
			return data ? end : index;
		for (i = 0; i < nr && !found; i++) {
			struct folio *folio = fbatch.folios[i];

			if (data) {
				index = max(index, folio->index);
				found = true;
			} else if (folio->index > index) {
				found = true;	/* the hole before it */
			} else {
				index = folio_next_index(folio);
			}
		}
		folio_batch_release(&fbatch);
	}
	return min(index, end);
}

static loff_t axas_memfile_llseek(struct file *file, loff_t offset, int whence)
{
	loff_t size = axas_memfile_size(file);
	pgoff_t index, end = size >> PAGE_SHIFT;

	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return generic_file_llseek_size(file, offset, whence,
						MAX_LFS_FILESIZE, size);
	if (offset < 0 || offset >= size)
		return -ENXIO;
	index = axas_memfile_seek_page(file->f_mapping, offset >> PAGE_SHIFT,
				       end, whence == SEEK_DATA);
	if (index >= end) {
		if (whence == SEEK_DATA)
			return -ENXIO;
		offset = size;
	} else if (index > offset >> PAGE_SHIFT) {
		offset = (loff_t)index << PAGE_SHIFT;
	}
	return vfs_setpos(file, offset, MAX_LFS_FILESIZE);
}

/* The size is fixed for the file's life: truncate is refused (-EINVAL). */
static int axas_memfile_setattr(struct axas_setattr_idmap *idmap,
				struct dentry *dentry, struct iattr *attr)
{
	if (attr->ia_valid & ATTR_SIZE)
		return axas_bad("memory fd: its size is fixed");
	return simple_setattr(idmap, dentry, attr);
}

static const struct inode_operations axas_memfile_iops = {
	.setattr	= axas_memfile_setattr,
};

/* ---- The file -------------------------------------------------------------- */

static int axas_memfile_release(struct inode *inode, struct file *file)
{
	struct axas_memfile *mf = inode->i_private;

	/* A mapper holds a reference while bound. */
	WARN_ON_ONCE(!list_empty(&mf->bindings));
	inode->i_private = NULL;
	kfree(mf);
	return 0;
}

static const struct file_operations axas_memfile_fops = {
	.owner		= THIS_MODULE,
	.release	= axas_memfile_release,
	.mmap		= axas_memfile_mmap,
	.read_iter	= axas_memfile_read_iter,
	.write_iter	= axas_memfile_write_iter,
	.fallocate	= axas_memfile_fallocate,
	.llseek		= axas_memfile_llseek,
};

/* Never migrated: a space's nested tables point at the frames. */
static int axas_memfile_migrate_folio(struct address_space *mapping,
				      struct folio *dst, struct folio *src,
				      enum migrate_mode mode)
{
	return -EBUSY;
}

static const struct address_space_operations axas_memfile_aops = {
	.dirty_folio	= noop_dirty_folio,
	.migrate_folio	= axas_memfile_migrate_folio,
};

static int axas_memfile_check(u64 size, u32 flags)
{
	if (!size || !PAGE_ALIGNED(size) || size > MAX_LFS_FILESIZE)
		return axas_bad("memory fd: size %#llx: not page aligned, 0 or >= 2^63",
				size);
	if (flags & ~AXAS_MEMORY_FLAGS)
		return axas_bad("memory fd: unknown flags %#x", flags);
	return 0;
}

static void axas_memfile_init_inode(struct inode *inode, struct axas_memfile *mf,
				    u64 size)
{
	struct address_space *mapping = inode->i_mapping;

	inode->i_private = mf;
	inode->i_mode |= S_IFREG;
	inode->i_op = &axas_memfile_iops;
	i_size_write(inode, size);
	mapping->a_ops = &axas_memfile_aops;
	mapping_set_gfp_mask(mapping, GFP_HIGHUSER | __GFP_RETRY_MAYFAIL);
	mapping_set_unevictable(mapping);
	if (mf->flags & AXAS_MEMORY_HUGE)
		mapping_set_large_folios(mapping);
}

/**
 * axas_memfile_create() - a new memory fd's file
 * @size: bytes, a non-zero multiple of the page size (-EINVAL)
 * @flags: AXAS_MEMORY_* (unknown bits: -EINVAL)
 *
 * Return: the file, O_RDWR, or an ERR_PTR (-EINVAL, -ENOMEM).
 */
struct file *axas_memfile_create(u64 size, u32 flags)
{
	struct axas_memfile *mf;
	struct inode *inode;
	struct file *file;
	int ret;

	ret = axas_memfile_check(size, flags);
	if (ret)
		return ERR_PTR(ret);
	mf = kzalloc(sizeof(*mf), GFP_KERNEL_ACCOUNT);
	if (!mf)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&mf->bindings);
	mf->flags = flags;
	inode = alloc_anon_inode(axas_memfile_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		file = ERR_CAST(inode);
		goto free_mf;
	}
	axas_memfile_init_inode(inode, mf, size);
	/* __fput() puts the fops' module: alloc_file_pseudo() takes none. */
	__module_get(THIS_MODULE);
	file = alloc_file_pseudo(inode, axas_memfile_mnt, "axaddrspace-memory",
				 O_RDWR | O_LARGEFILE, &axas_memfile_fops);
	if (IS_ERR(file)) {
		module_put(THIS_MODULE);
		iput(inode);
		goto free_mf;
	}
	file->f_mode |= FMODE_PREAD | FMODE_PWRITE;
	return file;

free_mf:
	kfree(mf);
	return file;
}
EXPORT_SYMBOL_IF_KUNIT(axas_memfile_create);

/* ---- The filesystem -------------------------------------------------------- */

static int axas_memfile_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, AXAS_MEMFILE_MAGIC) ? 0 : -ENOMEM;
}

/* Not registered, and without an owner: the module's mount must not pin it. */
static struct file_system_type axas_memfile_fs = {
	.name			= "axaddrspace-memory",
	.init_fs_context	= axas_memfile_init_fs_context,
	.kill_sb		= kill_anon_super,
};

/**
 * axas_memfile_init() - mount the memory fds' pseudo filesystem
 *
 * Return: 0 or a negative errno.
 */
int __init axas_memfile_init(void)
{
	axas_memfile_mnt = kern_mount(&axas_memfile_fs);
	return PTR_ERR_OR_ZERO(axas_memfile_mnt);
}

/**
 * axas_memfile_exit() - unmount it; every memory fd is gone by then (each
 *	holds a reference to the module)
 */
void axas_memfile_exit(void)
{
	kern_unmount(axas_memfile_mnt);
}
