// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats: VM exits per exit reason and the cycles KVM spent on them,
 * for the VM we run in (CPUID leaves 0x4FFFFFFC-0x4FFFFFFF) or, with
 * --host, for every VM from KVM's debugfs.  See kvm-exitstats.1.
 *
 * This file only binds the machine: the CPUID instruction, the paths, the
 * clock, the terminal and Ctrl-C.  Everything else is in cli.c and below.
 */
#include <cpuid.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
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
		.sleep		= hw_sleep,
		.tty		= isatty(STDOUT_FILENO),
		.out		= stdout,
		.err		= stderr,
	};

	return kes_main(argc, argv, &env);
}
