/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 guest program of axas-vmm: the sequence of tools/hv/guest.h at
 * EL1 with the MMU off (guest virtual = guest physical). Linked into the
 * VMM, copied to GPA_CODE and run there, so only PC-relative addressing.
 * With the MMU off every data access is Device-nGnRnE: all are aligned
 * LDR/STR (W or B) of one register without writeback, the forms whose
 * ESR_EL2 syndrome the sample's MMIO decoder reads.
 *
 * Registers: x19 = N (lazy pages), x20 = mismatches, x21 = scratch base.
 */
#include "guest.h"

/* wd = the 32-bit constant v, in two instructions. */
.macro movl wd, v
	movz	\wd, #((\v) & 0xffff)
	movk	\wd, #(((\v) >> 16) & 0xffff), lsl #16
.endm

/* The hypercall nr with args a1, a2 (registers). */
.macro hcall nr, a1, a2
	mov	x1, \a1
	mov	x2, \a2
	mov	x0, #\nr
	hvc	#0
.endm

	.text
	.balign	4
	.globl	guest_start, guest_end, guest_after_nx, guest_spin, guest_rw1g
guest_start:
	mov	x19, x0

	/* 1. the banner, byte by byte, to the console */
	adr	x1, banner
	movl	w2, GPA_CONSOLE
1:	ldrb	w3, [x1], #1
	cbz	w3, 2f
	strb	w3, [x2]
	b	1b

	/* 2. a word at each test address: write all, then read all back */
2:	mov	x20, #0
	adr	x4, test_addrs
	adr	x5, test_addrs_end
	movl	w6, 0xa5a5a5a5
3:	ldr	w7, [x4], #4
	eor	w8, w7, w6
	str	w8, [x7]
	cmp	x4, x5
	b.ne	3b
	adr	x4, test_addrs
4:	ldr	w7, [x4], #4
	eor	w8, w7, w6
	ldr	w9, [x7]
	cmp	w8, w9
	cinc	x20, x20, ne
	cmp	x4, x5
	b.ne	4b
	hcall	HC_CHECK, #1, x20

	/* 3. the first N lazy pages: faults resolved in the kernel, then none */
	bl	touch_lazy
	hcall	HC_CHECK, #2, xzr
	bl	touch_lazy
	hcall	HC_CHECK, #3, xzr

	/* 4. a store to the read-only page: an MMIO write exit */
	movl	w21, GPA_RO
	str	w19, [x21]

	/* 5. a jump to the no-exec page: the VMM resumes at x30 */
	adr	x30, guest_after_nx
	movl	w21, GPA_NX
	br	x21
guest_after_nx:

	/* 6. the VMM cuts EDIT_HOLE out and makes EDIT_RO read-only */
	hcall	HC_CHECK, #4, xzr

	/* 7. a load from the hole: the VMM answers MMIO_READ_VALUE */
	movl	w21, EDIT_HOLE
	ldr	w3, [x21]
	movl	w4, MMIO_READ_VALUE
	cmp	w3, w4
	cset	x20, ne
	hcall	HC_CHECK, #5, x20

	/* 8. a store to the now read-only EDIT_RO: an MMIO write exit */
	movl	w21, EDIT_RO
	str	w4, [x21]

	/* 9. the magic word, then the end */
	movl	w21, (GPA_SMALL + MAGIC_OFF)
	movl	w4, GUEST_MAGIC
	str	w4, [x21]
	hcall	HC_EXIT, xzr, xzr
guest_spin:
	b	guest_spin

	/* Loads from the page at x0 until one exits (guest.h). */
	.globl	guest_poll
guest_poll:
	ldr	w1, [x0]
	b	guest_poll

/* Entered with x0 = GPA_1G: step 2 at x0 and x0 + 0x3ffff000 only. */
guest_rw1g:
	mov	x20, #0
	movl	w6, 0xa5a5a5a5
	movl	w9, 0x3ffff000
	add	x10, x0, x9
	eor	w8, w0, w6
	str	w8, [x0]
	eor	w11, w10, w6
	str	w11, [x10]
	ldr	w9, [x0]
	cmp	w8, w9
	cinc	x20, x20, ne
	ldr	w9, [x10]
	cmp	w11, w9
	cinc	x20, x20, ne
	hcall	HC_CHECK, #6, x20
	b	guest_spin

/* One word at the start of each of the first x19 pages of GPA_LAZY. */
touch_lazy:
	movl	w21, GPA_LAZY
	mov	x4, #0
1:	cmp	x4, x19
	b.hs	2f
	str	w4, [x21]
	add	x21, x21, #0x1000
	add	x4, x4, #1
	b	1b
2:	ret

	.balign	4
test_addrs:
	.set	.Lpage, 0
	.rept	SMALL_SIZE / 0x1000
	.word	GPA_SMALL + .Lpage
	.set	.Lpage, .Lpage + 0x1000
	.endr
	.word	GPA_HUGE, GPA_HUGE + 0x1ff000, GPA_HUGE + 0x200000
	.word	EDIT_HOLE, EDIT_RO, GPA_HUGE + 0x3ff000
test_addrs_end:

banner:
	.asciz	GUEST_BANNER
	.balign	4
guest_end:

	.section .note.GNU-stack, "", %progbits
