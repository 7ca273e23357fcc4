// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats: exit-reason table, aggregation and the CPUID answer.
 * Plain C, built into kvm.ko and into the user-space tools and tests.
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

/*
 * Basic exit reasons as defined by the Intel 64 and IA-32 Architectures
 * Software Developer's Manual, Vol. 3D, Appendix C "VMX Basic Exit
 * Reasons", order number 325462-092US (June 2026).  Reasons without an
 * entry (35, 38, 42) are not defined.  Names follow KVM's EXIT_REASON_*
 * where KVM has one.
 */
static const char *const reason_names[EXITSTATS_NR_REASONS] = {
	[0]  = "EXCEPTION_NMI",
	[1]  = "EXTERNAL_INTERRUPT",
	[2]  = "TRIPLE_FAULT",
	[3]  = "INIT_SIGNAL",
	[4]  = "SIPI_SIGNAL",
	[5]  = "IO_SMI",
	[6]  = "OTHER_SMI",
	[7]  = "INTERRUPT_WINDOW",
	[8]  = "NMI_WINDOW",
	[9]  = "TASK_SWITCH",
	[10] = "CPUID",
	[11] = "GETSEC",
	[12] = "HLT",
	[13] = "INVD",
	[14] = "INVLPG",
	[15] = "RDPMC",
	[16] = "RDTSC",
	[17] = "RSM",
	[18] = "VMCALL",
	[19] = "VMCLEAR",
	[20] = "VMLAUNCH",
	[21] = "VMPTRLD",
	[22] = "VMPTRST",
	[23] = "VMREAD",
	[24] = "VMRESUME",
	[25] = "VMWRITE",
	[26] = "VMOFF",
	[27] = "VMON",
	[28] = "CR_ACCESS",
	[29] = "DR_ACCESS",
	[30] = "IO_INSTRUCTION",
	[31] = "MSR_READ",
	[32] = "MSR_WRITE",
	[33] = "INVALID_STATE",
	[34] = "MSR_LOAD_FAIL",
	[36] = "MWAIT_INSTRUCTION",
	[37] = "MONITOR_TRAP_FLAG",
	[39] = "MONITOR_INSTRUCTION",
	[40] = "PAUSE_INSTRUCTION",
	[41] = "MCE_DURING_VMENTRY",
	[43] = "TPR_BELOW_THRESHOLD",
	[44] = "APIC_ACCESS",
	[45] = "EOI_INDUCED",
	[46] = "GDTR_IDTR",
	[47] = "LDTR_TR",
	[48] = "EPT_VIOLATION",
	[49] = "EPT_MISCONFIG",
	[50] = "INVEPT",
	[51] = "RDTSCP",
	[52] = "PREEMPTION_TIMER",
	[53] = "INVVPID",
	[54] = "WBINVD",
	[55] = "XSETBV",
	[56] = "APIC_WRITE",
	[57] = "RDRAND",
	[58] = "INVPCID",
	[59] = "VMFUNC",
	[60] = "ENCLS",
	[61] = "RDSEED",
	[62] = "PML_FULL",
	[63] = "XSAVES",
	[64] = "XRSTORS",
	[65] = "PCONFIG",
	[66] = "SPP",
	[67] = "UMWAIT",
	[68] = "TPAUSE",
	[69] = "LOADIWKEY",
	[70] = "ENCLV",
	[71] = "SGX_CONFLICT",
	[72] = "ENQCMD_PASID_FAIL",
	[73] = "ENQCMDS_PASID_FAIL",
	[74] = "BUS_LOCK",
	[75] = "NOTIFY",
	[76] = "SEAMCALL",
	[77] = "TDCALL",
	[78] = "RDMSRLIST",
	[79] = "WRMSRLIST",
	[80] = "URDMSR",
	[81] = "UWRMSR",
};

const char *exitstats_reason_name(u32 reason)
{
	if (reason >= EXITSTATS_NR_REASONS)
		return NULL;
	return reason_names[array_index_nospec(reason, EXITSTATS_NR_REASONS)];
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

static void add_slot(const struct exitstats_vcpu *v, int slot,
		     struct exitstats_figures *f)
{
	u64 n, max;
	int b;

	for (b = 0; b < EXITSTATS_NR_BUCKETS; b++) {
		n = READ_ONCE(v->hist[b][slot]);
		f->hist[b] += n;
		f->count += n;
	}
	f->cycles += READ_ONCE(v->cycles[slot]);
	max = READ_ONCE(v->max[slot]);
	if (max > f->max)
		f->max = max;
}

void exitstats_accumulate(const struct exitstats_vcpu *v, int slot, bool self,
			  struct exitstats_figures *f)
{
	int i;

	if (slot != EXITSTATS_ALL) {
		add_slot(v, slot, f);
	} else {
		for (i = EXITSTATS_SLOT_IDLE + 1; i < EXITSTATS_NR_SLOTS; i++)
			add_slot(v, i, f);
	}
	/* Only the vCPU's own thread may look at its open exit. */
	if (self && v->open != EXITSTATS_SLOT_IDLE &&
	    (slot == EXITSTATS_ALL || (unsigned long)slot == v->open))
		f->count++;
}

void exitstats_table(exitstats_gather_fn gather, void *ctx,
		     exitstats_line_fn line, void *out)
{
	struct exitstats_figures f, other = { 0 }, total = { 0 };
	const char *name;
	u32 reason;

	for (reason = 0; reason < EXITSTATS_NR_REASONS; reason++) {
		f = (struct exitstats_figures){ 0 };
		gather(ctx, exitstats_slot(reason), &f);
		exitstats_figures_add(&total, &f);
		name = exitstats_reason_name(reason);
		if (name)
			line(out, reason, name, &f);
		else
			exitstats_figures_add(&other, &f);
	}
	f = (struct exitstats_figures){ 0 };
	gather(ctx, EXITSTATS_SLOT_OTHER, &f);
	exitstats_figures_add(&other, &f);
	exitstats_figures_add(&total, &f);
	line(out, EXITSTATS_LINE_OTHER, "other", &other);
	line(out, EXITSTATS_LINE_TOTAL, "total", &total);
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

bool exitstats_answer(u32 function, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx,
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
		if (!exitstats_reason_name(reason)) {
			*edx = 0xFFFFFFFFu;
			return true;
		}
		reason = array_index_nospec(reason, EXITSTATS_NR_REASONS);
		if (!handled[reason])
			return true;
		slot = exitstats_slot(reason);
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
