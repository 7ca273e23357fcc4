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

#include "exitstats_exit.h"

struct kvm_vcpu;

/* Right after VMRUN returns, with the VMCB's EXITCODE: open the exit. */
static __always_inline void exitstats_svm_begin(struct exitstats_svm_vcpu *es,
						u32 exit_code)
{
	exitstats_exit_open(&es->start, &es->open,
			    exitstats_svm_slot(exit_code));
}

void exitstats_svm_register(int (*const *handlers)(struct kvm_vcpu *vcpu),
			    size_t nr_handlers);
void exitstats_svm_unregister(void);

/*
 * KVM is done with the exit (EXITSTATS_EXIT_CLOSE()), @es being
 * &svm->exitstats.  A macro: struct vcpu_svm is not defined yet here.
 */
#define exitstats_svm_end(es)						\
	EXITSTATS_EXIT_CLOSE(container_of(es, struct vcpu_svm, exitstats), \
			     es, offsetof(struct vcpu_svm, exitstats),	\
			     EXITSTATS_SVM_NR_SLOTS)

#endif /* EXITSTATS_SVM_H */
