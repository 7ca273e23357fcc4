/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoder of AMD's SVM capabilities (CPUID Fn8000_000A, VM_CR, EFER.SVME),
 * shared by vmxcap.ko and the user-space unit tests like the VMX decoder:
 * it takes raw CPUID and MSR values and emits report lines through the
 * same callback, in the same line format (documented at the top of
 * svmcap_decode.c), and knows nothing about how the values were read.
 */
#ifndef SVMCAP_DECODE_H
#define SVMCAP_DECODE_H

#include "cap_emit.h"	/* u32, u64, bool, vmxcap_emit_t */

#define SVMCAP_LEAF_MAX_EXT	0x80000000u
#define SVMCAP_LEAF_EXT1	0x80000001u
#define SVMCAP_LEAF_SVM		0x8000000au

/* One entry per MSR, read in this order. */
enum svmcap_msr {
	SVMCAP_EFER,
	SVMCAP_VM_CR,
	SVMCAP_NR_MSRS
};

extern const struct vmxcap_msr_desc svmcap_msr_desc[SVMCAP_NR_MSRS];

/* What one CPU reported. */
struct svmcap_regs {
	u32 max_ext;		/* CPUID.80000000H:EAX, highest extended leaf */
	u32 ext1_ecx;		/* CPUID.80000001H:ECX, if max_ext allows */
	u32 eax, ebx, ecx, edx;	/* CPUID.8000000AH, if svmcap_leaf_svm() */
	u32 attempted;		/* BIT(id): a read of MSR id was tried */
	u32 valid;		/* BIT(id): that read succeeded */
	u64 val[SVMCAP_NR_MSRS];
};

enum svmcap_status {
	SVMCAP_OK,
	SVMCAP_NO_SVM,		/* CPUID says no SVM */
	SVMCAP_NO_VM_CR,	/* CPUID says SVM, VM_CR faults */
	SVMCAP_DISABLED,	/* VM_CR.SVMDIS set: EFER.SVME cannot be set */
};

/*
 * A reader fills max_ext, then ext1_ecx if svmcap_leaf_ext1(), then leaf
 * 8000000AH if svmcap_leaf_svm(), then every MSR svmcap_msr_exists()
 * allows, in enum order.
 */
bool svmcap_leaf_ext1(const struct svmcap_regs *r);
bool svmcap_cpuid_svm(const struct svmcap_regs *r);
bool svmcap_leaf_svm(const struct svmcap_regs *r);
bool svmcap_msr_exists(const struct svmcap_regs *r, enum svmcap_msr id);
enum svmcap_status svmcap_status(const struct svmcap_regs *r);
const char *svmcap_status_reason(enum svmcap_status st);
void svmcap_decode(const struct svmcap_regs *r, vmxcap_emit_t emit,
		   void *ctx);
void svmcap_emit_cpu(const struct svmcap_regs *r, unsigned int cpu,
		     vmxcap_emit_t emit, void *ctx);
int svmcap_compare(const struct svmcap_regs *ref, unsigned int ref_cpu,
		   const struct svmcap_regs *r, unsigned int cpu,
		   vmxcap_emit_t emit, void *ctx);

#endif
