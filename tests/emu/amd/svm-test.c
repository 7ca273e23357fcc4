// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of our kvm.ko with our kvm-amd.ko on the emulated AMD host:
 * the VMM of ../vmm runs its guest routines (CPUID, OUT, HLT
 * and WRMSR loops), which count the exits they cause, and the guest reads
 * the leaves 0x4FFFFFFB .. 0x4FFFFFFF with SVM exit codes (AMD64 APM Vol. 2
 * Appendix C) as reasons: CPUID 0x72, HLT 0x78, IOIO 0x7B, MSR 0x7C.
 * Counts must be exact; the undefined and the not-handled classes answer as
 * README says; 4 vCPUs and 2 VMs sum per VM; the VM's debugfs table agrees
 * with the guest and with stock KVM's own "exits" statistic.
 *
 * usage: svm-test
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tap.h"
#include "vm.h"

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

static const struct cpuid_regs regs_undefined = { 0, 0, 0, 0xffffffff };

static struct cpuid_regs count_regs(uint64_t n)
{
	return (struct cpuid_regs){ (uint32_t)n, (uint32_t)(n >> 32), 0, 0 };
}

static uint64_t count_of(struct cpuid_regs r)
{
	return (uint64_t)r.ebx << 32 | r.eax;
}

static bool regs_eq(struct cpuid_regs a, struct cpuid_regs b)
{
	return a.eax == b.eax && a.ebx == b.ebx && a.ecx == b.ecx &&
	       a.edx == b.edx;
}

static int is_regs(struct cpuid_regs got, struct cpuid_regs want,
		   const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (ok(regs_eq(got, want), "%s", what))
		return 1;
	printf("#   expected eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n"
	       "#   got      eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n",
	       want.eax, want.ebx, want.ecx, want.edx,
	       got.eax, got.ebx, got.ecx, got.edx);
	return 0;
}

static void bail(const char *what)
{
	printf("Bail out! %s\n", what);
	exit(1);
}

static struct cpuid_regs rd(struct vcpu *v, uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	if (guest_cpuid(v, leaf, subleaf, &r))
		bail("guest CPUID failed");
	return r;
}

static void new_vm(struct vm *vm, int nr_vcpus)
{
	if (vm_create(vm, nr_vcpus))
		bail("cannot create a VM");
}

/* Counts of the codes the guest controls, read from vCPU @v. */
static void check_counts(struct vm *vm, struct vcpu *v, const char *what)
{
	uint64_t want;

	/* The asking CPUID counts; its OUT to PORT_DONE comes after. */
	want = vm_cpuid_exits(vm) + 1;
	is_regs(rd(v, LEAF_REASON_COUNT, SVM_EXIT_CPUID), count_regs(want),
		"%s: CPUID exits (0x72) exact: %llu", what,
		(unsigned long long)want);
	want = vm_io_exits(vm);
	is_regs(rd(v, LEAF_REASON_COUNT, SVM_EXIT_IOIO), count_regs(want),
		"%s: IOIO exits (0x7B) exact: %llu", what,
		(unsigned long long)want);
	want = vm_hlt_exits(vm);
	is_regs(rd(v, LEAF_REASON_COUNT, SVM_EXIT_HLT), count_regs(want),
		"%s: HLT exits (0x78) exact: %llu", what,
		(unsigned long long)want);
}

static void test_exact_counts(void)
{
	const uint32_t n = 1000, n_io = 50, n_hlt = 20;
	struct cpuid_regs r;
	uint64_t sum = 0, before;
	struct vm vm;
	struct vcpu *v;
	uint32_t b;

	new_vm(&vm, 1);
	v = &vm.vcpu[0];
	is_regs(rd(v, LEAF_REASON_COUNT, SVM_EXIT_CPUID), count_regs(1),
		"fresh VM: the first CPUID 0x4FFFFFFD/0x72 counts itself: 1");
	if (guest_cpuid_loop(v, 0, n))
		bail("CPUID loop failed");
	is_regs(rd(v, LEAF_REASON_COUNT, SVM_EXIT_CPUID), count_regs(n + 2),
		"after %u more CPUID exits: %u", n, n + 2);
	is_regs(rd(v, LEAF_REASON_COUNT, SVM_EXIT_HLT), count_regs(0),
		"no HLT yet: 0x4FFFFFFD/0x78 is 0");
	if (guest_io_loop(v, n_io) || guest_hlt_loop(v, n_hlt))
		bail("I/O or HLT loop failed");
	check_counts(&vm, v, "after OUT x50, HLT x20");
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

#define MSR_IA32_APICBASE	0x1b
#define APICBASE_BSP		(1u << 8)
#define APICBASE_EXTD		(1u << 10)
#define APICBASE_EN		(1u << 11)
#define APIC_DEFAULT_BASE	0xfee00000u
#define MSR_X2APIC_ICR		0x830
#define APIC_ICR_VECTOR		0x40	/* fixed, physical, no shorthand */
#define APIC_ID_NOBODY		7	/* no vCPU has it */

/*
 * MSR exits (0x7C), among them x2APIC ICR writes that KVM handles in
 * svm_exit_handlers_fastpath(), before svm_handle_exit() (and, on 6.1,
 * before trace_kvm_exit): the counts must include them.
 */
static void test_msr(void)
{
	const uint32_t n = 100;
	struct vm vm;
	struct vcpu *v;

	if (vm_create_irqchip(&vm, 1))
		bail("cannot create a VM with an in-kernel irqchip");
	v = &vm.vcpu[0];
	if (guest_wrmsr_loop(v, MSR_IA32_APICBASE, APIC_DEFAULT_BASE |
			     APICBASE_EN | APICBASE_EXTD | APICBASE_BSP, 1))
		bail("the guest could not enable x2APIC");
	if (guest_wrmsr_loop(v, MSR_X2APIC_ICR,
			     (uint64_t)APIC_ID_NOBODY << 32 | APIC_ICR_VECTOR,
			     n))
		bail("x2APIC ICR writes failed");
	is_regs(rd(v, LEAF_REASON_COUNT, SVM_EXIT_MSR),
		count_regs(v->wrmsr_exits),
		"MSR exits (0x7C) exact with %u fastpath ICR writes: %llu", n,
		(unsigned long long)v->wrmsr_exits);
	is_regs(rd(v, LEAF_REASON_COUNT, SVM_EXIT_CPUID),
		count_regs(v->cpuid_exits + 1),
		"in-kernel irqchip: CPUID exits (0x72) exact: %llu",
		(unsigned long long)v->cpuid_exits + 1);
	vm_destroy(&vm);
}

static void test_classes(void)
{
	struct cpuid_regs zero = { 0 };
	struct vm vm;
	struct vcpu *v;
	unsigned int i;

	new_vm(&vm, 1);
	v = &vm.vcpu[0];
	for (i = 0; i < ARRAY_SIZE(undefined_codes); i++) {
		uint32_t c = undefined_codes[i];

		is_regs(rd(v, LEAF_REASON_COUNT, c), regs_undefined,
			"code 0x%x not defined: 0x4FFFFFFD answers 0,0,0,0xFFFFFFFF",
			c);
		is_regs(rd(v, LEAF_REASON_CYCLES, c), regs_undefined,
			"code 0x%x not defined: 0x4FFFFFFC answers 0,0,0,0xFFFFFFFF",
			c);
	}
	for (i = 0; i < ARRAY_SIZE(unhandled_codes); i++) {
		uint32_t c = unhandled_codes[i];

		is_regs(rd(v, LEAF_REASON_COUNT, c), zero,
			"code 0x%x defined, not handled by KVM: 0x4FFFFFFD answers 0,0,0,0",
			c);
		is_regs(rd(v, LEAF_REASON_CYCLES, c), zero,
			"code 0x%x defined, not handled by KVM: 0x4FFFFFFC answers 0,0,0,0",
			c);
	}
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

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	uint32_t k = v->id + 1;

	if (guest_cpuid_loop(v, 0, 100 * k) || guest_io_loop(v, 5 * k) ||
	    guest_hlt_loop(v, k))
		return v;
	return NULL;
}

static int run_threads(struct vcpu **vcpus, int n)
{
	pthread_t tid[MAX_VCPUS];
	int i, failed = 0;
	void *ret;

	for (i = 0; i < n; i++)
		if (pthread_create(&tid[i], NULL, vcpu_thread, vcpus[i]))
			bail("pthread_create failed");
	for (i = 0; i < n; i++) {
		pthread_join(tid[i], &ret);
		if (ret)
			failed++;
	}
	return failed;
}

static void test_vcpus(void)
{
	struct vcpu *vcpus[4];
	struct vm vm;
	int i;

	new_vm(&vm, 4);
	for (i = 0; i < 4; i++)
		vcpus[i] = &vm.vcpu[i];
	ok(!run_threads(vcpus, 4),
	   "4 vCPUs ran 100k CPUIDs, 5k OUTs, k HLTs each (k = 1..4) at once");
	check_counts(&vm, &vm.vcpu[0], "4 vCPUs, read on vCPU 0");
	check_counts(&vm, &vm.vcpu[3], "4 vCPUs, read on vCPU 3");
	vm_destroy(&vm);
}

static void test_two_vms(void)
{
	struct vcpu *vcpus[2];
	struct vm a, b;

	new_vm(&a, 1);
	new_vm(&b, 2);
	vcpus[0] = &a.vcpu[0];
	vcpus[1] = &b.vcpu[1];
	if (guest_cpuid_loop(&b.vcpu[0], 0, 333) || guest_io_loop(&a.vcpu[0], 3))
		bail("guest loops failed");
	ok(!run_threads(vcpus, 2), "two VMs ran guest loops at once");
	check_counts(&a, &a.vcpu[0], "VM A of two");
	check_counts(&b, &b.vcpu[0], "VM B of two");
	check_counts(&a, &a.vcpu[0], "VM A after B's reads");
	vm_destroy(&a);
	vm_destroy(&b);
}

struct row {
	unsigned long long count, cycles;
	bool seen;
};

/*
 * The VM's debugfs exitstats: the rows of CPUID, HLT, IOIO and MSR, other
 * and total; the number of lines.
 */
static int read_table(const struct vm *vm, struct row *cpuid, struct row *hlt,
		      struct row *io, struct row *msr, struct row *total)
{
	char path[128], line[256], name[64];
	unsigned long long c, y;
	unsigned int code;
	int lines = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/exitstats",
		 getpid(), vm->fd);
	f = fopen(path, "r");
	if (!f) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lines++;
		if (sscanf(line, "total %llu %llu", &c, &y) == 2) {
			*total = (struct row){ c, y, true };
			continue;
		}
		if (sscanf(line, "%u %63s %llu %llu", &code, name, &c, &y) != 4)
			continue;
		if (code == SVM_EXIT_CPUID && !strcmp(name, "CPUID"))
			*cpuid = (struct row){ c, y, true };
		else if (code == SVM_EXIT_HLT && !strcmp(name, "HLT"))
			*hlt = (struct row){ c, y, true };
		else if (code == SVM_EXIT_IOIO && !strcmp(name, "IOIO"))
			*io = (struct row){ c, y, true };
		else if (code == SVM_EXIT_MSR && !strcmp(name, "MSR"))
			*msr = (struct row){ c, y, true };
	}
	fclose(f);
	return lines;
}

static void test_debugfs(void)
{
	struct row cpuid = { 0 }, hlt = { 0 }, io = { 0 }, msr = { 0 };
	struct row total = { 0 };
	struct cpuid_regs t;
	struct vcpu *vcpus[2];
	uint64_t exits;
	struct vm vm;
	int lines;

	new_vm(&vm, 2);
	vcpus[0] = &vm.vcpu[0];
	vcpus[1] = &vm.vcpu[1];
	if (run_threads(vcpus, 2))
		bail("guest loops failed");
	t = rd(&vm.vcpu[0], LEAF_TOTAL_COUNT, 0);
	lines = read_table(&vm, &cpuid, &hlt, &io, &msr, &total);
	exits = vm_kvm_stat(&vm, "exits");
	is_u64(lines, SVM_TABLE_LINES,
	       "debugfs exitstats: 173 SVM codes, other, total: %d lines", lines);
	ok(cpuid.seen && hlt.seen && io.seen && msr.seen && total.seen,
	   "debugfs: lines 114 CPUID, 120 HLT, 123 IOIO, 124 MSR and total");
	is_u64(cpuid.count, vm_cpuid_exits(&vm),
	       "debugfs CPUID = the guest's CPUIDs: %llu", cpuid.count);
	is_u64(io.count, vm_io_exits(&vm),
	       "debugfs IOIO = the guest's OUTs: %llu", io.count);
	is_u64(hlt.count, vm_hlt_exits(&vm),
	       "debugfs HLT = the guest's HLTs: %llu", hlt.count);
	is_u64(msr.count, 0, "debugfs MSR: none in this VM");
	/* The guest's total counted its asking CPUID, then came its OUT. */
	ok(total.count >= count_of(t) + 1,
	   "debugfs total %llu >= the guest's 0x4FFFFFFF %llu + its OUT",
	   total.count, (unsigned long long)count_of(t));
	is_u64(total.count, exits,
	       "debugfs total = KVM's own exits statistic: %llu",
	       (unsigned long long)exits);
	ok(cpuid.cycles > 0 && total.cycles >= cpuid.cycles + io.cycles +
	   hlt.cycles, "debugfs cycles: CPUID > 0, total >= the rows");
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
	test_two_vms();
	test_debugfs();
	return done_testing();
}
