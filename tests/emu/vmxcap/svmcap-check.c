// SPDX-License-Identifier: GPL-2.0
/*
 * svmcap-check REPORT: check vmxcap.ko's SVM report line by line against
 * the raw values of every online CPU, and print TAP.
 *
 * The expectations come from the raw values alone, never from the code
 * under test: CPUID executed here on each CPU (sched_setaffinity), EFER
 * and VM_CR read from /dev/cpu/N/msr (msr.ko), and this file's own table
 * of the AMD64 APM Vol. 3 (pub. 24594 rev. 3.37, E.4.9) names of CPUID
 * Fn8000_000A_EDX and of VM_CR's bits (Vol. 2 15.30.1).  Each expected
 * line must be in the report once; at the end no report line may be left
 * that no expectation accounted for.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <stdarg.h>
#include <string.h>

#include "cpu-msr.h"

#define MAX_LINES	1024
#define MAX_CPUS	64
#define EFER		0xc0000080u
#define VM_CR		0xc0010114u

struct raw {
	unsigned int max_ext, ext1_ecx, a[4];	/* a: 8000000AH eax..edx */
	bool efer_ok, vm_cr_ok;
	uint64_t efer, vm_cr;
};

static char *line[MAX_LINES];
static bool used[MAX_LINES];
static unsigned int nlines, tap_n, failed;

/* APM Vol. 3 rev. 3.37, E.4.9: CPUID Fn8000_000A_EDX */
static const char *const edx_name[32] = {
	[0] = "NP", [1] = "LbrVirt", [2] = "SVML", [3] = "NRIPS",
	[4] = "TscRateMsr", [5] = "VmcbClean", [6] = "FlushByAsid",
	[7] = "DecodeAssists", [8] = "PmcVirt", [10] = "PauseFilter",
	[12] = "PauseFilterThreshold", [13] = "AVIC", [15] = "VMSAVEvirt",
	[16] = "VGIF", [17] = "GMET", [18] = "x2AVIC", [19] = "SSSCheck",
	[20] = "SpecCtrl", [21] = "ROGPT", [23] = "HOST_MCE_OVERRIDE",
	[24] = "TlbiCtl", [25] = "VNMI", [26] = "IbsVirt",
	[27] = "ExtLvtAvicAccessChg", [28] = "NestedVirtVmcbAddrChk",
	[29] = "BusLockThreshold", [30] = "IdleHltIntercept",
};

static const char *const ecx_name[32] = { [6] = "x2AVIC_EXT" };

static const char *const vm_cr_name[5] = {
	"dpd", "r_init", "dis_a20m", "lock", "svmdis",
};

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failed += !cond;
}

/* One expected line: present exactly once (and now accounted for). */
static void want(const char *why, const char *fmt, ...)
{
	unsigned int i, n = 0;
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (i = 0; i < nlines; i++)
		if (!strcmp(line[i], buf)) {
			used[i] = true;
			n++;
		}
	ok(n == 1, "\"%s\" (%s)", buf, why);
	if (n != 1)
		printf("#   found %u times\n", n);
}

static bool read_cpu(unsigned int cpu, struct raw *r)
{
	unsigned int b, c, d;
	int fd = cpu_msr_open(cpu);

	if (fd < 0)
		return false;
	memset(r, 0, sizeof(*r));
	__cpuid(0x80000000, r->max_ext, b, c, d);
	if (r->max_ext >= 0x80000001 && r->max_ext <= 0x8000ffff)
		__cpuid(0x80000001, b, b, r->ext1_ecx, d);
	if ((r->ext1_ecx & 4) && r->max_ext >= 0x8000000a)
		__cpuid(0x8000000a, r->a[0], r->a[1], r->a[2], r->a[3]);
	r->efer_ok = cpu_msr_read(fd, EFER, &r->efer);
	r->vm_cr_ok = cpu_msr_read(fd, VM_CR, &r->vm_cr);
	close(fd);
	return true;
}

static bool same(const struct raw *x, const struct raw *y)
{
	return x->max_ext == y->max_ext && x->ext1_ecx == y->ext1_ecx &&
	       !memcmp(x->a, y->a, sizeof(x->a)) &&
	       x->efer_ok == y->efer_ok && x->vm_cr_ok == y->vm_cr_ok &&
	       (!x->efer_ok || x->efer == y->efer) &&
	       (!x->vm_cr_ok || x->vm_cr == y->vm_cr);
}

static void want_bits(const char *key, unsigned int v,
		      const char *const *name)
{
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		bool set = v >> bit & 1;

		if (name[bit])
			want("APM name, state from the raw bit",
			     "%s %u %s %s", key, bit, set ? "yes" : "no",
			     name[bit]);
		else if (set)
			want("set bit without an APM name", "%s %u yes bit %u",
			     key, bit, bit);
	}
}

static int load_report(const char *path)
{
	char buf[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (nlines < MAX_LINES && fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = 0;
		line[nlines++] = strdup(buf);
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	static struct raw cpu[MAX_CPUS];
	unsigned int n, i, online = 0, differing = 0;
	struct raw *r = &cpu[0];

	if (argc != 2 || load_report(argv[1])) {
		fprintf(stderr, "usage: svmcap-check REPORT (readable)\n");
		return 2;
	}
	for (n = 0; n < MAX_CPUS; n++)
		if (read_cpu(n, &cpu[n]))
			online++;
		else
			cpu[n].max_ext = ~0u;	/* not online */
	ok(online > 0 && cpu[0].max_ext != ~0u,
	   "raw values of %u online CPUs, CPU 0 among them", online);
	ok(r->ext1_ecx & 4, "CPUID.80000001H:ECX.SVM (bit 2) is set: 0x%08x",
	   r->ext1_ecx);
	ok(r->max_ext >= 0x8000000a, "leaf 8000000AH exists: max 0x%08x",
	   r->max_ext);
	ok(r->efer_ok && r->vm_cr_ok, "EFER and VM_CR are readable");
	ok(!(r->vm_cr & 0x10), "VM_CR.SVMDIS is clear: 0x%llx",
	   (unsigned long long)r->vm_cr);

	want("raw CPUID.80000000H", "cpuid 0x80000000 eax=0x%08x", r->max_ext);
	want("raw CPUID.80000001H", "cpuid 0x80000001 ecx=0x%08x", r->ext1_ecx);
	want("raw CPUID.8000000AH",
	     "cpuid 0x8000000a eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x",
	     r->a[0], r->a[1], r->a[2], r->a[3]);
	want("raw EFER", "msr 0xc0000080 0x%016llx EFER",
	     (unsigned long long)r->efer);
	want("raw VM_CR", "msr 0xc0010114 0x%016llx VM_CR",
	     (unsigned long long)r->vm_cr);
	want("SVM bit set, VM_CR read, SVMDIS clear",
	     "status ok SVM available");
	want("EAX[7:0]", "svm revision=0x%x", r->a[0] & 0xff);
	want("EBX", "svm nasid=%u", r->a[1]);
	if (r->a[0] >> 8)
		want("EAX[31:8]", "svm eax_other_bits=0x%x", r->a[0] & ~0xffu);
	for (i = 0; i < 5; i++)
		want("VM_CR bit", "vm_cr %s=%u", vm_cr_name[i],
		     (unsigned int)(r->vm_cr >> i) & 1);
	if (r->vm_cr >> 5)
		want("VM_CR bits 63:5", "vm_cr other_bits=0x%llx",
		     (unsigned long long)(r->vm_cr & ~0x1fULL));
	want("EFER bit 12 of CPU 0", "efer svme=%u",
	     (unsigned int)(r->efer >> 12) & 1);
	want("leaf 8000000AH read", "group svm_ecx present cpuid=0x8000000a");
	want_bits("svm_ecx", r->a[2], ecx_name);
	want("leaf 8000000AH read", "group svm_edx present cpuid=0x8000000a");
	want_bits("svm_edx", r->a[3], edx_name);

	for (n = 0; n < MAX_CPUS; n++) {
		if (cpu[n].max_ext == ~0u)
			continue;
		want("EFER bit 12 of this CPU", "cpu %u efer_svme=%u", n,
		     (unsigned int)(cpu[n].efer >> 12) & 1);
		if (n && !same(&cpu[0], &cpu[n]))
			differing++;
	}
	/* A differing CPU's "cpu N differs" lines are not predicted here. */
	if (differing)
		for (i = 0; i < nlines; i++)
			if (!strncmp(line[i], "cpu ", 4) &&
			    strstr(line[i], " differs "))
				used[i] = true;
	want("every online CPU, those whose raw values differ from CPU 0's",
	     "cpus checked=%u differing=%u", online, differing);

	n = 0;
	for (i = 0; i < nlines; i++)
		if (!used[i]) {
			printf("#   unexpected line \"%s\"\n", line[i]);
			n++;
		}
	ok(n == 0 && nlines > 0, "no other line in the report (%u lines)",
	   nlines);
	printf("1..%u\n", tap_n);
	return failed ? 1 : 0;
}
