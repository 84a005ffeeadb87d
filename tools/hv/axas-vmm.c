// SPDX-License-Identifier: GPL-2.0
/*
 * axas-vmm: a small VMM on /dev/axaddrspace and the sample hypervisor's
 * /dev/axas_hv (samples/hv). It creates a space, maps guest RAM (populated,
 * lazy, read-only, no-exec; the lazy RAM of the tests is a memory fd the
 * VMM also mmaps), loads the guest program of guest_<arch>.S
 * with pwrite(), runs it, serves its MMIO console and its hypercalls, and
 * checks every exit against the contract in guest.h.
 *
 *   axas-vmm [--format F]           run the guest once, print its console
 *   axas-vmm --test [--format F]... [--refuse F]... [--linear1g HPA]
 *                   [--native F]    the checks as TAP, one line each;
 *                                   formats to --refuse must be refused,
 *                                   AXAS_FMT_NATIVE must resolve to F (with
 *                                   neither --format nor --refuse, only that)
 *   axas-vmm --bench [--pages N]    N lazy pages touched by the guest
 *                                   against a process touching N pages
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/axaddrspace.h>

#include "axas_hv.h"
#include "guest.h"

#if defined(__x86_64__)
#define REG_LINK	3	/* ebx */
#define REG_ARG0	6	/* esi */
#define DEFAULT_FORMAT	AXAS_FMT_NATIVE
#elif defined(__aarch64__)
#define REG_LINK	30
#define REG_ARG0	0
#define DEFAULT_FORMAT	AXAS_FMT_NATIVE
#elif defined(__riscv)
#define REG_LINK	1	/* ra */
#define REG_ARG0	10	/* a0 */
#define DEFAULT_FORMAT	AXAS_FMT_NATIVE
#else
#error "axas-vmm runs guests on x86_64, arm64 and riscv64 only"
#endif

#define STACK_TOP	(GPA_SMALL + SMALL_SIZE)
#define SZ_2M_VMM	0x200000ULL
#define REG_SP_X86	4

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct vmm {
	int dev, space, hv;
	int memfd;		/* the lazy RAM's memory fd, or -1 */
	uint32_t *lazy_view;	/* its mmap, or MAP_FAILED */
	uint64_t lazy_size;
	uint32_t format;
	struct axas_hv_run run;
	char console[256];
	size_t console_len;
	int quiet;
};

static int tap_n, tap_failed;

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	tap_failed += !ok;
}

static uint64_t code_gpa(const char *label)
{
	return GPA_CODE + (uint64_t)(label - guest_start);
}

/* ---- The space ----------------------------------------------------------- */

static int map_alloc(struct vmm *m, uint64_t gpa, uint64_t size, uint32_t flags)
{
	struct axas_map_alloc a = { .gpa = gpa, .size = size, .flags = flags };

	return ioctl(m->space, AXAS_MAP_ALLOC, &a);
}

static int unmap(struct vmm *m, uint64_t gpa, uint64_t size)
{
	struct axas_range r = { .gpa = gpa, .size = size };

	return ioctl(m->space, AXAS_UNMAP, &r);
}

static int protect(struct vmm *m, uint64_t gpa, uint64_t size, uint32_t flags)
{
	struct axas_protect p = { .gpa = gpa, .size = size, .flags = flags };

	return ioctl(m->space, AXAS_PROTECT, &p);
}

/*
 * The lazy RAM as a range of a memory fd that the VMM maps too, the way a
 * VMM shares guest RAM with a device backend: 0 or -1.
 */
static int map_lazy_memfd(struct vmm *m, uint64_t size)
{
	struct axas_create_memory c = { .size = size };
	struct axas_map_memory mm = {
		.gpa = GPA_LAZY, .size = size, .flags = AXAS_READ | AXAS_WRITE,
	};

	m->memfd = ioctl(m->dev, AXAS_CREATE_MEMORY, &c);
	if (m->memfd < 0)
		return -1;
	m->lazy_size = size;
	m->lazy_view = mmap(NULL, size, PROT_READ, MAP_SHARED, m->memfd, 0);
	if (m->lazy_view == MAP_FAILED)
		return -1;
	mm.fd = m->memfd;
	return ioctl(m->space, AXAS_MAP_MEMORY, &mm);
}

static uint64_t leaf_size(struct vmm *m, uint64_t gpa)
{
	struct axas_translate t = { .gpa = gpa };

	return ioctl(m->space, AXAS_TRANSLATE, &t) ? 0 : t.page_size;
}

static const struct {
	uint64_t gpa, size;
	uint32_t flags;
} guest_ram[] = {
	{ GPA_CODE, CODE_SIZE, AXAS_READ | AXAS_EXEC | AXAS_MAP_POPULATE },
	{ GPA_SMALL, SMALL_SIZE, AXAS_READ | AXAS_WRITE | AXAS_MAP_POPULATE },
	{ GPA_RO, 0x1000, AXAS_READ | AXAS_MAP_POPULATE },
	{ GPA_NX, 0x1000, AXAS_READ | AXAS_WRITE | AXAS_MAP_POPULATE },
	{ GPA_HUGE, HUGE_SIZE, AXAS_READ | AXAS_WRITE | AXAS_MAP_POPULATE },
};

/*
 * A space of @format holding the guest's RAM and program: 0 or -errno.
 * The lazy RAM comes from a memory fd with @memfd, else from an alloc area.
 */
static int vmm_open(struct vmm *m, uint32_t format, uint64_t lazy_pages,
		    int memfd)
{
	struct axas_create c = { .base = 0, .size = 1ULL << 32, .format = format };
	size_t len = guest_end - guest_start;
	struct axas_info info;
	unsigned int i;

	m->space = -1;
	m->memfd = -1;
	m->lazy_view = MAP_FAILED;
	m->dev = open("/dev/axaddrspace", O_RDWR | O_CLOEXEC);
	m->hv = open("/dev/axas_hv", O_RDWR | O_CLOEXEC);
	if (m->dev < 0 || m->hv < 0)
		return -errno;
	m->space = ioctl(m->dev, AXAS_CREATE_SPACE, &c);
	if (m->space < 0)
		return -errno;
	if (ioctl(m->space, AXAS_GET_INFO, &info))
		return -errno;
	m->format = info.format;	/* AXAS_FMT_NATIVE resolved */
	for (i = 0; i < ARRAY_SIZE(guest_ram); i++)
		if (map_alloc(m, guest_ram[i].gpa, guest_ram[i].size, guest_ram[i].flags))
			return -errno;
	if (memfd ? map_lazy_memfd(m, lazy_pages * 0x1000) :
	    map_alloc(m, GPA_LAZY, lazy_pages * 0x1000, AXAS_READ | AXAS_WRITE))
		return -errno;
	if (pwrite(m->space, guest_start, len, GPA_CODE) != (ssize_t)len)
		return -EIO;
	return 0;
}

static void vmm_close(struct vmm *m)
{
	if (m->lazy_view != MAP_FAILED)
		munmap(m->lazy_view, m->lazy_size);
	if (m->memfd >= 0)
		close(m->memfd);
	close(m->space);
	close(m->hv);
	close(m->dev);
}

/* ---- Running ------------------------------------------------------------- */

static void vmm_reset(struct vmm *m, uint64_t pc, uint64_t lazy_pages)
{
	memset(&m->run, 0, sizeof(m->run));
	m->run.space_fd = m->space;
	m->run.pc = pc;
	m->run.regs[REG_ARG0] = lazy_pages;
#if defined(__x86_64__)
	m->run.regs[REG_SP_X86] = STACK_TOP;
#elif defined(__aarch64__)
	m->run.regs[31] = STACK_TOP;	/* the guest sets sp from x31 if it wants */
#else
	m->run.regs[2] = STACK_TOP;	/* sp */
#endif
}

static int is_console(const struct axas_hv_run *r)
{
	return r->exit_reason == AXAS_HV_EXIT_MMIO &&
	       r->exit.mmio.gpa == GPA_CONSOLE &&
	       r->exit.mmio.access == AXAS_WRITE && r->exit.mmio.decoded;
}

/*
 * Run until an exit the console does not consume. Return: 0, or -errno of
 * AXAS_HV_RUN. The faults and entries of the console's exits add up.
 */
static int vmm_run(struct vmm *m, uint64_t *faults)
{
	*faults = 0;
	for (;;) {
		if (ioctl(m->hv, AXAS_HV_RUN, &m->run))
			return -errno;
		*faults += m->run.faults;
		if (!is_console(&m->run))
			return 0;
		if (!m->quiet)
			putchar((char)m->run.exit.mmio.data);
		if (m->console_len < sizeof(m->console) - 1)
			m->console[m->console_len++] = (char)m->run.exit.mmio.data;
	}
}

static const char *exit_name(const struct axas_hv_run *r)
{
	static char buf[96];

	switch (r->exit_reason) {
	case AXAS_HV_EXIT_HYPERCALL:
		snprintf(buf, sizeof(buf), "hypercall %llu(%llu, %llu)",
			 (unsigned long long)r->exit.hypercall.nr,
			 (unsigned long long)r->exit.hypercall.args[0],
			 (unsigned long long)r->exit.hypercall.args[1]);
		break;
	case AXAS_HV_EXIT_MMIO:
		snprintf(buf, sizeof(buf), "mmio gpa %#llx access %u size %u",
			 (unsigned long long)r->exit.mmio.gpa, r->exit.mmio.access,
			 r->exit.mmio.size);
		break;
	default:
		snprintf(buf, sizeof(buf), "unhandled code %#llx info %#llx %#llx pc %#llx",
			 (unsigned long long)r->exit.unhandled.code,
			 (unsigned long long)r->exit.unhandled.info[0],
			 (unsigned long long)r->exit.unhandled.info[1],
			 (unsigned long long)r->pc);
	}
	return buf;
}

/* Whether the last exit is the hypercall HC_CHECK(@step, 0). */
static int is_check(const struct vmm *m, unsigned int step)
{
	const struct axas_hv_run *r = &m->run;

	return r->exit_reason == AXAS_HV_EXIT_HYPERCALL &&
	       r->exit.hypercall.nr == HC_CHECK && r->exit.hypercall.args[0] == step &&
	       r->exit.hypercall.args[1] == 0;
}

static int is_mmio(const struct vmm *m, uint64_t gpa, uint32_t access)
{
	const struct axas_hv_run *r = &m->run;

	return r->exit_reason == AXAS_HV_EXIT_MMIO && r->exit.mmio.gpa == gpa &&
	       r->exit.mmio.access == access &&
	       r->exit.mmio.decoded == (access != AXAS_EXEC);
}

/* ---- The checks of guest.h, in order --------------------------------------- */

#define STEPS	19	/* STEP()s per format */
#define ERROR_CHECKS	6	/* checks of test_errors() */

#define STEP(cond, ...) do {						\
	int __ok = (cond);						\
	check(__ok, __VA_ARGS__);					\
	if (!__ok) {							\
		printf("# fmt %u: last exit: %s\n", m->format, exit_name(&m->run)); \
		return -1;						\
	}								\
} while (0)

/* The frame behind a page of this process's mapping, from pagemap (root). */
static uint64_t user_pfn(const void *va)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)va / 0x1000 * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return (e >> 63) ? e & ((1ULL << 55) - 1) : 0;
}

/*
 * Every lazy page the guest stored to is a frame of the memory fd: its
 * nested leaf maps the frame under the VMM's mmap, which holds the store.
 * The guests store N..1 (x86, riscv64) or the page index (arm64: 0 in the
 * first page), so all pages but the first must hold a non-zero word.
 */
static int lazy_pages_shared(struct vmm *m)
{
	struct axas_translate t;
	unsigned int i;
	uint64_t pfn;

	for (i = 0; i < LAZY_PAGES; i++) {
		const uint32_t *w = m->lazy_view + i * (0x1000 / sizeof(*w));
		uint32_t word = *w;

		t = (struct axas_translate){ .gpa = GPA_LAZY + i * 0x1000ULL };
		pfn = user_pfn(w);
		if ((i && !word) || ioctl(m->space, AXAS_TRANSLATE, &t) ||
		    t.hpa / 0x1000 != pfn) {
			printf("# page %u: word %#x, hpa %#llx, pagemap pfn %#llx\n", i, word,
			       (unsigned long long)t.hpa, (unsigned long long)pfn);
			return 0;
		}
	}
	return 1;
}

static int steps_memory(struct vmm *m)
{
	uint64_t faults;

	STEP(!vmm_run(m, &faults) && is_check(m, 1),
	     "fmt %u: words read back through 4 KiB and 2 MiB leaves", m->format);
	STEP(!strcmp(m->console, GUEST_BANNER),
	     "fmt %u: the guest printed its banner on the MMIO console", m->format);
	STEP(leaf_size(m, GPA_SMALL) == 0x1000 && leaf_size(m, GPA_HUGE) == 0x200000 &&
	     leaf_size(m, GPA_HUGE + 0x200000) == 0x200000,
	     "fmt %u: the areas are mapped with 4 KiB and 2 MiB leaves", m->format);
	STEP(!vmm_run(m, &faults) && is_check(m, 2) && faults == LAZY_PAGES,
	     "fmt %u: touching %u lazy pages made one in-kernel fault each (%llu)",
	     m->format, LAZY_PAGES, (unsigned long long)faults);
	STEP(!vmm_run(m, &faults) && is_check(m, 3) && faults == 0,
	     "fmt %u: touching them again made no fault (%llu)", m->format,
	     (unsigned long long)faults);
	STEP(lazy_pages_shared(m),
	     "fmt %u: the guest's stores to the lazy pages are in the VMM's mmap of their memory fd, same frames",
	     m->format);
	return 0;
}

static int steps_permissions(struct vmm *m)
{
	uint64_t faults;

	STEP(!vmm_run(m, &faults) && is_mmio(m, GPA_RO, AXAS_WRITE) &&
	     m->run.exit.mmio.size == 4 && m->run.exit.mmio.data == LAZY_PAGES,
	     "fmt %u: a store to a read-only page exits with its gpa and data",
	     m->format);
	STEP(!vmm_run(m, &faults) && is_mmio(m, GPA_NX, AXAS_EXEC) &&
	     m->run.pc == GPA_NX,
	     "fmt %u: a fetch from a no-exec page exits with its gpa", m->format);
	m->run.pc = m->run.regs[REG_LINK];
	STEP(m->run.pc == code_gpa(guest_after_nx),
	     "fmt %u: the link register holds guest_after_nx", m->format);
	return 0;
}

/* What the VMM does at the guest's HC_CHECK(4): 0 or -1. */
static int vmm_edit(struct vmm *m)
{
	return unmap(m, EDIT_HOLE, 0x1000) || protect(m, EDIT_RO, 0x1000, AXAS_READ) ? -1 : 0;
}

static int steps_edits(struct vmm *m)
{
	uint64_t faults;
	uint32_t magic = 0;

	STEP(!vmm_run(m, &faults) && is_check(m, 4), "fmt %u: the guest stops for the edits",
	     m->format);
	STEP(!vmm_edit(m) && leaf_size(m, EDIT_HOLE) == 0 &&
	     leaf_size(m, EDIT_HOLE + 0x1000) == 0x1000,
	     "fmt %u: a 4 KiB cut inside a 2 MiB leaf, and a page made read-only",
	     m->format);
	STEP(!vmm_run(m, &faults) && is_mmio(m, EDIT_HOLE, AXAS_READ) &&
	     m->run.exit.mmio.size == 4,
	     "fmt %u: the guest's next load in the cut exits (the flush reached it)",
	     m->format);
	m->run.regs[m->run.exit.mmio.reg] = MMIO_READ_VALUE;
	STEP(!vmm_run(m, &faults) && is_check(m, 5),
	     "fmt %u: the guest got the VMM's value for its load", m->format);
	STEP(!vmm_run(m, &faults) && is_mmio(m, EDIT_RO, AXAS_WRITE),
	     "fmt %u: a store to the page made read-only exits", m->format);
	STEP(!vmm_run(m, &faults) && m->run.exit_reason == AXAS_HV_EXIT_HYPERCALL &&
	     m->run.exit.hypercall.nr == HC_EXIT && m->run.exit.hypercall.args[0] == 0,
	     "fmt %u: the guest reached its exit", m->format);
	STEP(pread(m->space, &magic, sizeof(magic), GPA_SMALL + MAGIC_OFF) == sizeof(magic) &&
	     magic == GUEST_MAGIC,
	     "fmt %u: what the guest wrote reads back through pread (%#x)", m->format,
	     magic);
	return 0;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A guest in an endless loop: a signal ends AXAS_HV_RUN with EINTR. */
static int steps_signal(struct vmm *m)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	uint64_t pc;
	int ret;

	sigaction(SIGALRM, &sa, NULL);
	vmm_reset(m, code_gpa(guest_spin), 0);
	alarm(1);
	ret = ioctl(m->hv, AXAS_HV_RUN, &m->run);
	pc = m->run.pc;
	STEP(ret == -1 && errno == EINTR && pc >= code_gpa(guest_spin) &&
	     pc < code_gpa(guest_end),
	     "fmt %u: a signal ends the run with EINTR, the guest still spinning",
	     m->format);
	return 0;
}

#define POLL_GPA	(GPA_HUGE + 0x100000)	/* in the first 2 MiB leaf */

struct unmapper {
	struct vmm *m;
	int ret;
};

static void *unmap_later(void *arg)
{
	struct timespec ts = { .tv_nsec = 200 * 1000 * 1000 };
	struct unmapper *u = arg;

	nanosleep(&ts, NULL);
	u->ret = unmap(u->m, POLL_GPA, 0x1000);
	return NULL;
}

/*
 * The space changes under a running guest: the flush callback must kick it
 * out and the next entry flush, or it goes on loading from the stale
 * translation until the alarm.
 */
static int steps_concurrent(struct vmm *m)
{
	struct unmapper u = { .m = m, .ret = -1 };
	pthread_t t;
	int ret;

	vmm_reset(m, code_gpa(guest_poll), POLL_GPA);
	STEP(!pthread_create(&t, NULL, unmap_later, &u), "fmt %u: a thread to unmap",
	     m->format);
	alarm(5);
	ret = ioctl(m->hv, AXAS_HV_RUN, &m->run);
	alarm(0);
	pthread_join(t, NULL);
	STEP(!u.ret && !ret && is_mmio(m, POLL_GPA, AXAS_READ),
	     "fmt %u: an unmap from another thread stops the running guest at its next load",
	     m->format);
	return 0;
}

static int hv_run_errno(int hv, struct axas_hv_run *r)
{
	return ioctl(hv, AXAS_HV_RUN, r) ? errno : 0;
}

/* Bad arguments of AXAS_HV_RUN, each with its errno, whatever the format. */
static void test_errors(void)
{
	struct vmm m = { .quiet = 1 };
	struct axas_hv_run r;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (vmm_open(&m, AXAS_FMT_NATIVE, LAZY_PAGES, 0))
		m.space = -1;
	vmm_reset(&m, GPA_CODE, LAZY_PAGES);
	r = m.run;
	r.flags = 1;
	check(hv_run_errno(m.hv, &r) == EINVAL, "AXAS_HV_RUN: unknown flags are EINVAL");
	r = m.run;
	r.pad = 1;
	check(hv_run_errno(m.hv, &r) == EINVAL, "AXAS_HV_RUN: a non-zero pad is EINVAL");
	r = m.run;
	r.space_fd = -1;
	check(hv_run_errno(m.hv, &r) == EBADF, "AXAS_HV_RUN: a closed fd is EBADF");
	r.space_fd = null;
	check(hv_run_errno(m.hv, &r) == EINVAL, "AXAS_HV_RUN: a file that is no space is EINVAL");
	check(ioctl(m.hv, AXAS_HV_RUN, NULL) == -1 && errno == EFAULT,
	      "AXAS_HV_RUN: a bad pointer is EFAULT");
	check(ioctl(m.hv, _IO(AXAS_HV_IOC, 0xf1)) == -1 && errno == ENOTTY,
	      "/dev/axas_hv: an unknown ioctl is ENOTTY");
	close(null);
	vmm_close(&m);
}

/* AXAS_FMT_NATIVE resolves to @want on this host. */
static void test_native(uint32_t want)
{
	struct axas_create c = { .size = SZ_2M_VMM, .format = AXAS_FMT_NATIVE };
	struct axas_info info = { 0 };
	int dev = open("/dev/axaddrspace", O_RDWR | O_CLOEXEC);
	int space = dev < 0 ? -1 : ioctl(dev, AXAS_CREATE_SPACE, &c);
	int ok = space >= 0 && !ioctl(space, AXAS_GET_INFO, &info);

	check(ok && info.format == want, "the native format here is %u (got %u)", want,
	      info.format);
	close(space);
	close(dev);
}

/* A space of a format this CPU cannot walk: AXAS_HV_RUN refuses it. */
static void test_refused(uint32_t format)
{
	struct vmm m = { .quiet = 1 };
	int ret = vmm_open(&m, format, LAZY_PAGES, 0);

	if (!ret) {
		vmm_reset(&m, GPA_CODE, LAZY_PAGES);
		ret = -hv_run_errno(m.hv, &m.run);
	}
	check(ret == -EINVAL, "fmt %u: the hypervisor refuses a format the CPU cannot walk (%s)",
	      format, strerror(-ret));
	vmm_close(&m);
}

static uint64_t linear_1g_hpa;	/* --linear1g: host memory for the 1 GiB leaf */

static int map_linear(struct vmm *m, uint64_t gpa, uint64_t hpa, uint64_t size,
		      uint32_t flags)
{
	struct axas_map_linear l = { .gpa = gpa, .hpa = hpa, .size = size, .flags = flags };

	return ioctl(m->space, AXAS_MAP_LINEAR, &l);
}

/* What guest_rw1g wrote at @gpa reads back through pread(). */
static int word_reads_back(struct vmm *m, uint64_t gpa)
{
	uint32_t w = 0;

	return pread(m->space, &w, sizeof(w), gpa) == sizeof(w) &&
	       w == ((uint32_t)gpa ^ 0xa5a5a5a5);
}

/* The 1 GiB leaf, where the program and the host have what it needs. */
static int steps_1g(struct vmm *m)
{
	uint64_t faults;

	if (!linear_1g_hpa || !guest_rw1g)
		return 0;
	STEP(!map_linear(m, GPA_1G, linear_1g_hpa, 1ULL << 30, AXAS_READ | AXAS_WRITE) &&
	     leaf_size(m, GPA_1G) == 1ULL << 30,
	     "fmt %u: 1 GiB of host memory mapped linear with one 1 GiB leaf", m->format);
	vmm_reset(m, code_gpa(guest_rw1g), GPA_1G);
	STEP(!vmm_run(m, &faults) && is_check(m, 6),
	     "fmt %u: words read back through the 1 GiB leaf", m->format);
	STEP(word_reads_back(m, GPA_1G) && word_reads_back(m, GPA_1G + 0x3ffff000),
	     "fmt %u: and read back through pread", m->format);
	return 0;
}

static unsigned int steps_per_format(void)
{
	return STEPS + (linear_1g_hpa && guest_rw1g ? 3 : 0);
}

static int test_format(uint32_t format)
{
	struct vmm m = { .quiet = 1 };
	int ret = vmm_open(&m, format, LAZY_PAGES, 1);

	if (ret) {
		check(0, "fmt %u: set up the space (%s)", format, strerror(-ret));
		return -1;
	}
	vmm_reset(&m, GPA_CODE, LAZY_PAGES);
	ret = steps_memory(&m);
	ret = ret ?: steps_permissions(&m);
	ret = ret ?: steps_edits(&m);
	ret = ret ?: steps_signal(&m);
	ret = ret ?: steps_concurrent(&m);
	ret = ret ?: steps_1g(&m);
	vmm_close(&m);
	return ret;
}

/* ---- The benchmark ------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Linux's own first touch of @pages 4 KiB pages: seconds. */
static double bench_linux(uint64_t pages)
{
	volatile char *p = mmap(NULL, pages * 0x1000, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t;
	uint64_t i;

	if (p == MAP_FAILED)
		return -1;
	madvise((void *)p, pages * 0x1000, MADV_NOHUGEPAGE);
	t = now();
	for (i = 0; i < pages; i++)
		p[i * 0x1000] = 1;
	t = now() - t;
	munmap((void *)p, pages * 0x1000);
	return t;
}

/* The guest's first touch of @pages lazy pages, exits included: seconds. */
static double bench_guest(uint32_t format, uint64_t pages)
{
	struct vmm m = { .quiet = 1 };
	uint64_t faults;
	double t;

	if (vmm_open(&m, format, pages, 0))
		return -1;
	vmm_reset(&m, GPA_CODE, pages);
	if (vmm_run(&m, &faults) || !is_check(&m, 1))
		return -1;
	t = now();
	if (vmm_run(&m, &faults) || !is_check(&m, 2) || faults != pages)
		return -1;
	t = now() - t;
	vmm_close(&m);
	return t;
}

static int bench(uint32_t format, uint64_t pages)
{
	double g = bench_guest(format, pages), l = bench_linux(pages);

	if (g < 0 || l <= 0) {
		fprintf(stderr, "axas-vmm: the benchmark did not run\n");
		return 1;
	}
	printf("first touch of %llu pages: guest %.1f ms (%.2f us/page),",
	       (unsigned long long)pages, g * 1e3, g * 1e6 / pages);
	printf(" process %.1f ms (%.2f us/page), ratio %.2f\n", l * 1e3, l * 1e6 / pages, g / l);
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

/* What the space shows after the run: faults, and the page the guest wrote. */
static void vmm_report(struct vmm *m)
{
	struct axas_translate t = { .gpa = GPA_SMALL + MAGIC_OFF };
	struct axas_info info;
	uint32_t magic = 0;

	if (ioctl(m->space, AXAS_GET_INFO, &info) || ioctl(m->space, AXAS_TRANSLATE, &t) ||
	    pread(m->space, &magic, sizeof(magic), t.gpa) != sizeof(magic))
		return;
	printf("axas-vmm: format %u, %llu faults handled in the kernel, %llu bytes mapped\n",
	       info.format, (unsigned long long)info.faults_handled,
	       (unsigned long long)info.mapped_bytes);
	printf("axas-vmm: gpa %#llx -> hpa %#llx (%llu KiB leaf) holds %#x\n",
	       (unsigned long long)t.gpa, (unsigned long long)t.hpa,
	       (unsigned long long)t.page_size / 1024, magic);
}

static int run_once(uint32_t format)
{
	struct vmm m = { 0 };
	uint64_t faults;
	int ret = vmm_open(&m, format, LAZY_PAGES, 1);

	if (ret) {
		fprintf(stderr, "axas-vmm: setting up the space: %s\n", strerror(-ret));
		return 1;
	}
	vmm_reset(&m, GPA_CODE, LAZY_PAGES);
	for (;;) {
		ret = vmm_run(&m, &faults);
		if (ret) {
			fprintf(stderr, "axas-vmm: AXAS_HV_RUN: %s\n", strerror(-ret));
			return 1;
		}
		printf("axas-vmm: exit: %s, %llu in-kernel faults before it\n",
		       exit_name(&m.run), (unsigned long long)faults);
		if (m.run.exit_reason == AXAS_HV_EXIT_HYPERCALL &&
		    m.run.exit.hypercall.nr == HC_EXIT)
			break;
		if (m.run.exit_reason == AXAS_HV_EXIT_UNHANDLED)
			return 1;
		if (m.run.exit_reason == AXAS_HV_EXIT_MMIO && !m.run.exit.mmio.decoded)
			m.run.pc = m.run.regs[REG_LINK];	/* the no-exec page */
		else if (m.run.exit_reason == AXAS_HV_EXIT_MMIO &&
			 m.run.exit.mmio.access == AXAS_READ)
			m.run.regs[m.run.exit.mmio.reg] = MMIO_READ_VALUE;
		else if (is_check(&m, 4) && vmm_edit(&m))
			return 1;
	}
	vmm_report(&m);
	vmm_close(&m);
	return (int)m.run.exit.hypercall.args[0];
}

static void usage(void)
{
	fprintf(stderr, "usage: axas-vmm [--test] [--format F]... [--refuse F]...\n"
		"                [--linear1g HPA] [--native F]\n"
		"       axas-vmm --bench [--format F] [--pages N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "test", no_argument, NULL, 't' },
		{ "bench", no_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "pages", required_argument, NULL, 'p' },
		{ "refuse", required_argument, NULL, 'r' },
		{ "linear1g", required_argument, NULL, 'l' },
		{ "native", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t formats[16], refused[16], native = 0;
	unsigned int nformats = 0, nrefused = 0, i;
	uint64_t pages = 16384;		/* 64 MiB */
	int test = 0, do_bench = 0, c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't')
			test = 1;
		else if (c == 'b')
			do_bench = 1;
		else if (c == 'f' && nformats < 16)
			formats[nformats++] = strtoul(optarg, NULL, 0);
		else if (c == 'r' && nrefused < 16)
			refused[nrefused++] = strtoul(optarg, NULL, 0);
		else if (c == 'n')
			native = strtoul(optarg, NULL, 0);
		else if (c == 'l')
			linear_1g_hpa = strtoull(optarg, NULL, 0);
		else if (c == 'p')
			pages = strtoull(optarg, NULL, 0);
		else
			usage();
	}
	if (optind != argc || pages == 0 || pages > LAZY_MAX)
		usage();
	/* --native alone: a host where no guest runs (no format to run or refuse). */
	if (test && native && !nformats && !nrefused) {
		printf("TAP version 13\n1..1\n");
		test_native(native);
		return tap_failed ? 1 : 0;
	}
	if (!nformats)
		formats[nformats++] = DEFAULT_FORMAT;
	if (do_bench)
		return bench(formats[0], pages);
	if (!test)
		return run_once(formats[0]);
	printf("TAP version 13\n1..%u\n",
	       nformats * steps_per_format() + nrefused + ERROR_CHECKS + !!native);
	if (native)
		test_native(native);
	test_errors();
	for (i = 0; i < nformats; i++) {
		test_format(formats[i]);
		/* A check that did not run is a failure too. */
		while (tap_n < !!native + ERROR_CHECKS + (int)((i + 1) * steps_per_format()))
			check(0, "fmt %u: not reached", formats[i]);
	}
	for (i = 0; i < nrefused; i++)
		test_refused(refused[i]);
	return tap_failed ? 1 : 0;
}
