// SPDX-License-Identifier: GPL-2.0
/*
 * Decoder of AMD's SVM capabilities: CPUID Fn8000_000A, the VM_CR MSR and
 * EFER.SVME.  vmxcap.ko reports these instead of the VMX MSRs on a CPU
 * without VMX whose CPUID reports SVM.
 *
 * Bit names and fields follow the AMD64 Architecture Programmer's Manual,
 * Volume 3, pub. 24594 rev. 3.37 (July 2025), Appendix E.4.9 (CPUID
 * Fn8000_0001_ECX bit 2 SVM; Fn8000_000A EAX SvmRev, EBX NASID, ECX, EDX),
 * and Volume 2, pub. 24593, section 15.30.1 (VM_CR, C001_0114h: DPD,
 * R_INIT, DIS_A20M, LOCK, SVMDIS) and 3.1.7 (EFER.SVME, bit 12).  Every
 * EDX bit that revision names is named here by its APM mnemonic; of ECX
 * only bit 6 (x2AVIC_EXT) is named.  Set bits without a name are reported
 * as "bit N"; nothing is assumed about them.
 *
 * Report format: the one of vmxcap_decode.c (one record per line, first
 * word the key; scripts may rely on it; new keys and fields may be added).
 * The records of an SVM report, in this order:
 *
 *   cpuid 0x80000000 eax=<v>
 *   cpuid 0x80000001 ecx=<v>
 *   cpuid 0x8000000a eax=<v> ebx=<v> ecx=<v> edx=<v>
 *   cpuid 0x8000000a absent
 *	The raw CPUID registers the report is derived from, "0x%08x"; a leaf
 *	above CPUID.80000000H:EAX is not read (80000001H then gets no line,
 *	8000000AH the line "absent").  Leaf 8000000AH is read only with SVM.
 *   msr <addr> <value> <name>
 *	EFER (0xc0000080) and VM_CR (0xc0010114) as in the VMX report: the
 *	raw 64-bit value, or "unreadable" if the read faulted.  Read only
 *	when CPUID reports SVM.
 *   status <word> <text...>
 *	<word> is ok, no_svm, no_vm_cr or svm_disabled.  Nothing else follows
 *	no_svm or no_vm_cr.
 *   svm revision=<hex>		EAX[7:0], SvmRev
 *   svm nasid=<decimal>	EBX, the number of ASIDs
 *   svm eax_other_bits=<hex>	set EAX bits 31:8 (reserved), only if any
 *   vm_cr dpd=<0|1>		bit 0
 *   vm_cr r_init=<0|1>		bit 1
 *   vm_cr dis_a20m=<0|1>	bit 2
 *   vm_cr lock=<0|1>		bit 3
 *   vm_cr svmdis=<0|1>		bit 4
 *   vm_cr other_bits=<hex>	set bits 63:5, only if any
 *   efer svme=<0|1>		bit 12 of EFER on the first CPU
 *   group svm_ecx present cpuid=0x8000000a
 *   group svm_edx present cpuid=0x8000000a
 *   group svm_ecx absent
 *   group svm_edx absent
 *   svm_ecx <bit> yes|no <name>
 *   svm_edx <bit> yes|no <name>
 *	One feature bit of CPUID.8000000AH:ECX/EDX: yes if set.  Named bits
 *	are always listed, the others as "bit <bit>" when set.
 * Written by the module for every online CPU, the first one first:
 *   cpu <n> efer_svme=<0|1|unreadable>
 *   cpu <n> differs cpuid=<leaf>.<reg> value=<v> ref_cpu=<n> ref_value=<v>
 *   cpu <n> differs msr=<addr> value=<v> ref_cpu=<n> ref_value=<v>
 *   cpus checked=<n> differing=<n>
 *	As in the VMX report: a CPU whose raw values differ from the first
 *	online CPU's ("none" for a value not read or unreadable).
 */
#include "svmcap_decode.h"

#define SVMCAP_BIT64(n)		CAP_BIT64(n)

#define EXT1_ECX_SVM		(1u << 2)
#define EFER_SVME		SVMCAP_BIT64(12)
#define VM_CR_SVMDIS		SVMCAP_BIT64(4)
#define VM_CR_FIELDS		0x1fULL		/* bits 4:0 */
#define SVM_EAX_REV		0xffu

const struct vmxcap_msr_desc svmcap_msr_desc[SVMCAP_NR_MSRS] = {
	[SVMCAP_EFER]	= { 0xc0000080, "EFER" },
	[SVMCAP_VM_CR]	= { 0xc0010114, "VM_CR" },
};

/* APM Vol. 3 rev. 3.37, E.4.9, CPUID Fn8000_000A_EDX */
static const char *const svm_edx_names[32] = {
	[0]  = "NP",
	[1]  = "LbrVirt",
	[2]  = "SVML",
	[3]  = "NRIPS",
	[4]  = "TscRateMsr",
	[5]  = "VmcbClean",
	[6]  = "FlushByAsid",
	[7]  = "DecodeAssists",
	[8]  = "PmcVirt",
	[10] = "PauseFilter",
	[12] = "PauseFilterThreshold",
	[13] = "AVIC",
	[15] = "VMSAVEvirt",
	[16] = "VGIF",
	[17] = "GMET",
	[18] = "x2AVIC",
	[19] = "SSSCheck",
	[20] = "SpecCtrl",
	[21] = "ROGPT",
	[23] = "HOST_MCE_OVERRIDE",
	[24] = "TlbiCtl",
	[25] = "VNMI",
	[26] = "IbsVirt",
	[27] = "ExtLvtAvicAccessChg",
	[28] = "NestedVirtVmcbAddrChk",
	[29] = "BusLockThreshold",
	[30] = "IdleHltIntercept",
};

/* APM Vol. 3 rev. 3.37, E.4.9, CPUID Fn8000_000A_ECX */
static const char *const svm_ecx_names[32] = {
	[6] = "x2AVIC_EXT",
};

static const char *const vm_cr_fields[5] = {
	"dpd", "r_init", "dis_a20m", "lock", "svmdis",
};

static const struct cap_status svmcap_st[] = {
	[SVMCAP_OK] = { "ok", "SVM available" },
	[SVMCAP_NO_SVM] = { "no_svm",
		"no SVM: CPUID.80000001H:ECX.SVM[bit 2] is 0 (not an AMD CPU with SVM, or hidden by a hypervisor)" },
	[SVMCAP_NO_VM_CR] = { "no_vm_cr",
		"no SVM: CPUID reports SVM but VM_CR (0xc0010114) cannot be read" },
	[SVMCAP_DISABLED] = { "svm_disabled",
		"SVM disabled: VM_CR (0xc0010114) has SVMDIS[bit 4] set, EFER.SVME cannot be set" },
};

/*
 * Leaf 80000001H exists if 80000000H:EAX is a highest extended leaf: a CPU
 * without extended leaves answers 80000000H with some basic leaf's EAX,
 * outside 80000001H-8000FFFFH.
 */
bool svmcap_leaf_ext1(const struct svmcap_regs *r)
{
	return r->max_ext >= SVMCAP_LEAF_EXT1 &&
	       r->max_ext <= SVMCAP_LEAF_MAX_EXT + 0xffff;
}

bool svmcap_cpuid_svm(const struct svmcap_regs *r)
{
	return svmcap_leaf_ext1(r) && (r->ext1_ecx & EXT1_ECX_SVM);
}

bool svmcap_leaf_svm(const struct svmcap_regs *r)
{
	return svmcap_cpuid_svm(r) && r->max_ext >= SVMCAP_LEAF_SVM;
}

/* EFER and VM_CR: both exist on every CPU whose CPUID reports SVM. */
bool svmcap_msr_exists(const struct svmcap_regs *r, enum svmcap_msr id)
{
	(void)id;
	return svmcap_cpuid_svm(r);
}

static bool have(const struct svmcap_regs *r, enum svmcap_msr id)
{
	return (r->valid & SVMCAP_BIT64(id)) && svmcap_msr_exists(r, id);
}

enum svmcap_status svmcap_status(const struct svmcap_regs *r)
{
	if (!svmcap_cpuid_svm(r))
		return SVMCAP_NO_SVM;
	if (!have(r, SVMCAP_VM_CR))
		return SVMCAP_NO_VM_CR;
	if (r->val[SVMCAP_VM_CR] & VM_CR_SVMDIS)
		return SVMCAP_DISABLED;
	return SVMCAP_OK;
}

const char *svmcap_status_reason(enum svmcap_status st)
{
	return svmcap_st[st].reason;
}

static void emit_raw(const struct svmcap_regs *r, vmxcap_emit_t emit,
		     void *ctx)
{
	struct cap_msrs msrs = CAP_MSRS(svmcap_msr_desc, r);

	cap_emitf(emit, ctx, "cpuid 0x%08x eax=0x%08x", SVMCAP_LEAF_MAX_EXT,
		  r->max_ext);
	if (svmcap_leaf_ext1(r))
		cap_emitf(emit, ctx, "cpuid 0x%08x ecx=0x%08x",
			  SVMCAP_LEAF_EXT1, r->ext1_ecx);
	if (svmcap_leaf_svm(r))
		cap_emitf(emit, ctx,
			  "cpuid 0x%08x eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x",
			  SVMCAP_LEAF_SVM, r->eax, r->ebx, r->ecx, r->edx);
	else if (svmcap_cpuid_svm(r))
		cap_emitf(emit, ctx, "cpuid 0x%08x absent", SVMCAP_LEAF_SVM);
	cap_emit_msrs(&msrs, emit, ctx);
}

static void emit_bits(const char *key, u32 v, const char *const *names,
		      vmxcap_emit_t emit, void *ctx)
{
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		const char *state = (v >> bit) & 1 ? "yes" : "no";

		if (names[bit] || (v >> bit) & 1)
			cap_emit_bit(key, bit, state, names[bit], emit, ctx);
	}
}

static void emit_groups(const struct svmcap_regs *r, vmxcap_emit_t emit,
			void *ctx)
{
	if (!svmcap_leaf_svm(r)) {
		cap_emitf(emit, ctx, "group svm_ecx absent");
		cap_emitf(emit, ctx, "group svm_edx absent");
		return;
	}
	cap_emitf(emit, ctx, "group svm_ecx present cpuid=0x%08x",
		  SVMCAP_LEAF_SVM);
	emit_bits("svm_ecx", r->ecx, svm_ecx_names, emit, ctx);
	cap_emitf(emit, ctx, "group svm_edx present cpuid=0x%08x",
		  SVMCAP_LEAF_SVM);
	emit_bits("svm_edx", r->edx, svm_edx_names, emit, ctx);
}

static void emit_fields(const struct svmcap_regs *r, vmxcap_emit_t emit,
			void *ctx)
{
	u64 vm_cr = r->val[SVMCAP_VM_CR];
	unsigned int i;

	if (svmcap_leaf_svm(r)) {
		cap_emitf(emit, ctx, "svm revision=0x%x", r->eax & SVM_EAX_REV);
		cap_emitf(emit, ctx, "svm nasid=%u", r->ebx);
		if (r->eax & ~SVM_EAX_REV)
			cap_emitf(emit, ctx, "svm eax_other_bits=0x%x",
				  r->eax & ~SVM_EAX_REV);
	}
	if (have(r, SVMCAP_VM_CR)) {
		for (i = 0; i < ARRAY_SIZE(vm_cr_fields); i++)
			cap_emitf(emit, ctx, "vm_cr %s=%u", vm_cr_fields[i],
				  (unsigned int)(vm_cr >> i) & 1);
		if (vm_cr & ~VM_CR_FIELDS)
			cap_emitf(emit, ctx, "vm_cr other_bits=0x%llx",
				  vm_cr & ~VM_CR_FIELDS);
	}
	if (have(r, SVMCAP_EFER))
		cap_emitf(emit, ctx, "efer svme=%d",
			  !!(r->val[SVMCAP_EFER] & EFER_SVME));
}

void svmcap_decode(const struct svmcap_regs *r, vmxcap_emit_t emit,
		   void *ctx)
{
	enum svmcap_status st = svmcap_status(r);

	emit_raw(r, emit, ctx);
	cap_emit_status(&svmcap_st[st], emit, ctx);
	if (st == SVMCAP_NO_SVM || st == SVMCAP_NO_VM_CR)
		return;
	emit_fields(r, emit, ctx);
	emit_groups(r, emit, ctx);
}

/* "cpu <n> efer_svme=": whether this CPU has SVM enabled in EFER. */
void svmcap_emit_cpu(const struct svmcap_regs *r, unsigned int cpu,
		     vmxcap_emit_t emit, void *ctx)
{
	if (have(r, SVMCAP_EFER))
		cap_emitf(emit, ctx, "cpu %u efer_svme=%d", cpu,
			  !!(r->val[SVMCAP_EFER] & EFER_SVME));
	else
		cap_emitf(emit, ctx, "cpu %u efer_svme=unreadable", cpu);
}

static int cmp_cpuid(const char *name, bool in_ref, u32 ref_v, bool in_r,
		     u32 v, unsigned int ref_cpu, unsigned int cpu,
		     vmxcap_emit_t emit, void *ctx)
{
	char a[20], b[20];

	if (in_ref == in_r && (!in_ref || ref_v == v))
		return 0;
	cap_emitf(emit, ctx,
		  "cpu %u differs cpuid=%s value=%s ref_cpu=%u ref_value=%s",
		  cpu, name, cap_fmt_value(a, sizeof(a), in_r, v, 8), ref_cpu,
		  cap_fmt_value(b, sizeof(b), in_ref, ref_v, 8));
	return 1;
}

/* Lines for every raw value in which @r differs from @ref; their number. */
int svmcap_compare(const struct svmcap_regs *ref, unsigned int ref_cpu,
		   const struct svmcap_regs *r, unsigned int cpu,
		   vmxcap_emit_t emit, void *ctx)
{
	bool e1_ref = svmcap_leaf_ext1(ref), e1 = svmcap_leaf_ext1(r);
	bool a_ref = svmcap_leaf_svm(ref), a = svmcap_leaf_svm(r);
	struct cap_msrs ref_msrs = CAP_MSRS(svmcap_msr_desc, ref);
	struct cap_msrs msrs = CAP_MSRS(svmcap_msr_desc, r);
	int n = 0;

	n += cmp_cpuid("0x80000000.eax", true, ref->max_ext, true, r->max_ext,
		       ref_cpu, cpu, emit, ctx);
	n += cmp_cpuid("0x80000001.ecx", e1_ref, ref->ext1_ecx, e1,
		       r->ext1_ecx, ref_cpu, cpu, emit, ctx);
	n += cmp_cpuid("0x8000000a.eax", a_ref, ref->eax, a, r->eax, ref_cpu,
		       cpu, emit, ctx);
	n += cmp_cpuid("0x8000000a.ebx", a_ref, ref->ebx, a, r->ebx, ref_cpu,
		       cpu, emit, ctx);
	n += cmp_cpuid("0x8000000a.ecx", a_ref, ref->ecx, a, r->ecx, ref_cpu,
		       cpu, emit, ctx);
	n += cmp_cpuid("0x8000000a.edx", a_ref, ref->edx, a, r->edx, ref_cpu,
		       cpu, emit, ctx);
	return n + cap_compare_msrs(&ref_msrs, ref_cpu, &msrs, cpu, emit, ctx);
}
