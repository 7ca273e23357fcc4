// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the SVM decoder (src/vmxcap/svmcap_decode.c).
 *
 * The input is the CPUID and MSR values Bochs 2.7's AMD model "zambezi"
 * reports (data/svm/zambezi.svm, which says how they were captured), read
 * the way vmxcap.ko reads them, and synthetic changes of it: every feature
 * bit set and none set, SVM hidden, the leaf missing, VM_CR locked or
 * unreadable, a second CPU that differs.  Every expected line is written
 * out by hand from a raw value and AMD64 APM Vol. 3 pub. 24594 rev. 3.37,
 * E.4.9 (CPUID Fn8000_000A) and Vol. 2 15.30.1 (VM_CR); the comment next
 * to it shows the derivation.
 */
#include "tap.h"
#include "cap_test.h"
#include "vmxcap/svmcap_decode.c"

#define DATA_DIR	"data/svm/"
#define MAX_CPUS	4

struct capture {
	const char *name;
	unsigned int ncpus;
	u32 leaf[MAX_CPUS][3][4];	/* 80000000H, 80000001H, 8000000AH */
	bool readable[MAX_CPUS][SVMCAP_NR_MSRS];
	u64 val[MAX_CPUS][SVMCAP_NR_MSRS];
};

static int leaf_index(unsigned int leaf)
{
	switch (leaf) {
	case SVMCAP_LEAF_MAX_EXT: return 0;
	case SVMCAP_LEAF_EXT1: return 1;
	case SVMCAP_LEAF_SVM: return 2;
	}
	return -1;
}

/* One line of data/svm/<model>.svm: "cpuN cpuid ..." or "cpuN msr ...". */
static bool parse_line(void *ctx, const char *line)
{
	struct capture *c = ctx;
	unsigned int cpu, addr, r[4];
	char val[64];
	int i = -1, m = -1;

	if (sscanf(line, "cpu%u cpuid 0x%x 0x%x 0x%x 0x%x 0x%x", &cpu,
		   &addr, &r[0], &r[1], &r[2], &r[3]) == 6 &&
	    cpu < MAX_CPUS)
		i = leaf_index(addr);
	else if (sscanf(line, "cpu%u msr 0x%x %63s", &cpu, &addr,
			val) == 3 && cpu < MAX_CPUS)
		m = msr_id(svmcap_msr_desc, SVMCAP_NR_MSRS, addr);
	if (i >= 0) {
		memcpy(c->leaf[cpu][i], r, sizeof(r));
	} else if (m >= 0) {
		if (strcmp(val, "unreadable")) {
			c->val[cpu][m] = strtoull(val, NULL, 16);
			c->readable[cpu][m] = true;
		}
	} else {
		return false;
	}
	if (cpu + 1 > c->ncpus)
		c->ncpus = cpu + 1;
	return true;
}

static bool load(const char *name, struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	return load_capture(DATA_DIR, name, ".svm", parse_line, c);
}

/* What svmcap_read_local() does, with the capture standing in for the CPU. */
static void read_like_module(const struct capture *c, unsigned int cpu,
			     struct svmcap_regs *r)
{
	unsigned int id;

	memset(r, 0, sizeof(*r));
	r->max_ext = c->leaf[cpu][0][0];
	if (svmcap_leaf_ext1(r))
		r->ext1_ecx = c->leaf[cpu][1][2];
	if (svmcap_leaf_svm(r)) {
		r->eax = c->leaf[cpu][2][0];
		r->ebx = c->leaf[cpu][2][1];
		r->ecx = c->leaf[cpu][2][2];
		r->edx = c->leaf[cpu][2][3];
	}
	for (id = 0; id < SVMCAP_NR_MSRS; id++)
		if (svmcap_msr_exists(r, id))
			read_msr_like_module(id, c->readable[cpu][id],
					     c->val[cpu][id], &r->attempted,
					     &r->valid, r->val);
}

static void decode(const struct capture *c, struct svmcap_regs *regs,
		   struct report *r)
{
	report_free(r);
	read_like_module(c, 0, regs);
	svmcap_decode(regs, collect, r);
}

/* zambezi as captured, derived from the raw values in the data file. */
static void test_zambezi(const struct capture *c)
{
	static const char *const want[] = {
		"cpuid 0x80000000 eax=0x8000001e",
		"cpuid 0x80000001 ecx=0x01c92fff",
		"cpuid 0x8000000a eax=0x00000001 ebx=0x00000040 ecx=0x00000000 edx=0x0000044f",
		"msr 0xc0000080 0x0000000000000d01 EFER",
		"msr 0xc0010114 0x0000000000000000 VM_CR",
		"status ok SVM available",
		"svm revision=0x1",		/* EAX[7:0] = 01h */
		"svm nasid=64",			/* EBX = 40h */
		"vm_cr dpd=0",			/* VM_CR = 0 */
		"vm_cr r_init=0",
		"vm_cr dis_a20m=0",
		"vm_cr lock=0",
		"vm_cr svmdis=0",
		"efer svme=0",			/* 0xd01: bit 12 clear */
		"group svm_ecx present cpuid=0x8000000a",
		"svm_ecx 6 no x2AVIC_EXT",	/* ECX = 0 */
		"group svm_edx present cpuid=0x8000000a",
		/* EDX = 0x44f: bits 0, 1, 2, 3, 6, 10 */
		"svm_edx 0 yes NP",
		"svm_edx 1 yes LbrVirt",
		"svm_edx 2 yes SVML",
		"svm_edx 3 yes NRIPS",
		"svm_edx 4 no TscRateMsr",
		"svm_edx 5 no VmcbClean",
		"svm_edx 6 yes FlushByAsid",
		"svm_edx 7 no DecodeAssists",
		"svm_edx 8 no PmcVirt",
		"svm_edx 10 yes PauseFilter",
		"svm_edx 12 no PauseFilterThreshold",
		"svm_edx 13 no AVIC",
		"svm_edx 15 no VMSAVEvirt",
		"svm_edx 16 no VGIF",
		"svm_edx 17 no GMET",
		"svm_edx 18 no x2AVIC",
		"svm_edx 19 no SSSCheck",
		"svm_edx 20 no SpecCtrl",
		"svm_edx 21 no ROGPT",
		"svm_edx 23 no HOST_MCE_OVERRIDE",
		"svm_edx 24 no TlbiCtl",
		"svm_edx 25 no VNMI",
		"svm_edx 26 no IbsVirt",
		"svm_edx 27 no ExtLvtAvicAccessChg",
		"svm_edx 28 no NestedVirtVmcbAddrChk",
		"svm_edx 29 no BusLockThreshold",
		"svm_edx 30 no IdleHltIntercept",
	};
	struct svmcap_regs regs;
	struct report r = { 0 };

	decode(c, &regs, &r);
	is_u64(svmcap_status(&regs), SVMCAP_OK, "zambezi: status ok");
	is_u64(regs.attempted, 3, "zambezi: EFER and VM_CR are read");
	expect_report("zambezi", &r, want, ARRAY_SIZE(want));
	report_free(&r);
	svmcap_emit_cpu(&regs, 0, collect, &r);
	expect("zambezi", &r, "cpu 0 efer_svme=0", "EFER 0xd01 bit 12 clear");
	report_free(&r);
}

static const char *const edx_names[32] = {
	"NP", "LbrVirt", "SVML", "NRIPS", "TscRateMsr", "VmcbClean",
	"FlushByAsid", "DecodeAssists", "PmcVirt", NULL, "PauseFilter", NULL,
	"PauseFilterThreshold", "AVIC", NULL, "VMSAVEvirt", "VGIF", "GMET",
	"x2AVIC", "SSSCheck", "SpecCtrl", "ROGPT", NULL, "HOST_MCE_OVERRIDE",
	"TlbiCtl", "VNMI", "IbsVirt", "ExtLvtAvicAccessChg",
	"NestedVirtVmcbAddrChk", "BusLockThreshold", "IdleHltIntercept", NULL,
};

/*
 * The number of lines "svm_edx <bit> <state> <name>" (or "... bit <bit>")
 * missing from @r, for every EDX bit or, with @named_only, the named ones.
 */
static unsigned int missing_edx(const struct report *r, const char *state,
				bool named_only)
{
	unsigned int bit, bad = 0;
	char line[96];

	for (bit = 0; bit < 32; bit++) {
		if (edx_names[bit])
			snprintf(line, sizeof(line), "svm_edx %u %s %s", bit,
				 state, edx_names[bit]);
		else if (!named_only)
			snprintf(line, sizeof(line), "svm_edx %u %s bit %u",
				 bit, state, bit);
		else
			continue;
		bad += count_missing(r, line);
	}
	return bad;
}

/* Leaf 8000000AH with every bit of EAX, EBX, ECX, EDX set, then none. */
static void test_all_and_none(const struct capture *zambezi)
{
	const char *n = "every bit set";
	struct svmcap_regs regs;
	struct report r = { 0 };
	struct capture c = *zambezi;
	unsigned int bad;

	c.leaf[0][2][0] = c.leaf[0][2][1] = 0xffffffff;
	c.leaf[0][2][2] = c.leaf[0][2][3] = 0xffffffff;
	decode(&c, &regs, &r);
	expect(n, &r, "svm revision=0xff", "EAX[7:0]");
	expect(n, &r, "svm eax_other_bits=0xffffff00",
	       "EAX[31:8] is reserved");
	expect(n, &r, "svm nasid=4294967295", "EBX = ffffffffh, unsigned");
	bad = missing_edx(&r, "yes", false);
	ok(bad == 0 && count_prefix(&r, "svm_edx ") == 32,
	   "%s: 32 EDX lines, 27 by APM name, 9 11 14 22 31 as \"bit N\"", n);
	expect(n, &r, "svm_ecx 6 yes x2AVIC_EXT", "ECX bit 6");
	expect(n, &r, "svm_ecx 0 yes bit 0", "ECX bit 0, unnamed");
	is_u64(count_prefix(&r, "svm_ecx "), 32, "%s: 32 ECX lines", n);

	n = "no bit set";
	memset(c.leaf[0][2], 0, sizeof(c.leaf[0][2]));
	decode(&c, &regs, &r);
	expect(n, &r, "svm revision=0x0", "EAX = 0");
	expect(n, &r, "svm nasid=0", "EBX = 0");
	expect_none(n, &r, "svm eax_other_bits", "EAX[31:8] clear");
	bad = missing_edx(&r, "no", true);
	ok(bad == 0 && count_prefix(&r, "svm_edx ") == 27,
	   "%s: the 27 named EDX bits, each \"no\", and nothing else", n);
	expect_none(n, &r, "svm_edx 9 ", "reserved bit 9 clear: no line");
	expect_none(n, &r, "svm_edx 31 ", "reserved bit 31 clear: no line");
	expect(n, &r, "svm_ecx 6 no x2AVIC_EXT", "named ECX bit, clear");
	is_u64(count_prefix(&r, "svm_ecx "), 1, "%s: one ECX line", n);
	report_free(&r);
}

static void test_vm_cr(const struct capture *zambezi)
{
	const char *n = "VM_CR";
	const char *line =
		"status svm_disabled SVM disabled: VM_CR (0xc0010114) has SVMDIS[bit 4] set, EFER.SVME cannot be set";
	struct svmcap_regs regs;
	struct report r = { 0 };
	struct capture c = *zambezi;

	/* 0x18: LOCK (bit 3) and SVMDIS (bit 4), as firmware leaves it */
	c.val[0][SVMCAP_VM_CR] = 0x18;
	decode(&c, &regs, &r);
	is_u64(svmcap_status(&regs), SVMCAP_DISABLED, "%s 0x18: status", n);
	expect(n, &r, line, "VM_CR bit 4");
	is_str(svmcap_status_reason(SVMCAP_DISABLED),
	       line + strlen("status svm_disabled "),
	       "%s: the module's one-line reason", n);
	expect(n, &r, "vm_cr lock=1", "bit 3");
	expect(n, &r, "vm_cr svmdis=1", "bit 4");
	expect(n, &r, "vm_cr dpd=0", "bit 0 clear");
	expect(n, &r, "msr 0xc0010114 0x0000000000000018 VM_CR", "raw");
	expect_none(n, &r, "vm_cr other_bits", "bits 63:5 clear");

	/* 0x10: SVMDIS without LOCK is disabled all the same */
	c.val[0][SVMCAP_VM_CR] = 0x10;
	decode(&c, &regs, &r);
	is_u64(svmcap_status(&regs), SVMCAP_DISABLED,
	       "%s 0x10: SVMDIS without LOCK: svm_disabled", n);
	expect(n, &r, "vm_cr lock=0", "bit 3 clear");

	/* 0x8000000000000027: DPD, R_INIT, DIS_A20M, bit 5, bit 63 */
	c.val[0][SVMCAP_VM_CR] = 0x8000000000000027ULL;
	decode(&c, &regs, &r);
	is_u64(svmcap_status(&regs), SVMCAP_OK, "%s: LOCK alone is ok", n);
	expect(n, &r, "vm_cr dpd=1", "bit 0");
	expect(n, &r, "vm_cr r_init=1", "bit 1");
	expect(n, &r, "vm_cr dis_a20m=1", "bit 2");
	expect(n, &r, "vm_cr svmdis=0", "bit 4 clear");
	expect(n, &r, "vm_cr other_bits=0x8000000000000020",
	       "bits 5 and 63 are no field");

	/* VM_CR faults although CPUID says SVM */
	c.readable[0][SVMCAP_VM_CR] = false;
	decode(&c, &regs, &r);
	is_u64(svmcap_status(&regs), SVMCAP_NO_VM_CR, "%s: no_vm_cr", n);
	expect(n, &r, "msr 0xc0010114 unreadable VM_CR", "read faulted");
	expect(n, &r,
	       "status no_vm_cr no SVM: CPUID reports SVM but VM_CR (0xc0010114) cannot be read",
	       "status line");
	ok(!strncmp(r.line[r.n - 1], "status ", 7),
	   "%s: nothing follows no_vm_cr", n);
	report_free(&r);
}

static void test_efer(const struct capture *zambezi)
{
	const char *n = "EFER.SVME";
	struct svmcap_regs regs;
	struct report r = { 0 };
	struct capture c = *zambezi;

	c.val[0][SVMCAP_EFER] = 0x1d01;		/* zambezi's 0xd01 | bit 12 */
	decode(&c, &regs, &r);
	expect(n, &r, "efer svme=1", "EFER bit 12");
	report_free(&r);
	svmcap_emit_cpu(&regs, 3, collect, &r);
	expect(n, &r, "cpu 3 efer_svme=1", "EFER bit 12 on that CPU");
	c.readable[0][SVMCAP_EFER] = false;
	decode(&c, &regs, &r);
	expect(n, &r, "msr 0xc0000080 unreadable EFER", "read faulted");
	expect_none(n, &r, "efer ", "no EFER field without EFER");
	report_free(&r);
	svmcap_emit_cpu(&regs, 0, collect, &r);
	expect(n, &r, "cpu 0 efer_svme=unreadable", "read faulted");
	report_free(&r);
}

static void test_no_svm(const struct capture *zambezi)
{
	const char *n = "SVM hidden";
	const char *line =
		"status no_svm no SVM: CPUID.80000001H:ECX.SVM[bit 2] is 0 (not an AMD CPU with SVM, or hidden by a hypervisor)";
	struct svmcap_regs regs;
	struct report r = { 0 };
	struct capture c = *zambezi;

	c.leaf[0][1][2] &= ~(1u << 2);		/* 0x01c92ffb */
	decode(&c, &regs, &r);
	is_u64(svmcap_status(&regs), SVMCAP_NO_SVM, "%s: status", n);
	is_u64(regs.attempted, 0, "%s: no MSR is read without SVM", n);
	is_u64(r.n, 3, "%s: two raw CPUID lines and the status", n);
	expect(n, &r, "cpuid 0x80000001 ecx=0x01c92ffb", "bit 2 clear");
	expect(n, &r, line, "CPUID.80000001H:ECX bit 2 clear");
	expect_none(n, &r, "cpuid 0x8000000a", "leaf 8000000AH is not read");

	/* No extended leaves at all: 80000000H returns a basic leaf's EAX */
	c = *zambezi;
	c.leaf[0][0][0] = 0x0000000d;
	decode(&c, &regs, &r);
	is_u64(svmcap_status(&regs), SVMCAP_NO_SVM,
	       "%s: 80000000H:EAX = 0dh has no leaf 80000001H", n);
	expect(n, &r, "cpuid 0x80000000 eax=0x0000000d", "raw");
	expect_none(n, &r, "cpuid 0x80000001", "80000001H is not read");
	report_free(&r);
}

static void test_leaf_absent(const struct capture *zambezi)
{
	const char *n = "SVM without leaf 8000000AH";
	struct svmcap_regs regs;
	struct report r = { 0 };
	struct capture c = *zambezi;

	c.leaf[0][0][0] = 0x80000008;
	decode(&c, &regs, &r);
	is_u64(svmcap_status(&regs), SVMCAP_OK, "%s: status ok", n);
	expect(n, &r, "cpuid 0x8000000a absent", "80000000H:EAX < 8000000Ah");
	expect(n, &r, "group svm_edx absent", "no leaf, no bits");
	expect(n, &r, "group svm_ecx absent", "no leaf, no bits");
	expect_none(n, &r, "svm ", "no revision, no ASIDs");
	expect(n, &r, "vm_cr svmdis=0", "VM_CR is still read");
	report_free(&r);
}

static void test_cpu_differs(const struct capture *zambezi)
{
	const char *n = "CPU comparison";
	struct svmcap_regs ref, regs;
	struct report r = { 0 };
	struct capture c = *zambezi;

	c.ncpus = 2;
	memcpy(c.leaf[1], c.leaf[0], sizeof(c.leaf[0]));
	memcpy(c.val[1], c.val[0], sizeof(c.val[0]));
	memcpy(c.readable[1], c.readable[0], sizeof(c.readable[0]));
	read_like_module(&c, 0, &ref);
	read_like_module(&c, 1, &regs);
	is_u64(svmcap_compare(&ref, 0, &regs, 1, collect, &r), 0,
	       "%s: identical CPUs do not differ", n);
	is_u64(r.n, 0, "%s: and get no line", n);

	c.leaf[1][2][3] &= ~1u;			/* no NP on cpu1: 0x44e */
	c.val[1][SVMCAP_EFER] |= 1ULL << 12;	/* SVME on cpu1 only */
	read_like_module(&c, 1, &regs);
	is_u64(svmcap_compare(&ref, 0, &regs, 1, collect, &r), 2,
	       "%s: two raw values differ", n);
	expect(n, &r,
	       "cpu 1 differs cpuid=0x8000000a.edx value=0x0000044e ref_cpu=0 ref_value=0x0000044f",
	       "EDX bit 0 cleared on cpu1");
	expect(n, &r,
	       "cpu 1 differs msr=0xc0000080 value=0x0000000000001d01 ref_cpu=0 ref_value=0x0000000000000d01",
	       "EFER bit 12 set on cpu1");
	report_free(&r);
	svmcap_emit_cpu(&regs, 1, collect, &r);
	expect(n, &r, "cpu 1 efer_svme=1", "cpu1's own EFER");
	report_free(&r);

	/* cpu1 without SVM: its leaf and MSRs are not read at all */
	c.leaf[1][1][2] &= ~(1u << 2);
	read_like_module(&c, 1, &regs);
	svmcap_compare(&ref, 0, &regs, 1, collect, &r);
	expect(n, &r,
	       "cpu 1 differs cpuid=0x8000000a.edx value=none ref_cpu=0 ref_value=0x0000044f",
	       "leaf not read on cpu1");
	expect(n, &r,
	       "cpu 1 differs msr=0xc0010114 value=none ref_cpu=0 ref_value=0x0000000000000000",
	       "VM_CR not read on cpu1");
	report_free(&r);
}

int main(void)
{
	struct capture c;

	if (load("zambezi", &c)) {
		ok(c.ncpus == 1, "zambezi: one CPU captured");
		test_zambezi(&c);
		test_all_and_none(&c);
		test_vm_cr(&c);
		test_efer(&c);
		test_no_svm(&c);
		test_leaf_absent(&c);
		test_cpu_differs(&c);
	}
	return done_testing();
}
