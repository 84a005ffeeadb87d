// SPDX-License-Identifier: GPL-2.0
/*
 * Memory fds (AXAS_CREATE_MEMORY): creation and its errors, and the file
 * operations a VMM uses on guest memory: fstat, pread/pwrite, mmap
 * MAP_SHARED, punch-hole with SEEK_DATA/SEEK_HOLE, the refused ones, and
 * the vhost-user pattern of a memory fd passed to another process.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/axaddrspace.h>
#include <linux/falloc.h>

#include "kselftest_harness.h"
#include "axas_util.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define PAGES		16
#define MEM_SIZE	(PAGES * SZ_4K)

/* AXAS_CREATE_MEMORY with a struct of @size bytes. */
#define CREATE_MEMORY_SIZED(size) _IOC(_IOC_WRITE, AXAS_IOC, 0x03, size)

/* An errno of AXAS_CREATE_MEMORY with @c of @size bytes, 0 on success. */
static int create_raw(int dev, const void *c, size_t size)
{
	int fd = ioctl(dev, CREATE_MEMORY_SIZED(size), c);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* Every byte of [p, p + len) is c. */
static bool filled(const void *p, size_t len, uint8_t c)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return false;
	return true;
}

static void *map_shared(int fd, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}

/* Writes page @page full of @c with pwrite: true when all of it went. */
static bool put_page(int fd, unsigned int page, uint8_t c)
{
	char buf[SZ_4K];

	memset(buf, c, sizeof(buf));
	return pwrite(fd, buf, sizeof(buf), page * SZ_4K) == sizeof(buf);
}

/* Page @page reads as @c through pread. */
static bool page_is(int fd, unsigned int page, uint8_t c)
{
	char buf[SZ_4K];

	memset(buf, ~c, sizeof(buf));
	return pread(fd, buf, sizeof(buf), page * SZ_4K) == sizeof(buf) &&
	       filled(buf, sizeof(buf), c);
}

/* lseek's result, or -errno. */
static off_t seek(int fd, off_t off, int whence)
{
	off_t r = lseek(fd, off, whence);

	return r < 0 ? -errno : r;
}

/* How the child of fork() ended: its exit status, or 128 + its signal. */
static int child_end(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- Creation --------------------------------------------------------------- */

TEST(create_errors)
{
	struct axas_create_memory c;
	struct {
		struct axas_create_memory c;
		uint64_t tail[2];
	} big;
	int dev, fd, mfd;

	NEED_MODULE();
	dev_open(dev);

	EXPECT_EQ(EINVAL, _create_memory(dev, 0, 0, &fd));
	EXPECT_EQ(EINVAL, _create_memory(dev, 1, 0, &fd));
	EXPECT_EQ(EINVAL, _create_memory(dev, SZ_4K - 1, 0, &fd));
	EXPECT_EQ(EINVAL, _create_memory(dev, SZ_4K + 512, 0, &fd));
	EXPECT_EQ(EINVAL, _create_memory(dev, 1ULL << 63, 0, &fd));
	EXPECT_EQ(EINVAL, _create_memory(dev, ~0ULL & ~0xfffULL, 0, &fd));
	EXPECT_EQ(EINVAL, _create_memory(dev, SZ_4K, 1U << 1, &fd));
	EXPECT_EQ(EINVAL, _create_memory(dev, SZ_4K, 1U << 31, &fd));
	EXPECT_EQ(EINVAL, _create_memory(dev, SZ_4K, ~AXAS_MEMORY_FLAGS, &fd));
	EXPECT_EQ(-1, fd);

	memset(&c, 0, sizeof(c));
	c.size = SZ_4K;
	c.pad = 1;
	EXPECT_EQ(EINVAL, create_raw(dev, &c, sizeof(c)));
	c.pad = 0;
	c.reserved[0] = 1;
	EXPECT_EQ(EINVAL, create_raw(dev, &c, sizeof(c)));
	c.reserved[0] = 0;
	c.reserved[1] = 1ULL << 63;
	EXPECT_EQ(EINVAL, create_raw(dev, &c, sizeof(c)));
	c.reserved[1] = 0;
	EXPECT_EQ(0, create_raw(dev, &c, sizeof(c)));
	/* Shorter than version 1's 32 bytes. */
	EXPECT_EQ(EINVAL, create_raw(dev, &c, 16));
	EXPECT_EQ(EINVAL, create_raw(dev, &c, 31));

	/* A newer header's longer struct: a zero tail is fine, else E2BIG. */
	memset(&big, 0, sizeof(big));
	big.c.size = SZ_4K;
	EXPECT_EQ(0, create_raw(dev, &big, sizeof(big)));
	big.tail[1] = 1;
	EXPECT_EQ(E2BIG, create_raw(dev, &big, sizeof(big)));
	big.tail[1] = 0;
	big.tail[0] = 1ULL << 40;
	EXPECT_EQ(E2BIG, create_raw(dev, &big, sizeof(big)));

	/* Not on a space fd. */
	create(dev, 0, SZ_2M, AXAS_FMT_X86_EPT4, &fd);
	EXPECT_EQ(ENOTTY, _create_memory(fd, SZ_4K, 0, &mfd));
	close(fd);
	close(dev);
}

TEST(fd_flags_and_fstat)
{
	struct stat st, st2;
	int dev, fd, fd2;

	NEED_MODULE();
	dev_open(dev);
	ASSERT_EQ(0, _create_memory(dev, MEM_SIZE, 0, &fd));
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(MEM_SIZE, st.st_size);
	close(fd);

	/* The size of a huge one too; each fd is a file of its own. */
	ASSERT_EQ(0, _create_memory(dev, 3 * SZ_2M, AXAS_MEMORY_HUGE, &fd));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(3 * SZ_2M, st.st_size);
	ASSERT_EQ(0, _create_memory(dev, SZ_4K, 0, &fd2));
	ASSERT_EQ(0, fstat(fd2, &st2));
	EXPECT_NE(st.st_ino, st2.st_ino);
	EXPECT_EQ(SZ_4K, st2.st_size);
	close(fd2);
	close(fd);
	close(dev);
}

/* ---- One memory fd of PAGES pages -------------------------------------------- */

FIXTURE(memfd) {
	int dev;
	int fd;
};

FIXTURE_SETUP(memfd)
{
	self->dev = -1;
	self->fd = -1;
	SETUP_NEEDS_MODULE();
	dev_open(self->dev);
	ASSERT_EQ(0, _create_memory(self->dev, MEM_SIZE, 0, &self->fd));
}

FIXTURE_TEARDOWN(memfd)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

TEST_F(memfd, pwrite_then_pread)
{
	char buf[3 * SZ_4K], out[3 * SZ_4K];
	unsigned int i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i * 7 + 3;
	/* Across page boundaries, at an odd offset. */
	ASSERT_EQ(sizeof(buf), pwrite(self->fd, buf, sizeof(buf), SZ_4K + 100));
	memset(out, 0, sizeof(out));
	ASSERT_EQ(sizeof(out), pread(self->fd, out, sizeof(out), SZ_4K + 100));
	EXPECT_EQ(0, memcmp(buf, out, sizeof(buf)));
	/* read() and write() at the file position too. */
	ASSERT_EQ(SZ_4K + 100, lseek(self->fd, SZ_4K + 100, SEEK_SET));
	memset(out, 0, sizeof(out));
	ASSERT_EQ(10, read(self->fd, out, 10));
	EXPECT_EQ(0, memcmp(buf, out, 10));
	EXPECT_EQ(SZ_4K + 110, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	ASSERT_EQ(5, write(self->fd, "hello", 5));
	ASSERT_EQ(5, pread(self->fd, out, 5, 0));
	EXPECT_EQ(0, memcmp("hello", out, 5));
}

TEST_F(memfd, pread_of_a_hole_is_zeros)
{
	char buf[2 * SZ_4K];

	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(sizeof(buf), pread(self->fd, buf, sizeof(buf), 5 * SZ_4K));
	EXPECT_TRUE(filled(buf, sizeof(buf), 0));
	/* Read without allocating: still no data anywhere. */
	EXPECT_EQ(-ENXIO, seek(self->fd, 0, SEEK_DATA));
	EXPECT_EQ(0, seek(self->fd, 0, SEEK_HOLE));
}

TEST_F(memfd, io_at_the_end)
{
	char buf[2 * SZ_4K];
	struct stat st;
	void *bad;

	memset(buf, 0x11, sizeof(buf));
	/* Up to the end: short; at or past it: nothing. */
	EXPECT_EQ(SZ_4K, pread(self->fd, buf, sizeof(buf), MEM_SIZE - SZ_4K));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), MEM_SIZE));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), MEM_SIZE * 4));
	EXPECT_EQ(SZ_4K, pwrite(self->fd, buf, sizeof(buf), MEM_SIZE - SZ_4K));
	EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), MEM_SIZE));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, 1, MEM_SIZE + SZ_4K));
	EXPECT_EQ(ENOSPC, errno);
	/* A buffer that cannot be touched: EFAULT, nothing done. */
	bad = mmap(NULL, SZ_4K, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	EXPECT_EQ(-1, pwrite(self->fd, bad, SZ_4K, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pread(self->fd, bad, SZ_4K, 0));
	EXPECT_EQ(EFAULT, errno);
	munmap(bad, SZ_4K);
	/* The size never changed. */
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(MEM_SIZE, st.st_size);
}

TEST_F(memfd, mmap_shared_and_pwrite_agree)
{
	uint8_t *p = map_shared(self->fd, MEM_SIZE), *q;

	ASSERT_NE(MAP_FAILED, p);
	/* A hole maps as zeros. */
	EXPECT_TRUE(filled(p + 7 * SZ_4K, SZ_4K, 0));
	/* pwrite shows in the mapping... */
	ASSERT_TRUE(put_page(self->fd, 3, 0x3c));
	EXPECT_TRUE(filled(p + 3 * SZ_4K, SZ_4K, 0x3c));
	/* ...and stores through it in pread. */
	memset(p + 9 * SZ_4K, 0x9d, SZ_4K);
	EXPECT_TRUE(page_is(self->fd, 9, 0x9d));
	/* A second mapping of the same file shares the frames. */
	q = map_shared(self->fd, MEM_SIZE);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_TRUE(filled(q + 9 * SZ_4K, SZ_4K, 0x9d));
	q[0] = 0x42;
	EXPECT_EQ(0x42, p[0]);
	munmap(q, MEM_SIZE);
	munmap(p, MEM_SIZE);
}

TEST_F(memfd, mmap_private_is_refused)
{
	void *p;

	p = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, MEM_SIZE, PROT_READ, MAP_PRIVATE, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	if (p != MAP_FAILED)
		munmap(p, MEM_SIZE);
}

TEST_F(memfd, access_beyond_the_size_is_sigbus)
{
	/* A mapping may reach past the end; touching that part may not. */
	volatile uint8_t *p = map_shared(self->fd, 2 * MEM_SIZE);
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	p[MEM_SIZE - 1] = 1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		p[MEM_SIZE] = 1;
		_exit(0);
	}
	EXPECT_EQ(128 + SIGBUS, child_end(pid));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		(void)p[2 * MEM_SIZE - 1];
		_exit(0);
	}
	EXPECT_EQ(128 + SIGBUS, child_end(pid));
	munmap((void *)p, 2 * MEM_SIZE);
}

TEST_F(memfd, punch_hole_zeroes_and_seek_sees_it)
{
	uint8_t *p = map_shared(self->fd, MEM_SIZE);
	unsigned int i;

	ASSERT_NE(MAP_FAILED, p);
	/* Data in pages 1, 2, 3 (pwrite) and 8 (a store). */
	for (i = 1; i <= 3; i++)
		ASSERT_TRUE(put_page(self->fd, i, i));
	p[8 * SZ_4K + 5] = 8;

	EXPECT_EQ(SZ_4K, seek(self->fd, 0, SEEK_DATA));
	EXPECT_EQ(2 * SZ_4K + 7, seek(self->fd, 2 * SZ_4K + 7, SEEK_DATA));
	EXPECT_EQ(0, seek(self->fd, 0, SEEK_HOLE));
	EXPECT_EQ(4 * SZ_4K, seek(self->fd, SZ_4K, SEEK_HOLE));
	EXPECT_EQ(8 * SZ_4K, seek(self->fd, 4 * SZ_4K, SEEK_DATA));
	EXPECT_EQ(9 * SZ_4K, seek(self->fd, 8 * SZ_4K, SEEK_HOLE));
	EXPECT_EQ(-ENXIO, seek(self->fd, 9 * SZ_4K, SEEK_DATA));
	EXPECT_EQ(-ENXIO, seek(self->fd, MEM_SIZE, SEEK_DATA));
	EXPECT_EQ(-ENXIO, seek(self->fd, MEM_SIZE, SEEK_HOLE));
	EXPECT_EQ(-ENXIO, seek(self->fd, -1, SEEK_HOLE));
	/* The position moved to the last answer. */
	EXPECT_EQ(9 * SZ_4K, seek(self->fd, 0, SEEK_CUR));

	/* Pages 2 and 8 go: zeros in pread, the neighbours keep their data. */
	EXPECT_EQ(0, punch(self->fd, 2 * SZ_4K, SZ_4K));
	EXPECT_EQ(0, punch(self->fd, 8 * SZ_4K, SZ_4K));
	EXPECT_TRUE(page_is(self->fd, 2, 0));
	EXPECT_TRUE(page_is(self->fd, 8, 0));
	EXPECT_TRUE(page_is(self->fd, 1, 1));
	EXPECT_TRUE(page_is(self->fd, 3, 3));
	/* Holes again, and pread made no frame there. */
	EXPECT_EQ(2 * SZ_4K, seek(self->fd, SZ_4K, SEEK_HOLE));
	EXPECT_EQ(3 * SZ_4K, seek(self->fd, 2 * SZ_4K, SEEK_DATA));
	EXPECT_EQ(-ENXIO, seek(self->fd, 4 * SZ_4K, SEEK_DATA));
	/* The mapping was zapped: it sees zeros, and its neighbour's data. */
	EXPECT_TRUE(filled(p + 2 * SZ_4K, SZ_4K, 0));
	EXPECT_TRUE(filled(p + 8 * SZ_4K, SZ_4K, 0));
	EXPECT_TRUE(filled(p + 3 * SZ_4K, SZ_4K, 3));
	/* Its touch made the frames again. */
	EXPECT_EQ(4 * SZ_4K, seek(self->fd, SZ_4K, SEEK_HOLE));

	/* Punch errors. */
	EXPECT_EQ(EINVAL, punch(self->fd, 100, SZ_4K));
	EXPECT_EQ(EINVAL, punch(self->fd, 0, 100));
	EXPECT_EQ(EINVAL, punch(self->fd, MEM_SIZE - SZ_4K, 2 * SZ_4K));
	EXPECT_EQ(EINVAL, punch(self->fd, 0, 0));
	EXPECT_TRUE(page_is(self->fd, 1, 1));

	/* All of it. */
	EXPECT_EQ(0, punch(self->fd, 0, MEM_SIZE));
	EXPECT_EQ(-ENXIO, seek(self->fd, 0, SEEK_DATA));
	EXPECT_TRUE(filled(p, MEM_SIZE, 0));
	munmap(p, MEM_SIZE);
}

TEST_F(memfd, other_fallocate_modes_are_eopnotsupp)
{
	static const int modes[] = {
		0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_ZERO_RANGE,
		FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, FALLOC_FL_COLLAPSE_RANGE,
		FALLOC_FL_INSERT_RANGE,
	};
	unsigned int i;

	ASSERT_TRUE(put_page(self->fd, 0, 0x77));
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		EXPECT_EQ(-1, fallocate(self->fd, modes[i], 0, SZ_4K)) {
			TH_LOG("mode %#x", modes[i]);
		}
		EXPECT_EQ(EOPNOTSUPP, errno);
	}
	EXPECT_TRUE(page_is(self->fd, 0, 0x77));
}

TEST_F(memfd, ftruncate_is_refused)
{
	struct stat st;

	EXPECT_EQ(-1, ftruncate(self->fd, 2 * MEM_SIZE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ftruncate(self->fd, SZ_4K));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ftruncate(self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(MEM_SIZE, st.st_size);
	/* Other attributes still change. */
	EXPECT_EQ(0, fchmod(self->fd, 0400));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(0400, st.st_mode & 0777);
}

TEST_F(memfd, memory_outlives_the_fd_in_a_mapping)
{
	uint8_t *p = map_shared(self->fd, MEM_SIZE);

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x5e, MEM_SIZE);
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	/* The mapping holds the file: its frames stay, old and new. */
	EXPECT_TRUE(filled(p, MEM_SIZE, 0x5e));
	p[4 * SZ_4K] = 0x11;
	EXPECT_EQ(0x11, p[4 * SZ_4K]);
	EXPECT_EQ(0x5e, p[4 * SZ_4K + 1]);
	munmap(p, MEM_SIZE);
}

/* The vhost-user pattern: the VMM sends guest memory to a backend process. */
TEST_F(memfd, shared_with_a_child_over_scm_rights)
{
	uint8_t *p;
	int sv[2], got[MAX_FDS];
	pid_t pid;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_TRUE(put_page(self->fd, 5, 0x55));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sv[0]);
		/* Only what came over the socket: the parent's fd is closed. */
		close(self->fd);
		if (recv_fds(sv[1], got) != 1)
			_exit(2);
		p = map_shared(got[0], MEM_SIZE);
		if (p == MAP_FAILED)
			_exit(3);
		if (!filled(p + 5 * SZ_4K, SZ_4K, 0x55))
			_exit(4);
		memset(p + 6 * SZ_4K, 0x66, SZ_4K);
		_exit(0);
	}
	close(sv[1]);
	ASSERT_EQ(0, send_fds(sv[0], &self->fd, 1));
	EXPECT_EQ(0, child_end(pid));
	/* The child's stores, in the parent's file. */
	EXPECT_TRUE(page_is(self->fd, 6, 0x66));
	EXPECT_TRUE(page_is(self->fd, 5, 0x55));
	close(sv[0]);
}

/* A huge memory fd behaves the same; 2 MiB frames are not visible here. */
TEST(huge_memory_fd)
{
	const size_t size = 2 * SZ_2M + SZ_4K;
	uint8_t *p, b = 0;
	int dev, fd;

	NEED_MODULE();
	dev_open(dev);
	ASSERT_EQ(0, _create_memory(dev, size, AXAS_MEMORY_HUGE, &fd));
	p = map_shared(fd, size);
	ASSERT_NE(MAP_FAILED, p);
	p[SZ_2M + 3] = 0x33;
	p[2 * SZ_2M] = 0x44;
	EXPECT_TRUE(page_is(fd, 0, 0));
	ASSERT_EQ(1, pread(fd, &b, 1, SZ_2M + 3));
	EXPECT_EQ(0x33, b);
	/* 4 KiB out of a 2 MiB frame: zeros there, data beside it kept. */
	EXPECT_EQ(0, punch(fd, SZ_2M, SZ_4K));
	EXPECT_TRUE(filled(p + SZ_2M, SZ_4K, 0));
	EXPECT_EQ(0x44, p[2 * SZ_2M]);
	/* pread made no frame: data starts where the stores went. */
	EXPECT_EQ(SZ_2M, seek(fd, 0, SEEK_DATA));
	EXPECT_EQ(0, seek(fd, 0, SEEK_HOLE));
	munmap(p, size);
	close(fd);
	close(dev);
}

TEST_HARNESS_MAIN
