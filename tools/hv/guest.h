/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between axas-vmm and its guest programs (guest_<arch>.S):
 * where things are in guest physical memory, the hypercalls, and the exits
 * the VMM expects, in order. Included by C and by assembly.
 *
 * Every address is below 4 GiB (the x86 guest runs in 32-bit mode) and
 * below 2^40 (QEMU 7.2's Sv39x4 limit).
 *
 * At entry the first argument register (riscv64 a0, arm64 x0, x86 esi)
 * holds the number of lazy pages N to touch (LAZY_PAGES for the tests,
 * more for the benchmark). The guest, in order:
 *  1. prints GUEST_BANNER byte by byte to GPA_CONSOLE (MMIO writes);
 *  2. writes, then reads back, a 32-bit word (its own address xor
 *     0xa5a5a5a5) at the start of each of the 16 pages of GPA_SMALL
 *     (4 KiB leaves) and at GPA_HUGE + 0, 0x1ff000, 0x200000, 0x201000
 *     (EDIT_HOLE), 0x300000 (EDIT_RO) and 0x3ff000 (2 MiB leaves: the TLB
 *     now holds them), then calls HC_CHECK(1, mismatches);
 *  3. writes one word in each of the first N pages of GPA_LAZY, then calls
 *     HC_CHECK(2, 0): the VMM expects N faults resolved in the
 *     kernel since the previous exit; writes them again and calls
 *     HC_CHECK(3, 0): the VMM expects none;
 *  4. stores to GPA_RO (read-only): an MMIO write exit at GPA_RO;
 *  5. puts the address of label guest_after_nx in the link register
 *     (riscv64 ra, arm64 x30, x86 ebx) and jumps to GPA_NX (no exec):
 *     an exec exit at GPA_NX; the VMM resumes at the link register;
 *  6. calls HC_CHECK(4, 0): the VMM unmaps EDIT_HOLE (a 4 KiB cut inside
 *     the second 2 MiB leaf of GPA_HUGE) and makes EDIT_RO read-only;
 *  7. loads a word from EDIT_HOLE: an MMIO read exit; the VMM returns
 *     MMIO_READ_VALUE, which the guest checks (HC_CHECK(5, mismatches));
 *  8. stores to EDIT_RO: an MMIO write exit at EDIT_RO;
 *  9. stores GUEST_MAGIC at GPA_SMALL + MAGIC_OFF and calls HC_EXIT(0);
 *     the VMM reads it back with pread().
 * Any other exit, or an HC_EXIT with a non-zero code, fails the run.
 * Hypercall arguments go in the registers of struct axas_hv_hypercall
 * (samples/hv/axas_hv.h): riscv64 a7 = nr, a0, a1; arm64 x0 = nr, x1, x2;
 * x86 eax = nr, ebx, ecx. Word accesses are aligned 32-bit loads and
 * stores of a register (the forms the sample's decoders handle).
 *
 * The program also has a label guest_spin, an endless loop: the VMM
 * enters there to see a signal end AXAS_HV_RUN with EINTR; and guest_poll,
 * which loads a word from the address in the first argument register,
 * again and again: the VMM unmaps that page from another thread while the
 * guest runs, and the next load must exit (the space's flush callback
 * kicked the running guest and flushed before it went on). And it may have
 * guest_rw1g: entered with the first argument register = GPA_1G, it does
 * step 2's write and read-back at that address and 0x3ffff000 above it
 * and calls HC_CHECK(6, mismatches). The VMM maps GPA_1G as a linear area
 * over 1 GiB of host memory the kernel keeps out of its own use
 * (memmap=1G$<hpa>), which the tables map with one 1 GiB leaf.
 */
#ifndef AXAS_VMM_GUEST_H
#define AXAS_VMM_GUEST_H

#define GPA_CODE	0x00100000	/* 64 KiB, R|X, populated: the program */
#define CODE_SIZE	0x00010000
#define GPA_SMALL	0x00110000	/* 64 KiB, R|W, populated, 4 KiB leaves */
#define SMALL_SIZE	0x00010000
#define GPA_RO		0x00120000	/* 4 KiB, R */
#define GPA_NX		0x00121000	/* 4 KiB, R|W (no X) */
#define GPA_HUGE	0x00400000	/* 4 MiB, R|W, populated: 2 MiB leaves */
#define HUGE_SIZE	0x00400000
#define GPA_1G		0x40000000	/* 1 GiB, R|W, linear: a 1 GiB leaf */
#define GPA_CONSOLE	0x0f000000	/* not mapped: the MMIO console */
#define GPA_LAZY	0x10000000	/* up to LAZY_MAX pages, R|W, lazy */
#define LAZY_PAGES	64		/* what the tests touch */
#define LAZY_MAX	65536		/* 256 MiB */
#define EDIT_HOLE	0x00601000	/* unmapped at step 6 */
#define EDIT_RO		0x00700000	/* made read-only at step 6 */
#define MAGIC_OFF	0x800
#define GUEST_MAGIC	0x600dcafe
#define MMIO_READ_VALUE	0x5a5a5a5a
#define GUEST_BANNER	"axas guest\n"	/* the program holds its own copy */

#define HC_EXIT		0	/* arg 0: exit code */
#define HC_CHECK	1	/* arg 0: step, arg 1: mismatches */

#ifndef __ASSEMBLER__
/* The program's bytes and labels, in guest_<arch>.S. */
extern const char guest_start[], guest_end[], guest_after_nx[], guest_spin[],
	guest_poll[];
extern const char guest_rw1g[] __attribute__((weak));
#endif

#endif /* AXAS_VMM_GUEST_H */
