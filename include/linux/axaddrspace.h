/* SPDX-License-Identifier: GPL-2.0 */
/*
 * axaddrspace: the in-kernel API.
 *
 * A hypervisor module builds guest physical address spaces with this API,
 * or picks up one that a userspace VMM created through /dev/axaddrspace
 * with axas_get_from_fd(). Every function is exported GPL-only in the
 * AXADDRSPACE symbol namespace: MODULE_IMPORT_NS(AXADDRSPACE_NS).
 *
 * Addresses are u64 guest physical (gpa) and host physical (hpa) addresses;
 * flags are the AXAS_READ .. AXAS_UNCACHED bits of the UAPI header. Errors
 * are negative errnos as Documentation/userspace-api.rst lists them; a
 * call that fails leaves the space as it was. Every call may sleep except where noted.
 */
#ifndef _LINUX_AXADDRSPACE_H
#define _LINUX_AXADDRSPACE_H

#include <linux/errno.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/version.h>

#include <uapi/linux/axaddrspace.h>

/*
 * The exports' symbol namespace, for MODULE_IMPORT_NS(AXADDRSPACE_NS):
 * since Linux 6.13 the namespace macros take a string literal.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define AXADDRSPACE_NS	"AXADDRSPACE"
#else
#define AXADDRSPACE_NS	AXADDRSPACE
#endif

struct axas;
struct file;
struct iov_iter;

/**
 * struct axas_translation - what axas_translate() reports
 * @hpa: host physical address of the gpa, page offset included
 * @page_size: size of the leaf mapping: 4 KiB, 2 MiB or 1 GiB
 * @area_start: first gpa of the area holding the gpa
 * @area_size: size of that area in bytes
 * @limit: bytes from the gpa to the end of its area
 * @flags: AXAS_READ .. flags of the area
 * @backend: AXAS_BACKEND_*
 */
struct axas_translation {
	u64 hpa;
	u64 page_size;
	u64 area_start;
	u64 area_size;
	u64 limit;
	u32 flags;
	u32 backend;
};

/**
 * struct axas_flush_ops - TLB maintenance of a space's user
 * @flush_range: invalidate every cached translation of guest physical
 *	addresses [@gpa, @gpa + @size) (INVEPT, TLBI IPAS2E1IS, HFENCE.GVMA).
 *	Called after every unmap, split and permission change, with the
 *	space's lock held for writing; it must not call back into the space.
 */
struct axas_flush_ops {
	void (*flush_range)(void *priv, u64 gpa, u64 size);
};

/**
 * struct axas_flusher - one registration of flush callbacks
 * @ops: the callbacks
 * @priv: passed to them
 * @node: owned by the space while registered
 *
 * Embed it in the caller's own structure; registration allocates nothing.
 */
struct axas_flusher {
	const struct axas_flush_ops *ops;
	void *priv;
	struct list_head node;
};

/**
 * enum axas_access_width - width of a device access
 * @AXAS_WIDTH_BYTE: 1 byte
 * @AXAS_WIDTH_WORD: 2 bytes
 * @AXAS_WIDTH_DWORD: 4 bytes
 * @AXAS_WIDTH_QWORD: 8 bytes
 */
enum axas_access_width {
	AXAS_WIDTH_BYTE = 1,
	AXAS_WIDTH_WORD = 2,
	AXAS_WIDTH_DWORD = 4,
	AXAS_WIDTH_QWORD = 8,
};

/**
 * axas_access_width_from_size() - the width of an access of @size bytes
 * @size: 1, 2, 4 or 8
 * @width: out: the width
 *
 * Return: 0, or -EINVAL for any other size.
 */
static inline int axas_access_width_from_size(unsigned int size,
					      enum axas_access_width *width)
{
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	*width = (enum axas_access_width)size;
	return 0;
}

/**
 * struct axas_port_range - an inclusive range of I/O ports
 * @start: first port
 * @end: last port
 */
struct axas_port_range {
	u16 start;
	u16 end;
};

/**
 * struct axas_sysreg_range - an inclusive range of system register numbers
 * @start: first register number (Arm ISS encoding or RISC-V CSR number)
 * @end: last register number
 */
struct axas_sysreg_range {
	u32 start;
	u32 end;
};

/**
 * struct axas_gpa_range - a half-open range of guest physical addresses
 * @start: first address
 * @size: bytes
 */
struct axas_gpa_range {
	u64 start;
	u64 size;
};

/**
 * axas_port_range_contains() - whether a port lies in a range
 * @r: the range
 * @port: the port
 *
 * Return: true if @r->start <= @port <= @r->end.
 */
static inline bool axas_port_range_contains(const struct axas_port_range *r,
					    u16 port)
{
	return port >= r->start && port <= r->end;
}

/**
 * axas_sysreg_range_contains() - whether a system register lies in a range
 * @r: the range
 * @reg: the register number
 *
 * Return: true if @r->start <= @reg <= @r->end.
 */
static inline bool axas_sysreg_range_contains(const struct axas_sysreg_range *r,
					      u32 reg)
{
	return reg >= r->start && reg <= r->end;
}

/**
 * axas_gpa_range_contains() - whether a guest physical address lies in a range
 * @r: the range
 * @gpa: the address
 *
 * Return: true if @r->start <= @gpa < @r->start + @r->size, without overflow.
 */
static inline bool axas_gpa_range_contains(const struct axas_gpa_range *r,
					   u64 gpa)
{
	return gpa >= r->start && gpa - r->start < r->size;
}

/**
 * struct axas_npf_info - a nested page fault as the hypervisor saw it
 * @gpa: faulting guest physical address
 * @access: the access that faulted: AXAS_READ, AXAS_WRITE and/or AXAS_EXEC
 */
struct axas_npf_info {
	u64 gpa;
	u32 access;
};

struct axas *axas_create(u64 base, u64 size, u32 format, u32 flags);
void axas_get(struct axas *as);
void axas_put(struct axas *as);
struct axas *axas_get_from_fd(int fd);

int axas_map_linear(struct axas *as, u64 gpa, u64 hpa, u64 size, u32 flags);
int axas_map_alloc(struct axas *as, u64 gpa, u64 size, u32 flags);
int axas_map_memory(struct axas *as, u64 gpa, u64 size, struct file *file,
		    u64 offset, u32 flags);
int axas_unmap(struct axas *as, u64 gpa, u64 size);
int axas_discard(struct axas *as, u64 gpa, u64 size);
int axas_protect(struct axas *as, u64 gpa, u64 size, u32 flags);
int axas_clear(struct axas *as);

int axas_translate(struct axas *as, u64 gpa, struct axas_translation *t);
int axas_handle_page_fault(struct axas *as, const struct axas_npf_info *npf,
			   bool *handled);

ssize_t axas_rw_iter(struct axas *as, u64 gpa, struct iov_iter *iter,
		     bool write);
int axas_read_buffer(struct axas *as, u64 gpa, void *buf, size_t len);
int axas_write_buffer(struct axas *as, u64 gpa, const void *buf, size_t len);

/**
 * axas_read_obj() - read one object from guest memory
 * @as: the space
 * @gpa: its guest physical address
 * @obj: pointer to the object to fill
 *
 * Return: 0, or -EFAULT if any byte is not backed by an area.
 */
#define axas_read_obj(as, gpa, obj) ({ \
	typeof(obj) __obj = (obj); \
	axas_read_buffer(as, gpa, __obj, sizeof(*__obj)); \
})

/**
 * axas_write_obj() - write one object to guest memory
 * @as: the space
 * @gpa: its guest physical address
 * @obj: pointer to the object to write
 *
 * Return: 0, or -EFAULT if any byte is not backed by an area.
 */
#define axas_write_obj(as, gpa, obj) ({ \
	typeof(obj) __obj = (obj); \
	axas_write_buffer(as, gpa, __obj, sizeof(*__obj)); \
})

void axas_get_info(struct axas *as, struct axas_info *info);
int axas_get_areas(struct axas *as, struct axas_area *areas, u32 capacity,
		   u32 *count);
long axas_dump_tables(struct axas *as,
		      int (*fn)(void *arg, const struct axas_table_page *page),
		      void *arg);

u64 axas_root_hpa(struct axas *as);
u64 axas_hw_root(struct axas *as, u64 *hw_ctl);

void axas_register_flush(struct axas *as, struct axas_flusher *flusher);
void axas_unregister_flush(struct axas *as, struct axas_flusher *flusher);

#endif /* _LINUX_AXADDRSPACE_H */
