// SPDX-License-Identifier: GPL-2.0
/*
 * Many threads on one space at once, none of them privileged: structural
 * writers (map, unmap and protect that split 2 MiB leaves, clear), lockless
 * readers (translate, translate batch), faults and guest memory access.
 * Every answer a reader gets must be one that some state of the writers
 * explains, and the final state must be exactly what the writers left.
 *
 * The space is cut into slots. Each slot belongs to one writer and is at
 * any time a hole or one of a few shapes fixed by the slot's number
 * (slot_areas()), so a reader that knows nothing of the writers' timing
 * can still tell a legal answer from a wrong one. Guest memory bytes of a
 * slot are 0 or one of the slot's two patterns.
 *
 * Beside them, on a small space of its own, one thread maps and unmaps a
 * page at gpa 0 while three translate it (singly and in batches): a
 * reported oops.
 *
 * Root creates the spaces and maps the linear areas (CAP_SYS_RAWIO); a
 * child without capabilities runs the pair alone for five seconds, then
 * every thread for three, and exits with the verdict. Root then walks the
 * dumped tables and checks that a fresh space works.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/axaddrspace.h>

#include "kselftest_harness.h"
#include "axas_util.h"
#include "walker.h"

#define RW		(AXAS_READ | AXAS_WRITE)
#define POP		AXAS_MAP_POPULATE

/*
 * The main space, 4 GiB:
 *   [0, 64 MiB)         16 big slots of 4 MiB: a 2 MiB populated area
 *   [64 MiB, 68 MiB)    64 small slots of 64 KiB: an area of a few pages
 *   [96 MiB, +2 MiB+8K) a linear area, root's: a 2 MiB leaf and two 4 KiB
 *   [1 GiB, 3 GiB)      2 lazy slots of 1 GiB: a lazy 1 GiB area; faults
 *                       and writes go to its first LAZY_WIN bytes only
 *   [3 GiB, 4 GiB)      a 1 GiB linear area, root's: a 1 GiB leaf
 */
#define SPACE_SIZE	(4 * SZ_1G)
#define NR_BIG		16
#define BIG_SLOT	(4 * SZ_1M)
#define SMALL_BASE	(64 * SZ_1M)
#define NR_SMALL	64
#define SMALL_SLOT	SZ_64K
#define LIN_GPA		(96 * SZ_1M)
#define LIN_SIZE	(SZ_2M + 2 * SZ_4K)
#define LAZY_BASE	SZ_1G
#define NR_LAZY		2
#define LAZY_WIN	(64 * SZ_1M)
#define HUGE_GPA	(3 * SZ_1G)

enum {
	FIRST_SMALL = NR_BIG,
	FIRST_LAZY = FIRST_SMALL + NR_SMALL,
	SLOT_LIN = FIRST_LAZY + NR_LAZY,
	SLOT_HUGE,
	NR_SLOTS,
};

/* Writers own the slots below SLOT_LIN; the linear ones are root's. */
#define NR_OWNED	SLOT_LIN

/* Slot states. */
enum { EMPTY, FULL, CUT, PROT, SMALL_A, SMALL_B };

static const char * const state_name[] = {
	"empty", "full", "cut", "protected", "small-a", "small-b",
};

#define NR_WRITERS	3
#define NR_READERS	2
#define NR_FAULTERS	2
#define NR_RW		2
#define NR_PAIR_READERS	3
#define NR_THREADS	(NR_WRITERS + NR_READERS + NR_FAULTERS + NR_RW + 1 + \
			 NR_PAIR_READERS)

#define PAIR_SECONDS	5
#define RUN_SECONDS	3
#define CLEAR_EVERY	64	/* writer 0 clears the space every so often */
#define BATCH		64
#define SCAN_BATCH	512
#define PAIR_BATCH	512
#define MAX_SHAPES	8
#define MAX_AREAS	(4 * NR_SLOTS)
#define MAX_XFER	(3 * SZ_4K)

struct shape {
	uint64_t gpa, size, hpa;	/* hpa: linear areas only */
	uint32_t flags;			/* with POP for populated areas */
	uint32_t backend;
};

/* Everything the threads share; set up before they start. */
static struct {
	int fd;				/* the main space */
	int pair_fd;			/* the small space of the oops pair */
	uint64_t lin_hpa, huge_hpa;	/* 0: not mapped */
	struct shape legal[NR_SLOTS][MAX_SHAPES];
	unsigned int nr_legal[NR_SLOTS];
	int state[NR_SLOTS];		/* owner's, or the clearing writer's */
	pthread_rwlock_t clear_lock;	/* writers: read; clear: write */
	int stop;
} g;

/* ---- ioctl wrappers: 0 or an errno --------------------------------------- */

/* A space of @size bytes at gpa 0, x86 EPT4. */
static int _create_space(int dev, uint64_t size, int *fd)
{
	return _create(dev, 0, size, AXAS_FMT_X86_EPT4, fd);
}

/* AXAS_TRANSLATE_BATCH of n elements: 0, an errno, or -1 if fewer came. */
static int _batch(int fd, struct axas_translate *e, uint32_t n)
{
	uint32_t count = n;
	int ret = _translate_batch(fd, e, &count);

	return ret ?: count == n ? 0 : -1;
}

/* ---- Slots: where they lie and the shapes they may have ------------------ */

static uint64_t slot_base(unsigned int s)
{
	if (s < FIRST_SMALL)
		return s * BIG_SLOT;
	if (s < FIRST_LAZY)
		return SMALL_BASE + (s - FIRST_SMALL) * SMALL_SLOT;
	if (s < SLOT_LIN)
		return LAZY_BASE + (s - FIRST_LAZY) * SZ_1G;
	return s == SLOT_LIN ? LIN_GPA : HUGE_GPA;
}

static uint64_t slot_span(unsigned int s)
{
	if (s < FIRST_SMALL)
		return BIG_SLOT;
	if (s < FIRST_LAZY)
		return SMALL_SLOT;
	return s == SLOT_LIN ? LIN_SIZE : SZ_1G;
}

/* Where the traffic of slot @s goes: the whole slot, or the lazy window. */
static uint64_t slot_traffic(unsigned int s)
{
	return s >= FIRST_LAZY && s < SLOT_LIN ? LAZY_WIN : slot_span(s);
}

/* The slot holding @gpa, -1 for none. */
static int slot_of(uint64_t gpa)
{
	if (gpa < NR_BIG * BIG_SLOT)
		return gpa / BIG_SLOT;
	if (gpa >= SMALL_BASE && gpa < SMALL_BASE + NR_SMALL * SMALL_SLOT)
		return FIRST_SMALL + (gpa - SMALL_BASE) / SMALL_SLOT;
	if (gpa >= LIN_GPA && gpa < LIN_GPA + LIN_SIZE)
		return SLOT_LIN;
	if (gpa >= LAZY_BASE && gpa < LAZY_BASE + NR_LAZY * SZ_1G)
		return FIRST_LAZY + (gpa - LAZY_BASE) / SZ_1G;
	if (gpa >= HUGE_GPA && gpa < HUGE_GPA + SZ_1G)
		return SLOT_HUGE;
	return -1;
}

/* Big slots: the page cut out or protected, inside the 2 MiB area. */
static uint64_t big_cut(unsigned int s)
{
	return SZ_4K * (1 + s * 37 % 510);
}

static uint32_t big_prot(unsigned int s)
{
	return s & 1 ? AXAS_READ : AXAS_READ | AXAS_UNCACHED;
}

/* Lazy slots: the page cut out, and the 2 MiB made read-only. */
static uint64_t lazy_cut(unsigned int s)
{
	return SZ_2M * (3 + 7 * (s - FIRST_LAZY)) + 5 * SZ_4K;
}

static uint64_t lazy_prot(unsigned int s)
{
	return SZ_2M * (10 + (s - FIRST_LAZY));
}

static uint64_t small_a_size(unsigned int s)
{
	return SZ_4K * (1 + (s - FIRST_SMALL) % 4);
}

static unsigned int put(struct shape *out, unsigned int n, uint64_t gpa,
			uint64_t size, uint32_t flags)
{
	out[n] = (struct shape){ gpa, size, 0, flags, AXAS_BACKEND_ALLOC };
	return n + 1;
}

/* Three areas: [b, b + at), [b + at, + len) with @mid, the rest of @size. */
static unsigned int put3(struct shape *out, uint64_t b, uint64_t size,
			 uint64_t at, uint64_t len, uint32_t outer, uint32_t mid)
{
	unsigned int n = put(out, 0, b, at, outer);

	n = put(out, n, b + at, len, mid);
	return put(out, n, b + at + len, size - at - len, outer);
}

static unsigned int big_areas(unsigned int s, int state, struct shape *out)
{
	uint64_t b = slot_base(s), c = big_cut(s);

	switch (state) {
	case FULL:
		return put(out, 0, b, SZ_2M, RW | POP);
	case CUT:
		return put(out, put(out, 0, b, c, RW | POP), b + c + SZ_4K,
			   SZ_2M - c - SZ_4K, RW | POP);
	case PROT:
		return put3(out, b, SZ_2M, c, SZ_4K, RW | POP, big_prot(s) | POP);
	}
	return 0;
}

static unsigned int lazy_areas(unsigned int s, int state, struct shape *out)
{
	uint64_t b = slot_base(s), c = lazy_cut(s);

	switch (state) {
	case FULL:
		return put(out, 0, b, SZ_1G, RW);
	case CUT:
		return put(out, put(out, 0, b, c, RW), b + c + SZ_4K,
			   SZ_1G - c - SZ_4K, RW);
	case PROT:
		return put3(out, b, SZ_1G, lazy_prot(s), SZ_2M, RW, AXAS_READ);
	}
	return 0;
}

/* The areas of slot @s in @state, in gpa order; returns how many. */
static unsigned int slot_areas(unsigned int s, int state, struct shape *out)
{
	uint64_t b = slot_base(s);

	if (state == EMPTY)
		return 0;
	if (s < FIRST_SMALL)
		return big_areas(s, state, out);
	if (s < FIRST_LAZY)
		return state == SMALL_A ?
		       put(out, 0, b, small_a_size(s), RW | POP) :
		       put(out, 0, b + SZ_4K, 2 * SZ_4K, AXAS_READ | AXAS_EXEC);
	if (s < SLOT_LIN)
		return lazy_areas(s, state, out);
	out[0] = (struct shape){
		.gpa = b, .size = slot_span(s), .backend = AXAS_BACKEND_LINEAR,
		.hpa = s == SLOT_LIN ? g.lin_hpa : g.huge_hpa,
		.flags = s == SLOT_LIN ? AXAS_READ | AXAS_DEVICE :
					 AXAS_READ | AXAS_EXEC,
	};
	return 1;
}

/* Does slot @s ever have state @st (other than EMPTY)? */
static bool state_exists(unsigned int s, int st)
{
	if (s >= SLOT_LIN)
		return st == FULL && (s == SLOT_LIN ? g.lin_hpa : g.huge_hpa);
	if (s >= FIRST_SMALL && s < FIRST_LAZY)
		return st == SMALL_A || st == SMALL_B;
	return st == FULL || st == CUT || st == PROT;
}

/* Every shape any state of every slot has: what readers may see. */
static void init_legal(void)
{
	unsigned int s;
	int st;

	for (s = 0; s < NR_SLOTS; s++) {
		g.nr_legal[s] = 0;
		for (st = FULL; st <= SMALL_B; st++)
			if (state_exists(s, st))
				g.nr_legal[s] += slot_areas(s, st, g.legal[s] +
							    g.nr_legal[s]);
	}
}

/* The leaf a linear area maps @gpa with: the largest that fits. */
static uint64_t linear_leaf(const struct shape *a, uint64_t gpa)
{
	static const uint64_t sizes[] = { SZ_1G, SZ_2M, SZ_4K };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t ps = sizes[i], leaf = gpa & ~(ps - 1);

		if (leaf >= a->gpa && leaf + ps <= a->gpa + a->size &&
		    !((a->hpa + leaf - a->gpa) & (ps - 1)))
			return ps;
	}
	return 0;
}

/* Why translation @t of @gpa does not fit area @a, or NULL. */
static const char *misfit(const struct shape *a, uint64_t gpa,
			  const struct axas_translate *t)
{
	uint64_t leaf = gpa & ~(t->page_size - 1);

	if (t->area_start != a->gpa || t->area_size != a->size ||
	    t->flags != (a->flags & AXAS_PROT_MASK) || t->backend != a->backend)
		return "not this area";
	if (leaf < a->gpa || leaf + t->page_size > a->gpa + a->size)
		return "leaf sticks out of its area";
	if (a->backend == AXAS_BACKEND_LINEAR && t->page_size != linear_leaf(a, gpa))
		return "linear leaf of the wrong size";
	return NULL;
}

/* Why a successful translation of @gpa is no legal answer, or NULL. */
static const char *bad_translation(uint64_t gpa, const struct axas_translate *t)
{
	const char *why = "area of no legal shape";
	int s = slot_of(gpa);
	unsigned int i;

	if (t->gpa != gpa)
		return "gpa changed";
	if (t->hpa || t->reserved)
		return "hpa or reserved not 0 for nobody";
	if (t->page_size != SZ_4K && t->page_size != SZ_2M && t->page_size != SZ_1G)
		return "page size";
	if (gpa < t->area_start || gpa - t->area_start >= t->area_size)
		return "gpa outside its area";
	for (i = 0; s >= 0 && i < g.nr_legal[s]; i++) {
		const char *w = misfit(&g.legal[s][i], gpa, t);

		if (!w)
			return NULL;
		if (strcmp(w, "not this area"))
			why = w;
	}
	return why;
}

/*
 * Could an area of @gpa's slot have resolved a fault of @access? (Version
 * 1 resolves faults in lazy areas only, version 2 wherever a leaf permits
 * the access: either way the area's flags must include every bit of it.)
 */
static bool area_allows(uint64_t gpa, uint32_t access)
{
	int s = slot_of(gpa);
	unsigned int i;

	for (i = 0; s >= 0 && i < g.nr_legal[s]; i++) {
		const struct shape *a = &g.legal[s][i];

		if (gpa >= a->gpa && gpa - a->gpa < a->size &&
		    (a->flags & access) == access)
			return true;
	}
	return false;
}

/* The range every shape of slot @s lies in. */
static void slot_hull(unsigned int s, uint64_t *lo, uint64_t *hi)
{
	unsigned int i;

	*lo = UINT64_MAX;
	*hi = 0;
	for (i = 0; i < g.nr_legal[s]; i++) {
		const struct shape *a = &g.legal[s][i];

		if (a->gpa < *lo)
			*lo = a->gpa;
		if (a->gpa + a->size > *hi)
			*hi = a->gpa + a->size;
	}
}

/* The two byte values written to slot @s, never 0, differing by slot. */
static uint8_t pattern(unsigned int s, unsigned int j)
{
	return 1 + (2 * s + j) % 255;
}

/* ---- Threads -------------------------------------------------------------- */

struct worker {
	pthread_t tid;
	const char *role;
	unsigned int id;
	uint64_t rnd;
	unsigned long ops;	/* iterations, read by the main thread */
	unsigned long hits;	/* answers other than a hole */
	unsigned long handled;	/* faults that said handled = 1 */
	unsigned long enomem;
	bool done;		/* returned normally, not killed in the kernel */
	char err[256];
};

static bool stopped(void)
{
	return __atomic_load_n(&g.stop, __ATOMIC_RELAXED);
}

static void __attribute__((format(printf, 2, 3)))
fail(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->err[0]) {
		va_start(ap, fmt);
		vsnprintf(w->err, sizeof(w->err), fmt, ap);
		va_end(ap);
	}
	__atomic_store_n(&g.stop, 1, __ATOMIC_RELAXED);
}

static uint64_t rnd(struct worker *w)
{
	w->rnd ^= w->rnd << 13;
	w->rnd ^= w->rnd >> 7;
	w->rnd ^= w->rnd << 17;
	return w->rnd;
}

static void tick(struct worker *w)
{
	__atomic_store_n(&w->ops, w->ops + 1, __ATOMIC_RELAXED);
}

/* A gpa where something may be; never a lazy page outside its window. */
static uint64_t random_gpa(struct worker *w)
{
	uint64_t r = rnd(w), gpa;
	int s;

	switch (r % 8) {
	case 0:
	case 1:
		return rnd(w) % (NR_BIG * BIG_SLOT);
	case 2:
		return SMALL_BASE + rnd(w) % (NR_SMALL * SMALL_SLOT);
	case 3:
	case 4:
		return LAZY_BASE + rnd(w) % NR_LAZY * SZ_1G + rnd(w) % LAZY_WIN;
	case 5:
		return LIN_GPA + rnd(w) % (LIN_SIZE + SZ_4K);
	case 6:
		return HUGE_GPA + rnd(w) % SZ_1G;
	}
	gpa = rnd(w) % SPACE_SIZE;
	s = slot_of(gpa);
	if (s >= FIRST_LAZY && s < SLOT_LIN)
		gpa = slot_base(s) + (gpa - slot_base(s)) % LAZY_WIN;
	return gpa;
}

/* The transition the writer makes from @state, and the call that makes it. */
static int next_state(unsigned int s, int state, uint64_t r)
{
	static const int from_full[] = { CUT, PROT, EMPTY };

	if (s >= FIRST_SMALL && s < FIRST_LAZY)
		return state != EMPTY ? EMPTY : r & 1 ? SMALL_A : SMALL_B;
	switch (state) {
	case EMPTY:
		return FULL;
	case FULL:
		return from_full[r % ARRAY_SIZE(from_full)];
	case PROT:
		/* In a big slot the protected page is the one cut out. */
		return s < FIRST_SMALL && r & 1 ? CUT : EMPTY;
	}
	return EMPTY;
}

static int transition(unsigned int s, int to)
{
	uint64_t b = slot_base(s);
	bool big = s < FIRST_SMALL;

	switch (to) {
	case EMPTY:
		return _unmap(g.fd, b, slot_span(s));
	case FULL:
		return big ? _map_alloc(g.fd, b, SZ_2M, RW | POP) :
			     _map_alloc(g.fd, b, SZ_1G, RW);
	case CUT:
		return _unmap(g.fd, b + (big ? big_cut(s) : lazy_cut(s)), SZ_4K);
	case PROT:
		return big ? _protect(g.fd, b + big_cut(s), SZ_4K, big_prot(s)) :
			     _protect(g.fd, b + lazy_prot(s), SZ_2M, AXAS_READ);
	case SMALL_A:
		return _map_alloc(g.fd, b, small_a_size(s), RW | POP);
	}
	return _map_alloc(g.fd, b + SZ_4K, 2 * SZ_4K, AXAS_READ | AXAS_EXEC);
}

static void clear_space(struct worker *w)
{
	unsigned int s;
	int ret;

	pthread_rwlock_wrlock(&g.clear_lock);
	ret = xioctl(g.fd, AXAS_CLEAR, NULL);
	if (ret)
		fail(w, "clear: %s", strerror(ret));
	for (s = 0; s < NR_SLOTS; s++)
		g.state[s] = EMPTY;
	pthread_rwlock_unlock(&g.clear_lock);
}

static void writer_step(struct worker *w)
{
	unsigned int s;
	int from, to, ret;

	do
		s = rnd(w) % ((NR_OWNED + NR_WRITERS - 1) / NR_WRITERS) *
		    NR_WRITERS + w->id;
	while (s >= NR_OWNED);
	pthread_rwlock_rdlock(&g.clear_lock);
	from = g.state[s];
	to = next_state(s, from, rnd(w));
	ret = transition(s, to);
	if (!ret)
		g.state[s] = to;
	else if (ret == ENOMEM)
		w->enomem++;
	else
		fail(w, "slot %u, %s to %s: %s", s, state_name[from],
		     state_name[to], strerror(ret));
	pthread_rwlock_unlock(&g.clear_lock);
}

static void *writer_fn(void *arg)
{
	struct worker *w = arg;

	while (!stopped()) {
		if (!w->id && w->ops % CLEAR_EVERY == CLEAR_EVERY / 4)
			clear_space(w);
		else
			writer_step(w);
		tick(w);
	}
	w->done = true;
	return NULL;
}

static void check_translation(struct worker *w, uint64_t gpa, int ret,
			      const struct axas_translate *t, const char *what)
{
	const char *why;

	if (ret == ENOENT)
		return;
	if (ret) {
		fail(w, "%s %#llx: %s", what, (unsigned long long)gpa,
		     strerror(ret));
		return;
	}
	w->hits++;
	why = bad_translation(gpa, t);
	if (why)
		fail(w, "%s %#llx: %s (area %#llx+%#llx flags %#x backend %u page %#llx)",
		     what, (unsigned long long)gpa, why,
		     (unsigned long long)t->area_start,
		     (unsigned long long)t->area_size, t->flags, t->backend,
		     (unsigned long long)t->page_size);
}

/* A batch element without a translation has every output 0. */
static bool all_zero(const struct axas_translate *e)
{
	return !e->hpa && !e->page_size && !e->area_start && !e->area_size &&
	       !e->flags && !e->backend && !e->reserved;
}

static void reader_batch(struct worker *w)
{
	struct axas_translate e[BATCH];
	unsigned int i;
	int ret;

	memset(e, 0x5a, sizeof(e));
	for (i = 0; i < BATCH; i++) {
		e[i].gpa = random_gpa(w);
		e[i].op_flags = 0;
	}
	ret = _batch(g.fd, e, BATCH);
	if (ret) {
		fail(w, "translate batch: %s", ret < 0 ? "short count" : strerror(ret));
		return;
	}
	for (i = 0; i < BATCH && !stopped(); i++) {
		if (!e[i].page_size && all_zero(&e[i]))
			continue;
		check_translation(w, e[i].gpa, 0, &e[i], "batch element");
	}
}

static void *reader_fn(void *arg)
{
	struct worker *w = arg;
	struct axas_translate t;
	uint64_t gpa;

	while (!stopped()) {
		if (rnd(w) % 8) {
			gpa = random_gpa(w);
			check_translation(w, gpa, _translate(g.fd, gpa, &t), &t,
					  "translate");
		} else {
			reader_batch(w);
		}
		tick(w);
	}
	w->done = true;
	return NULL;
}

static void *faulter_fn(void *arg)
{
	static const uint32_t access[] = {
		AXAS_READ, AXAS_WRITE, RW, AXAS_EXEC, AXAS_READ | AXAS_EXEC,
		RW | AXAS_EXEC,
	};
	struct worker *w = arg;
	uint32_t acc, handled;
	uint64_t gpa;
	int ret;

	while (!stopped()) {
		gpa = random_gpa(w);
		acc = access[rnd(w) % ARRAY_SIZE(access)];
		ret = _fault(g.fd, gpa, acc, &handled);
		if (ret == ENOMEM)
			w->enomem++;
		else if (ret)
			fail(w, "fault %#llx: %s", (unsigned long long)gpa,
			     strerror(ret));
		else if (handled > 1)
			fail(w, "fault %#llx: handled %u", (unsigned long long)gpa,
			     handled);
		else if (handled && !area_allows(gpa, acc))
			fail(w, "fault %#llx access %#x handled where no area allows it",
			     (unsigned long long)gpa, acc);
		w->handled += handled == 1;
		tick(w);
	}
	w->done = true;
	return NULL;
}

/*
 * One pread or pwrite that starts where the slot's shapes lie and ends
 * inside its traffic range; what it transfers must stay in its shapes.
 */
static void rw_step(struct worker *w, uint8_t *buf)
{
	unsigned int s = rnd(w) % NR_OWNED, j = rnd(w) & 1;
	uint64_t end = slot_base(s) + slot_traffic(s), lo, hi, off;
	bool write = rnd(w) & 1;
	size_t len, k;
	ssize_t ret;

	slot_hull(s, &lo, &hi);
	off = lo + rnd(w) % ((hi < end ? hi : end) - lo);
	len = 1 + rnd(w) % MAX_XFER;
	if (len > end - off)
		len = end - off;
	memset(buf, write ? pattern(s, j) : 0xee, len);
	ret = write ? pwrite(g.fd, buf, len, off) : pread(g.fd, buf, len, off);
	if (ret < 0) {
		if (errno == ENOMEM && write)
			w->enomem++;
		else if (errno != EIO)
			fail(w, "%s %#llx+%zu: %s", write ? "pwrite" : "pread",
			     (unsigned long long)off, len, strerror(errno));
		return;
	}
	w->hits++;
	if (!ret || (size_t)ret > len || off < lo || off + ret > hi) {
		fail(w, "%s %#llx+%zu: %zd bytes, slot %u lies in %#llx..%#llx",
		     write ? "pwrite" : "pread", (unsigned long long)off, len,
		     ret, s, (unsigned long long)lo, (unsigned long long)hi);
		return;
	}
	for (k = 0; !write && k < (size_t)ret; k++) {
		if (buf[k] && buf[k] != pattern(s, 0) && buf[k] != pattern(s, 1)) {
			fail(w, "pread %#llx: byte %#x, slot %u writes %#x or %#x",
			     (unsigned long long)(off + k), buf[k], s,
			     pattern(s, 0), pattern(s, 1));
			return;
		}
	}
}

static void *rw_fn(void *arg)
{
	struct worker *w = arg;
	uint8_t buf[MAX_XFER];

	while (!stopped()) {
		rw_step(w, buf);
		tick(w);
	}
	w->done = true;
	return NULL;
}

/* The oops pair: a page at gpa 0 of the small space, mapped and unmapped. */
static void *pair_writer_fn(void *arg)
{
	struct worker *w = arg;
	int ret;

	while (!stopped()) {
		/* Mostly lazy: the area tree changes as often as it can. */
		ret = _map_alloc(g.pair_fd, 0, SZ_4K, w->ops % 8 ? RW : RW | POP);
		if (ret == ENOMEM)
			w->enomem++;
		else if (ret)
			fail(w, "pair map: %s", strerror(ret));
		do
			ret = _unmap(g.pair_fd, 0, SZ_4K);
		while (ret == ENOMEM);
		if (ret)
			fail(w, "pair unmap: %s", strerror(ret));
		tick(w);
	}
	w->done = true;
	return NULL;
}

/* The one answer besides ENOENT: the page at gpa 0, as mapped. */
static bool pair_page(const struct axas_translate *t)
{
	return !t->area_start && t->area_size == SZ_4K && t->flags == RW &&
	       t->backend == AXAS_BACKEND_ALLOC && t->page_size == SZ_4K &&
	       !t->hpa && !t->reserved;
}

/* A translation of gpa 0 of the small space: ENOENT, or the page. */
static void pair_check(struct worker *w, int ret, const struct axas_translate *t)
{
	if (ret && ret != ENOENT)
		fail(w, "pair translate: %s", strerror(ret));
	else if (!ret && !pair_page(t))
		fail(w, "pair translate: %#llx+%#llx flags %#x backend %u page %#llx",
		     (unsigned long long)t->area_start,
		     (unsigned long long)t->area_size, t->flags, t->backend,
		     (unsigned long long)t->page_size);
	w->hits += !ret;
}

/*
 * AXAS_TRANSLATE of gpa 0, and as often a batch of PAIR_BATCH of them: the
 * same lockless lookup, without a system call each.
 */
static void *pair_reader_fn(void *arg)
{
	static const struct axas_translate zero;
	struct axas_translate t, e[PAIR_BATCH];
	struct worker *w = arg;
	unsigned int i;
	int ret;

	while (!stopped()) {
		ret = _translate(g.pair_fd, 0, &t);
		pair_check(w, ret, &t);
		memset(e, 0, sizeof(e));
		ret = _batch(g.pair_fd, e, PAIR_BATCH);
		if (ret)
			fail(w, "pair batch: %s", ret < 0 ? "short count" : strerror(ret));
		for (i = 0; !ret && i < PAIR_BATCH; i++)
			pair_check(w, memcmp(&e[i], &zero, sizeof(zero)) ? 0 : ENOENT,
				   &e[i]);
		tick(w);
	}
	w->done = true;
	return NULL;
}

/* ---- The unprivileged child ----------------------------------------------- */

static struct worker workers[NR_THREADS];

static void start(struct worker *w, const char *role, unsigned int id,
		  void *(*fn)(void *))
{
	static uint64_t seed = 0x9e3779b97f4a7c15ULL;

	w->role = role;
	w->id = id;
	w->rnd = seed += 0x632be59bd9b4e019ULL;
	if (pthread_create(&w->tid, NULL, fn, w)) {
		fprintf(stderr, "# cannot start a %s thread\n", role);
		exit(3);
	}
}

/*
 * The oops pair first, alone for PAIR_SECONDS (with the vCPUs to itself it
 * races far more often), then everything for RUN_SECONDS, and until every
 * thread got through once.
 */
static void run_and_join(void)
{
	struct worker *w = workers;
	unsigned int i, waiting;

	start(w++, "pair writer", 0, pair_writer_fn);
	for (i = 0; i < NR_PAIR_READERS; i++)
		start(w++, "pair reader", i, pair_reader_fn);
	sleep(PAIR_SECONDS);
	for (i = 0; i < NR_WRITERS; i++)
		start(w++, "writer", i, writer_fn);
	for (i = 0; i < NR_READERS; i++)
		start(w++, "reader", i, reader_fn);
	for (i = 0; i < NR_FAULTERS; i++)
		start(w++, "faulter", i, faulter_fn);
	for (i = 0; i < NR_RW; i++)
		start(w++, "pread/pwrite", i, rw_fn);
	sleep(RUN_SECONDS);
	do {
		waiting = 0;
		for (i = 0; i < NR_THREADS; i++)
			waiting += !__atomic_load_n(&workers[i].ops, __ATOMIC_RELAXED);
		if (waiting && !stopped())
			usleep(10000);
	} while (waiting && !stopped());
	__atomic_store_n(&g.stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(workers[i].tid, NULL);
}

static int report_workers(void)
{
	unsigned int i, bad = 0;

	for (i = 0; i < NR_THREADS; i++) {
		struct worker *w = &workers[i];

		fprintf(stderr, "# %s %u: %lu ops, %lu hits, %lu handled, %lu ENOMEM\n",
			w->role, w->id, w->ops, w->hits, w->handled, w->enomem);
		if (!w->done)
			fprintf(stderr, "# %s %u: died in the kernel\n", w->role, w->id);
		else if (w->err[0])
			fprintf(stderr, "# %s %u: %s\n", w->role, w->id, w->err);
		bad += !w->done || w->err[0];
	}
	return bad;
}

/* ---- The final state, against what the writers left ---------------------- */

static int cmp_shape(const void *a, const void *b)
{
	const struct shape *x = a, *y = b;

	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

static unsigned int final_areas(struct shape *want)
{
	unsigned int s, n = 0;

	for (s = 0; s < NR_SLOTS; s++)
		n += slot_areas(s, g.state[s], want + n);
	qsort(want, n, sizeof(*want), cmp_shape);
	return n;
}

static const struct shape *area_at(const struct shape *a, unsigned int n,
				   uint64_t gpa)
{
	unsigned int lo = 0, hi = n;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (gpa < a[mid].gpa)
			hi = mid;
		else if (gpa - a[mid].gpa >= a[mid].size)
			lo = mid + 1;
		else
			return &a[mid];
	}
	return NULL;
}

struct final {
	const struct shape *want;
	unsigned int n;
	uint64_t lazy_pages;	/* present pages of lazy areas */
	unsigned int bad;
};

static void final_bad(struct final *f, uint64_t gpa, const char *why)
{
	if (!f->bad++)
		fprintf(stderr, "# final state: gpa %#llx: %s\n",
			(unsigned long long)gpa, why);
}

static void final_elem(struct final *f, const struct axas_translate *e)
{
	const struct shape *a = area_at(f->want, f->n, e->gpa);
	const char *why;

	if (!e->page_size) {
		if (!all_zero(e))
			final_bad(f, e->gpa, "no leaf, but outputs not 0");
		else if (a && (a->backend != AXAS_BACKEND_ALLOC || a->flags & POP))
			final_bad(f, e->gpa, "hole in a populated or linear area");
		return;
	}
	if (!a)
		return final_bad(f, e->gpa, "a leaf where no area is");
	why = misfit(a, e->gpa, e);
	if (why || e->hpa || e->reserved)
		return final_bad(f, e->gpa, why ?: "hpa or reserved not 0");
	if (a->backend == AXAS_BACKEND_ALLOC && !(a->flags & POP))
		f->lazy_pages++;
}

/* Translate [lo, hi) every @step bytes against the final areas. */
static void final_scan(struct final *f, uint64_t lo, uint64_t hi, uint64_t step)
{
	struct axas_translate e[SCAN_BATCH];
	unsigned int i, n;

	while (lo < hi) {
		for (n = 0; n < SCAN_BATCH && lo < hi; n++, lo += step)
			e[n] = (struct axas_translate){ .gpa = lo };
		if (_batch(g.fd, e, n))
			return final_bad(f, e[0].gpa, "translate batch failed");
		for (i = 0; i < n; i++)
			final_elem(f, &e[i]);
	}
}

static int final_check(unsigned long handled)
{
	static struct shape want[MAX_AREAS];
	struct final f = { .want = want, .n = final_areas(want) };
	uint64_t populated = 0, linear = 0;
	struct axas_area *got = NULL;
	struct axas_info info;
	unsigned int i, s;
	uint32_t count;
	int n;

	n = _areas(g.fd, &got, &count);
	n = n ? -n : (int)count;
	if (n != (int)f.n)
		fprintf(stderr, "# final state: %d areas, the writers left %u\n", n, f.n);
	for (i = 0; n == (int)f.n && i < f.n; i++) {
		if (got[i].gpa != want[i].gpa || got[i].size != want[i].size ||
		    got[i].flags != want[i].flags ||
		    got[i].backend != want[i].backend || got[i].hpa)
			final_bad(&f, want[i].gpa, "area differs");
		if (want[i].backend == AXAS_BACKEND_LINEAR)
			linear += want[i].size;
		else if (want[i].flags & POP)
			populated += want[i].size / SZ_4K;
	}
	free(got);
	final_scan(&f, 0, NR_BIG * BIG_SLOT, SZ_4K);
	final_scan(&f, SMALL_BASE, SMALL_BASE + NR_SMALL * SMALL_SLOT, SZ_4K);
	final_scan(&f, LIN_GPA, LIN_GPA + LIN_SIZE + SZ_4K, SZ_4K);
	for (s = FIRST_LAZY; s < SLOT_LIN; s++) {
		final_scan(&f, slot_base(s), slot_base(s) + LAZY_WIN, SZ_4K);
		final_scan(&f, slot_base(s) + LAZY_WIN, slot_base(s) + SZ_1G, SZ_2M);
	}
	final_scan(&f, HUGE_GPA, HUGE_GPA + SZ_1G, SZ_2M);
	if (_info(g.fd, &info))
		return 1;
	if (n != (int)f.n || info.nr_areas != f.n ||
	    info.alloc_pages != populated + f.lazy_pages ||
	    info.mapped_bytes != info.alloc_pages * SZ_4K + linear ||
	    info.faults_handled > handled || info.root_hpa || info.hw_root) {
		fprintf(stderr, "# final state: %llu areas (%u), %llu frames (%llu + %llu lazy)\n",
			(unsigned long long)info.nr_areas, f.n,
			(unsigned long long)info.alloc_pages,
			(unsigned long long)populated,
			(unsigned long long)f.lazy_pages);
		fprintf(stderr, "# final state: %llu mapped (%llu linear), %llu faults (%lu)\n",
			(unsigned long long)info.mapped_bytes,
			(unsigned long long)linear,
			(unsigned long long)info.faults_handled, handled);
		f.bad++;
	}
	return f.bad;
}

/* The small space: the pair writer always unmaps last. */
static int final_pair(void)
{
	struct axas_info info;

	if (_info(g.pair_fd, &info))
		return 1;
	if (info.nr_areas || info.mapped_bytes || info.alloc_pages) {
		fprintf(stderr, "# pair space: %llu areas, %llu bytes mapped, %llu frames\n",
			(unsigned long long)info.nr_areas,
			(unsigned long long)info.mapped_bytes,
			(unsigned long long)info.alloc_pages);
		return 1;
	}
	return 0;
}

/*
 * The verdict: 0 for success, else a small number saying what failed. The
 * device's fd (dev) is root's: closed first.
 */
static int stress_child(int dev)
{
	pthread_rwlockattr_t attr;
	unsigned long handled = 0;
	uint32_t eff, perm;
	unsigned int i;

	close(dev);
	if (drop_privileges())
		return 10;
	own_caps(&eff, &perm);
	if (eff || perm)
		return 10;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
				      PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&g.clear_lock, &attr);
	run_and_join();
	if (report_workers())
		return 11;
	for (i = 0; i < NR_THREADS; i++)
		if (workers[i].role[0] == 'f')
			handled += workers[i].handled;
	if (final_check(handled))
		return 12;
	return final_pair() ? 13 : 0;
}

/* ---- Root's side ---------------------------------------------------------- */

/*
 * Host ranges that are neither RAM nor claimed: 2 MiB aligned in the 32-bit
 * PCI hole for the small linear area, 1 GiB aligned above RAM for the big
 * one (as space_test.c picks them); 0 where none is found.
 */
static void probe_host(uint64_t *lin, uint64_t *huge)
{
	static const uint64_t hi[] = { 64 * SZ_1G, 32 * SZ_1G, 16 * SZ_1G, 8 * SZ_1G };
	struct iomem r[MAX_IOMEM];
	unsigned int n = read_iomem(r), bits = phys_bits(), i;

	*huge = 0;
	*lin = probe_pci_hole(2 * SZ_2M);
	for (i = 0; i < ARRAY_SIZE(hi) && !*huge; i++)
		if (host_free(r, n, hi[i], SZ_1G, bits))
			*huge = hi[i];
}

struct leaf_check {
	const struct axas_area *areas;
	int n;
	unsigned int format;
	unsigned int bad;
};

static int leaf_in_area(const struct axw_leaf *l, void *arg)
{
	struct leaf_check *c = arg;
	const struct axas_area *a = NULL;
	int i;

	for (i = 0; i < c->n && !a; i++)
		if (l->gpa >= c->areas[i].gpa &&
		    l->gpa - c->areas[i].gpa < c->areas[i].size)
			a = &c->areas[i];
	if (!a || l->gpa + l->size > a->gpa + a->size ||
	    l->flags != axw_expressible(c->format, a->flags & AXAS_PROT_MASK) ||
	    (a->backend == AXAS_BACKEND_LINEAR && l->hpa != a->hpa + l->gpa - a->gpa))
		c->bad++;
	return 0;
}

/* Root's view after the storm: the tables, walked, agree with the areas. */
static void check_tables(struct __test_metadata *_metadata, int fd)
{
	struct axas_table_page *pages = NULL;
	struct leaf_check c = { 0 };
	uint32_t npages, nareas;
	struct axas_area *areas = NULL;
	struct axas_info info;
	struct axw_tables t;
	struct axw_report r;

	ASSERT_EQ(0, _info(fd, &info));
	ASSERT_EQ(0, _dump(fd, &pages, &npages));
	ASSERT_NE(NULL, pages);
	ASSERT_EQ(0, _areas(fd, &areas, &nareas));
	c.n = nareas;
	EXPECT_EQ(info.nr_areas, c.n);
	t = (struct axw_tables){
		.pages = pages, .count = npages, .format = info.format,
		.levels = info.levels, .gpa_bits = info.gpa_bits,
		.root_hpa = info.root_hpa, .base = info.base, .size = info.size,
	};
	EXPECT_EQ(0, axw_check(&t, &r))
		axw_report_print(stderr, &r);
	EXPECT_EQ(info.mapped_bytes, r.mapped_bytes);
	c.areas = areas;
	c.format = info.format;
	EXPECT_EQ(0, axw_walk_leaves(&t, leaf_in_area, &c));
	EXPECT_EQ(0, c.bad) TH_LOG("%u leaves do not fit their areas", c.bad);
	free(areas);
	free(pages);
}

FIXTURE(stress) {
	const char *skip;
	int dev;
};

FIXTURE_SETUP(stress)
{
	uint64_t lin, huge;
	int batch;

	self->dev = -1;
	g.fd = -1;
	g.pair_fd = -1;
	self->skip = need_root_and_module();
	if (self->skip)
		return;
	probe_host(&lin, &huge);
	dev_open(self->dev);
	batch = ioctl(self->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_TRANSLATE_BATCH);
	ASSERT_LE(BATCH, batch);
	ASSERT_LE(SCAN_BATCH, batch);
	ASSERT_LE(PAIR_BATCH, batch);
	ASSERT_EQ(0, _create_space(self->dev, SPACE_SIZE, &g.fd));
	ASSERT_EQ(0, _create_space(self->dev, SZ_2M, &g.pair_fd));
	if (lin) {
		ASSERT_EQ(0, _map_linear(g.fd, LIN_GPA, lin, LIN_SIZE,
					 AXAS_READ | AXAS_DEVICE));
		g.lin_hpa = lin;
		g.state[SLOT_LIN] = FULL;
	}
	if (huge) {
		ASSERT_EQ(0, _map_linear(g.fd, HUGE_GPA, huge, SZ_1G,
					 AXAS_READ | AXAS_EXEC));
		g.huge_hpa = huge;
		g.state[SLOT_HUGE] = FULL;
	}
	init_legal();
}

FIXTURE_TEARDOWN(stress)
{
	if (g.fd >= 0)
		close(g.fd);
	if (g.pair_fd >= 0)
		close(g.pair_fd);
	if (self->dev >= 0)
		close(self->dev);
}

/* After the storm, a new space works as on the first day. */
static void fresh_space(struct __test_metadata *_metadata, int dev)
{
	char in[32] = "a fresh space", out[32] = { 0 };
	struct axas_translate t;
	int fd = -1;

	ASSERT_EQ(0, _create_space(dev, SZ_1G, &fd));
	EXPECT_EQ(0, _map_alloc(fd, SZ_2M, SZ_2M, RW | POP));
	EXPECT_EQ(sizeof(in), pwrite(fd, in, sizeof(in), SZ_2M + 100));
	EXPECT_EQ(sizeof(out), pread(fd, out, sizeof(out), SZ_2M + 100));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	EXPECT_EQ(0, _translate(fd, SZ_2M + 100, &t));
	EXPECT_EQ(SZ_2M, t.area_start);
	EXPECT_NE(0, t.hpa);
	EXPECT_EQ(0, _unmap(fd, SZ_2M, SZ_2M));
	check_tables(_metadata, fd);
	close(fd);
}

TEST_F_TIMEOUT(stress, unprivileged_threads, 300)
{
	if (self->skip)
		SKIP(return, "%s", self->skip);
	if (!g.lin_hpa || !g.huge_hpa)
		TH_LOG("no free host range: small linear area %s, 1 GiB one %s",
		       g.lin_hpa ? "mapped" : "absent",
		       g.huge_hpa ? "mapped" : "absent");
	run_in_child(stress_child(self->dev));
	check_tables(_metadata, g.fd);
	check_tables(_metadata, g.pair_fd);
	fresh_space(_metadata, self->dev);
}

TEST_HARNESS_MAIN
