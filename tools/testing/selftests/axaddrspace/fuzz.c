// SPDX-License-Identifier: GPL-2.0
/*
 * Model-based fuzzer of /dev/axaddrspace.
 *
 * Random sequences of every ioctl of Documentation/userspace-api.rst, with
 * valid and invalid arguments, pread/pwrite, several spaces of random formats, closes
 * and re-creations at random times, then several threads in one space. A
 * reference model of areas, frames and written bytes runs alongside: after
 * each step the return value or errno, the outputs and the info counters
 * must match it exactly, and every few hundred steps the dumped tables are
 * walked with walker.c and compared with it leaf by leaf.
 *
 *   fuzz [-s SEED] [-n OPS] [-t THREADS] [-f PERCENT] [-v]
 *
 * The generator only looks at the model and the seeded generator, never at
 * what the kernel answered, so a seed replays the same operations. On a
 * divergence the run prints the seed, the operation index and the shortest
 * prefix of the sequence that still diverges (found by re-running prefixes
 * from a fresh start, with a full check at their end), with its operations.
 *
 * Allocation failures: where the kernel has fault injection (debugfs
 * failslab and fail_page_alloc, and /proc/thread-self/fail-nth), two more
 * runs make PERCENT % (default 25) of the operations that may allocate
 * fail their n-th allocation: the debugfs knobs are set so that every
 * GFP_KERNEL slab and page allocation counts, and fail-nth picks the n-th
 * (n from the seeded generator, so a seed replays the same failures). An
 * operation hit that way must either succeed as the model says or fail
 * with ENOMEM (a short pread/pwrite count is success up to there) and then
 * leave the space exactly as the model has it, which a full check of
 * areas and tables verifies at once. Leaks show in the VM's kmemleak scan.
 *
 * Linear areas point at host ranges above RAM (64 GiB and up, below the
 * CPU's physical address width, not System RAM in /proc/iomem) and are
 * never read or written with pread/pwrite where their flags permit it: they
 * could be anything. Where the flags deny it (ABI v2) the transfer ends
 * there without touching them, as at a hole, and that is modelled.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/axaddrspace.h>

#include "axas_util.h"
#include "walker.h"

#define PG		0x1000ULL
#define NSPACES		3
#define CHECK_EVERY	300	/* full table check of a space every N of its ops */
#define MAX_FRAMES	6000	/* per model: beyond, populate turns lazy */
#define MAX_AREAS	200	/* per model: beyond, maps turn into unmaps */
#define RW_MAX		(3 * PG + 123)
/*
 * make check runs the fuzzer in its VMs with no arguments: 20,000 ops, and
 * as many with allocation failures where the kernel can inject them (the
 * debug kernels). make fuzz passes -n.
 */
#define DEFAULT_OPS		20000
#define DEFAULT_INJECT		25

#define PERM		(AXAS_READ | AXAS_WRITE | AXAS_EXEC)
#define ALIGN_DOWN(x, a)	((x) & ~((a) - 1))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define fallthrough		__attribute__((__fallthrough__))

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* ---- Random numbers ------------------------------------------------------ */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int percent)
{
	return below(r, 100) < percent;
}

/* ---- The host ------------------------------------------------------------ */

static struct {
	unsigned int phys_bits;
	uint64_t ram[MAX_RAM][2];	/* System RAM, inclusive ends */
	unsigned int nram;
	uint64_t win;			/* 1 GiB aligned, WIN_SIZE, no RAM; 0: none */
	uint64_t ram_page;		/* a page of System RAM */
	int cap_max_spaces;
	int cap_batch;			/* AXAS_CAP_TRANSLATE_BATCH: max count */
	int cap_ept_xo;			/* AXAS_CAP_EPT_EXEC_ONLY */
	uint32_t native;		/* what AXAS_FMT_NATIVE resolves to */
	void *bad;			/* a PROT_NONE page */
} host;

#define WIN_SIZE	(4 * SZ_1G)

static bool ram_intersects(uint64_t start, uint64_t size)
{
	return ram_meets(host.ram, host.nram, start, size);
}

static void probe_host(void)
{
	static const uint64_t wins[] = { 64 * SZ_1G, 128 * SZ_1G, 256 * SZ_1G, 16 * SZ_1G };
	unsigned int i;

	host.phys_bits = phys_bits();
	host.nram = ram_ranges(host.ram);
	host.ram_page = ram_page(host.ram, host.nram);
	for (i = 0; i < ARRAY_SIZE(wins) && !host.win; i++)
		if (ram_free(host.ram, host.nram, wins[i], WIN_SIZE, host.phys_bits))
			host.win = wins[i];
	host.bad = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* ---- The model ----------------------------------------------------------- */

struct area {
	uint64_t gpa, size, hpa;	/* hpa: linear only */
	uint32_t flags;			/* mapping flags | AXAS_MAP_POPULATE */
	uint32_t backend;
};

/* A page of an alloc area that has a frame. */
struct frame {
	uint64_t gpa;
	uint64_t hpa;			/* 0 until the kernel told us */
	uint8_t *data;			/* NULL: zeros */
};

/*
 * What one owner knows about [lo, hi) of a space: the whole space in the
 * single-threaded part, one thread's slice in the threaded part.
 */
struct model {
	uint64_t lo, hi;
	struct area *a;
	unsigned int na, ca;
	struct frame *f;
	unsigned int nf, cf;
	uint64_t faults;		/* faults_handled */
	uint64_t linear_bytes;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		perror("realloc");
		exit(2);
	}
	return p;
}

static uint64_t aend(const struct area *a)
{
	return a->gpa + a->size;
}

static bool lazy(const struct area *a)
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

static struct area *area_find(const struct model *m, uint64_t gpa)
{
	unsigned int i = area_lb(m, gpa);

	return i < m->na && m->a[i].gpa <= gpa ? &m->a[i] : NULL;
}

static bool overlaps(const struct model *m, uint64_t gpa, uint64_t size)
{
	unsigned int i = area_lb(m, gpa);

	return i < m->na && m->a[i].gpa < gpa + size;
}

static void area_insert(struct model *m, const struct area *a)
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

static struct frame *frame_find(const struct model *m, uint64_t gpa)
{
	unsigned int i = frame_lb(m, ALIGN_DOWN(gpa, PG));

	return i < m->nf && m->f[i].gpa == ALIGN_DOWN(gpa, PG) ? &m->f[i] : NULL;
}

static struct frame *frame_add(struct model *m, uint64_t gpa)
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

static void model_unmap(struct model *m, uint64_t gpa, uint64_t size)
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

static void model_protect(struct model *m, uint64_t gpa, uint64_t size,
			  uint32_t flags)
{
	unsigned int i;

	area_split(m, gpa);
	area_split(m, gpa + size);
	for (i = area_lb(m, gpa); i < m->na && m->a[i].gpa < gpa + size; i++)
		m->a[i].flags = flags | (m->a[i].flags & AXAS_MAP_POPULATE);
}

static void model_clear(struct model *m)
{
	frames_remove(m, 0, UINT64_MAX);
	m->na = 0;
	m->nf = 0;
	m->linear_bytes = 0;
}

static void model_free(struct model *m)
{
	model_clear(m);
	free(m->a);
	free(m->f);
	memset(m, 0, sizeof(*m));
}

static uint64_t model_mapped(const struct model *m)
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
static uint64_t leaf_size(const struct area *a, uint64_t gpa, uint64_t hpa,
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

/* ---- A run --------------------------------------------------------------- */

struct space {
	int fd;				/* -1: slot empty */
	uint32_t format;		/* resolved */
	uint64_t base, size;
	unsigned int levels, gpa_bits;
	unsigned int since_check;
	struct model m;
};

struct ctx {
	struct rng rng;
	uint64_t seed;
	int dev;
	bool threaded;			/* inside a thread: no clear, close, counters */
	bool verbose;
	int only_slot;			/* verbose: print ops of this slot only, -1: all */
	struct space sp[NSPACES];
	unsigned int nopen;		/* spaces open in this process */
	uint64_t op;			/* index of the current operation */
	int slot;			/* slot of the current operation */
	char desc[256];			/* the current operation */
	bool failed;
	uint64_t fail_op;
	int fail_slot;
	char msg[512];
	uint8_t buf[RW_MAX + 64], buf2[RW_MAX + 64];
	uint64_t counts[32];
	unsigned int inject;		/* % of ops with an injected failure */
	uint64_t injected, enomem;	/* ops that had one, and failed of it */
	uint64_t eagain;		/* threads: AXAS_GET_AREAS gave up */
	bool recheck;			/* full check due after an ENOMEM */
};

static void describe(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->desc, sizeof(c->desc), fmt, ap);
	va_end(ap);
	if (c->verbose && (c->only_slot < 0 || c->only_slot == c->slot))
		printf("#   op %" PRIu64 " slot %d: %s\n", c->op, c->slot, c->desc);
}

static void fail(struct ctx *c, const char *fmt, ...)
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

static const char *ename(int e)
{
	static const char *const names[] = {
		[0] = "0", [EPERM] = "EPERM", [ENOENT] = "ENOENT", [EIO] = "EIO",
		[ENOMEM] = "ENOMEM", [EFAULT] = "EFAULT", [EEXIST] = "EEXIST",
		[EINVAL] = "EINVAL", [ENOSPC] = "ENOSPC", [ENOTTY] = "ENOTTY",
		[EACCES] = "EACCES", [EAGAIN] = "EAGAIN",
	};

	if (e >= 0 && e < (int)ARRAY_SIZE(names) && names[e])
		return names[e];
	return "E?";
}

/* ---- Allocation-failure injection ---------------------------------------- */

#define FAILNTH_PATH	"/proc/thread-self/fail-nth"
#define FAULT_DEBUGFS	"/sys/kernel/debug"

/*
 * Per thread: the n-th allocation of the next syscall fails (0: none), and
 * whether it did. Only the first syscall of an operation is armed.
 */
static __thread unsigned int inj_nth;
static __thread bool inj_hit;
static __thread int inj_fd = -1;

/*
 * Make every sleeping slab and order-0 page allocation an injection site
 * (the defaults skip GFP_KERNEL ones), with no random failures and no
 * console noise: fail-nth alone decides. False when the kernel has no
 * fault injection.
 */
static bool inject_setup(void)
{
	static const char *const knobs[][2] = {
		{ "failslab/ignore-gfp-wait", "N" },
		{ "failslab/verbose", "0" },
		{ "failslab/probability", "0" },
		{ "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "fail_page_alloc/min-order", "0" },
		{ "fail_page_alloc/verbose", "0" },
		{ "fail_page_alloc/probability", "0" },
	};
	char path[128];
	unsigned int i;

	if (access(FAILNTH_PATH, W_OK))
		return false;
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		snprintf(path, sizeof(path), FAULT_DEBUGFS "/%s", knobs[i][0]);
		if (!write_file(path, knobs[i][1]))
			return false;
	}
	return true;
}

static void inject_arm(void)
{
	char v[16];
	int n;

	inj_hit = false;
	if (!inj_nth)
		return;
	if (inj_fd < 0)
		inj_fd = open(FAILNTH_PATH, O_RDWR | O_CLOEXEC);
	n = snprintf(v, sizeof(v), "%u", inj_nth);
	if (pwrite(inj_fd, v, n, 0) != n)
		inj_nth = 0;
}

/* After the armed syscall: did it fail an allocation? Then disarm. */
static void inject_disarm(void)
{
	char v[16] = "";

	if (!inj_nth)
		return;
	inj_nth = 0;
	if (pread(inj_fd, v, sizeof(v) - 1, 0) > 0 && atoi(v) == 0)
		inj_hit = true;
	else if (pwrite(inj_fd, "0", 1, 0) != 1)
		abort();
}

/* The errno of an ioctl, 0 on success. */
static int fuzz_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	inject_arm();
	ret = ioctl(fd, req, arg);
	if (ret < 0)
		ret = errno;
	inject_disarm();
	return ret;
}

/* An ENOMEM the injection caused: fine, if nothing changed (checked next). */
static bool injected_enomem(struct ctx *c, int err)
{
	if (err != ENOMEM || !inj_hit)
		return false;
	inj_hit = false;
	c->enomem++;
	c->recheck = true;
	return true;
}

static bool expect_err(struct ctx *c, int got, int want)
{
	if (got == want)
		return true;
	if (!injected_enomem(c, got))
		fail(c, "got %s, model says %s", ename(got), ename(want));
	return false;
}

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

static bool in_space(const struct space *s, uint64_t gpa)
{
	return gpa >= s->base && gpa - s->base < s->size;
}

/* A bad user pointer: unmapped, PROT_NONE or kernel. */
static void *bad_ptr(struct ctx *c)
{
	static void *const ptrs[] = { NULL, (void *)8, (void *)0xffff888000000000ULL };

	if (chance(&c->rng, 40) && host.bad != MAP_FAILED)
		return host.bad;
	return ptrs[below(&c->rng, 3)];
}

/* ---- Checks against the model -------------------------------------------- */

static void check_info(struct ctx *c, struct space *s)
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
	switch (s->format) {
	case AXAS_FMT_X86_EPT4:
	case AXAS_FMT_X86_EPT5:
		want_root = i.root_hpa | (s->levels - 1) << 3 | 6;
		break;
	case AXAS_FMT_RISCV_SV39X4:
		want_root = 8ULL << 60 | i.root_hpa >> 12;
		break;
	case AXAS_FMT_RISCV_SV48X4:
		want_root = 9ULL << 60 | i.root_hpa >> 12;
		break;
	case AXAS_FMT_RISCV_SV57X4:
		want_root = 10ULL << 60 | i.root_hpa >> 12;
		break;
	default:
		want_root = i.root_hpa;
		break;
	}
	if (i.hw_root != want_root)
		return fail(c, "info hw_root %#llx, want %#llx",
			    (unsigned long long)i.hw_root, (unsigned long long)want_root);
	if (i.hw_ctl != (s->format == AXAS_FMT_ARM64_S2_40 ? 0x80003558 :
			 s->format == AXAS_FMT_ARM64_S2_48 ? 0x80003590 : 0))
		return fail(c, "info hw_ctl %#llx", (unsigned long long)i.hw_ctl);
	if (i.table_pages < rp)
		return fail(c, "info table_pages %llu", (unsigned long long)i.table_pages);
	if (i.nr_areas != s->m.na || i.mapped_bytes != model_mapped(&s->m) ||
	    i.alloc_pages != s->m.nf || i.faults_handled != s->m.faults)
		return fail(c, "nr %llu mapped %#llx frames %llu faults %llu; %s %u %#llx %u %llu",
			    (unsigned long long)i.nr_areas, (unsigned long long)i.mapped_bytes,
			    (unsigned long long)i.alloc_pages,
			    (unsigned long long)i.faults_handled, "model", s->m.na,
			    (unsigned long long)model_mapped(&s->m), s->m.nf,
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
static bool get_areas(struct ctx *c, struct space *s, struct axas_areas *q)
{
	int ret = fuzz_ioctl(s->fd, AXAS_GET_AREAS, q);

	if (ret == EAGAIN && c->threaded) {
		c->eagain++;
		return false;
	}
	return expect_err(c, ret, 0);
}

/* All areas of the space; the model's window must match exactly. */
static void check_areas(struct ctx *c, struct space *s, uint32_t cap_hint)
{
	struct model *m = &s->m;
	struct axas_areas q = { 0 };
	struct axas_area *k;
	unsigned int i, j, cap, win;

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
	win = 0;
	for (i = 0, j = 0; i < q.count && i < cap; i++) {
		if (k[i].gpa < m->lo || k[i].gpa >= m->hi)
			continue;
		win++;
		if (j >= m->na || !area_equal(&k[i], &m->a[j])) {
			if (j < m->na)
				area_mismatch(c, i, &k[i], &m->a[j]);
			else
				fail(c, "area %u at %#llx not in the model", i,
				     (unsigned long long)k[i].gpa);
			goto out;
		}
		j++;
	}
	if (c->threaded && win != m->na)
		fail(c, "%u areas in the slice, model %u", win, m->na);
	/* A restarted listing zeroes what an abandoned attempt wrote. */
	else if (i < cap && k[i].gpa != 0xa5a5a5a5a5a5a5a5ULL &&
		 (!c->threaded || k[i].gpa || k[i].size))
		fail(c, "get-areas wrote entry %u beyond count %u", i, q.count);
	else if (cap < q.count && k[cap].gpa != 0xa5a5a5a5a5a5a5a5ULL)
		fail(c, "get-areas wrote beyond capacity %u", cap);
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

static int check_leaf(const struct axw_leaf *l, void *arg)
{
	struct leafcheck *lc = arg;
	struct ctx *c = lc->c;
	struct model *m = &lc->s->m;
	const struct area *a;
	uint64_t g, want, h;
	struct frame *f;

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
	if (a->backend == AXAS_BACKEND_LINEAR) {
		want = leaf_size(a, l->gpa, a->hpa + (l->gpa - a->gpa), SZ_1G);
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
	want = lazy(a) ? PG : leaf_size(a, l->gpa, l->gpa, SZ_2M);
	if (l->size != PG && l->size != want) {
		fail(c, "alloc leaf %#llx: size %#llx, model allows 4K or %#llx",
		     (unsigned long long)l->gpa, (unsigned long long)l->size,
		     (unsigned long long)want);
		return 1;
	}
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
		lc->hpas[lc->nhpa++ % (m->nf + 1)] = h;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/*
 * Dump the tables, check their structure with the walker, then every leaf
 * against the model; the leaf bytes must be what the model maps.
 */
static void check_tables(struct ctx *c, struct space *s)
{
	struct axas_table_page *pages;
	struct axas_dump d = { 0 };
	struct axas_info info;
	struct axw_tables t;
	struct axw_report rep;
	struct leafcheck lc = { c, s, 0, NULL, 0 };
	uint64_t i;
	int ret;

	ret = fuzz_ioctl(s->fd, AXAS_DUMP_TABLES, &d);
	if (!expect_err(c, ret, 0))
		return;
	if (fuzz_ioctl(s->fd, AXAS_GET_INFO, &info))
		return fail(c, "get-info failed");
	/* Other threads may add table pages between the two calls. */
	for (pages = NULL;;) {
		uint32_t cap = d.count + 64;

		pages = xrealloc(pages, cap * sizeof(*pages));
		d.pages = (uintptr_t)pages;
		d.capacity = cap;
		ret = fuzz_ioctl(s->fd, AXAS_DUMP_TABLES, &d);
		if (!expect_err(c, ret, 0))
			goto out;
		if (d.count <= cap)
			break;
	}
	t = (struct axw_tables){
		.pages = pages, .count = d.count, .format = s->format,
		.levels = s->levels, .gpa_bits = s->gpa_bits,
		.root_hpa = info.root_hpa, .base = s->base, .size = s->size,
		.table_pages = c->threaded ? 0 : info.table_pages,
	};
	if (axw_check(&t, &rep)) {
		axw_report_print(stdout, &rep);
		fail(c, "walker: %u problems in the dumped tables, first: %s", rep.errors,
		     rep.nmsgs ? rep.msgs[0] : "");
		goto out;
	}
	if (!c->threaded && rep.mapped_bytes != model_mapped(&s->m)) {
		fail(c, "walker: %#llx bytes mapped, model %#llx",
		     (unsigned long long)rep.mapped_bytes,
		     (unsigned long long)model_mapped(&s->m));
		goto out;
	}
	lc.hpas = malloc((s->m.nf + 1) * sizeof(uint64_t));
	axw_walk_leaves(&t, check_leaf, &lc);
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
	free(pages);
}

static void check_all(struct ctx *c, struct space *s)
{
	if (!c->threaded)
		check_info(c, s);
	if (!c->failed)
		check_areas(c, s, s->m.na + 1);
	if (!c->failed)
		check_tables(c, s);
	s->since_check = 0;
}

/* ---- Operations ---------------------------------------------------------- */

static void after_change(struct ctx *c, struct space *s)
{
	if (!c->threaded && !c->failed)
		check_info(c, s);
}

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

static void op_map_linear(struct ctx *c, struct space *s)
{
	struct rng *r = &c->rng;
	struct model *m = &s->m;
	struct axas_map_linear a;
	bool bad, ptr = chance(r, 2), eperm = false;
	int ret, want_err = 0, alt_err = -1;

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
	if (ptr) {
		want_err = EFAULT;
	} else if (a.pad || a.reserved || bad || !range_valid(s, a.gpa, a.size) ||
		   !flags_valid(s, a.flags, 0) || a.hpa & (PG - 1) ||
		   a.hpa + a.size < a.hpa || a.hpa + a.size > 1ULL << host.phys_bits) {
		want_err = EINVAL;
	} else if (ram_intersects(a.hpa, a.size)) {
		want_err = EPERM;
		/* userspace-api.rst does not order EPERM and EEXIST */
		if (overlaps(m, a.gpa, a.size))
			alt_err = EEXIST;
	} else if (overlaps(m, a.gpa, a.size)) {
		want_err = EEXIST;
	}
	ret = fuzz_ioctl(s->fd, AXAS_MAP_LINEAR, ptr ? bad_ptr(c) : (void *)&a);
	if (ret == alt_err)
		return;
	if (!expect_err(c, ret, want_err) || ret)
		return;
	area_insert(m, &(struct area){ a.gpa, a.size, a.hpa, a.flags, AXAS_BACKEND_LINEAR });
	after_change(c, s);
}

static void op_unmap(struct ctx *c, struct space *s)
{
	struct axas_range a = { 0 };
	bool bad, ptr = chance(&c->rng, 2);
	int ret, want;

	a.gpa = gen_gpa(c, &s->m);
	a.size = gen_size(c, &s->m, a.gpa, true);
	bad = spoil_range(c, s, &a.gpa, &a.size) == RANGE_BAD;
	/* Version 2's op_flags and pad: no bit defined, refused. */
	if (chance(&c->rng, 3))
		a.op_flags = 1U << below(&c->rng, 32);
	else if (chance(&c->rng, 3))
		a.pad = 1 + below(&c->rng, 100);
	bad |= a.op_flags || a.pad;
	describe(c, "unmap gpa %#llx size %#llx op_flags %#x pad %u%s",
		 (unsigned long long)a.gpa, (unsigned long long)a.size, a.op_flags, a.pad,
		 ptr ? " (bad pointer)" : "");
	want = ptr ? EFAULT : bad || !range_valid(s, a.gpa, a.size) ? EINVAL : 0;
	ret = fuzz_ioctl(s->fd, AXAS_UNMAP, ptr ? bad_ptr(c) : (void *)&a);
	if (!expect_err(c, ret, want) || ret)
		return;
	model_unmap(&s->m, a.gpa, a.size);
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

/*
 * What the model says of translating @gpa: 0, EINVAL or ENOENT; on 0 the
 * area and, for alloc areas, the frame.
 */
static int model_translate(struct space *s, uint64_t gpa, const struct area **ap,
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

/* A translation the kernel returned against the model's @a and @f. */
static void check_translation(struct ctx *c, const struct axas_translate *t,
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
	if (want_handled && lazy(a) && !frame_find(&s->m, f.gpa)) {
		frame_add(&s->m, ALIGN_DOWN(f.gpa, PG));
		s->m.faults++;
		after_change(c, s);
	}
}

static void op_info(struct ctx *c, struct space *s)
{
	if (chance(&c->rng, 5)) {
		describe(c, "get-info (bad pointer)");
		expect_err(c, fuzz_ioctl(s->fd, AXAS_GET_INFO, bad_ptr(c)), EFAULT);
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
		describe(c, "get-areas (bad pointer)");
		expect_err(c, fuzz_ioctl(s->fd, AXAS_GET_AREAS, bad_ptr(c)), EFAULT);
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
		describe(c, "dump-tables (bad pointer)");
		expect_err(c, fuzz_ioctl(s->fd, AXAS_DUMP_TABLES, bad_ptr(c)), EFAULT);
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

static void op_clear(struct ctx *c, struct space *s)
{
	describe(c, "clear");
	if (!expect_err(c, fuzz_ioctl(s->fd, AXAS_CLEAR, NULL), 0))
		return;
	model_clear(&s->m);
	after_change(c, s);
}

/* Why pread/pwrite stops short of its length, per the model. */
enum rw_stop {
	RW_ALL,		/* it does not */
	RW_HOLE,	/* outside the space or the window, or no area: EIO */
	RW_DENIED,	/* a linear area whose flags deny the access: EACCES */
	RW_HOST,	/* a linear area that permits it: the fuzzer stops before */
};

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

#define RW_NONE		INT64_MIN

/*
 * The result of pread/pwrite of *@len bytes at @off (a byte count, or
 * -errno) in *@want, and another acceptable one in *@alt (RW_NONE: none).
 * @ptr: the buffer is @badp. *@len is shortened so that the transfer ends
 * before a linear area whose flags would let it through: host ranges are
 * never touched.
 */
static void rw_predict(const struct space *s, uint64_t off, uint64_t *len,
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
static bool rw_model(struct ctx *c, struct space *s, uint64_t off, int64_t cnt,
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

static void op_rw(struct ctx *c, struct space *s, bool write)
{
	struct rng *r = &c->rng;
	uint64_t off, len, i;
	bool ptr = chance(r, 3);
	int64_t want, alt, cnt;
	void *badp;
	ssize_t ret;

	off = gen_lookup_gpa(c, s);
	if (off >= 1ULL << 62)
		off = s->base + s->size;
	len = chance(r, 3) ? 0 : 1 + below(r, RW_MAX);
	/* Threads: never run into a neighbour's slice. */
	if (c->threaded && (off < s->m.lo || off >= s->m.hi) && in_space(s, off))
		off = s->base + s->size;
	if (c->threaded && off >= s->m.lo && off < s->m.hi && off + len > s->m.hi)
		len = s->m.hi - off;
	badp = ptr ? bad_ptr(c) : NULL;
	rw_predict(s, off, &len, write, ptr, badp, &want, &alt);
	describe(c, "%s off %#llx len %#llx%s", write ? "pwrite" : "pread",
		 (unsigned long long)off, (unsigned long long)len,
		 ptr ? " (bad buffer)" : "");
	if (write) {
		for (i = 0; i < len; i++)
			c->buf[i] = rnd(r);
		inject_arm();
		ret = pwrite(s->fd, ptr ? badp : c->buf, len, off);
	} else {
		memset(c->buf, 0xee, len);
		inject_arm();
		ret = pread(s->fd, ptr ? badp : c->buf, len, off);
	}
	cnt = ret < 0 ? -errno : ret;
	inject_disarm();
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
static uint32_t probe_native(int dev)
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

/* Create a space in slot @s with a random format and geometry. */
static void op_create(struct ctx *c, struct space *s)
{
	static const uint64_t sizes[] = { 32 * SZ_2M, 128 * SZ_2M, 2 * SZ_1G, 4 * SZ_1G };
	struct rng *r = &c->rng;
	struct axas_create a = { 0 };
	uint32_t fmt = below(r, AXAS_FMT_MAX + 1);
	uint64_t top;
	int fd, err;

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
	c->nopen++;
	s->fd = fd;
	s->format = fmt;
	s->base = a.base;
	s->size = a.size;
	s->levels = geometry[fmt].levels;
	s->gpa_bits = geometry[fmt].bits;
	s->since_check = 0;
	model_free(&s->m);
	s->m.lo = a.base;
	s->m.hi = a.base + a.size;
	check_info(c, s);
}

/* Invalid creation arguments, each EINVAL (or EFAULT). */
static void op_create_bad(struct ctx *c)
{
	struct rng *r = &c->rng;
	struct axas_create a = { .base = 0, .size = SZ_2M, .format = 1 + below(r, AXAS_FMT_MAX) };
	unsigned int bits = geometry[a.format].bits, what = below(r, 9);
	int fd, want = EINVAL;

	switch (what) {
	case 0:
		a.format = AXAS_FMT_MAX + 1 + below(r, 1000);
		break;
	case 1:
		a.size = 0;
		break;
	case 2:
		a.base = 1 + below(r, PG - 1);
		break;
	case 3:
		a.size += 1 + below(r, PG - 1);
		break;
	case 4:
		a.base = (1ULL << bits) - PG;
		a.size = 2 * PG;
		break;
	case 5:
		a.base = -PG;
		a.size = 2 * PG;
		break;
	case 6:
		a.flags = 1U << below(r, 32);
		break;
	case 7:
		a.reserved[below(r, 3)] = 1 + below(r, 100);
		break;
	default:
		want = EFAULT;
		break;
	}
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

static void op_dev(struct ctx *c)
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

enum op {
	OP_MAP_ALLOC, OP_MAP_LINEAR, OP_UNMAP, OP_PROTECT, OP_TRANSLATE, OP_FAULT,
	OP_INFO, OP_AREAS, OP_DUMP, OP_CLEAR, OP_PREAD, OP_PWRITE, OP_ENOTTY,
	OP_CLOSE, OP_CREATE_BAD, OP_DEV, OP_REOPEN_DEV, OP_XLATE_BATCH, NR_OPS
};

static const char *const op_names[NR_OPS] = {
	"map-alloc", "map-linear", "unmap", "protect", "translate", "handle-fault",
	"get-info", "get-areas", "dump-tables", "clear", "pread", "pwrite",
	"unknown-ioctl", "close", "create-invalid", "device-ioctls", "reopen-device",
	"translate-batch",
};

/* Relative weights: single-threaded and in a thread's slice. */
static const unsigned int weight[2][NR_OPS] = {
	{ 14, 8, 9, 8, 14, 12, 3, 3, 1, 1, 8, 8, 1, 1, 1, 1, 1, 4 },
	{ 14, 6, 9, 8, 14, 12, 0, 3, 1, 0, 8, 8, 1, 0, 0, 0, 0, 4 },
};

static enum op pick_op(struct ctx *c, const struct space *s)
{
	const unsigned int *w = weight[c->threaded];
	unsigned int total = 0, i, x;

	for (i = 0; i < NR_OPS; i++)
		total += w[i];
	x = below(&c->rng, total);
	for (i = 0; x >= w[i]; i++)
		x -= w[i];
	/* Keep the model small: a full space turns maps into unmaps. */
	if ((i == OP_MAP_ALLOC || i == OP_MAP_LINEAR) &&
	    (s->m.na > MAX_AREAS || s->m.nf > MAX_FRAMES))
		i = OP_UNMAP;
	return i;
}

static void do_one_op(struct ctx *c, struct space *s, enum op op)
{
	switch (op) {
	case OP_MAP_ALLOC:
		return op_map_alloc(c, s);
	case OP_MAP_LINEAR:
		return op_map_linear(c, s);
	case OP_UNMAP:
		return op_unmap(c, s);
	case OP_PROTECT:
		return op_protect(c, s);
	case OP_TRANSLATE:
		return op_translate(c, s);
	case OP_FAULT:
		return op_fault(c, s);
	case OP_INFO:
		return op_info(c, s);
	case OP_AREAS:
		return op_areas(c, s);
	case OP_DUMP:
		return op_dump(c, s);
	case OP_CLEAR:
		return op_clear(c, s);
	case OP_PREAD:
		return op_rw(c, s, false);
	case OP_PWRITE:
		return op_rw(c, s, true);
	case OP_ENOTTY:
		return op_enotty(c, s);
	case OP_CLOSE:
		return op_close(c, s);
	case OP_CREATE_BAD:
		return op_create_bad(c);
	case OP_DEV:
		return op_dev(c);
	case OP_XLATE_BATCH:
		return op_translate_batch(c, s);
	case OP_REOPEN_DEV:
		describe(c, "close and reopen the device fd");
		close(c->dev);
		c->dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
		if (c->dev < 0)
			fail(c, "open: %s", strerror(errno));
		return;
	default:
		return;
	}
}

/* Operations whose first syscall may allocate: candidates for injection. */
static const bool may_alloc[NR_OPS] = {
	[OP_MAP_ALLOC] = true, [OP_MAP_LINEAR] = true, [OP_UNMAP] = true,
	[OP_PROTECT] = true, [OP_TRANSLATE] = true, [OP_FAULT] = true,
	[OP_AREAS] = true, [OP_DUMP] = true, [OP_CLEAR] = true,
	[OP_PREAD] = true, [OP_PWRITE] = true, [OP_XLATE_BATCH] = true,
};

/* The n-th allocation to fail, or 0: mostly early ones, some deep ones. */
static unsigned int pick_nth(struct ctx *c, bool eligible)
{
	if (!c->inject || !eligible || !chance(&c->rng, c->inject))
		return 0;
	c->injected++;
	return 1 + below(&c->rng, chance(&c->rng, 50) ? 4 : 64);
}

/* After an injected ENOMEM the space must be as the model has it. */
static void recheck(struct ctx *c, struct space *s)
{
	c->recheck = false;
	if (c->failed || s->fd < 0)
		return;
	describe(c, "full check after an injected ENOMEM");
	if (!c->threaded)
		return check_all(c, s);
	check_areas(c, s, 0);
	if (!c->failed)
		check_tables(c, s);
}

static void do_op(struct ctx *c, struct space *s, enum op op)
{
	c->counts[op]++;
	inj_nth = pick_nth(c, may_alloc[op]);
	do_one_op(c, s, op);
	inj_nth = 0;
	if (c->recheck)
		recheck(c, s);
}

static void ctx_init(struct ctx *c, uint64_t seed)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->seed = seed;
	c->rng.s = seed;
	c->only_slot = -1;
	for (i = 0; i < NSPACES; i++)
		c->sp[i].fd = -1;
	c->dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (c->dev < 0) {
		perror(DEV_PATH);
		exit(2);
	}
}

static void ctx_fini(struct ctx *c)
{
	unsigned int i;

	for (i = 0; i < NSPACES; i++) {
		if (c->sp[i].fd >= 0)
			close(c->sp[i].fd);
		model_free(&c->sp[i].m);
	}
	close(c->dev);
}

/*
 * The single-threaded part: @nops operations over NSPACES slots, with a
 * full check of every space at the end (@final) or at its periodic time.
 * Returns true when the kernel matched the model all along.
 */
static bool run_single(struct ctx *c, uint64_t nops, bool final)
{
	struct space *s;
	unsigned int i;

	for (c->op = 0; c->op < nops && !c->failed; c->op++) {
		c->slot = below(&c->rng, NSPACES);
		s = &c->sp[c->slot];
		if (s->fd < 0) {
			inj_nth = pick_nth(c, true);
			op_create(c, s);
			inj_nth = 0;
			continue;
		}
		do_op(c, s, pick_op(c, s));
		if (s->fd >= 0 && ++s->since_check >= CHECK_EVERY && !c->failed) {
			describe(c, "periodic full check");
			check_all(c, s);
		}
	}
	for (i = 0; i < NSPACES && final && !c->failed; i++) {
		c->slot = i;
		if (c->sp[i].fd >= 0) {
			describe(c, "final full check");
			check_all(c, &c->sp[i]);
		}
	}
	return !c->failed;
}

/* What one run does: the plain runs have inject 0. */
struct run_cfg {
	uint64_t seed, nops;
	unsigned int nthreads, inject;
	bool verbose;
};

/* ---- Threads ------------------------------------------------------------- */

struct thread {
	pthread_t tid;
	struct ctx c;
	struct space *shared;		/* geometry and fd of the shared space */
	uint64_t nops;
};

static void *thread_main(void *arg)
{
	struct thread *t = arg;
	struct ctx *c = &t->c;
	struct space *s = &c->sp[0];

	for (c->op = 0; c->op < t->nops && !c->failed; c->op++)
		do_op(c, s, pick_op(c, s));
	if (!c->failed) {
		describe(c, "thread's final check of its slice");
		check_areas(c, s, 0);
		if (!c->failed)
			check_tables(c, s);
	}
	return NULL;
}

/*
 * The multi-threaded part: @nthreads threads in one space, each in its own
 * slice with its own model, so each one's results are checkable as if it
 * ran alone. Afterwards the merged models must match the whole space.
 */
static bool run_threads(const struct run_cfg *cfg, uint64_t nops)
{
	uint64_t seed = cfg->seed;
	unsigned int nthreads = cfg->nthreads;
	struct thread *th = calloc(nthreads, sizeof(*th));
	struct ctx *main_c = calloc(1, sizeof(*main_c));
	uint64_t slice = 256 * SZ_2M;
	struct space *s;
	unsigned int i, j;
	bool ok = true;

	ctx_init(main_c, seed ^ 0x7468726561647321ULL);
	s = &main_c->sp[0];
	main_c->slot = 0;
	op_create(main_c, s);
	if (main_c->failed || s->fd < 0)
		goto out;
	/* One slice per thread, at the start of the space. */
	if (s->size < nthreads * slice)
		slice = ALIGN_DOWN(s->size / nthreads, SZ_2M);
	for (i = 0; i < nthreads; i++) {
		struct ctx *c = &th[i].c;

		memset(c, 0, sizeof(*c));
		c->seed = seed + i + 1;
		c->rng.s = c->seed * 0x9e3779b97f4a7c15ULL;
		c->threaded = true;
		c->inject = cfg->inject;
		c->dev = main_c->dev;
		c->slot = i;
		c->sp[0] = *s;
		memset(&c->sp[0].m, 0, sizeof(c->sp[0].m));
		c->sp[0].m.lo = s->base + i * slice;
		c->sp[0].m.hi = c->sp[0].m.lo + slice;
		th[i].nops = nops / nthreads;
		pthread_create(&th[i].tid, NULL, thread_main, &th[i]);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i].tid, NULL);
	for (i = 0; i < nthreads; i++) {
		struct ctx *c = &th[i].c;
		struct model *tm = &c->sp[0].m;

		if (c->failed) {
			printf("# thread %u (seed %" PRIu64 ") diverged at op %" PRIu64 ": %s\n",
			       i, c->seed, c->fail_op, c->msg);
			ok = false;
		}
		/* Merge its model into the whole-space one. */
		for (j = 0; j < tm->na; j++)
			area_insert(&s->m, &tm->a[j]);
		for (j = 0; j < tm->nf; j++)
			frame_add(&s->m, tm->f[j].gpa)->hpa = tm->f[j].hpa;
		s->m.faults += tm->faults;
		for (j = 0; j < NR_OPS; j++)
			main_c->counts[j] += c->counts[j];
		main_c->eagain += c->eagain;
		model_free(tm);
	}
	if (ok) {
		describe(main_c, "after the threads: full check of the whole space");
		check_all(main_c, s);
		if (!main_c->failed) {
			describe(main_c, "clear after the threads");
			op_clear(main_c, s);
			check_all(main_c, s);
		}
	}
out:
	if (main_c->failed) {
		printf("# threads: whole-space check failed: %s\n", main_c->msg);
		ok = false;
	}
	printf("# threads: %u, %" PRIu64 " ops each in a %#llx-byte slice, format %u\n",
	       nthreads, nops / nthreads, (unsigned long long)slice, s->format);
	if (main_c->eagain)
		printf("# threads: %" PRIu64 " listings of the areas gave up with EAGAIN\n",
		       main_c->eagain);
	ctx_fini(main_c);
	free(main_c);
	free(th);
	return ok;
}

/* ---- Main ---------------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_init(struct ctx *c, const struct run_cfg *cfg)
{
	ctx_init(c, cfg->seed);
	c->inject = cfg->inject;
}

/* Binary search for the shortest prefix that still diverges. */
static uint64_t shortest_prefix(const struct run_cfg *cfg, uint64_t n_ops)
{
	uint64_t lo = 1, hi = n_ops, mid;
	struct ctx *c = malloc(sizeof(*c));

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		run_init(c, cfg);
		if (run_single(c, mid, true))
			lo = mid + 1;
		else
			hi = mid;
		ctx_fini(c);
	}
	free(c);
	return lo;
}

/* The divergence report: seed, op, the shortest prefix and its ops. */
static void report_divergence(struct ctx *c, const struct run_cfg *cfg)
{
	uint64_t at = c->fail_op, m;
	int slot = c->fail_slot;

	printf("# DIVERGENCE: seed %" PRIu64 ", op %" PRIu64 " (slot %d): %s\n",
	       cfg->seed, at, slot, c->msg);
	m = shortest_prefix(cfg, at + 1);
	printf("# shortest diverging prefix: %" PRIu64 " ops ", m);
	if (cfg->inject)
		printf("(fuzz -s %" PRIu64 " -n %" PRIu64 " -t 0 -f %u -I -v)",
		       cfg->seed, m, cfg->inject);
	else
		printf("(fuzz -s %" PRIu64 " -n %" PRIu64 " -t 0 -v)", cfg->seed, m);
	printf("; its ops on slot %d:\n", slot);
	ctx_fini(c);
	run_init(c, cfg);
	c->verbose = true;
	c->only_slot = slot;
	run_single(c, m, true);
	printf("# it diverges with: %s\n", c->failed ? c->msg : "(nothing this time)");
	if (cfg->inject)
		printf("# (with injection a replay fails the same n-th allocations, but which\n"
		       "# allocations those are can vary: KASAN's stack depot and kmemleak\n"
		       "# allocate too, so the prefix search is a guide, not a proof)\n");
}

static const char *inject_desc(const struct run_cfg *cfg)
{
	static char d[64];

	if (!cfg->inject)
		return "";
	snprintf(d, sizeof(d), ", allocation failures in %u%% of ops", cfg->inject);
	return d;
}

static bool single_test(unsigned int num, const struct run_cfg *cfg)
{
	struct ctx *c = malloc(sizeof(*c));
	double t0 = now();
	unsigned int i;
	bool ok;

	run_init(c, cfg);
	c->verbose = cfg->verbose;
	ok = run_single(c, cfg->nops, true);
	printf("# single-threaded: %" PRIu64 " ops in %.2f s:", c->op, now() - t0);
	for (i = 0; i < NR_OPS; i++)
		printf(" %s %" PRIu64, op_names[i], c->counts[i]);
	printf("\n");
	if (cfg->inject)
		printf("# %" PRIu64 " ops had a failure injected, %" PRIu64
		       " of them failed with ENOMEM\n", c->injected, c->enomem);
	if (!ok)
		report_divergence(c, cfg);
	printf("%sok %u single-threaded model check, seed %" PRIu64 ", %" PRIu64 " ops%s\n",
	       ok ? "" : "not ", num, cfg->seed, cfg->nops, inject_desc(cfg));
	ctx_fini(c);
	free(c);
	return ok;
}

static bool threads_test(unsigned int num, const struct run_cfg *cfg)
{
	double t0 = now();
	bool ok = run_threads(cfg, cfg->nops / 5 + cfg->nthreads);

	if (ok)
		printf("# threads took %.2f s\n", now() - t0);
	printf("%sok %u %u threads in disjoint slices, seed %" PRIu64 "%s\n", ok ? "" : "not ",
	       num, cfg->nthreads, cfg->seed, inject_desc(cfg));
	return ok;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-s SEED] [-n OPS] [-t THREADS] [-f PERCENT] [-I] [-v]\n"
		"  OPS defaults to $AXAS_FUZZ_OPS, else %d\n"
		"  THREADS defaults to 4 (0: none), SEED to $AXAS_FUZZ_SEED or 1\n"
		"  PERCENT: ops with an injected allocation failure in the injection\n"
		"  runs (default %d, 0: no injection runs); -I: those runs only\n",
		prog, DEFAULT_OPS, DEFAULT_INJECT);
	exit(2);
}

static void parse_args(int argc, char **argv, struct run_cfg *cfg, bool *only_inject)
{
	int opt;

	while ((opt = getopt(argc, argv, "s:n:t:f:Iv")) != -1) {
		switch (opt) {
		case 's':
			cfg->seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			cfg->nops = strtoull(optarg, NULL, 0);
			break;
		case 't':
			cfg->nthreads = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			cfg->inject = strtoul(optarg, NULL, 0);
			break;
		case 'I':
			*only_inject = true;
			break;
		case 'v':
			cfg->verbose = true;
			break;
		default:
			usage(argv[0]);
		}
	}
	if (cfg->inject > 100)
		usage(argv[0]);
}

int main(int argc, char **argv)
{
	struct run_cfg cfg = { .nops = DEFAULT_OPS, .nthreads = 4, .inject = DEFAULT_INJECT };
	bool only_inject = false, can_inject, ok = true;
	unsigned int ntests, num = 0;
	struct ctx *c;

	if (getenv("AXAS_FUZZ_OPS"))
		cfg.nops = strtoull(getenv("AXAS_FUZZ_OPS"), NULL, 0);
	/* A fixed default keeps make check reproducible; make fuzz varies it. */
	cfg.seed = getenv("AXAS_FUZZ_SEED") ? strtoull(getenv("AXAS_FUZZ_SEED"), NULL, 0) : 1;
	parse_args(argc, argv, &cfg, &only_inject);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (need_root_and_module()) {	/* kselftest's skip, not a failure */
		printf("1..0 # SKIP %s\n", need_root_and_module());
		return KSFT_SKIP;
	}
	probe_host();
	c = malloc(sizeof(*c));
	ctx_init(c, cfg.seed);
	host.cap_max_spaces = ioctl(c->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_MAX_SPACES);
	host.cap_batch = ioctl(c->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_TRANSLATE_BATCH);
	host.cap_ept_xo = ioctl(c->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_EPT_EXEC_ONLY);
	host.native = probe_native(c->dev);
	ctx_fini(c);
	free(c);
	can_inject = cfg.inject && inject_setup();
	ntests = (cfg.nthreads ? 2 : 1) * (1 + (cfg.inject > 0) - only_inject);
	printf("TAP version 13\n1..%u\n", ntests);
	printf("# seed %" PRIu64 ", %" PRIu64 " ops; host: %u bits, window %#llx, %u RAM ranges\n",
	       cfg.seed, cfg.nops, host.phys_bits, (unsigned long long)host.win, host.nram);
	if (!only_inject) {
		struct run_cfg plain = cfg;

		plain.inject = 0;
		ok &= single_test(++num, &plain);
		if (cfg.nthreads)
			ok &= threads_test(++num, &plain);
	}
	if (cfg.inject && !can_inject) {
		while (num < ntests)
			printf("ok %u allocation-failure injection # SKIP no %s or %s knobs\n",
			       ++num, FAILNTH_PATH, FAULT_DEBUGFS "/{failslab,fail_page_alloc}");
	} else if (cfg.inject) {
		ok &= single_test(++num, &cfg);
		if (cfg.nthreads)
			ok &= threads_test(++num, &cfg);
	}
	return ok ? 0 : 1;
}
