// SPDX-License-Identifier: GPL-2.0
/*
 * vmxcap.ko: report the CPU's VMX capabilities.
 *
 * On load, reads the VMX capability MSRs of every online CPU with the
 * faulting-safe accessor, decodes the first CPU's values (vmxcap_decode.c,
 * which documents the line format) and names any CPU that differs.  The
 * report is readable by everyone in /proc/driver/vmxcap until the module
 * is removed; the kernel log gets its "status" and "cpus" records and
 * where to read the rest, or every record with full_log=1.
 *
 * A CPU without VMX (CPUID.01H:ECX.VMX = 0) whose CPUID reports AMD's SVM
 * (CPUID.80000001H:ECX.SVM) gets the SVM report instead, in the same file
 * and format: CPUID Fn8000_000A, VM_CR and EFER.SVME of every online CPU
 * (svmcap_decode.c).
 *
 * A CPU with neither (VMX or SVM hidden by a hypervisor), or whose
 * IA32_VMX_BASIC or VM_CR cannot be read, fails the load with -ENODEV; VMX
 * locked off by firmware in IA32_FEATURE_CONTROL, or SVM disabled in
 * VM_CR.SVMDIS, fails it with -EPERM (VMXON, or setting EFER.SVME, would
 * fault: the platform forbids it).  Either way one line in the kernel log
 * says why.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>
/*
 * cpuid_ecx() moved from <asm/processor.h> to <asm/cpuid/api.h> (absent on
 * 6.1 and 6.12), which <asm/processor.h> no longer includes on 7.x.
 */
#if __has_include("asm/cpuid/api.h")
#include <asm/cpuid/api.h>
#endif

#include "vmxcap_decode.h"
#include "svmcap_decode.h"

#ifndef KES_VERSION
#define KES_VERSION "0.1.0"
#endif

#define VMXCAP_PROC_NAME	"driver/vmxcap"
#define CPUID_1_ECX_VMX		BIT(5)

struct vmxcap_report {
	char *buf;
	size_t len, size;
	bool oom;
};

static struct vmxcap_report report;

static bool full_log;
module_param(full_log, bool, 0444);
MODULE_PARM_DESC(full_log, "Log every record of the report at load, not just the summary");

/*
 * Read MSR @id of @desc into @val[id], noting the attempt in @attempted and
 * its success in @valid, the way both decoders keep their MSRs.
 */
static void vmxcap_read_msr(const struct vmxcap_msr_desc *desc,
			    unsigned int id, u32 *attempted, u32 *valid,
			    u64 *val)
{
	u32 lo, hi;

	*attempted |= BIT(id);
	/*
	 * rdmsr_safe() is the same on 6.1 to 7.x; rdmsrl_safe() was
	 * renamed rdmsrq_safe(), and 7.x has only the new name.
	 */
	if (!rdmsr_safe(desc[id].addr, &lo, &hi)) {
		val[id] = (u64)hi << 32 | lo;
		*valid |= BIT(id);
	}
}

/* Runs on the CPU being read (IPI context): CPUID and RDMSR are per CPU. */
static void vmxcap_read_local(void *arg)
{
	struct vmxcap_msrs *m = arg;
	unsigned int id;

	memset(m, 0, sizeof(*m));
	m->cpuid_vmx = cpuid_ecx(1) & CPUID_1_ECX_VMX;
	for (id = 0; id < VMXCAP_NR_MSRS; id++)
		if (vmxcap_msr_exists(m, id))
			vmxcap_read_msr(vmxcap_msr_desc, id, &m->attempted,
					&m->valid, m->val);
}

/* The same for SVM: CPUID leaves, then the MSRs, as svmcap_decode.h says. */
static void svmcap_read_local(void *arg)
{
	struct svmcap_regs *r = arg;
	unsigned int id;

	memset(r, 0, sizeof(*r));
	r->max_ext = cpuid_eax(SVMCAP_LEAF_MAX_EXT);
	if (svmcap_leaf_ext1(r))
		r->ext1_ecx = cpuid_ecx(SVMCAP_LEAF_EXT1);
	if (svmcap_leaf_svm(r))
		cpuid(SVMCAP_LEAF_SVM, &r->eax, &r->ebx, &r->ecx, &r->edx);
	for (id = 0; id < SVMCAP_NR_MSRS; id++)
		if (svmcap_msr_exists(r, id))
			vmxcap_read_msr(svmcap_msr_desc, id, &r->attempted,
					&r->valid, r->val);
}

/* What one CPU reported: the VMX values, or on AMD the SVM ones. */
union vmxcap_raw {
	struct vmxcap_msrs vmx;
	struct svmcap_regs svm;
};

static int vmxcap_read_cpu(bool svm, unsigned int cpu, union vmxcap_raw *raw)
{
	return smp_call_function_single(cpu, svm ? svmcap_read_local :
					vmxcap_read_local, raw, 1);
}

static void vmxcap_emit(void *ctx, const char *line)
{
	struct vmxcap_report *r = ctx;
	size_t n = strlen(line) + 1;

	if (full_log || str_has_prefix(line, "status ") ||
	    str_has_prefix(line, "cpus "))
		pr_info("%s\n", line);
	if (r->oom)
		return;
	if (r->len + n > r->size) {
		size_t size = max(2 * r->size, (size_t)PAGE_SIZE);
		char *buf = krealloc(r->buf, size, GFP_KERNEL);

		if (!buf) {
			r->oom = true;
			return;
		}
		r->buf = buf;
		r->size = size;
	}
	memcpy(r->buf + r->len, line, n - 1);
	r->buf[r->len + n - 1] = '\n';
	r->len += n;
}

static int vmxcap_show(struct seq_file *sf, void *v)
{
	seq_write(sf, report.buf, report.len);
	return 0;
}

/*
 * Compare every other online CPU with @ref, and for SVM say for each
 * whether EFER has SVM enabled; caller holds cpus_read_lock().
 */
static int vmxcap_check_cpus(bool svm, const union vmxcap_raw *ref,
			     unsigned int ref_cpu)
{
	unsigned int cpu, checked = 1, differing = 0;
	union vmxcap_raw *raw;
	int ret;

	raw = kmalloc(sizeof(*raw), GFP_KERNEL);
	if (!raw)
		return -ENOMEM;
	if (svm)
		svmcap_emit_cpu(&ref->svm, ref_cpu, vmxcap_emit, &report);
	for_each_online_cpu(cpu) {
		if (cpu == ref_cpu)
			continue;
		ret = vmxcap_read_cpu(svm, cpu, raw);
		if (ret)
			goto out;
		checked++;
		if (svm ? svmcap_compare(&ref->svm, ref_cpu, &raw->svm, cpu,
					 vmxcap_emit, &report) :
			  vmxcap_compare(&ref->vmx, ref_cpu, &raw->vmx, cpu,
					 vmxcap_emit, &report))
			differing++;
		if (svm)
			svmcap_emit_cpu(&raw->svm, cpu, vmxcap_emit, &report);
	}
	cap_emit_cpus(checked, differing, vmxcap_emit, &report);
	ret = 0;
out:
	kfree(raw);
	return ret;
}

/*
 * Read @ref_cpu and put its status (enum vmxcap_status, or for SVM enum
 * svmcap_status) in *@st; if that is ok, report it and check the other
 * CPUs.  Returns 0 or an error.
 */
static int vmxcap_report_cpus(bool svm, unsigned int ref_cpu, int *st)
{
	union vmxcap_raw *ref;
	int ret;

	ref = kmalloc(sizeof(*ref), GFP_KERNEL);
	if (!ref)
		return -ENOMEM;
	ret = vmxcap_read_cpu(svm, ref_cpu, ref);
	if (ret)
		goto out;
	*st = svm ? svmcap_status(&ref->svm) : vmxcap_status(&ref->vmx);
	if (*st)		/* VMXCAP_OK and SVMCAP_OK are 0 */
		goto out;
	if (svm)
		svmcap_decode(&ref->svm, vmxcap_emit, &report);
	else
		vmxcap_decode(&ref->vmx, vmxcap_emit, &report);
	ret = vmxcap_check_cpus(svm, ref, ref_cpu);
out:
	kfree(ref);
	return ret;
}

/* Log why the module does not load, if it does not (@err set). */
static int vmxcap_refuse(const char *reason, int err)
{
	if (err)
		pr_err("%s\n", reason);
	return err;
}

/*
 * Which of the two "neither VMX nor SVM" reasons to log: the SVM one on
 * the vendors whose CPUs have SVM, the VMX one (as before SVM) elsewhere.
 */
static bool vmxcap_svm_vendor(void)
{
	return boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	       boot_cpu_data.x86_vendor == X86_VENDOR_HYGON;
}

/* No VMX on @ref_cpu: the SVM report if its CPUID reports SVM. */
static int svmcap_report(unsigned int ref_cpu)
{
	static const int errno_of[] = {
		[SVMCAP_OK]		= 0,
		[SVMCAP_NO_SVM]		= -ENODEV,
		[SVMCAP_NO_VM_CR]	= -ENODEV,
		[SVMCAP_DISABLED]	= -EPERM,
	};
	int st, ret;

	ret = vmxcap_report_cpus(true, ref_cpu, &st);
	if (ret)
		return ret;
	/* Neither VMX nor SVM: the SVM reason on AMD, the VMX one elsewhere. */
	if (st == SVMCAP_NO_SVM && !vmxcap_svm_vendor())
		return vmxcap_refuse(vmxcap_status_reason(VMXCAP_NO_VMX),
				     -ENODEV);
	return vmxcap_refuse(svmcap_status_reason(st), errno_of[st]);
}

static int __init vmxcap_init(void)
{
	static const int errno_of[] = {
		[VMXCAP_OK]		= 0,
		[VMXCAP_NO_VMX]		= -ENODEV,
		[VMXCAP_NO_BASIC]	= -ENODEV,
		[VMXCAP_LOCKED_OFF]	= -EPERM,
	};
	unsigned int ref_cpu;
	int st, ret;

	cpus_read_lock();
	ref_cpu = cpumask_first(cpu_online_mask);
	ret = vmxcap_report_cpus(false, ref_cpu, &st);
	if (!ret && st == VMXCAP_NO_VMX)
		ret = svmcap_report(ref_cpu);
	else if (!ret)
		ret = vmxcap_refuse(vmxcap_status_reason(st), errno_of[st]);
	cpus_read_unlock();
	if (!ret && report.oom)
		ret = -ENOMEM;
	if (!ret && !proc_create_single(VMXCAP_PROC_NAME, 0444, NULL,
					vmxcap_show))
		ret = -ENOMEM;
	if (ret)
		kfree(report.buf);
	else if (!full_log)
		pr_info("the whole report: /proc/driver/vmxcap\n");
	return ret;
}

static void __exit vmxcap_exit(void)
{
	remove_proc_entry(VMXCAP_PROC_NAME, NULL);
	kfree(report.buf);
}

module_init(vmxcap_init);
module_exit(vmxcap_exit);

MODULE_DESCRIPTION("Report the VMX (or AMD SVM) capabilities of every online CPU");
MODULE_LICENSE("GPL");
MODULE_VERSION(KES_VERSION);
