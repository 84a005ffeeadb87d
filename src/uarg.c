// SPDX-License-Identifier: GPL-2.0
/*
 * Extensible ioctl arguments: one implementation of the size rules of
 * userspace-api.rst for the device fd and the space fds, as DRM's ioctl
 * core and iommufd apply them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/minmax.h>
#include <linux/pid.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "uarg.h"

/**
 * axas_ioc_copy_in() - the argument of an ioctl, in this module's layout
 * @ioc: the ioctl
 * @cmd: the command the caller used (its size bits give its struct's size)
 * @karg: out: _IOC_SIZE(@ioc->cmd) bytes; zeroed for an output-only struct
 * @uarg: the caller's struct
 *
 * Return: 0; -EINVAL for a struct smaller than version 1's; -E2BIG for a
 * larger one with non-zero bytes this module does not know; -EFAULT.
 */
int axas_ioc_copy_in(const struct axas_ioc *ioc, unsigned int cmd, void *karg,
		     void __user *uarg)
{
	size_t ksize = _IOC_SIZE(ioc->cmd), usize = _IOC_SIZE(cmd);
	int ret;

	if (_IOC_DIR(ioc->cmd) == _IOC_NONE)
		return 0;
	if (usize < ioc->min_size) {
		pr_info_ratelimited("%s[%d]: ioctl %#x: a %zu-byte struct, the smallest is %u\n",
				    current->comm, task_pid_nr(current), cmd, usize,
				    ioc->min_size);
		return -EINVAL;
	}
	if (!(_IOC_DIR(ioc->cmd) & _IOC_WRITE)) {
		memset(karg, 0, ksize);
		return 0;
	}
	ret = copy_struct_from_user(karg, ksize, uarg, usize);
	if (ret == -E2BIG)
		pr_info_ratelimited("%s[%d]: ioctl %#x: non-zero bytes past the %zu this module knows\n",
				    current->comm, task_pid_nr(current), cmd, ksize);
	return ret;
}

/**
 * axas_ioc_copy_out() - write an ioctl's outputs back
 * @ioc: the ioctl
 * @cmd: the command the caller used
 * @karg: the module's struct
 * @uarg: the caller's struct: at most its size is written; a tail this
 *	module does not know is zeroed
 *
 * Return: 0 or -EFAULT.
 */
int axas_ioc_copy_out(const struct axas_ioc *ioc, unsigned int cmd,
		      const void *karg, void __user *uarg)
{
	size_t ksize = _IOC_SIZE(ioc->cmd), usize = _IOC_SIZE(cmd);

	if (copy_to_user(uarg, karg, min(ksize, usize)))
		return -EFAULT;
	if (usize > ksize && clear_user(uarg + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}
