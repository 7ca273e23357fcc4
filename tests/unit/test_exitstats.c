// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the version-independent core (src/exitstats) and of the
 * exit-path hooks of kvm-intel (src/kvm-intel/exitstats_vmx.h), the latter
 * compiled against a TSC the test controls (fake/asm/msr.h).
 */
#define __always_inline inline

#include "tap.h"
#include "fake/asm/msr.h"
#include "fake/linux/compiler.h"
#include "exitstats/exitstats.c"
#include "kvm-intel/exitstats_vmx.h"

/*
 * The vendor's vCPU structure, which the exit path addresses the figures
 * from: here with something before them, as in KVM.
 */
struct vcpu_vmx {
	u64 kvm_before[5];
	struct exitstats_vcpu exitstats;
};

#define TEST_ISA	exitstats_isa_vmx
#define TEST_VCPU	struct exitstats_vcpu
#define TEST_NR_SLOTS	EXITSTATS_NR_SLOTS
#define TEST_EXIT_BEGIN	exitstats_exit_begin
#define TEST_EXIT_END	exitstats_exit_end
#include "exitstats_test.h"

/* Finished exits of @slot on @v: the sum of its buckets. */
static u64 slot_count(const struct exitstats_vcpu *v, int slot)
{
	u64 n = 0;
	int b;

	for (b = 0; b < EXITSTATS_NR_BUCKETS; b++)
		n += v->hist[b][slot];
	return n;
}

/* What KVM 6.1/6.12 handles: everything in Appendix C but these. */
static const u32 not_handled[] = { 5, 6, 11, 17, 3, 4, 16, 51, 63, 64, 65,
				   66, 67, 68, 69, 70, 71, 72, 73, 76, 77,
				   78, 79, 80, 81 };
/* handled[] as kvm-intel registers it: slot r + 1 is reason r. */
static void init_handled(void)
{
	unsigned int i;

	memset(handled, 1, sizeof(handled));
	for (i = 0; i < ARRAY_SIZE(not_handled); i++)
		handled[not_handled[i] + 1] = 0;
}

static void test_table(void)
{
	u32 r, defined = 0;

	for (r = 0; r < EXITSTATS_NR_REASONS; r++)
		defined += exitstats_reason_name(r) != NULL;
	is_u64(defined, EXITSTATS_NR_REASONS - 3,
	       "SDM table defines every reason 0..81 but three");
	ok(!exitstats_reason_name(35) && !exitstats_reason_name(38) &&
	   !exitstats_reason_name(42), "35, 38 and 42 are not defined");
	is_str(exitstats_reason_name(0), "EXCEPTION_NMI", "reason 0 name");
	is_str(exitstats_reason_name(10), "CPUID", "reason 10 name");
	is_str(exitstats_reason_name(12), "HLT", "reason 12 name");
	is_str(exitstats_reason_name(30), "IO_INSTRUCTION", "reason 30 name");
	ok(exitstats_reason_name(81) != NULL, "81, the largest, is defined");
	ok(!exitstats_reason_name(82) && !exitstats_reason_name(0xFFFF) &&
	   !exitstats_reason_name(0x10000) &&
	   !exitstats_reason_name(0xFFFFFFFF), "nothing above 81 is defined");
}

static void test_bucket(void)
{
	static const struct {
		u64 c;
		u32 b;
	} cases[] = {
		{ 0, 0 }, { 1, 0 }, { 2, 1 }, { 3, 1 }, { 4, 2 }, { 7, 2 },
		{ 8, 3 }, { 1000, 9 }, { 1023, 9 }, { 1024, 10 },
		{ (1ULL << 31) - 1, 30 }, { 1ULL << 31, 31 },
		{ (1ULL << 32) - 1, 31 }, { 1ULL << 32, 31 },
		{ 1ULL << 63, 31 }, { ~0ULL, 31 },
	};
	unsigned int i, bad = 0, b;
	u64 c;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (exitstats_bucket(cases[i].c) != cases[i].b) {
			printf("# bucket(%llu) = %u, want %u\n",
			       (unsigned long long)cases[i].c,
			       exitstats_bucket(cases[i].c), cases[i].b);
			bad++;
		}
	ok(!bad, "bucket b holds 2^b <= c < 2^(b+1); 0 in 0; 2^31 and up in 31");
	/*
	 * The exit path's own BSR: an exit of c cycles, c below 2^32, lands in
	 * bucket(c), for every 2^b - 1, 2^b, 2^b + 1.
	 */
	for (b = 0; b < 32; b++)
		for (c = (1ULL << b) - 1; c <= (1ULL << b) + 1; c++) {
			struct exitstats_vcpu v = { 0 };
			u32 s = exitstats_slot(10);

			if (c > 0xFFFFFFFFu)
				continue;
			fake_tsc = 0x500000000ULL;	/* no carry into the high half */
			exit_once(&v, 10, c);
			if (v.hist[exitstats_bucket(c)][s] != 1 ||
			    slot_count(&v, s) != 1 || v.cycles[s] != c ||
			    v.max[s] != c) {
				printf("# exit path: %llu cycles misplaced\n",
				       (unsigned long long)c);
				bad++;
			}
		}
	ok(!bad, "the exit path's bucket agrees at every 2^b - 1, 2^b, 2^b + 1");
}

static void test_hooks(void)
{
	struct exitstats_vcpu v = { 0 };
	struct exitstats_figures f = { 0 };
	u32 s10 = exitstats_slot(10);
	int b;

	fake_tsc = 5000;
	exitstats_exit_end(&v);
	is_u64(v.open, EXITSTATS_SLOT_IDLE, "closing with no open exit is harmless");

	exitstats_exit_begin(&v, 10);
	is_u64(v.open, s10, "an exit is open once it happens");
	is_u64(slot_count(&v, s10) + v.cycles[s10], 0,
	       "it is counted only once it is closed");
	fake_tsc += 321;
	exitstats_exit_end(&v);
	is_u64(v.cycles[s10], 321, "cycles from exit to close");
	ok(v.hist[8][s10] == 1 && slot_count(&v, s10) == 1 && v.max[s10] == 321,
	   "counted once, in bucket 8 (256..511), max 321");
	fake_tsc += 777;
	exitstats_exit_end(&v);	/* vcpu_put after the entry closed it */
	ok(v.cycles[s10] == 321 && slot_count(&v, s10) == 1,
	   "a second close adds nothing");
	exit_once(&v, 10, 100);
	ok(v.hist[6][s10] == 1 && v.max[s10] == 321, "a shorter exit keeps max");

	fake_tsc = 0x7FFFFFFF0ULL;	/* low half about to wrap */
	exitstats_exit_begin(&v, 10);
	fake_tsc += 0x20;
	exitstats_exit_end(&v);
	is_u64(v.cycles[s10], 421 + 0x20,
	       "exact across a wrap of the TSC's low half");

	fake_tsc = 0x1FFFFFFF0ULL;
	exitstats_exit_begin(&v, 12);
	fake_tsc += 0x300000005ULL;	/* longer than 2^32 cycles */
	exitstats_exit_end(&v);
	ok(v.cycles[exitstats_slot(12)] == 0x300000005ULL &&
	   v.hist[31][exitstats_slot(12)] == 1 &&
	   v.max[exitstats_slot(12)] == 0x300000005ULL,
	   "an exit longer than 2^32 cycles is exact, in bucket 31, the max");
	fake_tsc = 0x7FFFFFFFFULL;
	exitstats_exit_begin(&v, 12);
	fake_tsc += 0x100000002ULL;	/* longer than 2^32, shorter than max */
	exitstats_exit_end(&v);
	ok(v.cycles[exitstats_slot(12)] == 0x400000007ULL &&
	   v.hist[31][exitstats_slot(12)] == 2 &&
	   v.max[exitstats_slot(12)] == 0x300000005ULL,
	   "a second such exit adds exactly, keeps the larger max");
	for (b = 0; b < EXITSTATS_NR_BUCKETS; b++)
		v.hist[b][exitstats_slot(12)] = 0;
	v.cycles[exitstats_slot(12)] = 0;
	v.max[exitstats_slot(12)] = 0;

	/* Idle time can be anything, even a TSC going back: stays in bounds. */
	fake_tsc -= 0x100;
	exitstats_exit_end(&v);
	is_u64(v.hist[31][EXITSTATS_SLOT_IDLE], 1, "a huge idle delta lands in bucket 31");

	exitstats_exit_begin(&v, 0xFFFF);
	fake_tsc += 5;
	exitstats_exit_end(&v);
	is_u64(slot_count(&v, EXITSTATS_SLOT_OTHER), 1,
	       "an exit beyond the table lands in the overflow slot");
	exitstats_accumulate(&exitstats_isa_vmx, &v, EXITSTATS_ALL, false, &f);
	ok(f.count == 4 && f.cycles == 421 + 0x20 + 5 && f.max == 321 &&
	   f.hist[8] == 1 && f.hist[6] == 1 && f.hist[5] == 1 && f.hist[2] == 1,
	   "totals include it, idle excluded (count %llu, cycles %llu)",
	   (unsigned long long)f.count, (unsigned long long)f.cycles);

	exitstats_exit_begin(&v, 10);
	f = (struct exitstats_figures){ 0 };
	exitstats_accumulate(&exitstats_isa_vmx, &v, s10, true, &f);
	is_u64(f.count, 4, "the asking vCPU's open exit counts, for it");
	f = (struct exitstats_figures){ 0 };
	exitstats_accumulate(&exitstats_isa_vmx, &v, s10, false, &f);
	is_u64(f.count, 3, "not for anyone else");
	f = (struct exitstats_figures){ 0 };
	exitstats_accumulate(&exitstats_isa_vmx, &v, exitstats_slot(12), true, &f);
	is_u64(f.count, 0, "nor under another reason");
	exitstats_exit_end(&v);
}

struct table_out {
	int lines, bad_order;
	int last;
	u64 rows_count, rows_cycles;
	u64 other_count, other_cycles, total_count, total_cycles;
	u64 cpuid_count;
};

static void table_line(void *out, int kind, u32 reason, const char *name,
		       const struct exitstats_figures *f)
{
	struct table_out *t = out;
	u64 count = f->count, cycles = f->cycles;

	t->lines++;
	if (kind == EXITSTATS_LINE_REASON) {
		if ((int)reason <= t->last || t->other_count || t->total_count ||
		    strcmp(name, exitstats_reason_name(reason)))
			t->bad_order++;
		t->last = reason;
		t->rows_count += count;
		t->rows_cycles += cycles;
		if (reason == 10)
			t->cpuid_count = count;
	} else if (kind == EXITSTATS_LINE_OTHER && !strcmp(name, "other")) {
		t->other_count = count;
		t->other_cycles = cycles;
	} else if (kind == EXITSTATS_LINE_TOTAL && !strcmp(name, "total")) {
		t->total_count = count;
		t->total_cycles = cycles;
	} else {
		t->bad_order++;
	}
}

static void test_debugfs_table(void)
{
	struct vm vm = { .nr = 2, .asking = -1 };
	struct table_out t = { .last = -1 };
	struct exitstats_figures f = { 0 };

	fake_tsc = 1000;
	exit_once(&vm.vcpu[0], 10, 100);
	exit_once(&vm.vcpu[1], 10, 50);
	exit_once(&vm.vcpu[0], 30, 7);
	exit_once(&vm.vcpu[1], 35, 11);		/* not SDM-defined */
	exit_once(&vm.vcpu[0], 82, 13);		/* beyond the table */
	exit_once(&vm.vcpu[1], 0xFFFF, 17);
	exitstats_table(&exitstats_isa_vmx, gather, &vm, table_line, &t);
	gather(&vm, EXITSTATS_ALL, &f);
	ok(t.lines == EXITSTATS_NR_REASONS - 3 + 2 && !t.bad_order,
	   "debugfs table: SDM-defined reasons ascending, then other, total (%d lines)",
	   t.lines);
	is_u64(t.cpuid_count, 2, "debugfs table: reason 10 summed over vCPUs");
	ok(t.other_count == 3 && t.other_cycles == 11 + 13 + 17,
	   "other: undefined reasons and those beyond the table (%llu, %llu)",
	   (unsigned long long)t.other_count,
	   (unsigned long long)t.other_cycles);
	ok(t.total_count == t.rows_count + t.other_count &&
	   t.total_cycles == t.rows_cycles + t.other_cycles,
	   "total = rows + other");
	ok(t.total_count == f.count && t.total_cycles == f.cycles && f.count == 6,
	   "total = what leaves 0x4FFFFFFF/0x4FFFFFFE add up");
}

static void test_guest_mode(void)
{
	static const struct {
		const char *s;
		int mode;	/* -1: rejected */
	} cases[] = {
		{ "Y", EXITSTATS_GUEST_ON }, { "y\n", EXITSTATS_GUEST_ON },
		{ "1", EXITSTATS_GUEST_ON }, { "on", EXITSTATS_GUEST_ON },
		{ "true", EXITSTATS_GUEST_ON }, { "N", EXITSTATS_GUEST_OFF },
		{ "n\n", EXITSTATS_GUEST_OFF }, { "0", EXITSTATS_GUEST_OFF },
		{ "off", EXITSTATS_GUEST_OFF }, { "false", EXITSTATS_GUEST_OFF },
		{ "cpl0", EXITSTATS_GUEST_CPL0 },
		{ "cpl0\n", EXITSTATS_GUEST_CPL0 },
		{ "", -1 }, { "\n", -1 }, { "cpl", -1 }, { "cpl0x", -1 },
		{ "cpl0\n\n", -1 }, { "cpl3", -1 }, { "o", -1 }, { "2", -1 },
		{ "CPL0", -1 }, { " Y", -1 },
	};
	unsigned int i;
	int mode, bad = 0;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		bool valid = cases[i].mode >= 0;

		mode = 99;
		if (exitstats_parse_guest_mode(cases[i].s, &mode) != valid ||
		    (valid && mode != cases[i].mode) ||
		    (!valid && mode != 99)) {
			printf("# \"%s\": got %d\n", cases[i].s, mode);
			bad++;
		}
	}
	ok(!bad, "exitstats_cpuid values: Y/N as kstrtobool takes them, cpl0");
	ok(!exitstats_parse_guest_mode(NULL, &mode), "no value is rejected");
	is_str(exitstats_guest_mode_name(EXITSTATS_GUEST_ON), "Y", "reads back Y");
	is_str(exitstats_guest_mode_name(EXITSTATS_GUEST_OFF), "N", "reads back N");
	is_str(exitstats_guest_mode_name(EXITSTATS_GUEST_CPL0), "cpl0",
	       "reads back cpl0");
	ok(exitstats_guest_allowed(EXITSTATS_GUEST_ON, 0) &&
	   exitstats_guest_allowed(EXITSTATS_GUEST_ON, 3) &&
	   exitstats_guest_allowed(EXITSTATS_GUEST_CPL0, 0) &&
	   !exitstats_guest_allowed(EXITSTATS_GUEST_CPL0, 1) &&
	   !exitstats_guest_allowed(EXITSTATS_GUEST_CPL0, 3) &&
	   !exitstats_guest_allowed(EXITSTATS_GUEST_OFF, 0) &&
	   !exitstats_guest_allowed(EXITSTATS_GUEST_OFF, 3),
	   "Y: every CPL; cpl0: CPL 0 only; N: nobody");
}

static void test_leaves(void)
{
	static const struct leaf_case finished[] = {
		{ 0x4FFFFFFF, 0x1234, { 7, 0, 0, 0 },
		  "0x4FFFFFFF: total exits in EAX, ECX ignored" },
		{ 0x4FFFFFFE, 0x1234, { 0, 0, 547, 0 },
		  "0x4FFFFFFE: total cycles in EBX:ECX" },
		{ 0x4FFFFFFD, 10, { 5, 0, 0, 0 },
		  "0x4FFFFFFD ECX=10: CPUID exits" },
		{ 0x4FFFFFFC, 10, { 0, 0, 500, 0 },
		  "0x4FFFFFFC ECX=10: CPUID cycles" },
		{ 0x4FFFFFFD, 30, { 1, 0, 0, 0 },
		  "0x4FFFFFFD ECX=30: I/O exits" },
		{ 0x4FFFFFFC, 12, { 0, 0, 7, 0 },
		  "0x4FFFFFFC ECX=12: HLT cycles" },
		{ 0x4FFFFFFD, 0, { 0, 0, 0, 0 },
		  "ECX=0: defined and handled, none yet" },
		{ 0x4FFFFFFD, 48, { 0, 0, 0, 0 },
		  "ECX=48 (EPT violation): handled, none yet" },
	};
	static const struct leaf_case buckets[] = {
		{ 0x4FFFFFFB, 10 | 6 << 16, { 5, 0, 0, 0 },
		  "0x4FFFFFFB ECX=10|6<<16: 5 CPUIDs in bucket 6" },
		{ 0x4FFFFFFB, 10 | 7 << 16, { 0, 0, 0, 0 },
		  "0x4FFFFFFB: bucket 7 empty" },
		{ 0x4FFFFFFB, 10, { 0, 0, 0, 0 },
		  "0x4FFFFFFB: bucket 0 empty" },
		{ 0x4FFFFFFB, 30 | 5 << 16, { 1, 0, 0, 0 },
		  "0x4FFFFFFB ECX=30|5<<16: the I/O exit" },
		{ 0x4FFFFFFB, 12 | 2 << 16, { 1, 0, 0, 0 },
		  "0x4FFFFFFB ECX=12|2<<16: the HLT" },
		{ 0x4FFFFFFB, 12 | 31 << 16, { 0, 0, 0, 0 },
		  "0x4FFFFFFB: bucket 31 is a bucket" },
	};
	static const struct leaf_case asking[] = {
		{ 0x4FFFFFFD, 10, { 6, 0, 0, 0 },
		  "0x4FFFFFFD ECX=10: the asking CPUID counts" },
		{ 0x4FFFFFFF, 0, { 8, 0, 0, 0 },
		  "0x4FFFFFFF: so do the totals" },
		{ 0x4FFFFFFB, 10 | 6 << 16, { 5, 0, 0, 0 },
		  "0x4FFFFFFB: buckets hold finished exits only" },
		{ 0x4FFFFFFC, 10, { 0, 0, 500, 0 },
		  "0x4FFFFFFC: cycles of finished exits only" },
	};
	struct vm vm = { .nr = 1, .asking = -1 };
	struct regs r;
	int i;

	fake_tsc = 0;
	for (i = 0; i < 5; i++)
		exit_once(&vm.vcpu[0], 10, 100);
	exit_once(&vm.vcpu[0], 30, 40);
	exit_once(&vm.vcpu[0], 12, 7);

	ok(!cpuid(&vm, 0x4FFFFFFA, 10, &r) && !cpuid(&vm, 0x40000000, 0, &r) &&
	   !cpuid(&vm, 0, 0, &r) && !cpuid(&vm, 0xCFFFFFFF, 10, &r) &&
	   !cpuid(&vm, 0x50000000, 0, &r) && !cpuid(&vm, 0x4FFFFFFB - 0x100, 0, &r),
	   "other leaves are not ours");

	leaves_are(&vm, finished, ARRAY_SIZE(finished));

	leaves_are(&vm, buckets, ARRAY_SIZE(buckets));

	/* The guest asks with a CPUID exit open on its vCPU. */
	vm.asking = 0;
	exitstats_exit_begin(&vm.vcpu[0], 10);
	leaves_are(&vm, asking, ARRAY_SIZE(asking));
	exitstats_exit_end(&vm.vcpu[0]);
}

static void test_classes(void)
{
	static const u32 undefined[] = { 35, 38, 42, 82, 0xFFFF, 0x10000,
					 0x80000000, 0xFFFFFFFF };
	static const u32 unhandled[] = { 3, 4, 16, 51, 63, 64, 67, 68, 81 };
	static const u32 bad_hist[] = { 10 | 32 << 16, 10 | 1 << 21,
					10 | 1u << 31, 0xFFE0000A, 0xFFFFFFFF,
					35 | 3 << 16, 82, 0xFFFF | 31 << 16 };
	/* The leaves whose ECX is a reason alone: count, then cycles. */
	static const u32 per_reason[] = { 0x4FFFFFFD, 0x4FFFFFFC };
	struct vm vm = { .nr = 1, .asking = -1 };
	struct regs r;
	unsigned int i, l;

	/* Give the unhandled reasons figures: they must still read 0. */
	for (i = 0; i < ARRAY_SIZE(unhandled); i++)
		exit_once(&vm.vcpu[0], unhandled[i], 9);

	for (i = 0; i < ARRAY_SIZE(undefined); i++)
		for (l = 0; l < ARRAY_SIZE(per_reason); l++) {
			cpuid(&vm, per_reason[l], undefined[i], &r);
			regs_are(&r, 0, 0, 0, 0xFFFFFFFF,
				 "0x%X ECX=0x%x: not defined", per_reason[l],
				 undefined[i]);
		}
	for (i = 0; i < ARRAY_SIZE(bad_hist); i++) {
		cpuid(&vm, 0x4FFFFFFB, bad_hist[i], &r);
		regs_are(&r, 0, 0, 0, 0xFFFFFFFF,
			 "0x4FFFFFFB ECX=0x%x: bad bucket or reason", bad_hist[i]);
	}
	for (i = 0; i < ARRAY_SIZE(unhandled); i++) {
		cpuid(&vm, 0x4FFFFFFB, unhandled[i] | 3 << 16, &r);
		regs_are(&r, 0, 0, 0, 0,
			 "0x4FFFFFFB ECX=%u|3<<16: defined, not handled",
			 unhandled[i]);
		for (l = 0; l < ARRAY_SIZE(per_reason); l++) {
			cpuid(&vm, per_reason[l], unhandled[i], &r);
			regs_are(&r, 0, 0, 0, 0,
				 "0x%X ECX=%u: defined, not handled",
				 per_reason[l], unhandled[i]);
		}
	}
}

static void test_high_half(void)
{
	static const struct leaf_case halves[] = {
		{ 0x4FFFFFFD, 10, { 0x23456789, 0x1, 0, 0 },
		  "64-bit count: EAX low, EBX high" },
		{ 0x4FFFFFFC, 10, { 0, 0xABCDEF01, 0x23456789, 0 },
		  "64-bit cycles: EBX high, ECX low" },
		{ 0x4FFFFFFF, 0, { 0x23456788, 0x2, 0, 0 },
		  "total exits carry into the high half" },
		{ 0x4FFFFFFE, 0, { 0, 0xABCDEF02, 0x23456789, 0 },
		  "total cycles carry into the high half" },
		{ 0x4FFFFFFB, 10 | 9 << 16, { 0x23456789, 0x1, 0, 0 },
		  "64-bit bucket: EAX low, EBX high" },
	};
	struct vm vm = { .nr = 1, .asking = -1 };
	u32 s = exitstats_slot(10);

	vm.vcpu[0].hist[9][s] = 0x123456789ULL;
	vm.vcpu[0].cycles[s] = 0xABCDEF0123456789ULL;
	vm.vcpu[0].hist[4][exitstats_slot(30)] = 0xFFFFFFFFULL;
	vm.vcpu[0].cycles[exitstats_slot(30)] = 0x0000000100000000ULL;

	leaves_are(&vm, halves, ARRAY_SIZE(halves));
}

static void test_vcpus(void)
{
	struct vm vm = { .nr = NR_VCPUS, .asking = -1 };
	u64 want_count = 0, want_cycles = 0, all = 0;
	struct regs r;
	int i, n;

	/* vCPU i causes 10 * (i + 1) CPUID exits of (i + 1) * 3 cycles. */
	for (i = 0; i < NR_VCPUS; i++) {
		for (n = 0; n < 10 * (i + 1); n++)
			exit_once(&vm.vcpu[i], 10, (i + 1) * 3);
		want_count += 10 * (i + 1);
		want_cycles += 10 * (i + 1) * (i + 1) * 3;
		exit_once(&vm.vcpu[i], 48, 1);
	}
	all = want_count + NR_VCPUS;

	cpuid(&vm, 0x4FFFFFFD, 10, &r);
	regs_are(&r, (u32)want_count, 0, 0, 0, "CPUID exits summed over 4 vCPUs");
	cpuid(&vm, 0x4FFFFFFC, 10, &r);
	regs_are(&r, 0, 0, (u32)want_cycles, 0, "CPUID cycles summed over 4 vCPUs");
	cpuid(&vm, 0x4FFFFFFF, 0, &r);
	regs_are(&r, (u32)all, 0, 0, 0, "total exits summed over 4 vCPUs");
	cpuid(&vm, 0x4FFFFFFE, 0, &r);
	regs_are(&r, 0, 0, (u32)(want_cycles + NR_VCPUS), 0,
		 "total cycles summed over 4 vCPUs");
	for (i = 0; i < NR_VCPUS; i++) {
		u32 b = exitstats_bucket((i + 1) * 3), want = 0, j;

		for (j = 0; j < NR_VCPUS; j++)
			if (exitstats_bucket((j + 1) * 3) == b)
				want += 10 * (j + 1);
		cpuid(&vm, 0x4FFFFFFB, 10 | b << 16, &r);
		regs_are(&r, want, 0, 0, 0, "bucket %u: vCPU %d's CPUIDs, summed", b, i);
	}
}

int main(void)
{
	init_handled();
	test_table();
	test_bucket();
	test_hooks();
	test_leaves();
	test_classes();
	test_high_half();
	test_vcpus();
	test_debugfs_table();
	test_guest_mode();
	return done_testing();
}
