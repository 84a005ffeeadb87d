// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/axaddrspace: the misc device through which userspace learns the API
 * version and capabilities and creates guest physical address spaces
 * (ioctl.c owns their fds) and memory fds (memfile.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/axaddrspace.h>

#include "dev.h"
#include "memfile.h"
#include "space.h"
#include "uarg.h"

static const struct axas_ioc axas_ioc_create_memory = { AXAS_CREATE_MEMORY, 32 };

/* AXAS_CREATE_MEMORY, in the KVM order: reserve the fd, install last. */
static long axas_dev_create_memory(unsigned int cmd, void __user *uarg)
{
	struct axas_create_memory arg;
	struct file *file;
	int fd, ret;

	ret = axas_ioc_copy_in(&axas_ioc_create_memory, cmd, &arg, uarg);
	if (ret)
		return ret;
	if (arg.pad || arg.reserved[0] || arg.reserved[1])
		return axas_bad("create memory: nonzero pad or reserved");
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = axas_memfile_create(arg.size, arg.flags);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	fd_install(fd, file);
	return fd;
}

/* Any struct size for CREATE_SPACE and CREATE_MEMORY; the _IO commands exactly. */
static long axas_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	if (axas_space_fd_cmd(cmd))
		return axas_space_fd_create(cmd, (void __user *)arg);
	if (axas_ioc_match(&axas_ioc_create_memory, cmd))
		return axas_dev_create_memory(cmd, (void __user *)arg);
	switch (cmd) {
	case AXAS_GET_API_VERSION:
		return AXAS_API_VERSION;
	case AXAS_CHECK_EXTENSION:
		return axas_check_extension(NULL, arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations axas_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= nonseekable_open,
	.unlocked_ioctl	= axas_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/*
 * A minor of the range devices.txt reserves for local use (243-254), so
 * that the node can exist before the module is loaded (modules.devname,
 * kmod static-nodes) and opening it loads the module. An upstream driver
 * would get a minor of its own.
 */
#define AXAS_MISC_MINOR	243

static struct miscdevice axas_misc = {
	.minor	= AXAS_MISC_MINOR,
	.name	= "axaddrspace",
	.fops	= &axas_dev_fops,
	.mode	= 0600,
};

static int __init axas_module_init(void)
{
	int ret;

	axas_npt_host_init();
	ret = axas_memfile_init();
	if (ret) {
		pr_err("cannot mount the memory fds' filesystem: %d\n", ret);
		return ret;
	}
	axas_debugfs_init();
	ret = misc_register(&axas_misc);
	if (ret == -EBUSY) {	/* another local driver took the minor */
		pr_warn("misc minor %d is taken: a dynamic one, no autoload on open\n",
			AXAS_MISC_MINOR);
		axas_misc.minor = MISC_DYNAMIC_MINOR;
		ret = misc_register(&axas_misc);
	}
	if (ret) {
		pr_err("cannot register /dev/axaddrspace: %d\n", ret);
		axas_debugfs_exit();
		axas_memfile_exit();
	}
	return ret;
}

static void __exit axas_module_exit(void)
{
	misc_deregister(&axas_misc);
	axas_debugfs_exit();
	/* Spaces freed from RCU callbacks run this module's code. */
	rcu_barrier();
	axas_memfile_exit();
	axas_space_fd_exit();
}

module_init(axas_module_init);
module_exit(axas_module_exit);

MODULE_DESCRIPTION("Guest physical address spaces with nested page tables");
MODULE_AUTHOR("The axaddrspace developers");
MODULE_LICENSE("GPL");
MODULE_ALIAS_MISCDEV(AXAS_MISC_MINOR);
MODULE_ALIAS("devname:axaddrspace");
/* Release of the module; dkms.conf carries the same PACKAGE_VERSION. */
MODULE_VERSION("0.1.0");
