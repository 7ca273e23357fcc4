// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid-bench: cycles per CPUID exit round trip, measured by the guest.
 *
 * A VM with one vCPU in real mode runs guest.S: RDTSC, N CPUIDs of leaf 0,
 * RDTSC, HLT.  The vCPU has the CPUID table KVM supports, as a VMM such as
 * QEMU gives every VM, so leaf 0 is found in it; with -e it has none, and
 * every leaf is one the table lacks.  Without an in-kernel irqchip the HLT comes back here, and
 * the two TSC values are in the vCPU's registers.  Each run prints one
 * line, "cpuid-bench: <cycles per exit> cycles per CPUID exit (N ...)",
 * with the figure to one decimal.
 *
 * usage: cpuid-bench [-e] [-n ITERATIONS] [-r RUNS]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "guest.h"

static void die(const char *what)
{
	fprintf(stderr, "cpuid-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

struct bench_vm {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	uint8_t *mem;
};

/* The vCPU's CPUID table: all that KVM_GET_SUPPORTED_CPUID gives. */
static void vcpu_set_cpuid(struct bench_vm *b)
{
	const int nent = 256;
	struct kvm_cpuid2 *c;

	c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
	if (!c)
		die("calloc");
	c->nent = nent;
	if (ioctl(b->kvm, KVM_GET_SUPPORTED_CPUID, c) < 0)
		die("KVM_GET_SUPPORTED_CPUID");
	if (ioctl(b->vcpu, KVM_SET_CPUID2, c) < 0)
		die("KVM_SET_CPUID2");
	free(c);
}

static void vm_create(struct bench_vm *b, bool table)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = GUEST_MEM_SIZE,
	};
	int size;

	b->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (b->kvm < 0)
		die("/dev/kvm");
	b->vm = ioctl(b->kvm, KVM_CREATE_VM, 0);
	if (b->vm < 0)
		die("KVM_CREATE_VM");
	b->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b->mem == MAP_FAILED)
		die("mmap guest memory");
	memcpy(b->mem + GUEST_ENTRY, bench_guest,
	       bench_guest_end - bench_guest);
	region.userspace_addr = (uintptr_t)b->mem;
	if (ioctl(b->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	b->vcpu = ioctl(b->vm, KVM_CREATE_VCPU, 0);
	if (b->vcpu < 0)
		die("KVM_CREATE_VCPU");
	if (table)
		vcpu_set_cpuid(b);
	size = ioctl(b->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	b->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      b->vcpu, 0);
	if (b->run == MAP_FAILED)
		die("mmap kvm_run");
}

/* One pass of the guest loop; returns the TSC cycles it took. */
static uint64_t bench_run(struct bench_vm *b, uint32_t n)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(b->vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(b->vcpu, KVM_SET_SREGS, &sregs) < 0)
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = GUEST_ENTRY;
	regs.rflags = 0x2;	/* bit 1 is reserved and always set */
	regs.rsi = n;
	if (ioctl(b->vcpu, KVM_SET_REGS, &regs) < 0)
		die("KVM_SET_REGS");
	if (ioctl(b->vcpu, KVM_RUN, 0) < 0)
		die("KVM_RUN");
	if (b->run->exit_reason != KVM_EXIT_HLT) {
		fprintf(stderr, "cpuid-bench: guest exited with reason %u, not HLT\n",
			b->run->exit_reason);
		exit(1);
	}
	if (ioctl(b->vcpu, KVM_GET_REGS, &regs) < 0)
		die("KVM_GET_REGS");
	return ((regs.rdx << 32) | (uint32_t)regs.rax) -
	       ((regs.rbp << 32) | (uint32_t)regs.rdi);
}

static unsigned long arg(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !v || v > UINT32_MAX) {
		fprintf(stderr, "cpuid-bench: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long n = 1000, runs = 1, i;
	struct bench_vm b;
	uint64_t cycles;
	bool table = true;
	int opt;

	while ((opt = getopt(argc, argv, "en:r:")) != -1) {
		switch (opt) {
		case 'e':
			table = false;
			break;
		case 'n':
			n = arg(optarg);
			break;
		case 'r':
			runs = arg(optarg);
			break;
		default:
			fprintf(stderr, "usage: cpuid-bench [-e] [-n ITERATIONS] [-r RUNS]\n");
			return 2;
		}
	}
	vm_create(&b, table);
	for (i = 0; i < runs; i++) {
		cycles = bench_run(&b, n);
		printf("cpuid-bench: %llu.%llu cycles per CPUID exit (%lu CPUIDs in %llu cycles)\n",
		       (unsigned long long)(cycles / n),
		       (unsigned long long)(cycles % n * 10 / n), n,
		       (unsigned long long)cycles);
	}
	return 0;
}
