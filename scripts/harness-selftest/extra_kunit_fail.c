// SPDX-License-Identifier: GPL-2.0
/* A KUnit suite with one passing and one failing case. */
#include <kunit/test.h>
#include <linux/module.h>

static void harness_pass_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1 + 1, 2);
}

static void harness_fail_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, 1 + 1, 3, "deliberate failure");
}

static struct kunit_case harness_cases[] = {
	KUNIT_CASE(harness_pass_test),
	KUNIT_CASE(harness_fail_test),
	{}
};

static struct kunit_suite harness_suite = {
	.name = "harness_selftest",
	.test_cases = harness_cases,
};

kunit_test_suite(harness_suite);

MODULE_LICENSE("GPL");
