/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for differences between kernel versions and host
 * architectures; logic elsewhere never tests versions.
 */
#ifndef _AXAS_COMPAT_H
#define _AXAS_COMPAT_H

#include <linux/mm.h>
#ifdef CONFIG_X86
#include <asm/processor.h>
#elif defined(CONFIG_SPARSEMEM)
#include <asm/sparsemem.h>
#endif

/* Physical address bits of the host CPU: no host range may reach beyond. */
static inline unsigned int axas_host_pa_bits(void)
{
#ifdef CONFIG_X86
	return boot_cpu_data.x86_phys_bits;
#elif defined(MAX_PHYSMEM_BITS)
	return MAX_PHYSMEM_BITS;
#else
	return 52;	/* flat memory without a bound (UML): the 64-bit maximum */
#endif
}

#endif /* _AXAS_COMPAT_H */
