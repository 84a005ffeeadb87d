// SPDX-License-Identifier: GPL-2.0
/*
 * Privileges of /dev/axaddrspace, ABI version 2: a space fd carries no
 * privilege, every check is made against the calling task.
 *
 * Root sets a space up and hands its fd over a Unix socket (SCM_RIGHTS) to
 * a child that dropped to nobody without capabilities. The child makes
 * the calls and sends back what it got; the parent judges, and repeats
 * some of the calls as root to show that the privilege made the
 * difference. Needs root and the module loaded; else every test skips.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/axaddrspace.h>

#include "kselftest_harness.h"
#include "axas_util.h"

#define PARAMS		"/sys/module/axaddrspace/parameters/"

#define SPACE_SIZE	(4 * SZ_1G)

#define RD		AXAS_READ
#define EX		AXAS_EXEC
#define RW		(AXAS_READ | AXAS_WRITE)
#define RWX		(AXAS_READ | AXAS_WRITE | AXAS_EXEC)
#define DEV		AXAS_DEVICE
#define UC		AXAS_UNCACHED
#define POP		AXAS_MAP_POPULATE

#define PG(n)		((n) * SZ_4K)

#define MAX_AREAS	32
#define REPORT_MAX	2048

/* ---- ioctl wrappers: 0 or an errno --------------------------------------- */

/* A space of SPACE_SIZE bytes at gpa 0, Arm stage 2 48-bit: it expresses execute-only. */
static int _create_space(int dev, int *fd)
{
	return _create(dev, 0, SPACE_SIZE, AXAS_FMT_ARM64_S2_48, fd);
}

/* Up to MAX_AREAS areas into @a; the number of areas, or -errno. */
static int areas_of(int fd, struct axas_area *a)
{
	uint32_t n;
	int ret;

	memset(a, 0, MAX_AREAS * sizeof(*a));
	ret = _get_areas(fd, a, MAX_AREAS, &n);
	return ret ? -ret : (int)n;
}

/* ---- An unprivileged child, and fds over a Unix socket ------------------- */

/* What the child says about itself, before its report. */
struct child_hdr {
	int drop_step;		/* 0, or the call that failed to drop */
	uint32_t cap_eff;	/* both words of the effective set, or-ed */
	uint32_t cap_perm;	/* the same for the permitted set */
	int open_ret;		/* open() of the device node */
	int nfds;		/* fds received */
};

/* Runs in the child, with the received fds; fills the report. */
typedef void (*child_fn)(const int *fds, const void *arg, void *report);

static void __attribute__((noreturn))
child_main(int sock, child_fn fn, const void *arg, size_t len)
{
	struct {
		struct child_hdr h;
		char report[REPORT_MAX];
	} msg;
	int fds[MAX_FDS], fd;

	memset(&msg, 0, sizeof(msg));
	/* Only what comes over the socket: nothing inherited from root. */
	for (fd = 3; fd < 1024; fd++)
		if (fd != sock)
			close(fd);
	msg.h.drop_step = drop_privileges();
	own_caps(&msg.h.cap_eff, &msg.h.cap_perm);
	msg.h.open_ret = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (!msg.h.drop_step && !msg.h.cap_eff && !msg.h.cap_perm &&
	    msg.h.open_ret < 0) {
		msg.h.nfds = recv_fds(sock, fds);
		fn(fds, arg, msg.report);
	}
	send(sock, &msg, sizeof(msg.h) + len, MSG_NOSIGNAL);
	_exit(0);
}

/*
 * Fork a child that drops to nobody without capabilities, send it @fds
 * and let it run @fn; its report (@len bytes) lands in @report.
 */
static void run_unprivileged(struct __test_metadata *_metadata, const int *fds,
			     int n, child_fn fn, const void *arg, void *report,
			     size_t len)
{
	struct {
		struct child_hdr h;
		char report[REPORT_MAX];
	} msg;
	int sv[2], status;
	pid_t pid;

	ASSERT_GE(REPORT_MAX, len);
	ASSERT_GE(MAX_FDS, n);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		child_main(sv[1], fn, arg, len);
	close(sv[1]);
	ASSERT_EQ(0, send_fds(sv[0], fds, n));
	memset(&msg, 0, sizeof(msg));
	ASSERT_EQ(sizeof(msg.h) + len, recv(sv[0], &msg, sizeof(msg), 0));
	close(sv[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, msg.h.drop_step);
	ASSERT_EQ(0, msg.h.cap_eff);
	ASSERT_EQ(0, msg.h.cap_perm);
	ASSERT_GT(0, msg.h.open_ret);
	ASSERT_EQ(n, msg.h.nfds);
	memcpy(report, msg.report, len);
}

/* ---- Fixture: one space, root's -------------------------------------------- */

FIXTURE(priv) {
	int dev;
	int fd;
	uint64_t host;		/* HOLE_SIZE bytes of free host range, 0: none */
};

FIXTURE_SETUP(priv)
{
	self->dev = -1;
	self->fd = -1;
	SETUP_NEEDS_MODULE();
	/* In the PCI hole, as space_test.c looks: 0 if none is free. */
	self->host = probe_pci_hole(HOLE_SIZE);
	dev_open(self->dev);
	ASSERT_EQ(0, _create_space(self->dev, &self->fd));
}

FIXTURE_TEARDOWN(priv)
{
	close_space(self->fd, self->dev);
}

#define map_alloc(gpa, size, flags) \
	ASSERT_EQ(0, _map_alloc(self->fd, gpa, size, flags))
#define map_linear(gpa, hpa, size, flags) \
	ASSERT_EQ(0, _map_linear(self->fd, gpa, hpa, size, flags))

/* The areas of the space must be exactly @want (hpa as root sees them). */
static void expect_areas(struct __test_metadata *_metadata, int fd,
			 const struct axas_area *want, int n)
{
	struct axas_area a[MAX_AREAS];
	int i;

	ASSERT_EQ(n, areas_of(fd, a));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(want[i].gpa, a[i].gpa) TH_LOG("area %d", i);
		EXPECT_EQ(want[i].size, a[i].size) TH_LOG("area %d", i);
		EXPECT_EQ(want[i].hpa, a[i].hpa) TH_LOG("area %d", i);
		EXPECT_EQ(want[i].flags, a[i].flags) TH_LOG("area %d", i);
		EXPECT_EQ(want[i].backend, a[i].backend) TH_LOG("area %d", i);
	}
}

/* ---- A.1: AXAS_MAP_LINEAR needs CAP_SYS_RAWIO ---------------------------- */

struct map_report {
	int small, big;			/* two AXAS_MAP_LINEAR */
	int translate;			/* of the first gpa */
	uint64_t nr_areas[2];		/* before and after */
	uint64_t mapped[2];
};

struct map_arg {
	uint64_t host;
};

#define MAP_GPA		(4 * SZ_2M)

static void map_child(const int *fds, const void *arg, void *report)
{
	const struct map_arg *m = arg;
	struct map_report *r = report;
	struct axas_translate t;
	struct axas_info i;

	_info(fds[0], &i);
	r->nr_areas[0] = i.nr_areas;
	r->mapped[0] = i.mapped_bytes;
	r->small = _map_linear(fds[0], MAP_GPA, m->host, SZ_4K, RD | DEV);
	r->big = _map_linear(fds[0], MAP_GPA, m->host, SZ_2M, RW | UC);
	r->translate = _translate(fds[0], MAP_GPA, &t);
	_info(fds[0], &i);
	r->nr_areas[1] = i.nr_areas;
	r->mapped[1] = i.mapped_bytes;
}

TEST_F(priv, map_linear_needs_rawio)
{
	struct map_arg arg = { .host = self->host };
	struct map_report r;

	NEED_HOLE(self->host);
	map_alloc(0, SZ_4K, RW | POP);
	run_unprivileged(_metadata, &self->fd, 1, map_child, &arg, &r, sizeof(r));
	EXPECT_EQ(EPERM, r.small);
	EXPECT_EQ(EPERM, r.big);
	EXPECT_EQ(ENOENT, r.translate);
	EXPECT_EQ(1, r.nr_areas[0]);
	EXPECT_EQ(r.nr_areas[0], r.nr_areas[1]);
	EXPECT_EQ(SZ_4K, r.mapped[0]);
	EXPECT_EQ(r.mapped[0], r.mapped[1]);
	/* The same map is fine for root: the privilege was what lacked. */
	map_linear(MAP_GPA, self->host, SZ_2M, RW | UC);
}

/* ---- A.2: narrowing a linear grant is free, widening needs RAWIO ---------- */

struct prot_case {
	uint64_t gpa, size;
	uint32_t flags;
	int want;		/* errno from the unprivileged child */
	const char *what;
};

struct prot_arg {
	const struct prot_case *cases;
	int n;
};

#define MAX_CASES	16

struct prot_report {
	int err[MAX_CASES];
	int changed[MAX_CASES];	/* the area list moved */
	uint32_t flags[MAX_CASES];	/* AXAS_TRANSLATE flags of gpa after */
};

static bool areas_differ(const struct axas_area *a, int na,
			 const struct axas_area *b, int nb)
{
	return na != nb || memcmp(a, b, sizeof(*a) * (na > 0 ? na : 0));
}

static void prot_child(const int *fds, const void *arg, void *report)
{
	const struct prot_arg *p = arg;
	struct prot_report *r = report;
	struct axas_area before[MAX_AREAS], after[MAX_AREAS];
	struct axas_translate t;
	int i, nb, na;

	for (i = 0; i < p->n && i < MAX_CASES; i++) {
		const struct prot_case *c = &p->cases[i];

		nb = areas_of(fds[0], before);
		r->err[i] = _protect(fds[0], c->gpa, c->size, c->flags);
		na = areas_of(fds[0], after);
		r->changed[i] = areas_differ(before, nb, after, na);
		r->flags[i] = _translate(fds[0], c->gpa, &t) ? ~0U :
			      t.flags & AXAS_PROT_MASK;
	}
}

static void run_prot_cases(struct __test_metadata *_metadata, int fd,
			   const struct prot_case *cases, int n)
{
	struct prot_arg arg = { .cases = cases, .n = n };
	struct prot_report r;
	int i;

	ASSERT_GE(MAX_CASES, n);
	run_unprivileged(_metadata, &fd, 1, prot_child, &arg, &r, sizeof(r));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(cases[i].want, r.err[i]) TH_LOG("%s", cases[i].what);
		if (cases[i].want) {
			EXPECT_EQ(0, r.changed[i])
				TH_LOG("%s: the areas changed", cases[i].what);
		} else {
			EXPECT_EQ(cases[i].flags, r.flags[i])
				TH_LOG("%s: translate flags", cases[i].what);
		}
	}
}

/*
 * Linear grants: LA RW|UNCACHED (8 pages), LB RWX (4), LC READ|DEVICE|
 * UNCACHED (4), LD EXEC (1), one after the other.
 */
#define LA		(8 * SZ_2M)
#define LB		(LA + PG(8))
#define LC		(LB + PG(4))
#define LD		(LC + PG(4))

static void map_grants(struct __test_metadata *_metadata,
		       struct _test_data_priv *self)
{
	map_linear(LA, self->host, PG(8), RW | UC);
	map_linear(LB, self->host + PG(8), PG(4), RWX);
	map_linear(LC, self->host + PG(12), PG(4), RD | DEV | UC);
	map_linear(LD, self->host + PG(16), PG(1), EX);
}

TEST_F(priv, narrowing_linear_grant_is_free)
{
	static const struct prot_case cases[] = {
		{ LA, PG(1), RD | UC, 0, "drop WRITE" },
		{ LA + PG(1), PG(1), RW | UC | DEV, 0, "add DEVICE" },
		{ LA + PG(2), PG(2), RW | UC, 0, "the same flags" },
		{ LB, PG(1), RW, 0, "drop EXEC" },
		{ LB + PG(1), PG(1), RD | EX, 0, "drop WRITE of RWX" },
		{ LB + PG(2), PG(1), EX, 0, "drop READ and WRITE" },
		{ LB + PG(3), PG(1), RD | UC, 0, "drop WRITE and EXEC, add UNCACHED" },
		{ LC, PG(4), RD | DEV | UC, 0, "a whole area, unchanged" },
		{ LA + PG(4), PG(6), RD | DEV | UC, 0, "across three areas" },
		{ LD, PG(1), EX, 0, "EXEC stays EXEC" },
	};
	const uint64_t h = self->host;
	const struct axas_area want[] = {
		{ LA, PG(1), h, RD | UC, AXAS_BACKEND_LINEAR },
		{ LA + PG(1), PG(1), h + PG(1), RW | UC | DEV, AXAS_BACKEND_LINEAR },
		{ LA + PG(2), PG(2), h + PG(2), RW | UC, AXAS_BACKEND_LINEAR },
		{ LA + PG(4), PG(4), h + PG(4), RD | DEV | UC, AXAS_BACKEND_LINEAR },
		/* Cut into pages before: areas are not merged again. */
		{ LB, PG(1), h + PG(8), RD | DEV | UC, AXAS_BACKEND_LINEAR },
		{ LB + PG(1), PG(1), h + PG(9), RD | DEV | UC, AXAS_BACKEND_LINEAR },
		{ LB + PG(2), PG(1), h + PG(10), EX, AXAS_BACKEND_LINEAR },
		{ LB + PG(3), PG(1), h + PG(11), RD | UC, AXAS_BACKEND_LINEAR },
		{ LC, PG(4), h + PG(12), RD | DEV | UC, AXAS_BACKEND_LINEAR },
		{ LD, PG(1), h + PG(16), EX, AXAS_BACKEND_LINEAR },
	};

	NEED_HOLE(self->host);
	map_grants(_metadata, self);
	run_prot_cases(_metadata, self->fd, cases, ARRAY_SIZE(cases));
	expect_areas(_metadata, self->fd, want, ARRAY_SIZE(want));
}

TEST_F(priv, widening_linear_grant_is_eperm)
{
	static const struct prot_case cases[] = {
		{ LA, PG(1), RW, EPERM, "drop UNCACHED" },
		{ LA + PG(1), PG(1), RD | DEV | UC, 0, "narrowing still works" },
		{ LA + PG(1), PG(1), RW | DEV | UC, EPERM, "add WRITE back" },
		{ LA + PG(2), PG(1), RD | DEV, EPERM,
		  "drop WRITE, add DEVICE, drop UNCACHED" },
		{ LC, PG(1), RD | UC, EPERM, "drop DEVICE" },
		{ LC + PG(1), PG(1), RD | DEV, EPERM, "drop UNCACHED of DEVICE" },
		{ LC + PG(2), PG(1), RW | DEV | UC, EPERM, "add WRITE" },
		{ LC + PG(3), PG(1), RD, EPERM, "drop DEVICE and UNCACHED" },
		{ LD, PG(1), RD | EX, EPERM, "add READ" },
		{ LB, PG(4), RWX, 0, "RWX stays RWX" },
		{ LA, PG(16), RD | UC, EPERM, "three areas, two widened" },
		{ LA - PG(4), PG(24), RW | UC, EPERM, "holes and four areas" },
	};
	const uint64_t h = self->host;
	const struct axas_area want[] = {
		{ LA, PG(1), h, RW | UC, AXAS_BACKEND_LINEAR },
		{ LA + PG(1), PG(1), h + PG(1), RD | DEV | UC, AXAS_BACKEND_LINEAR },
		{ LA + PG(2), PG(6), h + PG(2), RW | UC, AXAS_BACKEND_LINEAR },
		{ LB, PG(4), h + PG(8), RWX, AXAS_BACKEND_LINEAR },
		{ LC, PG(4), h + PG(12), RD | DEV | UC, AXAS_BACKEND_LINEAR },
		{ LD, PG(1), h + PG(16), EX, AXAS_BACKEND_LINEAR },
	};
	const struct axas_area widened[] = {
		{ LA, PG(1), h, RW | UC, AXAS_BACKEND_LINEAR },
		{ LA + PG(1), PG(1), h + PG(1), RW | UC, AXAS_BACKEND_LINEAR },
		{ LA + PG(2), PG(6), h + PG(2), RW | UC, AXAS_BACKEND_LINEAR },
		{ LB, PG(4), h + PG(8), RWX, AXAS_BACKEND_LINEAR },
		{ LC, PG(4), h + PG(12), RW, AXAS_BACKEND_LINEAR },
		{ LD, PG(1), h + PG(16), RWX, AXAS_BACKEND_LINEAR },
	};

	NEED_HOLE(self->host);
	map_grants(_metadata, self);
	run_prot_cases(_metadata, self->fd, cases, ARRAY_SIZE(cases));
	expect_areas(_metadata, self->fd, want, ARRAY_SIZE(want));
	/* Root may widen, through the same fd. */
	ASSERT_EQ(0, _protect(self->fd, LA, PG(8), RW | UC));
	ASSERT_EQ(0, _protect(self->fd, LC, PG(4), RW));
	ASSERT_EQ(0, _protect(self->fd, LD, PG(1), RWX));
	expect_areas(_metadata, self->fd, widened, ARRAY_SIZE(widened));
}

/*
 * An alloc area, a linear one and another alloc area, adjacent: only the
 * linear part of a range is held back, and it fails the whole call.
 */
#define MIX		(12 * SZ_2M)

TEST_F(priv, protect_alloc_and_linear)
{
	static const struct prot_case cases[] = {
		{ MIX, PG(2), RWX, 0, "widen the alloc area alone" },
		{ MIX, PG(6), RWX, EPERM, "alloc and linear, linear widened" },
		{ MIX + PG(1), PG(2), RW, EPERM, "alloc and linear, add WRITE" },
		{ MIX, PG(6), RD, 0, "alloc narrowed, linear unchanged" },
		{ MIX + PG(1), PG(5), RD | UC, 0, "all narrowed" },
		{ MIX + PG(4), PG(2), RW, 0, "the other alloc area alone" },
		{ MIX - PG(2), PG(10), RW | UC, EPERM, "everything, with holes" },
	};
	const uint64_t h = self->host;
	const struct axas_area want[] = {
		{ MIX, PG(1), 0, RD | POP, AXAS_BACKEND_ALLOC },
		{ MIX + PG(1), PG(1), 0, RD | UC | POP, AXAS_BACKEND_ALLOC },
		{ MIX + PG(2), PG(2), h, RD | UC, AXAS_BACKEND_LINEAR },
		{ MIX + PG(4), PG(2), 0, RW | POP, AXAS_BACKEND_ALLOC },
	};

	NEED_HOLE(self->host);
	map_alloc(MIX, PG(2), RD | POP);
	map_linear(MIX + PG(2), self->host, PG(2), RD);
	map_alloc(MIX + PG(4), PG(2), RD | EX | POP);
	run_prot_cases(_metadata, self->fd, cases, ARRAY_SIZE(cases));
	expect_areas(_metadata, self->fd, want, ARRAY_SIZE(want));
}

/* ---- A.3: pread/pwrite honour a linear area's READ and WRITE ------------- */

/*
 * One page each, from RW: alloc RW, linear RD, linear RW, linear EX, alloc X
 * (lazy), alloc RD, then a hole.
 */
#define RWB		(16 * SZ_2M)
#define NR_RW		14

struct rw_case {
	bool write;
	uint64_t gpa;
	size_t len;
	ssize_t want;		/* count, or -errno */
};

static const struct rw_case rw_cases[NR_RW] = {
	{ true, RWB + PG(1) - 8, 16, 8 },	/* alloc RW, then no WRITE */
	{ false, RWB + PG(1) - 8, 16, 16 },	/* alloc RW, then READ */
	{ true, RWB + PG(1), 8, -EACCES },	/* linear READ */
	{ false, RWB + PG(2) - 8, 16, 16 },	/* linear RD, then RW */
	{ true, RWB + PG(2), 8, 8 },		/* linear RW */
	{ false, RWB + PG(2), 8, 8 },
	{ true, RWB + PG(3) - 8, 16, 8 },	/* linear RW, then EXEC */
	{ false, RWB + PG(3) - 8, 16, 8 },
	{ false, RWB + PG(3), 8, -EACCES },	/* linear EXEC */
	{ true, RWB + PG(4) - 8, 16, -EACCES },
	{ true, RWB + PG(4), 16, 16 },		/* alloc EXEC: flags do not limit */
	{ false, RWB + PG(4), 16, 16 },
	{ true, RWB + PG(6) - 8, 16, 8 },	/* alloc RD, then a hole */
	{ false, RWB + PG(6), 8, -EIO },		/* a hole is still EIO */
};

struct rw_report {
	ssize_t got[NR_RW];
	bool data_ok[NR_RW];	/* alloc bytes read back as written */
};

static ssize_t rw_one(int fd, const struct rw_case *c, char *buf)
{
	ssize_t ret;

	ret = c->write ? pwrite(fd, buf, c->len, c->gpa) :
			 pread(fd, buf, c->len, c->gpa);
	return ret < 0 ? -errno : ret;
}

/* The bytes written to alloc pages: a function of the gpa. */
static char rw_byte(uint64_t gpa)
{
	return (char)(gpa * 7 + 3);
}

static bool rw_alloc(uint64_t gpa)
{
	uint64_t p = (gpa - RWB) / SZ_4K;

	return p == 0 || p == 4 || p == 5;
}

static void rw_cases_run(int fd, struct rw_report *r)
{
	char buf[64];
	size_t k;
	int i;

	for (i = 0; i < NR_RW; i++) {
		const struct rw_case *c = &rw_cases[i];

		for (k = 0; k < c->len; k++)
			buf[k] = c->write ? rw_byte(c->gpa + k) : 0x5a;
		r->got[i] = rw_one(fd, c, buf);
		r->data_ok[i] = true;
		for (k = 0; !c->write && r->got[i] > 0 && k < (size_t)r->got[i]; k++)
			if (rw_alloc(c->gpa + k) && buf[k] != rw_byte(c->gpa + k))
				r->data_ok[i] = false;
	}
}

static void rw_child(const int *fds, const void *arg, void *report)
{
	rw_cases_run(fds[0], report);
}

static void expect_rw(struct __test_metadata *_metadata,
		      const struct rw_report *r, const char *who)
{
	int i;

	for (i = 0; i < NR_RW; i++) {
		EXPECT_EQ(rw_cases[i].want, r->got[i])
			TH_LOG("%s: %s of %zu at page %llu + %#llx", who,
			       rw_cases[i].write ? "pwrite" : "pread",
			       rw_cases[i].len,
			       (unsigned long long)((rw_cases[i].gpa - RWB) / SZ_4K),
			       (unsigned long long)(rw_cases[i].gpa & (SZ_4K - 1)));
		EXPECT_TRUE(r->data_ok[i]) TH_LOG("%s: case %d read wrong data", who, i);
	}
}

TEST_F(priv, rw_honours_linear_flags)
{
	struct rw_report r;

	NEED_HOLE(self->host);
	map_alloc(RWB, PG(1), RW | POP);
	/* Device memory, uncached: reads see what the host range holds. */
	map_linear(RWB + PG(1), self->host, PG(1), RD | DEV);
	map_linear(RWB + PG(2), self->host + PG(1), PG(1), RW | UC);
	map_linear(RWB + PG(3), self->host + PG(2), PG(1), EX);
	map_alloc(RWB + PG(4), PG(1), EX);
	map_alloc(RWB + PG(5), PG(1), RD | POP);
	/* The calling task's privilege plays no part here: root, then nobody. */
	rw_cases_run(self->fd, &r);
	expect_rw(_metadata, &r, "root");
	run_unprivileged(_metadata, &self->fd, 1, rw_child, NULL, &r, sizeof(r));
	expect_rw(_metadata, &r, "nobody");
}

/* ---- A.4: host addresses need CAP_SYS_ADMIN ------------------------------ */

#define HID_LIN		(2 * SZ_2M)

struct hide_report {
	int tr[2];
	uint64_t hpa[2], page_size[2];
	int batch;
	uint64_t batch_hpa[2], batch_page_size[2];
	int info;
	uint64_t root_hpa, hw_root, table_pages;
	int nr_areas;
	uint64_t area_hpa[2];
	int dump;
};

static void hide_child(const int *fds, const void *arg, void *report)
{
	struct axas_translate t, e[2] = {
		{ .gpa = 0x123 }, { .gpa = HID_LIN + 0x4567 },
	};
	struct axas_translate_batch b = { .entries = (uintptr_t)e, .count = 2 };
	struct hide_report *r = report;
	struct axas_area a[MAX_AREAS];
	struct axas_dump d = { 0 };
	struct axas_info i;
	int k;

	for (k = 0; k < 2; k++) {
		r->tr[k] = _translate(fds[0], e[k].gpa, &t);
		r->hpa[k] = t.hpa;
		r->page_size[k] = t.page_size;
	}
	r->batch = xioctl(fds[0], AXAS_TRANSLATE_BATCH, &b);
	for (k = 0; k < 2; k++) {
		r->batch_hpa[k] = e[k].hpa;
		r->batch_page_size[k] = e[k].page_size;
	}
	r->info = _info(fds[0], &i);
	r->root_hpa = i.root_hpa;
	r->hw_root = i.hw_root;
	r->table_pages = i.table_pages;
	r->nr_areas = areas_of(fds[0], a);
	r->area_hpa[0] = a[0].hpa;
	r->area_hpa[1] = a[1].hpa;
	r->dump = xioctl(fds[0], AXAS_DUMP_TABLES, &d);
}

TEST_F(priv, host_addresses_need_sys_admin)
{
	struct axas_dump d = { 0 };
	struct hide_report r;
	struct axas_translate t;
	struct axas_area a[MAX_AREAS];
	struct axas_info i;
	int k;

	NEED_HOLE(self->host);
	map_alloc(0, PG(1), RW | POP);
	map_linear(HID_LIN, self->host, SZ_2M, RW | UC);
	run_unprivileged(_metadata, &self->fd, 1, hide_child, NULL, &r, sizeof(r));
	for (k = 0; k < 2; k++) {
		EXPECT_EQ(0, r.tr[k]);
		EXPECT_EQ(0, r.hpa[k]) TH_LOG("translate %d", k);
		EXPECT_EQ(0, r.batch_hpa[k]) TH_LOG("batch element %d", k);
		EXPECT_EQ(0, r.area_hpa[k]) TH_LOG("area %d", k);
	}
	EXPECT_EQ(SZ_4K, r.page_size[0]);
	EXPECT_EQ(SZ_2M, r.page_size[1]);
	EXPECT_EQ(0, r.batch);
	EXPECT_EQ(SZ_4K, r.batch_page_size[0]);
	EXPECT_EQ(SZ_2M, r.batch_page_size[1]);
	EXPECT_EQ(0, r.info);
	EXPECT_EQ(0, r.root_hpa);
	EXPECT_EQ(0, r.hw_root);
	EXPECT_LT(1, r.table_pages);
	EXPECT_EQ(2, r.nr_areas);
	EXPECT_EQ(EPERM, r.dump);
	/* Root sees them, through the very same fd. */
	ASSERT_EQ(0, _translate(self->fd, HID_LIN + 0x4567, &t));
	EXPECT_EQ(self->host + 0x4567, t.hpa);
	ASSERT_EQ(0, _info(self->fd, &i));
	EXPECT_NE(0, i.root_hpa);
	EXPECT_NE(0, i.hw_root);
	ASSERT_EQ(2, areas_of(self->fd, a));
	EXPECT_EQ(self->host, a[1].hpa);
	EXPECT_EQ(0, xioctl(self->fd, AXAS_DUMP_TABLES, &d));
	EXPECT_EQ(i.table_pages, d.count);
}

/* ---- A.5: max_spaces limits each user ------------------------------------ */

#define MAX_SPACES	PARAMS "max_spaces"
#define LIMIT		2
#define LIMIT_STR	"2"

static int read_param(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = 0;
	return 0;
}

/* 0 when @val could be written to @path, else an errno. */
static int write_param(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = errno ?: EIO;
	close(fd);
	return ret;
}

FIXTURE(max_spaces) {
	const char *skip;
	char old[32];		/* the parameter before the test, "" if unread */
	int dev;
	int fd[LIMIT + 1];
};

FIXTURE_SETUP(max_spaces)
{
	int i;

	self->dev = -1;
	for (i = 0; i <= LIMIT; i++)
		self->fd[i] = -1;
	self->skip = need_root_and_module();
	if (self->skip)
		return;
	dev_open(self->dev);
	ASSERT_EQ(0, read_param(MAX_SPACES, self->old, sizeof(self->old)));
	/* Last: a setup that fails later would never see its teardown. */
	ASSERT_EQ(0, write_param(MAX_SPACES, LIMIT_STR));
}

FIXTURE_TEARDOWN(max_spaces)
{
	int i;

	for (i = 0; i <= LIMIT; i++)
		if (self->fd[i] >= 0)
			close(self->fd[i]);
	if (self->dev >= 0)
		close(self->dev);
	if (self->old[0] && write_param(MAX_SPACES, self->old))
		TH_LOG("could not restore max_spaces to %s", self->old);
}

struct limit_report {
	int create[LIMIT + 1];	/* up to the limit, then one more */
	int after_close;	/* once one of the child's spaces is closed */
	int again;		/* one above the limit again */
};

static void limit_child(const int *fds, const void *arg, void *report)
{
	struct limit_report *r = report;
	int fd[LIMIT + 2], i;

	for (i = 0; i <= LIMIT; i++)
		r->create[i] = _create_space(fds[0], &fd[i]);
	if (!r->create[0])
		close(fd[0]);
	r->after_close = _create_space(fds[0], &fd[LIMIT + 1]);
	r->again = _create_space(fds[0], &fd[LIMIT]);
}

TEST_F(max_spaces, limit_is_per_user)
{
	struct limit_report r;
	int fd = -1;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	EXPECT_EQ(LIMIT, ioctl(self->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_MAX_SPACES));
	ASSERT_EQ(0, _create_space(self->dev, &self->fd[0]));
	ASSERT_EQ(0, _create_space(self->dev, &self->fd[1]));
	EXPECT_EQ(ENOSPC, _create_space(self->dev, &fd));
	/* Root's two spaces do not count against nobody. */
	run_unprivileged(_metadata, &self->dev, 1, limit_child, NULL, &r, sizeof(r));
	EXPECT_EQ(0, r.create[0]);
	EXPECT_EQ(0, r.create[1]);
	EXPECT_EQ(ENOSPC, r.create[2]);
	EXPECT_EQ(0, r.after_close);
	EXPECT_EQ(ENOSPC, r.again);
	/* Nor do nobody's, gone with the child, against root; closing frees. */
	EXPECT_EQ(ENOSPC, _create_space(self->dev, &fd));
	close(self->fd[1]);
	self->fd[1] = -1;
	EXPECT_EQ(0, _create_space(self->dev, &self->fd[1]));
	EXPECT_EQ(ENOSPC, _create_space(self->dev, &self->fd[2]));
}

/* ---- A.6: allow_ram_linear cannot change at run time ---------------------- */

#define ALLOW_RAM	PARAMS "allow_ram_linear"

TEST(allow_ram_linear_is_read_only)
{
	char before[16], after[16];
	const char *skip = need_root_and_module();
	struct stat st;

	if (skip)
		SKIP(return, "%s", skip);
	ASSERT_EQ(0, stat(ALLOW_RAM, &st));
	EXPECT_EQ(0444, st.st_mode & 07777);
	ASSERT_EQ(0, read_param(ALLOW_RAM, before, sizeof(before)));
	/* The value it already has: should the write pass, nothing changes. */
	EXPECT_NE(0, write_param(ALLOW_RAM, before));
	ASSERT_EQ(0, read_param(ALLOW_RAM, after, sizeof(after)));
	EXPECT_STREQ(before, after);
}

TEST_HARNESS_MAIN
