/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-exitstats tool: shared types.
 *
 *   table.c  the table of one VM: math, selection, sorting, deltas,
 *            percentiles from the latency buckets, output, --hist
 *   guest.c  reads the table of the VM we run in through the CPUID leaves
 *   host.c   reads every VM's table from KVM's debugfs
 *   prom.c   the Prometheus text format of every VM's table
 *   cli.c    options, modes, --watch, exit statuses
 *   kvm-exitstats.c  main(): the real CPUID, clock and terminal
 *
 * Everything outside kvm-exitstats.c reaches CPUID, files, the clock and
 * the terminal only through struct kes_env, so the unit tests run it all
 * without a VM.
 */
#ifndef KES_H
#define KES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "exitstats/exitstats.h"

#define KES_PROG	"kvm-exitstats"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Exit statuses, documented in kvm-exitstats.1. */
enum kes_status {
	KES_OK		= 0,	/* success */
	KES_FAIL	= 1,	/* runtime failure, or not our KVM */
	KES_USAGE	= 2,	/* bad command line */
	KES_NO_VM	= 3,	/* host mode: no (matching) VM */
};

#define KES_ERRLEN	8192	/* char err[KES_ERRLEN]: a message with a path */
#define KES_DIRLEN	32	/* "<pid>-<fd>" */
#define KES_NAMELEN	64	/* VM name shown, truncated */

#define KES_NR_BUCKETS	EXITSTATS_NR_BUCKETS

/*
 * One VM's figures, indexed by basic exit reason.  The latency buckets
 * (exitstats_bucket()) are there when has_hist (not from an older
 * kvm-exitstats, or a guest row without exits), the longest exits when
 * has_max (the host, not in a --watch interval); total_hist when
 * has_total_hist.
 */
struct kes_table {
	u64 count[EXITSTATS_NR_REASONS];
	u64 cycles[EXITSTATS_NR_REASONS];
	/* Exits under reasons with no row: debugfs's "other" line. */
	u64 other_count;
	u64 other_cycles;
	u64 total_count;
	u64 total_cycles;
	bool has_hist, has_max, has_total_hist;
	u64 hist[EXITSTATS_NR_REASONS][KES_NR_BUCKETS];
	u64 max[EXITSTATS_NR_REASONS];
	u64 other_hist[KES_NR_BUCKETS];
	u64 other_max;
	u64 total_hist[KES_NR_BUCKETS];
	u64 total_max;
};

/* Percentiles estimated from the buckets (kes_percentile()). */
#define KES_NR_PCTS	3
extern const unsigned int kes_pct_permille[KES_NR_PCTS];	/* 500, 900, 990 */

/* One line of output, derived from a table. */
struct kes_row {
	u32 reason;
	u64 count;
	u64 cycles;
	u64 avg;		/* cycles per exit, rounded down */
	double count_pct;	/* share of all exits, 0 if there are none */
	double cycles_pct;	/* share of all cycles, 0 if there are none */
	bool has_pct;		/* the buckets hold exits: pct[] is set */
	double pct[KES_NR_PCTS];	/* p50, p90, p99 in cycles */
	bool has_max;
	u64 max;		/* the longest exit in cycles, if has_max */
	const u64 *hist;	/* its buckets, NULL if unknown */
};

enum kes_sort { KES_SORT_COUNT, KES_SORT_CYCLES, KES_SORT_REASON, KES_SORT_AVG };

enum kes_format { KES_FORMAT_TABLE, KES_FORMAT_JSON, KES_FORMAT_PROM };

struct kes_opts {
	bool host;
	bool all;
	bool json;		/* format == KES_FORMAT_JSON */
	enum kes_format format;
	bool help;
	bool version;
	enum kes_sort sort;
	int reason;		/* -1: every reason */
	int hist;		/* --hist: this reason's histogram; -1: none */
	long pid;		/* 0: every VM */
	const char *vm;		/* NULL: every VM; else a name pattern */
	double tsc_hz;		/* --tsc-hz; 0: ask the environment */
	double interval;	/* seconds; 0: no --watch */
	unsigned long iterations; /* 0: until interrupted */
	const char *debugfs;	/* NULL: the environment's */
};

/* A VM: the guest's own (pid 0, no dir) or one found in debugfs. */
struct kes_vm {
	long pid;
	char dir[KES_DIRLEN];
	char name[KES_NAMELEN];
	struct kes_table t;
};

struct kes_cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

typedef void (*kes_cpuid_fn)(void *ctx, u32 leaf, u32 subleaf,
			     struct kes_cpuid_regs *r);

/* Everything that touches the machine. */
struct kes_env {
	kes_cpuid_fn cpuid;
	void *cpuid_ctx;
	const char *debugfs;	/* KVM's debugfs directory */
	const char *proc;	/* procfs, for VM names */
	const char *sysfs;	/* sysfs, to tell our kvm.ko; NULL: unknown */
	/* The host's TSC frequency in Hz, 0 if unknown; NULL: unknown. */
	double (*tsc_hz)(void);
	/* Sleep; non-zero if interrupted (stop watching). */
	int (*sleep)(void *ctx, double seconds);
	void *sleep_ctx;
	bool tty;		/* stdout is a terminal */
	FILE *out;
	FILE *err;
};

/* table.c */
u64 kes_avg(u64 cycles, u64 count);
double kes_pct(u64 part, u64 whole);
void kes_table_sum(struct kes_table *t);
void kes_table_delta(struct kes_table *d, const struct kes_table *cur,
		     const struct kes_table *prev);
size_t kes_rows(const struct kes_table *t, const struct kes_opts *o,
		struct kes_row *rows);
void kes_total_row(const struct kes_table *t, struct kes_row *row);
void kes_print_table(FILE *f, const struct kes_table *t,
		     const struct kes_opts *o);
size_t kes_utf8_len(const unsigned char *s);
void kes_json_string(FILE *f, const char *s);
void kes_json_table(FILE *f, const struct kes_table *t,
		    const struct kes_opts *o);
u64 kes_hist_sum(const u64 *hist);
bool kes_percentile(const u64 *hist, bool has_max, u64 max,
		    unsigned int permille, double *val);
void kes_print_hist(FILE *f, const struct kes_table *t, u32 reason,
		    double tsc_hz);

/* guest.c */
int kes_guest_probe(const struct kes_env *env, char *err);
int kes_guest_read(const struct kes_env *env, int reason,
		   struct kes_table *t, char *err);

/* host.c */
int kes_parse_table(const char *buf, size_t len, struct kes_table *t,
		    const char *file, char *err);
int kes_parse_hist(const char *buf, size_t len, struct kes_table *t,
		   const char *file, char *err);
bool kes_qemu_name(const char *cmdline, size_t len, char *name,
		   size_t size);
void kes_vm_name(const struct kes_env *env, long pid, char *name,
		 size_t size);
int kes_host_read(const struct kes_env *env, long pid,
		  struct kes_vm **vms, size_t *nr, char *err);

/* prom.c */
void kes_print_prom(FILE *f, const struct kes_vm *vms, size_t nr, bool up,
		    double tsc_hz, const struct kes_opts *o);

/* cli.c */
int kes_parse_options(int argc, char **argv, struct kes_opts *o, char *err);
int kes_main(int argc, char **argv, struct kes_env *env);

#endif /* KES_H */
