// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the kvm-exitstats tool (tools/): options, the debugfs
 * parser, the table math, sorting, JSON, the Prometheus text format,
 * --vm, --watch deltas, the not-our-KVM
 * detection and the exit statuses of whole runs; on Intel and on AMD (a
 * fake AMD guest answering with the SVM table, an AMD VM's debugfs).  The guest side talks to a
 * fake KVM that answers with the kernel side's own exitstats_answer() and
 * counts every query as a CPUID exit; the host side reads a fake debugfs
 * tree in a temporary directory.  Expected values are computed here from
 * the inputs.
 */
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "exitstats/exitstats.c"
#include "table.c"
#include "guest.c"
#include "host.c"
#include "prom.c"
#include "cli.c"

#define CPUID_REASON	10	/* SDM: CPUID */
#define HLT_REASON	12
#define RDTSC_REASON	16

static char tmp[32];			/* from "/tmp/kes-test-XXXXXX" */
static char kvm_dir[PATH_MAX], proc_dir[PATH_MAX];	/* fake debugfs, procfs */
static char sys_dir[PATH_MAX];		/* fake sysfs: our kvm.ko loaded */

/* ---- helpers ----------------------------------------------------------- */

static bool contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle);
}

static bool starts(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

/* A text table row with these figures in the block starting at @s. */
static bool has_row(const char *s, u32 reason, u64 count, u64 cycles,
		    u64 avg)
{
	unsigned long long c, y, a;
	unsigned int r;
	char name[64];

	for (; s && *s && !starts(s, "\n"); s = strchr(s, '\n'), s = s ? s + 1 : s)
		if (sscanf(s, "%u %63s %llu %llu %llu", &r, name, &c, &y,
			   &a) == 5 && r == reason &&
		    !strcmp(name, exitstats_reason_name(r)) && c == count &&
		    y == cycles && a == avg)
			return true;
	return false;
}

/* The line after the first one, or "" if there is none. */
static const char *line2(const char *s)
{
	const char *nl = s ? strchr(s, '\n') : NULL;

	return nl ? nl + 1 : "";
}

static int nr_defined(void)
{
	int n = 0;
	u32 r;

	for (r = 0; r < EXITSTATS_NR_REASONS; r++)
		n += !!exitstats_reason_name(r);
	return n;
}

/* Position of @reason among the SDM-defined reasons, ascending. */
static int defined_pos(u32 reason)
{
	int n = 0;
	u32 r;

	for (r = 0; r < reason; r++)
		n += !!exitstats_reason_name(r);
	return n;
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		printf("# cannot write %s\n", path);
}

static void put_bytes(const char *path, const char *bytes, size_t len)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(bytes, 1, len, f) != len || fclose(f))
		printf("# cannot write %s\n", path);
}

static char *path_of(const char *fmt, const char *a)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/", tmp);
	snprintf(buf[i] + strlen(buf[i]), sizeof(buf[i]) - strlen(buf[i]),
		 fmt, a);
	return buf[i];
}

/* A debugfs table as the kernel prints it, from @count/@cycles. */
static char *table_text(const u64 *count, const u64 *cycles)
{
	static char buf[8192];
	size_t n = 0;
	u32 r;

	buf[0] = '\0';
	for (r = 0; r < EXITSTATS_NR_REASONS; r++)
		if (exitstats_reason_name(r))
			n += snprintf(buf + n, sizeof(buf) - n,
				      "%u %s %" PRIu64 " %" PRIu64 "\n", r,
				      exitstats_reason_name(r), count[r],
				      cycles[r]);
	return buf;
}

/*
 * An exitstats_hist file as the kernel prints it: every SDM reason with
 * no exits but @reason, which has @max and @hist; then other and total.
 */
static char *hist_text(u32 reason, u64 max, const u64 *hist)
{
	static char buf[16384];
	size_t n = 0;
	u32 r;
	int b, i;

	for (r = 0; r <= EXITSTATS_NR_REASONS + 1; r++) {
		if (r < EXITSTATS_NR_REASONS && !exitstats_reason_name(r))
			continue;
		if (r < EXITSTATS_NR_REASONS)
			n += snprintf(buf + n, sizeof(buf) - n, "%u %s", r,
				      exitstats_reason_name(r));
		else
			n += snprintf(buf + n, sizeof(buf) - n, "%s",
				      r == EXITSTATS_NR_REASONS ? "other" : "total");
		i = r == reason || r == EXITSTATS_NR_REASONS + 1;
		n += snprintf(buf + n, sizeof(buf) - n, " %" PRIu64,
			      i ? max : 0);
		for (b = 0; b < EXITSTATS_NR_BUCKETS; b++)
			n += snprintf(buf + n, sizeof(buf) - n, " %" PRIu64,
				      i ? hist[b] : 0);
		n += snprintf(buf + n, sizeof(buf) - n, "\n");
	}
	return buf;
}

/* ---- a minimal JSON checker (RFC 8259 grammar, no semantics) ----------- */

static const char *js_value(const char *p, int depth);

static const char *js_ws(const char *p)
{
	while (p && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const char *js_string(const char *p)
{
	int i;

	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if (!*p || (unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\')
			continue;
		p++;
		if (*p == 'u') {
			for (i = 1; i <= 4; i++)
				if (!isxdigit((unsigned char)p[i]))
					return NULL;
			p += 4;
		} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
			return NULL;
		}
	}
	return p + 1;
}

static const char *js_digits(const char *p)
{
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	return p;
}

static const char *js_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else
		p = js_digits(p);
	if (p && *p == '.')
		p = js_digits(p + 1);
	if (p && (*p == 'e' || *p == 'E')) {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		p = js_digits(p);
	}
	return p;
}

static const char *js_list(const char *p, char close, bool members,
			   int depth)
{
	p = js_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (members) {
			p = js_string(js_ws(p));
			p = js_ws(p);
			if (!p || *p++ != ':')
				return NULL;
		}
		p = js_ws(js_value(p, depth + 1));
		if (!p)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *js_value(const char *p, int depth)
{
	p = js_ws(p);
	if (!p || depth > 32)
		return NULL;
	switch (*p) {
	case '{':
		return js_list(p, '}', true, depth);
	case '[':
		return js_list(p, ']', false, depth);
	case '"':
		return js_string(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		return js_number(p);
	}
}

/* One JSON text per line, each valid, and at least one. */
static bool json_lines_valid(const char *s)
{
	char line[65536];
	const char *nl, *end;
	int n = 0;

	while (*s) {
		nl = strchr(s, '\n');
		if (!nl || (size_t)(nl - s) >= sizeof(line))
			return false;
		memcpy(line, s, nl - s);
		line[nl - s] = '\0';
		end = js_ws(js_value(line, 0));
		if (!end || *end)
			return false;
		n++;
		s = nl + 1;
	}
	return n > 0;
}

static bool have_python;

/* The same check by Python's json module, line by line, if there is one. */
static void python_json_check(const char *text, const char *what)
{
	char file[PATH_MAX], cmd[PATH_MAX + 128];

	if (!have_python) {
		ok(1, "python3 agrees %s is JSON # SKIP no python3", what);
		return;
	}
	snprintf(file, sizeof(file), "%s/json.txt", tmp);
	put_file(file, text);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys\n[json.loads(l) for l in open(sys.argv[1], encoding=\"utf-8\")]' %s",
		 file);
	ok(system(cmd) == 0, "python3 agrees %s is JSON", what);
}

/* ---- a fake KVM for the guest side ------------------------------------- */

struct fake_kvm {
	u64 count[EXITSTATS_NR_REASONS];
	u64 cycles[EXITSTATS_NR_REASONS];
	u64 hist[EXITSTATS_NR_REASONS][EXITSTATS_NR_BUCKETS];
	u64 other_count, other_cycles;	/* reasons beyond the table */
	u64 cpuid_cost;			/* cycles per CPUID exit */
	u8 handled[EXITSTATS_NR_SLOTS];	/* by slot: reason + 1 */
	unsigned int queries;
};

static void fake_gather(void *ctx, int slot, struct exitstats_figures *f)
{
	struct fake_kvm *k = ctx;
	u32 r;
	int b;

	if (slot != EXITSTATS_ALL) {
		f->count += k->count[slot - 1];
		f->cycles += k->cycles[slot - 1];
		for (b = 0; b < EXITSTATS_NR_BUCKETS; b++)
			f->hist[b] += k->hist[slot - 1][b];
		return;
	}
	for (r = 0; r < EXITSTATS_NR_REASONS; r++) {
		f->count += k->count[r];
		f->cycles += k->cycles[r];
		for (b = 0; b < EXITSTATS_NR_BUCKETS; b++)
			f->hist[b] += k->hist[r][b];
	}
	f->count += k->other_count;
	f->cycles += k->other_cycles;
}

/*
 * Our KVM: the query is a CPUID exit, counted before the answer; when it
 * ends, its cycles (cpuid_cost) go to the cycles and to their bucket.
 */
static void fake_ours(void *ctx, u32 leaf, u32 subleaf,
		      struct kes_cpuid_regs *r)
{
	struct fake_kvm *k = ctx;

	k->queries++;
	k->count[CPUID_REASON]++;
	r->eax = leaf;
	r->ecx = subleaf;
	if (!exitstats_answer(&exitstats_isa_vmx, leaf, &r->eax, &r->ebx,
			      &r->ecx, &r->edx, k->handled, fake_gather, k))
		*r = (struct kes_cpuid_regs){ 0 };
	k->cycles[CPUID_REASON] += k->cpuid_cost;
	k->hist[CPUID_REASON][exitstats_bucket(k->cpuid_cost)]++;
}

static void fake_init(struct fake_kvm *k)
{
	*k = (struct fake_kvm){ .cpuid_cost = 1000 };
	memset(k->handled, 1, sizeof(k->handled));
}

/* Stock KVM on Intel: out-of-range leaves get the highest basic leaf. */
static void fake_stock_basic(void *ctx, u32 leaf, u32 subleaf,
			     struct kes_cpuid_regs *r)
{
	(void)ctx; (void)leaf; (void)subleaf;
	*r = (struct kes_cpuid_regs){ 0x00000bb8, 0x00001194, 0x00000064, 0 };
}

static void fake_zeros(void *ctx, u32 leaf, u32 subleaf,
		       struct kes_cpuid_regs *r)
{
	(void)ctx; (void)leaf; (void)subleaf;
	*r = (struct kes_cpuid_regs){ 0 };
}

/* Says "undefined" to everything: passes the probe, fails the totals. */
static void fake_all_undefined(void *ctx, u32 leaf, u32 subleaf,
			       struct kes_cpuid_regs *r)
{
	(void)ctx; (void)leaf; (void)subleaf;
	*r = (struct kes_cpuid_regs){ 0, 0, 0, 0xFFFFFFFF };
}

/* Right for reason 35 only: the second probe must catch it. */
static void fake_half(void *ctx, u32 leaf, u32 subleaf,
		      struct kes_cpuid_regs *r)
{
	(void)ctx;
	if (leaf == EXITSTATS_LEAF_REASON_EXITS && subleaf == 35)
		*r = (struct kes_cpuid_regs){ 0, 0, 0, 0xFFFFFFFF };
	else
		*r = (struct kes_cpuid_regs){ 0 };
}

/* Probes right, then an exit leaf with EDX set: a malformed answer. */
static void fake_bad_shape(void *ctx, u32 leaf, u32 subleaf,
			   struct kes_cpuid_regs *r)
{
	(void)ctx;
	if (subleaf == 35 || subleaf == 0xFFFFFFFF)
		*r = (struct kes_cpuid_regs){ 0, 0, 0, 0xFFFFFFFF };
	else
		*r = (struct kes_cpuid_regs){ 1, 0, 0, leaf == EXITSTATS_LEAF_REASON_EXITS };
}

/* ---- running the whole program ----------------------------------------- */

struct fake_sleep {
	unsigned int calls;
	unsigned int interrupt_at;	/* this call returns "interrupted" */
	void (*step)(unsigned int call, void *arg);
	void *arg;
};

static int fake_sleep(void *ctx, double seconds)
{
	struct fake_sleep *s = ctx;

	(void)seconds;
	s->calls++;
	if (s->interrupt_at && s->calls == s->interrupt_at)
		return 1;
	if (s->step)
		s->step(s->calls, s->arg);
	return 0;
}

static char *out_buf, *err_buf;
static size_t out_len, err_len;

static int run(struct kes_env *env, char **argv)
{
	int argc = 0, ret;

	while (argv[argc])
		argc++;
	free(out_buf);
	free(err_buf);
	env->out = open_memstream(&out_buf, &out_len);
	env->err = open_memstream(&err_buf, &err_len);
	ret = kes_main(argc, argv, env);
	fclose(env->out);
	fclose(env->err);
	return ret;
}

#define RUN(env, ...) run(env, (char *[]){ "kvm-exitstats", __VA_ARGS__, NULL })

/* A single line on stderr, prefixed with the program's name. */
static bool one_error_line(const char *what)
{
	return !strncmp(err_buf, KES_PROG ": ", strlen(KES_PROG ": ")) &&
	       strchr(err_buf, '\n') == err_buf + err_len - 1 &&
	       contains(err_buf, what);
}

static struct kes_env guest_env(struct fake_kvm *k, struct fake_sleep *s)
{
	return (struct kes_env){
		.cpuid = fake_ours, .cpuid_ctx = k,
		.debugfs = "/nonexistent", .proc = "/nonexistent",
		.sleep = fake_sleep, .sleep_ctx = s,
	};
}

static struct kes_env host_env(struct fake_sleep *s)
{
	return (struct kes_env){
		.cpuid = fake_zeros,
		.debugfs = kvm_dir, .proc = proc_dir, .sysfs = sys_dir,
		.sleep = fake_sleep, .sleep_ctx = s,
	};
}

/* ---- options ------------------------------------------------------------ */

#define PARSE(o, err, ...)						\
	kes_parse_options(sizeof((char *[]){ "kvm-exitstats", __VA_ARGS__ }) / \
			  sizeof(char *),				\
			  (char *[]){ "kvm-exitstats", __VA_ARGS__, NULL }, o, err)

static void test_options_good(void)
{
	char err[KES_ERRLEN];
	struct kes_opts o;

	ok(!kes_parse_options(1, (char *[]){ "kvm-exitstats", NULL }, &o, err) &&
	   !o.host && !o.all && !o.json && o.sort == KES_SORT_COUNT &&
	   o.reason == -1 && !o.pid && !o.interval && !o.iterations &&
	   !o.debugfs, "no options: guest mode, sorted by count, one reading");
	ok(!PARSE(&o, err, "--host", "--pid", "4242", "--sort", "cycles",
		  "--all", "--json", "--debugfs", "/x") &&
	   o.host && o.pid == 4242 && o.sort == KES_SORT_CYCLES && o.all &&
	   o.json && !strcmp(o.debugfs, "/x"), "long options");
	ok(!PARSE(&o, err, "-H", "-p", "0x10", "-s", "avg", "-a", "-j") &&
	   o.host && o.pid == 16 && o.sort == KES_SORT_AVG && o.all && o.json,
	   "short options, hex pid");
	ok(!PARSE(&o, err, "--sort", "reason") && o.sort == KES_SORT_REASON,
	   "--sort reason");
	ok(!PARSE(&o, err, "--reason", "0") && o.reason == 0, "--reason 0");
	ok(!PARSE(&o, err, "-r", "0x51") && o.reason == 81,
	   "--reason 0x51 is the last SDM reason, 81");
	ok(!PARSE(&o, err, "--reason", "10") && o.reason == CPUID_REASON,
	   "--reason 10");
	ok(!PARSE(&o, err, "--watch", "0.5", "-n", "3") && o.interval == 0.5 &&
	   o.iterations == 3, "--watch 0.5 --iterations 3");
	ok(!PARSE(&o, err, "-w", "86400") && o.interval == 86400,
	   "--watch at its maximum");
	ok(!PARSE(&o, err, "--host", "--vm", "web*") && !strcmp(o.vm, "web*"),
	   "--vm");
	ok(!PARSE(&o, err, "--format", "json") && o.json &&
	   o.format == KES_FORMAT_JSON, "--format json is --json");
	ok(!PARSE(&o, err, "-f", "table") && !o.json &&
	   o.format == KES_FORMAT_TABLE, "--format table");
	ok(!PARSE(&o, err, "-H", "--format", "prometheus", "--tsc-hz", "2.5e9") &&
	   o.format == KES_FORMAT_PROM && o.tsc_hz == 2.5e9 && !o.json,
	   "--format prometheus --tsc-hz 2.5e9");
	ok(!PARSE(&o, err, "-h") && o.help, "--help");
	ok(!PARSE(&o, err, "--version") && o.version, "--version");
}

static void test_options_bad(void)
{
	static const struct {
		const char *argv[4];
		const char *msg;
	} bad[] = {
		{ { "--bogus" }, "unknown option '--bogus'" },
		{ { "-x" }, "unknown option '-x'" },
		{ { "--host", "--pid" }, "option '--pid' needs a value" },
		{ { "--reason" }, "needs a value" },
		{ { "--host", "--pid", "abc" }, "invalid --pid 'abc'" },
		{ { "--host", "--pid", "-5" }, "invalid --pid '-5'" },
		{ { "--host", "--pid", "0" }, "invalid --pid '0'" },
		{ { "--host", "--pid", "12x" }, "invalid --pid '12x'" },
		{ { "--host", "--pid", " 12" }, "invalid --pid ' 12'" },
		{ { "--host", "--pid", "2147483648" }, "invalid --pid" },
		{ { "--host", "--pid", "99999999999999999999999" }, "invalid --pid" },
		{ { "--reason", "35" }, "not an exit reason the SDM defines" },
		{ { "--reason", "38" }, "not an exit reason the SDM defines" },
		{ { "--reason", "42" }, "not an exit reason the SDM defines" },
		{ { "--reason", "82" }, "not an exit reason the SDM defines" },
		{ { "--reason", "4294967296" }, "not an exit reason" },
		{ { "--reason", "-1" }, "invalid --reason '-1': expected a number" },
		{ { "--reason", "" }, "invalid --reason ''" },
		{ { "--reason", "0x" }, "invalid --reason '0x'" },
		{ { "--reason", "ten" }, "invalid --reason 'ten'" },
		{ { "--sort", "size" }, "invalid --sort 'size'" },
		{ { "--sort", "" }, "invalid --sort ''" },
		{ { "--watch", "0" }, "invalid --watch '0'" },
		{ { "--watch", "-1" }, "invalid --watch '-1'" },
		{ { "--watch", "abc" }, "invalid --watch 'abc'" },
		{ { "--watch", "nan" }, "invalid --watch 'nan'" },
		{ { "--watch", "inf" }, "invalid --watch 'inf'" },
		{ { "--watch", "1e9" }, "invalid --watch '1e9'" },
		{ { "--watch", "1s" }, "invalid --watch '1s'" },
		{ { "--watch", "1", "-n", "0" }, "invalid --iterations '0'" },
		{ { "--watch", "1", "-n", "x" }, "invalid --iterations 'x'" },
		{ { "--iterations", "2" }, "--iterations needs --watch" },
		{ { "--pid", "5" }, "--pid needs --host" },
		{ { "--debugfs", "/tmp" }, "--debugfs needs --host" },
		{ { "--host", "--debugfs", "" }, "invalid --debugfs ''" },
		{ { "extra" }, "unexpected argument 'extra'" },
		{ { "--vm", "x" }, "--vm needs --host" },
		{ { "--host", "--vm", "" }, "invalid --vm ''" },
		{ { "--format", "xml" }, "invalid --format 'xml'" },
		{ { "--format", "prometheus" }, "--format prometheus needs --host" },
		{ { "-H", "-f", "prometheus", "-w1" }, "no --watch" },
		{ { "-H", "--tsc-hz", "1000" }, "--tsc-hz needs --format prometheus" },
		{ { "-H", "--tsc-hz", "0" }, "invalid --tsc-hz '0'" },
		{ { "-H", "--tsc-hz", "1e13" }, "invalid --tsc-hz '1e13'" },
		{ { "-H", "--tsc-hz", "-5" }, "invalid --tsc-hz '-5'" },
	};
	char *argv[6], err[KES_ERRLEN];
	struct kes_opts o;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		argv[0] = "kvm-exitstats";
		for (n = 0; n < 4 && bad[i].argv[n]; n++)
			argv[n + 1] = (char *)bad[i].argv[n];
		argv[n + 1] = NULL;
		err[0] = '\0';
		if (!ok(kes_parse_options(n + 1, argv, &o, err) == -1 &&
			contains(err, bad[i].msg) && !strchr(err, '\n'),
			"rejected: %s %s %s", bad[i].argv[0],
			bad[i].argv[1] ? bad[i].argv[1] : "",
			bad[i].argv[2] ? bad[i].argv[2] : ""))
			printf("#   expected \"%s\"\n#   got      \"%s\"\n",
			       bad[i].msg, err);
	}
}

/* ---- debugfs tables ----------------------------------------------------- */

static void test_parse_good(void)
{
	u64 count[EXITSTATS_NR_REASONS] = { 0 }, cycles[EXITSTATS_NR_REASONS] = { 0 };
	u64 sum_count = 0, sum_cycles = 0;
	char err[KES_ERRLEN], buf[8400];
	struct kes_table t;
	bool same = true;
	u32 r;

	for (r = 0; r < EXITSTATS_NR_REASONS; r++) {
		if (!exitstats_reason_name(r))
			continue;
		count[r] = r * 1000003ULL + 7;
		cycles[r] = count[r] * (r + 300);
	}
	count[HLT_REASON] = 0x123456789ULL;		/* needs the high half */
	cycles[HLT_REASON] = 0xFFFFFFFF00000001ULL;
	cycles[81] = 0;
	for (r = 0; r < EXITSTATS_NR_REASONS; r++) {
		sum_count += count[r];
		sum_cycles += cycles[r];
	}

	ok(!kes_parse_table(table_text(count, cycles),
			    strlen(table_text(count, cycles)), &t, "f", err),
	   "a whole table parses");
	for (r = 0; r < EXITSTATS_NR_REASONS; r++)
		same &= t.count[r] == count[r] && t.cycles[r] == cycles[r];
	ok(same, "every reason's count and cycles as written");
	is_u64(t.count[HLT_REASON], 0x123456789ULL, "64-bit count");
	is_u64(t.cycles[HLT_REASON], 0xFFFFFFFF00000001ULL, "64-bit cycles");
	is_u64(t.total_count, sum_count, "total exits = sum of the rows");
	is_u64(t.total_cycles, sum_cycles, "total cycles = sum of the rows");

	snprintf(buf, sizeof(buf), "%s82 FUTURE_REASON 5 6\n",
		 table_text(count, cycles));
	ok(!kes_parse_table(buf, strlen(buf), &t, "f", err) &&
	   t.total_count == sum_count,
	   "a reason beyond our table (newer kernel) is skipped");

	snprintf(buf, sizeof(buf), "%sother 7 70\ntotal %" PRIu64 " %" PRIu64 "\n",
		 table_text(count, cycles), sum_count + 9, sum_cycles + 90);
	ok(!kes_parse_table(buf, strlen(buf), &t, "f", err) &&
	   t.other_count == 7 && t.other_cycles == 70 &&
	   t.total_count == sum_count + 9 && t.total_cycles == sum_cycles + 90,
	   "other and total lines: the totals are the total line's");
	snprintf(buf, sizeof(buf), "%sother 7 70\n", table_text(count, cycles));
	ok(!kes_parse_table(buf, strlen(buf), &t, "f", err) &&
	   t.total_count == sum_count + 7 && t.total_cycles == sum_cycles + 70,
	   "other without total: the totals include other");

	ok(!kes_parse_table("", 0, &t, "f", err) && !t.total_count &&
	   !t.total_cycles, "an empty table is all zeros");
	ok(!kes_parse_table("10 CPUID 18446744073709551615 1\n", 32, &t, "f",
			    err) && t.count[CPUID_REASON] == UINT64_MAX,
	   "the largest u64");
}

static void test_parse_bad(void)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "10 CPUID 1 2", "f:1: truncated line" },
		{ "10 CPUID 1 2\n12 HLT 3", "f:2: truncated line" },
		{ "10 CPUID 1 2\n12 HL", "f:2: truncated line" },
		{ "\n", "f:1: malformed line" },
		{ "10 CPUID 1 2\x20\n", "f:1: malformed line" },
		{ "10  CPUID 1 2\n", "f:1: malformed line" },
		{ " 10 CPUID 1 2\n", "f:1: malformed line" },
		{ "10 CPUID 1\n", "f:1: malformed line" },
		{ "10 CPUID 1 2 3\n", "f:1: malformed line" },
		{ "10 CPUID -1 2\n", "f:1: malformed line" },
		{ "10 CPUID 0x1 2\n", "f:1: malformed line" },
		{ "10 CPUID 1 2x\n", "f:1: malformed line" },
		{ "10 CPUID 18446744073709551616 0\n", "f:1: malformed line" },
		{ "x CPUID 1 2\n", "f:1: malformed line" },
		{ "10\tCPUID 1 2\n", "f:1: malformed line" },
		{ "10 CPUID 1 2\r\n", "f:1: malformed line" },
		{ "garbage\n", "f:1: malformed line" },
		{ "10 CPUID 1 2\n12 HLT 3 4\n12 HLT 5 6\n",
		  "f:3: reason 12 listed twice" },
		{ "10 HLT 1 2\n", "f:1: reason 10 is HLT, expected CPUID" },
		{ "35 FOO 1 2\n", "f:1: reason 35 is FOO, expected undefined" },
		{ "10 CPUIDCPUIDCPUIDCPUIDCPUIDCPUIDCPUID 1 2\n",
		  "f:1: malformed line" },
		{ "total 1\n", "f:1: malformed line" },
		{ "total 1 2 3\n", "f:1: malformed line" },
		{ "other x 2\n", "f:1: malformed line" },
		{ "total 1 2\ntotal 1 2\n", "f:2: total listed twice" },
		{ "other 1 2\n10 CPUID 1 2\nother 1 2\n",
		  "f:3: other listed twice" },
		{ "totals 1 2\n", "f:1: malformed line" },
	};
	char err[KES_ERRLEN];
	struct kes_table t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		if (!ok(kes_parse_table(bad[i].text, strlen(bad[i].text), &t,
					"f", err) == -1 &&
			contains(err, bad[i].msg),
			"rejected table #%zu (%s)", i, bad[i].msg))
			printf("#   got \"%s\"\n", err);
	}
}

static void test_qemu_name(void)
{
	static const struct {
		const char *cmdline;	/* arguments separated by '|' */
		const char *name;	/* NULL: none */
	} cases[] = {
		{ "qemu|-name|web1|-m|1G", "web1" },
		{ "qemu|--name|web2", "web2" },
		{ "qemu|-name|guest=db,debug-threads=on", "db" },
		{ "qemu|-name|process=qemu-x,guest=mail", "mail" },
		{ "qemu|-name|first,process=p", "first" },
		{ "qemu|-name|a,,b,process=p", "a,b" },
		{ "qemu|-name|process=p", NULL },
		{ "qemu|-m|1G", NULL },
		{ "qemu|-name", NULL },
	};
	char buf[256], name[KES_NAMELEN];
	size_t i, len;
	bool found;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		len = strlen(cases[i].cmdline) + 1;
		memcpy(buf, cases[i].cmdline, len);
		for (char *p = buf; *p; p++)
			if (*p == '|')
				*p = '\0';
		snprintf(name, sizeof(name), "(not found)");
		found = kes_qemu_name(buf, len, name, sizeof(name));
		if (cases[i].name)
			is_str(name, cases[i].name,
			       "QEMU name from %s", cases[i].cmdline);
		else
			ok(!found, "no QEMU name in %s", cases[i].cmdline);
	}
	len = strlen("qemu|-name|x") + 1;
	memcpy(buf, "qemu\0-name\0x", len - 1);	/* no final NUL */
	ok(!kes_qemu_name(buf, len - 1, name, sizeof(name)),
	   "an unterminated last argument is not used");
	memcpy(buf, "q\0-name\0a\tb\0", 12);
	ok(kes_qemu_name(buf, 12, name, sizeof(name)) && !strcmp(name, "a?b"),
	   "control characters in a name become '?'");
	/* C1 controls: raw 0x80-0x9F (CSI is 0x9B) and U+0080-U+009F. */
	memcpy(buf, "q\0-name\0a\x9b[Jb\xc2\x9bx\x85\x80\xc2\0", 20);
	ok(kes_qemu_name(buf, 20, name, sizeof(name)) &&
	   !strcmp(name, "a?[Jb?x???"),
	   "C1 control bytes and characters in a name become '?'");
	memcpy(buf, "q\0-name\0\xc3\xa9\xe2\x82\xac\xc2\xa0\xf0\x9f\x98\x80\0",
	       20);
	ok(kes_qemu_name(buf, 20, name, sizeof(name)) &&
	   !strcmp(name, "\xc3\xa9\xe2\x82\xac\xc2\xa0\xf0\x9f\x98\x80"),
	   "well-formed UTF-8 stays, continuation bytes 0x80-0x9F too");
}

/* ---- table math and sorting --------------------------------------------- */

static void test_math(void)
{
	struct kes_opts o = { .reason = -1, .all = true };
	struct kes_row rows[EXITSTATS_NR_REASONS], total;
	struct kes_table t = { 0 };
	bool zero = true;
	size_t n, i;

	is_u64(kes_avg(10, 3), 3, "average rounds down");
	is_u64(kes_avg(5, 0), 0, "average of no exits is 0");
	is_u64(kes_avg(UINT64_MAX, 1), UINT64_MAX, "average of one exit");
	ok(fabs(kes_pct(1, 3) - 100.0 / 3) < 1e-9, "share 1 of 3");
	ok(kes_pct(7, 0) == 0.0, "share of a zero total is 0, not NaN");
	ok(kes_pct(UINT64_MAX, UINT64_MAX) == 100.0, "share of 64-bit values");

	n = kes_rows(&t, &o, rows);
	kes_total_row(&t, &total);
	for (i = 0; i < n; i++)
		zero &= !rows[i].count && !rows[i].avg &&
			rows[i].count_pct == 0 && rows[i].cycles_pct == 0;
	ok(n == (size_t)nr_defined() && zero,
	   "--all on an empty VM: %d zero rows", nr_defined());
	ok(!total.count && !total.avg && total.count_pct == 0 &&
	   total.cycles_pct == 0, "zero totals: no division by zero");

	t.count[HLT_REASON] = 3ULL << 32;
	t.cycles[HLT_REASON] = 9ULL << 40;
	t.count[CPUID_REASON] = 1ULL << 32;
	t.cycles[CPUID_REASON] = 3ULL << 40;
	kes_table_sum(&t);
	o.all = false;
	n = kes_rows(&t, &o, rows);
	ok(n == 2 && rows[0].reason == HLT_REASON &&
	   rows[1].reason == CPUID_REASON, "only reasons with exits");
	is_u64(rows[0].avg, (9ULL << 40) / (3ULL << 32), "64-bit average");
	ok(rows[0].count_pct == 75.0 && rows[0].cycles_pct == 75.0 &&
	   rows[1].count_pct == 25.0 && rows[1].cycles_pct == 25.0,
	   "shares of 64-bit figures: 75%% and 25%%");
	kes_total_row(&t, &total);
	is_u64(total.count, 4ULL << 32, "total exits");
	is_u64(total.avg, (12ULL << 40) / (4ULL << 32), "total average");

	o.reason = RDTSC_REASON;
	n = kes_rows(&t, &o, rows);
	ok(n == 1 && rows[0].reason == RDTSC_REASON && !rows[0].count,
	   "--reason shows its row even without exits");
}

static void test_sort(void)
{
	/* reason, count, cycles: every key gives a different order */
	static const u64 in[][3] = {
		{ 1, 50, 5000 },	/* avg 100 */
		{ 12, 10, 9000 },	/* avg 900 */
		{ 30, 80, 800 },	/* avg 10 */
		{ 48, 50, 2500 },	/* avg 50, ties 1 on count */
		{ 10, 20, 9000 },	/* avg 450, ties 12 on cycles */
	};
	static const struct {
		enum kes_sort key;
		const char *name;
		u32 order[5];
	} cases[] = {
		{ KES_SORT_COUNT, "count", { 30, 1, 48, 10, 12 } },
		{ KES_SORT_CYCLES, "cycles", { 10, 12, 1, 48, 30 } },
		{ KES_SORT_AVG, "avg", { 12, 10, 1, 48, 30 } },
		{ KES_SORT_REASON, "reason", { 1, 10, 12, 30, 48 } },
	};
	struct kes_row rows[EXITSTATS_NR_REASONS];
	struct kes_opts o = { .reason = -1 };
	struct kes_table t = { 0 };
	size_t i, j, n;
	bool same;

	for (i = 0; i < ARRAY_SIZE(in); i++) {
		t.count[in[i][0]] = in[i][1];
		t.cycles[in[i][0]] = in[i][2];
	}
	kes_table_sum(&t);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		o.sort = cases[i].key;
		n = kes_rows(&t, &o, rows);
		same = n == 5;
		for (j = 0; same && j < n; j++)
			same = rows[j].reason == cases[i].order[j];
		ok(same, "--sort %s, ties by reason number", cases[i].name);
	}
}

/* The text table: every figure read back from the printed lines. */
static void test_text(void)
{
	struct kes_opts o = { .reason = -1 };
	struct kes_table t = { 0 };
	char *buf = NULL, name[64], *line;
	unsigned long long c, y, a;
	double pc, py;
	size_t len;
	unsigned int r;
	FILE *f;
	int rows = 0, good = 0, total = 0;

	t.count[CPUID_REASON] = 164;
	t.cycles[CPUID_REASON] = 156000;
	t.count[HLT_REASON] = 28;
	t.cycles[HLT_REASON] = 103500;
	kes_table_sum(&t);
	f = open_memstream(&buf, &len);
	kes_print_table(f, &t, &o);
	fclose(f);

	ok(!strncmp(buf, "REASON NAME ", 12) && contains(buf, " COUNT ") &&
	   contains(buf, " AVG P50 P90 P99  EXITS% CYCLES%\n"),
	   "header names the columns; no MAX in a guest");
	for (line = strchr(buf, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
		/* No buckets: the percentiles are "-". */
		if (sscanf(line, "%u %63s %llu %llu %llu - - - %lf %lf", &r, name,
			   &c, &y, &a, &pc, &py) == 7) {
			rows++;
			good += !strcmp(name, exitstats_reason_name(r)) &&
				c == t.count[r] && y == t.cycles[r] &&
				a == t.cycles[r] / t.count[r] &&
				fabs(pc - 100.0 * c / t.total_count) <= 0.005 &&
				fabs(py - 100.0 * y / t.total_cycles) <= 0.005;
		} else if (sscanf(line, " TOTAL %llu %llu %llu - - - %lf %lf", &c, &y,
				  &a, &pc, &py) == 5) {
			total = c == 192 && y == 259500 && a == 259500 / 192 &&
				pc == 100.0 && py == 100.0;
		}
	}
	ok(rows == 2 && good == 2, "two rows, figures as computed");
	ok(total, "TOTAL line: 192 exits, 259500 cycles, 100%%");
	ok(contains(buf, "    10 CPUID") && strstr(buf, " CPUID") < strstr(buf, " HLT"),
	   "sorted by count, reason right-aligned");
	free(buf);
}

/* ---- JSON --------------------------------------------------------------- */

static void test_json_strings(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "web1", "\"web1\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "tab\there\x01", "\"tab\\u0009here\\u0001\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },		/* valid UTF-8 */
		{ "bad\xff\xc3", "\"bad??\"" },			/* invalid */
		{ "\xed\xa0\x80", "\"???\"" },			/* a surrogate */
		{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },	/* U+1F600 */
		{ "", "\"\"" },
	};
	char *buf = NULL;
	size_t len, i;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		f = open_memstream(&buf, &len);
		kes_json_string(f, cases[i].in);
		fclose(f);
		is_str(buf, cases[i].out, "JSON string #%zu", i);
		free(buf);
		buf = NULL;
	}
}

static void test_json_validator(void)
{
	ok(json_lines_valid("{\"a\":[1,2.5,-3e2,true,null,\"x\"]}\n"),
	   "checker accepts valid JSON");
	ok(!json_lines_valid("{\"a\":1,}\n") && !json_lines_valid("{\"a\":nan}\n") &&
	   !json_lines_valid("[1 2]\n") && !json_lines_valid("{\"a\":1}"),
	   "checker rejects invalid JSON and unterminated lines");
}

/* ---- guest side --------------------------------------------------------- */

static void test_guest_detection(void)
{
	static const struct {
		kes_cpuid_fn fn;
		const char *what, *msg;
	} notours[] = {
		{ fake_stock_basic, "stock KVM (highest basic leaf)",
		  "CPUID 0x4FFFFFFD ECX=35 gave 00000bb8 00001194 00000064 00000000" },
		{ fake_zeros, "stock KVM (zeros), bare metal", "not a kvm-exitstats KVM" },
		{ fake_half, "right for one probe only",
		  "CPUID 0x4FFFFFFC ECX=4294967295 gave" },
		{ fake_all_undefined, "'undefined' for every leaf",
		  "unexpected answer to CPUID 0x4FFFFFFF" },
		{ fake_bad_shape, "EDX set in an exit leaf",
		  "unexpected answer to CPUID 0x4FFFFFFD ECX=0" },
	};
	char err[KES_ERRLEN];
	struct kes_env env;
	struct fake_kvm k;
	size_t i;
	int ret;

	fake_init(&k);
	env = guest_env(&k, NULL);
	ok(!kes_guest_probe(&env, err) && k.queries == 2,
	   "our KVM passes the probe with 2 queries");

	for (i = 0; i < ARRAY_SIZE(notours); i++) {
		env.cpuid = notours[i].fn;
		ret = RUN(&env, NULL);
		if (!ok(ret == KES_FAIL && !out_len &&
			one_error_line(notours[i].msg),
			"not our KVM: %s -> status 1, one line", notours[i].what))
			printf("#   status %d, stderr: %s", ret, err_buf);
	}
}

/* A full reading: each value as the documented query order predicts. */
static void test_guest_read(void)
{
	struct kes_env env;
	struct fake_kvm k, k0;
	struct kes_table t;
	char err[KES_ERRLEN];
	u64 q10, reads, sum_c = 0, sum_y = 0;
	bool same = true;
	u32 r;

	fake_init(&k);
	for (r = 0; r < EXITSTATS_NR_REASONS; r++) {
		if (!exitstats_reason_name(r))
			continue;
		k.count[r] = 11 * r + 1;
		k.cycles[r] = 997 * r + 5;
	}
	k.count[HLT_REASON] = 0x100000005ULL;		/* high half needed */
	k.cycles[HLT_REASON] = 0x2000000000000003ULL;
	k.count[RDTSC_REASON] = 9;			/* not handled: reads 0 */
	k.handled[exitstats_slot(RDTSC_REASON)] = 0;
	k.other_count = 3;				/* beyond the table */
	k.other_cycles = 30000;
	k.hist[HLT_REASON][5] = 3;
	k.hist[HLT_REASON][20] = 0x100000002ULL;	/* high half needed */
	k.hist[RDTSC_REASON][3] = 9;			/* not handled */
	k0 = k;
	for (r = 0; r < EXITSTATS_NR_REASONS; r++) {
		sum_c += k0.count[r];
		sum_y += k0.cycles[r];
	}
	env = guest_env(&k, NULL);

	ok(!kes_guest_read(&env, -1, &t, err), "a full reading");
	/* Every reason has exits but RDTSC, which reads 0: no buckets. */
	reads = 2 * nr_defined() + 32 * (nr_defined() - 1) + 2;
	is_u64(k.queries, reads,
	       "2 queries per SDM reason, 32 per reason with exits, 2 totals");
	/*
	 * 0x4FFFFFFD/10 is query 34 * (position of 10) + 1 of the reading:
	 * the reasons before it all have exits (RDTSC is 16).
	 */
	q10 = 34 * defined_pos(CPUID_REASON) + 1;
	for (r = 0; r < EXITSTATS_NR_REASONS; r++) {
		if (r == CPUID_REASON || r == RDTSC_REASON)
			continue;
		same &= t.count[r] == k0.count[r] && t.cycles[r] == k0.cycles[r];
	}
	ok(same, "every other reason as the VM has it");
	is_u64(t.count[HLT_REASON], 0x100000005ULL, "64-bit count from EAX:EBX");
	is_u64(t.cycles[HLT_REASON], 0x2000000000000003ULL,
	       "64-bit cycles from EBX:ECX");
	is_u64(t.count[RDTSC_REASON], 0, "a reason KVM does not handle reads 0");
	is_u64(t.count[CPUID_REASON], k0.count[CPUID_REASON] + q10,
	       "CPUID count includes the query that asks");
	is_u64(t.cycles[CPUID_REASON], k0.cycles[CPUID_REASON] + q10 * k.cpuid_cost,
	       "CPUID cycles cover finished queries only");
	is_u64(t.total_count, sum_c + k0.other_count + reads - 1,
	       "total exits read after the rows, includes its own query");
	is_u64(t.total_cycles, sum_y + k0.other_cycles + (reads - 1) * k.cpuid_cost,
	       "total cycles read last");
	ok(t.has_hist && !memcmp(t.hist[HLT_REASON], k0.hist[HLT_REASON],
				 sizeof(t.hist[0])),
	   "HLT's 32 buckets as the VM has them, 64-bit from EAX:EBX");
	ok(!t.hist[RDTSC_REASON][3], "a reason KVM does not handle: no buckets");
	/*
	 * CPUID's bucket 9 (1000 cycles) is read by query q10 + 11: after
	 * 0x4FFFFFFD/10, 0x4FFFFFFC/10 and the buckets 0 to 8, all finished.
	 */
	is_u64(t.hist[CPUID_REASON][9], q10 + 10,
	       "CPUID's own queries land in the bucket of their cycles");
	is_u64(t.total_hist[20], 0x100000002ULL,
	       "the total's buckets: the rows' (a guest reads no others)");
	ok(t.has_total_hist && !t.has_max, "a guest has no max");

	k = k0;
	k.queries = 0;
	ok(!kes_guest_read(&env, HLT_REASON, &t, err) && k.queries == 36 &&
	   t.count[HLT_REASON] == 0x100000005ULL && !t.count[CPUID_REASON] &&
	   t.hist[HLT_REASON][20] == 0x100000002ULL && !t.has_total_hist,
	   "--reason 12 reads only its two leaves, its buckets and the totals");
	k = k0;
	k.queries = 0;
	ok(!kes_guest_read(&env, RDTSC_REASON, &t, err) && k.queries == 4,
	   "a reason without exits: no bucket queries");
}

static void test_guest_run(void)
{
	struct fake_kvm k;
	struct kes_env env;
	char want[128];
	u64 c10;
	int ret;

	fake_init(&k);
	k.count[HLT_REASON] = 1000;
	k.cycles[HLT_REASON] = 2000000;
	env = guest_env(&k, NULL);

	ret = RUN(&env, NULL);
	ok(ret == KES_OK && !err_len && contains(out_buf, " HLT ") &&
	   contains(out_buf, " CPUID ") && contains(out_buf, " TOTAL ") &&
	   !contains(out_buf, " RDTSC "),
	   "guest table: rows with exits and the totals, status 0");

	fake_init(&k);
	ret = RUN(&env, "--reason", "10", "--json");
	/* Probe (2) then 0x4FFFFFFD/10 is the 3rd query. */
	c10 = 3;
	snprintf(want, sizeof(want),
		 "\"reasons\":[{\"reason\":10,\"name\":\"CPUID\",\"count\":%" PRIu64 ",",
		 c10);
	if (!ok(ret == KES_OK && json_lines_valid(out_buf) &&
		starts(out_buf, "{\"mode\":\"guest\",\"interval\":null,") &&
		contains(out_buf, want) && k.queries == 38,
		"--reason 10 --json: count 3 after 2 probes, 38 queries in all"))
		printf("# %u queries, stdout: %s", k.queries, out_buf);
	/*
	 * Bucket 9 (1000 cycles) is the 14th query: 13 finished CPUID exits,
	 * all in [512, 1024).  p50: rank 6.5 of 13, 512 + 512 * 6.5 / 13 =
	 * 768; p90: 512 + 512 * 0.9 = 972.8; p99: 512 + 512 * 0.99 = 1018.88.
	 */
	if (!ok(contains(out_buf, "\"cycles_pct\":8.11,\"p50_cycles\":768,\"p90_cycles\":973,\"p99_cycles\":1019,\"buckets\":[0,0,0,0,0,0,0,0,0,13,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}]") &&
		contains(out_buf, "\"total\":{\"count\":37,") &&
		!contains(out_buf, "max_cycles"),
		"guest --json: percentiles and the 32 buckets, no max"))
		printf("# stdout: %s", out_buf);
	python_json_check(out_buf, "guest --json");
}

/* ---- --watch ------------------------------------------------------------ */

static void test_delta(void)
{
	struct kes_table a = { 0 }, b = { 0 }, d;

	a.count[1] = 10;
	b.count[1] = 25;
	a.cycles[1] = 1ULL << 40;
	b.cycles[1] = (1ULL << 40) + 77;
	a.count[2] = 50;	/* went backwards: a new VM */
	b.count[2] = 4;
	kes_table_sum(&a);
	kes_table_sum(&b);
	kes_table_delta(&d, &b, &a);
	is_u64(d.count[1], 15, "delta of a count");
	is_u64(d.cycles[1], 77, "delta of 64-bit cycles");
	is_u64(d.count[2], 4, "a counter that went backwards restarts");
	is_u64(d.total_cycles, 77, "delta of the totals");
}

static void add_hlt(unsigned int call, void *arg)
{
	struct fake_kvm *k = arg;

	k->count[HLT_REASON] += 5 * call;
	k->cycles[HLT_REASON] += 700 * call;
}

static void test_guest_watch(void)
{
	struct fake_sleep s = { .step = add_hlt };
	char want[256];
	const char *second;
	struct fake_kvm k;
	struct kes_env env;
	u64 reading;
	int ret;

	fake_init(&k);
	s.arg = &k;
	env = guest_env(&k, &s);
	/* Only CPUID has exits before the first interval: 32 bucket queries. */
	reading = 2 * nr_defined() + 32 + 2;

	ret = RUN(&env, "--watch", "2", "--iterations", "2", "--json");
	second = line2(out_buf);
	snprintf(want, sizeof(want),
		 "{\"mode\":\"guest\",\"interval\":2,\"reasons\":[{\"reason\":10,\"name\":\"CPUID\",\"count\":%" PRIu64 ",\"cycles\":%" PRIu64 ",",
		 reading, reading * k.cpuid_cost);
	ok(ret == KES_OK && s.calls == 2 && json_lines_valid(out_buf) &&
	   !strncmp(out_buf, want, strlen(want)),
	   "interval 1: CPUID delta is one reading, %" PRIu64 " exits", reading);
	ok(contains(out_buf, "{\"reason\":12,\"name\":\"HLT\",\"count\":5,\"cycles\":700,\"avg_cycles\":140,") &&
	   contains(second, "{\"reason\":12,\"name\":\"HLT\",\"count\":10,\"cycles\":1400,\"avg_cycles\":140,"),
	   "HLT deltas per interval: 5 then 10");
	python_json_check(out_buf, "guest --watch --json");

	fake_init(&k);
	s = (struct fake_sleep){ .step = add_hlt, .arg = &k };
	env.tty = false;
	ret = RUN(&env, "--watch", "1", "-n", "1");
	ok(ret == KES_OK && !strchr(out_buf, '\033') &&
	   contains(out_buf, "Exits in the last 1 s"),
	   "not a terminal: no escape codes");
	fake_init(&k);
	s = (struct fake_sleep){ .step = add_hlt, .arg = &k };
	env.tty = true;
	ret = RUN(&env, "--watch", "1", "-n", "2");
	ok(ret == KES_OK && !strncmp(out_buf, "\033[H\033[2J", 7) &&
	   strstr(out_buf + 1, "\033[H\033[2J"),
	   "terminal: the screen is cleared before each table");

	fake_init(&k);
	s = (struct fake_sleep){ .interrupt_at = 3 };
	env.tty = false;
	ret = RUN(&env, "--watch", "1", "--json");
	ok(ret == KES_OK && s.calls == 3 && json_lines_valid(out_buf) &&
	   *line2(out_buf) && !*line2(line2(out_buf)),
	   "Ctrl-C during the 3rd sleep: 2 tables, status 0");
}

/* ---- host side ---------------------------------------------------------- */

static u64 vm_count[EXITSTATS_NR_REASONS], vm_cycles[EXITSTATS_NR_REASONS];

static void make_tree(void)
{
	u32 r;

	mkdir(path_of("%s", "kvm"), 0755);
	mkdir(path_of("%s", "kvm/4242-11"), 0755);
	mkdir(path_of("%s", "kvm/77-9"), 0755);
	mkdir(path_of("%s", "kvm/77-10"), 0755);
	mkdir(path_of("%s", "kvm/not-a-vm"), 0755);
	put_file(path_of("%s", "kvm/exits"), "12345\n");
	mkdir(path_of("%s", "proc"), 0755);
	mkdir(path_of("%s", "proc/4242"), 0755);
	mkdir(path_of("%s", "proc/77"), 0755);
	put_bytes(path_of("%s", "proc/4242/cmdline"),
		  "qemu-system-x86_64\0-enable-kvm\0-name\0guest=we\"b1,debug-threads=on\0",
		  67);
	put_file(path_of("%s", "proc/4242/comm"), "qemu-system-x86\n");
	put_file(path_of("%s", "proc/77/comm"), "kvmtool\n");
	mkdir(path_of("%s", "sys"), 0755);
	mkdir(path_of("%s", "sys/module"), 0755);
	mkdir(path_of("%s", "sys/module/kvm"), 0755);
	mkdir(path_of("%s", "sys/module/kvm/parameters"), 0755);
	put_file(path_of("%s", "sys/module/kvm/parameters/exitstats_cpuid"),
		 "Y\n");

	for (r = 0; r < EXITSTATS_NR_REASONS; r++)
		vm_count[r] = vm_cycles[r] = 0;
	vm_count[HLT_REASON] = 500;
	vm_cycles[HLT_REASON] = 1000000;
	vm_count[30] = 0x100000000ULL;		/* IO_INSTRUCTION */
	vm_cycles[30] = 0x500000000ULL;
	put_file(path_of("%s", "kvm/4242-11/exitstats"),
		 table_text(vm_count, vm_cycles));
	vm_count[30] = 0;
	vm_cycles[30] = 0;
	put_file(path_of("%s", "kvm/77-9/exitstats"),
		 table_text(vm_count, vm_cycles));
	vm_count[HLT_REASON] = 0;
	vm_cycles[HLT_REASON] = 0;
	put_file(path_of("%s", "kvm/77-10/exitstats"),
		 table_text(vm_count, vm_cycles));
}

static void test_host_read(void)
{
	struct kes_env env = host_env(NULL);
	char err[KES_ERRLEN];
	struct kes_vm *v = NULL;
	size_t n = 0;

	make_tree();
	ok(!kes_host_read(&env, 0, &v, &n, err) && n == 3,
	   "3 VMs; other files and directories ignored");
	ok(n == 3 && !strcmp(v[0].dir, "77-9") && !strcmp(v[1].dir, "77-10") &&
	   !strcmp(v[2].dir, "4242-11") && v[0].pid == 77 && v[2].pid == 4242,
	   "sorted by pid, then fd as a number");
	ok(n == 3 && !strcmp(v[0].name, "kvmtool") && !strcmp(v[2].name, "we\"b1"),
	   "names: comm, or QEMU's -name guest=");
	ok(n == 3 && v[2].t.count[30] == 0x100000000ULL &&
	   v[2].t.total_count == 0x100000000ULL + 500 &&
	   v[0].t.total_count == 500 && v[1].t.total_count == 0,
	   "each VM its own table and totals");
	free(v);
	v = NULL;
	ok(!kes_host_read(&env, 77, &v, &n, err) && n == 2 && v[0].pid == 77 &&
	   v[1].pid == 77, "--pid 77: its two VMs");
	free(v);
	v = NULL;
	ok(!kes_host_read(&env, 5, &v, &n, err) && n == 0, "--pid 5: none");
	free(v);
}

static void test_host_run(void)
{
	struct kes_env env = host_env(NULL);
	char *vm;
	int ret;

	make_tree();
	ret = RUN(&env, "--host");
	vm = strstr(out_buf, "VM 4242-11  pid 4242  name we\"b1\n");
	ok(ret == KES_OK && !err_len &&
	   strstr(out_buf, "VM 77-9  pid 77  name kvmtool\n") == out_buf &&
	   contains(out_buf, "VM 77-10  pid 77  name kvmtool\n") && vm &&
	   has_row(vm, 30, 1ULL << 32, 5ULL << 32, 5) &&
	   has_row(vm, HLT_REASON, 500, 1000000, 1000000 / 500),
	   "--host: one table per VM, headed by dir, pid and name");

	ret = RUN(&env, "--host", "--json", "--debugfs", path_of("%s", "kvm"));
	ok(ret == KES_OK && json_lines_valid(out_buf) &&
	   starts(out_buf, "{\"mode\":\"host\",\"interval\":null,\"vms\":[{\"pid\":77,\"dir\":\"77-9\",\"name\":\"kvmtool\",\"reasons\":[") &&
	   contains(out_buf, "\"name\":\"we\\\"b1\""),
	   "--host --json: vms with pid, dir, name; quote escaped");
	python_json_check(out_buf, "host --json");

	ret = RUN(&env, "--host", "--pid", "4242", "--reason", "12", "--json");
	ok(ret == KES_OK && json_lines_valid(out_buf) &&
	   contains(out_buf, "\"reasons\":[{\"reason\":12,\"name\":\"HLT\",\"count\":500,\"cycles\":1000000,\"avg_cycles\":2000,") &&
	   !contains(out_buf, "\"pid\":77"), "--pid 4242 --reason 12");

	ret = RUN(&env, "--host", "--pid", "5");
	ok(ret == KES_NO_VM && !out_len &&
	   one_error_line("no VM of process 5 in "), "--pid without VMs: status 3");
}

static void grow_vm(unsigned int call, void *arg)
{
	char cmd[PATH_MAX + 16];

	(void)arg;
	vm_count[HLT_REASON] = 500 + 100 * call;
	vm_cycles[HLT_REASON] = 1000000 + 1000 * call;
	put_file(path_of("%s", "kvm/77-9/exitstats"),
		 table_text(vm_count, vm_cycles));
	mkdir(path_of("%s", "kvm/99-3"), 0755);		/* a new VM */
	put_file(path_of("%s", "kvm/99-3/exitstats"),
		 table_text(vm_count, vm_cycles));
	if (call == 2) {				/* and one goes */
		snprintf(cmd, sizeof(cmd), "rm -rf %s",
			 path_of("%s", "kvm/4242-11"));
		if (system(cmd))
			printf("# %s failed\n", cmd);
	}
}

static void test_host_watch(void)
{
	struct fake_sleep s = { .step = grow_vm };
	struct kes_env env = host_env(&s);
	char want[128];
	const char *second;
	int ret;

	make_tree();
	vm_count[HLT_REASON] = 500;
	vm_cycles[HLT_REASON] = 1000000;
	ret = RUN(&env, "--host", "--watch", "1", "-n", "2", "--json");
	second = line2(out_buf);
	if (!ok(ret == KES_OK && json_lines_valid(out_buf) && *second,
		"--host --watch --json: one valid line per interval"))
		printf("# status %d\n# stdout: %s# stderr: %s", ret, out_buf,
		       err_buf);
	ok(contains(out_buf, "\"dir\":\"77-9\",\"name\":\"kvmtool\",\"reasons\":[{\"reason\":12,\"name\":\"HLT\",\"count\":100,\"cycles\":1000,") &&
	   contains(out_buf, "\"dir\":\"4242-11\",\"name\":\"we\\\"b1\",\"reasons\":[],\"total\":{\"count\":0,"),
	   "interval 1: 100 new HLT exits in 77-9, none in 4242-11");
	snprintf(want, sizeof(want),
		 "\"dir\":\"99-3\",\"name\":\"\",\"reasons\":[{\"reason\":12,\"name\":\"HLT\",\"count\":%d,",
		 600);
	ok(contains(out_buf, want),
	   "a VM new in the interval shows all its exits");
	ok(contains(second, "\"dir\":\"77-9\",\"name\":\"kvmtool\",\"reasons\":[{\"reason\":12,\"name\":\"HLT\",\"count\":100,") &&
	   !contains(second, "4242-11"),
	   "interval 2: deltas again; the VM that went is gone");
	python_json_check(out_buf, "host --watch --json");
}

/* Interval 2: VM 77-10 is being destroyed, its table gone, its dir not. */
static void vm_dying(unsigned int call, void *arg)
{
	(void)arg;
	if (call == 2 && unlink(path_of("%s", "kvm/77-10/exitstats")))
		printf("# cannot remove 77-10/exitstats\n");
}

static void test_host_watch_dying(void)
{
	struct fake_sleep s = { .step = vm_dying };
	struct kes_env env = host_env(&s);
	int ret;

	make_tree();
	ret = RUN(&env, "--host", "--watch", "1", "-n", "3", "--json");
	if (!ok(ret == KES_OK && !err_len && json_lines_valid(out_buf) &&
		contains(out_buf, "\"dir\":\"77-10\"") &&
		!contains(line2(out_buf), "\"dir\":\"77-10\"") &&
		contains(line2(out_buf), "\"dir\":\"77-9\""),
		"--host --watch: a VM being destroyed is left out, the watch goes on"))
		printf("# status %d\n# stdout: %s# stderr: %s", ret, out_buf,
		       err_buf);
}

static void test_host_errors(void)
{
	struct kes_env env = host_env(NULL);
	int ret;

	make_tree();
	ret = RUN(&env, "--host", "--debugfs", path_of("%s", "missing"));
	ok(ret == KES_FAIL && !out_len &&
	   one_error_line("missing: No such file or directory (debugfs not mounted"),
	   "missing debugfs: status 1, one line with a hint");

	mkdir(path_of("%s", "empty"), 0755);
	ret = RUN(&env, "--host", "--debugfs", path_of("%s", "empty"));
	ok(ret == KES_NO_VM && one_error_line("no VMs in "),
	   "no VMs: status 3");

	mkdir(path_of("%s", "stock"), 0755);
	mkdir(path_of("%s", "stock/123-4"), 0755);
	put_file(path_of("%s", "stock/123-4/exits"), "1\n");
	env.sysfs = path_of("%s", "proc");
	ret = RUN(&env, "--host", "--debugfs", path_of("%s", "stock"));
	ok(ret == KES_FAIL && one_error_line("123-4 has no exitstats file: this KVM is not kvm-exitstats"),
	   "stock KVM's debugfs: status 1");
	env.sysfs = NULL;
	ret = RUN(&env, "--host", "--debugfs", path_of("%s", "stock"));
	ok(ret == KES_FAIL && one_error_line("123-4 has no exitstats file"),
	   "stock KVM's debugfs, no sysfs known: status 1");
	env = host_env(NULL);
	ret = RUN(&env, "--host", "--debugfs", path_of("%s", "stock"));
	ok(ret == KES_NO_VM && one_error_line("no VMs in "),
	   "our kvm.ko: a VM directory without its table (coming or going) is left out");

	put_file(path_of("%s", "kvm/77-9/exitstats"), "10 CPUID 1 2\n12 HLT x 4\n");
	ret = RUN(&env, "--host");
	ok(ret == KES_FAIL && !out_len &&
	   one_error_line("77-9/exitstats:2: malformed line"),
	   "garbage in a table: status 1, file and line named");

	make_tree();
	put_file(path_of("%s", "kvm/77-9/exitstats"), "10 CPUID 1 2\n12 HLT 3");
	ret = RUN(&env, "--host", "--json");
	ok(ret == KES_FAIL && !out_len && one_error_line(":2: truncated line"),
	   "a truncated table: status 1");

	make_tree();
	env.debugfs = path_of("%s", "kvm/exits");
	ret = RUN(&env, "--host");
	ok(ret == KES_FAIL && one_error_line("Not a directory"),
	   "debugfs path is a file: status 1");

	env = host_env(NULL);
	if (geteuid() == 0) {
		ok(1, "no permission: status 1 # SKIP root reads anything");
	} else {
		chmod(path_of("%s", "kvm/77-9/exitstats"), 0);
		ret = RUN(&env, "--host");
		ok(ret == KES_FAIL && one_error_line("Permission denied (KVM's debugfs is readable by root only)"),
		   "no permission: status 1");
		chmod(path_of("%s", "kvm/77-9/exitstats"), 0644);
		chmod(path_of("%s", "kvm"), 0);
		ret = RUN(&env, "--host");
		ok(ret == KES_FAIL && one_error_line("Permission denied"),
		   "unreadable debugfs directory: status 1");
		chmod(path_of("%s", "kvm"), 0755);
	}
}

/* ---- --vm and --format prometheus ------------------------------------- */

static void test_host_vm(void)
{
	struct kes_env env = host_env(NULL);
	int ret;

	make_tree();
	ret = RUN(&env, "--host", "--vm", "kvmtool");
	ok(ret == KES_OK && starts(out_buf, "VM 77-9  pid 77  name kvmtool\n") &&
	   contains(out_buf, "VM 77-10  pid 77  name kvmtool\n") &&
	   !contains(out_buf, "4242"), "--vm kvmtool: its two VMs, by name");
	ret = RUN(&env, "--host", "--vm", "we*", "--json");
	ok(ret == KES_OK && json_lines_valid(out_buf) &&
	   contains(out_buf, "\"vms\":[{\"pid\":4242,\"dir\":\"4242-11\",\"name\":\"we\\\"b1\",") &&
	   !contains(out_buf, "\"pid\":77"), "--vm 'we*': a shell pattern");
	ret = RUN(&env, "--host", "--vm", "web1");
	ok(ret == KES_NO_VM && !out_len && one_error_line("no VM named web1 in "),
	   "--vm of no VM: status 3");
	ret = RUN(&env, "--host", "--pid", "77", "--vm", "we*");
	ok(ret == KES_NO_VM &&
	   one_error_line("no VM of process 77 named we* in "),
	   "--pid and --vm together: both must match");
}

static bool have_promtool;

static int occurrences(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

/* promtool check metrics: no error and no lint problem (no output at all). */
static void promtool_check(const char *text, const char *what)
{
	char file[PATH_MAX], cmd[2 * PATH_MAX + 64], *msg = NULL;
	size_t len = 0;
	FILE *f;
	int st;

	if (!have_promtool) {
		ok(1, "promtool check metrics passes %s # SKIP no promtool", what);
		return;
	}
	snprintf(file, sizeof(file), "%s/prom.txt", tmp);
	put_file(file, text);
	snprintf(cmd, sizeof(cmd), "promtool check metrics <%s 2>&1", file);
	f = popen(cmd, "r");
	if (f) {
		msg = calloc(1, 4096);
		len = msg ? fread(msg, 1, 4095, f) : 0;
	}
	st = f ? pclose(f) : -1;
	if (!ok(st == 0 && !len, "promtool check metrics passes %s", what))
		printf("# status %d: %s\n", st, msg ? msg : "");
	free(msg);
}

/*
 * Every line a HELP, TYPE or sample line; each family's HELP and TYPE
 * once, right before all of its samples.
 */
static bool prom_grouped(const char *s)
{
	char fam[8][64], name[64];
	int nfam = 0, i;
	const char *nl;
	size_t n;

	for (; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		if (!nl)
			return false;
		if (starts(s, "# HELP ")) {
			if (sscanf(s, "# HELP %63s ", name) != 1 || nfam == 8)
				return false;
			for (i = 0; i < nfam; i++)
				if (!strcmp(fam[i], name))
					return false;	/* HELP twice */
			snprintf(fam[nfam++], sizeof(fam[0]), "%s", name);
			nl = strchr(nl + 1, '\n');	/* its TYPE line */
			if (!nl || !starts(strchr(s, '\n') + 1, "# TYPE ") ||
			    strncmp(strchr(s, '\n') + 8, name, strlen(name)))
				return false;
			continue;
		}
		n = strcspn(s, "{ ");
		if (!nfam || strncmp(s, fam[nfam - 1], strlen(fam[nfam - 1])))
			return false;	/* a sample outside its family */
		/* A histogram's samples: _bucket, _sum, _count. */
		s += strlen(fam[nfam - 1]);
		n -= strlen(fam[nfam - 1]);
		if (n && !(n == 7 && !strncmp(s, "_bucket", 7)) &&
		    !(n == 4 && !strncmp(s, "_sum", 4)) &&
		    !(n == 6 && !strncmp(s, "_count", 6)))
			return false;
	}
	return nfam > 0;
}

static double fake_tsc_hz(void)
{
	return 2e9;
}

static void test_prometheus(void)
{
	struct kes_env env = host_env(NULL);
	char target[PATH_MAX];
	int ret;

	make_tree();
	env.tsc_hz = fake_tsc_hz;
	ret = RUN(&env, "--host", "--format", "prometheus");
	ok(ret == KES_OK && !err_len && prom_grouped(out_buf) &&
	   starts(out_buf, "# HELP kvm_exitstats_up ") &&
	   contains(out_buf, "\n# TYPE kvm_exitstats_up gauge\nkvm_exitstats_up 1\n# HELP kvm_exitstats_exits_total ") &&
	   contains(out_buf, "\n# TYPE kvm_exitstats_exits_total counter\n") &&
	   contains(out_buf, "\n# TYPE kvm_exitstats_exit_cycles_total counter\n") &&
	   contains(out_buf, "\n# TYPE kvm_exitstats_exit_seconds_total counter\n"),
	   "prometheus: up, exits, cycles and seconds, HELP and TYPE once each, samples grouped");
	if (!ok(contains(out_buf, "\nkvm_exitstats_exits_total{vm=\"we\\\"b1\",pid=\"4242\",reason=\"IO_INSTRUCTION\",code=\"30\"} 4294967296\n") &&
		contains(out_buf, "\nkvm_exitstats_exit_cycles_total{vm=\"we\\\"b1\",pid=\"4242\",reason=\"IO_INSTRUCTION\",code=\"30\"} 21474836480\n") &&
		contains(out_buf, "\nkvm_exitstats_exit_seconds_total{vm=\"we\\\"b1\",pid=\"4242\",reason=\"HLT\",code=\"12\"} 0.000500000\n"),
		"labels vm, pid, reason, code; counts, cycles, seconds = cycles / TSC Hz"))
		printf("# %s", out_buf);
	ok(contains(out_buf, "\nkvm_exitstats_exits_total{vm=\"kvmtool\",pid=\"77\",reason=\"HLT\",code=\"12\"} 500\n") &&
	   occurrences(out_buf, "exits_total{vm=\"kvmtool\"") == 1 &&
	   !contains(out_buf, "reason=\"CPUID\""),
	   "reasons with exits only; a process's VMs are one series");
	promtool_check(out_buf, "on VMs");

	env.tsc_hz = NULL;
	ret = RUN(&env, "--host", "-f", "prometheus", "--pid", "4242");
	ok(ret == KES_OK && prom_grouped(out_buf) &&
	   !contains(out_buf, "seconds") && !contains(out_buf, "pid=\"77\""),
	   "TSC frequency unknown: no seconds; --pid selects");
	ret = RUN(&env, "--host", "-f", "prometheus", "--tsc-hz", "1e6",
		  "--vm", "we*", "--reason", "12");
	ok(ret == KES_OK && prom_grouped(out_buf) &&
	   contains(out_buf, "_seconds_total{vm=\"we\\\"b1\",pid=\"4242\",reason=\"HLT\",code=\"12\"} 1.000000000\n") &&
	   !contains(out_buf, "IO_INSTRUCTION"),
	   "--tsc-hz given; --vm and --reason select");

	/* Listed, then gone before its table is read: KVM destroyed it. */
	snprintf(target, sizeof(target), "%s/gone", tmp);
	if (symlink(target, path_of("%s", "kvm/55-3")))
		printf("# symlink: %s\n", strerror(errno));
	ret = RUN(&env, "--host", "-f", "prometheus");
	ok(ret == KES_OK && !err_len && prom_grouped(out_buf) &&
	   contains(out_buf, "kvm_exitstats_up 1\n") &&
	   contains(out_buf, "pid=\"4242\"") && !contains(out_buf, "pid=\"55\""),
	   "a VM that disappears mid-read is left out, the rest stays valid");
	promtool_check(out_buf, "with a VM gone mid-read");
	unlink(path_of("%s", "kvm/55-3"));

	mkdir(path_of("%s", "none"), 0755);
	ret = RUN(&env, "--host", "-f", "prometheus", "--debugfs",
		  path_of("%s", "none"));
	ok(ret == KES_OK && !err_len && prom_grouped(out_buf) &&
	   contains(out_buf, "kvm_exitstats_up 1\n") && !contains(out_buf, "{"),
	   "no VMs: up 1, no samples, status 0");
	promtool_check(out_buf, "without VMs");

	ret = RUN(&env, "--host", "-f", "prometheus", "--debugfs",
		  path_of("%s", "missing"));
	ok(ret == KES_OK && prom_grouped(out_buf) &&
	   !strcmp(strstr(out_buf, "\n# TYPE"),
		   "\n# TYPE kvm_exitstats_up gauge\nkvm_exitstats_up 0\n") &&
	   one_error_line("missing: No such file or directory"),
	   "no debugfs: kvm_exitstats_up 0 and nothing else, the reason on stderr, status 0");
	promtool_check(out_buf, "with kvm_exitstats_up 0");

	put_file(path_of("%s", "kvm/77-9/exitstats"), "10 CPUID 1 2\n12 HLT x 4\n");
	ret = RUN(&env, "--host", "-f", "prometheus");
	if (!ok(ret == KES_OK && contains(out_buf, "\nkvm_exitstats_up 0\n") &&
		!contains(out_buf, "exits_total") &&
		one_error_line("77-9/exitstats:2: malformed line"),
		"a table it cannot read: kvm_exitstats_up 0"))
		printf("# status %d\n# stdout: %s# stderr: %s", ret, out_buf,
		       err_buf);
}

/* ---- latency: percentiles, --hist, exitstats_hist -------------------- */

static bool pct_is(const u64 *hist, bool has_max, u64 max,
		   unsigned int permille, double want)
{
	double got = -1;

	if (!kes_percentile(hist, has_max, max, permille, &got) ||
	    fabs(got - want) > 1e-6 * (want > 1 ? want : 1)) {
		printf("# p%u: got %.6f, want %.6f\n", permille, got, want);
		return false;
	}
	return true;
}

/* Expected values by hand: rank n * q, linear inside its bucket. */
static void test_percentiles(void)
{
	u64 h[EXITSTATS_NR_BUCKETS] = { 0 };
	double v;

	ok(!kes_percentile(h, false, 0, 500, &v), "no exits: no percentile");
	h[0] = 4;		/* [0, 2) */
	ok(pct_is(h, false, 0, 500, 1.0) && pct_is(h, false, 0, 900, 1.8) &&
	   pct_is(h, false, 0, 990, 1.98), "bucket 0 spans [0, 2)");
	h[0] = 0;
	h[10] = 100;		/* [1024, 2048) */
	ok(pct_is(h, false, 0, 500, 1536) && pct_is(h, false, 0, 900, 1945.6) &&
	   pct_is(h, false, 0, 990, 2037.76), "one bucket: 1536, 1945.6, 2037.76");
	ok(pct_is(h, true, 1500, 500, 1500) && pct_is(h, true, 1500, 990, 1500) &&
	   pct_is(h, true, 1600, 500, 1536),
	   "with the max known, never above it");
	h[10] = 0;
	h[3] = 50;		/* [8, 16) */
	h[4] = 50;		/* [16, 32) */
	ok(pct_is(h, false, 0, 500, 16) && pct_is(h, false, 0, 900, 28.8) &&
	   pct_is(h, false, 0, 990, 31.68),
	   "two buckets: rank 50 ends the first (16), 90 -> 16 + 16 * 40/50");
	h[3] = h[4] = 0;
	h[1] = 1;		/* [2, 4) */
	h[2] = 99;		/* [4, 8) */
	ok(pct_is(h, false, 0, 500, 4 + 4 * 49.0 / 99) &&
	   pct_is(h, false, 0, 990, 4 + 4 * 98.0 / 99),
	   "rank 50 of 100: 49 of the 99 in [4, 8)");
	h[1] = h[2] = 0;
	h[31] = 10;		/* [2^31, max] or [2^31, 2^32) */
	ok(pct_is(h, true, 3000000000ULL, 500, 2573741824.0) &&
	   pct_is(h, true, 3000000000ULL, 900, 2914748364.8),
	   "last bucket up to the max: 2^31 + 852516352 * q");
	ok(pct_is(h, false, 0, 500, 3221225472.0) &&
	   pct_is(h, false, 0, 900, 4080218931.2),
	   "last bucket without a max: up to 2^32");
	h[31] = 0;
	h[5] = 1ULL << 63;	/* [32, 64); n * 990 overflows 64 bits */
	ok(pct_is(h, false, 0, 500, 48) && pct_is(h, false, 0, 990, 63.68),
	   "huge counts: 48 and 63.68");
}

/* A table with buckets, on the host: P50 P90 P99 MAX columns. */
static void test_text_latency(void)
{
	struct kes_opts o = { .reason = -1, .hist = -1, .host = true };
	struct kes_table t = { 0 };
	char *buf = NULL;
	size_t len;
	FILE *f;

	t.count[CPUID_REASON] = 100;
	t.cycles[CPUID_REASON] = 150000;
	t.hist[CPUID_REASON][10] = 100;
	t.max[CPUID_REASON] = 2000;
	t.total_hist[10] = 100;
	t.total_max = 2000;
	t.has_hist = t.has_max = t.has_total_hist = true;
	kes_table_sum(&t);
	f = open_memstream(&buf, &len);
	kes_print_table(f, &t, &o);
	fclose(f);
	/* p50 1536, p90 1945.6, p99 2037.76 above the max: 2000. */
	is_str(buf,
	       "REASON NAME  COUNT CYCLES  AVG  P50  P90  P99  MAX  EXITS% CYCLES%\n"
	       "    10 CPUID   100 150000 1500 1536 1946 2000 2000  100.00  100.00\n"
	       "       TOTAL   100 150000 1500 1536 1946 2000 2000  100.00  100.00\n",
	       "host table: p50, p90, p99 and MAX after AVG");
	free(buf);
}

/* HLT's buckets: 20 in [2048, 4096), 5 in [8192, 16384). */
static void hlt_hist(u64 *h)
{
	memset(h, 0, EXITSTATS_NR_BUCKETS * sizeof(*h));
	h[11] = 20;
	h[13] = 5;
}

static void test_guest_hist(void)
{
	struct fake_kvm k;
	struct kes_env env;
	int ret;

	fake_init(&k);
	k.count[HLT_REASON] = 25;
	k.cycles[HLT_REASON] = 100000;
	hlt_hist(k.hist[HLT_REASON]);
	env = guest_env(&k, NULL);
	ret = RUN(&env, "--hist", "hlt");
	/*
	 * p50: rank 12.5 of 20 in [2048, 4096): 2048 + 2048 * 12.5 / 20 =
	 * 3328; p90: rank 22.5, 2.5 of 5 in [8192, 16384): 12288; p99: rank
	 * 24.75: 8192 + 8192 * 4.75 / 5 = 15974.4.  Shares 80 and 20 %, bars
	 * 40 and 40 * 5 / 20 = 10.  No TSC frequency: no microseconds.
	 */
	if (!ok(ret == KES_OK && !err_len && k.queries == 2 + 36 &&
		!strcmp(out_buf,
			"HLT (12): 25 exits, cycles p50 3328 p90 12288 p99 15974\n"
			"CYCLES         COUNT  SHARE%\n"
			"[2048,  4096)     20   80.00 ########################################\n"
			"[8192, 16384)      5   20.00 ##########\n"),
		"guest --hist hlt: one line per bucket with exits, 36 queries"))
		printf("# %u queries, stdout:\n%s", k.queries, out_buf);

	fake_init(&k);
	ret = RUN(&env, "--hist", "12", "--tsc-hz", "1e9");
	ok(ret == KES_OK && !strcmp(out_buf, "HLT (12): no finished exits\n"),
	   "--hist of a reason without exits says so");
	fake_init(&k);
	ret = RUN(&env, "--hist", "10", "--reason", "12");
	ok(ret == KES_USAGE && one_error_line("--hist and --reason name different reasons"),
	   "--hist and another --reason: status 2");
	ret = RUN(&env, "--hist", "10", "--json");
	ok(ret == KES_USAGE && one_error_line("--hist is text"),
	   "--hist --json: status 2");
	ret = RUN(&env, "--hist", "NOPE");
	ok(ret == KES_USAGE &&
	   one_error_line("invalid --hist 'NOPE': expected a number or an exit reason's name"),
	   "--hist of an unknown name: status 2");
	ret = RUN(&env, "--hist", "35");
	ok(ret == KES_USAGE && one_error_line("invalid --hist '35': not an exit reason"),
	   "--hist of an undefined reason: status 2");
}

/* VM 4242-11's HLT buckets: hlt_hist() and one exit of 3e9 cycles. */
static void put_hist_4242(void)
{
	u64 h[EXITSTATS_NR_BUCKETS];

	hlt_hist(h);
	h[31] = 1;
	put_file(path_of("%s", "kvm/4242-11/exitstats_hist"),
		 hist_text(HLT_REASON, 3000000000ULL, h));
}

static void test_host_hist(void)
{
	struct kes_env env = host_env(NULL);
	struct kes_vm *v = NULL;
	char err[KES_ERRLEN];
	const char *vm;
	size_t n = 0;
	int ret;

	make_tree();
	put_hist_4242();
	ok(!kes_host_read(&env, 4242, &v, &n, err) && n == 1 &&
	   v[0].t.has_hist && v[0].t.has_max &&
	   v[0].t.hist[HLT_REASON][11] == 20 && v[0].t.hist[HLT_REASON][31] == 1 &&
	   v[0].t.max[HLT_REASON] == 3000000000ULL &&
	   v[0].t.total_hist[13] == 5 && v[0].t.total_max == 3000000000ULL &&
	   v[0].t.count[HLT_REASON] == 500,
	   "exitstats_hist read next to exitstats: buckets and max");
	free(v);
	v = NULL;
	ok(!kes_host_read(&env, 77, &v, &n, err) && n == 2 &&
	   !v[0].t.has_hist && !v[0].t.has_max,
	   "no exitstats_hist (an older kvm-exitstats): no buckets");
	free(v);

	env.tsc_hz = fake_tsc_hz;
	ret = RUN(&env, "--host", "--pid", "4242", "--hist", "HLT");
	/*
	 * 26 exits.  p50: rank 13 of 20 in [2048, 4096): 3379.2; p90: rank
	 * 23.4, 3.4 of 5 in [8192, 16384): 13762.56; p99: rank 25.74 in
	 * [2^31, 3e9]: 2^31 + 0.74 * 852516352 = 2778345748.48.  Shares
	 * 20/26, 5/26, 1/26; bars 40, 10, 2.  TSC 2 GHz: 2048 cycles are
	 * 1.024 us.
	 */
	if (!ok(ret == KES_OK && !err_len &&
		!strcmp(out_buf,
			"VM 4242-11  pid 4242  name we\"b1\n"
			"HLT (12): 26 exits, cycles p50 3379 p90 13763 p99 2778345748 max 3000000000\n"
			"CYCLES               MICROSECONDS          COUNT  SHARE%\n"
			"[      2048,  4096)  [      1.024, 2.048)     20   76.92 ########################################\n"
			"[      8192, 16384)  [      4.096, 8.192)      5   19.23 ##########\n"
			"[2147483648,   inf)  [1073741.824,   inf)      1    3.85 ##\n"),
		"--host --hist HLT: ranges in cycles and microseconds, count, share, bar"))
		printf("# stdout:\n%s# stderr: %s", out_buf, err_buf);

	env.tsc_hz = NULL;
	ret = RUN(&env, "--host", "--hist", "12");
	vm = strstr(out_buf, "VM 77-10  pid 77  name kvmtool\n");
	ok(ret == KES_OK && starts(out_buf, "VM 77-9  pid 77  name kvmtool\n"
				   "HLT (12): no latency buckets") && vm &&
	   contains(out_buf, "\nVM 4242-11  pid 4242  name we\"b1\n"
		    "HLT (12): 26 exits, cycles p50 3379 ") &&
	   contains(out_buf, "\n[2147483648,   inf)      1    3.85 ##\n"),
	   "--host --hist: per VM; without exitstats_hist it says so");

	ret = RUN(&env, "--host", "--pid", "4242");
	/* The TOTAL line's buckets are the total line's: the same here. */
	ok(ret == KES_OK &&
	   contains(out_buf, " MAX  EXITS% CYCLES%\n") &&
	   contains(out_buf, " 2000 3379 13763 2778345748 3000000000 ") &&
	   contains(out_buf, "      -          -  "),
	   "--host table: HLT's percentiles and max; '-' for no buckets");

	ret = RUN(&env, "--host", "--pid", "4242", "--reason", "HLT", "--json");
	if (!ok(ret == KES_OK && json_lines_valid(out_buf) &&
		contains(out_buf, "\"p50_cycles\":3379,\"p90_cycles\":13763,\"p99_cycles\":2778345748,\"buckets\":[0,0,0,0,0,0,0,0,0,0,0,20,0,5,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1],\"max_cycles\":3000000000}") &&
		contains(out_buf, "\"total\":{\"count\":4294967796,"),
		"--host --json: the 32 buckets and max_cycles"))
		printf("# stdout: %s", out_buf);
	python_json_check(out_buf, "host --json with buckets");
}

/* Interval 1: 4 more HLT exits in [2048, 4096), none longer. */
static void hist_grows(unsigned int call, void *arg)
{
	u64 h[EXITSTATS_NR_BUCKETS];

	(void)arg;
	hlt_hist(h);
	h[11] += 4 * call;
	h[31] = 1;
	put_file(path_of("%s", "kvm/4242-11/exitstats_hist"),
		 hist_text(HLT_REASON, 3000000000ULL, h));
}

static void test_host_hist_watch(void)
{
	struct fake_sleep s = { .step = hist_grows };
	struct kes_env env = host_env(&s);
	int ret;

	make_tree();
	put_hist_4242();
	ret = RUN(&env, "--host", "--pid", "4242", "--watch", "1", "-n", "1",
		  "--json");
	/* 4 exits in [2048, 4096): p50 2048 + 2048 * 2 / 4 = 3072. */
	if (!ok(ret == KES_OK && json_lines_valid(out_buf) &&
		contains(out_buf, "\"total\":{\"count\":0,\"cycles\":0,\"avg_cycles\":0,\"p50_cycles\":3072,") &&
		contains(out_buf, "\"max_cycles\":null}"),
		"--watch: the interval's buckets; its max is unknown (null)"))
		printf("# stdout: %s", out_buf);
}

static void test_host_hist_bad(void)
{
	static const struct {
		const char *text, *msg, *what;
	} cases[] = {
		{ "12 HLT 5 1 2 3\n", "exitstats_hist:1: malformed line (expected",
		  "too few buckets" },
		{ "12 HLT 5 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 9\n",
		  "exitstats_hist:1: malformed line", "too many buckets" },
		{ "12 HLT 5 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 x\n",
		  "exitstats_hist:1: malformed line", "not a number" },
		{ "other 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\nbogus 1\n",
		  "exitstats_hist:2: malformed line", "an unknown line" },
		{ "12 CPUID 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		  "exitstats_hist:1: reason 12 is CPUID, expected HLT", "a wrong name" },
		{ "total 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
		  "total 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		  "exitstats_hist:2: total listed twice", "a line twice" },
		{ "12 HLT 5 0 0", "exitstats_hist:1: truncated line", "truncated" },
	};
	struct kes_env env = host_env(NULL);
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		make_tree();
		put_file(path_of("%s", "kvm/77-9/exitstats_hist"), cases[i].text);
		ret = RUN(&env, "--host");
		if (!ok(ret == KES_FAIL && !out_len && one_error_line(cases[i].msg) &&
			contains(err_buf, "kvm/77-9/exitstats_hist:"),
			"malformed exitstats_hist (%s): status 1, file and line named",
			cases[i].what))
			printf("# status %d, stderr: %s", ret, err_buf);
	}
	make_tree();
	put_file(path_of("%s", "kvm/77-9/exitstats_hist"),
		 "90 NEW_REASON 7 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1\n");
	ret = RUN(&env, "--host", "--pid", "77");
	ok(ret == KES_OK && !err_len,
	   "a reason beyond our table (a newer kernel) is skipped");
}

static void test_prom_hist(void)
{
	struct kes_env env = host_env(NULL);
	int ret;

	make_tree();
	put_hist_4242();
	env.tsc_hz = fake_tsc_hz;
	ret = RUN(&env, "--host", "--format", "prometheus");
	if (!ok(ret == KES_OK && !err_len && prom_grouped(out_buf) &&
		contains(out_buf, "\n# TYPE kvm_exitstats_exit_duration_cycles histogram\n") &&
		contains(out_buf, "\n# TYPE kvm_exitstats_exit_duration_seconds histogram\n"),
		"prometheus: the two histogram families, grouped"))
		printf("# %s", out_buf);
	ok(contains(out_buf, "\nkvm_exitstats_exit_duration_cycles_bucket{vm=\"we\\\"b1\",pid=\"4242\",reason=\"HLT\",code=\"12\",le=\"2\"} 0\n") &&
	   contains(out_buf, "\nkvm_exitstats_exit_duration_cycles_bucket{vm=\"we\\\"b1\",pid=\"4242\",reason=\"HLT\",code=\"12\",le=\"4096\"} 20\n") &&
	   contains(out_buf, "\nkvm_exitstats_exit_duration_cycles_bucket{vm=\"we\\\"b1\",pid=\"4242\",reason=\"HLT\",code=\"12\",le=\"8192\"} 20\n") &&
	   contains(out_buf, "\nkvm_exitstats_exit_duration_cycles_bucket{vm=\"we\\\"b1\",pid=\"4242\",reason=\"HLT\",code=\"12\",le=\"16384\"} 25\n") &&
	   contains(out_buf, "\nkvm_exitstats_exit_duration_cycles_bucket{vm=\"we\\\"b1\",pid=\"4242\",reason=\"HLT\",code=\"12\",le=\"2147483648\"} 25\n") &&
	   contains(out_buf, "\nkvm_exitstats_exit_duration_cycles_bucket{vm=\"we\\\"b1\",pid=\"4242\",reason=\"HLT\",code=\"12\",le=\"+Inf\"} 26\n") &&
	   contains(out_buf, "\nkvm_exitstats_exit_duration_cycles_sum{vm=\"we\\\"b1\",pid=\"4242\",reason=\"HLT\",code=\"12\"} 1000000\n") &&
	   contains(out_buf, "\nkvm_exitstats_exit_duration_cycles_count{vm=\"we\\\"b1\",pid=\"4242\",reason=\"HLT\",code=\"12\"} 26\n"),
	   "cycles histogram: cumulative buckets, le 2^(b+1), +Inf, _sum, _count");
	ok(occurrences(out_buf, "duration_cycles_bucket{vm=\"we\\\"b1\",pid=\"4242\",reason=\"HLT\"") == 32 &&
	   !contains(out_buf, "duration_cycles_bucket{vm=\"kvmtool\""),
	   "32 buckets a series; no histogram for VMs without exitstats_hist");
	ok(contains(out_buf, "\nkvm_exitstats_exit_duration_seconds_bucket{vm=\"we\\\"b1\",pid=\"4242\",reason=\"HLT\",code=\"12\",le=\"2.048e-06\"} 20\n") &&
	   contains(out_buf, "\nkvm_exitstats_exit_duration_seconds_sum{vm=\"we\\\"b1\",pid=\"4242\",reason=\"HLT\",code=\"12\"} 0.000500000\n"),
	   "seconds histogram: le and _sum divided by the TSC frequency");
	promtool_check(out_buf, "with histograms");

	env.tsc_hz = NULL;
	ret = RUN(&env, "--host", "--format", "prometheus");
	ok(ret == KES_OK && prom_grouped(out_buf) &&
	   contains(out_buf, "duration_cycles_count{") &&
	   !contains(out_buf, "seconds"),
	   "TSC frequency unknown: the cycles histogram only");
	promtool_check(out_buf, "with the cycles histogram only");
}

/* ---- AMD: the SVM table, in a guest and on the host ------------------ */

#define SVM_CPUID	0x072u	/* APM: VMEXIT_CPUID */
#define SVM_HLT		0x078u
#define SVM_NPF		0x400u

/* Our KVM on AMD, figures by slot (exitstats_svm_slot()). */
struct fake_amd {
	const char *vendor;		/* CPUID leaf 0's, 12 characters */
	bool stock;			/* stock KVM: zeros for our leaves */
	u64 count[EXITSTATS_SVM_NR_SLOTS];
	u64 cycles[EXITSTATS_SVM_NR_SLOTS];
	u64 hist[EXITSTATS_SVM_NR_SLOTS][EXITSTATS_NR_BUCKETS];
	u64 cpuid_cost;
	u8 handled[EXITSTATS_SVM_NR_SLOTS];
	unsigned int queries;
	u32 leaf[512], subleaf[512];	/* the queries, in order */
};

static void fake_amd_gather(void *ctx, int slot, struct exitstats_figures *f)
{
	struct fake_amd *k = ctx;
	bool all = slot == EXITSTATS_ALL;
	u32 s = all ? 1 : (u32)slot;
	u32 last = all ? EXITSTATS_SVM_NR_SLOTS - 1 : (u32)slot;
	int b;

	for (; s <= last; s++) {
		f->count += k->count[s];
		f->cycles += k->cycles[s];
		for (b = 0; b < EXITSTATS_NR_BUCKETS; b++)
			f->hist[b] += k->hist[s][b];
	}
}

/* Every query a CPUID exit (code 0x72), leaf 0 the vendor's name. */
static void fake_amd_cpuid(void *ctx, u32 leaf, u32 subleaf,
			   struct kes_cpuid_regs *r)
{
	struct fake_amd *k = ctx;
	u32 s = exitstats_svm_slot(SVM_CPUID);

	if (k->queries < ARRAY_SIZE(k->leaf)) {
		k->leaf[k->queries] = leaf;
		k->subleaf[k->queries] = subleaf;
	}
	k->queries++;
	k->count[s]++;
	r->eax = leaf;
	r->ecx = subleaf;
	if (!leaf) {
		r->eax = 0x10;
		memcpy(&r->ebx, k->vendor, 4);
		memcpy(&r->edx, k->vendor + 4, 4);
		memcpy(&r->ecx, k->vendor + 8, 4);
	} else if (k->stock ||
		   !exitstats_answer(&exitstats_isa_svm, leaf, &r->eax, &r->ebx,
				     &r->ecx, &r->edx, k->handled,
				     fake_amd_gather, k)) {
		*r = (struct kes_cpuid_regs){ 0 };
	}
	k->cycles[s] += k->cpuid_cost;
	k->hist[s][exitstats_bucket(k->cpuid_cost)]++;
}

static void fake_amd_init(struct fake_amd *k)
{
	memset(k, 0, sizeof(*k));
	k->vendor = "AuthenticAMD";
	k->cpuid_cost = 1000;
	memset(k->handled, 1, sizeof(k->handled));
}

static struct kes_env amd_guest_env(struct fake_amd *k)
{
	return (struct kes_env){
		.cpuid = fake_amd_cpuid, .cpuid_ctx = k,
		.debugfs = "/nonexistent", .proc = "/nonexistent",
		.sleep = fake_sleep,
	};
}

/* The line of the text table whose REASON is @code, or NULL. */
static const char *table_line(const char *s, const char *code)
{
	const char *p, *q;

	for (p = s; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		for (q = p; *q == ' '; q++)
			;
		if (!strncmp(q, code, strlen(code)) && q[strlen(code)] == ' ')
			return q;
	}
	return NULL;
}

/* Line @l's first words are @want's (blanks between them squeezed). */
static bool words(const char *l, const char *want)
{
	char got[512];
	size_t n = 0;

	for (; l && *l && *l != '\n' && n < sizeof(got) - 1; l++)
		if (*l != ' ' || (n && got[n - 1] != ' '))
			got[n++] = *l;
	got[n] = '\0';
	return l && !strncmp(got, want, strlen(want)) &&
	       (got[strlen(want)] == ' ' || !got[strlen(want)]);
}

static void test_amd_guest_detect(void)
{
	const struct exitstats_isa *isa = NULL;
	char err[KES_ERRLEN];
	struct fake_amd k;
	struct kes_env env;

	fake_amd_init(&k);
	env = amd_guest_env(&k);
	ok(!kes_guest_detect(&env, &isa, err) && isa == &exitstats_isa_svm &&
	   k.queries == 4,
	   "AMD: the SVM table after 4 queries");
	ok(k.leaf[0] == 0x4FFFFFFD && k.subleaf[0] == 35 && k.leaf[1] == 0 &&
	   k.leaf[2] == 0x4FFFFFFD && k.subleaf[2] == 0x3FF &&
	   k.leaf[3] == 0x4FFFFFFC && k.subleaf[3] == 0xFFFFFFFE,
	   "AMD: 0x4FFFFFFD/35 (DR3_READ: answered), leaf 0, 0x4FFFFFFD/0x3FF, 0x4FFFFFFC/0xFFFFFFFE");

	fake_amd_init(&k);
	k.vendor = "HygonGenuine";
	ok(!kes_guest_detect(&env, &isa, err) && isa == &exitstats_isa_svm,
	   "Hygon: the SVM table");

	fake_amd_init(&k);
	k.vendor = "GenuineIntel";
	ok(kes_guest_detect(&env, &isa, err) &&
	   contains(err, "CPUID 0x4FFFFFFD ECX=35 gave 00000000 00000000 00000000 00000000") &&
	   k.queries == 2,
	   "an SVM table behind an Intel vendor string: not taken, the VMX probe's message");

	fake_amd_init(&k);
	k.stock = true;
	ok(RUN(&env, NULL) == KES_FAIL && !out_len &&
	   one_error_line("CPUID 0x4FFFFFFD ECX=1023 gave 00000000 00000000 00000000 00000000, expected"),
	   "stock KVM on AMD: status 1, the SVM probe's answer");
}

/* The figures of the AMD guest below, by hand. */
static void amd_guest_figures(struct fake_amd *k)
{
	fake_amd_init(k);
	k->count[exitstats_svm_slot(SVM_HLT)] = 1000;
	k->cycles[exitstats_svm_slot(SVM_HLT)] = 2000000;
	k->hist[exitstats_svm_slot(SVM_HLT)][10] = 1000;
	k->count[exitstats_svm_slot(SVM_NPF)] = 50;
	k->cycles[exitstats_svm_slot(SVM_NPF)] = 250000;
	k->hist[exitstats_svm_slot(SVM_NPF)][12] = 50;
	k->count[exitstats_svm_slot(EXITSTATS_SVM_SW)] = 7;
	k->cycles[exitstats_svm_slot(EXITSTATS_SVM_SW)] = 700;
	k->hist[exitstats_svm_slot(EXITSTATS_SVM_SW)][6] = 7;
}

static void test_amd_guest_read(void)
{
	struct kes_table t;
	char err[KES_ERRLEN];
	struct fake_amd k;
	struct kes_env env;
	int row;

	amd_guest_figures(&k);
	env = amd_guest_env(&k);
	ok(!kes_guest_read_isa(&env, &exitstats_isa_svm, -1, &t, err) &&
	   t.isa == &exitstats_isa_svm, "AMD: a full reading");
	/*
	 * 173 codes, 2 queries each; buckets (32) for CPUID (0x072), HLT and
	 * NPF, none for SW (0xF0000000): it does not fit ECX[15:0]; totals 2.
	 */
	is_u64(k.queries, 2 * 173 + 3 * 32 + 2,
	       "AMD: 2 queries per code, 32 per code with exits up to 0xFFFF, 2 totals");
	/*
	 * Query 2c is 0x4FFFFFFD/c up to CPUID, whose 32 buckets come next,
	 * as HLT's: 0x0A6 is query 2 * 0xA6 + 64, row 167 (0x400) 2 * 167 +
	 * 64, after NPF's buckets row 171 (SW) 2 * 171 + 96, 172 (INVALID)
	 * right after it, then the totals.
	 */
	ok(k.leaf[0] == 0x4FFFFFFD && k.subleaf[0] == 0x000 &&
	   k.leaf[2 * 0xA6 + 65] == 0x4FFFFFFC && k.subleaf[2 * 0xA6 + 65] == 0x0A6 &&
	   k.subleaf[2 * 167 + 64] == 0x400 &&
	   k.subleaf[2 * 171 + 96] == 0xF0000000 &&
	   k.subleaf[2 * 171 + 97] == 0xF0000000 &&
	   k.subleaf[2 * 172 + 96] == 0xFFFFFFFF &&
	   k.leaf[2 * 173 + 96] == 0x4FFFFFFF,
	   "AMD: codes walked ascending (buckets aside), 0x000 ... 0x0A6, 0x400 ... 0x403, 0xF0000000, 0xFFFFFFFF");
	row = kes_row_of(&exitstats_isa_svm, SVM_HLT);
	ok(row == 0x78 && t.count[row] == 1000 && t.cycles[row] == 2000000 &&
	   t.hist[row][10] == 1000, "AMD: HLT (0x078) in row 0x78");
	row = kes_row_of(&exitstats_isa_svm, SVM_NPF);
	ok(row == 167 && t.count[row] == 50 && t.hist[row][12] == 50 &&
	   !t.no_hist[row], "AMD: NPF (0x400) in row 167, with its buckets");
	row = kes_row_of(&exitstats_isa_svm, EXITSTATS_SVM_SW);
	ok(row == 171 && t.count[row] == 7 && t.cycles[row] == 700 &&
	   t.no_hist[row] && !t.hist[row][6],
	   "AMD: SW (0xF0000000): count and cycles, no buckets");
	ok(t.has_hist && !t.has_total_hist,
	   "AMD: SW has exits without buckets: the total's buckets unknown");
}

static void test_amd_guest_run(void)
{
	struct fake_amd k;
	struct kes_env env;
	const char *l;
	int ret;

	amd_guest_figures(&k);
	env = amd_guest_env(&k);
	ret = RUN(&env, NULL);
	l = table_line(out_buf, "0x078");
	ok(ret == KES_OK && !err_len && starts(out_buf, "    REASON ") &&
	   starts(l, "0x078 HLT ") &&
	   starts(table_line(out_buf, "0x400"), "0x400 NPF ") &&
	   starts(table_line(out_buf, "0x072"), "0x072 CPUID ") &&
	   !contains(out_buf, " HLT_"),
	   "AMD guest table: REASON in hex, the APM's names");
	if (!ok(words(l, "0x078 HLT 1000 2000000 2000 1536 1946 2038"),
		"AMD guest table: HLT's figures and percentiles"))
		printf("# stdout:\n%s", out_buf);
	l = table_line(out_buf, "0xF0000000");
	if (!ok(words(l, "0xF0000000 SW 7 700 100 - - -"),
		"AMD guest: SW's buckets cannot be read: P50 P90 P99 '-'"))
		printf("# stdout:\n%s", out_buf);

	amd_guest_figures(&k);
	ret = RUN(&env, "--reason", "CPUID", "--json");
	/*
	 * 0x4FFFFFFD/0x072 is the 5th query: 0x4FFFFFFD/35, leaf 0 and the
	 * 2 SVM probes before it.  Then 0x4FFFFFFC/0x072 (5 finished, 5000
	 * cycles), 32 buckets (bucket 9 is query 16: 15 finished, all in
	 * [512, 1024): p50 512 + 512 * 7.5 / 15 = 768, p90 972.8, p99
	 * 1018.88), the totals: 0x4FFFFFFF is query 39, 0x4FFFFFFE sees 39
	 * finished exits, 39000 cycles, and the others' 2250700.
	 */
	if (!ok(ret == KES_OK && json_lines_valid(out_buf) &&
		contains(out_buf, "\"reasons\":[{\"reason\":114,\"name\":\"CPUID\",\"count\":5,\"cycles\":5000,\"avg_cycles\":1000,") &&
		contains(out_buf, "\"p50_cycles\":768,\"p90_cycles\":973,\"p99_cycles\":1019,\"buckets\":[0,0,0,0,0,0,0,0,0,15,") &&
		contains(out_buf, "\"total\":{\"count\":1096,\"cycles\":2289700,") &&
		contains(out_buf, ",\"isa\":\"SVM\"}\n") && k.queries == 40,
		"AMD guest --reason CPUID --json: code 114 (0x72), 40 queries"))
		printf("# %u queries, stdout: %s", k.queries, out_buf);
	python_json_check(out_buf, "AMD guest --json");

	amd_guest_figures(&k);
	ret = RUN(&env, "--reason", "0x400", "--json");
	ok(ret == KES_OK &&
	   contains(out_buf, "\"reasons\":[{\"reason\":1024,\"name\":\"NPF\",\"count\":50,"),
	   "AMD guest --reason 0x400: NPF");
	ret = RUN(&env, "--reason", "35");
	ok(ret == KES_OK && words(table_line(out_buf, "0x023"), "0x023 DR3_READ 0 0 0"),
	   "AMD guest --reason 35: DR3_READ (0x023), not an SDM hole");
	ret = RUN(&env, "--reason", "ept_violation");
	ok(ret == KES_USAGE && !out_len &&
	   one_error_line("invalid --reason 'ept_violation': not an exit code the AMD APM defines"),
	   "AMD guest --reason EPT_VIOLATION: status 2");
	ret = RUN(&env, "--reason", "0x3FF");
	ok(ret == KES_USAGE && one_error_line("not an exit reason the SDM (Intel) or the APM (AMD) defines"),
	   "--reason 0x3FF: neither ISA's, status 2 before any query");

	amd_guest_figures(&k);
	ret = RUN(&env, "--hist", "sw");
	ok(ret == KES_OK &&
	   !strcmp(out_buf, "SW (0xF0000000): no latency buckets: leaf 0x4FFFFFFB takes codes up to 0xFFFF only (see them with --host)\n"),
	   "AMD guest --hist SW: no buckets through CPUID, said so");
	amd_guest_figures(&k);
	ret = RUN(&env, "--hist", "NPF");
	ok(ret == KES_OK &&
	   starts(out_buf, "NPF (0x400): 50 exits, cycles p50 6144 p90 7782 p99 8151\n") &&
	   contains(out_buf, "[4096, 8192)     50  100.00 ########################################\n"),
	   "AMD guest --hist NPF: its buckets");
}

/* An SVM exitstats as kvm-amd prints it: every code, decimal. */
static char *svm_table_text(const u64 *count, const u64 *cycles)
{
	static char buf[16384];
	size_t n = 0;
	u32 r;

	buf[0] = '\0';
	for (r = 0; r < kes_nr_rows(&exitstats_isa_svm); r++)
		n += snprintf(buf + n, sizeof(buf) - n,
			      "%u %s %" PRIu64 " %" PRIu64 "\n",
			      exitstats_isa_svm.reason(r + 1),
			      kes_row_name(&exitstats_isa_svm, r), count[r],
			      cycles[r]);
	n += snprintf(buf + n, sizeof(buf) - n, "other 3 33\n");
	return buf;
}

/*
 * A host with an AMD VM, 900-5 "amd", next to an Intel one, 4242-11
 * (mixed hosts do not exist, but each table is read on its own): CPUID
 * 300 exits, 600000 cycles; HLT 28, 103500; NPF 50, 250000; INVALID 1,
 * 10; 3 exits of codes without a slot, 33 cycles.
 */
static void make_amd_tree(void)
{
	u64 count[KES_NR_ROWS] = { 0 }, cycles[KES_NR_ROWS] = { 0 };
	char hist[16384];
	size_t n = 0;
	u32 r;
	int b;

	make_tree();
	mkdir(path_of("%s", "kvm/900-5"), 0755);
	mkdir(path_of("%s", "proc/900"), 0755);
	put_bytes(path_of("%s", "proc/900/cmdline"), "qemu\0-name\0amd\0", 15);
	count[0x72] = 300;
	cycles[0x72] = 600000;
	count[0x78] = 28;
	cycles[0x78] = 103500;
	count[167] = 50;		/* NPF */
	cycles[167] = 250000;
	count[172] = 1;			/* INVALID */
	cycles[172] = 10;
	put_file(path_of("%s", "kvm/900-5/exitstats"),
		 svm_table_text(count, cycles));
	/* HLT: 20 in [2048, 4096), 8 in [8192, 16384), the longest 16000. */
	for (r = 0; r < kes_nr_rows(&exitstats_isa_svm); r++) {
		n += snprintf(hist + n, sizeof(hist) - n, "%u %s %u",
			      exitstats_isa_svm.reason(r + 1),
			      kes_row_name(&exitstats_isa_svm, r),
			      r == 0x78 ? 16000u : 0u);
		for (b = 0; b < EXITSTATS_NR_BUCKETS; b++)
			n += snprintf(hist + n, sizeof(hist) - n, " %d",
				      r != 0x78 ? 0 : b == 11 ? 20 : b == 13 ? 8 : 0);
		n += snprintf(hist + n, sizeof(hist) - n, "\n");
	}
	put_file(path_of("%s", "kvm/900-5/exitstats_hist"), hist);
}

static void test_amd_parse(void)
{
	struct kes_table t;
	char err[KES_ERRLEN];
	static const char sw[] = "4026531840 SW 4 40\n";
	static const char vmx_hist[] = "10 CPUID 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
	const char *s;

#define PARSE_TABLE(text) (s = (text), kes_parse_table(s, strlen(s), &t, "f", err))
	ok(!PARSE_TABLE("10 CPUID 5 6\n") &&
	   kes_isa(&t) == &exitstats_isa_vmx && t.count[10] == 5,
	   "'10 CPUID': the VMX table");
	ok(!PARSE_TABLE("114 CPUID 5 6\n") &&
	   t.isa == &exitstats_isa_svm && t.count[0x72] == 5 &&
	   t.cycles[0x72] == 6, "'114 CPUID': the SVM table, row 0x72");
	ok(!PARSE_TABLE("10 CR10_READ 1 2\n1024 NPF 3 4\n") &&
	   t.isa == &exitstats_isa_svm && t.count[10] == 1 && t.count[167] == 3,
	   "'10 CR10_READ': SVM too; NPF (1024) in row 167");
	ok(!PARSE_TABLE(sw) &&
	   t.isa == &exitstats_isa_svm && t.count[171] == 4,
	   "SW (0xF0000000) in row 171");
	ok(!PARSE_TABLE("114 CPUID 1 2\n1200 NEWCODE 5 6\n") &&
	   t.total_count == 1, "an SVM code without a slot (newer APM): skipped");
	ok(PARSE_TABLE("114 CPUID 1 2\n120 HALT 1 2\n") &&
	   contains(err, "f:2: reason 120 is HALT, expected HLT"),
	   "an SVM table with a wrong name: tables differ");
	ok(!PARSE_TABLE("114 CPUID 1 2\n") &&
	   kes_parse_hist(vmx_hist, strlen(vmx_hist), &t, "h", err) &&
	   contains(err, "h: VMX reasons, but exitstats has SVM's"),
	   "exitstats_hist of the other ISA: refused");
#undef PARSE_TABLE
}

static void test_amd_host(void)
{
	struct kes_env env = host_env(NULL);
	struct kes_vm *v = NULL;
	char err[KES_ERRLEN];
	const char *vm;
	size_t n = 0;
	int ret;

	make_amd_tree();
	ok(!kes_host_read(&env, 900, &v, &n, err) && n == 1 &&
	   v[0].t.isa == &exitstats_isa_svm && v[0].t.count[0x72] == 300 &&
	   v[0].t.total_count == 300 + 28 + 50 + 1 + 3 &&
	   v[0].t.hist[0x78][13] == 8 && v[0].t.max[0x78] == 16000,
	   "AMD VM: the SVM table, its counts and buckets");
	free(v);

	ret = RUN(&env, "--host");
	vm = strstr(out_buf, "VM 900-5  pid 900  name amd\n");
	if (!ok(ret == KES_OK && vm &&
		words(table_line(vm, "0x072"), "0x072 CPUID 300 600000 2000 - - - -") &&
		words(table_line(vm, "0x078"), "0x078 HLT 28 103500 3696 3482 13517 16000 16000 7.33") &&
		words(table_line(vm, "0x400"), "0x400 NPF 50 250000 5000 - - - -") &&
		words(table_line(vm, "0xFFFFFFFF"), "0xFFFFFFFF INVALID 1 10 10 - - - -") &&
		has_row(strstr(out_buf, "VM 4242-11"), HLT_REASON, 500, 1000000, 2000),
		"--host: the AMD VM's table in SVM codes (hex) and names, the Intel VM's as before"))
		printf("# stdout:\n%s", out_buf);

	ret = RUN(&env, "--host", "--reason", "HLT", "--json");
	if (!ok(ret == KES_OK && json_lines_valid(out_buf) &&
		contains(out_buf, "\"name\":\"amd\",\"reasons\":[{\"reason\":120,\"name\":\"HLT\",\"count\":28,\"cycles\":103500,\"avg_cycles\":3696,\"exits_pct\":7.33,") &&
		contains(out_buf, "\"reasons\":[{\"reason\":12,\"name\":\"HLT\",\"count\":500,") &&
		contains(out_buf, "\"max_cycles\":16000}],\"total\":{\"count\":382,") &&
		contains(out_buf, "\"isa\":\"SVM\"}") && contains(out_buf, "\"isa\":\"VMX\"}"),
		"--host --reason HLT --json: each VM's own HLT, 120 on AMD, 12 on Intel"))
		printf("# stdout: %s", out_buf);
	python_json_check(out_buf, "AMD host --json");

	ret = RUN(&env, "--host", "--pid", "900", "--reason", "10");
	ok(ret == KES_OK && words(table_line(out_buf, "0x00A"), "0x00A CR10_READ 0 0 0 - - - -"),
	   "--host --reason 10 on AMD: CR10_READ (0x00A), shown at 0");
	ret = RUN(&env, "--host", "--pid", "900", "--reason", "EPT_VIOLATION");
	ok(ret == KES_USAGE && !out_len &&
	   one_error_line("invalid --reason 'EPT_VIOLATION': not an exit code the AMD APM defines"),
	   "--host --reason EPT_VIOLATION on AMD: status 2");
	ret = RUN(&env, "--host", "--pid", "4242", "--reason", "npf");
	ok(ret == KES_USAGE && one_error_line("not an exit reason the SDM defines"),
	   "--host --reason NPF on Intel: status 2");

	ret = RUN(&env, "--host", "--pid", "900", "--hist", "0x78", "--tsc-hz", "2e9");
	if (!ok(ret == KES_OK &&
		contains(out_buf, "\nHLT (0x078): 28 exits, cycles p50 3482 p90 13517 p99 16000 max 16000\n") &&
		contains(out_buf, "\n[8192, 16384)  [4.096, 8.192)      8   28.57 ################\n"),
		"--host --hist 0x78 on AMD: HLT's buckets"))
		printf("# stdout:\n%s", out_buf);

	env.tsc_hz = fake_tsc_hz;
	ret = RUN(&env, "--host", "--format", "prometheus", "--pid", "900");
	if (!ok(ret == KES_OK && prom_grouped(out_buf) &&
		contains(out_buf, "\nkvm_exitstats_exits_total{vm=\"amd\",pid=\"900\",reason=\"CPUID\",code=\"0x072\"} 300\n") &&
		contains(out_buf, "\nkvm_exitstats_exits_total{vm=\"amd\",pid=\"900\",reason=\"INVALID\",code=\"0xFFFFFFFF\"} 1\n") &&
		contains(out_buf, "\nkvm_exitstats_exit_duration_cycles_bucket{vm=\"amd\",pid=\"900\",reason=\"HLT\",code=\"0x078\",le=\"+Inf\"} 28\n") &&
		contains(out_buf, "\nkvm_exitstats_exit_seconds_total{vm=\"amd\",pid=\"900\",reason=\"NPF\",code=\"0x400\"} 0.000125000\n") &&
		contains(out_buf, "# HELP kvm_exitstats_exits_total VM exits since the VM was created, per exit reason: the VMX basic exit reason on Intel (SDM Vol. 3D Appendix C), the SVM exit code on AMD (APM Vol. 2 Appendix C).\n"),
		"prometheus on AMD: the APM's names, hex codes, HELP for both ISAs"))
		printf("# stdout:\n%s", out_buf);
	promtool_check(out_buf, "on an AMD VM");
}

static void test_usage_runs(void)
{
	struct kes_env env = host_env(NULL);
	int ret;

	ret = RUN(&env, "--help");
	ok(ret == KES_OK && !strncmp(out_buf, "Usage: kvm-exitstats", 20) &&
	   !err_len, "--help: usage on stdout, status 0");
	ret = RUN(&env, "-V");
	ok(ret == KES_OK && !strncmp(out_buf, "kvm-exitstats ", 14),
	   "--version: status 0");
	ret = RUN(&env, "--sort", "bogus");
	ok(ret == KES_USAGE && !out_len &&
	   !strcmp(err_buf, "kvm-exitstats: invalid --sort 'bogus': expected count, cycles, avg or reason (try --help)\n"),
	   "bad value: status 2, one line on stderr");
	ret = RUN(&env, "--frobnicate");
	ok(ret == KES_USAGE && one_error_line("unknown option '--frobnicate'"),
	   "unknown option: status 2");
}

int main(void)
{
	char cmd[PATH_MAX + 16];

	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmp, sizeof(tmp), "/tmp/kes-test-XXXXXX");
	if (!mkdtemp(tmp)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(kvm_dir, sizeof(kvm_dir), "%s/kvm", tmp);
	snprintf(proc_dir, sizeof(proc_dir), "%s/proc", tmp);
	snprintf(sys_dir, sizeof(sys_dir), "%s/sys", tmp);
	have_python = !system("python3 -c '' 2>/dev/null");
	have_promtool = !system("promtool --version >/dev/null 2>&1");

	test_options_good();
	test_options_bad();
	test_parse_good();
	test_parse_bad();
	test_qemu_name();
	test_math();
	test_sort();
	test_text();
	test_json_validator();
	test_json_strings();
	test_guest_detection();
	test_guest_read();
	test_guest_run();
	test_delta();
	test_guest_watch();
	test_host_read();
	test_host_run();
	test_host_watch();
	test_host_watch_dying();
	test_host_errors();
	test_host_vm();
	test_prometheus();
	test_percentiles();
	test_text_latency();
	test_guest_hist();
	test_host_hist();
	test_host_hist_watch();
	test_host_hist_bad();
	test_prom_hist();
	test_amd_guest_detect();
	test_amd_guest_read();
	test_amd_guest_run();
	test_amd_parse();
	test_amd_host();
	test_usage_runs();

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		printf("# could not remove %s\n", tmp);
	free(out_buf);
	free(err_buf);
	return done_testing();
}
