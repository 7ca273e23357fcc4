// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats, kvm-intel side: tells kvm.ko where each vCPU's figures
 * are and which exit reasons this KVM handles.
 */
#include <linux/module.h>

#include "vmx/vmx.h"
#include "exitstats_kvm.h"

MODULE_VERSION(KES_VERSION);

static struct exitstats_vendor exitstats_vmx = {
	.vcpu_offset = offsetof(struct vcpu_vmx, exitstats) -
		       offsetof(struct vcpu_vmx, vcpu),
};

void exitstats_vmx_register(int (*const *handlers)(struct kvm_vcpu *vcpu),
			    int nr_handlers)
{
	int reason;

	for (reason = 0; reason < EXITSTATS_NR_REASONS; reason++)
		exitstats_vmx.handled[reason] = reason < nr_handlers &&
						handlers[reason];
	/* Failed VM-entries are handled before the table is consulted. */
	exitstats_vmx.handled[EXIT_REASON_INVALID_STATE] = 1;
	exitstats_vmx.handled[EXIT_REASON_MSR_LOAD_FAIL] = 1;
	exitstats_vmx.handled[EXIT_REASON_MCE_DURING_VMENTRY] = 1;
	exitstats_register(&exitstats_vmx);
}

void exitstats_vmx_unregister(void)
{
	exitstats_unregister();
}
