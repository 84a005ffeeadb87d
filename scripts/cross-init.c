// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the cross-architecture test VMs (scripts/cross.sh). No busybox
 * exists here for arm64 or riscv64, so this is built with the kernel's
 * own nolibc (tools/include/nolibc) and the cross compiler.
 *
 * It loads axaddrspace.ko and axaddrspace_kunit.ko (the KUnit suites run
 * at load), unloads both and powers off. It reports in the protocol of
 * scripts/vm-init.sh: "@@ <event>" lines and the "axas-kunit: begin/end"
 * markers around the KTAP, written to /dev/kmsg so that each is one whole
 * console line.
 */

static int kmsg = -1;

/* Append @s to the string @buf of @size bytes (nolibc has no strcat). */
static void append(char *buf, size_t size, const char *s)
{
	size_t n = strlen(buf);

	while (*s && n + 1 < size)
		buf[n++] = *s++;
	buf[n] = 0;
}

/* One kernel log line: @a, then @b and @status when given. */
static void say(const char *a, const char *b, int status)
{
	char line[128] = "";

	append(line, sizeof(line), a);
	if (b) {
		append(line, sizeof(line), " ");
		append(line, sizeof(line), b);
	}
	if (status >= 0) {
		append(line, sizeof(line), " ");
		append(line, sizeof(line), utoa(status));
	}
	append(line, sizeof(line), "\n");
	write(kmsg, line, strlen(line));
}

/* finit_module() of /lib/modules/@name.ko: 0 or a positive errno. */
static int load(const char *name)
{
	char path[96] = "/lib/modules/";
	int fd, ret;

	append(path, sizeof(path), name);
	append(path, sizeof(path), ".ko");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno;
	ret = my_syscall3(__NR_finit_module, fd, "", 0);
	close(fd);
	return -ret;
}

static void insmod(const char *name)
{
	say("@@ INSMOD", name, load(name));
}

static void rmmod(const char *name)
{
	say("@@ RMMOD", name, -my_syscall2(__NR_delete_module, name, O_NONBLOCK));
}

int main(void)
{
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	kmsg = open("/dev/kmsg", O_WRONLY);
	say("@@ BOOT", NULL, -1);
	insmod("axaddrspace");
	say("axas-kunit: begin", NULL, -1);
	insmod("axaddrspace_kunit");
	say("axas-kunit: end", NULL, -1);
	say("@@ KUNIT", NULL, -1);
	rmmod("axaddrspace_kunit");
	rmmod("axaddrspace");
	say("@@ DONE", NULL, -1);
	sleep(1);
	reboot(LINUX_REBOOT_CMD_POWER_OFF);
	return 0;
}
