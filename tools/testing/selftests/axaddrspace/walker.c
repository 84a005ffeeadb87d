// SPDX-License-Identifier: GPL-2.0
/*
 * An independent reader of axaddrspace nested page tables, from formats.rst.
 *
 * Levels count from the leaf: level 0 entries map 4 KiB, so an entry at
 * level l covers 1 << (12 + 9 * l) bytes in every format. Only the root
 * differs between formats: it may be 2 or 4 contiguous pages whose entries
 * are indexed by the extra high bits of the gpa.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "walker.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define BIT(n)		(1ULL << (n))
#define GENMASK(h, l)	((~0ULL >> (63 - (h))) & (~0ULL << (l)))

#define PROT_RWX	(AXAS_READ | AXAS_WRITE | AXAS_EXEC)

struct fmt {
	const char *name;
	unsigned int levels;
	unsigned int gpa_bits;
	unsigned int root_pages;
	void (*decode)(unsigned int level, uint64_t e, struct axw_entry *d);
	uint32_t (*expressible)(uint32_t flags);
};

static uint64_t level_size(unsigned int level)
{
	return 1ULL << (12 + 9 * level);
}

/* A 2 MiB or 1 GiB leaf's output address must be aligned to its size. */
static bool misaligned(unsigned int level, uint64_t addr)
{
	return addr & (level_size(level) - 1);
}

static void set_why(struct axw_entry *d, bool bad, const char *why)
{
	if (!d->why)
		d->why = why;
	if (bad)
		d->kind = AXW_BAD;
}

/* Device and non-cacheable memory must never be executable (userspace-api.rst). */
static void check_exec_uc(struct axw_entry *d)
{
	if ((d->flags & AXAS_EXEC) && (d->flags & (AXAS_DEVICE | AXAS_UNCACHED)))
		set_why(d, false, "executable device or non-cacheable memory");
}

/* ---- Intel EPT ---------------------------------------------------------- */

#define EPT_R		BIT(0)
#define EPT_W		BIT(1)
#define EPT_RWX		GENMASK(2, 0)
#define EPT_MT		GENMASK(5, 3)
#define EPT_IPAT	BIT(6)
#define EPT_LARGE	BIT(7)
#define EPT_ADDR	GENMASK(51, 12)
#define EPT_MT_UC	0
#define EPT_MT_WB	6

static void ept_leaf(unsigned int level, uint64_t e, struct axw_entry *d)
{
	d->kind = AXW_LEAF;
	d->attr = (e & EPT_MT) >> 3;
	d->flags = e & EPT_RWX;		/* R, W, X are AXAS bits 0, 1, 2 */
	if (d->attr == EPT_MT_UC)
		d->flags |= AXAS_UNCACHED;
	if ((e & EPT_W) && !(e & EPT_R))
		set_why(d, true, "write without read (EPT misconfiguration)");
	if (level && misaligned(level, d->addr))
		set_why(d, true, "huge leaf address not aligned to its size");
	if (d->attr != EPT_MT_WB && d->attr != EPT_MT_UC)
		set_why(d, false, "memory type neither 6 (WB) nor 0 (UC)");
	if (e & EPT_IPAT)
		set_why(d, false, "IPAT (bit 6) set");
	if (!level && (e & EPT_LARGE))
		set_why(d, false, "bit 7 set in a 4 KiB leaf");
	if (e & ~(EPT_RWX | EPT_MT | EPT_IPAT | EPT_LARGE | EPT_ADDR))
		set_why(d, false, "reserved, ignored or A/D bits set");
	check_exec_uc(d);
}

static void ept_decode(unsigned int level, uint64_t e, struct axw_entry *d)
{
	if (!(e & EPT_RWX)) {
		if (e)
			set_why(d, false, "not present but not zero");
		return;
	}
	d->addr = e & EPT_ADDR;
	if (!level || (e & EPT_LARGE)) {
		if (level > 2)
			set_why(d, true, "bit 7 (leaf) set above level 2");
		else
			ept_leaf(level, e, d);
		return;
	}
	d->kind = AXW_TABLE;
	if ((e & EPT_RWX) != EPT_RWX)
		set_why(d, false, "table entry without all of R, W, X");
	if (e & ~(EPT_RWX | EPT_ADDR))
		set_why(d, false, "table entry with bits outside 2:0 and 51:12");
}

static uint32_t ept_expressible(uint32_t flags)
{
	uint32_t out = flags & PROT_RWX;

	if (flags & (AXAS_DEVICE | AXAS_UNCACHED))
		out |= AXAS_UNCACHED;
	return out;
}

/* ---- Arm64 stage 2, 4 KiB granule --------------------------------------- */

#define ARM_VALID	BIT(0)
#define ARM_PAGE	BIT(1)		/* table or page, not block */
#define ARM_MEMATTR	GENMASK(5, 2)
#define ARM_S2AP_R	BIT(6)
#define ARM_S2AP_W	BIT(7)
#define ARM_SH		GENMASK(9, 8)
#define ARM_AF		BIT(10)
#define ARM_XN0		BIT(53)
#define ARM_XN1		BIT(54)
#define ARM_ADDR	GENMASK(47, 12)
#define ARM_ATTRS	(ARM_MEMATTR | ARM_S2AP_R | ARM_S2AP_W | ARM_SH | \
			 ARM_AF | ARM_XN0 | ARM_XN1)
#define ARM_MA_WB	0xf
#define ARM_MA_DEVICE	0x1
#define ARM_MA_NC	0x5

static void arm_attrs(uint64_t e, struct axw_entry *d)
{
	d->attr = (e & ARM_MEMATTR) >> 2;
	d->flags |= (e & ARM_S2AP_R) ? AXAS_READ : 0;
	d->flags |= (e & ARM_S2AP_W) ? AXAS_WRITE : 0;
	d->flags |= (e & (ARM_XN0 | ARM_XN1)) ? 0 : AXAS_EXEC;
	if (d->attr == ARM_MA_DEVICE)
		d->flags |= AXAS_DEVICE;
	else if (d->attr == ARM_MA_NC)
		d->flags |= AXAS_UNCACHED;
	else if (d->attr != ARM_MA_WB)
		set_why(d, false, "MemAttr not 0b1111, 0b0001 or 0b0101");
	if ((e & ARM_SH) != ARM_SH)
		set_why(d, false, "SH not 0b11");
	if (!(e & ARM_AF))
		set_why(d, false, "AF clear (access flag fault)");
	if (e & ARM_XN0)
		set_why(d, false, "XN[0] (bit 53) set");
	if ((e & ARM_S2AP_W) && !(e & ARM_S2AP_R))
		set_why(d, false, "write without read");
	if (!(d->flags & PROT_RWX))
		set_why(d, false, "leaf grants no access");
	check_exec_uc(d);
}

static void arm_leaf(unsigned int level, uint64_t e, struct axw_entry *d)
{
	uint64_t low = GENMASK(12 + 9 * level - 1, 12);

	d->kind = AXW_LEAF;
	d->addr = e & ARM_ADDR & ~low;
	if (e & ~(ARM_VALID | ARM_PAGE | ARM_ATTRS | ARM_ADDR))
		set_why(d, false, "reserved or software bits set");
	if (level && (e & low))
		set_why(d, false, "block address bits below its size set");
	arm_attrs(e, d);
}

static void arm_decode(unsigned int level, uint64_t e, struct axw_entry *d)
{
	if (!(e & ARM_VALID)) {
		if (e)
			set_why(d, false, "invalid but not zero");
		return;
	}
	d->addr = e & ARM_ADDR;
	if (level && (e & ARM_PAGE)) {
		d->kind = AXW_TABLE;
		if (e & ~(ARM_VALID | ARM_PAGE | ARM_ADDR))
			set_why(d, false, "table entry with bits outside 1:0 and 47:12");
		return;
	}
	if (!level && !(e & ARM_PAGE))
		set_why(d, true, "0b01 at the page level is reserved");
	else if (level > 2)
		set_why(d, true, "block at level 3 (512 GiB) does not exist");
	else
		arm_leaf(level, e, d);
}

static uint32_t arm_expressible(uint32_t flags)
{
	uint32_t out = flags & (PROT_RWX | AXAS_DEVICE | AXAS_UNCACHED);

	if (out & AXAS_UNCACHED)
		out &= ~AXAS_DEVICE;
	return out;
}

/* ---- RISC-V G-stage ----------------------------------------------------- */

#define RV_V		BIT(0)
#define RV_R		BIT(1)
#define RV_W		BIT(2)
#define RV_X		BIT(3)
#define RV_U		BIT(4)
#define RV_G		BIT(5)
#define RV_A		BIT(6)
#define RV_D		BIT(7)
#define RV_RSW		GENMASK(9, 8)
#define RV_PPN		GENMASK(53, 10)
#define RV_HIGH		GENMASK(63, 54)

static uint64_t rv_addr(uint64_t e)
{
	return ((e & RV_PPN) >> 10) << 12;
}

static void rv_leaf(unsigned int level, uint64_t e, struct axw_entry *d)
{
	d->kind = AXW_LEAF;
	d->flags = (e >> 1) & PROT_RWX;		/* R, W, X are bits 1, 2, 3 */
	if ((e & RV_W) && !(e & RV_R))
		set_why(d, true, "W without R is reserved");
	if (misaligned(level, d->addr))
		set_why(d, true, "misaligned superpage");
	if (level > 2)
		set_why(d, false, "leaf above level 2");
	if (!(e & RV_U))
		set_why(d, false, "U clear");
	if (e & RV_G)
		set_why(d, false, "G set");
	if (!(e & RV_A))
		set_why(d, false, "A clear");
	if (!(e & RV_D) != !(e & RV_W))
		set_why(d, false, "D differs from W");
	if (e & (RV_RSW | RV_HIGH))
		set_why(d, false, "RSW, N, PBMT or reserved bits set");
}

static void rv_decode(unsigned int level, uint64_t e, struct axw_entry *d)
{
	if (!(e & RV_V)) {
		if (e)
			set_why(d, false, "not valid but not zero");
		return;
	}
	d->addr = rv_addr(e);
	if (e & (RV_R | RV_W | RV_X)) {
		rv_leaf(level, e, d);
		return;
	}
	d->kind = AXW_TABLE;
	if (!level)
		set_why(d, true, "table pointer at level 0");
	if (e & ~(RV_V | RV_PPN))
		set_why(d, false, "table entry with bits other than V and PPN");
}

static uint32_t rv_expressible(uint32_t flags)
{
	return flags & PROT_RWX;
}

/* ---- AMD NPT (x86-64 long-mode entries) --------------------------------- */

#define NPT_P		BIT(0)
#define NPT_RW		BIT(1)
#define NPT_US		BIT(2)
#define NPT_PWT		BIT(3)
#define NPT_PCD		BIT(4)
#define NPT_A		BIT(5)
#define NPT_D		BIT(6)
#define NPT_PS		BIT(7)
#define NPT_G		BIT(8)
#define NPT_ADDR	GENMASK(51, 12)
#define NPT_NX		BIT(63)
#define NPT_TABLE	(NPT_P | NPT_RW | NPT_US)
#define NPT_LEAF_BITS	(NPT_P | NPT_RW | NPT_US | NPT_PWT | NPT_PCD | NPT_A | \
			 NPT_D | NPT_PS | NPT_ADDR | NPT_NX)

static void npt_leaf(unsigned int level, uint64_t e, struct axw_entry *d)
{
	uint64_t low = level ? GENMASK(12 + 9 * level - 1, 12) : 0;

	d->kind = AXW_LEAF;
	d->addr = e & NPT_ADDR & ~low;
	d->attr = (e & (NPT_PWT | NPT_PCD)) >> 3;
	d->flags = AXAS_READ;			/* a present entry reads */
	d->flags |= (e & NPT_RW) ? AXAS_WRITE : 0;
	d->flags |= (e & NPT_NX) ? 0 : AXAS_EXEC;
	d->flags |= (e & NPT_PCD) ? AXAS_UNCACHED : 0;
	if (level && (e & low))
		set_why(d, true, "PAT or address bits below a huge leaf's size set");
	if (!(e & NPT_US))
		set_why(d, true, "U/S clear (nested walks are user accesses)");
	if (d->attr != 0 && d->attr != 3)
		set_why(d, false, "PWT and PCD differ");
	if (!(e & NPT_A))
		set_why(d, false, "A clear");
	if (!(e & NPT_D) != !(e & NPT_RW))
		set_why(d, false, "D differs from R/W");
	if (!level && (e & NPT_PS))
		set_why(d, false, "PAT (bit 7) set in a 4 KiB leaf");
	if (e & ~NPT_LEAF_BITS)
		set_why(d, false, "G, software or reserved bits set");
	check_exec_uc(d);
}

static void npt_decode(unsigned int level, uint64_t e, struct axw_entry *d)
{
	if (!(e & NPT_P)) {
		if (e)
			set_why(d, false, "not present but not zero");
		return;
	}
	d->addr = e & NPT_ADDR;
	if (!level || (e & NPT_PS)) {
		if (level > 2)
			set_why(d, true, "PS set in a PML4E or PML5E (reserved)");
		else
			npt_leaf(level, e, d);
		return;
	}
	d->kind = AXW_TABLE;
	if ((e & NPT_TABLE) != NPT_TABLE)
		set_why(d, (e & NPT_US) == 0, "table entry without all of P, R/W, U/S");
	if (e & ~(NPT_TABLE | NPT_ADDR))
		set_why(d, false, "table entry with bits outside 2:0 and 51:12");
}

static uint32_t npt_expressible(uint32_t flags)
{
	uint32_t out = (flags & PROT_RWX) | AXAS_READ;

	if (flags & (AXAS_DEVICE | AXAS_UNCACHED))
		out |= AXAS_UNCACHED;
	return out;
}

/* ---- Formats ------------------------------------------------------------ */

static const struct fmt fmts[] = {
	[AXAS_FMT_X86_EPT4] = { "ept4", 4, 48, 1, ept_decode, ept_expressible },
	[AXAS_FMT_X86_EPT5] = { "ept5", 5, 57, 1, ept_decode, ept_expressible },
	[AXAS_FMT_ARM64_S2_40] = { "arm40", 3, 40, 2, arm_decode, arm_expressible },
	[AXAS_FMT_ARM64_S2_48] = { "arm48", 4, 48, 1, arm_decode, arm_expressible },
	[AXAS_FMT_RISCV_SV39X4] = { "sv39x4", 3, 41, 4, rv_decode, rv_expressible },
	[AXAS_FMT_RISCV_SV48X4] = { "sv48x4", 4, 50, 4, rv_decode, rv_expressible },
	[AXAS_FMT_X86_NPT4] = { "npt4", 4, 48, 1, npt_decode, npt_expressible },
	[AXAS_FMT_X86_NPT5] = { "npt5", 5, 57, 1, npt_decode, npt_expressible },
	[AXAS_FMT_RISCV_SV57X4] = { "sv57x4", 5, 59, 4, rv_decode, rv_expressible },
};

static const struct fmt *fmt_of(unsigned int format)
{
	if (format >= ARRAY_SIZE(fmts) || !fmts[format].name)
		return NULL;
	return &fmts[format];
}

int axw_format_by_name(const char *name)
{
	unsigned int i;

	if (!strcmp(name, "native"))
		return AXAS_FMT_NATIVE;
	for (i = 1; i < ARRAY_SIZE(fmts); i++)
		if (fmts[i].name && !strcmp(name, fmts[i].name))
			return i;
	return -1;
}

const char *axw_format_name(unsigned int format)
{
	const struct fmt *f = fmt_of(format);

	if (format == AXAS_FMT_NATIVE)
		return "native";
	return f ? f->name : "unknown";
}

unsigned int axw_root_pages(unsigned int format)
{
	const struct fmt *f = fmt_of(format);

	return f ? f->root_pages : 0;
}

int axw_set_format(struct axw_tables *t, unsigned int format)
{
	const struct fmt *f = fmt_of(format);

	if (!f)
		return -1;
	t->format = format;
	t->levels = f->levels;
	t->gpa_bits = f->gpa_bits;
	return 0;
}

uint32_t axw_expressible(unsigned int format, uint32_t flags)
{
	const struct fmt *f = fmt_of(format);

	return f ? f->expressible(flags) : 0;
}

void axw_decode(unsigned int format, unsigned int level, uint64_t e,
		struct axw_entry *d)
{
	const struct fmt *f = fmt_of(format);

	memset(d, 0, sizeof(*d));
	if (!f) {
		set_why(d, true, "unknown format");
		return;
	}
	f->decode(level, e, d);
}

char *axw_flags_str(uint32_t flags, char *buf, size_t len)
{
	snprintf(buf, len, "%c%c%c%s%s%s%s",
		 flags & AXAS_READ ? 'r' : '-', flags & AXAS_WRITE ? 'w' : '-',
		 flags & AXAS_EXEC ? 'x' : '-', flags & AXAS_USER ? ",user" : "",
		 flags & AXAS_DEVICE ? ",device" : "",
		 flags & AXAS_UNCACHED ? ",uncached" : "",
		 flags & AXAS_MAP_POPULATE ? ",populate" : "");
	return buf;
}

static const char *size_str(unsigned int level)
{
	static const char * const names[] = { "4K", "2M", "1G", "512G", "256T" };

	return level < 5 ? names[level] : "?";
}

char *axw_entry_str(unsigned int format, unsigned int level, uint64_t e,
		    char *buf, size_t len)
{
	static const char * const kinds[] = { "none", "table", "leaf", "BAD" };
	struct axw_entry d;
	char fl[48];
	int n;

	axw_decode(format, level, e, &d);
	n = snprintf(buf, len, "%016llx %s", (unsigned long long)e, kinds[d.kind]);
	if (d.kind == AXW_TABLE)
		n += snprintf(buf + n, len - n, " -> 0x%llx", (unsigned long long)d.addr);
	else if (d.kind == AXW_LEAF)
		n += snprintf(buf + n, len - n, " %s hpa=0x%llx %s", size_str(level),
			      (unsigned long long)d.addr,
			      axw_flags_str(d.flags, fl, sizeof(fl)));
	if (d.why && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " [%s]", d.why);
	return buf;
}

/* ---- Walking ------------------------------------------------------------ */

struct pidx {
	uint64_t hpa;
	unsigned int i;
};

struct walk {
	const struct axw_tables *t;
	const struct fmt *f;
	unsigned int rp;		/* root pages */
	struct pidx *idx;		/* dumped pages sorted by hpa */
	unsigned char *seen;
	struct axw_report *r;		/* NULL: problems are not recorded */
	axw_leaf_fn fn;
	void *arg;
	int stop;
};

static void problem(struct walk *w, const char *fmt, ...)
{
	struct axw_report *r = w->r;
	va_list ap;

	if (!r)
		return;
	r->errors++;
	if (r->nmsgs >= AXW_MAX_MSGS)
		return;
	va_start(ap, fmt);
	vsnprintf(r->msgs[r->nmsgs++], AXW_MSG_LEN, fmt, ap);
	va_end(ap);
}

static int pidx_cmp(const void *a, const void *b)
{
	const struct pidx *x = a, *y = b;

	return x->hpa < y->hpa ? -1 : x->hpa > y->hpa;
}

static int lookup(const struct walk *w, uint64_t hpa)
{
	struct pidx key = { .hpa = hpa }, *p;

	p = bsearch(&key, w->idx, w->t->count, sizeof(key), pidx_cmp);
	return p ? (int)p->i : -1;
}

static int geometry_ok(const struct axw_tables *t, const struct fmt *f)
{
	return f && t->pages && t->levels == f->levels &&
	       t->gpa_bits == f->gpa_bits && t->count >= f->root_pages;
}

static void check_roots(struct walk *w)
{
	const struct axw_tables *t = w->t;
	uint64_t root = t->root_hpa ? t->root_hpa : t->pages[0].hpa;
	unsigned int i;

	if (root & (w->rp * AXW_PAGE_SIZE - 1))
		problem(w, "root 0x%llx not aligned to its %u pages",
			(unsigned long long)root, w->rp);
	for (i = 0; i < w->rp; i++) {
		const struct axas_table_page *p = &t->pages[i];

		if (p->hpa != root + i * AXW_PAGE_SIZE || p->index != i ||
		    p->level != t->levels - 1)
			problem(w, "page %u (0x%llx level %u index %u) is not root page %u 0x%llx",
				i, (unsigned long long)p->hpa, p->level, p->index, i,
				(unsigned long long)(root + i * AXW_PAGE_SIZE));
	}
}

static int walk_init(struct walk *w, const struct axw_tables *t,
		     struct axw_report *r)
{
	unsigned int i;

	memset(w, 0, sizeof(*w));
	w->t = t;
	w->r = r;
	w->f = fmt_of(t->format);
	if (!geometry_ok(t, w->f)) {
		problem(w, "format %u with %u levels, %u gpa bits and %u pages: bad geometry",
			t->format, t->levels, t->gpa_bits, t->count);
		return -EINVAL;
	}
	w->rp = w->f->root_pages;
	w->idx = calloc(t->count, sizeof(*w->idx));
	w->seen = calloc(t->count, 1);
	if (!w->idx || !w->seen)
		return -ENOMEM;
	for (i = 0; i < t->count; i++)
		w->idx[i] = (struct pidx){ t->pages[i].hpa, i };
	qsort(w->idx, t->count, sizeof(*w->idx), pidx_cmp);
	for (i = 1; i < t->count; i++)
		if (w->idx[i].hpa == w->idx[i - 1].hpa)
			problem(w, "pages %u and %u both have hpa 0x%llx", w->idx[i - 1].i,
				w->idx[i].i, (unsigned long long)w->idx[i].hpa);
	check_roots(w);
	memset(w->seen, 1, w->rp);
	return 0;
}

static void walk_fini(struct walk *w)
{
	free(w->idx);
	free(w->seen);
}

static void walk_table(struct walk *w, const struct axas_table_page *pg,
		       unsigned int npg, unsigned int level, uint64_t base);

static void fill_leaf(struct axw_leaf *l, const struct axw_entry *d,
		      unsigned int level, uint64_t gpa, uint64_t e)
{
	l->gpa = gpa & ~(level_size(level) - 1);
	l->size = level_size(level);
	l->hpa = d->addr;
	l->out = d->addr + (gpa - l->gpa);
	l->flags = d->flags;
	l->level = level;
	l->entry = e;
	l->why = d->why;
}

static void visit_leaf(struct walk *w, const struct axw_entry *d,
		       unsigned int level, uint64_t gpa, uint64_t e)
{
	const struct axw_tables *t = w->t;
	struct axw_leaf l;

	fill_leaf(&l, d, level, gpa, e);
	if (t->size && (l.gpa < t->base || l.gpa + l.size > t->base + t->size))
		problem(w, "leaf %s at gpa 0x%llx lies outside the space", size_str(level),
			(unsigned long long)gpa);
	if (w->r) {
		w->r->leaves++;
		w->r->mapped_bytes += l.size;
	}
	if (w->fn)
		w->stop = w->fn(&l, w->arg);
}

static void visit_table(struct walk *w, const struct axw_entry *d,
			unsigned int level, uint64_t gpa)
{
	const struct axas_table_page *child;
	int i = lookup(w, d->addr);

	if (i < 0) {
		problem(w, "level %u entry for gpa 0x%llx points to 0x%llx, not a dumped page",
			level, (unsigned long long)gpa, (unsigned long long)d->addr);
		return;
	}
	child = &w->t->pages[i];
	if (w->seen[i]) {
		problem(w, "table page 0x%llx reached a second time (level %u, gpa 0x%llx)",
			(unsigned long long)d->addr, level, (unsigned long long)gpa);
		return;
	}
	w->seen[i] = 1;
	if (child->level != level - 1 || child->index)
		problem(w, "page 0x%llx dumped as level %u index %u, reached at level %u",
			(unsigned long long)child->hpa, child->level, child->index,
			level - 1);
	walk_table(w, child, 1, level - 1, gpa);
}

static void visit(struct walk *w, uint64_t e, unsigned int level, uint64_t gpa)
{
	struct axw_entry d;
	char buf[160];

	axw_decode(w->t->format, level, e, &d);
	if (d.why)
		problem(w, "level %u gpa 0x%llx: %s", level, (unsigned long long)gpa,
			axw_entry_str(w->t->format, level, e, buf, sizeof(buf)));
	if (d.kind == AXW_TABLE)
		visit_table(w, &d, level, gpa);
	else if (d.kind == AXW_LEAF)
		visit_leaf(w, &d, level, gpa, e);
}

static void walk_table(struct walk *w, const struct axas_table_page *pg,
		       unsigned int npg, unsigned int level, uint64_t base)
{
	unsigned int n, live = 0;

	for (n = 0; n < npg * AXW_ENTRIES && !w->stop; n++) {
		uint64_t e = pg[n / AXW_ENTRIES].entries[n % AXW_ENTRIES];

		if (!e)
			continue;
		live++;
		visit(w, e, level, base + n * level_size(level));
	}
	if (!live && level != w->t->levels - 1)
		problem(w, "table page 0x%llx (level %u) has no entry and was not freed",
			(unsigned long long)pg->hpa, level);
}

int axw_walk_leaves(const struct axw_tables *t, axw_leaf_fn fn, void *arg)
{
	struct walk w;
	int ret = walk_init(&w, t, NULL);

	if (!ret) {
		w.fn = fn;
		w.arg = arg;
		walk_table(&w, t->pages, w.rp, t->levels - 1, 0);
		ret = w.stop;
	}
	walk_fini(&w);
	return ret;
}

static void check_counts(struct walk *w)
{
	const struct axw_tables *t = w->t;
	unsigned int i;

	for (i = 0; i < t->count; i++) {
		if (w->seen[i]) {
			w->r->reachable++;
			continue;
		}
		problem(w, "page %u (hpa 0x%llx, level %u) is not reachable from the root",
			i, (unsigned long long)t->pages[i].hpa, t->pages[i].level);
	}
	if (t->table_pages && t->table_pages != w->r->reachable)
		problem(w, "table_pages is %llu but %u pages are reachable",
			(unsigned long long)t->table_pages, w->r->reachable);
	if (t->table_pages && t->table_pages != t->count)
		problem(w, "table_pages is %llu but %u pages were dumped",
			(unsigned long long)t->table_pages, t->count);
}

unsigned int axw_check(const struct axw_tables *t, struct axw_report *r)
{
	struct walk w;

	memset(r, 0, sizeof(*r));
	if (!walk_init(&w, t, r)) {
		walk_table(&w, t->pages, w.rp, t->levels - 1, 0);
		check_counts(&w);
	}
	walk_fini(&w);
	return r->errors;
}

void axw_report_print(FILE *f, const struct axw_report *r)
{
	unsigned int i;

	fprintf(f, "walker: %u problem(s), %u table pages reachable, %llu leaves, %llu bytes\n",
		r->errors, r->reachable, (unsigned long long)r->leaves,
		(unsigned long long)r->mapped_bytes);
	for (i = 0; i < r->nmsgs; i++)
		fprintf(f, "walker:   %s\n", r->msgs[i]);
	if (r->errors > r->nmsgs)
		fprintf(f, "walker:   ... and %u more\n", r->errors - r->nmsgs);
}

/* ---- Translation -------------------------------------------------------- */

static const struct axas_table_page *find_page(const struct axw_tables *t,
					       uint64_t hpa)
{
	unsigned int i;

	for (i = 0; i < t->count; i++)
		if (t->pages[i].hpa == hpa)
			return &t->pages[i];
	return NULL;
}

int axw_translate(const struct axw_tables *t, uint64_t gpa,
		  struct axw_leaf *leaf)
{
	const struct fmt *f = fmt_of(t->format);
	const struct axas_table_page *pg = t->pages;
	unsigned int level = t->levels - 1;
	uint64_t n, mask;
	struct axw_entry d;

	if (!geometry_ok(t, f) || gpa >> t->gpa_bits)
		return -EINVAL;
	mask = (uint64_t)f->root_pages * AXW_ENTRIES - 1;
	for (;;) {
		n = (gpa >> (12 + 9 * level)) & mask;
		axw_decode(t->format, level, pg[n / AXW_ENTRIES].entries[n % AXW_ENTRIES], &d);
		if (d.kind == AXW_NONE)
			return -ENOENT;
		if (d.kind == AXW_BAD)
			return -EBADMSG;
		if (d.kind == AXW_LEAF)
			break;
		pg = find_page(t, d.addr);
		if (!pg)
			return -EFAULT;
		level--;
		mask = AXW_ENTRIES - 1;
	}
	fill_leaf(leaf, &d, level, gpa, pg[n / AXW_ENTRIES].entries[n % AXW_ENTRIES]);
	return 0;
}
