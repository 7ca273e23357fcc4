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
 * Add @val to the figure at @p in one instruction, so that readers on other
 * CPUs never see a torn value; not atomic against other writers, and there
 * are none: only the vCPU's own thread writes its figures.
 */
static __always_inline void exitstats_add(u64 *p, u64 val)
{
	asm("addq %1, %0" : "+m" (*p) : "er" (val));
}

/*
 * The whole TSC is kept: an exit stays open until KVM enters the guest
 * again or puts the vCPU, and nothing bounds that time, so an exit longer
 * than 2^32 cycles (a second or two) must still come out exact.
 */

#ifndef EXITSTATS_RDTSC_HALVES
/* RDTSC: the TSC's low and high half, as rdtsc() has them before joining. */
static __always_inline void exitstats_rdtsc_halves(u32 *lo, u32 *hi)
{
	asm volatile("rdtsc" : "=a" (*lo), "=d" (*hi));
}
#endif

/*
 * The exit path's bucket of @cycles, 32-bit: one BSR.  For @cycles = 0
 * BSR sets ZF and leaves its destination alone (as fls64() relies on), so
 * the 0 it starts with is bucket 0.
 */
static __always_inline unsigned long exitstats_exit_bucket32(u32 cycles)
{
	unsigned long b = 0;

	asm("bsrl %1, %k0" : "+r" (b) : "rm" (cycles));
	return b;
}

/*
 * The index of bucket @b of @slot in hist[][]: one IMUL and one ADD (GCC
 * would rather spend three LEAs on the product).
 */
static __always_inline unsigned long exitstats_hist_index(unsigned long b,
							  unsigned long slot)
{
	unsigned long i;

	asm("imulq %[n], %[b], %[i]" : [i] "=r" (i)
	    : [b] "rm" (b), [n] "i" (EXITSTATS_NR_SLOTS));
	return i + slot;
}

/*
 * An exit of @cycles in bucket @b: its slot's cycles, maximum and bucket,
 * each figure changed by one instruction (untorn for readers).
 */
static __always_inline void exitstats_account(u64 *sum, u64 *max, u64 *bucket,
					      u64 cycles)
{
	asm("addq %[c], %[sum]\n\t"
	    "cmpq %[c], %[max]\n\t"
	    "jae 1f\n\t"
	    "movq %[c], %[max]\n"
	    "1:\taddq $1, %[bucket]"
	    : [sum] "+m" (*sum), [max] "+m" (*max), [bucket] "+m" (*bucket)
	    : [c] "r" (cycles) : "cc");
}

/* Right after the VM-exit reason is known: open the exit. */
static __always_inline void exitstats_exit_begin(struct exitstats_vcpu *es,
						 u16 basic_reason)
{
	u32 reason = basic_reason;

	/* RDTSC's two halves stored as they come: start reads back whole. */
	exitstats_rdtsc_halves(&es->start_tsc.lo, &es->start_tsc.hi);
	/* exitstats_slot(), a branch never taken rather than a CMOV. */
	if (unlikely(reason >= EXITSTATS_NR_REASONS)) {
		reason = EXITSTATS_NR_REASONS;
		barrier();
	}
	es->open = reason + 1;
}

/*
 * KVM is done with the exit: it is about to enter the guest again, or the
 * vCPU is being put (return to user space, preemption, blocking).  The
 * exit is counted in the bucket of its cycles.  With no exit open, the
 * time since the last one ended goes to the idle slot, never reported.
 */
static __always_inline void exitstats_exit_end(struct exitstats_vcpu *es)
{
	unsigned long open = es->open, b;
	u32 lo, hi;
	u64 cycles;

	exitstats_rdtsc_halves(&lo, &hi);
	if (hi == es->start_tsc.hi) {
		/* Same high half: the low halves' difference is exact. */
		cycles = (u32)(lo - es->start_tsc.lo);
		b = exitstats_exit_bucket32(cycles);
	} else {
		cycles = ((u64)hi << 32 | lo) - es->start;
		b = exitstats_bucket(cycles);
	}
	exitstats_account(&es->cycles[open], &es->max[open], &es->hist[0][exitstats_hist_index(b, open)],
			  cycles);
	es->open = EXITSTATS_SLOT_IDLE;
}

void exitstats_vmx_register(int (*const *handlers)(struct kvm_vcpu *vcpu),
			    int nr_handlers);
void exitstats_vmx_unregister(void);

#endif /* EXITSTATS_VMX_H */
