/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 guest program of axas-vmm: 32-bit protected mode, flat
 * segments, paging off (guest virtual = guest physical), entered by
 * samples/hv at GPA_CODE. The steps are those of guest.h. Position
 * independent: it finds its own data through call/pop.
 */
#include "guest.h"

#define HYPERCALL(nr, a0, a1)	\
	mov	$(nr), %eax;	\
	mov	a0, %ebx;	\
	mov	a1, %ecx;	\
	vmmcall

/* Write its own address xor 0xa5a5a5a5 at the address in %edx. */
#define WORD_WRITE		\
	mov	%edx, %eax;	\
	xor	$0xa5a5a5a5, %eax; \
	mov	%eax, (%edx)

/* Count (%edi) a word at %edx that does not read back. */
#define WORD_CHECK		\
	mov	(%edx), %eax;	\
	xor	$0xa5a5a5a5, %eax; \
	cmp	%eax, %edx;	\
	setne	%al;		\
	movzbl	%al, %eax;	\
	add	%eax, %edi

	.text
	.code32
	.globl	guest_start, guest_end, guest_after_nx, guest_spin
guest_start:
	mov	%esi, %ebp			/* N lazy pages */

	/* 1. The banner, byte by byte, to the MMIO console. */
	call	1f
1:	pop	%esi
	add	$(banner - 1b), %esi
	mov	$GPA_CONSOLE, %edx
2:	movzbl	(%esi), %eax
	test	%al, %al
	jz	3f
	mov	%al, (%edx)
	inc	%esi
	jmp	2b

	/* 2. Every leaf size: 16 small pages, then the 2 MiB leaves. */
3:	xor	%edi, %edi
	mov	$GPA_SMALL, %edx
4:	WORD_WRITE
	add	$0x1000, %edx
	cmp	$(GPA_SMALL + SMALL_SIZE), %edx
	jne	4b
	mov	$GPA_SMALL, %edx
5:	WORD_CHECK
	add	$0x1000, %edx
	cmp	$(GPA_SMALL + SMALL_SIZE), %edx
	jne	5b
	call	1f
1:	pop	%esi
	add	$(huge_offsets - 1b), %esi
	mov	%esi, %ecx
6:	mov	(%ecx), %edx
	cmp	$-1, %edx
	je	7f
	add	$GPA_HUGE, %edx
	WORD_WRITE
	add	$4, %ecx
	jmp	6b
7:	mov	(%esi), %edx
	cmp	$-1, %edx
	je	8f
	add	$GPA_HUGE, %edx
	WORD_CHECK
	add	$4, %esi
	jmp	7b
8:	HYPERCALL(HC_CHECK, $1, %edi)

	/* 3. One store per lazy page, twice. */
	mov	$2, %esi
9:	mov	$GPA_LAZY, %edx
	mov	%ebp, %ecx
	test	%ecx, %ecx
	jz	11f
10:	mov	%ecx, (%edx)
	add	$0x1000, %edx
	dec	%ecx
	jnz	10b
11:	mov	$4, %ebx
	sub	%esi, %ebx			/* step 2, then 3 */
	HYPERCALL(HC_CHECK, %ebx, $0)
	dec	%esi
	jnz	9b

	/* 4. A store to the read-only page. */
	mov	$GPA_RO, %edx
	mov	%ebp, (%edx)

	/* 5. A fetch from the no-exec page; the VMM resumes at %ebx. */
	call	1f
1:	pop	%ebx
	add	$(guest_after_nx - 1b), %ebx
	mov	$GPA_NX, %eax
	jmp	*%eax
guest_after_nx:

	/* 6. The VMM edits the space. */
	HYPERCALL(HC_CHECK, $4, $0)

	/* 7. The hole reads through the VMM. */
	mov	$EDIT_HOLE, %edx
	mov	(%edx), %eax
	xor	%ecx, %ecx
	cmp	$MMIO_READ_VALUE, %eax
	setne	%cl
	HYPERCALL(HC_CHECK, $5, %ecx)

	/* 8. A store to the page made read-only. */
	mov	$EDIT_RO, %edx
	mov	%ebp, (%edx)

	/* 9. The magic word, then the exit. */
	mov	$(GPA_SMALL + MAGIC_OFF), %edx
	mov	$GUEST_MAGIC, %eax
	mov	%eax, (%edx)
	HYPERCALL(HC_EXIT, $0, $0)
	hlt

guest_spin:
	jmp	guest_spin

	/* Loads from the page at %esi until one exits (guest.h). */
	.globl	guest_poll
guest_poll:
	mov	(%esi), %eax
	jmp	guest_poll

	/* The 1 GiB leaf: its first and its last page. */
	.globl	guest_rw1g
guest_rw1g:
	xor	%edi, %edi
	mov	%esi, %edx
	WORD_WRITE
	add	$0x3ffff000, %edx
	WORD_WRITE
	mov	%esi, %edx
	WORD_CHECK
	add	$0x3ffff000, %edx
	WORD_CHECK
	HYPERCALL(HC_CHECK, $6, %edi)
	hlt

	.balign	4
huge_offsets:
	.long	0, 0x1ff000, 0x200000, 0x201000, 0x300000, 0x3ff000, -1
banner:
	.asciz	GUEST_BANNER
guest_end:
