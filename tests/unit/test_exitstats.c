// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the version-independent core (src/exitstats) and of the
 * exit-path hooks of kvm-intel (src/kvm-intel/exitstats_vmx.h), the latter
 * compiled against a TSC the test controls (fake/asm/msr.h).
 */
#define __always_inline inline

#include "tap.h"
#include "fake/asm/msr.h"
#include "exitstats/exitstats.c"
#include "kvm-intel/exitstats_vmx.h"

#define NR_VCPUS 4

/* A VM: its vCPUs' figures, summed the way kvm.ko's gather does. */
struct vm {
	struct exitstats_vcpu vcpu[NR_VCPUS];
	int nr;
};

static void gather(void *ctx, int slot, u64 *count, u64 *cycles)
{
	struct vm *vm = ctx;
	int i;

	for (i = 0; i < vm->nr; i++)
		exitstats_accumulate(&vm->vcpu[i], slot, count, cycles);
}

/* What KVM 6.1/6.12 handles: everything in Appendix C but these. */
static const u32 not_handled[] = { 5, 6, 11, 17, 3, 4, 16, 51, 63, 64, 65,
				   66, 67, 68, 69, 70, 71, 72, 73, 76, 77,
				   78, 79, 80, 81 };
static u8 handled[EXITSTATS_NR_REASONS];

static void init_handled(void)
{
	unsigned int i;

	memset(handled, 1, sizeof(handled));
	for (i = 0; i < ARRAY_SIZE(not_handled); i++)
		handled[not_handled[i]] = 0;
}

struct regs {
	u32 eax, ebx, ecx, edx;
};

/* CPUID as the guest issues it; registers start as garbage. */
static bool cpuid(struct vm *vm, u32 leaf, u32 subleaf, struct regs *r)
{
	u32 eax = 0xdeadbeef, ebx = 0xdeadbeef, edx = 0xdeadbeef;

	r->ecx = subleaf;
	if (!exitstats_answer(leaf, &eax, &ebx, &r->ecx, &edx, handled,
			      gather, vm))
		return false;
	r->eax = eax;
	r->ebx = ebx;
	r->edx = edx;
	return true;
}

static void regs_are(const struct regs *r, u32 a, u32 b, u32 c, u32 d,
		     const char *fmt, ...)
{
	int good = r->eax == a && r->ebx == b && r->ecx == c && r->edx == d;
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!ok(good, "%s", what))
		printf("#   expected %08x %08x %08x %08x\n"
		       "#   got      %08x %08x %08x %08x\n",
		       a, b, c, d, r->eax, r->ebx, r->ecx, r->edx);
}

/* One complete exit of @reason on @v, taking @cycles to handle. */
static void exit_once(struct exitstats_vcpu *v, u16 reason, u64 cycles)
{
	exitstats_exit_begin(v, reason);
	fake_tsc += cycles;
	exitstats_exit_end(v);
	fake_tsc += 1000;	/* guest time: never accounted */
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

static void test_hooks(void)
{
	struct exitstats_vcpu v = { 0 };
	u64 c = 0, cy = 0;

	fake_tsc = 5000;
	exitstats_exit_end(&v);
	is_u64(v.open, EXITSTATS_SLOT_IDLE, "closing with no open exit is harmless");

	exitstats_exit_begin(&v, 10);
	is_u64(v.count[exitstats_slot(10)], 1, "an exit is counted when it happens");
	is_u64(v.cycles[exitstats_slot(10)], 0, "its cycles only once it is closed");
	fake_tsc += 321;
	exitstats_exit_end(&v);
	is_u64(v.cycles[exitstats_slot(10)], 321, "cycles from exit to close");
	fake_tsc += 777;
	exitstats_exit_end(&v);	/* vcpu_put after the entry closed it */
	is_u64(v.cycles[exitstats_slot(10)], 321, "a second close adds nothing");

	fake_tsc = 0x7FFFFFFF0ULL;	/* low half about to wrap */
	exitstats_exit_begin(&v, 10);
	fake_tsc += 0x20;
	exitstats_exit_end(&v);
	is_u64(v.cycles[exitstats_slot(10)], 321 + 0x20,
	       "exact across a wrap of the TSC's low half");

	fake_tsc = 0x1FFFFFFF0ULL;
	exitstats_exit_begin(&v, 12);
	fake_tsc += 0x300000005ULL;	/* longer than 2^32 cycles */
	exitstats_exit_end(&v);
	is_u64(v.cycles[exitstats_slot(12)], 0x300000005ULL,
	       "an exit longer than 2^32 cycles is exact");
	v.cycles[exitstats_slot(12)] = 0;
	v.count[exitstats_slot(12)] = 0;

	exitstats_exit_begin(&v, 0xFFFF);
	fake_tsc += 5;
	exitstats_exit_end(&v);
	is_u64(v.count[EXITSTATS_SLOT_OTHER], 1,
	       "an exit beyond the table lands in the overflow slot");
	exitstats_accumulate(&v, EXITSTATS_ALL, &c, &cy);
	ok(c == 3 && cy == 321 + 0x20 + 5, "totals include it (count %llu, cycles %llu)",
	   (unsigned long long)c, (unsigned long long)cy);
}

struct table_out {
	int lines, bad_order;
	int last;
	u64 rows_count, rows_cycles;
	u64 other_count, other_cycles, total_count, total_cycles;
	u64 cpuid_count;
};

static void table_line(void *out, int reason, const char *name, u64 count,
		       u64 cycles)
{
	struct table_out *t = out;

	t->lines++;
	if (reason >= 0) {
		if (reason <= t->last || t->other_count || t->total_count ||
		    strcmp(name, exitstats_reason_name(reason)))
			t->bad_order++;
		t->last = reason;
		t->rows_count += count;
		t->rows_cycles += cycles;
		if (reason == 10)
			t->cpuid_count = count;
	} else if (reason == EXITSTATS_LINE_OTHER && !strcmp(name, "other")) {
		t->other_count = count;
		t->other_cycles = cycles;
	} else if (reason == EXITSTATS_LINE_TOTAL && !strcmp(name, "total")) {
		t->total_count = count;
		t->total_cycles = cycles;
	} else {
		t->bad_order++;
	}
}

static void test_debugfs_table(void)
{
	struct vm vm = { .nr = 2 };
	struct table_out t = { .last = -1 };
	u64 c = 0, cy = 0;

	fake_tsc = 1000;
	exit_once(&vm.vcpu[0], 10, 100);
	exit_once(&vm.vcpu[1], 10, 50);
	exit_once(&vm.vcpu[0], 30, 7);
	exit_once(&vm.vcpu[1], 35, 11);		/* not SDM-defined */
	exit_once(&vm.vcpu[0], 82, 13);		/* beyond the table */
	exit_once(&vm.vcpu[1], 0xFFFF, 17);
	exitstats_table(gather, &vm, table_line, &t);
	gather(&vm, EXITSTATS_ALL, &c, &cy);
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
	ok(t.total_count == c && t.total_cycles == cy && c == 6,
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
	struct vm vm = { .nr = 1 };
	struct regs r;
	int i;

	fake_tsc = 0;
	for (i = 0; i < 5; i++)
		exit_once(&vm.vcpu[0], 10, 100);
	exit_once(&vm.vcpu[0], 30, 40);
	exit_once(&vm.vcpu[0], 12, 7);

	ok(!cpuid(&vm, 0x4FFFFFFB, 10, &r) && !cpuid(&vm, 0x40000000, 0, &r) &&
	   !cpuid(&vm, 0, 0, &r) && !cpuid(&vm, 0xCFFFFFFF, 10, &r),
	   "other leaves are not ours");

	cpuid(&vm, 0x4FFFFFFF, 0x1234, &r);
	regs_are(&r, 7, 0, 0, 0, "0x4FFFFFFF: total exits in EAX, ECX ignored");
	cpuid(&vm, 0x4FFFFFFE, 0x1234, &r);
	regs_are(&r, 0, 0, 547, 0, "0x4FFFFFFE: total cycles in EBX:ECX");
	cpuid(&vm, 0x4FFFFFFD, 10, &r);
	regs_are(&r, 5, 0, 0, 0, "0x4FFFFFFD ECX=10: CPUID exits");
	cpuid(&vm, 0x4FFFFFFC, 10, &r);
	regs_are(&r, 0, 0, 500, 0, "0x4FFFFFFC ECX=10: CPUID cycles");
	cpuid(&vm, 0x4FFFFFFD, 30, &r);
	regs_are(&r, 1, 0, 0, 0, "0x4FFFFFFD ECX=30: I/O exits");
	cpuid(&vm, 0x4FFFFFFC, 12, &r);
	regs_are(&r, 0, 0, 7, 0, "0x4FFFFFFC ECX=12: HLT cycles");
	cpuid(&vm, 0x4FFFFFFD, 0, &r);
	regs_are(&r, 0, 0, 0, 0, "ECX=0: defined and handled, none yet");
	cpuid(&vm, 0x4FFFFFFD, 48, &r);
	regs_are(&r, 0, 0, 0, 0, "ECX=48 (EPT violation): handled, none yet");
}

static void test_classes(void)
{
	static const u32 undefined[] = { 35, 38, 42, 82, 0xFFFF, 0x10000,
					 0x80000000, 0xFFFFFFFF };
	static const u32 unhandled[] = { 3, 4, 16, 51, 63, 64, 67, 68, 81 };
	struct vm vm = { .nr = 1 };
	struct regs r;
	unsigned int i;

	/* Give the unhandled reasons figures: they must still read 0. */
	for (i = 0; i < ARRAY_SIZE(unhandled); i++)
		exit_once(&vm.vcpu[0], unhandled[i], 9);

	for (i = 0; i < ARRAY_SIZE(undefined); i++) {
		cpuid(&vm, 0x4FFFFFFD, undefined[i], &r);
		regs_are(&r, 0, 0, 0, 0xFFFFFFFF,
			 "0x4FFFFFFD ECX=0x%x: not defined", undefined[i]);
		cpuid(&vm, 0x4FFFFFFC, undefined[i], &r);
		regs_are(&r, 0, 0, 0, 0xFFFFFFFF,
			 "0x4FFFFFFC ECX=0x%x: not defined", undefined[i]);
	}
	for (i = 0; i < ARRAY_SIZE(unhandled); i++) {
		cpuid(&vm, 0x4FFFFFFD, unhandled[i], &r);
		regs_are(&r, 0, 0, 0, 0,
			 "0x4FFFFFFD ECX=%u: defined, not handled", unhandled[i]);
		cpuid(&vm, 0x4FFFFFFC, unhandled[i], &r);
		regs_are(&r, 0, 0, 0, 0,
			 "0x4FFFFFFC ECX=%u: defined, not handled", unhandled[i]);
	}
}

static void test_high_half(void)
{
	struct vm vm = { .nr = 1 };
	u32 s = exitstats_slot(10);
	struct regs r;

	vm.vcpu[0].count[s] = 0x123456789ULL;
	vm.vcpu[0].cycles[s] = 0xABCDEF0123456789ULL;
	vm.vcpu[0].count[exitstats_slot(30)] = 0xFFFFFFFFULL;
	vm.vcpu[0].cycles[exitstats_slot(30)] = 0x0000000100000000ULL;

	cpuid(&vm, 0x4FFFFFFD, 10, &r);
	regs_are(&r, 0x23456789, 0x1, 0, 0, "64-bit count: EAX low, EBX high");
	cpuid(&vm, 0x4FFFFFFC, 10, &r);
	regs_are(&r, 0, 0xABCDEF01, 0x23456789, 0,
		 "64-bit cycles: EBX high, ECX low");
	cpuid(&vm, 0x4FFFFFFF, 0, &r);
	regs_are(&r, 0x23456788, 0x2, 0, 0,
		 "total exits carry into the high half");
	cpuid(&vm, 0x4FFFFFFE, 0, &r);
	regs_are(&r, 0, 0xABCDEF02, 0x23456789, 0,
		 "total cycles carry into the high half");
}

static void test_vcpus(void)
{
	struct vm vm = { .nr = NR_VCPUS };
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
}

int main(void)
{
	init_handled();
	test_table();
	test_hooks();
	test_leaves();
	test_classes();
	test_high_half();
	test_vcpus();
	test_debugfs_table();
	test_guest_mode();
	return done_testing();
}
