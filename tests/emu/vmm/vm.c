// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal VMM over /dev/kvm; see vm.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm.h"

#define X86_CR0_PE	0x1
#define X86_EFLAGS_IF	0x200
#define X86_EFLAGS_FIXED 0x2
#define X86_EFLAGS_IOPL3 0x3000

static int kvm_fd = -1;
static int vcpu_mmap_size;
static struct kvm_cpuid2 *supported_cpuid;

static int kvm_open(void)
{
	int nent = 64;

	if (kvm_fd >= 0)
		return 0;
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		perror("# open /dev/kvm");
		return -1;
	}
	vcpu_mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu_mmap_size <= 0) {
		perror("# KVM_GET_VCPU_MMAP_SIZE");
		return -1;
	}
	/* What a VMM like QEMU gives its guests: the CPUID KVM supports. */
	for (;;) {
		free(supported_cpuid);
		supported_cpuid = calloc(1, sizeof(*supported_cpuid) +
					 nent * sizeof(supported_cpuid->entries[0]));
		if (!supported_cpuid)
			return -1;
		supported_cpuid->nent = nent;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, supported_cpuid))
			return 0;
		if (errno != E2BIG) {
			perror("# KVM_GET_SUPPORTED_CPUID");
			return -1;
		}
		nent *= 2;
	}
}

static int vcpu_init(struct vm *vm, int id)
{
	struct vcpu *v = &vm->vcpu[id];
	struct kvm_segment seg = {
		.base = 0, .limit = 0xffffffff, .selector = 0x8,
		.type = 0xb, .present = 1, .s = 1, .db = 1, .g = 1,
	};
	struct kvm_sregs sregs;

	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0) {
		perror("# KVM_CREATE_VCPU");
		return -1;
	}
	v->run = mmap(NULL, vcpu_mmap_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		perror("# mmap kvm_run");
		return -1;
	}
	if (ioctl(v->fd, KVM_SET_CPUID2, supported_cpuid)) {
		perror("# KVM_SET_CPUID2");
		return -1;
	}
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs)) {
		perror("# KVM_GET_SREGS");
		return -1;
	}
	/* Flat 32-bit protected mode without paging; no GDT needed. */
	sregs.cs = seg;
	seg.type = 0x3;
	seg.selector = 0x10;
	sregs.ds = seg;
	sregs.es = seg;
	sregs.fs = seg;
	sregs.gs = seg;
	sregs.ss = seg;
	sregs.cr0 |= X86_CR0_PE;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs)) {
		perror("# KVM_SET_SREGS");
		return -1;
	}
	return 0;
}

static int vm_create_kind(struct vm *vm, int nr_vcpus, bool irqchip);

int vm_create(struct vm *vm, int nr_vcpus)
{
	return vm_create_kind(vm, nr_vcpus, false);
}

int vm_create_irqchip(struct vm *vm, int nr_vcpus)
{
	return vm_create_kind(vm, nr_vcpus, true);
}

static int vm_create_kind(struct vm *vm, int nr_vcpus, bool irqchip)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = GUEST_MEM_SIZE,
	};
	int i;

	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	if (nr_vcpus > MAX_VCPUS || kvm_open())
		return -1;
	vm->fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0) {
		perror("# KVM_CREATE_VM");
		return -1;
	}
	vm->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		perror("# mmap guest memory");
		return -1;
	}
	memcpy(vm->mem + GUEST_CODE, guest_code, guest_code_end - guest_code);
	region.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region)) {
		perror("# KVM_SET_USER_MEMORY_REGION");
		return -1;
	}
	if (irqchip && ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0)) {
		perror("# KVM_CREATE_IRQCHIP");
		return -1;
	}
	for (i = 0; i < nr_vcpus; i++) {
		if (vcpu_init(vm, i))
			return -1;
		vm->nr_vcpus++;
	}
	return 0;
}

void vm_destroy(struct vm *vm)
{
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		munmap(vm->vcpu[i].run, vcpu_mmap_size);
		close(vm->vcpu[i].fd);
	}
	if (vm->mem && vm->mem != MAP_FAILED)
		munmap(vm->mem, GUEST_MEM_SIZE);
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
	vm->nr_vcpus = 0;
}

/*
 * Run the guest routine at @entry with @regs until its OUT to PORT_DONE.
 * OUTs to PORT_IO and HLTs are resumed; any other exit is an error.
 */
static int vcpu_run(struct vcpu *v, const uint8_t *entry,
		    struct kvm_regs *regs)
{
	struct kvm_run *run = v->run;

	regs->rip = GUEST_CODE + (entry - guest_code);
	regs->rflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF | v->rflags_extra;
	if (ioctl(v->fd, KVM_SET_REGS, regs)) {
		perror("# KVM_SET_REGS");
		return -1;
	}
	for (;;) {
		if (ioctl(v->fd, KVM_RUN, 0)) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			perror("# KVM_RUN");
			return -1;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_HLT:
			v->hlt_seen++;
			continue;
		case KVM_EXIT_IO:
			if (run->io.direction != KVM_EXIT_IO_OUT)
				break;
			v->io_seen++;
			if (run->io.port == PORT_IO)
				continue;
			if (run->io.port != PORT_DONE)
				break;
			if (ioctl(v->fd, KVM_GET_REGS, regs)) {
				perror("# KVM_GET_REGS");
				return -1;
			}
			return 0;
		}
		break;
	}
	printf("# vcpu %d: unexpected exit %u (io port 0x%x) at rip 0x%llx\n",
	       v->id, run->exit_reason, run->io.port, regs->rip);
	return -1;
}

int guest_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf,
		struct cpuid_regs *out)
{
	struct kvm_regs regs = { .rax = leaf, .rcx = subleaf };

	if (vcpu_run(v, code_cpuid, &regs))
		return -1;
	v->cpuid_exits++;
	v->io_exits++;
	out->eax = regs.rax;
	out->ebx = regs.rbx;
	out->ecx = regs.rcx;
	out->edx = regs.rdx;
	return 0;
}

int guest_cpuid_emulated(struct vcpu *v, uint32_t leaf, uint32_t subleaf,
			 struct cpuid_regs *out)
{
	struct kvm_regs regs = { .rax = leaf, .rcx = subleaf };

	if (vcpu_run(v, code_cpuid_emulated, &regs))
		return -1;
	v->ud_exits++;
	v->io_exits++;
	out->eax = regs.rax;
	out->ebx = regs.rbx;
	out->ecx = regs.rcx;
	out->edx = regs.rdx;
	return 0;
}

/*
 * Flat segments of DPL 3 loaded straight into the segment registers (no
 * GDT: nothing reloads them), so the routine runs at CPL 3; IOPL 3 lets
 * its OUT through.
 */
int guest_cpuid_cpl3(struct vcpu *v, uint32_t leaf, uint32_t subleaf,
		     struct cpuid_regs *out)
{
	struct kvm_sregs sregs, user;
	int r;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs)) {
		perror("# KVM_GET_SREGS");
		return -1;
	}
	user = sregs;
	user.cs.dpl = 3;
	user.cs.selector = 0x18 | 3;
	user.ss.dpl = 3;
	user.ss.selector = 0x20 | 3;
	user.ds = user.ss;
	user.es = user.ss;
	user.fs = user.ss;
	user.gs = user.ss;
	if (ioctl(v->fd, KVM_SET_SREGS, &user)) {
		perror("# KVM_SET_SREGS (CPL 3)");
		return -1;
	}
	v->rflags_extra = X86_EFLAGS_IOPL3;
	r = guest_cpuid(v, leaf, subleaf, out);
	v->rflags_extra = 0;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs)) {
		perror("# KVM_SET_SREGS (CPL 0)");
		return -1;
	}
	return r;
}

int guest_cpuid_loop(struct vcpu *v, uint32_t leaf, uint32_t n)
{
	struct kvm_regs regs = { .rdi = leaf, .rsi = n };

	if (!n || vcpu_run(v, code_cpuid_loop, &regs))
		return -1;
	v->cpuid_exits += n;
	v->io_exits++;
	return 0;
}

int guest_io_loop(struct vcpu *v, uint32_t n)
{
	struct kvm_regs regs = { .rsi = n };

	if (!n || vcpu_run(v, code_io_loop, &regs))
		return -1;
	v->io_exits += n + 1;
	return 0;
}

int guest_wrmsr_loop(struct vcpu *v, uint32_t msr, uint64_t val, uint32_t n)
{
	struct kvm_regs regs = {
		.rcx = msr, .rax = (uint32_t)val, .rdx = val >> 32, .rsi = n,
	};

	if (!n || vcpu_run(v, code_wrmsr_loop, &regs))
		return -1;
	v->wrmsr_exits += n;
	v->io_exits++;
	return 0;
}

int guest_hlt_loop(struct vcpu *v, uint32_t n)
{
	struct kvm_regs regs = { .rsi = n };

	if (!n || vcpu_run(v, code_hlt_loop, &regs))
		return -1;
	v->hlt_exits += n;
	v->io_exits++;
	return 0;
}

/* Segment descriptors of the flat segments vcpu_init() loads. */
#define DESC_CODE32	0x00cf9b000000ffffull	/* base 0, 4 GiB, DPL 0 */
#define DESC_DATA32	0x00cf93000000ffffull
#define GATE_INT32	0x8e00ull		/* present, DPL 0, 32-bit */

/*
 * What interrupt delivery needs on top of vcpu_init()'s segments: a GDT
 * for the CS that the gate and IRET load, and an IDT whose TIMER_VECTOR
 * gate leads to code_timer_irq.
 */
static int vcpu_set_idt(struct vcpu *v)
{
	uint64_t gdt[3] = { 0, DESC_CODE32, DESC_DATA32 };
	uint64_t gate, handler = GUEST_CODE + (code_timer_irq - guest_code);
	struct kvm_sregs sregs;

	gate = (handler & 0xffff) | 0x8ull << 16 | GATE_INT32 << 32 |
	       (handler >> 16) << 48;
	memcpy(v->vm->mem + GUEST_GDT, gdt, sizeof(gdt));
	memcpy(v->vm->mem + GUEST_IDT + TIMER_VECTOR * 8, &gate, sizeof(gate));
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs)) {
		perror("# KVM_GET_SREGS");
		return -1;
	}
	sregs.gdt.base = GUEST_GDT;
	sregs.gdt.limit = sizeof(gdt) - 1;
	sregs.idt.base = GUEST_IDT;
	sregs.idt.limit = (TIMER_VECTOR + 1) * 8 - 1;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs)) {
		perror("# KVM_SET_SREGS (GDT, IDT)");
		return -1;
	}
	return 0;
}

/* Its stack: the top of the vCPU's buffer (sweeps write from the bottom). */
int guest_hlt_timer_loop(struct vcpu *v, uint32_t ticks, uint32_t n)
{
	struct kvm_regs regs = {
		.rdi = ticks, .rsi = n,
		.rsp = GUEST_BUF + (v->id + 1) * GUEST_BUF_SIZE,
	};
	uint32_t irqs = 0;

	if (!n || vcpu_set_idt(v))
		return -1;
	memcpy(v->vm->mem + GUEST_PARAM_IRQS, &irqs, sizeof(irqs));
	if (vcpu_run(v, code_hlt_timer, &regs))
		return -1;
	memcpy(&irqs, v->vm->mem + GUEST_PARAM_IRQS, sizeof(irqs));
	v->hlt_exits += n;
	v->wrmsr_exits += 3 + n;
	v->timer_irqs += irqs;
	v->io_exits++;
	return 0;
}

/* See guest.S: @out gets n + 4 records, the totals around the table. */
int guest_sweep(struct vcpu *v, uint32_t leaf, uint32_t n,
		struct cpuid_regs *out)
{
	return guest_sweep_step(v, leaf, 0, 1, n, out);
}

int guest_sweep_step(struct vcpu *v, uint32_t leaf, uint32_t base,
		     uint32_t step, uint32_t n, struct cpuid_regs *out)
{
	uint32_t buf = GUEST_BUF + v->id * GUEST_BUF_SIZE;
	struct kvm_regs regs = { .rbp = leaf, .rdi = buf };
	uint32_t end = n;

	if ((n + 4) * sizeof(*out) > GUEST_BUF_SIZE)
		return -1;
	memcpy(v->vm->mem + GUEST_PARAM_END, &end, sizeof(end));
	memcpy(v->vm->mem + GUEST_PARAM_BASE, &base, sizeof(base));
	memcpy(v->vm->mem + GUEST_PARAM_STEP, &step, sizeof(step));
	if (vcpu_run(v, code_sweep, &regs))
		return -1;
	v->cpuid_exits += n + 4;
	v->io_exits++;
	memcpy(out, v->vm->mem + buf, (n + 4) * sizeof(*out));
	return 0;
}

uint64_t vm_cpuid_exits(const struct vm *vm)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		sum += vm->vcpu[i].cpuid_exits;
	return sum;
}

uint64_t vm_io_exits(const struct vm *vm)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		sum += vm->vcpu[i].io_exits;
	return sum;
}

uint64_t vm_hlt_exits(const struct vm *vm)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < vm->nr_vcpus; i++)
		sum += vm->vcpu[i].hlt_exits;
	return sum;
}

/* KVM's own statistic @name of the VM (debugfs); ~0 if it cannot be read. */
uint64_t vm_kvm_stat(const struct vm *vm, const char *name)
{
	unsigned long long val;
	char path[128];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/%s",
		 getpid(), vm->fd, name);
	f = fopen(path, "r");
	if (!f) {
		printf("# %s: %s\n", path, strerror(errno));
		return ~0ULL;
	}
	n = fscanf(f, "%llu", &val);
	fclose(f);
	return n == 1 ? val : ~0ULL;
}
