// SPDX-License-Identifier: GPL-2.0
/*
 * Extensible structs (userspace-api.rst): every ioctl with an argument
 * takes this header's struct, version 1's shorter one, a longer one whose
 * unknown tail is zero, and refuses a longer one with a non-zero tail
 * (E2BIG) and one shorter than version 1's (EINVAL). The struct's size is
 * the one in the command.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/axaddrspace.h>

#include "kselftest_harness.h"
#include "axas_util.h"

#define GPA	0x200000ULL
#define BUF	256

/* @cmd with its size bits set to @size. */
static unsigned long sized(unsigned long cmd, unsigned int size)
{
	return _IOC(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), size);
}

/* ioctl(@fd, @cmd at @size, @buf): the result, or -errno. */
static long call(int fd, unsigned long cmd, unsigned int size, void *buf)
{
	long ret = ioctl(fd, sized(cmd, size), buf);

	return ret < 0 ? -errno : ret;
}

struct abi_case;

/* Puts the space in the state the call expects and fills its argument. */
typedef void (*prep_fn)(int space, void *buf);

struct abi_case {
	const char *name;
	unsigned long cmd;
	unsigned int v1_size;
	bool on_dev;		/* the device fd, not the space fd */
	prep_fn prep;
	long ok;		/* what a good call returns: 0, or 1 for "an fd" */
};

static void prep_alloc(int space, void *buf)
{
	struct axas_map_alloc a = { .gpa = GPA, .size = SZ_2M,
				    .flags = AXAS_READ | AXAS_WRITE };

	_unmap(space, 0, 1ULL << 30);
	memcpy(buf, &a, sizeof(a));
}

static void prep_mapped(int space)
{
	_unmap(space, 0, 1ULL << 30);
	_map_alloc(space, GPA, SZ_2M, AXAS_READ | AXAS_WRITE | AXAS_MAP_POPULATE);
}

static void prep_unmap(int space, void *buf)
{
	struct axas_range r = { .gpa = GPA, .size = SZ_4K };

	prep_mapped(space);
	memcpy(buf, &r, sizeof(r));
}

static void prep_protect(int space, void *buf)
{
	struct axas_protect p = { .gpa = GPA, .size = SZ_4K, .flags = AXAS_READ };

	prep_mapped(space);
	memcpy(buf, &p, sizeof(p));
}

static void prep_translate(int space, void *buf)
{
	struct axas_translate t = { .gpa = GPA };

	prep_mapped(space);
	memcpy(buf, &t, sizeof(t));
}

static void prep_fault(int space, void *buf)
{
	struct axas_fault f = { .gpa = GPA, .access = AXAS_READ };

	prep_mapped(space);
	memcpy(buf, &f, sizeof(f));
}

static void prep_none(int space, void *buf)
{
	prep_mapped(space);
}

static struct axas_translate batch_elem;

static void prep_batch(int space, void *buf)
{
	struct axas_translate_batch b = { .entries = (uintptr_t)&batch_elem, .count = 1 };

	prep_mapped(space);
	memset(&batch_elem, 0, sizeof(batch_elem));
	batch_elem.gpa = GPA;
	memcpy(buf, &b, sizeof(b));
}

static struct axas_area areas_buf[4];

static void prep_areas(int space, void *buf)
{
	struct axas_areas a = { .areas = (uintptr_t)areas_buf, .capacity = 4 };

	prep_mapped(space);
	memcpy(buf, &a, sizeof(a));
}

static void prep_dump(int space, void *buf)
{
	struct axas_dump d = { .capacity = 0 };

	prep_mapped(space);
	memcpy(buf, &d, sizeof(d));
}

static void prep_create(int space, void *buf)
{
	struct axas_create c = { .size = SZ_2M, .format = AXAS_FMT_X86_EPT4 };

	memcpy(buf, &c, sizeof(c));
}

static const struct abi_case cases[] = {
	{ "create", AXAS_CREATE_SPACE, 48, true, prep_create, 1 },
	{ "map_alloc", AXAS_MAP_ALLOC, 32, false, prep_alloc, 0 },
	{ "unmap", AXAS_UNMAP, 16, false, prep_unmap, 0 },
	{ "protect", AXAS_PROTECT, 24, false, prep_protect, 0 },
	{ "translate", AXAS_TRANSLATE, 56, false, prep_translate, 0 },
	{ "fault", AXAS_HANDLE_FAULT, 16, false, prep_fault, 0 },
	{ "info", AXAS_GET_INFO, 128, false, prep_none, 0 },
	{ "areas", AXAS_GET_AREAS, 16, false, prep_areas, 0 },
	{ "dump", AXAS_DUMP_TABLES, 16, false, prep_dump, 0 },
	{ "translate_batch", AXAS_TRANSLATE_BATCH, 32, false, prep_batch, 0 },
};

FIXTURE(abi) {
	int dev, space;
	unsigned char buf[BUF];
};

FIXTURE_VARIANT(abi) {
	unsigned int index;
};

FIXTURE_VARIANT_ADD(abi, create) {
	.index = 0,
};

FIXTURE_VARIANT_ADD(abi, map_alloc) {
	.index = 1,
};

FIXTURE_VARIANT_ADD(abi, unmap) {
	.index = 2,
};

FIXTURE_VARIANT_ADD(abi, protect) {
	.index = 3,
};

FIXTURE_VARIANT_ADD(abi, translate) {
	.index = 4,
};

FIXTURE_VARIANT_ADD(abi, fault) {
	.index = 5,
};

FIXTURE_VARIANT_ADD(abi, info) {
	.index = 6,
};

FIXTURE_VARIANT_ADD(abi, areas) {
	.index = 7,
};

FIXTURE_VARIANT_ADD(abi, dump) {
	.index = 8,
};

FIXTURE_VARIANT_ADD(abi, translate_batch) {
	.index = 9,
};

FIXTURE_SETUP(abi)
{
	SETUP_NEEDS_MODULE();
	dev_open(self->dev);
	create(self->dev, 0, 1ULL << 30, AXAS_FMT_X86_EPT4, &self->space);
}

FIXTURE_TEARDOWN(abi)
{
	if (self->space > 0)
		close(self->space);
	if (self->dev > 0)
		close(self->dev);
}

/* One call at @size with the argument @prep makes; tail bytes set to @tail. */
static long run_case(const struct abi_case *c, int dev, int space,
		     unsigned char *buf, unsigned int size, unsigned char tail)
{
	unsigned int hsize = _IOC_SIZE(c->cmd);
	long ret;

	memset(buf, 0, BUF);
	c->prep(space, buf);
	if (size > hsize)
		memset(buf + hsize, tail, size - hsize);
	ret = call(c->on_dev ? dev : space, c->cmd, size, buf);
	if (c->ok == 1 && ret >= 0) {
		close(ret);
		ret = 1;
	}
	return ret;
}

TEST_F(abi, this_headers_size)
{
	const struct abi_case *c = &cases[variant->index];

	EXPECT_EQ(c->ok, run_case(c, self->dev, self->space, self->buf,
				  _IOC_SIZE(c->cmd), 0));
}

TEST_F(abi, version_1_size)
{
	const struct abi_case *c = &cases[variant->index];

	EXPECT_EQ(c->ok, run_case(c, self->dev, self->space, self->buf, c->v1_size, 0));
}

TEST_F(abi, longer_with_zero_tail)
{
	const struct abi_case *c = &cases[variant->index];
	unsigned int size = _IOC_SIZE(c->cmd) + 16;

	EXPECT_EQ(c->ok, run_case(c, self->dev, self->space, self->buf, size, 0));
	/* What the module writes back ends at its own size, the rest is 0. */
	if (_IOC_DIR(c->cmd) & _IOC_READ && c->cmd != AXAS_TRANSLATE_BATCH &&
	    c->cmd != AXAS_HANDLE_FAULT) {
		unsigned int i;

		for (i = _IOC_SIZE(c->cmd); i < size; i++)
			EXPECT_EQ(0, self->buf[i]);
	}
}

TEST_F(abi, longer_with_nonzero_tail)
{
	const struct abi_case *c = &cases[variant->index];
	unsigned int size = _IOC_SIZE(c->cmd) + 16;
	long want = _IOC_DIR(c->cmd) & _IOC_WRITE ? -E2BIG : c->ok;

	/* An output-only struct has no input to refuse: its tail is zeroed. */
	EXPECT_EQ(want, run_case(c, self->dev, self->space, self->buf, size, 0x5a));
	if (!(_IOC_DIR(c->cmd) & _IOC_WRITE))
		EXPECT_EQ(0, self->buf[size - 1]);
}

TEST_F(abi, shorter_than_version_1)
{
	const struct abi_case *c = &cases[variant->index];

	EXPECT_EQ(-EINVAL, run_case(c, self->dev, self->space, self->buf,
				    c->v1_size - 8, 0));
}

/* A refused call changed nothing: the mapping the case set up is intact. */
TEST_F(abi, refused_call_changes_nothing)
{
	const struct abi_case *c = &cases[variant->index];
	struct axas_translate t;
	int mapped = c->prep != prep_alloc && c->prep != prep_create;

	run_case(c, self->dev, self->space, self->buf, _IOC_SIZE(c->cmd) + 8, 0x5a);
	EXPECT_EQ(mapped ? 0 : ENOENT, _translate(self->space, GPA, &t));
	if (c->prep == prep_protect)
		EXPECT_EQ(AXAS_READ | AXAS_WRITE, t.flags);
}

/* ---- op_flags and padding of the version-2 fields --------------------- */

FIXTURE(opflags) {
	int dev, space;
};

FIXTURE_SETUP(opflags)
{
	SETUP_NEEDS_MODULE();
	dev_open(self->dev);
	create(self->dev, 0, 1ULL << 30, AXAS_FMT_X86_EPT4, &self->space);
	ASSERT_EQ(0, _map_alloc(self->space, GPA, SZ_2M,
				AXAS_READ | AXAS_WRITE | AXAS_MAP_POPULATE));
}

FIXTURE_TEARDOWN(opflags)
{
	if (self->space > 0)
		close(self->space);
	if (self->dev > 0)
		close(self->dev);
}

TEST_F(opflags, unmap)
{
	struct axas_range r = { .gpa = GPA, .size = SZ_4K, .op_flags = 1 };
	struct axas_translate t;

	EXPECT_EQ(-EINVAL, call(self->space, AXAS_UNMAP, sizeof(r), &r));
	r.op_flags = 0;
	r.pad = 1;
	EXPECT_EQ(-EINVAL, call(self->space, AXAS_UNMAP, sizeof(r), &r));
	EXPECT_EQ(0, _translate(self->space, GPA, &t));
}

TEST_F(opflags, translate)
{
	struct axas_translate t = { .gpa = GPA, .op_flags = 1 };

	EXPECT_EQ(-EINVAL, call(self->space, AXAS_TRANSLATE, sizeof(t), &t));
	/* reserved is an output: whatever the caller left there is ignored. */
	t.op_flags = 0;
	t.reserved = 0xdead;
	EXPECT_EQ(0, call(self->space, AXAS_TRANSLATE, sizeof(t), &t));
	EXPECT_EQ(0, t.reserved);
}

TEST_F(opflags, translate_batch_element)
{
	struct axas_translate e[2] = { { .gpa = GPA }, { .gpa = GPA, .op_flags = 2 } };
	struct axas_translate_batch b = { .entries = (uintptr_t)e, .count = 2 };

	EXPECT_EQ(-EINVAL, call(self->space, AXAS_TRANSLATE_BATCH, sizeof(b), &b));
	EXPECT_EQ(0, b.count);
}

TEST_F(opflags, areas)
{
	struct axas_area a[2];
	struct axas_areas l = { .areas = (uintptr_t)a, .capacity = 2, .op_flags = 1 };

	EXPECT_EQ(-EINVAL, call(self->space, AXAS_GET_AREAS, sizeof(l), &l));
	l.op_flags = 0;
	l.pad = 1;
	EXPECT_EQ(-EINVAL, call(self->space, AXAS_GET_AREAS, sizeof(l), &l));
}

TEST_F(opflags, dump)
{
	struct axas_dump d = { .op_flags = 1 };

	EXPECT_EQ(-EINVAL, call(self->space, AXAS_DUMP_TABLES, sizeof(d), &d));
	d.op_flags = 0;
	d.pad = 1;
	EXPECT_EQ(-EINVAL, call(self->space, AXAS_DUMP_TABLES, sizeof(d), &d));
}

/* ---- AXAS_CHECK_EXTENSION on a space fd ------------------------------- */

TEST_F(opflags, check_extension_on_space_fd)
{
	long formats = ioctl(self->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_FORMATS);
	int arm;

	EXPECT_LT(0, formats);
	EXPECT_EQ(formats, ioctl(self->space, AXAS_CHECK_EXTENSION, AXAS_CAP_FORMATS));
	EXPECT_EQ(ioctl(self->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_TRANSLATE_BATCH),
		  ioctl(self->space, AXAS_CHECK_EXTENSION, AXAS_CAP_TRANSLATE_BATCH));
	EXPECT_EQ(ioctl(self->dev, AXAS_CHECK_EXTENSION, AXAS_CAP_EPT_EXEC_ONLY),
		  ioctl(self->space, AXAS_CHECK_EXTENSION, AXAS_CAP_EPT_EXEC_ONLY));
	EXPECT_EQ(0, ioctl(self->space, AXAS_CHECK_EXTENSION, 0x7fff));
	/* A space of a format without EPT's question answers 0 for it. */
	create(self->dev, 0, SZ_2M, AXAS_FMT_ARM64_S2_48, &arm);
	EXPECT_EQ(0, ioctl(arm, AXAS_CHECK_EXTENSION, AXAS_CAP_EPT_EXEC_ONLY));
	close(arm);
}

TEST(api_version_is_2)
{
	int dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);

	if (dev < 0)
		SKIP(return, "no %s", DEV_PATH);
	EXPECT_EQ(2, ioctl(dev, AXAS_GET_API_VERSION));
	EXPECT_EQ(2, AXAS_API_VERSION);
	close(dev);
}

TEST_HARNESS_MAIN
