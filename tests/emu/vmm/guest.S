/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code of the VMM: small routines for 32-bit flat protected mode,
 * paging off.  The VMM copies them to GUEST_CODE, points RIP at one with
 * its inputs in registers and runs the vCPU until the routine's OUT to
 * PORT_DONE.  What each routine makes the CPU exit for follows from its
 * inputs alone, and that is what the tests derive their expected values
 * from.  A routine never returns: ud2 catches a VMM that resumes it.
 */
#include "guest.h"

	.section .rodata
	.code32

/* Store EAX, EBX, ECX, EDX at EDI and advance EDI by 16. */
.macro store_regs
	movl	%eax, 0(%edi)
	movl	%ebx, 4(%edi)
	movl	%ecx, 8(%edi)
	movl	%edx, 12(%edi)
	addl	$16, %edi
.endm

.macro done
	outb	%al, $PORT_DONE
	ud2
.endm

	.globl	guest_code, guest_code_end
	.globl	code_cpuid, code_cpuid_loop, code_io_loop, code_hlt_loop
	.globl	code_sweep, code_cpuid_emulated, code_wrmsr_loop
	.globl	code_hlt_timer, code_timer_irq
guest_code:

/* One CPUID of leaf EAX, subleaf ECX; the answer stays in EAX..EDX. */
code_cpuid:
	cpuid
	done

/*
 * The same through KVM's instruction emulator: with kvm's
 * force_emulation_prefix on, ud2 followed by "kvm" makes KVM emulate the
 * next instruction.  The exit is a #UD (reason 0), not a CPUID exit.
 */
code_cpuid_emulated:
	.byte	0x0f, 0x0b, 0x6b, 0x76, 0x6d
	cpuid
	done

/* ESI (at least 1) CPUIDs of leaf EDI, subleaf 0. */
code_cpuid_loop:
1:	movl	%edi, %eax
	xorl	%ecx, %ecx
	cpuid
	decl	%esi
	jnz	1b
	done

/* ESI (at least 1) WRMSRs of EDX:EAX to MSR ECX. */
code_wrmsr_loop:
1:	wrmsr
	decl	%esi
	jnz	1b
	done

/* ESI (at least 1) OUTs to PORT_IO, each an exit to user space. */
code_io_loop:
1:	outb	%al, $PORT_IO
	decl	%esi
	jnz	1b
	done

/* ESI (at least 1) HLTs: without an in-kernel irqchip each one exits to
 * user space as KVM_EXIT_HLT, and the VMM resumes the vCPU.
 */
code_hlt_loop:
1:	hlt
	decl	%esi
	jnz	1b
	done

/*
 * ESI (at least 1) HLTs that KVM handles in the kernel, each woken by the
 * local APIC timer's interrupt.  The VMM gave the VM an in-kernel APIC,
 * put it in x2APIC mode and set up the GDT, the IDT and a stack.  The
 * timer runs one-shot, EDI ticks at divide by 1, armed anew before each
 * HLT: 3 + ESI WRMSRs here, and code_timer_irq's EOI per interrupt.
 * STI's interrupt shadow covers the HLT, so each HLT is executed (and
 * exits) even if the timer has fired already.
 */
code_hlt_timer:
	cli
	xorl	%edx, %edx
	movl	$MSR_X2APIC_SVR, %ecx
	movl	$(APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR), %eax
	wrmsr
	movl	$MSR_X2APIC_TDCR, %ecx
	movl	$APIC_TDCR_DIV1, %eax
	wrmsr
	movl	$MSR_X2APIC_LVTT, %ecx
	movl	$TIMER_VECTOR, %eax
	wrmsr
1:	movl	$MSR_X2APIC_TMICT, %ecx
	movl	%edi, %eax
	wrmsr
	sti
	hlt
	cli
	decl	%esi
	jnz	1b
	done

/* TIMER_VECTOR's interrupt gate: count the interrupt, EOI, return. */
code_timer_irq:
	pushl	%eax
	pushl	%ecx
	pushl	%edx
	incl	GUEST_PARAM_IRQS
	movl	$MSR_X2APIC_EOI, %ecx
	xorl	%eax, %eax
	xorl	%edx, %edx
	wrmsr
	popl	%edx
	popl	%ecx
	popl	%eax
	iretl

/*
 * Read a table in one go, with no exit of the guest's making but its
 * CPUIDs: the totals (0x4FFFFFFF, 0x4FFFFFFE), then leaf EBP for subleaf
 * 0 .. [GUEST_PARAM_END] - 1, then the totals again.  Each answer goes to
 * EDI as EAX, EBX, ECX, EDX: [GUEST_PARAM_END] + 4 records, as many CPUIDs.
 */
code_sweep:
	movl	$LEAF_TOTAL_COUNT, %eax
	cpuid
	store_regs
	movl	$LEAF_TOTAL_CYCLES, %eax
	cpuid
	store_regs
	xorl	%esi, %esi
1:	movl	%ebp, %eax
	movl	%esi, %ecx
	imull	GUEST_PARAM_STEP, %ecx
	addl	GUEST_PARAM_BASE, %ecx
	cpuid
	store_regs
	incl	%esi
	cmpl	GUEST_PARAM_END, %esi
	jb	1b
	movl	$LEAF_TOTAL_COUNT, %eax
	cpuid
	store_regs
	movl	$LEAF_TOTAL_CYCLES, %eax
	cpuid
	store_regs
	done

guest_code_end:
	.code64
	.section .note.GNU-stack, "", @progbits
