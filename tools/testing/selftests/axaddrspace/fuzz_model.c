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

static void frames_remove(struct model *m, uint64_t gpa, uint64_t size)
{
	unsigned int i = frame_lb(m, gpa), j = i;

	while (j < m->nf && m->f[j].gpa < gpa + size)
		free(m->f[j++].data);
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
	if (a->backend != AXAS_BACKEND_ALLOC)
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
	uint64_t pos, n;
	struct frame *f;
	bool grew = false;

	for (pos = off; (int64_t)(pos - off) < cnt; pos += n) {
		n = ALIGN_DOWN(pos, PG) + PG - pos;
		if (n > off + cnt - pos)
			n = off + cnt - pos;
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
