/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * axaddrspace: guest physical address spaces with nested page tables.
 *
 * The userspace ABI of /dev/axaddrspace, version 2. Every number in this
 * file is part of the ABI and never changes; new features get new ioctls,
 * new flag bits or new capabilities. Structures hold only __u32/__u64
 * fields with explicit padding; user pointers travel as __u64.
 *
 * Structures may grow at their end: the module takes the size of the
 * caller's struct from the ioctl command, zero-extends a shorter one (an
 * older header's) and accepts a longer one if the bytes it does not know
 * are zero (else E2BIG); it writes back at most the caller's size. Every
 * input struct has a flags word whose unknown bits are refused (EINVAL),
 * and every pad and reserved word must be 0. Definitions that change with
 * the header say so ("this header's").
 */
#ifndef _UAPI_LINUX_AXADDRSPACE_H
#define _UAPI_LINUX_AXADDRSPACE_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define AXAS_IOC		0xB9
#define AXAS_API_VERSION	2

/* Nested page table formats (struct axas_create.format). */
#define AXAS_FMT_NATIVE		0	/* the host CPU's: see Documentation/formats.rst */
#define AXAS_FMT_X86_EPT4	1	/* Intel EPT, 4 levels, 48-bit GPA */
#define AXAS_FMT_X86_EPT5	2	/* Intel EPT, 5 levels, 57-bit GPA */
#define AXAS_FMT_ARM64_S2_40	3	/* Arm stage 2, 40-bit IPA, 8 KiB concatenated root */
#define AXAS_FMT_ARM64_S2_48	4	/* Arm stage 2, 48-bit IPA */
#define AXAS_FMT_RISCV_SV39X4	5	/* RISC-V G-stage Sv39x4, 16 KiB root */
#define AXAS_FMT_RISCV_SV48X4	6	/* RISC-V G-stage Sv48x4, 16 KiB root */
#define AXAS_FMT_X86_NPT4	7	/* AMD NPT, 4 levels, 48-bit GPA */
#define AXAS_FMT_X86_NPT5	8	/* AMD NPT, 5 levels, 57-bit GPA */
#define AXAS_FMT_RISCV_SV57X4	9	/* RISC-V G-stage Sv57x4, 16 KiB root */
/*
 * This header's highest format: a newer header may add formats, so ask
 * AXAS_CHECK_EXTENSION(AXAS_CAP_FORMATS) which ones the module has.
 */
#define AXAS_FMT_MAX		AXAS_FMT_RISCV_SV57X4

/* Mapping flags (map, protect, area and translate output). */
#define AXAS_READ		(1U << 0)
#define AXAS_WRITE		(1U << 1)	/* requires AXAS_READ */
#define AXAS_EXEC		(1U << 2)
#define AXAS_USER		(1U << 3)
#define AXAS_DEVICE		(1U << 4)	/* not with AXAS_EXEC */
#define AXAS_UNCACHED		(1U << 5)	/* not with AXAS_EXEC */
#define AXAS_MAP_POPULATE	(1U << 16)	/* AXAS_MAP_ALLOC only */

/* This header's mapping flags: a newer header may add some. */
#define AXAS_PROT_MASK		(AXAS_READ | AXAS_WRITE | AXAS_EXEC | AXAS_USER | \
				 AXAS_DEVICE | AXAS_UNCACHED)

/* Backends (output only). */
#define AXAS_BACKEND_LINEAR	1
#define AXAS_BACKEND_ALLOC	2
#define AXAS_BACKEND_MEMORY	3	/* a range of a memory fd */

/* Capabilities for AXAS_CHECK_EXTENSION. */
#define AXAS_CAP_FORMATS	1	/* bit mask of 1 << format */
#define AXAS_CAP_MAX_SPACES	2	/* limit on each uid's open spaces, 0 = none */
#define AXAS_CAP_TRANSLATE_BATCH 3	/* max AXAS_TRANSLATE_BATCH count, 0 = none */
#define AXAS_CAP_EPT_EXEC_ONLY	4	/* 1: EPT formats take AXAS_EXEC without AXAS_READ */
#define AXAS_CAP_MEMORY		5	/* 1: AXAS_CREATE_MEMORY, AXAS_MAP_MEMORY, AXAS_DISCARD */

/* Memory fd flags (struct axas_create_memory.flags). */
#define AXAS_MEMORY_HUGE	(1U << 0)	/* 2 MiB frames where 2 MiB fits */
/* This header's memory fd flags. */
#define AXAS_MEMORY_FLAGS	AXAS_MEMORY_HUGE

/**
 * struct axas_create - argument of %AXAS_CREATE_SPACE
 * @base: first guest physical address of the space, 4 KiB aligned
 * @size: bytes, > 0, multiple of 4 KiB; base + size <= 2^gpa_bits, no wrap
 * @format: one of the AXAS_FMT_* values
 * @flags: none defined in version 1: must be 0
 * @reserved: must be 0
 */
struct axas_create {
	__u64 base;
	__u64 size;
	__u32 format;
	__u32 flags;
	__u64 reserved[3];
};

/**
 * struct axas_map_linear - argument of %AXAS_MAP_LINEAR
 * @gpa: first guest physical address, 4 KiB aligned
 * @hpa: host physical start, 4 KiB aligned
 * @size: bytes, > 0, multiple of 4 KiB
 * @flags: AXAS_READ .. AXAS_UNCACHED
 * @pad: must be 0
 * @reserved: must be 0
 */
struct axas_map_linear {
	__u64 gpa;
	__u64 hpa;
	__u64 size;
	__u32 flags;
	__u32 pad;
	__u64 reserved;
};

/**
 * struct axas_map_alloc - argument of %AXAS_MAP_ALLOC
 * @gpa: first guest physical address, 4 KiB aligned
 * @size: bytes, > 0, multiple of 4 KiB
 * @flags: AXAS_READ .. AXAS_UNCACHED, optionally %AXAS_MAP_POPULATE
 * @pad: must be 0
 * @reserved: must be 0
 */
struct axas_map_alloc {
	__u64 gpa;
	__u64 size;
	__u32 flags;
	__u32 pad;
	__u64 reserved;
};

/**
 * struct axas_create_memory - argument of %AXAS_CREATE_MEMORY
 * @size: bytes, > 0, multiple of 4 KiB; the file's size, fixed for its life
 * @flags: %AXAS_MEMORY_HUGE, or 0
 * @pad: must be 0
 * @reserved: must be 0
 */
struct axas_create_memory {
	__u64 size;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct axas_map_memory - argument of %AXAS_MAP_MEMORY
 * @gpa: first guest physical address, 4 KiB aligned
 * @size: bytes, > 0, multiple of 4 KiB
 * @offset: offset in the memory fd of @gpa, 4 KiB aligned;
 *	@offset + @size must not exceed the fd's size
 * @fd: a memory fd from %AXAS_CREATE_MEMORY, opened for reading (and
 *	writing, for %AXAS_WRITE)
 * @flags: AXAS_READ .. AXAS_UNCACHED, optionally %AXAS_MAP_POPULATE
 * @reserved: must be 0
 */
struct axas_map_memory {
	__u64 gpa;
	__u64 size;
	__u64 offset;
	__s32 fd;
	__u32 flags;
	__u64 reserved[2];
};

/**
 * struct axas_range - argument of %AXAS_UNMAP and %AXAS_DISCARD
 * @gpa: first guest physical address, 4 KiB aligned
 * @size: bytes, > 0, multiple of 4 KiB
 * @op_flags: none defined: must be 0
 * @pad: must be 0
 */
struct axas_range {
	__u64 gpa;
	__u64 size;
	__u32 op_flags;
	__u32 pad;
};

/**
 * struct axas_protect - argument of %AXAS_PROTECT
 * @gpa: first guest physical address, 4 KiB aligned
 * @size: bytes, > 0, multiple of 4 KiB
 * @flags: new flags, AXAS_READ .. AXAS_UNCACHED
 * @pad: must be 0
 */
struct axas_protect {
	__u64 gpa;
	__u64 size;
	__u32 flags;
	__u32 pad;
};

/**
 * struct axas_translate - argument of %AXAS_TRANSLATE, element of
 *	%AXAS_TRANSLATE_BATCH
 * @gpa: in: guest physical address, any alignment
 * @hpa: out: host physical address of @gpa, offset included; 0 without
 *	CAP_SYS_ADMIN
 * @page_size: out: size of the leaf mapping: 4 KiB, 2 MiB or 1 GiB
 * @area_start: out: first guest physical address of the area holding @gpa
 * @area_size: out: size of that area in bytes
 * @flags: out: AXAS_READ .. flags of the area
 * @backend: out: AXAS_BACKEND_*
 * @op_flags: in: none defined: must be 0 (in version 1 this was the low
 *	half of an output word, so the struct keeps its size and a batch its
 *	stride)
 * @reserved: out: 0
 */
struct axas_translate {
	__u64 gpa;
	__u64 hpa;
	__u64 page_size;
	__u64 area_start;
	__u64 area_size;
	__u32 flags;
	__u32 backend;
	__u32 op_flags;
	__u32 reserved;
};

/**
 * struct axas_translate_batch - argument of %AXAS_TRANSLATE_BATCH
 * @entries: user pointer to struct axas_translate[@count]; each element is
 *	in and out as for %AXAS_TRANSLATE. An element whose gpa has no
 *	translation (outside the space: %AXAS_TRANSLATE fails with EINVAL;
 *	no present leaf: ENOENT) gets every output field 0, so page_size 0
 *	marks it; the batch goes on
 * @count: in: number of elements at @entries, at most what
 *	AXAS_CHECK_EXTENSION(%AXAS_CAP_TRANSLATE_BATCH) returns; out: number
 *	of leading elements that hold their results: @count on success, fewer
 *	when the call fails with EFAULT part-way
 * @flags: none defined: must be 0
 * @reserved: must be 0
 */
struct axas_translate_batch {
	__u64 entries;
	__u32 count;
	__u32 flags;
	__u64 reserved[2];
};

/**
 * struct axas_fault - argument of %AXAS_HANDLE_FAULT
 * @gpa: in: faulting guest physical address, any alignment
 * @access: in: non-empty subset of AXAS_READ | AXAS_WRITE | AXAS_EXEC
 * @handled: out: 1 when resolved (retry the access), 0 for a real fault
 *	(MMIO, permission, hole); written 0 before the fault is handled, so
 *	an argument that cannot be written fails with -EFAULT and maps nothing
 */
struct axas_fault {
	__u64 gpa;
	__u32 access;
	__u32 handled;
};

/**
 * struct axas_info - argument of %AXAS_GET_INFO
 * @base: first guest physical address of the space
 * @size: size of the space in bytes
 * @format: resolved format, never %AXAS_FMT_NATIVE
 * @levels: number of table levels
 * @gpa_bits: guest physical address bits of the format
 * @flags: creation flags
 * @root_hpa: host physical address of the root table; 0 without CAP_SYS_ADMIN
 * @hw_root: EPTP, VTTBR_EL2 or hgatp value; 0 without CAP_SYS_ADMIN
 * @hw_ctl: VTCR_EL2 fields for the Arm formats, else 0
 * @nr_areas: number of areas
 * @mapped_bytes: bytes covered by present leaf entries
 * @table_pages: 4 KiB pages held by the nested page table, root included
 * @alloc_pages: frames currently held by Alloc areas
 * @faults_handled: %AXAS_HANDLE_FAULT calls that returned handled = 1 and
 *	mapped a new frame
 * @reserved: 0
 */
struct axas_info {
	__u64 base;
	__u64 size;
	__u32 format;
	__u32 levels;
	__u32 gpa_bits;
	__u32 flags;
	__u64 root_hpa;
	__u64 hw_root;
	__u64 hw_ctl;
	__u64 nr_areas;
	__u64 mapped_bytes;
	__u64 table_pages;
	__u64 alloc_pages;
	__u64 faults_handled;
	__u64 reserved[4];
};

/**
 * struct axas_area - one entry of the %AXAS_GET_AREAS output
 * @gpa: first guest physical address of the area
 * @size: size in bytes
 * @hpa: LINEAR: host start (0 without CAP_SYS_ADMIN); ALLOC: 0
 * @flags: mapping flags, plus %AXAS_MAP_POPULATE for populated Alloc areas
 * @backend: AXAS_BACKEND_*
 */
struct axas_area {
	__u64 gpa;
	__u64 size;
	__u64 hpa;
	__u32 flags;
	__u32 backend;
};

/**
 * struct axas_areas - argument of %AXAS_GET_AREAS
 * @areas: user pointer to struct axas_area[@capacity]
 * @capacity: in: number of entries at @areas
 * @count: out: number of areas; min(@count, @capacity) are written, sorted
 *	by gpa
 * @op_flags: none defined: must be 0
 * @pad: must be 0
 */
struct axas_areas {
	__u64 areas;
	__u32 capacity;
	__u32 count;
	__u32 op_flags;
	__u32 pad;
};

/**
 * struct axas_table_page - one 4 KiB table page in the %AXAS_DUMP_TABLES output
 * @hpa: host physical address of this table page
 * @level: 0: its entries map 4 KiB pages; 1: 2 MiB; 2: 1 GiB; 3: 512 GiB;
 *	4: EPT5 root
 * @index: for multi-page roots, which page of the root (0..n-1); else 0
 * @entries: raw entries, as the hardware would read them
 */
struct axas_table_page {
	__u64 hpa;
	__u32 level;
	__u32 index;
	__u64 entries[512];
};

/**
 * struct axas_dump - argument of %AXAS_DUMP_TABLES
 * @pages: user pointer to struct axas_table_page[@capacity]
 * @capacity: in: number of entries at @pages
 * @count: out: total table pages; root pages first in index order, then
 *	any order
 * @op_flags: none defined: must be 0
 * @pad: must be 0
 */
struct axas_dump {
	__u64 pages;
	__u32 capacity;
	__u32 count;
	__u32 op_flags;
	__u32 pad;
};

/* ioctls on the device fd (/dev/axaddrspace) */
#define AXAS_GET_API_VERSION	_IO(AXAS_IOC, 0x00)
#define AXAS_CREATE_SPACE	_IOW(AXAS_IOC, 0x01, struct axas_create)
#define AXAS_CHECK_EXTENSION	_IO(AXAS_IOC, 0x02)
#define AXAS_CREATE_MEMORY	_IOW(AXAS_IOC, 0x03, struct axas_create_memory)

/* ioctls on a space fd */
#define AXAS_MAP_LINEAR		_IOW(AXAS_IOC, 0x10, struct axas_map_linear)
#define AXAS_MAP_ALLOC		_IOW(AXAS_IOC, 0x11, struct axas_map_alloc)
#define AXAS_UNMAP		_IOW(AXAS_IOC, 0x12, struct axas_range)
#define AXAS_PROTECT		_IOW(AXAS_IOC, 0x13, struct axas_protect)
#define AXAS_TRANSLATE		_IOWR(AXAS_IOC, 0x14, struct axas_translate)
#define AXAS_HANDLE_FAULT	_IOWR(AXAS_IOC, 0x15, struct axas_fault)
#define AXAS_GET_INFO		_IOR(AXAS_IOC, 0x16, struct axas_info)
#define AXAS_CLEAR		_IO(AXAS_IOC, 0x17)
#define AXAS_GET_AREAS		_IOWR(AXAS_IOC, 0x18, struct axas_areas)
#define AXAS_DUMP_TABLES	_IOWR(AXAS_IOC, 0x19, struct axas_dump)
#define AXAS_TRANSLATE_BATCH	_IOWR(AXAS_IOC, 0x1a, struct axas_translate_batch)
#define AXAS_MAP_MEMORY		_IOW(AXAS_IOC, 0x1b, struct axas_map_memory)
#define AXAS_DISCARD		_IOW(AXAS_IOC, 0x1c, struct axas_range)

#endif /* _UAPI_LINUX_AXADDRSPACE_H */
