// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the SVM side: the exit-code table (src/exitstats/
 * exitstats_svm_isa.c), its slots, the exit-path hooks of kvm-amd
 * (src/kvm-amd/exitstats_svm.h, against a TSC the test controls) and the
 * CPUID leaves and debugfs table of the vendor-independent core on SVM
 * figures.  Every expectation is written out by hand from the AMD64 APM
 * Vol. 2 Appendix C (pub. 24593 rev. 3.42) and KVM's svm_exit_handlers[],
 * never computed with the code under test.
 */
#define __always_inline inline

#include "tap.h"
#include "fake/asm/msr.h"
#include "fake/linux/compiler.h"
#include "exitstats/exitstats.c"
#include "kvm-amd/exitstats_svm.h"

/*
 * The vendor's vCPU structure, which the exit path addresses the figures
 * from: here with something before them, as in KVM.
 */
struct vcpu_svm {
	u64 kvm_before[5];
	struct exitstats_svm_vcpu exitstats;
};

#define TEST_ISA	exitstats_isa_svm
#define TEST_VCPU	struct exitstats_svm_vcpu
#define TEST_NR_SLOTS	EXITSTATS_SVM_NR_SLOTS
#define TEST_EXIT_BEGIN	exitstats_svm_begin
#define TEST_EXIT_END	exitstats_svm_end
#include "exitstats_test.h"

/*
 * The exit codes of 6.1's svm_exit_handlers[] (svm.c), as kvm-amd registers
 * them: the table's index is the code, so 0x400-0x403 make it 0x404 long.
 */
static const u32 kvm_61_handlers[] = {
	0x000, 0x003, 0x004, 0x008, 0x065, 0x010, 0x013, 0x014, 0x018,
	0x020, 0x021, 0x022, 0x023, 0x024, 0x025, 0x026, 0x027,
	0x030, 0x031, 0x032, 0x033, 0x034, 0x035, 0x036, 0x037,
	0x041, 0x043, 0x046, 0x04E, 0x052, 0x051, 0x04D,	/* #DB #BP #UD #PF #MC #AC #GP */
	0x060, 0x061, 0x062, 0x064, 0x06F, 0x072, 0x074, 0x076, 0x077,
	0x078, 0x079, 0x07A, 0x07B, 0x07C, 0x07D, 0x07F, 0x080, 0x081,
	0x082, 0x083, 0x084, 0x085, 0x086, 0x087, 0x089, 0x08A, 0x08B,
	0x08D, 0x08E, 0x08F, 0x090, 0x094, 0x098, 0x0A2, 0x400, 0x073,
	0x401, 0x402, 0x403,
};

static int fake_handler(struct kvm_vcpu *vcpu)
{
	(void)vcpu;
	return 1;
}

static int (*handlers[0x404])(struct kvm_vcpu *vcpu);

/* What exitstats_svm_register() does, by hand: slot = code + 1 below 0xA7. */
static void init_handled(void)
{
	unsigned int i;
	u32 c;

	for (i = 0; i < ARRAY_SIZE(kvm_61_handlers); i++)
		handlers[kvm_61_handlers[i]] = fake_handler;
	for (c = 0; c <= 0xA6; c++)
		handled[c + 1] = !!handlers[c];
	for (c = 0x400; c <= 0x403; c++)
		handled[168 + c - 0x400] = !!handlers[c];
	handled[173] = 1;	/* VMEXIT_INVALID: KVM_EXIT_FAIL_ENTRY */
}

static void test_table(void)
{
	static const struct {
		u32 code;
		const char *name;
	} named[] = {
		{ 0x000, "CR0_READ" }, { 0x00F, "CR15_READ" },
		{ 0x010, "CR0_WRITE" }, { 0x01F, "CR15_WRITE" },
		{ 0x020, "DR0_READ" }, { 0x03F, "DR15_WRITE" },
		{ 0x040, "EXCP0" }, { 0x04E, "EXCP14" }, { 0x05F, "EXCP31" },
		{ 0x060, "INTR" }, { 0x061, "NMI" }, { 0x064, "VINTR" },
		{ 0x065, "CR0_SEL_WRITE" }, { 0x06E, "RDTSC" },
		{ 0x072, "CPUID" }, { 0x073, "RSM" }, { 0x077, "PAUSE" },
		{ 0x078, "HLT" }, { 0x07B, "IOIO" }, { 0x07C, "MSR" },
		{ 0x07F, "SHUTDOWN" }, { 0x080, "VMRUN" }, { 0x081, "VMMCALL" },
		{ 0x087, "RDTSCP" }, { 0x08C, "MWAIT_CONDITIONAL" },
		{ 0x08D, "XSETBV" }, { 0x08F, "EFER_WRITE_TRAP" },
		{ 0x090, "CR0_WRITE_TRAP" }, { 0x09F, "CR15_WRITE_TRAP" },
		{ 0x0A0, "INVLPGB" }, { 0x0A2, "INVPCID" },
		{ 0x0A5, "BUSLOCK" }, { 0x0A6, "IDLE_HLT" },
		{ 0x400, "NPF" }, { 0x401, "AVIC_INCOMPLETE_IPI" },
		{ 0x402, "AVIC_NOACCEL" }, { 0x403, "VMGEXIT" },
		{ 0xF0000000, "SW" }, { 0xFFFFFFFF, "INVALID" },
	};
	static const u32 undefined[] = {
		0x0A7, 0x0FF, 0x100, 0x3FF, 0x404, 0x500, 0xFFFF, 0x10000,
		0x10072, 0x80000000, 0xEFFFFFFF, 0xF0000001, 0xFFFFFFFE,
	};
	unsigned int i, bad = 0;
	u32 c, defined = 0;

	is_u64(exitstats_isa_svm.nr_slots, 175,
	       "SVM: 175 slots (idle, 167 + 4 + 2 codes, other)");
	is_str(exitstats_isa_svm.name, "SVM", "the ISA's name");
	for (i = 0; i < ARRAY_SIZE(named); i++) {
		const char *n = exitstats_name(&exitstats_isa_svm,
					       named[i].code);

		if (!n || strcmp(n, named[i].name)) {
			printf("# code 0x%x: %s, not %s\n", named[i].code,
			       n ? n : "(undefined)", named[i].name);
			bad++;
		}
	}
	ok(!bad, "the APM names of %zu codes", ARRAY_SIZE(named));
	for (i = 0; i < ARRAY_SIZE(undefined); i++)
		bad += exitstats_name(&exitstats_isa_svm, undefined[i]) != NULL;
	ok(!bad, "%zu codes the APM does not define have no name",
	   ARRAY_SIZE(undefined));
	for (c = 0; c < 0x1000; c++)
		defined += exitstats_name(&exitstats_isa_svm, c) != NULL;
	is_u64(defined, 0xA7 + 4, "0x000-0x0A6 and 0x400-0x403: every one defined");
}

static void test_slots(void)
{
	static const struct {
		u32 code, slot;
	} map[] = {
		{ 0x000, 1 }, { 0x001, 2 }, { 0x072, 115 }, { 0x078, 121 },
		{ 0x07B, 124 }, { 0x07C, 125 }, { 0x0A6, 167 },
		{ 0x0A7, 174 }, { 0x3FF, 174 }, { 0x400, 168 }, { 0x401, 169 },
		{ 0x403, 171 }, { 0x404, 174 }, { 0xF0000000, 172 },
		{ 0xFFFFFFFF, 173 }, { 0xFFFFFFFE, 174 }, { 0x80000000, 174 },
	};
	unsigned int i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		u32 s = exitstats_svm_slot(map[i].code);

		if (s != map[i].slot ||
		    exitstats_isa_svm.slot(map[i].code) != map[i].slot) {
			printf("# code 0x%x: slot %u, not %u\n", map[i].code,
			       s, map[i].slot);
			bad++;
		}
		if (map[i].slot != 174 &&
		    exitstats_isa_svm.reason(map[i].slot) != map[i].code) {
			printf("# slot %u: code 0x%x, not 0x%x\n", map[i].slot,
			       exitstats_isa_svm.reason(map[i].slot),
			       map[i].code);
			bad++;
		}
	}
	ok(!bad, "codes to slots and back: low codes + 1, 0x400 in 168, SW 172, INVALID 173, other 174");
	/* ~47 KB per vCPU: 175 slots x (32 buckets + cycles + max) x 8 + 16. */
	is_u64(sizeof(struct exitstats_svm_vcpu), 175 * 34 * 8 + 16,
	       "struct exitstats_svm_vcpu is 47616 bytes");
}

static void test_hooks(void)
{
	struct exitstats_svm_vcpu v = { 0 };

	fake_tsc = 1ULL << 40;
	exit_once(&v, 0x072, 700);
	exit_once(&v, 0x072, 300);
	exit_once(&v, 0x400, 5000);
	exit_once(&v, 0x12345, 64);	/* no slot: other */
	exit_once(&v, 0xFFFFFFFF, 0);
	ok(v.hist[9][115] == 1 && v.hist[8][115] == 1 &&
	   v.cycles[115] == 1000 && v.max[115] == 700,
	   "CPUID: 700 in bucket 9, 300 in bucket 8, 1000 cycles, max 700");
	ok(v.hist[12][168] == 1 && v.cycles[168] == 5000,
	   "NPF in slot 168, bucket 12");
	ok(v.hist[6][174] == 1 && v.cycles[174] == 64,
	   "an unknown code in the other slot 174");
	ok(v.hist[0][173] == 1 && v.cycles[173] == 0,
	   "a 0-cycle VMEXIT_INVALID in slot 173, bucket 0");
	ok(v.open == EXITSTATS_SLOT_IDLE, "no exit open after the end");
	/* Between exits: the idle slot takes the time, never reported. */
	exitstats_svm_end(&v);
	ok(v.hist[9][0] == 1 && v.cycles[0] == 1000,
	   "an end with no exit open: its 1000 cycles go to the idle slot");
	/* An exit longer than 2^32 cycles is exact. */
	exit_once(&v, 0x078, (1ULL << 33) + 5);
	ok(v.cycles[121] == (1ULL << 33) + 5 && v.hist[31][121] == 1,
	   "HLT of 2^33 + 5 cycles: exact, in bucket 31");
}

static void test_leaves(void)
{
	static const struct leaf_case answers[] = {
		{ 0x4FFFFFFD, 0x72, { 3, 0, 0, 0 },
		  "0x4FFFFFFD ECX=0x72 (CPUID): 2 + the asking one" },
		{ 0x4FFFFFFC, 0x72, { 0, 0, 4000, 0 },
		  "0x4FFFFFFC ECX=0x72: 4000 cycles" },
		{ 0x4FFFFFFD, 0x7B, { 2, 0, 0, 0 },
		  "IOIO (0x7B): 2" },
		{ 0x4FFFFFFD, 0x78, { 1, 0, 0, 0 },
		  "HLT (0x78): 1" },
		{ 0x4FFFFFFD, 0x7C, { 3, 0, 0, 0 },
		  "MSR (0x7C): 3" },
		{ 0x4FFFFFFC, 0x7C, { 0, 0, 120, 0 },
		  "MSR: 120 cycles" },
		{ 0x4FFFFFFD, 0x400, { 0, 0, 0, 0 },
		  "NPF (0x400): handled, none yet" },
		{ 0x4FFFFFFD, 0xFFFFFFFF, { 0, 0, 0, 0 },
		  "VMEXIT_INVALID (-1): handled, none" },
		{ 0x4FFFFFFF, 0, { 11, 0, 0, 0 },
		  "total: 10 finished + the asking one" },
		{ 0x4FFFFFFE, 0, { 0, 0, 4456, 0 },
		  "total cycles: 4456, other and not handled included" },
		{ 0x4FFFFFFB, 0x72 | 9 << 16, { 1, 0, 0, 0 },
		  "0x4FFFFFFB CPUID bucket 9 (512-1023): the 1000-cycle one" },
		{ 0x4FFFFFFB, 0x72 | 11 << 16, { 1, 0, 0, 0 },
		  "0x4FFFFFFB CPUID bucket 11: the 3000-cycle one" },
		{ 0x4FFFFFFB, 0x7C | 5 << 16, { 3, 0, 0, 0 },
		  "0x4FFFFFFB MSR bucket 5: three of 40" },
		{ 0x4FFFFFFB, 0x400 | 3 << 16, { 0, 0, 0, 0 },
		  "0x4FFFFFFB NPF (0x400): reachable in 16 bits" },
		{ 0x4FFFFFFB, 0x72 | 32 << 16, { 0, 0, 0, 0xFFFFFFFF },
		  "0x4FFFFFFB bucket 32: undefined" },
	};
	static const u32 not_handled[] = {
		0x001, 0x002, 0x005, 0x00F, 0x011, 0x040, 0x042, 0x063,
		0x066, 0x06D, 0x06E, 0x070, 0x071, 0x075, 0x07E, 0x088,
		0x08C, 0x091, 0x09F, 0x0A0, 0x0A1, 0x0A3, 0x0A4, 0x0A5,
		0x0A6, 0xF0000000,
	};
	static const u32 undefined[] = {
		0x0A7, 0x3FF, 0x404, 0xFFFF, 0x10000, 0xFFFFFFFE,
	};
	struct vm vm = { .nr = 2, .asking = 0 };
	struct regs r;
	unsigned int i, bad;

	fake_tsc = 5000;
	exit_once(&vm.vcpu[0], 0x072, 1000);
	exit_once(&vm.vcpu[1], 0x072, 3000);
	exit_once(&vm.vcpu[1], 0x07B, 200);
	exit_once(&vm.vcpu[0], 0x07B, 100);
	exit_once(&vm.vcpu[0], 0x078, 20);
	exit_once(&vm.vcpu[1], 0x07C, 40);
	exit_once(&vm.vcpu[1], 0x07C, 40);
	exit_once(&vm.vcpu[1], 0x07C, 40);
	exit_once(&vm.vcpu[0], 0x0A7, 7);	/* undefined: other */
	exit_once(&vm.vcpu[0], 0x06E, 9);	/* RDTSC: not handled */
	/* The asking CPUID: open on vCPU 0. */
	exitstats_svm_begin(&vm.vcpu[0], 0x072);

	leaves_are(&vm, answers, ARRAY_SIZE(answers));

	bad = 0;
	for (i = 0; i < ARRAY_SIZE(undefined); i++) {
		cpuid(&vm, 0x4FFFFFFD, undefined[i], &r);
		bad += !regs_equal(&r, 0, 0, 0, 0xFFFFFFFF);
		cpuid(&vm, 0x4FFFFFFC, undefined[i], &r);
		bad += !regs_equal(&r, 0, 0, 0, 0xFFFFFFFF);
	}
	ok(!bad, "undefined codes: EAX = EBX = ECX = 0, EDX = 0xFFFFFFFF");
	bad = 0;
	for (i = 0; i < ARRAY_SIZE(not_handled); i++) {
		cpuid(&vm, 0x4FFFFFFD, not_handled[i], &r);
		bad += !regs_equal(&r, 0, 0, 0, 0);
		cpuid(&vm, 0x4FFFFFFC, not_handled[i], &r);
		bad += !regs_equal(&r, 0, 0, 0, 0);
		if (not_handled[i] <= 0xFFFF) {
			cpuid(&vm, 0x4FFFFFFB, not_handled[i] | 3 << 16, &r);
			bad += !regs_equal(&r, 0, 0, 0, 0);
		}
	}
	ok(!bad, "defined, not handled by 6.1's KVM (RDTSC 0x6E with exits among them): all 0");
}

struct table_out {
	int lines, reasons, bad;
	u64 rows, other, total;
	u32 last;
};

static void table_line(void *out, int kind, u32 reason, const char *name,
		       const struct exitstats_figures *f)
{
	struct table_out *t = out;

	t->lines++;
	if (kind == EXITSTATS_LINE_REASON) {
		if ((t->reasons && reason <= t->last) || t->total)
			t->bad++;
		t->last = reason;
		t->reasons++;
		t->rows += f->count;
		if (reason == 0x7B && (f->count != 4 || strcmp(name, "IOIO")))
			t->bad++;
		if (reason == 0xFFFFFFFF && strcmp(name, "INVALID"))
			t->bad++;
	} else if (kind == EXITSTATS_LINE_OTHER) {
		t->other = f->count;
	} else {
		t->total = f->count;
	}
}

static void test_vcpus_and_table(void)
{
	struct vm vm = { .nr = NR_VCPUS, .asking = -1 };
	struct table_out t = { 0 };
	struct regs r;
	int i, n;

	fake_tsc = 77;
	for (i = 0; i < NR_VCPUS; i++) {
		for (n = 0; n <= i; n++)
			exit_once(&vm.vcpu[i], 0x072, 10);
		exit_once(&vm.vcpu[i], 0x07B, 10);
	}
	exit_once(&vm.vcpu[3], 0xFFFFFFF0, 10);	/* other */
	cpuid(&vm, 0x4FFFFFFD, 0x72, &r);
	regs_are(&r, 1 + 2 + 3 + 4, 0, 0, 0,
		 "4 vCPUs: CPUID exits summed (1 + 2 + 3 + 4; debugfs reader, none open)");
	exitstats_table(&exitstats_isa_svm, gather, &vm, table_line, &t);
	ok(t.reasons == 173 && t.lines == 175 && !t.bad,
	   "debugfs: 173 named codes ascending (0xFFFFFFFF last), other, total (%d lines)",
	   t.lines);
	ok(t.rows == 14 && t.other == 1 && t.total == 15,
	   "debugfs: rows 14 + other 1 = total 15");
}

int main(void)
{
	init_handled();
	test_table();
	test_slots();
	test_hooks();
	test_leaves();
	test_vcpus_and_table();
	return done_testing();
}
