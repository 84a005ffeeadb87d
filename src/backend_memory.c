// SPDX-License-Identifier: GPL-2.0
/*
 * The memory backend: areas that map a range of a memory fd (memfile.c).
 * The file owns the frames; the nested table maps frames of its page
 * cache and holds no reference of its own, like KVM's guest_memfd: a frame
 * leaves the page cache only by a punch-hole, which first invalidates
 * every binding (this file's axas_mem_invalidate() unmaps and flushes), or
 * when the file goes, which the space's file reference prevents while it
 * maps any of it.
 *
 * A space has one binding per memory fd it maps, counted by its areas; the
 * binding goes (axas_mem_unbind_unused()) once the space's lock is dropped,
 * since unbinding takes the file's invalidate lock, which ranks above it.
 * Faults and populate install under the space's lock and check the file's
 * invalidation sequence under that same lock hold; a punch-hole in
 * progress makes them wait without the lock and retry.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>

#include "memfile.h"
#include "space.h"
#include "trace.h"

/**
 * struct axas_mem_bind - a space's binding to one memory fd
 * @b: what the file sees
 * @as: the space
 * @file: the memory fd's file, referenced
 * @nr_areas: the space's areas that map @file
 * @node: on &axas.mem_binds, under &axas.bind_lock
 */
struct axas_mem_bind {
	struct axas_mem_binding b;
	struct axas *as;
	struct file *file;
	atomic_t nr_areas;
	struct list_head node;
};

/**
 * axas_mem_file() - the memory fd a memory area maps
 * @a: the area
 *
 * Return: its file, referenced by the space while @a exists.
 */
struct file *axas_mem_file(const struct axas_area_node *a)
{
	return a->bind->file;
}

/* The file page of @gpa in memory area @a. */
static pgoff_t axas_mem_index(const struct axas_area_node *a, u64 gpa)
{
	return (a->pos + (gpa - a->start)) >> PAGE_SHIFT;
}

static phys_addr_t axas_mem_pa(struct folio *folio, pgoff_t index)
{
	return page_to_phys(folio_file_page(folio, index));
}

/*
 * Unmap the part of @a that maps file pages [@start, @end), widened to
 * whole 2 MiB blocks inside @a so that no leaf is cut: the unmap needs no
 * split and cannot fail.
 */
static void axas_mem_zap_area(struct axas *as, struct axas_area_node *a,
			      pgoff_t start, pgoff_t end)
{
	u64 first = (u64)start << PAGE_SHIFT, stop = (u64)end << PAGE_SHIFT;
	u64 lo, hi;

	first = max(first, a->pos);
	stop = min(stop, a->pos + axas_area_size(a));
	if (first >= stop)
		return;
	lo = max(ALIGN_DOWN(a->start + (first - a->pos), SZ_2M), a->start);
	hi = min(ALIGN(a->start + (stop - a->pos), SZ_2M) - 1, a->last);
	WARN_ON_ONCE(axas_npt_unmap(&as->npt, lo, hi - lo + 1));
}

/* The file takes [@start, @end) back: unmap it from every area of @b. */
static void axas_mem_invalidate(struct axas_mem_binding *b, pgoff_t start,
				pgoff_t end)
{
	struct axas_mem_bind *mb = container_of(b, struct axas_mem_bind, b);
	struct axas *as = mb->as;
	struct axas_area_node *a;

	axas_write_lock(as);
	for (a = axas_area_first(as, 0, U64_MAX); a;
	     a = axas_area_next(as, a, U64_MAX))
		if (a->bind == mb)
			axas_mem_zap_area(as, a, start, end);
	axas_write_unlock(as);
}

static const struct axas_mem_binding_ops axas_mem_binding_ops = {
	.invalidate = axas_mem_invalidate,
};

/* The space's binding to @file with one more area, made if need be. */
static struct axas_mem_bind *axas_mem_bind_get(struct axas *as,
					       struct file *file)
{
	struct axas_mem_bind *mb;

	mutex_lock(&as->bind_lock);
	list_for_each_entry(mb, &as->mem_binds, node)
		if (mb->file == file)
			goto found;
	mb = kzalloc(sizeof(*mb), GFP_KERNEL_ACCOUNT);
	if (!mb)
		goto out;
	mb->b.ops = &axas_mem_binding_ops;
	mb->as = as;
	mb->file = get_file(file);
	axas_memfile_bind(file, &mb->b);
	list_add(&mb->node, &as->mem_binds);
found:
	atomic_inc(&mb->nr_areas);
out:
	mutex_unlock(&as->bind_lock);
	return mb;
}

/**
 * axas_mem_unbind_unused() - drop the bindings no area needs any more
 * @as: the space, its lock not held
 */
void axas_mem_unbind_unused(struct axas *as)
{
	struct axas_mem_bind *mb, *next;

	mutex_lock(&as->bind_lock);
	list_for_each_entry_safe(mb, next, &as->mem_binds, node) {
		if (atomic_read(&mb->nr_areas))
			continue;
		list_del(&mb->node);
		axas_memfile_unbind(mb->file, &mb->b);
		fput(mb->file);
		kfree(mb);
	}
	mutex_unlock(&as->bind_lock);
}

/*
 * One leaf of a populate at @gpa: 2 MiB when the file gave a 2 MiB folio
 * that lines up with @gpa and the rest of the area holds it, else 4 KiB.
 * Return: 0 with *@mapped set, or an errno.
 */
static int axas_mem_populate_one(struct axas *as, struct axas_area_node *a,
				 u64 gpa, u64 *mapped)
{
	pgoff_t index = axas_mem_index(a, gpa);
	struct folio *folio;
	u64 size = AXAS_PAGE_SIZE;
	int ret;

	ret = axas_memfile_get_folio(a->bind->file, index, &folio);
	if (ret)
		return ret;
	if (folio_size(folio) == SZ_2M && folio->index == index &&
	    IS_ALIGNED(gpa, SZ_2M) && a->last - gpa >= SZ_2M - 1)
		size = SZ_2M;
	axas_sync_guest(as, axas_mem_pa(folio, index), size, a->flags);
	ret = axas_npt_map(&as->npt, gpa, axas_mem_pa(folio, index), size,
			   a->flags, AXAS_NPT_HUGE);
	folio_put(folio);
	*mapped = size;
	return ret;
}

/*
 * Populate, lock held for writing: all or nothing. -EAGAIN when a
 * punch-hole ran meanwhile: the caller waits and maps the area again.
 */
static int axas_mem_map(struct axas *as, struct axas_area_node *a)
{
	struct file *file = a->bind->file;
	unsigned long seq = axas_memfile_inval_begin(file);
	u64 done = 0, step;
	int ret = 0;

	if (!a->populated)
		return 0;
	while (!ret && done < axas_area_size(a)) {
		ret = axas_mem_populate_one(as, a, a->start + done, &step);
		if (!ret)
			done += step;
		if (!ret && fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	if (!ret && axas_memfile_inval_retry(file, seq))
		ret = -EAGAIN;
	/* Whole leaves of this call only: no split, cannot fail. */
	if (ret && done)
		WARN_ON(axas_npt_unmap(&as->npt, a->start, done));
	return ret;
}

static int axas_mem_fault(struct axas *as, struct axas_area_node *a, u64 gpa,
			  void **wait)
{
	struct file *file = a->bind->file;
	pgoff_t index = axas_mem_index(a, gpa);
	struct axas_npt_slot slot;
	struct folio *folio;
	unsigned long seq;
	int ret;

	lockdep_assert_held(&as->lock);
	ret = axas_npt_probe(&as->npt, gpa, &slot);
	if (ret)
		return ret == -EEXIST ? 0 : ret;
	seq = axas_memfile_inval_begin(file);
	ret = axas_memfile_get_folio(file, index, &folio);
	if (ret)
		return ret;
	if (axas_memfile_inval_retry(file, seq)) {
		folio_put(folio);
		*wait = get_file(file);
		return -EAGAIN;
	}
	axas_sync_guest(as, axas_mem_pa(folio, index), AXAS_PAGE_SIZE, a->flags);
	ret = axas_npt_map_page_at(&as->npt, &slot, gpa,
				   axas_mem_pa(folio, index), a->flags);
	folio_put(folio);
	if (ret)
		return ret == -EEXIST ? 0 : ret;
	return 1;
}

static void axas_mem_fault_wait(void *arg)
{
	struct file *file = arg;

	axas_memfile_inval_wait(file);
	fput(file);
}

/*
 * Guest memory access goes to the file, the truth for pages the guest has
 * not touched yet: a hole reads as zeros without a frame, a write makes
 * one. A write needs the memory fd to have been writable.
 */
static int axas_mem_rw(struct axas_rw *rw, struct axas_area_node *a, size_t len)
{
	struct file *file = a->bind->file;
	pgoff_t index = axas_mem_index(a, rw->gpa);
	struct folio *folio;
	int ret;

	if (rw->write) {
		if (!(file->f_mode & FMODE_WRITE))
			return -EACCES;
		ret = axas_memfile_get_folio(file, index, &folio);
		if (ret)
			return ret;
	} else {
		/* NULL on Linux 6.1, ERR_PTR(-ENOENT) from 6.3 for a hole. */
		folio = filemap_get_folio(file->f_mapping, index);
		if (IS_ERR_OR_NULL(folio)) {
			memset(rw->bounce, 0, len);
			return 0;
		}
	}
	axas_rw_frame(rw, axas_mem_pa(folio, index) + offset_in_page(rw->gpa),
		      len, a->flags);
	folio_put(folio);
	return 0;
}

static void axas_mem_split(struct axas_area_node *lo, struct axas_area_node *hi)
{
	hi->pos = lo->pos + (hi->start - lo->start);
	atomic_inc(&lo->bind->nr_areas);
}

static void axas_mem_detach(struct axas *as, struct axas_area_node *a)
{
	atomic_dec(&a->bind->nr_areas);
}

const struct axas_backend_ops axas_memory_ops = {
	.id		= AXAS_BACKEND_MEMORY,
	.map		= axas_mem_map,
	.fault		= axas_mem_fault,
	.fault_wait	= axas_mem_fault_wait,
	.rw		= axas_mem_rw,
	.split		= axas_mem_split,
	.detach		= axas_mem_detach,
};

static int axas_mem_check_file(struct axas *as, struct file *file, u64 offset,
			       u64 size, u32 flags)
{
	if (!axas_is_memfile(file))
		return axas_bad_space(as, "map memory: not a memory fd");
	if (!IS_ALIGNED(offset, AXAS_PAGE_SIZE) || offset + size < offset ||
	    offset + size > axas_memfile_size(file))
		return axas_bad_space(as, "map memory: offset %#llx+%#llx outside the memory fd",
				      offset, size);
	if (!(file->f_mode & FMODE_READ) ||
	    ((flags & AXAS_WRITE) && !(file->f_mode & FMODE_WRITE))) {
		axas_log(as, "map memory: the memory fd is not open for that access");
		return -EACCES;
	}
	return 0;
}

/* One try: -EAGAIN when a punch-hole raced with the populate. */
static int axas_mem_add(struct axas *as, u64 gpa, u64 size, struct file *file,
			u64 offset, u32 flags)
{
	struct axas_mem_bind *mb = axas_mem_bind_get(as, file);
	struct axas_area_node *a;
	int ret = -ENOMEM;

	if (!mb)
		return -ENOMEM;
	a = axas_new_area(gpa, size, offset, flags, &axas_memory_ops);
	if (a) {
		a->bind = mb;
		ret = axas_add_area(as, a);
	}
	if (ret) {
		atomic_dec(&mb->nr_areas);
		axas_mem_unbind_unused(as);
	}
	return ret;
}

/**
 * axas_map_memory() - map a range of a memory fd
 * @as: the space
 * @gpa: first gpa, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 * @file: the memory fd's file (from AXAS_CREATE_MEMORY); the space takes
 *	its own reference
 * @offset: offset in @file of @gpa, 4 KiB aligned; @offset + @size within
 *	the file's size
 * @flags: AXAS_READ .. AXAS_UNCACHED, and %AXAS_MAP_POPULATE to map every
 *	page now (with 2 MiB leaves where the file has 2 MiB frames that line
 *	up); without it pages map on fault
 *
 * Several spaces and several ranges may map the same memory fd: they share
 * its frames. A punch-hole of the file unmaps the range from every space.
 *
 * Return: 0; -EINVAL (also for a file that is not a memory fd); -EACCES
 * if @file is not open for reading, or for writing with %AXAS_WRITE;
 * -EEXIST on overlap; -ENOMEM; -EINTR. On error nothing changed.
 */
int axas_map_memory(struct axas *as, u64 gpa, u64 size, struct file *file,
		    u64 offset, u32 flags)
{
	int ret;

	ret = axas_check_range(as, gpa, size) ?:
	      axas_check_flags(as, flags, AXAS_MAP_POPULATE) ?:
	      axas_mem_check_file(as, file, offset, size, flags);
	while (!ret) {
		ret = axas_mem_add(as, gpa, size, file, offset, flags);
		if (ret != -EAGAIN)
			break;
		axas_memfile_inval_wait(file);
		ret = 0;
	}
	trace_axas_map(as, AXAS_BACKEND_MEMORY, gpa, size, flags, ret);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(axas_map_memory, AXADDRSPACE_NS);
