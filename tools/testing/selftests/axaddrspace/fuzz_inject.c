// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzer's allocation-failure injection (fuzz.h): fail-nth arming
 * around the first syscall of an operation, and which operations get it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fuzz.h"

/* ---- Allocation-failure injection ---------------------------------------- */

__thread unsigned int inj_nth;
__thread bool inj_hit;
static __thread int inj_fd = -1;

/*
 * Make every sleeping slab and order-0 page allocation an injection site
 * (the defaults skip GFP_KERNEL ones), with no random failures and no
 * console noise: fail-nth alone decides. False when the kernel has no
 * fault injection.
 */
bool inject_setup(void)
{
	static const char *const knobs[][2] = {
		{ "failslab/ignore-gfp-wait", "N" },
		{ "failslab/verbose", "0" },
		{ "failslab/probability", "0" },
		{ "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "fail_page_alloc/min-order", "0" },
		{ "fail_page_alloc/verbose", "0" },
		{ "fail_page_alloc/probability", "0" },
	};
	char path[128];
	unsigned int i;

	if (access(FAILNTH_PATH, W_OK))
		return false;
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		snprintf(path, sizeof(path), FAULT_DEBUGFS "/%s", knobs[i][0]);
		if (!write_file(path, knobs[i][1]))
			return false;
	}
	return true;
}

void inject_arm(void)
{
	char v[16];
	int n;

	inj_hit = false;
	if (!inj_nth)
		return;
	if (inj_fd < 0)
		inj_fd = open(FAILNTH_PATH, O_RDWR | O_CLOEXEC);
	n = snprintf(v, sizeof(v), "%u", inj_nth);
	if (pwrite(inj_fd, v, n, 0) != n)
		inj_nth = 0;
}

/* After the armed syscall: did it fail an allocation? Then disarm. */
void inject_disarm(void)
{
	char v[16] = "";

	if (!inj_nth)
		return;
	inj_nth = 0;
	if (pread(inj_fd, v, sizeof(v) - 1, 0) > 0 && atoi(v) == 0)
		inj_hit = true;
	else if (pwrite(inj_fd, "0", 1, 0) != 1)
		abort();
}

/* The errno of an ioctl, 0 on success. */
int fuzz_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	inject_arm();
	ret = ioctl(fd, req, arg);
	if (ret < 0)
		ret = errno;
	inject_disarm();
	return ret;
}

/* An ENOMEM the injection caused: fine, if nothing changed (checked next). */
bool injected_enomem(struct ctx *c, int err)
{
	if (err != ENOMEM || !inj_hit)
		return false;
	inj_hit = false;
	c->enomem++;
	c->recheck = true;
	return true;
}

/* Operations whose first syscall may allocate: candidates for injection. */
const bool may_alloc[NR_OPS] = {
	[OP_MAP_ALLOC] = true, [OP_MAP_LINEAR] = true, [OP_UNMAP] = true,
	[OP_PROTECT] = true, [OP_TRANSLATE] = true, [OP_FAULT] = true,
	[OP_AREAS] = true, [OP_DUMP] = true, [OP_CLEAR] = true,
	[OP_PREAD] = true, [OP_PWRITE] = true, [OP_XLATE_BATCH] = true,
	[OP_MAP_MEMORY] = true, [OP_DISCARD] = true,
};

/* The n-th allocation to fail, or 0: mostly early ones, some deep ones. */
unsigned int pick_nth(struct ctx *c, bool eligible)
{
	if (!c->inject || !eligible || !chance(&c->rng, c->inject))
		return 0;
	c->injected++;
	return 1 + below(&c->rng, chance(&c->rng, 50) ? 4 : 64);
}

/* After an injected ENOMEM the space must be as the model has it. */
void recheck(struct ctx *c, struct space *s)
{
	c->recheck = false;
	if (c->failed || s->fd < 0)
		return;
	describe(c, "full check after an injected ENOMEM");
	if (!c->threaded)
		return check_all(c, s);
	check_areas(c, s, 0);
	if (!c->failed)
		check_tables(c, s);
}
