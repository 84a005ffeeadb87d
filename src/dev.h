/* SPDX-License-Identifier: GPL-2.0 */
/* Between the device fd (dev.c) and the space fds (ioctl.c). */
#ifndef _AXAS_DEV_H
#define _AXAS_DEV_H

#include <linux/uidgid.h>

struct axas;
struct file;

/* The most elements one AXAS_TRANSLATE_BATCH takes: AXAS_CAP_TRANSLATE_BATCH */
#define AXAS_TRANSLATE_BATCH_MAX	4096

struct file *axas_space_file(struct axas *as);
long axas_check_extension(struct axas *as, unsigned long cap);
void axas_dev_space_closed(kuid_t uid);
#if IS_ENABLED(CONFIG_KUNIT)
int axas_dev_space_slot(kuid_t uid, unsigned int limit);
#endif

#endif /* _AXAS_DEV_H */
