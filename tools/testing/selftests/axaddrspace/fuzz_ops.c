// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzer's operations (fuzz.h): random arguments, what the model
 * expects of each ioctl and pread/pwrite, and the model's update when the
 * kernel agreed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "walker.h"

/* ---- Argument generators ------------------------------------------------- */

static const uint64_t steps[] = { PG, 2 * PG, 16 * PG, SZ_2M, SZ_1G };

/* A page-aligned gpa in [m->lo, m->hi), often near something interesting. */
static uint64_t gen_gpa(struct ctx *c, const struct model *m)
{
	struct rng *r = &c->rng;
	uint64_t span = m->hi - m->lo, hot = span < 64 * SZ_2M ? span : 64 * SZ_2M;
	uint64_t g, s;

	switch (below(r, 8)) {
	case 0:
	case 1:
		if (m->na) {
			const struct area *a = &m->a[below(r, m->na)];

			g = chance(r, 50) ? a->gpa : aend(a);
			g += (below(r, 5) - 2) * PG;
			break;
		}
		fallthrough;
	case 2:
		s = steps[below(r, 5)];
		g = align_up(m->lo, s) + below(r, span / s + 1) * s;
		g += (below(r, 3) - 1) * PG;
		break;
	case 3:
		g = m->hi - (1 + below(r, 4)) * PG;
		break;
	default:
		g = m->lo + ALIGN_DOWN(below(r, hot), PG);
		break;
	}
	if (g < m->lo || g >= m->hi)
		g = m->lo + ALIGN_DOWN(below(r, hot), PG);
	return g;
}

/* A size for a range at @gpa that stays inside the model's window. */
static uint64_t gen_size(struct ctx *c, const struct model *m, uint64_t gpa,
			 bool big)
{
	struct rng *r = &c->rng;
	uint64_t s, room = m->hi - gpa;

	switch (below(r, 10)) {
	case 0:
	case 1:
	case 2:
		s = (1 + below(r, 4)) * PG;
		break;
	case 3:
	case 4:
		s = (1 + below(r, 64)) * PG;
		break;
	case 5:
		s = (1 + below(r, 3)) * SZ_2M + (chance(r, 50) ? below(r, 4) * PG : 0);
		break;
	case 6:
		if (m->na) {
			const struct area *a = &m->a[below(r, m->na)];

			if (aend(a) > gpa) {
				s = aend(a) - gpa;
				break;
			}
		}
		s = (1 + below(r, 512)) * PG;
		break;
	case 7:
		s = big ? SZ_1G * (1 + below(r, 2)) : SZ_2M;
		break;
	default:
		s = (1 + below(r, 600)) * PG;
		break;
	}
	if (s > room)
		s = room;
	return s ? s : PG;
}

enum bad_range { RANGE_OK, RANGE_BAD };

/*
 * Sometimes spoil a range in a way that is EINVAL whatever the space holds
 * (misaligned, empty, wrapping, outside the space). Returns RANGE_BAD then.
 */
static enum bad_range spoil_range(struct ctx *c, const struct space *s,
				  __u64 *gpa, __u64 *size)
{
	struct rng *r = &c->rng;

	if (!chance(r, 12))
		return RANGE_OK;
	switch (below(r, 7)) {
	case 0:
		*gpa += 1 + below(r, PG - 1);
		break;
	case 1:
		*size += 1 + below(r, PG - 1);
		break;
	case 2:
		*size = 0;
		break;
	case 3:
		*gpa = -(uint64_t)(1 + below(r, 4)) * PG;
		*size = (5 + below(r, 4)) * PG;
		break;
	case 4:
		if (s->base >= PG) {
			*gpa = s->base - PG;
			*size = (1 + below(r, 4)) * PG;
		} else {
			*gpa = s->base;
			*size = -PG;
		}
		break;
	case 5:
		*gpa = s->base + s->size - PG;
		*size = (2 + below(r, 4)) * PG;
		break;
	default:
		*size = s->size + PG;
		*gpa = s->base;
		break;
	}
	return RANGE_BAD;
}

/* Flags for a map or protect; sometimes invalid ones. */
static uint32_t gen_flags(struct ctx *c, bool alloc)
{
	static const uint32_t good[] = {
		AXAS_READ, AXAS_READ | AXAS_WRITE, AXAS_READ | AXAS_WRITE | AXAS_EXEC,
		AXAS_EXEC, AXAS_READ | AXAS_EXEC, AXAS_READ | AXAS_USER,
		AXAS_READ | AXAS_WRITE | AXAS_DEVICE, AXAS_READ | AXAS_UNCACHED,
		AXAS_READ | AXAS_WRITE | AXAS_UNCACHED | AXAS_DEVICE,
		AXAS_READ | AXAS_WRITE | AXAS_EXEC | AXAS_USER,
	};
	static const uint32_t bad[] = {
		0, AXAS_WRITE, AXAS_WRITE | AXAS_EXEC, AXAS_EXEC | AXAS_DEVICE,
		AXAS_READ | AXAS_EXEC | AXAS_UNCACHED, AXAS_USER, AXAS_DEVICE,
		AXAS_READ | (1U << 6), AXAS_READ | (1U << 31), AXAS_READ | (1U << 17),
		AXAS_MAP_POPULATE,
	};
	struct rng *r = &c->rng;
	uint32_t f;

	if (chance(r, 8))
		return bad[below(r, ARRAY_SIZE(bad))];
	f = good[below(r, ARRAY_SIZE(good))];
	if (chance(r, 3))
		f |= AXAS_MAP_POPULATE;	/* invalid unless map alloc */
	else if (alloc && chance(r, 35))
		f |= AXAS_MAP_POPULATE;
	return f;
}

static bool range_valid(const struct space *s, uint64_t gpa, uint64_t size)
{
	return size && !((gpa | size) & (PG - 1)) && gpa + size > gpa &&
	       gpa >= s->base && gpa + size - s->base <= s->size;
}

static bool exec_only_ok(uint32_t format)
{
	return format_exec_only(format, host.cap_ept_xo == 1);
}

static bool flags_valid(const struct space *s, uint32_t flags, uint32_t extra)
{
	if (flags & ~(AXAS_PROT_MASK | extra))
		return false;
	if (!(flags & PERM))
		return false;
	if ((flags & AXAS_WRITE) && !(flags & AXAS_READ))
		return false;
	if ((flags & (AXAS_READ | AXAS_EXEC)) == AXAS_EXEC && !exec_only_ok(s->format))
		return false;
	return !((flags & AXAS_EXEC) && (flags & (AXAS_DEVICE | AXAS_UNCACHED)));
}

/* A bad user pointer: unmapped, PROT_NONE or kernel. */
static void *bad_ptr(struct ctx *c)
{
	static void *const ptrs[] = { NULL, (void *)8, (void *)0xffff888000000000ULL };

	if (chance(&c->rng, 40) && host.bad != MAP_FAILED)
		return host.bad;
	return ptrs[below(&c->rng, 3)];
}

/* ---- Operations ---------------------------------------------------------- */

static void op_map_alloc(struct ctx *c, struct space *s)
{
	struct model *m = &s->m;
	struct axas_map_alloc a;
	bool bad = false, ptr = chance(&c->rng, 2);
	int ret, want_err = 0;
	uint64_t g;

	memset(&a, 0, sizeof(a));
	a.gpa = gen_gpa(c, m);
	a.size = gen_size(c, m, a.gpa, false);
	a.flags = gen_flags(c, true);
	if ((a.flags & AXAS_MAP_POPULATE) &&
	    (a.size > 1024 * PG || m->nf + a.size / PG > MAX_FRAMES))
		a.size = (1 + below(&c->rng, 16)) * PG;
	if (a.gpa + a.size > m->hi)
		a.size = m->hi - a.gpa;
	bad = spoil_range(c, s, &a.gpa, &a.size) == RANGE_BAD;
	if (chance(&c->rng, 3))
		a.pad = 1 + below(&c->rng, 0xffffffff);
	if (chance(&c->rng, 3))
		a.reserved = 1ULL << below(&c->rng, 64);
	describe(c, "map-alloc gpa %#llx size %#llx flags %#x pad %u reserved %#llx%s",
		 (unsigned long long)a.gpa, (unsigned long long)a.size, a.flags, a.pad,
		 (unsigned long long)a.reserved, ptr ? " (bad pointer)" : "");
	if (ptr)
		want_err = EFAULT;
	else if (a.pad || a.reserved || bad || !range_valid(s, a.gpa, a.size) ||
		 !flags_valid(s, a.flags, AXAS_MAP_POPULATE))
		want_err = EINVAL;
	else if (overlaps(m, a.gpa, a.size))
		want_err = EEXIST;
	ret = fuzz_ioctl(s->fd, AXAS_MAP_ALLOC, ptr ? bad_ptr(c) : (void *)&a);
	if (!expect_err(c, ret, want_err) || ret)
		return;
	area_insert(m, &(struct area){ a.gpa, a.size, 0, a.flags, AXAS_BACKEND_ALLOC });
	if (a.flags & AXAS_MAP_POPULATE)
		for (g = a.gpa; g < a.gpa + a.size; g += PG)
			frame_add(m, g);
	after_change(c, s);
}

/*
 * Random arguments of AXAS_MAP_LINEAR, mostly in the free host window;
 * true when the hpa is System RAM on purpose.
 */
static bool gen_linear(struct ctx *c, struct space *s, struct axas_map_linear *l)
{
	struct rng *r = &c->rng;
	struct model *m = &s->m;
	struct axas_map_linear a;
	bool eperm = false;

	memset(&a, 0, sizeof(a));
	a.gpa = gen_gpa(c, m);
	a.flags = gen_flags(c, false);
	if (host.win && chance(r, 50)) {
		/* gpa and hpa share their 1 GiB offset: huge leaves possible */
		a.hpa = host.win + (a.gpa & (SZ_1G - 1)) + below(r, 3) * SZ_1G;
		a.size = gen_size(c, m, a.gpa, true);
	} else {
		a.hpa = (host.win ? host.win : 64 * SZ_1G) +
			ALIGN_DOWN(below(r, WIN_SIZE - 16 * SZ_2M), PG);
		a.size = gen_size(c, m, a.gpa, false);
		if (a.size > 8 * SZ_2M)
			a.size = 8 * SZ_2M;
	}
	if (a.hpa + a.size > host.win + WIN_SIZE)
		a.hpa = host.win + (a.gpa & (SZ_2M - 1));
	switch (below(r, 40)) {
	case 0:
		a.hpa += 0x800;
		break;
	case 1:
		a.hpa = (1ULL << host.phys_bits) - PG;
		break;
	case 2:
		a.hpa = -PG;
		break;
	case 3:
		if (host.ram_page) {
			a.hpa = host.ram_page;
			eperm = true;
		}
		break;
	case 4:
		a.hpa = (1ULL << host.phys_bits) - a.size;
		break;
	}
	*l = a;
	return eperm;
}

/*
 * The errno AXAS_MAP_LINEAR of @a must give (@bad: a spoilt range, @ptr:
 * a bad pointer), and in *@alt_err another one it may give (-1: none).
 */
static int linear_want(const struct space *s, const struct axas_map_linear *a,
		       bool bad, bool ptr, int *alt_err)
{
	const struct model *m = &s->m;

	*alt_err = -1;
	if (ptr)
		return EFAULT;
	if (a->pad || a->reserved || bad || !range_valid(s, a->gpa, a->size) ||
	    !flags_valid(s, a->flags, 0) || a->hpa & (PG - 1) ||
	    a->hpa + a->size < a->hpa || a->hpa + a->size > 1ULL << host.phys_bits)
		return EINVAL;
	if (ram_intersects(a->hpa, a->size)) {
		/* userspace-api.rst does not order EPERM and EEXIST */
		if (overlaps(m, a->gpa, a->size))
			*alt_err = EEXIST;
		return EPERM;
	}
	return overlaps(m, a->gpa, a->size) ? EEXIST : 0;
}

static void op_map_linear(struct ctx *c, struct space *s)
{
	struct rng *r = &c->rng;
	struct axas_map_linear a;
	bool bad, ptr = chance(r, 2), eperm;
	int ret, want_err, alt_err;

	eperm = gen_linear(c, s, &a);
	bad = spoil_range(c, s, &a.gpa, &a.size) == RANGE_BAD;
	if (chance(r, 2))
		a.pad = 1;
	if (chance(r, 2))
		a.reserved = 1;
	describe(c, "map-linear gpa %#llx hpa %#llx size %#llx flags %#x pad %u reserved %#llx%s",
		 (unsigned long long)a.gpa, (unsigned long long)a.hpa,
		 (unsigned long long)a.size, a.flags, a.pad,
		 (unsigned long long)a.reserved, ptr ? " (bad pointer)" : "");
	if (!host.win && !eperm && !bad && !ptr && !a.pad && !a.reserved &&
	    range_valid(s, a.gpa, a.size) && flags_valid(s, a.flags, 0)) {
		describe(c, "map-linear skipped: no free host window");
		return;
	}
	want_err = linear_want(s, &a, bad, ptr, &alt_err);
	ret = fuzz_ioctl(s->fd, AXAS_MAP_LINEAR, ptr ? bad_ptr(c) : (void *)&a);
	if (ret == alt_err)
		return;
	if (!expect_err(c, ret, want_err) || ret)
		return;
	area_insert(&s->m,
		    &(struct area){ a.gpa, a.size, a.hpa, a.flags, AXAS_BACKEND_LINEAR });
	after_change(c, s);
}

/*
 * Random arguments of AXAS_UNMAP and AXAS_DISCARD (@name), described; the
 * errno the range and the flags make (EFAULT for a bad pointer, *@ptr).
 */
static int gen_range(struct ctx *c, struct space *s, struct axas_range *a,
		     const char *name, bool *ptr)
{
	bool bad;

	memset(a, 0, sizeof(*a));
	*ptr = chance(&c->rng, 2);
	a->gpa = gen_gpa(c, &s->m);
	a->size = gen_size(c, &s->m, a->gpa, true);
	bad = spoil_range(c, s, &a->gpa, &a->size) == RANGE_BAD;
	/* Version 2's op_flags and pad: no bit defined, refused. */
	if (chance(&c->rng, 3))
		a->op_flags = 1U << below(&c->rng, 32);
	else if (chance(&c->rng, 3))
		a->pad = 1 + below(&c->rng, 100);
	bad |= a->op_flags || a->pad;
	describe(c, "%s gpa %#llx size %#llx op_flags %#x pad %u%s", name,
		 (unsigned long long)a->gpa, (unsigned long long)a->size, a->op_flags,
		 a->pad, *ptr ? " (bad pointer)" : "");
	return *ptr ? EFAULT : bad || !range_valid(s, a->gpa, a->size) ? EINVAL : 0;
}

static void op_unmap(struct ctx *c, struct space *s)
{
	struct axas_range a;
	bool ptr;
	int ret, want = gen_range(c, s, &a, "unmap", &ptr);

	ret = fuzz_ioctl(s->fd, AXAS_UNMAP, ptr ? bad_ptr(c) : (void *)&a);
	if (!expect_err(c, ret, want) || ret)
		return;
	model_unmap(&s->m, a.gpa, a.size);
	after_change(c, s);
}

/* AXAS_DISCARD: EINVAL also where the range meets a linear area. */
static void op_discard(struct ctx *c, struct space *s)
{
	struct axas_range a;
	bool ptr;
	int ret, want = gen_range(c, s, &a, "discard", &ptr);

	if (!want && linear_in(&s->m, a.gpa, a.size))
		want = EINVAL;
	ret = fuzz_ioctl(s->fd, AXAS_DISCARD, ptr ? bad_ptr(c) : (void *)&a);
	if (!expect_err(c, ret, want) || ret)
		return;
	model_discard(c, s, a.gpa, a.size);
	after_change(c, s);
}

static void op_protect(struct ctx *c, struct space *s)
{
	struct axas_protect a;
	bool bad, ptr = chance(&c->rng, 2);
	int ret, want;

	memset(&a, 0, sizeof(a));
	a.gpa = gen_gpa(c, &s->m);
	a.size = gen_size(c, &s->m, a.gpa, true);
	a.flags = gen_flags(c, false);
	bad = spoil_range(c, s, &a.gpa, &a.size) == RANGE_BAD;
	if (chance(&c->rng, 3))
		a.pad = 1U << below(&c->rng, 32);
	describe(c, "protect gpa %#llx size %#llx flags %#x pad %u%s",
		 (unsigned long long)a.gpa, (unsigned long long)a.size, a.flags, a.pad,
		 ptr ? " (bad pointer)" : "");
	want = ptr ? EFAULT : a.pad || bad || !range_valid(s, a.gpa, a.size) ||
	       !flags_valid(s, a.flags, 0) ? EINVAL : 0;
	ret = fuzz_ioctl(s->fd, AXAS_PROTECT, ptr ? bad_ptr(c) : (void *)&a);
	if (!expect_err(c, ret, want) || ret)
		return;
	model_protect(&s->m, a.gpa, a.size, a.flags);
	after_change(c, s);
}

/* A gpa for a lookup: in the window, any alignment, or outside the space. */
static uint64_t gen_lookup_gpa(struct ctx *c, struct space *s)
{
	struct rng *r = &c->rng;

	if (chance(r, 6)) {
		switch (below(r, 3)) {
		case 0:
			if (s->base)
				return s->base - 1 - below(r, PG);
			fallthrough;
		case 1:
			return s->base + s->size + below(r, 3 * PG);
		default:
			return -1 - below(r, PG);
		}
	}
	return gen_gpa(c, &s->m) + (chance(r, 50) ? below(r, PG) : 0);
}

static void op_translate(struct ctx *c, struct space *s)
{
	struct axas_translate t;
	const struct area *a;
	struct frame *f;
	bool ptr = chance(&c->rng, 2);
	int ret, want;

	memset(&t, 0x5a, sizeof(t));	/* outputs: all written */
	t.op_flags = 0;			/* the one input besides gpa */
	t.gpa = gen_lookup_gpa(c, s);
	describe(c, "translate gpa %#llx%s", (unsigned long long)t.gpa,
		 ptr ? " (bad pointer)" : "");
	want = model_translate(s, t.gpa, &a, &f);
	if (ptr)
		want = EFAULT;
	ret = fuzz_ioctl(s->fd, AXAS_TRANSLATE, ptr ? bad_ptr(c) : (void *)&t);
	if (!expect_err(c, ret, want) || ret)
		return;
	check_translation(c, &t, a, f);
}

#define BATCH_MAX	64

/* The elements of a batch the model cannot translate: all outputs 0. */
static bool batch_elem_empty(const struct axas_translate *t)
{
	return !t->hpa && !t->page_size && !t->area_start && !t->area_size &&
	       !t->flags && !t->backend && !t->reserved;
}

/* Random arguments of AXAS_TRANSLATE_BATCH; returns the errno to expect. */
static int gen_batch(struct ctx *c, struct space *s, struct axas_translate_batch *b,
		     struct axas_translate *t)
{
	struct rng *r = &c->rng;
	unsigned int i;

	memset(b, 0, sizeof(*b));
	b->count = chance(r, 5) ? 0 : 1 + below(r, BATCH_MAX);
	b->entries = (uintptr_t)t;
	memset(t, 0x5a, BATCH_MAX * sizeof(*t));
	for (i = 0; i < b->count; i++) {
		t[i].gpa = gen_lookup_gpa(c, s);
		t[i].op_flags = 0;
	}
	switch (below(r, 40)) {
	case 0:
		b->flags = 1U << below(r, 32);
		return EINVAL;
	case 1:
		b->reserved[below(r, 2)] = 1ULL << below(r, 64);
		return EINVAL;
	case 2:
		b->count = host.cap_batch + 1 + below(r, 1000);
		return EINVAL;
	case 3:
		b->entries = (uintptr_t)bad_ptr(c);
		return b->count ? EFAULT : 0;
	}
	return 0;
}

static void op_translate_batch(struct ctx *c, struct space *s)
{
	struct axas_translate t[BATCH_MAX];
	struct axas_translate_batch b;
	const struct area *a;
	struct frame *f;
	unsigned int n, i;
	int ret, want;

	want = gen_batch(c, s, &b, t);
	n = b.count;
	describe(c, "translate-batch count %u flags %#x reserved %#llx %#llx%s", n, b.flags,
		 (unsigned long long)b.reserved[0], (unsigned long long)b.reserved[1],
		 b.entries != (uintptr_t)t ? " (bad entries)" : "");
	ret = fuzz_ioctl(s->fd, AXAS_TRANSLATE_BATCH, &b);
	if (!expect_err(c, ret, want) || ret)
		return;
	if (b.count != n)
		return fail(c, "count %u after the call, %u before", b.count, n);
	for (i = 0; i < n && !c->failed; i++) {
		if (!model_translate(s, t[i].gpa, &a, &f))
			check_translation(c, &t[i], a, f);
		else if (!batch_elem_empty(&t[i]))
			fail(c, "element %u (gpa %#llx) has no translation but page_size %#llx",
			     i, (unsigned long long)t[i].gpa, (unsigned long long)t[i].page_size);
	}
}

static void op_fault(struct ctx *c, struct space *s)
{
	struct rng *r = &c->rng;
	struct axas_fault f;
	const struct area *a;
	bool ptr = chance(r, 2);
	uint32_t want_handled = 0;
	int ret, want = 0;

	f.gpa = gen_lookup_gpa(c, s);
	f.access = 1 + below(r, PERM);
	if (chance(r, 5))
		f.access = chance(r, 50) ? 0 : f.access | 1U << (3 + below(r, 29));
	f.handled = 0xdead;
	describe(c, "handle-fault gpa %#llx access %#x%s", (unsigned long long)f.gpa,
		 f.access, ptr ? " (bad pointer)" : "");
	a = in_space(s, f.gpa) ? area_find(&s->m, f.gpa) : NULL;
	if (ptr)
		want = EFAULT;
	else if (!f.access || f.access & ~PERM)
		want = EINVAL;
	else if (a && (a->flags & f.access) == f.access)
		want_handled = 1;	/* ABI v2: a present leaf permits it after */
	ret = fuzz_ioctl(s->fd, AXAS_HANDLE_FAULT, ptr ? bad_ptr(c) : (void *)&f);
	if (!expect_err(c, ret, want) || ret)
		return;
	if (f.handled != want_handled)
		return fail(c, "handled %u, model %u", f.handled, want_handled);
	if (want_handled && (lazy(a) || a->backend == AXAS_BACKEND_MEMORY) &&
	    !frame_find(&s->m, f.gpa)) {
		if (lazy(a))
			frame_add(&s->m, ALIGN_DOWN(f.gpa, PG));
		else
			mem_present(&s->m, ALIGN_DOWN(f.gpa, PG));
		s->m.faults++;
		after_change(c, s);
	}
}

/* Ioctl @req (@name) on the space with a bad pointer: EFAULT. */
static void bad_arg(struct ctx *c, struct space *s, const char *name,
		    unsigned long req)
{
	describe(c, "%s (bad pointer)", name);
	expect_err(c, fuzz_ioctl(s->fd, req, bad_ptr(c)), EFAULT);
}

static void op_info(struct ctx *c, struct space *s)
{
	if (chance(&c->rng, 5)) {
		bad_arg(c, s, "get-info", AXAS_GET_INFO);
		return;
	}
	describe(c, "get-info");
	check_info(c, s);
}

static void op_areas(struct ctx *c, struct space *s)
{
	struct rng *r = &c->rng;
	struct axas_areas q = { 0 };
	int want;

	switch (below(r, 6)) {
	case 0:
		bad_arg(c, s, "get-areas", AXAS_GET_AREAS);
		return;
	case 1:
		q.areas = (uintptr_t)bad_ptr(c);
		q.capacity = below(r, 4);
		describe(c, "get-areas capacity %u into a bad pointer", q.capacity);
		/* Nothing is written when no area or no capacity. */
		want = q.capacity && s->m.na && !c->threaded ? EFAULT : 0;
		if (c->threaded && q.capacity)
			return;
		if (c->threaded) {
			get_areas(c, s, &q);
			return;
		}
		if (expect_err(c, fuzz_ioctl(s->fd, AXAS_GET_AREAS, &q), want) && !want &&
		    q.count != s->m.na)
			fail(c, "count %u, model %u", q.count, s->m.na);
		return;
	default:
		q.capacity = below(r, s->m.na + 3);
		describe(c, "get-areas capacity %u", q.capacity);
		check_areas(c, s, q.capacity);
	}
}

static void op_dump(struct ctx *c, struct space *s)
{
	struct axas_dump d = { 0 };
	struct axas_table_page *p;

	switch (below(&c->rng, 4)) {
	case 0:
		bad_arg(c, s, "dump-tables", AXAS_DUMP_TABLES);
		return;
	case 1:
		d.pages = (uintptr_t)bad_ptr(c);
		d.capacity = 1;
		describe(c, "dump-tables capacity 1 into a bad pointer");
		expect_err(c, fuzz_ioctl(s->fd, AXAS_DUMP_TABLES, &d), EFAULT);
		return;
	case 2:
		p = malloc(2 * sizeof(*p));
		memset(p, 0x5a, 2 * sizeof(*p));
		d.pages = (uintptr_t)p;
		d.capacity = 1;
		describe(c, "dump-tables capacity 1");
		if (expect_err(c, fuzz_ioctl(s->fd, AXAS_DUMP_TABLES, &d), 0) &&
		    (d.count < axw_root_pages(s->format) || p[1].hpa != 0x5a5a5a5a5a5a5a5aULL ||
		     p[0].index || p[0].level != s->levels - 1))
			fail(c, "count %u, page 0 level %u index %u, page 1 %s", d.count,
			     p[0].level, p[0].index,
			     p[1].hpa != 0x5a5a5a5a5a5a5a5aULL ? "written" : "untouched");
		free(p);
		return;
	default:
		describe(c, "dump-tables and full check");
		check_all(c, s);
	}
}

void op_clear(struct ctx *c, struct space *s)
{
	describe(c, "clear");
	if (!expect_err(c, fuzz_ioctl(s->fd, AXAS_CLEAR, NULL), 0))
		return;
	model_clear(&s->m);
	after_change(c, s);
}

/* Where a pread/pwrite goes (*@off) and how far (*@len). */
static void gen_rw(struct ctx *c, struct space *s, uint64_t *offp, uint64_t *lenp)
{
	struct rng *r = &c->rng;
	uint64_t off, len;

	off = gen_lookup_gpa(c, s);
	if (off >= 1ULL << 62)
		off = s->base + s->size;
	len = chance(r, 3) ? 0 : 1 + below(r, RW_MAX);
	/* Threads: never run into a neighbour's slice. */
	if (c->threaded && (off < s->m.lo || off >= s->m.hi) && in_space(s, off))
		off = s->base + s->size;
	if (c->threaded && off >= s->m.lo && off < s->m.hi && off + len > s->m.hi)
		len = s->m.hi - off;
	*offp = off;
	*lenp = len;
}

/*
 * The pread/pwrite itself, armed for injection, from or into @buf (c->buf,
 * which a pwrite fills with random bytes first, or a bad pointer): a byte
 * count, or -errno.
 */
static int64_t rw_transfer(struct ctx *c, struct space *s, uint64_t off,
			   uint64_t len, bool write, void *buf)
{
	int64_t cnt;
	ssize_t ret;
	uint64_t i;

	if (write) {
		for (i = 0; i < len; i++)
			c->buf[i] = rnd(&c->rng);
		inject_arm();
		ret = pwrite(s->fd, buf, len, off);
	} else {
		memset(c->buf, 0xee, len);
		inject_arm();
		ret = pread(s->fd, buf, len, off);
	}
	cnt = ret < 0 ? -errno : ret;
	inject_disarm();
	return cnt;
}

static void op_rw(struct ctx *c, struct space *s, bool write)
{
	struct rng *r = &c->rng;
	uint64_t off, len, i;
	bool ptr = chance(r, 3);
	int64_t want, alt, cnt;
	void *badp;

	gen_rw(c, s, &off, &len);
	badp = ptr ? bad_ptr(c) : NULL;
	rw_predict(s, off, &len, write, ptr, badp, &want, &alt);
	describe(c, "%s off %#llx len %#llx%s", write ? "pwrite" : "pread",
		 (unsigned long long)off, (unsigned long long)len,
		 ptr ? " (bad buffer)" : "");
	cnt = rw_transfer(c, s, off, len, write, ptr ? badp : c->buf);
	/*
	 * An injected failure: ENOMEM, or a short count up to where it hit.
	 * ENOMEM whatever the model says: the bounce page comes first.
	 */
	if (cnt != want && want > 0 && cnt >= 0 && cnt < want && inj_hit)
		injected_enomem(c, ENOMEM);
	else if (cnt == alt)
		return;
	else if (cnt != want && injected_enomem(c, -cnt))
		return;
	else if (cnt != want)
		return fail(c, "returned %lld (%s), model %lld (%s)", (long long)cnt,
			    cnt < 0 ? ename(-cnt) : "bytes", (long long)want,
			    want < 0 ? ename(-want) : "bytes");
	if (rw_model(c, s, off, cnt, write))
		after_change(c, s);
	if (!write && cnt > 0 && memcmp(c->buf, c->buf2, cnt)) {
		for (i = 0; c->buf[i] == c->buf2[i]; i++)
			;
		fail(c, "byte %#llx (gpa %#llx) reads %#x, model %#x", (unsigned long long)i,
		     (unsigned long long)(off + i), c->buf[i], c->buf2[i]);
	}
}

static void op_enotty(struct ctx *c, struct space *s)
{
	static const unsigned long cmds[] = {
		_IO(AXAS_IOC, 0x1a), _IO(AXAS_IOC, 0x0f), _IO(AXAS_IOC, 0xff),
		_IOR(AXAS_IOC, 0x11, struct axas_map_alloc),
		_IOR(AXAS_IOC, 0x14, struct axas_translate),
		_IOW(AXAS_IOC, 0x16, struct axas_info), _IO(AXAS_IOC, 0x16),
		AXAS_GET_API_VERSION, AXAS_CREATE_SPACE,
		_IO(0xAE, 0x17), 0,
	};
	unsigned long cmd = cmds[below(&c->rng, ARRAY_SIZE(cmds))];
	uint8_t arg[256] = { 0 };

	describe(c, "unknown ioctl %#lx on the space fd", cmd);
	expect_err(c, fuzz_ioctl(s->fd, cmd, arg), ENOTTY);
}

static const struct {
	unsigned int levels, bits;
} geometry[] = {
	[AXAS_FMT_X86_EPT4] = { 4, 48 }, [AXAS_FMT_X86_EPT5] = { 5, 57 },
	[AXAS_FMT_ARM64_S2_40] = { 3, 40 }, [AXAS_FMT_ARM64_S2_48] = { 4, 48 },
	[AXAS_FMT_RISCV_SV39X4] = { 3, 41 }, [AXAS_FMT_RISCV_SV48X4] = { 4, 50 },
	[AXAS_FMT_X86_NPT4] = { 4, 48 }, [AXAS_FMT_X86_NPT5] = { 5, 57 },
	[AXAS_FMT_RISCV_SV57X4] = { 5, 59 },
};

/* The format AXAS_FMT_NATIVE names here, as the module reports it. */
uint32_t probe_native(int dev)
{
	struct axas_create a = { .base = 0, .size = SZ_2M, .format = AXAS_FMT_NATIVE };
	struct axas_info i = { 0 };
	int fd = ioctl(dev, AXAS_CREATE_SPACE, &a);
	uint32_t fmt = AXAS_FMT_X86_EPT4;

	if (fd < 0)
		return fmt;
	if (!ioctl(fd, AXAS_GET_INFO, &i) && i.format && i.format <= AXAS_FMT_MAX)
		fmt = i.format;
	close(fd);
	return fmt;
}

static bool space_limited(void)
{
	return host.cap_max_spaces > 0;
}

/* A random format and geometry in *@a_out; the format resolved. */
static uint32_t gen_create(struct ctx *c, struct axas_create *a_out)
{
	static const uint64_t sizes[] = { 32 * SZ_2M, 128 * SZ_2M, 2 * SZ_1G, 4 * SZ_1G };
	struct rng *r = &c->rng;
	struct axas_create a = { 0 };
	uint32_t fmt = below(r, AXAS_FMT_MAX + 1);
	uint64_t top;

	a.format = fmt;
	if (!fmt)
		fmt = host.native;
	top = 1ULL << geometry[fmt].bits;
	a.size = sizes[below(r, 4)];
	switch (below(r, 4)) {
	case 0:
		a.base = 0;
		break;
	case 1:
		a.base = top - a.size;
		break;
	case 2:
		a.base = ALIGN_DOWN(below(r, top - a.size), PG);
		break;
	default:
		a.base = ALIGN_DOWN(below(r, top - a.size), SZ_1G) + below(r, 4) * PG;
		if (a.base + a.size > top)
			a.base = 0;
		break;
	}
	*a_out = a;
	return fmt;
}

/* Slot @s holds the new space @fd of @a (format @fmt): an empty model. */
static void space_opened(struct ctx *c, struct space *s, int fd, uint32_t fmt,
			 const struct axas_create *a)
{
	c->nopen++;
	s->fd = fd;
	s->format = fmt;
	s->base = a->base;
	s->size = a->size;
	s->levels = geometry[fmt].levels;
	s->gpa_bits = geometry[fmt].bits;
	s->since_check = 0;
	model_free(&s->m);
	s->m.lo = a->base;
	s->m.hi = a->base + a->size;
}

/* Create a space in slot @s with a random format and geometry. */
void op_create(struct ctx *c, struct space *s)
{
	struct axas_create a;
	uint32_t fmt = gen_create(c, &a);
	int fd, err;

	describe(c, "create format %u base %#llx size %#llx", a.format,
		 (unsigned long long)a.base, (unsigned long long)a.size);
	inject_arm();
	fd = ioctl(c->dev, AXAS_CREATE_SPACE, &a);
	err = fd < 0 ? errno : 0;
	inject_disarm();
	if (injected_enomem(c, err)) {
		c->recheck = false;	/* no space: nothing to check */
		s->fd = -1;
		return;
	}
	if (space_limited() && (int)c->nopen >= host.cap_max_spaces) {
		expect_err(c, err, ENOSPC);
		if (fd >= 0)
			close(fd);
		s->fd = -1;
		return;
	}
	if (fd < 0)
		return fail(c, "got %s, model says 0", ename(err));
	space_opened(c, s, fd, fmt, &a);
	check_info(c, s);
}

/*
 * Spoil the valid creation arguments @a in way @what (0 to 8); the errno
 * to expect, EINVAL or (the pointer, way 8) EFAULT.
 */
static int spoil_create(struct rng *r, struct axas_create *a, unsigned int what)
{
	unsigned int bits = geometry[a->format].bits;

	switch (what) {
	case 0:
		a->format = AXAS_FMT_MAX + 1 + below(r, 1000);
		break;
	case 1:
		a->size = 0;
		break;
	case 2:
		a->base = 1 + below(r, PG - 1);
		break;
	case 3:
		a->size += 1 + below(r, PG - 1);
		break;
	case 4:
		a->base = (1ULL << bits) - PG;
		a->size = 2 * PG;
		break;
	case 5:
		a->base = -PG;
		a->size = 2 * PG;
		break;
	case 6:
		a->flags = 1U << below(r, 32);
		break;
	case 7:
		a->reserved[below(r, 3)] = 1 + below(r, 100);
		break;
	default:
		return EFAULT;
	}
	return EINVAL;
}

/* Invalid creation arguments, each EINVAL (or EFAULT); @s is unused. */
static void op_create_bad(struct ctx *c, struct space *s)
{
	struct rng *r = &c->rng;
	struct axas_create a = { .base = 0, .size = SZ_2M, .format = 1 + below(r, AXAS_FMT_MAX) };
	unsigned int what = below(r, 9);
	int fd, want = spoil_create(r, &a, what);

	describe(c, "create (invalid: case %u) format %u base %#llx size %#llx flags %#x",
		 what, a.format, (unsigned long long)a.base, (unsigned long long)a.size,
		 a.flags);
	fd = ioctl(c->dev, AXAS_CREATE_SPACE, want == EFAULT ? bad_ptr(c) : (void *)&a);
	if (space_limited() && (int)c->nopen >= host.cap_max_spaces)
		want = ENOSPC;
	if (fd >= 0) {
		close(fd);
		return fail(c, "succeeded, model says %s", ename(want));
	}
	expect_err(c, errno, want);
}

/* The device's own ioctls; @s is unused. */
static void op_dev(struct ctx *c, struct space *s)
{
	int ret, want;
	long cap;

	switch (below(&c->rng, 5)) {
	case 4:
		describe(c, "check-extension translate-batch");
		ret = ioctl(c->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_TRANSLATE_BATCH);
		want = host.cap_batch > 0 ? host.cap_batch : INT32_MIN;
		break;
	case 0:
		describe(c, "get-api-version");
		ret = ioctl(c->dev, AXAS_GET_API_VERSION);
		want = AXAS_API_VERSION;
		break;
	case 1:
		describe(c, "check-extension formats");
		ret = ioctl(c->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_FORMATS);
		/* Formats 1 .. this header's highest. */
		want = (1U << (AXAS_FMT_MAX + 1)) - 2;
		break;
	case 2:
		cap = AXAS_CAP_TRANSLATE_BATCH + 1 + below(&c->rng, 1000);
		describe(c, "check-extension %ld", cap);
		ret = ioctl(c->dev, AXAS_CHECK_EXTENSION, cap);
		want = 0;
		break;
	default:
		describe(c, "map-alloc on the device fd");
		ret = ioctl(c->dev, AXAS_MAP_ALLOC, c->buf);
		if (ret < 0 && errno == ENOTTY)
			return;
		want = INT32_MIN;	/* anything else is wrong */
		break;
	}
	if (ret != want)
		fail(c, "returned %d (%s), model %d", ret, ename(errno), want);
}

/* Close a space, sometimes through a dup that keeps it alive for a while. */
static void op_close(struct ctx *c, struct space *s)
{
	int fd2;

	if (chance(&c->rng, 30)) {
		describe(c, "dup, close the original, go on with the dup");
		fd2 = dup(s->fd);
		close(s->fd);
		s->fd = fd2;
		check_info(c, s);
		return;
	}
	describe(c, "close");
	if (chance(&c->rng, 50))
		check_all(c, s);
	if (c->failed)
		return;
	close(s->fd);
	s->fd = -1;
	c->nopen--;
	model_clear(&s->m);
}

/* ---- Memory fds ---------------------------------------------------------- */

/* A page-aligned range [*@off, *@off + *@len) of memory fd @f, often 2 MiB. */
static void gen_file_range(struct ctx *c, const struct memfile *f, uint64_t *off,
			   uint64_t *len)
{
	struct rng *r = &c->rng;
	uint64_t o, l;

	if (chance(r, 40))
		o = below(r, f->size / SZ_2M + 1) * SZ_2M;
	else
		o = ALIGN_DOWN(below(r, f->size), PG);
	if (o >= f->size)
		o = f->size - PG;
	l = chance(r, 40) ? (1 + below(r, 2)) * SZ_2M : (1 + below(r, 40)) * PG;
	if (chance(r, 10))
		l = f->size - o;
	if (l > f->size - o)
		l = f->size - o;
	*off = o;
	*len = l;
}

/*
 * Spoil the memory fd or its range in @a; the errno that makes (0: none).
 * The module checks reserved, then the fd, then the rest (EINVAL all).
 */
static int spoil_map_memory(struct ctx *c, struct space *s, struct axas_map_memory *a,
			    const struct memfile *f)
{
	struct rng *r = &c->rng;

	if (!chance(r, 15))
		return 0;
	switch (below(r, 7)) {
	case 0:
		a->fd = chance(r, 50) ? -1 : 100000 + below(r, 1000);
		return EBADF;
	case 1:
		a->fd = chance(r, 50) ? c->dev : s->fd;
		return EINVAL;
	case 2:
		a->offset += 1 + below(r, PG - 1);
		return EINVAL;
	case 3:
		a->offset = f->size - a->size + (1 + below(r, 4)) * PG;
		return EINVAL;
	case 4:
		a->offset = -PG;
		return EINVAL;
	case 5:
		a->reserved[below(r, 2)] = 1ULL << below(r, 64);
		return EINVAL;
	default:
		a->size = f->size + PG;
		return EINVAL;
	}
}

/* The errno AXAS_MAP_MEMORY of @a must give, @spoilt what spoiling made. */
static int map_memory_want(struct space *s, const struct axas_map_memory *a,
			   bool bad, int spoilt)
{
	if (a->reserved[0] || a->reserved[1])
		return EINVAL;
	if (spoilt == EBADF)
		return EBADF;
	if (spoilt || bad || !range_valid(s, a->gpa, a->size) ||
	    !flags_valid(s, a->flags, AXAS_MAP_POPULATE))
		return EINVAL;
	return overlaps(&s->m, a->gpa, a->size) ? EEXIST : 0;
}

static void op_map_memory(struct ctx *c, struct space *s)
{
	struct model *m = &s->m;
	struct axas_map_memory a;
	struct area area;
	unsigned int mf = below(&c->rng, c->nmf);
	const struct memfile *f = &c->mf[mf];
	bool bad, ptr = chance(&c->rng, 2);
	int ret, want, spoilt;
	uint64_t g, off, len;

	if (!c->nmf)
		return describe(c, "map-memory skipped: no memory fd");
	memset(&a, 0, sizeof(a));
	a.gpa = gen_gpa(c, m);
	gen_file_range(c, f, &off, &len);
	a.offset = off;
	a.size = len < m->hi - a.gpa ? len : m->hi - a.gpa;
	a.fd = f->fd;
	a.flags = gen_flags(c, true);
	if ((a.flags & AXAS_MAP_POPULATE) && m->nf + a.size / PG > MAX_FRAMES)
		a.flags &= ~AXAS_MAP_POPULATE;
	bad = spoil_range(c, s, &a.gpa, &a.size) == RANGE_BAD;
	spoilt = spoil_map_memory(c, s, &a, f);
	describe(c, "map-memory gpa %#llx size %#llx fd %d (memory fd %u) offset %#llx %s%#x%s",
		 (unsigned long long)a.gpa, (unsigned long long)a.size, a.fd, mf,
		 (unsigned long long)a.offset, a.reserved[0] || a.reserved[1] ?
		 "reserved set, flags " : "flags ", a.flags, ptr ? " (bad pointer)" : "");
	want = ptr ? EFAULT : map_memory_want(s, &a, bad, spoilt);
	ret = fuzz_ioctl(s->fd, AXAS_MAP_MEMORY, ptr ? bad_ptr(c) : (void *)&a);
	if (!expect_err(c, ret, want) || ret)
		return;
	area = (struct area){ .gpa = a.gpa, .size = a.size, .flags = a.flags,
			      .backend = AXAS_BACKEND_MEMORY, .off = a.offset, .mf = mf };
	area_insert(m, &area);
	if (a.flags & AXAS_MAP_POPULATE)
		for (g = a.gpa; g < a.gpa + a.size; g += PG)
			mem_present(m, g);
	after_change(c, s);
}

/* fallocate(PUNCH_HOLE | KEEP_SIZE) of a memory fd, sometimes invalid. */
static void op_punch(struct ctx *c, struct space *s)
{
	struct rng *r = &c->rng;
	unsigned int mf = below(r, c->nmf);
	const struct memfile *f = &c->mf[mf];
	int mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, want = 0, err;
	uint64_t off, len;

	if (!c->nmf)
		return describe(c, "punch skipped: no memory fd");
	gen_file_range(c, f, &off, &len);
	switch (chance(r, 12) ? below(r, 5) : 5) {
	case 0:
		off += 0x800;
		want = EINVAL;
		break;
	case 1:
		len = 0;
		want = EINVAL;
		break;
	case 2:
		len = f->size - off + PG;
		want = EINVAL;
		break;
	case 3:
		mode = chance(r, 50) ? 0 : FALLOC_FL_PUNCH_HOLE;
		want = EOPNOTSUPP;
		break;
	case 4:
		len += 0x10;
		want = EINVAL;
		break;
	}
	describe(c, "punch memory fd %u mode %#x offset %#llx len %#llx", mf, mode,
		 (unsigned long long)off, (unsigned long long)len);
	err = fallocate(f->fd, mode, off, len) ? errno : 0;
	if (!expect_err(c, err, want) || err)
		return;
	model_punch(c, mf, off, len);
	check_memfile(c, mf, off, len < RW_MAX ? len : RW_MAX);
	after_change(c, s);
}

/*
 * The fuzzer's own use of a memory fd: writes through its mmap() or with
 * pwrite() (ENOSPC from the size on), and reads of either against the
 * model. @s is unused.
 */
static void op_memfd_io(struct ctx *c, struct space *s)
{
	static const char *const io_names[] = {
		"mmap write", "pwrite", "mmap check", "pread",
	};
	struct rng *r = &c->rng;
	unsigned int mf = below(r, c->nmf), what = below(r, 4);
	struct memfile *f = &c->mf[mf];
	uint64_t off, len, i;
	int64_t want, got;

	if (!c->nmf)
		return describe(c, "memory fd i/o skipped: no memory fd");
	off = below(r, f->size + (chance(r, 5) ? 2 * PG : 0));
	if (what % 2 == 0)	/* the mmap cases: inside the file */
		off %= f->size;
	len = 1 + below(r, RW_MAX);
	want = off >= f->size ? 0 : (int64_t)(len < f->size - off ? len : f->size - off);
	describe(c, "memory fd %u: %s offset %#llx len %#llx", mf, io_names[what],
		 (unsigned long long)off, (unsigned long long)len);
	for (i = 0; i < len; i++)
		c->buf[i] = rnd(r);
	switch (what) {
	case 0:
		memcpy(f->map + off, c->buf, want);
		memfile_rw(f, off, c->buf, want, true);
		return;
	case 1:
		got = pwrite(f->fd, c->buf, len, off);
		if (want == 0 && got < 0 && errno == ENOSPC)
			return;
		if (got != want)
			return fail(c, "pwrite returned %lld (%s), model %lld",
				    (long long)got, ename(errno), (long long)want);
		memfile_rw(f, off, c->buf, want, true);
		return;
	case 2:
		return check_memfile(c, mf, off, want);
	default:
		got = pread(f->fd, c->buf, len, off);
		if (got != want)
			return fail(c, "pread returned %lld (%s), model %lld",
				    (long long)got, ename(errno), (long long)want);
		memfile_rw(f, off, c->buf2, want, false);
		for (i = 0; i < (uint64_t)want && c->buf[i] == c->buf2[i]; i++)
			;
		if (i < (uint64_t)want)
			fail(c, "pread byte %#llx reads %#x, model %#x",
			     (unsigned long long)(off + i), c->buf[i], c->buf2[i]);
	}
}

const char *const op_names[NR_OPS] = {
	"map-alloc", "map-linear", "unmap", "protect", "translate", "handle-fault",
	"get-info", "get-areas", "dump-tables", "clear", "pread", "pwrite",
	"unknown-ioctl", "close", "create-invalid", "device-ioctls", "reopen-device",
	"translate-batch", "map-memory", "punch", "discard", "memfd-io",
};

/* Relative weights: single-threaded and in a thread's slice. */
static const unsigned int weight[2][NR_OPS] = {
	{ 14, 8, 9, 8, 14, 12, 3, 3, 1, 1, 8, 8, 1, 1, 1, 1, 1, 4, 8, 3, 4, 4 },
	{ 14, 6, 9, 8, 14, 12, 0, 3, 1, 0, 8, 8, 1, 0, 0, 0, 0, 4, 0, 0, 3, 0 },
};

enum op pick_op(struct ctx *c, const struct space *s)
{
	const unsigned int *w = weight[c->threaded];
	unsigned int total = 0, i, x;

	for (i = 0; i < NR_OPS; i++)
		total += w[i];
	x = below(&c->rng, total);
	for (i = 0; x >= w[i]; i++)
		x -= w[i];
	/* Keep the model small: a full space turns maps into unmaps. */
	if ((i == OP_MAP_ALLOC || i == OP_MAP_LINEAR || i == OP_MAP_MEMORY) &&
	    (s->m.na > MAX_AREAS || s->m.nf > MAX_FRAMES))
		i = OP_UNMAP;
	return i;
}

static void op_pread(struct ctx *c, struct space *s)
{
	op_rw(c, s, false);
}

static void op_pwrite(struct ctx *c, struct space *s)
{
	op_rw(c, s, true);
}

static void op_reopen_dev(struct ctx *c, struct space *s)
{
	describe(c, "close and reopen the device fd");
	close(c->dev);
	c->dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (c->dev < 0)
		fail(c, "open: %s", strerror(errno));
}

/* Each operation's function: on space @s, or on the device (@s unused). */
static void (*const op_fns[NR_OPS])(struct ctx *c, struct space *s) = {
	[OP_MAP_ALLOC] = op_map_alloc, [OP_MAP_LINEAR] = op_map_linear,
	[OP_UNMAP] = op_unmap, [OP_PROTECT] = op_protect,
	[OP_TRANSLATE] = op_translate, [OP_FAULT] = op_fault,
	[OP_INFO] = op_info, [OP_AREAS] = op_areas, [OP_DUMP] = op_dump,
	[OP_CLEAR] = op_clear, [OP_PREAD] = op_pread, [OP_PWRITE] = op_pwrite,
	[OP_ENOTTY] = op_enotty, [OP_CLOSE] = op_close,
	[OP_CREATE_BAD] = op_create_bad, [OP_DEV] = op_dev,
	[OP_REOPEN_DEV] = op_reopen_dev, [OP_XLATE_BATCH] = op_translate_batch,
	[OP_MAP_MEMORY] = op_map_memory, [OP_PUNCH] = op_punch,
	[OP_DISCARD] = op_discard, [OP_MEMFD_IO] = op_memfd_io,
};

static void do_one_op(struct ctx *c, struct space *s, enum op op)
{
	if (op < NR_OPS && op_fns[op])
		op_fns[op](c, s);
}

void do_op(struct ctx *c, struct space *s, enum op op)
{
	c->counts[op]++;
	inj_nth = pick_nth(c, may_alloc[op]);
	do_one_op(c, s, op);
	inj_nth = 0;
	if (c->recheck)
		recheck(c, s);
}
