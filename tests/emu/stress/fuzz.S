/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code of kes-stress, besides ../vmm/guest.S: one CPUID per input
 * record.  32-bit flat protected mode, copied to FUZZ_CODE.
 *
 * In:  ESI inputs (leaf, subleaf: two 32-bit words each), EDI answers
 *      (EAX, EBX, ECX, EDX each), EBP how many (at least 1).
 * Exits: EBP CPUIDs, then one OUT to PORT_DONE.
 */
#include "guest.h"

	.section .rodata
	.code32
	.globl	fuzz_code, fuzz_code_end
fuzz_code:
1:	movl	0(%esi), %eax
	movl	4(%esi), %ecx
	cpuid
	movl	%eax, 0(%edi)
	movl	%ebx, 4(%edi)
	movl	%ecx, 8(%edi)
	movl	%edx, 12(%edi)
	addl	$8, %esi
	addl	$16, %edi
	decl	%ebp
	jnz	1b
	outb	%al, $PORT_DONE
	ud2
fuzz_code_end:
	.code64
	.section .note.GNU-stack, "", @progbits
