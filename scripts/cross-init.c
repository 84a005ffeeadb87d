// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the cross-architecture test VMs (scripts/cross.sh). No busybox
 * exists here for arm64 or riscv64, so this is built with the kernel's
 * own nolibc (tools/include/nolibc) and the cross compiler.
 *
 * It loads axaddrspace.ko and axaddrspace_kunit.ko (the KUnit suites run
 * at load); then, when the kernel command line has arguments after "--"
 * (the formats of this architecture), loads the sample hypervisor
 * axas_hv.ko and runs "/axas-vmm --test <arguments>"; unloads everything
 * and powers off. It reports in the protocol of scripts/vm-init.sh:
 * "@@ <event>" lines and the "axas-kunit: begin/end" markers around the
 * KTAP, written to /dev/kmsg so that each is one whole console line. Each
 * line axas-vmm prints becomes "@@| <line>", which cross.sh turns back
 * into a line of the "@@ SELFTEST guests" section. With "--hv-refused"
 * first it only checks that axas_hv refuses to load and runs axas-vmm
 * with the rest (a short boot on a CPU where no guest can run).
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
	char line[256] = "";

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

/* Each line on @fd, to the log as "@@| <line>", until end of file. */
static void relay(int fd)
{
	char line[200];
	size_t n = 0;
	char c;

	while (read(fd, &c, 1) == 1) {
		if (c != '\n' && n + 1 < sizeof(line)) {
			line[n++] = c;
			continue;
		}
		line[n] = 0;
		say("@@|", line, -1);
		n = 0;
	}
	if (n) {
		line[n] = 0;
		say("@@|", line, -1);
	}
}

#define VMM_ARGS	40

/* /axas-vmm --test @args..., its output relayed: its exit status. */
static int run_vmm(int nargs, char **args)
{
	static char *argv[VMM_ARGS], *envp[1];
	int i, fds[2], status = 0;
	pid_t pid;

	argv[0] = "/axas-vmm";
	argv[1] = "--test";
	for (i = 0; i < nargs && i + 3 < VMM_ARGS; i++)
		argv[i + 2] = args[i];
	if (pipe(fds))
		return 126;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execve(argv[0], argv, envp);
		write(2, "/axas-vmm: cannot execute\n", 26);
		exit(127);
	}
	close(fds[1]);
	if (pid > 0)
		relay(fds[0]);
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 126;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The guests on the tables, where the command line names formats. */
static void run_guests(int nargs, char **args)
{
	if (nargs < 1)
		return;
	insmod("axas_hv");
	say("@@ SELFTEST guests", NULL, -1);
	say("@@ EXIT guests", NULL, run_vmm(nargs, args));
	rmmod("axas_hv");
}

/*
 * A host where no guest can run (arm64 without VHE): axas_hv must refuse
 * to load, with ENODEV; axas-vmm checks what the module says (--native).
 */
static void run_refused(int nargs, char **args)
{
	int ret = load("axas_hv");

	say("@@ SELFTEST hv_refused", NULL, -1);
	if (ret == ENODEV)
		say("@@| ok 1 axas_hv refuses to load here, with ENODEV", NULL, -1);
	else
		say("@@| not ok 1 axas_hv refuses to load here, with ENODEV; got", NULL, ret);
	say("@@ EXIT hv_refused", NULL, ret != ENODEV);
	if (!ret)
		rmmod("axas_hv");
	say("@@ SELFTEST guests", NULL, -1);
	say("@@ EXIT guests", NULL, run_vmm(nargs, args));
}

int main(int argc, char **argv)
{
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	/* /proc/self/pagemap: axas-vmm checks the guest's frames against it. */
	mount("proc", "/proc", "proc", 0, NULL);
	kmsg = open("/dev/kmsg", O_WRONLY);
	say("@@ BOOT", NULL, -1);
	insmod("axaddrspace");
	if (argc > 1 && !strcmp(argv[1], "--hv-refused")) {
		run_refused(argc - 2, argv + 2);	/* a short boot: no KUnit */
		rmmod("axaddrspace");
		say("@@ DONE", NULL, -1);
		sleep(1);
		reboot(LINUX_REBOOT_CMD_POWER_OFF);
		return 0;
	}
	say("axas-kunit: begin", NULL, -1);
	insmod("axaddrspace_kunit");
	say("axas-kunit: end", NULL, -1);
	say("@@ KUNIT", NULL, -1);
	rmmod("axaddrspace_kunit");
	run_guests(argc - 1, argv + 1);
	rmmod("axaddrspace");
	say("@@ DONE", NULL, -1);
	sleep(1);
	reboot(LINUX_REBOOT_CMD_POWER_OFF);
	return 0;
}
