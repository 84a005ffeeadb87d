// SPDX-License-Identifier: GPL-2.0
/* Allocates an object and drops the only pointer: kmemleak must report it. */
#include <linux/module.h>
#include <linux/slab.h>

static int __init extra_leak_init(void)
{
	void *p = kmalloc(128, GFP_KERNEL);

	pr_info("extra_leak: leaking an object%s\n", p ? "" : " (allocation failed)");
	p = NULL;
	return 0;
}

static void __exit extra_leak_exit(void)
{
}

module_init(extra_leak_init);
module_exit(extra_leak_exit);
MODULE_LICENSE("GPL");
