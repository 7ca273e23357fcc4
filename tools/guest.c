// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats tool, guest side: the table of the VM we run in, read
 * through the CPUID leaves of exitstats.h.  Every CPUID here is itself a
 * CPUID exit that our KVM counts, so the order of the queries is part of
 * the interface (kvm-exitstats.1 documents it):
 *
 *   probe: 0x4FFFFFFD/35, 0x4FFFFFFC/0xFFFFFFFF (the VMX table's: both
 *          undefined there); on Intel that is all, the order is as it
 *          always was.  If either is answered otherwise (our KVM on AMD
 *          answers 35, DR3_READ, with its count, and stops the probe
 *          there), the vendor check adds one CPUID, leaf 0: for
 *          "AuthenticAMD" or "HygonGenuine" the SVM probe follows,
 *          0x4FFFFFFD/0x3FF, 0x4FFFFFFC/0xFFFFFFFE (both undefined in the
 *          SVM table); any other vendor: not our KVM, as before.
 *   read:  for each reason r the ISA's manual defines, ascending (or only
 *          --reason r, --hist r): 0x4FFFFFFD/r, 0x4FFFFFFC/r, and if that
 *          count is not 0, its 32 buckets 0x4FFFFFFB/(r | b << 16), b = 0
 *          .. 31; then 0x4FFFFFFF, 0x4FFFFFFE.  On Intel r walks the SDM's
 *          basic exit reasons 0 .. 81; on AMD the SVM exit codes 0x000 ..
 *          0x0A6, 0x400 .. 0x403, 0xF0000000, 0xFFFFFFFF, where the last
 *          two get no bucket queries: 0x4FFFFFFB takes the code in
 *          ECX[15:0], so their buckets are unknown (no_hist; shown as "-",
 *          JSON null).
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
/* Nor by the APM: reserved, between 0x0A6 and NPF; not -1 (INVALID). */
#define PROBE_SVM_CODE		0x3FFu
#define PROBE_SVM_CODE_WIDE	0xFFFFFFFEu

struct probe {
	u32 leaf, subleaf;
};

static const struct probe probes_vmx[] = {
	{ EXITSTATS_LEAF_REASON_EXITS, PROBE_REASON },
	{ EXITSTATS_LEAF_REASON_CYCLES, PROBE_REASON_WIDE },
};

static const struct probe probes_svm[] = {
	{ EXITSTATS_LEAF_REASON_EXITS, PROBE_SVM_CODE },
	{ EXITSTATS_LEAF_REASON_CYCLES, PROBE_SVM_CODE_WIDE },
};

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
 * Our KVM answers a reason its ISA's manual does not define with exactly
 * 0, 0, 0, 0xFFFFFFFF.  Stock KVM answers these leaves with its highest
 * basic leaf or zeros, bare metal and other hypervisors with whatever they
 * like; none of them gives this pattern for both leaves.  0, or -1 with
 * the first wrong answer in @err.
 */
static int probe(const struct kes_env *env, const struct probe *p, char *err)
{
	struct kes_cpuid_regs r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(probes_vmx); i++) {
		query(env, p[i].leaf, p[i].subleaf, &r);
		if (is_undefined(&r))
			continue;
		snprintf(err, KES_ERRLEN, "not a kvm-exitstats KVM (stock KVM, another hypervisor, bare metal, or kvm.exitstats_cpuid=0): CPUID 0x%08X ECX=%u gave %08x %08x %08x %08x, expected 00000000 00000000 00000000 ffffffff",
			 p[i].leaf, p[i].subleaf, r.eax, r.ebx, r.ecx, r.edx);
		return -1;
	}
	return 0;
}

/* The CPU vendor's SVM: CPUID leaf 0's EBX, EDX, ECX spell its name. */
static bool vendor_is_svm(const struct kes_env *env)
{
	struct kes_cpuid_regs r;
	char v[13];

	query(env, 0, 0, &r);
	memcpy(v, &r.ebx, 4);
	memcpy(v + 4, &r.edx, 4);
	memcpy(v + 8, &r.ecx, 4);
	v[12] = '\0';
	return !strcmp(v, "AuthenticAMD") || !strcmp(v, "HygonGenuine");
}

/*
 * Which table our KVM answers with: the VMX probe, and if that fails on an
 * AMD or Hygon CPU (CPUID leaf 0), the SVM probe.  -1 with the VMX probe's
 * message (the SVM probe's on AMD) if it is not our KVM.
 */
int kes_guest_detect(const struct kes_env *env,
		     const struct exitstats_isa **isa, char *err)
{
	*isa = &exitstats_isa_vmx;
	if (!probe(env, probes_vmx, err))
		return 0;
	if (!vendor_is_svm(env))
		return -1;
	*isa = &exitstats_isa_svm;
	return probe(env, probes_svm, err);
}

int kes_guest_probe(const struct kes_env *env, char *err)
{
	const struct exitstats_isa *isa;

	return kes_guest_detect(env, &isa, err);
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
 * Reason @r's buckets into t->hist[row]: EAX:EBX, ECX = EDX = 0.  Any
 * other answer means the leaf is not ours: no buckets at all (has_hist
 * false).  A code above 0xFFFF has no buckets in the leaf: none asked.
 */
static void read_hist(const struct kes_env *env, u32 r, u32 row,
		      struct kes_table *t)
{
	struct kes_cpuid_regs regs;
	u32 b;

	if (r > EXITSTATS_HIST_REASON_MASK) {
		t->no_hist[row] = true;
		return;
	}
	for (b = 0; b < KES_NR_BUCKETS && t->has_hist; b++) {
		query(env, EXITSTATS_LEAF_REASON_HIST,
		      r | b << EXITSTATS_HIST_BUCKET_SHIFT, &regs);
		if (regs.ecx || regs.edx)
			t->has_hist = false;
		else
			t->hist[row][b] = (u64)regs.ebx << 32 | regs.eax;
	}
}

/*
 * Read every reason @isa's manual defines, or only @reason if it is not
 * negative.
 */
int kes_guest_read_isa(const struct kes_env *env,
		       const struct exitstats_isa *isa, long long reason,
		       struct kes_table *t, char *err)
{
	u32 row, r, b;

	*t = (struct kes_table){ .isa = isa, .has_hist = true };
	for (row = 0; row < kes_nr_rows(isa); row++) {
		if (!kes_row_name(isa, row))
			continue;
		r = isa->reason(row + 1);
		if (reason >= 0 && r != reason)
			continue;
		if (read_leaf(env, EXITSTATS_LEAF_REASON_EXITS, r,
			      &t->count[row], err) ||
		    read_leaf(env, EXITSTATS_LEAF_REASON_CYCLES, r,
			      &t->cycles[row], err))
			return -1;
		if (t->count[row])
			read_hist(env, r, row, t);
	}
	/*
	 * The guest cannot read the buckets of exits without a row: the
	 * total's are the rows', and only when all rows were read, all with
	 * their buckets.
	 */
	if (!t->has_hist)
		memset(t->hist, 0, sizeof(t->hist));
	t->has_total_hist = t->has_hist && reason < 0;
	for (row = 0; row < KES_NR_ROWS; row++)
		if (t->no_hist[row] && t->count[row])
			t->has_total_hist = false;
	for (row = 0; t->has_total_hist && row < KES_NR_ROWS; row++)
		for (b = 0; b < KES_NR_BUCKETS; b++)
			t->total_hist[b] += t->hist[row][b];
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

/* The VMX table: what a KVM on Intel answers. */
int kes_guest_read(const struct kes_env *env, long long reason,
		   struct kes_table *t, char *err)
{
	return kes_guest_read_isa(env, &exitstats_isa_vmx, reason, t, err);
}
