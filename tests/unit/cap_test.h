/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the unit tests of the VMX and the SVM decoder (test_vmxcap.c,
 * test_svmcap.c) share: the lines both decoders write (cap_emit.c), the
 * report collected line by line, the checks on it, and the reading of a
 * capture file and of a captured MSR the way vmxcap.ko reads one.
 * Include after tap.h.
 */
#ifndef KES_CAP_TEST_H
#define KES_CAP_TEST_H

#include <errno.h>
#include <stdlib.h>

#include "vmxcap/cap_emit.c"

#define MAX_LINES	512

struct report {
	unsigned int n;
	char *line[MAX_LINES];
};

/* The emit callback: keep a copy of every line. */
static inline void collect(void *ctx, const char *line)
{
	struct report *r = ctx;

	if (r->n < MAX_LINES)
		r->line[r->n++] = strdup(line);
}

static inline void report_free(struct report *r)
{
	while (r->n)
		free(r->line[--r->n]);
}

static inline int count_prefix(const struct report *r, const char *prefix)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < r->n; i++)
		n += !strncmp(r->line[i], prefix, strlen(prefix));
	return n;
}

static inline bool has_line(const struct report *r, const char *line)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->line[i], line))
			return true;
	return false;
}

/* 0 if @line is in the report, else 1 and a comment saying it is missing. */
static inline unsigned int count_missing(const struct report *r,
					 const char *line)
{
	if (has_line(r, line))
		return 0;
	printf("#   missing \"%s\"\n", line);
	return 1;
}

/* One TAP line per expected report line; @why is the derivation. */
static inline void expect(const char *what, const struct report *r,
			  const char *line, const char *why)
{
	if (!ok(has_line(r, line), "%s: \"%s\" (%s)", what, line, why)) {
		unsigned int i;
		size_t k = strcspn(line, " ");

		/* show the lines of the same key to explain the miss */
		for (i = 0; i < r->n; i++)
			if (!strncmp(r->line[i], line, k + 1))
				printf("#   have \"%s\"\n", r->line[i]);
	}
}

static inline void expect_none(const char *what, const struct report *r,
			       const char *prefix, const char *why)
{
	int n = count_prefix(r, prefix);

	if (!ok(n == 0, "%s: no line starts with \"%s\" (%s)", what, prefix,
		why))
		printf("#   %d such lines\n", n);
}

/* The whole report, line by line and in order. */
static inline void expect_report(const char *what, const struct report *r,
				 const char *const *want, unsigned int n)
{
	unsigned int i, bad = 0;

	for (i = 0; i < n || i < r->n; i++) {
		const char *w = i < n ? want[i] : "(nothing)";
		const char *h = i < r->n ? r->line[i] : "(nothing)";

		if (strcmp(w, h)) {
			printf("#   line %u: want \"%s\", have \"%s\"\n", i + 1,
			       w, h);
			bad++;
		}
	}
	ok(bad == 0, "%s: the report is exactly the %u expected lines", what,
	   n);
}

/* The id of the MSR at @addr in @desc (@nr entries), or -1. */
static inline int msr_id(const struct vmxcap_msr_desc *desc, unsigned int nr,
			 unsigned int addr)
{
	unsigned int id;

	for (id = 0; id < nr; id++)
		if (desc[id].addr == addr)
			return id;
	return -1;
}

/*
 * What vmxcap_read_msr() does, with the captured value @v standing in for
 * RDMSR (@readable false: the read faulted).
 */
static inline void read_msr_like_module(unsigned int id, bool readable, u64 v,
					u32 *attempted, u32 *valid, u64 *val)
{
	*attempted |= 1U << id;
	if (readable) {
		val[id] = v;
		*valid |= 1U << id;
	}
}

/*
 * Read the capture @dir@name@ext: @parse(@c, line) takes every line but
 * comments and empty ones and returns false for one it cannot read.  One
 * TAP line says whether the whole file was read.
 */
static inline bool load_capture(const char *dir, const char *name,
				const char *ext,
				bool (*parse)(void *c, const char *line),
				void *c)
{
	char path[256], line[256];
	int err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s%s", dir, name, ext);
	f = fopen(path, "r");
	if (!f)
		err = -errno;
	while (f && !err && fgets(line, sizeof(line), f))
		if (line[0] != '#' && line[0] != '\n' && !parse(c, line))
			err = -EINVAL;
	if (f)
		fclose(f);
	if (!ok(!err, "read %s", path))
		printf("#   error %d\n", err);
	return !err;
}

#endif
