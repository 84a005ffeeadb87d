// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the userspace ABI: every struct size, field offset and
 * ioctl number of include/uapi/linux/axaddrspace.h must match userspace-api.rst, on
 * every architecture, forever.
 */
#include <kunit/test.h>
#include <linux/stddef.h>

#include <uapi/linux/axaddrspace.h>

struct axas_field {
	const char *name;
	size_t offset;
	size_t expect;
};

#define FIELD(type, member, off) { #type "." #member, offsetof(struct type, member), off }

static const struct axas_field axas_fields[] = {
	FIELD(axas_create, base, 0), FIELD(axas_create, size, 8),
	FIELD(axas_create, format, 16), FIELD(axas_create, flags, 20),
	FIELD(axas_create, reserved, 24),
	FIELD(axas_map_linear, gpa, 0), FIELD(axas_map_linear, hpa, 8),
	FIELD(axas_map_linear, size, 16), FIELD(axas_map_linear, flags, 24),
	FIELD(axas_map_linear, pad, 28), FIELD(axas_map_linear, reserved, 32),
	FIELD(axas_map_alloc, gpa, 0), FIELD(axas_map_alloc, size, 8),
	FIELD(axas_map_alloc, flags, 16), FIELD(axas_map_alloc, pad, 20),
	FIELD(axas_map_alloc, reserved, 24),
	FIELD(axas_range, gpa, 0), FIELD(axas_range, size, 8),
	FIELD(axas_range, op_flags, 16), FIELD(axas_range, pad, 20),
	FIELD(axas_protect, gpa, 0), FIELD(axas_protect, size, 8),
	FIELD(axas_protect, flags, 16), FIELD(axas_protect, pad, 20),
	FIELD(axas_translate, gpa, 0), FIELD(axas_translate, hpa, 8),
	FIELD(axas_translate, page_size, 16), FIELD(axas_translate, area_start, 24),
	FIELD(axas_translate, area_size, 32), FIELD(axas_translate, flags, 40),
	FIELD(axas_translate, backend, 44), FIELD(axas_translate, op_flags, 48),
	FIELD(axas_translate, reserved, 52),
	FIELD(axas_translate_batch, entries, 0),
	FIELD(axas_translate_batch, count, 8),
	FIELD(axas_translate_batch, flags, 12),
	FIELD(axas_translate_batch, reserved, 16),
	FIELD(axas_fault, gpa, 0), FIELD(axas_fault, access, 8),
	FIELD(axas_fault, handled, 12),
	FIELD(axas_info, base, 0), FIELD(axas_info, size, 8),
	FIELD(axas_info, format, 16), FIELD(axas_info, levels, 20),
	FIELD(axas_info, gpa_bits, 24), FIELD(axas_info, flags, 28),
	FIELD(axas_info, root_hpa, 32), FIELD(axas_info, hw_root, 40),
	FIELD(axas_info, hw_ctl, 48), FIELD(axas_info, nr_areas, 56),
	FIELD(axas_info, mapped_bytes, 64), FIELD(axas_info, table_pages, 72),
	FIELD(axas_info, alloc_pages, 80), FIELD(axas_info, faults_handled, 88),
	FIELD(axas_info, reserved, 96),
	FIELD(axas_area, gpa, 0), FIELD(axas_area, size, 8),
	FIELD(axas_area, hpa, 16), FIELD(axas_area, flags, 24),
	FIELD(axas_area, backend, 28),
	FIELD(axas_areas, areas, 0), FIELD(axas_areas, capacity, 8),
	FIELD(axas_areas, count, 12), FIELD(axas_areas, op_flags, 16),
	FIELD(axas_areas, pad, 20),
	FIELD(axas_table_page, hpa, 0), FIELD(axas_table_page, level, 8),
	FIELD(axas_table_page, index, 12), FIELD(axas_table_page, entries, 16),
	FIELD(axas_dump, pages, 0), FIELD(axas_dump, capacity, 8),
	FIELD(axas_dump, count, 12), FIELD(axas_dump, op_flags, 16),
	FIELD(axas_dump, pad, 20),
};

static void axas_uapi_offsets_test(struct kunit *test)
{
	const struct axas_field *f;

	for (f = axas_fields; f < axas_fields + ARRAY_SIZE(axas_fields); f++)
		KUNIT_EXPECT_EQ_MSG(test, f->offset, f->expect, "%s", f->name);
}

static void axas_uapi_sizes_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct axas_create), 48);
	KUNIT_EXPECT_EQ(test, sizeof(struct axas_map_linear), 40);
	KUNIT_EXPECT_EQ(test, sizeof(struct axas_map_alloc), 32);
	KUNIT_EXPECT_EQ(test, sizeof(struct axas_range), 24);
	KUNIT_EXPECT_EQ(test, sizeof(struct axas_protect), 24);
	KUNIT_EXPECT_EQ(test, sizeof(struct axas_translate), 56);
	KUNIT_EXPECT_EQ(test, sizeof(struct axas_translate_batch), 32);
	KUNIT_EXPECT_EQ(test, sizeof(struct axas_fault), 16);
	KUNIT_EXPECT_EQ(test, sizeof(struct axas_info), 128);
	KUNIT_EXPECT_EQ(test, sizeof(struct axas_area), 32);
	KUNIT_EXPECT_EQ(test, sizeof(struct axas_areas), 24);
	KUNIT_EXPECT_EQ(test, sizeof(struct axas_table_page), 4112);
	KUNIT_EXPECT_EQ(test, sizeof(struct axas_dump), 24);
}

/* The numbers as userspace-api.rst spells them: direction, size, magic 0xB9, nr. */
static void axas_uapi_ioctl_numbers_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, AXAS_GET_API_VERSION, 0xB900U);
	KUNIT_EXPECT_EQ(test, AXAS_CHECK_EXTENSION, 0xB902U);
	KUNIT_EXPECT_EQ(test, AXAS_CLEAR, 0xB917U);
	KUNIT_EXPECT_EQ(test, AXAS_CREATE_SPACE, _IOC(_IOC_WRITE, 0xB9, 0x01, 48));
	KUNIT_EXPECT_EQ(test, AXAS_MAP_LINEAR, _IOC(_IOC_WRITE, 0xB9, 0x10, 40));
	KUNIT_EXPECT_EQ(test, AXAS_MAP_ALLOC, _IOC(_IOC_WRITE, 0xB9, 0x11, 32));
	KUNIT_EXPECT_EQ(test, AXAS_UNMAP, _IOC(_IOC_WRITE, 0xB9, 0x12, 24));
	KUNIT_EXPECT_EQ(test, AXAS_PROTECT, _IOC(_IOC_WRITE, 0xB9, 0x13, 24));
	KUNIT_EXPECT_EQ(test, AXAS_TRANSLATE,
			_IOC(_IOC_READ | _IOC_WRITE, 0xB9, 0x14, 56));
	KUNIT_EXPECT_EQ(test, AXAS_HANDLE_FAULT,
			_IOC(_IOC_READ | _IOC_WRITE, 0xB9, 0x15, 16));
	KUNIT_EXPECT_EQ(test, AXAS_GET_INFO, _IOC(_IOC_READ, 0xB9, 0x16, 128));
	KUNIT_EXPECT_EQ(test, AXAS_GET_AREAS,
			_IOC(_IOC_READ | _IOC_WRITE, 0xB9, 0x18, 24));
	KUNIT_EXPECT_EQ(test, AXAS_DUMP_TABLES,
			_IOC(_IOC_READ | _IOC_WRITE, 0xB9, 0x19, 24));
	KUNIT_EXPECT_EQ(test, AXAS_TRANSLATE_BATCH,
			_IOC(_IOC_READ | _IOC_WRITE, 0xB9, 0x1a, 32));
}

static void axas_uapi_constants_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, AXAS_API_VERSION, 2);
	KUNIT_EXPECT_EQ(test, AXAS_FMT_NATIVE, 0);
	KUNIT_EXPECT_EQ(test, AXAS_FMT_X86_EPT4, 1);
	KUNIT_EXPECT_EQ(test, AXAS_FMT_X86_EPT5, 2);
	KUNIT_EXPECT_EQ(test, AXAS_FMT_ARM64_S2_40, 3);
	KUNIT_EXPECT_EQ(test, AXAS_FMT_ARM64_S2_48, 4);
	KUNIT_EXPECT_EQ(test, AXAS_FMT_RISCV_SV39X4, 5);
	KUNIT_EXPECT_EQ(test, AXAS_FMT_RISCV_SV48X4, 6);
	KUNIT_EXPECT_EQ(test, AXAS_FMT_X86_NPT4, 7);
	KUNIT_EXPECT_EQ(test, AXAS_FMT_X86_NPT5, 8);
	KUNIT_EXPECT_EQ(test, AXAS_FMT_RISCV_SV57X4, 9);
	KUNIT_EXPECT_EQ(test, AXAS_READ | AXAS_WRITE | AXAS_EXEC | AXAS_USER |
			AXAS_DEVICE | AXAS_UNCACHED, 0x3fU);
	KUNIT_EXPECT_EQ(test, AXAS_MAP_POPULATE, 0x10000U);
	KUNIT_EXPECT_EQ(test, AXAS_BACKEND_LINEAR, 1);
	KUNIT_EXPECT_EQ(test, AXAS_BACKEND_ALLOC, 2);
	KUNIT_EXPECT_EQ(test, AXAS_CAP_FORMATS, 1);
	KUNIT_EXPECT_EQ(test, AXAS_CAP_MAX_SPACES, 2);
	KUNIT_EXPECT_EQ(test, AXAS_CAP_EPT_EXEC_ONLY, 4);
	KUNIT_EXPECT_EQ(test, AXAS_CAP_TRANSLATE_BATCH, 3);
}

static struct kunit_case axas_uapi_cases[] = {
	KUNIT_CASE(axas_uapi_sizes_test),
	KUNIT_CASE(axas_uapi_offsets_test),
	KUNIT_CASE(axas_uapi_ioctl_numbers_test),
	KUNIT_CASE(axas_uapi_constants_test),
	{}
};

static struct kunit_suite axas_uapi_suite = {
	.name = "axaddrspace_uapi",
	.test_cases = axas_uapi_cases,
};

kunit_test_suite(axas_uapi_suite);
