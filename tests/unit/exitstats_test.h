/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the unit tests of the VMX and the SVM side of the core
 * (test_exitstats.c, test_exitstats_svm.c) share: a VM of vCPUs gathered
 * the way kvm.ko gathers them, the vendor module's handled[] table, CPUID
 * as the guest issues it and the check of its answer, one complete exit.
 * Include after tap.h, the core (exitstats/exitstats.c) and the vendor's
 * exit-path hooks, with these defined:
 *
 *   TEST_ISA		the ISA's table (exitstats_isa_vmx, exitstats_isa_svm)
 *   TEST_VCPU		its per-vCPU figures (struct exitstats_vcpu, ...)
 *   TEST_NR_SLOTS	its number of slots, the size of handled[]
 *   TEST_EXIT_BEGIN	its exit-path hooks: open an exit of a reason ...
 *   TEST_EXIT_END	... and close it
 */
#ifndef KES_EXITSTATS_TEST_H
#define KES_EXITSTATS_TEST_H

#define NR_VCPUS 4

/*
 * A VM: its vCPUs' figures, summed the way kvm.ko's gather does; asking is
 * the vCPU whose CPUID asks, with its exit open (-1: none, as debugfs).
 */
struct vm {
	TEST_VCPU vcpu[NR_VCPUS];
	int nr;
	int asking;
};

static void gather(void *ctx, int slot, struct exitstats_figures *f)
{
	struct vm *vm = ctx;
	int i;

	for (i = 0; i < vm->nr; i++)
		exitstats_accumulate(&TEST_ISA, &vm->vcpu[i], slot,
				     i == vm->asking, f);
}

/* Per slot, as the vendor module registers it; each test fills it. */
static u8 handled[TEST_NR_SLOTS];

struct regs {
	u32 eax, ebx, ecx, edx;
};

/* CPUID as the guest issues it; registers start as garbage. */
static bool cpuid(struct vm *vm, u32 leaf, u32 subleaf, struct regs *r)
{
	u32 eax = 0xdeadbeef, ebx = 0xdeadbeef, edx = 0xdeadbeef;

	r->ecx = subleaf;
	if (!exitstats_answer(&TEST_ISA, leaf, &eax, &ebx, &r->ecx,
			      &edx, handled, gather, vm))
		return false;
	r->eax = eax;
	r->ebx = ebx;
	r->edx = edx;
	return true;
}

static bool regs_equal(const struct regs *r, u32 a, u32 b, u32 c, u32 d)
{
	return r->eax == a && r->ebx == b && r->ecx == c && r->edx == d;
}

/* One TAP line: EAX..EDX are @a..@d; if not, both sets as comments. */
static void regs_are(const struct regs *r, u32 a, u32 b, u32 c, u32 d,
		     const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!ok(regs_equal(r, a, b, c, d), "%s", what))
		printf("#   expected %08x %08x %08x %08x\n"
		       "#   got      %08x %08x %08x %08x\n",
		       a, b, c, d, r->eax, r->ebx, r->ecx, r->edx);
}

/* A CPUID the guest issues and the answer it must get. */
struct leaf_case {
	u32 leaf, subleaf;
	struct regs want;
	const char *what;
};

/* CPUID for each of @n cases: one TAP line each, as regs_are(). */
static void leaves_are(struct vm *vm, const struct leaf_case *c,
		       unsigned int n)
{
	struct regs r;

	for (; n; n--, c++) {
		cpuid(vm, c->leaf, c->subleaf, &r);
		regs_are(&r, c->want.eax, c->want.ebx, c->want.ecx,
			 c->want.edx, "%s", c->what);
	}
}

/* One complete exit of @reason on @v, taking @cycles to handle. */
static void exit_once(TEST_VCPU *v, u32 reason, u64 cycles)
{
	TEST_EXIT_BEGIN(v, reason);
	fake_tsc += cycles;
	TEST_EXIT_END(v);
	fake_tsc += 1000;	/* guest time: never accounted */
}

#endif /* KES_EXITSTATS_TEST_H */
