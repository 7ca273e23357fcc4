/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-exitstats, kvm-intel side: the exit-path hooks.  They are inline
 * because they run on every VM-exit; each costs a TSC read and a handful
 * of instructions on per-vCPU data, with no atomics and nothing shared.
 */
#ifndef EXITSTATS_VMX_H
#define EXITSTATS_VMX_H

#include <linux/compiler.h>
#include <asm/msr.h>

#include "exitstats.h"

struct kvm_vcpu;

/*
 * The whole TSC is kept: an exit stays open until KVM enters the guest
 * again or puts the vCPU, and nothing bounds that time, so an exit longer
 * than 2^32 cycles (a second or two) must still come out exact.  Other
 * CPUs read the figures with READ_ONCE(): write them with WRITE_ONCE().
 */

/* Right after the VM-exit reason is known: open the exit and count it. */
static __always_inline void exitstats_exit_begin(struct exitstats_vcpu *es,
						 u16 basic_reason)
{
	u32 slot = exitstats_slot(basic_reason);

	es->start = rdtsc();
	es->open = slot;
	WRITE_ONCE(es->count[slot], es->count[slot] + 1);
}

/*
 * KVM is done with the exit: it is about to enter the guest again, or the
 * vCPU is being put (return to user space, preemption, blocking).
 */
static __always_inline void exitstats_exit_end(struct exitstats_vcpu *es)
{
	u32 open = es->open;

	WRITE_ONCE(es->cycles[open], es->cycles[open] + (rdtsc() - es->start));
	es->open = EXITSTATS_SLOT_IDLE;
}

void exitstats_vmx_register(int (*const *handlers)(struct kvm_vcpu *vcpu),
			    int nr_handlers);
void exitstats_vmx_unregister(void);

#endif /* EXITSTATS_VMX_H */
