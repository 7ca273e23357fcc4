// SPDX-License-Identifier: GPL-2.0
/*
 * kes-stress: stress and faults for kvm-exitstats on the emulated VMX
 * host.  Prints TAP; figures as diagnostics.
 *
 * usage: kes-stress fuzz-record FILE SEED N
 *            stock KVM loaded: N CPUIDs of leaves 0x4FFFFFF0 .. 0x50000000
 *            with random ECX in a fresh VM, the answers into FILE
 *        kes-stress fuzz FILE SEED N
 *            ours loaded: the same inputs, every answer checked against
 *            README's specification of the leaves (0x4FFFFFFB ..
 *            0x4FFFFFFF) or against FILE (the other leaves: stock)
 *        kes-stress round SECONDS VMS VCPUS SEED
 *            ours loaded: VMS VMs of VCPUS vCPUs exiting constantly (CPUID,
 *            OUT and HLT loops, sweeps of the leaves), a reader hammering
 *            every file below /sys/kernel/debug/kvm, and VMs of child
 *            processes killed with SIGKILL while they run; then exact
 *            counts of each VM and no VM left in debugfs
 *        kes-stress hold
 *            create a VM, run a CPUID in it, print "ready <pid>-<vmfd>"
 *            and keep it until killed (tests/emu/switch)
 *
 * Expected values come from what the guests ran, never from the code
 * under test.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "vm.h"
#include "fuzz.h"

#define DEBUGFS_KVM	"/sys/kernel/debug/kvm"

/* Intel SDM Vol. 3D Appendix C (325462-092US): 0 .. 81 but 35, 38, 42. */
#define SDM_NR_REASONS	82

static bool sdm_defined(uint32_t r)
{
	return r < SDM_NR_REASONS && r != 35 && r != 38 && r != 42;
}

/*
 * Defined but without a handler in kvm_vmx_exit_handlers[] on 6.1 and
 * 6.12 (README, "The guest interface"): 3, 4, 5, 6, 11, 16, 17, 51,
 * 63-81 but 74, 75.
 */
static bool unhandled(uint32_t r)
{
	switch (r) {
	case 3: case 4: case 5: case 6: case 11: case 16: case 17: case 51:
		return true;
	}
	return r >= 63 && r <= 81 && r != 74 && r != 75;
}

/* Reasons the guests here never cause: their counts stay 0. */
static bool never_caused(uint32_t r)
{
	return r == 12 || r == 18 || r == 31 || r == 32;
}

static void bail(const char *what)
{
	printf("Bail out! %s\n", what);
	exit(1);
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static uint64_t rnd_r(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- fuzz ---- */

#define FUZZ_CODE	0x18000		/* after the vCPUs' GUEST_BUFs */
#define FUZZ_IN		0x20000
#define FUZZ_OUT	0x40000
#define FUZZ_BATCH	8192

struct fuzz_in {
	uint32_t leaf, ecx;
};

static void fuzz_inputs(struct fuzz_in *in, uint32_t n, uint64_t seed)
{
	static const uint32_t special[] = {
		0xffffffff, 0x80000000, 0x8000000a, 0x7fffffff, 0x4000000a,
		0x10000, 0x1000a, 0x100, 0x10a, 0xffff, 0x52, 0x53,
	};
	uint32_t i;

	rng_state = seed ? seed : 1;
	for (i = 0; i < n; i++) {
		uint64_t a = rnd(), b = rnd();

		/* Half on our five leaves, half on all 17 of the range. */
		if (a & 1)
			in[i].leaf = 0x4ffffffb + (a >> 1) % 5;
		else
			in[i].leaf = 0x4ffffff0 + (a >> 1) % 17;
		switch ((a >> 8) % 10) {
		case 0: case 1: case 2: case 3:
			in[i].ecx = b % 96;	/* every reason, the holes, above */
			break;
		case 4: case 5:
			in[i].ecx = special[b % ARRAY_SIZE(special)] +
				    (uint32_t)((b >> 32) % 3);
			break;
		case 6:		/* a reason and a bucket, 32 and 33 too */
			in[i].ecx = b % 96 | (uint32_t)((b >> 32) % 34) << 16;
			break;
		default:
			in[i].ecx = (uint32_t)b;
		}
	}
}

/* Run @n inputs (at most FUZZ_BATCH) through the fuzz routine on @v. */
static int fuzz_batch(struct vcpu *v, const struct fuzz_in *in, uint32_t n,
		      struct cpuid_regs *out)
{
	struct kvm_regs regs = {
		.rip = FUZZ_CODE, .rsi = FUZZ_IN, .rdi = FUZZ_OUT, .rbp = n,
		.rflags = 0x2,
	};
	struct kvm_run *run = v->run;

	memcpy(v->vm->mem + FUZZ_IN, in, n * sizeof(*in));
	if (ioctl(v->fd, KVM_SET_REGS, &regs))
		return -1;
	for (;;) {
		if (ioctl(v->fd, KVM_RUN, 0)) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			perror("# KVM_RUN");
			return -1;
		}
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.direction == KVM_EXIT_IO_OUT &&
		    run->io.port == PORT_DONE)
			break;
		printf("# fuzz: unexpected exit %u\n", run->exit_reason);
		return -1;
	}
	v->cpuid_exits += n;
	v->io_exits++;
	memcpy(out, v->vm->mem + FUZZ_OUT, n * sizeof(*out));
	return 0;
}

static int fuzz_run(uint32_t n, uint64_t seed, struct fuzz_in **inp,
		    struct cpuid_regs **outp)
{
	struct fuzz_in *in = calloc(n, sizeof(*in));
	struct cpuid_regs *out = calloc(n, sizeof(*out));
	struct vm vm;
	uint32_t i;

	if (!in || !out)
		bail("out of memory");
	fuzz_inputs(in, n, seed);
	if (vm_create(&vm, 1))
		bail("cannot create the fuzz VM");
	memcpy(vm.mem + FUZZ_CODE, fuzz_code, fuzz_code_end - fuzz_code);
	for (i = 0; i < n; i += FUZZ_BATCH) {
		uint32_t k = n - i < FUZZ_BATCH ? n - i : FUZZ_BATCH;

		if (fuzz_batch(&vm.vcpu[0], in + i, k, out + i))
			bail("fuzz routine failed");
	}
	vm_destroy(&vm);
	*inp = in;
	*outp = out;
	return 0;
}

static bool ours(uint32_t leaf)
{
	return leaf >= 0x4ffffffb && leaf <= 0x4fffffff;
}

static int fuzz_record(const char *file, uint64_t seed, uint32_t n)
{
	struct fuzz_in *in;
	struct cpuid_regs *out;
	FILE *f;
	int good;

	fuzz_run(n, seed, &in, &out);
	f = fopen(file, "w");
	good = f && fwrite(out, sizeof(*out), n, f) == n;
	if (f && fclose(f))
		good = 0;
	ok(good, "fuzz: stock KVM's answers to %u inputs recorded", n);
	printf("# fuzz inputs: %u (seed %llu)\n", n, (unsigned long long)seed);
	return done_testing();
}

/* Mismatches of one class of inputs: counted, the first few shown. */
struct fclass {
	const char *what;
	uint32_t inputs, bad;
};

static void fbad(struct fclass *c, uint32_t i, const struct fuzz_in *in,
		 struct cpuid_regs got, const char *why)
{
	if (c->bad++ < 5)
		printf("#   input %u: leaf 0x%08x ecx 0x%08x: %s (eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x)\n",
		       i, in->leaf, in->ecx, why, got.eax, got.ebx, got.ecx,
		       got.edx);
}

static uint64_t hi_lo(uint32_t hi, uint32_t lo)
{
	return (uint64_t)hi << 32 | lo;
}

static int fuzz_check(const char *file, uint64_t seed, uint32_t n)
{
	struct fclass c_stock = { .what = "other leaves answer as stock KVM did" },
		c_tc = { .what = "0x4FFFFFFF: total count, ECX=EDX=0, grows by each CPUID at least" },
		c_ty = { .what = "0x4FFFFFFE: EAX=EDX=0, total cycles never shrink" },
		c_undef = { .what = "0x4FFFFFFB/C/D, undefined reason (or bucket): 0, 0, 0, 0xFFFFFFFF" },
		c_unh = { .what = "0x4FFFFFFB/C/D, defined but unhandled reason: all 0" },
		c_rh = { .what = "0x4FFFFFFB: ECX=EDX=0, CPUID and OUT buckets within the exits run, none for HLT/VMCALL/MSRs, never shrink" },
		c_rc = { .what = "0x4FFFFFFD: ECX=EDX=0, CPUID and OUT counts exact, none for HLT/VMCALL/MSRs, others never shrink" },
		c_ry = { .what = "0x4FFFFFFC: EAX=EDX=0, cycles 0 where no exit, never shrink" };
	struct fclass *all[] = { &c_stock, &c_tc, &c_ty, &c_undef, &c_unh,
				 &c_rc, &c_ry, &c_rh };
	static uint64_t last_hist[SDM_NR_REASONS][32];
	uint64_t last_count[SDM_NR_REASONS] = { 0 };
	uint64_t last_cycles[SDM_NR_REASONS] = { 0 };
	uint64_t last_total = 0, last_total_i = 0, last_tcycles = 0;
	bool have_total = false;
	struct cpuid_regs *stock, *out;
	struct fuzz_in *in;
	FILE *f;
	uint32_t i;
	size_t k;

	stock = calloc(n, sizeof(*stock));
	f = fopen(file, "r");
	if (!stock || !f || fread(stock, sizeof(*stock), n, f) != n)
		bail("cannot read the stock answers");
	fclose(f);
	fuzz_run(n, seed, &in, &out);

	for (i = 0; i < n; i++) {
		struct cpuid_regs g = out[i];
		uint32_t r = in[i].ecx, b = 0;
		/* CPUID exits so far, this one included; OUTs so far. */
		uint64_t cpuids = i + 1, outs = i / FUZZ_BATCH;

		if (!ours(in[i].leaf)) {
			c_stock.inputs++;
			if (memcmp(&g, &stock[i], sizeof(g)))
				fbad(&c_stock, i, &in[i], g, "differs from stock");
			continue;
		}
		switch (in[i].leaf) {
		case 0x4fffffff:
			c_tc.inputs++;
			if (g.ecx || g.edx)
				fbad(&c_tc, i, &in[i], g, "ECX/EDX not 0");
			else if (hi_lo(g.ebx, g.eax) < cpuids + outs)
				fbad(&c_tc, i, &in[i], g, "below the CPUIDs and OUTs run");
			else if (have_total &&
				 hi_lo(g.ebx, g.eax) < last_total + (i - last_total_i))
				fbad(&c_tc, i, &in[i], g, "grew less than the CPUIDs since");
			last_total = hi_lo(g.ebx, g.eax);
			last_total_i = i;
			have_total = true;
			continue;
		case 0x4ffffffe:
			c_ty.inputs++;
			if (g.eax || g.edx)
				fbad(&c_ty, i, &in[i], g, "EAX/EDX not 0");
			else if (hi_lo(g.ebx, g.ecx) < last_tcycles)
				fbad(&c_ty, i, &in[i], g, "shrank");
			last_tcycles = hi_lo(g.ebx, g.ecx);
			continue;
		}
		/* 0x4FFFFFFB: ECX[15:0] reason, ECX[20:16] bucket, rest 0. */
		if (in[i].leaf == 0x4ffffffb) {
			r = in[i].ecx & 0xffff;
			b = in[i].ecx >> 16;
		}
		if (!sdm_defined(r) || b >= 32) {
			c_undef.inputs++;
			if (g.eax || g.ebx || g.ecx || g.edx != 0xffffffff)
				fbad(&c_undef, i, &in[i], g, "not the undefined answer");
			continue;
		}
		if (unhandled(r)) {
			c_unh.inputs++;
			if (g.eax || g.ebx || g.ecx || g.edx)
				fbad(&c_unh, i, &in[i], g, "not all 0");
			continue;
		}
		if (in[i].leaf == 0x4ffffffb) {
			uint64_t cnt = hi_lo(g.ebx, g.eax);

			/* Buckets hold finished exits: not the asking one. */
			c_rh.inputs++;
			if (g.ecx || g.edx)
				fbad(&c_rh, i, &in[i], g, "ECX/EDX not 0");
			else if (r == EXIT_REASON_CPUID && cnt >= cpuids)
				fbad(&c_rh, i, &in[i], g, "more CPUIDs than ended");
			else if (r == EXIT_REASON_IO && cnt > outs)
				fbad(&c_rh, i, &in[i], g, "more OUTs than run");
			else if (never_caused(r) && cnt)
				fbad(&c_rh, i, &in[i], g, "bucket of an exit never caused");
			else if (cnt < last_hist[r][b])
				fbad(&c_rh, i, &in[i], g, "bucket shrank");
			last_hist[r][b] = cnt;
		} else if (in[i].leaf == 0x4ffffffd) {
			uint64_t cnt = hi_lo(g.ebx, g.eax);

			c_rc.inputs++;
			if (g.ecx || g.edx)
				fbad(&c_rc, i, &in[i], g, "ECX/EDX not 0");
			else if (r == EXIT_REASON_CPUID && cnt != cpuids)
				fbad(&c_rc, i, &in[i], g, "CPUID count not the CPUIDs run");
			else if (r == EXIT_REASON_IO && cnt != outs)
				fbad(&c_rc, i, &in[i], g, "I/O count not the OUTs run");
			else if (never_caused(r) && cnt)
				fbad(&c_rc, i, &in[i], g, "count of an exit never caused");
			else if (cnt < last_count[r])
				fbad(&c_rc, i, &in[i], g, "count shrank");
			last_count[r] = cnt;
		} else {
			uint64_t cyc = hi_lo(g.ebx, g.ecx);

			c_ry.inputs++;
			if (g.eax || g.edx)
				fbad(&c_ry, i, &in[i], g, "EAX/EDX not 0");
			else if (never_caused(r) && cyc)
				fbad(&c_ry, i, &in[i], g, "cycles of an exit never caused");
			else if (cyc < last_cycles[r])
				fbad(&c_ry, i, &in[i], g, "cycles shrank");
			last_cycles[r] = cyc;
		}
	}
	for (k = 0; k < ARRAY_SIZE(all); k++) {
		ok(all[k]->inputs && !all[k]->bad, "fuzz: %s (%u inputs, %u wrong)",
		   all[k]->what, all[k]->inputs, all[k]->bad);
	}
	printf("# fuzz inputs: %u (seed %llu), last total count %llu\n", n,
	       (unsigned long long)seed, (unsigned long long)last_total);
	return done_testing();
}

/* ---- round ---- */

static int stop_vcpus, stop_reader;

#define STOPPED(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STOP(x)		__atomic_store_n(&(x), 1, __ATOMIC_RELAXED)

struct reader_stats {
	uint64_t files, exitstats, lost, bad_format, other_err, dirs;
	int last_errno;
};

static struct reader_stats rstats;

/* One exitstats read: rows, other and total; total is the sum. */
static void check_exitstats(const char *buf, const char *path)
{
	uint64_t sum_c = 0, sum_y = 0, c, y;
	unsigned long long cc, yy;
	const char *p = buf;
	int rows = 0, other = 0, total = 0, bad = 0;
	char word[48];
	unsigned int r;

	while (*p) {
		const char *nl = strchr(p, '\n');

		if (sscanf(p, "%u %47s %llu %llu", &r, word, &cc, &yy) == 4) {
			c = cc;
			y = yy;
			if (!sdm_defined(r) || other ||
			    rows != (int)r - (r > 35) - (r > 38) - (r > 42))
				bad++;
			rows++;
			sum_c += c;
			sum_y += y;
			if (!c && y)
				bad++;
		} else if (sscanf(p, "%47s %llu %llu", word, &cc, &yy) == 3 &&
			   !strcmp(word, "other") && !other) {
			other = 1;
			sum_c += cc;
			sum_y += yy;
			if (!cc && yy)
				bad++;
		} else if (sscanf(p, "%47s %llu %llu", word, &cc, &yy) == 3 &&
			   !strcmp(word, "total") && other && !total) {
			total = 1;
			if (cc != sum_c || yy != sum_y)
				bad++;
		} else {
			bad++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (bad || rows != SDM_NR_REASONS - 3 || !total) {
		if (rstats.bad_format++ < 3)
			printf("# %s: bad table (%d rows, %d problems)\n", path,
			       rows, bad);
	}
}

static void read_one(const char *path, bool exitstats)
{
	static char buf[65536];
	ssize_t n, len = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		goto err;
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		goto err;
	buf[len] = 0;
	rstats.files++;
	if (exitstats) {
		rstats.exitstats++;
		check_exitstats(buf, path);
	}
	return;
err:
	/* The VM went away under us: its files may say so. */
	if (errno == ENOENT || errno == EIO || errno == ENODEV ||
	    errno == ESRCH) {
		rstats.lost++;
		return;
	}
	if (rstats.other_err++ < 3)
		printf("# read %s: %s\n", path, strerror(errno));
	rstats.last_errno = errno;
}

static void read_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	struct stat st;
	int n;

	if (!d) {
		rstats.lost++;
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st)) {
			rstats.lost++;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			rstats.dirs++;
			if (depth < 3)
				read_tree(path, depth + 1);
		} else if (!strcmp(e->d_name, "exitstats")) {
			/* Ours, more often than the rest. */
			for (n = 0; n < 4; n++)
				read_one(path, true);
		} else if (S_ISREG(st.st_mode)) {
			read_one(path, false);
		}
	}
	closedir(d);
}

static void *reader(void *arg)
{
	(void)arg;
	while (!STOPPED(stop_reader))
		read_tree(DEBUGFS_KVM, 0);
	return NULL;
}

struct worker {
	struct vcpu *v;
	uint64_t seed;
	uint64_t sweeps, bad_sweeps, ops;
	pthread_t tid;
};

#define NR_SWEEP	(SDM_NR_REASONS + 1)

static bool sweep_ok(const struct cpuid_regs *s)
{
	uint64_t t1 = hi_lo(s[0].ebx, s[0].eax);
	uint64_t t2 = hi_lo(s[NR_SWEEP + 2].ebx, s[NR_SWEEP + 2].eax);
	uint32_t r;

	if (s[0].ecx || s[0].edx || t2 < t1 + NR_SWEEP + 2 ||
	    s[1].eax || s[1].edx ||
	    hi_lo(s[NR_SWEEP + 3].ebx, s[NR_SWEEP + 3].ecx) <
	    hi_lo(s[1].ebx, s[1].ecx))
		return false;
	for (r = 0; r < NR_SWEEP; r++) {
		const struct cpuid_regs *g = &s[2 + r];

		if (!sdm_defined(r)) {
			if (g->eax || g->ebx || g->ecx || g->edx != 0xffffffff)
				return false;
		} else if (g->ecx || g->edx || hi_lo(g->ebx, g->eax) > t2 ||
			   (unhandled(r) && (g->eax || g->ebx))) {
			return false;
		}
	}
	return true;
}

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct cpuid_regs s[NR_SWEEP + 4];
	int r = 0;

	while (!STOPPED(stop_vcpus) && !r) {
		uint64_t x = rnd_r(&w->seed);

		switch (x % 8) {
		case 0: case 1: case 2:
			r = guest_cpuid_loop(w->v, 0, 1 + (x >> 8) % 200);
			break;
		case 3: case 4:
			r = guest_io_loop(w->v, 1 + (x >> 8) % 50);
			break;
		case 5:
			r = guest_hlt_loop(w->v, 1 + (x >> 8) % 20);
			break;
		default:
			r = guest_sweep(w->v, LEAF_REASON_COUNT, NR_SWEEP, s);
			if (!r) {
				w->sweeps++;
				if (!sweep_ok(s) && w->bad_sweeps++ < 2)
					printf("# vm %d vcpu %d: bad sweep\n",
					       w->v->vm->fd, w->v->id);
			}
		}
		w->ops++;
	}
	if (r)
		printf("# vm %d vcpu %d: a guest routine failed\n",
		       w->v->vm->fd, w->v->id);
	return (void *)(long)r;
}

/* A child's VM: run until killed; one byte on @fd once its vCPUs run. */
static void victim(int fd, uint64_t seed)
{
	struct worker w[2];
	struct vm vm;
	int i;

	if (vm_create(&vm, 2))
		_exit(3);
	for (i = 0; i < 2; i++) {
		w[i] = (struct worker){ .v = &vm.vcpu[i], .seed = seed + i };
		if (pthread_create(&w[i].tid, NULL, worker, &w[i]))
			_exit(4);
	}
	usleep(1000);
	if (write(fd, "x", 1) != 1)
		_exit(5);
	for (;;)
		pause();
}

struct dbg_counts {
	uint64_t cpuid, io, hlt, total;
};

static int vm_debugfs(pid_t pid, int vm_fd, struct dbg_counts *d)
{
	char path[128], line[256];
	unsigned long long c, y;
	unsigned int r;
	char name[48];
	FILE *f;

	snprintf(path, sizeof(path), DEBUGFS_KVM "/%d-%d/exitstats", pid, vm_fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	memset(d, 0, sizeof(*d));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%u %47s %llu %llu", &r, name, &c, &y) == 4) {
			if (r == EXIT_REASON_CPUID)
				d->cpuid = c;
			else if (r == EXIT_REASON_IO)
				d->io = c;
			else if (r == EXIT_REASON_HLT)
				d->hlt = c;
		} else if (sscanf(line, "total %llu %llu", &c, &y) == 2) {
			d->total = c;
		}
	}
	fclose(f);
	return 0;
}

/* VM directories in debugfs (names <pid>-<fd>), of @pid or of anyone. */
static int vm_dirs(pid_t pid)
{
	DIR *d = opendir(DEBUGFS_KVM);
	struct dirent *e;
	int n = 0, p, fd;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (sscanf(e->d_name, "%d-%d", &p, &fd) == 2 &&
		    (!pid || p == pid))
			n++;
	}
	closedir(d);
	return n;
}

static int round_run(double seconds, int nr_vms, int nr_vcpus, uint64_t seed)
{
	struct vm vms[8];
	struct worker w[8][MAX_VCPUS];
	pthread_t rd;
	uint64_t kills = 0, killed_running = 0, bad_status = 0, sweeps = 0;
	uint64_t bad_sweeps = 0, ops = 0, exits_known = 0, exits_total = 0;
	uint64_t leaked = 0;
	int exact_bad = 0, failed = 0, i, j, left;
	double t0 = now(), t;

	if (nr_vms > 8 || nr_vcpus > MAX_VCPUS)
		bail("too many VMs or vCPUs");
	rng_state = seed ? seed : 1;
	/* The reader first: the VMs are created while it reads. */
	if (pthread_create(&rd, NULL, reader, NULL))
		bail("pthread_create");
	for (i = 0; i < nr_vms; i++) {
		if (vm_create(&vms[i], nr_vcpus))
			bail("cannot create a VM");
		for (j = 0; j < nr_vcpus; j++) {
			w[i][j] = (struct worker){
				.v = &vms[i].vcpu[j], .seed = rnd() | 1,
			};
			if (pthread_create(&w[i][j].tid, NULL, worker, &w[i][j]))
				bail("pthread_create");
		}
	}
	/* Children's VMs, killed mid-run, until the time is up. */
	while ((t = now()) - t0 < seconds) {
		int p[2];
		pid_t pid;
		char c;

		if (pipe(p))
			bail("pipe");
		pid = fork();
		if (pid < 0)
			bail("fork");
		if (!pid) {
			close(p[0]);
			victim(p[1], rnd() | 1);
		}
		close(p[1]);
		if (read(p[0], &c, 1) == 1) {
			killed_running++;
			usleep(rnd() % 300000);
		}
		close(p[0]);
		kill(pid, SIGKILL);
		kills++;
		if (waitpid(pid, &j, 0) != pid || !WIFSIGNALED(j) ||
		    WTERMSIG(j) != SIGKILL) {
			bad_status++;
			printf("# child %d: status 0x%x, not SIGKILL\n", pid, j);
		}
	}
	STOP(stop_vcpus);
	for (i = 0; i < nr_vms; i++) {
		for (j = 0; j < nr_vcpus; j++) {
			void *r;

			pthread_join(w[i][j].tid, &r);
			failed += r != NULL;
			sweeps += w[i][j].sweeps;
			bad_sweeps += w[i][j].bad_sweeps;
			ops += w[i][j].ops;
		}
	}
	ok(!failed, "round: %d VMs x %d vCPUs ran their guest routines to the end",
	   nr_vms, nr_vcpus);
	ok(!bad_sweeps, "round: %llu sweeps of 0x4FFFFFFD from the guests as specified",
	   (unsigned long long)sweeps);
	ok(kills && killed_running == kills && !bad_status,
	   "round: %llu VMs killed by SIGKILL while running, each died of it",
	   (unsigned long long)kills);

	/* Exact counts: debugfs and the leaf against what the guests ran. */
	for (i = 0; i < nr_vms; i++) {
		struct dbg_counts d = { 0 };
		struct cpuid_regs g = { 0 };
		uint64_t cpuid = vm_cpuid_exits(&vms[i]);

		if (vm_debugfs(getpid(), vms[i].fd, &d) || d.cpuid != cpuid ||
		    d.io != vm_io_exits(&vms[i]) ||
		    d.hlt != vm_hlt_exits(&vms[i]) ||
		    d.total < d.cpuid + d.io + d.hlt) {
			exact_bad++;
			printf("# vm %d: debugfs cpuid %llu io %llu hlt %llu total %llu, ran %llu %llu %llu\n",
			       vms[i].fd, (unsigned long long)d.cpuid,
			       (unsigned long long)d.io, (unsigned long long)d.hlt,
			       (unsigned long long)d.total,
			       (unsigned long long)cpuid,
			       (unsigned long long)vm_io_exits(&vms[i]),
			       (unsigned long long)vm_hlt_exits(&vms[i]));
		}
		exits_known += cpuid + vm_io_exits(&vms[i]) +
			       vm_hlt_exits(&vms[i]);
		exits_total += d.total;
		if (guest_cpuid(&vms[i].vcpu[0], LEAF_REASON_COUNT,
				EXIT_REASON_CPUID, &g) ||
		    hi_lo(g.ebx, g.eax) != cpuid + 1 || g.ecx || g.edx) {
			exact_bad++;
			printf("# vm %d: 0x4FFFFFFD/10 says %llu, ran %llu\n",
			       vms[i].fd, (unsigned long long)hi_lo(g.ebx, g.eax),
			       (unsigned long long)cpuid + 1);
		}
	}
	ok(!exact_bad, "round: every VM's CPUID, I/O and HLT exits exact in debugfs and CPUID 0x4FFFFFFD");

	for (i = 0; i < nr_vms; i++)
		vm_destroy(&vms[i]);
	/* The reader keeps reading while they go. */
	usleep(200000);
	STOP(stop_reader);
	pthread_join(rd, NULL);
	left = vm_dirs(0);
	for (i = 0; left && i < 50; i++) {
		usleep(100000);
		left = vm_dirs(0);
	}
	leaked = left;
	ok(!leaked, "round: no VM left in debugfs after the last one closed (%llu left)",
	   (unsigned long long)leaked);
	ok(rstats.files && !rstats.bad_format && !rstats.other_err,
	   "round: reader: %llu files read, %llu exitstats tables consistent, no error but VMs going",
	   (unsigned long long)rstats.files,
	   (unsigned long long)rstats.exitstats);

	printf("# round figures: %.1f s, VMs %llu (%d steady + %llu killed), vCPUs %llu\n",
	       now() - t0, (unsigned long long)(nr_vms + kills), nr_vms,
	       (unsigned long long)kills,
	       (unsigned long long)(nr_vms * nr_vcpus + 2 * kills));
	printf("# round figures: exits %llu (the steady VMs' debugfs totals; %llu of them caused knowingly), guest routines %llu, leaf sweeps %llu\n",
	       (unsigned long long)exits_total,
	       (unsigned long long)exits_known, (unsigned long long)ops,
	       (unsigned long long)sweeps);
	printf("# round figures: debugfs reads %llu (exitstats %llu, dirs %llu, gone mid-read %llu), kills %llu\n",
	       (unsigned long long)rstats.files,
	       (unsigned long long)rstats.exitstats,
	       (unsigned long long)rstats.dirs,
	       (unsigned long long)rstats.lost, (unsigned long long)kills);
	return done_testing();
}

static int hold(void)
{
	struct cpuid_regs r;
	struct vm vm;

	if (vm_create(&vm, 1) || guest_cpuid(&vm.vcpu[0], 0, 0, &r))
		return 1;
	printf("ready %d-%d\n", getpid(), vm.fd);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc == 5 && !strcmp(argv[1], "fuzz-record"))
		return fuzz_record(argv[2], strtoull(argv[3], NULL, 0),
				   strtoul(argv[4], NULL, 0));
	if (argc == 5 && !strcmp(argv[1], "fuzz"))
		return fuzz_check(argv[2], strtoull(argv[3], NULL, 0),
				  strtoul(argv[4], NULL, 0));
	if (argc == 6 && !strcmp(argv[1], "round"))
		return round_run(strtod(argv[2], NULL), atoi(argv[3]),
				 atoi(argv[4]), strtoull(argv[5], NULL, 0));
	if (argc == 2 && !strcmp(argv[1], "hold"))
		return hold();
	fprintf(stderr,
		"usage: %s hold | fuzz-record FILE SEED N | fuzz FILE SEED N | round SECONDS VMS VCPUS SEED\n",
		argv[0]);
	return 2;
}
