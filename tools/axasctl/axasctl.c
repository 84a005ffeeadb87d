// SPDX-License-Identifier: GPL-2.0
/*
 * axasctl: drive one /dev/axaddrspace space from the command line or a
 * script, the way a VMM would. Every command is echoed before its output so
 * that a run reads as a transcript.
 *
 *   axasctl [-d device] [-q] -f script|-      commands from a file or stdin
 *   axasctl [-d device] [-q] cmd args [\; cmd args ...]
 *
 * A command prefixed with '!' is expected to fail; any other failure stops
 * the run with exit status 1.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/axaddrspace.h>

#include "walker.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS	64
#define MAX_LINE	4096
#define MAX_READ	(1 << 20)
#define MAX_WRITE	(64 << 20)

static const char *dev_path = "/dev/axaddrspace";
static bool quiet;
static int space_fd = -1;
static char cur_cmd[MAX_LINE];	/* the command being run, for errors */

/* ---- Errors ------------------------------------------------------------- */

static const char *errno_name(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "E?";
}

/* "map-alloc 0x1000 4K rw: EEXIST (File exists)"; returns -1. */
static int fail_errno(int err)
{
	printf("%s: %s (%s)\n", cur_cmd, errno_name(err), strerror(err));
	errno = err;
	return -1;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", cur_cmd);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	errno = 0;
	return -1;
}

static int do_ioctl(unsigned long req, void *arg)
{
	if (ioctl(space_fd, req, arg))
		return fail_errno(errno);
	return 0;
}

/* ---- Parsing ------------------------------------------------------------ */

/* 0x.., decimal, with an optional K/M/G/T suffix. */
static int parse_num(const char *s, __u64 *out)
{
	unsigned int shift = 0;
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return fail("bad number '%s'", s);
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	case '\0':
		return 0;
	default:
		return fail("bad number '%s'", s);
	}
	if (end[1] && strcasecmp(end + 1, "iB") && toupper((unsigned char)end[1]) != 'B')
		return fail("bad number '%s'", s);
	if (*out >> (64 - shift))
		return fail("number '%s' too large", s);
	*out <<= shift;
	return 0;
}

static const struct { const char *name; uint32_t bit; } flag_names[] = {
	{ "device", AXAS_DEVICE }, { "dev", AXAS_DEVICE },
	{ "uncached", AXAS_UNCACHED }, { "uc", AXAS_UNCACHED },
	{ "user", AXAS_USER }, { "populate", AXAS_MAP_POPULATE },
	{ "read", AXAS_READ }, { "write", AXAS_WRITE }, { "exec", AXAS_EXEC },
};

static int parse_perms(const char *tok, uint32_t *flags)
{
	const char *c;

	for (c = tok; *c; c++) {
		if (*c == 'r')
			*flags |= AXAS_READ;
		else if (*c == 'w')
			*flags |= AXAS_WRITE;
		else if (*c == 'x')
			*flags |= AXAS_EXEC;
		else if (*c != '-')
			return -1;
	}
	return 0;
}

/* "rwx", "rw,device", "r,uncached,populate", or a number. */
static int parse_flags(const char *s, uint32_t *flags)
{
	char buf[256], *tok, *save;
	__u64 v;
	unsigned int i;

	*flags = 0;
	if (isdigit((unsigned char)*s)) {
		if (parse_num(s, &v))
			return -1;
		*flags = v;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",|+", &save); tok; tok = strtok_r(NULL, ",|+", &save)) {
		for (i = 0; i < ARRAY_SIZE(flag_names); i++)
			if (!strcmp(tok, flag_names[i].name))
				break;
		if (i < ARRAY_SIZE(flag_names))
			*flags |= flag_names[i].bit;
		else if (parse_perms(tok, flags))
			return fail("bad flag '%s' (rwx, device, uncached, user, populate)", tok);
	}
	return 0;
}

static const char *size_name(uint64_t size, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (size >= 1024 && !(size & 1023) && u < 3) {
		size >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)size);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)size, units[u]);
	return buf;
}

/* ---- Commands ----------------------------------------------------------- */

struct cmd {
	const char *name;
	int min, max;		/* arguments after the name */
	int (*fn)(int argc, char **argv);
	const char *usage;
};

static int cmd_create(int argc, char **argv)
{
	struct axas_create c = { 0 };
	int dev, fmt = axw_format_by_name(argv[1]);

	if (space_fd >= 0)
		return fail("one space per run: already created");
	if (fmt < 0)
		return fail("unknown format '%s' (ept4 ept5 arm40 arm48 sv39x4 sv48x4 native)",
			    argv[1]);
	if (parse_num(argv[2], &c.base) || parse_num(argv[3], &c.size))
		return -1;
	c.format = fmt;
	dev = open(dev_path, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return fail("%s: %s (%s)", dev_path, errno_name(errno), strerror(errno));
	space_fd = ioctl(dev, AXAS_CREATE_SPACE, &c);
	if (space_fd < 0)
		fail_errno(errno);
	close(dev);
	return space_fd < 0 ? -1 : 0;
}

static int get_info(struct axas_info *i)
{
	return do_ioctl(AXAS_GET_INFO, i);
}

static int cmd_info(int argc, char **argv)
{
	struct axas_info i;
	char b1[32], b2[32];

	if (get_info(&i))
		return -1;
	printf("  space    0x%llx-0x%llx (%s), format %s, %u levels, %u gpa bits\n",
	       (unsigned long long)i.base, (unsigned long long)(i.base + i.size - 1),
	       size_name(i.size, b1, sizeof(b1)), axw_format_name(i.format), i.levels,
	       i.gpa_bits);
	printf("  root     hpa 0x%llx, hw_root 0x%llx, hw_ctl 0x%llx\n",
	       (unsigned long long)i.root_hpa, (unsigned long long)i.hw_root,
	       (unsigned long long)i.hw_ctl);
	printf("  areas    %llu, mapped %s, table pages %llu, alloc pages %llu, faults %llu\n",
	       (unsigned long long)i.nr_areas, size_name(i.mapped_bytes, b2, sizeof(b2)),
	       (unsigned long long)i.table_pages, (unsigned long long)i.alloc_pages,
	       (unsigned long long)i.faults_handled);
	return 0;
}

static int cmd_map_linear(int argc, char **argv)
{
	struct axas_map_linear m = { 0 };

	if (parse_num(argv[1], &m.gpa) || parse_num(argv[2], &m.hpa) ||
	    parse_num(argv[3], &m.size) || parse_flags(argv[4], &m.flags))
		return -1;
	return do_ioctl(AXAS_MAP_LINEAR, &m);
}

static int cmd_map_alloc(int argc, char **argv)
{
	struct axas_map_alloc m = { 0 };

	if (parse_num(argv[1], &m.gpa) || parse_num(argv[2], &m.size) ||
	    parse_flags(argv[3], &m.flags))
		return -1;
	return do_ioctl(AXAS_MAP_ALLOC, &m);
}

static int cmd_unmap(int argc, char **argv)
{
	struct axas_range r;

	if (parse_num(argv[1], &r.gpa) || parse_num(argv[2], &r.size))
		return -1;
	return do_ioctl(AXAS_UNMAP, &r);
}

static int cmd_protect(int argc, char **argv)
{
	struct axas_protect p = { 0 };

	if (parse_num(argv[1], &p.gpa) || parse_num(argv[2], &p.size) ||
	    parse_flags(argv[3], &p.flags))
		return -1;
	return do_ioctl(AXAS_PROTECT, &p);
}

static const char *backend_name(uint32_t b)
{
	return b == AXAS_BACKEND_LINEAR ? "linear" : b == AXAS_BACKEND_ALLOC ? "alloc" : "?";
}

static int cmd_translate(int argc, char **argv)
{
	struct axas_translate t = { 0 };
	char fl[64], sz[32];

	if (parse_num(argv[1], &t.gpa) || do_ioctl(AXAS_TRANSLATE, &t))
		return -1;
	printf("  gpa 0x%llx -> hpa 0x%llx, %s page, area 0x%llx-0x%llx %s %s\n",
	       (unsigned long long)t.gpa, (unsigned long long)t.hpa,
	       size_name(t.page_size, sz, sizeof(sz)), (unsigned long long)t.area_start,
	       (unsigned long long)(t.area_start + t.area_size - 1),
	       axw_flags_str(t.flags, fl, sizeof(fl)), backend_name(t.backend));
	return 0;
}

static int cmd_fault(int argc, char **argv)
{
	struct axas_fault f = { 0 };
	char fl[64];

	if (parse_num(argv[1], &f.gpa) || parse_flags(argv[2], &f.access) ||
	    do_ioctl(AXAS_HANDLE_FAULT, &f))
		return -1;
	printf("  fault at 0x%llx (%s): %s\n", (unsigned long long)f.gpa,
	       axw_flags_str(f.access, fl, sizeof(fl)),
	       f.handled ? "handled, retry the access" : "not handled (MMIO, permission or hole)");
	return 0;
}

static void hexdump(const unsigned char *buf, size_t n, uint64_t addr)
{
	size_t i, j;

	for (i = 0; i < n; i += 16) {
		printf("  %016llx ", (unsigned long long)(addr + i));
		for (j = i; j < i + 16; j++) {
			if (j < n)
				printf("%s%02x", j == i + 8 ? "  " : " ", buf[j]);
			else
				printf("%s   ", j == i + 8 ? "  " : "");
		}
		printf("  |");
		for (j = i; j < i + 16 && j < n; j++)
			putchar(isprint(buf[j]) ? buf[j] : '.');
		printf("|\n");
	}
}

static int cmd_read(int argc, char **argv)
{
	__u64 gpa, len;
	unsigned char *buf;
	ssize_t n;

	if (parse_num(argv[1], &gpa) || parse_num(argv[2], &len))
		return -1;
	if (len > MAX_READ)
		return fail("at most %d bytes", MAX_READ);
	buf = malloc(len ? len : 1);
	if (!buf)
		return fail_errno(ENOMEM);
	n = pread(space_fd, buf, len, gpa);
	if (n < 0) {
		free(buf);
		return fail_errno(errno);
	}
	hexdump(buf, n, gpa);
	if ((uint64_t)n < len)
		printf("  (short read: %zd of %llu bytes, stopped at a hole)\n", n,
		       (unsigned long long)len);
	free(buf);
	return 0;
}

static int hexval(int c)
{
	if (isdigit(c))
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Hex bytes from the arguments: "de ad be ef", "deadbeef", "0xdead". */
static int parse_hex(int argc, char **argv, unsigned char *buf, size_t *n)
{
	int i;

	*n = 0;
	for (i = 0; i < argc; i++) {
		const char *s = argv[i];

		if (!strncmp(s, "0x", 2))
			s += 2;
		if (!*s || strlen(s) % 2)
			return fail("bad hex bytes '%s'", argv[i]);
		for (; *s; s += 2) {
			int hi = hexval(s[0]), lo = hexval(s[1]);

			if (hi < 0 || lo < 0 || *n >= MAX_LINE)
				return fail("bad hex bytes '%s'", argv[i]);
			buf[(*n)++] = hi << 4 | lo;
		}
	}
	return 0;
}

static unsigned char *read_file(const char *path, size_t *n)
{
	unsigned char *buf = malloc(MAX_WRITE);
	FILE *f = fopen(path, "rb");

	if (!buf || !f) {
		fail("%s: %s", path, strerror(errno));
		free(buf);
		if (f)
			fclose(f);
		return NULL;
	}
	*n = fread(buf, 1, MAX_WRITE, f);
	fclose(f);
	return buf;
}

/* write <gpa> <hex bytes...> | write <gpa> @file */
static int cmd_write(int argc, char **argv)
{
	static unsigned char hex[MAX_LINE];
	unsigned char *buf = hex;
	__u64 gpa;
	size_t n;
	ssize_t w;

	if (parse_num(argv[1], &gpa))
		return -1;
	if (argv[2][0] == '@') {
		buf = read_file(argv[2] + 1, &n);
		if (!buf)
			return -1;
	} else if (parse_hex(argc - 2, argv + 2, hex, &n)) {
		return -1;
	}
	w = pwrite(space_fd, buf, n, gpa);
	if (buf != hex)
		free(buf);
	if (w < 0)
		return fail_errno(errno);
	printf("  wrote %zd bytes at 0x%llx\n", w, (unsigned long long)gpa);
	if ((size_t)w < n)
		return fail("short write: %zd of %zu bytes, stopped at a hole", w, n);
	return 0;
}

static int get_areas(struct axas_area **a, uint32_t *n)
{
	struct axas_areas req = { 0 };

	if (do_ioctl(AXAS_GET_AREAS, &req))
		return -1;
	*a = calloc(req.count + 1, sizeof(**a));
	req.areas = (uintptr_t)*a;
	req.capacity = req.count + 1;
	if (!*a || do_ioctl(AXAS_GET_AREAS, &req)) {
		free(*a);
		return -1;
	}
	*n = req.count < req.capacity ? req.count : req.capacity;
	return 0;
}

/* Like /proc/PID/maps: start-end flags backend hpa. */
static int cmd_areas(int argc, char **argv)
{
	struct axas_area *a;
	char fl[64], sz[32];
	uint32_t n, i;

	if (get_areas(&a, &n))
		return -1;
	for (i = 0; i < n; i++)
		printf("  %016llx-%016llx %-20s %-6s %016llx  (%s)\n",
		       (unsigned long long)a[i].gpa,
		       (unsigned long long)(a[i].gpa + a[i].size),
		       axw_flags_str(a[i].flags, fl, sizeof(fl)), backend_name(a[i].backend),
		       (unsigned long long)a[i].hpa, size_name(a[i].size, sz, sizeof(sz)));
	if (!n)
		printf("  (no areas)\n");
	free(a);
	return 0;
}

static int cmd_clear(int argc, char **argv)
{
	return ioctl(space_fd, AXAS_CLEAR) ? fail_errno(errno) : 0;
}

static int cmd_echo(int argc, char **argv)
{
	return 0;	/* the echo of the command line is the output */
}

/* ---- dump --------------------------------------------------------------- */

struct tree {
	struct axw_tables t;
	bool summary;
	uint64_t leaves[3];	/* by level */
};

static const struct axas_table_page *tree_page(const struct tree *tr, uint64_t hpa)
{
	unsigned int i;

	for (i = 0; i < tr->t.count; i++)
		if (tr->t.pages[i].hpa == hpa)
			return &tr->t.pages[i];
	return NULL;
}

static void tree_table(struct tree *tr, const struct axas_table_page *pg,
		       unsigned int npg, unsigned int level, uint64_t base, int depth);

/* A run of leaves that continue each other (same flags, hpa follows). */
static unsigned int leaf_run(const struct tree *tr, const struct axas_table_page *pg,
			     unsigned int n, unsigned int total, unsigned int level)
{
	struct axw_entry a, b;
	unsigned int k = n + 1;
	uint64_t size = 1ULL << (12 + 9 * level);

	axw_decode(tr->t.format, level, pg[n / 512].entries[n % 512], &a);
	if (!tr->summary || a.kind != AXW_LEAF || a.why)
		return 1;
	for (; k < total; k++) {
		axw_decode(tr->t.format, level, pg[k / 512].entries[k % 512], &b);
		if (b.kind != AXW_LEAF || b.why || b.flags != a.flags ||
		    b.addr != a.addr + (k - n) * size)
			break;
	}
	return k - n;
}

static void tree_entry(struct tree *tr, const struct axas_table_page *pg,
		       unsigned int n, unsigned int run, unsigned int level,
		       uint64_t gpa, int depth)
{
	uint64_t e = pg[n / 512].entries[n % 512];
	char idx[32], buf[200];
	struct axw_entry d;

	axw_decode(tr->t.format, level, e, &d);
	if (d.kind == AXW_LEAF && level < 3)
		tr->leaves[level] += run;
	if (run > 1)
		snprintf(idx, sizeof(idx), "%u..%u", n, n + run - 1);
	else
		snprintf(idx, sizeof(idx), "%u", n);
	if (run > 1)
		printf("  %*sL%u[%s] gpa 0x%llx, %u leaves, first: %s\n", depth * 2, "",
		       level, idx, (unsigned long long)gpa, run,
		       axw_entry_str(tr->t.format, level, e, buf, sizeof(buf)));
	else
		printf("  %*sL%u[%s] gpa 0x%llx: %s\n", depth * 2, "", level, idx,
		       (unsigned long long)gpa,
		       axw_entry_str(tr->t.format, level, e, buf, sizeof(buf)));
	if (d.kind != AXW_TABLE || !level)
		return;
	pg = tree_page(tr, d.addr);
	if (!pg)
		printf("  %*s(table 0x%llx is not in the dump)\n", depth * 2 + 2, "",
		       (unsigned long long)d.addr);
	else
		tree_table(tr, pg, 1, level - 1, gpa, depth + 1);
}

static void tree_table(struct tree *tr, const struct axas_table_page *pg,
		       unsigned int npg, unsigned int level, uint64_t base, int depth)
{
	unsigned int n, run, total = npg * 512;

	if (depth > 6)
		return;
	for (n = 0; n < total; n += run) {
		run = 1;
		if (!pg[n / 512].entries[n % 512])
			continue;
		run = leaf_run(tr, pg, n, total, level);
		tree_entry(tr, pg, n, run, level, base + ((uint64_t)n << (12 + 9 * level)), depth);
	}
}

static int fetch_dump(struct axas_table_page **pages, uint32_t *n)
{
	struct axas_dump d = { 0 };

	if (do_ioctl(AXAS_DUMP_TABLES, &d))
		return -1;
	*pages = calloc(d.count + 1, sizeof(**pages));
	d.pages = (uintptr_t)*pages;
	d.capacity = d.count + 1;
	if (!*pages || do_ioctl(AXAS_DUMP_TABLES, &d)) {
		free(*pages);
		return -1;
	}
	*n = d.count < d.capacity ? d.count : d.capacity;
	return 0;
}

/* dump [-s]: the table tree; -s folds runs of leaves into one line. */
static int cmd_dump(int argc, char **argv)
{
	struct tree tr = { .summary = argc > 1 && !strcmp(argv[1], "-s") };
	struct axas_table_page *pages;
	struct axas_info i;
	struct axw_report r;
	uint32_t n;

	if (argc > 1 && !tr.summary)
		return fail("usage: dump [-s]");
	if (get_info(&i) || fetch_dump(&pages, &n))
		return -1;
	tr.t = (struct axw_tables){
		.pages = pages, .count = n, .format = i.format, .levels = i.levels,
		.gpa_bits = i.gpa_bits, .root_hpa = i.root_hpa, .base = i.base,
		.size = i.size, .table_pages = i.table_pages,
	};
	printf("  root 0x%llx (%u page%s), %u table pages, format %s\n",
	       (unsigned long long)i.root_hpa, axw_root_pages(i.format),
	       axw_root_pages(i.format) > 1 ? "s" : "", n, axw_format_name(i.format));
	if (n >= axw_root_pages(i.format))
		tree_table(&tr, pages, axw_root_pages(i.format), i.levels - 1, 0, 0);
	printf("  leaves: %llu x 4K, %llu x 2M, %llu x 1G\n",
	       (unsigned long long)tr.leaves[0], (unsigned long long)tr.leaves[1],
	       (unsigned long long)tr.leaves[2]);
	if (axw_check(&tr.t, &r))
		axw_report_print(stdout, &r);
	else
		printf("  check: tables well formed (formats.rst), %u pages reachable\n",
		       r.reachable);
	free(pages);
	return r.errors ? fail("the tables break %u rule(s) of formats.rst", r.errors) : 0;
}

static const struct cmd cmds[] = {
	{ "create", 3, 3, cmd_create, "create <format> <base> <size>" },
	{ "info", 0, 0, cmd_info, "info" },
	{ "map-linear", 4, 4, cmd_map_linear, "map-linear <gpa> <hpa> <size> <flags>" },
	{ "map-alloc", 3, 3, cmd_map_alloc, "map-alloc <gpa> <size> <flags>" },
	{ "unmap", 2, 2, cmd_unmap, "unmap <gpa> <size>" },
	{ "protect", 3, 3, cmd_protect, "protect <gpa> <size> <flags>" },
	{ "translate", 1, 1, cmd_translate, "translate <gpa>" },
	{ "fault", 2, 2, cmd_fault, "fault <gpa> <r|w|x...>" },
	{ "read", 2, 2, cmd_read, "read <gpa> <len>" },
	{ "write", 2, MAX_ARGS, cmd_write, "write <gpa> <hex bytes...>|@file" },
	{ "areas", 0, 0, cmd_areas, "areas" },
	{ "dump", 0, 1, cmd_dump, "dump [-s]" },
	{ "clear", 0, 0, cmd_clear, "clear" },
	{ "echo", 0, MAX_ARGS, cmd_echo, "echo <text>" },
};

#define NCMDS ARRAY_SIZE(cmds)

static const struct cmd *find_cmd(const char *name)
{
	unsigned int i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

/* Runs one command; returns 0 when the run may go on. */
static int run(int argc, char **argv)
{
	bool expect_fail = argv[0][0] == '!';
	const struct cmd *c;
	int i, n, ret;

	if (expect_fail && !*++argv[0]) {
		argv++;
		argc--;
	}
	if (!argc)
		return 0;
	n = snprintf(cur_cmd, sizeof(cur_cmd), "%s", argv[0]);
	for (i = 1; i < argc && n < (int)sizeof(cur_cmd); i++)
		n += snprintf(cur_cmd + n, sizeof(cur_cmd) - n, " %s", argv[i]);
	if (!quiet)
		printf("axas> %s%s\n", expect_fail ? "! " : "", cur_cmd);
	c = find_cmd(argv[0]);
	if (!c)
		ret = fail("unknown command: see the usage");
	else if (argc - 1 < c->min || argc - 1 > c->max)
		ret = fail("usage: %s", c->usage);
	else if (c != &cmds[0] && c->fn != cmd_echo && space_fd < 0)
		ret = fail("no space yet: the first command must be 'create'");
	else
		ret = c->fn(argc, argv);
	fflush(stdout);
	if (expect_fail && !ret)
		return fail("succeeded, but was expected to fail");
	if (expect_fail)
		printf("  (failed as expected)\n");
	return expect_fail ? 0 : ret;
}

/* One script line: comments are echoed, blank lines kept. */
static int run_line(char *line)
{
	char *argv[MAX_ARGS + 2], *save, *tok, *hash;
	int argc = 0;

	line[strcspn(line, "\r\n")] = '\0';
	tok = line + strspn(line, " \t");
	if (*tok == '#') {
		if (!quiet)
			printf("%s\n", tok);
		return 0;
	}
	hash = strstr(line, " #");
	if (hash)
		*hash = '\0';
	for (tok = strtok_r(line, " \t", &save); tok && argc <= MAX_ARGS;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	if (argc > MAX_ARGS)
		return fail("too many arguments");
	return argc ? run(argc, argv) : 0;
}

static int run_script(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[MAX_LINE];
	unsigned int lineno = 0;
	int ret = 0;

	if (!f) {
		fprintf(stderr, "axasctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		lineno++;
		ret = run_line(line);
	}
	if (ret)
		fprintf(stderr, "axasctl: %s:%u: stopped at the first unexpected error\n",
			path, lineno);
	if (f != stdin)
		fclose(f);
	return ret ? 1 : 0;
}

/* Commands on the command line, separated by ';' arguments. */
static int run_args(int argc, char **argv)
{
	int start = 0, i;

	for (i = 0; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], ";"))
			continue;
		if (i > start && run(i - start, argv + start)) {
			fprintf(stderr, "axasctl: stopped at the first unexpected error\n");
			return 1;
		}
		start = i + 1;
	}
	return 0;
}

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "usage: axasctl [-d device] [-q] -f script|-\n"
		   "       axasctl [-d device] [-q] command args [\\; command args ...]\n"
		   "The first command creates the one space of the run. Sizes and addresses\n"
		   "take 0x.., K, M, G suffixes; flags are like rwx, rw,device, r,uncached,\n"
		   "rw,populate. '#' starts a comment; a '!' prefix marks an expected failure.\n"
		   "Commands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %s\n", cmds[i].usage);
}

int main(int argc, char **argv)
{
	const char *script = NULL;
	int opt, ret;

	while ((opt = getopt(argc, argv, "+d:f:qh")) != -1) {
		switch (opt) {
		case 'd':
			dev_path = optarg;
			break;
		case 'f':
			script = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!script && optind + 1 == argc && !strcmp(argv[optind], "-"))
		script = "-";
	if (script)
		ret = run_script(script);
	else if (optind < argc)
		ret = run_args(argc - optind, argv + optind);
	else
		ret = run_script("-");
	if (space_fd >= 0)
		close(space_fd);
	return ret;
}
