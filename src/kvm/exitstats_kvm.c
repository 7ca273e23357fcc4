// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats, kvm.ko side: answers the guest's exit-statistics CPUID
 * leaves and shows each VM's table in debugfs, from figures that the vendor
 * module (kvm-intel, kvm-amd) keeps per vCPU, in the slots of its ISA.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/sysfs.h>

#include "exitstats_kvm.h"

/* enum exitstats_guest_mode: who in the guest gets answers. */
static int exitstats_guest __read_mostly = EXITSTATS_GUEST_ON;

static int exitstats_guest_set(const char *val, const struct kernel_param *kp)
{
	int mode;

	if (!exitstats_parse_guest_mode(val, &mode))
		return -EINVAL;
	WRITE_ONCE(*(int *)kp->arg, mode);
	return 0;
}

static int exitstats_guest_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  exitstats_guest_mode_name(READ_ONCE(*(int *)kp->arg)));
}

static const struct kernel_param_ops exitstats_guest_ops = {
	.set	= exitstats_guest_set,
	.get	= exitstats_guest_get,
};
module_param_cb(exitstats_cpuid, &exitstats_guest_ops, &exitstats_guest, 0644);
MODULE_PARM_DESC(exitstats_cpuid,
		 "Who in the guest gets the exit statistics CPUID leaves 0x4FFFFFFB-0x4FFFFFFF: Y (everyone, default), cpl0 (CPL 0 only), N (nobody)");

MODULE_VERSION(KES_VERSION);

/*
 * Set while kvm-intel or kvm-amd is loaded.  Every VM holds a reference on the vendor
 * module, so a VM never sees it change under its feet.  Published with
 * release, read with acquire: a reader that sees the pointer sees the
 * structure kvm-intel filled in before.
 */
static const struct exitstats_vendor *exitstats_vendor;

void exitstats_register(const struct exitstats_vendor *vendor)
{
	/* Pairs with smp_load_acquire() in the readers: *vendor is filled. */
	smp_store_release(&exitstats_vendor, vendor);
}
EXPORT_SYMBOL_GPL(exitstats_register);

void exitstats_unregister(void)
{
	/* Pairs with smp_load_acquire() in the readers. */
	smp_store_release(&exitstats_vendor, NULL);
}
EXPORT_SYMBOL_GPL(exitstats_unregister);

/*
 * The figures live in struct vcpu_vmx or struct vcpu_svm.  A TDX vCPU (7.x) is a struct
 * vcpu_tdx and its exits never pass our hooks: such a VM has no figures.
 */
static bool exitstats_vm_counted(struct kvm *kvm)
{
#ifdef KVM_X86_TDX_VM
	return kvm->arch.vm_type != KVM_X86_TDX_VM;
#else
	return true;
#endif
}

struct exitstats_vm {
	struct kvm *kvm;
	const struct exitstats_vendor *vendor;
	/* The vCPU asking (CPUID), on its own thread; NULL for debugfs. */
	struct kvm_vcpu *self;
};

static void exitstats_gather_vm(void *ctx, int slot,
				struct exitstats_figures *f)
{
	const struct exitstats_vm *vm = ctx;
	struct kvm_vcpu *vcpu;
	unsigned long i;

	kvm_for_each_vcpu(i, vcpu, vm->kvm)
		exitstats_accumulate(vm->vendor->isa,
				     (void *)vcpu + vm->vendor->vcpu_offset,
				     slot, vcpu == vm->self, f);
}

bool __exitstats_cpuid(struct kvm_vcpu *vcpu, u32 leaf, u32 subleaf,
		       u32 regs[4])
{
	struct exitstats_vm vm = {
		.kvm = vcpu->kvm,
		/* Pairs with exitstats_register()'s smp_store_release(). */
		.vendor = smp_load_acquire(&exitstats_vendor),
		.self = vcpu,
	};
	int mode = READ_ONCE(exitstats_guest);

	if (!vm.vendor || mode == EXITSTATS_GUEST_OFF ||
	    !exitstats_vm_counted(vm.kvm))
		return false;
	/* Only our leaves get here: the CPL is read for them alone. */
	if (mode != EXITSTATS_GUEST_ON &&
	    !exitstats_guest_allowed(mode, kvm_x86_ops.get_cpl(vcpu)))
		return false;
	regs[2] = subleaf;
	return exitstats_answer(vm.vendor->isa, leaf, &regs[0], &regs[1],
				&regs[2], &regs[3], vm.vendor->handled,
				exitstats_gather_vm, &vm);
}

/*
 * exitstats: one line per reason the ISA's manual defines (the SDM's basic
 * exit reasons, the APM's exit codes), "<reason> <name> <count> <cycles>"
 * with the reason in decimal, then "other <count> <cycles>" and "total <count> <cycles>".
 * exitstats_hist: the same lines with "<max> <bucket 0> ... <bucket 31>"
 * in place of "<count> <cycles>".  Finished exits only.
 */
static void exitstats_show_line(void *out, int kind, u32 reason,
				const char *name,
				const struct exitstats_figures *f)
{
	struct seq_file *m = out;

	if (kind == EXITSTATS_LINE_REASON)
		seq_printf(m, "%u ", reason);
	seq_printf(m, "%s %llu %llu\n", name, f->count, f->cycles);
}

static void exitstats_show_hist_line(void *out, int kind, u32 reason,
				     const char *name,
				     const struct exitstats_figures *f)
{
	struct seq_file *m = out;
	int b;

	if (kind == EXITSTATS_LINE_REASON)
		seq_printf(m, "%u ", reason);
	seq_printf(m, "%s %llu", name, f->max);
	for (b = 0; b < EXITSTATS_NR_BUCKETS; b++)
		seq_printf(m, " %llu", f->hist[b]);
	seq_putc(m, '\n');
}

static int exitstats_show(struct seq_file *m, exitstats_line_fn line)
{
	struct exitstats_vm vm = {
		.kvm = m->private,
		/* Pairs with exitstats_register()'s smp_store_release(). */
		.vendor = smp_load_acquire(&exitstats_vendor),
	};

	if (!vm.vendor)
		return 0;
	exitstats_table(vm.vendor->isa, exitstats_gather_vm, &vm, line, m);
	return 0;
}

static int exitstats_show_table(struct seq_file *m, void *unused)
{
	return exitstats_show(m, exitstats_show_line);
}

static int exitstats_show_hist(struct seq_file *m, void *unused)
{
	return exitstats_show(m, exitstats_show_hist_line);
}

static int exitstats_open_show(struct inode *inode, struct file *file,
			       int (*show)(struct seq_file *m, void *unused))
{
	struct kvm *kvm = inode->i_private;
	int r;

	if (!kvm_get_kvm_safe(kvm))
		return -ENOENT;
	r = single_open(file, show, kvm);
	if (r)
		kvm_put_kvm(kvm);
	return r;
}

static int exitstats_open(struct inode *inode, struct file *file)
{
	return exitstats_open_show(inode, file, exitstats_show_table);
}

static int exitstats_open_hist(struct inode *inode, struct file *file)
{
	return exitstats_open_show(inode, file, exitstats_show_hist);
}

static int exitstats_release(struct inode *inode, struct file *file)
{
	struct kvm *kvm = inode->i_private;

	kvm_put_kvm(kvm);
	return single_release(inode, file);
}

static const struct file_operations exitstats_fops = {
	.owner		= THIS_MODULE,
	.open		= exitstats_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= exitstats_release,
};

static const struct file_operations exitstats_hist_fops = {
	.owner		= THIS_MODULE,
	.open		= exitstats_open_hist,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= exitstats_release,
};

void exitstats_create_vm_debugfs(struct kvm *kvm)
{
	if (!exitstats_vm_counted(kvm))
		return;
	debugfs_create_file("exitstats", 0444, kvm->debugfs_dentry, kvm,
			    &exitstats_fops);
	debugfs_create_file("exitstats_hist", 0444, kvm->debugfs_dentry, kvm,
			    &exitstats_hist_fops);
}
