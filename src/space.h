/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of one guest physical address space: the space, its areas and
 * their backends. See Documentation/locking.rst for the lock design.
 */
#ifndef _AXAS_SPACE_H
#define _AXAS_SPACE_H

#include <linux/gfp.h>
#include <linux/indirect_call_wrapper.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/maple_tree.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/axaddrspace.h>

#include "npt/npt.h"

#define AXAS_PAGE_SIZE		SZ_4K

struct dentry;

/**
 * struct axas_hal - where a space gets its memory
 * @tables: table page operations for the nested page table
 * @alloc_frames: 2^@order zeroed, physically contiguous frames as one
 *	non-compound block (not split); NULL on failure
 * @free_frames: free 2^@order frames at @page: a whole block from
 *	@alloc_frames, or one order-0 frame (an order-0 block, or a frame of a
 *	block the backend split with split_page())
 * @sync_guest: make what the host wrote to [@pa, @pa + @len) of a frame
 *	visible to a guest that reads it with its caches off or through a
 *	non-cacheable mapping, and to its instruction fetch when @exec; NULL
 *	when nothing is needed
 * @priv: passed to every operation
 *
 * The only place that touches the page allocator; KUnit substitutes a
 * counting one that can fail the n-th allocation.
 */
struct axas_hal {
	const struct axas_npt_hal_ops *tables;
	struct page *(*alloc_frames)(void *priv, unsigned int order);
	void (*free_frames)(void *priv, struct page *page, unsigned int order);
	void (*sync_guest)(void *priv, phys_addr_t pa, size_t len, bool exec);
	void *priv;
};

/*
 * The default HAL's frames: zeroed, charged to the caller's memory cgroup,
 * and never a reason for the OOM killer (they are in no process's RSS, so
 * it would kill a bystander): order 0 fails with -ENOMEM once reclaim gives
 * up, and the 2 MiB chunks, an optimisation with an order-0 fallback, give
 * up early and quietly.
 */
static inline gfp_t axas_frame_gfp(unsigned int order)
{
	gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO;

	return gfp | (order ? __GFP_NORETRY | __GFP_NOWARN : __GFP_RETRY_MAYFAIL);
}

extern const struct axas_hal axas_default_hal;
/* Its frame allocator, called directly on the fault path. */
struct page *axas_hal_alloc_frames(void *priv, unsigned int order);
void axas_hal_sync_guest(void *priv, phys_addr_t pa, size_t len, bool exec);

struct axas_area_node;
struct axas_frames;
struct axas_rw;
struct axas_mem_bind;
struct file;

/**
 * struct axas_backend_ops - what backs an area: one instance per backend
 * @id: AXAS_BACKEND_*
 * @map: map a new area, lock held for writing (a linear area's host range,
 *	a populated area's frames); NULL maps nothing. All or nothing.
 * @fault: give the page at @gpa its frame, lock held in any mode. Return 1
 *	if it mapped a new frame, 0 if the page had one, or an errno; -EAGAIN
 *	asks the caller to drop the lock, wait with @fault_wait and retry.
 *	NULL: every page of the area is mapped from the start.
 * @fault_wait: wait, without the space's lock, for what made @fault
 *	return -EAGAIN; @arg is what @fault left in its @wait
 * @rw: move @len bytes at @rw->gpa (inside one page and the area) between
 *	the guest and the bounce page, lock held for reading
 * @edit_begin: before an unmap or protect changes [@start, @last] of @a
 *	(clipped to @a), lock held for writing: note in @edit what the table
 *	change will free or cut. Cannot fail: if the table change fails,
 *	@edit is dropped as it is.
 * @edit_end: once per unmap or protect, after the table change succeeded,
 *	with what every @edit_begin of this backend noted
 * @split: @hi was just cut from the top of @lo (a copy of it, with its
 *	new start): adjust where @hi's backing starts, take references
 * @detach: @a leaves the space (unmap, clear, teardown); lock held for
 *	writing; its frames are dealt with already
 * @release: teardown: free every frame of @a while the table still maps
 *	it, without unmapping or flushing; NULL if it holds none
 */
struct axas_backend_ops {
	u32 id;
	int (*map)(struct axas *as, struct axas_area_node *a);
	int (*fault)(struct axas *as, struct axas_area_node *a, u64 gpa,
		     void **wait);
	void (*fault_wait)(void *arg);
	int (*rw)(struct axas_rw *rw, struct axas_area_node *a, size_t len);
	void (*edit_begin)(struct axas *as, struct axas_area_node *a, u64 start,
			   u64 last, struct axas_frames *edit);
	void (*edit_end)(struct axas *as, struct axas_frames *edit);
	void (*split)(struct axas_area_node *lo, struct axas_area_node *hi);
	void (*detach)(struct axas *as, struct axas_area_node *a);
	void (*release)(struct axas *as, struct axas_area_node *a);
};

extern const struct axas_backend_ops axas_linear_ops;
extern const struct axas_backend_ops axas_alloc_ops;
extern const struct axas_backend_ops axas_memory_ops;

/**
 * struct axas_area_node - one area of a space
 * @start: first gpa
 * @last: last gpa (inclusive), so that areas may end at the top of 2^64
 * @pos: where the backing of @start begins: the host physical address of a
 *	linear area, the file offset of a memory area; 0 for an alloc area
 * @flags: mapping flags, AXAS_READ .. AXAS_UNCACHED
 * @populated: every page got its frame when the area was mapped
 *	(%AXAS_MAP_POPULATE); a discard makes its range lazy again
 * @ops: the backend
 * @bind: the memory fd a memory area maps, with the space's binding
 * @rcu: freed after a grace period: lockless lookups may still read it
 *
 * Writers change @last, @flags and @populated in place (WRITE_ONCE())
 * under the lock while @axas.seq is odd; lockless readers use READ_ONCE().
 */
struct axas_area_node {
	u64 start;
	u64 last;
	u64 pos;
	u32 flags;
	bool populated;
	const struct axas_backend_ops *ops;
	struct axas_mem_bind *bind;
	struct rcu_head rcu;
};

/* The flags an area reports: its own, and POPULATE if it was populated. */
static inline u32 axas_area_uflags(const struct axas_area_node *a)
{
	return READ_ONCE(a->flags) |
	       (READ_ONCE(a->populated) ? AXAS_MAP_POPULATE : 0);
}

/**
 * struct axas - one guest physical address space
 * @ref: the last reference frees the space
 * @id: module-wide unique, never reused: names the space in tracepoints,
 *	fdinfo, debugfs and log lines
 * @lock: writers change areas and split tables (map, unmap, protect,
 *	clear); readers look areas up and install single pages (fault,
 *	read/write, listings)
 * @seq: odd while a writer changes areas or tables; lockless lookups
 *	(translate) retry under @lock when it is odd or moved
 * @base: first gpa of the space
 * @size: bytes
 * @flags: creation flags
 * @npt: the nested page table
 * @hal: memory operations
 * @areas: maple tree (RCU mode, @lock as its external lock) of
 *	&struct axas_area_node, non-overlapping
 * @nr_areas: number of areas
 * @alloc_pages: frames held by alloc areas
 * @faults_handled: faults that mapped a new frame
 * @flushers: registered &struct axas_flusher, under @lock
 * @bind_lock: guards @mem_binds; ranks above the memory fds' invalidate
 *	locks, which rank above @lock
 * @mem_binds: the space's bindings to memory fds (backend_memory.c)
 * @rs: the rate limit of this space's log lines, so that one noisy caller
 *	cannot hide another's
 * @node: on the module's list of spaces (debugfs.c)
 * @debugfs: the space's debugfs directory, an ERR_PTR or NULL if none
 */
struct axas {
	struct kref ref;
	u64 id;
	struct rw_semaphore lock;
	seqcount_t seq;
	u64 base;
	u64 size;
	u32 flags;
	struct axas_npt npt;
	const struct axas_hal *hal;
	struct maple_tree areas;
	unsigned long nr_areas;
	atomic64_t alloc_pages;
	atomic64_t faults_handled;
	struct list_head flushers;
	struct mutex bind_lock;		/* guards @mem_binds */
	struct list_head mem_binds;
	struct ratelimit_state rs;
	struct list_head node;
	struct dentry *debugfs;
};

static inline u64 axas_area_size(const struct axas_area_node *a)
{
	return a->last - a->start + 1;
}

/*
 * Make what the host wrote to a frame visible to the guest before the guest
 * may see the frame (after zeroing, after pwrite): the HAL's sync_guest,
 * with exec for an area the guest may execute.
 */
static inline void axas_sync_guest(struct axas *as, phys_addr_t pa,
				   size_t len, u32 flags)
{
	const struct axas_hal *hal = as->hal;

	if (hal->sync_guest)
		INDIRECT_CALL_1(hal->sync_guest, axas_hal_sync_guest, hal->priv,
				pa, len, flags & AXAS_EXEC);
}

/* space.c: take and drop @lock for writing, bracketing @seq. */
void axas_write_lock(struct axas *as);
void axas_write_unlock(struct axas *as);

/* area.c */
void axas_areas_init(struct axas *as);
struct axas_area_node *axas_area_find(struct axas *as, u64 gpa);
struct axas_area_node *axas_area_find_rcu(struct axas *as, u64 gpa);
struct axas_area_node *axas_area_first(struct axas *as, u64 start, u64 last);
struct axas_area_node *axas_area_next(struct axas *as, struct axas_area_node *a,
				      u64 last);
int axas_area_add(struct axas *as, struct axas_area_node *a);
void axas_area_remove_range(struct axas *as, u64 start, u64 last);
void axas_area_split_edges(struct axas *as, u64 start, u64 last,
			   bool (*want)(const struct axas_area_node *a),
			   struct axas_area_node **spare);
void axas_area_drain(struct axas *as, void (*fn)(struct axas *as,
						 struct axas_area_node *a));

/**
 * struct axas_frames - what one unmap or protect frees and cuts
 * @unmap: the edit is an unmap (else a protect): frames go away
 * @pages: order-0 frames, chained through page->lru
 * @chunks: whole 2 MiB chunks (unsplit blocks), chained through page->lru
 *	of their first frame
 * @cut: chunks the range's edges cut: split once the table change succeeded
 * @nr_cut: entries of @cut in use
 */
struct axas_frames {
	bool unmap;
	struct list_head pages;
	struct list_head chunks;
	struct page *cut[2];
	unsigned int nr_cut;
};

static inline void axas_frames_init(struct axas_frames *frames, bool unmap)
{
	frames->unmap = unmap;
	INIT_LIST_HEAD(&frames->pages);
	INIT_LIST_HEAD(&frames->chunks);
	frames->nr_cut = 0;
}

/*
 * Refuse bad input from a caller: one ratelimited log line that names the
 * calling process (the file's pr_fmt names the module), and -EINVAL. For
 * callers without a space at hand: one rate limit for the whole module.
 */
#define axas_bad(fmt, ...) ({ \
	pr_info_ratelimited("%s[%d]: " fmt "\n", current->comm, \
			    task_pid_nr(current), ##__VA_ARGS__); \
	-EINVAL; \
})

/* A log line about @as's caller, under @as's own rate limit. */
#define axas_log(as, fmt, ...) do { \
	if (__ratelimit(&(as)->rs)) \
		pr_info("%s[%d]: " fmt "\n", current->comm, \
			task_pid_nr(current), ##__VA_ARGS__); \
} while (0)

/* axas_bad() for bad input to space @as: its own rate limit. */
#define axas_bad_space(as, fmt, ...) ({ \
	axas_log(as, fmt, ##__VA_ARGS__); \
	-EINVAL; \
})

/**
 * struct axas_rw - one read or write of guest memory
 * @as: the space
 * @gpa: the next guest physical address
 * @iter: the caller's buffer
 * @write: true to write guest memory
 * @bounce: one page: user memory is copied outside the space's lock
 * @map_pa: host range of linear areas mapped at @map_va (0 bytes if none)
 * @map_len: its length
 * @map_va: the mapping, ioremap() or memremap()
 * @map_io: @map_va comes from ioremap()
 * @wait_fn: a backend's &axas_backend_ops.fault_wait, for a step that
 *	returned -EAGAIN
 * @wait: its argument
 */
struct axas_rw {
	struct axas *as;
	u64 gpa;
	struct iov_iter *iter;
	bool write;
	u8 *bounce;
	phys_addr_t map_pa;
	size_t map_len;
	void *map_va;
	bool map_io;
	void (*wait_fn)(void *arg);
	void *wait;
};

/* Copy between the bounce page and the guest at @p (RAM or memremap()). */
static inline void axas_rw_mem(struct axas_rw *rw, void *p, size_t len)
{
	if (rw->write)
		memcpy(p, rw->bounce, len);
	else
		memcpy(rw->bounce, p, len);
}

/* access.c: @len bytes at @pa, inside one page of RAM with a struct page. */
void axas_rw_frame(struct axas_rw *rw, phys_addr_t pa, size_t len, u32 flags);
int axas_rw_fault(struct axas_rw *rw, struct axas_area_node *a);

/* backend_memory.c */
void axas_mem_unbind_unused(struct axas *as);
struct file *axas_mem_file(const struct axas_area_node *a);

/* backend_linear.c */
void axas_rw_unmap_host(struct axas_rw *rw);

/**
 * struct axas_areas_chunk - one piece of a listing of the areas
 * @buf: room for @capacity areas
 * @capacity: entries at @buf
 * @n: out: entries written
 * @next: in: first gpa to list; out: the gpa after the last area listed
 * @total: out: the number of areas
 * @gen: out: generation of the area set
 * @done: out: no area after the last one listed
 */
struct axas_areas_chunk {
	struct axas_area *buf;
	u32 capacity;
	u32 n;
	u64 next;
	u32 total;
	unsigned int gen;
	bool done;
};

/* info.c */
struct seq_file;
void axas_get_areas_chunk(struct axas *as, struct axas_areas_chunk *chunk);
void axas_seq_info(struct seq_file *m, struct axas *as, bool show_hpa);

/* debugfs.c */
void axas_debugfs_init(void);
void axas_debugfs_exit(void);
void axas_debugfs_track(struct axas *as);
void axas_debugfs_untrack(struct axas *as);
void axas_debugfs_space_add(struct axas *as, int fd);
void axas_debugfs_space_remove(struct axas *as);

/* space.c */
bool axas_allow_ram_linear(void);
struct axas_area_node *axas_new_area(u64 gpa, u64 size, u64 pos, u32 flags,
				     const struct axas_backend_ops *ops);
int axas_add_area(struct axas *as, struct axas_area_node *a);
int axas_check_range(struct axas *as, u64 gpa, u64 size);
int axas_check_flags(struct axas *as, u32 flags, u32 extra);
int axas_protect_checked(struct axas *as, u64 gpa, u64 size, u32 flags);
#if IS_ENABLED(CONFIG_KUNIT)
void axas_kunit_allow_ram_linear(bool allow);
struct axas *axas_create_with_hal(u64 base, u64 size, u32 format, u32 flags,
				  const struct axas_hal *hal);
#endif

#endif /* _AXAS_SPACE_H */
