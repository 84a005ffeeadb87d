// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzer's reference model (fuzz.h): the areas and frames one owner
 * knows of a space, and what they say translations, leaves and pread/pwrite
 * must give.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fuzz.h"

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		perror("realloc");
		exit(2);
	}
	return p;
}

uint64_t aend(const struct area *a)
{
	return a->gpa + a->size;
}

bool lazy(const struct area *a)
{
	return a->backend == AXAS_BACKEND_ALLOC && !(a->flags & AXAS_MAP_POPULATE);
}

/* Index of the first area that ends after @gpa. */
static unsigned int area_lb(const struct model *m, uint64_t gpa)
{
	unsigned int lo = 0, hi = m->na, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (aend(&m->a[mid]) <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct area *area_find(const struct model *m, uint64_t gpa)
{
	unsigned int i = area_lb(m, gpa);

	return i < m->na && m->a[i].gpa <= gpa ? &m->a[i] : NULL;
}

bool overlaps(const struct model *m, uint64_t gpa, uint64_t size)
{
	unsigned int i = area_lb(m, gpa);

	return i < m->na && m->a[i].gpa < gpa + size;
}

void area_insert(struct model *m, const struct area *a)
{
	unsigned int i = area_lb(m, a->gpa);

	if (m->na == m->ca) {
		m->ca = m->ca ? 2 * m->ca : 16;
		m->a = xrealloc(m->a, m->ca * sizeof(*m->a));
	}
	memmove(&m->a[i + 1], &m->a[i], (m->na - i) * sizeof(*m->a));
	m->a[i] = *a;
	m->na++;
	if (a->backend == AXAS_BACKEND_LINEAR)
		m->linear_bytes += a->size;
}

/* Make @x an area boundary if an area spans it. */
static void area_split(struct model *m, uint64_t x)
{
	struct area *a = area_find(m, x), b;

	if (!a || a->gpa == x)
		return;
	b = *a;
	b.gpa = x;
	b.size = aend(a) - x;
	if (b.backend == AXAS_BACKEND_LINEAR) {
		b.hpa = a->hpa + (x - a->gpa);
		m->linear_bytes -= b.size;	/* area_insert adds it back */
	}
	if (b.backend == AXAS_BACKEND_MEMORY)
		b.off = a->off + (x - a->gpa);
	a->size = x - a->gpa;
	area_insert(m, &b);
}

static unsigned int frame_lb(const struct model *m, uint64_t gpa)
{
	unsigned int lo = 0, hi = m->nf, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (m->f[mid].gpa < gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct frame *frame_find(const struct model *m, uint64_t gpa)
{
	unsigned int i = frame_lb(m, ALIGN_DOWN(gpa, PG));

	return i < m->nf && m->f[i].gpa == ALIGN_DOWN(gpa, PG) ? &m->f[i] : NULL;
}

struct frame *frame_add(struct model *m, uint64_t gpa)
{
	unsigned int i = frame_lb(m, gpa);

	if (m->nf == m->cf) {
		m->cf = m->cf ? 2 * m->cf : 256;
		m->f = xrealloc(m->f, m->cf * sizeof(*m->f));
	}
	memmove(&m->f[i + 1], &m->f[i], (m->nf - i) * sizeof(*m->f));
	m->f[i] = (struct frame){ .gpa = gpa };
	m->nf++;
	return &m->f[i];
}

/* A page of a memory area that a present leaf now maps. */
void mem_present(struct model *m, uint64_t gpa)
{
	frame_add(m, gpa)->mem = true;
	m->nmem++;
}

static void frames_remove(struct model *m, uint64_t gpa, uint64_t size)
{
	unsigned int i = frame_lb(m, gpa), j = i;

	for (; j < m->nf && m->f[j].gpa < gpa + size; j++) {
		m->nmem -= m->f[j].mem;
		free(m->f[j].data);
	}
	memmove(&m->f[i], &m->f[j], (m->nf - j) * sizeof(*m->f));
	m->nf -= j - i;
}

void model_unmap(struct model *m, uint64_t gpa, uint64_t size)
{
	unsigned int i, j;

	area_split(m, gpa);
	area_split(m, gpa + size);
	i = area_lb(m, gpa);
	j = i;
	while (j < m->na && m->a[j].gpa < gpa + size) {
		if (m->a[j].backend == AXAS_BACKEND_LINEAR)
			m->linear_bytes -= m->a[j].size;
		j++;
	}
	memmove(&m->a[i], &m->a[j], (m->na - j) * sizeof(*m->a));
	m->na -= j - i;
	frames_remove(m, gpa, size);
}

void model_protect(struct model *m, uint64_t gpa, uint64_t size,
		   uint32_t flags)
{
	unsigned int i;

	area_split(m, gpa);
	area_split(m, gpa + size);
	for (i = area_lb(m, gpa); i < m->na && m->a[i].gpa < gpa + size; i++)
		m->a[i].flags = flags | (m->a[i].flags & AXAS_MAP_POPULATE);
}

void model_clear(struct model *m)
{
	frames_remove(m, 0, UINT64_MAX);
	m->na = 0;
	m->nf = 0;
	m->nmem = 0;
	m->linear_bytes = 0;
}

void model_free(struct model *m)
{
	model_clear(m);
	free(m->a);
	free(m->f);
	memset(m, 0, sizeof(*m));
}

uint64_t model_mapped(const struct model *m)
{
	return m->linear_bytes + m->nf * PG;
}

/*
 * Size of the leaf that maps @gpa of linear area @a: the largest of 1 GiB
 * and 2 MiB whose alignment gpa and hpa share, when a whole aligned block
 * of that size around @gpa lies in the area; else 4 KiB. That is what
 * mapping with the largest pages and splitting edges "into the largest
 * pages that still fit" leave.
 */
uint64_t leaf_size(const struct area *a, uint64_t gpa, uint64_t hpa,
		   uint64_t max)
{
	static const uint64_t sizes[] = { SZ_1G, SZ_2M };
	unsigned int i;
	uint64_t s;

	for (i = 0; i < 2; i++) {
		s = sizes[i];
		if (s > max || (gpa - hpa) & (s - 1))
			continue;
		if (ALIGN_DOWN(gpa, s) >= a->gpa && ALIGN_DOWN(gpa, s) + s <= aend(a))
			return s;
	}
	return PG;
}

bool in_space(const struct space *s, uint64_t gpa)
{
	return gpa >= s->base && gpa - s->base < s->size;
}

/*
 * What the model says of translating @gpa: 0, EINVAL or ENOENT; on 0 the
 * area and, for alloc areas, the frame.
 */
int model_translate(struct space *s, uint64_t gpa, const struct area **ap,
		    struct frame **fp)
{
	const struct area *a;

	*ap = NULL;
	*fp = NULL;
	if (!in_space(s, gpa))
		return EINVAL;
	a = area_find(&s->m, gpa);
	if (!a)
		return ENOENT;
	*ap = a;
	if (a->backend == AXAS_BACKEND_LINEAR)
		return 0;
	*fp = frame_find(&s->m, gpa);
	return *fp ? 0 : ENOENT;
}

/*
 * How many bytes pread/pwrite of @len bytes at @off transfers, per the
 * model: up to the first byte outside the space or the window, not covered
 * by an area, or in a linear area; *stop says which. Alloc areas are read
 * and written whatever their flags; linear ones only where AXAS_READ (for a
 * read) or AXAS_WRITE (for a write) permits it (ABI v2).
 */
static uint64_t rw_extent(const struct space *s, uint64_t off, uint64_t len,
			  bool write, enum rw_stop *stop)
{
	uint32_t need = write ? AXAS_WRITE : AXAS_READ;
	uint64_t pos = off, end = off + len;
	const struct area *a;

	*stop = RW_HOLE;
	while (pos < end && in_space(s, pos) && pos >= s->m.lo && pos < s->m.hi) {
		a = area_find(&s->m, pos);
		if (!a)
			break;
		if (a->backend == AXAS_BACKEND_LINEAR) {
			*stop = a->flags & need ? RW_HOST : RW_DENIED;
			return pos - off;
		}
		pos = aend(a) < end ? aend(a) : end;
	}
	if (pos == end)
		*stop = RW_ALL;
	return pos - off;
}

/*
 * The result of pread/pwrite of *@len bytes at @off (a byte count, or
 * -errno) in *@want, and another acceptable one in *@alt (RW_NONE: none).
 * @ptr: the buffer is @badp. *@len is shortened so that the transfer ends
 * before a linear area whose flags would let it through: host ranges are
 * never touched.
 */
void rw_predict(const struct space *s, uint64_t off, uint64_t *len,
		bool write, bool ptr, const void *badp, int64_t *want,
		int64_t *alt)
{
	enum rw_stop stop;
	uint64_t n = rw_extent(s, off, *len, write, &stop);

	if (stop == RW_HOST)
		*len = n;
	*want = n;
	*alt = RW_NONE;
	/* The VFS refuses a buffer outside user space (access_ok) first. */
	if (ptr && (uintptr_t)badp >= 1ULL << 47) {
		*want = -EFAULT;
	} else if (*len && !n) {
		*want = stop == RW_DENIED ? -EACCES : -EIO;
		/*
		 * A pwrite copies its source first (ABI v2); which of the two
		 * errors a bad source meets first is not specified.
		 */
		if (ptr && write)
			*alt = -EFAULT;
	} else if (ptr && n) {
		*want = -EFAULT;
	}
}

/*
 * The model after @cnt bytes at @off were transferred from or to c->buf:
 * a write updates the frames (true if it added one), a read fills c->buf2
 * with what the model holds.
 */
bool rw_model(struct ctx *c, struct space *s, uint64_t off, int64_t cnt,
	      bool write)
{
	const struct area *a;
	uint64_t pos, n;
	struct frame *f;
	bool grew = false;

	for (pos = off; (int64_t)(pos - off) < cnt; pos += n) {
		n = ALIGN_DOWN(pos, PG) + PG - pos;
		if (n > off + cnt - pos)
			n = off + cnt - pos;
		a = area_find(&s->m, pos);
		if (a && a->backend == AXAS_BACKEND_MEMORY) {
			memfile_rw(&c->mf[a->mf], a->off + (pos - a->gpa),
				   (write ? c->buf : c->buf2) + (pos - off), n, write);
			continue;
		}
		f = frame_find(&s->m, pos);
		if (write) {
			if (!f) {
				f = frame_add(&s->m, ALIGN_DOWN(pos, PG));
				grew = true;
			}
			if (!f->data)
				f->data = calloc(1, PG);
			memcpy(f->data + (pos & (PG - 1)), c->buf + (pos - off), n);
			continue;
		}
		if (f && f->data)
			memcpy(c->buf2 + (pos - off), f->data + (pos & (PG - 1)), n);
		else
			memset(c->buf2 + (pos - off), 0, n);
	}
	return grew;
}

/* ---- Memory fds ---------------------------------------------------------- */

/*
 * The largest leaf that may map @gpa of memory area @a: 2 MiB where a
 * populate may have found a 2 MiB frame of a huge memory fd lined up with
 * a 2 MiB block of the area (whether it did depends on the allocator and
 * on what split the folio since, so 4 KiB is always allowed); else 4 KiB,
 * the only leaf a fault makes.
 */
uint64_t mem_leaf_max(const struct ctx *c, const struct area *a, uint64_t gpa)
{
	uint64_t blk = ALIGN_DOWN(gpa, SZ_2M);

	if (!(a->flags & AXAS_MAP_POPULATE) || !c->mf[a->mf].huge ||
	    blk < a->gpa || blk + SZ_2M > aend(a) ||
	    ((a->off + (blk - a->gpa)) & (SZ_2M - 1)))
		return PG;
	return SZ_2M;
}

/* @n bytes at @off of the memory fd's model from or into @buf. */
void memfile_rw(struct memfile *f, uint64_t off, uint8_t *buf, uint64_t n,
		bool write)
{
	uint64_t pos, k;
	uint8_t **p;

	for (pos = off; pos < off + n; pos += k) {
		k = ALIGN_DOWN(pos, PG) + PG - pos;
		if (k > off + n - pos)
			k = off + n - pos;
		p = &f->pg[pos / PG];
		if (write && !*p)
			*p = calloc(1, PG);
		if (write)
			memcpy(*p + (pos & (PG - 1)), buf + (pos - off), k);
		else if (*p)
			memcpy(buf + (pos - off), *p + (pos & (PG - 1)), k);
		else
			memset(buf + (pos - off), 0, k);
	}
}

/*
 * Memory area @a of a space after the punch of [@off, @off + @len) of its
 * memory fd: the part mapping that range is unmapped, widened to whole
 * 2 MiB blocks of the guest range inside the area (the kernel zaps so and
 * never cuts a leaf), 4 KiB leaves there included.
 */
static void area_punch(struct model *m, const struct area *a, uint64_t off,
		       uint64_t len)
{
	uint64_t first = off > a->off ? off : a->off;
	uint64_t stop = off + len < a->off + a->size ? off + len : a->off + a->size;
	uint64_t lo, hi;

	if (first >= stop)
		return;
	lo = ALIGN_DOWN(a->gpa + (first - a->off), SZ_2M);
	hi = align_up(a->gpa + (stop - a->off), SZ_2M);
	lo = lo > a->gpa ? lo : a->gpa;
	hi = hi < aend(a) ? hi : aend(a);
	frames_remove(m, lo, hi - lo);
}

/* A punch-hole of memory fd @mf: zeros, and unmapped from every space. */
void model_punch(struct ctx *c, unsigned int mf, uint64_t off, uint64_t len)
{
	struct memfile *f = &c->mf[mf];
	unsigned int i, j;
	uint64_t p;

	for (p = off / PG; p < (off + len) / PG; p++) {
		free(f->pg[p]);
		f->pg[p] = NULL;
	}
	for (i = 0; i < NSPACES; i++) {
		struct model *m = &c->sp[i].m;

		if (c->sp[i].fd < 0)
			continue;
		for (j = 0; j < m->na; j++)
			if (m->a[j].backend == AXAS_BACKEND_MEMORY && m->a[j].mf == mf)
				area_punch(m, &m->a[j], off, len);
	}
}

bool linear_in(const struct model *m, uint64_t gpa, uint64_t size)
{
	unsigned int i;

	for (i = area_lb(m, gpa); i < m->na && m->a[i].gpa < gpa + size; i++)
		if (m->a[i].backend == AXAS_BACKEND_LINEAR)
			return true;
	return false;
}

/* Make @x a boundary if a populated alloc area spans it (the discard's split). */
static void alloc_split(struct model *m, uint64_t x)
{
	const struct area *a = area_find(m, x);

	if (a && a->backend == AXAS_BACKEND_ALLOC && (a->flags & AXAS_MAP_POPULATE))
		area_split(m, x);
}

/*
 * AXAS_DISCARD of [@gpa, @gpa + @size) of @s, with no linear area there:
 * the range unmapped; populated alloc areas split at its edges, every alloc
 * area lazy inside (a lazy one is not split: nothing about it changes); the
 * memory fd ranges of memory areas punched, for every space.
 */
void model_discard(struct ctx *c, struct space *s, uint64_t gpa, uint64_t size)
{
	struct model *m = &s->m;
	uint64_t lo, hi;
	unsigned int i;

	alloc_split(m, gpa);
	alloc_split(m, gpa + size);
	frames_remove(m, gpa, size);
	for (i = area_lb(m, gpa); i < m->na && m->a[i].gpa < gpa + size; i++) {
		struct area *a = &m->a[i];

		if (a->backend == AXAS_BACKEND_ALLOC) {
			a->flags &= ~AXAS_MAP_POPULATE;
			continue;
		}
		lo = a->gpa > gpa ? a->gpa : gpa;
		hi = aend(a) < gpa + size ? aend(a) : gpa + size;
		model_punch(c, a->mf, a->off + (lo - a->gpa), hi - lo);
	}
}
