// SPDX-License-Identifier: GPL-2.0
/*
 * axaddrspace_kunit.ko: the KUnit suites of axaddrspace. Each C file of kunit/
 * file registers its own suites; they run when this module is loaded.
 */
#include <linux/axaddrspace.h>
#include <linux/module.h>

#include "src/compat.h"

MODULE_DESCRIPTION("KUnit tests for axaddrspace");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(AXAS_KUNIT_NS);
MODULE_IMPORT_NS(AXADDRSPACE_NS);
