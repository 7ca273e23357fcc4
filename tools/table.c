// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats tool: the table of one VM.  Derives the rows shown from the
 * raw figures (averages, shares, selection, order), the deltas --watch
 * shows, and prints a table as text or as JSON members.
 */
#include <inttypes.h>
#include <string.h>

#include "kes.h"

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
	for (r = 0; r < EXITSTATS_NR_REASONS; r++) {
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

void kes_table_delta(struct kes_table *d, const struct kes_table *cur,
		     const struct kes_table *prev)
{
	u32 r;

	for (r = 0; r < EXITSTATS_NR_REASONS; r++) {
		d->count[r] = delta(cur->count[r], prev->count[r]);
		d->cycles[r] = delta(cur->cycles[r], prev->cycles[r]);
	}
	d->other_count = delta(cur->other_count, prev->other_count);
	d->other_cycles = delta(cur->other_cycles, prev->other_cycles);
	d->total_count = delta(cur->total_count, prev->total_count);
	d->total_cycles = delta(cur->total_cycles, prev->total_cycles);
}

static void fill_row(struct kes_row *row, u32 reason, u64 count, u64 cycles,
		     const struct kes_table *t)
{
	row->reason = reason;
	row->count = count;
	row->cycles = cycles;
	row->avg = kes_avg(cycles, count);
	row->count_pct = kes_pct(count, t->total_count);
	row->cycles_pct = kes_pct(cycles, t->total_cycles);
}

void kes_total_row(const struct kes_table *t, struct kes_row *row)
{
	fill_row(row, 0, t->total_count, t->total_cycles, t);
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
 * The rows to show, in order: SDM-defined reasons only; just o->reason if
 * set (even at zero), else those with exits unless o->all.  @rows has room
 * for EXITSTATS_NR_REASONS.  Returns how many.
 */
size_t kes_rows(const struct kes_table *t, const struct kes_opts *o,
		struct kes_row *rows)
{
	struct kes_row row;
	size_t n = 0, i;
	u32 r;

	for (r = 0; r < EXITSTATS_NR_REASONS; r++) {
		if (!exitstats_reason_name(r))
			continue;
		if (o->reason >= 0 && r != (u32)o->reason)
			continue;
		if (o->reason < 0 && !o->all && !t->count[r])
			continue;
		fill_row(&row, r, t->count[r], t->cycles[r], t);
		/* Insertion sort: at most 82 rows, and stable. */
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

void kes_print_table(FILE *f, const struct kes_table *t,
		     const struct kes_opts *o)
{
	struct kes_row rows[EXITSTATS_NR_REASONS], total;
	int wname = strlen("TOTAL"), wcount, wcycles, wavg;
	size_t n, i;

	n = kes_rows(t, o, rows);
	kes_total_row(t, &total);
	/* The total is the widest figure unless a reason's counter wrapped. */
	wcount = max_int(strlen("COUNT"), digits(total.count));
	wcycles = max_int(strlen("CYCLES"), digits(total.cycles));
	wavg = max_int(strlen("AVG"), digits(total.avg));
	for (i = 0; i < n; i++) {
		wname = max_int(wname, strlen(exitstats_reason_name(rows[i].reason)));
		wcount = max_int(wcount, digits(rows[i].count));
		wcycles = max_int(wcycles, digits(rows[i].cycles));
		wavg = max_int(wavg, digits(rows[i].avg));
	}

	fprintf(f, "%*s %-*s %*s %*s %*s %*s %*s\n", COL_REASON, "REASON",
		wname, "NAME", wcount, "COUNT", wcycles, "CYCLES", wavg, "AVG",
		COL_PCT, "EXITS%", COL_PCT, "CYCLES%");
	for (i = 0; i < n; i++)
		fprintf(f, "%*" PRIu32 " %-*s %*" PRIu64 " %*" PRIu64
			" %*" PRIu64 " %*.2f %*.2f\n",
			COL_REASON, rows[i].reason,
			wname, exitstats_reason_name(rows[i].reason),
			wcount, rows[i].count, wcycles, rows[i].cycles,
			wavg, rows[i].avg, COL_PCT, rows[i].count_pct,
			COL_PCT, rows[i].cycles_pct);
	fprintf(f, "%*s %-*s %*" PRIu64 " %*" PRIu64 " %*" PRIu64
		" %*.2f %*.2f\n",
		COL_REASON, "", wname, "TOTAL", wcount, total.count,
		wcycles, total.cycles, wavg, total.avg,
		COL_PCT, total.count_pct, COL_PCT, total.cycles_pct);
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

/* Members "reasons": [...], "total": {...}; keys documented in the man page. */
void kes_json_table(FILE *f, const struct kes_table *t,
		    const struct kes_opts *o)
{
	struct kes_row rows[EXITSTATS_NR_REASONS], total;
	size_t n, i;

	n = kes_rows(t, o, rows);
	kes_total_row(t, &total);
	fputs("\"reasons\":[", f);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s{\"reason\":%" PRIu32 ",\"name\":", i ? "," : "",
			rows[i].reason);
		kes_json_string(f, exitstats_reason_name(rows[i].reason));
		fprintf(f, ",\"count\":%" PRIu64 ",\"cycles\":%" PRIu64
			",\"avg_cycles\":%" PRIu64
			",\"exits_pct\":%.2f,\"cycles_pct\":%.2f}",
			rows[i].count, rows[i].cycles, rows[i].avg,
			rows[i].count_pct, rows[i].cycles_pct);
	}
	fprintf(f, "],\"total\":{\"count\":%" PRIu64 ",\"cycles\":%" PRIu64
		",\"avg_cycles\":%" PRIu64 "}",
		total.count, total.cycles, total.avg);
}
