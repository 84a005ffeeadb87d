// SPDX-License-Identifier: GPL-2.0
/*
 * What an operator sees of a space (Documentation/admin-guide.rst,
 * "Observing spaces"): the space fd's fdinfo, the axaddrspace tracepoints,
 * the debugfs directory, and log lines that name the process under a rate
 * limit of each space. Needs root and the module; the tracepoint and
 * debugfs tests skip where tracefs or debugfs is absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/axaddrspace.h>

#include "kselftest_harness.h"
#include "axas_util.h"

#define SPACE_SIZE	SZ_1G
#define AREA		SZ_2M	/* gpa of the area the tests map */
#define RW		(AXAS_READ | AXAS_WRITE)

#define DEBUGFS_DIR	"/sys/kernel/debug/axaddrspace"
#define TEXT_MAX	(1 << 20)

/* ---- Files of name:\tvalue lines ----------------------------------------- */

/*
 * The rest of @fd from its position into a new NUL-terminated buffer. A
 * read of /dev/kmsg fails with EPIPE where a record was overwritten
 * meanwhile: it goes on with the next.
 */
static char *read_rest(int fd)
{
	char *buf = malloc(TEXT_MAX);
	size_t len = 0;
	ssize_t n;

	if (!buf)
		return NULL;
	while (len < TEXT_MAX - 1) {
		n = read(fd, buf + len, TEXT_MAX - 1 - len);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	return buf;
}

/* The whole file at @path into a new NUL-terminated buffer, or NULL. */
static char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *text;

	if (fd < 0)
		return NULL;
	text = read_rest(fd);
	close(fd);
	return text;
}

/* Whether @text has a line "@name:\t..."; its value into *@val. */
static bool field(const char *text, const char *name, uint64_t *val)
{
	size_t len = strlen(name);
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, name, len) && p[len] == ':' && p[len + 1] == '\t') {
			*val = strtoull(p + len + 2, NULL, 0);
			return true;
		}
	}
	return false;
}

/* The field @name of the file at @path, ~0 if the file or line is absent. */
static uint64_t file_field(const char *path, const char *name)
{
	char *text = slurp(path);
	uint64_t val = ~0ULL;

	if (text && !field(text, name, &val))
		val = ~0ULL;
	free(text);
	return val;
}

static void fdinfo_path(char *path, size_t len, int fd)
{
	snprintf(path, len, "/proc/self/fdinfo/%d", fd);
}

/* The axas-id of space fd @fd from its fdinfo, 0 if absent. */
static uint64_t space_id(int fd)
{
	char path[64];
	uint64_t id;

	fdinfo_path(path, sizeof(path), fd);
	id = file_field(path, "axas-id");
	return id == ~0ULL ? 0 : id;
}

/* ---- Fixture: one space at gpa 0, Arm stage 2 48-bit ---------------------- */

FIXTURE(obs) {
	int dev;
	int fd;
};

FIXTURE_SETUP(obs)
{
	self->dev = -1;
	self->fd = -1;
	SETUP_NEEDS_MODULE();
	dev_open(self->dev);
	create(self->dev, 0, SPACE_SIZE, AXAS_FMT_ARM64_S2_48, &self->fd);
}

FIXTURE_TEARDOWN(obs)
{
	close_space(self->fd, self->dev);
}

/* Two lazy pages at AREA, the first faulted in by a write. */
static int map_and_fault(int fd)
{
	uint32_t handled;
	int ret;

	ret = _map_alloc(fd, AREA, 2 * SZ_4K, RW);
	if (ret)
		return ret;
	ret = _fault(fd, AREA, AXAS_WRITE, &handled);
	if (ret)
		return ret;
	return handled == 1 ? 0 : -1;
}

/* ---- fdinfo --------------------------------------------------------------- */

TEST_F(obs, fdinfo_fields_after_map_and_fault)
{
	struct axas_info info;
	char path[64], *text;
	uint64_t v;

	ASSERT_EQ(0, map_and_fault(self->fd));
	ASSERT_EQ(0, _info(self->fd, &info));
	fdinfo_path(path, sizeof(path), self->fd);
	text = slurp(path);
	ASSERT_NE(NULL, text);
	ASSERT_TRUE(field(text, "axas-id", &v));
	EXPECT_NE(0, v);
	ASSERT_TRUE(field(text, "format", &v));
	EXPECT_EQ(AXAS_FMT_ARM64_S2_48, v);
	ASSERT_TRUE(field(text, "base", &v));
	EXPECT_EQ(0, v);
	ASSERT_TRUE(field(text, "size", &v));
	EXPECT_EQ(SPACE_SIZE, v);
	ASSERT_TRUE(field(text, "areas", &v));
	EXPECT_EQ(1, v);
	ASSERT_TRUE(field(text, "mapped_bytes", &v));
	EXPECT_EQ(SZ_4K, v);
	ASSERT_TRUE(field(text, "table_pages", &v));
	EXPECT_EQ(info.table_pages, v);
	EXPECT_LE(2, v);
	ASSERT_TRUE(field(text, "alloc_pages", &v));
	EXPECT_EQ(1, v);
	ASSERT_TRUE(field(text, "faults_handled", &v));
	EXPECT_EQ(1, v);
	/* Root reads: host addresses as GET_INFO gives them. */
	ASSERT_TRUE(field(text, "root_hpa", &v));
	EXPECT_EQ(info.root_hpa, v);
	EXPECT_NE(0, v);
	ASSERT_TRUE(field(text, "hw_root", &v));
	EXPECT_EQ(info.hw_root, v);
	free(text);
}

TEST_F(obs, fdinfo_ids_are_distinct)
{
	int other;

	create(self->dev, 0, SPACE_SIZE, AXAS_FMT_ARM64_S2_48, &other);
	EXPECT_NE(0, space_id(self->fd));
	EXPECT_LT(space_id(self->fd), space_id(other));
	close(other);
}

/*
 * Exit codes of the unprivileged reader: 0 the counters without host
 * addresses, 1 could not drop, 2 no fdinfo, 3 a counter missing, 4 a host
 * address shown. fdinfo is opened as root (after the uid change /proc/self
 * may no longer be the caller's to open) and read as nobody: the check is
 * made against the reading task.
 */
static int nobody_reads_fdinfo(int fd)
{
	char path[64], *text;
	uint64_t v;
	int info;

	fdinfo_path(path, sizeof(path), fd);
	info = open(path, O_RDONLY | O_CLOEXEC);
	if (info < 0)
		return 2;
	if (drop_privileges())
		return 1;
	text = read_rest(info);
	if (!text)
		return 2;
	if (!field(text, "axas-id", &v) || !field(text, "alloc_pages", &v) ||
	    v != 1)
		return 3;
	if (field(text, "root_hpa", &v) || field(text, "hw_root", &v))
		return 4;
	return 0;
}

TEST_F(obs, fdinfo_hides_host_addresses_from_nobody)
{
	ASSERT_EQ(0, map_and_fault(self->fd));
	run_in_child(nobody_reads_fdinfo(self->fd));
}

/* ---- Tracepoints ---------------------------------------------------------- */

/* The tracefs mount with an events directory: mounted here if need be. */
static const char *tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[128];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (!access(path, F_OK))
			return dirs[i];
	}
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL))
		return NULL;
	return access("/sys/kernel/tracing/events", F_OK) ? NULL : dirs[0];
}

static bool trace_write(const char *dir, const char *file, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return write_file(path, val);
}

/* Whether the trace at @dir has "@event: id=@id" and then @after. */
static bool traced(const char *text, const char *event, uint64_t id,
		   const char *after)
{
	char needle[128];

	snprintf(needle, sizeof(needle), "%s: id=%llu%s", event,
		 (unsigned long long)id, after);
	return strstr(text, needle);
}

/* What one create, map, fault, unmap and close of a space trace. */
static const struct {
	const char *event, *after;
} lines[] = {
	{ "axas_space_create", " base=0x0 size=0x40000000" },
	{ "axas_map", " alloc gpa=0x200000 size=0x2000 flags=0x3 ret=0" },
	{ "axas_fault", " gpa=0x200000 access=0x2 ret=0 handled=1 new_frame=1" },
	{ "axas_unmap", " gpa=0x200000 size=0x2000 ret=0" },
	/* The range, or more when tables left empty go too. */
	{ "axas_flush", " gpa=" },
	{ "axas_space_destroy", "\n" },
};

TEST_F(obs, tracepoints_name_the_space)
{
	const char *dir = tracefs();
	char path[160], *text;
	bool found, missing = false;
	unsigned int i;
	uint64_t id;
	int fd;

	if (!dir)
		SKIP(return, "no tracefs");
	snprintf(path, sizeof(path), "%s/events/axaddrspace", dir);
	ASSERT_EQ(0, access(path, F_OK));
	ASSERT_TRUE(trace_write(dir, "tracing_on", "1"));
	ASSERT_TRUE(trace_write(dir, "trace", ""));
	ASSERT_TRUE(trace_write(dir, "events/axaddrspace/enable", "1"));
	create(self->dev, 0, SPACE_SIZE, AXAS_FMT_ARM64_S2_48, &fd);
	id = space_id(fd);
	EXPECT_EQ(0, map_and_fault(fd));
	EXPECT_EQ(0, _unmap(fd, AREA, 2 * SZ_4K));
	close(fd);
	ASSERT_TRUE(trace_write(dir, "events/axaddrspace/enable", "0"));
	snprintf(path, sizeof(path), "%s/trace", dir);
	text = slurp(path);
	ASSERT_NE(NULL, text);
	ASSERT_NE(0, id);
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		found = traced(text, lines[i].event, id, lines[i].after);
		EXPECT_TRUE(found);
		if (!found)
			TH_LOG("no \"%s: id=%llu%s\"", lines[i].event,
			       (unsigned long long)id, lines[i].after);
		missing |= !found;
	}
	if (missing)
		TH_LOG("trace:\n%.4000s", text);
	free(text);
}

/* ---- debugfs -------------------------------------------------------------- */

static void space_dir(char *path, size_t len, int fd, const char *file)
{
	snprintf(path, len, DEBUGFS_DIR "/%d-%d%s", getpid(), fd, file);
}

#define NEED_DEBUGFS() do { \
	if (access(DEBUGFS_DIR, F_OK)) \
		SKIP(return, "no " DEBUGFS_DIR); \
} while (0)

TEST_F(obs, debugfs_dir_follows_the_fd)
{
	char path[128];
	struct stat st;
	int fd;

	NEED_DEBUGFS();
	create(self->dev, 0, SPACE_SIZE, AXAS_FMT_ARM64_S2_48, &fd);
	space_dir(path, sizeof(path), fd, "");
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	close(fd);
	EXPECT_EQ(-1, stat(path, &st));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(obs, debugfs_info_matches_fdinfo)
{
	char path[128];

	NEED_DEBUGFS();
	ASSERT_EQ(0, map_and_fault(self->fd));
	space_dir(path, sizeof(path), self->fd, "/info");
	EXPECT_EQ(space_id(self->fd), file_field(path, "axas-id"));
	EXPECT_EQ(1, file_field(path, "alloc_pages"));
	EXPECT_EQ(1, file_field(path, "faults_handled"));
	EXPECT_EQ(SZ_4K, file_field(path, "mapped_bytes"));
	EXPECT_NE(~0ULL, file_field(path, "root_hpa"));
}

/* An info file open across the close: the space lives until it is closed. */
TEST_F(obs, debugfs_info_open_across_close)
{
	char path[128], buf[4096];
	int fd, info;

	NEED_DEBUGFS();
	create(self->dev, 0, SPACE_SIZE, AXAS_FMT_ARM64_S2_48, &fd);
	space_dir(path, sizeof(path), fd, "/info");
	info = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, info);
	close(fd);
	/* Gone from debugfs: a read fails, and never sees freed memory. */
	if (read(info, buf, sizeof(buf)) < 0)
		EXPECT_EQ(EIO, errno);
	EXPECT_EQ(0, close(info));
}

TEST_F(obs, debugfs_summary_counts_spaces)
{
	uint64_t before, during, after;
	int fd;

	NEED_DEBUGFS();
	before = file_field(DEBUGFS_DIR "/summary", "spaces");
	ASSERT_NE(~0ULL, before);
	create(self->dev, 0, SPACE_SIZE, AXAS_FMT_ARM64_S2_48, &fd);
	during = file_field(DEBUGFS_DIR "/summary", "spaces");
	close(fd);
	after = file_field(DEBUGFS_DIR "/summary", "spaces");
	EXPECT_EQ(before + 1, during);
	EXPECT_EQ(before, after);
}

/* ---- Log lines ------------------------------------------------------------ */

static int bad_unmap(int fd, uint32_t op_flags)
{
	struct axas_range r = { .gpa = AREA, .size = SZ_4K, .op_flags = op_flags };

	return xioctl(fd, AXAS_UNMAP, &r);
}

static int count(const char *text, const char *needle)
{
	int n = 0;

	for (; (text = strstr(text, needle)); text++)
		n++;
	return n;
}

/*
 * Bad input is logged as "comm[pid]: ...", rate limited per space: a space
 * flooding the log leaves another space's line through.
 */
TEST_F(obs, log_lines_name_the_process_per_space)
{
	char noisy[128], quiet[128], *text;
	int i, fd, kmsg, n;

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg < 0)
		SKIP(return, "no /dev/kmsg: %s", strerror(errno));
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));
	create(self->dev, 0, SPACE_SIZE, AXAS_FMT_ARM64_S2_48, &fd);
	for (i = 0; i < 30; i++)
		EXPECT_EQ(EINVAL, bad_unmap(self->fd, 0x40));
	EXPECT_EQ(EINVAL, bad_unmap(fd, 0x80));
	close(fd);
	text = read_rest(kmsg);	/* the records since its position */
	close(kmsg);
	ASSERT_NE(NULL, text);
	snprintf(noisy, sizeof(noisy), "observe_test[%d]: unmap: unknown op_flags 0x40 ",
		 getpid());
	snprintf(quiet, sizeof(quiet), "observe_test[%d]: unmap: unknown op_flags 0x80 ",
		 getpid());
	n = count(text, noisy);
	EXPECT_LE(1, n);
	EXPECT_GT(30, n);	/* DEFAULT_RATELIMIT_BURST is 10 */
	EXPECT_EQ(1, count(text, quiet));
	free(text);
}

TEST_HARNESS_MAIN
