// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite of the device's space limit: max_spaces counts the space fds
 * of each user, so one user at the limit holds back no other. The uids are
 * made up, far from any process of the test machine.
 */
#include <kunit/test.h>
#include <linux/uidgid.h>

#include "src/dev.h"

static void dev_slots(struct kunit *test, kuid_t uid, unsigned int n,
		      unsigned int limit)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ_MSG(test, axas_dev_space_slot(uid, limit), 0,
				    "slot %u", i);
}

static void dev_close(kuid_t uid, unsigned int n)
{
	while (n--)
		axas_dev_space_closed(uid);
}

static void dev_space_limit_test(struct kunit *test)
{
	kuid_t a = KUIDT_INIT(0x7ffe0001), b = KUIDT_INIT(0x7ffe0002);

	dev_slots(test, a, 2, 2);
	KUNIT_EXPECT_EQ(test, axas_dev_space_slot(a, 2), -ENOSPC);
	/* Another user is not held back by the first. */
	dev_slots(test, b, 2, 2);
	KUNIT_EXPECT_EQ(test, axas_dev_space_slot(b, 2), -ENOSPC);
	/* A close gives one back, to its own user only. */
	dev_close(a, 1);
	KUNIT_EXPECT_EQ(test, axas_dev_space_slot(b, 2), -ENOSPC);
	dev_slots(test, a, 1, 2);
	KUNIT_EXPECT_EQ(test, axas_dev_space_slot(a, 2), -ENOSPC);
	/* A lower limit set later counts the fds already open; 0 is none. */
	KUNIT_EXPECT_EQ(test, axas_dev_space_slot(a, 1), -ENOSPC);
	dev_slots(test, a, 3, 0);
	dev_close(a, 5);
	dev_close(b, 2);
	/* All closed: each user starts from nothing again. */
	dev_slots(test, a, 1, 1);
	KUNIT_EXPECT_EQ(test, axas_dev_space_slot(a, 1), -ENOSPC);
	dev_slots(test, b, 1, 1);
	dev_close(a, 1);
	dev_close(b, 1);
}

static struct kunit_case dev_cases[] = {
	KUNIT_CASE(dev_space_limit_test),
	{}
};

static struct kunit_suite dev_suite = {
	.name = "axaddrspace_dev",
	.test_cases = dev_cases,
};

kunit_test_suite(dev_suite);
