// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzer's checks (fuzz.h): a failure's report, errno and info
 * comparisons, the area listing, and the dumped tables walked with walker.c
 * against the model.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fuzz.h"
#include "walker.h"

void describe(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->desc, sizeof(c->desc), fmt, ap);
	va_end(ap);
	if (c->verbose && (c->only_slot < 0 || c->only_slot == c->slot))
		printf("#   op %" PRIu64 " slot %d: %s\n", c->op, c->slot, c->desc);
}

void fail(struct ctx *c, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	c->fail_op = c->op;
	c->fail_slot = c->slot;
	n = snprintf(c->msg, sizeof(c->msg), "%s: ", c->desc);
	va_start(ap, fmt);
	vsnprintf(c->msg + n, sizeof(c->msg) - n, fmt, ap);
	va_end(ap);
}

const char *ename(int e)
{
	static const char *const names[] = {
		[0] = "0", [EPERM] = "EPERM", [ENOENT] = "ENOENT", [EIO] = "EIO",
		[ENOMEM] = "ENOMEM", [EFAULT] = "EFAULT", [EEXIST] = "EEXIST",
		[EINVAL] = "EINVAL", [ENOSPC] = "ENOSPC", [ENOTTY] = "ENOTTY",
		[EACCES] = "EACCES", [EAGAIN] = "EAGAIN", [EBADF] = "EBADF",
		[EOPNOTSUPP] = "EOPNOTSUPP",
	};

	if (e >= 0 && e < (int)ARRAY_SIZE(names) && names[e])
		return names[e];
	return "E?";
}

bool expect_err(struct ctx *c, int got, int want)
{
	if (got == want)
		return true;
	if (!injected_enomem(c, got))
		fail(c, "got %s, model says %s", ename(got), ename(want));
	return false;
}

/* ---- Checks against the model -------------------------------------------- */

void check_info(struct ctx *c, struct space *s)
{
	struct axas_info i;
	unsigned int rp = axw_root_pages(s->format), k;
	uint64_t want_root;
	int ret;

	memset(&i, 0xa5, sizeof(i));
	ret = fuzz_ioctl(s->fd, AXAS_GET_INFO, &i);
	if (!expect_err(c, ret, 0))
		return;
	if (i.base != s->base || i.size != s->size || i.format != s->format ||
	    i.levels != s->levels || i.gpa_bits != s->gpa_bits || i.flags)
		return fail(c, "info geometry %#llx+%#llx fmt %u levels %u bits %u flags %u",
			    (unsigned long long)i.base, (unsigned long long)i.size,
			    i.format, i.levels, i.gpa_bits, i.flags);
	for (k = 0; k < 4; k++)
		if (i.reserved[k])
			return fail(c, "info reserved[%u] = %#llx", k,
				    (unsigned long long)i.reserved[k]);
	if (!i.root_hpa || i.root_hpa & (rp * PG - 1))
		return fail(c, "info root_hpa %#llx", (unsigned long long)i.root_hpa);
	want_root = hw_root_of(s->format, i.root_hpa, s->levels);
	if (i.hw_root != want_root)
		return fail(c, "info hw_root %#llx, want %#llx",
			    (unsigned long long)i.hw_root, (unsigned long long)want_root);
	if (i.hw_ctl != hw_ctl_of(s->format))
		return fail(c, "info hw_ctl %#llx", (unsigned long long)i.hw_ctl);
	if (i.table_pages < rp)
		return fail(c, "info table_pages %llu", (unsigned long long)i.table_pages);
	if (i.nr_areas != s->m.na || i.mapped_bytes != model_mapped(&s->m) ||
	    i.alloc_pages != s->m.nf - s->m.nmem || i.faults_handled != s->m.faults)
		return fail(c, "nr %llu mapped %#llx frames %llu faults %llu; %s %u %#llx %u %llu",
			    (unsigned long long)i.nr_areas, (unsigned long long)i.mapped_bytes,
			    (unsigned long long)i.alloc_pages,
			    (unsigned long long)i.faults_handled, "model", s->m.na,
			    (unsigned long long)model_mapped(&s->m), s->m.nf - s->m.nmem,
			    (unsigned long long)s->m.faults);
}

static bool area_equal(const struct axas_area *k, const struct area *a)
{
	return k->gpa == a->gpa && k->size == a->size && k->flags == a->flags &&
	       k->backend == a->backend &&
	       k->hpa == (a->backend == AXAS_BACKEND_LINEAR ? a->hpa : 0);
}

static void area_mismatch(struct ctx *c, unsigned int i, const struct axas_area *k,
			  const struct area *a)
{
	fail(c, "area %u: kernel %#llx+%#llx hpa %#llx flags %#x backend %u; "
	     "model %#llx+%#llx hpa %#llx flags %#x backend %u",
	     i, (unsigned long long)k->gpa, (unsigned long long)k->size,
	     (unsigned long long)k->hpa, k->flags, k->backend,
	     (unsigned long long)a->gpa, (unsigned long long)a->size,
	     (unsigned long long)(a->backend == AXAS_BACKEND_LINEAR ? a->hpa : 0),
	     a->flags, a->backend);
}

/*
 * AXAS_GET_AREAS, as expect_err(c, ret, 0): true when it succeeded. The
 * listing restarts when writers change the areas meanwhile and gives up
 * with EAGAIN after 8 restarts (ABI v2): only other threads can do that.
 */
bool get_areas(struct ctx *c, struct space *s, struct axas_areas *q)
{
	int ret = fuzz_ioctl(s->fd, AXAS_GET_AREAS, q);

	if (ret == EAGAIN && c->threaded) {
		c->eagain++;
		return false;
	}
	return expect_err(c, ret, 0);
}

/*
 * The listing @k of @count areas into @cap entries (filled with 0xa5
 * first) against model @m: its window's areas exactly, nothing written
 * beyond the count or the capacity.
 */
static void check_listing(struct ctx *c, const struct model *m,
			  const struct axas_area *k, uint32_t count, unsigned int cap)
{
	unsigned int i, j, win = 0;

	for (i = 0, j = 0; i < count && i < cap; i++) {
		if (k[i].gpa < m->lo || k[i].gpa >= m->hi)
			continue;
		win++;
		if (j >= m->na || !area_equal(&k[i], &m->a[j])) {
			if (j < m->na)
				area_mismatch(c, i, &k[i], &m->a[j]);
			else
				fail(c, "area %u at %#llx not in the model", i,
				     (unsigned long long)k[i].gpa);
			return;
		}
		j++;
	}
	if (c->threaded && win != m->na)
		fail(c, "%u areas in the slice, model %u", win, m->na);
	/* A restarted listing zeroes what an abandoned attempt wrote. */
	else if (i < cap && k[i].gpa != 0xa5a5a5a5a5a5a5a5ULL &&
		 (!c->threaded || k[i].gpa || k[i].size))
		fail(c, "get-areas wrote entry %u beyond count %u", i, count);
	else if (cap < count && k[cap].gpa != 0xa5a5a5a5a5a5a5a5ULL)
		fail(c, "get-areas wrote beyond capacity %u", cap);
}

/* All areas of the space; the model's window must match exactly. */
void check_areas(struct ctx *c, struct space *s, uint32_t cap_hint)
{
	struct model *m = &s->m;
	struct axas_areas q = { 0 };
	struct axas_area *k;
	unsigned int cap;

	if (!get_areas(c, s, &q))
		return;
	if (!c->threaded && q.count != m->na)
		return fail(c, "get-areas count %u, model %u", q.count, m->na);
	/* Threads: others may add areas meanwhile; be generous. */
	cap = c->threaded ? 8192 : cap_hint;
	k = malloc((cap + 1) * sizeof(*k));
	memset(k, 0xa5, (cap + 1) * sizeof(*k));
	q.areas = (uintptr_t)k;
	q.capacity = cap;
	if (!get_areas(c, s, &q))
		goto out;
	if (!c->threaded && q.count != m->na) {
		fail(c, "get-areas count %u, model %u", q.count, m->na);
		goto out;
	}
	if (c->threaded && q.count > cap) {
		fail(c, "get-areas count %u > %u (other threads map nothing outside their slices)",
		     q.count, cap);
		goto out;
	}
	check_listing(c, m, k, q.count, cap);
out:
	free(k);
}

struct leafcheck {
	struct ctx *c;
	struct space *s;
	uint64_t bytes;			/* leaf bytes inside the window */
	uint64_t *hpas;			/* hpa of every alloc frame seen */
	uint64_t nhpa;
};

/* A leaf of linear area @a: the hpa and the size the model says. */
static int check_linear_leaf(struct ctx *c, const struct axw_leaf *l,
			     const struct area *a)
{
	uint64_t want = leaf_size(a, l->gpa, a->hpa + (l->gpa - a->gpa), SZ_1G);

	if (l->hpa != a->hpa + (l->gpa - a->gpa) || l->size != want) {
		fail(c, "linear leaf %#llx: hpa %#llx size %#llx; model %#llx %#llx",
		     (unsigned long long)l->gpa, (unsigned long long)l->hpa,
		     (unsigned long long)l->size,
		     (unsigned long long)(a->hpa + (l->gpa - a->gpa)),
		     (unsigned long long)want);
		return 1;
	}
	return 0;
}

/*
 * The pages of an alloc leaf: each has a frame in the model, at the hpa it
 * had before if the model knew one; the hpas are collected in @lc.
 */
static int check_leaf_frames(struct leafcheck *lc, const struct axw_leaf *l)
{
	struct ctx *c = lc->c;
	struct model *m = &lc->s->m;
	struct frame *f;
	uint64_t g, h;

	for (g = l->gpa; g < l->gpa + l->size; g += PG) {
		f = frame_find(m, g);
		h = l->hpa + (g - l->gpa);
		if (!f) {
			fail(c, "leaf maps %#llx, which has no frame in the model",
			     (unsigned long long)g);
			return 1;
		}
		if (f->hpa && f->hpa != h) {
			fail(c, "frame of %#llx moved from %#llx to %#llx",
			     (unsigned long long)g, (unsigned long long)f->hpa,
			     (unsigned long long)h);
			return 1;
		}
		f->hpa = h;
		/* Memory fd frames may be mapped twice: by two areas. */
		if (!f->mem)
			lc->hpas[lc->nhpa++ % (m->nf + 1)] = h;
	}
	return 0;
}

static int check_leaf(const struct axw_leaf *l, void *arg)
{
	struct leafcheck *lc = arg;
	struct ctx *c = lc->c;
	struct model *m = &lc->s->m;
	const struct area *a;
	uint64_t want;

	if (l->gpa + l->size <= m->lo || l->gpa >= m->hi)
		return 0;
	if (l->why) {
		fail(c, "walker: leaf at %#llx: %s", (unsigned long long)l->gpa, l->why);
		return 1;
	}
	a = area_find(m, l->gpa);
	if (!a || l->gpa + l->size > aend(a)) {
		fail(c, "leaf %#llx+%#llx is not inside one area of the model",
		     (unsigned long long)l->gpa, (unsigned long long)l->size);
		return 1;
	}
	lc->bytes += l->size;
	if (l->flags != axw_expressible(lc->s->format, a->flags & AXAS_PROT_MASK)) {
		fail(c, "leaf %#llx: flags %#x, area flags %#x", (unsigned long long)l->gpa,
		     l->flags, a->flags);
		return 1;
	}
	if (a->backend == AXAS_BACKEND_LINEAR)
		return check_linear_leaf(c, l, a);
	if (a->backend == AXAS_BACKEND_MEMORY)
		want = mem_leaf_max(c, a, l->gpa);
	else
		want = lazy(a) ? PG : leaf_size(a, l->gpa, l->gpa, SZ_2M);
	if (l->size != PG && l->size != want) {
		fail(c, "alloc/memory leaf %#llx: size %#llx, model allows 4K or %#llx",
		     (unsigned long long)l->gpa, (unsigned long long)l->size,
		     (unsigned long long)want);
		return 1;
	}
	return check_leaf_frames(lc, l);
}

static int cmp_u64(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/*
 * AXAS_DUMP_TABLES into a malloc()ed array of *@count pages, *@info the
 * space's info; NULL (and the run failed) when a call fails.
 */
static struct axas_table_page *dump_tables(struct ctx *c, struct space *s,
					   struct axas_info *info, uint32_t *count)
{
	struct axas_table_page *pages;
	struct axas_dump d = { 0 };
	int ret;

	ret = fuzz_ioctl(s->fd, AXAS_DUMP_TABLES, &d);
	if (!expect_err(c, ret, 0))
		return NULL;
	if (fuzz_ioctl(s->fd, AXAS_GET_INFO, info)) {
		fail(c, "get-info failed");
		return NULL;
	}
	/* Other threads may add table pages between the two calls. */
	for (pages = NULL;;) {
		uint32_t cap = d.count + 64;

		pages = xrealloc(pages, cap * sizeof(*pages));
		d.pages = (uintptr_t)pages;
		d.capacity = cap;
		ret = fuzz_ioctl(s->fd, AXAS_DUMP_TABLES, &d);
		if (!expect_err(c, ret, 0)) {
			free(pages);
			return NULL;
		}
		if (d.count <= cap)
			break;
	}
	*count = d.count;
	return pages;
}

/*
 * Every leaf of the walked tables @t against the model: the leaf bytes must
 * be what it maps, and no frame may be mapped twice.
 */
static void check_leaves(struct ctx *c, struct space *s, const struct axw_tables *t)
{
	struct leafcheck lc = { c, s, 0, NULL, 0 };
	uint64_t i;

	lc.hpas = malloc((s->m.nf + 1) * sizeof(uint64_t));
	axw_walk_leaves(t, check_leaf, &lc);
	if (c->failed)
		goto out;
	if (lc.bytes != model_mapped(&s->m)) {
		fail(c, "walker: %#llx bytes mapped in [%#llx, %#llx), model %#llx",
		     (unsigned long long)lc.bytes, (unsigned long long)s->m.lo,
		     (unsigned long long)s->m.hi, (unsigned long long)model_mapped(&s->m));
		goto out;
	}
	qsort(lc.hpas, lc.nhpa, sizeof(uint64_t), cmp_u64);
	for (i = 1; i < lc.nhpa; i++)
		if (lc.hpas[i] == lc.hpas[i - 1]) {
			fail(c, "frame %#llx mapped twice", (unsigned long long)lc.hpas[i]);
			goto out;
		}
out:
	free(lc.hpas);
}

/*
 * Dump the tables, check their structure with the walker, then every leaf
 * against the model; the leaf bytes must be what the model maps.
 */
void check_tables(struct ctx *c, struct space *s)
{
	struct axas_table_page *pages;
	struct axas_info info;
	struct axw_tables t;
	struct axw_report rep;
	uint32_t count;

	pages = dump_tables(c, s, &info, &count);
	if (!pages)
		return;
	t = (struct axw_tables){
		.pages = pages, .count = count, .format = s->format,
		.levels = s->levels, .gpa_bits = s->gpa_bits,
		.root_hpa = info.root_hpa, .base = s->base, .size = s->size,
		.table_pages = c->threaded ? 0 : info.table_pages,
	};
	if (axw_check(&t, &rep)) {
		axw_report_print(stdout, &rep);
		fail(c, "walker: %u problems in the dumped tables, first: %s", rep.errors,
		     rep.nmsgs ? rep.msgs[0] : "");
	} else if (!c->threaded && rep.mapped_bytes != model_mapped(&s->m)) {
		fail(c, "walker: %#llx bytes mapped, model %#llx",
		     (unsigned long long)rep.mapped_bytes,
		     (unsigned long long)model_mapped(&s->m));
	} else {
		check_leaves(c, s, &t);
	}
	free(pages);
}

void check_all(struct ctx *c, struct space *s)
{
	if (!c->threaded)
		check_info(c, s);
	if (!c->failed)
		check_areas(c, s, s->m.na + 1);
	if (!c->failed)
		check_tables(c, s);
	s->since_check = 0;
}

/* A translation the kernel returned against the model's @a and @f. */
void check_translation(struct ctx *c, const struct axas_translate *t,
		       const struct area *a, struct frame *f)
{
	uint64_t hpa, ps;

	if (t->area_start != a->gpa || t->area_size != a->size ||
	    t->flags != (a->flags & AXAS_PROT_MASK) || t->backend != a->backend ||
	    t->reserved)
		return fail(c, "gpa %#llx: area %#llx+%#llx flags %#x backend %u reserved %#llx; "
			    "model %#llx+%#llx flags %#x backend %u", (unsigned long long)t->gpa,
			    (unsigned long long)t->area_start, (unsigned long long)t->area_size,
			    t->flags, t->backend, (unsigned long long)t->reserved,
			    (unsigned long long)a->gpa, (unsigned long long)a->size,
			    a->flags & AXAS_PROT_MASK, a->backend);
	if (a->backend == AXAS_BACKEND_LINEAR) {
		hpa = a->hpa + (t->gpa - a->gpa);
		ps = leaf_size(a, t->gpa, hpa, SZ_1G);
		if (t->hpa != hpa || t->page_size != ps)
			return fail(c, "gpa %#llx: hpa %#llx page_size %#llx; model %#llx %#llx",
				    (unsigned long long)t->gpa, (unsigned long long)t->hpa,
				    (unsigned long long)t->page_size,
				    (unsigned long long)hpa, (unsigned long long)ps);
		return;
	}
	if (a->backend == AXAS_BACKEND_MEMORY)
		ps = mem_leaf_max(c, a, t->gpa);
	else
		ps = lazy(a) ? PG : leaf_size(a, t->gpa, t->gpa, SZ_2M);
	if ((t->page_size != PG && t->page_size != ps) ||
	    (t->hpa & (PG - 1)) != (t->gpa & (PG - 1)) ||
	    (f->hpa && f->hpa != ALIGN_DOWN(t->hpa, PG)))
		return fail(c, "gpa %#llx: hpa %#llx page_size %#llx; model %#llx, 4K or %#llx",
			    (unsigned long long)t->gpa, (unsigned long long)t->hpa,
			    (unsigned long long)t->page_size, (unsigned long long)f->hpa,
			    (unsigned long long)ps);
	f->hpa = ALIGN_DOWN(t->hpa, PG);
}

void after_change(struct ctx *c, struct space *s)
{
	if (!c->threaded && !c->failed)
		check_info(c, s);
}

/*
 * The fuzzer's mmap() view of memory fd @mf over [@off, @off + @len)
 * against its model (a first touch of a hole makes a zeroed frame, which
 * changes nothing the model holds).
 */
void check_memfile(struct ctx *c, unsigned int mf, uint64_t off, uint64_t len)
{
	struct memfile *f = &c->mf[mf];
	uint64_t i;

	memfile_rw(f, off, c->buf2, len, false);
	if (!memcmp(f->map + off, c->buf2, len))
		return;
	for (i = 0; f->map[off + i] == c->buf2[i]; i++)
		;
	fail(c, "memory fd %u offset %#llx reads %#x through the mmap, model %#x", mf,
	     (unsigned long long)(off + i), f->map[off + i], c->buf2[i]);
}
