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

/* KVM is done with the exit (exitstats_exit_close()). */
static __always_inline void exitstats_exit_end(struct exitstats_vcpu *es)
{
	EXITSTATS_EXIT_CLOSE(es, EXITSTATS_NR_SLOTS);
}

void exitstats_vmx_register(int (*const *handlers)(struct kvm_vcpu *vcpu),
			    int nr_handlers);
void exitstats_vmx_unregister(void);

#endif /* EXITSTATS_VMX_H */
