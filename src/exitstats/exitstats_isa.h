/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-exitstats: the two ISAs' exit reasons and per-vCPU figures.
 *
 * Each vendor module builds its own table (exitstats_vmx_isa.c into
 * kvm-intel.ko, exitstats_svm_isa.c into kvm-amd.ko) and registers it with
 * kvm.ko; user space (the tools, the tests) has both.  The slot mappings
 * are inline here because the exit paths use them.
 */
#ifndef EXITSTATS_ISA_H
#define EXITSTATS_ISA_H

/*
 * VMX: basic exit reasons 0 .. EXITSTATS_NR_REASONS - 1 (Intel SDM Vol. 3D
 * Appendix C); slot r + 1 is reason r.
 */
#define EXITSTATS_NR_REASONS	82
#define EXITSTATS_SLOT_OTHER	(EXITSTATS_NR_REASONS + 1)
#define EXITSTATS_NR_SLOTS	(EXITSTATS_NR_REASONS + 2)

/* kvm-intel's per-vCPU figures, in the layout exitstats.h describes. */
struct exitstats_vcpu {
	u64 hist[EXITSTATS_NR_BUCKETS][EXITSTATS_NR_SLOTS];
	u64 cycles[EXITSTATS_NR_SLOTS];
	u64 max[EXITSTATS_NR_SLOTS];
	union exitstats_start start;	/* TSC at the open exit */
	unsigned long open;		/* slot of the open exit, or SLOT_IDLE */
};

_Static_assert(__builtin_offsetof(struct exitstats_vcpu, open) ==
	       EXITSTATS_OPEN_OFFSET(EXITSTATS_NR_SLOTS),
	       "struct exitstats_vcpu is laid out as exitstats.h says");

static inline u32 exitstats_slot(u32 basic_reason)
{
	return (basic_reason < EXITSTATS_NR_REASONS ?
		basic_reason : EXITSTATS_NR_REASONS) + 1;
}

extern const struct exitstats_isa exitstats_isa_vmx;

/* SDM name of a basic exit reason, or NULL if the SDM does not define it. */
static inline const char *exitstats_reason_name(u32 reason)
{
	return exitstats_name(&exitstats_isa_vmx, reason);
}

/*
 * SVM: exit codes (the VMCB's EXITCODE, AMD64 APM Vol. 2 Appendix C) in
 * slots: 0x000 .. 0x0A6 in slots 1 .. 167 (code + 1), 0x400 .. 0x403 (NPF,
 * AVIC_INCOMPLETE_IPI, AVIC_NOACCEL, VMGEXIT) in 168 .. 171, KVM's
 * software code 0xF0000000 in 172, -1 (VMEXIT_INVALID) in 173, any other
 * code in the other slot 174.
 */
#define EXITSTATS_SVM_LAST_LOW		0x0A6u
#define EXITSTATS_SVM_NPF		0x400u
#define EXITSTATS_SVM_LAST_HIGH		0x403u
#define EXITSTATS_SVM_SW		0xF0000000u
#define EXITSTATS_SVM_INVALID		0xFFFFFFFFu
#define EXITSTATS_SVM_SLOT_NPF		(EXITSTATS_SVM_LAST_LOW + 2)
#define EXITSTATS_SVM_SLOT_SW		(EXITSTATS_SVM_SLOT_NPF + \
					 EXITSTATS_SVM_LAST_HIGH - \
					 EXITSTATS_SVM_NPF + 1)
#define EXITSTATS_SVM_SLOT_INVALID	(EXITSTATS_SVM_SLOT_SW + 1)
#define EXITSTATS_SVM_SLOT_OTHER	(EXITSTATS_SVM_SLOT_INVALID + 1)
#define EXITSTATS_SVM_NR_SLOTS		(EXITSTATS_SVM_SLOT_OTHER + 1)

/* kvm-amd's per-vCPU figures, in the layout exitstats.h describes. */
struct exitstats_svm_vcpu {
	u64 hist[EXITSTATS_NR_BUCKETS][EXITSTATS_SVM_NR_SLOTS];
	u64 cycles[EXITSTATS_SVM_NR_SLOTS];
	u64 max[EXITSTATS_SVM_NR_SLOTS];
	union exitstats_start start;	/* TSC at the open exit */
	unsigned long open;		/* slot of the open exit, or SLOT_IDLE */
};

_Static_assert(__builtin_offsetof(struct exitstats_svm_vcpu, open) ==
	       EXITSTATS_OPEN_OFFSET(EXITSTATS_SVM_NR_SLOTS),
	       "struct exitstats_svm_vcpu is laid out as exitstats.h says");

static inline u32 exitstats_svm_slot(u32 code)
{
	if (code <= EXITSTATS_SVM_LAST_LOW)
		return code + 1;
	if (code - EXITSTATS_SVM_NPF <= EXITSTATS_SVM_LAST_HIGH -
					EXITSTATS_SVM_NPF)
		return code - EXITSTATS_SVM_NPF + EXITSTATS_SVM_SLOT_NPF;
	if (code == EXITSTATS_SVM_SW)
		return EXITSTATS_SVM_SLOT_SW;
	if (code == EXITSTATS_SVM_INVALID)
		return EXITSTATS_SVM_SLOT_INVALID;
	return EXITSTATS_SVM_SLOT_OTHER;
}

extern const struct exitstats_isa exitstats_isa_svm;

#endif /* EXITSTATS_ISA_H */
