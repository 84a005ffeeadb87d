// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel lockdown (ABI version 2): once the kernel is locked down for
 * integrity, AXAS_MAP_LINEAR is refused even to root, as /dev/mem is, while
 * allocated guest memory keeps working.
 *
 * Raising the lockdown level cannot be undone until the next boot: the VM's
 * /init runs this test after every other one. The tests run in order: a
 * linear map works, lockdown is raised, then the checks under lockdown.
 * Needs root, the module and the lockdown LSM; else every test skips.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <linux/axaddrspace.h>

#include "kselftest_harness.h"
#include "axas_util.h"

#define SECURITYFS	"/sys/kernel/security"
#define LOCKDOWN	SECURITYFS "/lockdown"

#define RW		(AXAS_READ | AXAS_WRITE)

enum { LOCK_NONE, LOCK_INTEGRITY, LOCK_CONFIDENTIALITY };

/* ---- Lockdown ------------------------------------------------------------- */

/* The current level: the bracketed word of "none [integrity] ...", or -1. */
static int lockdown_level(void)
{
	static const char * const names[] = {
		"[none]", "[integrity]", "[confidentiality]",
	};
	char buf[128] = { 0 };
	int fd = open(LOCKDOWN, O_RDONLY | O_CLOEXEC), i;

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	for (i = 0; i < (int)ARRAY_SIZE(names); i++)
		if (strstr(buf, names[i]))
			return i;
	return -1;
}

/* The reason to skip, or NULL; mounts securityfs if needed. */
static const char *lockdown_skip(void)
{
	const char *skip = need_root_and_module();

	if (skip)
		return skip;
	if (access(LOCKDOWN, F_OK))
		mount("securityfs", SECURITYFS, "securityfs", 0, NULL);
	if (access(LOCKDOWN, F_OK))
		return "no lockdown LSM (no " LOCKDOWN ")";
	if (lockdown_level() < 0)
		return "cannot read " LOCKDOWN;
	return NULL;
}

FIXTURE(lockdown) {
	const char *skip;
	int dev;
	int fd;
	uint64_t host;
};

FIXTURE_SETUP(lockdown)
{
	self->dev = -1;
	self->fd = -1;
	self->skip = lockdown_skip();
	if (self->skip)
		return;
	/* A host range that is neither RAM nor claimed (as in priv_test.c) */
	self->host = probe_pci_hole(HOLE_SIZE);
	dev_open(self->dev);
	create(self->dev, 0, SZ_1G, AXAS_FMT_X86_EPT4, &self->fd);
}

FIXTURE_TEARDOWN(lockdown)
{
	close_space(self->fd, self->dev);
}

/* kselftest 6.1 runs the test after a SKIP in setup: skip in the test. */
#define need_lockdown() do { \
	if (self->skip) \
		SKIP(return, "%s", self->skip); \
} while (0)

#define LIN_GPA		(4 * SZ_2M)

/* Before: root maps the host range, so a refusal later is lockdown's. */
TEST_F(lockdown, map_linear_before_lockdown)
{
	struct axas_translate t;
	struct axas_info i;

	need_lockdown();
	NEED_HOLE(self->host);
	if (lockdown_level() != LOCK_NONE)
		SKIP(return, "the kernel is locked down already");
	ASSERT_EQ(0, _map_linear(self->fd, LIN_GPA, self->host, SZ_2M,
				 AXAS_READ | AXAS_DEVICE));
	ASSERT_EQ(0, _translate(self->fd, LIN_GPA + 0x123, &t));
	EXPECT_EQ(self->host + 0x123, t.hpa);
	EXPECT_EQ(AXAS_BACKEND_LINEAR, t.backend);
	ASSERT_EQ(0, _unmap(self->fd, LIN_GPA, SZ_2M));
	ASSERT_EQ(0, _info(self->fd, &i));
	EXPECT_EQ(0, i.nr_areas);
	EXPECT_EQ(0, i.mapped_bytes);
}

TEST_F(lockdown, raise_to_integrity)
{
	static const char level[] = "integrity";
	int fd;

	need_lockdown();
	if (lockdown_level() == LOCK_NONE) {
		fd = open(LOCKDOWN, O_WRONLY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		EXPECT_EQ(strlen(level), write(fd, level, strlen(level)));
		close(fd);
	}
	EXPECT_LE(LOCK_INTEGRITY, lockdown_level());
}

TEST_F(lockdown, map_linear_eperm)
{
	struct axas_info before, after;
	struct axas_translate t;

	need_lockdown();
	NEED_HOLE(self->host);
	ASSERT_LE(LOCK_INTEGRITY, lockdown_level());
	ASSERT_EQ(0, _map_alloc(self->fd, 0, SZ_4K, RW | AXAS_MAP_POPULATE));
	ASSERT_EQ(0, _info(self->fd, &before));
	EXPECT_EQ(EPERM, _map_linear(self->fd, LIN_GPA, self->host, SZ_2M,
				     AXAS_READ | AXAS_DEVICE));
	EXPECT_EQ(EPERM, _map_linear(self->fd, LIN_GPA, self->host, SZ_4K,
				     AXAS_READ));
	ASSERT_EQ(0, _info(self->fd, &after));
	EXPECT_EQ(before.nr_areas, after.nr_areas);
	EXPECT_EQ(before.mapped_bytes, after.mapped_bytes);
	EXPECT_EQ(before.table_pages, after.table_pages);
	EXPECT_EQ(ENOENT, _translate(self->fd, LIN_GPA, &t));
}

/* Allocated guest memory is the kernel's own: no lockdown concern. */
TEST_F(lockdown, alloc_works_under_lockdown)
{
	char in[64], out[64];
	struct axas_translate t;
	struct axas_info i;
	size_t k;

	need_lockdown();
	ASSERT_LE(LOCK_INTEGRITY, lockdown_level());
	for (k = 0; k < sizeof(in); k++)
		in[k] = (char)(k * 13 + 1);
	ASSERT_EQ(0, _map_alloc(self->fd, 0, SZ_2M, RW | AXAS_MAP_POPULATE));
	ASSERT_EQ(0, _map_alloc(self->fd, SZ_2M, 4 * SZ_4K, RW));
	EXPECT_EQ(sizeof(in), pwrite(self->fd, in, sizeof(in), SZ_2M - 32));
	memset(out, 0, sizeof(out));
	EXPECT_EQ(sizeof(out), pread(self->fd, out, sizeof(out), SZ_2M - 32));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)));
	EXPECT_EQ(0, _translate(self->fd, SZ_2M + 8, &t));
	EXPECT_EQ(AXAS_BACKEND_ALLOC, t.backend);
	EXPECT_EQ(SZ_4K, t.page_size);
	EXPECT_EQ(0, _unmap(self->fd, 0, SZ_2M + 4 * SZ_4K));
	ASSERT_EQ(0, _info(self->fd, &i));
	EXPECT_EQ(0, i.nr_areas);
	EXPECT_EQ(0, i.alloc_pages);
}

TEST_HARNESS_MAIN
