/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-exitstats: per-VM accounting of VM exits, the part independent of
 * kernel version and CPU vendor.
 *
 * This header and exitstats.c are plain C shared by kvm.ko, the vendor
 * modules, the user-space tools and the unit tests; nothing here depends
 * on a kernel version, and nothing on an ISA but what the vendor module
 * registers (struct exitstats_isa; the two ISAs' tables are
 * exitstats_isa.h and exitstats_{vmx,svm}_isa.c).  "Reason" is the VMX
 * basic exit reason or the SVM exit code (VMCB EXITCODE).
 *
 * Guest interface (CPUID, answered in kvm_cpuid()):
 *   0x4FFFFFFF        EAX:EBX = total exits (low:high), ECX = EDX = 0
 *   0x4FFFFFFE        EAX = 0, EBX:ECX = total cycles (high:low), EDX = 0
 *   0x4FFFFFFD, ECX=r EAX:EBX = exits for reason r (low:high), ECX = EDX = 0
 *   0x4FFFFFFC, ECX=r EAX = 0, EBX:ECX = cycles for reason r (high:low), EDX = 0
 *   0x4FFFFFFB, ECX=r|b<<16
 *                     EAX:EBX = finished exits for reason r whose handling
 *                     took cycles c in bucket b (exitstats_bucket()),
 *                     (low:high), ECX = EDX = 0
 *   r not defined by the ISA's manual (the Intel SDM, the AMD APM) or
 *   without a slot (for 0x4FFFFFFB also: ECX[31:21] not zero):
 *                                         EAX = EBX = ECX = 0, EDX = ~0
 *   r defined but not handled by this KVM: EAX = EBX = ECX = EDX = 0
 *
 * The exit counts include the exit still open, the CPUID asking; the
 * cycles and the buckets hold finished exits only, so the 32 buckets of a
 * reason sum to its count less the asking exit.
 */
#ifndef EXITSTATS_H
#define EXITSTATS_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

#define EXITSTATS_LEAF_TOTAL_EXITS	0x4FFFFFFFu
#define EXITSTATS_LEAF_TOTAL_CYCLES	0x4FFFFFFEu
#define EXITSTATS_LEAF_REASON_EXITS	0x4FFFFFFDu
#define EXITSTATS_LEAF_REASON_CYCLES	0x4FFFFFFCu
#define EXITSTATS_LEAF_REASON_HIST	0x4FFFFFFBu
/* Our five leaves: 0x4FFFFFFB .. 0x4FFFFFFF. */
#define EXITSTATS_IS_LEAF(function)	\
	((u32)(function) - EXITSTATS_LEAF_REASON_HIST <= 4u)

/*
 * Latency distributions: bucket b holds the exits that took cycles c with
 * 2^b <= c < 2^(b + 1); bucket 0 also holds c = 0, the last bucket
 * everything from 2^31 up.  Leaf 0x4FFFFFFB takes b in ECX[20:16].
 */
#define EXITSTATS_NR_BUCKETS		32
#define EXITSTATS_HIST_BUCKET_SHIFT	16
#define EXITSTATS_HIST_REASON_MASK	0xFFFFu

static inline u32 exitstats_bucket(u64 cycles)
{
	/* The index of the highest bit set: 0 .. 63. */
	u32 b = 63 - __builtin_clzll(cycles | 1);

	return b < EXITSTATS_NR_BUCKETS - 1 ? b : EXITSTATS_NR_BUCKETS - 1;
}

/*
 * Per-vCPU figures are kept in slots, as each ISA lays them out (struct
 * exitstats_isa): slot 0 absorbs the time between entries when no exit is
 * open (never reported), slots 1 .. nr_slots - 2 are the ISA's exit reasons
 * that have a place, and the last slot counts the exits of every other
 * reason, so that the totals still include every exit.
 */
#define EXITSTATS_SLOT_IDLE	0
/* Pseudo slot for exitstats_gather_fn: all exits, excluding SLOT_IDLE. */
#define EXITSTATS_ALL		(-1)

/*
 * A vCPU's figures, declared by each ISA with its number of slots n
 * (struct exitstats_vcpu for VMX, struct exitstats_svm_vcpu for SVM), always
 * in this layout, which the readers here rely on:
 *	u64 hist[EXITSTATS_NR_BUCKETS][n];
 *	u64 cycles[n];
 *	u64 max[n];
 *	union exitstats_start start;
 *	unsigned long open;
 * For each slot, its finished exits: how many took how long (their count
 * is the sum of the buckets), all their cycles, and the longest.  Written
 * only by the vCPU's own thread when an exit ends, each figure by one
 * untorn store; read by anyone with READ_ONCE() (naturally aligned 64-bit
 * accesses do not tear on x86-64).  start and open are the vCPU's own.
 * hist[] is bucket-major, so that the exit path finds the counter in two
 * instructions (b * n + slot).  A zeroed structure is a valid initial
 * state.
 */
/* TSC at the open exit, whole or in the halves RDTSC gives. */
union exitstats_start {
	u64 tsc;
	struct {
		u32 lo, hi;
	};
};

#define EXITSTATS_CYCLES_OFFSET(n)	(8 * EXITSTATS_NR_BUCKETS * (n))
#define EXITSTATS_MAX_OFFSET(n)		(EXITSTATS_CYCLES_OFFSET(n) + 8 * (n))
#define EXITSTATS_START_OFFSET(n)	(EXITSTATS_MAX_OFFSET(n) + 8 * (n))
#define EXITSTATS_OPEN_OFFSET(n)	(EXITSTATS_START_OFFSET(n) + 8)

/*
 * An ISA's exit reasons, registered by its vendor module: which reasons
 * have a slot, their names, and which reason each slot counts.
 */
struct exitstats_isa {
	const char *name;		/* "VMX", "SVM" */
	u32 nr_slots;			/* idle, the reasons', other */
	/* the reason that reason slot @slot counts */
	u32 (*reason)(u32 slot);
	/*
	 * [nr_slots]: the reason's name in the ISA's manual; NULL where the
	 * manual defines no reason (slot 0, the other slot, holes), whose
	 * exits are reported under "other"
	 */
	const char *const *names;
	/* @reason's slot, or the other slot (nr_slots - 1) if it has none */
	u32 (*slot)(u32 reason);
};

static inline u32 exitstats_slot_other(const struct exitstats_isa *isa)
{
	return isa->nr_slots - 1;
}

/* @reason's name in the ISA's manual, or NULL if it defines none. */
const char *exitstats_name(const struct exitstats_isa *isa, u32 reason);

/* Figures of a slot, a reason or a VM, as readers sum them up. */
struct exitstats_figures {
	u64 count;
	u64 cycles;
	u64 max;
	u64 hist[EXITSTATS_NR_BUCKETS];
};

/*
 * Add the figures of @slot (or EXITSTATS_ALL) of vCPU figures @v, laid out
 * for @isa, to @f.  @self: the vCPU is the one asking, on its own thread,
 * and its open exit (the CPUID asking) is counted too.
 */
void exitstats_accumulate(const struct exitstats_isa *isa, const void *v,
			  int slot, bool self, struct exitstats_figures *f);
/* Add @src to @dst (max: the larger). */
void exitstats_figures_add(struct exitstats_figures *dst,
			   const struct exitstats_figures *src);

/* Sum the figures of every vCPU of a VM for @slot (or EXITSTATS_ALL). */
typedef void (*exitstats_gather_fn)(void *ctx, int slot,
				    struct exitstats_figures *f);

/*
 * The debugfs table: @line is called once per reason the ISA's manual
 * defines, by slot (@line_kind EXITSTATS_LINE_REASON, @reason, @name its
 * name), then once for all other exits (EXITSTATS_LINE_OTHER, @name
 * "other": reasons without a name or a slot) and once for all exits
 * (EXITSTATS_LINE_TOTAL, @name "total": the sum of the lines before it, so
 * one table always adds up; the figure of leaf 0x4FFFFFFF).
 */
#define EXITSTATS_LINE_REASON	0
#define EXITSTATS_LINE_OTHER	(-1)
#define EXITSTATS_LINE_TOTAL	(-2)
typedef void (*exitstats_line_fn)(void *out, int line_kind, u32 reason,
				  const char *name,
				  const struct exitstats_figures *f);
void exitstats_table(const struct exitstats_isa *isa,
		     exitstats_gather_fn gather, void *ctx,
		     exitstats_line_fn line, void *out);

/*
 * Who in the guest gets answers (kvm.exitstats_cpuid): nobody (N), every
 * privilege level (Y, the default), or CPL 0 only (cpl0).  Everybody else
 * gets stock KVM's answer.
 */
enum exitstats_guest_mode {
	EXITSTATS_GUEST_OFF,
	EXITSTATS_GUEST_ON,
	EXITSTATS_GUEST_CPL0,
};

/*
 * Parse a value written to the parameter: "cpl0", or a boolean as
 * kstrtobool() takes it (y/Y/t/T/1/on, n/N/f/F/0/off); one trailing
 * newline allowed.  Returns false, leaving *mode alone, for anything else.
 */
bool exitstats_parse_guest_mode(const char *s, int *mode);
/* The parameter as read back: "N", "Y" or "cpl0". */
const char *exitstats_guest_mode_name(int mode);
/* Whether a CPUID at privilege level @cpl gets our answer in @mode. */
static inline bool exitstats_guest_allowed(int mode, int cpl)
{
	return mode == EXITSTATS_GUEST_ON ||
	       (mode == EXITSTATS_GUEST_CPL0 && cpl == 0);
}

/*
 * Answer leaf @function with subleaf *ecx if it is one of ours, for @isa.
 * @handled has @isa->nr_slots entries, non-zero where this KVM handles the
 * slot's reason.  Returns false, touching nothing, for any other leaf.
 */
bool exitstats_answer(const struct exitstats_isa *isa, u32 function,
		      u32 *eax, u32 *ebx, u32 *ecx, u32 *edx,
		      const u8 *handled, exitstats_gather_fn gather,
		      void *ctx);

/* The ISAs' reasons and per-vCPU figures: VMX and SVM. */
#include "exitstats_isa.h"

#endif /* EXITSTATS_H */
