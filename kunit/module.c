// SPDX-License-Identifier: GPL-2.0
/*
 * axaddrspace_kunit.ko: the KUnit suites of axaddrspace. Each C file of kunit/
 * file registers its own suites; they run when this module is loaded.
 */
#include <linux/module.h>

MODULE_DESCRIPTION("KUnit tests for axaddrspace");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(AXADDRSPACE);
