// SPDX-License-Identifier: GPL-2.0
/*
 * Allocates objects and drops every pointer: kmemleak must report them.
 * Sixteen of them, because a stale copy of a pointer may survive in a
 * cached kernel stack, which kmemleak scans. Zeroed, because a fresh SLUB
 * object still holds its old freelist pointer to the next free object,
 * often the next one allocated here: one stale pointer to the first
 * object then kept the whole chain "referenced", and the run missed the
 * leak.
 */
#include <linux/module.h>
#include <linux/slab.h>

#define EXTRA_LEAKS	16

static int __init extra_leak_init(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < EXTRA_LEAKS; i++)
		n += !!kzalloc(128, GFP_KERNEL);
	pr_info("extra_leak: leaked %u objects\n", n);
	return 0;
}

static void __exit extra_leak_exit(void)
{
}

module_init(extra_leak_init);
module_exit(extra_leak_exit);
MODULE_LICENSE("GPL");
