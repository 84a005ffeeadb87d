// SPDX-License-Identifier: GPL-2.0
/*
 * The space fd of /dev/axaddrspace: every ioctl, pread/pwrite, privileges,
 * isolation, freeing and concurrency, in all nine table formats, written
 * from Documentation/userspace-api.rst. The tables the module builds are read back
 * with AXAS_DUMP_TABLES and judged by an independent walker (walker.c).
 *
 * As in tools/testing/selftests/iommu/iommufd.c, _foo() returns an errno
 * (0 on success) and foo() asserts success.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/axaddrspace.h>

#include "kselftest_harness.h"
#include "axas_util.h"
#include "walker.h"

#define SPACE_SIZE	(8 * SZ_1G)

#define RW		(AXAS_READ | AXAS_WRITE)
#define RWX		(AXAS_READ | AXAS_WRITE | AXAS_EXEC)

/* ---- ioctl wrappers beyond axas_util.h: return 0 or an errno ---------- */

#define map_alloc(gpa, size, flags) \
	ASSERT_EQ(0, _map_alloc(self->fd, gpa, size, flags))
#define map_linear(gpa, hpa, size, flags) \
	ASSERT_EQ(0, _map_linear(self->fd, gpa, hpa, size, flags))
#define unmap(gpa, size)	ASSERT_EQ(0, _unmap(self->fd, gpa, size))
#define protect(gpa, size, flags) \
	ASSERT_EQ(0, _protect(self->fd, gpa, size, flags))
#define translate(gpa, t)	ASSERT_EQ(0, _translate(self->fd, gpa, t))
#define get_info(i)		ASSERT_EQ(0, _info(self->fd, i))
#define G(off)			(self->base + (off))

/* The page size AXAS_TRANSLATE reports for gpa, 0 for a hole. */
static uint64_t page_size_at(int fd, uint64_t gpa)
{
	struct axas_translate t;

	return _translate(fd, gpa, &t) ? 0 : t.page_size;
}

static uint32_t fault_handled(int fd, uint64_t gpa, uint32_t access)
{
	uint32_t handled;

	return _fault(fd, gpa, access, &handled) ? 0xbad : handled;
}

/* ---- The host: physical address width and ranges that are not RAM ------- */

struct host {
	unsigned int phys_bits;
	uint64_t dev;		/* 2 MiB aligned, DEV_SIZE bytes, no System RAM */
	uint64_t hi;		/* 1 GiB aligned, 1 GiB, no System RAM; 0: none */
	uint64_t ram;		/* a page of System RAM, 0: not found */
};

#define DEV_SIZE	(8 * SZ_2M)
#define DEV_LO		0xfd000000ULL	/* where to look for it */
#define DEV_HI		0xfec00000ULL

static void probe_host(struct host *h)
{
	static const uint64_t hi[] = { 64 * SZ_1G, 32 * SZ_1G, 16 * SZ_1G, 8 * SZ_1G };
	uint64_t r[MAX_RAM][2], a;
	unsigned int n = ram_ranges(r), i;

	memset(h, 0, sizeof(*h));
	h->phys_bits = phys_bits();
	/* Below the IOAPIC; from 0xfe000000 up there are only 12 MiB. */
	for (a = DEV_LO; a + DEV_SIZE <= DEV_HI && !h->dev; a += SZ_2M)
		if (ram_free(r, n, a, DEV_SIZE, h->phys_bits))
			h->dev = a;
	for (i = 0; i < ARRAY_SIZE(hi) && !h->hi; i++)
		if (ram_free(r, n, hi[i], SZ_1G, h->phys_bits))
			h->hi = hi[i];
	h->ram = ram_page(r, n);
}

/* ---- Fixture ------------------------------------------------------------ */

FIXTURE(space) {
	int dev;
	int fd;
	uint64_t base;
	struct host host;
	bool xo;		/* the format takes AXAS_EXEC without AXAS_READ */
};

FIXTURE_VARIANT(space) {
	uint32_t format;
	uint64_t base;		/* high enough to use more than root entry 0 */
	unsigned int levels;
	unsigned int gpa_bits;
};

FIXTURE_VARIANT_ADD(space, ept4) {
	.format = AXAS_FMT_X86_EPT4, .base = 0, .levels = 4, .gpa_bits = 48,
};

FIXTURE_VARIANT_ADD(space, ept5) {
	.format = AXAS_FMT_X86_EPT5, .base = 1ULL << 56, .levels = 5, .gpa_bits = 57,
};

FIXTURE_VARIANT_ADD(space, arm40) {
	.format = AXAS_FMT_ARM64_S2_40, .base = 0x8000000000ULL, .levels = 3,
	.gpa_bits = 40,
};

FIXTURE_VARIANT_ADD(space, arm48) {
	.format = AXAS_FMT_ARM64_S2_48, .base = SZ_1G, .levels = 4, .gpa_bits = 48,
};

FIXTURE_VARIANT_ADD(space, sv39x4) {
	.format = AXAS_FMT_RISCV_SV39X4, .base = 0x18000000000ULL, .levels = 3,
	.gpa_bits = 41,
};

FIXTURE_VARIANT_ADD(space, sv48x4) {
	.format = AXAS_FMT_RISCV_SV48X4, .base = 0x3000000000000ULL, .levels = 4,
	.gpa_bits = 50,
};

FIXTURE_VARIANT_ADD(space, npt4) {
	.format = AXAS_FMT_X86_NPT4, .base = SZ_1G, .levels = 4, .gpa_bits = 48,
};

FIXTURE_VARIANT_ADD(space, npt5) {
	.format = AXAS_FMT_X86_NPT5, .base = 1ULL << 56, .levels = 5, .gpa_bits = 57,
};

FIXTURE_VARIANT_ADD(space, sv57x4) {
	.format = AXAS_FMT_RISCV_SV57X4, .base = 0x600000000000000ULL, .levels = 5,
	.gpa_bits = 59,
};

FIXTURE_SETUP(space)
{
	self->fd = -1;
	SETUP_NEEDS_MODULE();
	self->base = variant->base;
	probe_host(&self->host);
	dev_open(self->dev);
	create(self->dev, variant->base, SPACE_SIZE, variant->format, &self->fd);
	self->xo = format_exec_only(variant->format,
				    ioctl(self->dev, AXAS_CHECK_EXTENSION,
					  AXAS_CAP_EPT_EXEC_ONLY) == 1);
}

FIXTURE_TEARDOWN(space)
{
	close_space(self->fd, self->dev);
}

#define need_dev() do { \
	if (!self->host.dev) \
		SKIP(return, "no non-RAM window in 0x%llx..0x%llx", DEV_LO, DEV_HI); \
} while (0)

/* A test of execute-only areas: where refused, check that and skip. */
#define need_exec_only() do { \
	if (!self->xo) { \
		EXPECT_EQ(EINVAL, _map_alloc(self->fd, G(0), SZ_4K, AXAS_EXEC)); \
		SKIP(return, "format %u refuses execute-only", variant->format); \
	} \
} while (0)

#define need_hi() do { \
	if (!self->host.hi) \
		SKIP(return, "no 1 GiB non-RAM range below %u bits", \
		     self->host.phys_bits); \
} while (0)

/* ---- Tables against AXAS_TRANSLATE -------------------------------------- */

struct cmp {
	int fd;
	unsigned int format;
	unsigned int bad;
	char msg[256];
};

static void mismatch(struct cmp *c, const char *what, uint64_t gpa)
{
	if (!c->bad++)
		snprintf(c->msg, sizeof(c->msg), "%s at gpa 0x%llx", what,
			 (unsigned long long)gpa);
}

/* One gpa of a walker leaf, against AXAS_TRANSLATE. */
static void cmp_gpa(struct cmp *c, const struct axw_leaf *l, uint64_t gpa)
{
	struct axas_translate t;
	uint64_t out = l->hpa + (gpa - l->gpa);

	if (_translate(c->fd, gpa, &t))
		return mismatch(c, "walker leaf, AXAS_TRANSLATE fails", gpa);
	if (t.hpa != out)
		mismatch(c, "hpa differs", gpa);
	if (t.page_size != l->size)
		mismatch(c, "page_size differs", gpa);
	if (axw_expressible(c->format, t.flags & AXAS_PROT_MASK) != l->flags)
		mismatch(c, "flags differ", gpa);
	if (l->gpa < t.area_start || l->gpa + l->size > t.area_start + t.area_size)
		mismatch(c, "leaf sticks out of its area", gpa);
	if (t.reserved)
		mismatch(c, "translate reserved not 0", gpa);
}

static int cmp_leaf(const struct axw_leaf *l, void *arg)
{
	cmp_gpa(arg, l, l->gpa);
	cmp_gpa(arg, l, l->gpa + l->size - SZ_4K + 0xabc);
	return 0;
}

static bool lazy(const struct axas_area *a)
{
	return a->backend == AXAS_BACKEND_ALLOC && !(a->flags & AXAS_MAP_POPULATE);
}

/* Step through an area: walker holes must be AXAS_TRANSLATE holes. */
static void cmp_area(struct cmp *c, const struct axw_tables *t,
		     const struct axas_area *a)
{
	uint64_t gpa = a->gpa, end = a->gpa + a->size;
	struct axas_translate tr;
	struct axw_leaf l;
	int ret;

	while (gpa < end) {
		ret = axw_translate(t, gpa, &l);
		if (ret == -ENOENT) {
			if (_translate(c->fd, gpa, &tr) != ENOENT)
				mismatch(c, "walker hole, AXAS_TRANSLATE not ENOENT", gpa);
			if (!lazy(a))
				mismatch(c, "hole in a non-lazy area", gpa);
			gpa += SZ_4K;
			continue;
		}
		if (ret) {
			mismatch(c, "walker cannot translate", gpa);
			gpa += SZ_4K;
			continue;
		}
		cmp_gpa(c, &l, gpa);
		gpa = l.gpa + l.size;
	}
}

/* The page before and after every area, when it is a hole in the model. */
static void cmp_edges(struct cmp *c, const struct axw_tables *t,
		      const struct axas_area *a, uint32_t n, uint64_t lo, uint64_t hi)
{
	struct axw_leaf l;
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t before = a[i].gpa - SZ_4K, after = a[i].gpa + a[i].size;

		if (a[i].gpa > lo && (!i || a[i - 1].gpa + a[i - 1].size <= before) &&
		    axw_translate(t, before, &l) != -ENOENT)
			mismatch(c, "leaf before an area", before);
		if (after < hi && (i + 1 == n || a[i + 1].gpa > after) &&
		    axw_translate(t, after, &l) != -ENOENT)
			mismatch(c, "leaf after an area", after);
	}
}

/*
 * Dump the tables, check their structure, then compare every leaf and every
 * page of every area with AXAS_TRANSLATE. Returns the walker's leaf count.
 */
static uint64_t check_tables(struct __test_metadata *_metadata, int fd)
{
	struct axas_table_page *pages = NULL;
	struct axas_area *areas = NULL;
	struct axw_tables t = { 0 };
	struct axas_info info;
	struct axw_report r;
	uint32_t n, na, i;
	struct cmp c = { .fd = fd };

	ASSERT_EQ(0, _info(fd, &info));
	ASSERT_EQ(0, _dump(fd, &pages, &n));
	ASSERT_EQ(0, _areas(fd, &areas, &na));
	t = (struct axw_tables){
		.pages = pages, .count = n, .format = info.format,
		.levels = info.levels, .gpa_bits = info.gpa_bits,
		.root_hpa = info.root_hpa, .base = info.base, .size = info.size,
		.table_pages = info.table_pages,
	};
	c.format = info.format;
	EXPECT_EQ(0, axw_check(&t, &r))
		axw_report_print(stderr, &r);
	EXPECT_EQ(info.mapped_bytes, r.mapped_bytes);
	EXPECT_EQ(0, axw_walk_leaves(&t, cmp_leaf, &c));
	for (i = 0; i < na; i++)
		cmp_area(&c, &t, &areas[i]);
	cmp_edges(&c, &t, areas, na, info.base, info.base + info.size);
	EXPECT_EQ(0, c.bad)
		TH_LOG("%u mismatches, first: %s", c.bad, c.msg);
	free(pages);
	free(areas);
	return r.leaves;
}

/* Count the walker's leaves of one size inside [gpa, gpa + size). */
struct count {
	uint64_t gpa, size, leaf_size, n;
};

static int count_leaf(const struct axw_leaf *l, void *arg)
{
	struct count *c = arg;

	if (l->gpa >= c->gpa && l->gpa < c->gpa + c->size && l->size == c->leaf_size)
		c->n++;
	return 0;
}

static uint64_t count_leaves(struct __test_metadata *_metadata, int fd,
			     uint64_t gpa, uint64_t size, uint64_t leaf_size)
{
	struct count c = { gpa, size, leaf_size, 0 };
	struct axas_table_page *pages;
	struct axas_info info;
	struct axw_tables t;
	uint32_t n;

	ASSERT_EQ(0, _info(fd, &info));
	ASSERT_EQ(0, _dump(fd, &pages, &n));
	t = (struct axw_tables){
		.pages = pages, .count = n, .format = info.format,
		.levels = info.levels, .gpa_bits = info.gpa_bits,
		.root_hpa = info.root_hpa,
	};
	EXPECT_EQ(0, axw_walk_leaves(&t, count_leaf, &c));
	free(pages);
	return c.n;
}

/* ---- Info, creation, capabilities ---------------------------------------- */

TEST_F(space, info_fresh)
{
	struct axas_info i;
	unsigned int j, rp = axw_root_pages(variant->format);

	get_info(&i);
	EXPECT_EQ(variant->base, i.base);
	EXPECT_EQ(SPACE_SIZE, i.size);
	EXPECT_EQ(variant->format, i.format);
	EXPECT_EQ(variant->levels, i.levels);
	EXPECT_EQ(variant->gpa_bits, i.gpa_bits);
	EXPECT_EQ(0, i.flags);
	EXPECT_NE(0, i.root_hpa);
	EXPECT_EQ(0, i.root_hpa & (rp * SZ_4K - 1));
	EXPECT_EQ(hw_root_of(variant->format, i.root_hpa, i.levels), i.hw_root);
	EXPECT_EQ(hw_ctl_of(variant->format), i.hw_ctl);
	EXPECT_EQ(0, i.nr_areas);
	EXPECT_EQ(0, i.mapped_bytes);
	EXPECT_EQ(rp, i.table_pages);
	EXPECT_EQ(0, i.alloc_pages);
	EXPECT_EQ(0, i.faults_handled);
	for (j = 0; j < ARRAY_SIZE(i.reserved); j++)
		EXPECT_EQ(0, i.reserved[j]);
	EXPECT_EQ(0, check_tables(_metadata, self->fd));
}

TEST_F(space, fd_flags)
{
	int fl = fcntl(self->fd, F_GETFL);

	ASSERT_LE(0, fl);
	EXPECT_EQ(O_RDWR, fl & O_ACCMODE);
	EXPECT_EQ(FD_CLOEXEC, fcntl(self->fd, F_GETFD) & FD_CLOEXEC);
}

TEST_F(space, create_einval)
{
	uint64_t top = 1ULL << variant->gpa_bits;
	struct axas_create c = { .size = SZ_4K, .format = variant->format };
	int fd = -1;

	EXPECT_EQ(EINVAL, _create(self->dev, SZ_4K / 2, SZ_4K, variant->format, &fd));
	EXPECT_EQ(EINVAL, _create(self->dev, 0, 0, variant->format, &fd));
	EXPECT_EQ(EINVAL, _create(self->dev, 0, SZ_4K + 1, variant->format, &fd));
	EXPECT_EQ(EINVAL, _create(self->dev, top - SZ_4K, 2 * SZ_4K, variant->format, &fd));
	EXPECT_EQ(EINVAL, _create(self->dev, top, SZ_4K, variant->format, &fd));
	EXPECT_EQ(EINVAL, _create(self->dev, -SZ_4K, 2 * SZ_4K, variant->format, &fd));
	EXPECT_EQ(EINVAL, _create(self->dev, 0, SZ_4K, AXAS_FMT_MAX + 1, &fd));
	EXPECT_EQ(EINVAL, _create(self->dev, 0, SZ_4K, ~0U, &fd));
	c.flags = 1;
	EXPECT_EQ(EINVAL, xioctl(self->dev, AXAS_CREATE_SPACE, &c));
	c.flags = 0;
	c.reserved[2] = 1;
	EXPECT_EQ(EINVAL, xioctl(self->dev, AXAS_CREATE_SPACE, &c));
	EXPECT_EQ(EFAULT, xioctl(self->dev, AXAS_CREATE_SPACE, (void *)8));
	/* The very top of the format's input range is fine. */
	ASSERT_EQ(0, _create(self->dev, top - SZ_4K, SZ_4K, variant->format, &fd));
	close(fd);
}

/* Whether the host kernel runs 5-level paging: it honours a hint above 47 bits. */
static bool host_la57(void)
{
	void *p = mmap((void *)(1ULL << 52), SZ_4K, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool high = p != MAP_FAILED && (uint64_t)p >= 1ULL << 47;

	if (p != MAP_FAILED)
		munmap(p, SZ_4K);
	return high;
}

static bool cpu_has_flag(const char *flag)
{
	char line[8192], *tok;
	FILE *f = fopen("/proc/cpuinfo", "r");
	bool found = false;

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		for (tok = strtok(line, " \t\n"); tok && !found; tok = strtok(NULL, " \t\n"))
			found = !strcmp(tok, flag);
		break;
	}
	if (f)
		fclose(f);
	return found;
}

/* userspace-api.rst: the exact answer on x86, ~0U where only the set is known, 0: none. */
static uint32_t native_want(void)
{
#if defined(__x86_64__)
	if (!cpu_has_flag("svm"))
		return AXAS_FMT_X86_EPT4;
	return host_la57() ? AXAS_FMT_X86_NPT5 : AXAS_FMT_X86_NPT4;
#elif defined(__aarch64__) || (defined(__riscv) && __riscv_xlen == 64)
	return ~0U;
#else
	return 0;
#endif
}

static inline bool native_plausible(uint32_t format)
{
#if defined(__aarch64__)
	return format == AXAS_FMT_ARM64_S2_40 || format == AXAS_FMT_ARM64_S2_48;
#else
	return format == AXAS_FMT_RISCV_SV39X4 || format == AXAS_FMT_RISCV_SV48X4 ||
	       format == AXAS_FMT_RISCV_SV57X4;
#endif
}

TEST(native_format)
{
	int dev = open(DEV_PATH, O_RDWR | O_CLOEXEC), fd = -1, ret;
	struct axas_info i;
	uint32_t want = native_want();

	NEED_MODULE();

	ASSERT_LE(0, dev);
	ret = _create(dev, 0, SZ_2M, AXAS_FMT_NATIVE, &fd);
	if (!want) {
		EXPECT_EQ(EINVAL, ret);
		return;
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, _info(fd, &i));
	if (want == ~0U) {	/* Arm and RISC-V: one of the probe's answers */
		EXPECT_TRUE(native_plausible(i.format)) TH_LOG("native %u", i.format);
	} else {
		EXPECT_EQ(want, i.format);
	}
	close(fd);
	close(dev);
}

TEST(check_extension)
{
	int dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	int formats, xo;

	NEED_MODULE();

	ASSERT_LE(0, dev);
	formats = ioctl(dev, AXAS_CHECK_EXTENSION, AXAS_CAP_FORMATS);
	EXPECT_EQ(0x3fe, formats & 0x3fe);	/* formats 1 to 9 */
	EXPECT_EQ(0, formats & ~0x3ff);
	xo = ioctl(dev, AXAS_CHECK_EXTENSION, AXAS_CAP_EPT_EXEC_ONLY);
	EXPECT_TRUE(xo == 0 || xo == 1);
#if !defined(__x86_64__)
	EXPECT_EQ(0, xo);
#endif
	EXPECT_LE(0, ioctl(dev, AXAS_CHECK_EXTENSION, AXAS_CAP_MAX_SPACES));
	EXPECT_LE(1, ioctl(dev, AXAS_CHECK_EXTENSION, AXAS_CAP_TRANSLATE_BATCH));
	EXPECT_EQ(0, ioctl(dev, AXAS_CHECK_EXTENSION, 0x7fff));
	EXPECT_EQ(0, ioctl(dev, AXAS_CHECK_EXTENSION, 0));
	close(dev);
}

/* ---- Map alloc ---------------------------------------------------------- */

TEST_F(space, map_alloc_lazy)
{
	struct axas_translate t;
	struct axas_area *a;
	struct axas_info i;
	uint32_t n;

	map_alloc(G(0), 4 * SZ_4K, RW | AXAS_USER);
	EXPECT_EQ(ENOENT, _translate(self->fd, G(0), &t));
	get_info(&i);
	EXPECT_EQ(1, i.nr_areas);
	EXPECT_EQ(0, i.mapped_bytes);
	EXPECT_EQ(0, i.alloc_pages);
	ASSERT_EQ(0, _areas(self->fd, &a, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(G(0), a[0].gpa);
	EXPECT_EQ(4 * SZ_4K, a[0].size);
	EXPECT_EQ(0, a[0].hpa);
	EXPECT_EQ(RW | AXAS_USER, a[0].flags);
	EXPECT_EQ(AXAS_BACKEND_ALLOC, a[0].backend);
	free(a);
}

TEST_F(space, map_alloc_populate)
{
	uint64_t gpa = G(4 * SZ_2M), size = SZ_2M + 3 * SZ_4K, off;
	struct axas_translate t;
	struct axas_area *a;
	struct axas_info i;
	uint32_t n;

	map_alloc(gpa, size, RWX | AXAS_MAP_POPULATE);
	get_info(&i);
	EXPECT_EQ(size, i.mapped_bytes);
	EXPECT_EQ(size / SZ_4K, i.alloc_pages);
	EXPECT_LT(axw_root_pages(variant->format), i.table_pages);
	for (off = 0; off < size; off += SZ_4K) {
		translate(gpa + off + 0x321, &t);
		EXPECT_EQ(0x321, t.hpa & (SZ_4K - 1));
		EXPECT_EQ(gpa, t.area_start);
		EXPECT_EQ(size, t.area_size);
		EXPECT_EQ(RWX, t.flags & AXAS_PROT_MASK);
		EXPECT_EQ(AXAS_BACKEND_ALLOC, t.backend);
		EXPECT_EQ(0, t.reserved);
		EXPECT_TRUE(t.page_size == SZ_4K || t.page_size == SZ_2M);
	}
	ASSERT_EQ(0, _areas(self->fd, &a, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(RWX | AXAS_MAP_POPULATE, a[0].flags);
	EXPECT_EQ(0, a[0].hpa);
	free(a);
	check_tables(_metadata, self->fd);
}

/* Populated frames are zeroed. */
TEST_F(space, map_alloc_zeroed)
{
	static char buf[4 * SZ_4K], zero[4 * SZ_4K];

	map_alloc(G(0), sizeof(buf), RW | AXAS_MAP_POPULATE);
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(sizeof(buf), pread(self->fd, buf, sizeof(buf), G(0)));
	EXPECT_EQ(0, memcmp(buf, zero, sizeof(buf)));
}

/* ---- Map linear --------------------------------------------------------- */

TEST_F(space, map_linear_page_sizes)
{
	uint64_t dev = self->host.dev, gpa = G(16 * SZ_2M);
	struct axas_translate t;
	struct axas_area *a;
	uint32_t n;

	need_dev();
	/* 2 MiB leaves where gpa and hpa are both aligned, 4 KiB for the tail. */
	map_linear(gpa, dev, 2 * SZ_2M + 2 * SZ_4K, RW | AXAS_DEVICE);
	translate(gpa + 0x1234, &t);
	EXPECT_EQ(dev + 0x1234, t.hpa);
	EXPECT_EQ(SZ_2M, t.page_size);
	EXPECT_EQ(AXAS_BACKEND_LINEAR, t.backend);
	EXPECT_EQ(RW | AXAS_DEVICE, t.flags & AXAS_PROT_MASK);
	EXPECT_EQ(SZ_2M, page_size_at(self->fd, gpa + SZ_2M + 5));
	EXPECT_EQ(SZ_4K, page_size_at(self->fd, gpa + 2 * SZ_2M));
	EXPECT_EQ(SZ_4K, page_size_at(self->fd, gpa + 2 * SZ_2M + SZ_4K));
	EXPECT_EQ(0, page_size_at(self->fd, gpa + 2 * SZ_2M + 2 * SZ_4K));
	/* gpa and hpa aligned differently: 4 KiB leaves only. */
	map_linear(gpa + 4 * SZ_2M, dev + 4 * SZ_2M + SZ_4K, SZ_2M + SZ_4K, AXAS_READ);
	EXPECT_EQ(SZ_4K, page_size_at(self->fd, gpa + 4 * SZ_2M));
	EXPECT_EQ(SZ_4K, page_size_at(self->fd, gpa + 5 * SZ_2M - SZ_4K));
	translate(gpa + 5 * SZ_2M, &t);
	EXPECT_EQ(dev + 5 * SZ_2M + SZ_4K, t.hpa);
	ASSERT_EQ(0, _areas(self->fd, &a, &n));
	ASSERT_EQ(2, n);
	EXPECT_EQ(dev, a[0].hpa);
	EXPECT_EQ(RW | AXAS_DEVICE, a[0].flags);
	EXPECT_EQ(AXAS_BACKEND_LINEAR, a[0].backend);
	EXPECT_EQ(dev + 4 * SZ_2M + SZ_4K, a[1].hpa);
	free(a);
	check_tables(_metadata, self->fd);
}

TEST_F(space, map_linear_1g)
{
	struct axas_translate t;
	struct axas_info i;

	need_hi();
	map_linear(G(SZ_1G), self->host.hi, SZ_1G, AXAS_READ | AXAS_EXEC);
	translate(G(SZ_1G) + 0x12345678, &t);
	EXPECT_EQ(self->host.hi + 0x12345678, t.hpa);
	EXPECT_EQ(SZ_1G, t.page_size);
	get_info(&i);
	EXPECT_EQ(SZ_1G, i.mapped_bytes);
	EXPECT_EQ(0, i.alloc_pages);
	EXPECT_EQ(1, count_leaves(_metadata, self->fd, G(SZ_1G), SZ_1G, SZ_1G));
	check_tables(_metadata, self->fd);
}

TEST_F(space, map_linear_host_range)
{
	uint64_t top = 1ULL << self->host.phys_bits;
	struct axas_info before, after;

	get_info(&before);
	EXPECT_EQ(EINVAL, _map_linear(self->fd, G(0), top, SZ_4K, AXAS_READ));
	EXPECT_EQ(EINVAL, _map_linear(self->fd, G(0), top - SZ_4K, 2 * SZ_4K, AXAS_READ));
	EXPECT_EQ(EINVAL, _map_linear(self->fd, G(0), -SZ_4K, 2 * SZ_4K, AXAS_READ));
	EXPECT_EQ(EINVAL, _map_linear(self->fd, G(0), 0x800, SZ_4K, AXAS_READ));
	get_info(&after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
}

static bool ram_linear_allowed(void)
{
	FILE *f = fopen("/sys/module/axaddrspace/parameters/allow_ram_linear", "r");
	int c = f ? fgetc(f) : 'N';

	if (f)
		fclose(f);
	return c == 'Y' || c == '1';
}

TEST_F(space, map_linear_ram_eperm)
{
	if (!self->host.ram)
		SKIP(return, "no System RAM in /proc/iomem");
	if (ram_linear_allowed())
		SKIP(return, "allow_ram_linear=1");
	EXPECT_EQ(EPERM, _map_linear(self->fd, G(0), self->host.ram, SZ_4K, AXAS_READ));
	EXPECT_EQ(ENOENT, _translate(self->fd, G(0), &(struct axas_translate){}));
}

/* ---- Errno rows common to the range ioctls -------------------------------- */

struct range_case {
	const char *what;
	uint64_t gpa;		/* offset from the base unless absolute */
	uint64_t size;
	bool absolute;
};

static const struct range_case bad_ranges[] = {
	{ "misaligned gpa", 0x800, SZ_4K },
	{ "misaligned size", 0, SZ_4K + 1 },
	{ "size below a page", 0, 0x800 },
	{ "zero size", 0, 0 },
	{ "wraps around", -SZ_4K, 2 * SZ_4K, true },
	{ "huge size wraps", SZ_4K, -SZ_4K },
	{ "starts at the end", SPACE_SIZE, SZ_4K },
	{ "sticks out of the end", SPACE_SIZE - SZ_4K, 2 * SZ_4K },
	{ "beyond the end", 2 * SPACE_SIZE, SZ_4K },
};

static int range_op(int fd, int op, uint64_t gpa, uint64_t size, uint64_t hpa)
{
	switch (op) {
	case 0:
		return _map_alloc(fd, gpa, size, RW);
	case 1:
		return _map_linear(fd, gpa, hpa, size, AXAS_READ);
	case 2:
		return _unmap(fd, gpa, size);
	default:
		return _protect(fd, gpa, size, AXAS_READ);
	}
}

TEST_F(space, range_einval)
{
	static const char * const ops[] = { "map-alloc", "map-linear", "unmap", "protect" };
	uint64_t hpa = self->host.dev ? self->host.dev : 0xfe000000;
	struct axas_info before, after;
	unsigned int i, op;

	map_alloc(G(SPACE_SIZE - SZ_2M), SZ_2M, RW);
	get_info(&before);
	for (op = 0; op < ARRAY_SIZE(ops); op++) {
		for (i = 0; i < ARRAY_SIZE(bad_ranges); i++) {
			const struct range_case *r = &bad_ranges[i];
			uint64_t gpa = r->absolute ? r->gpa : G(r->gpa);

			EXPECT_EQ(EINVAL, range_op(self->fd, op, gpa, r->size, hpa))
				TH_LOG("%s: %s", ops[op], r->what);
		}
		if (variant->base) {
			EXPECT_EQ(EINVAL, range_op(self->fd, op, G(0) - SZ_4K, SZ_4K, hpa))
				TH_LOG("%s below the base", ops[op]);
		}
	}
	get_info(&after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
}

TEST_F(space, flags_einval)
{
	static const uint32_t bad[] = {
		0, AXAS_WRITE, AXAS_WRITE | AXAS_EXEC, AXAS_USER, AXAS_DEVICE,
		AXAS_READ | AXAS_EXEC | AXAS_DEVICE, AXAS_EXEC | AXAS_UNCACHED,
		AXAS_READ | 1U << 6, AXAS_READ | 1U << 15, AXAS_READ | 1U << 17,
		AXAS_READ | 1U << 31,
	};
	uint64_t hpa = self->host.dev ? self->host.dev : 0xfe000000;
	struct axas_info before, after;
	unsigned int i;

	map_alloc(G(SZ_2M), SZ_4K, RW);
	get_info(&before);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EINVAL, _map_alloc(self->fd, G(0), SZ_4K, bad[i]))
			TH_LOG("map-alloc flags 0x%x", bad[i]);
		EXPECT_EQ(EINVAL, _map_linear(self->fd, G(0), hpa, SZ_4K, bad[i]))
			TH_LOG("map-linear flags 0x%x", bad[i]);
		EXPECT_EQ(EINVAL, _protect(self->fd, G(SZ_2M), SZ_4K, bad[i]))
			TH_LOG("protect flags 0x%x", bad[i]);
	}
	EXPECT_EQ(EINVAL, _map_linear(self->fd, G(0), hpa, SZ_4K,
				      AXAS_READ | AXAS_MAP_POPULATE));
	EXPECT_EQ(EINVAL, _protect(self->fd, G(SZ_2M), SZ_4K, AXAS_READ | AXAS_MAP_POPULATE));
	EXPECT_EQ(EINVAL, _map_alloc(self->fd, G(0), SZ_4K,
				     AXAS_EXEC | AXAS_DEVICE | AXAS_MAP_POPULATE));
	get_info(&after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	/* Every accepted combination (execute-only where the format takes it): */
	EXPECT_EQ(self->xo ? 0 : EINVAL,
		  _map_alloc(self->fd, G(0), SZ_4K, AXAS_EXEC));
	map_alloc(G(SZ_4K), SZ_4K, AXAS_READ | AXAS_USER | AXAS_DEVICE | AXAS_UNCACHED);
	protect(G(SZ_2M), SZ_4K, AXAS_READ | AXAS_WRITE | AXAS_EXEC | AXAS_USER);
}

TEST_F(space, pad_and_reserved_einval)
{
	uint64_t hpa = self->host.dev ? self->host.dev : 0xfe000000;
	struct axas_map_linear ml = { G(0), hpa, SZ_4K, AXAS_READ, 1, 0 };
	struct axas_map_alloc ma = { G(0), SZ_4K, AXAS_READ, 1, 0 };
	struct axas_protect p = { G(SZ_2M), SZ_4K, AXAS_READ, 1 };

	map_alloc(G(SZ_2M), SZ_4K, RW);
	EXPECT_EQ(EINVAL, xioctl(self->fd, AXAS_MAP_LINEAR, &ml));
	ml.pad = 0;
	ml.reserved = 1ULL << 63;
	EXPECT_EQ(EINVAL, xioctl(self->fd, AXAS_MAP_LINEAR, &ml));
	EXPECT_EQ(EINVAL, xioctl(self->fd, AXAS_MAP_ALLOC, &ma));
	ma.pad = 0;
	ma.reserved = 1;
	EXPECT_EQ(EINVAL, xioctl(self->fd, AXAS_MAP_ALLOC, &ma));
	EXPECT_EQ(EINVAL, xioctl(self->fd, AXAS_PROTECT, &p));
	EXPECT_EQ(ENOENT, _translate(self->fd, G(0), &(struct axas_translate){}));
	ma.reserved = 0;
	EXPECT_EQ(0, xioctl(self->fd, AXAS_MAP_ALLOC, &ma));
}

TEST_F(space, overlap_eexist)
{
	static const struct { uint64_t off, size; } over[] = {
		{ 0, SZ_2M }, { SZ_4K, SZ_4K }, { SZ_2M - SZ_4K, 2 * SZ_4K },
		{ -SZ_4K, 2 * SZ_4K }, { -SZ_2M, 4 * SZ_2M }, { SZ_2M - SZ_4K, SZ_4K },
	};
	uint64_t gpa = G(SZ_1G), hpa = self->host.dev;
	struct axas_info before, after;
	unsigned int i;

	map_alloc(gpa, SZ_2M, RW | AXAS_MAP_POPULATE);
	get_info(&before);
	for (i = 0; i < ARRAY_SIZE(over); i++) {
		EXPECT_EQ(EEXIST, _map_alloc(self->fd, gpa + over[i].off, over[i].size,
					     RW | AXAS_MAP_POPULATE))
			TH_LOG("map-alloc overlap %u", i);
		if (self->host.dev) {
			EXPECT_EQ(EEXIST, _map_linear(self->fd, gpa + over[i].off,
						      hpa, over[i].size, AXAS_READ))
				TH_LOG("map-linear overlap %u", i);
		}
	}
	get_info(&after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	/* Adjacent on both sides is not an overlap. */
	map_alloc(gpa - SZ_4K, SZ_4K, AXAS_READ);
	map_alloc(gpa + SZ_2M, SZ_4K, AXAS_READ);
	check_tables(_metadata, self->fd);
}

/* ---- Translate, handle fault -------------------------------------------- */

TEST_F(space, translate_errors)
{
	struct axas_translate t;

	map_alloc(G(SZ_2M), SZ_4K, RW | AXAS_MAP_POPULATE);
	EXPECT_EQ(ENOENT, _translate(self->fd, G(0), &t));
	EXPECT_EQ(ENOENT, _translate(self->fd, G(SZ_2M) - 1, &t));
	EXPECT_EQ(ENOENT, _translate(self->fd, G(SZ_2M + SZ_4K), &t));
	EXPECT_EQ(ENOENT, _translate(self->fd, G(SPACE_SIZE) - 1, &t));
	EXPECT_EQ(EINVAL, _translate(self->fd, G(SPACE_SIZE), &t));
	EXPECT_EQ(EINVAL, _translate(self->fd, ~0ULL, &t));
	if (variant->base)
		EXPECT_EQ(EINVAL, _translate(self->fd, G(0) - 1, &t));
	translate(G(SZ_2M) + SZ_4K - 1, &t);
	EXPECT_EQ(SZ_4K - 1, t.hpa & (SZ_4K - 1));
}

TEST_F(space, fault_semantics)
{
	uint64_t lazy = G(0), pop = G(SZ_2M), lin = G(2 * SZ_2M);
	struct axas_translate t;
	struct axas_info i;
	uint32_t h;

	map_alloc(lazy, 8 * SZ_4K, RW);
	map_alloc(pop, SZ_4K, RWX | AXAS_MAP_POPULATE);
	if (self->host.dev)
		map_linear(lin, self->host.dev, SZ_4K, RW);
	EXPECT_EQ(1, fault_handled(self->fd, lazy + 0x10, AXAS_READ));
	get_info(&i);
	EXPECT_EQ(1, i.faults_handled);
	EXPECT_EQ(2, i.alloc_pages);
	translate(lazy + 0x10, &t);
	EXPECT_EQ(RW, t.flags & AXAS_PROT_MASK);
	/* A repeated fault resolves but allocates nothing. */
	EXPECT_EQ(1, fault_handled(self->fd, lazy + 0xff8, AXAS_READ | AXAS_WRITE));
	get_info(&i);
	EXPECT_EQ(1, i.faults_handled);
	EXPECT_EQ(2, i.alloc_pages);
	/* Not handled: denied access, holes, outside. */
	EXPECT_EQ(0, fault_handled(self->fd, lazy + SZ_4K, AXAS_EXEC));
	EXPECT_EQ(0, fault_handled(self->fd, lazy + SZ_4K, RWX));
	EXPECT_EQ(0, fault_handled(self->fd, G(SZ_1G), AXAS_READ));
	EXPECT_EQ(0, fault_handled(self->fd, G(SPACE_SIZE), AXAS_READ));
	EXPECT_EQ(0, fault_handled(self->fd, ~0ULL, AXAS_READ));
	EXPECT_EQ(ENOENT, _translate(self->fd, lazy + SZ_4K, &t));
	/* Handled, present already: populated and linear areas (ABI v2). */
	EXPECT_EQ(1, fault_handled(self->fd, pop, AXAS_WRITE));
	if (self->host.dev)
		EXPECT_EQ(1, fault_handled(self->fd, lin, AXAS_READ));
	get_info(&i);
	EXPECT_EQ(1, i.faults_handled);
	EXPECT_EQ(2, i.alloc_pages);
	/* Bad access bits. */
	EXPECT_EQ(EINVAL, _fault(self->fd, lazy + SZ_4K, 0, &h));
	EXPECT_EQ(EINVAL, _fault(self->fd, lazy + SZ_4K, AXAS_READ | AXAS_USER, &h));
	EXPECT_EQ(EINVAL, _fault(self->fd, lazy + SZ_4K, AXAS_READ | AXAS_DEVICE, &h));
	EXPECT_EQ(EINVAL, _fault(self->fd, lazy + SZ_4K, 1U << 31, &h));
	/* A write fault, then the next page. */
	EXPECT_EQ(1, fault_handled(self->fd, lazy + 7 * SZ_4K + 1, AXAS_WRITE));
	get_info(&i);
	EXPECT_EQ(2, i.faults_handled);
	EXPECT_EQ(3, i.alloc_pages);
	EXPECT_EQ(3 * SZ_4K + (self->host.dev ? SZ_4K : 0), i.mapped_bytes);
	check_tables(_metadata, self->fd);
}

/*
 * ABI v2: one fault at @gpa with @access is handled exactly when afterwards
 * a present leaf maps @gpa and permits every bit of @access; @want says
 * which. faults_handled and alloc_pages grow only when @new_frame.
 */
static void fault_case(struct __test_metadata *_metadata, int fd, uint64_t gpa,
		       uint32_t access, uint32_t want, bool new_frame)
{
	struct axas_info before, after;
	struct axas_translate t;
	uint32_t handled;

	ASSERT_EQ(0, _info(fd, &before));
	ASSERT_EQ(0, _fault(fd, gpa, access, &handled));
	EXPECT_EQ(want, handled)
		TH_LOG("fault at 0x%llx, access 0x%x", (unsigned long long)gpa, access);
	ASSERT_EQ(0, _info(fd, &after));
	EXPECT_EQ(before.faults_handled + new_frame, after.faults_handled);
	EXPECT_EQ(before.alloc_pages + new_frame, after.alloc_pages);
	EXPECT_EQ(before.mapped_bytes + (new_frame ? SZ_4K : 0), after.mapped_bytes);
	if (!want)
		return;
	ASSERT_EQ(0, _translate(fd, gpa, &t));
	EXPECT_EQ(access, t.flags & access);
}

TEST_F(space, fault_lazy_new_frame)
{
	struct axas_translate t;

	map_alloc(G(0), 4 * SZ_4K, RW);
	fault_case(_metadata, self->fd, G(SZ_4K) + 0x123, AXAS_WRITE, 1, true);
	fault_case(_metadata, self->fd, G(3 * SZ_4K), AXAS_READ, 1, true);
	/* Only the faulting pages got frames. */
	EXPECT_EQ(ENOENT, _translate(self->fd, G(0), &t));
	EXPECT_EQ(ENOENT, _translate(self->fd, G(2 * SZ_4K), &t));
	check_tables(_metadata, self->fd);
}

TEST_F(space, fault_lazy_faulted_before)
{
	uint64_t v = 7;

	map_alloc(G(0), 4 * SZ_4K, RWX);
	fault_case(_metadata, self->fd, G(0), AXAS_READ, 1, true);
	fault_case(_metadata, self->fd, G(0) + 0xff8, RWX, 1, false);
	fault_case(_metadata, self->fd, G(0) + 1, AXAS_EXEC, 1, false);
	/* A frame that pwrite gave the page counts as there already. */
	ASSERT_EQ(sizeof(v), pwrite(self->fd, &v, sizeof(v), G(2 * SZ_4K)));
	fault_case(_metadata, self->fd, G(2 * SZ_4K), AXAS_WRITE, 1, false);
}

TEST_F(space, fault_populated)
{
	uint64_t gpa = G(SZ_2M), size = SZ_2M + SZ_4K;

	map_alloc(gpa, size, RW | AXAS_MAP_POPULATE);
	fault_case(_metadata, self->fd, gpa + 5, AXAS_READ, 1, false);
	fault_case(_metadata, self->fd, gpa + SZ_2M - 1, AXAS_WRITE, 1, false);
	fault_case(_metadata, self->fd, gpa + size - SZ_4K, RW, 1, false);
}

TEST_F(space, fault_linear_permitted)
{
	uint64_t gpa = G(SZ_1G), dev = self->host.dev;

	need_dev();
	/* A 2 MiB leaf and a 4 KiB one. */
	map_linear(gpa, dev, SZ_2M + SZ_4K, RW | AXAS_DEVICE);
	fault_case(_metadata, self->fd, gpa + 0x1234, AXAS_READ, 1, false);
	fault_case(_metadata, self->fd, gpa + SZ_2M, RW, 1, false);
	map_linear(gpa + 2 * SZ_2M, dev + 2 * SZ_2M, SZ_4K, AXAS_READ | AXAS_EXEC);
	fault_case(_metadata, self->fd, gpa + 2 * SZ_2M + 8, AXAS_EXEC, 1, false);
}

TEST_F(space, fault_linear_denied)
{
	uint64_t gpa = G(SZ_1G), dev = self->host.dev;

	need_dev();
	need_exec_only();
	map_linear(gpa, dev, SZ_4K, AXAS_READ | AXAS_DEVICE);
	map_linear(gpa + SZ_4K, dev + SZ_4K, SZ_4K, AXAS_EXEC);
	fault_case(_metadata, self->fd, gpa, AXAS_WRITE, 0, false);
	fault_case(_metadata, self->fd, gpa, AXAS_EXEC, 0, false);
	fault_case(_metadata, self->fd, gpa + 8, RW, 0, false);
	fault_case(_metadata, self->fd, gpa + SZ_4K, AXAS_READ, 0, false);
	fault_case(_metadata, self->fd, gpa + SZ_4K, AXAS_READ | AXAS_EXEC, 0, false);
}

TEST_F(space, fault_alloc_denied)
{
	struct axas_translate t;

	need_exec_only();
	map_alloc(G(0), 2 * SZ_4K, AXAS_READ);
	map_alloc(G(SZ_2M), SZ_4K, AXAS_READ | AXAS_EXEC | AXAS_MAP_POPULATE);
	map_alloc(G(2 * SZ_2M), SZ_4K, AXAS_EXEC);
	fault_case(_metadata, self->fd, G(0), AXAS_WRITE, 0, false);
	fault_case(_metadata, self->fd, G(0), AXAS_EXEC, 0, false);
	EXPECT_EQ(ENOENT, _translate(self->fd, G(0), &t));
	fault_case(_metadata, self->fd, G(SZ_2M), AXAS_WRITE, 0, false);
	fault_case(_metadata, self->fd, G(2 * SZ_2M), AXAS_READ, 0, false);
	/* A page with a frame still refuses what the flags deny. */
	fault_case(_metadata, self->fd, G(SZ_4K), AXAS_READ, 1, true);
	fault_case(_metadata, self->fd, G(SZ_4K), RW, 0, false);
}

TEST_F(space, fault_hole)
{
	map_alloc(G(0), 3 * SZ_4K, RW);
	map_alloc(G(SZ_2M), 3 * SZ_4K, RW | AXAS_MAP_POPULATE);
	unmap(G(SZ_4K), SZ_4K);
	unmap(G(SZ_2M + SZ_4K), SZ_4K);
	fault_case(_metadata, self->fd, G(SZ_4K), AXAS_READ, 0, false);
	fault_case(_metadata, self->fd, G(SZ_2M + SZ_4K) + 9, AXAS_WRITE, 0, false);
	fault_case(_metadata, self->fd, G(3 * SZ_4K), AXAS_READ, 0, false);
	fault_case(_metadata, self->fd, G(SZ_2M) - 1, AXAS_READ, 0, false);
	fault_case(_metadata, self->fd, G(SZ_1G), AXAS_EXEC, 0, false);
	fault_case(_metadata, self->fd, G(2 * SZ_4K), AXAS_READ, 1, true);
}

TEST_F(space, fault_outside)
{
	map_alloc(G(SPACE_SIZE - SZ_4K), SZ_4K, RWX);
	fault_case(_metadata, self->fd, G(SPACE_SIZE), AXAS_READ, 0, false);
	fault_case(_metadata, self->fd, G(SPACE_SIZE) + 7 * SZ_4K, RW, 0, false);
	fault_case(_metadata, self->fd, ~0ULL, AXAS_EXEC, 0, false);
	if (variant->base)
		fault_case(_metadata, self->fd, G(0) - 1, AXAS_READ, 0, false);
	/* The last byte of the space is inside. */
	fault_case(_metadata, self->fd, G(SPACE_SIZE) - 1, RWX, 1, true);
}

/* ---- pread / pwrite ----------------------------------------------------- */

/* An address that was mapped a moment ago and is not any more. */
static void *bad_ptr(void)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		munmap(p, 4096);
	return p;
}

static void fill(char *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)(seed + i * 7 + (i >> 8));
}

TEST_F(space, rw_page_and_area_boundaries)
{
	static char in[5 * SZ_4K], out[5 * SZ_4K];
	uint64_t a = G(SZ_2M - 2 * SZ_4K);

	/* Two adjacent areas, the first populated, the second lazy. */
	map_alloc(a, 2 * SZ_4K, RW | AXAS_MAP_POPULATE);
	map_alloc(a + 2 * SZ_4K, 3 * SZ_4K, AXAS_READ);
	fill(in, sizeof(in), 1);
	EXPECT_EQ(10, pwrite(self->fd, in, 10, a + SZ_4K - 3));
	EXPECT_EQ(10, pread(self->fd, out, 10, a + SZ_4K - 3));
	EXPECT_EQ(0, memcmp(in, out, 10));
	/* Into a read-only area: an alloc area's flags do not limit. */
	EXPECT_EQ(sizeof(in), pwrite(self->fd, in, sizeof(in), a));
	memset(out, 0, sizeof(out));
	EXPECT_EQ(sizeof(out), pread(self->fd, out, sizeof(out), a));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	check_tables(_metadata, self->fd);
}

TEST_F(space, rw_short_counts_and_eio)
{
	static char buf[3 * SZ_4K];
	uint64_t a = G(8 * SZ_4K);

	map_alloc(a, SZ_4K, RW | AXAS_MAP_POPULATE);
	map_alloc(a + 2 * SZ_4K, SZ_4K, RW | AXAS_MAP_POPULATE);
	map_alloc(G(SPACE_SIZE - SZ_4K), SZ_4K, RW | AXAS_MAP_POPULATE);
	/* Stops at the first hole, even when an area follows it. */
	EXPECT_EQ(SZ_4K, pread(self->fd, buf, sizeof(buf), a));
	EXPECT_EQ(100, pwrite(self->fd, buf, sizeof(buf), a + SZ_4K - 100));
	/* First byte unmapped: EIO. */
	EXPECT_EQ(-1, pread(self->fd, buf, 16, a + SZ_4K));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, 16, a - SZ_4K));
	EXPECT_EQ(EIO, errno);
	/* Stops at the end of the space; beyond it, EIO. */
	EXPECT_EQ(10, pread(self->fd, buf, sizeof(buf), G(SPACE_SIZE) - 10));
	EXPECT_EQ(-1, pread(self->fd, buf, 1, G(SPACE_SIZE)));
	EXPECT_EQ(EIO, errno);
	if (variant->base) {
		EXPECT_EQ(-1, pwrite(self->fd, buf, 1, G(0) - 1));
		EXPECT_EQ(EIO, errno);
	}
	/* Zero-length transfers and bad buffers. */
	EXPECT_EQ(0, pread(self->fd, buf, 0, a));
	EXPECT_EQ(-1, pread(self->fd, bad_ptr(), 16, a));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pwrite(self->fd, bad_ptr(), 16, a));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(space, rw_lazy_pages)
{
	static char buf[4 * SZ_4K], zero[4 * SZ_4K];
	struct axas_translate t;
	struct axas_info i;

	map_alloc(G(0), 4 * SZ_4K, AXAS_READ);
	memset(buf, 0x5a, sizeof(buf));
	ASSERT_EQ(sizeof(buf), pread(self->fd, buf, sizeof(buf), G(0)));
	EXPECT_EQ(0, memcmp(buf, zero, sizeof(buf)));
	get_info(&i);
	EXPECT_EQ(0, i.alloc_pages);
	EXPECT_EQ(0, i.mapped_bytes);
	EXPECT_EQ(ENOENT, _translate(self->fd, G(0), &t));
	/* Writing a lazy page allocates and maps it, as a write fault would. */
	fill(buf, 8, 3);
	ASSERT_EQ(8, pwrite(self->fd, buf, 8, G(SZ_4K + 100)));
	get_info(&i);
	EXPECT_EQ(1, i.alloc_pages);
	EXPECT_EQ(SZ_4K, i.mapped_bytes);
	translate(G(SZ_4K), &t);
	EXPECT_EQ(AXAS_READ, t.flags & AXAS_PROT_MASK);
	EXPECT_EQ(1, fault_handled(self->fd, G(SZ_4K), AXAS_READ));
	get_info(&i);
	EXPECT_EQ(1, i.alloc_pages);
	/* A read across unallocated and allocated lazy pages. */
	fill(zero + SZ_4K + 100, 8, 3);
	ASSERT_EQ(sizeof(buf), pread(self->fd, buf, sizeof(buf), G(0)));
	EXPECT_EQ(0, memcmp(buf, zero, sizeof(buf)));
	check_tables(_metadata, self->fd);
}

/*
 * ABI v2: pread/pwrite of a linear area honour its AXAS_READ/AXAS_WRITE.
 * The host range is need_hi()'s 1 GiB without RAM, so even a module that
 * ignores the flags touches nothing there.
 */

/* pread or pwrite of @len bytes at @gpa: -1 with @err, the space unchanged. */
static void rw_refused(struct __test_metadata *_metadata, int fd, uint64_t gpa,
		       size_t len, bool write, int err)
{
	static char buf[2 * SZ_4K];
	struct axas_info before, after;
	ssize_t ret;

	ASSERT_GE(sizeof(buf), len);
	ASSERT_EQ(0, _info(fd, &before));
	errno = 0;
	ret = write ? pwrite(fd, buf, len, gpa) : pread(fd, buf, len, gpa);
	EXPECT_EQ(-1, ret)
		TH_LOG("%s of %zu at 0x%llx", write ? "pwrite" : "pread", len,
		       (unsigned long long)gpa);
	EXPECT_EQ(err, errno);
	ASSERT_EQ(0, _info(fd, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
}

TEST_F(space, rw_linear_denied_read)
{
	uint64_t gpa = G(SZ_1G);

	need_hi();
	need_exec_only();
	map_linear(gpa, self->host.hi, SZ_2M, AXAS_EXEC);
	rw_refused(_metadata, self->fd, gpa, 16, false, EACCES);
	rw_refused(_metadata, self->fd, gpa + SZ_2M - 1, 1, false, EACCES);
	rw_refused(_metadata, self->fd, gpa + 100, 2 * SZ_4K, false, EACCES);
	/* No AXAS_WRITE either. */
	rw_refused(_metadata, self->fd, gpa + 8, 8, true, EACCES);
}

TEST_F(space, rw_linear_denied_write)
{
	static char buf[2 * SZ_4K];
	uint64_t gpa = G(SZ_1G);

	need_hi();
	map_linear(gpa, self->host.hi, SZ_2M, AXAS_READ);
	rw_refused(_metadata, self->fd, gpa, 16, true, EACCES);
	rw_refused(_metadata, self->fd, gpa + SZ_4K - 3, 2 * SZ_4K, true, EACCES);
	/* Reading is allowed (the bytes are whatever the host range holds). */
	EXPECT_EQ(sizeof(buf), pread(self->fd, buf, sizeof(buf), gpa + 5));
	/* The flags at the time of the call count. */
	if (!self->xo) {
		EXPECT_EQ(EINVAL, _protect(self->fd, gpa, SZ_2M, AXAS_EXEC));
		return;
	}
	protect(gpa, SZ_2M, AXAS_EXEC);
	rw_refused(_metadata, self->fd, gpa + 5, 16, false, EACCES);
	protect(gpa, SZ_2M, AXAS_READ);
	EXPECT_EQ(16, pread(self->fd, buf, 16, gpa + 5));
}

/* Alloc areas, whatever their flags, then a linear area that denies. */
TEST_F(space, rw_runs_into_denied_linear)
{
	static char in[3 * SZ_4K], out[3 * SZ_4K];
	uint64_t lin = G(SZ_1G), a = lin - 2 * SZ_4K, off = a + 100;
	size_t want = lin - off;

	need_hi();
	need_exec_only();
	map_alloc(a, SZ_4K, AXAS_READ | AXAS_MAP_POPULATE);
	map_alloc(a + SZ_4K, SZ_4K, AXAS_EXEC);
	map_linear(lin, self->host.hi, SZ_2M, AXAS_EXEC);
	fill(in, sizeof(in), 5);
	EXPECT_EQ(want, pwrite(self->fd, in, sizeof(in), off));
	memset(out, 0x5a, sizeof(out));
	EXPECT_EQ(want, pread(self->fd, out, sizeof(out), off));
	EXPECT_EQ(0, memcmp(in, out, want));
	/* A linear area that permits reads: only the write stops short. */
	protect(lin, SZ_2M, AXAS_READ);
	EXPECT_EQ(want, pwrite(self->fd, in, sizeof(in), off));
	EXPECT_EQ(sizeof(out), pread(self->fd, out, sizeof(out), off));
	EXPECT_EQ(0, memcmp(in, out, want));
	check_tables(_metadata, self->fd);
}

/* ---- Unmap and protect: splitting --------------------------------------- */

TEST_F(space, unmap_splits_1g_leaf)
{
	uint64_t gpa = G(SZ_1G), hole = gpa + 5 * SZ_2M + 3 * SZ_4K, hpa = self->host.hi;
	struct axas_translate t;
	struct axas_area *a;
	struct axas_info i;
	uint32_t n;

	need_hi();
	map_linear(gpa, hpa, SZ_1G, RW);
	unmap(hole, SZ_4K);
	EXPECT_EQ(ENOENT, _translate(self->fd, hole, &t));
	translate(hole + SZ_4K, &t);
	EXPECT_EQ(hpa + (hole - gpa) + SZ_4K, t.hpa);
	EXPECT_EQ(SZ_4K, t.page_size);
	EXPECT_EQ(SZ_4K, page_size_at(self->fd, hole - SZ_4K));
	EXPECT_EQ(SZ_2M, page_size_at(self->fd, gpa));
	EXPECT_EQ(SZ_2M, page_size_at(self->fd, gpa + SZ_1G - 1));
	EXPECT_EQ(511, count_leaves(_metadata, self->fd, gpa, SZ_1G, SZ_2M));
	EXPECT_EQ(511, count_leaves(_metadata, self->fd, gpa, SZ_1G, SZ_4K));
	EXPECT_EQ(0, count_leaves(_metadata, self->fd, gpa, SZ_1G, SZ_1G));
	get_info(&i);
	EXPECT_EQ(SZ_1G - SZ_4K, i.mapped_bytes);
	EXPECT_EQ(2, i.nr_areas);
	ASSERT_EQ(0, _areas(self->fd, &a, &n));
	ASSERT_EQ(2, n);
	EXPECT_EQ(gpa, a[0].gpa);
	EXPECT_EQ(hole - gpa, a[0].size);
	EXPECT_EQ(hpa, a[0].hpa);
	EXPECT_EQ(hole + SZ_4K, a[1].gpa);
	EXPECT_EQ(gpa + SZ_1G - hole - SZ_4K, a[1].size);
	EXPECT_EQ(hpa + hole - gpa + SZ_4K, a[1].hpa);
	EXPECT_EQ(RW, a[1].flags);
	free(a);
	check_tables(_metadata, self->fd);
}

TEST_F(space, unmap_splits_2m_leaf)
{
	uint64_t gpa = G(4 * SZ_2M), dev = self->host.dev;
	struct axas_info before, after;

	need_dev();
	map_linear(gpa, dev, 2 * SZ_2M, AXAS_READ | AXAS_UNCACHED);
	get_info(&before);
	unmap(gpa + SZ_2M + 17 * SZ_4K, 2 * SZ_4K);
	EXPECT_EQ(SZ_2M, page_size_at(self->fd, gpa));
	EXPECT_EQ(SZ_4K, page_size_at(self->fd, gpa + SZ_2M));
	EXPECT_EQ(0, page_size_at(self->fd, gpa + SZ_2M + 18 * SZ_4K));
	EXPECT_EQ(1, count_leaves(_metadata, self->fd, gpa, 2 * SZ_2M, SZ_2M));
	EXPECT_EQ(510, count_leaves(_metadata, self->fd, gpa, 2 * SZ_2M, SZ_4K));
	get_info(&after);
	EXPECT_EQ(before.table_pages + 1, after.table_pages);
	EXPECT_EQ(2 * SZ_2M - 2 * SZ_4K, after.mapped_bytes);
	check_tables(_metadata, self->fd);
	/* Unmapping the rest frees the new table again. */
	unmap(gpa, 2 * SZ_2M);
	get_info(&after);
	EXPECT_EQ(0, after.mapped_bytes);
	EXPECT_EQ(axw_root_pages(variant->format), after.table_pages);
}

TEST_F(space, unmap_alloc_frees_and_splits)
{
	struct axas_area *a;
	struct axas_info i;
	uint32_t n;

	map_alloc(G(0), 16 * SZ_4K, RW | AXAS_MAP_POPULATE);
	map_alloc(G(SZ_2M), 4 * SZ_4K, AXAS_READ);
	/* Holes in the range are not an error. */
	unmap(G(4 * SZ_4K), SZ_2M - 3 * SZ_4K);
	get_info(&i);
	EXPECT_EQ(4, i.alloc_pages);
	EXPECT_EQ(4 * SZ_4K, i.mapped_bytes);
	EXPECT_EQ(2, i.nr_areas);
	unmap(G(SZ_4K), SZ_4K);
	ASSERT_EQ(0, _areas(self->fd, &a, &n));
	ASSERT_EQ(3, n);
	EXPECT_EQ(G(0), a[0].gpa);
	EXPECT_EQ(SZ_4K, a[0].size);
	EXPECT_EQ(RW | AXAS_MAP_POPULATE, a[0].flags);
	EXPECT_EQ(G(2 * SZ_4K), a[1].gpa);
	EXPECT_EQ(2 * SZ_4K, a[1].size);
	EXPECT_EQ(RW | AXAS_MAP_POPULATE, a[1].flags);
	EXPECT_EQ(G(SZ_2M + SZ_4K), a[2].gpa);
	EXPECT_EQ(3 * SZ_4K, a[2].size);
	free(a);
	get_info(&i);
	EXPECT_EQ(3, i.alloc_pages);
	/* An unmap of nothing at all succeeds. */
	unmap(G(SZ_1G), SZ_1G);
	check_tables(_metadata, self->fd);
}

TEST_F(space, protect_splits_areas)
{
	struct axas_translate t;
	struct axas_area *a;
	uint32_t n;

	map_alloc(G(0), 16 * SZ_4K, RW);
	ASSERT_EQ(1, fault_handled(self->fd, G(5 * SZ_4K), AXAS_WRITE));
	protect(G(4 * SZ_4K), 4 * SZ_4K, AXAS_READ);
	ASSERT_EQ(0, _areas(self->fd, &a, &n));
	ASSERT_EQ(3, n);
	EXPECT_EQ(RW, a[0].flags);
	EXPECT_EQ(4 * SZ_4K, a[0].size);
	EXPECT_EQ(AXAS_READ, a[1].flags);
	EXPECT_EQ(G(4 * SZ_4K), a[1].gpa);
	EXPECT_EQ(4 * SZ_4K, a[1].size);
	EXPECT_EQ(RW, a[2].flags);
	EXPECT_EQ(8 * SZ_4K, a[2].size);
	free(a);
	/* Present entries are rewritten, lazy ones fault in with new flags. */
	translate(G(5 * SZ_4K), &t);
	EXPECT_EQ(AXAS_READ, t.flags & AXAS_PROT_MASK);
	EXPECT_EQ(G(4 * SZ_4K), t.area_start);
	EXPECT_EQ(0, fault_handled(self->fd, G(6 * SZ_4K), AXAS_WRITE));
	EXPECT_EQ(1, fault_handled(self->fd, G(6 * SZ_4K), AXAS_READ));
	translate(G(6 * SZ_4K), &t);
	EXPECT_EQ(AXAS_READ, t.flags & AXAS_PROT_MASK);
	EXPECT_EQ(1, fault_handled(self->fd, G(9 * SZ_4K), AXAS_WRITE));
	/* Over a hole and several areas at once. */
	protect(G(0), SZ_2M, AXAS_READ | AXAS_EXEC);
	translate(G(9 * SZ_4K), &t);
	EXPECT_EQ(AXAS_READ | AXAS_EXEC, t.flags & AXAS_PROT_MASK);
	check_tables(_metadata, self->fd);
}

TEST_F(space, protect_splits_huge_leaves)
{
	uint64_t gpa = G(SZ_1G), hpa = self->host.hi;
	struct axas_translate t;
	struct axas_info i;

	need_hi();
	map_linear(gpa, hpa, SZ_1G, RW);
	protect(gpa + 3 * SZ_2M, SZ_2M, AXAS_READ | AXAS_DEVICE);
	EXPECT_EQ(SZ_2M, page_size_at(self->fd, gpa));
	translate(gpa + 3 * SZ_2M + 5, &t);
	EXPECT_EQ(SZ_2M, t.page_size);
	EXPECT_EQ(hpa + 3 * SZ_2M + 5, t.hpa);
	EXPECT_EQ(AXAS_READ | AXAS_DEVICE, t.flags & AXAS_PROT_MASK);
	protect(gpa + 7 * SZ_2M + SZ_4K, SZ_4K, AXAS_READ);
	EXPECT_EQ(SZ_4K, page_size_at(self->fd, gpa + 7 * SZ_2M));
	translate(gpa + 7 * SZ_2M + SZ_4K, &t);
	EXPECT_EQ(AXAS_READ, t.flags & AXAS_PROT_MASK);
	EXPECT_EQ(hpa + 7 * SZ_2M + SZ_4K, t.hpa);
	EXPECT_EQ(511, count_leaves(_metadata, self->fd, gpa, SZ_1G, SZ_2M));
	EXPECT_EQ(512, count_leaves(_metadata, self->fd, gpa, SZ_1G, SZ_4K));
	get_info(&i);
	EXPECT_EQ(5, i.nr_areas);
	EXPECT_EQ(SZ_1G, i.mapped_bytes);
	check_tables(_metadata, self->fd);
}

/* ---- Clear, isolation, close -------------------------------------------- */

TEST_F(space, clear)
{
	struct axas_translate t;
	struct axas_info i;

	map_alloc(G(0), 8 * SZ_4K, RW | AXAS_MAP_POPULATE);
	map_alloc(G(SZ_1G), SZ_1G, RW);
	ASSERT_EQ(1, fault_handled(self->fd, G(SZ_1G + 77 * SZ_2M), AXAS_READ));
	if (self->host.dev)
		map_linear(G(3 * SZ_1G), self->host.dev, SZ_2M, AXAS_READ);
	ASSERT_EQ(0, ioctl(self->fd, AXAS_CLEAR));
	get_info(&i);
	EXPECT_EQ(0, i.nr_areas);
	EXPECT_EQ(0, i.mapped_bytes);
	EXPECT_EQ(0, i.alloc_pages);
	EXPECT_EQ(axw_root_pages(variant->format), i.table_pages);
	EXPECT_EQ(ENOENT, _translate(self->fd, G(0), &t));
	EXPECT_EQ(0, check_tables(_metadata, self->fd));
	/* Still usable. */
	map_alloc(G(0), SZ_4K, RW | AXAS_MAP_POPULATE);
	translate(G(0), &t);
	ASSERT_EQ(0, ioctl(self->fd, AXAS_CLEAR));
	ASSERT_EQ(0, ioctl(self->fd, AXAS_CLEAR));
}

TEST_F(space, two_spaces_isolated)
{
	char a[16] = "space one", b[16];
	struct axas_translate ta, tb;
	struct axas_info i;
	int other = -1;

	ASSERT_EQ(0, _create(self->dev, variant->base, SPACE_SIZE, variant->format, &other));
	map_alloc(G(0), SZ_4K, RW | AXAS_MAP_POPULATE);
	ASSERT_EQ(sizeof(a), pwrite(self->fd, a, sizeof(a), G(0)));
	EXPECT_EQ(ENOENT, _translate(other, G(0), &tb));
	EXPECT_EQ(-1, pread(other, b, sizeof(b), G(0)));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, _map_alloc(other, G(0), SZ_4K, RW | AXAS_MAP_POPULATE));
	memset(b, 0x77, sizeof(b));
	ASSERT_EQ(sizeof(b), pread(other, b, sizeof(b), G(0)));
	EXPECT_EQ(0, b[0]);
	translate(G(0), &ta);
	ASSERT_EQ(0, _translate(other, G(0), &tb));
	EXPECT_NE(ta.hpa, tb.hpa);
	ASSERT_EQ(0, _unmap(other, G(0), SZ_4K));
	ASSERT_EQ(0, ioctl(other, AXAS_CLEAR));
	ASSERT_EQ(sizeof(b), pread(self->fd, b, sizeof(b), G(0)));
	EXPECT_EQ(0, memcmp(a, b, sizeof(a)));
	get_info(&i);
	EXPECT_EQ(1, i.alloc_pages);
	EXPECT_NE(0, i.root_hpa);
	ASSERT_EQ(0, _info(other, &i));
	EXPECT_EQ(0, i.alloc_pages);
	close(other);
	check_tables(_metadata, self->fd);
}

/* Pages waiting on the per-CPU free lists, which MemFree does not count. */
static long pcp_free_kb(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[128];
	long n, pages = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			pages += n;
	if (f)
		fclose(f);
	return pages * (sysconf(_SC_PAGESIZE) >> 10);
}

/* Free memory, the per-CPU lists included. */
static long mem_free_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb < 0 ? kb : kb + pcp_free_kb();
}

/*
 * MemFree plus the per-CPU lists still moves with the rest of the kernel
 * (slab, KASAN and kmemleak metadata): measure a space well above that.
 */
#define CLOSE_BYTES	(96 << 20)
#define TOLERANCE_KB	(16 << 10)

/* Waits up to 5 s for MemFree to come back within the tolerance. */
static long mem_free_back(long before)
{
	long now = mem_free_kb();
	int i;

	for (i = 0; i < 100 && now < before - TOLERANCE_KB; i++) {
		usleep(50000);
		now = mem_free_kb();
	}
	return now;
}

TEST_F_TIMEOUT(space, close_frees_everything, 120)
{
	long before, during;
	int dup_fd;

	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	before = mem_free_kb();
	ASSERT_LT(0, before);
	ASSERT_EQ(0, _create(self->dev, variant->base, SPACE_SIZE, variant->format,
			     &self->fd));
	map_alloc(G(0), CLOSE_BYTES, RW | AXAS_MAP_POPULATE);
	map_alloc(G(SZ_1G), SZ_1G, RW);
	ASSERT_EQ(1, fault_handled(self->fd, G(SZ_1G + SZ_2M), AXAS_WRITE));
	during = mem_free_kb();
	/* The measurement itself can see the space. */
	EXPECT_GT(before - (CLOSE_BYTES >> 10) + TOLERANCE_KB, during);
	/* A dup keeps the space; only the last reference frees it. */
	dup_fd = dup(self->fd);
	ASSERT_LE(0, dup_fd);
	close(self->fd);
	self->fd = dup_fd;
	EXPECT_EQ(1, fault_handled(self->fd, G(SZ_1G), AXAS_WRITE));
	EXPECT_GT(before - (CLOSE_BYTES >> 10) + TOLERANCE_KB, mem_free_kb());
	close(self->fd);
	self->fd = -1;
	EXPECT_LE(before - TOLERANCE_KB, mem_free_back(before));
}

/* ---- Many threads, one space fd ------------------------------------------ */

#define THREADS		4
#define THREAD_PAGES	128
#define THREAD_SPAN	(4 * SZ_2M)	/* each thread's own slice of gpa */

struct worker {
	pthread_t tid;
	int fd;
	uint64_t gpa;		/* THREAD_PAGES pages of the shared lazy area */
	uint64_t own;		/* a scratch range mapped and unmapped */
	const char *err;
	uint64_t err_gpa;
};

static bool worker_page(struct worker *w, uint64_t gpa)
{
	struct axas_translate t;
	uint64_t v = gpa, r = 0;

	if (fault_handled(w->fd, gpa, AXAS_WRITE) != 1)
		w->err = "fault not handled";
	else if (_translate(w->fd, gpa, &t) || t.hpa & (SZ_4K - 1))
		w->err = "translate after fault";
	else if (pwrite(w->fd, &v, sizeof(v), gpa + 8) != sizeof(v))
		w->err = "pwrite";
	else if (pread(w->fd, &r, sizeof(r), gpa + 8) != sizeof(r) || r != v)
		w->err = "pread back";
	if (w->err)
		w->err_gpa = gpa;
	return !w->err;
}

static bool worker_scratch(struct worker *w, unsigned int i)
{
	struct axas_translate t;

	if (_map_alloc(w->fd, w->own, SZ_4K * (i % 4 + 1), RW | AXAS_MAP_POPULATE))
		w->err = "scratch map";
	else if (_translate(w->fd, w->own, &t))
		w->err = "scratch translate";
	else if (_protect(w->fd, w->own, SZ_4K, AXAS_READ))
		w->err = "scratch protect";
	else if (_unmap(w->fd, w->own, SZ_2M))
		w->err = "scratch unmap";
	if (w->err)
		w->err_gpa = w->own;
	return !w->err;
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned int i;

	for (i = 0; i < THREAD_PAGES; i++)
		if (!worker_page(w, w->gpa + i * SZ_4K) || !worker_scratch(w, i))
			break;
	return NULL;
}

TEST_F_TIMEOUT(space, threads, 300)
{
	struct worker w[THREADS];
	struct axas_info info;
	uint64_t v;
	unsigned int i, j;

	map_alloc(G(0), THREADS * THREAD_SPAN, RW);
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){
			.fd = self->fd, .gpa = G(i * THREAD_SPAN),
			.own = G(SZ_1G + i * SZ_2M),
		};
		ASSERT_EQ(0, pthread_create(&w[i].tid, NULL, worker_fn, &w[i]));
	}
	for (i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_join(w[i].tid, NULL));
		EXPECT_EQ(NULL, w[i].err)
			TH_LOG("thread %u: %s at 0x%llx", i, w[i].err,
			       (unsigned long long)w[i].err_gpa);
	}
	get_info(&info);
	EXPECT_EQ(THREADS * THREAD_PAGES, info.faults_handled);
	EXPECT_EQ(THREADS * THREAD_PAGES, info.alloc_pages);
	EXPECT_EQ(THREADS * THREAD_PAGES * SZ_4K, info.mapped_bytes);
	EXPECT_EQ(1, info.nr_areas);
	for (i = 0; i < THREADS; i++) {
		for (j = 0; j < THREAD_PAGES; j += 17) {
			uint64_t gpa = w[i].gpa + j * SZ_4K;

			ASSERT_EQ(sizeof(v), pread(self->fd, &v, sizeof(v), gpa + 8));
			EXPECT_EQ(gpa, v);
		}
	}
	EXPECT_EQ(THREADS * THREAD_PAGES, check_tables(_metadata, self->fd));
}

/* Threads mapping and unmapping the same range: exactly one map wins. */
struct racer {
	pthread_t tid;
	int fd;
	uint64_t gpa;
	unsigned int won, lost, other;
};

static void *racer_fn(void *arg)
{
	struct racer *r = arg;
	unsigned int i;

	for (i = 0; i < 200; i++) {
		int ret = _map_alloc(r->fd, r->gpa, 2 * SZ_4K, RW);

		if (!ret) {
			r->won++;
			if (_unmap(r->fd, r->gpa, 2 * SZ_4K))
				r->other++;
		} else if (ret == EEXIST) {
			r->lost++;
		} else {
			r->other++;
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(space, threads_race_same_range, 120)
{
	struct racer r[THREADS];
	struct axas_info info;
	unsigned int i, won = 0;

	for (i = 0; i < THREADS; i++) {
		r[i] = (struct racer){ .fd = self->fd, .gpa = G(SZ_2M) };
		ASSERT_EQ(0, pthread_create(&r[i].tid, NULL, racer_fn, &r[i]));
	}
	for (i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_join(r[i].tid, NULL));
		EXPECT_EQ(0, r[i].other);
		won += r[i].won;
	}
	EXPECT_LT(0, won);
	get_info(&info);
	EXPECT_EQ(0, info.nr_areas);
	EXPECT_EQ(axw_root_pages(variant->format), info.table_pages);
}

/* ---- The table-dump check through a whole session ------------------------- */

static void session_map(struct __test_metadata *_metadata,
			struct _test_data_space *self)
{
	map_alloc(G(0), 16 * SZ_4K, RW);
	ASSERT_EQ(1, fault_handled(self->fd, G(3 * SZ_4K), AXAS_READ));
	ASSERT_EQ(1, fault_handled(self->fd, G(9 * SZ_4K), AXAS_WRITE));
	map_alloc(G(4 * SZ_2M), SZ_2M + 3 * SZ_4K, RWX | AXAS_MAP_POPULATE);
	map_alloc(G(8 * SZ_2M), 4 * SZ_4K, AXAS_READ | AXAS_USER | AXAS_MAP_POPULATE);
	/* Execute-only where the format (and CPU) can express it. */
	map_alloc(G(9 * SZ_2M), SZ_4K,
		  (self->xo ? 0 : AXAS_READ) | AXAS_EXEC | AXAS_MAP_POPULATE);
	map_alloc(G(10 * SZ_2M), 2 * SZ_4K, AXAS_READ | AXAS_UNCACHED | AXAS_MAP_POPULATE);
	if (self->host.dev) {
		map_linear(G(16 * SZ_2M), self->host.dev, 2 * SZ_2M, RW | AXAS_DEVICE);
		map_linear(G(20 * SZ_2M), self->host.dev + 2 * SZ_2M + SZ_4K, 3 * SZ_4K,
			   AXAS_READ | AXAS_DEVICE | AXAS_UNCACHED);
	}
	if (self->host.hi)
		map_linear(G(SZ_1G), self->host.hi, SZ_1G, AXAS_READ | AXAS_EXEC);
}

static void session_split(struct __test_metadata *_metadata,
			  struct _test_data_space *self)
{
	unmap(G(5 * SZ_4K), SZ_4K);
	unmap(G(4 * SZ_2M + SZ_2M), SZ_4K);
	if (self->host.dev)
		unmap(G(16 * SZ_2M + SZ_2M + 100 * SZ_4K), SZ_4K);
	if (self->host.hi)
		unmap(G(SZ_1G + 7 * SZ_2M + 9 * SZ_4K), 3 * SZ_4K);
}

static void session_protect(struct __test_metadata *_metadata,
			    struct _test_data_space *self)
{
	protect(G(0), 8 * SZ_4K, AXAS_READ);
	ASSERT_EQ(1, fault_handled(self->fd, G(SZ_4K), AXAS_READ));
	protect(G(4 * SZ_2M + 3 * SZ_4K), 2 * SZ_4K, AXAS_READ | AXAS_WRITE);
	if (self->host.dev)
		protect(G(16 * SZ_2M + 4 * SZ_4K), SZ_4K, AXAS_READ);
	if (self->host.hi) {
		protect(G(SZ_1G + 100 * SZ_2M), SZ_2M, AXAS_READ | AXAS_UNCACHED);
		protect(G(SZ_1G + 200 * SZ_2M + SZ_4K), SZ_4K,
			self->xo ? AXAS_EXEC : AXAS_READ | AXAS_EXEC);
	}
}

TEST_F_TIMEOUT(space, table_dump_session, 300)
{
	struct axas_info i;

	session_map(_metadata, self);
	EXPECT_LT(0, check_tables(_metadata, self->fd));
	session_split(_metadata, self);
	EXPECT_LT(0, check_tables(_metadata, self->fd));
	session_protect(_metadata, self);
	EXPECT_LT(0, check_tables(_metadata, self->fd));
	ASSERT_EQ(0, ioctl(self->fd, AXAS_CLEAR));
	EXPECT_EQ(0, check_tables(_metadata, self->fd));
	get_info(&i);
	EXPECT_EQ(axw_root_pages(variant->format), i.table_pages);
}

TEST_F(space, dump_root_and_capacity)
{
	unsigned int rp = axw_root_pages(variant->format), k;
	struct axas_table_page *p;
	struct axas_dump d = { 0 };
	struct axas_info i;

	map_alloc(G(0), SZ_4K, RW | AXAS_MAP_POPULATE);
	get_info(&i);
	ASSERT_EQ(0, xioctl(self->fd, AXAS_DUMP_TABLES, &d));
	EXPECT_EQ(i.table_pages, d.count);
	/* Only capacity pages are written; count is still the total. */
	p = calloc(d.count + 1, sizeof(*p));
	ASSERT_NE(NULL, p);
	p[rp].hpa = 0x5a5a;
	d.pages = (uintptr_t)p;
	d.capacity = rp;
	ASSERT_EQ(0, xioctl(self->fd, AXAS_DUMP_TABLES, &d));
	EXPECT_EQ(i.table_pages, d.count);
	EXPECT_EQ(0x5a5a, p[rp].hpa);
	for (k = 0; k < rp; k++) {
		EXPECT_EQ(i.root_hpa + k * SZ_4K, p[k].hpa);
		EXPECT_EQ(k, p[k].index);
		EXPECT_EQ(variant->levels - 1, p[k].level);
	}
	free(p);
}

TEST_F(space, areas_capacity)
{
	struct axas_area a[3];
	struct axas_areas req = { .areas = (uintptr_t)a, .capacity = 2 };
	unsigned int k;

	for (k = 0; k < 5; k++)
		map_alloc(G((4 - k) * SZ_2M), SZ_4K * (k + 1), AXAS_READ);
	memset(a, 0x5a, sizeof(a));
	ASSERT_EQ(0, xioctl(self->fd, AXAS_GET_AREAS, &req));
	EXPECT_EQ(5, req.count);
	EXPECT_EQ(G(0), a[0].gpa);
	EXPECT_EQ(5 * SZ_4K, a[0].size);
	EXPECT_EQ(G(SZ_2M), a[1].gpa);
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, a[2].gpa);
	req.capacity = 0;
	req.areas = 0;
	ASSERT_EQ(0, xioctl(self->fd, AXAS_GET_AREAS, &req));
	EXPECT_EQ(5, req.count);
}

/* ---- Translate batch ----------------------------------------------------- */

static uint32_t batch_max(int dev)
{
	int max = ioctl(dev, AXAS_CHECK_EXTENSION, AXAS_CAP_TRANSLATE_BATCH);

	return max > 0 ? max : 0;
}

/*
 * Element i of a batch against AXAS_TRANSLATE of the same gpa: the same
 * outputs when that succeeds, else every output 0. Returns 0 or a step.
 */
static int batch_elem_differs(int fd, const struct axas_translate *e,
			      uint64_t gpa, uint64_t lo, uint64_t hi)
{
	struct axas_translate t;
	int ret = _translate(fd, gpa, &t);

	if (e->gpa != gpa)
		return 1;
	if (ret) {
		memset(&t, 0, sizeof(t));
		t.gpa = gpa;
	}
	if (memcmp(e, &t, sizeof(t)))
		return 2;
	if (ret && ret != (gpa >= lo && gpa < hi ? ENOENT : EINVAL))
		return 3;
	return !ret && !e->page_size ? 4 : 0;
}

/* More than one chunk of mapped, lazy, hole and outside addresses. */
TEST_F(space, translate_batch_matches_single)
{
	uint64_t lo = G(0), hi = G(SPACE_SIZE), pop = G(SZ_2M), lz = G(4 * SZ_2M);
	uint64_t lin = G(SZ_1G), gpas[] = {
		pop, pop + 0x123, pop + SZ_2M - 1, pop + SZ_2M, pop - 1,
		lz, lz + SZ_4K + 5, lz + 7 * SZ_4K, lin + 0x5678, lin + SZ_2M + 8,
		lo, hi - 1, hi, ~0ULL, lo - 1, hi + SZ_1G,
	};
	const uint32_t n = 3 * 64 + 11;
	struct axas_translate *e = calloc(n, sizeof(*e));
	uint32_t i, count = n;
	int step;

	ASSERT_NE(NULL, e);
	map_alloc(pop, SZ_2M, RWX | AXAS_MAP_POPULATE);
	map_alloc(lz, 8 * SZ_4K, RW);
	EXPECT_EQ(1, fault_handled(self->fd, lz + SZ_4K, AXAS_WRITE));
	if (self->host.dev)
		map_linear(lin, self->host.dev, DEV_SIZE, AXAS_READ | AXAS_DEVICE);
	memset(e, 0xa5, n * sizeof(*e));
	for (i = 0; i < n; i++) {
		e[i].gpa = gpas[i % ARRAY_SIZE(gpas)] + (i / ARRAY_SIZE(gpas)) * SZ_4K;
		e[i].op_flags = 0;
	}
	ASSERT_EQ(0, _translate_batch(self->fd, e, &count));
	EXPECT_EQ(n, count);
	for (i = 0; i < n; i++) {
		step = batch_elem_differs(self->fd, &e[i], e[i].gpa, lo, hi);
		EXPECT_EQ(0, step)
			TH_LOG("element %u, gpa 0x%llx", i, (unsigned long long)e[i].gpa);
	}
	free(e);
}

TEST_F(space, translate_batch_einval)
{
	uint32_t max = batch_max(self->dev), count;
	struct axas_translate one = { .gpa = G(0), .hpa = 0x5a };
	struct axas_translate_batch b = { .entries = (uintptr_t)&one, .count = 1 };

	ASSERT_LT(0, max);
	map_alloc(G(0), SZ_4K, RW | AXAS_MAP_POPULATE);
	b.flags = 1;
	EXPECT_EQ(EINVAL, xioctl(self->fd, AXAS_TRANSLATE_BATCH, &b));
	b.flags = 1U << 31;
	EXPECT_EQ(EINVAL, xioctl(self->fd, AXAS_TRANSLATE_BATCH, &b));
	b.flags = 0;
	b.reserved[0] = 1;
	EXPECT_EQ(EINVAL, xioctl(self->fd, AXAS_TRANSLATE_BATCH, &b));
	b.reserved[0] = 0;
	b.reserved[1] = 1ULL << 63;
	EXPECT_EQ(EINVAL, xioctl(self->fd, AXAS_TRANSLATE_BATCH, &b));
	b.reserved[1] = 0;
	b.count = max + 1;
	EXPECT_EQ(EINVAL, xioctl(self->fd, AXAS_TRANSLATE_BATCH, &b));
	b.count = ~0U;
	EXPECT_EQ(EINVAL, xioctl(self->fd, AXAS_TRANSLATE_BATCH, &b));
	/* Nothing was written, not even the count. */
	EXPECT_EQ(~0U, b.count);
	EXPECT_EQ(0x5a, one.hpa);
	count = 1;
	ASSERT_EQ(0, _translate_batch(self->fd, &one, &count));
	EXPECT_EQ(1, count);
	EXPECT_EQ(SZ_4K, one.page_size);
}

/* Count 0 does nothing, whatever the pointer; count = the maximum works. */
TEST_F(space, translate_batch_sizes)
{
	uint32_t max = batch_max(self->dev), i, count = 0;
	struct axas_translate_batch b = { .entries = 8 };
	struct axas_translate *e;

	ASSERT_LT(0, max);
	EXPECT_EQ(0, _translate_batch(self->fd, NULL, &count));
	EXPECT_EQ(0, count);
	EXPECT_EQ(0, xioctl(self->fd, AXAS_TRANSLATE_BATCH, &b));
	EXPECT_EQ(0, b.count);
	e = calloc(max, sizeof(*e));
	ASSERT_NE(NULL, e);
	map_alloc(G(0), SZ_2M, RW | AXAS_MAP_POPULATE);
	for (i = 0; i < max; i++)
		e[i].gpa = G(0) + (i * SZ_4K) % (2 * SZ_2M);
	count = max;
	ASSERT_EQ(0, _translate_batch(self->fd, e, &count));
	EXPECT_EQ(max, count);
	for (i = 0; i < max; i++)
		EXPECT_EQ(e[i].gpa < G(SZ_2M), !!e[i].page_size)
			TH_LOG("element %u", i);
	free(e);
}

TEST_F(space, translate_batch_efault)
{
	size_t half = SZ_4K / sizeof(struct axas_translate);	/* 73 fit */
	struct axas_translate_batch b = { .count = 100 };
	struct axas_translate *e;
	uint32_t i, count;
	char *p;

	map_alloc(G(0), SZ_4K, RW | AXAS_MAP_POPULATE);
	EXPECT_EQ(EFAULT, xioctl(self->fd, AXAS_TRANSLATE_BATCH, NULL));
	EXPECT_EQ(EFAULT, xioctl(self->fd, AXAS_TRANSLATE_BATCH, bad_ptr()));
	b.entries = 8;
	EXPECT_EQ(EFAULT, xioctl(self->fd, AXAS_TRANSLATE_BATCH, &b));
	EXPECT_EQ(0, b.count);
	b.entries = (uintptr_t)bad_ptr();
	b.count = 1;
	EXPECT_EQ(EFAULT, xioctl(self->fd, AXAS_TRANSLATE_BATCH, &b));
	EXPECT_EQ(0, b.count);
	/* Readable but not writable: nothing written back. */
	p = mmap(NULL, 2 * SZ_4K, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	e = (struct axas_translate *)p;
	for (i = 0; i < 2 * half; i++)
		e[i].gpa = G(0);
	ASSERT_EQ(0, mprotect(p, 2 * SZ_4K, PROT_READ));
	count = 4;
	EXPECT_EQ(EFAULT, _translate_batch(self->fd, e, &count));
	EXPECT_EQ(0, count);
	EXPECT_EQ(0, e[0].page_size);
	/* The array runs into a hole: the leading elements hold results. */
	ASSERT_EQ(0, mprotect(p, SZ_4K, PROT_READ | PROT_WRITE));
	ASSERT_EQ(0, munmap(p + SZ_4K, SZ_4K));
	count = 100;
	EXPECT_EQ(EFAULT, _translate_batch(self->fd, e, &count));
	EXPECT_GE(half, count);
	for (i = 0; i < count; i++)
		EXPECT_EQ(SZ_4K, e[i].page_size)
			TH_LOG("element %u", i);
	munmap(p, SZ_4K);
}

/* ---- ENOTTY, EFAULT ------------------------------------------------------- */

TEST_F(space, unknown_ioctl_enotty)
{
	struct axas_info i;

	EXPECT_EQ(ENOTTY, xioctl(self->fd, _IO(AXAS_IOC, 0x1f), NULL));
	EXPECT_EQ(ENOTTY, xioctl(self->fd, _IO(AXAS_IOC, 0x7f), NULL));
	EXPECT_EQ(ENOTTY, xioctl(self->fd, _IO('x', 0x10), NULL));
	/* Device ioctls on a space fd and space ioctls on the device fd. */
	EXPECT_EQ(ENOTTY, xioctl(self->fd, AXAS_GET_API_VERSION, NULL));
	EXPECT_EQ(ENOTTY, xioctl(self->dev, AXAS_GET_INFO, &i));
	EXPECT_EQ(ENOTTY, xioctl(self->dev, AXAS_TRANSLATE_BATCH, &i));
	/* Right number, wrong direction. */
	EXPECT_EQ(ENOTTY, xioctl(self->fd, _IOW(AXAS_IOC, 0x16, struct axas_info), &i));
	/* Right number, a struct smaller than version 1's (abi_test has the rest). */
	EXPECT_EQ(EINVAL, xioctl(self->fd, _IOR(AXAS_IOC, 0x16, struct axas_area), &i));
}

TEST_F(space, bad_pointers_efault)
{
	static const unsigned long reqs[] = {
		AXAS_MAP_LINEAR, AXAS_MAP_ALLOC, AXAS_UNMAP, AXAS_PROTECT,
		AXAS_TRANSLATE, AXAS_HANDLE_FAULT, AXAS_GET_INFO, AXAS_GET_AREAS,
		AXAS_DUMP_TABLES, AXAS_TRANSLATE_BATCH,
	};
	struct axas_areas a = { .areas = 8, .capacity = 4 };
	struct axas_dump d = { .pages = 8, .capacity = 4 };
	void *gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct axas_info before, after;
	unsigned int i;

	ASSERT_NE(MAP_FAILED, gone);
	ASSERT_EQ(0, munmap(gone, 4096));
	map_alloc(G(0), SZ_4K, AXAS_READ);
	get_info(&before);
	for (i = 0; i < ARRAY_SIZE(reqs); i++) {
		EXPECT_EQ(EFAULT, xioctl(self->fd, reqs[i], NULL));
		EXPECT_EQ(EFAULT, xioctl(self->fd, reqs[i], gone));
		/* The top page of the address space is the kernel's. */
		EXPECT_EQ(EFAULT, xioctl(self->fd, reqs[i], (void *)-4096L));
	}
	/* The arrays behind the user pointers. */
	EXPECT_EQ(EFAULT, xioctl(self->fd, AXAS_GET_AREAS, &a));
	a.areas = (uintptr_t)gone;
	EXPECT_EQ(EFAULT, xioctl(self->fd, AXAS_GET_AREAS, &a));
	EXPECT_EQ(EFAULT, xioctl(self->fd, AXAS_DUMP_TABLES, &d));
	d.pages = (uintptr_t)gone;
	EXPECT_EQ(EFAULT, xioctl(self->fd, AXAS_DUMP_TABLES, &d));
	get_info(&after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
}

/* AXAS_HANDLE_FAULT on the bad argument @f: EFAULT, the space unchanged. */
static void fault_arg_efault(struct __test_metadata *_metadata, int fd,
			     struct axas_fault *f)
{
	struct axas_info before, after;

	ASSERT_EQ(0, _info(fd, &before));
	EXPECT_EQ(EFAULT, xioctl(fd, AXAS_HANDLE_FAULT, f));
	ASSERT_EQ(0, _info(fd, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	EXPECT_EQ(0, after.mapped_bytes);
}

/* A fault argument whose @gpa is readable and whose @access is not. */
TEST_F(space, fault_arg_straddles_unmapped_page)
{
	char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct axas_fault *f;

	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, munmap(two + 4096, 4096));
	f = (struct axas_fault *)(two + 4096 - sizeof(f->gpa));
	f->gpa = G(0);
	map_alloc(G(0), SZ_4K, AXAS_READ | AXAS_WRITE);
	fault_arg_efault(_metadata, self->fd, f);
	munmap(two, 4096);
}

/* A read-only fault argument: nothing is mapped behind the EFAULT. */
TEST_F(space, fault_arg_read_only)
{
	struct axas_fault *f = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, f);
	f->gpa = G(0);
	f->access = AXAS_WRITE;
	ASSERT_EQ(0, mprotect(f, 4096, PROT_READ));
	map_alloc(G(0), SZ_4K, AXAS_READ | AXAS_WRITE);
	fault_arg_efault(_metadata, self->fd, f);
	/* The same argument, writable: the fault maps the page. */
	ASSERT_EQ(0, mprotect(f, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(0, xioctl(self->fd, AXAS_HANDLE_FAULT, f));
	EXPECT_EQ(1, f->handled);
	munmap(f, 4096);
}

/* ---- Privileges ---------------------------------------------------------- */

/* The batch hides host addresses too: step 10 of unprivileged(). */
static int unprivileged_batch(int fd, uint64_t base)
{
	struct axas_translate e[3] = {
		{ .gpa = base }, { .gpa = base + SZ_2M + 8 }, { .gpa = base - 1 },
	};
	uint32_t count = 3;

	if (_translate_batch(fd, e, &count) || count != 3)
		return 10;
	if (e[0].hpa || e[0].page_size != SZ_4K || e[1].hpa ||
	    e[1].page_size != SZ_4K || e[1].area_start != base + SZ_2M)
		return 11;
	return e[2].page_size || e[2].area_size ? 12 : 0;
}

/* Run in a child that dropped to nobody with the space fd; 0 or a step. */
static int unprivileged(int fd, uint64_t base, uint64_t dev, uint32_t format)
{
	struct axas_dump d = { 0 };
	struct axas_translate t;
	struct axas_area *a;
	struct axas_info i;
	uint32_t n;

	if (drop_privileges())
		return 100;
	if (_map_linear(fd, base + SZ_1G, dev, SZ_4K, AXAS_READ) != EPERM)
		return 1;
	if (xioctl(fd, AXAS_DUMP_TABLES, &d) != EPERM)
		return 2;
	if (_translate(fd, base, &t) || t.hpa || t.page_size != SZ_4K)
		return 3;
	if (_info(fd, &i) || i.root_hpa || i.hw_root)
		return 4;
	if (i.hw_ctl != hw_ctl_of(format) || i.table_pages < 2)
		return 5;
	if (_areas(fd, &a, &n) || n != 3 || a[0].hpa || a[1].hpa || a[2].hpa)
		return 6;
	/* Everything else stays allowed. */
	if (_map_alloc(fd, base + SZ_2M, SZ_4K, RW | AXAS_MAP_POPULATE))
		return 7;
	if (pwrite(fd, &n, sizeof(n), base + SZ_2M) != sizeof(n))
		return 8;
	if (fault_handled(fd, base + 2 * SZ_4K, AXAS_READ) != 1)
		return 9;
	return unprivileged_batch(fd, base);
}

TEST_F(space, unprivileged_caller)
{
	uint64_t dev = self->host.dev ? self->host.dev : 0xfe000000;

	map_alloc(G(0), SZ_4K, RW | AXAS_MAP_POPULATE);
	map_alloc(G(2 * SZ_4K), SZ_4K, RW);
	/* kselftest's ASSERT_*() is two statements: no if/else around it. */
	ASSERT_EQ(0, self->host.dev ?
		  _map_linear(self->fd, G(4 * SZ_4K), dev, SZ_4K, AXAS_READ) :
		  _map_alloc(self->fd, G(4 * SZ_4K), SZ_4K, RW));
	run_in_child(unprivileged(self->fd, G(0), dev, variant->format));
	/* What the child did is visible to the parent, with addresses. */
	EXPECT_NE(0, page_size_at(self->fd, G(SZ_2M)));
	EXPECT_NE(0, page_size_at(self->fd, G(2 * SZ_4K)));
	check_tables(_metadata, self->fd);
}

/* CAP_SYS_RAWIO alone is what map-linear needs; CAP_SYS_ADMIN for dump. */
TEST_F(space, privileged_sees_addresses)
{
	struct axas_translate t;
	struct axas_area *a;
	uint32_t n;

	need_dev();
	map_linear(G(0), self->host.dev, SZ_4K, AXAS_READ);
	translate(G(0) + 8, &t);
	EXPECT_EQ(self->host.dev + 8, t.hpa);
	n = 1;
	t = (struct axas_translate){ .gpa = G(0) + 16 };
	ASSERT_EQ(0, _translate_batch(self->fd, &t, &n));
	EXPECT_EQ(self->host.dev + 16, t.hpa);
	ASSERT_EQ(0, _areas(self->fd, &a, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(self->host.dev, a[0].hpa);
	free(a);
}

TEST_HARNESS_MAIN
