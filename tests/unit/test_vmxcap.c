// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the vmxcap decoder (src/vmxcap/vmxcap_decode.c).
 *
 * The inputs are real VMX capability MSR values captured from the CPU
 * models Bochs 2.7 emulates (data/vmx/<model>.msr, each file says how),
 * read the way vmxcap.ko reads them: in enum order, only the MSRs the SDM
 * says exist.  Every expected line below is derived by hand from a raw
 * value and the SDM bit definitions; the comment next to it shows the
 * derivation.  Control MSRs hold allowed-0 settings in bits 31:0 (set:
 * must be 1) and allowed-1 settings in bits 63:32 (set: may be 1).
 */
#include "tap.h"
#include "cap_test.h"
#include "vmxcap/vmxcap_decode.c"

#define DATA_DIR	"data/vmx/"
#define MAX_CPUS	4

struct capture {
	const char *name;
	bool cpuid_vmx;
	unsigned int ncpus;
	bool readable[MAX_CPUS][VMXCAP_NR_MSRS];
	u64 val[MAX_CPUS][VMXCAP_NR_MSRS];
};

/* One line of data/vmx/<model>.msr: "cpuid_vmx N" or "cpuN ADDR VALUE". */
static bool parse_line(void *ctx, const char *line)
{
	struct capture *c = ctx;
	unsigned int cpu, addr;
	char val[64];
	int vmx, id;

	if (sscanf(line, "cpuid_vmx %d", &vmx) == 1) {
		c->cpuid_vmx = vmx;
		return true;
	}
	if (sscanf(line, "cpu%u 0x%x %63s", &cpu, &addr, val) != 3 ||
	    cpu >= MAX_CPUS)
		return false;
	id = msr_id(vmxcap_msr_desc, VMXCAP_NR_MSRS, addr);
	if (id < 0)
		return false;
	if (cpu + 1 > c->ncpus)
		c->ncpus = cpu + 1;
	if (strcmp(val, "unreadable")) {
		c->val[cpu][id] = strtoull(val, NULL, 16);
		c->readable[cpu][id] = true;
	}
	return true;
}

static bool load(const char *name, struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	return load_capture(DATA_DIR, name, ".msr", parse_line, c);
}

/* What vmxcap_read_local() does, with the capture standing in for RDMSR. */
static void read_like_module(const struct capture *c, unsigned int cpu,
			     struct vmxcap_msrs *m)
{
	unsigned int id;

	memset(m, 0, sizeof(*m));
	m->cpuid_vmx = c->cpuid_vmx;
	for (id = 0; id < VMXCAP_NR_MSRS; id++)
		if (vmxcap_msr_exists(m, id))
			read_msr_like_module(id, c->readable[cpu][id],
					     c->val[cpu][id], &m->attempted,
					     &m->valid, m->val);
}

static void decode(const struct vmxcap_msrs *m, struct report *r)
{
	report_free(r);
	vmxcap_decode(m, collect, r);
}

/*
 * The rules of Appendix A.3-A.5, written out again here, applied to every
 * bit of every 32/32 control group and compared with the report: a bit
 * that may be 1 or must be 1 has exactly one line, with the right state.
 */
static const struct {
	const char *key;
	enum vmxcap_msr plain, true_msr;
} ctls[] = {
	{ "pin", VMXCAP_PINBASED, VMXCAP_TRUE_PINBASED },
	{ "proc", VMXCAP_PROCBASED, VMXCAP_TRUE_PROCBASED },
	{ "proc2", VMXCAP_PROCBASED2, VMXCAP_NR_MSRS },
	{ "exit", VMXCAP_EXIT, VMXCAP_TRUE_EXIT },
	{ "entry", VMXCAP_ENTRY, VMXCAP_TRUE_ENTRY },
};

static void check_ctls_states(const char *what, const struct vmxcap_msrs *m,
			      const struct report *r)
{
	unsigned int g, bit, bad = 0, lines = 0;

	for (g = 0; g < ARRAY_SIZE(ctls); g++) {
		u64 plain = m->val[ctls[g].plain], tru = plain;

		if (!(m->valid & (1U << ctls[g].plain)))
			continue;
		if (ctls[g].true_msr != VMXCAP_NR_MSRS &&
		    (m->valid & (1U << ctls[g].true_msr)))
			tru = m->val[ctls[g].true_msr];
		for (bit = 0; bit < 32; bit++) {
			bool must1 = plain >> bit & 1;
			bool may1 = plain >> (bit + 32) & 1;
			bool clearable = !(tru >> bit & 1);
			const char *want;
			char prefix[64];
			unsigned int i;
			int n = 0;

			if (!must1 && !may1)
				continue;
			if (may1 && clearable)
				want = must1 ? "default1" : "yes";
			else
				want = may1 ? "forced" : "invalid";
			snprintf(prefix, sizeof(prefix), "%s %u %s ",
				 ctls[g].key, bit, want);
			for (i = 0; i < r->n; i++)
				n += !strncmp(r->line[i], prefix,
					      strlen(prefix));
			lines++;
			if (n != 1) {
				printf("#   want one \"%s...\", have %d\n",
				       prefix, n);
				bad++;
			}
		}
	}
	ok(bad == 0 && lines > 0,
	   "%s: %u allowed control bits each listed once with the state Appendix A gives",
	   what, lines);
}

/* Every MSR the reader tried appears raw, value for value. */
static void check_raw_lines(const char *what, const struct vmxcap_msrs *m,
			    const struct report *r)
{
	unsigned int id, bad = 0, n = 0;
	char line[128];

	for (id = 0; id < VMXCAP_NR_MSRS; id++) {
		if (!(m->attempted & (1U << id)))
			continue;
		n++;
		if (m->valid & (1U << id))
			snprintf(line, sizeof(line), "msr 0x%03x 0x%016llx %s",
				 vmxcap_msr_desc[id].addr, m->val[id],
				 vmxcap_msr_desc[id].name);
		else
			snprintf(line, sizeof(line), "msr 0x%03x unreadable %s",
				 vmxcap_msr_desc[id].addr,
				 vmxcap_msr_desc[id].name);
		bad += count_missing(r, line);
	}
	ok(bad == 0 && (int)n == count_prefix(r, "msr "),
	   "%s: %u raw MSR lines, one per MSR read", what, n);
}

static void test_common(const struct capture *c, struct vmxcap_msrs *m,
			struct report *r)
{
	unsigned int cpu;
	int diff = 0;

	read_like_module(c, 0, m);
	decode(m, r);
	is_u64(vmxcap_status(m), VMXCAP_OK, "%s: status ok", c->name);
	expect(c->name, r, "status ok VMX available", "CPUID.1:ECX.VMX=1");
	check_raw_lines(c->name, m, r);
	check_ctls_states(c->name, m, r);
	for (cpu = 1; cpu < c->ncpus; cpu++) {
		struct vmxcap_msrs other;
		struct report none = { 0 };

		read_like_module(c, cpu, &other);
		diff += vmxcap_compare(m, 0, &other, cpu, collect, &none);
		report_free(&none);
	}
	is_u64(diff, 0, "%s: all %u captured CPUs report the same MSRs",
	       c->name, c->ncpus);
}

/* Checks that hold for every Bochs model with VMX: the same basic setup. */
static void test_bochs_common(const char *n, const struct report *r)
{
	/* 0x03a = 0x5: bit 0 lock, bit 2 VMX outside SMX */
	expect(n, r, "feature_control lock=1", "0x3a bit 0");
	expect(n, r, "feature_control vmx_outside_smx=1", "0x3a bit 2");
	expect(n, r, "feature_control vmx_in_smx=0", "0x3a bit 1 clear");
	/* 0x480 bits 44:32 = 0x1000, 53:50 = 6, 54, 55 set */
	expect(n, r, "basic vmcs_size=4096", "0x480 bits 44:32 = 0x1000");
	expect(n, r, "basic vmcs_memtype=wb", "0x480 bits 53:50 = 6 (WB)");
	expect(n, r, "basic ins_outs_info=1", "0x480 bit 54");
	expect(n, r, "basic true_ctls=1", "0x480 bit 55");
	expect(n, r, "group pin present msr=0x481 true=0x48d",
	       "0x480 bit 55: TRUE MSRs exist");
	/* 0x481 = 0x0000007f_00000016, 0x48d the same */
	expect(n, r, "pin 0 yes External-interrupt exiting",
	       "0x481 bit 32 set, bit 0 clear");
	expect(n, r, "pin 6 yes Activate VMX-preemption timer",
	       "0x481 bit 38 set");
	expect(n, r, "pin 7 no Process posted interrupts",
	       "0x481 bit 39 clear");
	expect(n, r, "pin 1 forced bit 1",
	       "unnamed default1 bit: 0x481 and 0x48d bit 1 set");
	/* 0x482 allowed-0 0x0401e172, 0x48e allowed-0 0x04006172 */
	expect(n, r, "proc 15 default1 CR3-load exiting",
	       "0x482 bit 15 set, 0x48e bit 15 clear, bit 47 set");
	expect(n, r, "proc 16 default1 CR3-store exiting",
	       "0x482 bit 16 set, 0x48e bit 16 clear, bit 48 set");
	expect(n, r, "proc 26 forced bit 26", "0x482 and 0x48e bit 26 set");
	expect(n, r, "proc 31 yes Activate secondary controls",
	       "0x482 bit 63 set");
	expect(n, r, "proc 17 no Activate tertiary controls",
	       "0x482 bit 49 clear");
	expect(n, r, "group proc3 absent", "0x482 bit 49 clear");
	expect_none(n, r, "msr 0x492 ", "IA32_VMX_PROCBASED_CTLS3 not read");
	/* exit 0x483 allowed-0 0x00036dff, 0x48f allowed-0 0x00036dfb */
	expect(n, r, "exit 2 default1 Save debug controls",
	       "0x483 bit 2 set, 0x48f bit 2 clear");
	expect(n, r, "exit 9 yes Host address-space size", "0x483 bit 41");
	expect(n, r, "exit 31 no Activate secondary controls",
	       "0x483 bit 63 clear");
	expect(n, r, "group exit2 absent", "0x483 bit 63 clear");
	expect_none(n, r, "msr 0x493 ", "IA32_VMX_EXIT_CTLS2 not read");
	/* entry 0x484 allowed-0 0x000011ff, 0x490 allowed-0 0x000011fb */
	expect(n, r, "entry 2 default1 Load debug controls",
	       "0x484 bit 2 set, 0x490 bit 2 clear");
	expect(n, r, "entry 12 forced bit 12", "0x484 and 0x490 bit 12 set");
	expect(n, r, "entry 9 yes IA-32e mode guest", "0x484 bit 41 set");
	/* CR0_FIXED0 0x80000021, CR0_FIXED1 0xffffffff */
	expect(n, r, "cr0 0 forced PE", "0x486 bit 0");
	expect(n, r, "cr0 5 forced NE", "0x486 bit 5");
	expect(n, r, "cr0 31 forced PG", "0x486 bit 31");
	expect(n, r, "cr0 30 yes CD", "0x486 bit 30 clear, 0x487 bit 30 set");
	/* CR4_FIXED0 0x2000 */
	expect(n, r, "cr4 13 forced VMXE", "0x488 bit 13");
	expect(n, r, "cr4 12 no LA57", "0x489 bit 12 clear");
	/* VMCS_ENUM 0x34: bits 9:1 = 0x1a */
	expect(n, r, "vmcs_enum max_index=0x1a", "0x48a bits 9:1");
	/* secondary, EPT/VPID, VMFUNC exist in all of them */
	expect(n, r, "proc2 1 yes Enable EPT", "0x48b bit 33 set");
	expect(n, r, "proc2 5 yes Enable VPID", "0x48b bit 37 set");
	expect(n, r, "proc2 7 yes Unrestricted guest", "0x48b bit 39 set");
	expect(n, r, "proc2 13 yes Enable VM functions", "0x48b bit 45 set");
	expect(n, r, "proc2 14 yes VMCS shadowing", "0x48b bit 46 set");
	expect(n, r, "proc2 15 no Enable ENCLS exiting", "0x48b bit 47 clear");
	expect(n, r, "group eptvpid present msr=0x48c",
	       "0x48b bits 33 (EPT) and 37 (VPID)");
	expect(n, r, "eptvpid 0 yes Execute-only EPT translations",
	       "0x48c bit 0");
	expect(n, r, "eptvpid 6 yes Page-walk length 4", "0x48c bit 6");
	expect(n, r, "eptvpid 7 no Page-walk length 5", "0x48c bit 7 clear");
	expect(n, r, "eptvpid 17 yes EPT 1-Gbyte pages", "0x48c bit 17");
	expect(n, r, "eptvpid 22 no Advanced VM-exit information for EPT violations",
	       "0x48c bit 22 clear");
	expect(n, r, "eptvpid 43 yes INVVPID single-context-retaining-globals",
	       "0x48c bit 43");
	expect(n, r, "group vmfunc present msr=0x491", "0x48b bit 45 set");
	expect(n, r, "vmfunc 0 yes EPTP switching", "0x491 = 1");
	/* MISC low half 0x..0401e0 */
	expect(n, r, "misc activity_hlt=1", "0x485 bit 6");
	expect(n, r, "misc cr3_targets=4", "0x485 bits 24:16 = 4");
	expect(n, r, "misc max_msr_list=512", "0x485 bits 27:25 = 0");
	expect(n, r, "misc preemption_timer_shift=0", "0x485 bits 4:0 = 0");
}

static void test_haswell(const char *name)
{
	struct vmxcap_msrs m;
	struct report r = { 0 };
	struct capture c;

	if (!load(name, &c))
		return;
	test_common(&c, &m, &r);
	test_bochs_common(name, &r);
	/* 0x480 = 0x00d81000_0000002b */
	expect(name, &r, "basic revision=0x2b", "0x480 bits 30:0");
	expect(name, &r, "basic hw_exception_any_errcode=0",
	       "0x480 bit 56 clear");
	/* 0x482 allowed-1 0xf7f9fffe: bit 27 (MTF) clear */
	expect(name, &r, "proc 27 no Monitor trap flag", "0x482 bit 59 clear");
	/* 0x48b = 0x00047fff_00000000 */
	expect(name, &r, "proc2 17 no Enable PML", "0x48b bit 49 clear");
	expect(name, &r, "proc2 18 yes EPT-violation #VE", "0x48b bit 50 set");
	expect(name, &r, "proc2 25 no Use TSC scaling", "0x48b bit 57 clear");
	/* 0x483 allowed-1 0x007fffff */
	expect(name, &r, "exit 28 no Load CET state", "0x483 bit 60 clear");
	/* CR4_FIXED1 0x001727ff */
	expect(name, &r, "cr4 21 no SMAP", "0x489 bit 21 clear");
	expect(name, &r, "cr4 20 yes SMEP", "0x489 bit 20 set");
	/* MISC 0x200401e0 */
	expect(name, &r, "misc inject_zero_length=0", "0x485 bit 30 clear");
	expect(name, &r, "misc vmwrite_any_field=1", "0x485 bit 29 set");
	report_free(&r);
}

static void test_broadwell(void)
{
	const char *name = "broadwell_ult";
	struct vmxcap_msrs m;
	struct report r = { 0 };
	struct capture c;

	if (!load(name, &c))
		return;
	test_common(&c, &m, &r);
	test_bochs_common(name, &r);
	/* 0x48b = 0x00057fff_00000000 */
	expect(name, &r, "proc2 16 yes RDSEED exiting", "0x48b bit 48 set");
	expect(name, &r, "proc2 17 no Enable PML", "0x48b bit 49 clear");
	/* 0x489 = 0x003727ff */
	expect(name, &r, "cr4 21 yes SMAP", "0x489 bit 21 set");
	expect(name, &r, "cr4 11 no UMIP", "0x489 bit 11 clear");
	report_free(&r);
}

static void test_skylake_x(void)
{
	const char *name = "corei7_skylake_x";
	struct vmxcap_msrs m;
	struct report r = { 0 };
	struct capture c;

	if (!load(name, &c))
		return;
	test_common(&c, &m, &r);
	test_bochs_common(name, &r);
	/* 0x48b = 0x02177fff_00000000 */
	expect(name, &r, "proc2 17 yes Enable PML", "0x48b bit 49 set");
	expect(name, &r, "proc2 20 yes Enable XSAVES/XRSTORS",
	       "0x48b bit 52 set");
	expect(name, &r, "proc2 25 yes Use TSC scaling", "0x48b bit 57 set");
	expect(name, &r, "proc2 23 no Sub-page write permissions for EPT",
	       "0x48b bit 55 clear");
	/* MISC 0x600401e0 */
	expect(name, &r, "misc inject_zero_length=1", "0x485 bit 30 set");
	report_free(&r);
}

static void test_cannon_lake(void)
{
	const char *name = "corei3_cnl";
	struct vmxcap_msrs m;
	struct report r = { 0 };
	struct capture c;

	if (!load(name, &c))
		return;
	test_common(&c, &m, &r);
	test_bochs_common(name, &r);
	/* 0x48b = 0x02157cff_00000000: no APIC-register virtualization */
	expect(name, &r, "proc2 8 no APIC-register virtualization",
	       "0x48b bit 40 clear");
	expect(name, &r, "proc2 9 no Virtual-interrupt delivery",
	       "0x48b bit 41 clear");
	expect(name, &r, "proc2 10 yes PAUSE-loop exiting", "0x48b bit 42 set");
	expect(name, &r, "proc2 25 yes Use TSC scaling", "0x48b bit 57 set");
	report_free(&r);
}

static void test_tigerlake(void)
{
	const char *name = "tigerlake";
	struct vmxcap_msrs m;
	struct report r = { 0 };
	struct capture c;

	if (!load(name, &c))
		return;
	test_common(&c, &m, &r);
	test_bochs_common(name, &r);
	/* 0x480 = 0x01d81000_00000004 */
	expect(name, &r, "basic revision=0x4", "0x480 bits 30:0");
	expect(name, &r, "basic hw_exception_any_errcode=1", "0x480 bit 56");
	/* 0x482 allowed-1 0xfff9fffe */
	expect(name, &r, "proc 27 yes Monitor trap flag", "0x482 bit 59 set");
	/* 0x48b = 0x02977fff_00000000 */
	expect(name, &r, "proc2 23 yes Sub-page write permissions for EPT",
	       "0x48b bit 55 set");
	expect(name, &r, "proc2 26 no Enable user wait and pause",
	       "0x48b bit 58 clear");
	/* 0x48c = 0x00000f01_06b34141 */
	expect(name, &r, "eptvpid 23 yes Supervisor shadow-stack control",
	       "0x48c bit 23 set");
	/* 0x483 allowed-1 0x107fffff, 0x484 allowed-1 0x0010ffff */
	expect(name, &r, "exit 28 yes Load CET state", "0x483 bit 60 set");
	expect(name, &r, "entry 20 yes Load CET state", "0x484 bit 52 set");
	/* CR4_FIXED1 0x00f72fff */
	expect(name, &r, "cr4 23 yes CET", "0x489 bit 23 set");
	expect(name, &r, "cr4 19 no KL", "0x489 bit 19 clear");
	report_free(&r);
}

static void test_penryn(void)
{
	const char *name = "core2_penryn_t9600";
	struct vmxcap_msrs m;
	struct report r = { 0 };
	struct capture c;

	if (!load(name, &c))
		return;
	test_common(&c, &m, &r);
	/* 0x481 = 0x0000003f_00000016 */
	expect(name, &r, "pin 5 yes Virtual NMIs", "0x481 bit 37 set");
	expect(name, &r, "pin 6 no Activate VMX-preemption timer",
	       "0x481 bit 38 clear");
	/* 0x48b = 0x00000041_00000000: secondary controls, but no EPT/VPID */
	expect(name, &r, "group proc2 present msr=0x48b", "0x482 bit 63 set");
	expect(name, &r, "proc2 0 yes Virtualize APIC accesses",
	       "0x48b bit 32 set");
	expect(name, &r, "proc2 6 yes WBINVD exiting", "0x48b bit 38 set");
	expect(name, &r, "proc2 1 no Enable EPT", "0x48b bit 33 clear");
	expect(name, &r, "proc2 5 no Enable VPID", "0x48b bit 37 clear");
	expect(name, &r, "group eptvpid absent",
	       "A.10: 0x48b bits 33 and 37 clear (the capture's read faulted)");
	expect_none(name, &r, "msr 0x48c ", "0x48c is not read");
	expect(name, &r, "group vmfunc absent", "0x48b bit 45 clear");
	expect_none(name, &r, "msr 0x491 ", "0x491 is not read");
	/* 0x483 = 0x0003ffff_00036dff, 0x484 = 0x00003fff_000011ff */
	expect(name, &r, "exit 21 no Load IA32_EFER", "0x483 bit 53 clear");
	expect(name, &r, "exit 22 no Save VMX-preemption timer value",
	       "0x483 bit 54 clear");
	expect(name, &r, "exit 15 yes Acknowledge interrupt on exit",
	       "0x483 bit 47 set");
	expect(name, &r, "entry 13 yes Load IA32_PERF_GLOBAL_CTRL",
	       "0x484 bit 45 set");
	expect(name, &r, "entry 14 no Load IA32_PAT", "0x484 bit 46 clear");
	/* 0x485 = 0x000401e0, 0x489 = 0x000467ff */
	expect(name, &r, "misc vmwrite_any_field=0", "0x485 bit 29 clear");
	expect(name, &r, "misc store_efer_lma=1", "0x485 bit 5 set");
	expect(name, &r, "cr4 14 yes SMXE", "0x489 bit 14 set");
	expect(name, &r, "cr4 17 no PCIDE", "0x489 bit 17 clear");
	report_free(&r);
}

static void test_lynnfield(void)
{
	const char *name = "corei5_lynnfield_750";
	struct vmxcap_msrs m;
	struct report r = { 0 };
	struct capture c;

	if (!load(name, &c))
		return;
	test_common(&c, &m, &r);
	/* 0x48b = 0x0000007f_00000000 */
	expect(name, &r, "proc2 1 yes Enable EPT", "0x48b bit 33 set");
	expect(name, &r, "proc2 7 no Unrestricted guest", "0x48b bit 39 clear");
	expect(name, &r, "group vmfunc absent", "0x48b bit 45 clear");
	expect_none(name, &r, "msr 0x491 ", "0x491 is not read");
	/* 0x48c = 0x00000f01_06114141 */
	expect(name, &r, "group eptvpid present msr=0x48c", "0x48b bit 33 set");
	expect(name, &r, "eptvpid 16 yes EPT 2-Mbyte pages", "0x48c bit 16");
	expect(name, &r, "eptvpid 17 no EPT 1-Gbyte pages",
	       "0x48c bit 17 clear");
	expect(name, &r, "eptvpid 21 no EPT accessed and dirty flags",
	       "0x48c bit 21 clear");
	expect(name, &r, "eptvpid 41 yes INVVPID single-context",
	       "0x48c bit 41");
	report_free(&r);
}

static void test_sandy_bridge(void)
{
	const char *name = "corei7_sandy_bridge_2600k";
	struct vmxcap_msrs m;
	struct report r = { 0 };
	struct capture c;

	if (!load(name, &c))
		return;
	test_common(&c, &m, &r);
	/* 0x48b = 0x000000ff_00000000 */
	expect(name, &r, "proc2 7 yes Unrestricted guest", "0x48b bit 39 set");
	expect(name, &r, "proc2 8 no APIC-register virtualization",
	       "0x48b bit 40 clear");
	expect(name, &r, "group vmfunc absent",
	       "0x48b bit 45 clear (the capture's read of 0x491 faulted)");
	expect_none(name, &r, "msr 0x491 ", "0x491 is not read");
	/* 0x489 = 0x000627ff */
	expect(name, &r, "cr4 18 yes OSXSAVE", "0x489 bit 18 set");
	expect(name, &r, "cr4 16 no FSGSBASE", "0x489 bit 16 clear");
	report_free(&r);
}

static void test_icelake(void)
{
	const char *name = "corei7_icelake_u";
	struct vmxcap_msrs m;
	struct report r = { 0 };
	struct capture c;

	if (!load(name, &c))
		return;
	test_common(&c, &m, &r);
	test_bochs_common(name, &r);
	/* 0x480 = 0x00d81000_00000004 */
	expect(name, &r, "basic revision=0x4", "0x480 bits 30:0");
	/* 0x483 allowed-1 0x007fffff, 0x489 = 0x00772fff */
	expect(name, &r, "exit 28 no Load CET state", "0x483 bit 60 clear");
	expect(name, &r, "cr4 22 yes PKE", "0x489 bit 22 set");
	expect(name, &r, "cr4 23 no CET", "0x489 bit 23 clear");
	/* 0x48b = 0x02977fff_00000000 */
	expect(name, &r, "proc2 23 yes Sub-page write permissions for EPT",
	       "0x48b bit 55 set");
	report_free(&r);
}

/* Start from a real capture and change one MSR, as a different CPU would. */
static void with_msr(const struct capture *c, enum vmxcap_msr id, u64 val,
		     struct vmxcap_msrs *m, struct report *r)
{
	struct capture d = *c;
	unsigned int cpu;

	for (cpu = 0; cpu < d.ncpus; cpu++) {
		d.val[cpu][id] = val;
		d.readable[cpu][id] = true;
	}
	read_like_module(&d, 0, m);
	decode(m, r);
}

static void test_locked_off(const struct capture *c)
{
	const char *n = "FEATURE_CONTROL locked, VMX off";
	const char *line =
		"status locked_off VMX disabled by firmware: IA32_FEATURE_CONTROL (0x3a) is locked with VMX outside SMX off";
	struct vmxcap_msrs m;
	struct report r = { 0 };

	/* 0x3a = 0x1: bit 0 lock set, bit 2 (VMX outside SMX) clear */
	with_msr(c, VMXCAP_FEATURE_CONTROL, 0x1, &m, &r);
	is_u64(vmxcap_status(&m), VMXCAP_LOCKED_OFF, "%s: status", n);
	expect(n, &r, line, "0x3a = 0x1");
	expect(n, &r, "feature_control lock=1", "0x3a bit 0");
	expect(n, &r, "feature_control vmx_outside_smx=0", "0x3a bit 2 clear");
	is_str(vmxcap_status_reason(vmxcap_status(&m)),
	       line + strlen("status locked_off "),
	       "%s: the module's one-line reason", n);

	/* 0x3a = 0x3: VMX allowed only inside SMX, still off for us */
	with_msr(c, VMXCAP_FEATURE_CONTROL, 0x3, &m, &r);
	is_u64(vmxcap_status(&m), VMXCAP_LOCKED_OFF,
	       "%s: VMX inside SMX only (0x3a = 0x3) is off too", n);

	/* 0x3a = 0x0: unlocked, the kernel or a VMM can still enable VMX */
	with_msr(c, VMXCAP_FEATURE_CONTROL, 0x0, &m, &r);
	is_u64(vmxcap_status(&m), VMXCAP_OK,
	       "%s: unlocked (0x3a = 0) is not locked off", n);
	expect(n, &r, "feature_control lock=0", "0x3a bit 0 clear");

	/* other bits (SGX, LMCE) are reported, not decoded */
	with_msr(c, VMXCAP_FEATURE_CONTROL, 0x100005, &m, &r);
	expect(n, &r, "feature_control other_bits=0x100000",
	       "0x3a bit 20 (LMCE) is not a VMX field");
	report_free(&r);
}

static void test_no_true_ctls(const struct capture *c)
{
	const char *n = "BASIC bit 55 clear";
	struct vmxcap_msrs m;
	struct report r = { 0 };

	with_msr(c, VMXCAP_BASIC, c->val[0][VMXCAP_BASIC] & ~(1ULL << 55),
		 &m, &r);
	expect(n, &r, "basic true_ctls=0", "0x480 bit 55 clear");
	expect_none(n, &r, "msr 0x48d ", "no TRUE MSR is read");
	expect_none(n, &r, "msr 0x490 ", "no TRUE MSR is read");
	expect(n, &r, "group pin present msr=0x481", "no true= part");
	expect(n, &r, "group proc present msr=0x482", "no true= part");
	/* plain 0x482 allowed-0 bits 15, 16 set and nothing to clear them */
	expect(n, &r, "proc 15 forced CR3-load exiting",
	       "0x482 bit 15 set, no TRUE MSR");
	expect(n, &r, "exit 2 forced Save debug controls",
	       "0x483 bit 2 set, no TRUE MSR");
	expect(n, &r, "entry 2 forced Load debug controls",
	       "0x484 bit 2 set, no TRUE MSR");
	expect_none(n, &r, "proc 15 default1", "default1 needs a TRUE MSR");
	check_ctls_states(n, &m, &r);
	report_free(&r);
}

static void test_no_secondary(const struct capture *c)
{
	const char *n = "primary bit 31 cannot be set";
	struct vmxcap_msrs m;
	struct report r = { 0 };

	with_msr(c, VMXCAP_PROCBASED,
		 c->val[0][VMXCAP_PROCBASED] & ~(1ULL << 63), &m, &r);
	expect(n, &r, "proc 31 no Activate secondary controls",
	       "0x482 bit 63 clear");
	expect(n, &r, "group proc2 absent", "A.3.3: 0x48b exists only then");
	expect(n, &r, "group eptvpid absent", "A.10: needs EPT or VPID");
	expect(n, &r, "group vmfunc absent", "A.11: needs VM functions");
	expect_none(n, &r, "proc2 ", "no secondary control lines");
	expect_none(n, &r, "msr 0x48b ", "0x48b not read");
	expect_none(n, &r, "msr 0x48c ", "0x48c not read");
	expect_none(n, &r, "msr 0x491 ", "0x491 not read");
	expect_none(n, &r, "eptvpid ", "no EPT/VPID fields");
	report_free(&r);
}

static void test_tertiary_and_exit2(const struct capture *c)
{
	const char *n = "tertiary and secondary exit controls";
	struct vmxcap_msrs m;
	struct report r = { 0 };
	struct capture d = *c;

	/* allow primary bit 17 and exit bit 31, then give 0x492, 0x493 */
	d.val[0][VMXCAP_PROCBASED] |= 1ULL << (17 + 32);
	d.val[0][VMXCAP_EXIT] |= 1ULL << (31 + 32);
	d.val[0][VMXCAP_PROCBASED3] = (1ULL << 4) | (1ULL << 7) | (1ULL << 40);
	d.val[0][VMXCAP_EXIT2] = 0x3;
	read_like_module(&d, 0, &m);
	decode(&m, &r);
	expect(n, &r, "group proc3 present msr=0x492", "0x482 bit 49 set");
	expect(n, &r, "proc3 4 yes IPI virtualization", "0x492 bit 4");
	expect(n, &r, "proc3 7 yes Virtualize IA32_SPEC_CTRL", "0x492 bit 7");
	expect(n, &r, "proc3 0 no LOADIWKEY exiting", "0x492 bit 0 clear");
	expect(n, &r, "proc3 40 yes bit 40", "0x492 bit 40, unnamed");
	expect_none(n, &r, "proc3 41 ", "unnamed bits that cannot be set");
	expect(n, &r, "group exit2 present msr=0x493", "0x483 bit 63 set");
	expect(n, &r, "exit2 0 yes Save FRED", "0x493 bit 0");
	expect(n, &r, "exit2 1 yes Load FRED", "0x493 bit 1");
	expect(n, &r, "exit2 3 no Prematurely busy shadow stack",
	       "0x493 bit 3 clear");
	expect(n, &r, "msr 0x492 0x0000010000000090 IA32_VMX_PROCBASED_CTLS3",
	       "raw value of the 64-bit MSR");
	report_free(&r);
}

static void test_odd_values(const struct capture *c)
{
	const char *n = "inconsistent values";
	struct vmxcap_msrs m;
	struct report r = { 0 };
	struct capture d = *c;

	/* pin bit 0 must be 1 (bit 0) but may not be 1 (bit 32 clear) */
	d.val[0][VMXCAP_PINBASED] = 0x0000007e00000017ULL;
	d.val[0][VMXCAP_TRUE_PINBASED] = 0x0000007e00000017ULL;
	read_like_module(&d, 0, &m);
	decode(&m, &r);
	expect(n, &r, "pin 0 invalid External-interrupt exiting",
	       "0x481 and 0x48d bit 0 set, bit 32 clear");
	expect_none(n, &r, "pin true_allowed1_mismatch",
		    "0x481 and 0x48d agree on bits 63:32");
	/* TRUE allowed-1 must equal the plain one (A.3.1) */
	with_msr(c, VMXCAP_PINBASED, 0x0000007e00000016ULL, &m, &r);
	expect(n, &r, "pin true_allowed1_mismatch=0x1",
	       "0x481 bits 63:32 0x7e, 0x48d 0x7f");
	expect(n, &r, "pin 0 no External-interrupt exiting",
	       "0x481 bit 32 clear: settable only per the TRUE MSR");
	d = *c;
	/* MISC bit 31 is not defined */
	with_msr(c, VMXCAP_MISC, c->val[0][VMXCAP_MISC] | (1ULL << 31), &m,
		 &r);
	expect(n, &r, "misc other_bits=0x80000000", "0x485 bit 31");
	/* IA32_VMX_BASIC faults although CPUID reports VMX */
	d.readable[0][VMXCAP_BASIC] = false;
	read_like_module(&d, 0, &m);
	decode(&m, &r);
	is_u64(vmxcap_status(&m), VMXCAP_NO_BASIC, "%s: no_basic", n);
	expect(n, &r, "msr 0x480 unreadable IA32_VMX_BASIC", "read faulted");
	expect_none(n, &r, "group ", "nothing decoded without BASIC");
	report_free(&r);
}

static void test_cpu_differs(const struct capture *c)
{
	const char *n = "CPU comparison";
	struct vmxcap_msrs ref, m;
	struct report r = { 0 };
	struct capture d = *c;

	d.val[1][VMXCAP_PROCBASED2] &= ~(1ULL << 33);	/* no EPT on cpu1 */
	read_like_module(&d, 0, &ref);
	read_like_module(&d, 1, &m);
	is_u64(vmxcap_compare(&ref, 0, &m, 1, collect, &r), 1,
	       "%s: one MSR differs", n);
	expect(n, &r,
	       "cpu 1 differs msr=0x48b value=0x02977ffd00000000 ref_cpu=0 ref_value=0x02977fff00000000",
	       "0x48b bit 33 cleared on cpu1");
	report_free(&r);
	cap_emit_cpus(2, 1, collect, &r);
	expect(n, &r, "cpus checked=2 differing=1", "summary line");
	report_free(&r);
}

static void test_no_vmx_capture(const char *name, const struct capture *c)
{
	struct vmxcap_msrs m;
	struct report r = { 0 };

	read_like_module(c, 0, &m);
	is_u64(m.attempted, 0, "%s: no MSR is read without VMX", name);
	decode(&m, &r);
	is_u64(vmxcap_status(&m), VMXCAP_NO_VMX, "%s: status no_vmx", name);
	expect(name, &r,
	       "status no_vmx no VMX: CPUID.01H:ECX.VMX[bit 5] is 0 (not an Intel CPU with VMX, or hidden by a hypervisor)",
	       "CPUID.1:ECX bit 5 clear");
	is_u64(r.n, 1, "%s: the status line is the whole report", name);
	report_free(&r);
}

/* A CPU without VMX, as captured; and VMX hidden by a hypervisor. */
static void test_no_vmx(const char *name, const char *vmx_name)
{
	struct capture c;

	if (load(name, &c)) {
		ok(!c.cpuid_vmx, "%s: the capture says CPUID.1:ECX.VMX = 0",
		   name);
		test_no_vmx_capture(name, &c);
	}
	/* CPUID bit 5 clear: readable VMX MSRs must not be read either */
	if (load(vmx_name, &c)) {
		c.cpuid_vmx = false;
		c.name = "VMX hidden by a hypervisor";
		test_no_vmx_capture(c.name, &c);
	}
}

/* Changes to a real capture for the cases no Bochs model has. */
static void test_synthetic(const char *name)
{
	struct capture c;

	if (!load(name, &c))
		return;
	test_locked_off(&c);
	test_no_true_ctls(&c);
	test_no_secondary(&c);
	test_tertiary_and_exit2(&c);
	test_odd_values(&c);
	test_cpu_differs(&c);
}

int main(void)
{
	test_penryn();
	test_lynnfield();
	test_sandy_bridge();
	test_haswell("corei7_haswell_4770");
	test_broadwell();
	test_skylake_x();
	test_cannon_lake();
	test_icelake();
	test_tigerlake();
	test_synthetic("tigerlake");
	test_no_vmx("zambezi", "tigerlake");
	return done_testing();
}
