/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An independent reader of axaddrspace nested page tables.
 *
 * Written from the description of the formats (Documentation/formats.rst) only,
 * without the module's encoder, so that it can judge the tables the module
 * builds: it walks the raw entries of an AXAS_DUMP_TABLES output the way
 * the hardware would, decodes leaves back into AXAS_* flags and checks the
 * structural rules every correct table satisfies.
 */
#ifndef AXAS_WALKER_H
#define AXAS_WALKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/axaddrspace.h>

#define AXW_PAGE_SIZE	4096ULL
#define AXW_ENTRIES	512

/**
 * struct axw_tables - one dumped nested page table and its geometry
 * @pages: AXAS_DUMP_TABLES output, root pages first in index order
 * @count: number of entries at @pages
 * @format: resolved AXAS_FMT_* (AXAS_GET_INFO.format, never NATIVE)
 * @levels: AXAS_GET_INFO.levels
 * @gpa_bits: AXAS_GET_INFO.gpa_bits
 * @root_hpa: AXAS_GET_INFO.root_hpa; 0: take the first dumped page
 * @base: first gpa of the space; with @size, leaves outside are reported
 * @size: size of the space; 0: leaves are not checked against the space
 * @table_pages: AXAS_GET_INFO.table_pages; 0: not compared
 */
struct axw_tables {
	const struct axas_table_page *pages;
	unsigned int count;
	unsigned int format;
	unsigned int levels;
	unsigned int gpa_bits;
	uint64_t root_hpa;
	uint64_t base;
	uint64_t size;
	uint64_t table_pages;
};

/* What the hardware makes of one entry. */
enum axw_kind {
	AXW_NONE,	/* not present */
	AXW_TABLE,	/* points to the next level */
	AXW_LEAF,	/* maps a 4 KiB page, a 2 MiB or a 1 GiB block */
	AXW_BAD,	/* present but unusable: the hardware would fault */
};

/**
 * struct axw_entry - one decoded entry
 * @kind: see enum axw_kind
 * @addr: next table (AXW_TABLE) or output address (AXW_LEAF)
 * @flags: AXAS_* flags of a leaf, as far as the format can express them
 * @attr: format specific attribute value (EPT memory type, Arm MemAttr)
 * @why: NULL when the entry obeys formats.rst, else what is wrong
 */
struct axw_entry {
	enum axw_kind kind;
	uint64_t addr;
	uint32_t flags;
	uint32_t attr;
	const char *why;
};

/**
 * struct axw_leaf - one leaf found by a walk
 * @gpa: first guest physical address the leaf maps
 * @size: 4 KiB, 2 MiB or 1 GiB
 * @hpa: host physical address the leaf maps @gpa to
 * @out: for axw_translate(): host physical address of the requested gpa
 * @flags: decoded AXAS_* flags
 * @level: table level of the entry (0: 4 KiB)
 * @entry: the raw entry
 * @why: NULL when the entry obeys formats.rst, else what is wrong
 */
struct axw_leaf {
	uint64_t gpa;
	uint64_t size;
	uint64_t hpa;
	uint64_t out;
	uint32_t flags;
	unsigned int level;
	uint64_t entry;
	const char *why;
};

#define AXW_MAX_MSGS	16
#define AXW_MSG_LEN	160

/**
 * struct axw_report - result of axw_check()
 * @errors: number of problems found
 * @reachable: table pages reachable from the root, root pages included
 * @leaves: number of leaves found
 * @mapped_bytes: bytes covered by the leaves
 * @nmsgs: messages stored in @msgs (the first AXW_MAX_MSGS problems)
 * @msgs: one line per problem
 */
struct axw_report {
	unsigned int errors;
	unsigned int reachable;
	uint64_t leaves;
	uint64_t mapped_bytes;
	unsigned int nmsgs;
	char msgs[AXW_MAX_MSGS][AXW_MSG_LEN];
};

/* Called for every leaf by axw_walk_leaves(); non-zero stops the walk. */
typedef int (*axw_leaf_fn)(const struct axw_leaf *leaf, void *arg);

/* Format names as axasctl spells them ("ept4", ..., "native"), -1 if unknown. */
int axw_format_by_name(const char *name);
const char *axw_format_name(unsigned int format);
/* Number of pages of the root table of @format (1, 2 or 4), 0 if unknown. */
unsigned int axw_root_pages(unsigned int format);
/* Fill @t's geometry (levels, gpa_bits) from @format; -1 if unknown. */
int axw_set_format(struct axw_tables *t, unsigned int format);

/* The AXAS_* flags a leaf of @format reads back for an area with @flags. */
uint32_t axw_expressible(unsigned int format, uint32_t flags);

/* Decode the raw entry @e found at @level of a table of @format. */
void axw_decode(unsigned int format, unsigned int level, uint64_t e,
		struct axw_entry *d);
/* Describe @e in words ("leaf 2M hpa=0x... rw- wb"), returns @buf. */
char *axw_entry_str(unsigned int format, unsigned int level, uint64_t e,
		    char *buf, size_t len);
/* "rwx", "rw-,dev", ...: @flags in words, returns @buf. */
char *axw_flags_str(uint32_t flags, char *buf, size_t len);

/*
 * Translate @gpa by walking from the root. Returns 0 and fills @leaf, or
 * -EINVAL (gpa beyond the format's input bits or bad geometry), -ENOENT
 * (no present leaf), -EFAULT (a table entry points to a page that is not in
 * the dump), -EBADMSG (an entry the hardware would refuse).
 */
int axw_translate(const struct axw_tables *t, uint64_t gpa,
		  struct axw_leaf *leaf);

/*
 * Call @fn for every leaf reachable from the root, in gpa order. Pages
 * reached twice are not walked again. Returns the first non-zero value of
 * @fn, -EINVAL for bad geometry, else 0.
 */
int axw_walk_leaves(const struct axw_tables *t, axw_leaf_fn fn, void *arg);

/*
 * Check every rule of formats.rst that a dump alone can show; returns the
 * number of problems (also in @r->errors).
 */
unsigned int axw_check(const struct axw_tables *t, struct axw_report *r);
void axw_report_print(FILE *f, const struct axw_report *r);

#endif /* AXAS_WALKER_H */
