/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-exitstats: the exit path, shared by kvm-intel and kvm-amd.  Inline,
 * because it runs on every VM exit: a TSC read when the exit opens, one
 * when it closes, and single instructions on the vCPU's own figures (the
 * layout of exitstats.h), with no atomics and nothing shared.  x86-64
 * only; the unit tests run it in user space with a TSC of their own
 * (EXITSTATS_RDTSC_HALVES).
 *
 * The whole TSC is kept: an exit stays open until KVM enters the guest
 * again or puts the vCPU, and nothing bounds that time, so an exit longer
 * than 2^32 cycles (a second or two) must still come out exact.
 */
#ifndef EXITSTATS_EXIT_H
#define EXITSTATS_EXIT_H

#include "exitstats.h"

#ifndef EXITSTATS_RDTSC_HALVES
/* RDTSC: the TSC's low and high half, as rdtsc() has them before joining. */
static __always_inline void exitstats_rdtsc_halves(u32 *lo, u32 *hi)
{
	asm volatile("rdtsc" : "=a" (*lo), "=d" (*hi));
}
#endif

/*
 * The bucket of @cycles below 2^32: one BSR, in place.  For @cycles = 0
 * BSR sets ZF and leaves its destination alone (as fls64() relies on), so
 * the 0 it holds is bucket 0.
 */
static __always_inline unsigned long exitstats_exit_bucket32(u32 cycles)
{
	unsigned long b = cycles;

	asm("bsrl %k0, %k0" : "+r" (b));
	return b;
}

/*
 * The index of bucket @b of @slot in hist[][@nr_slots]: one IMUL and one
 * ADD (GCC would rather spend three LEAs on the product).  The product
 * takes @b's register, so that the cycles keep theirs without a copy.
 */
static __always_inline unsigned long exitstats_hist_index(unsigned long b,
							  unsigned long slot,
							  unsigned long nr_slots)
{
	asm("imulq %[n], %[b], %[b]" : [b] "+r" (b) : [n] "i" (nr_slots));
	return b + slot;
}

/*
 * An exit of @cycles: its slot's cycles, maximum and bucket, each figure
 * changed by one instruction, so that readers on other CPUs never see it
 * torn; not atomic against other writers, and there are none.
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

/*
 * The exit opens in @slot: RDTSC's two halves stored as they come (start
 * reads back whole).
 */
static __always_inline void exitstats_exit_open(union exitstats_start *start,
						unsigned long *open,
						unsigned long slot)
{
	exitstats_rdtsc_halves(&start->lo, &start->hi);
	*open = slot;
}

/*
 * The cycles since @start, and their bucket in *@b.  When the TSC's high
 * half is the start's (all but one exit in 2^32 cycles), the low halves'
 * difference is exact.
 */
static __always_inline u64 exitstats_exit_cycles(const union exitstats_start *start,
						 unsigned long *b)
{
	u32 lo, hi;
	u64 c;

	exitstats_rdtsc_halves(&lo, &hi);
	if (hi == start->hi) {
		c = (u32)(lo - start->lo);
		*b = exitstats_exit_bucket32(c);
	} else {
		c = ((u64)hi << 32 | lo) - start->tsc;
		*b = exitstats_bucket(c);
	}
	return c;
}

/*
 * KVM is done with the exit: it is about to enter the guest again, or the
 * vCPU is being put (return to user space, preemption, blocking).  The
 * exit is counted in the bucket of its cycles.  With no exit open, the
 * time since the last one ended goes to the idle slot, never reported.
 * @es is one of the vCPU structures of exitstats.h, with @nr_slots slots.
 * A macro, so that each figure is addressed from @es in one instruction.
 * hist[][] is reached as the flat array it is laid out as: b * n + slot
 * indexes hist[0][] beyond its n entries, which bounds checking (UBSAN,
 * on in Debian's 7.x) would report.
 */
#define EXITSTATS_EXIT_CLOSE(es, nr_slots)				\
do {									\
	unsigned long __slot = (es)->open, __b;				\
	u64 __c = exitstats_exit_cycles(&(es)->start, &__b);		\
									\
	exitstats_account(&(es)->cycles[__slot], &(es)->max[__slot],	\
			  (u64 *)(es)->hist +					\
			  exitstats_hist_index(__b, __slot, (nr_slots)),	\
			  __c);						\
	(es)->open = EXITSTATS_SLOT_IDLE;				\
} while (0)

#endif /* EXITSTATS_EXIT_H */
