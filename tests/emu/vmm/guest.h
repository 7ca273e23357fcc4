/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the VMM and its guest code (guest.S): guest
 * physical layout, I/O ports and the CPUID leaves of kvm-exitstats.
 * Included from C and from assembly.
 */
#ifndef KES_GUEST_H
#define KES_GUEST_H

#define GUEST_MEM_SIZE		0x100000	/* 1 MiB, identity mapped */
#define GUEST_PARAM		0x0f00		/* input of guest_sweep */
#define GUEST_PARAM_END		(GUEST_PARAM + 0)
#define GUEST_PARAM_BASE	(GUEST_PARAM + 4)	/* ECX = BASE + i * STEP */
#define GUEST_PARAM_STEP	(GUEST_PARAM + 8)
#define GUEST_PARAM_IRQS	(GUEST_PARAM + 12)	/* code_timer_irq's count */
#define GUEST_GDT		0x0800	/* null, flat code 0x8, flat data 0x10 */
#define GUEST_IDT		0x0900	/* gates up to TIMER_VECTOR */
#define GUEST_CODE		0x1000		/* guest.S is copied here */
#define GUEST_BUF		0x10000		/* 4 KiB of results per vCPU */
#define GUEST_BUF_SIZE		0x1000

/* OUT to PORT_DONE ends every guest routine; PORT_IO only makes exits. */
#define PORT_DONE		0xf0
#define PORT_IO			0xf1

/* The guest interface of kvm-exitstats (README.md, "The guest interface"). */
#define LEAF_REASON_HIST	0x4ffffffb
#define LEAF_REASON_CYCLES	0x4ffffffc
#define LEAF_REASON_COUNT	0x4ffffffd
#define LEAF_TOTAL_CYCLES	0x4ffffffe
#define LEAF_TOTAL_COUNT	0x4fffffff

/* Basic exit reasons (Intel SDM Vol. 3, Appendix C) the guest causes. */
#define EXIT_REASON_EXCEPTION	0
#define EXIT_REASON_CPUID	10
#define EXIT_REASON_HLT		12
#define EXIT_REASON_IO		30
#define EXIT_REASON_WRMSR	32

/*
 * The local APIC in x2APIC mode (Intel SDM Vol. 3A, 11.12.1: register at
 * offset X is MSR 0x800 + X / 16), as code_hlt_timer programs it.
 */
#define MSR_X2APIC_EOI		0x80b
#define MSR_X2APIC_SVR		0x80f
#define MSR_X2APIC_LVTT		0x832
#define MSR_X2APIC_TMICT	0x838
#define MSR_X2APIC_TDCR		0x83e
#define APIC_SVR_ENABLE		0x100	/* APIC software enable */
#define APIC_SPURIOUS_VECTOR	0xff
#define APIC_TDCR_DIV1		0xb	/* timer divide by 1 */
#define TIMER_VECTOR		0x30	/* LVT timer: fixed, one-shot */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* guest.S: the code block and its routines' entry points. */
extern const uint8_t guest_code[], guest_code_end[];
extern const uint8_t code_cpuid[];
extern const uint8_t code_cpuid_emulated[];
extern const uint8_t code_wrmsr_loop[];
extern const uint8_t code_cpuid_loop[];
extern const uint8_t code_io_loop[];
extern const uint8_t code_hlt_loop[];
extern const uint8_t code_hlt_timer[];
extern const uint8_t code_timer_irq[];
extern const uint8_t code_sweep[];
#endif

#endif
