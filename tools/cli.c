// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats tool: command line, the two modes (guest: the VM we run
 * in; --host: every VM in debugfs), --watch and the exit statuses.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kes.h"

#ifndef KES_VERSION
#define KES_VERSION	"unknown"
#endif

#define WATCH_MAX	86400.0		/* seconds */
#define ITERATIONS_MAX	1000000000UL
#define PID_MAX		0x7FFFFFFFUL	/* pid_t */
#define TSC_HZ_MAX	1e12
#define CLEAR_SCREEN	"\033[H\033[2J"	/* ANSI: cursor home, erase display */

enum { OPT_DEBUGFS = 256, OPT_VM, OPT_TSC_HZ, OPT_HIST };

static const struct option long_options[] = {
	{ "host",	no_argument,		NULL, 'H' },
	{ "pid",	required_argument,	NULL, 'p' },
	{ "vm",		required_argument,	NULL, OPT_VM },
	{ "debugfs",	required_argument,	NULL, OPT_DEBUGFS },
	{ "sort",	required_argument,	NULL, 's' },
	{ "all",	no_argument,		NULL, 'a' },
	{ "reason",	required_argument,	NULL, 'r' },
	{ "hist",	required_argument,	NULL, OPT_HIST },
	{ "watch",	required_argument,	NULL, 'w' },
	{ "iterations",	required_argument,	NULL, 'n' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "format",	required_argument,	NULL, 'f' },
	{ "tsc-hz",	required_argument,	NULL, OPT_TSC_HZ },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ }
};

static const char *const sort_keys[] = {
	[KES_SORT_COUNT]	= "count",
	[KES_SORT_CYCLES]	= "cycles",
	[KES_SORT_REASON]	= "reason",
	[KES_SORT_AVG]		= "avg",
};

static const char *const formats[] = {
	[KES_FORMAT_TABLE]	= "table",
	[KES_FORMAT_JSON]	= "json",
	[KES_FORMAT_PROM]	= "prometheus",
};

static void print_help(FILE *f)
{
	fputs("Usage: " KES_PROG " [OPTION]...\n"
	      "       " KES_PROG " --host [--pid PID] [--vm NAME] [OPTION]...\n"
	      "       " KES_PROG " [--host] --hist REASON [--tsc-hz HZ]\n"
	      "       " KES_PROG " --host --format prometheus [--tsc-hz HZ]\n"
	      "Show VM exits per exit reason, the cycles KVM spent on them and their\n"
	      "latency percentiles: inside a guest the guest's own VM (CPUID leaves),\n"
	      "with --host every VM (debugfs).\n"
	      "\n"
	      "  -H, --host             read every VM's table from KVM's debugfs\n"
	      "  -p, --pid PID          with --host: only the VMs of process PID\n"
	      "      --vm NAME          with --host: only the VMs named NAME (a shell pattern)\n"
	      "      --debugfs DIR      with --host: KVM's debugfs directory\n"
	      "                         (default $KVM_EXITSTATS_DEBUGFS or /sys/kernel/debug/kvm)\n"
	      "  -s, --sort KEY         count (default), cycles, avg or reason\n"
	      "  -a, --all              also show reasons without exits\n"
	      "  -r, --reason R         only exit reason R (a number, decimal or 0x hex,\n"
	      "                         or its name such as HLT: the SDM's basic exit\n"
	      "                         reasons on Intel, the APM's SVM exit codes on AMD)\n"
	      "      --hist R           the latency histogram of exit reason R\n"
	      "  -w, --watch SECONDS    refresh every SECONDS showing the interval's exits\n"
	      "  -n, --iterations N     with --watch: stop after N refreshes\n"
	      "  -j, --json             one JSON object per table (see the man page)\n"
	      "  -f, --format FORMAT    table (default), json (= --json) or, with --host,\n"
	      "                         prometheus (text exposition format)\n"
	      "      --tsc-hz HZ        with prometheus or --hist: the host's TSC frequency\n"
	      "                         (default: the kernel's, if it tells; see the man page)\n"
	      "  -h, --help             show this help\n"
	      "  -V, --version          show the version\n"
	      "\n"
	      "Exit status: 0 ok, 1 failure (or not a kvm-exitstats KVM), 2 bad usage,\n"
	      "3 no VM found (--host).  See kvm-exitstats(1).\n", f);
}

/* Unsigned decimal, or hex with 0x; no sign, no blanks, at most @max. */
static bool parse_ulong(const char *s, unsigned long max, unsigned long *val)
{
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!(base == 16 ? isxdigit((unsigned char)*s) :
			   isdigit((unsigned char)*s)))
		return false;
	errno = 0;
	*val = strtoul(s, &end, base);
	return !errno && !*end && *val <= max;
}

/* Which reasons an ISA's manual defines, for messages. */
static const char *defined_list(const struct exitstats_isa *isa)
{
	return kes_is_svm(isa) ?
	       "not an exit code the AMD APM defines (0x000-0x0A6, 0x400-0x403, 0xF0000000, 0xFFFFFFFF)" :
	       "not an exit reason the SDM defines (0-81 except 35, 38, 42)";
}

/*
 * An exit reason @isa's manual defines: a number (decimal or 0x hex) or
 * its name (any case).
 */
static int resolve_reason(const char *opt, const char *s,
			  const struct exitstats_isa *isa, long long *reason,
			  char *err)
{
	const struct exitstats_isa *other = kes_is_svm(isa) ?
		&exitstats_isa_vmx : &exitstats_isa_svm;
	long long v;
	int r = kes_lookup_reason(isa, s, reason);

	/* The other ISA's name: not one of ours, like a number. */
	if (r == -1 && !kes_lookup_reason(other, s, &v))
		r = -2;
	if (r == -1)
		snprintf(err, KES_ERRLEN, "invalid --%s '%s': expected a number or an exit reason's name such as HLT",
			 opt, s);
	else if (r)
		snprintf(err, KES_ERRLEN, "invalid --%s '%s': %s", opt, s,
			 defined_list(isa));
	return r ? -1 : 0;
}

/*
 * Before the ISA is known: a reason that the SDM or the APM defines, by
 * number or name; kes_resolve_reasons() decides.
 */
static int check_reason(const char *opt, const char *s, char *err)
{
	long long v;
	int r1 = kes_lookup_reason(&exitstats_isa_vmx, s, &v);
	int r2 = kes_lookup_reason(&exitstats_isa_svm, s, &v);

	if (!r1 || !r2)
		return 0;
	if (r1 == -1 && r2 == -1)
		snprintf(err, KES_ERRLEN, "invalid --%s '%s': expected a number or an exit reason's name such as HLT",
			 opt, s);
	else
		snprintf(err, KES_ERRLEN, "invalid --%s '%s': not an exit reason the SDM (Intel) or the APM (AMD) defines",
			 opt, s);
	return -1;
}

/*
 * --reason and --hist as codes of @isa (o->isa then), the checks that need
 * them; -1 with a message (a usage error) if @isa lacks one.
 */
int kes_resolve_reasons(struct kes_opts *o, const struct exitstats_isa *isa,
			char *err)
{
	o->isa = isa;
	if (o->reason_arg &&
	    resolve_reason("reason", o->reason_arg, isa, &o->reason, err))
		return -1;
	if (o->hist_arg &&
	    resolve_reason("hist", o->hist_arg, isa, &o->hist, err))
		return -1;
	if (o->hist >= 0 && o->reason >= 0 && o->hist != o->reason) {
		snprintf(err, KES_ERRLEN, "--hist and --reason name different reasons");
		return -1;
	}
	return 0;
}

static bool parse_seconds(const char *s, double *val)
{
	char *end;

	if (!isdigit((unsigned char)*s) && *s != '.')
		return false;
	errno = 0;
	*val = strtod(s, &end);
	return !errno && !*end && isfinite(*val) && *val > 0 &&
	       *val <= WATCH_MAX;
}

static bool parse_hz(const char *s, double *val)
{
	char *end;

	if (!isdigit((unsigned char)*s) && *s != '.')
		return false;
	errno = 0;
	*val = strtod(s, &end);
	return !errno && !*end && isfinite(*val) && *val >= 1 &&
	       *val <= TSC_HZ_MAX;
}

/*
 * Fill @o from the command line, --reason and --hist only checked to be
 * some ISA's (resolved by kes_resolve_reasons() once the ISA is known).
 * Returns 0, or -1 with a one-line reason in @err (exit status KES_USAGE).
 */
static int parse_options(int argc, char **argv, struct kes_opts *o,
			 char *err)
{
	unsigned long v;
	size_t i;
	int c;

	*o = (struct kes_opts){ .reason = -1, .hist = -1 };
	optind = 0;	/* glibc: start over, tests parse many times */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":Hp:s:ar:w:n:jf:hV",
				long_options, NULL)) != -1) {
		switch (c) {
		case 'H':
			o->host = true;
			break;
		case 'p':
			if (!parse_ulong(optarg, PID_MAX, &v) || !v) {
				snprintf(err, KES_ERRLEN, "invalid --pid '%s': expected a process id",
					 optarg);
				return -1;
			}
			o->pid = v;
			break;
		case OPT_VM:
			if (!*optarg) {
				snprintf(err, KES_ERRLEN, "invalid --vm '': expected a VM name");
				return -1;
			}
			o->vm = optarg;
			break;
		case OPT_TSC_HZ:
			if (!parse_hz(optarg, &o->tsc_hz)) {
				snprintf(err, KES_ERRLEN, "invalid --tsc-hz '%s': expected Hz, 1 to %g",
					 optarg, TSC_HZ_MAX);
				return -1;
			}
			break;
		case OPT_DEBUGFS:
			if (!*optarg) {
				snprintf(err, KES_ERRLEN, "invalid --debugfs '': expected a directory");
				return -1;
			}
			o->debugfs = optarg;
			break;
		case 's':
			for (i = 0; i < ARRAY_SIZE(sort_keys); i++)
				if (!strcmp(optarg, sort_keys[i]))
					break;
			if (i == ARRAY_SIZE(sort_keys)) {
				snprintf(err, KES_ERRLEN, "invalid --sort '%s': expected count, cycles, avg or reason",
					 optarg);
				return -1;
			}
			o->sort = i;
			break;
		case 'a':
			o->all = true;
			break;
		case 'r':
			if (check_reason("reason", optarg, err))
				return -1;
			o->reason_arg = optarg;
			break;
		case OPT_HIST:
			if (check_reason("hist", optarg, err))
				return -1;
			o->hist_arg = optarg;
			break;
		case 'w':
			if (!parse_seconds(optarg, &o->interval)) {
				snprintf(err, KES_ERRLEN, "invalid --watch '%s': expected seconds, more than 0 and at most %g",
					 optarg, WATCH_MAX);
				return -1;
			}
			break;
		case 'n':
			if (!parse_ulong(optarg, ITERATIONS_MAX, &v) || !v) {
				snprintf(err, KES_ERRLEN, "invalid --iterations '%s': expected 1 to %lu",
					 optarg, ITERATIONS_MAX);
				return -1;
			}
			o->iterations = v;
			break;
		case 'j':
			o->format = KES_FORMAT_JSON;
			break;
		case 'f':
			for (i = 0; i < ARRAY_SIZE(formats); i++)
				if (!strcmp(optarg, formats[i]))
					break;
			if (i == ARRAY_SIZE(formats)) {
				snprintf(err, KES_ERRLEN, "invalid --format '%s': expected table, json or prometheus",
					 optarg);
				return -1;
			}
			o->format = i;
			break;
		case 'h':
			o->help = true;
			break;
		case 'V':
			o->version = true;
			break;
		case ':':
			snprintf(err, KES_ERRLEN, "option '%s' needs a value",
				 argv[optind - 1]);
			return -1;
		default:
			if (optopt)
				snprintf(err, KES_ERRLEN, "unknown option '-%c'", optopt);
			else
				snprintf(err, KES_ERRLEN, "unknown option '%s'",
					 argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, KES_ERRLEN, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	o->json = o->format == KES_FORMAT_JSON;
	if (!o->host && (o->pid || o->vm || o->debugfs)) {
		snprintf(err, KES_ERRLEN, "--%s needs --host",
			 o->pid ? "pid" : o->vm ? "vm" : "debugfs");
		return -1;
	}
	if (o->format == KES_FORMAT_PROM && !o->host) {
		snprintf(err, KES_ERRLEN, "--format prometheus needs --host");
		return -1;
	}
	if (o->format == KES_FORMAT_PROM && o->interval) {
		snprintf(err, KES_ERRLEN, "--format prometheus shows totals: no --watch");
		return -1;
	}
	if (o->hist_arg && o->format != KES_FORMAT_TABLE) {
		snprintf(err, KES_ERRLEN, "--hist is text: no --json or --format (JSON has the buckets)");
		return -1;
	}
	if (o->tsc_hz && o->format != KES_FORMAT_PROM && !o->hist_arg) {
		snprintf(err, KES_ERRLEN, "--tsc-hz needs --format prometheus or --hist");
		return -1;
	}
	if (o->iterations && !o->interval) {
		snprintf(err, KES_ERRLEN, "--iterations needs --watch");
		return -1;
	}
	return 0;
}

/* The command line with --reason and --hist as Intel's (VMX) reasons. */
int kes_parse_options(int argc, char **argv, struct kes_opts *o, char *err)
{
	if (parse_options(argc, argv, o, err))
		return -1;
	return kes_resolve_reasons(o, &exitstats_isa_vmx, err);
}

/* What one reading found: the guest's VM, or every VM in debugfs. */
struct snapshot {
	struct kes_vm *vms;
	size_t nr;
};

/* Keep only the VMs whose name matches --vm. */
static void select_vms(const struct kes_opts *o, struct snapshot *s)
{
	size_t i, kept = 0;

	if (!o->vm)
		return;
	for (i = 0; i < s->nr; i++)
		if (!fnmatch(o->vm, s->vms[i].name, 0))
			s->vms[kept++] = s->vms[i];
	s->nr = kept;
}

static bool has_hist(const struct kes_opts *o)
{
	return o->hist_arg || o->hist >= 0;
}

/*
 * One reading: 0, KES_FAIL or KES_USAGE (--reason or --hist names no
 * reason of a VM's table: each VM's own ISA decides) with a message.
 */
static int take(const struct kes_env *env, const struct kes_opts *o,
		struct snapshot *s, char *err)
{
	struct kes_opts c;
	size_t i;

	if (o->host) {
		if (kes_host_read(env, o->pid, &s->vms, &s->nr, err))
			return KES_FAIL;
		select_vms(o, s);
		for (i = 0; i < s->nr; i++) {
			c = *o;
			if (kes_resolve_reasons(&c, kes_isa(&s->vms[i].t), err))
				return KES_USAGE;
		}
		return 0;
	}
	s->vms = calloc(1, sizeof(*s->vms));
	if (!s->vms) {
		snprintf(err, KES_ERRLEN, "out of memory");
		return KES_FAIL;
	}
	s->nr = 1;
	return kes_guest_read_isa(env, o->isa ? o->isa : &exitstats_isa_vmx,
				  o->hist >= 0 ? o->hist : o->reason,
				  &s->vms[0].t, err) ? KES_FAIL : 0;
}

static void release(struct snapshot *s)
{
	free(s->vms);
	s->vms = NULL;
	s->nr = 0;
}

/* Turn @cur into what happened since @prev, VM by VM (new VMs: all of it). */
static void subtract(struct snapshot *cur, const struct snapshot *prev)
{
	size_t i, j;

	for (i = 0; i < cur->nr; i++)
		for (j = 0; j < prev->nr; j++)
			if (!strcmp(cur->vms[i].dir, prev->vms[j].dir)) {
				kes_table_delta(&cur->vms[i].t, &cur->vms[i].t,
						&prev->vms[j].t);
				break;
			}
}

static void print_json(FILE *f, const struct kes_opts *o,
		       const struct snapshot *s)
{
	size_t i;

	fprintf(f, "{\"mode\":\"%s\",\"interval\":", o->host ? "host" : "guest");
	if (o->interval)
		fprintf(f, "%g", o->interval);
	else
		fputs("null", f);
	fputc(',', f);
	if (!o->host) {
		kes_json_table(f, &s->vms[0].t, o);
	} else {
		fputs("\"vms\":[", f);
		for (i = 0; i < s->nr; i++) {
			fprintf(f, "%s{\"pid\":%ld,\"dir\":", i ? "," : "",
				s->vms[i].pid);
			kes_json_string(f, s->vms[i].dir);
			fputs(",\"name\":", f);
			kes_json_string(f, s->vms[i].name);
			fputc(',', f);
			kes_json_table(f, &s->vms[i].t, o);
			fputc('}', f);
		}
		fputc(']', f);
	}
	fputs("}\n", f);
}

static void print_text(const struct kes_env *env, const struct kes_opts *o,
		       const struct snapshot *s)
{
	FILE *f = env->out;
	size_t i;

	if (o->interval) {
		/* Refresh in place on a terminal; a log gets one block each. */
		fputs(env->tty ? CLEAR_SCREEN : "\n", f);
		fprintf(f, "Exits in the last %g s\n\n", o->interval);
	}
	if (!o->host) {
		if (has_hist(o))
			kes_print_hist(f, &s->vms[0].t,
				       kes_opt_code(o, true, kes_isa(&s->vms[0].t)),
				       o->tsc_hz);
		else
			kes_print_table(f, &s->vms[0].t, o);
		return;
	}
	if (!s->nr)
		fputs("No VMs.\n", f);
	for (i = 0; i < s->nr; i++) {
		fprintf(f, "%sVM %s  pid %ld  name %s\n", i ? "\n" : "",
			s->vms[i].dir, s->vms[i].pid,
			s->vms[i].name[0] ? s->vms[i].name : "-");
		if (has_hist(o))
			kes_print_hist(f, &s->vms[i].t,
				       kes_opt_code(o, true, kes_isa(&s->vms[i].t)),
				       o->tsc_hz);
		else
			kes_print_table(f, &s->vms[i].t, o);
	}
}

static int show(const struct kes_env *env, const struct kes_opts *o,
		const struct snapshot *s)
{
	if (o->json)
		print_json(env->out, o, s);
	else
		print_text(env, o, s);
	if (fflush(env->out) || ferror(env->out)) {
		fprintf(env->err, "%s: write error: %s\n", KES_PROG,
			strerror(errno));
		return KES_FAIL;
	}
	return KES_OK;
}

static int no_vm(const struct kes_env *env, const struct kes_opts *o)
{
	if (o->pid && o->vm)
		fprintf(env->err, "%s: no VM of process %ld named %s in %s\n",
			KES_PROG, o->pid, o->vm, env->debugfs);
	else if (o->vm)
		fprintf(env->err, "%s: no VM named %s in %s\n", KES_PROG,
			o->vm, env->debugfs);
	else if (o->pid)
		fprintf(env->err, "%s: no VM of process %ld in %s\n", KES_PROG,
			o->pid, env->debugfs);
	else
		fprintf(env->err, "%s: no VMs in %s\n", KES_PROG, env->debugfs);
	return KES_NO_VM;
}

/* Show what happened between two readings; both stay as they are. */
static int show_delta(const struct kes_env *env, const struct kes_opts *o,
		      const struct snapshot *cur, const struct snapshot *prev)
{
	struct snapshot d = { .nr = cur->nr };
	int ret;

	d.vms = malloc(cur->nr * sizeof(*cur->vms) + 1);
	if (!d.vms) {
		fprintf(env->err, "%s: out of memory\n", KES_PROG);
		return KES_FAIL;
	}
	memcpy(d.vms, cur->vms, cur->nr * sizeof(*cur->vms));
	subtract(&d, prev);
	ret = show(env, o, &d);
	release(&d);
	return ret;
}

/* A failed reading's message; a usage error's with the hint. */
static void report(const struct kes_env *env, int status, const char *err)
{
	fprintf(env->err, "%s: %s%s\n", KES_PROG, err,
		status == KES_USAGE ? " (try --help)" : "");
}

static int watch(const struct kes_env *env, const struct kes_opts *o)
{
	struct snapshot prev = { 0 }, cur = { 0 };
	char err[KES_ERRLEN];
	unsigned long i;
	int ret = KES_OK;

	ret = take(env, o, &prev, err);
	if (ret)
		goto fail;
	for (i = 0; !o->iterations || i < o->iterations; i++) {
		if (env->sleep(env->sleep_ctx, o->interval))
			break;	/* interrupted: the usual way to stop */
		ret = take(env, o, &cur, err);
		if (ret)
			goto fail;
		ret = show_delta(env, o, &cur, &prev);
		release(&prev);
		prev = cur;
		cur = (struct snapshot){ 0 };
		if (ret)
			break;
	}
	release(&prev);
	return ret;
fail:
	report(env, ret, err);
	release(&prev);
	release(&cur);
	return ret;
}

/*
 * --format prometheus: always a valid exposition, kvm_exitstats_up 0 (and
 * the reason on stderr) when debugfs cannot be read; no VM is no error.
 */
static int prometheus(const struct kes_env *env, const struct kes_opts *o)
{
	struct snapshot s = { 0 };
	char err[KES_ERRLEN];
	double hz = o->tsc_hz;
	int ret;
	bool up;

	ret = take(env, o, &s, err);
	if (ret == KES_USAGE) {
		report(env, ret, err);
		release(&s);
		return ret;
	}
	up = !ret;
	if (!up)
		report(env, ret, err);
	if (!hz && env->tsc_hz)
		hz = env->tsc_hz();
	kes_print_prom(env->out, s.vms, s.nr, up, hz, o);
	release(&s);
	if (fflush(env->out) || ferror(env->out)) {
		fprintf(env->err, "%s: write error: %s\n", KES_PROG,
			strerror(errno));
		return KES_FAIL;
	}
	return KES_OK;
}

static int once(const struct kes_env *env, const struct kes_opts *o)
{
	struct snapshot s = { 0 };
	char err[KES_ERRLEN];
	int ret;

	ret = take(env, o, &s, err);
	if (ret) {
		report(env, ret, err);
		release(&s);
		return ret;
	}
	ret = o->host && !s.nr ? no_vm(env, o) : show(env, o, &s);
	release(&s);
	return ret;
}

int kes_main(int argc, char **argv, struct kes_env *env_in)
{
	struct kes_env env = *env_in;
	const struct exitstats_isa *isa;
	char err[KES_ERRLEN];
	struct kes_opts o;

	if (parse_options(argc, argv, &o, err)) {
		fprintf(env.err, "%s: %s (try --help)\n", KES_PROG, err);
		return KES_USAGE;
	}
	if (o.help) {
		print_help(env.out);
		return KES_OK;
	}
	if (o.version) {
		fprintf(env.out, "%s %s\n", KES_PROG, KES_VERSION);
		return KES_OK;
	}
	if (o.debugfs)
		env.debugfs = o.debugfs;
	/* The guest's ISA is its KVM's; each VM on the host has its own. */
	if (!o.host && kes_guest_detect(&env, &isa, err)) {
		fprintf(env.err, "%s: %s\n", KES_PROG, err);
		return KES_FAIL;
	}
	if (!o.host && kes_resolve_reasons(&o, isa, err)) {
		report(&env, KES_USAGE, err);
		return KES_USAGE;
	}
	if (o.format == KES_FORMAT_PROM)
		return prometheus(&env, &o);
	/* --hist shows microseconds when the TSC frequency is known. */
	if (has_hist(&o) && !o.tsc_hz && env.tsc_hz)
		o.tsc_hz = env.tsc_hz();
	return o.interval ? watch(&env, &o) : once(&env, &o);
}
