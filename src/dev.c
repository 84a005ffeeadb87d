// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/axaddrspace: the misc device through which userspace learns the API
 * version and capabilities and creates guest physical address spaces.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>
#include <linux/axaddrspace.h>

#include "dev.h"

static unsigned int max_spaces;
module_param(max_spaces, uint, 0644);
MODULE_PARM_DESC(max_spaces,
		 "Limit on space fds open at once, 0 for no limit (default: 0)");

static atomic_t axas_nr_spaces = ATOMIC_INIT(0);

/* The fd side of the space limit: a slot per open space fd. */
static bool axas_dev_space_slot(void)
{
	unsigned int limit = READ_ONCE(max_spaces);

	if (atomic_inc_return(&axas_nr_spaces) <= limit || !limit)
		return true;
	atomic_dec(&axas_nr_spaces);
	return false;
}

void axas_dev_space_closed(void)
{
	atomic_dec(&axas_nr_spaces);
}

static struct axas *axas_dev_new_space(void __user *uarg)
{
	struct axas_create arg;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return ERR_PTR(-EFAULT);
	if (arg.reserved[0] || arg.reserved[1] || arg.reserved[2])
		return ERR_PTR(-EINVAL);
	return axas_create(arg.base, arg.size, arg.format, arg.flags);
}

/* The KVM order: reserve the fd, build the space and its file, install last. */
static long axas_dev_create(void __user *uarg)
{
	struct axas *as;
	struct file *file;
	int fd;

	if (!axas_dev_space_slot())
		return -ENOSPC;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		goto put_slot;
	as = axas_dev_new_space(uarg);
	if (IS_ERR(as)) {
		put_unused_fd(fd);
		fd = PTR_ERR(as);
		goto put_slot;
	}
	file = axas_space_file(as);
	if (IS_ERR(file)) {
		axas_put(as);
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto put_slot;
	}
	fd_install(fd, file);
	return fd;

put_slot:
	axas_dev_space_closed();
	return fd;
}

static long axas_dev_check_extension(unsigned long cap)
{
	switch (cap) {
	case AXAS_CAP_FORMATS:
		return GENMASK(AXAS_FMT_MAX, AXAS_FMT_X86_EPT4);
	case AXAS_CAP_MAX_SPACES:
		return READ_ONCE(max_spaces);
	case AXAS_CAP_TRANSLATE_BATCH:
		return AXAS_TRANSLATE_BATCH_MAX;
	default:
		return 0;
	}
}

static long axas_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	switch (cmd) {
	case AXAS_GET_API_VERSION:
		return AXAS_API_VERSION;
	case AXAS_CREATE_SPACE:
		return axas_dev_create((void __user *)arg);
	case AXAS_CHECK_EXTENSION:
		return axas_dev_check_extension(arg);
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

static struct miscdevice axas_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "axaddrspace",
	.fops	= &axas_dev_fops,
	.mode	= 0600,
};

static int __init axas_module_init(void)
{
	int ret;

	ret = misc_register(&axas_misc);
	if (ret)
		pr_err("cannot register /dev/axaddrspace: %d\n", ret);
	return ret;
}

static void __exit axas_module_exit(void)
{
	misc_deregister(&axas_misc);
	/* Spaces freed from RCU callbacks run this module's code. */
	rcu_barrier();
}

module_init(axas_module_init);
module_exit(axas_module_exit);

MODULE_DESCRIPTION("Guest physical address spaces with nested page tables");
MODULE_AUTHOR("The axaddrspace developers");
MODULE_LICENSE("GPL");
/* Release of the module; dkms.conf carries the same PACKAGE_VERSION. */
MODULE_VERSION("0.1.0");
