/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code of cpuid-bench, run in real mode at GUEST_ENTRY: CPUID of
 * leaf 0 in a loop timed with RDTSC, as kvm-unit-tests' vmexit "cpuid"
 * test does.  In: ESI = iterations (at least 1).  Out, at the HLT that
 * ends it: EDI:EBP = TSC before the loop, EDX:EAX = TSC after it.
 */
	.section .rodata
	.code16
	.globl	bench_guest, bench_guest_end
bench_guest:
	/* A few round trips first, so that nothing is cold in the loop. */
	movl	$16, %edi
1:	xorl	%eax, %eax
	cpuid
	decl	%edi
	jnz	1b

	rdtsc
	movl	%eax, %edi
	movl	%edx, %ebp
2:	xorl	%eax, %eax
	cpuid
	decl	%esi
	jnz	2b
	rdtsc
	hlt
	ud2
bench_guest_end:
	.section .note.GNU-stack, "", @progbits
