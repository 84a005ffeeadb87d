// SPDX-License-Identifier: GPL-2.0
/*
 * axasctl (tools/axasctl), the operator's CLI, run as a program: its output,
 * its JSON (checked by a small validating parser here) and its exit codes
 * (0 ok, 1 kernel error, 2 usage, 3 not found, 4 permission). The test
 * process makes a space and axasctl attaches to it with --pid getpid()
 * --fd N, through pidfd_getfd().
 *
 * The Makefile builds axasctl beside this test, without its execute bits
 * (the VM's /init runs every executable file of /tests): the test copies
 * it to an executable file in /tmp, or takes $AXASCTL. Needs root and the
 * module loaded; else the tests that need a space skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/axaddrspace.h>

#include "kselftest_harness.h"
#include "axas_util.h"

#define OUT_MAX		(256 * 1024)
#define MAX_ARGV	32

/* Unmapped: inside the space, no area; outside: beyond its 4 GiB. */
#define AREA_GPA	0x100000ULL
#define UNMAPPED	"0x400000"
#define OUTSIDE		"0x200000000"

/* Exit statuses of Documentation/axasctl.rst. */
#define E_OK		0
#define E_KERNEL	1
#define E_USAGE		2
#define E_NOTFOUND	3
#define E_PERM		4

/* ---- Finding and running axasctl ----------------------------------------- */

static char ctl[PATH_MAX + 16];	/* the binary to run, "" if none */
static pid_t ctl_owner;		/* the process that made a copy of it */

static int copy_exec(const char *src)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out;
	struct stat st;
	ssize_t n = -1;

	snprintf(ctl, sizeof(ctl), "/tmp/axasctl-XXXXXX");
	out = in < 0 ? -1 : mkostemp(ctl, O_CLOEXEC);
	if (out >= 0 && !fstat(in, &st) && !fchmod(out, 0755))
		n = sendfile(out, in, NULL, st.st_size);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (out >= 0 && n == st.st_size) {
		ctl_owner = getpid();
		return 0;
	}
	if (out >= 0)
		unlink(ctl);
	ctl[0] = '\0';
	return -1;
}

/* $AXASCTL, or axasctl beside this test: executable, or copied. */
static void __attribute__((constructor)) find_axasctl(void)
{
	char exe[PATH_MAX], src[PATH_MAX + 16];
	const char *env = getenv("AXASCTL");
	ssize_t n;

	if (env) {
		snprintf(ctl, sizeof(ctl), "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	snprintf(src, sizeof(src), "%s/axasctl", dirname(exe));
	if (!access(src, X_OK))
		snprintf(ctl, sizeof(ctl), "%s", src);
	else
		copy_exec(src);
}

static void __attribute__((destructor)) drop_copy(void)
{
	if (ctl_owner && ctl_owner == getpid())
		unlink(ctl);
}

struct run {
	int status;		/* exit status, -1 if killed */
	char out[OUT_MAX];	/* stdout */
	char err[OUT_MAX];	/* stderr */
};

static void slurp(FILE *f, char *buf)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, OUT_MAX - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void __attribute__((noreturn))
exec_ctl(FILE *o, FILE *e, bool drop, char **argv)
{
	if (dup2(fileno(o), 1) < 0 || dup2(fileno(e), 2) < 0)
		_exit(126);
	if (drop && drop_privileges())
		_exit(125);
	execv(ctl, argv);
	_exit(127);
}

/* Runs axasctl with the NULL-terminated args, as nobody if drop. */
static int run_ctl(struct run *r, bool drop, const char *const *args)
{
	char *argv[MAX_ARGV] = { "axasctl" };
	FILE *o = tmpfile(), *e = tmpfile();
	int i, st;
	pid_t pid;

	for (i = 0; args[i] && i < MAX_ARGV - 2; i++)
		argv[i + 1] = (char *)args[i];
	if (!o || !e || !ctl[0])
		return -1;
	fflush(NULL);
	pid = fork();
	if (!pid)
		exec_ctl(o, e, drop, argv);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	slurp(o, r->out);
	slurp(e, r->err);
	return 0;
}

static struct run *new_run(void)
{
	static struct run r;

	memset(&r, 0, sizeof(r));
	return &r;
}

/* The run, logged; the test fails if axasctl did not run. */
static struct run *run_checked(struct __test_metadata *_metadata, bool drop,
			       const char *const *args)
{
	struct run *r = new_run();

	ASSERT_TRUE(ctl[0]) TH_LOG("no axasctl beside the test, nor $AXASCTL");
	ASSERT_EQ(0, run_ctl(r, drop, args));
	TH_LOG("%s ...: exit %d\nstdout: %.300s\nstderr: %.300s", args[0], r->status,
	       r->out, r->err);
	return r;
}

/* RUN(r, "args", ...): r gets the run. */
#define RUN_AS(r, drop, ...) \
	((r) = run_checked(_metadata, drop, (const char *const[]){ __VA_ARGS__, NULL }))
#define RUN(r, ...)	RUN_AS(r, false, __VA_ARGS__)

static bool has(const char *s, const char *sub)
{
	return strstr(s, sub);
}

/* ---- A validating JSON parser: each line of --json is one value ---------- */

static const char *j_value(const char *p);

static const char *j_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

static const char *j_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if (!*p || (unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\' && !*++p)
			return NULL;
	}
	return p + 1;
}

static const char *j_number(const char *p)
{
	char *end;

	if (*p != '-' && (*p < '0' || *p > '9'))
		return NULL;
	strtod(p, &end);
	return end;
}

static const char *j_word(const char *p)
{
	static const char *const words[] = { "true", "false", "null" };
	unsigned int i;

	for (i = 0; i < 3; i++)
		if (!strncmp(p, words[i], strlen(words[i])))
			return p + strlen(words[i]);
	return j_number(p);
}

/* An object ({) or array ([) at p, members separated by commas. */
static const char *j_nest(const char *p)
{
	char close = *p == '{' ? '}' : ']';

	p = j_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			p = j_string(j_ws(p));
			if (!p)
				return NULL;
			p = j_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = j_value(p);
		if (!p)
			return NULL;
		p = j_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *j_value(const char *p)
{
	p = j_ws(p);
	if (*p == '{' || *p == '[')
		return j_nest(p);
	if (*p == '"')
		return j_string(p);
	return j_word(p);
}

/* Every line of s is one JSON object; returns the number of lines, -1 if not. */
static int json_lines(const char *s)
{
	const char *p;
	int n = 0;

	while (*s) {
		if (*j_ws(s) != '{')
			return -1;
		p = j_value(s);
		if (!p || *p != '\n')
			return -1;
		s = p + 1;
		n++;
	}
	return n;
}

/* The number after "key": in s, or -1. */
static long long json_num(const char *s, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(s, pat);
	if (!p || p[strlen(pat)] < '0' || p[strlen(pat)] > '9')
		return -1;
	return strtoll(p + strlen(pat), NULL, 10);
}

/* ---- The device ---------------------------------------------------------- */

static long dev_ioctl(unsigned long req, unsigned long arg)
{
	int dev, err = _dev_open(&dev);
	long v;

	if (err)
		return -err;
	v = ioctl(dev, req, arg);
	if (v < 0)
		v = -errno;
	close(dev);
	return v;
}

TEST(version)
{
	long v = dev_ioctl(AXAS_GET_API_VERSION, 0);
	struct run *r;
	char want[64];

	NEED_MODULE();
	ASSERT_LT(0, v);
	RUN(r, "version");
	EXPECT_EQ(E_OK, r->status);
	snprintf(want, sizeof(want), "api_version %ld (axasctl built for %d)\n", v,
		 AXAS_API_VERSION);
	EXPECT_STREQ(want, r->out);
	EXPECT_STREQ("", r->err);
	RUN(r, "--json", "version");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_EQ(1, json_lines(r->out));
	EXPECT_TRUE(has(r->out, "{\"command\":\"version\","));
	EXPECT_EQ(v, json_num(r->out, "api_version"));
	EXPECT_EQ(AXAS_API_VERSION, json_num(r->out, "header_api_version"));
}

/* Format names of the UAPI numbers, as axasctl spells them. */
static const char *const fmt_names[] = {
	[AXAS_FMT_X86_EPT4] = "ept4", [AXAS_FMT_X86_EPT5] = "ept5",
	[AXAS_FMT_ARM64_S2_40] = "arm40", [AXAS_FMT_ARM64_S2_48] = "arm48",
	[AXAS_FMT_RISCV_SV39X4] = "sv39x4", [AXAS_FMT_RISCV_SV48X4] = "sv48x4",
	[AXAS_FMT_X86_NPT4] = "npt4", [AXAS_FMT_X86_NPT5] = "npt5",
	[AXAS_FMT_RISCV_SV57X4] = "sv57x4",
};

TEST(caps_json)
{
	long mask = dev_ioctl(AXAS_CHECK_EXTENSION, AXAS_CAP_FORMATS);
	struct run *r;
	char name[32];
	unsigned int f;

	NEED_MODULE();
	ASSERT_LT(0, mask);
	RUN(r, "--json", "caps");
	ASSERT_EQ(E_OK, r->status);
	ASSERT_EQ(1, json_lines(r->out));
	EXPECT_TRUE(has(r->out, "{\"command\":\"caps\",\"formats\":[\""));
	EXPECT_EQ(mask, json_num(r->out, "formats_mask"));
	EXPECT_EQ(dev_ioctl(AXAS_CHECK_EXTENSION, AXAS_CAP_MAX_SPACES),
		  json_num(r->out, "max_spaces"));
	EXPECT_EQ(dev_ioctl(AXAS_CHECK_EXTENSION, AXAS_CAP_TRANSLATE_BATCH),
		  json_num(r->out, "translate_batch"));
	EXPECT_TRUE(has(r->out, dev_ioctl(AXAS_CHECK_EXTENSION, AXAS_CAP_EPT_EXEC_ONLY) ?
			"\"ept_exec_only\":true" : "\"ept_exec_only\":false"));
	/* This module has every format of the header, npt4 .. sv57x4 included. */
	EXPECT_TRUE(mask & (1 << AXAS_FMT_RISCV_SV57X4));
	for (f = 1; f < ARRAY_SIZE(fmt_names); f++) {
		snprintf(name, sizeof(name), "\"%s\"", fmt_names[f]);
		EXPECT_EQ(!!(mask & (1 << f)), has(r->out, name)) TH_LOG("format %u", f);
	}
}

TEST(caps_text)
{
	long batch = dev_ioctl(AXAS_CHECK_EXTENSION, AXAS_CAP_TRANSLATE_BATCH);
	long mask = dev_ioctl(AXAS_CHECK_EXTENSION, AXAS_CAP_FORMATS);
	char want[256];
	struct run *r;
	unsigned int f;
	size_t n;

	NEED_MODULE();
	n = snprintf(want, sizeof(want), "formats        ");
	for (f = 1; f < ARRAY_SIZE(fmt_names); f++)
		if (mask & (1 << f))
			n += snprintf(want + n, sizeof(want) - n, " %s", fmt_names[f]);
	snprintf(want + n, sizeof(want) - n, " (mask 0x%lx)\n", mask);
	RUN(r, "caps");
	ASSERT_EQ(E_OK, r->status);
	EXPECT_TRUE(has(r->out, want)) TH_LOG("want %s", want);
	snprintf(want, sizeof(want), "\ntranslate_batch %ld", batch);
	EXPECT_TRUE(has(r->out, want));
	EXPECT_TRUE(has(r->out, "\nmax_spaces "));
	EXPECT_TRUE(has(r->out, "\nept_exec_only "));
}

TEST(usage_errors)
{
	struct run *r;

	RUN(r, "--bogus");
	EXPECT_EQ(E_USAGE, r->status);
	EXPECT_STREQ("", r->out);
	RUN(r, "--pid", "1");
	EXPECT_EQ(E_USAGE, r->status);
	EXPECT_TRUE(has(r->err, "--pid needs --fd"));
	RUN(r, "--pid", "x1", "--fd", "3", "info");
	EXPECT_EQ(E_USAGE, r->status);
	RUN(r, "no-such-command");
	EXPECT_EQ(E_USAGE, r->status);
	EXPECT_TRUE(has(r->err, "unknown command"));
	RUN(r, "info");
	EXPECT_EQ(E_USAGE, r->status);
	EXPECT_TRUE(has(r->err, "no space yet"));
	RUN(r, "-h");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_TRUE(has(r->out, "translate-batch <gpa>..."));
}

TEST(missing_device)
{
	struct run *r;

	RUN(r, "-d", "/nonexistent/axaddrspace", "version");
	EXPECT_EQ(E_NOTFOUND, r->status);
	EXPECT_STREQ("", r->out);
	EXPECT_TRUE(has(r->err, "ENOENT"));
}

/* ---- Scripts and command lines, as before --------------------------------- */

TEST(command_line_run)
{
	struct run *r;

	NEED_MODULE();
	RUN(r, "create", "npt4", "0", "4G", ";", "map-alloc", "0", "2M", "rw,populate",
	    ";", "translate", "0x10", ";", "!", "translate", UNMAPPED);
	EXPECT_EQ(E_OK, r->status);
	EXPECT_TRUE(has(r->out, "axas> create npt4 0 4G\n"));
	EXPECT_TRUE(has(r->out, "  gpa 0x10 -> hpa 0x"));
	EXPECT_TRUE(has(r->out, "axas> ! translate " UNMAPPED "\n  (failed as expected)\n"));
	/* The expected failure's message, on stderr only. */
	EXPECT_TRUE(has(r->err, "ENOENT"));
	EXPECT_FALSE(has(r->out, "ENOENT"));
}

TEST(script_stops_with_status)
{
	static const char script[] =
		"# lazy: nothing to translate yet\n"
		"create ept4 0 1G\nmap-alloc 0 2M rw\ntranslate 0x1000\necho not reached\n";
	char path[] = "/tmp/axasctl-script-XXXXXX";
	struct run *r;
	int fd;

	NEED_MODULE();
	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(script) - 1, write(fd, script, sizeof(script) - 1));
	close(fd);
	RUN(r, "-f", path);
	unlink(path);
	EXPECT_EQ(E_NOTFOUND, r->status);
	EXPECT_TRUE(has(r->out, "# lazy: nothing to translate yet\naxas> create ept4 0 1G\n"));
	EXPECT_FALSE(has(r->out, "not reached"));
	EXPECT_TRUE(has(r->err, "translate 0x1000: ENOENT"));
	EXPECT_TRUE(has(r->err, ":4: stopped at the first unexpected error"));
}

TEST(json_command_line)
{
	struct run *r;

	NEED_MODULE();
	RUN(r, "--json", "create", "sv57x4", "0", "1G", ";", "map-alloc", "0", "2M", "rw",
	    ";", "info", ";", "!", "clear", "x");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_EQ(4, json_lines(r->out));
	EXPECT_TRUE(has(r->out, "{\"command\":\"create\",\"ok\":true}\n"
			"{\"command\":\"map-alloc\",\"ok\":true}\n{\"command\":\"info\","));
	EXPECT_TRUE(has(r->out, "\"format\":\"sv57x4\""));
	EXPECT_EQ(1, json_num(r->out, "nr_areas"));
	EXPECT_TRUE(has(r->out, "{\"command\":\"clear\",\"failed_as_expected\":true}\n"));
}

/* ---- Attached to a space of this process ---------------------------------- */

FIXTURE(space) {
	int dev, fd;
	char pid[16], fdstr[16];
};

FIXTURE_SETUP(space)
{
	self->dev = -1;
	self->fd = -1;
	SETUP_NEEDS_MODULE();
	dev_open(self->dev);
	create(self->dev, 0, 4 * SZ_1G, AXAS_FMT_X86_NPT4, &self->fd);
	ASSERT_EQ(0, _map_alloc(self->fd, AREA_GPA, SZ_2M,
				AXAS_READ | AXAS_WRITE | AXAS_MAP_POPULATE));
	snprintf(self->pid, sizeof(self->pid), "%d", getpid());
	snprintf(self->fdstr, sizeof(self->fdstr), "%d", self->fd);
}

FIXTURE_TEARDOWN(space)
{
	close_space(self->fd, self->dev);
}

/* ATTACH(r, "cmd", ...): axasctl --pid <us> --fd <space> cmd ... */
#define ATTACH(r, ...)	RUN(r, "--pid", self->pid, "--fd", self->fdstr, __VA_ARGS__)
#define ATTACH_JSON(r, ...) \
	RUN(r, "--json", "--pid", self->pid, "--fd", self->fdstr, __VA_ARGS__)

TEST_F(space, info)
{
	struct run *r;

	ATTACH(r, "info");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_TRUE(has(r->out, "  space    0x0-0xffffffff (4G), format npt4, 4 levels,"));
	EXPECT_TRUE(has(r->out, " 48 gpa bits\n"));
	EXPECT_TRUE(has(r->out, "  areas    1, mapped 2M,"));
	EXPECT_STREQ("", r->err);
	ATTACH_JSON(r, "info");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_EQ(1, json_lines(r->out));
	EXPECT_TRUE(has(r->out, "{\"command\":\"info\",\"base\":\"0x0\",\"size\":4294967296,"));
	EXPECT_TRUE(has(r->out, ",\"format\":\"npt4\",\"format_id\":7,"));
	EXPECT_TRUE(has(r->out, ",\"levels\":4,\"gpa_bits\":48,"));
	EXPECT_EQ(1, json_num(r->out, "nr_areas"));
	EXPECT_EQ(SZ_2M, json_num(r->out, "mapped_bytes"));
}

TEST_F(space, areas)
{
	struct run *r;

	ATTACH(r, "areas");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_TRUE(has(r->out, "  0000000000100000-0000000000300000 rw-"));
	EXPECT_TRUE(has(r->out, " alloc  0000000000000000  (2M)\n"));
	ATTACH_JSON(r, "areas");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_EQ(1, json_lines(r->out));
	EXPECT_TRUE(has(r->out, "{\"command\":\"areas\",\"count\":1,\"areas\":[{"));
	EXPECT_TRUE(has(r->out, "[{\"gpa\":\"0x100000\",\"size\":2097152,\"hpa\":\"0x0\","));
	EXPECT_TRUE(has(r->out, "\"backend\":\"alloc\"}]}\n"));
}

TEST_F(space, translate_mapped)
{
	struct axas_translate t;
	struct run *r;
	char want[128];

	ASSERT_EQ(0, _translate(self->fd, AREA_GPA + 0x10, &t));
	ATTACH(r, "translate", "0x100010");
	EXPECT_EQ(E_OK, r->status);
	snprintf(want, sizeof(want), "  gpa 0x100010 -> hpa 0x%llx, ",
		 (unsigned long long)t.hpa);
	EXPECT_TRUE(has(r->out, want));
	EXPECT_TRUE(has(r->out, "area 0x100000-0x2fffff rw-"));
	EXPECT_TRUE(has(r->out, " alloc\n"));
	EXPECT_STREQ("", r->err);
	ATTACH_JSON(r, "translate", "0x100010");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_EQ(1, json_lines(r->out));
	EXPECT_TRUE(has(r->out, "\"gpa\":\"0x100010\",\"mapped\":true,"));
	EXPECT_EQ(t.page_size, json_num(r->out, "page_size"));
	EXPECT_TRUE(has(r->out, "\"area_start\":\"0x100000\",\"area_size\":2097152,"));
}

TEST_F(space, translate_unmapped)
{
	struct run *r;

	ATTACH(r, "translate", UNMAPPED);
	EXPECT_EQ(E_NOTFOUND, r->status);
	EXPECT_STREQ("", r->out);
	EXPECT_TRUE(has(r->err, "translate " UNMAPPED ": ENOENT"));
	EXPECT_TRUE(has(r->err, "gpa not mapped"));
	ATTACH(r, "translate", OUTSIDE);
	EXPECT_EQ(E_NOTFOUND, r->status);
	EXPECT_TRUE(has(r->err, "EINVAL"));
	ATTACH_JSON(r, "translate", UNMAPPED);
	EXPECT_EQ(E_NOTFOUND, r->status);
	EXPECT_STREQ("{\"command\":\"translate\",\"gpa\":\"" UNMAPPED "\",\"mapped\":false}\n",
		     r->out);
}

TEST_F(space, translate_batch)
{
	struct run *r;

	ATTACH(r, "translate-batch", "0x100000", "0x2fffff");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_TRUE(has(r->out, "  gpa 0x100000 -> hpa 0x"));
	EXPECT_TRUE(has(r->out, "  gpa 0x2fffff -> hpa 0x"));
	ATTACH_JSON(r, "translate-batch", "0x100000", UNMAPPED, OUTSIDE);
	EXPECT_EQ(E_NOTFOUND, r->status);
	EXPECT_EQ(1, json_lines(r->out));
	EXPECT_TRUE(has(r->out, "{\"command\":\"translate-batch\",\"count\":3,\"results\":[{"));
	EXPECT_TRUE(has(r->out, "[{\"gpa\":\"0x100000\",\"mapped\":true,"));
	EXPECT_TRUE(has(r->out, "},{\"gpa\":\"" UNMAPPED "\",\"mapped\":false},"));
	EXPECT_TRUE(has(r->out, ",{\"gpa\":\"" OUTSIDE "\",\"mapped\":false}]}\n"));
	EXPECT_TRUE(has(r->err, "2 of 3 gpas not mapped"));
}

TEST_F(space, dump)
{
	struct run *r;

	ATTACH(r, "dump", "-s");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_TRUE(has(r->out, ", format npt4\n"));
	EXPECT_TRUE(has(r->out, "  check: tables well formed"));
	ATTACH_JSON(r, "dump");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_EQ(1, json_lines(r->out));
	EXPECT_TRUE(has(r->out, "\"format\":\"npt4\""));
	EXPECT_EQ(0, json_num(r->out, "errors"));
	EXPECT_EQ(SZ_2M, 4096 * json_num(r->out, "leaves_4k") +
		  SZ_2M * json_num(r->out, "leaves_2m"));
}

TEST_F(space, read)
{
	static const char bytes[] = "axasctl!";
	struct run *r;

	ASSERT_EQ(8, pwrite(self->fd, bytes, 8, AREA_GPA + 0x20));
	ATTACH(r, "read", "0x100020", "8");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_TRUE(has(r->out, "  0000000000100020  61 78 61 73 63 74 6c 21"));
	EXPECT_TRUE(has(r->out, "|axasctl!|\n"));
	ATTACH_JSON(r, "read", "0x100020", "8");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_EQ(1, json_lines(r->out));
	EXPECT_TRUE(has(r->out, "\"length\":8,\"data\":\"6178617363746c21\"}\n"));
}

/* The space answers for its format: npt4 is no EPT format. */
TEST_F(space, caps_of_space)
{
	long eo;
	struct run *r;

	eo = ioctl(self->fd, AXAS_CHECK_EXTENSION, AXAS_CAP_EPT_EXEC_ONLY);
	ASSERT_LE(0, eo);
	ATTACH_JSON(r, "caps");
	EXPECT_EQ(E_OK, r->status);
	EXPECT_EQ(1, json_lines(r->out));
	EXPECT_TRUE(has(r->out, eo ? "\"ept_exec_only\":true" : "\"ept_exec_only\":false"));
	EXPECT_EQ(ioctl(self->fd, AXAS_CHECK_EXTENSION, AXAS_CAP_TRANSLATE_BATCH),
		  json_num(r->out, "translate_batch"));
}

/* Only read-only commands: the space is someone else's. */
TEST_F(space, attached_read_only)
{
	struct axas_info i;
	struct run *r;

	ATTACH(r, "clear");
	EXPECT_EQ(E_USAGE, r->status);
	EXPECT_TRUE(has(r->err, "read-only"));
	ATTACH(r, "translate");
	EXPECT_EQ(E_USAGE, r->status);
	ASSERT_EQ(0, _info(self->fd, &i));
	EXPECT_EQ(1, i.nr_areas);
}

TEST_F(space, bad_fd)
{
	struct run *r;

	RUN(r, "--pid", self->pid, "--fd", "999", "info");
	EXPECT_EQ(E_NOTFOUND, r->status);
	EXPECT_STREQ("", r->out);
	EXPECT_TRUE(has(r->err, "has no fd 999"));
}

TEST_F(space, not_a_space)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct run *r;
	char fd[16];

	ASSERT_LE(0, null);
	snprintf(fd, sizeof(fd), "%d", null);
	RUN(r, "--pid", self->pid, "--fd", fd, "info");
	close(null);
	EXPECT_EQ(E_NOTFOUND, r->status);
	EXPECT_TRUE(has(r->err, "is not an axaddrspace space"));
}

TEST_F(space, no_such_pid)
{
	struct run *r;
	char pid[16];
	pid_t child;

	child = fork();
	ASSERT_LE(0, child);
	if (!child)
		_exit(0);
	ASSERT_EQ(child, waitpid(child, NULL, 0));
	snprintf(pid, sizeof(pid), "%d", child);
	RUN(r, "--pid", pid, "--fd", "0", "info");
	EXPECT_EQ(E_NOTFOUND, r->status);
	EXPECT_TRUE(has(r->err, "no such process"));
}

/* nobody may not take an fd of a root process. */
TEST_F(space, permission)
{
	struct run *r;

	RUN_AS(r, true, "--pid", self->pid, "--fd", self->fdstr, "info");
	EXPECT_EQ(E_PERM, r->status);
	EXPECT_STREQ("", r->out);
	EXPECT_TRUE(has(r->err, "EPERM"));
	EXPECT_TRUE(has(r->err, "PTRACE_MODE_ATTACH_REALCREDS"));
}

TEST_HARNESS_MAIN
