// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats: VM exits per exit reason and the cycles KVM spent on them,
 * for the VM we run in (CPUID leaves 0x4FFFFFFB-0x4FFFFFFF) or, with
 * --host, for every VM from KVM's debugfs.  See kvm-exitstats.1.
 *
 * This file only binds the machine: the CPUID instruction, the paths, the
 * clock, the terminal and Ctrl-C.  Everything else is in cli.c and below.
 */
#include <cpuid.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kes.h"

#define DEFAULT_DEBUGFS	"/sys/kernel/debug/kvm"
#define DEFAULT_PROC	"/proc"

static void hw_cpuid(void *ctx, u32 leaf, u32 subleaf, struct kes_cpuid_regs *r)
{
	(void)ctx;
	__cpuid_count(leaf, subleaf, r->eax, r->ebx, r->ecx, r->edx);
}

/*
 * The kernel's TSC frequency as perf_event_open(2) tells it: a perf event's
 * user page holds the kernel's TSC-to-nanoseconds conversion, ns =
 * cycles * time_mult >> time_shift, computed from the kernel's calibrated
 * tsc_khz (only when the TSC is its stable clock: cap_user_time).  Rounded
 * to whole kHz, as tsc_khz is.  0 if unknown.
 */
static double perf_tsc_hz(void)
{
	struct perf_event_attr attr = {
		.type		= PERF_TYPE_SOFTWARE,
		.size		= sizeof(attr),
		.config		= PERF_COUNT_SW_DUMMY,
		.exclude_kernel	= 1,
		.exclude_hv	= 1,
	};
	struct perf_event_mmap_page *pg;
	long page = sysconf(_SC_PAGESIZE);
	double hz = 0;
	int fd;

	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return 0;
	pg = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (pg != MAP_FAILED) {
		if (pg->cap_user_time && pg->time_mult && pg->time_shift < 64)
			hz = 1e9 * ldexp(1, pg->time_shift) / pg->time_mult;
		munmap(pg, page);
	}
	close(fd);
	return round(hz / 1000) * 1000;
}

/*
 * The host's TSC frequency in Hz for the seconds of --format prometheus:
 * the kernel's (above), else the nominal frequency CPUID leaf 0x15
 * enumerates (crystal Hz * EBX / EAX, when the crystal is given), else 0.
 */
static double hw_tsc_hz(void)
{
	unsigned int max, eax, ebx, ecx, edx;
	double hz = perf_tsc_hz();

	if (hz > 0)
		return hz;
	__cpuid(0, max, ebx, ecx, edx);
	if (max < 0x15)
		return 0;
	__cpuid(0x15, eax, ebx, ecx, edx);
	return eax && ebx && ecx ? (double)ecx * ebx / eax : 0;
}

/*
 * Sleep, but let Ctrl-C (or SIGTERM) end --watch cleanly, with status 0:
 * from the first sleep on the signals are blocked and waited for here, so
 * one that arrives while a table is read ends the watch at the next sleep.
 */
static int hw_sleep(void *ctx, double seconds)
{
	struct timespec ts = {
		.tv_sec = (time_t)seconds,
		.tv_nsec = (long)((seconds - floor(seconds)) * 1e9),
	};
	sigset_t set;

	(void)ctx;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	while (sigtimedwait(&set, NULL, &ts) < 0) {
		if (errno == EAGAIN)
			return 0;	/* slept the whole time */
		if (errno != EINTR)
			return 1;
	}
	return 1;
}

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

int main(int argc, char **argv)
{
	struct kes_env env = {
		.cpuid		= hw_cpuid,
		.debugfs	= env_or("KVM_EXITSTATS_DEBUGFS", DEFAULT_DEBUGFS),
		.proc		= env_or("KVM_EXITSTATS_PROC", DEFAULT_PROC),
		.sysfs		= env_or("KVM_EXITSTATS_SYSFS", "/sys"),
		.tsc_hz		= hw_tsc_hz,
		.sleep		= hw_sleep,
		.tty		= isatty(STDOUT_FILENO),
		.out		= stdout,
		.err		= stderr,
	};

	return kes_main(argc, argv, &env);
}
