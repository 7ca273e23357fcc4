// SPDX-License-Identifier: GPL-2.0
/*
 * The report lines the VMX decoder (vmxcap_decode.c, which documents the
 * line format) and the SVM decoder (svmcap_decode.c) write alike.  Every
 * line goes through cap_emitf(): one record, at most CAP_LINE_MAX - 1
 * characters, handed to the caller's callback without a newline.
 */
#include "cap_emit.h"

#define CAP_LINE_MAX		160

void cap_emitf(vmxcap_emit_t emit, void *ctx, const char *fmt, ...)
{
	char line[CAP_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(ctx, line);
}

/* "msr <addr> <value>|unreadable <name>" for every MSR a read was tried. */
void cap_emit_msrs(const struct cap_msrs *m, vmxcap_emit_t emit, void *ctx)
{
	unsigned int id;

	for (id = 0; id < m->nr; id++) {
		const struct vmxcap_msr_desc *d = &m->desc[id];

		if (!(m->attempted & CAP_BIT64(id)))
			continue;
		if (m->valid & CAP_BIT64(id))
			cap_emitf(emit, ctx, "msr 0x%03x 0x%016llx %s", d->addr,
				  m->val[id], d->name);
		else
			cap_emitf(emit, ctx, "msr 0x%03x unreadable %s",
				  d->addr, d->name);
	}
}

void cap_emit_status(const struct cap_status *st, vmxcap_emit_t emit,
		     void *ctx)
{
	cap_emitf(emit, ctx, "status %s %s", st->word, st->reason);
}

/* "<key> <bit> <state> <name>", or "... bit <bit>" without a name. */
void cap_emit_bit(const char *key, unsigned int bit, const char *state,
		  const char *name, vmxcap_emit_t emit, void *ctx)
{
	if (name)
		cap_emitf(emit, ctx, "%s %u %s %s", key, bit, state, name);
	else
		cap_emitf(emit, ctx, "%s %u %s bit %u", key, bit, state, bit);
}

/* A raw value in hex of @width digits, or "none" when it was not read. */
const char *cap_fmt_value(char *buf, unsigned int len, bool valid, u64 v,
			  int width)
{
	if (!valid)
		return "none";
	snprintf(buf, len, "0x%0*llx", width, v);
	return buf;
}

/* Lines for every MSR in which @m differs from @ref; returns their number. */
int cap_compare_msrs(const struct cap_msrs *ref, unsigned int ref_cpu,
		     const struct cap_msrs *m, unsigned int cpu,
		     vmxcap_emit_t emit, void *ctx)
{
	char a[20], b[20];
	unsigned int id;
	int n = 0;

	for (id = 0; id < m->nr; id++) {
		bool in_ref = ref->valid & CAP_BIT64(id);
		bool in_m = m->valid & CAP_BIT64(id);

		if (in_ref == in_m && (!in_ref || ref->val[id] == m->val[id]))
			continue;
		cap_emitf(emit, ctx,
			  "cpu %u differs msr=0x%03x value=%s ref_cpu=%u ref_value=%s",
			  cpu, m->desc[id].addr,
			  cap_fmt_value(a, sizeof(a), in_m, m->val[id], 16),
			  ref_cpu,
			  cap_fmt_value(b, sizeof(b), in_ref, ref->val[id], 16));
		n++;
	}
	return n;
}

/* The last line of either report. */
void cap_emit_cpus(unsigned int checked, unsigned int differing,
		   vmxcap_emit_t emit, void *ctx)
{
	cap_emitf(emit, ctx, "cpus checked=%u differing=%u", checked, differing);
}
