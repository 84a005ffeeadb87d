// SPDX-License-Identifier: GPL-2.0
/*
 * Allocates objects and drops every pointer: kmemleak must report them.
 * Sixteen of them, because a stale copy of the last pointer may survive in
 * a cached kernel stack, which kmemleak scans.
 */
#include <linux/module.h>
#include <linux/slab.h>

#define EXTRA_LEAKS	16

static int __init extra_leak_init(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < EXTRA_LEAKS; i++)
		n += !!kmalloc(128, GFP_KERNEL);
	pr_info("extra_leak: leaked %u objects\n", n);
	return 0;
}

static void __exit extra_leak_exit(void)
{
}

module_init(extra_leak_init);
module_exit(extra_leak_exit);
MODULE_LICENSE("GPL");
