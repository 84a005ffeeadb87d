/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the model-based fuzzer share (fuzz.c describes it):
 * the random numbers, the host, the model, the run's context, and each
 * file's functions.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/axaddrspace.h>

#include "axas_util.h"

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

static inline uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* ---- Random numbers ------------------------------------------------------ */

struct rng {
	uint64_t s;
};

static inline uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static inline bool chance(struct rng *r, unsigned int percent)
{
	return below(r, 100) < percent;
}

/* ---- The host ------------------------------------------------------------ */

/* What fuzz.c learnt of the host and the device before the runs. */
struct host {
	unsigned int phys_bits;
	uint64_t ram[MAX_RAM][2];	/* System RAM, inclusive ends */
	unsigned int nram;
	uint64_t win;			/* 1 GiB aligned, WIN_SIZE, no RAM; 0: none */
	uint64_t ram_page;		/* a page of System RAM */
	int cap_max_spaces;
	int cap_batch;			/* AXAS_CAP_TRANSLATE_BATCH: max count */
	int cap_ept_xo;			/* AXAS_CAP_EPT_EXEC_ONLY */
	int cap_memory;			/* AXAS_CAP_MEMORY */
	uint32_t native;		/* what AXAS_FMT_NATIVE resolves to */
	void *bad;			/* a PROT_NONE page */
};

extern struct host host;

#define WIN_SIZE	(4 * SZ_1G)

/* Whether [start, start + size) meets System RAM (fuzz.c). */
bool ram_intersects(uint64_t start, uint64_t size);

/* ---- The model ----------------------------------------------------------- */

struct area {
	uint64_t gpa, size, hpa;	/* hpa: linear only */
	uint32_t flags;			/* mapping flags | AXAS_MAP_POPULATE */
	uint32_t backend;
	uint64_t off;			/* memory only: offset in the memory fd */
	unsigned int mf;		/* memory only: index in ctx.mf */
};

/*
 * A page of an alloc area that has a frame, or (mem) a page of a memory
 * area that a present leaf maps: its bytes are the memory fd's (struct
 * memfile), data stays NULL.
 */
struct frame {
	uint64_t gpa;
	uint64_t hpa;			/* 0 until the kernel told us */
	uint8_t *data;			/* NULL: zeros */
	bool mem;
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
	unsigned int nmem;		/* frames that are mem: not alloc_pages */
};

/*
 * A memory fd of the run (AXAS_CREATE_MEMORY), shared by every space of
 * it, mmap()ed by the fuzzer: its content page by page (NULL: zeros).
 */
struct memfile {
	int fd;
	uint64_t size;
	bool huge;			/* AXAS_MEMORY_HUGE */
	uint8_t *map;			/* MAP_SHARED view of the whole file */
	uint8_t **pg;			/* size / PG pages */
};

#define NMEMF		2

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
	struct memfile mf[NMEMF];	/* nmf of them: none in threads */
	unsigned int nmf;
};

enum op {
	OP_MAP_ALLOC, OP_MAP_LINEAR, OP_UNMAP, OP_PROTECT, OP_TRANSLATE, OP_FAULT,
	OP_INFO, OP_AREAS, OP_DUMP, OP_CLEAR, OP_PREAD, OP_PWRITE, OP_ENOTTY,
	OP_CLOSE, OP_CREATE_BAD, OP_DEV, OP_REOPEN_DEV, OP_XLATE_BATCH,
	OP_MAP_MEMORY, OP_PUNCH, OP_DISCARD, OP_MEMFD_IO, NR_OPS
};

/* The names of the operations, for the counts (fuzz_ops.c). */
extern const char *const op_names[NR_OPS];
/* Operations whose first syscall may allocate (fuzz_inject.c). */
extern const bool may_alloc[NR_OPS];

#define FAILNTH_PATH	"/proc/thread-self/fail-nth"
#define FAULT_DEBUGFS	"/sys/kernel/debug"

/*
 * Per thread: the n-th allocation of the next syscall fails (0: none), and
 * whether it did. Only the first syscall of an operation is armed.
 */
extern __thread unsigned int inj_nth;
extern __thread bool inj_hit;

/* Why pread/pwrite stops short of its length, per the model. */
enum rw_stop {
	RW_ALL,		/* it does not */
	RW_HOLE,	/* outside the space or the window, or no area: EIO */
	RW_DENIED,	/* a linear area whose flags deny the access: EACCES */
	RW_HOST,	/* a linear area that permits it: the fuzzer stops before */
};

/* pread/pwrite's result when the model allows no second one. */
#define RW_NONE		INT64_MIN

/* ---- The model (fuzz_model.c) -------------------------------------- */

void *xrealloc(void *p, size_t n);
uint64_t aend(const struct area *a);
bool lazy(const struct area *a);
struct area *area_find(const struct model *m, uint64_t gpa);
bool overlaps(const struct model *m, uint64_t gpa, uint64_t size);
void area_insert(struct model *m, const struct area *a);
struct frame *frame_find(const struct model *m, uint64_t gpa);
struct frame *frame_add(struct model *m, uint64_t gpa);
void mem_present(struct model *m, uint64_t gpa);
uint64_t mem_leaf_max(const struct ctx *c, const struct area *a, uint64_t gpa);
void memfile_rw(struct memfile *f, uint64_t off, uint8_t *buf, uint64_t n,
		bool write);
void model_punch(struct ctx *c, unsigned int mf, uint64_t off, uint64_t len);
void model_discard(struct ctx *c, struct space *s, uint64_t gpa, uint64_t size);
bool linear_in(const struct model *m, uint64_t gpa, uint64_t size);
void model_unmap(struct model *m, uint64_t gpa, uint64_t size);
void model_protect(struct model *m, uint64_t gpa, uint64_t size,
		   uint32_t flags);
void model_clear(struct model *m);
void model_free(struct model *m);
uint64_t model_mapped(const struct model *m);
uint64_t leaf_size(const struct area *a, uint64_t gpa, uint64_t hpa,
		   uint64_t max);
bool in_space(const struct space *s, uint64_t gpa);
int model_translate(struct space *s, uint64_t gpa, const struct area **ap,
		    struct frame **fp);
void rw_predict(const struct space *s, uint64_t off, uint64_t *len,
		bool write, bool ptr, const void *badp, int64_t *want,
		int64_t *alt);
bool rw_model(struct ctx *c, struct space *s, uint64_t off, int64_t cnt,
	      bool write);

/* ---- Allocation-failure injection (fuzz_inject.c) ------------------ */

bool inject_setup(void);
void inject_arm(void);
void inject_disarm(void);
int fuzz_ioctl(int fd, unsigned long req, void *arg);
bool injected_enomem(struct ctx *c, int err);
unsigned int pick_nth(struct ctx *c, bool eligible);
void recheck(struct ctx *c, struct space *s);

/* ---- Checks against the model (fuzz_check.c) ----------------------- */

/* The name of errno e, "E?" where unknown. */
const char *ename(int e);
void describe(struct ctx *c, const char *fmt, ...);
void fail(struct ctx *c, const char *fmt, ...);
bool expect_err(struct ctx *c, int got, int want);
void check_info(struct ctx *c, struct space *s);
bool get_areas(struct ctx *c, struct space *s, struct axas_areas *q);
void check_areas(struct ctx *c, struct space *s, uint32_t cap_hint);
void check_tables(struct ctx *c, struct space *s);
void check_all(struct ctx *c, struct space *s);
void check_translation(struct ctx *c, const struct axas_translate *t,
		       const struct area *a, struct frame *f);
void check_memfile(struct ctx *c, unsigned int mf, uint64_t off, uint64_t len);
void after_change(struct ctx *c, struct space *s);

/* ---- Operations (fuzz_ops.c) --------------------------------------- */

void op_clear(struct ctx *c, struct space *s);
uint32_t probe_native(int dev);
void op_create(struct ctx *c, struct space *s);
enum op pick_op(struct ctx *c, const struct space *s);
void do_op(struct ctx *c, struct space *s, enum op op);

#endif /* FUZZ_H */
