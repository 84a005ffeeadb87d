// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/axaddrspace: the device node, its permissions and the device fd
 * ioctls that need no address space.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/axaddrspace.h>

#include "kselftest_harness.h"
#include "axas_util.h"

#define MISC_MAJOR 10
#define AXAS_MISC_MINOR 243

/* No assumption on mode and owner beyond "closed to others": a udev rule may give it to a group. */
TEST(node_is_misc_char_device_closed_to_others)
{
	struct stat st;

	NEED_MODULE();

	ASSERT_EQ(0, stat(DEV_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(MISC_MAJOR, major(st.st_rdev));
	/* The fixed minor of MODULE_ALIAS_MISCDEV(): open loads the module. */
	EXPECT_EQ(AXAS_MISC_MINOR, minor(st.st_rdev));
	EXPECT_EQ(0, st.st_mode & 07007);
}

TEST(api_version)
{
	int fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);

	NEED_MODULE();

	ASSERT_LE(0, fd);
	EXPECT_EQ(AXAS_API_VERSION, ioctl(fd, AXAS_GET_API_VERSION));
	close(fd);
}

TEST(unknown_ioctl_is_enotty)
{
	int fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);

	NEED_MODULE();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, _IO(AXAS_IOC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IO('x', 0x00)));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

/* A user without privileges cannot open the node at all (mode 0600). */
static int open_as_nobody(void)
{
	if (drop_privileges())
		return 2;
	if (open(DEV_PATH, O_RDWR) >= 0)
		return 3;
	return errno == EACCES ? 0 : 4;
}

TEST(unprivileged_open_is_refused)
{
	NEED_MODULE();
	run_in_child(open_as_nobody());
}

TEST_HARNESS_MAIN
