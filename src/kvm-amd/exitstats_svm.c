// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats, kvm-amd side: tells kvm.ko the SVM table, where each
 * vCPU's figures are and which exit codes this KVM handles.
 *
 * kvm.ko is reached through symbol_get(), never linked to: if the loaded
 * kvm.ko is stock, this kvm-amd still loads and runs guests, counting exits
 * that nobody reads, and the guests get stock KVM's CPUID answers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "svm/svm.h"
#include "exitstats_kvm.h"

MODULE_VERSION(KES_VERSION);

static u8 exitstats_svm_handled[EXITSTATS_SVM_NR_SLOTS];

static const struct exitstats_vendor exitstats_svm = {
	.isa = &exitstats_isa_svm,
	.vcpu_offset = offsetof(struct vcpu_svm, exitstats) -
		       offsetof(struct vcpu_svm, vcpu),
	.handled = exitstats_svm_handled,
};

/* kvm.ko's exitstats_unregister() while registered, else NULL. */
static void (*exitstats_svm_unreg)(void);

void exitstats_svm_register(int (*const *handlers)(struct kvm_vcpu *vcpu),
			    size_t nr_handlers)
{
	u32 slot, code;

	/* A code is handled when svm_exit_handlers[] has an entry for it. */
	for (slot = EXITSTATS_SLOT_IDLE + 1; slot < EXITSTATS_SVM_SLOT_OTHER;
	     slot++) {
		code = exitstats_isa_svm.reason(slot);
		exitstats_svm_handled[slot] = code < nr_handlers &&
					      handlers[code];
	}
	/* A failed VMRUN is handled before the table is consulted. */
	exitstats_svm_handled[EXITSTATS_SVM_SLOT_INVALID] = 1;

	exitstats_vendor_register(&exitstats_svm, &exitstats_svm_unreg);
}

void exitstats_svm_unregister(void)
{
	exitstats_vendor_unregister(&exitstats_svm_unreg);
}
