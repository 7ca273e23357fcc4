// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats, kvm-intel side: tells kvm.ko where each vCPU's figures
 * are and which exit reasons this KVM handles.
 *
 * kvm.ko is reached through symbol_get(), never linked to: if the loaded
 * kvm.ko is stock (kept by kvmgt, or `modprobe -r kvm` failed), this
 * kvm-intel still loads and runs guests, counting exits that nobody reads,
 * and the guests get stock KVM's CPUID answers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "vmx/vmx.h"
#include "exitstats_kvm.h"

MODULE_VERSION(KES_VERSION);

static u8 exitstats_vmx_handled[EXITSTATS_NR_SLOTS];

static const struct exitstats_vendor exitstats_vmx = {
	.isa = &exitstats_isa_vmx,
	.vcpu_offset = offsetof(struct vcpu_vmx, exitstats) -
		       offsetof(struct vcpu_vmx, vcpu),
	.handled = exitstats_vmx_handled,
};

/* kvm.ko's exitstats_unregister() while registered, else NULL. */
static void (*exitstats_vmx_unreg)(void);

void exitstats_vmx_register(int (*const *handlers)(struct kvm_vcpu *vcpu),
			    int nr_handlers)
{
	int reason;

	for (reason = 0; reason < EXITSTATS_NR_REASONS; reason++)
		exitstats_vmx_handled[exitstats_slot(reason)] =
			reason < nr_handlers && handlers[reason];
	/* Failed VM-entries are handled before the table is consulted. */
	exitstats_vmx_handled[exitstats_slot(EXIT_REASON_INVALID_STATE)] = 1;
	exitstats_vmx_handled[exitstats_slot(EXIT_REASON_MSR_LOAD_FAIL)] = 1;
	exitstats_vmx_handled[exitstats_slot(EXIT_REASON_MCE_DURING_VMENTRY)] = 1;

	exitstats_vendor_register(&exitstats_vmx, &exitstats_vmx_unreg);
}

void exitstats_vmx_unregister(void)
{
	exitstats_vendor_unregister(&exitstats_vmx_unreg);
}
