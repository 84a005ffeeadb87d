/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The riscv64 guest program of axas-vmm: bare VS-mode with vsatp = 0
 * (guest virtual = guest physical), entered by samples/hv at GPA_CODE
 * with the number of lazy pages in a0. The steps are those of guest.h.
 * Position independent: data is reached pc-relative (lla, no linker
 * relaxation towards gp). Only 4-byte instructions (norvc), and the word
 * accesses are lw/sw of a register, the forms samples/hv decodes.
 */
#include "guest.h"

#define HYPERCALL(nr, a0val, a1val)	\
	li	a7, nr;			\
	mv	a0, a0val;		\
	mv	a1, a1val;		\
	ecall

	.text
	.option	norvc
	.option	norelax
	.globl	guest_start, guest_end, guest_after_nx, guest_spin, guest_rw1g

/* Write its own address (t0) xor 0xa5a5a5a5 (s2) at t0. */
.macro	word_write
	xor	t1, t0, s2
	sw	t1, 0(t0)
.endm

/* Count (s1) a word at t0 that does not read back. */
.macro	word_check
	lwu	t1, 0(t0)
	xor	t2, t0, s2
	sub	t1, t1, t2
	snez	t1, t1
	add	s1, s1, t1
.endm

guest_start:
	mv	s0, a0				/* N lazy pages */
	li	s2, 0xa5a5a5a5

	/* 1. The banner, byte by byte, to the MMIO console. */
	lla	t2, banner
	li	t0, GPA_CONSOLE
1:	lbu	t1, 0(t2)
	beqz	t1, 2f
	sb	t1, 0(t0)
	addi	t2, t2, 1
	j	1b

	/* 2. Every leaf size: 16 small pages, then the 2 MiB leaves. */
2:	li	s1, 0
	li	t3, GPA_SMALL + SMALL_SIZE
	li	t4, 0x1000
	li	t0, GPA_SMALL
3:	word_write
	add	t0, t0, t4
	bne	t0, t3, 3b
	li	t0, GPA_SMALL
4:	word_check
	add	t0, t0, t4
	bne	t0, t3, 4b
	li	t5, GPA_HUGE
	lla	t3, huge_offsets
5:	lw	t0, 0(t3)
	bltz	t0, 6f
	add	t0, t0, t5
	word_write
	addi	t3, t3, 4
	j	5b
6:	lla	t3, huge_offsets
7:	lw	t0, 0(t3)
	bltz	t0, 8f
	add	t0, t0, t5
	word_check
	addi	t3, t3, 4
	j	7b
8:	li	t6, 1
	HYPERCALL(HC_CHECK, t6, s1)

	/* 3. One store per lazy page, twice: steps 2 and 3. */
	li	s3, 2
9:	li	t0, GPA_LAZY
	mv	t1, s0
	beqz	t1, 11f
10:	sw	t1, 0(t0)
	add	t0, t0, t4
	addi	t1, t1, -1
	bnez	t1, 10b
11:	li	t6, 4
	sub	t6, t6, s3
	HYPERCALL(HC_CHECK, t6, zero)
	addi	s3, s3, -1
	bnez	s3, 9b

	/* 4. A store to the read-only page. */
	li	t0, GPA_RO
	sw	s0, 0(t0)

	/* 5. A fetch from the no-exec page; the VMM resumes at ra. */
	lla	ra, guest_after_nx
	li	t0, GPA_NX
	jr	t0
guest_after_nx:

	/* 6. The VMM edits the space. */
	li	t6, 4
	HYPERCALL(HC_CHECK, t6, zero)

	/* 7. The hole reads through the VMM. */
	li	t0, EDIT_HOLE
	lw	t1, 0(t0)
	li	t2, MMIO_READ_VALUE
	sub	t1, t1, t2
	snez	t1, t1
	li	t6, 5
	HYPERCALL(HC_CHECK, t6, t1)

	/* 8. A store to the page made read-only. */
	li	t0, EDIT_RO
	sw	s0, 0(t0)

	/* 9. The magic word, then the exit. */
	li	t0, GPA_SMALL + MAGIC_OFF
	li	t1, GUEST_MAGIC
	sw	t1, 0(t0)
	HYPERCALL(HC_EXIT, zero, zero)
12:	j	12b

guest_spin:
	j	guest_spin

	/* Loads from the page at a0 until one exits (guest.h). */
	.globl	guest_poll
guest_poll:
	lw	t0, 0(a0)
	j	guest_poll

/* The 1 GiB leaf at a0 (GPA_1G): its first and last page, as in step 2. */
guest_rw1g:
	li	s2, 0xa5a5a5a5
	li	s1, 0
	mv	t0, a0
	word_write
	word_check
	li	t1, 0x3ffff000
	add	t0, a0, t1
	word_write
	word_check
	li	t6, 6
	HYPERCALL(HC_CHECK, t6, s1)
13:	j	13b

	.balign	4
huge_offsets:
	.word	0, 0x1ff000, 0x200000, 0x201000, 0x300000, 0x3ff000, -1
banner:
	.asciz	GUEST_BANNER
guest_end:
