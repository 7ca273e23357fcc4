// SPDX-License-Identifier: GPL-2.0
/*
 * What the guest tests of both vendors share; see checks.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "checks.h"

const struct cpuid_regs regs_undefined = { 0, 0, 0, 0xffffffff };

struct cpuid_regs count_regs(uint64_t n)
{
	return (struct cpuid_regs){ (uint32_t)n, n >> 32, 0, 0 };
}

uint64_t count_of(struct cpuid_regs r)
{
	return (uint64_t)r.ebx << 32 | r.eax;
}

uint64_t cycles_of(struct cpuid_regs r)
{
	return (uint64_t)r.ebx << 32 | r.ecx;
}

bool regs_eq(struct cpuid_regs a, struct cpuid_regs b)
{
	return a.eax == b.eax && a.ebx == b.ebx && a.ecx == b.ecx &&
	       a.edx == b.edx;
}

void show_regs(const char *what, struct cpuid_regs r)
{
	printf("#   %s eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n",
	       what, r.eax, r.ebx, r.ecx, r.edx);
}

int is_regs(struct cpuid_regs got, struct cpuid_regs want,
	    const char *fmt, ...)
{
	char desc[256];
	va_list ap;
	int eq = regs_eq(got, want);

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	if (!ok(eq, "%s", desc)) {
		show_regs("expected", want);
		show_regs("got     ", got);
	}
	return eq;
}

void bail(const char *what)
{
	printf("Bail out! %s\n", what);
	exit(1);
}

struct cpuid_regs rd(struct vcpu *v, uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	if (guest_cpuid(v, leaf, subleaf, &r))
		bail("guest CPUID failed");
	return r;
}

struct cpuid_regs rd3(struct vcpu *v, uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	if (guest_cpuid_cpl3(v, leaf, subleaf, &r))
		bail("guest CPUID at CPL 3 failed");
	return r;
}

void new_vm(struct vm *vm, int nr_vcpus)
{
	if (vm_create(vm, nr_vcpus))
		bail("cannot create a VM");
}

void new_x2apic_vm(struct vm *vm)
{
	if (vm_create_irqchip(vm, 1))
		bail("cannot create a VM with an in-kernel irqchip");
	if (guest_wrmsr_loop(&vm->vcpu[0], MSR_IA32_APICBASE,
			     APIC_DEFAULT_BASE | APICBASE_EN | APICBASE_EXTD |
			     APICBASE_BSP, 1))
		bail("the guest could not enable x2APIC");
}

bool read_param(const char *path, const char *want)
{
	char buf[16] = "";
	FILE *f = fopen(path, "r");
	bool same;

	if (!f)
		return false;
	same = fgets(buf, sizeof(buf), f) && !strcmp(buf, want);
	fclose(f);
	/* One diagnostic line: without the values' newlines, with its own. */
	if (!same)
		printf("# %s reads \"%.*s\", expected \"%.*s\"\n", path,
		       (int)strcspn(buf, "\n"), buf, (int)strcspn(want, "\n"),
		       want);
	return same;
}

static void check_count(struct vcpu *v, const struct exit_kind *k,
			uint64_t want, const char *what)
{
	is_regs(rd(v, LEAF_REASON_COUNT, k->code), count_regs(want),
		"%s: %s exits (%s) exact: %llu", what, k->name, k->num,
		(unsigned long long)want);
}

/*
 * Each read ends with an OUT to PORT_DONE, after its CPUID: what it
 * expects is taken once the read before it is done.
 */
void check_counts(struct vm *vm, struct vcpu *v, const struct guest_exits *x,
		  const char *what)
{
	/* The asking CPUID counts itself. */
	check_count(v, &x->cpuid, vm_cpuid_exits(vm) + 1, what);
	check_count(v, &x->io, vm_io_exits(vm), what);
	check_count(v, &x->hlt, vm_hlt_exits(vm), what);
}

void check_fresh_counts(struct vm *vm, const struct guest_exits *x)
{
	const uint32_t n = 1000, n_io = 50, n_hlt = 20;
	struct vcpu *v = &vm->vcpu[0];

	is_regs(rd(v, LEAF_REASON_COUNT, x->cpuid.code), count_regs(1),
		"fresh VM: first CPUID 0x4FFFFFFD/%s counts itself: 1",
		x->cpuid.num);
	if (guest_cpuid_loop(v, 0, n))
		bail("CPUID loop failed");
	is_regs(rd(v, LEAF_REASON_COUNT, x->cpuid.code), count_regs(n + 2),
		"after %u more CPUID exits: %u", n, n + 2);
	is_regs(rd(v, LEAF_REASON_COUNT, x->hlt.code), count_regs(0),
		"no HLT yet: 0x4FFFFFFD/%s is 0", x->hlt.num);
	if (guest_io_loop(v, n_io) || guest_hlt_loop(v, n_hlt))
		bail("I/O or HLT loop failed");
}

void check_classes(struct vcpu *v, const struct guest_exits *x,
		   const uint32_t *undefined, unsigned int nr_undefined,
		   const uint32_t *unhandled, unsigned int nr_unhandled)
{
	static const uint32_t leaves[] = { LEAF_REASON_COUNT,
					   LEAF_REASON_CYCLES };
	const struct cpuid_regs zero = { 0 };
	unsigned int i, l;

	for (i = 0; i < nr_undefined; i++)
		for (l = 0; l < ARRAY_SIZE(leaves); l++)
			is_regs(rd(v, leaves[l], undefined[i]), regs_undefined,
				"ECX=0x%x not %s-defined: 0x%X answers 0,0,0,0xFFFFFFFF",
				undefined[i], x->manual, leaves[l]);
	for (i = 0; i < nr_unhandled; i++)
		for (l = 0; l < ARRAY_SIZE(leaves); l++)
			is_regs(rd(v, leaves[l], unhandled[i]), zero,
				"ECX=0x%x defined, not handled by KVM: 0x%X answers 0,0,0,0",
				unhandled[i], leaves[l]);
}

/*
 * MSR exits handled in KVM's fastpath, before the vendor's exit handler:
 * x2APIC ICR writes of a fixed, physically addressed IPI, with KVM's
 * in-kernel local APIC.  Counts must include them.
 */
void check_fastpath(struct vcpu *v, const struct guest_exits *x)
{
	const uint32_t n = 100;
	uint64_t want;

	if (guest_wrmsr_loop(v, MSR_X2APIC_ICR,
			     (uint64_t)APIC_ID_NOBODY << 32 | APIC_ICR_VECTOR,
			     n))
		bail("x2APIC ICR writes failed");
	is_regs(rd(v, LEAF_REASON_COUNT, x->msr.code),
		count_regs(v->wrmsr_exits),
		"%s exits (%s) exact with %u fastpath ICR writes: %llu",
		x->msr.name, x->msr.num, n,
		(unsigned long long)v->wrmsr_exits);
	want = v->cpuid_exits + 1;	/* the asking one */
	is_regs(rd(v, LEAF_REASON_COUNT, x->cpuid.code), count_regs(want),
		"in-kernel irqchip: CPUID exits (%s) exact: %llu",
		x->cpuid.num, (unsigned long long)want);
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

int run_threads(struct vcpu **vcpus, int n)
{
	pthread_t tid[MAX_VCPUS * 2];
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

void run_4_vcpus(struct vm *vm)
{
	struct vcpu *vcpus[4];
	int i;

	new_vm(vm, 4);
	for (i = 0; i < 4; i++)
		vcpus[i] = &vm->vcpu[i];
	ok(!run_threads(vcpus, 4),
	   "4 vCPUs ran 100k CPUIDs, 5k OUTs, k HLTs each (k = 1..4) at once");
}

void check_two_vms(const struct guest_exits *x)
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
	check_counts(&a, &a.vcpu[0], x, "VM A of two");
	check_counts(&b, &b.vcpu[0], x, "VM B of two");
	check_counts(&a, &a.vcpu[0], x, "VM A after B's reads");
	vm_destroy(&a);
	vm_destroy(&b);
}

/* A sum line, in order and once; true if @line is one. */
static bool sum_line(const char *line, struct dbgfs_sums *s, int *bad)
{
	unsigned long long c, y;
	char word[8], extra[2];

	if (sscanf(line, "%7s %llu %llu %1s", word, &c, &y, extra) != 3)
		return false;
	if (!strcmp(word, "other") && !s->other_seen && !s->total_seen) {
		s->other_seen = true;
		s->other_count = c;
		s->other_cycles = y;
	} else if (!strcmp(word, "total") && s->other_seen && !s->total_seen) {
		s->total_seen = true;
		s->total_count = c;
		s->total_cycles = y;
	} else {
		printf("# unexpected debugfs line: %s", line);
		(*bad)++;
	}
	return true;
}

/* A row, before the sum lines and once; false if @line is none. */
static bool row_line(const char *line, struct exitstats_table *t)
{
	unsigned long long c, y;
	char name[48], extra[2];
	struct dbgfs_row *row;
	unsigned int code;

	if (sscanf(line, "%u %47s %llu %llu %1s", &code, name, &c, &y,
		   extra) != 4 || t->sums.other_seen)
		return false;
	if (code >= t->nr) {
		t->beyond++;
		return true;
	}
	row = &t->rows[code];
	if (row->present)
		return false;
	row->present = true;
	snprintf(row->name, sizeof(row->name), "%s", name);
	row->count = c;
	row->cycles = y;
	t->nr_rows++;
	return true;
}

int read_exitstats(const struct vm *vm, struct exitstats_table *t)
{
	char path[128], line[256];
	int bad = 0;
	FILE *f;

	memset(t->rows, 0, t->nr * sizeof(*t->rows));
	memset(&t->sums, 0, sizeof(t->sums));
	t->nr_rows = 0;
	t->beyond = 0;
	t->lines = -1;
	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/exitstats",
		 getpid(), vm->fd);
	f = fopen(path, "r");
	if (!f) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	t->lines = 0;
	while (fgets(line, sizeof(line), f)) {
		t->lines++;
		if (sum_line(line, &t->sums, &bad) || row_line(line, t))
			continue;
		printf("# unexpected debugfs line: %s", line);
		bad++;
	}
	fclose(f);
	if (!t->sums.total_seen) {
		printf("# %s: no other and total lines\n", path);
		bad++;
	}
	return bad ? -1 : 0;
}
