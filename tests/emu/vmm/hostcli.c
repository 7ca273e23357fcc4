// SPDX-License-Identifier: GPL-2.0
/*
 * The host CLI, `kvm-exitstats --host --pid PID --json`, run in-process:
 * exitstats-test links tools/ (all of it but main()) and calls kes_main()
 * with the real debugfs and procfs, so the figure it checks is the one the
 * command prints.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kes.h"
#include "hostcli.h"

static int no_sleep(void *ctx, double seconds)
{
	(void)ctx;
	(void)seconds;
	return 1;
}

static void no_cpuid(void *ctx, u32 leaf, u32 subleaf,
		     struct kes_cpuid_regs *r)
{
	(void)ctx;
	(void)leaf;
	(void)subleaf;
	*r = (struct kes_cpuid_regs){ 0 };
}

int host_cli_total(int vm_fd, uint64_t *count, uint64_t *cycles)
{
	char pid[24], key[64], *out = NULL, *err = NULL, *p, *argv[6];
	size_t out_len = 0, err_len = 0;
	unsigned long long c, y;
	struct kes_env env = {
		.cpuid = no_cpuid,
		.debugfs = "/sys/kernel/debug/kvm",
		.proc = "/proc",
		.sysfs = "/sys",
		.sleep = no_sleep,
	};
	int ret;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	argv[0] = "kvm-exitstats";
	argv[1] = "--host";
	argv[2] = "--pid";
	argv[3] = pid;
	argv[4] = "--json";
	argv[5] = NULL;
	env.out = open_memstream(&out, &out_len);
	env.err = open_memstream(&err, &err_len);
	if (!env.out || !env.err)
		return -1;
	ret = kes_main(5, argv, &env);
	fclose(env.out);
	fclose(env.err);
	if (ret)
		printf("# kvm-exitstats --host: status %d: %s", ret, err);
	snprintf(key, sizeof(key), "\"dir\":\"%d-%d\"", (int)getpid(), vm_fd);
	p = ret ? NULL : strstr(out, key);
	p = p ? strstr(p, "\"total\":{") : NULL;
	if (p && sscanf(p, "\"total\":{\"count\":%llu,\"cycles\":%llu", &c,
			&y) == 2) {
		*count = c;
		*cycles = y;
	} else {
		if (!ret)
			printf("# kvm-exitstats --host: no total for %s in %s",
			       key, out);
		ret = -1;
	}
	free(out);
	free(err);
	return ret ? -1 : 0;
}
