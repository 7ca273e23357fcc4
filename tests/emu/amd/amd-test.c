// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests on the emulated AMD host: the VMM of ../vmm runs
 * its guest routines (CPUID, OUT and HLT loops) on kvm-amd, under the stock
 * kvm.ko and under ours.  The oracle for the exits is stock KVM's own
 * statistics in debugfs (io_exits, halt_exits, exits of the VM's
 * directory, summed over its vCPUs), and the expected numbers follow from
 * what the guest ran, as the VMM counts it.  Our kvm.ko has no vendor
 * registered under kvm-amd, so the leaves 0x4FFFFFFB .. 0x4FFFFFFF must
 * answer what stock KVM answered in the same boot, whatever its
 * exitstats_cpuid says, and a VM's debugfs "exitstats" and
 * "exitstats_hist" tables are empty.
 *
 * usage: amd-test --stock FILE   stock kvm.ko and kvm-amd.ko: record the
 *                                leaves' answers in FILE
 *        amd-test --ours FILE    our kvm.ko, stock kvm-amd.ko: answers as
 *                                in FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "checks.h"

#define PARAM_PATH	"/sys/module/kvm/parameters/exitstats_cpuid"

/* CPUID 0 of an AMD CPU: "AuthenticAMD" in EBX, EDX, ECX. */
#define AMD_EBX		0x68747541
#define AMD_EDX		0x69746e65
#define AMD_ECX		0x444d4163
/* CPUID 0x40000000 under KVM: "KVMKVMKVM\0\0\0" in EBX, ECX, EDX. */
#define KVM_SIG_LEAF	0x40000000
#define KVM_SIG_EBX	0x4b4d564b
#define KVM_SIG_ECX	0x564b4d56
#define KVM_SIG_EDX	0x0000004d

/* The leaves of kvm-exitstats (0x4FFFFFFB: latency buckets) and their
 * neighbours, and some ECX values: VMX reasons CPUID, HLT, I/O, a hole, a
 * bucket of HLT's (reason 12, bucket 5), and the undefined extremes.
 */
static const uint32_t leaves[] = {
	0x4ffffffa, 0x4ffffffb, 0x4ffffffc, 0x4ffffffd, 0x4ffffffe, 0x4fffffff,
	0x50000000,
};
static const uint32_t subleaves[] = {
	0, 10, 12, 30, 35, 0x5000c, 0xffff, 0xffffffff,
};
#define NR_ANSWERS	(ARRAY_SIZE(leaves) * ARRAY_SIZE(subleaves))

static void show_answer(const char *what, uint32_t leaf, uint32_t subleaf,
			struct cpuid_regs r)
{
	printf("#   %s 0x%08x/0x%x: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n",
	       what, leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
}

struct stats {
	uint64_t exits, io_exits, halt_exits, irq_exits, pf_taken;
};

static struct stats read_stats(const struct vm *vm)
{
	return (struct stats){
		.exits = vm_kvm_stat(vm, "exits"),
		.io_exits = vm_kvm_stat(vm, "io_exits"),
		.halt_exits = vm_kvm_stat(vm, "halt_exits"),
		.irq_exits = vm_kvm_stat(vm, "irq_exits"),
		.pf_taken = vm_kvm_stat(vm, "pf_taken"),
	};
}

static void check_vendor(const char *what)
{
	struct cpuid_regs r;
	struct vm vm;

	new_vm(&vm, 1);
	r = rd(&vm.vcpu[0], 0, 0);
	ok(r.ebx == AMD_EBX && r.edx == AMD_EDX && r.ecx == AMD_ECX,
	   "%s: the guest runs, CPUID 0 says AuthenticAMD", what);
	r = rd(&vm.vcpu[0], KVM_SIG_LEAF, 0);
	ok(r.ebx == KVM_SIG_EBX && r.ecx == KVM_SIG_ECX && r.edx == KVM_SIG_EDX,
	   "%s: CPUID 0x40000000 says KVMKVMKVM", what);
	vm_destroy(&vm);
}

/* Run loops of @n_cpuid CPUIDs, @n_io OUTs and @n_hlt HLTs on vCPU @i. */
static void run_loops(struct vm *vm, int i, uint32_t n_cpuid,
		      uint32_t n_io, uint32_t n_hlt)
{
	struct vcpu *v = &vm->vcpu[i];

	if (guest_cpuid_loop(v, 0, n_cpuid) || guest_io_loop(v, n_io) ||
	    guest_hlt_loop(v, n_hlt))
		bail("guest loops failed");
}

/*
 * The VM's I/O and HLT exits in debugfs equal what its guest code caused
 * since @before (all zero for a fresh VM); its exits are at least those
 * plus the CPUID exits, and the rest are the host's interrupts (irq_exits)
 * and nested page faults (pf_taken: the guest code's page, once per VM).
 * No in-kernel irqchip: every HLT and every OUT reaches the VMM, which
 * counts them too.
 */
static void check_stats(const struct vm *vm, const struct stats *before,
			const uint64_t *caused, const char *what)
{
	uint64_t io = 0, hlt = 0, cpuid = 0, io_seen = 0, hlt_seen = 0;
	struct stats s = read_stats(vm);
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		io += vm->vcpu[i].io_exits - caused[3 * i];
		hlt += vm->vcpu[i].hlt_exits - caused[3 * i + 1];
		cpuid += vm->vcpu[i].cpuid_exits - caused[3 * i + 2];
		io_seen += vm->vcpu[i].io_seen;
		hlt_seen += vm->vcpu[i].hlt_seen;
	}
	ok(io_seen == vm_io_exits(vm) && hlt_seen == vm_hlt_exits(vm),
	   "%s: the VMM saw every OUT and HLT (%llu, %llu)", what,
	   (unsigned long long)io_seen, (unsigned long long)hlt_seen);
	is_u64(s.io_exits - before->io_exits, io,
	       "%s: debugfs io_exits grew by the guest's OUTs: %llu", what,
	       (unsigned long long)io);
	is_u64(s.halt_exits - before->halt_exits, hlt,
	       "%s: debugfs halt_exits grew by the guest's HLTs: %llu", what,
	       (unsigned long long)hlt);
	ok(s.exits != ~0ULL &&
	   s.exits - before->exits >= cpuid + io + hlt,
	   "%s: debugfs exits grew by at least CPUID + OUT + HLT = %llu: %llu",
	   what, (unsigned long long)(cpuid + io + hlt),
	   (unsigned long long)(s.exits - before->exits));
	is_u64(s.exits - before->exits, cpuid + io + hlt +
	       (s.irq_exits - before->irq_exits) +
	       (s.pf_taken - before->pf_taken),
	       "%s: debugfs exits = CPUID + OUT + HLT + irq_exits + pf_taken (%llu + %llu)",
	       what, (unsigned long long)(s.irq_exits - before->irq_exits),
	       (unsigned long long)(s.pf_taken - before->pf_taken));
}

static void snapshot(const struct vm *vm, uint64_t *caused)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		caused[3 * i] = vm->vcpu[i].io_exits;
		caused[3 * i + 1] = vm->vcpu[i].hlt_exits;
		caused[3 * i + 2] = vm->vcpu[i].cpuid_exits;
	}
}

/* Stock KVM's counters, exact in a fresh VM, again after more loops, and
 * summed over two vCPUs.
 */
static void test_exits(const char *what)
{
	uint64_t caused[3 * MAX_VCPUS] = { 0 };
	struct stats before = { 0 };
	char desc[128];
	struct vm vm;

	new_vm(&vm, 1);
	run_loops(&vm, 0, 100, 10, 5);
	snprintf(desc, sizeof(desc), "%s, fresh VM", what);
	check_stats(&vm, &before, caused, desc);
	before = read_stats(&vm);
	snapshot(&vm, caused);
	run_loops(&vm, 0, 1000, 37, 13);
	snprintf(desc, sizeof(desc), "%s, more loops", what);
	check_stats(&vm, &before, caused, desc);
	vm_destroy(&vm);

	memset(caused, 0, sizeof(caused));
	memset(&before, 0, sizeof(before));
	new_vm(&vm, 2);
	run_loops(&vm, 0, 50, 3, 7);
	run_loops(&vm, 1, 70, 11, 2);
	run_loops(&vm, 0, 10, 1, 1);
	snprintf(desc, sizeof(desc), "%s, 2 vCPUs", what);
	check_stats(&vm, &before, caused, desc);
	vm_destroy(&vm);
}

/* Every leaf/subleaf pair's answer, in the order of the file. */
static void read_answers(struct vcpu *v, bool cpl3, struct cpuid_regs *out)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(leaves); i++)
		for (j = 0; j < ARRAY_SIZE(subleaves); j++)
			out[i * ARRAY_SIZE(subleaves) + j] = cpl3 ?
				rd3(v, leaves[i], subleaves[j]) :
				rd(v, leaves[i], subleaves[j]);
}

/* How many answers differ from @want; the first few as diagnostics. */
static int diff_answers(const struct cpuid_regs *got,
			const struct cpuid_regs *want)
{
	size_t i;
	int bad = 0;

	for (i = 0; i < NR_ANSWERS; i++) {
		if (regs_eq(got[i], want[i]))
			continue;
		if (bad++ < 4) {
			uint32_t l = leaves[i / ARRAY_SIZE(subleaves)];
			uint32_t s = subleaves[i % ARRAY_SIZE(subleaves)];

			show_answer("expected", l, s, want[i]);
			show_answer("got     ", l, s, got[i]);
		}
	}
	return bad;
}

static void test_stock_leaves(const char *file)
{
	struct cpuid_regs got[NR_ANSWERS], zero[NR_ANSWERS] = { 0 };
	struct vm vm;
	size_t i;
	FILE *f;

	new_vm(&vm, 1);
	rd(&vm.vcpu[0], 0, 0);
	read_answers(&vm.vcpu[0], false, got);
	/* An AMD guest gets zeros for a leaf beyond its range (AMD APM
	 * Vol. 3, CPUID; KVM does the same for an AuthenticAMD guest).
	 */
	ok(!diff_answers(got, zero),
	   "stock: leaves 0x4FFFFFFA-0x50000000 answer 0, 0, 0, 0 (%zu reads)",
	   NR_ANSWERS);
	f = fopen(file, "w");
	if (!f)
		bail("cannot write the stock answers");
	for (i = 0; i < NR_ANSWERS; i++)
		fprintf(f, "%08x %08x %08x %08x\n", got[i].eax, got[i].ebx,
			got[i].ecx, got[i].edx);
	ok(!fclose(f), "stock answers recorded in %s", file);
	vm_destroy(&vm);
}

static void load_answers(const char *file, struct cpuid_regs *want)
{
	size_t i;
	FILE *f = fopen(file, "r");

	if (!f)
		bail("no stock answers recorded");
	for (i = 0; i < NR_ANSWERS; i++)
		if (fscanf(f, "%x %x %x %x", &want[i].eax, &want[i].ebx,
			   &want[i].ecx, &want[i].edx) != 4)
			bail("stock answers file too short");
	fclose(f);
}

static int write_param(const char *val)
{
	int fd = open(PARAM_PATH, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* A debugfs file of the VM exists and reads empty. */
static void check_empty(const struct vm *vm, const char *name)
{
	char path[128], buf[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/%s",
		 getpid(), vm->fd, name);
	fd = open(path, O_RDONLY);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
	if (n < 0)
		printf("# %s: %s\n", path, strerror(errno));
	ok(fd >= 0 && n == 0,
	   "the VM's debugfs %s exists and is empty (no vendor registered)",
	   name);
	if (n > 0)
		printf("# got %zd bytes: %.*s\n", n, (int)n, buf);
	if (fd >= 0)
		close(fd);
}

/*
 * Our kvm.ko under the stock kvm-amd: no vendor module registers with it,
 * so whatever exitstats_cpuid says every leaf answers as stock KVM did,
 * at CPL 0 and at CPL 3, and the VM's debugfs tables exist but are empty.
 */
static void test_ours_leaves(const char *file)
{
	static const char *const modes[] = { "Y", "cpl0", "N" };
	struct cpuid_regs want[NR_ANSWERS], got[NR_ANSWERS];
	struct vm vm;
	size_t i;

	load_answers(file, want);
	ok(read_param(PARAM_PATH, "Y\n"), "exitstats_cpuid is Y (the default)");
	new_vm(&vm, 1);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		ok(!write_param(modes[i]), "exitstats_cpuid set to %s",
		   modes[i]);
		read_answers(&vm.vcpu[0], false, got);
		ok(!diff_answers(got, want),
		   "exitstats_cpuid=%s, CPL 0: the leaves answer as stock KVM did",
		   modes[i]);
		read_answers(&vm.vcpu[0], true, got);
		ok(!diff_answers(got, want),
		   "exitstats_cpuid=%s, CPL 3: the leaves answer as stock KVM did",
		   modes[i]);
	}
	ok(!write_param("Y") && read_param(PARAM_PATH, "Y\n"),
	   "exitstats_cpuid back to Y");

	check_empty(&vm, "exitstats");
	check_empty(&vm, "exitstats_hist");
	vm_destroy(&vm);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--stock")) {
		ok(access("/sys/module/kvm/version", F_OK) != 0,
		   "stock kvm.ko loaded (it has no version)");
		check_vendor("stock");
		test_exits("stock");
		test_stock_leaves(argv[2]);
		return done_testing();
	}
	if (argc == 3 && !strcmp(argv[1], "--ours")) {
		ok(!access("/sys/module/kvm/version", F_OK) &&
		   access("/sys/module/kvm_amd/version", F_OK),
		   "our kvm.ko (a version) under the stock kvm-amd.ko (none)");
		check_vendor("ours");
		test_exits("ours");
		test_ours_leaves(argv[2]);
		return done_testing();
	}
	fprintf(stderr, "usage: %s --stock FILE | --ours FILE\n", argv[0]);
	return 2;
}
