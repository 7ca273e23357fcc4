/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-exitstats: per-VM accounting of VMX exits, version-independent part.
 *
 * This header and exitstats.c are plain C shared by kvm.ko, kvm-intel.ko,
 * the user-space tools and the unit tests; nothing here depends on a kernel
 * version.
 *
 * Guest interface (CPUID, answered in kvm_cpuid()):
 *   0x4FFFFFFF        EAX:EBX = total exits (low:high), ECX = EDX = 0
 *   0x4FFFFFFE        EAX = 0, EBX:ECX = total cycles (high:low), EDX = 0
 *   0x4FFFFFFD, ECX=r EAX:EBX = exits for reason r (low:high), ECX = EDX = 0
 *   0x4FFFFFFC, ECX=r EAX = 0, EBX:ECX = cycles for reason r (high:low), EDX = 0
 *   r not defined by the SDM:             EAX = EBX = ECX = 0, EDX = ~0
 *   r defined but not handled by this KVM: EAX = EBX = ECX = EDX = 0
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
/* Our four leaves: 0x4FFFFFFC .. 0x4FFFFFFF. */
#define EXITSTATS_IS_LEAF(function)	(((function) & ~3u) == 0x4FFFFFFCu)

/* Basic exit reasons 0 .. EXITSTATS_NR_REASONS - 1 have a place in the table. */
#define EXITSTATS_NR_REASONS	82

/*
 * Per-vCPU figures are kept in slots: slot 0 absorbs the time between
 * entries when no exit is open (never reported), slot r + 1 is basic exit
 * reason r, and the last slot counts exits whose reason is beyond the table
 * so that the totals still include every exit.  A zeroed structure is a
 * valid initial state.
 */
#define EXITSTATS_SLOT_IDLE	0
#define EXITSTATS_SLOT_OTHER	(EXITSTATS_NR_REASONS + 1)
#define EXITSTATS_NR_SLOTS	(EXITSTATS_NR_REASONS + 2)
/* Pseudo slot for exitstats_gather_fn: all exits, excluding SLOT_IDLE. */
#define EXITSTATS_ALL		(-1)

/*
 * Written only by the vCPU's own thread on the exit path, the figures with
 * WRITE_ONCE(); read by anyone with READ_ONCE() (naturally aligned 64-bit
 * accesses do not tear on x86-64).  start and open are the vCPU's own.
 * count[] comes first: at offset 0 its index needs no adjusting, one
 * instruction less on every exit.
 */
struct exitstats_vcpu {
	u64 count[EXITSTATS_NR_SLOTS];
	u64 cycles[EXITSTATS_NR_SLOTS];
	u64 start;			/* TSC at the open exit */
	u32 open;			/* slot of the open exit, or SLOT_IDLE */
};

static inline u32 exitstats_slot(u32 basic_reason)
{
	return (basic_reason < EXITSTATS_NR_REASONS ?
		basic_reason : EXITSTATS_NR_REASONS) + 1;
}

/* SDM name of a basic exit reason, or NULL if the SDM does not define it. */
const char *exitstats_reason_name(u32 reason);

/* Add one vCPU's figures for @slot (or EXITSTATS_ALL) to *count, *cycles. */
void exitstats_accumulate(const struct exitstats_vcpu *v, int slot,
			  u64 *count, u64 *cycles);

/* Sum the figures of every vCPU of a VM for @slot (or EXITSTATS_ALL). */
typedef void (*exitstats_gather_fn)(void *ctx, int slot,
				    u64 *count, u64 *cycles);

/*
 * The debugfs table: @line is called once per SDM-defined reason r
 * ascending (@reason = r, @name its SDM name), then once for all other
 * exits (@reason = EXITSTATS_LINE_OTHER, @name "other": reasons the SDM
 * does not define, 82 and above) and once for all exits (@reason =
 * EXITSTATS_LINE_TOTAL, @name "total": the sum of the lines before it, so
 * one table always adds up; the figure of leaf 0x4FFFFFFF).
 */
#define EXITSTATS_LINE_OTHER	(-1)
#define EXITSTATS_LINE_TOTAL	(-2)
typedef void (*exitstats_line_fn)(void *out, int reason, const char *name,
				  u64 count, u64 cycles);
void exitstats_table(exitstats_gather_fn gather, void *ctx,
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
 * Answer leaf @function with subleaf *ecx if it is one of ours.  @handled
 * has EXITSTATS_NR_REASONS entries, non-zero where this KVM handles the
 * reason.  Returns false, touching nothing, for any other leaf.
 */
bool exitstats_answer(u32 function, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx,
		      const u8 *handled, exitstats_gather_fn gather,
		      void *ctx);

#endif /* EXITSTATS_H */
