// SPDX-License-Identifier: GPL-2.0
/*
 * bench: the performance figures of Documentation/performance.rst, each
 * measured against the Linux kernel doing the same work in the same VM.
 *
 * Runs alternate ours and Linux's (the order flips every repetition), the
 * median of REPS repetitions counts. Prints one table: ours, the
 * reference, the ratio ours / reference (lower is better), the target and
 * whether it is met; then "all targets met" or the list of misses. Exits 0
 * when every figure could be measured, whatever the figures say: this is a
 * benchmark, never a test.
 *
 * With an argument, fault-ours or fault-linux, it runs figure 1's work of
 * that side alone, for a profiler.
 *
 * Needs root (CAP_SYS_RAWIO for map_linear, CAP_SYS_ADMIN for the PFNs of
 * /proc/self/pagemap) and the module loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/axaddrspace.h>
#include <linux/falloc.h>

#define REPS		5
#define PAGE		4096ULL
#define SZ_2M		(2ULL << 20)
#define SZ_1G		(1ULL << 30)
#define FAULT_PAGES	32768ULL		/* figures 1, 4, 4b, 5, 7 */
#define FAULT_SIZE	(FAULT_PAGES * PAGE)	/* 128 MiB */
#define POP_SIZE	(256ULL << 20)		/* figures 2, 3, 10 */
#define MEMFD_SIZE	(64ULL << 20)		/* figure 9 */
#define LINEAR_SIZE	(64ULL << 30)		/* figure 6 */

static int dev_fd;
static uint32_t batch_max;		/* AXAS_CAP_TRANSLATE_BATCH */
static struct axas_translate *batch;	/* FAULT_PAGES elements */
static uint64_t *pm_buf;		/* FAULT_PAGES pagemap entries */

enum { P_REFAULT, P_SYSCALL, P_ZERO, P_SPIN1, P_SPIN2, NR_PROF };
static double prof[NR_PROF][REPS];
static const char *const prof_name[NR_PROF] = {
	"AXAS_HANDLE_FAULT on a mapped page x32768",
	"getppid() x32768",
	"rep stosb of 32768 pages (clear_page)",
	"figure 7 ceiling: user-space loop, 1 thread",
	"figure 7 ceiling: same loop halved, 2 threads",
};

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s\n", strerror(errno));
	va_end(ap);
	exit(2);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v)
{
	double s[REPS];

	memcpy(s, v, sizeof(s));
	qsort(s, REPS, sizeof(s[0]), cmp_double);
	return s[REPS / 2];
}

/* ---- our side ---------------------------------------------------------- */

static int space_create(uint64_t size)
{
	struct axas_create c = { .base = 0, .size = size,
				 .format = AXAS_FMT_X86_EPT4 };
	int fd = ioctl(dev_fd, AXAS_CREATE_SPACE, &c);

	if (fd < 0)
		die("AXAS_CREATE_SPACE of %#" PRIx64 " bytes", size);
	return fd;
}

static void space_alloc(int sp, uint64_t gpa, uint64_t size, uint32_t flags)
{
	struct axas_map_alloc m = { .gpa = gpa, .size = size,
				    .flags = AXAS_READ | AXAS_WRITE | flags };

	if (ioctl(sp, AXAS_MAP_ALLOC, &m))
		die("AXAS_MAP_ALLOC %#" PRIx64 "+%#" PRIx64, gpa, size);
}

static void space_info(int sp, struct axas_info *info)
{
	if (ioctl(sp, AXAS_GET_INFO, info))
		die("AXAS_GET_INFO");
}

static void fault_range(int sp, uint64_t first, uint64_t pages)
{
	struct axas_fault f = { .access = AXAS_WRITE };
	uint64_t i;

	for (i = first; i < first + pages; i++) {
		f.gpa = i * PAGE;
		if (ioctl(sp, AXAS_HANDLE_FAULT, &f) || !f.handled)
			die("AXAS_HANDLE_FAULT %#" PRIx64 " (handled %u)",
			    f.gpa, f.handled);
	}
}

static void translate_all(int sp, uint64_t pages)
{
	struct axas_translate t;
	uint64_t i;

	for (i = 0; i < pages; i++) {
		/* op_flags and the rest zeroed: version 2 refuses unknown op_flags. */
		t = (struct axas_translate){ .gpa = i * PAGE };
		if (ioctl(sp, AXAS_TRANSLATE, &t) || !t.hpa)
			die("AXAS_TRANSLATE %#" PRIx64, t.gpa);
	}
}

/* The same through AXAS_TRANSLATE_BATCH, batch_max elements a call. */
static void translate_batch_all(int sp, uint64_t pages)
{
	struct axas_translate_batch b = { 0 };
	uint64_t i, done;

	for (i = 0; i < pages; i++)
		batch[i] = (struct axas_translate){ .gpa = i * PAGE };
	for (done = 0; done < pages; done += b.count) {
		b.entries = (uintptr_t)(batch + done);
		b.count = pages - done < batch_max ? pages - done : batch_max;
		if (ioctl(sp, AXAS_TRANSLATE_BATCH, &b))
			die("AXAS_TRANSLATE_BATCH at %#" PRIx64, done * PAGE);
	}
	for (i = 0; i < pages; i++)
		if (!batch[i].hpa)
			die("AXAS_TRANSLATE_BATCH %#" PRIx64, batch[i].gpa);
}

/* ---- Linux's side ------------------------------------------------------ */

static char *anon_map(uint64_t size, int flags)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		die("mmap of %#" PRIx64 " bytes", size);
	return p;
}

static void touch_range(char *p, uint64_t first, uint64_t pages)
{
	uint64_t i;

	for (i = first; i < first + pages; i++)
		*(volatile char *)(p + i * PAGE) = 1;
}

static void pagemap_all(int pm, const char *p, uint64_t pages)
{
	uint64_t i, e;

	for (i = 0; i < pages; i++) {
		if (pread(pm, &e, 8, ((uintptr_t)p / PAGE + i) * 8) != 8 ||
		    !(e & (1ULL << 63)) || !(e & ((1ULL << 55) - 1)))
			die("pagemap of page %" PRIu64, i);
	}
}

/* The same entries in one pread() of 8 bytes per page. */
static void pagemap_once(int pm, const char *p, uint64_t pages)
{
	ssize_t len = pages * 8;
	uint64_t i;

	if (pread(pm, pm_buf, len, (uintptr_t)p / PAGE * 8) != len)
		die("pagemap of %" PRIu64 " pages", pages);
	for (i = 0; i < pages; i++)
		if (!(pm_buf[i] & (1ULL << 63)) || !(pm_buf[i] & ((1ULL << 55) - 1)))
			die("pagemap of page %" PRIu64, i);
}

static int memory_create(uint64_t size)
{
	struct axas_create_memory c = { .size = size };
	int fd = ioctl(dev_fd, AXAS_CREATE_MEMORY, &c);

	if (fd < 0)
		die("AXAS_CREATE_MEMORY of %#" PRIx64 " bytes", size);
	return fd;
}

static int linux_memfd(uint64_t size)
{
	int fd = memfd_create("bench", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, size))
		die("memfd_create of %#" PRIx64 " bytes", size);
	return fd;
}

static char *shared_map(int fd, uint64_t size)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap of a %#" PRIx64 " byte file", size);
	return p;
}

static void punch(int fd, uint64_t size)
{
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, size))
		die("fallocate(PUNCH_HOLE)");
}

/* ---- the figures ------------------------------------------------------- */

enum kind {
	RATIO,		/* time ours / time Linux's, at most target */
	PAGES,		/* table pages / minimum, exactly target */
	SPEEDUP,	/* time one thread / time two threads, at least target */
};

struct figure {
	const char *name;
	const char *against;
	enum kind kind;
	double target;
	double ours[REPS];
	double ref[REPS];
	double extra;		/* figure 6: table pages */
	bool skipped;
};

enum { F_FAULT, F_POP, F_TEAR, F_XLATE, F_XLATE_BATCH, F_TABLES, F_LINEAR,
	F_THREADS, F_MEM_TOUCH, F_MEM_PUNCH, NR_FIG };

static struct figure fig[NR_FIG] = {
	[F_FAULT]	= { "1 lazy fault, 32768 pages", "first touch, NOHUGEPAGE",
			    RATIO, 0.8 },
	[F_POP]		= { "2 populate 256 MiB", "mmap(MAP_POPULATE)", RATIO, 0.8 },
	[F_TEAR]	= { "3 teardown (close)", "munmap", RATIO, 0.7 },
	[F_XLATE]	= { "4 translate x32768", "pagemap pread x32768",
			    RATIO, 0.8 },
	/* Informational (target 0): one pagemap read is a sequential walk. */
	[F_XLATE_BATCH]	= { "4b translate batch x32768", "pagemap pread x1",
			    RATIO, 0 },
	[F_TABLES]	= { "5 table pages, 128 MiB of 4K", "minimum", PAGES, 1.0 },
	[F_LINEAR]	= { "6 map_linear 64 GiB, 1G leaves", "2 table pages",
			    PAGES, 1.0 },
	[F_THREADS]	= { "7 two threads, disjoint halves", "one thread",
			    SPEEDUP, 1.7 },
	/* Figure 8 is the guest's first touch (scripts/bench.sh). */
	[F_MEM_TOUCH]	= { "9 memory fd mmap, touch 64 MiB", "memfd_create mmap touch",
			    RATIO, 1.0 },
	[F_MEM_PUNCH]	= { "10 punch 256 MiB, space mapped", "memfd punch-hole",
			    RATIO, 1.0 },
};

/* Minimum table pages for [0, size) of 4 KiB leaves in a 4-level table. */
static double min_tables(uint64_t size)
{
	uint64_t span = SZ_2M, n = 1;	/* the root */
	int level;

	for (level = 0; level < 3; level++, span <<= 9)
		n += (size + span - 1) / span;
	return n;
}

static void ours_lazy(int r, int pm)
{
	struct axas_info info;
	double t0, t1, t2;
	int sp = space_create(FAULT_SIZE);

	(void)pm;
	space_alloc(sp, 0, FAULT_SIZE, 0);
	t0 = now_ns();
	fault_range(sp, 0, FAULT_PAGES);
	t1 = now_ns();
	translate_all(sp, FAULT_PAGES);
	t2 = now_ns();
	fig[F_FAULT].ours[r] = t1 - t0;
	fig[F_XLATE].ours[r] = t2 - t1;
	if (batch_max) {
		t0 = now_ns();
		translate_batch_all(sp, FAULT_PAGES);
		fig[F_XLATE_BATCH].ours[r] = now_ns() - t0;
	}
	t0 = now_ns();
	fault_range(sp, 0, FAULT_PAGES);	/* mapped already: no frame */
	prof[P_REFAULT][r] = now_ns() - t0;
	space_info(sp, &info);
	fig[F_TABLES].ours[r] = info.table_pages;
	fig[F_TABLES].ref[r] = min_tables(FAULT_SIZE);
	close(sp);
}

static void linux_lazy(int r, int pm)
{
	char *p = anon_map(FAULT_SIZE, 0);
	double t0, t1, t2;

	if (madvise(p, FAULT_SIZE, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE)");
	t0 = now_ns();
	touch_range(p, 0, FAULT_PAGES);
	t1 = now_ns();
	pagemap_all(pm, p, FAULT_PAGES);
	t2 = now_ns();
	fig[F_FAULT].ref[r] = t1 - t0;
	fig[F_XLATE].ref[r] = t2 - t1;
	t0 = now_ns();
	pagemap_once(pm, p, FAULT_PAGES);
	fig[F_XLATE_BATCH].ref[r] = now_ns() - t0;
	munmap(p, FAULT_SIZE);
}

static void ours_populate(int r, int pm)
{
	int sp = space_create(POP_SIZE);
	double t0, t1, t2;

	(void)pm;
	t0 = now_ns();
	space_alloc(sp, 0, POP_SIZE, AXAS_MAP_POPULATE);
	t1 = now_ns();
	close(sp);
	t2 = now_ns();
	fig[F_POP].ours[r] = t1 - t0;
	fig[F_TEAR].ours[r] = t2 - t1;
}

static void linux_populate(int r, int pm)
{
	double t0, t1, t2;
	char *p;

	(void)pm;
	t0 = now_ns();
	p = anon_map(POP_SIZE, MAP_POPULATE);
	t1 = now_ns();
	munmap(p, POP_SIZE);
	t2 = now_ns();
	fig[F_POP].ref[r] = t1 - t0;
	fig[F_TEAR].ref[r] = t2 - t1;
}

/* A non-RAM host range of LINEAR_SIZE below the CPU's address width. */
static uint64_t linear_host_base(void)
{
	unsigned int bits = 0;
	uint64_t hpa, s, e;
	char line[256];
	bool ram;
	FILE *f;

	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "address sizes : %u bits physical", &bits) == 1)
			break;
	if (f)
		fclose(f);
	for (hpa = LINEAR_SIZE; bits && hpa + LINEAR_SIZE <= (1ULL << bits);
	     hpa <<= 1) {
		ram = false;
		f = fopen("/proc/iomem", "r");
		while (f && fgets(line, sizeof(line), f))
			if (strstr(line, "System RAM") &&
			    sscanf(line, " %" SCNx64 "-%" SCNx64, &s, &e) == 2 &&
			    s < hpa + LINEAR_SIZE && e >= hpa)
				ram = true;
		if (f)
			fclose(f);
		if (!ram)
			return hpa;
	}
	return 0;
}

static uint64_t linear_hpa;

/* Figure 4b's buffers, touched now so that no repetition faults them in. */
static void batch_setup(void)
{
	int max = ioctl(dev_fd, AXAS_CHECK_EXTENSION, AXAS_CAP_TRANSLATE_BATCH);

	batch_max = max > 0 ? max : 0;
	fig[F_XLATE_BATCH].skipped = !batch_max;
	batch = malloc(FAULT_PAGES * sizeof(*batch));
	pm_buf = malloc(FAULT_PAGES * sizeof(*pm_buf));
	if (!batch || !pm_buf)
		die("malloc");
	memset(batch, 0, FAULT_PAGES * sizeof(*batch));
	memset(pm_buf, 0, FAULT_PAGES * sizeof(*pm_buf));
}

static void ours_linear(int r, int pm)
{
	struct axas_map_linear m = { .gpa = 0, .hpa = linear_hpa,
				     .size = LINEAR_SIZE,
				     .flags = AXAS_READ | AXAS_WRITE };
	int sp = space_create(LINEAR_SIZE);
	struct axas_info info;
	double t0;

	(void)pm;
	t0 = now_ns();
	if (ioctl(sp, AXAS_MAP_LINEAR, &m))
		die("AXAS_MAP_LINEAR of 64 GiB at host %#" PRIx64, linear_hpa);
	fig[F_LINEAR].extra = now_ns() - t0;
	space_info(sp, &info);
	fig[F_LINEAR].ours[r] = info.table_pages;
	fig[F_LINEAR].ref[r] = 2;
	close(sp);
}

struct worker {
	pthread_barrier_t *go;
	int sp;
	uint64_t first;
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;

	pthread_barrier_wait(w->go);
	fault_range(w->sp, w->first, FAULT_PAGES / 2);
	return NULL;
}

static void ours_threads(int r, int pm)
{
	pthread_barrier_t go;
	struct worker w[2];
	pthread_t tid[2];
	int sp = space_create(FAULT_SIZE), i;
	double t0;

	(void)pm;
	space_alloc(sp, 0, FAULT_SIZE, 0);
	pthread_barrier_init(&go, NULL, 3);
	for (i = 0; i < 2; i++) {
		w[i] = (struct worker){ &go, sp, i * FAULT_PAGES / 2 };
		if (pthread_create(&tid[i], NULL, worker_fn, &w[i]))
			die("pthread_create");
	}
	pthread_barrier_wait(&go);
	t0 = now_ns();
	for (i = 0; i < 2; i++)
		pthread_join(tid[i], NULL);
	fig[F_THREADS].ours[r] = now_ns() - t0;
	pthread_barrier_destroy(&go);
	close(sp);
}

static void one_thread(int r, int pm)
{
	int sp = space_create(FAULT_SIZE);
	double t0;

	(void)pm;
	space_alloc(sp, 0, FAULT_SIZE, 0);
	t0 = now_ns();
	fault_range(sp, 0, FAULT_PAGES);
	fig[F_THREADS].ref[r] = now_ns() - t0;
	close(sp);
}

#define SPIN_LOOPS	(64ULL << 20)

static void *spin_fn(void *arg)
{
	pthread_barrier_t *go = arg;
	volatile uint64_t i;

	pthread_barrier_wait(go);
	for (i = 0; i < SPIN_LOOPS / 2; i++)
		;
	return NULL;
}

/*
 * The best speedup the host gives two vCPUs right now: a loop that shares
 * nothing, all in one thread, then halved over two threads.
 */
static void spin_threads(int r)
{
	pthread_barrier_t go;
	pthread_t tid[2];
	volatile uint64_t i;
	double t0;
	int j;

	t0 = now_ns();
	for (i = 0; i < SPIN_LOOPS; i++)
		;
	prof[P_SPIN1][r] = now_ns() - t0;
	pthread_barrier_init(&go, NULL, 3);
	for (j = 0; j < 2; j++)
		if (pthread_create(&tid[j], NULL, spin_fn, &go))
			die("pthread_create");
	pthread_barrier_wait(&go);
	t0 = now_ns();
	for (j = 0; j < 2; j++)
		pthread_join(tid[j], NULL);
	prof[P_SPIN2][r] = now_ns() - t0;
	pthread_barrier_destroy(&go);
}

/*
 * Where the time of figure 1 goes: the same number of bare system calls,
 * of faults that find their page mapped (call, lookup, no frame), and
 * the zeroing of as many pages with the same instruction clear_page()
 * uses on this CPU (rep stosb with ERMS).
 */
static void profile(int r, int pm)
{
	char *p = anon_map(FAULT_SIZE, MAP_POPULATE);
	uint64_t i;
	double t0;

	(void)pm;
	t0 = now_ns();
	for (i = 0; i < FAULT_PAGES; i++)
		getppid();
	prof[P_SYSCALL][r] = now_ns() - t0;
	t0 = now_ns();
	for (i = 0; i < FAULT_PAGES; i++) {
		void *d = p + i * PAGE;
		unsigned long n = PAGE;

		asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(0) : "memory");
	}
	prof[P_ZERO][r] = now_ns() - t0;
	munmap(p, FAULT_SIZE);
	spin_threads(r);
}

/* ---- the table --------------------------------------------------------- */

/* Figure 9: the first touch of a shared mapping of a memory fd, or a memfd. */
static void mem_touch(int r, bool ours)
{
	int fd = ours ? memory_create(MEMFD_SIZE) : linux_memfd(MEMFD_SIZE);
	char *p = shared_map(fd, MEMFD_SIZE);
	double t0 = now_ns();

	touch_range(p, 0, MEMFD_SIZE / PAGE);
	(ours ? fig[F_MEM_TOUCH].ours : fig[F_MEM_TOUCH].ref)[r] = now_ns() - t0;
	munmap(p, MEMFD_SIZE);
	close(fd);
}

/*
 * Figure 10: punching 256 MiB of populated memory; ours also unmaps it from
 * a space that maps all of it, populated (the work a VMM's balloon does).
 */
static void mem_punch(int r, bool ours)
{
	int fd = ours ? memory_create(POP_SIZE) : linux_memfd(POP_SIZE);
	struct axas_map_memory m = { .size = POP_SIZE, .fd = fd,
		.flags = AXAS_READ | AXAS_WRITE | AXAS_MAP_POPULATE };
	char *p = shared_map(fd, POP_SIZE);
	int sp = -1;
	double t0;

	touch_range(p, 0, POP_SIZE / PAGE);
	if (ours) {
		sp = space_create(POP_SIZE);
		if (ioctl(sp, AXAS_MAP_MEMORY, &m))
			die("AXAS_MAP_MEMORY");
	}
	t0 = now_ns();
	punch(fd, POP_SIZE);
	(ours ? fig[F_MEM_PUNCH].ours : fig[F_MEM_PUNCH].ref)[r] = now_ns() - t0;
	if (sp >= 0)
		close(sp);
	munmap(p, POP_SIZE);
	close(fd);
}

static void ours_memory(int r, int pm)
{
	(void)pm;
	mem_touch(r, true);
	mem_punch(r, true);
}

static void linux_memory(int r, int pm)
{
	(void)pm;
	mem_touch(r, false);
	mem_punch(r, false);
}

static const char *fmt_ms(char *buf, double ns)
{
	snprintf(buf, 32, "%.1f ms", ns / 1e6);
	return buf;
}

static bool report(struct figure *f, char *misses, size_t len)
{
	double o = median(f->ours), ref = median(f->ref), ratio;
	char a[32], b[32], t[32], res[16];
	bool met;

	if (f->skipped) {
		printf("%-32s %-24s %12s\n", f->name, f->against, "skipped");
		return true;
	}
	switch (f->kind) {
	case RATIO:
		ratio = o / ref;
		met = !f->target || ratio <= f->target;
		fmt_ms(a, o);
		fmt_ms(b, ref);
		snprintf(t, sizeof(t), f->target ? "<= %.2f" : "-", f->target);
		break;
	case PAGES:
		ratio = o / ref;
		met = ratio == f->target;
		snprintf(a, sizeof(a), "%.0f pages", o);
		snprintf(b, sizeof(b), "%.0f pages", ref);
		snprintf(t, sizeof(t), "= %.2f", f->target);
		break;
	default:
		ratio = ref / o;
		met = ratio >= f->target;
		fmt_ms(a, o);
		fmt_ms(b, ref);
		snprintf(t, sizeof(t), ">= %.2fx", f->target);
		break;
	}
	snprintf(res, sizeof(res), "%s", !f->target ? "(info)" :
		 met ? "met" : "NOT MET");
	printf("%-32s %-24s %12s %12s %7.3f%s %9s  %s\n", f->name, f->against,
	       a, b, ratio, f->kind == SPEEDUP ? "x" : " ", t, res);
	if (f == &fig[F_LINEAR])
		printf("%-32s %-24s %12s\n", "  (map_linear time)", "", fmt_ms(a, f->extra));
	if (!met)
		snprintf(misses + strlen(misses), len - strlen(misses), "%s%.*s",
			 *misses ? ", " : "", (int)strcspn(f->name, " "), f->name);
	return met;
}

static void run(void (*ours)(int, int), void (*theirs)(int, int), int r,
		int pm)
{
	if (r & 1) {
		theirs(r, pm);
		ours(r, pm);
	} else {
		ours(r, pm);
		theirs(r, pm);
	}
}

/*
 * "bench fault-ours" and "bench fault-linux": figure 1's timed work of one
 * side alone, PROFILE_REPS times, for perf record (make bench PROFILE=1).
 */
#define PROFILE_REPS	8

static int profile_side(const char *side)
{
	bool ours = !strcmp(side, "fault-ours");
	double t0, t[PROFILE_REPS];
	char *p;
	int r, sp;

	if (!ours && strcmp(side, "fault-linux"))
		die("unknown mode %s (fault-ours, fault-linux)", side);
	for (r = 0; r < PROFILE_REPS; r++) {
		if (ours) {
			sp = space_create(FAULT_SIZE);
			space_alloc(sp, 0, FAULT_SIZE, 0);
			t0 = now_ns();
			fault_range(sp, 0, FAULT_PAGES);
			t[r] = now_ns() - t0;
			close(sp);
		} else {
			p = anon_map(FAULT_SIZE, 0);
			if (madvise(p, FAULT_SIZE, MADV_NOHUGEPAGE))
				die("madvise(MADV_NOHUGEPAGE)");
			t0 = now_ns();
			touch_range(p, 0, FAULT_PAGES);
			t[r] = now_ns() - t0;
			munmap(p, FAULT_SIZE);
		}
	}
	qsort(t, PROFILE_REPS, sizeof(t[0]), cmp_double);
	printf("bench %s: median %.1f ms, %.2f us/page\n", side,
	       t[PROFILE_REPS / 2] / 1e6, t[PROFILE_REPS / 2] / 1e3 / FAULT_PAGES);
	return 0;
}

int main(int argc, char **argv)
{
	char misses[128] = "";
	struct utsname u;
	bool all = true;
	int r, i, pm;

	setvbuf(stdout, NULL, _IOLBF, 0);
	dev_fd = open("/dev/axaddrspace", O_RDWR | O_CLOEXEC);
	if (dev_fd < 0)
		die("open /dev/axaddrspace");
	if (argc > 1)
		return profile_side(argv[1]);
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0)
		die("open /proc/self/pagemap");
	batch_setup();
	linear_hpa = linear_host_base();
	if (!linear_hpa) {
		errno = ERANGE;
		die("no free 64 GiB host range below the physical address width");
	}
	uname(&u);
	printf("bench: kernel %s, %ld CPUs, median of %d, linear host range at %#" PRIx64 "\n",
	       u.release, sysconf(_SC_NPROCESSORS_ONLN), REPS, linear_hpa);
	printf("bench: AXAS_TRANSLATE_BATCH takes up to %u elements\n", batch_max);
	for (r = 0; r < REPS; r++) {
		run(ours_lazy, linux_lazy, r, pm);
		run(ours_populate, linux_populate, r, pm);
		ours_linear(r, pm);
		run(ours_threads, one_thread, r, pm);
		run(ours_memory, linux_memory, r, pm);
		profile(r, pm);
		printf("bench: repetition %d of %d done\n", r + 1, REPS);
	}
	printf("\n%-32s %-24s %12s %12s %8s %9s  %s\n", "figure", "measured against",
	       "ours", "reference", "ratio", "target", "result");
	for (i = 0; i < NR_FIG; i++)
		all &= report(&fig[i], misses, sizeof(misses));
	printf("\nprofile (median; us/page = per 32768):\n");
	for (i = 0; i < NR_PROF; i++)
		printf("  %-46s %10.1f ms  %6.2f us/page\n", prof_name[i],
		       median(prof[i]) / 1e6, median(prof[i]) / 1e3 / FAULT_PAGES);
	printf("  %-46s %10.2fx\n", "figure 7 ceiling: speedup of the loop",
	       median(prof[P_SPIN1]) / median(prof[P_SPIN2]));
	if (all)
		printf("\nall targets met\n");
	else
		printf("\ntargets not met: %s\n", misses);
	return 0;
}
