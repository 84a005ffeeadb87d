/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory fds (memfile.c): guest memory as a file, on the model of
 * mm/secretmem.c and KVM's guest_memfd. The file owns its frames (its page
 * cache); a space that maps a range of it holds a folio reference per
 * nested leaf and a binding, through which the file takes the range back
 * (punch-hole) in KVM's order: invalidate every binding, which unmaps and
 * flushes, then the user mappings, then free.
 *
 * Lock order (Documentation/locking.rst): the file's invalidate lock
 * (filemap_invalidate_lock()) -> a space's lock -> mmap_lock is never taken
 * under either. A space that holds its lock must therefore never wait for
 * the invalidate lock: its fault path uses the sequence protocol below
 * instead (KVM's mmu_invalidate_seq).
 */
#ifndef _AXAS_MEMFILE_H
#define _AXAS_MEMFILE_H

#include <linux/list.h>
#include <linux/types.h>

struct file;
struct folio;
struct axas_mem_binding;

/**
 * struct axas_mem_binding_ops - what a mapper of a memory fd is told
 * @invalidate: unmap file pages [@start, @end) from the mapper's nested
 *	tables, flush, and drop the folio references its leaves held. Called
 *	with the file's invalidate lock held for writing, no other lock; may
 *	sleep; cannot fail. It may unmap more than asked (a whole 2 MiB leaf).
 */
struct axas_mem_binding_ops {
	void (*invalidate)(struct axas_mem_binding *b, pgoff_t start,
			   pgoff_t end);
};

/**
 * struct axas_mem_binding - one mapper (a space) of a memory fd
 * @node: on the file's list, under its invalidate lock
 * @ops: the mapper's callbacks
 */
struct axas_mem_binding {
	struct list_head node;
	const struct axas_mem_binding_ops *ops;
};

/**
 * axas_memfile_create() - a new memory fd's file
 * @size: bytes, a non-zero multiple of 4 KiB (checked: -EINVAL)
 * @flags: AXAS_MEMORY_* (unknown bits: -EINVAL)
 *
 * Return: the file, O_RDWR, or an ERR_PTR.
 */
struct file *axas_memfile_create(u64 size, u32 flags);

/* Whether @file is a memory fd's file. */
bool axas_is_memfile(const struct file *file);

/* Its size in bytes. */
u64 axas_memfile_size(const struct file *file);

/*
 * Add or remove a binding. Both take the invalidate lock for writing: call
 * them with no space lock held. After unbind returns, no @invalidate of
 * @b runs or will run. A mapper holds a reference to @file (get_file())
 * from bind to unbind: the file's release expects no binding left.
 */
void axas_memfile_bind(struct file *file, struct axas_mem_binding *b);
void axas_memfile_unbind(struct file *file, struct axas_mem_binding *b);

/**
 * axas_memfile_get_folio() - the folio holding a file page, created if absent
 * @file: a memory fd's file
 * @index: file page (4 KiB) number, below the size
 * @folio: out: the folio, with a reference for the caller (folio_put())
 *
 * A new folio is zeroed (2 MiB when the file was created with
 * %AXAS_MEMORY_HUGE and the aligned 2 MiB around @index is inside the
 * file, else 4 KiB) and added to the page cache, charged to the caller's
 * memory cgroup. Takes no lock the caller could hold, so a space may call
 * it under its own lock; it may sleep.
 *
 * Return: 0, -EINVAL beyond the size, -ENOMEM.
 */
int axas_memfile_get_folio(struct file *file, pgoff_t index,
			   struct folio **folio);

/*
 * The invalidation sequence, for a mapper that installs a folio under its
 * own lock: read axas_memfile_inval_begin() before axas_memfile_get_folio();
 * under the same lock hold as the install, if axas_memfile_inval_retry()
 * is true, drop the folio, unlock, axas_memfile_inval_wait() and start
 * again. A punch-hole raises the count before it invalidates the bindings
 * and bumps the sequence after it freed the range.
 */
unsigned long axas_memfile_inval_begin(struct file *file);
bool axas_memfile_inval_retry(struct file *file, unsigned long seq);
void axas_memfile_inval_wait(struct file *file);

/**
 * axas_memfile_punch() - discard a range: fallocate(FALLOC_FL_PUNCH_HOLE)
 * @file: a memory fd's file
 * @offset: bytes, 4 KiB aligned
 * @len: bytes, a multiple of 4 KiB; @offset + @len within the size
 *
 * Invalidates every binding, zaps user mappings and frees the range's
 * frames (a 2 MiB folio partly inside is zeroed in that part instead, if
 * it cannot be split). Call with no space lock held.
 *
 * Return: 0 or -EINVAL.
 */
int axas_memfile_punch(struct file *file, u64 offset, u64 len);

/* Module init and exit: the memory fds' pseudo filesystem (dev.c). */
int axas_memfile_init(void);
void axas_memfile_exit(void);

#endif /* _AXAS_MEMFILE_H */
