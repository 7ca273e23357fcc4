/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest tests of both vendors share (exitstats-test on VMX,
 * svm-test and amd-test on SVM): leaves read in the guest and their
 * registers checked, the VM's debugfs exitstats table, and the checks
 * that differ only in the vendor's numbers for the exits the guest
 * routines cause (struct guest_exits).  Their TAP lines go through tap.h,
 * numbered with the program's own.  A VMM failure ends the run (bail).
 */
#ifndef KES_CHECKS_H
#define KES_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "vm.h"

/* x2APIC as the guest enables it, and an ICR write that goes nowhere. */
#define MSR_IA32_APICBASE	0x1b
#define APICBASE_BSP		(1u << 8)
#define APICBASE_EXTD		(1u << 10)
#define APICBASE_EN		(1u << 11)
#define APIC_DEFAULT_BASE	0xfee00000u
#define MSR_X2APIC_ICR		0x830
#define APIC_ICR_VECTOR		0x40	/* fixed, physical, no shorthand */
#define APIC_ID_NOBODY		7	/* no vCPU has it */

/* One exit reason (VMX) or exit code (SVM), as the TAP lines name it. */
struct exit_kind {
	uint32_t code;
	const char *name;	/* "CPUID", "I/O", "IOIO" */
	const char *num;	/* the code as the manual writes it: "10", "0x72" */
};

/* The exits the guest routines cause, in one vendor's numbering. */
struct guest_exits {
	struct exit_kind cpuid, io, hlt, msr;
	const char *manual;	/* which defines the codes: "SDM", "APM" */
};

/* What a leaf answers for an undefined reason: 0, 0, 0, 0xFFFFFFFF. */
extern const struct cpuid_regs regs_undefined;

/* 0x4FFFFFFD's and 0x4FFFFFFB's count in EBX:EAX, 0x4FFFFFFC's in EBX:ECX. */
struct cpuid_regs count_regs(uint64_t n);
uint64_t count_of(struct cpuid_regs r);
uint64_t cycles_of(struct cpuid_regs r);

bool regs_eq(struct cpuid_regs a, struct cpuid_regs b);
void show_regs(const char *what, struct cpuid_regs r);
/* One TAP line: all four registers as expected; if not, both sets. */
int is_regs(struct cpuid_regs got, struct cpuid_regs want,
	    const char *fmt, ...);

_Noreturn void bail(const char *what);
/* One leaf read in the guest at CPL 0 (rd) or CPL 3 (rd3). */
struct cpuid_regs rd(struct vcpu *v, uint32_t leaf, uint32_t subleaf);
struct cpuid_regs rd3(struct vcpu *v, uint32_t leaf, uint32_t subleaf);
void new_vm(struct vm *vm, int nr_vcpus);
/*
 * A VM of one vCPU with KVM's in-kernel irqchip, its local APIC put in
 * x2APIC mode by the guest (one WRMSR exit).
 */
void new_x2apic_vm(struct vm *vm);

/* Whether the first line of @path is @want; if not, a diagnostic. */
bool read_param(const char *path, const char *want);

/* CPUID, I/O and HLT counts against what the VM's guest ran, read on @v. */
void check_counts(struct vm *vm, struct vcpu *v, const struct guest_exits *x,
		  const char *what);
/*
 * A fresh VM of one vCPU: its first CPUID counts itself, then 1000 more,
 * no HLT yet; then it runs OUT x50 and HLT x20 for the caller to check.
 */
void check_fresh_counts(struct vm *vm, const struct guest_exits *x);
/* The undefined and the defined but unhandled codes answer as specified. */
void check_classes(struct vcpu *v, const struct guest_exits *x,
		   const uint32_t *undefined, unsigned int nr_undefined,
		   const uint32_t *unhandled, unsigned int nr_unhandled);
/* 100 x2APIC ICR writes, handled in KVM's fastpath, counted exactly. */
void check_fastpath(struct vcpu *v, const struct guest_exits *x);
/*
 * Each of @vcpus at once runs 100k CPUIDs, 5k OUTs and k HLTs, k its
 * vCPU id + 1; how many failed.
 */
int run_threads(struct vcpu **vcpus, int n);
/* A VM of 4 vCPUs running 100k CPUIDs, 5k OUTs, k HLTs each at once. */
void run_4_vcpus(struct vm *vm);
/* Two VMs running guest loops at once, each with its own counts. */
void check_two_vms(const struct guest_exits *x);

/*
 * A VM's debugfs exitstats: "<code> <name> <count> <cycles>" rows, then
 * "other <count> <cycles>" and "total <count> <cycles>".
 */
struct dbgfs_row {
	bool present;
	char name[48];
	uint64_t count, cycles;
};

struct dbgfs_sums {
	bool other_seen, total_seen;
	uint64_t other_count, other_cycles, total_count, total_cycles;
};

struct exitstats_table {
	struct dbgfs_row *rows;	/* the caller's: rows[code], code < nr */
	uint32_t nr;
	int nr_rows;		/* rows of codes below nr */
	int beyond;		/* rows of codes from nr up, not kept */
	int lines;		/* -1: the file cannot be read */
	struct dbgfs_sums sums;
};

/*
 * Read the table of @vm into @t (rows, nr set): 0 if well formed (each
 * row once, the other and total lines last and in order), else -1 with
 * the lines at fault as diagnostics.
 */
int read_exitstats(const struct vm *vm, struct exitstats_table *t);

#endif
