/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal VMM over /dev/kvm: VMs with one memory slot holding the guest
 * code of guest.S, vCPUs in 32-bit flat protected mode with the CPUID
 * table KVM supports, and KVM's in-kernel irqchip if asked for.  Each vCPU
 * keeps the number of exits its guest code caused for the reasons the
 * guest controls; the tests compare kvm-exitstats' figures against those.
 */
#ifndef KES_VM_H
#define KES_VM_H

#include <stdint.h>
#include <linux/kvm.h>

#include "guest.h"

#define MAX_VCPUS	8

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

struct vcpu {
	struct vm *vm;
	int fd;
	int id;
	struct kvm_run *run;
	/* Exits the guest caused so far, by what it ran (guest.S). */
	uint64_t cpuid_exits, io_exits, hlt_exits;
	/* #UD exits (reason 0) of CPUIDs run through KVM's emulator. */
	uint64_t ud_exits;
	uint64_t wrmsr_exits;
	/*
	 * Timer interrupts code_timer_irq took, one EOI (a WRMSR) each: not
	 * in wrmsr_exits, as with APICv an EOI does not exit.
	 */
	uint64_t timer_irqs;
	/* The same for I/O and HLT as seen in user space: a cross-check. */
	uint64_t io_seen, hlt_seen;
	/* RFLAGS bits the next routine starts with, besides IF. */
	uint64_t rflags_extra;
};

struct vm {
	int fd;
	uint8_t *mem;
	int nr_vcpus;
	struct vcpu vcpu[MAX_VCPUS];
};

int vm_create(struct vm *vm, int nr_vcpus);
/* The same with KVM's in-kernel irqchip (then HLT blocks in the kernel). */
int vm_create_irqchip(struct vm *vm, int nr_vcpus);
void vm_destroy(struct vm *vm);

/* Guest routines; a negative return means the vCPU did something else. */
int guest_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf,
		struct cpuid_regs *out);
int guest_cpuid_emulated(struct vcpu *v, uint32_t leaf, uint32_t subleaf,
			 struct cpuid_regs *out);
/* The same CPUID at CPL 3 (IOPL 3 for its OUT); the vCPU goes back to 0. */
int guest_cpuid_cpl3(struct vcpu *v, uint32_t leaf, uint32_t subleaf,
		     struct cpuid_regs *out);
int guest_cpuid_loop(struct vcpu *v, uint32_t leaf, uint32_t n);
int guest_io_loop(struct vcpu *v, uint32_t n);
int guest_wrmsr_loop(struct vcpu *v, uint32_t msr, uint64_t val, uint32_t n);
int guest_hlt_loop(struct vcpu *v, uint32_t n);
/*
 * @n HLTs, each woken by a one-shot timer of @ticks APIC timer ticks: the
 * VM needs the in-kernel irqchip, the vCPU's APIC in x2APIC mode.  One
 * vCPU of the VM at a time (the interrupt count is the VM's).
 */
int guest_hlt_timer_loop(struct vcpu *v, uint32_t ticks, uint32_t n);
int guest_sweep(struct vcpu *v, uint32_t leaf, uint32_t n,
		struct cpuid_regs *out);
/*
 * 0x4FFFFFFF and 0x4FFFFFFE, then leaf @leaf with ECX = base + i * step
 * for i = 0 .. n - 1, then 0x4FFFFFFF and 0x4FFFFFFE again, all in one
 * guest run; the n + 4 answers in order into @out.
 */
int guest_sweep_step(struct vcpu *v, uint32_t leaf, uint32_t base,
		     uint32_t step, uint32_t n, struct cpuid_regs *out);

/* Exits of one kind the whole VM's guest code caused. */
uint64_t vm_cpuid_exits(const struct vm *vm);
uint64_t vm_io_exits(const struct vm *vm);
uint64_t vm_hlt_exits(const struct vm *vm);

/* KVM's own statistic @name of the VM (debugfs); ~0 if it cannot be read. */
uint64_t vm_kvm_stat(const struct vm *vm, const char *name);

#endif
