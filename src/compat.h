/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for differences between kernel versions and host
 * architectures; logic elsewhere never tests versions (but for the public
 * header's AXADDRSPACE_NS, which consumers of the API need too).
 */
#ifndef _AXAS_COMPAT_H
#define _AXAS_COMPAT_H

#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/version.h>
#ifdef CONFIG_X86
#include <asm/processor.h>
#elif defined(CONFIG_SPARSEMEM)
#include <asm/sparsemem.h>
#endif
#ifdef CONFIG_ARM64
#include <asm/barrier.h>
#include <asm/cacheflush.h>
#include <asm/cpufeature.h>
#include <asm/sysreg.h>
#endif

/* KUnit's namespace for MODULE_IMPORT_NS(): a string literal since 6.13. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define AXAS_KUNIT_NS	"EXPORTED_FOR_KUNIT_TESTING"
#else
#define AXAS_KUNIT_NS	EXPORTED_FOR_KUNIT_TESTING
#endif

/* The first parameter of inode_operations.setattr: an idmap since 6.3. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define axas_setattr_idmap	mnt_idmap
#else
#define axas_setattr_idmap	user_namespace
#endif

/*
 * The page cache's folio at @index with a reference, locked if @lock, or
 * NULL: __filemap_get_folio() returns an ERR_PTR for "none" since 6.3,
 * NULL before.
 */
static inline struct folio *axas_filemap_find(struct address_space *mapping,
					      pgoff_t index, bool lock)
{
	struct folio *folio;

	folio = __filemap_get_folio(mapping, index, lock ? FGP_LOCK : 0, 0);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	if (IS_ERR(folio))
		return NULL;
#endif
	return folio;
}

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

/*
 * Make the host's writes to guest memory at @va visible to a guest that
 * reads DRAM (its caches off, or a non-cacheable stage 2 mapping), and to
 * its instruction fetch when @exec.
 *
 * arm64: clean the data cache to the point of coherency, then for code
 * clean to the point of unification and invalidate the instruction cache
 * (the exported caches_clean_inval_pou()). The kernel exports no clean to
 * PoC: dcache_clean_poc() is private, and arch_wb_cache_pmem() becomes an
 * empty stub without CONFIG_ARM64_PMEM, so the loop is here. DC CIVAC, not
 * CVAC: the Cortex-A53 errata that make CVAC unsafe leave it alone, and
 * invalidating lines of a frame just written costs nothing the guest needs.
 * The step is the smallest data cache line of all CPUs (CTR_EL0.DminLine,
 * sanitised), as the kernel's own dcache_line_size does.
 *
 * x86: nothing; its caches snoop uncached accesses too (self-snoop), and
 * instruction fetch is coherent with stores. UML runs no guest. RISC-V has
 * no cache maintenance the module could rely on (Zicbom is optional), and
 * ordering instruction fetch is left to the consumer: FENCE.I or a remote
 * one before a guest runs code the host wrote (kernel-api.rst).
 */
static inline void axas_arch_sync_guest(void *va, size_t len, bool exec)
{
#ifdef CONFIG_ARM64
	unsigned long start = (unsigned long)va, end = start + len, line;

	line = 4UL << ((read_sanitised_ftr_reg(SYS_CTR_EL0) >> 16) & 0xf);
	for (start = ALIGN_DOWN(start, line); start < end; start += line)
		asm volatile("dc civac, %0" : : "r" (start) : "memory");
	dsb(sy);
	if (exec)
		caches_clean_inval_pou((unsigned long)va, end);
#endif
}

#endif /* _AXAS_COMPAT_H */
