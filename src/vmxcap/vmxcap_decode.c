// SPDX-License-Identifier: GPL-2.0
/*
 * Table-driven decoder of the VMX capability MSRs.
 *
 * Bit names and field layouts follow the Intel 64 and IA-32 Architectures
 * Software Developer's Manual, combined volumes, order number 325462-092US
 * (June 2026), Volume 3C: Chapter 27 (VM-execution, VM-exit and VM-entry
 * control tables 27-5, 27-6, 27-7, 27-8, 27-10, 27-14, 27-15, 27-17) and
 * Appendix A (VMX capability reporting: A.1 BASIC, A.3-A.5 controls,
 * A.6 MISC, A.7/A.8 CR0/CR4 fixed bits, A.9 VMCS_ENUM, A.10 EPT/VPID,
 * A.11 VMFUNC); CR0/CR4 bit names from Volume 3A section 2.5.  Every bit
 * that revision names is named here; allowed bits it does not name are
 * reported as "bit N".
 *
 * Report format.  One record per line, printable ASCII, words separated by
 * one space; the first word says how to read the rest.  Scripts may rely on
 * it; new keys and fields may be added, existing ones keep their meaning.
 *
 *   msr <addr> <value> <name>
 *	One line per MSR a read was attempted for (the reader only tries the
 *	MSRs the SDM says exist, see vmxcap_msr_exists()), in the order of
 *	enum vmxcap_msr.  <addr> is "0x%03x", <value> is the raw 64-bit value
 *	as "0x%016llx", or "unreadable" if the read faulted.
 *   status <word> <text...>
 *	<word> is ok, no_vmx, no_basic or locked_off; <text> is for people.
 *	Nothing else follows no_vmx or no_basic.
 *   <key> <field>=<value>
 *	One decoded field of an MSR (keys feature_control, basic, misc,
 *	vmcs_enum, eptvpid, and a group key for true_allowed1_mismatch).
 *	<value> is decimal, 0x-prefixed hex, or a lower-case word.
 *	"<key> other_bits=0x..." lists set bits no field covers.
 *   group <group> present msr=<addr> [true=<addr>|true=unreadable|fixed1=<addr>]
 *   group <group> absent
 *   group <group> unreadable msr=<addr>
 *	Opens the bit lines of a group, or says the SDM reports that its MSR
 *	does not exist here (e.g. proc2 when primary bit 31 cannot be set).
 *   <group> <bit> <state> <name...>
 *	One bit: <bit> is decimal, <name> the SDM name or "bit <bit>".
 *   cpu <n> differs msr=<addr> value=<v> ref_cpu=<n> ref_value=<v>
 *   cpu <n> differs cpuid_vmx=<0|1> ref_cpu=<n> ref_cpuid_vmx=<0|1>
 *   cpus checked=<n> differing=<n>
 *	Written by the module after comparing every online CPU with the first.
 *
 * Groups and states:
 *   pin proc proc2 exit entry: allowed-0 settings in bits 31:0 (a set bit
 *	must be 1), allowed-1 settings in bits 63:32 (a set bit may be 1).
 *	yes       can be set and cleared
 *	no        cannot be set
 *	forced    cannot be cleared
 *	default1  the plain MSR says it must be 1; the TRUE MSR (BASIC bit 55)
 *	          says it can be cleared, so it is settable and clearable
 *	invalid   must be 1 and may not be 1 (a broken MSR)
 *   proc3 exit2 vmfunc eptvpid: 64-bit allowed-1 or capability bits: yes, no.
 *   cr0 cr4: FIXED0 (must be 1) and FIXED1 (may be 1) in VMX operation:
 *	yes (either), no (must be 0), forced (must be 1); unnamed bits are
 *	listed only when forced.
 * Named bits are always listed; unnamed bits when they can (or must) be 1.
 */
#include "vmxcap_decode.h"

#define VMXCAP_NONE		VMXCAP_NR_MSRS

#define BIT64(n)		CAP_BIT64(n)
/* Allowed-1 half of a 32/32 control capability MSR. */
#define ALLOWED1(n)		BIT64((n) + 32)

#define FC_LOCK			BIT64(0)
#define FC_VMX_OUTSIDE_SMX	BIT64(2)
#define BASIC_TRUE_CTLS		BIT64(55)
#define PROC_TERTIARY		ALLOWED1(17)
#define PROC_SECONDARY		ALLOWED1(31)
#define PROC2_EPT		ALLOWED1(1)
#define PROC2_VPID		ALLOWED1(5)
#define PROC2_VMFUNC		ALLOWED1(13)
#define EXIT_SECONDARY		ALLOWED1(31)
#define EPT_HLAT_PREFIX		(0x3fULL << 48)

const struct vmxcap_msr_desc vmxcap_msr_desc[VMXCAP_NR_MSRS] = {
	[VMXCAP_FEATURE_CONTROL] = { 0x03a, "IA32_FEATURE_CONTROL" },
	[VMXCAP_BASIC]		 = { 0x480, "IA32_VMX_BASIC" },
	[VMXCAP_PINBASED]	 = { 0x481, "IA32_VMX_PINBASED_CTLS" },
	[VMXCAP_PROCBASED]	 = { 0x482, "IA32_VMX_PROCBASED_CTLS" },
	[VMXCAP_EXIT]		 = { 0x483, "IA32_VMX_EXIT_CTLS" },
	[VMXCAP_ENTRY]		 = { 0x484, "IA32_VMX_ENTRY_CTLS" },
	[VMXCAP_MISC]		 = { 0x485, "IA32_VMX_MISC" },
	[VMXCAP_CR0_FIXED0]	 = { 0x486, "IA32_VMX_CR0_FIXED0" },
	[VMXCAP_CR0_FIXED1]	 = { 0x487, "IA32_VMX_CR0_FIXED1" },
	[VMXCAP_CR4_FIXED0]	 = { 0x488, "IA32_VMX_CR4_FIXED0" },
	[VMXCAP_CR4_FIXED1]	 = { 0x489, "IA32_VMX_CR4_FIXED1" },
	[VMXCAP_VMCS_ENUM]	 = { 0x48a, "IA32_VMX_VMCS_ENUM" },
	[VMXCAP_PROCBASED2]	 = { 0x48b, "IA32_VMX_PROCBASED_CTLS2" },
	[VMXCAP_EPT_VPID_CAP]	 = { 0x48c, "IA32_VMX_EPT_VPID_CAP" },
	[VMXCAP_TRUE_PINBASED]	 = { 0x48d, "IA32_VMX_TRUE_PINBASED_CTLS" },
	[VMXCAP_TRUE_PROCBASED]	 = { 0x48e, "IA32_VMX_TRUE_PROCBASED_CTLS" },
	[VMXCAP_TRUE_EXIT]	 = { 0x48f, "IA32_VMX_TRUE_EXIT_CTLS" },
	[VMXCAP_TRUE_ENTRY]	 = { 0x490, "IA32_VMX_TRUE_ENTRY_CTLS" },
	[VMXCAP_VMFUNC]		 = { 0x491, "IA32_VMX_VMFUNC" },
	[VMXCAP_PROCBASED3]	 = { 0x492, "IA32_VMX_PROCBASED_CTLS3" },
	[VMXCAP_EXIT2]		 = { 0x493, "IA32_VMX_EXIT_CTLS2" },
};

/*
 * Appendix A: an MSR exists only if some bit of another MSR says so.  An
 * entry with mask 0 exists whenever CPUID reports VMX.
 */
static const struct {
	enum vmxcap_msr msr;
	u64 mask;
} vmxcap_enumerated_by[VMXCAP_NR_MSRS] = {
	[VMXCAP_PROCBASED2]	= { VMXCAP_PROCBASED, PROC_SECONDARY },
	[VMXCAP_EPT_VPID_CAP]	= { VMXCAP_PROCBASED2, PROC2_EPT | PROC2_VPID },
	[VMXCAP_TRUE_PINBASED]	= { VMXCAP_BASIC, BASIC_TRUE_CTLS },
	[VMXCAP_TRUE_PROCBASED]	= { VMXCAP_BASIC, BASIC_TRUE_CTLS },
	[VMXCAP_TRUE_EXIT]	= { VMXCAP_BASIC, BASIC_TRUE_CTLS },
	[VMXCAP_TRUE_ENTRY]	= { VMXCAP_BASIC, BASIC_TRUE_CTLS },
	[VMXCAP_VMFUNC]		= { VMXCAP_PROCBASED2, PROC2_VMFUNC },
	[VMXCAP_PROCBASED3]	= { VMXCAP_PROCBASED, PROC_TERTIARY },
	[VMXCAP_EXIT2]		= { VMXCAP_EXIT, EXIT_SECONDARY },
};

/* Table 27-5 */
static const char *const pin_names[32] = {
	[0] = "External-interrupt exiting",
	[3] = "NMI exiting",
	[5] = "Virtual NMIs",
	[6] = "Activate VMX-preemption timer",
	[7] = "Process posted interrupts",
};

/* Table 27-6 */
static const char *const proc_names[32] = {
	[2]  = "Interrupt-window exiting",
	[3]  = "Use TSC offsetting",
	[7]  = "HLT exiting",
	[9]  = "INVLPG exiting",
	[10] = "MWAIT exiting",
	[11] = "RDPMC exiting",
	[12] = "RDTSC exiting",
	[15] = "CR3-load exiting",
	[16] = "CR3-store exiting",
	[17] = "Activate tertiary controls",
	[19] = "CR8-load exiting",
	[20] = "CR8-store exiting",
	[21] = "Use TPR shadow",
	[22] = "NMI-window exiting",
	[23] = "MOV-DR exiting",
	[24] = "Unconditional I/O exiting",
	[25] = "Use I/O bitmaps",
	[27] = "Monitor trap flag",
	[28] = "Use MSR bitmaps",
	[29] = "MONITOR exiting",
	[30] = "PAUSE exiting",
	[31] = "Activate secondary controls",
};

/* Table 27-7; bit 28 is named by earlier revisions (SGX oversubscription) */
static const char *const proc2_names[32] = {
	[0]  = "Virtualize APIC accesses",
	[1]  = "Enable EPT",
	[2]  = "Descriptor-table exiting",
	[3]  = "Enable RDTSCP",
	[4]  = "Virtualize x2APIC mode",
	[5]  = "Enable VPID",
	[6]  = "WBINVD exiting",
	[7]  = "Unrestricted guest",
	[8]  = "APIC-register virtualization",
	[9]  = "Virtual-interrupt delivery",
	[10] = "PAUSE-loop exiting",
	[11] = "RDRAND exiting",
	[12] = "Enable INVPCID",
	[13] = "Enable VM functions",
	[14] = "VMCS shadowing",
	[15] = "Enable ENCLS exiting",
	[16] = "RDSEED exiting",
	[17] = "Enable PML",
	[18] = "EPT-violation #VE",
	[19] = "Conceal VMX from PT",
	[20] = "Enable XSAVES/XRSTORS",
	[21] = "PASID translation",
	[22] = "Mode-based execute control for EPT",
	[23] = "Sub-page write permissions for EPT",
	[24] = "Intel PT uses guest physical addresses",
	[25] = "Use TSC scaling",
	[26] = "Enable user wait and pause",
	[27] = "Enable PCONFIG",
	[28] = "Enable ENCLV exiting",
	[30] = "VMM bus-lock detection",
	[31] = "Instruction timeout",
};

/* Table 27-8 */
static const char *const proc3_names[64] = {
	[0]  = "LOADIWKEY exiting",
	[1]  = "Enable HLAT",
	[2]  = "EPT paging-write control",
	[3]  = "Guest-paging verification",
	[4]  = "IPI virtualization",
	[5]  = "SEAM guest-physical address width",
	[6]  = "Enable MSR-list instructions",
	[7]  = "Virtualize IA32_SPEC_CTRL",
	[8]  = "APIC-timer virtualization",
	[9]  = "Enable PBNDKB",
	[12] = "PEBS uses guest physical addresses",
};

/* Table 27-14 */
static const char *const exit_names[32] = {
	[2]  = "Save debug controls",
	[9]  = "Host address-space size",
	[12] = "Load IA32_PERF_GLOBAL_CTRL",
	[15] = "Acknowledge interrupt on exit",
	[18] = "Save IA32_PAT",
	[19] = "Load IA32_PAT",
	[20] = "Save IA32_EFER",
	[21] = "Load IA32_EFER",
	[22] = "Save VMX-preemption timer value",
	[23] = "Clear IA32_BNDCFGS",
	[24] = "Conceal VMX from PT",
	[25] = "Clear IA32_RTIT_CTL",
	[26] = "Clear IA32_LBR_CTL",
	[27] = "Clear UINV",
	[28] = "Load CET state",
	[29] = "Load PKRS",
	[30] = "Save IA32_PERF_GLOBAL_CTL",
	[31] = "Activate secondary controls",
};

/* Table 27-15 */
static const char *const exit2_names[64] = {
	[0] = "Save FRED",
	[1] = "Load FRED",
	[2] = "Load IA32_SPEC_CTRL",
	[3] = "Prematurely busy shadow stack",
};

/* Table 27-17 */
static const char *const entry_names[32] = {
	[2]  = "Load debug controls",
	[9]  = "IA-32e mode guest",
	[10] = "Entry to SMM",
	[11] = "Deactivate dual-monitor treatment",
	[13] = "Load IA32_PERF_GLOBAL_CTRL",
	[14] = "Load IA32_PAT",
	[15] = "Load IA32_EFER",
	[16] = "Load IA32_BNDCFGS",
	[17] = "Conceal VMX from PT",
	[18] = "Load IA32_RTIT_CTL",
	[19] = "Load UINV",
	[20] = "Load CET state",
	[21] = "Load guest IA32_LBR_CTL",
	[22] = "Load PKRS",
	[23] = "Load FRED",
	[24] = "Load IA32_SPEC_CTRL",
	[25] = "Allow SEAM-guest telemetry",
};

/* Volume 3A, 2.5 */
static const char *const cr0_names[64] = {
	[0] = "PE", [1] = "MP", [2] = "EM", [3] = "TS", [4] = "ET", [5] = "NE",
	[16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD", [31] = "PG",
};

static const char *const cr4_names[64] = {
	[0] = "VME", [1] = "PVI", [2] = "TSD", [3] = "DE", [4] = "PSE",
	[5] = "PAE", [6] = "MCE", [7] = "PGE", [8] = "PCE", [9] = "OSFXSR",
	[10] = "OSXMMEXCPT", [11] = "UMIP", [12] = "LA57", [13] = "VMXE",
	[14] = "SMXE", [16] = "FSGSBASE", [17] = "PCIDE", [18] = "OSXSAVE",
	[19] = "KL", [20] = "SMEP", [21] = "SMAP", [22] = "PKE", [23] = "CET",
	[24] = "PKS", [25] = "UINTR", [27] = "LASS", [28] = "LAM_SUP",
	[32] = "FRED",
};

/* A.10 */
static const char *const eptvpid_names[64] = {
	[0]  = "Execute-only EPT translations",
	[6]  = "Page-walk length 4",
	[7]  = "Page-walk length 5",
	[8]  = "EPT paging structures UC",
	[14] = "EPT paging structures WB",
	[16] = "EPT 2-Mbyte pages",
	[17] = "EPT 1-Gbyte pages",
	[20] = "INVEPT",
	[21] = "EPT accessed and dirty flags",
	[22] = "Advanced VM-exit information for EPT violations",
	[23] = "Supervisor shadow-stack control",
	[25] = "INVEPT single-context",
	[26] = "INVEPT all-context",
	[32] = "INVVPID",
	[40] = "INVVPID individual-address",
	[41] = "INVVPID single-context",
	[42] = "INVVPID all-context",
	[43] = "INVVPID single-context-retaining-globals",
};

/* Table 27-10 */
static const char *const vmfunc_names[64] = {
	[0] = "EPTP switching",
};

enum vmxcap_kind {
	VMXCAP_CTLS,		/* allowed-0 in 31:0, allowed-1 in 63:32 */
	VMXCAP_ALLOWED1,	/* 64-bit allowed-1 or capability bits */
	VMXCAP_FIXED,		/* FIXED0/FIXED1 pair */
};

struct vmxcap_group {
	const char *key;
	enum vmxcap_kind kind;
	enum vmxcap_msr msr;
	enum vmxcap_msr msr2;	/* CTLS: TRUE MSR; FIXED: FIXED1 */
	const char *const *names;
	unsigned int nbits;
	u64 fields;		/* bits reported as fields instead */
};

#define GROUP(k, t, m, m2, n) \
	{ .key = k, .kind = t, .msr = m, .msr2 = m2, .names = n, \
	  .nbits = ARRAY_SIZE(n) }

static const struct vmxcap_group vmxcap_groups[] = {
	GROUP("pin", VMXCAP_CTLS, VMXCAP_PINBASED, VMXCAP_TRUE_PINBASED,
	      pin_names),
	GROUP("proc", VMXCAP_CTLS, VMXCAP_PROCBASED, VMXCAP_TRUE_PROCBASED,
	      proc_names),
	GROUP("proc2", VMXCAP_CTLS, VMXCAP_PROCBASED2, VMXCAP_NONE,
	      proc2_names),
	GROUP("proc3", VMXCAP_ALLOWED1, VMXCAP_PROCBASED3, VMXCAP_NONE,
	      proc3_names),
	GROUP("exit", VMXCAP_CTLS, VMXCAP_EXIT, VMXCAP_TRUE_EXIT, exit_names),
	GROUP("exit2", VMXCAP_ALLOWED1, VMXCAP_EXIT2, VMXCAP_NONE,
	      exit2_names),
	GROUP("entry", VMXCAP_CTLS, VMXCAP_ENTRY, VMXCAP_TRUE_ENTRY,
	      entry_names),
	GROUP("cr0", VMXCAP_FIXED, VMXCAP_CR0_FIXED0, VMXCAP_CR0_FIXED1,
	      cr0_names),
	GROUP("cr4", VMXCAP_FIXED, VMXCAP_CR4_FIXED0, VMXCAP_CR4_FIXED1,
	      cr4_names),
	{ .key = "eptvpid", .kind = VMXCAP_ALLOWED1,
	  .msr = VMXCAP_EPT_VPID_CAP, .msr2 = VMXCAP_NONE,
	  .names = eptvpid_names, .nbits = ARRAY_SIZE(eptvpid_names),
	  .fields = EPT_HLAT_PREFIX },
	GROUP("vmfunc", VMXCAP_ALLOWED1, VMXCAP_VMFUNC, VMXCAP_NONE,
	      vmfunc_names),
};

enum vmxcap_fmt { FMT_DEC, FMT_HEX, FMT_MEMTYPE, FMT_MSR_LIST };

struct vmxcap_field {
	const char *key;
	const char *name;
	enum vmxcap_msr msr;
	unsigned char hi, lo;
	enum vmxcap_fmt fmt;
};

/* Fields of one MSR are adjacent; "<key> other_bits" follows the last. */
static const struct vmxcap_field vmxcap_fields[] = {
	{ "feature_control", "lock", VMXCAP_FEATURE_CONTROL, 0, 0, FMT_DEC },
	{ "feature_control", "vmx_in_smx", VMXCAP_FEATURE_CONTROL, 1, 1, FMT_DEC },
	{ "feature_control", "vmx_outside_smx", VMXCAP_FEATURE_CONTROL, 2, 2, FMT_DEC },
	{ "basic", "revision", VMXCAP_BASIC, 30, 0, FMT_HEX },
	{ "basic", "vmcs_size", VMXCAP_BASIC, 44, 32, FMT_DEC },
	{ "basic", "phys_addr_32bit", VMXCAP_BASIC, 48, 48, FMT_DEC },
	{ "basic", "dual_monitor_smm", VMXCAP_BASIC, 49, 49, FMT_DEC },
	{ "basic", "vmcs_memtype", VMXCAP_BASIC, 53, 50, FMT_MEMTYPE },
	{ "basic", "ins_outs_info", VMXCAP_BASIC, 54, 54, FMT_DEC },
	{ "basic", "true_ctls", VMXCAP_BASIC, 55, 55, FMT_DEC },
	{ "basic", "hw_exception_any_errcode", VMXCAP_BASIC, 56, 56, FMT_DEC },
	{ "basic", "nested_exception", VMXCAP_BASIC, 58, 58, FMT_DEC },
	{ "misc", "preemption_timer_shift", VMXCAP_MISC, 4, 0, FMT_DEC },
	{ "misc", "store_efer_lma", VMXCAP_MISC, 5, 5, FMT_DEC },
	{ "misc", "activity_hlt", VMXCAP_MISC, 6, 6, FMT_DEC },
	{ "misc", "activity_shutdown", VMXCAP_MISC, 7, 7, FMT_DEC },
	{ "misc", "activity_wait_for_sipi", VMXCAP_MISC, 8, 8, FMT_DEC },
	{ "misc", "pt_in_vmx", VMXCAP_MISC, 14, 14, FMT_DEC },
	{ "misc", "rdmsr_smbase_in_smm", VMXCAP_MISC, 15, 15, FMT_DEC },
	{ "misc", "cr3_targets", VMXCAP_MISC, 24, 16, FMT_DEC },
	{ "misc", "max_msr_list", VMXCAP_MISC, 27, 25, FMT_MSR_LIST },
	{ "misc", "smm_monitor_block_smi", VMXCAP_MISC, 28, 28, FMT_DEC },
	{ "misc", "vmwrite_any_field", VMXCAP_MISC, 29, 29, FMT_DEC },
	{ "misc", "inject_zero_length", VMXCAP_MISC, 30, 30, FMT_DEC },
	{ "misc", "mseg_revision", VMXCAP_MISC, 63, 32, FMT_HEX },
	{ "vmcs_enum", "max_index", VMXCAP_VMCS_ENUM, 9, 1, FMT_HEX },
	{ "eptvpid", "hlat_prefix_size", VMXCAP_EPT_VPID_CAP, 53, 48, FMT_DEC },
};

/* MSRs decoded only as fields: set bits outside them are "other_bits" */
static const bool vmxcap_fields_only[VMXCAP_NR_MSRS] = {
	[VMXCAP_FEATURE_CONTROL] = true,
	[VMXCAP_BASIC] = true,
	[VMXCAP_MISC] = true,
	[VMXCAP_VMCS_ENUM] = true,
};

static const struct cap_status vmxcap_st[] = {
	[VMXCAP_OK] = { "ok", "VMX available" },
	[VMXCAP_NO_VMX] = { "no_vmx",
		"no VMX: CPUID.01H:ECX.VMX[bit 5] is 0 (not an Intel CPU with VMX, or hidden by a hypervisor)" },
	[VMXCAP_NO_BASIC] = { "no_basic",
		"no VMX: CPUID reports VMX but IA32_VMX_BASIC (0x480) cannot be read" },
	[VMXCAP_LOCKED_OFF] = { "locked_off",
		"VMX disabled by firmware: IA32_FEATURE_CONTROL (0x3a) is locked with VMX outside SMX off" },
};

static u64 bits(u64 v, unsigned int hi, unsigned int lo)
{
	u64 mask = hi - lo == 63 ? ~0ULL : (BIT64(hi - lo + 1) - 1);

	return (v >> lo) & mask;
}

static bool have(const struct vmxcap_msrs *m, enum vmxcap_msr id)
{
	return (m->valid & BIT64(id)) && vmxcap_msr_exists(m, id);
}

/*
 * Whether the SDM says MSR @id exists, judged from MSRs earlier in enum
 * order: a reader that walks the enum and reads only what exists never
 * touches an MSR the CPU does not have.
 */
bool vmxcap_msr_exists(const struct vmxcap_msrs *m, enum vmxcap_msr id)
{
	enum vmxcap_msr dep = vmxcap_enumerated_by[id].msr;
	u64 mask = vmxcap_enumerated_by[id].mask;

	if (!m->cpuid_vmx)
		return false;
	if (!mask)
		return true;
	return have(m, dep) && (m->val[dep] & mask);
}

enum vmxcap_status vmxcap_status(const struct vmxcap_msrs *m)
{
	u64 fc = m->val[VMXCAP_FEATURE_CONTROL];

	if (!m->cpuid_vmx)
		return VMXCAP_NO_VMX;
	if (have(m, VMXCAP_FEATURE_CONTROL) && (fc & FC_LOCK) &&
	    !(fc & FC_VMX_OUTSIDE_SMX))
		return VMXCAP_LOCKED_OFF;
	if (!have(m, VMXCAP_BASIC))
		return VMXCAP_NO_BASIC;
	return VMXCAP_OK;
}

const char *vmxcap_status_reason(enum vmxcap_status st)
{
	return vmxcap_st[st].reason;
}

static void emit_field(const struct vmxcap_msrs *m,
		       const struct vmxcap_field *f, vmxcap_emit_t emit,
		       void *ctx)
{
	u64 v = bits(m->val[f->msr], f->hi, f->lo);

	switch (f->fmt) {
	case FMT_HEX:
		cap_emitf(emit, ctx, "%s %s=0x%llx", f->key, f->name, v);
		break;
	case FMT_MEMTYPE:	/* SDM memory type encodings: 0 UC, 6 WB */
		if (v == 0 || v == 6)
			cap_emitf(emit, ctx, "%s %s=%s", f->key, f->name,
				  v ? "wb" : "uc");
		else
			cap_emitf(emit, ctx, "%s %s=%llu", f->key, f->name, v);
		break;
	case FMT_MSR_LIST:	/* A.6: 512 * (N + 1) entries */
		cap_emitf(emit, ctx, "%s %s=%llu", f->key, f->name, 512 * (v + 1));
		break;
	default:
		cap_emitf(emit, ctx, "%s %s=%llu", f->key, f->name, v);
	}
}

static void emit_fields(const struct vmxcap_msrs *m, vmxcap_emit_t emit,
			void *ctx)
{
	u64 covered = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmxcap_fields); i++) {
		const struct vmxcap_field *f = &vmxcap_fields[i];
		u64 other;

		if (!have(m, f->msr))
			continue;
		emit_field(m, f, emit, ctx);
		covered |= bits(~0ULL, f->hi - f->lo, 0) << f->lo;
		if (i + 1 < ARRAY_SIZE(vmxcap_fields) &&
		    vmxcap_fields[i + 1].msr == f->msr)
			continue;
		/* last field of this MSR */
		other = m->val[f->msr] & ~covered;
		if (vmxcap_fields_only[f->msr] && other)
			cap_emitf(emit, ctx, "%s other_bits=0x%llx", f->key, other);
		covered = 0;
	}
}

static const char *bit_state(u64 must1, u64 true_must1, u64 may1,
			     unsigned int bit)
{
	bool can_set = may1 & BIT64(bit);
	bool can_clear = !(true_must1 & BIT64(bit));

	if (can_set && can_clear)
		return (must1 & BIT64(bit)) ? "default1" : "yes";
	if (can_set)
		return "forced";
	if (can_clear)
		return "no";
	return "invalid";
}

/* Header line of a group; returns false if the group has no bit lines. */
static bool group_header(const struct vmxcap_msrs *m,
			 const struct vmxcap_group *g, vmxcap_emit_t emit,
			 void *ctx)
{
	u32 addr = vmxcap_msr_desc[g->msr].addr;

	if (!vmxcap_msr_exists(m, g->msr)) {
		cap_emitf(emit, ctx, "group %s absent", g->key);
		return false;
	}
	if (!have(m, g->msr) ||
	    (g->kind == VMXCAP_FIXED && !have(m, g->msr2))) {
		cap_emitf(emit, ctx, "group %s unreadable msr=0x%03x", g->key,
			  addr);
		return false;
	}
	if (g->msr2 == VMXCAP_NONE)
		cap_emitf(emit, ctx, "group %s present msr=0x%03x", g->key, addr);
	else if (g->kind == VMXCAP_FIXED)
		cap_emitf(emit, ctx, "group %s present msr=0x%03x fixed1=0x%03x",
			  g->key, addr, vmxcap_msr_desc[g->msr2].addr);
	else if (!vmxcap_msr_exists(m, g->msr2))
		cap_emitf(emit, ctx, "group %s present msr=0x%03x", g->key, addr);
	else if (have(m, g->msr2))
		cap_emitf(emit, ctx, "group %s present msr=0x%03x true=0x%03x",
			  g->key, addr, vmxcap_msr_desc[g->msr2].addr);
	else
		cap_emitf(emit, ctx, "group %s present msr=0x%03x true=unreadable",
			  g->key, addr);
	return true;
}

static void emit_group(const struct vmxcap_msrs *m,
		       const struct vmxcap_group *g, vmxcap_emit_t emit,
		       void *ctx)
{
	u64 v = m->val[g->msr], must1, true_must1, may1, listed;
	unsigned int bit;

	if (!group_header(m, g, emit, ctx))
		return;

	switch (g->kind) {
	case VMXCAP_CTLS:
		must1 = bits(v, 31, 0);
		may1 = bits(v, 63, 32);
		true_must1 = must1;
		if (g->msr2 != VMXCAP_NONE && have(m, g->msr2)) {
			u64 t = m->val[g->msr2];

			true_must1 = bits(t, 31, 0);
			if (bits(t, 63, 32) != may1)
				cap_emitf(emit, ctx,
					  "%s true_allowed1_mismatch=0x%llx",
					  g->key, bits(t, 63, 32) ^ may1);
		}
		listed = must1 | may1;
		break;
	case VMXCAP_FIXED:
		must1 = v;
		may1 = m->val[g->msr2];
		true_must1 = must1;
		listed = must1;
		break;
	default:
		must1 = 0;
		may1 = v;
		true_must1 = 0;
		listed = may1;
	}

	for (bit = 0; bit < g->nbits; bit++) {
		const char *name = g->names[bit];
		const char *state = bit_state(must1, true_must1, may1, bit);

		if ((g->fields & BIT64(bit)) || (!name && !(listed & BIT64(bit))))
			continue;
		cap_emit_bit(g->key, bit, state, name, emit, ctx);
	}
}

void vmxcap_decode(const struct vmxcap_msrs *m, vmxcap_emit_t emit,
		   void *ctx)
{
	enum vmxcap_status st = vmxcap_status(m);
	struct cap_msrs msrs = CAP_MSRS(vmxcap_msr_desc, m);
	unsigned int i;

	cap_emit_msrs(&msrs, emit, ctx);
	cap_emit_status(&vmxcap_st[st], emit, ctx);
	if (st == VMXCAP_NO_VMX || st == VMXCAP_NO_BASIC)
		return;
	emit_fields(m, emit, ctx);
	for (i = 0; i < ARRAY_SIZE(vmxcap_groups); i++)
		emit_group(m, &vmxcap_groups[i], emit, ctx);
}

/* Lines for every MSR in which @m differs from @ref; returns their number. */
int vmxcap_compare(const struct vmxcap_msrs *ref, unsigned int ref_cpu,
		   const struct vmxcap_msrs *m, unsigned int cpu,
		   vmxcap_emit_t emit, void *ctx)
{
	struct cap_msrs ref_msrs = CAP_MSRS(vmxcap_msr_desc, ref);
	struct cap_msrs msrs = CAP_MSRS(vmxcap_msr_desc, m);
	int n = 0;

	if (ref->cpuid_vmx != m->cpuid_vmx) {
		cap_emitf(emit, ctx,
			  "cpu %u differs cpuid_vmx=%d ref_cpu=%u ref_cpuid_vmx=%d",
			  cpu, m->cpuid_vmx, ref_cpu, ref->cpuid_vmx);
		n++;
	}
	return n + cap_compare_msrs(&ref_msrs, ref_cpu, &msrs, cpu, emit, ctx);
}
