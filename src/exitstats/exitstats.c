// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats: aggregation, the debugfs table and the CPUID answer, for
 * any ISA's table (struct exitstats_isa).  Plain C, built into kvm.ko and
 * into the user-space tools and tests.
 */
#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/nospec.h>
#else
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#ifndef WRITE_ONCE
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)
#endif
/* The kernel's generic mask: ~0UL when index < size, else 0. */
static inline unsigned long array_index_mask_nospec(unsigned long index,
						    unsigned long size)
{
	return ~(long)(index | (size - 1UL - index)) >> (sizeof(long) * 8 - 1);
}

#define array_index_nospec(index, size)					\
	((index) & array_index_mask_nospec((index), (size)))
#endif

#include "exitstats.h"

const char *exitstats_name(const struct exitstats_isa *isa, u32 reason)
{
	u32 slot = isa->slot(reason);

	/* @reason may be guest-controlled. */
	if (slot == EXITSTATS_SLOT_IDLE || slot >= isa->nr_slots)
		return NULL;
	return isa->names[array_index_nospec(slot, isa->nr_slots)];
}

void exitstats_figures_add(struct exitstats_figures *dst,
			   const struct exitstats_figures *src)
{
	int b;

	dst->count += src->count;
	dst->cycles += src->cycles;
	if (src->max > dst->max)
		dst->max = src->max;
	for (b = 0; b < EXITSTATS_NR_BUCKETS; b++)
		dst->hist[b] += src->hist[b];
}

/* The figures at @offset in vCPU figures @v (exitstats.h's layout). */
static const u64 *exitstats_figures_at(const void *v, size_t offset)
{
	return (const u64 *)((const char *)v + offset);
}

/* Add slot @slot of vCPU figures @v, of @n slots, to @f. */
static void exitstats_add_slot(const void *v, u32 n, u32 slot,
			       struct exitstats_figures *f)
{
	const u64 *hist = v;
	u64 c, max;
	u32 b;

	for (b = 0; b < EXITSTATS_NR_BUCKETS; b++) {
		c = READ_ONCE(hist[b * n + slot]);
		f->hist[b] += c;
		f->count += c;
	}
	f->cycles += READ_ONCE(exitstats_figures_at(v, EXITSTATS_CYCLES_OFFSET(n))[slot]);
	max = READ_ONCE(exitstats_figures_at(v, EXITSTATS_MAX_OFFSET(n))[slot]);
	if (max > f->max)
		f->max = max;
}

void exitstats_accumulate(const struct exitstats_isa *isa, const void *v,
			  int slot, bool self, struct exitstats_figures *f)
{
	u32 n = isa->nr_slots, i;
	unsigned long open;

	if (slot != EXITSTATS_ALL) {
		exitstats_add_slot(v, n, slot, f);
	} else {
		for (i = EXITSTATS_SLOT_IDLE + 1; i < n; i++)
			exitstats_add_slot(v, n, i, f);
	}
	/* Only the vCPU's own thread may look at its open exit. */
	if (!self)
		return;
	open = *(const unsigned long *)exitstats_figures_at(v, EXITSTATS_OPEN_OFFSET(n));
	if (open != EXITSTATS_SLOT_IDLE &&
	    (slot == EXITSTATS_ALL || (unsigned long)slot == open))
		f->count++;
}

void exitstats_table(const struct exitstats_isa *isa,
		     exitstats_gather_fn gather, void *ctx,
		     exitstats_line_fn line, void *out)
{
	struct exitstats_figures f, other = { 0 }, total = { 0 };
	u32 slot;

	for (slot = EXITSTATS_SLOT_IDLE + 1; slot < isa->nr_slots; slot++) {
		f = (struct exitstats_figures){ 0 };
		gather(ctx, slot, &f);
		exitstats_figures_add(&total, &f);
		if (isa->names[slot])
			line(out, EXITSTATS_LINE_REASON, isa->reason(slot),
			     isa->names[slot], &f);
		else
			exitstats_figures_add(&other, &f);
	}
	line(out, EXITSTATS_LINE_OTHER, 0, "other", &other);
	line(out, EXITSTATS_LINE_TOTAL, 0, "total", &total);
}

static bool streq_nl(const char *s, const char *word)
{
	while (*word && *s == *word) {
		s++;
		word++;
	}
	return !*word && (!*s || (*s == '\n' && !s[1]));
}

/* Whether @c, not NUL, is one of @set. */
static bool char_in(char c, const char *set)
{
	for (; c && *set; set++)
		if (c == *set)
			return true;
	return false;
}

bool exitstats_parse_guest_mode(const char *s, int *mode)
{
	if (!s)
		return false;
	if (streq_nl(s, "cpl0")) {
		*mode = EXITSTATS_GUEST_CPL0;
		return true;
	}
	/* As kstrtobool(): the first character, or the first two of on/off. */
	if (char_in(s[0], "yYtT1") ||
	    (char_in(s[0], "oO") && char_in(s[1], "nN"))) {
		*mode = EXITSTATS_GUEST_ON;
		return true;
	}
	if (char_in(s[0], "nNfF0") ||
	    (char_in(s[0], "oO") && char_in(s[1], "fF"))) {
		*mode = EXITSTATS_GUEST_OFF;
		return true;
	}
	return false;
}

const char *exitstats_guest_mode_name(int mode)
{
	switch (mode) {
	case EXITSTATS_GUEST_OFF:
		return "N";
	case EXITSTATS_GUEST_CPL0:
		return "cpl0";
	default:
		return "Y";
	}
}

bool exitstats_answer(const struct exitstats_isa *isa, u32 function,
		      u32 *eax, u32 *ebx, u32 *ecx, u32 *edx,
		      const u8 *handled, exitstats_gather_fn gather,
		      void *ctx)
{
	struct exitstats_figures f = { 0 };
	u32 reason = *ecx, bucket = 0;
	int slot = EXITSTATS_ALL;
	u64 val;

	if (!EXITSTATS_IS_LEAF(function))
		return false;

	*eax = *ebx = *ecx = *edx = 0;

	if (function == EXITSTATS_LEAF_REASON_HIST) {
		/* ECX[20:16] is the bucket; ECX[31:21] must be clear. */
		bucket = reason >> EXITSTATS_HIST_BUCKET_SHIFT;
		reason &= EXITSTATS_HIST_REASON_MASK;
		if (bucket >= EXITSTATS_NR_BUCKETS) {
			*edx = 0xFFFFFFFFu;
			return true;
		}
		bucket = array_index_nospec(bucket, EXITSTATS_NR_BUCKETS);
	}
	if (function != EXITSTATS_LEAF_TOTAL_EXITS &&
	    function != EXITSTATS_LEAF_TOTAL_CYCLES) {
		/* ECX is guest-controlled: any 32-bit value is safe here. */
		if (!exitstats_name(isa, reason)) {
			*edx = 0xFFFFFFFFu;
			return true;
		}
		slot = array_index_nospec(isa->slot(reason), isa->nr_slots);
		if (!handled[slot])
			return true;
	}

	gather(ctx, slot, &f);

	switch (function) {
	case EXITSTATS_LEAF_REASON_HIST:
		val = f.hist[bucket];
		break;
	case EXITSTATS_LEAF_TOTAL_EXITS:
	case EXITSTATS_LEAF_REASON_EXITS:
		val = f.count;
		break;
	default:
		*ebx = (u32)(f.cycles >> 32);
		*ecx = (u32)f.cycles;
		return true;
	}
	*eax = (u32)val;
	*ebx = (u32)(val >> 32);
	return true;
}

#ifndef __KERNEL__
/* User space has both ISAs' tables; in the kernel each vendor module has its own. */
#include "exitstats_vmx_isa.c"
#include "exitstats_svm_isa.c"
#endif
