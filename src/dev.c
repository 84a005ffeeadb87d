// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/axaddrspace: the misc device through which userspace creates guest
 * physical address spaces.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include <uapi/linux/axaddrspace.h>

static long axas_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	switch (cmd) {
	case AXAS_GET_API_VERSION:
		return AXAS_API_VERSION;
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

static int __init axas_init(void)
{
	int ret;

	ret = misc_register(&axas_misc);
	if (ret) {
		pr_err("cannot register /dev/axaddrspace: %d\n", ret);
		return ret;
	}
	return 0;
}

static void __exit axas_exit(void)
{
	misc_deregister(&axas_misc);
}

module_init(axas_init);
module_exit(axas_exit);

MODULE_DESCRIPTION("Guest physical address spaces with nested page tables");
MODULE_AUTHOR("The axaddrspace developers");
MODULE_LICENSE("GPL");
