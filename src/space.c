// SPDX-License-Identifier: GPL-2.0
/*
 * One guest physical address space: its range, areas, nested page table,
 * reference count and lock. The operations that change areas live here;
 * lookups and guest memory access are in access.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/file.h>
#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "compat.h"
#include "memfile.h"
#include "space.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* The last space id handed out: ids start at 1 and are never reused. */
static atomic64_t axas_last_id = ATOMIC64_INIT(0);

/* Load time only: a space already mapping RAM must not outlive a "no". */
static bool allow_ram_linear;
module_param(allow_ram_linear, bool, 0444);
MODULE_PARM_DESC(allow_ram_linear,
		 "Allow linear areas over System RAM; set at load time only (default: no)");

/**
 * axas_allow_ram_linear() - whether linear areas may cover System RAM
 *
 * Return: the load-time module parameter allow_ram_linear.
 */
bool axas_allow_ram_linear(void)
{
	return allow_ram_linear;
}

#if IS_ENABLED(CONFIG_KUNIT)
/* KUnit only: play the host page that became RAM after it was mapped. */
void axas_kunit_allow_ram_linear(bool allow)
{
	allow_ram_linear = allow;
}
EXPORT_SYMBOL_IF_KUNIT(axas_kunit_allow_ram_linear);
#endif

static void axas_flush_range(void *priv, u64 gpa, u64 size)
{
	struct axas *as = priv;
	struct axas_flusher *f;

	lockdep_assert_held_write(&as->lock);
	trace_axas_flush(as, gpa, size);
	list_for_each_entry(f, &as->flushers, node)
		f->ops->flush_range(f->priv, gpa, size);
}

static const struct axas_npt_flush_ops axas_npt_flush = {
	.flush_range = axas_flush_range,
};

static int axas_check_geometry(const struct axas_npt_fmt *fmt, u64 base,
			       u64 size)
{
	if (!fmt)
		return axas_bad("unknown format");
	if (!size || !IS_ALIGNED(base | size, AXAS_PAGE_SIZE))
		return axas_bad("space %#llx+%#llx: not 4 KiB aligned", base, size);
	if (base + size < base || base + size > BIT_ULL(fmt->gpa_bits))
		return axas_bad("space %#llx+%#llx: beyond %u GPA bits", base,
				size, fmt->gpa_bits);
	return 0;
}

/*
 * The table's last RCU-deferred page is gone: nothing refers to the space
 * any more. Freeing it here, not after axas_npt_destroy(), spares every
 * close a global rcu_barrier().
 */
static void axas_npt_released(struct axas_npt *npt)
{
	kfree(container_of(npt, struct axas, npt));
}

static int axas_init(struct axas *as, u64 base, u64 size, u32 flags,
		     const struct axas_npt_fmt *fmt, const struct axas_hal *hal)
{
	struct axas_npt_cfg cfg = {
		.fmt = fmt,
		.hal = hal->tables,
		.hal_priv = hal->priv,
		.flush = &axas_npt_flush,
		.flush_priv = as,
		.lock_map = axas_npt_lock_map(&as->lock),
		.release = axas_npt_released,
	};

	kref_init(&as->ref);
	as->id = atomic64_inc_return(&axas_last_id);
	init_rwsem(&as->lock);
	seqcount_init(&as->seq);
	as->base = base;
	as->size = size;
	as->flags = flags;
	as->hal = hal;
	axas_areas_init(as);
	atomic64_set(&as->alloc_pages, 0);
	atomic64_set(&as->faults_handled, 0);
	INIT_LIST_HEAD(&as->flushers);
	mutex_init(&as->bind_lock);
	INIT_LIST_HEAD(&as->mem_binds);
	ratelimit_state_init(&as->rs, DEFAULT_RATELIMIT_INTERVAL,
			     DEFAULT_RATELIMIT_BURST);
	/* One "suppressed" line when the space goes, none in between. */
	ratelimit_set_flags(&as->rs, RATELIMIT_MSG_ON_RELEASE);
	INIT_LIST_HEAD(&as->node);
	return axas_npt_init(&as->npt, &cfg);
}

/* axas_create() with a chosen HAL: KUnit's counting one, or the default. */
VISIBLE_IF_KUNIT struct axas *axas_create_with_hal(u64 base, u64 size,
						   u32 format, u32 flags,
						   const struct axas_hal *hal)
{
	const struct axas_npt_fmt *fmt = axas_npt_fmt_get(format);
	struct axas *as;
	int ret;

	if (flags)
		return ERR_PTR(axas_bad("unknown creation flags %#x", flags));
	ret = axas_check_geometry(fmt, base, size);
	if (ret)
		return ERR_PTR(ret);
	as = kzalloc(sizeof(*as), GFP_KERNEL_ACCOUNT);
	if (!as)
		return ERR_PTR(-ENOMEM);
	ret = axas_init(as, base, size, flags, fmt, hal);
	if (ret) {
		kfree(as);
		return ERR_PTR(ret);
	}
	axas_debugfs_track(as);
	trace_axas_space_create(as, format);
	return as;
}
EXPORT_SYMBOL_IF_KUNIT(axas_create_with_hal);

/**
 * axas_create() - create an empty guest physical address space
 * @base: first gpa, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB; @base + @size must fit the
 *	format's input address bits
 * @format: AXAS_FMT_*; %AXAS_FMT_NATIVE picks the host architecture's
 * @flags: none defined: must be 0
 *
 * Return: the space with one reference, or ERR_PTR(-EINVAL / -ENOMEM).
 */
struct axas *axas_create(u64 base, u64 size, u32 format, u32 flags)
{
	return axas_create_with_hal(base, size, format, flags, &axas_default_hal);
}
EXPORT_SYMBOL_NS_GPL(axas_create, AXADDRSPACE_NS);

/**
 * axas_get() - take a reference
 * @as: the space
 */
void axas_get(struct axas *as)
{
	kref_get(&as->ref);
}
EXPORT_SYMBOL_NS_GPL(axas_get, AXADDRSPACE_NS);

static void axas_release_area(struct axas *as, struct axas_area_node *a)
{
	if (a->ops->release)
		a->ops->release(as, a);
	if (a->ops->detach)
		a->ops->detach(as, a);
}

/*
 * Teardown: nothing else can reach the space, so there is nothing to unmap
 * or flush. Frames go back area by area, whole 2 MiB chunks in one call,
 * then axas_npt_destroy() frees the tables in one post-order walk.
 */
static void axas_release(struct kref *ref)
{
	struct axas *as = container_of(ref, struct axas, ref);

	trace_axas_space_destroy(as);
	axas_debugfs_untrack(as);
	ratelimit_state_exit(&as->rs);
	down_write(&as->lock);
	axas_area_drain(as, axas_release_area);
	up_write(&as->lock);
	axas_mem_unbind_unused(as);
	mutex_destroy(&as->bind_lock);
	/* Frees @as through axas_npt_released(), maybe after a grace period. */
	axas_npt_destroy(&as->npt);
}

/**
 * axas_put() - drop a reference; the last one frees the space
 * @as: the space, or NULL
 *
 * Frees every frame and table page. The caller makes sure no hardware
 * still walks the tables.
 */
void axas_put(struct axas *as)
{
	if (as)
		kref_put(&as->ref, axas_release);
}
EXPORT_SYMBOL_NS_GPL(axas_put, AXADDRSPACE_NS);

/**
 * axas_write_lock() - take the space's lock for writing
 * @as: the space
 *
 * Also makes @as->seq odd, so that lockless lookups started before or
 * during the change take the lock and wait for it.
 */
void axas_write_lock(struct axas *as)
{
	down_write(&as->lock);
	/* Raw: the writer may sleep, and readers never spin on @seq. */
	raw_write_seqcount_begin(&as->seq);
}

/**
 * axas_write_unlock() - undo axas_write_lock()
 * @as: the space
 */
void axas_write_unlock(struct axas *as)
{
	raw_write_seqcount_end(&as->seq);
	up_write(&as->lock);
}

/* Range checks shared by every operation that takes a range. */
int axas_check_range(struct axas *as, u64 gpa, u64 size)
{
	if (!size || !IS_ALIGNED(gpa | size, AXAS_PAGE_SIZE))
		return axas_bad_space(as, "range %#llx+%#llx: not 4 KiB aligned",
				      gpa, size);
	if (gpa + size < gpa || gpa < as->base ||
	    gpa + size - as->base > as->size)
		return axas_bad_space(as, "range %#llx+%#llx: outside the space",
				      gpa, size);
	return 0;
}

int axas_check_flags(struct axas *as, u32 flags, u32 extra)
{
	if (flags & ~(AXAS_PROT_MASK | extra))
		return axas_bad_space(as, "unknown flags %#x", flags);
	if (!(flags & AXAS_NPT_PERM))
		return axas_bad_space(as, "flags %#x: no access at all", flags);
	if ((flags & AXAS_WRITE) && !(flags & AXAS_READ))
		return axas_bad_space(as, "flags %#x: write without read", flags);
	if ((flags & AXAS_EXEC) && (flags & (AXAS_DEVICE | AXAS_UNCACHED)))
		return axas_bad_space(as, "flags %#x: executable device memory",
				      flags);
	if (!axas_npt_flags_ok(&as->npt, flags & AXAS_PROT_MASK))
		return axas_bad_space(as, "flags %#x: not expressible in format %u",
				      flags, axas_npt_format(&as->npt)->id);
	return 0;
}

static int axas_found_resource(struct resource *res, void *arg)
{
	return 1;
}

/* A driver holds part of the range for itself (request_mem_region_exclusive()). */
static bool axas_host_exclusive(u64 hpa, u64 size)
{
	return walk_iomem_res_desc(IORES_DESC_NONE,
				   IORESOURCE_MEM | IORESOURCE_EXCLUSIVE, hpa,
				   hpa + size - 1, NULL, axas_found_resource) > 0;
}

static int axas_check_host(struct axas *as, u64 hpa, u64 size)
{
	if (!IS_ALIGNED(hpa, AXAS_PAGE_SIZE) || hpa + size < hpa ||
	    hpa + size > BIT_ULL(axas_host_pa_bits()))
		return axas_bad_space(as, "host range %#llx+%#llx: beyond the CPU",
				      hpa, size);
	if (axas_host_exclusive(hpa, size)) {
		axas_log(as, "host range %#llx+%#llx: held exclusively by a driver",
			 hpa, size);
		return -EBUSY;
	}
	if (!allow_ram_linear &&
	    region_intersects(hpa, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		axas_log(as, "host range %#llx+%#llx: System RAM", hpa, size);
		return -EPERM;
	}
	return 0;
}

/* A new area, not yet in the space; @flags may hold AXAS_MAP_POPULATE. */
struct axas_area_node *axas_new_area(u64 gpa, u64 size, u64 pos, u32 flags,
				     const struct axas_backend_ops *ops)
{
	struct axas_area_node *a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);

	if (a) {
		a->start = gpa;
		a->last = gpa + size - 1;
		a->pos = pos;
		a->flags = flags & AXAS_PROT_MASK;
		a->populated = flags & AXAS_MAP_POPULATE;
		a->ops = ops;
	}
	return a;
}

/*
 * Insert @a after its backend mapped it; on any failure nothing changes
 * and @a is freed.
 */
int axas_add_area(struct axas *as, struct axas_area_node *a)
{
	int ret;

	axas_write_lock(as);
	ret = axas_area_add(as, a);
	axas_write_unlock(as);
	if (ret)
		kfree(a);
	return ret;
}

/**
 * axas_map_linear() - map a fixed host physical range
 * @as: the space
 * @gpa: first gpa, 4 KiB aligned
 * @hpa: host physical address of @gpa, 4 KiB aligned, below the CPU's
 *	physical address width and, unless the module parameter
 *	allow_ram_linear is set, outside System RAM
 * @size: bytes, a non-zero multiple of 4 KiB
 * @flags: AXAS_READ .. AXAS_UNCACHED
 *
 * Uses the largest leaves the alignment of @gpa, @hpa and @size allows.
 * The caller checks privileges (the ioctl requires CAP_SYS_RAWIO).
 *
 * Return: 0; -EINVAL for bad arguments; -EPERM for System RAM; -EBUSY if a
 * driver holds part of the host range exclusively; -EEXIST if the range
 * overlaps an area; -ENOMEM.
 */
int axas_map_linear(struct axas *as, u64 gpa, u64 hpa, u64 size, u32 flags)
{
	struct axas_area_node *a;
	int ret;

	ret = axas_check_range(as, gpa, size) ?: axas_check_flags(as, flags, 0) ?:
	      axas_check_host(as, hpa, size);
	if (!ret) {
		a = axas_new_area(gpa, size, hpa, flags, &axas_linear_ops);
		ret = a ? axas_add_area(as, a) : -ENOMEM;
	}
	trace_axas_map(as, AXAS_BACKEND_LINEAR, gpa, size, flags, ret);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(axas_map_linear, AXADDRSPACE_NS);

/**
 * axas_map_alloc() - map a range backed by frames of the page allocator
 * @as: the space
 * @gpa: first gpa, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 * @flags: AXAS_READ .. AXAS_UNCACHED, and %AXAS_MAP_POPULATE to allocate
 *	and map every frame now (all or nothing); without it frames arrive
 *	on fault or write
 *
 * Frames are zeroed and charged to the caller's memory cgroup.
 *
 * Return: 0; -EINVAL; -EEXIST on overlap; -ENOMEM; -EINTR on a fatal
 * signal during populate. On error nothing of the request stays.
 */
int axas_map_alloc(struct axas *as, u64 gpa, u64 size, u32 flags)
{
	struct axas_area_node *a;
	int ret;

	ret = axas_check_range(as, gpa, size) ?:
	      axas_check_flags(as, flags, AXAS_MAP_POPULATE);
	if (!ret) {
		a = axas_new_area(gpa, size, 0, flags, &axas_alloc_ops);
		ret = a ? axas_add_area(as, a) : -ENOMEM;
	}
	trace_axas_map(as, AXAS_BACKEND_ALLOC, gpa, size, flags, ret);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(axas_map_alloc, AXADDRSPACE_NS);

/* The backends, for the once-per-edit &axas_backend_ops.edit_end. */
static const struct axas_backend_ops *const axas_backends[] = {
	&axas_linear_ops, &axas_alloc_ops, &axas_memory_ops,
};

/* Let every area in [@start, @last] note what the table change does. */
static void axas_edit_begin(struct axas *as, u64 start, u64 last,
			    struct axas_frames *edit)
{
	struct axas_area_node *a;

	for (a = axas_area_first(as, start, last); a;
	     a = axas_area_next(as, a, last))
		if (a->ops->edit_begin)
			a->ops->edit_begin(as, a, max(start, a->start),
					   min(last, a->last), edit);
}

static void axas_edit_end(struct axas *as, struct axas_frames *edit)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(axas_backends); i++)
		if (axas_backends[i]->edit_end)
			axas_backends[i]->edit_end(as, edit);
}

/*
 * The table goes first: it is the only step that can fail (a split without
 * memory), and it fails without changing anything. The areas follow.
 */
static int axas_unmap_locked(struct axas *as, u64 gpa, u64 size,
			     struct axas_area_node **spare)
{
	u64 last = gpa + size - 1;
	struct axas_frames edit;
	int ret;

	lockdep_assert_held_write(&as->lock);
	axas_frames_init(&edit, true);
	axas_edit_begin(as, gpa, last, &edit);
	ret = axas_npt_unmap(&as->npt, gpa, size);
	if (ret)
		return ret;
	axas_edit_end(as, &edit);
	axas_area_split_edges(as, gpa, last, NULL, spare);
	axas_area_remove_range(as, gpa, last);
	return 0;
}

/*
 * A linear area's grant (permissions and memory type) can be narrowed by
 * anyone; adding a permission or dropping DEVICE/UNCACHED widens it.
 */
static bool axas_widens(u32 old, u32 new)
{
	return (new & ~old & AXAS_NPT_PERM) ||
	       (old & ~new & (AXAS_DEVICE | AXAS_UNCACHED));
}

/* Whether giving [@gpa, @last] @flags widens the grant of a linear area. */
static bool axas_widens_linear(struct axas *as, u64 gpa, u64 last, u32 flags)
{
	struct axas_area_node *a;

	for (a = axas_area_first(as, gpa, last); a;
	     a = axas_area_next(as, a, last))
		if (a->ops == &axas_linear_ops && axas_widens(a->flags, flags))
			return true;
	return false;
}

static int axas_protect_locked(struct axas *as, u64 gpa, u64 size, u32 flags,
			       bool check_grant, struct axas_area_node **spare)
{
	u64 last = gpa + size - 1;
	struct axas_area_node *a;
	struct axas_frames edit;
	int ret;

	lockdep_assert_held_write(&as->lock);
	if (check_grant && axas_widens_linear(as, gpa, last, flags) &&
	    !capable(CAP_SYS_RAWIO)) {
		axas_log(as, "protect %#llx+%#llx: widening a linear area needs CAP_SYS_RAWIO",
			 gpa, size);
		return -EPERM;
	}
	axas_frames_init(&edit, false);
	axas_edit_begin(as, gpa, last, &edit);
	ret = axas_npt_protect(&as->npt, gpa, size, flags);
	if (ret)
		return ret;
	axas_edit_end(as, &edit);
	axas_area_split_edges(as, gpa, last, NULL, spare);
	for (a = axas_area_first(as, gpa, last); a;
	     a = axas_area_next(as, a, last))
		WRITE_ONCE(a->flags, flags);
	return 0;
}

/**
 * struct axas_punch - a memory fd range a discard frees
 * @node: on the discard's list
 * @file: the memory fd's file, referenced
 * @offset: first byte
 * @len: bytes
 *
 * Punched once the space's lock is dropped: the file's invalidate lock
 * ranks above it.
 */
struct axas_punch {
	struct list_head node;
	struct file *file;
	u64 offset;
	u64 len;
};

/* Note the memory fd ranges [@gpa, @last] maps; -ENOMEM changes nothing. */
static int axas_discard_note(struct axas *as, u64 gpa, u64 last,
			     struct list_head *punches)
{
	struct axas_area_node *a;
	struct axas_punch *p;
	u64 lo, hi;

	for (a = axas_area_first(as, gpa, last); a;
	     a = axas_area_next(as, a, last)) {
		if (a->ops != &axas_memory_ops)
			continue;
		p = kmalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
		if (!p)
			return -ENOMEM;
		lo = max(gpa, a->start);
		hi = min(last, a->last);
		p->file = get_file(axas_mem_file(a));
		p->offset = a->pos + (lo - a->start);
		p->len = hi - lo + 1;
		list_add_tail(&p->node, punches);
	}
	return 0;
}

/* Punch (when @punch) and free what axas_discard_note() noted. */
static void axas_discard_punch(struct list_head *punches, bool punch)
{
	struct axas_punch *p, *next;

	list_for_each_entry_safe(p, next, punches, node) {
		if (punch)
			WARN_ON_ONCE(axas_memfile_punch(p->file, p->offset, p->len));
		fput(p->file);
		kfree(p);
	}
}

static bool axas_is_alloc(const struct axas_area_node *a)
{
	return a->ops == &axas_alloc_ops;
}

/* A discard's edge splits a populated alloc area only: a lazy one stays. */
static bool axas_discard_splits(const struct axas_area_node *a)
{
	return axas_is_alloc(a) && a->populated;
}

/*
 * Frames of alloc areas go as in an unmap, but the areas stay, lazy (split
 * so that the part outside keeps %AXAS_MAP_POPULATE); the memory fd
 * ranges of memory areas are noted for the punch, which leaves their
 * areas as they are, as a punch-hole by the VMM would.
 */
static int axas_discard_locked(struct axas *as, u64 gpa, u64 size,
			       struct axas_area_node **spare,
			       struct list_head *punches)
{
	u64 last = gpa + size - 1;
	struct axas_area_node *a;
	struct axas_frames edit;
	int ret;

	lockdep_assert_held_write(&as->lock);
	for (a = axas_area_first(as, gpa, last); a;
	     a = axas_area_next(as, a, last))
		if (a->ops == &axas_linear_ops)
			return axas_bad_space(as, "discard %#llx+%#llx: a linear area",
					      gpa, size);
	axas_frames_init(&edit, true);
	ret = axas_discard_note(as, gpa, last, punches);
	if (!ret) {
		axas_edit_begin(as, gpa, last, &edit);
		ret = axas_npt_unmap(&as->npt, gpa, size);
	}
	if (ret)
		return ret;
	axas_edit_end(as, &edit);
	axas_area_split_edges(as, gpa, last, axas_discard_splits, spare);
	for (a = axas_area_first(as, gpa, last); a;
	     a = axas_area_next(as, a, last))
		if (axas_is_alloc(a))
			WRITE_ONCE(a->populated, false);
	return 0;
}

enum axas_edit_op {
	AXAS_EDIT_UNMAP,
	AXAS_EDIT_PROTECT,		/* the in-kernel API: trusted */
	AXAS_EDIT_PROTECT_CHECKED,	/* for the caller of an ioctl */
	AXAS_EDIT_DISCARD,
};

static int axas_edit_locked(struct axas *as, u64 gpa, u64 size, u32 flags,
			    enum axas_edit_op op, struct axas_area_node **spare,
			    struct list_head *punches)
{
	switch (op) {
	case AXAS_EDIT_UNMAP:
		return axas_unmap_locked(as, gpa, size, spare);
	case AXAS_EDIT_DISCARD:
		return axas_discard_locked(as, gpa, size, spare, punches);
	default:
		return axas_protect_locked(as, gpa, size, flags,
					   op == AXAS_EDIT_PROTECT_CHECKED, spare);
	}
}

/* An edit with the two spare areas a split at both edges needs. */
static int axas_edit(struct axas *as, u64 gpa, u64 size, u32 flags,
		     enum axas_edit_op op)
{
	struct axas_area_node *spare[2];
	LIST_HEAD(punches);
	int ret = -ENOMEM;

	spare[0] = kzalloc(sizeof(*spare[0]), GFP_KERNEL_ACCOUNT);
	spare[1] = kzalloc(sizeof(*spare[1]), GFP_KERNEL_ACCOUNT);
	if (spare[0] && spare[1]) {
		axas_write_lock(as);
		ret = axas_edit_locked(as, gpa, size, flags, op, spare, &punches);
		axas_write_unlock(as);
		axas_discard_punch(&punches, !ret);
		axas_mem_unbind_unused(as);
	}
	kfree(spare[0]);
	kfree(spare[1]);
	return ret;
}

/**
 * axas_unmap() - remove every mapping in a range
 * @as: the space
 * @gpa: first gpa, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 *
 * Areas that stick out are split; huge leaves that stick out are split into
 * the largest leaves that still fit, keeping their frames. Frames of alloc
 * areas in the range are freed after the flush. Holes are not an error.
 *
 * Return: 0, -EINVAL, or -ENOMEM with the space unchanged.
 */
int axas_unmap(struct axas *as, u64 gpa, u64 size)
{
	int ret = axas_check_range(as, gpa, size) ?:
		  axas_edit(as, gpa, size, 0, AXAS_EDIT_UNMAP);

	trace_axas_unmap(as, gpa, size, ret);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(axas_unmap, AXADDRSPACE_NS);

/**
 * axas_protect() - change the flags of every area part in a range
 * @as: the space
 * @gpa: first gpa, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 * @flags: AXAS_READ .. AXAS_UNCACHED
 *
 * Areas are split at the range's edges, present entries rewritten (huge
 * leaves split as for axas_unmap()); lazy pages fault in later with the new
 * flags. Holes are not an error.
 *
 * Return: 0, -EINVAL, or -ENOMEM with the space unchanged.
 */
int axas_protect(struct axas *as, u64 gpa, u64 size, u32 flags)
{
	int ret = axas_check_range(as, gpa, size) ?:
		  axas_check_flags(as, flags, 0) ?:
		  axas_edit(as, gpa, size, flags, AXAS_EDIT_PROTECT);

	trace_axas_protect(as, gpa, size, flags, ret);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(axas_protect, AXADDRSPACE_NS);

/**
 * axas_protect_checked() - axas_protect() on behalf of a less trusted caller
 * @as: the space
 * @gpa: first gpa, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 * @flags: AXAS_READ .. AXAS_UNCACHED
 *
 * As axas_protect(), but widening the grant of a linear area (adding a
 * permission, dropping %AXAS_DEVICE or %AXAS_UNCACHED) needs the calling
 * task's CAP_SYS_RAWIO, checked under the lock that keeps the areas still.
 *
 * Return: as axas_protect(), or -EPERM with the space unchanged.
 */
int axas_protect_checked(struct axas *as, u64 gpa, u64 size, u32 flags)
{
	int ret = axas_check_range(as, gpa, size) ?:
		  axas_check_flags(as, flags, 0) ?:
		  axas_edit(as, gpa, size, flags, AXAS_EDIT_PROTECT_CHECKED);

	trace_axas_protect(as, gpa, size, flags, ret);
	return ret;
}

/**
 * axas_discard() - give back the frames of a range, keeping its areas
 * @as: the space
 * @gpa: first gpa, 4 KiB aligned
 * @size: bytes, a non-zero multiple of 4 KiB
 *
 * A balloon: frames of alloc areas in the range are freed after the flush
 * and the range becomes lazy (a populated area is split and loses
 * %AXAS_MAP_POPULATE there); for memory areas the memory fd's range is
 * punched, which every space and user mapping of it sees. The range then
 * reads as zeros. Holes are not an error; linear areas are. All or
 * nothing.
 *
 * Return: 0; -EINVAL, also for a range that touches a linear area;
 * -ENOMEM with the space unchanged.
 */
int axas_discard(struct axas *as, u64 gpa, u64 size)
{
	int ret = axas_check_range(as, gpa, size) ?:
		  axas_edit(as, gpa, size, 0, AXAS_EDIT_DISCARD);

	trace_axas_unmap(as, gpa, size, ret);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(axas_discard, AXADDRSPACE_NS);

/**
 * axas_clear() - remove every area
 * @as: the space
 *
 * The space stays usable. Areas never share a leaf, so no split is needed
 * and this cannot fail.
 *
 * Return: 0.
 */
int axas_clear(struct axas *as)
{
	struct axas_area_node *a, *none[2] = { NULL, NULL };

	axas_write_lock(as);
	while ((a = axas_area_first(as, 0, U64_MAX))) {
		trace_axas_unmap(as, a->start, axas_area_size(a), 0);
		WARN_ON_ONCE(axas_unmap_locked(as, a->start, axas_area_size(a),
					       none));
		cond_resched();
	}
	axas_write_unlock(as);
	axas_mem_unbind_unused(as);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(axas_clear, AXADDRSPACE_NS);

/**
 * axas_register_flush() - be told of every unmap, split and permission change
 * @as: the space
 * @flusher: callbacks and their argument; stays owned by the space until
 *	axas_unregister_flush()
 */
void axas_register_flush(struct axas *as, struct axas_flusher *flusher)
{
	down_write(&as->lock);
	list_add_tail(&flusher->node, &as->flushers);
	up_write(&as->lock);
}
EXPORT_SYMBOL_NS_GPL(axas_register_flush, AXADDRSPACE_NS);

/**
 * axas_unregister_flush() - undo axas_register_flush()
 * @as: the space
 * @flusher: the registration
 *
 * No callback of @flusher runs after this returns.
 */
void axas_unregister_flush(struct axas *as, struct axas_flusher *flusher)
{
	down_write(&as->lock);
	list_del(&flusher->node);
	up_write(&as->lock);
}
EXPORT_SYMBOL_NS_GPL(axas_unregister_flush, AXADDRSPACE_NS);
