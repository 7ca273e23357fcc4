/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-exitstats, kvm-intel side: the exit-path hooks.  They are inline
 * because they run on every VM-exit; each costs a TSC read and a handful
 * of instructions on per-vCPU data, with no atomics and nothing shared.
 */
#ifndef EXITSTATS_VMX_H
#define EXITSTATS_VMX_H

#include <asm/msr.h>

#include "exitstats.h"

struct kvm_vcpu;

/* Right after the VM-exit reason is known: open the exit and count it. */
static __always_inline void exitstats_exit_begin(struct exitstats_vcpu *es,
						 u16 basic_reason)
{
	u32 slot = exitstats_slot(basic_reason);

	es->start = rdtsc();
	es->open = slot;
	es->count[slot]++;
}

/*
 * KVM is done with the exit: it is about to enter the guest again, or the
 * vCPU is being put (return to user space, preemption, blocking).
 */
static __always_inline void exitstats_exit_end(struct exitstats_vcpu *es)
{
	es->cycles[es->open] += rdtsc() - es->start;
	es->open = EXITSTATS_SLOT_IDLE;
}

void exitstats_vmx_register(int (*const *handlers)(struct kvm_vcpu *vcpu),
			    int nr_handlers);
void exitstats_vmx_unregister(void);

#endif /* EXITSTATS_VMX_H */
