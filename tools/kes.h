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
 *
 * Two ISAs: a table holds either Intel's VMX basic exit reasons or AMD's
 * SVM exit codes (struct exitstats_isa, the kernel side's own tables).
 * The guest learns which from its probes and the CPUID vendor string
 * (guest.c), the host from the names in each VM's debugfs table (host.c).
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
 * Rows of a table: a row per reason slot of its ISA, row i = slot i + 1,
 * so on Intel row r is basic exit reason r; the SVM table has the most.
 */
#define KES_NR_ROWS	(EXITSTATS_SVM_NR_SLOTS - 2)
_Static_assert(KES_NR_ROWS >= EXITSTATS_NR_REASONS, "rows for either ISA");

/* Neither ISA's code: an option's reason that this table's ISA lacks. */
#define KES_CODE_NONE	(-2LL)

/*
 * One VM's figures, indexed by row (on Intel: by basic exit reason), of
 * ISA isa (NULL: VMX, exitstats_isa_vmx).  The latency buckets
 * (exitstats_bucket()) are there when has_hist (not from an older
 * kvm-exitstats, or a guest row without exits), the longest exits when
 * has_max (the host, not in a --watch interval); total_hist when
 * has_total_hist.
 */
struct kes_table {
	const struct exitstats_isa *isa;
	u64 count[KES_NR_ROWS];
	u64 cycles[KES_NR_ROWS];
	/* Exits under reasons with no row: debugfs's "other" line. */
	u64 other_count;
	u64 other_cycles;
	u64 total_count;
	u64 total_cycles;
	bool has_hist, has_max, has_total_hist;
	u64 hist[KES_NR_ROWS][KES_NR_BUCKETS];
	u64 max[KES_NR_ROWS];
	/*
	 * Rows whose buckets cannot be read although has_hist: the guest's
	 * SVM codes above 0xFFFF (leaf 0x4FFFFFFB takes ECX[15:0]).
	 */
	bool no_hist[KES_NR_ROWS];
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
	u32 reason;		/* the reason's code in its ISA */
	const char *name;	/* its name in the ISA's manual */
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
	/*
	 * --reason, --hist: a code of ISA isa (NULL: VMX), -1: none.  As given
	 * in reason_arg, hist_arg (NULL: not given, or set by number), which
	 * a table of another ISA resolves for itself (kes_opt_code()).
	 */
	long long reason;	/* -1: every reason */
	long long hist;		/* --hist: this reason's histogram; -1: none */
	const char *reason_arg, *hist_arg;
	const struct exitstats_isa *isa;
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
const struct exitstats_isa *kes_isa(const struct kes_table *t);
bool kes_is_svm(const struct exitstats_isa *isa);
u32 kes_nr_rows(const struct exitstats_isa *isa);
int kes_row_of(const struct exitstats_isa *isa, u64 reason);
const char *kes_row_name(const struct exitstats_isa *isa, u32 row);
void kes_code_str(char *buf, size_t size, const struct exitstats_isa *isa,
		  u32 reason);
int kes_lookup_reason(const struct exitstats_isa *isa, const char *s,
		      long long *code);
long long kes_opt_code(const struct kes_opts *o, bool hist,
		       const struct exitstats_isa *isa);
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
int kes_guest_detect(const struct kes_env *env,
		     const struct exitstats_isa **isa, char *err);
int kes_guest_probe(const struct kes_env *env, char *err);
int kes_guest_read_isa(const struct kes_env *env,
		       const struct exitstats_isa *isa, long long reason,
		       struct kes_table *t, char *err);
int kes_guest_read(const struct kes_env *env, long long reason,
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
int kes_resolve_reasons(struct kes_opts *o, const struct exitstats_isa *isa,
			char *err);
int kes_parse_options(int argc, char **argv, struct kes_opts *o, char *err);
int kes_main(int argc, char **argv, struct kes_env *env);

#endif /* KES_H */
