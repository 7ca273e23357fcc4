// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats tool: the table of one VM.  Derives the rows shown from the
 * raw figures (averages, shares, percentiles, selection, order), the
 * deltas --watch shows, and prints a table as text or as JSON members, or
 * one reason's latency histogram (--hist).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kes.h"

const unsigned int kes_pct_permille[KES_NR_PCTS] = { 500, 900, 990 };

/* ---- the two ISAs ------------------------------------------------------ */

const struct exitstats_isa *kes_isa(const struct kes_table *t)
{
	return t->isa ? t->isa : &exitstats_isa_vmx;
}

bool kes_is_svm(const struct exitstats_isa *isa)
{
	return isa == &exitstats_isa_svm;
}

/* Rows: the slots between the idle and the other slot. */
u32 kes_nr_rows(const struct exitstats_isa *isa)
{
	return isa->nr_slots - 2;
}

/* @reason's row, or -1 if @isa's manual does not define it. */
int kes_row_of(const struct exitstats_isa *isa, u64 reason)
{
	u32 slot;

	if (reason > 0xFFFFFFFFu)
		return -1;
	slot = isa->slot(reason);
	if (slot == EXITSTATS_SLOT_IDLE || slot >= exitstats_slot_other(isa) ||
	    !isa->names[slot] || isa->reason(slot) != reason)
		return -1;
	return slot - 1;
}

/* Row @row's name, or NULL: a hole in the manual's numbering. */
const char *kes_row_name(const struct exitstats_isa *isa, u32 row)
{
	return row < kes_nr_rows(isa) ? isa->names[row + 1] : NULL;
}

/*
 * A code as the REASON column shows it: the SDM's basic exit reasons in
 * decimal, SVM exit codes in hex as the APM writes them (0x078).
 */
void kes_code_str(char *buf, size_t size, const struct exitstats_isa *isa,
		  u32 reason)
{
	if (kes_is_svm(isa))
		snprintf(buf, size, "0x%03" PRIX32, reason);
	else
		snprintf(buf, size, "%" PRIu32, reason);
}

/*
 * A reason of @isa by its name (any case) or number (decimal, or hex with
 * 0x; no sign, no blanks).  0 with *code; -1 if @s is neither a name @isa
 * has nor a number; -2 if @isa does not define that number.
 */
int kes_lookup_reason(const struct exitstats_isa *isa, const char *s,
		      long long *code)
{
	unsigned long long v;
	int base = 10, row;
	const char *name;
	char *end;
	u32 r;

	for (r = 0; r < kes_nr_rows(isa); r++) {
		name = kes_row_name(isa, r);
		if (name && !strcasecmp(s, name)) {
			*code = isa->reason(r + 1);
			return 0;
		}
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!(base == 16 ? isxdigit((unsigned char)*s) :
			   isdigit((unsigned char)*s)))
		return -1;
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end)
		return -1;
	row = errno ? -1 : kes_row_of(isa, v);
	if (row < 0)
		return -2;
	*code = v;
	return 0;
}

/*
 * --reason (or with @hist --hist) as a code of @isa: the value resolved
 * for o->isa if that is @isa (or the value alone, set by number), else the
 * argument looked up in @isa; -1 if not given, KES_CODE_NONE if @isa does
 * not define it.
 */
long long kes_opt_code(const struct kes_opts *o, bool hist,
		       const struct exitstats_isa *isa)
{
	const char *arg = hist ? o->hist_arg : o->reason_arg;
	long long v = hist ? o->hist : o->reason;

	if (!arg || o->isa == isa)
		return v;
	return kes_lookup_reason(isa, arg, &v) ? KES_CODE_NONE : v;
}

/* ---- figures ----------------------------------------------------------- */

u64 kes_avg(u64 cycles, u64 count)
{
	return count ? cycles / count : 0;
}

double kes_pct(u64 part, u64 whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* The totals as the sum of the rows and of the exits without one. */
void kes_table_sum(struct kes_table *t)
{
	u32 r;

	t->total_count = t->other_count;
	t->total_cycles = t->other_cycles;
	for (r = 0; r < KES_NR_ROWS; r++) {
		t->total_count += t->count[r];
		t->total_cycles += t->cycles[r];
	}
}

/*
 * Counters only grow while a VM lives; one that went backwards belongs to
 * a new VM (or a reloaded module), whose whole figure is new.
 */
static u64 delta(u64 cur, u64 prev)
{
	return cur >= prev ? cur - prev : cur;
}

static void hist_delta(u64 *d, const u64 *cur, const u64 *prev)
{
	int b;

	for (b = 0; b < KES_NR_BUCKETS; b++)
		d[b] = delta(cur[b], prev[b]);
}

/*
 * The buckets of an interval are the differences; its longest exit is
 * unknown (has_max false).  @d may be @cur.
 */
void kes_table_delta(struct kes_table *d, const struct kes_table *cur,
		     const struct kes_table *prev)
{
	u32 r;

	d->isa = cur->isa;
	for (r = 0; r < KES_NR_ROWS; r++) {
		d->no_hist[r] = cur->no_hist[r] || prev->no_hist[r];
		d->count[r] = delta(cur->count[r], prev->count[r]);
		d->cycles[r] = delta(cur->cycles[r], prev->cycles[r]);
		hist_delta(d->hist[r], cur->hist[r], prev->hist[r]);
		d->max[r] = 0;
	}
	d->other_count = delta(cur->other_count, prev->other_count);
	d->other_cycles = delta(cur->other_cycles, prev->other_cycles);
	d->total_count = delta(cur->total_count, prev->total_count);
	d->total_cycles = delta(cur->total_cycles, prev->total_cycles);
	hist_delta(d->other_hist, cur->other_hist, prev->other_hist);
	hist_delta(d->total_hist, cur->total_hist, prev->total_hist);
	d->has_hist = cur->has_hist && prev->has_hist;
	d->has_total_hist = cur->has_total_hist && prev->has_total_hist;
	d->has_max = false;
	d->other_max = d->total_max = 0;
}

u64 kes_hist_sum(const u64 *hist)
{
	u64 n = 0;
	int b;

	for (b = 0; b < KES_NR_BUCKETS; b++)
		n += hist[b];
	return n;
}

/* Bucket @b spans [*lo, *hi) cycles; the last one has no upper end. */
static void bucket_range(int b, bool has_max, u64 max, double *lo, double *hi)
{
	*lo = b ? (double)(1ULL << b) : 0;
	*hi = (double)(1ULL << (b + 1));
	if (b == KES_NR_BUCKETS - 1 && has_max && max >= 1ULL << b)
		*hi = (double)max;
}

/*
 * The @permille/1000 quantile of the exits in @hist, in cycles: the rank
 * n * q falls in the first bucket whose cumulative count reaches it, and
 * the value is interpolated linearly inside that bucket, [0, 2) for bucket
 * 0, [2^b, 2^(b+1)) for bucket b, [2^31, max] for the last one when @max
 * is known (has_max), else [2^31, 2^32).  With @max known, never more than
 * @max.  False if @hist holds no exit.
 */
bool kes_percentile(const u64 *hist, bool has_max, u64 max,
		    unsigned int permille, double *val)
{
	unsigned __int128 rank, cum = 0;	/* in thousandths of an exit */
	double lo, hi;
	u64 n = kes_hist_sum(hist);
	int b;

	if (!n)
		return false;
	rank = (unsigned __int128)n * permille;
	for (b = 0; b < KES_NR_BUCKETS; b++) {
		if (!hist[b] || cum + (unsigned __int128)hist[b] * 1000 < rank) {
			cum += (unsigned __int128)hist[b] * 1000;
			continue;
		}
		bucket_range(b, has_max, max, &lo, &hi);
		*val = lo + (hi - lo) * (double)(rank - cum) /
			    ((double)hist[b] * 1000);
		if (has_max && *val > (double)max)
			*val = (double)max;
		return true;
	}
	return false;	/* not reached: the last bucket reaches n */
}

static void fill_row(struct kes_row *row, u32 reason, u64 count, u64 cycles,
		     const u64 *hist, u64 max, const struct kes_table *t)
{
	int i;

	row->reason = reason;
	row->name = NULL;
	row->count = count;
	row->cycles = cycles;
	row->avg = kes_avg(cycles, count);
	row->count_pct = kes_pct(count, t->total_count);
	row->cycles_pct = kes_pct(cycles, t->total_cycles);
	row->hist = hist;
	row->has_max = t->has_max;
	row->max = t->has_max ? max : 0;
	row->has_pct = !!hist;
	for (i = 0; i < KES_NR_PCTS; i++) {
		row->pct[i] = 0;
		if (row->has_pct)
			row->has_pct = kes_percentile(hist, t->has_max, max,
						      kes_pct_permille[i],
						      &row->pct[i]);
	}
}

void kes_total_row(const struct kes_table *t, struct kes_row *row)
{
	fill_row(row, 0, t->total_count, t->total_cycles,
		 t->has_total_hist ? t->total_hist : NULL, t->total_max, t);
}

/* Larger first for the figures, then the reason number, ascending. */
static int cmp_u64(u64 a, u64 b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int row_cmp(const struct kes_row *a, const struct kes_row *b,
		   enum kes_sort sort)
{
	int c = 0;

	switch (sort) {
	case KES_SORT_COUNT:
		c = cmp_u64(a->count, b->count);
		break;
	case KES_SORT_CYCLES:
		c = cmp_u64(a->cycles, b->cycles);
		break;
	case KES_SORT_AVG:
		c = cmp_u64(a->avg, b->avg);
		break;
	case KES_SORT_REASON:
		break;
	}
	if (c)
		return c;
	return a->reason < b->reason ? -1 : a->reason > b->reason;
}

/*
 * The rows to show, in order: reasons the ISA's manual defines only; just
 * o->reason if set (even at zero; none if the table's ISA lacks it), else
 * those with exits unless o->all.  @rows has room for KES_NR_ROWS.
 * Returns how many.
 */
size_t kes_rows(const struct kes_table *t, const struct kes_opts *o,
		struct kes_row *rows)
{
	const struct exitstats_isa *isa = kes_isa(t);
	long long want = kes_opt_code(o, false, isa);
	struct kes_row row;
	size_t n = 0, i;
	u32 r, code;

	for (r = 0; r < kes_nr_rows(isa); r++) {
		if (!kes_row_name(isa, r))
			continue;
		code = isa->reason(r + 1);
		if (want != -1 && (want < 0 || code != want))
			continue;
		if (want < 0 && !o->all && !t->count[r])
			continue;
		fill_row(&row, code, t->count[r], t->cycles[r],
			 t->has_hist && !t->no_hist[r] ? t->hist[r] : NULL,
			 t->max[r], t);
		row.name = kes_row_name(isa, r);
		/* Insertion sort: at most 173 rows, and stable. */
		for (i = n; i > 0 && row_cmp(&row, &rows[i - 1], o->sort) < 0; i--)
			rows[i] = rows[i - 1];
		rows[i] = row;
		n++;
	}
	return n;
}

static int digits(u64 v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

#define COL_REASON	6	/* strlen("REASON") */
#define COL_PCT		7	/* strlen("CYCLES%"), fits "100.00" */
#define FIG_LEN		24	/* a u64 or a rounded cycle count, and NUL */

/* The latency columns of a row: P50, P90, P99 and MAX; "-" if unknown. */
struct lat_cells {
	char c[KES_NR_PCTS + 1][FIG_LEN];
};

static void lat_cells(const struct kes_row *row, struct lat_cells *l)
{
	int i;

	for (i = 0; i < KES_NR_PCTS; i++)
		if (row->has_pct)
			snprintf(l->c[i], FIG_LEN, "%.0f", row->pct[i]);
		else
			snprintf(l->c[i], FIG_LEN, "-");
	if (row->has_max && row->hist && kes_hist_sum(row->hist))
		snprintf(l->c[KES_NR_PCTS], FIG_LEN, "%" PRIu64, row->max);
	else
		snprintf(l->c[KES_NR_PCTS], FIG_LEN, "-");
}

static const char *const lat_heads[KES_NR_PCTS + 1] = {
	"P50", "P90", "P99", "MAX"
};

/*
 * Columns: reason, name, count, cycles, the average, p50, p90 and p99
 * (cycles, from the buckets), on the host the longest exit, then the
 * shares.
 */
void kes_print_table(FILE *f, const struct kes_table *t,
		     const struct kes_opts *o)
{
	struct kes_row rows[KES_NR_ROWS], total;
	struct lat_cells lat[KES_NR_ROWS], total_lat;
	char code[KES_NR_ROWS][FIG_LEN];
	int wname = strlen("TOTAL"), wcount, wcycles, wavg;
	int wlat[KES_NR_PCTS + 1], nlat = KES_NR_PCTS + (o->host ? 1 : 0);
	int wcode = COL_REASON;
	size_t n, i;
	int j;

	n = kes_rows(t, o, rows);
	kes_total_row(t, &total);
	lat_cells(&total, &total_lat);
	/* The total is the widest figure unless a reason's counter wrapped. */
	wcount = max_int(strlen("COUNT"), digits(total.count));
	wcycles = max_int(strlen("CYCLES"), digits(total.cycles));
	wavg = max_int(strlen("AVG"), digits(total.avg));
	for (j = 0; j < nlat; j++)
		wlat[j] = max_int(strlen(lat_heads[j]), strlen(total_lat.c[j]));
	for (i = 0; i < n; i++) {
		kes_code_str(code[i], FIG_LEN, kes_isa(t), rows[i].reason);
		wcode = max_int(wcode, strlen(code[i]));
		wname = max_int(wname, strlen(rows[i].name));
		wcount = max_int(wcount, digits(rows[i].count));
		wcycles = max_int(wcycles, digits(rows[i].cycles));
		wavg = max_int(wavg, digits(rows[i].avg));
		lat_cells(&rows[i], &lat[i]);
		for (j = 0; j < nlat; j++)
			wlat[j] = max_int(wlat[j], strlen(lat[i].c[j]));
	}

	fprintf(f, "%*s %-*s %*s %*s %*s", wcode, "REASON",
		wname, "NAME", wcount, "COUNT", wcycles, "CYCLES", wavg, "AVG");
	for (j = 0; j < nlat; j++)
		fprintf(f, " %*s", wlat[j], lat_heads[j]);
	fprintf(f, " %*s %*s\n", COL_PCT, "EXITS%", COL_PCT, "CYCLES%");
	for (i = 0; i < n; i++) {
		fprintf(f, "%*s %-*s %*" PRIu64 " %*" PRIu64
			" %*" PRIu64, wcode, code[i], wname, rows[i].name,
			wcount, rows[i].count, wcycles, rows[i].cycles,
			wavg, rows[i].avg);
		for (j = 0; j < nlat; j++)
			fprintf(f, " %*s", wlat[j], lat[i].c[j]);
		fprintf(f, " %*.2f %*.2f\n", COL_PCT, rows[i].count_pct,
			COL_PCT, rows[i].cycles_pct);
	}
	fprintf(f, "%*s %-*s %*" PRIu64 " %*" PRIu64 " %*" PRIu64,
		wcode, "", wname, "TOTAL", wcount, total.count,
		wcycles, total.cycles, wavg, total.avg);
	for (j = 0; j < nlat; j++)
		fprintf(f, " %*s", wlat[j], total_lat.c[j]);
	fprintf(f, " %*.2f %*.2f\n", COL_PCT, total.count_pct,
		COL_PCT, total.cycles_pct);
}

/* Length of the well-formed UTF-8 sequence at @s (RFC 3629), or 0. */
size_t kes_utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (*s >= 0xC2 && *s <= 0xDF)
		n = 2;
	else if (*s >= 0xE0 && *s <= 0xEF)
		n = 3;
	else if (*s >= 0xF0 && *s <= 0xF4)
		n = 4;
	else
		return 0;
	if (*s == 0xE0)
		lo = 0xA0;
	else if (*s == 0xED)
		hi = 0x9F;
	else if (*s == 0xF0)
		lo = 0x90;
	else if (*s == 0xF4)
		hi = 0x8F;
	for (i = 1; i < n; i++, lo = 0x80, hi = 0xBF)
		if (s[i] < lo || s[i] > hi)
			return 0;
	return n;
}

/* A JSON string; bytes that are not UTF-8 become '?' so it stays valid. */
void kes_json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', f);
	while (*s) {
		if (*s == '"' || *s == '\\') {
			fprintf(f, "\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7F) {
			fprintf(f, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			fputc(*s++, f);
		} else {
			n = kes_utf8_len(s);
			if (n)
				fwrite(s, 1, n, f);
			else
				fputc('?', f);
			s += n ? n : 1;
		}
	}
	fputc('"', f);
}

/*
 * A row's latency members: "p50_cycles", "p90_cycles", "p99_cycles"
 * (null if unknown), "buckets" (32 counts, null if unknown) and on the
 * host "max_cycles" (null if unknown).
 */
static void json_latency(FILE *f, const struct kes_row *row,
			 const struct kes_opts *o)
{
	int i;

	for (i = 0; i < KES_NR_PCTS; i++) {
		fprintf(f, ",\"p%u_cycles\":", kes_pct_permille[i] / 10);
		if (row->has_pct)
			fprintf(f, "%.0f", row->pct[i]);
		else
			fputs("null", f);
	}
	fputs(",\"buckets\":", f);
	if (row->hist) {
		for (i = 0; i < KES_NR_BUCKETS; i++)
			fprintf(f, "%c%" PRIu64, i ? ',' : '[', row->hist[i]);
		fputc(']', f);
	} else {
		fputs("null", f);
	}
	if (!o->host)
		return;
	fputs(",\"max_cycles\":", f);
	if (row->has_max && row->hist)
		fprintf(f, "%" PRIu64, row->max);
	else
		fputs("null", f);
}

/*
 * Members "reasons": [...], "total": {...}, "isa": "VMX" or "SVM"; keys
 * documented in the man page.
 */
void kes_json_table(FILE *f, const struct kes_table *t,
		    const struct kes_opts *o)
{
	struct kes_row rows[KES_NR_ROWS], total;
	size_t n, i;

	n = kes_rows(t, o, rows);
	kes_total_row(t, &total);
	fputs("\"reasons\":[", f);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s{\"reason\":%" PRIu32 ",\"name\":", i ? "," : "",
			rows[i].reason);
		kes_json_string(f, rows[i].name);
		fprintf(f, ",\"count\":%" PRIu64 ",\"cycles\":%" PRIu64
			",\"avg_cycles\":%" PRIu64
			",\"exits_pct\":%.2f,\"cycles_pct\":%.2f",
			rows[i].count, rows[i].cycles, rows[i].avg,
			rows[i].count_pct, rows[i].cycles_pct);
		json_latency(f, &rows[i], o);
		fputc('}', f);
	}
	fprintf(f, "],\"total\":{\"count\":%" PRIu64 ",\"cycles\":%" PRIu64
		",\"avg_cycles\":%" PRIu64, total.count, total.cycles, total.avg);
	json_latency(f, &total, o);
	fprintf(f, "},\"isa\":\"%s\"", kes_isa(t)->name);
}

/* ---- --hist ------------------------------------------------------------ */

#define BAR_WIDTH	40
#define CELL_LEN	64

static void cycles_cell(char *cell, double v)
{
	snprintf(cell, CELL_LEN, "%.0f", v);
}

/*
 * One reason's buckets, one line per bucket with exits: its range in
 * cycles ([lo, hi), the last one open-ended) and, with @tsc_hz, in
 * microseconds, the count, the share of the reason's exits and a bar
 * scaled to the fullest bucket.  Above them the figures of the reason.
 */
void kes_print_hist(FILE *f, const struct kes_table *t, u32 reason,
		    double tsc_hz)
{
	static const char bar[BAR_WIDTH + 1] =
		"########################################";
	char lo[KES_NR_BUCKETS][CELL_LEN], hi[KES_NR_BUCKETS][CELL_LEN];
	char ulo[KES_NR_BUCKETS][CELL_LEN], uhi[KES_NR_BUCKETS][CELL_LEN];
	char cnt[KES_NR_BUCKETS][CELL_LEN];
	int wlo = 1, whi = 1, wulo = 1, wuhi = 1, wcnt = strlen("COUNT");
	const struct exitstats_isa *isa = kes_isa(t);
	int row = kes_row_of(isa, reason);
	const u64 *h;
	double dlo, dhi, p;
	u64 n, top = 0;
	int b, i;

	kes_code_str(cnt[0], CELL_LEN, isa, reason);
	if (row < 0) {
		fprintf(f, "%s: not an exit reason of this table (%s)\n",
			cnt[0], isa->name);
		return;
	}
	h = t->hist[row];
	fprintf(f, "%s (%s): ", kes_row_name(isa, row), cnt[0]);
	if (!t->has_hist) {
		fputs("no latency buckets: this KVM's kvm-exitstats predates them\n",
		      f);
		return;
	}
	if (t->no_hist[row]) {
		fputs("no latency buckets: leaf 0x4FFFFFFB takes codes up to 0xFFFF only (see them with --host)\n",
		      f);
		return;
	}
	n = kes_hist_sum(h);
	if (!n) {
		fputs("no finished exits\n", f);
		return;
	}
	fprintf(f, "%" PRIu64 " exits, cycles", n);
	for (i = 0; i < KES_NR_PCTS; i++)
		if (kes_percentile(h, t->has_max, t->max[row],
				   kes_pct_permille[i], &p))
			fprintf(f, " p%u %.0f", kes_pct_permille[i] / 10, p);
	if (t->has_max)
		fprintf(f, " max %" PRIu64, t->max[row]);
	fputc('\n', f);

	for (b = 0; b < KES_NR_BUCKETS; b++) {
		if (h[b] > top)
			top = h[b];
		if (!h[b])
			continue;
		dlo = b ? (double)(1ULL << b) : 0;
		dhi = (double)(1ULL << (b + 1));
		cycles_cell(lo[b], dlo);
		if (b == KES_NR_BUCKETS - 1)
			snprintf(hi[b], CELL_LEN, "inf");
		else
			cycles_cell(hi[b], dhi);
		if (tsc_hz > 0)
			snprintf(ulo[b], CELL_LEN, "%.3f", dlo * 1e6 / tsc_hz);
		else
			ulo[b][0] = '\0';
		if (b == KES_NR_BUCKETS - 1 || tsc_hz <= 0)
			snprintf(uhi[b], CELL_LEN, "inf");
		else
			snprintf(uhi[b], CELL_LEN, "%.3f", dhi * 1e6 / tsc_hz);
		snprintf(cnt[b], CELL_LEN, "%" PRIu64, h[b]);
		wlo = max_int(wlo, strlen(lo[b]));
		whi = max_int(whi, strlen(hi[b]));
		wulo = max_int(wulo, strlen(ulo[b]));
		wuhi = max_int(wuhi, strlen(uhi[b]));
		wcnt = max_int(wcnt, strlen(cnt[b]));
	}
	/* The ranges are "[lo, hi)": 4 characters more than the figures. */
	fprintf(f, "%-*s", wlo + whi + 4, "CYCLES");
	if (tsc_hz > 0)
		fprintf(f, "  %-*s", wulo + wuhi + 4, "MICROSECONDS");
	fprintf(f, "  %*s  %6s\n", wcnt, "COUNT", "SHARE%");
	for (b = 0; b < KES_NR_BUCKETS; b++) {
		if (!h[b])
			continue;
		fprintf(f, "[%*s, %*s)", wlo, lo[b], whi, hi[b]);
		if (tsc_hz > 0)
			fprintf(f, "  [%*s, %*s)", wulo, ulo[b], wuhi, uhi[b]);
		i = (int)((h[b] * (double)BAR_WIDTH + top / 2.0) / top);
		fprintf(f, "  %*s  %6.2f %.*s\n", wcnt, cnt[b],
			kes_pct(h[b], n), i ? i : 1, bar);
	}
}
