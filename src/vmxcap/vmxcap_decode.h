/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoder of the VMX capability MSRs, shared by vmxcap.ko and the
 * user-space unit tests: it takes raw MSR values and emits report lines
 * through a callback (cap_emit.h, shared with the SVM decoder), and knows
 * nothing about how the values were read.  The line format is documented
 * at the top of vmxcap_decode.c.
 */
#ifndef VMXCAP_DECODE_H
#define VMXCAP_DECODE_H

#include "cap_emit.h"	/* u32, u64, bool, vmxcap_emit_t, cap_emit_cpus() */

/* One entry per MSR; vmxcap_msr_exists() wants them read in this order. */
enum vmxcap_msr {
	VMXCAP_FEATURE_CONTROL,
	VMXCAP_BASIC,
	VMXCAP_PINBASED,
	VMXCAP_PROCBASED,
	VMXCAP_EXIT,
	VMXCAP_ENTRY,
	VMXCAP_MISC,
	VMXCAP_CR0_FIXED0,
	VMXCAP_CR0_FIXED1,
	VMXCAP_CR4_FIXED0,
	VMXCAP_CR4_FIXED1,
	VMXCAP_VMCS_ENUM,
	VMXCAP_PROCBASED2,
	VMXCAP_EPT_VPID_CAP,
	VMXCAP_TRUE_PINBASED,
	VMXCAP_TRUE_PROCBASED,
	VMXCAP_TRUE_EXIT,
	VMXCAP_TRUE_ENTRY,
	VMXCAP_VMFUNC,
	VMXCAP_PROCBASED3,
	VMXCAP_EXIT2,
	VMXCAP_NR_MSRS
};

extern const struct vmxcap_msr_desc vmxcap_msr_desc[VMXCAP_NR_MSRS];

/* What one CPU reported. */
struct vmxcap_msrs {
	bool cpuid_vmx;			/* CPUID.01H:ECX.VMX[bit 5] */
	u32 attempted;			/* BIT(id): a read of MSR id was tried */
	u32 valid;			/* BIT(id): that read succeeded */
	u64 val[VMXCAP_NR_MSRS];
};

enum vmxcap_status {
	VMXCAP_OK,
	VMXCAP_NO_VMX,		/* CPUID says no VMX */
	VMXCAP_NO_BASIC,	/* CPUID says VMX, IA32_VMX_BASIC faults */
	VMXCAP_LOCKED_OFF,	/* IA32_FEATURE_CONTROL locked, VMX off */
};

bool vmxcap_msr_exists(const struct vmxcap_msrs *m, enum vmxcap_msr id);
enum vmxcap_status vmxcap_status(const struct vmxcap_msrs *m);
const char *vmxcap_status_reason(enum vmxcap_status st);
void vmxcap_decode(const struct vmxcap_msrs *m, vmxcap_emit_t emit,
		   void *ctx);
int vmxcap_compare(const struct vmxcap_msrs *ref, unsigned int ref_cpu,
		   const struct vmxcap_msrs *m, unsigned int cpu,
		   vmxcap_emit_t emit, void *ctx);

#endif
