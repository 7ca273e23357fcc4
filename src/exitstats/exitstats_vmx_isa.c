// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats: the VMX exit reasons, kvm-intel's table (struct
 * exitstats_isa).  Built into kvm-intel.ko and the user-space tools.
 */
#include "exitstats.h"

/*
 * Basic exit reasons as defined by the Intel 64 and IA-32 Architectures
 * Software Developer's Manual, Vol. 3D, Appendix C "VMX Basic Exit
 * Reasons", order number 325462-092US (June 2026).  Reasons without an
 * entry (35, 38, 42) are not defined.  Names follow KVM's EXIT_REASON_*
 * where KVM has one.  Slot r + 1 is reason r.  Not here yet: 84 and 85,
 * which Linux 7.3 names MSR_READ_IMM and MSR_WRITE_IMM and handles; their
 * exits count under "other" and in the totals.
 */
#define VMX(reason)	((reason) + 1)
static const char *const exitstats_vmx_names[EXITSTATS_NR_SLOTS] = {
	[VMX(0)] =  "EXCEPTION_NMI",
	[VMX(1)] =  "EXTERNAL_INTERRUPT",
	[VMX(2)] =  "TRIPLE_FAULT",
	[VMX(3)] =  "INIT_SIGNAL",
	[VMX(4)] =  "SIPI_SIGNAL",
	[VMX(5)] =  "IO_SMI",
	[VMX(6)] =  "OTHER_SMI",
	[VMX(7)] =  "INTERRUPT_WINDOW",
	[VMX(8)] =  "NMI_WINDOW",
	[VMX(9)] =  "TASK_SWITCH",
	[VMX(10)] = "CPUID",
	[VMX(11)] = "GETSEC",
	[VMX(12)] = "HLT",
	[VMX(13)] = "INVD",
	[VMX(14)] = "INVLPG",
	[VMX(15)] = "RDPMC",
	[VMX(16)] = "RDTSC",
	[VMX(17)] = "RSM",
	[VMX(18)] = "VMCALL",
	[VMX(19)] = "VMCLEAR",
	[VMX(20)] = "VMLAUNCH",
	[VMX(21)] = "VMPTRLD",
	[VMX(22)] = "VMPTRST",
	[VMX(23)] = "VMREAD",
	[VMX(24)] = "VMRESUME",
	[VMX(25)] = "VMWRITE",
	[VMX(26)] = "VMOFF",
	[VMX(27)] = "VMON",
	[VMX(28)] = "CR_ACCESS",
	[VMX(29)] = "DR_ACCESS",
	[VMX(30)] = "IO_INSTRUCTION",
	[VMX(31)] = "MSR_READ",
	[VMX(32)] = "MSR_WRITE",
	[VMX(33)] = "INVALID_STATE",
	[VMX(34)] = "MSR_LOAD_FAIL",
	[VMX(36)] = "MWAIT_INSTRUCTION",
	[VMX(37)] = "MONITOR_TRAP_FLAG",
	[VMX(39)] = "MONITOR_INSTRUCTION",
	[VMX(40)] = "PAUSE_INSTRUCTION",
	[VMX(41)] = "MCE_DURING_VMENTRY",
	[VMX(43)] = "TPR_BELOW_THRESHOLD",
	[VMX(44)] = "APIC_ACCESS",
	[VMX(45)] = "EOI_INDUCED",
	[VMX(46)] = "GDTR_IDTR",
	[VMX(47)] = "LDTR_TR",
	[VMX(48)] = "EPT_VIOLATION",
	[VMX(49)] = "EPT_MISCONFIG",
	[VMX(50)] = "INVEPT",
	[VMX(51)] = "RDTSCP",
	[VMX(52)] = "PREEMPTION_TIMER",
	[VMX(53)] = "INVVPID",
	[VMX(54)] = "WBINVD",
	[VMX(55)] = "XSETBV",
	[VMX(56)] = "APIC_WRITE",
	[VMX(57)] = "RDRAND",
	[VMX(58)] = "INVPCID",
	[VMX(59)] = "VMFUNC",
	[VMX(60)] = "ENCLS",
	[VMX(61)] = "RDSEED",
	[VMX(62)] = "PML_FULL",
	[VMX(63)] = "XSAVES",
	[VMX(64)] = "XRSTORS",
	[VMX(65)] = "PCONFIG",
	[VMX(66)] = "SPP",
	[VMX(67)] = "UMWAIT",
	[VMX(68)] = "TPAUSE",
	[VMX(69)] = "LOADIWKEY",
	[VMX(70)] = "ENCLV",
	[VMX(71)] = "SGX_CONFLICT",
	[VMX(72)] = "ENQCMD_PASID_FAIL",
	[VMX(73)] = "ENQCMDS_PASID_FAIL",
	[VMX(74)] = "BUS_LOCK",
	[VMX(75)] = "NOTIFY",
	[VMX(76)] = "SEAMCALL",
	[VMX(77)] = "TDCALL",
	[VMX(78)] = "RDMSRLIST",
	[VMX(79)] = "WRMSRLIST",
	[VMX(80)] = "URDMSR",
	[VMX(81)] = "UWRMSR",
};

static u32 exitstats_vmx_slot(u32 reason)
{
	return exitstats_slot(reason);
}

static u32 exitstats_vmx_reason(u32 slot)
{
	return slot - 1;
}

const struct exitstats_isa exitstats_isa_vmx = {
	.name		= "VMX",
	.nr_slots	= EXITSTATS_NR_SLOTS,
	.reason		= exitstats_vmx_reason,
	.names		= exitstats_vmx_names,
	.slot		= exitstats_vmx_slot,
};
