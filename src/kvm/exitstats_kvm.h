/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-exitstats, kvm.ko side: hooks called from upstream KVM (cpuid.c,
 * debugfs.c) and the registration of the vendor module keeping the figures.
 */
#ifndef EXITSTATS_KVM_H
#define EXITSTATS_KVM_H

#include <linux/kvm_host.h>

#include "exitstats.h"

/*
 * What a vendor module (kvm-intel, kvm-amd) tells kvm.ko about its
 * accounting.  It stays the vendor module's: every VM holds a reference on
 * that module.
 */
struct exitstats_vendor {
	/* Its exit reasons and the layout of its per-vCPU figures. */
	const struct exitstats_isa *isa;
	/* Where the per-vCPU figures sit, from the start of kvm_vcpu. */
	size_t vcpu_offset;
	/* isa->nr_slots entries, non-zero where this KVM handles the reason. */
	const u8 *handled;
};

void exitstats_register(const struct exitstats_vendor *vendor);
void exitstats_unregister(void);

/*
 * For a vendor module: register @vendor with kvm.ko, reached through
 * symbol_get(), never linked to, so that the vendor module still loads and
 * runs guests under a stock kvm.ko (its exits are then counted but nobody
 * reads them).  *@unreg becomes kvm.ko's exitstats_unregister(), or NULL.
 */
static inline void exitstats_vendor_register(const struct exitstats_vendor *vendor,
					     void (**unreg)(void))
{
	void (*reg)(const struct exitstats_vendor *vendor);

	reg = symbol_get(exitstats_register);
	*unreg = symbol_get(exitstats_unregister);
	if (reg && *unreg) {
		reg(vendor);
		return;
	}
	if (reg)
		symbol_put(exitstats_register);
	if (*unreg)
		symbol_put(exitstats_unregister);
	*unreg = NULL;
	pr_info("kvm.ko is not kvm-exitstats': exits are counted, but neither the CPUID leaves nor debugfs show them\n");
}

/* Undo exitstats_vendor_register(); nothing if it found a stock kvm.ko. */
static inline void exitstats_vendor_unregister(void (**unreg)(void))
{
	if (!*unreg)
		return;
	(*unreg)();
	*unreg = NULL;
	symbol_put(exitstats_register);
	symbol_put(exitstats_unregister);
}

/* The answer to @leaf, @subleaf in @regs: EAX, EBX, ECX, EDX. */
bool __exitstats_cpuid(struct kvm_vcpu *vcpu, u32 leaf, u32 subleaf,
		       u32 regs[4]);

/*
 * Hook in kvm_cpuid(), for leaves user space did not define: true if the
 * leaf was ours and has been answered.  The range test is inline so that
 * other undefined leaves cost three instructions, not two calls.  The
 * answer comes back in registers of our own, so that the caller's
 * (kvm_emulate_cpuid()'s locals) never escape into another file: with
 * them escaped, GCC keeps them alive past kvm_cpuid() and gives up
 * kvm_emulate_cpuid()'s tail call, two instructions on every CPUID exit.
 */
static __always_inline bool exitstats_cpuid(struct kvm_vcpu *vcpu, u32 *eax,
					    u32 *ebx, u32 *ecx, u32 *edx)
{
	u32 regs[4];

	if (!EXITSTATS_IS_LEAF(*eax) ||
	    !__exitstats_cpuid(vcpu, *eax, *ecx, regs))
		return false;
	*eax = regs[0];
	*ebx = regs[1];
	*ecx = regs[2];
	*edx = regs[3];
	return true;
}
/* Hook in kvm_arch_create_vm_debugfs(). */
void exitstats_create_vm_debugfs(struct kvm *kvm);

#endif /* EXITSTATS_KVM_H */
