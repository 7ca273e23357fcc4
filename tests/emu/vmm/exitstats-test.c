// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of kvm-exitstats, run inside the emulated
 * VMX host.  Guests of our own (guest.S) cause exits whose number follows
 * from what they ran; the tests compare the CPUID leaves 0x4FFFFFFC ..
 * 0x4FFFFFFF and the per-VM debugfs table with those numbers.  Nothing
 * expected here is taken from the code under test.
 *
 * usage: exitstats-test [--compare FILE]   kvm-exitstats loaded
 *        exitstats-test --fresh            the same, only a fresh VM's
 *                                          first read
 *        exitstats-test --stock FILE       stock KVM loaded: check its
 *                                          answers and record them in FILE
 *        exitstats-test --stock-kvm FILE   stock kvm.ko, our kvm-intel.ko:
 *                                          guests run, answers as in FILE
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tap.h"
#include "checks.h"
#include "hostcli.h"

/* Intel SDM Vol. 3D, Appendix C (order number 325462-092US): basic exit
 * reasons 0 .. 81 are defined except 35, 38 and 42.
 */
#define SDM_NR_REASONS	82
#define NR_SWEEP	(SDM_NR_REASONS + 1)	/* and the first one above */

#define PARAM_PATH	"/sys/module/kvm/parameters/exitstats_cpuid"
#define FEP_PATH	"/sys/module/kvm/parameters/force_emulation_prefix"

static bool sdm_defined(uint32_t reason)
{
	return reason < SDM_NR_REASONS &&
	       reason != 35 && reason != 38 && reason != 42;
}

/* Defined by the SDM, no handler in kvm_vmx_exit_handlers[] (6.1, 6.12). */
static const uint32_t unhandled_reasons[] = { 3, 4, 16, 51, 63, 64, 67, 68 };
/* Not defined by the SDM: the holes, the first above, 16-bit and beyond. */
static const uint32_t undefined_reasons[] = {
	35, 38, 42, SDM_NR_REASONS, 0xffff, 0x10000, 0x80000021, 0xffffffff,
};

static const struct guest_exits vmx = {
	.cpuid	= { EXIT_REASON_CPUID, "CPUID", "10" },
	.io	= { EXIT_REASON_IO, "I/O", "30" },
	.hlt	= { EXIT_REASON_HLT, "HLT", "12" },
	.msr	= { EXIT_REASON_WRMSR, "WRMSR", "32" },
	.manual	= "SDM",
};

/* The VMM's own accounting: what it saw in user space is what it ran. */
static void check_vmm_saw(const struct vm *vm, const char *what)
{
	uint64_t io = 0, hlt = 0;
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		io += vm->vcpu[i].io_seen;
		hlt += vm->vcpu[i].hlt_seen;
	}
	is_u64(io, vm_io_exits(vm), "%s: user space saw each OUT the guest ran",
	       what);
	is_u64(hlt, vm_hlt_exits(vm),
	       "%s: user space saw each HLT the guest ran", what);
}

static void test_exact_counts(void)
{
	struct vm vm;

	new_vm(&vm, 1);
	check_fresh_counts(&vm, &vmx);
	check_vmm_saw(&vm, "one vCPU");
	check_counts(&vm, &vm.vcpu[0], &vmx, "after OUT x50, HLT x20");
	vm_destroy(&vm);
}

/*
 * Sweep @leaf over every reason in one guest run, twice per attempt if
 * needed: an exit the guest did not cause (a host interrupt, say) between
 * the bracketing totals makes the snapshot inexact, so take another.
 * Records: [0] total count, [1] total cycles, [2 + r] reason r,
 * [NR_SWEEP + 2] total count, [NR_SWEEP + 3] total cycles.
 */
#define SW_T1	0
#define SW_Y1	1
#define SW_R(r)	(2 + (r))
#define SW_T2	(NR_SWEEP + 2)
#define SW_Y2	(NR_SWEEP + 3)
#define SW_LEN	(NR_SWEEP + 4)

static bool sweep_quiet(const struct cpuid_regs *s)
{
	/* Only our reads between the two totals: NR_SWEEP + 2 of them. */
	return count_of(s[SW_T2]) - count_of(s[SW_T1]) == NR_SWEEP + 2;
}

static int sweep_table(struct vcpu *v, uint32_t leaf, struct cpuid_regs *s)
{
	int attempt;

	for (attempt = 0; attempt < 8; attempt++) {
		if (guest_sweep(v, leaf, NR_SWEEP, s))
			bail("guest sweep failed");
		if (sweep_quiet(s))
			return attempt;
	}
	return -1;
}

/* The other and total lines of the last table read_debugfs() read. */
static struct dbgfs_sums dbgfs_sums;

/*
 * Parse /sys/kernel/debug/kvm/<pid>-<vmfd>/exitstats: the rows into @rows,
 * the other and total lines into dbgfs_sums.
 */
static int read_debugfs(const struct vm *vm, struct dbgfs_row *rows,
			int *nr_rows)
{
	struct exitstats_table t = { .rows = rows, .nr = SDM_NR_REASONS };
	int ret = read_exitstats(vm, &t);

	dbgfs_sums = t.sums;
	*nr_rows = t.nr_rows;
	if (t.beyond)
		printf("# %d debugfs rows of reasons above %d\n", t.beyond,
		       SDM_NR_REASONS - 1);
	return ret || t.beyond ? -1 : 0;
}

static void check_sweep_regs(const struct cpuid_regs *s, bool cycles,
			     const char *what)
{
	int bad = 0;
	uint32_t r;

	for (r = 0; r < NR_SWEEP; r++) {
		struct cpuid_regs g = s[SW_R(r)];
		bool good;

		if (!sdm_defined(r))
			good = regs_eq(g, regs_undefined);
		else if (cycles)
			good = g.eax == 0 && g.edx == 0;
		else
			good = g.ebx == 0 && g.ecx == 0 && g.edx == 0;
		if (!good) {
			printf("# reason %u:", r);
			show_regs("got", g);
			bad++;
		}
	}
	ok(!bad, "%s: every reason's registers have the specified shape",
	   what);
	if (cycles)
		ok(s[SW_Y1].eax == 0 && s[SW_Y1].edx == 0 &&
		   s[SW_Y2].eax == 0 && s[SW_Y2].edx == 0,
		   "%s: 0x4FFFFFFE answers EAX = EDX = 0", what);
	else
		ok(s[SW_T1].ecx == 0 && s[SW_T1].edx == 0 &&
		   s[SW_T2].ecx == 0 && s[SW_T2].edx == 0,
		   "%s: 0x4FFFFFFF answers ECX = EDX = 0", what);
}

/*
 * Totals against the sum over all reasons, the cycles table, and the
 * debugfs table, all from one VM with known exits.
 */
static void test_tables(void)
{
	static struct cpuid_regs cy[SW_LEN], ct[SW_LEN];
	struct dbgfs_row rows[SDM_NR_REASONS];
	uint64_t sum, caused, want, ysum;
	struct vm vm;
	struct vcpu *v;
	int attempt, nr_rows, bad;
	uint32_t r;

	new_vm(&vm, 1);
	v = &vm.vcpu[0];
	if (guest_cpuid_loop(v, 0, 500) || guest_io_loop(v, 30) ||
	    guest_hlt_loop(v, 10))
		bail("guest loops failed");

	caused = vm_cpuid_exits(&vm) + vm_io_exits(&vm) + vm_hlt_exits(&vm);
	for (attempt = 0; attempt < 8; attempt++) {
		if (sweep_table(v, LEAF_REASON_CYCLES, cy) < 0 ||
		    sweep_table(v, LEAF_REASON_COUNT, ct) < 0)
			bail("no quiet sweep in 8 attempts");
		/* Between the two sweeps: a total-cycles read, the first
		 * sweep's OUT and the second's first read, nothing else.
		 */
		if (count_of(ct[SW_T1]) - count_of(cy[SW_T2]) != 3)
			continue;
		if (read_debugfs(&vm, rows, &nr_rows)) {
			ok(0, "debugfs table readable and well formed");
			vm_destroy(&vm);
			return;
		}
		sum = 0;
		for (r = 0; r < SDM_NR_REASONS; r++)
			sum += rows[r].count;
		/* After the last total: one cycles read and the OUT. */
		if (sum == count_of(ct[SW_T2]) + 2)
			break;
	}
	if (attempt == 8)
		bail("no quiet pair of sweeps in 8 attempts");
	if (attempt)
		printf("# %d attempts disturbed by exits of the host's making\n",
		       attempt);

	/* 0x4FFFFFFF against the sum over all reasons read at one point. */
	check_sweep_regs(ct, false, "count sweep");
	sum = 0;
	for (r = 0; r < NR_SWEEP; r++)
		sum += count_of(ct[SW_R(r)]);
	/* Reads after reason 10's own: reasons 11 .. NR_SWEEP - 1, T2. */
	want = sum + (NR_SWEEP - 1 - EXIT_REASON_CPUID) + 1;
	is_u64(count_of(ct[SW_T2]), want,
	       "0x4FFFFFFF equals the sum over all reasons, allowing for the reads");
	ok(count_of(ct[SW_T1]) >= caused,
	   "0x4FFFFFFF (%llu) >= exits the guest caused (%llu)",
	   (unsigned long long)count_of(ct[SW_T1]),
	   (unsigned long long)caused);
	/* The sweep's own figures for the reasons the guest controls. */
	want = vm_cpuid_exits(&vm) - (NR_SWEEP + 4) + 2 + EXIT_REASON_CPUID + 1;
	is_u64(count_of(ct[SW_R(EXIT_REASON_CPUID)]), want,
	       "count sweep: CPUID exits exact");
	is_u64(count_of(ct[SW_R(EXIT_REASON_IO)]), vm_io_exits(&vm) - 1,
	       "count sweep: I/O exits exact");
	is_u64(count_of(ct[SW_R(EXIT_REASON_HLT)]), vm_hlt_exits(&vm),
	       "count sweep: HLT exits exact");

	/* Cycles: the per-reason sum sits between the bracketing totals. */
	check_sweep_regs(cy, true, "cycles sweep");
	ysum = 0;
	bad = 0;
	for (r = 0; r < NR_SWEEP; r++) {
		ysum += cycles_of(cy[SW_R(r)]);
		if (cycles_of(cy[SW_R(r)]) > cycles_of(cy[SW_Y2]))
			bad++;
	}
	ok(!bad, "no reason's cycles exceed 0x4FFFFFFE");
	ok(cycles_of(cy[SW_Y1]) <= ysum && ysum <= cycles_of(cy[SW_Y2]),
	   "0x4FFFFFFE before <= sum of reasons' cycles <= after (%llu <= %llu <= %llu)",
	   (unsigned long long)cycles_of(cy[SW_Y1]), (unsigned long long)ysum,
	   (unsigned long long)cycles_of(cy[SW_Y2]));
	ok(cycles_of(cy[SW_R(EXIT_REASON_CPUID)]) > 0 &&
	   cycles_of(cy[SW_R(EXIT_REASON_IO)]) > 0 &&
	   cycles_of(cy[SW_R(EXIT_REASON_HLT)]) > 0,
	   "cycles recorded for CPUID, I/O and HLT exits");

	/* debugfs, read with the vCPU in user space after the count sweep. */
	bad = 0;
	for (r = 0; r < SDM_NR_REASONS; r++)
		if (rows[r].present != sdm_defined(r)) {
			printf("# reason %u %s\n", r, rows[r].present ?
			       "listed but not SDM-defined" : "missing");
			bad++;
		}
	ok(!bad && nr_rows == SDM_NR_REASONS - 3,
	   "debugfs lists each SDM-defined reason once (%d rows)", nr_rows);
	is_str(rows[EXIT_REASON_CPUID].name, "CPUID", "debugfs names reason 10");
	is_str(rows[EXIT_REASON_HLT].name, "HLT", "debugfs names reason 12");
	bad = 0;
	for (r = 0; r < SDM_NR_REASONS; r++) {
		uint64_t c = count_of(ct[SW_R(r)]);

		if (!sdm_defined(r))
			continue;
		/* Exits after the guest read reason r: its later reads for
		 * CPUID (reasons above 10, two totals), its OUT for I/O.
		 */
		if (r == EXIT_REASON_CPUID)
			c += NR_SWEEP - 1 - EXIT_REASON_CPUID + 2;
		else if (r == EXIT_REASON_IO)
			c += 1;
		if (rows[r].count != c) {
			printf("# reason %u: debugfs %llu, guest read %llu\n",
			       r, (unsigned long long)rows[r].count,
			       (unsigned long long)c);
			bad++;
		}
	}
	ok(!bad, "debugfs counts agree with what the guest read");
	bad = 0;
	for (r = 0; r < SDM_NR_REASONS; r++) {
		uint64_t y = cycles_of(cy[SW_R(r)]);
		bool good;

		if (!sdm_defined(r))
			continue;
		/* Reasons with exits since the cycles sweep have grown. */
		if (r == EXIT_REASON_CPUID || r == EXIT_REASON_IO)
			good = rows[r].cycles > y;
		else
			good = rows[r].cycles == y;
		if (!good) {
			printf("# reason %u: debugfs cycles %llu, guest read %llu\n",
			       r, (unsigned long long)rows[r].cycles,
			       (unsigned long long)y);
			bad++;
		}
	}
	ok(!bad, "debugfs cycles agree with what the guest read");
	vm_destroy(&vm);
}

/*
 * For one VM read at one moment, the debugfs rows, its
 * other and total lines, the host CLI's TOTAL and the guest's 0x4FFFFFFF
 * and 0x4FFFFFFE agree.  The vCPU sits in user space while the host reads,
 * so nothing moves; the guest's reads around them differ by the exits the
 * reads themselves are, counted here.
 */
static void test_agree(void)
{
	struct dbgfs_row rows[SDM_NR_REASONS];
	struct cpuid_regs before, after, ycl;
	uint64_t rsum_c, rsum_y, cli_c = 0, cli_y = 0, tc, ty, caused = 0;
	int attempt, nr_rows, cli = -1;
	struct vm vm;
	struct vcpu *v;
	uint32_t r;

	new_vm(&vm, 1);
	v = &vm.vcpu[0];
	if (guest_cpuid_loop(v, 0, 300) || guest_io_loop(v, 20) ||
	    guest_hlt_loop(v, 5))
		bail("guest loops failed");
	for (attempt = 0; attempt < 8; attempt++) {
		before = rd(v, LEAF_TOTAL_COUNT, 0);
		if (read_debugfs(&vm, rows, &nr_rows)) {
			ok(0, "debugfs table with other and total lines");
			vm_destroy(&vm);
			return;
		}
		cli = host_cli_total(vm.fd, &cli_c, &cli_y);
		caused = vm_cpuid_exits(&vm) + vm_io_exits(&vm) +
			 vm_hlt_exits(&vm);
		ycl = rd(v, LEAF_TOTAL_CYCLES, 0);
		after = rd(v, LEAF_TOTAL_COUNT, 0);
		tc = dbgfs_sums.total_count;
		/* before counts itself, then its OUT; after comes 3 later. */
		if (count_of(before) + 1 == tc && count_of(after) == tc + 3 &&
		    cycles_of(ycl) == dbgfs_sums.total_cycles)
			break;
	}
	if (attempt)
		printf("# %d attempts disturbed by exits of the host's making\n",
		       attempt);
	tc = dbgfs_sums.total_count;
	ty = dbgfs_sums.total_cycles;
	rsum_c = 0;
	rsum_y = 0;
	for (r = 0; r < SDM_NR_REASONS; r++) {
		rsum_c += rows[r].count;
		rsum_y += rows[r].cycles;
	}
	ok(dbgfs_sums.other_seen && dbgfs_sums.total_seen,
	   "debugfs ends with an other and a total line");
	is_u64(dbgfs_sums.other_count, 0,
	       "other: no exit under an undefined reason or one above 81");
	is_u64(tc, rsum_c + dbgfs_sums.other_count,
	       "debugfs total exits = sum of the rows + other");
	is_u64(ty, rsum_y + dbgfs_sums.other_cycles,
	       "debugfs total cycles = sum of the rows + other");
	ok(tc >= caused, "debugfs total (%llu) >= exits the guest caused (%llu)",
	   (unsigned long long)tc, (unsigned long long)caused);
	ok(!cli, "kvm-exitstats --host --pid <us> --json ran");
	is_u64(cli_c, tc, "host CLI TOTAL exits = debugfs total");
	is_u64(cli_y, ty, "host CLI TOTAL cycles = debugfs total");
	is_u64(count_of(before) + 1, tc,
	       "guest 0x4FFFFFFF before + its OUT = debugfs total");
	is_u64(count_of(after), tc + 3,
	       "guest 0x4FFFFFFF after = debugfs total + the 3 exits since");
	is_u64(cycles_of(ycl), ty,
	       "guest 0x4FFFFFFE right after = debugfs total cycles");
	vm_destroy(&vm);
}

/*
 * Latency distributions.  exitstats_hist holds, per reason,
 * "<reason> <name> <max> <bucket 0> .. <bucket 31>", then "other" and
 * "total" lines without a number; bucket b counts the finished exits that
 * took c cycles, 2^b <= c < 2^(b + 1) (bucket 0 also c = 0, bucket 31
 * everything from 2^31 up).
 */
#define NR_BUCKETS	32

struct hist_row {
	bool present;
	uint64_t max, b[NR_BUCKETS];
};

static uint64_t hist_sum(const uint64_t *b)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < NR_BUCKETS; i++)
		sum += b[i];
	return sum;
}

/* Parse "<max> <b0> .. <b31>" at @p; false unless exactly that. */
static bool parse_buckets(const char *p, struct hist_row *row)
{
	char *end;
	int i;

	errno = 0;
	row->max = strtoull(p, &end, 10);
	for (i = 0; i < NR_BUCKETS && end != p; i++) {
		p = end;
		row->b[i] = strtoull(p, &end, 10);
	}
	return i == NR_BUCKETS && end != p && !errno &&
	       strspn(end, "\n ") == strlen(end);
}

/* rows[r] for SDM-defined r; rows[SDM_NR_REASONS] other, [+1] total. */
static int read_hist(const struct vm *vm, struct hist_row *rows)
{
	char path[128], line[1024], name[48];
	int bad = 0, n, lines = 0;
	unsigned int r;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/kvm/%d-%d/exitstats_hist", getpid(),
		 vm->fd);
	f = fopen(path, "r");
	if (!f) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	memset(rows, 0, (SDM_NR_REASONS + 2) * sizeof(*rows));
	while (fgets(line, sizeof(line), f)) {
		struct hist_row *row = NULL;

		lines++;
		if (sscanf(line, "%u %47s %n", &r, name, &n) == 2 &&
		    sdm_defined(r))
			row = &rows[r];
		else if (sscanf(line, "%47s %n", name, &n) == 1 &&
			 !strcmp(name, "other"))
			row = &rows[SDM_NR_REASONS];
		else if (!strcmp(name, "total"))
			row = &rows[SDM_NR_REASONS + 1];
		if (!row || row->present || !parse_buckets(line + n, row)) {
			printf("# unexpected exitstats_hist line: %s", line);
			bad++;
			continue;
		}
		row->present = true;
	}
	fclose(f);
	if (lines != SDM_NR_REASONS - 3 + 2) {
		printf("# %s: %d lines\n", path, lines);
		bad++;
	}
	return bad ? -1 : 0;
}

/* Whether max lies in or above the highest non-empty bucket. */
static bool max_fits(const struct hist_row *row)
{
	int b;

	for (b = NR_BUCKETS - 1; b >= 0 && !row->b[b]; b--)
		;
	return b < 0 ? row->max == 0 : row->max >= (b ? 1ULL << b : 0);
}

/*
 * One TAP line: every SDM-defined reason's buckets in exitstats_hist add
 * up to its count in exitstats, and its max lies in or above its highest
 * non-empty bucket.
 */
static void check_hist_rows(const struct hist_row *h,
			    const struct dbgfs_row *rows, const char *what)
{
	int bad = 0;
	uint32_t r;

	for (r = 0; r < SDM_NR_REASONS; r++) {
		if (!sdm_defined(r))
			continue;
		if (hist_sum(h[r].b) != rows[r].count || !max_fits(&h[r])) {
			printf("# reason %u: buckets %llu, count %llu, max %llu\n",
			       r, (unsigned long long)hist_sum(h[r].b),
			       (unsigned long long)rows[r].count,
			       (unsigned long long)h[r].max);
			bad++;
		}
	}
	ok(!bad, "%s each reason's buckets sum to its count, max in or above its highest bucket",
	   what);
}

/*
 * CPUIDs of leaf 0 cost about the same each: every non-empty bucket lies
 * within a factor 2 of their average.  A host interrupt taken while KVM
 * handles one makes it longer: such a run is retried in a new VM.
 */
static void test_hist_cpuid(void)
{
	struct dbgfs_row rows[SDM_NR_REASONS];
	struct hist_row h[SDM_NR_REASONS + 2];
	const struct hist_row *c = &h[EXIT_REASON_CPUID];
	int attempt, nr_rows, spread = 0, b;
	uint64_t avg = 0;
	struct vm vm;

	for (attempt = 0; attempt < 8; attempt++) {
		new_vm(&vm, 1);
		if (guest_cpuid_loop(&vm.vcpu[0], 0, 100))
			bail("CPUID loop failed");
		if (read_debugfs(&vm, rows, &nr_rows) || read_hist(&vm, h)) {
			ok(0, "exitstats and exitstats_hist readable, well formed");
			vm_destroy(&vm);
			return;
		}
		avg = rows[EXIT_REASON_CPUID].cycles /
		      (rows[EXIT_REASON_CPUID].count ?: 1);
		spread = 0;
		for (b = 0; b < NR_BUCKETS; b++)
			if (c->b[b] && ((1ULL << b) > 2 * avg ||
					(2ULL << b) <= avg / 2))
				spread++;
		if (!spread)
			break;
		printf("# attempt %d: a CPUID bucket beyond a factor 2 of %llu cycles\n",
		       attempt, (unsigned long long)avg);
		vm_destroy(&vm);
	}
	if (spread) {
		ok(0, "CPUID buckets within a factor 2 of the average in 8 runs");
		return;
	}
	ok(1, "host: every non-empty CPUID bucket within a factor 2 of the average (%llu cycles)",
	   (unsigned long long)avg);
	is_u64(hist_sum(c->b), vm_cpuid_exits(&vm),
	       "host: CPUID buckets sum to the CPUIDs the guest ran");
	check_hist_rows(h, rows, "host:");
	ok(h[SDM_NR_REASONS + 1].present &&
	   hist_sum(h[SDM_NR_REASONS + 1].b) == dbgfs_sums.total_count &&
	   h[SDM_NR_REASONS + 1].max >= c->max,
	   "host: the total line's buckets sum to the total count");
	vm_destroy(&vm);
}

/* Bucket @b's 64-bit count from a 0x4FFFFFFB answer, shape checked. */
static bool hist_regs(struct cpuid_regs r, uint64_t *n)
{
	*n = count_of(r);
	return r.ecx == 0 && r.edx == 0;
}

/*
 * Reason @reason's buckets of 0x4FFFFFFB into @g, all read in one guest
 * sweep; how many answers have not the shape of a count.
 */
static int sweep_hist(struct vcpu *v, uint32_t reason, uint64_t *g)
{
	static struct cpuid_regs s[NR_BUCKETS + 4];
	int b, bad = 0;

	if (guest_sweep_step(v, LEAF_REASON_HIST, reason, 1 << 16, NR_BUCKETS,
			     s))
		bail("guest sweep failed");
	for (b = 0; b < NR_BUCKETS; b++)
		bad += !hist_regs(s[2 + b], &g[b]);
	return bad;
}

static void test_hist(void)
{
	struct hist_row h[SDM_NR_REASONS + 2];
	static const uint32_t reasons[] = { EXIT_REASON_IO, EXIT_REASON_HLT,
					    EXIT_REASON_CPUID };
	uint64_t g[3][NR_BUCKETS], before;
	struct vm vm;
	struct vcpu *v;
	unsigned int i;
	int b, bad;

	test_hist_cpuid();

	new_vm(&vm, 1);
	v = &vm.vcpu[0];
	if (guest_cpuid_loop(v, 0, 200) || guest_io_loop(v, 30) ||
	    guest_hlt_loop(v, 10))
		bail("guest loops failed");
	for (i = 0; i < ARRAY_SIZE(reasons); i++) {
		before = reasons[i] == EXIT_REASON_IO ? vm_io_exits(&vm) :
			 reasons[i] == EXIT_REASON_HLT ? vm_hlt_exits(&vm) :
			 vm_cpuid_exits(&vm);
		ok(!sweep_hist(v, reasons[i], g[i]),
		   "guest: 0x4FFFFFFB/%u answers EAX:EBX, ECX = EDX = 0 in all 32 buckets",
		   reasons[i]);
		if (reasons[i] != EXIT_REASON_CPUID) {
			is_u64(hist_sum(g[i]), before,
			       "guest: reason %u's buckets sum to the exits the guest made",
			       reasons[i]);
			continue;
		}
		/*
		 * The sweep's own CPUIDs end while it reads: after its two
		 * totals, bucket b's read sees 2 + b of them at most.
		 */
		ok(hist_sum(g[i]) >= before &&
		   hist_sum(g[i]) <= before + 2 + NR_BUCKETS - 1,
		   "guest: CPUID buckets sum to the finished CPUIDs (%llu, %llu before the sweep)",
		   (unsigned long long)hist_sum(g[i]),
		   (unsigned long long)before);
	}
	is_regs(rd(v, LEAF_REASON_COUNT, EXIT_REASON_HLT),
		count_regs(hist_sum(g[1])),
		"guest: 0x4FFFFFFD/12 equals the sum of HLT's buckets");
	if (read_hist(&vm, h)) {
		ok(0, "exitstats_hist readable and well formed");
		vm_destroy(&vm);
		return;
	}
	bad = 0;
	for (b = 0; b < NR_BUCKETS; b++)
		bad += h[EXIT_REASON_HLT].b[b] != g[1][b] ||
		       h[EXIT_REASON_IO].b[b] < g[0][b] ||
		       h[EXIT_REASON_CPUID].b[b] < g[2][b];
	ok(!bad, "host and guest agree: HLT bucket by bucket, I/O and CPUID grown only");
	is_u64(hist_sum(h[EXIT_REASON_IO].b), vm_io_exits(&vm),
	       "host: I/O buckets sum to every OUT the guest ran");
	is_u64(hist_sum(h[EXIT_REASON_CPUID].b), vm_cpuid_exits(&vm),
	       "host: CPUID buckets sum to every CPUID the guest ran");
	ok(max_fits(&h[EXIT_REASON_HLT]) && max_fits(&h[EXIT_REASON_IO]) &&
	   max_fits(&h[EXIT_REASON_CPUID]),
	   "host: max in or above the highest bucket for HLT, I/O, CPUID");

	is_regs(rd(v, LEAF_REASON_HIST, EXIT_REASON_CPUID | 32 << 16),
		regs_undefined, "guest: 0x4FFFFFFB with bucket 32: undefined");
	is_regs(rd(v, LEAF_REASON_HIST, EXIT_REASON_CPUID | 1u << 31),
		regs_undefined, "guest: 0x4FFFFFFB with ECX[31] set: undefined");
	is_regs(rd(v, LEAF_REASON_HIST, 35 | 3 << 16), regs_undefined,
		"guest: 0x4FFFFFFB of reason 35: undefined");
	is_regs(rd(v, LEAF_REASON_HIST, unhandled_reasons[0] | 3 << 16),
		count_regs(0), "guest: 0x4FFFFFFB of a reason KVM does not handle: 0");
	vm_destroy(&vm);
}

static void test_cycles(void)
{
	const uint32_t n = 200;
	struct cpuid_regs c1, c2, c3, t;
	uint64_t d1, d2;
	struct vm vm;
	struct vcpu *v;

	new_vm(&vm, 1);
	v = &vm.vcpu[0];
	c1 = rd(v, LEAF_REASON_CYCLES, EXIT_REASON_CPUID);
	if (guest_cpuid_loop(v, 0, n))
		bail("CPUID loop failed");
	c2 = rd(v, LEAF_REASON_CYCLES, EXIT_REASON_CPUID);
	if (guest_cpuid_loop(v, 0, 10 * n))
		bail("CPUID loop failed");
	c3 = rd(v, LEAF_REASON_CYCLES, EXIT_REASON_CPUID);
	t = rd(v, LEAF_TOTAL_CYCLES, 0);
	ok(c1.eax == 0 && c1.edx == 0 && c2.eax == 0 && c2.edx == 0 &&
	   c3.eax == 0 && c3.edx == 0 && t.eax == 0 && t.edx == 0,
	   "0x4FFFFFFC/10 and 0x4FFFFFFE answer EAX = EDX = 0");
	d1 = cycles_of(c2) - cycles_of(c1);
	d2 = cycles_of(c3) - cycles_of(c2);
	ok(cycles_of(c2) > cycles_of(c1) && d1 >= n,
	   "CPUID cycles grow over %u exits (by %llu)", n,
	   (unsigned long long)d1);
	ok(cycles_of(c3) > cycles_of(c2) && d2 > d1,
	   "%u exits add more cycles than %u (%llu > %llu)", 10 * n, n,
	   (unsigned long long)d2, (unsigned long long)d1);
	ok(cycles_of(c3) <= cycles_of(t),
	   "CPUID cycles (%llu) do not exceed 0x4FFFFFFE (%llu)",
	   (unsigned long long)cycles_of(c3), (unsigned long long)cycles_of(t));
	vm_destroy(&vm);
}

static void test_classes(void)
{
	struct cpuid_regs t;
	struct vm vm;
	struct vcpu *v;

	new_vm(&vm, 1);
	v = &vm.vcpu[0];
	check_classes(v, &vmx, undefined_reasons, ARRAY_SIZE(undefined_reasons),
		      unhandled_reasons, ARRAY_SIZE(unhandled_reasons));
	/* ECX means nothing to the totals. */
	t = rd(v, LEAF_TOTAL_COUNT, 0xdeadbeef);
	ok(t.ecx == 0 && t.edx == 0 && count_of(t) >= vm_cpuid_exits(&vm),
	   "0x4FFFFFFF with ECX=0xdeadbeef: ECX = EDX = 0, total >= %llu",
	   (unsigned long long)vm_cpuid_exits(&vm));
	t = rd(v, LEAF_TOTAL_CYCLES, 0xdeadbeef);
	ok(t.eax == 0 && t.edx == 0 && cycles_of(t) > 0,
	   "0x4FFFFFFE with ECX=0xdeadbeef: EAX = EDX = 0, cycles > 0");
	vm_destroy(&vm);
}

static void test_vcpus(void)
{
	struct vm vm;

	run_4_vcpus(&vm);
	check_vmm_saw(&vm, "4 vCPUs");
	check_counts(&vm, &vm.vcpu[0], &vmx, "4 vCPUs, read on vCPU 0");
	check_counts(&vm, &vm.vcpu[3], &vmx, "4 vCPUs, read on vCPU 3");
	vm_destroy(&vm);
}

/* Leaves and subleaves whose stock answers the tests compare. */
static const uint32_t stock_leaves[] = {
	LEAF_REASON_CYCLES, LEAF_REASON_COUNT, LEAF_TOTAL_CYCLES,
	LEAF_TOTAL_COUNT,
};
static const uint32_t stock_subleaves[] = { 0, 1, 10, 30, 35, 0xffffffff };

/*
 * Stock KVM (Intel vendor, a CPUID table set) answers a leaf above every
 * class's range with the highest basic leaf, for the same subleaf
 * (get_out_of_range_cpuid_entry() in cpuid.c).  Check the four leaves
 * against that in the guest, and against @file: written when @record,
 * else what stock KVM answered earlier in this boot.
 */
typedef struct cpuid_regs (*reader_fn)(struct vcpu *v, uint32_t leaf,
					uint32_t subleaf);

static void check_stock_answers_as(struct vcpu *v, const char *what,
				   const char *file, bool record, reader_fn rd)
{
	uint32_t max_basic = rd(v, 0, 0).eax;
	FILE *f = NULL;
	int bad = 0, bad_file = 0;
	unsigned int i, j;

	if (file) {
		f = fopen(file, record ? "w" : "r");
		if (!f)
			printf("# %s: %s\n", file, strerror(errno));
	}
	for (i = 0; i < ARRAY_SIZE(stock_leaves); i++) {
		for (j = 0; j < ARRAY_SIZE(stock_subleaves); j++) {
			uint32_t l = stock_leaves[i], s = stock_subleaves[j];
			struct cpuid_regs got = rd(v, l, s);
			struct cpuid_regs ref = rd(v, max_basic, s);
			struct cpuid_regs st;

			if (!regs_eq(got, ref)) {
				printf("# leaf 0x%x subleaf 0x%x, max basic 0x%x:\n",
				       l, s, max_basic);
				show_regs("expected", ref);
				show_regs("got     ", got);
				bad++;
			}
			if (!f)
				continue;
			if (record) {
				fprintf(f, "%x %x %x %x %x %x\n", l, s, got.eax,
					got.ebx, got.ecx, got.edx);
			} else if (fscanf(f, "%*x %*x %x %x %x %x", &st.eax,
					  &st.ebx, &st.ecx, &st.edx) != 4 ||
				   !regs_eq(got, st)) {
				printf("# leaf 0x%x subleaf 0x%x differs from stock\n",
				       l, s);
				bad_file++;
			}
		}
	}
	ok(!bad, "%s: 0x4FFFFFFC..F answer as the max basic leaf 0x%x",
	   what, max_basic);
	if (file && !record)
		ok(f && !bad_file,
		   "%s: 0x4FFFFFFC..F answer what stock KVM did in this boot",
		   what);
	if (f)
		fclose(f);
}

static void check_stock_answers(struct vcpu *v, const char *what,
				const char *file, bool record)
{
	check_stock_answers_as(v, what, file, record, rd);
}

static int write_param(const char *path, const char *val)
{
	char buf[8] = "";
	FILE *f = fopen(path, "w");

	if (!f || fputs(val, f) < 0 || fclose(f))
		return -1;
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		return -1;
	fclose(f);
	return buf[0] == val[0] ? 0 : -1;
}

static void test_param(const char *stock_file)
{
	struct vm vm;
	struct vcpu *v;
	char buf[8] = "";
	FILE *f;

	f = fopen(PARAM_PATH, "r");
	ok(f && fgets(buf, sizeof(buf), f) && buf[0] == 'Y',
	   "%s exists and defaults to Y", PARAM_PATH);
	if (f)
		fclose(f);

	new_vm(&vm, 1);
	v = &vm.vcpu[0];
	if (guest_cpuid_loop(v, 0, 100))
		bail("CPUID loop failed");
	ok(!write_param(PARAM_PATH, "N"), "exitstats_cpuid set to N");
	check_stock_answers(v, "exitstats_cpuid=N", stock_file, false);
	if (guest_cpuid_loop(v, 0, 100) || guest_io_loop(v, 3))
		bail("guest loops failed");
	ok(!write_param(PARAM_PATH, "Y"), "exitstats_cpuid set back to Y");
	check_counts(&vm, v, &vmx, "Y again, exits made while N counted");
	vm_destroy(&vm);
}

/*
 * kvm.exitstats_cpuid=cpl0 answers CPL 0 only, Y every
 * CPL, N nobody; anybody not answered gets stock KVM's answer (recorded
 * under stock KVM in this boot: @stock_file).  Exits at CPL 3 count.
 */
static void test_cpl(const char *stock_file)
{
	struct vm vm;
	struct vcpu *v;
	uint64_t want;

	new_vm(&vm, 1);
	v = &vm.vcpu[0];
	if (guest_cpuid_loop(v, 0, 100))
		bail("CPUID loop failed");
	want = v->cpuid_exits + 1;
	is_regs(rd3(v, LEAF_REASON_COUNT, EXIT_REASON_CPUID), count_regs(want),
		"Y: CPL 3 gets the answer, CPUID exits exact: %llu",
		(unsigned long long)want);

	ok(!write_param(PARAM_PATH, "cpl0") && read_param(PARAM_PATH, "cpl0\n"),
	   "exitstats_cpuid set to cpl0, reads back cpl0");
	want = v->cpuid_exits + 1;
	is_regs(rd(v, LEAF_REASON_COUNT, EXIT_REASON_CPUID), count_regs(want),
		"cpl0: CPL 0 gets the answer, CPUID exits exact: %llu",
		(unsigned long long)want);
	check_stock_answers_as(v, "cpl0, at CPL 3", stock_file, false, rd3);
	check_counts(&vm, v, &vmx, "cpl0: CPL 3 CPUIDs counted, read at CPL 0");

	ok(write_param(PARAM_PATH, "cpl3") && read_param(PARAM_PATH, "cpl0\n"),
	   "exitstats_cpuid rejects cpl3 and stays cpl0");
	ok(!write_param(PARAM_PATH, "N") && read_param(PARAM_PATH, "N\n"),
	   "exitstats_cpuid set to N");
	check_stock_answers_as(v, "N, at CPL 3", stock_file, false, rd3);
	ok(!write_param(PARAM_PATH, "Y") && read_param(PARAM_PATH, "Y\n"),
	   "exitstats_cpuid set back to Y");
	want = v->cpuid_exits + 1;
	is_regs(rd3(v, LEAF_REASON_COUNT, EXIT_REASON_CPUID), count_regs(want),
		"Y again: CPL 3 gets the answer: %llu",
		(unsigned long long)want);
	vm_destroy(&vm);
}

/*
 * Stock kvm.ko with our kvm-intel.ko.  Guests run and
 * get stock answers (@stock_file, this boot's), and no VM has a table.
 */
static void test_stock_kvm(const char *stock_file)
{
	char path[128];
	struct vm vm;
	struct cpuid_regs r;

	ok(access("/sys/module/kvm/version", F_OK) &&
	   !access("/sys/module/kvm_intel/version", F_OK),
	   "stock kvm.ko (no version) and our kvm-intel.ko (a version)");
	new_vm(&vm, 1);
	r = rd(&vm.vcpu[0], 0, 0);
	ok(r.ebx == 0x756e6547 && r.edx == 0x49656e69 && r.ecx == 0x6c65746e,
	   "our kvm-intel on stock kvm runs the guest: CPUID 0 says GenuineIntel");
	if (guest_cpuid_loop(&vm.vcpu[0], 0, 100) ||
	    guest_io_loop(&vm.vcpu[0], 10) || guest_hlt_loop(&vm.vcpu[0], 5))
		bail("guest loops failed");
	check_vmm_saw(&vm, "our kvm-intel on stock kvm");
	check_stock_answers(&vm.vcpu[0], "our kvm-intel on stock kvm",
			    stock_file, false);
	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/exitstats",
		 getpid(), vm.fd);
	ok(access(path, F_OK), "no debugfs table (stock kvm.ko has no hook)");
	vm_destroy(&vm);
}

/*
 * new_x2apic_vm(), and KVM's view of it: the in-kernel APIC in x2APIC
 * mode.
 */
static void check_x2apic_vm(struct vm *vm, const char *what)
{
	struct kvm_msrs *msrs;
	struct vcpu *v;

	new_x2apic_vm(vm);
	v = &vm->vcpu[0];
	msrs = calloc(1, sizeof(*msrs) + sizeof(msrs->entries[0]));
	if (!msrs)
		bail("out of memory");
	msrs->nmsrs = 1;
	msrs->entries[0].index = MSR_IA32_APICBASE;
	if (ioctl(v->fd, KVM_GET_MSRS, msrs) != 1)
		msrs->entries[0].data = 0;
	ok(msrs->entries[0].data & APICBASE_EXTD,
	   "%s: in-kernel APIC in x2APIC mode (APIC base 0x%llx)", what,
	   (unsigned long long)msrs->entries[0].data);
	free(msrs);
}

/* WRMSR exits handled in KVM's fastpath, before vmx_handle_exit(). */
static void test_fastpath(void)
{
	struct vm vm;

	check_x2apic_vm(&vm, "fastpath");
	check_fastpath(&vm.vcpu[0], &vmx);
	vm_destroy(&vm);
}

#define APICV_PATH	"/sys/module/kvm_intel/parameters/enable_apicv"
#define HLT_TIMER_N	10
#define HLT_TIMER_TICKS	1000000	/* KVM's APIC timer ticks in ns: 1 ms */

/* With APICv the CPU takes the guest's EOI writes without an exit. */
static bool apicv_on(void)
{
	char buf[4] = "";
	FILE *f = fopen(APICV_PATH, "r");

	if (!f)
		bail("cannot read " APICV_PATH);
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return buf[0] == 'Y';
}

/*
 * HLTs that KVM handles in the kernel.  The guest arms its
 * local APIC's one-shot timer and halts, K times; KVM blocks the vCPU
 * until the timer's interrupt wakes it, and never returns to user space.
 * The exits are known: K HLTs, 3 + K WRMSRs of the guest's and the one
 * that enabled x2APIC, and an EOI per interrupt unless APICv takes it.
 * HLT's cycles end when KVM puts the blocking vCPU (README, "Which exits
 * are counted"), so the timer's period bounds none of them: the buckets
 * are only checked for agreeing, and shown against the period.
 */
static void test_hlt_timer(void)
{
	static const uint32_t reasons[] = { EXIT_REASON_HLT, EXIT_REASON_WRMSR };
	struct hist_row h[SDM_NR_REASONS + 2];
	struct dbgfs_row rows[SDM_NR_REASONS];
	uint64_t g[ARRAY_SIZE(reasons)][NR_BUCKETS], want[ARRAY_SIZE(reasons)];
	struct cpuid_regs hlt_cycles;
	const uint32_t k = HLT_TIMER_N;
	int b, bad, nr_rows, khz;
	bool apicv = apicv_on();
	struct vm vm;
	struct vcpu *v;
	unsigned int i;

	check_x2apic_vm(&vm, "HLT with timer");
	v = &vm.vcpu[0];
	if (guest_hlt_timer_loop(v, HLT_TIMER_TICKS, k))
		bail("HLTs with timer wakeups failed");
	is_u64(v->hlt_seen, 0,
	       "in-kernel HLT: none of the %u HLTs reached user space", k);
	is_u64(v->timer_irqs, k,
	       "in-kernel HLT: one timer interrupt woke each HLT");
	want[0] = v->hlt_exits;
	want[1] = v->wrmsr_exits + (apicv ? 0 : v->timer_irqs);
	for (i = 0; i < ARRAY_SIZE(reasons); i++) {
		is_regs(rd(v, LEAF_REASON_COUNT, reasons[i]),
			count_regs(want[i]),
			"in-kernel HLT: 0x4FFFFFFD/%u exact (APICv %s): %llu",
			reasons[i], apicv ? "on" : "off",
			(unsigned long long)want[i]);
		ok(!sweep_hist(v, reasons[i], g[i]),
		   "in-kernel HLT, guest: 0x4FFFFFFB/%u answers EAX:EBX, ECX = EDX = 0",
		   reasons[i]);
		is_u64(hist_sum(g[i]), want[i],
		       "in-kernel HLT, guest: reason %u's buckets sum to its count",
		       reasons[i]);
	}

	hlt_cycles = rd(v, LEAF_REASON_CYCLES, EXIT_REASON_HLT);

	if (read_debugfs(&vm, rows, &nr_rows) || read_hist(&vm, h)) {
		ok(0, "exitstats and exitstats_hist readable, well formed");
		vm_destroy(&vm);
		return;
	}
	is_u64(cycles_of(hlt_cycles), rows[EXIT_REASON_HLT].cycles,
	       "in-kernel HLT: host and guest agree on HLT's cycles");
	check_hist_rows(h, rows, "in-kernel HLT, host:");
	is_u64(rows[EXIT_REASON_HLT].count, k,
	       "in-kernel HLT, host: HLT count is the %u HLTs", k);
	for (i = 0; i < ARRAY_SIZE(reasons); i++) {
		bad = 0;
		for (b = 0; b < NR_BUCKETS; b++)
			bad += h[reasons[i]].b[b] != g[i][b];
		ok(!bad, "in-kernel HLT: host and guest agree on reason %u bucket by bucket",
		   reasons[i]);
	}

	khz = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);
	printf("# HLT max %llu cycles, buckets:",
	       (unsigned long long)h[EXIT_REASON_HLT].max);
	for (b = 0; b < NR_BUCKETS; b++)
		if (g[0][b])
			printf(" %d:%llu", b, (unsigned long long)g[0][b]);
	printf("; the timer's period, %llu TSC cycles (%d kHz), is not in them\n",
	       (unsigned long long)HLT_TIMER_TICKS * khz / 1000000, khz);
	vm_destroy(&vm);
}

/* Read a leaf through KVM's instruction emulator (em_cpuid()). */
static struct cpuid_regs rd_emulated(struct vcpu *v, uint32_t leaf,
				     uint32_t subleaf)
{
	struct cpuid_regs r;

	if (guest_cpuid_emulated(v, leaf, subleaf, &r))
		bail("emulated guest CPUID failed");
	return r;
}

/*
 * CPUID emulated by KVM answers the leaves too; the asking exit is then a
 * #UD (reason 0), so the CPUID count does not include it.
 */
static void test_emulated(void)
{
	struct cpuid_regs e1, e2, t;
	struct vm vm;
	struct vcpu *v;

	if (write_param(FEP_PATH, "1")) {
		ok(1, "# SKIP kvm.force_emulation_prefix not settable");
		return;
	}
	new_vm(&vm, 1);
	v = &vm.vcpu[0];
	if (guest_cpuid_loop(v, 0, 50))
		bail("CPUID loop failed");
	is_regs(rd_emulated(v, LEAF_REASON_COUNT, EXIT_REASON_CPUID),
		count_regs(v->cpuid_exits),
		"emulated CPUID: 0x4FFFFFFD/10 counts the 50 CPUID exits only");
	e1 = rd_emulated(v, LEAF_REASON_COUNT, EXIT_REASON_EXCEPTION);
	e2 = rd_emulated(v, LEAF_REASON_COUNT, EXIT_REASON_EXCEPTION);
	ok(count_of(e1) >= v->ud_exits - 1 && regs_eq(e2, count_regs(count_of(e1) + 1)),
	   "emulated CPUID: its #UD exits count under reason 0 (%llu, %llu)",
	   (unsigned long long)count_of(e1), (unsigned long long)count_of(e2));
	is_regs(rd_emulated(v, LEAF_REASON_CYCLES, 35), regs_undefined,
		"emulated CPUID: ECX=35 answers 0,0,0,0xFFFFFFFF");
	t = rd_emulated(v, LEAF_TOTAL_COUNT, 0);
	ok(t.ecx == 0 && t.edx == 0 &&
	   count_of(t) >= v->cpuid_exits + v->io_exits + v->ud_exits,
	   "emulated CPUID: 0x4FFFFFFF answers, total >= exits caused");
	vm_destroy(&vm);
	ok(!write_param(FEP_PATH, "0"), "kvm.force_emulation_prefix back to 0");
}

static void test_fresh(void)
{
	struct vm vm;

	new_vm(&vm, 1);
	is_regs(rd(&vm.vcpu[0], LEAF_REASON_COUNT, EXIT_REASON_CPUID),
		count_regs(1), "fresh VM: first CPUID 0x4FFFFFFD/10 is 1");
	vm_destroy(&vm);
}

static void test_stock(const char *file)
{
	struct vm vm;
	struct cpuid_regs r;

	new_vm(&vm, 1);
	r = rd(&vm.vcpu[0], 0, 0);
	ok(r.ebx == 0x756e6547 && r.edx == 0x49656e69 && r.ecx == 0x6c65746e,
	   "stock KVM runs the guest: CPUID 0 says GenuineIntel");
	if (guest_cpuid_loop(&vm.vcpu[0], 0, 100) ||
	    guest_io_loop(&vm.vcpu[0], 10) || guest_hlt_loop(&vm.vcpu[0], 5))
		bail("guest loops failed");
	check_vmm_saw(&vm, "stock");
	check_stock_answers(&vm.vcpu[0], "stock KVM", file, true);
	vm_destroy(&vm);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--stock")) {
		test_stock(argv[2]);
		return done_testing();
	}
	if (argc == 3 && !strcmp(argv[1], "--stock-kvm")) {
		test_stock_kvm(argv[2]);
		return done_testing();
	}
	if (argc == 2 && !strcmp(argv[1], "--fresh")) {
		test_fresh();
		return done_testing();
	}
	if (argc != 1 && !(argc == 3 && !strcmp(argv[1], "--compare"))) {
		fprintf(stderr,
			"usage: %s [--compare FILE | --fresh | --stock FILE | --stock-kvm FILE]\n",
			argv[0]);
		return 2;
	}
	test_exact_counts();
	test_tables();
	test_agree();
	test_cycles();
	test_hist();
	test_classes();
	test_vcpus();
	check_two_vms(&vmx);
	test_param(argc == 3 ? argv[2] : NULL);
	test_cpl(argc == 3 ? argv[2] : NULL);
	test_emulated();
	test_fastpath();
	test_hlt_timer();
	return done_testing();
}
