/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-exitstats, kvm-amd side: the exit-path hooks, inline because they run
 * on every VM-exit: a TSC read and a handful of instructions on per-vCPU
 * data, with no atomics and nothing shared.  The figures are struct
 * exitstats_svm_vcpu, in the slots of the SVM table (exitstats_isa.h).
 */
#ifndef EXITSTATS_SVM_H
#define EXITSTATS_SVM_H

#include <linux/compiler.h>
#include <asm/msr.h>

#include "exitstats.h"

struct kvm_vcpu;

/*
 * Add @val to the figure at @p in one instruction, so that readers on other
 * CPUs never see a torn value; not atomic against other writers, and there
 * are none: only the vCPU's own thread writes its figures.
 */
static __always_inline void exitstats_svm_add(u64 *p, u64 val)
{
	asm("addq %1, %0" : "+m" (*p) : "er" (val));
}

/* Right after VMRUN returns, with the VMCB's EXITCODE: open the exit. */
static __always_inline void exitstats_svm_begin(struct exitstats_svm_vcpu *es,
						u32 exit_code)
{
	es->start = rdtsc();
	es->open = exitstats_svm_slot(exit_code);
}

/*
 * KVM is done with the exit: it is about to run the guest again (VMRUN), or
 * the vCPU is being put (return to user space, preemption, blocking).  The
 * exit is counted in the bucket of its cycles.  With no exit open, the
 * time since the last one ended goes to the idle slot, never reported.
 */
static __always_inline void exitstats_svm_end(struct exitstats_svm_vcpu *es)
{
	unsigned long open = es->open;
	u64 cycles = rdtsc() - es->start;

	exitstats_svm_add(&es->cycles[open], cycles);
	if (cycles > es->max[open])
		WRITE_ONCE(es->max[open], cycles);
	exitstats_svm_add(&es->hist[exitstats_bucket(cycles)][open], 1);
	es->open = EXITSTATS_SLOT_IDLE;
}

void exitstats_svm_register(int (*const *handlers)(struct kvm_vcpu *vcpu),
			    size_t nr_handlers);
void exitstats_svm_unregister(void);

#endif /* EXITSTATS_SVM_H */
