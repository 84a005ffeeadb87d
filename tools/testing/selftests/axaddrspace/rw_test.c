// SPDX-License-Identifier: GPL-2.0
/*
 * pread/pwrite and AXAS_GET_AREAS of a space fd against ABI version 2:
 * user memory is never touched with the space's lock held (a copy that
 * blocks in userfaultfd leaves writers free), a pwrite copies its source
 * before it gives a lazy page a frame, the area listing comes in chunks,
 * and long transfers across many areas round-trip.
 *
 * As in space_test.c, _foo() returns an errno (0 on success) and foo()
 * asserts success.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/axaddrspace.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "axas_util.h"

#define SPACE_SIZE	SZ_1G

#define RW		(AXAS_READ | AXAS_WRITE)
#define POP		AXAS_MAP_POPULATE

/* ---- ioctl wrappers beyond axas_util.h: return 0 or an errno ---------- */

/* AXAS_TRANSLATE of @gpa, its output dropped. */
static int _translate_gpa(int fd, uint64_t gpa)
{
	struct axas_translate t;

	return _translate(fd, gpa, &t);
}

/* AXAS_GET_INFO's alloc_pages, or ~0 when the call fails. */
static uint64_t alloc_pages(int fd)
{
	struct axas_info i;

	return xioctl(fd, AXAS_GET_INFO, &i) ? ~0ULL : i.alloc_pages;
}

#define map_alloc(gpa, size, flags) \
	ASSERT_EQ(0, _map_alloc(self->fd, gpa, size, flags))
#define unmap(gpa, size)	ASSERT_EQ(0, _unmap(self->fd, gpa, size))

static void fill(char *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)(seed + i * 7 + (i >> 9));
}

static void *map_anon(size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* -- Fixture: one space, Arm stage 2 48-bit (any host; it has execute-only) -- */

FIXTURE(rw) {
	int dev;
	int fd;
};

FIXTURE_SETUP(rw)
{
	self->fd = -1;
	SETUP_NEEDS_MODULE();
	dev_open(self->dev);
	create(self->dev, 0, SPACE_SIZE, AXAS_FMT_ARM64_S2_48, &self->fd);
}

FIXTURE_TEARDOWN(rw)
{
	close_space(self->fd, self->dev);
}

/* ---- A copy that blocks in userfaultfd ------------------------------------ */

/*
 * A userfaultfd that also catches faults of kernel copies (so not
 * UFFD_USER_MODE_ONLY), or -errno.
 */
static int uffd_open(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd, err;

#ifndef __NR_userfaultfd
	return -EOPNOTSUPP;
#else
	fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == EPERM &&
	    write_file("/proc/sys/vm/unprivileged_userfaultfd", "1"))
		fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api)) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
#endif
}

static int uffd_register(int uffd, void *p, size_t len)
{
	struct uffdio_register r = {
		.range = { .start = (uintptr_t)p, .len = len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	return xioctl(uffd, UFFDIO_REGISTER, &r);
}

/* A pread or pwrite in its own thread, whose buffer faults in userfaultfd. */
struct blocked {
	pthread_t tid;
	int fd;
	bool write;
	void *buf;
	size_t len;
	uint64_t gpa;
	ssize_t ret;
	int err;
	atomic_bool done;
};

static void *blocked_fn(void *arg)
{
	struct blocked *b = arg;

	b->ret = b->write ? pwrite(b->fd, b->buf, b->len, b->gpa) :
			    pread(b->fd, b->buf, b->len, b->gpa);
	b->err = errno;
	atomic_store(&b->done, true);
	return NULL;
}

/*
 * Wait until @b's copy faults on its buffer (true) or @b returns without
 * that (false). The poll timeout only paces the loop.
 */
static bool wait_fault(int uffd, struct blocked *b, struct uffd_msg *msg)
{
	struct pollfd p = { .fd = uffd, .events = POLLIN };

	while (!atomic_load(&b->done))
		if (poll(&p, 1, 100) == 1 &&
		    read(uffd, msg, sizeof(*msg)) == sizeof(*msg))
			return true;
	return false;
}

/*
 * While @b is blocked in its copy: writers on the same space complete,
 * and @b has still not returned. Returns after checking that.
 */
static void writers_run(struct __test_metadata *_metadata, int fd,
			struct blocked *b)
{
	uint64_t scratch = 64 * SZ_2M;

	EXPECT_EQ(0, _map_alloc(fd, scratch, SZ_2M, RW | POP));
	EXPECT_EQ(0, _unmap(fd, scratch, SZ_2M));
	EXPECT_EQ(0, _map_alloc(fd, scratch, SZ_4K, RW));
	EXPECT_EQ(0, _unmap(fd, scratch, SZ_4K));
	EXPECT_FALSE(atomic_load(&b->done));
}

/* Start @b on a uffd-registered buffer; wait for its fault. */
static void blocked_start(struct __test_metadata *_metadata, int uffd,
			  struct blocked *b)
{
	struct uffd_msg msg;
	uintptr_t at;

	ASSERT_EQ(0, pthread_create(&b->tid, NULL, blocked_fn, b));
	ASSERT_TRUE(wait_fault(uffd, b, &msg))
		TH_LOG("returned %zd (errno %d) without faulting", b->ret, b->err);
	at = msg.arg.pagefault.address;
	EXPECT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);
	EXPECT_TRUE(at >= (uintptr_t)b->buf && at < (uintptr_t)b->buf + b->len);
}

/*
 * Without userfaultfd in the kernel, or for this caller, uffd_open() fails
 * with anything but EINVAL (which would be a bug of this test).
 */
static bool uffd_missing(int uffd)
{
	return uffd < 0 && uffd != -EINVAL;
}

#define need_uffd() do { \
	if (uffd_missing(uffd)) \
		SKIP(return, "no userfaultfd: %s", strerror(-uffd)); \
	ASSERT_LE(0, uffd); \
} while (0)

TEST_F(rw, pread_copy_blocks_without_lock)
{
	static char in[2 * SZ_4K];
	struct blocked b = { .fd = self->fd, .len = sizeof(in), .gpa = SZ_2M };
	struct uffdio_zeropage z = { 0 };
	int uffd = uffd_open();

	need_uffd();
	map_alloc(b.gpa, sizeof(in), RW | POP);
	fill(in, sizeof(in), 1);
	ASSERT_EQ(sizeof(in), pwrite(self->fd, in, sizeof(in), b.gpa));
	b.buf = map_anon(b.len, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, b.buf);
	ASSERT_EQ(0, uffd_register(uffd, b.buf, b.len));
	blocked_start(_metadata, uffd, &b);
	writers_run(_metadata, self->fd, &b);
	z.range.start = (uintptr_t)b.buf;
	z.range.len = b.len;
	ASSERT_EQ(0, xioctl(uffd, UFFDIO_ZEROPAGE, &z));
	ASSERT_EQ(0, pthread_join(b.tid, NULL));
	EXPECT_EQ(sizeof(in), b.ret)
		TH_LOG("errno %d", b.err);
	EXPECT_EQ(0, memcmp(in, b.buf, sizeof(in)));
	close(uffd);
}

/* The source faults: a lazy destination gets no frame meanwhile. */
TEST_F(rw, pwrite_copy_blocks_without_lock)
{
	static char in[2 * SZ_4K] __attribute__((aligned(4096)));
	static char out[2 * SZ_4K];
	struct blocked b = {
		.fd = self->fd, .write = true, .len = sizeof(in), .gpa = SZ_2M,
	};
	struct uffdio_copy cp = { 0 };
	int uffd = uffd_open();

	need_uffd();
	map_alloc(b.gpa, sizeof(in), RW);
	fill(in, sizeof(in), 2);
	b.buf = map_anon(b.len, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, b.buf);
	ASSERT_EQ(0, uffd_register(uffd, b.buf, b.len));
	blocked_start(_metadata, uffd, &b);
	EXPECT_EQ(0, alloc_pages(self->fd));
	writers_run(_metadata, self->fd, &b);
	cp.dst = (uintptr_t)b.buf;
	cp.src = (uintptr_t)in;
	cp.len = b.len;
	ASSERT_EQ(0, xioctl(uffd, UFFDIO_COPY, &cp));
	ASSERT_EQ(0, pthread_join(b.tid, NULL));
	EXPECT_EQ(sizeof(in), b.ret)
		TH_LOG("errno %d", b.err);
	EXPECT_EQ(2, alloc_pages(self->fd));
	ASSERT_EQ(sizeof(out), pread(self->fd, out, sizeof(out), b.gpa));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	close(uffd);
}

/* ---- pwrite copies its source before a lazy page gets a frame ----------- */

TEST_F(rw, pwrite_prot_none_no_frame)
{
	char *p = map_anon(2 * SZ_4K, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	map_alloc(0, 4 * SZ_4K, RW);
	ASSERT_EQ(0, mprotect(p, 2 * SZ_4K, PROT_NONE));
	EXPECT_EQ(-1, pwrite(self->fd, p, SZ_4K, SZ_4K));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pwrite(self->fd, p + 5, 100, 2 * SZ_4K + 5));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, alloc_pages(self->fd));
	EXPECT_EQ(ENOENT, _translate_gpa(self->fd, SZ_4K));
	/* A source that ends in the PROT_NONE page: the page after gets none. */
	ASSERT_EQ(0, mprotect(p, SZ_4K, PROT_READ));
	EXPECT_EQ(SZ_4K, pwrite(self->fd, p, 2 * SZ_4K, 0));
	EXPECT_EQ(1, alloc_pages(self->fd));
	EXPECT_EQ(0, _translate_gpa(self->fd, 0));
	EXPECT_EQ(ENOENT, _translate_gpa(self->fd, SZ_4K));
	munmap(p, 2 * SZ_4K);
}

/* A thread that unmaps and maps back one page of memory, over and over. */
struct flipper {
	pthread_t tid;
	char *page;
	atomic_bool stop;
	int err;
};

static void *flip_fn(void *arg)
{
	struct flipper *f = arg;
	void *p;

	while (!atomic_load(&f->stop)) {
		if (munmap(f->page, SZ_4K)) {
			f->err = errno;
			break;
		}
		/* Never over something else that took the address meanwhile. */
		p = mmap(f->page, SZ_4K, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p != f->page) {
			f->err = p == MAP_FAILED ? errno : EEXIST;
			break;
		}
		f->page[0] = 1;
	}
	return NULL;
}

#define RACE_ROUNDS	3000

/* One round: 0 when the result and the frame count agree, else a step. */
static int race_round(int fd, const char *page, uint64_t gpa, unsigned int *n)
{
	ssize_t ret = pwrite(fd, page, SZ_4K, gpa);
	int err = errno;
	uint64_t pages = alloc_pages(fd);

	if (ret > 0 && ret <= (ssize_t)SZ_4K) {
		n[ret == SZ_4K ? 0 : 1]++;
		if (pages != 1 || _translate_gpa(fd, gpa))
			return 1;
	} else if (ret == -1 && err == EFAULT) {
		n[2]++;
		if (pages != 0 || _translate_gpa(fd, gpa) != ENOENT)
			return 2;
	} else {
		return 3;
	}
	/* Start the next round from a page without a frame. */
	if (_unmap(fd, gpa, SZ_4K) || _map_alloc(fd, gpa, SZ_4K, RW))
		return 4;
	return 0;
}

TEST_F_TIMEOUT(rw, pwrite_racing_munmap, 120)
{
	struct flipper f = { 0 };
	unsigned int i, n[3] = { 0 };
	uint64_t gpa = 3 * SZ_4K;
	int step = 0;

	f.page = map_anon(SZ_4K, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, f.page);
	map_alloc(gpa, SZ_4K, RW);
	ASSERT_EQ(0, pthread_create(&f.tid, NULL, flip_fn, &f));
	for (i = 0; i < RACE_ROUNDS && !step && !f.err; i++)
		step = race_round(self->fd, f.page, gpa, n);
	atomic_store(&f.stop, true);
	ASSERT_EQ(0, pthread_join(f.tid, NULL));
	EXPECT_EQ(0, step)
		TH_LOG("round %u: step %d", i, step);
	EXPECT_EQ(0, f.err);
	TH_LOG("%u rounds: %u full, %u short, %u EFAULT", i, n[0], n[1], n[2]);
}

/* ---- AXAS_GET_AREAS in chunks --------------------------------------------- */

#define NR_AREAS	200
#define AREA_STRIDE	(16 * SZ_4K)

/* Area i, in gpa order; they are mapped in another order. */
static struct axas_area area_at(unsigned int i)
{
	static const uint32_t flags[] = {
		RW, AXAS_READ, AXAS_EXEC, RW | AXAS_EXEC | AXAS_USER,
	};

	return (struct axas_area){
		.gpa = i * AREA_STRIDE,
		.size = (i % 7 + 1) * SZ_4K,
		.flags = flags[i % 4] | (i % 3 ? 0 : POP),
		.backend = AXAS_BACKEND_ALLOC,
	};
}

/* Areas 0 to @n - 1 of area_at(), in a scrambled order. */
static void map_areas(struct __test_metadata *_metadata, int fd, unsigned int n)
{
	struct axas_area a;
	unsigned int j;

	for (j = 0; j < NR_AREAS; j++) {
		a = area_at(j * 77 % NR_AREAS);
		if (a.gpa < n * AREA_STRIDE)
			ASSERT_EQ(0, _map_alloc(fd, a.gpa, a.size, a.flags));
	}
}

/* The first entry of @a that differs from area_at(), or @n. */
static unsigned int areas_differ(const struct axas_area *a, unsigned int n)
{
	struct axas_area want;
	unsigned int i;

	for (i = 0; i < n; i++) {
		want = area_at(i);
		if (memcmp(&a[i], &want, sizeof(want)))
			break;
	}
	return i;
}

TEST_F(rw, areas_capacities)
{
	static const uint32_t caps[] = { 0, 1, 63, 64, 65, 199, 200, 300 };
	struct axas_area *a = calloc(301, sizeof(*a)), pattern;
	uint32_t count, n;
	unsigned int k;

	ASSERT_NE(NULL, a);
	memset(&pattern, 0xa5, sizeof(pattern));
	map_areas(_metadata, self->fd, NR_AREAS);
	for (k = 0; k < ARRAY_SIZE(caps); k++) {
		n = caps[k] < NR_AREAS ? caps[k] : NR_AREAS;
		memset(a, 0xa5, 301 * sizeof(*a));
		count = 0;
		ASSERT_EQ(0, _get_areas(self->fd, a, caps[k], &count));
		EXPECT_EQ(NR_AREAS, count);
		EXPECT_EQ(n, areas_differ(a, n))
			TH_LOG("capacity %u", caps[k]);
		EXPECT_EQ(0, memcmp(&a[n], &pattern, sizeof(pattern)))
			TH_LOG("capacity %u: entry %u written", caps[k], n);
	}
	free(a);
}

TEST_F(rw, areas_efault)
{
	struct axas_area *a = map_anon(2 * SZ_4K, PROT_READ | PROT_WRITE);
	uint32_t count;

	ASSERT_NE(MAP_FAILED, a);
	map_areas(_metadata, self->fd, NR_AREAS);
	ASSERT_EQ(0, munmap((char *)a + SZ_4K, SZ_4K));
	/* Gone from the start, or after 4096 / 32 = 128 entries. */
	EXPECT_EQ(EFAULT, _get_areas(self->fd, (void *)((char *)a + SZ_4K), 1, &count));
	EXPECT_EQ(EFAULT, _get_areas(self->fd, a, NR_AREAS, &count));
	EXPECT_EQ(EFAULT, _get_areas(self->fd, (void *)8, 65, &count));
	/* What fits is fine. */
	EXPECT_EQ(0, _get_areas(self->fd, a, SZ_4K / sizeof(*a), &count));
	EXPECT_EQ(NR_AREAS, count);
	EXPECT_EQ(SZ_4K / sizeof(*a), areas_differ(a, SZ_4K / sizeof(*a)));
	munmap(a, SZ_4K);
}

/*
 * Writers while the areas are listed: the first @nbase areas of area_at()
 * stay, and a thread maps @nextra more after area @slot one by one, then
 * unmaps them all in one call, over and over.
 */
struct toggler {
	pthread_t tid;
	int fd;
	unsigned int nbase, slot, nextra;
	atomic_bool stop;
	int err;
};

static struct axas_area extra_at(const struct toggler *t, unsigned int k)
{
	return (struct axas_area){
		.gpa = t->slot * AREA_STRIDE + (8 + k) * SZ_4K, .size = SZ_4K,
		.flags = RW, .backend = AXAS_BACKEND_ALLOC,
	};
}

static void *toggle_fn(void *arg)
{
	struct toggler *t = arg;
	unsigned int k;

	while (!atomic_load(&t->stop) && !t->err) {
		for (k = 0; k < t->nextra && !t->err; k++)
			t->err = _map_alloc(t->fd, extra_at(t, k).gpa, SZ_4K, RW);
		if (!t->err)
			t->err = _unmap(t->fd, extra_at(t, 0).gpa, t->nextra * SZ_4K);
	}
	return NULL;
}

/* Entry @i of the listing while the first @k extras are mapped. */
static struct axas_area listed_at(const struct toggler *t, unsigned int k,
				  unsigned int i)
{
	if (i <= t->slot)
		return area_at(i);
	if (i <= t->slot + k)
		return extra_at(t, i - t->slot - 1);
	return area_at(i - k);
}

/*
 * A listing of @count entries is one state of the space, whole: the base
 * areas and the first few extras, and after them nothing but what a
 * restarted listing zeroes (the entries an abandoned attempt wrote).
 * Returns 0, or why not: 1 for the count, 2 for an entry after them,
 * 3 + i for entry i.
 */
static unsigned int listing_bad(const struct toggler *t,
				const struct axas_area *a, uint32_t count)
{
	struct axas_area want, pattern, zero = { 0 };
	unsigned int i;

	memset(&pattern, 0xa5, sizeof(pattern));
	if (count < t->nbase || count > t->nbase + t->nextra)
		return 1;
	if (memcmp(&a[count], &pattern, sizeof(pattern)) &&
	    memcmp(&a[count], &zero, sizeof(zero)))
		return 2;
	for (i = 0; i < count; i++) {
		want = listed_at(t, count - t->nbase, i);
		if (memcmp(&a[i], &want, sizeof(want)))
			return 3 + i;
	}
	return 0;
}

/* Each of @rounds listings is whole, or EAGAIN. */
static void list_with_writers(struct __test_metadata *_metadata, int fd,
			      struct toggler *t, unsigned int rounds)
{
	uint32_t cap = t->nbase + t->nextra + 8, count = 0;
	struct axas_area *a = calloc(cap, sizeof(*a));
	unsigned int i, bad = 0, why = 0, again = 0;
	int ret = 0;

	ASSERT_NE(NULL, a);
	map_areas(_metadata, fd, t->nbase);
	t->fd = fd;
	ASSERT_EQ(0, pthread_create(&t->tid, NULL, toggle_fn, t));
	for (i = 0; i < rounds && !bad; i++) {
		memset(a, 0xa5, cap * sizeof(*a));
		ret = _get_areas(fd, a, cap, &count);
		why = ret ? 0 : listing_bad(t, a, count);
		if (ret == EAGAIN)
			again++;
		else if (ret || why)
			bad = i + 1;
	}
	atomic_store(&t->stop, true);
	ASSERT_EQ(0, pthread_join(t->tid, NULL));
	EXPECT_EQ(0, bad)
		TH_LOG("listing %u: ret %d count %u, %s %u", bad - 1, ret, count,
		       why < 3 ? "reason" : "wrong entry", why < 3 ? why : why - 3);
	EXPECT_EQ(0, t->err);
	TH_LOG("%u listings, %u EAGAIN", i, again);
	free(a);
}

TEST_F_TIMEOUT(rw, areas_with_writers, 120)
{
	struct toggler t = { .nbase = NR_AREAS, .slot = 100, .nextra = 1 };

	list_with_writers(_metadata, self->fd, &t, 300);
}

/*
 * From 65 areas to 63 while a listing is between its first chunk and its
 * second: the listing of 63 that follows leaves no stale entry after them.
 */
TEST_F_TIMEOUT(rw, areas_shrink_with_writers, 120)
{
	struct toggler t = { .nbase = 63, .slot = 30, .nextra = 2 };

	list_with_writers(_metadata, self->fd, &t, 4000);
}

/* ---- Long transfers across many areas -------------------------------------- */

#define LONG_LEN	(8 * SZ_1M)
#define LONG_START	(SZ_2M - SZ_4K)

static uint64_t overlap(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
	a = a > b ? a : b;
	a_end = a_end < b_end ? a_end : b_end;
	return a < a_end ? a_end - a : 0;
}

/*
 * Adjacent areas of mixed sizes and kinds from LONG_START. Returns how
 * many frames they hold once [@off, @off + @len) is written: all pages of
 * the populated ones, the written pages of the lazy ones.
 */
static uint64_t map_long(struct __test_metadata *_metadata, int fd,
			 uint64_t off, uint64_t len)
{
	static const struct { uint64_t size; uint32_t flags; } kinds[] = {
		{ SZ_4K, RW }, { 3 * SZ_4K, AXAS_READ | POP }, { SZ_2M, RW },
		{ 5 * SZ_4K, AXAS_EXEC }, { SZ_2M + SZ_4K, RW | POP },
		{ SZ_64K, AXAS_READ }, { SZ_1M, RW | AXAS_EXEC | POP },
		{ 17 * SZ_4K, AXAS_READ | AXAS_USER },
	};
	uint64_t gpa = LONG_START, size, frames = 0, end;
	unsigned int k;

	for (k = 0; gpa < LONG_START + LONG_LEN + SZ_4K; k++, gpa += size) {
		size = kinds[k % 8].size;
		EXPECT_EQ(0, _map_alloc(fd, gpa, size, kinds[k % 8].flags))
			TH_LOG("area %u at 0x%llx", k, (unsigned long long)gpa);
		if (kinds[k % 8].flags & POP) {
			frames += size / SZ_4K;
			continue;
		}
		end = (off + len + SZ_4K - 1) & ~(SZ_4K - 1);
		frames += overlap(gpa, gpa + size, off & ~(SZ_4K - 1), end) / SZ_4K;
	}
	return frames;
}

TEST_F_TIMEOUT(rw, long_transfer_round_trip, 120)
{
	char *in = malloc(LONG_LEN), *out = malloc(LONG_LEN);
	uint64_t off = LONG_START + 123, frames;
	static const char zero[2 * 123];

	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	frames = map_long(_metadata, self->fd, off, LONG_LEN);
	fill(in, LONG_LEN, 9);
	memset(out, 0x5a, LONG_LEN);
	EXPECT_EQ(LONG_LEN, pwrite(self->fd, in, LONG_LEN, off));
	EXPECT_EQ(frames, alloc_pages(self->fd));
	EXPECT_EQ(LONG_LEN, pread(self->fd, out, LONG_LEN, off));
	EXPECT_EQ(0, memcmp(in, out, LONG_LEN));
	/* The bytes before and after were not written. */
	memset(out, 0x5a, 2 * 123);
	EXPECT_EQ(123, pread(self->fd, out, 123, LONG_START));
	EXPECT_EQ(123, pread(self->fd, out + 123, 123, off + LONG_LEN));
	EXPECT_EQ(0, memcmp(out, zero, sizeof(zero)));
	free(in);
	free(out);
}

/* Segments of odd sizes, each across page and area boundaries. */
TEST_F_TIMEOUT(rw, long_vectors_round_trip, 120)
{
	static const size_t lens[] = { 1, 4095, 3 * SZ_4K + 17, SZ_2M + 333, 77, SZ_1M };
	struct iovec vin[ARRAY_SIZE(lens)], vout[ARRAY_SIZE(lens)];
	char *in = malloc(LONG_LEN), *out = malloc(LONG_LEN);
	uint64_t off = LONG_START + 4000;
	size_t total = 0;
	unsigned int k;

	ASSERT_NE(NULL, in);
	ASSERT_NE(NULL, out);
	for (k = 0; k < ARRAY_SIZE(lens); k++) {
		vin[k] = (struct iovec){ in + total, lens[k] };
		vout[k] = (struct iovec){ out + total, lens[k] };
		total += lens[k];
	}
	map_long(_metadata, self->fd, off, total);
	fill(in, total, 11);
	memset(out, 0x5a, total);
	EXPECT_EQ(total, pwritev(self->fd, vin, ARRAY_SIZE(lens), off));
	EXPECT_EQ(total, preadv(self->fd, vout, ARRAY_SIZE(lens), off));
	EXPECT_EQ(0, memcmp(in, out, total));
	free(in);
	free(out);
}

TEST_HARNESS_MAIN
