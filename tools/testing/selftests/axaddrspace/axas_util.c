// SPDX-License-Identifier: GPL-2.0
/*
 * What the axaddrspace selftests share (axas_util.h): the device, ioctl
 * wrappers, the host's memory map, and an unprivileged caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "axas_util.h"

/* ---- The device ----------------------------------------------------------- */

const char *need_root_and_module(void)
{
	if (geteuid())
		return "not root";
	if (access(DEV_PATH, F_OK))
		return DEV_PATH " is absent";
	if (access(DEV_PATH, R_OK | W_OK))
		return DEV_PATH " is not accessible";
	return NULL;
}

int _dev_open(int *dev)
{
	*dev = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	return *dev < 0 ? errno : 0;
}

void close_space(int fd, int dev)
{
	if (fd >= 0)
		close(fd);
	if (dev >= 0)
		close(dev);
}

/* ---- ioctl wrappers: 0 or an errno ---------------------------------------- */

int xioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? errno : 0;
}

int _create(int dev, uint64_t base, uint64_t size, uint32_t format, int *fd)
{
	struct axas_create c = { .base = base, .size = size, .format = format };
	int ret = ioctl(dev, AXAS_CREATE_SPACE, &c);

	if (ret < 0)
		return errno;
	*fd = ret;
	return 0;
}

int _map_alloc(int fd, uint64_t gpa, uint64_t size, uint32_t flags)
{
	struct axas_map_alloc m = { .gpa = gpa, .size = size, .flags = flags };

	return xioctl(fd, AXAS_MAP_ALLOC, &m);
}

int _map_linear(int fd, uint64_t gpa, uint64_t hpa, uint64_t size,
		uint32_t flags)
{
	struct axas_map_linear m = {
		.gpa = gpa, .hpa = hpa, .size = size, .flags = flags,
	};

	return xioctl(fd, AXAS_MAP_LINEAR, &m);
}

int _unmap(int fd, uint64_t gpa, uint64_t size)
{
	struct axas_range r = { .gpa = gpa, .size = size };

	return xioctl(fd, AXAS_UNMAP, &r);
}

int _protect(int fd, uint64_t gpa, uint64_t size, uint32_t flags)
{
	struct axas_protect p = { .gpa = gpa, .size = size, .flags = flags };

	return xioctl(fd, AXAS_PROTECT, &p);
}

int _translate(int fd, uint64_t gpa, struct axas_translate *t)
{
	memset(t, 0, sizeof(*t));
	t->gpa = gpa;
	return xioctl(fd, AXAS_TRANSLATE, t);
}

int _translate_batch(int fd, struct axas_translate *e, uint32_t *count)
{
	struct axas_translate_batch b = {
		.entries = (uintptr_t)e, .count = *count,
	};
	int ret = xioctl(fd, AXAS_TRANSLATE_BATCH, &b);

	*count = b.count;
	return ret;
}

int _fault(int fd, uint64_t gpa, uint32_t access, uint32_t *handled)
{
	struct axas_fault f = { .gpa = gpa, .access = access, .handled = 0xdead };
	int ret = xioctl(fd, AXAS_HANDLE_FAULT, &f);

	*handled = f.handled;
	return ret;
}

int _info(int fd, struct axas_info *i)
{
	memset(i, 0xa5, sizeof(*i));
	return xioctl(fd, AXAS_GET_INFO, i);
}

int _get_areas(int fd, struct axas_area *a, uint32_t capacity,
	       uint32_t *count)
{
	struct axas_areas q = { .areas = (uintptr_t)a, .capacity = capacity };
	int ret = xioctl(fd, AXAS_GET_AREAS, &q);

	*count = q.count;
	return ret;
}

int _areas(int fd, struct axas_area **out, uint32_t *count)
{
	int ret = _get_areas(fd, NULL, 0, count);

	if (ret)
		return ret;
	*out = calloc(*count + 1, sizeof(**out));
	return _get_areas(fd, *out, *count + 1, count);
}

int _dump(int fd, struct axas_table_page **out, uint32_t *count)
{
	struct axas_dump d = { 0 };
	int ret = xioctl(fd, AXAS_DUMP_TABLES, &d);

	if (ret)
		return ret;
	*out = calloc(d.count + 1, sizeof(**out));
	d.pages = (uintptr_t)*out;
	d.capacity = d.count + 1;
	ret = xioctl(fd, AXAS_DUMP_TABLES, &d);
	*count = d.count;
	return ret;
}

bool format_exec_only(uint32_t format, bool ept_xo)
{
	if (format == AXAS_FMT_X86_NPT4 || format == AXAS_FMT_X86_NPT5)
		return false;
	if (format == AXAS_FMT_X86_EPT4 || format == AXAS_FMT_X86_EPT5)
		return ept_xo;
	return true;
}

uint64_t hw_root_of(uint32_t format, uint64_t root, unsigned int levels)
{
	switch (format) {
	case AXAS_FMT_X86_EPT4:
	case AXAS_FMT_X86_EPT5:
		return root | (levels - 1) << 3 | 6;
	case AXAS_FMT_RISCV_SV39X4:
		return 8ULL << 60 | root >> 12;
	case AXAS_FMT_RISCV_SV48X4:
		return 9ULL << 60 | root >> 12;
	case AXAS_FMT_RISCV_SV57X4:
		return 10ULL << 60 | root >> 12;
	default:
		return root;
	}
}

uint64_t hw_ctl_of(uint32_t format)
{
	if (format == AXAS_FMT_ARM64_S2_40)
		return 0x80003558;	/* bit 31 is RES1 */
	return format == AXAS_FMT_ARM64_S2_48 ? 0x80003590 : 0;
}

/* ---- The host's memory map ------------------------------------------------ */

unsigned int phys_bits(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	unsigned int bits = 36;
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "address sizes : %u bits physical", &bits) == 1)
			break;
	if (f)
		fclose(f);
	return bits;
}

unsigned int read_iomem(struct iomem *r)
{
	FILE *f = fopen("/proc/iomem", "r");
	unsigned long long s, e;
	char line[256], name[128];
	unsigned int n = 0;

	while (f && n < MAX_IOMEM && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %llx-%llx : %127[^\n]", &s, &e, name) != 3)
			continue;
		r[n++] = (struct iomem){ s, e, !strncmp(name, "PCI Bus", 7) };
	}
	if (f)
		fclose(f);
	return n;
}

unsigned int ram_ranges(uint64_t r[][2])
{
	FILE *f = fopen("/proc/iomem", "r");
	unsigned long long s, e;
	unsigned int n = 0;
	char line[256];

	while (f && n < MAX_RAM && fgets(line, sizeof(line), f)) {
		if (!strstr(line, ": System RAM"))
			continue;
		if (sscanf(line, " %llx-%llx", &s, &e) == 2) {
			r[n][0] = s;
			r[n++][1] = e;
		}
	}
	if (f)
		fclose(f);
	return n;
}

bool ram_meets(const uint64_t r[][2], unsigned int n, uint64_t start,
	       uint64_t size)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (start <= r[i][1] && r[i][0] <= start + size - 1)
			return true;
	return false;
}

bool ram_free(const uint64_t r[][2], unsigned int n, uint64_t start,
	      uint64_t size, unsigned int bits)
{
	return start + size <= 1ULL << bits && !ram_meets(r, n, start, size);
}

uint64_t ram_page(const uint64_t r[][2], unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (r[i][0] >= 0x100000 && r[i][1] - r[i][0] >= 2 * SZ_4K)
			return (r[i][0] + SZ_4K - 1) & ~(SZ_4K - 1);
	return 0;
}

bool host_free(const struct iomem *r, unsigned int n, uint64_t start,
	       uint64_t size, unsigned int bits)
{
	unsigned int i;

	if (start + size > 1ULL << bits)
		return false;
	for (i = 0; i < n; i++)
		if (!r[i].window && start <= r[i].end && r[i].start < start + size)
			return false;
	return true;
}

uint64_t probe_pci_hole(uint64_t size)
{
	struct iomem r[MAX_IOMEM];
	unsigned int n = read_iomem(r), bits = phys_bits();
	uint64_t a;

	for (a = 0xfec00000 - size; a >= 0xc0000000; a -= SZ_2M)
		if (host_free(r, n, a, size, bits))
			return a;
	return 0;
}

/* ---- An unprivileged caller, and fds over a Unix socket ------------------- */

int drop_privileges(void)
{
	if (setgroups(0, NULL))
		return 1;
	if (setresgid(NOBODY, NOBODY, NOBODY))
		return 2;
	if (setresuid(NOBODY, NOBODY, NOBODY))
		return 3;
	return 0;
}

void own_caps(uint32_t *eff, uint32_t *perm)
{
	struct __user_cap_header_struct ch = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2] = { 0 };

	*eff = ~0U;
	*perm = ~0U;
	if (syscall(SYS_capget, &ch, d))
		return;
	*eff = d[0].effective | d[1].effective;
	*perm = d[0].permitted | d[1].permitted;
}

int send_fds(int sock, const int *fds, int n)
{
	char buf[CMSG_SPACE(MAX_FDS * sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "F", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = buf, .msg_controllen = CMSG_SPACE(n * sizeof(int)),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

int recv_fds(int sock, int *fds)
{
	char buf[CMSG_SPACE(MAX_FDS * sizeof(int))], byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = buf, .msg_controllen = sizeof(buf),
	};
	struct cmsghdr *c;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return 0;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
		return 0;
	memcpy(fds, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
	return (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
}

/* ---- Memory fds ----------------------------------------------------------- */

int _create_memory(int dev, uint64_t size, uint32_t flags, int *fd)
{
	struct axas_create_memory c = { .size = size, .flags = flags };

	*fd = ioctl(dev, AXAS_CREATE_MEMORY, &c);
	return *fd < 0 ? errno : 0;
}

int _map_memory(int fd, uint64_t gpa, uint64_t size, int mfd, uint64_t offset,
		uint32_t flags)
{
	struct axas_map_memory m = {
		.gpa = gpa, .size = size, .offset = offset, .fd = mfd,
		.flags = flags,
	};

	return xioctl(fd, AXAS_MAP_MEMORY, &m);
}

int punch(int mfd, uint64_t off, uint64_t len)
{
	return fallocate(mfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off,
			 len) ? errno : 0;
}

uint64_t user_pfn(const void *va)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)va / SZ_4K * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	return (e >> 63) ? e & ((1ULL << 55) - 1) : 0;
}

/* ---- Files ---------------------------------------------------------------- */

bool write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok;
}
