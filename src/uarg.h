/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extensible ioctl arguments (userspace-api.rst, "Extensible structs"):
 * the struct's size comes from the command, a shorter one is zero-extended,
 * a longer one is accepted when its unknown tail is zero, and at most the
 * caller's size is written back.
 */
#ifndef _AXAS_UARG_H
#define _AXAS_UARG_H

#include <linux/compiler_types.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct axas_ioc - what an ioctl's argument looks like
 * @cmd: this header's command: type, number, direction and size
 * @min_size: the size of version 1's struct, the smallest accepted
 */
struct axas_ioc {
	unsigned int cmd;
	unsigned int min_size;
};

/* Whether @cmd is @ioc's command, with a struct of any size. */
static inline bool axas_ioc_match(const struct axas_ioc *ioc, unsigned int cmd)
{
	if (_IOC_DIR(ioc->cmd) == _IOC_NONE)
		return cmd == ioc->cmd;
	unsigned int size_bits = _IOC_SIZEMASK << _IOC_SIZESHIFT;

	return (cmd & ~size_bits) == (ioc->cmd & ~size_bits);
}

int axas_ioc_copy_in(const struct axas_ioc *ioc, unsigned int cmd, void *karg,
		     void __user *uarg);
int axas_ioc_copy_out(const struct axas_ioc *ioc, unsigned int cmd,
		      const void *karg, void __user *uarg);

#endif /* _AXAS_UARG_H */
