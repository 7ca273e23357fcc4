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

/*
 * Only the low half of the TSC is kept: an open exit is closed when KVM
 * enters the guest again or puts the vCPU (return to user space,
 * preemption, blocking), far less than 2^32 cycles after it opened, and
 * the 32-bit difference is exact across a wrap of the low half.  That
 * saves four instructions per exit.
 */

/* Right after the VM-exit reason is known: open the exit and count it. */
static __always_inline void exitstats_exit_begin(struct exitstats_vcpu *es,
						 u16 basic_reason)
{
	u32 slot = exitstats_slot(basic_reason);

	es->start = (u32)rdtsc();
	es->open = slot;
	es->count[slot]++;
}

/*
 * KVM is done with the exit: it is about to enter the guest again, or the
 * vCPU is being put (return to user space, preemption, blocking).
 */
static __always_inline void exitstats_exit_end(struct exitstats_vcpu *es)
{
	es->cycles[es->open] += (u32)((u32)rdtsc() - es->start);
	es->open = EXITSTATS_SLOT_IDLE;
}

void exitstats_vmx_register(int (*const *handlers)(struct kvm_vcpu *vcpu),
			    int nr_handlers);
void exitstats_vmx_unregister(void);

#endif /* EXITSTATS_VMX_H */
