// SPDX-License-Identifier: GPL-2.0
/*
 * Spaces that map memory fds (AXAS_MAP_MEMORY) and AXAS_DISCARD: the
 * space, the VMM's mmap() and a second space see the same frames; a
 * punch-hole of the file unmaps the range from every space; a discard
 * frees an alloc range and leaves it lazy; bad input changes nothing. A
 * stress test races faults and reads with punch-holes.
 *
 * As in space_test.c, _foo() returns an errno (0 on success).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/axaddrspace.h>
#include <linux/falloc.h>

#include "kselftest_harness.h"
#include "axas_util.h"

#define RW		(AXAS_READ | AXAS_WRITE)
#define POP		AXAS_MAP_POPULATE
#define MEM_SIZE	(8 * SZ_2M)

static int _discard(int fd, uint64_t gpa, uint64_t size)
{
	struct axas_range r = { .gpa = gpa, .size = size };

	return xioctl(fd, AXAS_DISCARD, &r);
}

/* The page size translating @gpa reports, 0 when it has no leaf. */
static uint64_t leaf_size(int fd, uint64_t gpa)
{
	struct axas_translate t;

	return _translate(fd, gpa, &t) ? 0 : t.page_size;
}

static uint64_t word_at(int fd, uint64_t gpa)
{
	uint64_t v = ~0ULL;

	if (pread(fd, &v, sizeof(v), gpa) != sizeof(v))
		return ~1ULL;
	return v;
}

static int put_word(int fd, uint64_t gpa, uint64_t v)
{
	return pwrite(fd, &v, sizeof(v), gpa) == sizeof(v) ? 0 : errno;
}

static uint64_t nr_areas(int fd)
{
	struct axas_info i;

	return _info(fd, &i) ? ~0ULL : i.nr_areas;
}

FIXTURE(mem) {
	int dev, fd, mfd;
	uint64_t *view;
};

FIXTURE_SETUP(mem)
{
	self->dev = -1;
	self->fd = -1;
	self->mfd = -1;
	self->view = MAP_FAILED;
	SETUP_NEEDS_MODULE();
	dev_open(self->dev);
	if (ioctl(self->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_MEMORY) != 1)
		SKIP_SETUP("no memory fds (AXAS_CAP_MEMORY)");
	create(self->dev, 0, SZ_1G, AXAS_FMT_NATIVE, &self->fd);
	ASSERT_EQ(0, _create_memory(self->dev, MEM_SIZE, AXAS_MEMORY_HUGE,
				    &self->mfd));
	self->view = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			  self->mfd, 0);
	ASSERT_NE(MAP_FAILED, self->view);
}

FIXTURE_TEARDOWN(mem)
{
	if (self->view != MAP_FAILED)
		munmap(self->view, MEM_SIZE);
	close(self->mfd);
	close(self->fd);
	close(self->dev);
}

#define W(off)	(self->view[(off) / sizeof(uint64_t)])

/* The space reads what the VMM stored through its mmap, and the reverse. */
TEST_F(mem, space_and_mmap_share_frames)
{
	uint32_t handled;

	ASSERT_EQ(0, _map_memory(self->fd, SZ_1G / 2, MEM_SIZE, self->mfd, 0, RW));
	W(SZ_4K) = 0x1122334455667788ULL;
	EXPECT_EQ(0x1122334455667788ULL, word_at(self->fd, SZ_1G / 2 + SZ_4K));
	ASSERT_EQ(0, put_word(self->fd, SZ_1G / 2 + 3 * SZ_4K + 8, 42));
	EXPECT_EQ(42, W(3 * SZ_4K + 8));
	/* A lazy page faults in as the file's frame. */
	EXPECT_EQ(0, leaf_size(self->fd, SZ_1G / 2 + SZ_4K));
	ASSERT_EQ(0, _fault(self->fd, SZ_1G / 2 + SZ_4K, AXAS_WRITE, &handled));
	EXPECT_EQ(1, handled);
	EXPECT_EQ(SZ_4K, leaf_size(self->fd, SZ_1G / 2 + SZ_4K));
	EXPECT_EQ(0x1122334455667788ULL, word_at(self->fd, SZ_1G / 2 + SZ_4K));
}

TEST_F(mem, translate_reports_memory_backend)
{
	struct axas_translate t;

	ASSERT_EQ(0, _map_memory(self->fd, 0, SZ_2M, self->mfd, SZ_2M, RW | POP));
	ASSERT_EQ(0, _translate(self->fd, SZ_4K, &t));
	EXPECT_EQ(AXAS_BACKEND_MEMORY, t.backend);
	EXPECT_EQ(RW, t.flags);
	EXPECT_EQ(0, t.area_start);
	EXPECT_EQ(SZ_2M, t.area_size);
}

/* A huge memory fd populates a 2 MiB aligned range with one 2 MiB leaf. */
TEST_F(mem, populate_uses_2m_frames)
{
	ASSERT_EQ(0, _map_memory(self->fd, SZ_2M, 2 * SZ_2M, self->mfd, 0, RW | POP));
	EXPECT_EQ(SZ_2M, leaf_size(self->fd, SZ_2M));
	EXPECT_EQ(SZ_2M, leaf_size(self->fd, 2 * SZ_2M + SZ_4K));
	/* Misaligned against the file: 4 KiB leaves. */
	ASSERT_EQ(0, _map_memory(self->fd, 8 * SZ_2M, SZ_2M, self->mfd, SZ_4K,
				 RW | POP));
	EXPECT_EQ(SZ_4K, leaf_size(self->fd, 8 * SZ_2M));
}

/* A punch-hole of the file unmaps the range from the space: zeros after. */
TEST_F(mem, punch_hole_unmaps_from_space)
{
	ASSERT_EQ(0, _map_memory(self->fd, 0, MEM_SIZE, self->mfd, 0, RW | POP));
	ASSERT_EQ(0, put_word(self->fd, SZ_2M + SZ_4K, 7));
	ASSERT_EQ(0, put_word(self->fd, 3 * SZ_2M, 9));
	ASSERT_NE(0, leaf_size(self->fd, SZ_2M + SZ_4K));
	ASSERT_EQ(0, punch(self->mfd, SZ_2M, SZ_2M));
	EXPECT_EQ(0, leaf_size(self->fd, SZ_2M + SZ_4K));
	EXPECT_EQ(0, word_at(self->fd, SZ_2M + SZ_4K));
	EXPECT_EQ(0, W(SZ_2M + SZ_4K));
	/* Outside the hole nothing moved. */
	EXPECT_NE(0, leaf_size(self->fd, 3 * SZ_2M));
	EXPECT_EQ(9, word_at(self->fd, 3 * SZ_2M));
}

/* Two spaces mapping one memory fd share memory (ivshmem style). */
TEST_F(mem, two_spaces_share)
{
	uint32_t handled;
	int fd2;

	create(self->dev, 0, SZ_1G, AXAS_FMT_NATIVE, &fd2);
	ASSERT_EQ(0, _map_memory(self->fd, 0, SZ_2M, self->mfd, 0, RW));
	ASSERT_EQ(0, _map_memory(fd2, SZ_1G - SZ_2M, SZ_2M, self->mfd, 0, RW));
	ASSERT_EQ(0, put_word(self->fd, 0x1000, 0xabcdef));
	EXPECT_EQ(0xabcdef, word_at(fd2, SZ_1G - SZ_2M + 0x1000));
	ASSERT_EQ(0, _fault(fd2, SZ_1G - SZ_2M + 0x1000, AXAS_READ, &handled));
	ASSERT_EQ(0, _fault(self->fd, 0x1000, AXAS_READ, &handled));
	/* One punch unmaps it from both. */
	ASSERT_EQ(0, punch(self->mfd, 0, SZ_2M));
	EXPECT_EQ(0, leaf_size(self->fd, 0x1000));
	EXPECT_EQ(0, leaf_size(fd2, SZ_1G - SZ_2M + 0x1000));
	close(fd2);
}

/* The space keeps the memory fd's frames after the fd is closed. */
TEST_F(mem, space_keeps_closed_memory_fd)
{
	ASSERT_EQ(0, _map_memory(self->fd, 0, SZ_2M, self->mfd, 0, RW));
	ASSERT_EQ(0, put_word(self->fd, 0x2000, 5));
	munmap(self->view, MEM_SIZE);
	self->view = MAP_FAILED;
	close(self->mfd);
	self->mfd = -1;
	EXPECT_EQ(5, word_at(self->fd, 0x2000));
	ASSERT_EQ(0, put_word(self->fd, 0x3000, 6));
	EXPECT_EQ(6, word_at(self->fd, 0x3000));
}

/* Unmapping part of a memory area keeps the file's data and the rest. */
TEST_F(mem, partial_unmap_keeps_file)
{
	ASSERT_EQ(0, _map_memory(self->fd, 0, 2 * SZ_2M, self->mfd, 0, RW | POP));
	ASSERT_EQ(0, put_word(self->fd, SZ_2M + 8, 11));
	ASSERT_EQ(0, _unmap(self->fd, SZ_4K, SZ_2M));
	EXPECT_EQ(2, nr_areas(self->fd));
	EXPECT_EQ(0, leaf_size(self->fd, SZ_2M + 8));
	EXPECT_EQ(11, W(SZ_2M + 8));
	EXPECT_EQ(SZ_4K, leaf_size(self->fd, 0));
	EXPECT_NE(0, leaf_size(self->fd, SZ_2M + SZ_4K));
	/* The upper piece still maps the right file offset. */
	ASSERT_EQ(0, put_word(self->fd, 2 * SZ_2M - 8, 12));
	EXPECT_EQ(12, W(2 * SZ_2M - 8));
}

TEST_F(mem, bad_input)
{
	struct axas_map_memory m = {
		.gpa = 0, .size = SZ_2M, .fd = self->mfd, .flags = AXAS_READ,
	};
	int other;

	EXPECT_EQ(EBADF, _map_memory(self->fd, 0, SZ_2M, 999, 0, RW));
	EXPECT_EQ(EINVAL, _map_memory(self->fd, 0, SZ_2M, self->fd, 0, RW));
	other = open("/dev/null", O_RDWR);
	ASSERT_LE(0, other);
	EXPECT_EQ(EINVAL, _map_memory(self->fd, 0, SZ_2M, other, 0, RW));
	close(other);
	EXPECT_EQ(EINVAL, _map_memory(self->fd, 0, SZ_2M, self->mfd, 0x800, RW));
	EXPECT_EQ(EINVAL, _map_memory(self->fd, 0, SZ_2M, self->mfd,
				      MEM_SIZE - SZ_4K, RW));
	EXPECT_EQ(EINVAL, _map_memory(self->fd, 0, MEM_SIZE + SZ_4K, self->mfd,
				      0, RW));
	EXPECT_EQ(EINVAL, _map_memory(self->fd, 0, SZ_2M, self->mfd, ~0ULL &
				      ~(SZ_4K - 1), RW));
	EXPECT_EQ(EINVAL, _map_memory(self->fd, 0, SZ_2M, self->mfd, 0,
				      RW | (1U << 12)));
	EXPECT_EQ(EINVAL, _map_memory(self->fd, 0, SZ_2M, self->mfd, 0,
				      AXAS_WRITE));
	EXPECT_EQ(EINVAL, _map_memory(self->fd, 0x800, SZ_2M, self->mfd, 0, RW));
	EXPECT_EQ(EINVAL, _map_memory(self->fd, SZ_1G - SZ_4K, SZ_2M,
				      self->mfd, 0, RW));
	m.reserved[1] = 1;
	EXPECT_EQ(EINVAL, xioctl(self->fd, AXAS_MAP_MEMORY, &m));
	EXPECT_EQ(0, nr_areas(self->fd));
	/* Overlap: EEXIST, the first area stays. */
	ASSERT_EQ(0, _map_memory(self->fd, 0, SZ_2M, self->mfd, 0, RW));
	EXPECT_EQ(EEXIST, _map_memory(self->fd, SZ_2M - SZ_4K, SZ_2M,
				      self->mfd, 0, RW));
	EXPECT_EQ(EEXIST, _map_alloc(self->fd, 0, SZ_4K, RW));
	EXPECT_EQ(1, nr_areas(self->fd));
}

/* A discard frees an alloc range's frames and leaves it lazy, in place. */
TEST_F(mem, discard_alloc_makes_lazy)
{
	struct axas_area a[4];
	struct axas_info before, after;
	uint32_t n;

	ASSERT_EQ(0, _map_alloc(self->fd, 0, 4 * SZ_2M, RW | POP));
	ASSERT_EQ(0, put_word(self->fd, SZ_2M + SZ_4K, 3));
	ASSERT_EQ(0, put_word(self->fd, 3 * SZ_2M, 4));
	ASSERT_EQ(0, _info(self->fd, &before));
	ASSERT_EQ(0, _discard(self->fd, SZ_2M, SZ_2M + SZ_4K));
	ASSERT_EQ(0, _info(self->fd, &after));
	EXPECT_EQ(before.alloc_pages - 513, after.alloc_pages);
	EXPECT_EQ(0, word_at(self->fd, SZ_2M + SZ_4K));
	EXPECT_EQ(0, leaf_size(self->fd, SZ_2M + SZ_4K));
	EXPECT_EQ(4, word_at(self->fd, 3 * SZ_2M));
	/* Three areas: populated, lazy, populated. */
	ASSERT_EQ(0, _get_areas(self->fd, a, 4, &n));
	ASSERT_EQ(3, n);
	EXPECT_EQ(RW | POP, a[0].flags);
	EXPECT_EQ(SZ_2M, a[1].gpa);
	EXPECT_EQ(SZ_2M + SZ_4K, a[1].size);
	EXPECT_EQ(RW, a[1].flags);
	EXPECT_EQ(RW | POP, a[2].flags);
	/* A lazy page comes back on write, zeroed. */
	ASSERT_EQ(0, put_word(self->fd, SZ_2M + 16, 1));
	EXPECT_EQ(0, word_at(self->fd, SZ_2M + 8));
	/* Holes are fine. */
	EXPECT_EQ(0, _discard(self->fd, 8 * SZ_2M, SZ_2M));
	/* A lazy area is not split: nothing about its parts differs. */
	ASSERT_EQ(0, _map_alloc(self->fd, 16 * SZ_2M, SZ_2M, RW));
	ASSERT_EQ(0, put_word(self->fd, 16 * SZ_2M + SZ_4K, 5));
	ASSERT_EQ(0, _discard(self->fd, 16 * SZ_2M + SZ_4K, SZ_4K));
	EXPECT_EQ(4, nr_areas(self->fd));
	EXPECT_EQ(0, word_at(self->fd, 16 * SZ_2M + SZ_4K));
}

/* A discard of a memory area punches the file: every view sees zeros. */
TEST_F(mem, discard_memory_punches_file)
{
	off_t hole;

	ASSERT_EQ(0, _map_memory(self->fd, 0, MEM_SIZE, self->mfd, 0, RW | POP));
	W(SZ_2M) = 77;
	W(2 * SZ_2M) = 78;
	ASSERT_EQ(0, _discard(self->fd, SZ_2M, SZ_2M));
	/* First, since reading through the mmap gives the page a frame again. */
	hole = lseek(self->mfd, 0, SEEK_HOLE);
	EXPECT_EQ(SZ_2M, hole);
	EXPECT_EQ(0, word_at(self->fd, SZ_2M));
	EXPECT_EQ(0, W(SZ_2M));
	EXPECT_EQ(78, W(2 * SZ_2M));
	/* A memory area is not split: its memory fd has the hole. */
	EXPECT_EQ(1, nr_areas(self->fd));
}

/*
 * AXAS_DUMP_TABLES into a buffer that is a fresh mapping of a memory fd,
 * after a punch-hole ran through the space: the dump copies under the
 * space's lock, where a page fault on that buffer would wait for the
 * memory fd's invalidate lock, which a punch holds while it waits for the
 * space's lock. Lockdep (the debug VMs) reports that cycle if the copy
 * ever faults under the lock; the dump must still fill the buffer.
 */
TEST_F(mem, dump_into_memory_fd_mapping)
{
	const size_t len = (8 * sizeof(struct axas_table_page) + SZ_4K - 1) &
			   ~(SZ_4K - 1);
	struct axas_table_page *buf;
	struct axas_dump d = { .capacity = 8 };
	int mfd2;

	ASSERT_EQ(0, _map_memory(self->fd, 0, SZ_2M, self->mfd, 0, RW | POP));
	ASSERT_EQ(0, punch(self->mfd, 0, SZ_4K));
	ASSERT_EQ(0, _create_memory(self->dev, len, 0, &mfd2));
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd2, 0);
	ASSERT_NE(MAP_FAILED, buf);
	d.pages = (uintptr_t)buf;
	ASSERT_EQ(0, xioctl(self->fd, AXAS_DUMP_TABLES, &d));
	ASSERT_LE(1, d.count);
	EXPECT_NE(0, buf[0].hpa);
	munmap(buf, len);
	close(mfd2);
}

TEST_F(mem, discard_bad_input)
{
	EXPECT_EQ(EINVAL, _discard(self->fd, 0x800, SZ_4K));
	EXPECT_EQ(EINVAL, _discard(self->fd, 0, 0));
	EXPECT_EQ(EINVAL, _discard(self->fd, SZ_1G, SZ_4K));
}

/*
 * Faults and reads race with punch-holes and stores through the mmap:
 * more threads than vCPUs. Afterwards the space and the mmap agree.
 */
struct race {
	int fd, mfd;
	uint64_t *view;
	atomic_bool stop;
	atomic_int errors;
};

static void *race_faulter(void *p)
{
	struct race *r = p;
	uint32_t handled;
	unsigned int i = 0;

	while (!atomic_load(&r->stop)) {
		uint64_t gpa = (uint64_t)(i++ % (MEM_SIZE / SZ_4K)) * SZ_4K;

		if (_fault(r->fd, gpa, AXAS_WRITE, &handled) || handled != 1)
			atomic_fetch_add(&r->errors, 1);
		if (word_at(r->fd, gpa) == ~1ULL)
			atomic_fetch_add(&r->errors, 1);
	}
	return NULL;
}

static void *race_puncher(void *p)
{
	struct race *r = p;
	unsigned int i;

	for (i = 0; i < 300; i++) {
		uint64_t off = (uint64_t)(i * 7 % (MEM_SIZE / SZ_4K)) * SZ_4K;

		uint64_t len = (i % 3 + 1) * 37 * SZ_4K;

		if (len > MEM_SIZE - off)
			len = MEM_SIZE - off;
		if (punch(r->mfd, off, len))
			atomic_fetch_add(&r->errors, 1);
		r->view[off / 8] = i;
	}
	atomic_store(&r->stop, true);
	return NULL;
}

TEST_F_TIMEOUT(mem, stress_faults_against_punch, 300)
{
	struct race r = { .fd = self->fd, .mfd = self->mfd, .view = self->view };
	struct axas_translate tr;
	pthread_t t[5];
	unsigned int i, j;

	ASSERT_EQ(0, _map_memory(self->fd, 0, MEM_SIZE, self->mfd, 0, RW));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race_faulter, &r));
	ASSERT_EQ(0, pthread_create(&t[4], NULL, race_puncher, &r));
	for (i = 0; i < 5; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, atomic_load(&r.errors));
	/*
	 * No space leaf outlived its punch: every leaf maps the frame the
	 * file (and so the VMM's mmap) has now.
	 */
	for (j = 0; j < MEM_SIZE / SZ_4K; j++) {
		volatile uint64_t *w = &self->view[j * SZ_4K / 8];

		(void)*w;
		if (_translate(self->fd, j * SZ_4K, &tr))
			continue;
		ASSERT_EQ(user_pfn((const void *)w), tr.hpa / SZ_4K);
		ASSERT_EQ(*w, word_at(self->fd, j * SZ_4K));
	}
}

TEST_HARNESS_MAIN
