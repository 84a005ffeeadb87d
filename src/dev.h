/* SPDX-License-Identifier: GPL-2.0 */
/* What the device fd (dev.c) uses of the space fds (ioctl.c). */
#ifndef _AXAS_DEV_H
#define _AXAS_DEV_H

#include <linux/compiler_types.h>
#include <linux/uidgid.h>

struct axas;
struct file;

/* The most elements one AXAS_TRANSLATE_BATCH takes: AXAS_CAP_TRANSLATE_BATCH */
#define AXAS_TRANSLATE_BATCH_MAX	4096

long axas_space_fd_create(unsigned int cmd, void __user *uarg);
bool axas_space_fd_cmd(unsigned int cmd);
void axas_space_fd_exit(void);
long axas_check_extension(struct axas *as, unsigned long cap);
#if IS_ENABLED(CONFIG_KUNIT)
void axas_dev_space_closed(kuid_t uid);
#endif
#if IS_ENABLED(CONFIG_KUNIT)
int axas_dev_space_slot(kuid_t uid, unsigned int limit);
#endif

#endif /* _AXAS_DEV_H */
