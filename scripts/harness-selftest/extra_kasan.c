// SPDX-License-Identifier: GPL-2.0
/* Reads one byte past a kmalloc() object: KASAN must report it. */
#include <linux/module.h>
#include <linux/slab.h>

static int __init extra_kasan_init(void)
{
	char *p = kmalloc(13, GFP_KERNEL);
	char *q = p;

	if (!p)
		return -ENOMEM;
	pr_info("extra_kasan: read past the end: %d\n", READ_ONCE(q[16]));
	kfree(p);
	return 0;
}

static void __exit extra_kasan_exit(void)
{
}

module_init(extra_kasan_init);
module_exit(extra_kasan_exit);
MODULE_LICENSE("GPL");
