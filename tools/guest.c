// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats tool, guest side: the table of the VM we run in, read
 * through the CPUID leaves of exitstats.h.  Every CPUID here is itself a
 * CPUID exit that our KVM counts, so the order of the queries is part of
 * the interface (kvm-exitstats.1 documents it):
 *
 *   probe: 0x4FFFFFFD/35, 0x4FFFFFFC/0xFFFFFFFF
 *   read:  for each SDM-defined reason r ascending (or only --reason r,
 *          --hist r): 0x4FFFFFFD/r, 0x4FFFFFFC/r, and if that count is not
 *          0, its 32 buckets 0x4FFFFFFB/(r | b << 16), b = 0 .. 31;
 *          then 0x4FFFFFFF, 0x4FFFFFFE
 *
 * The totals come last so that they include every exit the rows and the
 * buckets count.  A KVM that does not answer 0x4FFFFFFB our way (an older
 * kvm-exitstats) gets no more bucket queries: no latency figures then.
 */
#include <string.h>

#include "kes.h"

#define UNDEFINED_EDX		0xFFFFFFFFu
/* Not defined by the SDM: a stock KVM has no reason to answer it our way. */
#define PROBE_REASON		35
#define PROBE_REASON_WIDE	0xFFFFFFFFu

static void query(const struct kes_env *env, u32 leaf, u32 subleaf,
		  struct kes_cpuid_regs *r)
{
	*r = (struct kes_cpuid_regs){ 0 };
	env->cpuid(env->cpuid_ctx, leaf, subleaf, r);
}

static bool is_undefined(const struct kes_cpuid_regs *r)
{
	return !r->eax && !r->ebx && !r->ecx && r->edx == UNDEFINED_EDX;
}

/*
 * Our KVM answers a reason the SDM does not define with exactly
 * 0, 0, 0, 0xFFFFFFFF.  Stock KVM answers these leaves with its highest
 * basic leaf or zeros, bare metal and other hypervisors with whatever they
 * like; none of them gives this pattern for both leaves.
 */
int kes_guest_probe(const struct kes_env *env, char *err)
{
	static const struct {
		u32 leaf, subleaf;
	} probes[] = {
		{ EXITSTATS_LEAF_REASON_EXITS, PROBE_REASON },
		{ EXITSTATS_LEAF_REASON_CYCLES, PROBE_REASON_WIDE },
	};
	struct kes_cpuid_regs r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		query(env, probes[i].leaf, probes[i].subleaf, &r);
		if (is_undefined(&r))
			continue;
		snprintf(err, KES_ERRLEN, "not a kvm-exitstats KVM (stock KVM, another hypervisor, bare metal, or kvm.exitstats_cpuid=0): CPUID 0x%08X ECX=%u gave %08x %08x %08x %08x, expected 00000000 00000000 00000000 ffffffff",
			 probes[i].leaf, probes[i].subleaf,
			 r.eax, r.ebx, r.ecx, r.edx);
		return -1;
	}
	return 0;
}

/*
 * One 64-bit figure.  Exit leaves answer EAX:EBX (low:high) with ECX = EDX
 * = 0, cycle leaves EBX:ECX (high:low) with EAX = EDX = 0.  A reason our
 * KVM's table does not define (an older SDM revision) reads as zero.
 */
static int read_leaf(const struct kes_env *env, u32 leaf, u32 subleaf,
		     u64 *val, char *err)
{
	bool exits = leaf == EXITSTATS_LEAF_TOTAL_EXITS ||
		     leaf == EXITSTATS_LEAF_REASON_EXITS;
	bool per_reason = leaf == EXITSTATS_LEAF_REASON_EXITS ||
			  leaf == EXITSTATS_LEAF_REASON_CYCLES;
	struct kes_cpuid_regs r;

	query(env, leaf, subleaf, &r);
	if (per_reason && is_undefined(&r)) {
		*val = 0;
		return 0;
	}
	if (exits && !r.ecx && !r.edx) {
		*val = (u64)r.ebx << 32 | r.eax;
		return 0;
	}
	if (!exits && !r.eax && !r.edx) {
		*val = (u64)r.ebx << 32 | r.ecx;
		return 0;
	}
	snprintf(err, KES_ERRLEN, "unexpected answer to CPUID 0x%08X ECX=%u: %08x %08x %08x %08x",
		 leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
	return -1;
}

/*
 * Reason @r's buckets into t->hist[r]: EAX:EBX, ECX = EDX = 0.  Any other
 * answer means the leaf is not ours: no buckets at all (has_hist false).
 */
static void read_hist(const struct kes_env *env, u32 r, struct kes_table *t)
{
	struct kes_cpuid_regs regs;
	u32 b;

	for (b = 0; b < KES_NR_BUCKETS && t->has_hist; b++) {
		query(env, EXITSTATS_LEAF_REASON_HIST,
		      r | b << EXITSTATS_HIST_BUCKET_SHIFT, &regs);
		if (regs.ecx || regs.edx)
			t->has_hist = false;
		else
			t->hist[r][b] = (u64)regs.ebx << 32 | regs.eax;
	}
}

/* Read every SDM-defined reason, or only @reason if it is not negative. */
int kes_guest_read(const struct kes_env *env, int reason,
		   struct kes_table *t, char *err)
{
	u32 r, b;

	*t = (struct kes_table){ .has_hist = true };
	for (r = 0; r < EXITSTATS_NR_REASONS; r++) {
		if (!exitstats_reason_name(r))
			continue;
		if (reason >= 0 && r != (u32)reason)
			continue;
		if (read_leaf(env, EXITSTATS_LEAF_REASON_EXITS, r,
			      &t->count[r], err) ||
		    read_leaf(env, EXITSTATS_LEAF_REASON_CYCLES, r,
			      &t->cycles[r], err))
			return -1;
		if (t->count[r])
			read_hist(env, r, t);
	}
	/*
	 * The guest cannot read the buckets of exits without a row: the
	 * total's are the rows', and only when all rows were read.
	 */
	if (!t->has_hist)
		memset(t->hist, 0, sizeof(t->hist));
	t->has_total_hist = t->has_hist && reason < 0;
	for (r = 0; t->has_total_hist && r < EXITSTATS_NR_REASONS; r++)
		for (b = 0; b < KES_NR_BUCKETS; b++)
			t->total_hist[b] += t->hist[r][b];
	if (read_leaf(env, EXITSTATS_LEAF_TOTAL_EXITS, 0, &t->total_count, err) ||
	    read_leaf(env, EXITSTATS_LEAF_TOTAL_CYCLES, 0, &t->total_cycles, err))
		return -1;
	/* Our KVM counts the exit that asks: zero means someone else answered. */
	if (!t->total_count) {
		snprintf(err, KES_ERRLEN, "not a kvm-exitstats KVM: CPUID 0x%08X reports no exits, not even its own",
			 EXITSTATS_LEAF_TOTAL_EXITS);
		return -1;
	}
	return 0;
}
