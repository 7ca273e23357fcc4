/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a CPU's raw values from user space, for vmxcap-msr.c and
 * svmcap-check.c: its MSRs through /dev/cpu/N/msr (msr.ko), its CPUID by
 * running on it.  Needs _GNU_SOURCE before the first #include.
 */
#ifndef CPU_MSR_H
#define CPU_MSR_H

#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * Open CPU @cpu's msr device and move there (CPUID is per CPU too: it
 * runs there from now on); -1 if the CPU is not online (no msr device).
 */
static int cpu_msr_open(unsigned int cpu)
{
	char path[64];
	cpu_set_t set;
	int fd;

	snprintf(path, sizeof(path), "/dev/cpu/%u/msr", cpu);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		exit(1);
	}
	return fd;
}

/* RDMSR @addr through @fd; false if the read faulted. */
static bool cpu_msr_read(int fd, unsigned int addr, void *val)
{
	return pread(fd, val, 8, addr) == 8;
}

#endif
