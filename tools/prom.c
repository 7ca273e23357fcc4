// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats tool: --format prometheus, the Prometheus text exposition
 * format (version 0.0.4) of every VM's table, for node_exporter's textfile
 * collector.  Each metric family's HELP and TYPE lines come once, followed
 * by all its samples, so any set of VMs gives a valid exposition; the
 * labels are vm, pid, reason and code and nothing else (and a
 * histogram's le).
 */
#include <inttypes.h>
#include <string.h>

#include "kes.h"

#define PROM_PREFIX	"kvm_exitstats_"

/* A label value: \, " and newline escaped, bytes that are not UTF-8 '?'. */
static void prom_label_value(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	while (*s) {
		if (*s == '"' || *s == '\\') {
			fprintf(f, "\\%c", *s++);
		} else if (*s == '\n') {
			fputs("\\n", f);
			s++;
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
}

static void prom_family(FILE *f, const char *name, const char *type,
			const char *help)
{
	fprintf(f, "# HELP " PROM_PREFIX "%s %s\n# TYPE " PROM_PREFIX "%s %s\n",
		name, help, name, type);
}

/*
 * One series per process and VM name: the VMs of one process (QEMU has
 * one, other VMMs may have several) are added up.  @vms is sorted by pid.
 */
static size_t prom_merge(const struct kes_vm *vms, size_t nr, size_t i,
			 struct kes_table *t)
{
	size_t j;
	u32 r;
	int b;

	*t = vms[i].t;
	for (j = i + 1; j < nr && vms[j].pid == vms[i].pid &&
	     !strcmp(vms[j].name, vms[i].name); j++) {
		for (r = 0; r < KES_NR_ROWS; r++) {
			t->count[r] += vms[j].t.count[r];
			t->cycles[r] += vms[j].t.cycles[r];
			for (b = 0; b < KES_NR_BUCKETS; b++)
				t->hist[r][b] += vms[j].t.hist[r][b];
		}
		/* The series has buckets only if every VM in it has. */
		t->has_hist &= vms[j].t.has_hist;
	}
	kes_table_sum(t);
	return j;
}

enum prom_value { PROM_EXITS, PROM_CYCLES, PROM_SECONDS, PROM_HIST_CYCLES,
		  PROM_HIST_SECONDS };

/*
 * reason: the name in the ISA's manual; code: as the REASON column shows
 * it, decimal on Intel, hex on AMD (0x078).
 */
static void prom_labels(FILE *f, const char *name, const char *suffix,
			const struct kes_vm *vm, const struct kes_row *row)
{
	char code[24];

	kes_code_str(code, sizeof(code), kes_isa(&vm->t), row->reason);
	fprintf(f, PROM_PREFIX "%s%s{vm=\"", name, suffix);
	prom_label_value(f, vm->name);
	fprintf(f, "\",pid=\"%ld\",reason=\"%s\",code=\"%s\"",
		vm->pid, row->name, code);
}

/*
 * A histogram's samples for one row: the buckets cumulative, bucket b's
 * upper end 2^(b+1) cycles as le (in seconds: divided by @tsc_hz), the
 * last bucket +Inf; _sum the cycles (seconds), _count the exits in the
 * buckets.
 */
static void prom_hist(FILE *f, const char *name, bool seconds,
		      const struct kes_vm *vm, const struct kes_row *row,
		      double tsc_hz)
{
	u64 cum = 0;
	int b;

	for (b = 0; b < KES_NR_BUCKETS; b++) {
		cum += row->hist[b];
		prom_labels(f, name, "_bucket", vm, row);
		if (b == KES_NR_BUCKETS - 1)
			fputs(",le=\"+Inf\"", f);
		else if (seconds)
			fprintf(f, ",le=\"%.9g\"",
				(double)(1ULL << (b + 1)) / tsc_hz);
		else
			fprintf(f, ",le=\"%llu\"", 1ULL << (b + 1));
		fprintf(f, "} %" PRIu64 "\n", cum);
	}
	prom_labels(f, name, "_sum", vm, row);
	if (seconds)
		fprintf(f, "} %.9f\n", (double)row->cycles / tsc_hz);
	else
		fprintf(f, "} %" PRIu64 "\n", row->cycles);
	prom_labels(f, name, "_count", vm, row);
	fprintf(f, "} %" PRIu64 "\n", cum);
}

static void prom_samples(FILE *f, const char *name, enum prom_value what,
			 const struct kes_vm *vms, size_t nr,
			 const struct kes_opts *o, double tsc_hz)
{
	struct kes_opts by_reason = *o;
	struct kes_row rows[KES_NR_ROWS];
	struct kes_table t;
	size_t i, next, n, k;

	by_reason.sort = KES_SORT_REASON;
	for (i = 0; i < nr; i = next) {
		next = prom_merge(vms, nr, i, &t);
		n = kes_rows(&t, &by_reason, rows);
		for (k = 0; k < n; k++) {
			if (what == PROM_HIST_CYCLES || what == PROM_HIST_SECONDS) {
				if (rows[k].hist)
					prom_hist(f, name, what == PROM_HIST_SECONDS,
						  &vms[i], &rows[k], tsc_hz);
				continue;
			}
			prom_labels(f, name, "", &vms[i], &rows[k]);
			fputs("} ", f);
			if (what == PROM_EXITS)
				fprintf(f, "%" PRIu64 "\n", rows[k].count);
			else if (what == PROM_CYCLES)
				fprintf(f, "%" PRIu64 "\n", rows[k].cycles);
			else
				fprintf(f, "%.9f\n", (double)rows[k].cycles / tsc_hz);
		}
	}
}

/*
 * The whole exposition.  @up: KVM's debugfs was read (else only
 * kvm_exitstats_up 0).  @tsc_hz: the TSC frequency, 0 if unknown (no
 * seconds then).  Rows as kes_rows() selects them, by reason code.
 */
void kes_print_prom(FILE *f, const struct kes_vm *vms, size_t nr, bool up,
		    double tsc_hz, const struct kes_opts *o)
{
	prom_family(f, "up", "gauge",
		    "1 if kvm-exitstats read the per-VM exit statistics of KVM's debugfs, 0 if not (no other samples then).");
	fprintf(f, PROM_PREFIX "up %d\n", up);
	if (!up)
		return;
	prom_family(f, "exits_total", "counter",
		    "VM exits since the VM was created, per exit reason: the VMX basic exit reason on Intel (SDM Vol. 3D Appendix C), the SVM exit code on AMD (APM Vol. 2 Appendix C).");
	prom_samples(f, "exits_total", PROM_EXITS, vms, nr, o, tsc_hz);
	prom_family(f, "exit_cycles_total", "counter",
		    "Host TSC cycles from VM exits until KVM finished handling them, per exit reason.");
	prom_samples(f, "exit_cycles_total", PROM_CYCLES, vms, nr, o, tsc_hz);
	prom_family(f, "exit_duration_cycles", "histogram",
		    "Host TSC cycles from a VM exit until KVM finished handling it, per exit reason (log2 buckets).");
	prom_samples(f, "exit_duration_cycles", PROM_HIST_CYCLES, vms, nr, o,
		     tsc_hz);
	if (tsc_hz <= 0)
		return;
	prom_family(f, "exit_seconds_total", "counter",
		    "Time from VM exits until KVM finished handling them (cycles / TSC frequency), per exit reason.");
	prom_samples(f, "exit_seconds_total", PROM_SECONDS, vms, nr, o, tsc_hz);
	prom_family(f, "exit_duration_seconds", "histogram",
		    "Time from a VM exit until KVM finished handling it (cycles / TSC frequency), per exit reason (log2 buckets).");
	prom_samples(f, "exit_duration_seconds", PROM_HIST_SECONDS, vms, nr, o,
		     tsc_hz);
}
