// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of our kvm.ko with our kvm-amd.ko on the emulated AMD host:
 * the VMM of ../vmm runs its guest routines (CPUID, OUT, HLT
 * and WRMSR loops), which count the exits they cause, and the guest reads
 * the leaves 0x4FFFFFFB .. 0x4FFFFFFF with SVM exit codes (AMD64 APM Vol. 2
 * Appendix C) as reasons: CPUID 0x72, HLT 0x78, IOIO 0x7B, MSR 0x7C.
 * Counts must be exact; the undefined and the not-handled classes answer as
 * README says; 4 vCPUs and 2 VMs sum per VM; the VM's debugfs table agrees
 * with the guest and with stock KVM's own "exits" statistic.  The checks
 * exitstats-test makes the same way on VMX are ../vmm/checks.c's, given
 * the SVM codes (struct guest_exits svm).
 *
 * usage: svm-test
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "checks.h"

#define SVM_EXIT_CPUID	0x072
#define SVM_EXIT_HLT	0x078
#define SVM_EXIT_IOIO	0x07b
#define SVM_EXIT_MSR	0x07c
#define SVM_EXIT_NPF	0x400
/* Lines of the debugfs table: 167 + 4 + 2 named codes, other, total. */
#define SVM_TABLE_LINES	175

/* Not defined by the APM (nor KVM's 0xF0000000): 0, 0, 0, 0xFFFFFFFF. */
static const uint32_t undefined_codes[] = {
	0x0a7, 0x0ff, 0x3ff, 0x404, 0x10000, 0x80000000, 0xefffffff,
	0xfffffffe,
};
/*
 * Defined, but no svm_exit_handlers[] entry in any of 6.1, 6.12, 7.2, 7.3:
 * CR1 read, INIT, PUSHF, SWINT, INVLPGB_ILLEGAL, KVM's SW: 0, 0, 0, 0.
 */
static const uint32_t unhandled_codes[] = {
	0x001, 0x063, 0x070, 0x075, 0x0a1, 0xf0000000,
};

static const struct guest_exits svm = {
	.cpuid	= { SVM_EXIT_CPUID, "CPUID", "0x72" },
	.io	= { SVM_EXIT_IOIO, "IOIO", "0x7B" },
	.hlt	= { SVM_EXIT_HLT, "HLT", "0x78" },
	.msr	= { SVM_EXIT_MSR, "MSR", "0x7C" },
	.manual	= "APM",
};

static void test_exact_counts(void)
{
	struct cpuid_regs r;
	uint64_t sum = 0, before;
	struct vm vm;
	struct vcpu *v;
	uint32_t b;

	new_vm(&vm, 1);
	v = &vm.vcpu[0];
	check_fresh_counts(&vm, &svm);
	check_counts(&vm, v, &svm, "after OUT x50, HLT x20");
	/*
	 * The latency buckets of CPUID hold its finished exits: those before
	 * the 32 reads, and some of the reads themselves (each finishes before
	 * the next; a bucket read earlier misses the later ones).
	 */
	before = vm_cpuid_exits(&vm);
	for (b = 0; b < 32; b++) {
		r = rd(v, LEAF_REASON_HIST, SVM_EXIT_CPUID | b << 16);
		sum += count_of(r);
	}
	ok(sum >= before && sum <= before + 31,
	   "0x4FFFFFFB: CPUID's 32 buckets add up to its %llu finished exits, + up to 31 reads: %llu",
	   (unsigned long long)before, (unsigned long long)sum);
	is_regs(rd(v, LEAF_REASON_HIST, SVM_EXIT_CPUID | 32 << 16),
		regs_undefined, "0x4FFFFFFB with ECX[31:21] set: undefined");
	vm_destroy(&vm);
}

/*
 * MSR exits (0x7C), among them x2APIC ICR writes that KVM handles in
 * svm_exit_handlers_fastpath(), before svm_handle_exit() (and, on 6.1,
 * before trace_kvm_exit): the counts must include them.
 */
static void test_msr(void)
{
	struct vm vm;

	new_x2apic_vm(&vm);
	check_fastpath(&vm.vcpu[0], &svm);
	vm_destroy(&vm);
}

static void test_classes(void)
{
	struct cpuid_regs zero = { 0 };
	struct vm vm;
	struct vcpu *v;

	new_vm(&vm, 1);
	v = &vm.vcpu[0];
	check_classes(v, &svm, undefined_codes, ARRAY_SIZE(undefined_codes),
		      unhandled_codes, ARRAY_SIZE(unhandled_codes));
	is_regs(rd(v, LEAF_REASON_HIST, 0x0a1 | 3 << 16), zero,
		"0x4FFFFFFB code 0xA1 bucket 3, not handled: 0,0,0,0");
	is_regs(rd(v, LEAF_REASON_HIST, 0x0a7 | 3 << 16), regs_undefined,
		"0x4FFFFFFB code 0xA7 bucket 3, not defined: 0,0,0,0xFFFFFFFF");
	/* Handled codes the guest never caused read 0; NPF may have some. */
	is_regs(rd(v, LEAF_REASON_COUNT, 0xffffffff), zero,
		"VMEXIT_INVALID (-1): handled, no failed VMRUN: 0,0,0,0");
	ok(rd(v, LEAF_REASON_COUNT, SVM_EXIT_NPF).edx == 0,
	   "NPF (0x400) is defined and handled: EDX 0");
	vm_destroy(&vm);
}

static void test_vcpus(void)
{
	struct vm vm;

	run_4_vcpus(&vm);
	check_counts(&vm, &vm.vcpu[0], &svm, "4 vCPUs, read on vCPU 0");
	check_counts(&vm, &vm.vcpu[3], &svm, "4 vCPUs, read on vCPU 3");
	vm_destroy(&vm);
}

/* Whether the table has the row of @code under @name. */
static bool has_row(const struct exitstats_table *t, uint32_t code,
		    const char *name)
{
	return t->rows[code].present && !strcmp(t->rows[code].name, name);
}

static void test_debugfs(void)
{
	struct dbgfs_row rows[SVM_EXIT_MSR + 1];
	struct exitstats_table tab = { .rows = rows, .nr = ARRAY_SIZE(rows) };
	const struct dbgfs_row *cpuid = &rows[SVM_EXIT_CPUID];
	const struct dbgfs_row *hlt = &rows[SVM_EXIT_HLT];
	const struct dbgfs_row *io = &rows[SVM_EXIT_IOIO];
	const struct dbgfs_row *msr = &rows[SVM_EXIT_MSR];
	const struct dbgfs_sums *total = &tab.sums;
	struct cpuid_regs t;
	struct vcpu *vcpus[2];
	uint64_t exits;
	struct vm vm;

	new_vm(&vm, 2);
	vcpus[0] = &vm.vcpu[0];
	vcpus[1] = &vm.vcpu[1];
	if (run_threads(vcpus, 2))
		bail("guest loops failed");
	t = rd(&vm.vcpu[0], LEAF_TOTAL_COUNT, 0);
	/* Its lines are counted whether or not it is well formed. */
	read_exitstats(&vm, &tab);
	exits = vm_kvm_stat(&vm, "exits");
	is_u64(tab.lines, SVM_TABLE_LINES,
	       "debugfs exitstats: 173 SVM codes, other, total: %d lines",
	       tab.lines);
	ok(has_row(&tab, SVM_EXIT_CPUID, "CPUID") &&
	   has_row(&tab, SVM_EXIT_HLT, "HLT") &&
	   has_row(&tab, SVM_EXIT_IOIO, "IOIO") &&
	   has_row(&tab, SVM_EXIT_MSR, "MSR") && total->total_seen,
	   "debugfs: lines 114 CPUID, 120 HLT, 123 IOIO, 124 MSR and total");
	is_u64(cpuid->count, vm_cpuid_exits(&vm),
	       "debugfs CPUID = the guest's CPUIDs: %llu",
	       (unsigned long long)cpuid->count);
	is_u64(io->count, vm_io_exits(&vm),
	       "debugfs IOIO = the guest's OUTs: %llu",
	       (unsigned long long)io->count);
	is_u64(hlt->count, vm_hlt_exits(&vm),
	       "debugfs HLT = the guest's HLTs: %llu",
	       (unsigned long long)hlt->count);
	is_u64(msr->count, 0, "debugfs MSR: none in this VM");
	/* The guest's total counted its asking CPUID, then came its OUT. */
	ok(total->total_count >= count_of(t) + 1,
	   "debugfs total %llu >= the guest's 0x4FFFFFFF %llu + its OUT",
	   (unsigned long long)total->total_count,
	   (unsigned long long)count_of(t));
	is_u64(total->total_count, exits,
	       "debugfs total = KVM's own exits statistic: %llu",
	       (unsigned long long)exits);
	ok(cpuid->cycles > 0 && total->total_cycles >= cpuid->cycles +
	   io->cycles + hlt->cycles,
	   "debugfs cycles: CPUID > 0, total >= the rows");
	vm_destroy(&vm);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	ok(!access("/sys/module/kvm/version", F_OK) &&
	   !access("/sys/module/kvm_amd/version", F_OK),
	   "our kvm.ko and our kvm-amd.ko (both have a version)");
	test_exact_counts();
	test_msr();
	test_classes();
	test_vcpus();
	check_two_vms(&svm);
	test_debugfs();
	return done_testing();
}
