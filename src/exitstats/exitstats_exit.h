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
 * EXITSTATS_EXIT_CLOSE()'s accounting when the TSC's high half has moved
 * since the exit opened (once in 2^32 cycles): an exit of @c cycles, any
 * number, in @slot of the figures at @figs (@nr_slots slots).  The cycles
 * and the maximum in 64 bits, the bucket exitstats_bucket()'s.  Each
 * figure changed by one instruction, as there.
 * Out of line and complete, so that the exit path keeps nothing in a
 * register across the call.
 */
static noinline __cold __maybe_unused
void exitstats_account_long(u64 *figs, unsigned long slot,
			    unsigned long nr_slots, u64 c)
{
	u64 *cycles = figs + EXITSTATS_CYCLES_OFFSET(nr_slots) / 8 + slot;
	u64 *max = figs + EXITSTATS_MAX_OFFSET(nr_slots) / 8 + slot;
	u64 *n = figs + exitstats_bucket(c) * nr_slots + slot;

	asm("addq %[c], %[cycles]" : [cycles] "+m" (*cycles)
	    : [c] "r" (c) : "cc");
	if (c > *max)
		asm("movq %[c], %[max]" : [max] "=m" (*max) : [c] "r" (c));
	asm("addq $1, %[n]" : [n] "+m" (*n) : : "cc");
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
 * KVM is done with the exit: it is about to enter the guest again, or the
 * vCPU is being put (return to user space, preemption, blocking).  The
 * exit is counted in the bucket of its cycles.  With no exit open, the
 * time since the last one ended goes to the idle slot, never reported.
 * When the TSC's high half is the start's (all but one exit in 2^32
 * cycles), the low halves' difference is exact.
 *
 * @es is one of the vCPU structures of exitstats.h, with @nr_slots slots,
 * at offset @off in the vendor's vCPU structure @obj.  The figures are
 * changed by one asm, each by one instruction to memory, so that readers
 * on other CPUs never see them torn (not atomic against other writers,
 * and there are none): the slot's cycles, its maximum, then the bucket,
 * from a BSR in place on the cycles (for 0 BSR sets ZF and leaves its
 * destination alone, as fls64() relies on, so the 0 it holds is bucket
 * 0) and its index in hist[][] (b * n + slot: IMUL, ADD).  Everything is
 * addressed from @obj, which KVM keeps in a register, so that no
 * address costs an instruction of its own.  A macro, for the constant
 * offsets.
 */
#define EXITSTATS_EXIT_CLOSE(obj, es, off, nr_slots)			\
do {									\
	unsigned long __slot = (es)->open, __c, __figs;			\
	u32 __lo, __hi;							\
									\
	exitstats_rdtsc_halves(&__lo, &__hi);				\
	if (__builtin_expect(__hi == (es)->start.hi, 1)) {		\
		__c = (u32)(__lo - (es)->start.lo);			\
		asm("addq %[c], %c[cycles](%[base],%[slot],8)\n\t"	\
		    "cmpq %[c], %c[max](%[base],%[slot],8)\n\t"	\
		    "jae 1f\n\t"					\
		    "movq %[c], %c[max](%[base],%[slot],8)\n"		\
		    "1:\tbsrl %k[c], %k[c]\n\t"			\
		    "imulq %[n], %[c], %[c]\n\t"			\
		    "addq %[slot], %[c]\n\t"				\
		    "addq $1, %c[hist](%[base],%[c],8)"		\
		    : [c] "+r" (__c), "+m" (*(es))			\
		    : [base] "r" (obj), [slot] "r" (__slot),		\
		      [n] "i" (nr_slots),				\
		      [cycles] "i" ((off) +				\
				    EXITSTATS_CYCLES_OFFSET(nr_slots)),	\
		      [max] "i" ((off) + EXITSTATS_MAX_OFFSET(nr_slots)), \
		      [hist] "i" (off)					\
		    : "cc");						\
	} else {							\
		/* The figures' address, worked out here only. */	\
		asm volatile("lea %1, %0" : "=r" (__figs) : "m" (*(es))); \
		exitstats_account_long((u64 *)__figs, __slot, (nr_slots), \
				       ((u64)__hi << 32 | __lo) -	\
				       (es)->start.tsc);		\
	}								\
	(es)->open = EXITSTATS_SLOT_IDLE;				\
} while (0)

#endif /* EXITSTATS_EXIT_H */
