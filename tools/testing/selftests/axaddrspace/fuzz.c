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
 *
 * The files: fuzz.h (what they share), fuzz_model.c (the model),
 * fuzz_ops.c (the operations), fuzz_check.c (the checks against the
 * model), fuzz_inject.c (allocation-failure injection), and this one: the
 * host, the single-threaded and threaded runs, and main().
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

/* ---- The host ------------------------------------------------------------ */

struct host host;

bool ram_intersects(uint64_t start, uint64_t size)
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

/* ---- A run --------------------------------------------------------------- */

/*
 * The run's memory fds, shared by its spaces: a huge one of four 2 MiB
 * blocks and a plain one whose size is no multiple of 2 MiB, each mmap()ed.
 */
static void memfiles_open(struct ctx *c)
{
	static const struct { uint64_t size; uint32_t flags; } cfg[NMEMF] = {
		{ 4 * SZ_2M, AXAS_MEMORY_HUGE }, { SZ_2M + 37 * PG, 0 },
	};
	struct memfile *f;
	unsigned int i;

	for (i = 0; i < NMEMF && host.cap_memory == 1; i++) {
		f = &c->mf[i];
		if (_create_memory(c->dev, cfg[i].size, cfg[i].flags, &f->fd)) {
			perror("AXAS_CREATE_MEMORY");
			exit(2);
		}
		f->size = cfg[i].size;
		f->huge = cfg[i].flags & AXAS_MEMORY_HUGE;
		f->map = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
		if (f->map == MAP_FAILED) {
			perror("mmap of a memory fd");
			exit(2);
		}
		f->pg = calloc(f->size / PG, sizeof(*f->pg));
		c->nmf++;
	}
}

static void memfiles_close(struct ctx *c)
{
	struct memfile *f;
	uint64_t p;

	for (; c->nmf; c->nmf--) {
		f = &c->mf[c->nmf - 1];
		for (p = 0; p < f->size / PG; p++)
			free(f->pg[p]);
		free(f->pg);
		munmap(f->map, f->size);
		close(f->fd);
	}
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
	memfiles_open(c);
}

static void ctx_fini(struct ctx *c)
{
	unsigned int i;

	for (i = 0; i < NSPACES; i++) {
		if (c->sp[i].fd >= 0)
			close(c->sp[i].fd);
		model_free(&c->sp[i].m);
	}
	memfiles_close(c);
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

/* Thread @i's context: its seed, and slice @slice of the shared space @s. */
static void thread_init(struct thread *t, unsigned int i, const struct run_cfg *cfg,
			const struct ctx *main_c, const struct space *s,
			uint64_t slice)
{
	struct ctx *c = &t->c;

	memset(c, 0, sizeof(*c));
	c->seed = cfg->seed + i + 1;
	c->rng.s = c->seed * 0x9e3779b97f4a7c15ULL;
	c->threaded = true;
	c->inject = cfg->inject;
	c->dev = main_c->dev;
	c->slot = i;
	c->sp[0] = *s;
	memset(&c->sp[0].m, 0, sizeof(c->sp[0].m));
	c->sp[0].m.lo = s->base + i * slice;
	c->sp[0].m.hi = c->sp[0].m.lo + slice;
}

/*
 * After thread @i: its divergence reported, its model merged into the
 * whole-space one (@s) and its counts into @main_c's. False if it diverged.
 */
static bool thread_merge(struct thread *t, unsigned int i, struct ctx *main_c,
			 struct space *s)
{
	struct ctx *c = &t->c;
	struct model *tm = &c->sp[0].m;
	bool ok = true;
	unsigned int j;

	if (c->failed) {
		printf("# thread %u (seed %" PRIu64 ") diverged at op %" PRIu64 ": %s\n",
		       i, c->seed, c->fail_op, c->msg);
		ok = false;
	}
	for (j = 0; j < tm->na; j++)
		area_insert(&s->m, &tm->a[j]);
	for (j = 0; j < tm->nf; j++)
		frame_add(&s->m, tm->f[j].gpa)->hpa = tm->f[j].hpa;
	s->m.faults += tm->faults;
	for (j = 0; j < NR_OPS; j++)
		main_c->counts[j] += c->counts[j];
	main_c->eagain += c->eagain;
	model_free(tm);
	return ok;
}

/* After the threads: the whole space as the merged models have it, cleared. */
static void threads_check(struct ctx *main_c, struct space *s)
{
	describe(main_c, "after the threads: full check of the whole space");
	check_all(main_c, s);
	if (!main_c->failed) {
		describe(main_c, "clear after the threads");
		op_clear(main_c, s);
		check_all(main_c, s);
	}
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
	unsigned int i;
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
		thread_init(&th[i], i, cfg, main_c, s, slice);
		th[i].nops = nops / nthreads;
		pthread_create(&th[i].tid, NULL, thread_main, &th[i]);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i].tid, NULL);
	for (i = 0; i < nthreads; i++)
		ok &= thread_merge(&th[i], i, main_c, s);
	if (ok)
		threads_check(main_c, s);
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

/* What the device says of itself: its capabilities and native format. */
static void probe_device(uint64_t seed)
{
	struct ctx *c = malloc(sizeof(*c));

	ctx_init(c, seed);
	host.cap_max_spaces = ioctl(c->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_MAX_SPACES);
	host.cap_batch = ioctl(c->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_TRANSLATE_BATCH);
	host.cap_ept_xo = ioctl(c->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_EPT_EXEC_ONLY);
	host.cap_memory = ioctl(c->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_MEMORY);
	host.native = probe_native(c->dev);
	ctx_fini(c);
	free(c);
}

int main(int argc, char **argv)
{
	struct run_cfg cfg = { .nops = DEFAULT_OPS, .nthreads = 4, .inject = DEFAULT_INJECT };
	bool only_inject = false, can_inject, ok = true;
	unsigned int ntests, num = 0;

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
	probe_device(cfg.seed);
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
