/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the axaddrspace selftests share: the device, ioctl wrappers, the
 * host's memory map, and an unprivileged caller.
 *
 * As in tools/testing/selftests/iommu/iommufd_utils.h, _foo() returns an
 * errno (0 on success) and foo() asserts success; foo() is a macro for a
 * kselftest_harness.h test, so that the assertion is the test's.
 */
#ifndef AXAS_UTIL_H
#define AXAS_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/axaddrspace.h>

#define DEV_PATH	"/dev/axaddrspace"
#define NOBODY		65534

#define SZ_4K		0x1000ULL
#define SZ_64K		0x10000ULL
#define SZ_1M		0x100000ULL
#define SZ_2M		0x200000ULL
#define SZ_1G		0x40000000ULL

/* ---- The device ----------------------------------------------------------- */

#ifndef KSFT_SKIP
#define KSFT_SKIP	4	/* kselftest.h's exit status of a skipped program */
#endif

/* The reason to skip a test that needs root and the module, or NULL. */
const char *need_root_and_module(void);

/* In a TEST(): skip it (KSFT_SKIP) unless root and the module are there. */
#define NEED_MODULE() do { \
	const char *__why = need_root_and_module(); \
	if (__why) \
		SKIP(return, "%s", __why); \
} while (0)

/*
 * In a FIXTURE_SETUP(): skip every test of the fixture for @why. The
 * harness of 6.1 and older (the one with __INC_STEP) runs the test after a
 * SKIP() in setup; a failed setup stops it, and the skip is still what the
 * test's process reports.
 */
#ifdef __INC_STEP
#define SKIP_SETUP(why) do { \
	SKIP(, "%s", why); \
	_metadata->passed = 0; \
	return; \
} while (0)
#else
#define SKIP_SETUP(why) SKIP(return, "%s", why)
#endif

/* In a FIXTURE_SETUP(): SKIP_SETUP() unless root and the module are there. */
#define SETUP_NEEDS_MODULE() do { \
	const char *__why = need_root_and_module(); \
	if (__why) \
		SKIP_SETUP(__why); \
} while (0)

/* Opens DEV_PATH read-write into *dev (-1 on failure). */
int _dev_open(int *dev);
#define dev_open(dev)	ASSERT_EQ(0, _dev_open(&(dev)))

/* A fixture's teardown: closes the space @fd and the device @dev, if open. */
void close_space(int fd, int dev);

/* ---- ioctl wrappers: 0 or an errno ---------------------------------------- */

int xioctl(int fd, unsigned long req, void *arg);
int _create(int dev, uint64_t base, uint64_t size, uint32_t format, int *fd);
#define create(dev, base, size, format, fd) \
	ASSERT_EQ(0, _create(dev, base, size, format, fd))
int _map_alloc(int fd, uint64_t gpa, uint64_t size, uint32_t flags);
int _map_linear(int fd, uint64_t gpa, uint64_t hpa, uint64_t size,
		uint32_t flags);
int _unmap(int fd, uint64_t gpa, uint64_t size);
int _protect(int fd, uint64_t gpa, uint64_t size, uint32_t flags);
/* t is zeroed but for its gpa first. */
int _translate(int fd, uint64_t gpa, struct axas_translate *t);
/* AXAS_TRANSLATE_BATCH of *count elements at e; *count gets the output. */
int _translate_batch(int fd, struct axas_translate *e, uint32_t *count);
/* *handled gets the output, 0xdead where the kernel left it alone. */
int _fault(int fd, uint64_t gpa, uint32_t access, uint32_t *handled);
/* i is filled with 0xa5 first: every field must be written. */
int _info(int fd, struct axas_info *i);
/* AXAS_CREATE_MEMORY: 0 and the fd in *fd, or an errno (*fd -1). */
int _create_memory(int dev, uint64_t size, uint32_t flags, int *fd);
int _map_memory(int fd, uint64_t gpa, uint64_t size, int mfd, uint64_t offset,
		uint32_t flags);
/* fallocate(PUNCH_HOLE | KEEP_SIZE) of a memory fd: 0 or an errno. */
int punch(int mfd, uint64_t off, uint64_t len);
/* The frame behind a present page of this process (pagemap, root), or 0. */
uint64_t user_pfn(const void *va);
/* AXAS_GET_AREAS into capacity entries at a; *count gets the output. */
int _get_areas(int fd, struct axas_area *a, uint32_t capacity,
	       uint32_t *count);
/* All areas, in a calloc()ed array of *count entries (and a spare one). */
int _areas(int fd, struct axas_area **out, uint32_t *count);
/* All table pages, in a calloc()ed array of *count entries (and a spare). */
int _dump(int fd, struct axas_table_page **out, uint32_t *count);

/*
 * userspace-api.rst: NPT never expresses execute-only, EPT only where the
 * CPU can (@ept_xo: AXAS_CAP_EPT_EXEC_ONLY said 1), Arm always.
 */
bool format_exec_only(uint32_t format, bool ept_xo);

/*
 * What AXAS_GET_INFO must say of a space of @format (@levels levels) whose
 * root table is at @root: its hw_root (userspace-api.rst), and its hw_ctl.
 */
uint64_t hw_root_of(uint32_t format, uint64_t root, unsigned int levels);
uint64_t hw_ctl_of(uint32_t format);

/* ---- The host's memory map ------------------------------------------------ */

#define MAX_IOMEM	256
#define MAX_RAM		64

struct iomem {
	uint64_t start, end;	/* end inclusive */
	bool window;		/* a PCI bus window: claims nothing itself */
};

/* The CPU's physical address width, 36 if /proc/cpuinfo does not say. */
unsigned int phys_bits(void);

/* Up to MAX_IOMEM lines of /proc/iomem, nested ones included. */
unsigned int read_iomem(struct iomem *r);

/* Up to MAX_RAM System RAM ranges of /proc/iomem, inclusive ends. */
unsigned int ram_ranges(uint64_t ranges[][2]);

/* [start, start + size) meets one of the n RAM ranges r. */
bool ram_meets(const uint64_t r[][2], unsigned int n, uint64_t start,
	       uint64_t size);

/* [start, start + size) is below 1 << bits and meets no RAM range of r. */
bool ram_free(const uint64_t r[][2], unsigned int n, uint64_t start,
	      uint64_t size, unsigned int bits);

/* A page of System RAM above 1 MiB with another after it, 0 if none. */
uint64_t ram_page(const uint64_t r[][2], unsigned int n);

/*
 * [start, start + size) is below 1 << bits and meets no range of r but PCI
 * bus windows.
 */
bool host_free(const struct iomem *r, unsigned int n, uint64_t start,
	       uint64_t size, unsigned int bits);

/*
 * The highest 2 MiB aligned range of size bytes in the 32-bit PCI hole
 * that no resource claims (host_free()), 0 if none.
 */
uint64_t probe_pci_hole(uint64_t size);

/* What the tests that map a host range ask probe_pci_hole() for. */
#define HOLE_SIZE	(2 * SZ_2M)

/* In a test: skip it when probe_pci_hole() found nothing (hpa 0). */
#define NEED_HOLE(hpa) do { \
	if (!(hpa)) \
		SKIP(return, "no unclaimed non-RAM host range in the PCI hole"); \
} while (0)

/* ---- An unprivileged caller, and fds over a Unix socket ------------------- */

#define MAX_FDS		4

/*
 * To uid and gid NOBODY with no supplementary groups: 0, or the call that
 * failed (1 setgroups, 2 setresgid, 3 setresuid).
 */
int drop_privileges(void);

/*
 * Both words of the effective and the permitted capability sets, each
 * or-ed; ~0U for both when capget fails.
 */
void own_caps(uint32_t *eff, uint32_t *perm);

/*
 * In a test: evaluates call (an int, 0 for success) in a forked child that
 * exits with it; the child must exit, with status 0. stdio is flushed
 * before the fork so that nothing buffered is written twice.
 */
#define run_in_child(call) do { \
	int __status; \
	pid_t __pid; \
	\
	fflush(stdout); \
	fflush(stderr); \
	__pid = fork(); \
	ASSERT_LE(0, __pid); \
	if (!__pid) \
		_exit(call); \
	ASSERT_EQ(__pid, waitpid(__pid, &__status, 0)); \
	ASSERT_TRUE(WIFEXITED(__status)) \
		TH_LOG("the child died of signal %d", WTERMSIG(__status)); \
	EXPECT_EQ(0, WEXITSTATUS(__status)); \
} while (0)

/* Sends n (at most MAX_FDS) fds with one byte: 0, or -1. */
int send_fds(int sock, const int *fds, int n);

/* Receives up to MAX_FDS fds into fds; returns how many arrived. */
int recv_fds(int sock, int *fds);

/* ---- Files ---------------------------------------------------------------- */

/* Writes the string val to the file at path: true if all of it went. */
bool write_file(const char *path, const char *val);

#endif /* AXAS_UTIL_H */
