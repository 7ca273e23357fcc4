/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-exitstats, kvm-intel side: the exit-path hooks.  They are inline
 * because they run on every VM-exit; each costs a TSC read and a handful
 * of instructions on per-vCPU data, with no atomics and nothing shared.
 */
#ifndef EXITSTATS_VMX_H
#define EXITSTATS_VMX_H

#include <linux/compiler.h>

#include "exitstats_exit.h"

struct kvm_vcpu;

/* Right after the VM-exit reason is known: open the exit. */
static __always_inline void exitstats_exit_begin(struct exitstats_vcpu *es,
						 u16 basic_reason)
{
	u32 reason = basic_reason;

	/* exitstats_slot(), a branch never taken rather than a CMOV. */
	if (unlikely(reason >= EXITSTATS_NR_REASONS)) {
		reason = EXITSTATS_NR_REASONS;
		barrier();
	}
	exitstats_exit_open(&es->start, &es->open, reason + 1);
}

void exitstats_vmx_register(int (*const *handlers)(struct kvm_vcpu *vcpu),
			    int nr_handlers);
void exitstats_vmx_unregister(void);

/*
 * KVM is done with the exit (EXITSTATS_EXIT_CLOSE()), @es being
 * &vmx->exitstats.  A macro: struct vcpu_vmx is not defined yet here.
 */
#define exitstats_exit_end(es)						\
	EXITSTATS_EXIT_CLOSE(container_of(es, struct vcpu_vmx, exitstats), \
			     es, offsetof(struct vcpu_vmx, exitstats),	\
			     EXITSTATS_NR_SLOTS)

#endif /* EXITSTATS_VMX_H */
