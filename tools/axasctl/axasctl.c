// SPDX-License-Identifier: GPL-2.0
/*
 * axasctl: drive one /dev/axaddrspace space from the command line or a
 * script, the way a VMM would, or look into a space that another process
 * holds. Documentation/axasctl.rst is the manual.
 *
 *   axasctl [options] -f script|-             commands from a file or stdin
 *   axasctl [options] cmd args [\; cmd args ...]
 *   axasctl [options] --pid PID --fd FD cmd args   on another process's space
 *
 * A command prefixed with '!' is expected to fail; any other failure stops
 * the run. Errors go to stderr; the exit status says what went wrong
 * (EXIT_* below).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/axaddrspace.h>

#include "json.h"
#include "walker.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd	438
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_ARGS	64
#define MAX_LINE	4096
#define MAX_READ	(1 << 20)
#define MAX_WRITE	(64 << 20)

/* Exit statuses (Documentation/axasctl.rst, EXIT STATUS). */
#define EXIT_OK		0
#define EXIT_KERNEL	1	/* an ioctl or another call failed */
#define EXIT_USAGE	2	/* bad options, command or arguments */
#define EXIT_NOTFOUND	3	/* no such pid, fd, device or file; gpa not mapped */
#define EXIT_PERM	4	/* EPERM or EACCES */

static const char *dev_path = "/dev/axaddrspace";
static bool quiet;
static bool json;
static bool attached;		/* space_fd is another process's space */
static int space_fd = -1;
static int status;		/* exit status of the last failure */
static char cur_cmd[MAX_LINE];	/* the command being run, for errors */
static const char *cur_name = "axasctl";	/* its name, for JSON */

/* ---- Errors ------------------------------------------------------------- */

static const char *errno_name(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "E?";
}

static int errno_status(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		return EXIT_PERM;
	case ENOENT:
	case ESRCH:
	case EBADF:
	case ENODEV:
	case ENXIO:
		return EXIT_NOTFOUND;
	default:
		return EXIT_KERNEL;
	}
}

static int vfail(int st, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", cur_cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	status = st;
	return -1;
}

/* "translate 0x1000: not mapped"; returns -1, status st. */
static int fail_st(int st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_st(int st, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(st, fmt, ap);
	va_end(ap);
	return ret;
}

#define fail(...)	fail_st(EXIT_KERNEL, __VA_ARGS__)
#define fail_usage(...)	fail_st(EXIT_USAGE, __VA_ARGS__)

/* "map-alloc 0x1000 4K rw: EEXIST (File exists)"; returns -1. */
static int fail_errno(int err)
{
	return fail_st(errno_status(err), "%s (%s)", errno_name(err), strerror(err));
}

static int do_ioctl(unsigned long req, void *arg)
{
	if (ioctl(space_fd, req, arg))
		return fail_errno(errno);
	return 0;
}

/* ---- JSON: one object per command --------------------------------------- */

static void jbegin(void)
{
	json_obj_begin(NULL);
	json_str("command", cur_name);
}

/* ---- Parsing ------------------------------------------------------------ */

static unsigned int suffix_shift(int c)
{
	switch (toupper(c)) {
	case 'K':
		return 10;
	case 'M':
		return 20;
	case 'G':
		return 30;
	case 'T':
		return 40;
	default:
		return 0;
	}
}

/* 0x.., decimal, with an optional K/M/G/T suffix. */
static int parse_num(const char *s, __u64 *out)
{
	unsigned int shift;
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return fail_usage("bad number '%s'", s);
	if (!*end)
		return 0;
	shift = suffix_shift((unsigned char)*end);
	if (!shift)
		return fail_usage("bad number '%s'", s);
	if (end[1] && strcasecmp(end + 1, "iB") && toupper((unsigned char)end[1]) != 'B')
		return fail_usage("bad number '%s'", s);
	if (*out >> (64 - shift))
		return fail_usage("number '%s' too large", s);
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

static int flag_token(const char *tok, uint32_t *flags)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flag_names); i++) {
		if (!strcmp(tok, flag_names[i].name)) {
			*flags |= flag_names[i].bit;
			return 0;
		}
	}
	if (parse_perms(tok, flags))
		return fail_usage("bad flag '%s' (rwx, device, uncached, user, populate)", tok);
	return 0;
}

/* "rwx", "rw,device", "r,uncached,populate", or a number. */
static int parse_flags(const char *s, uint32_t *flags)
{
	char buf[256], *tok, *save;
	__u64 v;

	*flags = 0;
	if (isdigit((unsigned char)*s)) {
		if (parse_num(s, &v))
			return -1;
		*flags = v;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",|+", &save); tok; tok = strtok_r(NULL, ",|+", &save))
		if (flag_token(tok, flags))
			return -1;
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

/* "ept4 ept5 ... native": every format this header knows. */
static const char *format_list(char *buf, size_t len)
{
	unsigned int f;
	size_t n = 0;

	buf[0] = '\0';
	for (f = 1; f <= AXAS_FMT_MAX && n < len; f++)
		n += snprintf(buf + n, len - n, "%s ", axw_format_name(f));
	if (n < len)
		snprintf(buf + n, len - n, "native");
	return buf;
}

/* ---- Commands ----------------------------------------------------------- */

#define CMD_NOSPACE	(1U << 0)	/* runs without a space */
#define CMD_RO		(1U << 1)	/* allowed on an attached space */
#define CMD_JSON	(1U << 2)	/* prints its own JSON object */

struct cmd {
	const char *name;
	int min, max;		/* arguments after the name */
	int (*fn)(int argc, char **argv);
	const char *usage;
	unsigned int flags;
};

static int open_dev(int mode)
{
	int dev = open(dev_path, mode | O_CLOEXEC);

	if (dev < 0)
		fail_st(errno_status(errno), "%s: %s (%s)", dev_path, errno_name(errno),
			strerror(errno));
	return dev;
}

static int cmd_create(int argc, char **argv)
{
	struct axas_create c = { 0 };
	int dev, fmt = axw_format_by_name(argv[1]);
	char names[256];

	if (space_fd >= 0)
		return fail_usage("one space per run: already %s",
				  attached ? "attached" : "created");
	if (fmt < 0)
		return fail_usage("unknown format '%s' (%s)", argv[1],
				  format_list(names, sizeof(names)));
	if (parse_num(argv[2], &c.base) || parse_num(argv[3], &c.size))
		return -1;
	c.format = fmt;
	dev = open_dev(O_RDWR);
	if (dev < 0)
		return -1;
	space_fd = ioctl(dev, AXAS_CREATE_SPACE, &c);
	if (space_fd < 0)
		fail_errno(errno);
	close(dev);
	return space_fd < 0 ? -1 : 0;
}

static int cmd_version(int argc, char **argv)
{
	int dev = open_dev(O_RDONLY), v;

	if (dev < 0)
		return -1;
	v = ioctl(dev, AXAS_GET_API_VERSION);
	if (v < 0)
		fail_errno(errno);
	close(dev);
	if (v < 0)
		return -1;
	if (json) {
		jbegin();
		json_u64("api_version", v);
		json_u64("header_api_version", AXAS_API_VERSION);
		json_obj_end();
	} else {
		printf("api_version %d (axasctl built for %d)\n", v, AXAS_API_VERSION);
	}
	return 0;
}

struct caps {
	long formats, max_spaces, batch, exec_only;
};

static int check_ext(int fd, unsigned long cap, long *v)
{
	*v = ioctl(fd, AXAS_CHECK_EXTENSION, cap);
	return *v < 0 ? fail_errno(errno) : 0;
}

/* From the space when there is one (it answers for its format), else the device. */
static int get_caps(struct caps *c)
{
	int fd = space_fd >= 0 ? space_fd : open_dev(O_RDONLY), ret;

	if (fd < 0)
		return -1;
	ret = check_ext(fd, AXAS_CAP_FORMATS, &c->formats) ||
	      check_ext(fd, AXAS_CAP_MAX_SPACES, &c->max_spaces) ||
	      check_ext(fd, AXAS_CAP_TRANSLATE_BATCH, &c->batch) ||
	      check_ext(fd, AXAS_CAP_EPT_EXEC_ONLY, &c->exec_only);
	if (fd != space_fd)
		close(fd);
	return ret ? -1 : 0;
}

static const char *fmt_bit_name(unsigned int f, char *buf, size_t len)
{
	if (f > AXAS_FMT_MAX || f == AXAS_FMT_NATIVE)
		snprintf(buf, len, "format%u", f);
	else
		snprintf(buf, len, "%s", axw_format_name(f));
	return buf;
}

static void caps_json(const struct caps *c)
{
	char name[32];
	unsigned int f;

	jbegin();
	json_arr_begin("formats");
	for (f = 0; f < 8 * sizeof(c->formats); f++)
		if (c->formats & (1UL << f))
			json_str(NULL, fmt_bit_name(f, name, sizeof(name)));
	json_arr_end();
	json_u64("formats_mask", c->formats);
	json_u64("max_spaces", c->max_spaces);
	json_u64("translate_batch", c->batch);
	json_bool("ept_exec_only", c->exec_only);
	json_obj_end();
}

static void caps_text(const struct caps *c)
{
	char name[32];
	unsigned int f;

	printf("formats        ");
	for (f = 0; f < 8 * sizeof(c->formats); f++)
		if (c->formats & (1UL << f))
			printf(" %s", fmt_bit_name(f, name, sizeof(name)));
	printf(" (mask 0x%lx)\n", c->formats);
	printf("max_spaces      %ld%s\n", c->max_spaces, c->max_spaces ? "" : " (no limit)");
	printf("translate_batch %ld%s\n", c->batch, c->batch ? "" : " (no batches)");
	printf("ept_exec_only   %ld\n", c->exec_only);
}

static int cmd_caps(int argc, char **argv)
{
	struct caps c = { 0 };

	if (get_caps(&c))
		return -1;
	if (json)
		caps_json(&c);
	else
		caps_text(&c);
	return 0;
}

static int get_info(struct axas_info *i)
{
	*i = (struct axas_info){ 0 };
	return do_ioctl(AXAS_GET_INFO, i);
}

static void info_json(const struct axas_info *i)
{
	jbegin();
	json_hex("base", i->base);
	json_u64("size", i->size);
	json_str("format", axw_format_name(i->format));
	json_u64("format_id", i->format);
	json_u64("levels", i->levels);
	json_u64("gpa_bits", i->gpa_bits);
	json_u64("flags", i->flags);
	json_hex("root_hpa", i->root_hpa);
	json_hex("hw_root", i->hw_root);
	json_hex("hw_ctl", i->hw_ctl);
	json_u64("nr_areas", i->nr_areas);
	json_u64("mapped_bytes", i->mapped_bytes);
	json_u64("table_pages", i->table_pages);
	json_u64("alloc_pages", i->alloc_pages);
	json_u64("faults_handled", i->faults_handled);
	json_obj_end();
}

static void info_text(const struct axas_info *i)
{
	char b1[32], b2[32];

	printf("  space    0x%llx-0x%llx (%s), format %s, %u levels, %u gpa bits\n",
	       (unsigned long long)i->base, (unsigned long long)(i->base + i->size - 1),
	       size_name(i->size, b1, sizeof(b1)), axw_format_name(i->format), i->levels,
	       i->gpa_bits);
	printf("  root     hpa 0x%llx, hw_root 0x%llx, hw_ctl 0x%llx\n",
	       (unsigned long long)i->root_hpa, (unsigned long long)i->hw_root,
	       (unsigned long long)i->hw_ctl);
	printf("  areas    %llu, mapped %s, table pages %llu, alloc pages %llu, faults %llu\n",
	       (unsigned long long)i->nr_areas, size_name(i->mapped_bytes, b2, sizeof(b2)),
	       (unsigned long long)i->table_pages, (unsigned long long)i->alloc_pages,
	       (unsigned long long)i->faults_handled);
}

static int cmd_info(int argc, char **argv)
{
	struct axas_info i;

	if (get_info(&i))
		return -1;
	if (json)
		info_json(&i);
	else
		info_text(&i);
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
	struct axas_range r = { 0 };

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
	return b == AXAS_BACKEND_LINEAR ? "linear" : b == AXAS_BACKEND_ALLOC ? "alloc" :
	       b == AXAS_BACKEND_MEMORY ? "memory" : "?";
}

/* One translation: page_size 0 means not mapped. */
static void translation_json(const struct axas_translate *t, bool obj)
{
	char fl[64];

	if (obj)
		json_obj_begin(NULL);
	else
		jbegin();
	json_hex("gpa", t->gpa);
	json_bool("mapped", t->page_size);
	if (t->page_size) {
		json_hex("hpa", t->hpa);
		json_u64("page_size", t->page_size);
		json_hex("area_start", t->area_start);
		json_u64("area_size", t->area_size);
		json_str("flags", axw_flags_str(t->flags, fl, sizeof(fl)));
		json_u64("flags_mask", t->flags);
		json_str("backend", backend_name(t->backend));
	}
	json_obj_end();
}

static void translation_text(const struct axas_translate *t)
{
	char fl[64], sz[32];

	if (!t->page_size) {
		printf("  gpa 0x%llx: not mapped\n", (unsigned long long)t->gpa);
		return;
	}
	printf("  gpa 0x%llx -> hpa 0x%llx, %s page, area 0x%llx-0x%llx %s %s\n",
	       (unsigned long long)t->gpa, (unsigned long long)t->hpa,
	       size_name(t->page_size, sz, sizeof(sz)), (unsigned long long)t->area_start,
	       (unsigned long long)(t->area_start + t->area_size - 1),
	       axw_flags_str(t->flags, fl, sizeof(fl)), backend_name(t->backend));
}

/* ENOENT: no present leaf; EINVAL: outside the space. Both are "not mapped". */
static int cmd_translate(int argc, char **argv)
{
	struct axas_translate t = { 0 };
	int err;

	if (parse_num(argv[1], &t.gpa))
		return -1;
	err = ioctl(space_fd, AXAS_TRANSLATE, &t) ? errno : 0;
	if (err && err != ENOENT && err != EINVAL)
		return fail_errno(err);
	if (err)
		t = (struct axas_translate){ .gpa = t.gpa };
	if (json)
		translation_json(&t, false);
	else if (!err)
		translation_text(&t);
	if (err)
		return fail_st(EXIT_NOTFOUND, "%s (%s): gpa not mapped%s", errno_name(err),
			       strerror(err), err == EINVAL ? " (outside the space)" : "");
	return 0;
}

/* AXAS_TRANSLATE_BATCH in chunks of at most max elements. */
static int translate_chunks(struct axas_translate *t, uint32_t n, uint32_t max)
{
	struct axas_translate_batch b;
	uint32_t done;

	for (done = 0; done < n; done += b.count) {
		b = (struct axas_translate_batch){
			.entries = (uintptr_t)(t + done),
			.count = n - done < max ? n - done : max,
		};
		if (do_ioctl(AXAS_TRANSLATE_BATCH, &b))
			return -1;
	}
	return 0;
}

static void batch_out(const struct axas_translate *t, uint32_t n)
{
	uint32_t i;

	if (json) {
		jbegin();
		json_u64("count", n);
		json_arr_begin("results");
	}
	for (i = 0; i < n; i++) {
		if (json)
			translation_json(&t[i], true);
		else
			translation_text(&t[i]);
	}
	if (json) {
		json_arr_end();
		json_obj_end();
	}
}

static int cmd_translate_batch(int argc, char **argv)
{
	struct axas_translate *t = calloc(argc, sizeof(*t));
	uint32_t n = argc - 1, i, missing = 0;
	int ret = -1;
	long max;

	if (!t)
		return fail_errno(ENOMEM);
	for (i = 0; i < n; i++)
		if (parse_num(argv[i + 1], &t[i].gpa))
			goto out;
	if (check_ext(space_fd, AXAS_CAP_TRANSLATE_BATCH, &max))
		goto out;
	if (!max) {
		fail("the module has no AXAS_TRANSLATE_BATCH");
		goto out;
	}
	if (translate_chunks(t, n, max))
		goto out;
	batch_out(t, n);
	for (i = 0; i < n; i++)
		missing += !t[i].page_size;
	ret = missing ? fail_st(EXIT_NOTFOUND, "%u of %u gpas not mapped", missing, n) : 0;
out:
	free(t);
	return ret;
}

static int cmd_fault(int argc, char **argv)
{
	struct axas_fault f = { 0 };
	char fl[64];

	if (parse_num(argv[1], &f.gpa) || parse_flags(argv[2], &f.access) ||
	    do_ioctl(AXAS_HANDLE_FAULT, &f))
		return -1;
	if (json) {
		jbegin();
		json_hex("gpa", f.gpa);
		json_str("access", axw_flags_str(f.access, fl, sizeof(fl)));
		json_bool("handled", f.handled);
		json_obj_end();
		return 0;
	}
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

static void read_json(const unsigned char *buf, size_t n, uint64_t gpa, uint64_t len)
{
	char *hex = malloc(2 * n + 1);
	size_t i;

	if (!hex) {
		fail_errno(ENOMEM);
		return;
	}
	for (i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", buf[i]);
	hex[2 * n] = '\0';
	jbegin();
	json_hex("gpa", gpa);
	json_u64("requested", len);
	json_u64("length", n);
	json_str("data", hex);
	json_obj_end();
	free(hex);
}

static void read_text(const unsigned char *buf, size_t n, uint64_t gpa, uint64_t len)
{
	hexdump(buf, n, gpa);
	if ((uint64_t)n < len)
		printf("  (short read: %zu of %llu bytes, stopped at a hole)\n", n,
		       (unsigned long long)len);
}

static int cmd_read(int argc, char **argv)
{
	__u64 gpa, len;
	unsigned char *buf;
	ssize_t n;

	if (parse_num(argv[1], &gpa) || parse_num(argv[2], &len))
		return -1;
	if (len > MAX_READ)
		return fail_usage("at most %d bytes", MAX_READ);
	buf = malloc(len ? len : 1);
	if (!buf)
		return fail_errno(ENOMEM);
	n = pread(space_fd, buf, len, gpa);
	if (n < 0) {
		free(buf);
		return fail_errno(errno);
	}
	if (json)
		read_json(buf, n, gpa, len);
	else
		read_text(buf, n, gpa, len);
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
			return fail_usage("bad hex bytes '%s'", argv[i]);
		for (; *s; s += 2) {
			int hi = hexval(s[0]), lo = hexval(s[1]);

			if (hi < 0 || lo < 0 || *n >= MAX_LINE)
				return fail_usage("bad hex bytes '%s'", argv[i]);
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
		fail_st(errno_status(errno), "%s: %s", path, strerror(errno));
		free(buf);
		if (f)
			fclose(f);
		return NULL;
	}
	*n = fread(buf, 1, MAX_WRITE, f);
	fclose(f);
	return buf;
}

static void write_out(uint64_t gpa, ssize_t w)
{
	if (json) {
		jbegin();
		json_hex("gpa", gpa);
		json_u64("written", w);
		json_obj_end();
	} else {
		printf("  wrote %zd bytes at 0x%llx\n", w, (unsigned long long)gpa);
	}
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
	write_out(gpa, w);
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
	req = (struct axas_areas){ .areas = (uintptr_t)*a, .capacity = req.count + 1 };
	if (!*a || do_ioctl(AXAS_GET_AREAS, &req)) {
		free(*a);
		return -1;
	}
	*n = req.count < req.capacity ? req.count : req.capacity;
	return 0;
}

static void areas_json(const struct axas_area *a, uint32_t n)
{
	char fl[64];
	uint32_t i;

	jbegin();
	json_u64("count", n);
	json_arr_begin("areas");
	for (i = 0; i < n; i++) {
		json_obj_begin(NULL);
		json_hex("gpa", a[i].gpa);
		json_u64("size", a[i].size);
		json_hex("hpa", a[i].hpa);
		json_str("flags", axw_flags_str(a[i].flags, fl, sizeof(fl)));
		json_u64("flags_mask", a[i].flags);
		json_str("backend", backend_name(a[i].backend));
		json_obj_end();
	}
	json_arr_end();
	json_obj_end();
}

/* Like /proc/PID/maps: start-end flags backend hpa. */
static void areas_text(const struct axas_area *a, uint32_t n)
{
	char fl[64], sz[32];
	uint32_t i;

	for (i = 0; i < n; i++)
		printf("  %016llx-%016llx %-20s %-6s %016llx  (%s)\n",
		       (unsigned long long)a[i].gpa,
		       (unsigned long long)(a[i].gpa + a[i].size),
		       axw_flags_str(a[i].flags, fl, sizeof(fl)), backend_name(a[i].backend),
		       (unsigned long long)a[i].hpa, size_name(a[i].size, sz, sizeof(sz)));
	if (!n)
		printf("  (no areas)\n");
}

static int cmd_areas(int argc, char **argv)
{
	struct axas_area *a;
	uint32_t n;

	if (get_areas(&a, &n))
		return -1;
	if (json)
		areas_json(a, n);
	else
		areas_text(a, n);
	free(a);
	return 0;
}

static int cmd_clear(int argc, char **argv)
{
	return ioctl(space_fd, AXAS_CLEAR) ? fail_errno(errno) : 0;
}

/* The echo of the command line is the output; with --json, the text. */
static int cmd_echo(int argc, char **argv)
{
	const char *text = strchr(cur_cmd, ' ');

	if (json) {
		jbegin();
		json_str("text", text ? text + 1 : "");
		json_obj_end();
	}
	return 0;
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

/* Where an entry sits: table level, first index, run length, gpa. */
struct entry_pos {
	unsigned int level, n, run;
	uint64_t gpa;
	int depth;
};

static void entry_json(const struct tree *tr, const struct entry_pos *p, uint64_t e,
		       const uint64_t *missing)
{
	char buf[200];

	json_obj_begin(NULL);
	json_u64("level", p->level);
	json_u64("index", p->n);
	json_u64("count", p->run);
	json_hex("gpa", p->gpa);
	json_hex("entry", e);
	json_str("text", axw_entry_str(tr->t.format, p->level, e, buf, sizeof(buf)));
	if (missing)
		json_hex("missing_table", *missing);
	json_obj_end();
}

static void entry_text(const struct tree *tr, const struct entry_pos *p, uint64_t e,
		       const uint64_t *missing)
{
	char idx[32], buf[200];
	int ind = p->depth * 2;

	axw_entry_str(tr->t.format, p->level, e, buf, sizeof(buf));
	if (p->run > 1) {
		snprintf(idx, sizeof(idx), "%u..%u", p->n, p->n + p->run - 1);
		printf("  %*sL%u[%s] gpa 0x%llx, %u leaves, first: %s\n", ind, "",
		       p->level, idx, (unsigned long long)p->gpa, p->run, buf);
	} else {
		printf("  %*sL%u[%u] gpa 0x%llx: %s\n", ind, "", p->level, p->n,
		       (unsigned long long)p->gpa, buf);
	}
	if (missing)
		printf("  %*s(table 0x%llx is not in the dump)\n", ind + 2, "",
		       (unsigned long long)*missing);
}

static void tree_entry(struct tree *tr, const struct axas_table_page *pg,
		       const struct entry_pos *p)
{
	uint64_t e = pg[p->n / 512].entries[p->n % 512];
	const struct axas_table_page *child = NULL;
	bool table;
	struct axw_entry d;

	axw_decode(tr->t.format, p->level, e, &d);
	if (d.kind == AXW_LEAF && p->level < 3)
		tr->leaves[p->level] += p->run;
	table = d.kind == AXW_TABLE && p->level;
	if (table)
		child = tree_page(tr, d.addr);
	if (json)
		entry_json(tr, p, e, table && !child ? &d.addr : NULL);
	else
		entry_text(tr, p, e, table && !child ? &d.addr : NULL);
	if (child)
		tree_table(tr, child, 1, p->level - 1, p->gpa, p->depth + 1);
}

static void tree_table(struct tree *tr, const struct axas_table_page *pg,
		       unsigned int npg, unsigned int level, uint64_t base, int depth)
{
	struct entry_pos p = { .level = level, .depth = depth };
	unsigned int total = npg * 512;

	if (depth > 6)
		return;
	for (p.n = 0; p.n < total; p.n += p.run) {
		p.run = 1;
		if (!pg[p.n / 512].entries[p.n % 512])
			continue;
		p.run = leaf_run(tr, pg, p.n, total, level);
		p.gpa = base + ((uint64_t)p.n << (12 + 9 * level));
		tree_entry(tr, pg, &p);
	}
}

static int fetch_dump(struct axas_table_page **pages, uint32_t *n)
{
	struct axas_dump d = { 0 };

	if (do_ioctl(AXAS_DUMP_TABLES, &d))
		return -1;
	*pages = calloc(d.count + 1, sizeof(**pages));
	d = (struct axas_dump){ .pages = (uintptr_t)*pages, .capacity = d.count + 1 };
	if (!*pages || do_ioctl(AXAS_DUMP_TABLES, &d)) {
		free(*pages);
		return -1;
	}
	*n = d.count < d.capacity ? d.count : d.capacity;
	return 0;
}

static void dump_head(const struct axas_info *i, uint32_t n)
{
	unsigned int rp = axw_root_pages(i->format);

	if (json) {
		jbegin();
		json_str("format", axw_format_name(i->format));
		json_hex("root_hpa", i->root_hpa);
		json_u64("root_pages", rp);
		json_u64("table_pages", n);
		json_arr_begin("entries");
		return;
	}
	printf("  root 0x%llx (%u page%s), %u table pages, format %s\n",
	       (unsigned long long)i->root_hpa, rp, rp > 1 ? "s" : "", n,
	       axw_format_name(i->format));
}

static void dump_tail_json(const struct tree *tr, const struct axw_report *r)
{
	unsigned int k;

	json_arr_end();
	json_u64("leaves_4k", tr->leaves[0]);
	json_u64("leaves_2m", tr->leaves[1]);
	json_u64("leaves_1g", tr->leaves[2]);
	json_u64("reachable", r->reachable);
	json_u64("errors", r->errors);
	json_arr_begin("problems");
	for (k = 0; k < r->nmsgs; k++)
		json_str(NULL, r->msgs[k]);
	json_arr_end();
	json_obj_end();
}

static void dump_tail(const struct tree *tr, const struct axw_report *r)
{
	if (json) {
		dump_tail_json(tr, r);
		return;
	}
	printf("  leaves: %llu x 4K, %llu x 2M, %llu x 1G\n",
	       (unsigned long long)tr->leaves[0], (unsigned long long)tr->leaves[1],
	       (unsigned long long)tr->leaves[2]);
	if (r->errors)
		axw_report_print(stdout, r);
	else
		printf("  check: tables well formed (formats.rst), %u pages reachable\n",
		       r->reachable);
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
		return fail_usage("usage: dump [-s]");
	if (get_info(&i) || fetch_dump(&pages, &n))
		return -1;
	tr.t = (struct axw_tables){
		.pages = pages, .count = n, .format = i.format, .levels = i.levels,
		.gpa_bits = i.gpa_bits, .root_hpa = i.root_hpa, .base = i.base,
		.size = i.size, .table_pages = i.table_pages,
	};
	dump_head(&i, n);
	if (n >= axw_root_pages(i.format))
		tree_table(&tr, pages, axw_root_pages(i.format), i.levels - 1, 0, 0);
	axw_check(&tr.t, &r);
	dump_tail(&tr, &r);
	free(pages);
	return r.errors ? fail("the tables break %u rule(s) of formats.rst", r.errors) : 0;
}

#define RO	CMD_RO
#define RJ	(CMD_RO | CMD_JSON)
#define NJ	(CMD_NOSPACE | CMD_RO | CMD_JSON)

static const struct cmd cmds[] = {
	{ "create", 3, 3, cmd_create, "create <format> <base> <size>", CMD_NOSPACE },
	{ "info", 0, 0, cmd_info, "info", RJ },
	{ "map-linear", 4, 4, cmd_map_linear, "map-linear <gpa> <hpa> <size> <flags>" },
	{ "map-alloc", 3, 3, cmd_map_alloc, "map-alloc <gpa> <size> <flags>" },
	{ "unmap", 2, 2, cmd_unmap, "unmap <gpa> <size>" },
	{ "protect", 3, 3, cmd_protect, "protect <gpa> <size> <flags>" },
	{ "translate", 1, 1, cmd_translate, "translate <gpa>", RJ },
	{ "translate-batch", 1, MAX_ARGS, cmd_translate_batch, "translate-batch <gpa>...", RJ },
	{ "fault", 2, 2, cmd_fault, "fault <gpa> <r|w|x...>", CMD_JSON },
	{ "read", 2, 2, cmd_read, "read <gpa> <len>", RJ },
	{ "write", 2, MAX_ARGS, cmd_write, "write <gpa> <hex bytes...>|@file", CMD_JSON },
	{ "areas", 0, 0, cmd_areas, "areas", RJ },
	{ "dump", 0, 1, cmd_dump, "dump [-s]", RJ },
	{ "clear", 0, 0, cmd_clear, "clear" },
	{ "echo", 0, MAX_ARGS, cmd_echo, "echo <text>", NJ },
	{ "version", 0, 0, cmd_version, "version", NJ },
	{ "caps", 0, 0, cmd_caps, "caps", NJ },
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

static void set_cur_cmd(int argc, char **argv)
{
	int i, n;

	n = snprintf(cur_cmd, sizeof(cur_cmd), "%s", argv[0]);
	for (i = 1; i < argc && n < (int)sizeof(cur_cmd); i++)
		n += snprintf(cur_cmd + n, sizeof(cur_cmd) - n, " %s", argv[i]);
}

static int run_cmd(const struct cmd *c, int argc, char **argv)
{
	if (!c)
		return fail_usage("unknown command: see axasctl -h");
	if (argc - 1 < c->min || argc - 1 > c->max)
		return fail_usage("usage: %s", c->usage);
	if (!(c->flags & CMD_NOSPACE) && space_fd < 0)
		return fail_usage("no space yet: the first command must be 'create'");
	if (attached && !(c->flags & CMD_RO))
		return fail_usage("an attached space takes only read-only commands");
	if (c->fn(argc, argv))
		return -1;
	if (json && !(c->flags & CMD_JSON)) {
		jbegin();
		json_bool("ok", true);
		json_obj_end();
	}
	return 0;
}

static void expected_failure(void)
{
	status = 0;
	if (!json) {
		printf("  (failed as expected)\n");
		return;
	}
	jbegin();
	json_bool("failed_as_expected", true);
	json_obj_end();
}

/* Runs one command; returns 0 when the run may go on. */
static int run(int argc, char **argv)
{
	bool expect_fail = argv[0][0] == '!';
	const struct cmd *c;
	int ret;

	if (expect_fail && !*++argv[0]) {
		argv++;
		argc--;
	}
	if (!argc)
		return 0;
	set_cur_cmd(argc, argv);
	if (!quiet)
		printf("axas> %s%s\n", expect_fail ? "! " : "", cur_cmd);
	c = find_cmd(argv[0]);
	cur_name = c ? c->name : argv[0];
	status = 0;
	ret = run_cmd(c, argc, argv);
	fflush(stdout);
	if (expect_fail && !ret)
		return fail("succeeded, but was expected to fail");
	if (expect_fail)
		expected_failure();
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
		return fail_usage("too many arguments");
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
		return errno_status(errno);
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
	return ret ? status : EXIT_OK;
}

/*
 * Commands on the command line, separated by ';' arguments; one command
 * alone is not echoed.
 */
static int run_args(int argc, char **argv)
{
	int start = 0, i;

	for (i = 0; i < argc && strcmp(argv[i], ";"); i++)
		;
	quiet |= i == argc;
	for (i = 0; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], ";"))
			continue;
		if (i > start && run(i - start, argv + start)) {
			if (argc > i)
				fprintf(stderr, "axasctl: stopped at the first unexpected error\n");
			return status;
		}
		start = i + 1;
	}
	return EXIT_OK;
}

/* ---- Attaching to another process's space ------------------------------- */

static int attach_err(int err, long pid, long fd)
{
	switch (err) {
	case ESRCH:
		return fail_st(EXIT_NOTFOUND, "no such process %ld", pid);
	case EBADF:
		return fail_st(EXIT_NOTFOUND, "process %ld has no fd %ld", pid, fd);
	case EPERM:
	case EACCES:
		return fail_st(EXIT_PERM,
			       "%s (%s): may not take fd %ld of process %ld: needs root, or its uid and ptrace access (PTRACE_MODE_ATTACH_REALCREDS)",
			       errno_name(err), strerror(err), fd, pid);
	default:
		return fail_errno(err);
	}
}

/* The fd of the space: the process's fd through pidfd_getfd(), or ours. */
static int take_fd(long pid, long fd)
{
	int pidfd, sfd;

	if (pid < 0)
		return fcntl(fd, F_GETFD) < 0 ? attach_err(errno, getpid(), fd) : fd;
	pidfd = syscall(__NR_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0)
		return attach_err(errno, pid, fd);
	sfd = syscall(__NR_pidfd_getfd, pidfd, (int)fd, 0);
	if (sfd < 0)
		attach_err(errno, pid, fd);
	close(pidfd);
	return sfd;
}

static int attach(long pid, long fd)
{
	struct axas_info i = { 0 };

	snprintf(cur_cmd, sizeof(cur_cmd), "attach pid %ld fd %ld", pid < 0 ? (long)getpid() : pid,
		 fd);
	space_fd = take_fd(pid, fd);
	if (space_fd < 0)
		return -1;
	attached = true;
	if (!ioctl(space_fd, AXAS_GET_INFO, &i))
		return 0;
	if (errno == ENOTTY || errno == EINVAL)
		return fail_st(EXIT_NOTFOUND, "fd %ld is not an axaddrspace space", fd);
	return fail_errno(errno);
}

/* ---- Options ------------------------------------------------------------ */

struct opts {
	const char *script;
	long pid, fd;
};

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "usage: axasctl [options] -f script|-\n"
		   "       axasctl [options] command args [\\; command args ...]\n"
		   "       axasctl [options] --pid PID --fd FD command args [\\; ...]\n"
		   "Options: -d, --device PATH  the device (/dev/axaddrspace)\n"
		   "         -q, --quiet        do not echo the commands\n"
		   "         -j, --json         one JSON object per command (JSON Lines)\n"
		   "         -p, --pid PID      with --fd: the space is fd FD of process PID\n"
		   "         --fd FD            the space fd (without --pid: our own fd FD)\n"
		   "Without --fd, the first command creates the one space of the run. Sizes\n"
		   "and addresses take 0x.., K, M, G suffixes; flags are like rwx, rw,device,\n"
		   "r,uncached, rw,populate. '#' starts a comment; a '!' prefix marks an\n"
		   "expected failure. Exit status: 0 ok, 1 kernel error, 2 usage, 3 not found,\n"
		   "4 permission. Commands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %s\n", cmds[i].usage);
}

static int parse_long(const char *s, long min, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno || end == s || *end || *out < min || *out > INT_MAX)
		return -1;
	return 0;
}

static int parse_opt(int opt, struct opts *o)
{
	switch (opt) {
	case 'd':
		dev_path = optarg;
		return 0;
	case 'f':
		o->script = optarg;
		return 0;
	case 'q':
		quiet = true;
		return 0;
	case 'j':
		json = true;
		return 0;
	case 'p':
		return parse_long(optarg, 1, &o->pid);
	case 'F':
		return parse_long(optarg, 0, &o->fd);
	default:
		return -1;
	}
}

static const struct option long_opts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "json", no_argument, NULL, 'j' },
	{ "pid", required_argument, NULL, 'p' },
	{ "fd", required_argument, NULL, 'F' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* -1 to go on, else the exit status. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	int opt;

	while ((opt = getopt_long(argc, argv, "+d:f:qjp:h", long_opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return EXIT_OK;
		}
		if (parse_opt(opt, o)) {
			if (opt == 'p' || opt == 'F')
				fprintf(stderr, "axasctl: bad %s '%s'\n",
					opt == 'p' ? "pid" : "fd", optarg);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (o->pid >= 0 && o->fd < 0) {
		fprintf(stderr, "axasctl: --pid needs --fd\n");
		return EXIT_USAGE;
	}
	if (o->fd >= 0 && !o->script && optind == argc) {
		fprintf(stderr, "axasctl: --fd needs a command (or -f script|-)\n");
		return EXIT_USAGE;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct opts o = { .pid = -1, .fd = -1 };
	int ret = parse_opts(argc, argv, &o);

	if (ret >= 0)
		return ret;
	setvbuf(stdout, NULL, _IOLBF, 0);
	quiet |= json || o.fd >= 0;
	if (o.fd >= 0 && attach(o.pid, o.fd))
		return status;
	if (!o.script && optind + 1 == argc && !strcmp(argv[optind], "-"))
		o.script = "-";
	if (o.script)
		ret = run_script(o.script);
	else if (optind < argc)
		ret = run_args(argc - optind, argv + optind);
	else
		ret = run_script("-");
	if (space_fd >= 0)
		close(space_fd);
	return ret;
}
