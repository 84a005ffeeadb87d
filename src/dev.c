// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/axaddrspace: the misc device through which userspace learns the API
 * version and capabilities and creates guest physical address spaces.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <linux/axaddrspace.h>

#include "dev.h"
#include "memfile.h"
#include "npt/npt.h"
#include "space.h"
#include "uarg.h"

static unsigned int max_spaces;
module_param(max_spaces, uint, 0644);
MODULE_PARM_DESC(max_spaces,
		 "Limit on space fds one user (uid) has open at once, 0 for no limit (default: 0)");

/*
 * Open space fds per user: the kuid's value -> xa_mk_value(count), only
 * users with a space fd open. Counted also without a limit, so that one set
 * later applies to the fds already open.
 */
static DEFINE_MUTEX(axas_uid_lock);
static DEFINE_XARRAY(axas_uid_spaces);

/*
 * The fd side of the space limit: a slot per open space fd of @uid, while
 * it has fewer than @limit (0: no limit). Return: 0, -ENOSPC or -ENOMEM.
 */
VISIBLE_IF_KUNIT int axas_dev_space_slot(kuid_t uid, unsigned int limit)
{
	unsigned long key = __kuid_val(uid), n;
	int ret = -ENOSPC;

	mutex_lock(&axas_uid_lock);
	n = xa_to_value(xa_load(&axas_uid_spaces, key));
	if (!limit || n < limit)
		ret = xa_err(xa_store(&axas_uid_spaces, key, xa_mk_value(n + 1),
				      GFP_KERNEL_ACCOUNT));
	mutex_unlock(&axas_uid_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(axas_dev_space_slot);

/**
 * axas_dev_space_closed() - give back the slot of a space fd
 * @uid: the user that created it: file->f_cred->uid of the space file
 *
 * For the space fd's release, which may run in any task (the fd may have
 * been passed on): the creator's credentials stay with the file.
 */
void axas_dev_space_closed(kuid_t uid)
{
	unsigned long key = __kuid_val(uid), n;

	mutex_lock(&axas_uid_lock);
	n = xa_to_value(xa_load(&axas_uid_spaces, key));
	if (n > 1)	/* replaces the entry in place: allocates nothing */
		xa_store(&axas_uid_spaces, key, xa_mk_value(n - 1), GFP_KERNEL);
	else if (!WARN_ON_ONCE(!n))
		xa_erase(&axas_uid_spaces, key);
	mutex_unlock(&axas_uid_lock);
}
EXPORT_SYMBOL_IF_KUNIT(axas_dev_space_closed);

static const struct axas_ioc axas_ioc_create = { AXAS_CREATE_SPACE, 48 };

static struct axas *axas_dev_new_space(unsigned int cmd, void __user *uarg)
{
	struct axas_create arg;
	int ret;

	ret = axas_ioc_copy_in(&axas_ioc_create, cmd, &arg, uarg);
	if (ret)
		return ERR_PTR(ret);
	if (arg.reserved[0] || arg.reserved[1] || arg.reserved[2])
		return ERR_PTR(axas_bad("create: nonzero reserved"));
	return axas_create(arg.base, arg.size, arg.format, arg.flags);
}

/* The KVM order: reserve the fd, build the space and its file, install last. */
static long axas_dev_create(unsigned int cmd, void __user *uarg)
{
	kuid_t uid = current_uid();
	struct axas *as;
	struct file *file;
	int fd;

	fd = axas_dev_space_slot(uid, READ_ONCE(max_spaces));
	if (fd)
		return fd;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		goto put_slot;
	as = axas_dev_new_space(cmd, uarg);
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
	axas_debugfs_space_add(as, fd);
	fd_install(fd, file);
	return fd;

put_slot:
	axas_dev_space_closed(uid);
	return fd;
}

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

/* The space's format at @as, or 0 for the device fd (@as NULL). */
static u32 axas_space_format(struct axas *as)
{
	struct axas_info info;

	if (!as)
		return 0;
	axas_get_info(as, &info);
	return info.format;
}

/**
 * axas_check_extension() - AXAS_CHECK_EXTENSION on the device or a space fd
 * @as: the space of a space fd, which may answer for its format; NULL for
 *	the device fd
 * @cap: AXAS_CAP_*
 *
 * Return: the capability's value, 0 for one this module does not know.
 */
long axas_check_extension(struct axas *as, unsigned long cap)
{
	u32 format = axas_space_format(as);

	switch (cap) {
	case AXAS_CAP_FORMATS:
		return GENMASK(AXAS_FMT_MAX, AXAS_FMT_X86_EPT4);
	case AXAS_CAP_MAX_SPACES:
		return READ_ONCE(max_spaces);
	case AXAS_CAP_TRANSLATE_BATCH:
		return AXAS_TRANSLATE_BATCH_MAX;
	case AXAS_CAP_EPT_EXEC_ONLY:
		if (format && format != AXAS_FMT_X86_EPT4 && format != AXAS_FMT_X86_EPT5)
			return 0;
		return axas_npt_ept_exec_only();
	default:
		return 0;
	}
}

/* Any struct size for CREATE_SPACE and CREATE_MEMORY; the _IO commands exactly. */
static long axas_dev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	if (axas_ioc_match(&axas_ioc_create, cmd))
		return axas_dev_create(cmd, (void __user *)arg);
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
	xa_destroy(&axas_uid_spaces);
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
