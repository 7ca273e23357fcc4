// SPDX-License-Identifier: GPL-2.0
/*
 * vmxcap-msr: the report vmxcap.ko should give, computed in user space
 * from /dev/cpu/N/msr (msr.ko) with the same decoder.  Each online CPU is
 * read like the module reads it (CPUID.01H:ECX.VMX, then only the MSRs
 * the SDM says exist; a read that fails counts as unreadable), CPU 0 is
 * decoded and the others are compared with it.  Its output must equal
 * /proc/driver/vmxcap byte for byte.
 */
#define _GNU_SOURCE
#include <cpuid.h>

#include "cpu-msr.h"
#include "vmxcap/vmxcap_decode.h"

#define BIT(n) (1u << (n))

static void emit(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

/* Read CPU @cpu; returns false if it is not online (no msr device). */
static bool read_cpu(unsigned int cpu, struct vmxcap_msrs *m)
{
	unsigned int a, b, c, d, id;
	int fd = cpu_msr_open(cpu);

	if (fd < 0)
		return false;
	__cpuid(1, a, b, c, d);
	*m = (struct vmxcap_msrs){ .cpuid_vmx = c & BIT(5) };
	for (id = 0; id < VMXCAP_NR_MSRS; id++) {
		if (!vmxcap_msr_exists(m, id))
			continue;
		m->attempted |= BIT(id);
		if (cpu_msr_read(fd, vmxcap_msr_desc[id].addr, &m->val[id]))
			m->valid |= BIT(id);
	}
	close(fd);
	return true;
}

int main(void)
{
	unsigned int cpu, checked = 1, differing = 0;
	struct vmxcap_msrs ref, m;
	enum vmxcap_status st;

	if (!read_cpu(0, &ref)) {
		fprintf(stderr, "vmxcap-msr: /dev/cpu/0/msr: load msr.ko\n");
		return 1;
	}
	st = vmxcap_status(&ref);
	if (st != VMXCAP_OK) {
		printf("%s\n", vmxcap_status_reason(st));
		return 2;
	}
	vmxcap_decode(&ref, emit, NULL);
	for (cpu = 1; cpu < 4096; cpu++) {
		if (!read_cpu(cpu, &m))
			continue;
		checked++;
		if (vmxcap_compare(&ref, 0, &m, cpu, emit, NULL))
			differing++;
	}
	cap_emit_cpus(checked, differing, emit, NULL);
	return 0;
}
