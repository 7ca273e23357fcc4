// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-exitstats tool, host side: every VM's table from KVM's debugfs,
 * <debugfs>/<pid>-<fd>/exitstats, one line per reason its ISA's manual
 * defines (the SDM's basic exit reasons on Intel, the APM's SVM exit codes
 * on AMD, both in decimal):
 * "<reason> <NAME> <count> <cycles>\n", then "other <count> <cycles>\n"
 * (exits under any other reason) and "total <count> <cycles>\n" (all of
 * them, the figure the guest's CPUID 0x4FFFFFFF gives); its latency
 * buckets from exitstats_hist next to it, the same lines with
 * "<max> <bucket 0> ... <bucket 31>" in place of "<count> <cycles>"; and
 * the VM's name from procfs.
 * Which ISA a file is of, each file on its own: the first line
 * "<reason> <NAME>" that one of the two tables has (VMX first, then SVM;
 * "10 CPUID" is VMX, "114 CPUID" SVM: no code has the same name in
 * both), else VMX; every other line is then checked against that table.
 * Both directories come from struct kes_env so tests can use fake trees.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kes.h"

#define FILE_MAX	(1 << 20)	/* a table is ~5 KiB, a cmdline <= 2 MiB */
#define TOKEN_MAX	32		/* longest SDM, APM name: 18, 19 */

/* Read a whole (small, virtual) file.  Returns 0 or -errno. */
static int read_file(const char *path, char **buf, size_t *len)
{
	size_t size = 4096, n = 0;
	char *p = NULL, *q;
	ssize_t r;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (!p || n == size) {
			if (p)
				size *= 2;
			q = size <= FILE_MAX ? realloc(p, size + 1) : NULL;
			if (!q) {
				e = p ? -EFBIG : -ENOMEM;
				goto fail;
			}
			p = q;
		}
		r = read(fd, p + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = -errno;
			goto fail;
		}
		if (!r)
			break;
		n += r;
	}
	close(fd);
	p[n] = '\0';
	*buf = p;
	*len = n;
	return 0;
fail:
	close(fd);
	free(p);
	return e;
}

/* Decimal digits only, no sign, no overflow. */
static bool parse_u64(const char **s, const char *end, u64 *val)
{
	const char *p = *s;
	u64 v = 0;

	if (p == end || *p < '0' || *p > '9')
		return false;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (*p - '0')) / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	*s = p;
	*val = v;
	return true;
}

static bool parse_token(const char **s, const char *end, char *tok)
{
	const char *p = *s;
	size_t n = 0;

	while (p < end && *p != ' ' && n < TOKEN_MAX - 1)
		tok[n++] = *p++;
	tok[n] = '\0';
	*s = p;
	return n && (p == end || *p == ' ');
}

static bool parse_space(const char **s, const char *end)
{
	if (*s == end || **s != ' ')
		return false;
	(*s)++;
	return true;
}

/* The ISA of a debugfs file (exitstats or exitstats_hist): see above. */
static const struct exitstats_isa *detect_isa(const char *buf, size_t len)
{
	static const struct exitstats_isa *const isas[] = {
		&exitstats_isa_vmx, &exitstats_isa_svm,
	};
	const char *p = buf, *end = buf + len, *eol;
	const char *name;
	char tok[TOKEN_MAX];
	u64 reason;
	size_t i;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', end - p);
		if (!eol)
			break;
		if (!parse_u64(&p, eol, &reason) || !parse_space(&p, eol) ||
		    !parse_token(&p, eol, tok) || reason > 0xFFFFFFFFu)
			continue;
		for (i = 0; i < ARRAY_SIZE(isas); i++) {
			name = exitstats_name(isas[i], reason);
			if (name && !strcmp(name, tok))
				return isas[i];
		}
	}
	return &exitstats_isa_vmx;
}

/*
 * A reason line's row in @isa, marked in @seen: 0 with *row, 1 to skip the
 * line (a code beyond our table, from a newer manual), -1 with a message
 * (a name not ours, a row @seen already).
 */
static int reason_row(const struct exitstats_isa *isa, u64 reason,
		      const char *tok, const char *file, unsigned int line,
		      bool *seen, int *row, char *err)
{
	const char *name;
	u32 slot;

	if (reason > 0xFFFFFFFFu)
		return 1;
	slot = isa->slot(reason);
	if (slot == exitstats_slot_other(isa))
		return 1;
	name = exitstats_name(isa, reason);
	if (!name || strcmp(name, tok)) {
		snprintf(err, KES_ERRLEN, "%s:%u: reason %u is %s, expected %s (tool and kernel tables differ)",
			 file, line, (u32)reason, tok,
			 name ? name : "undefined");
		return -1;
	}
	*row = slot - 1;
	if (seen[*row]) {
		snprintf(err, KES_ERRLEN, "%s:%u: reason %u listed twice",
			 file, line, (u32)reason);
		return -1;
	}
	seen[*row] = true;
	return 0;
}

/* "other <count> <cycles>" or "total <count> <cycles>"; 0 if neither. */
static int parse_sum_line(const char *p, const char *eol, u64 *count,
			  u64 *cycles)
{
	char tok[TOKEN_MAX];
	int kind;

	if (!parse_token(&p, eol, tok))
		return 0;
	if (!strcmp(tok, "other"))
		kind = 1;
	else if (!strcmp(tok, "total"))
		kind = 2;
	else
		return 0;
	if (!parse_space(&p, eol) || !parse_u64(&p, eol, count) ||
	    !parse_space(&p, eol) || !parse_u64(&p, eol, cycles) || p != eol)
		return -1;
	return kind;
}

/*
 * Parse one debugfs table; @file names it in messages.  Lines must be
 * exactly as the kernel writes them.  A reason beyond our table (a newer
 * kernel's SDM revision) is skipped; a known reason must carry our name.
 * The totals are the "total" line's (the sum of the rows and "other"
 * without one, as an older kvm-exitstats wrote no such lines).
 */
int kes_parse_table(const char *buf, size_t len, struct kes_table *t,
		    const char *file, char *err)
{
	bool seen[KES_NR_ROWS] = { false }, seen_sum[3] = { false };
	const char *p = buf, *end = buf + len, *eol;
	u64 reason, count, cycles, total_count = 0, total_cycles = 0;
	char tok[TOKEN_MAX];
	unsigned int line;
	int kind, row;

	*t = (struct kes_table){ .isa = detect_isa(buf, len) };
	for (line = 1; p < end; line++, p = eol + 1) {
		eol = memchr(p, '\n', end - p);
		if (!eol) {
			snprintf(err, KES_ERRLEN, "%s:%u: truncated line", file, line);
			return -1;
		}
		kind = parse_sum_line(p, eol, &count, &cycles);
		if (kind > 0 && seen_sum[kind]) {
			snprintf(err, KES_ERRLEN, "%s:%u: %s listed twice",
				 file, line, kind == 1 ? "other" : "total");
			return -1;
		}
		if (kind == 1) {
			t->other_count = count;
			t->other_cycles = cycles;
		} else if (kind == 2) {
			total_count = count;
			total_cycles = cycles;
		}
		if (kind > 0) {
			seen_sum[kind] = true;
			continue;
		}
		if (kind < 0 ||
		    !parse_u64(&p, eol, &reason) || !parse_space(&p, eol) ||
		    !parse_token(&p, eol, tok) || !parse_space(&p, eol) ||
		    !parse_u64(&p, eol, &count) || !parse_space(&p, eol) ||
		    !parse_u64(&p, eol, &cycles) || p != eol) {
			snprintf(err, KES_ERRLEN, "%s:%u: malformed line", file, line);
			return -1;
		}
		kind = reason_row(t->isa, reason, tok, file, line, seen, &row,
				  err);
		if (kind < 0)
			return -1;
		if (kind)
			continue;
		t->count[row] = count;
		t->cycles[row] = cycles;
	}
	kes_table_sum(t);
	if (seen_sum[2]) {
		t->total_count = total_count;
		t->total_cycles = total_cycles;
	}
	return 0;
}

/* " <max> <bucket 0> ... <bucket 31>" up to the end of the line. */
static bool parse_hist_figures(const char *p, const char *eol, u64 *max,
			       u64 *hist)
{
	int b;

	if (!parse_space(&p, eol) || !parse_u64(&p, eol, max))
		return false;
	for (b = 0; b < KES_NR_BUCKETS; b++)
		if (!parse_space(&p, eol) || !parse_u64(&p, eol, &hist[b]))
			return false;
	return p == eol;
}

/*
 * Parse one exitstats_hist file into @t, whose counts kes_parse_table()
 * filled; @file names it in messages.  As there: lines exactly as the
 * kernel writes them, reasons beyond our table skipped, a known reason
 * with our name, each line once; without a "total" line the total is the
 * sum of the others.  Its ISA must be the table's.
 */
int kes_parse_hist(const char *buf, size_t len, struct kes_table *t,
		   const char *file, char *err)
{
	const struct exitstats_isa *isa = detect_isa(buf, len);
	bool seen[KES_NR_ROWS] = { false }, seen_sum[3] = { false };
	const char *p = buf, *end = buf + len, *eol;
	u64 reason, max, hist[KES_NR_BUCKETS];
	char tok[TOKEN_MAX];
	unsigned int line;
	int kind, b, row;
	u32 r;

	if (t->isa && t->isa != isa) {
		snprintf(err, KES_ERRLEN, "%s: %s reasons, but exitstats has %s's",
			 file, isa->name, t->isa->name);
		return -1;
	}
	t->isa = isa;

	memset(t->hist, 0, sizeof(t->hist));
	memset(t->max, 0, sizeof(t->max));
	memset(t->no_hist, 0, sizeof(t->no_hist));
	memset(t->other_hist, 0, sizeof(t->other_hist));
	memset(t->total_hist, 0, sizeof(t->total_hist));
	t->other_max = t->total_max = 0;
	t->has_hist = t->has_max = t->has_total_hist = false;
	for (line = 1; p < end; line++, p = eol + 1) {
		eol = memchr(p, '\n', end - p);
		if (!eol) {
			snprintf(err, KES_ERRLEN, "%s:%u: truncated line", file, line);
			return -1;
		}
		kind = 0;
		if (*p >= '0' && *p <= '9') {
			if (!parse_u64(&p, eol, &reason) || !parse_space(&p, eol))
				goto malformed;
		} else {
			kind = -1;
		}
		if (!parse_token(&p, eol, tok))
			goto malformed;
		if (kind < 0 && !strcmp(tok, "other"))
			kind = 1;
		else if (kind < 0 && !strcmp(tok, "total"))
			kind = 2;
		if (kind < 0 || !parse_hist_figures(p, eol, &max, hist))
			goto malformed;
		if (kind > 0) {
			if (seen_sum[kind]) {
				snprintf(err, KES_ERRLEN, "%s:%u: %s listed twice",
					 file, line, tok);
				return -1;
			}
			seen_sum[kind] = true;
			if (kind == 1) {
				memcpy(t->other_hist, hist, sizeof(hist));
				t->other_max = max;
			} else {
				memcpy(t->total_hist, hist, sizeof(hist));
				t->total_max = max;
			}
			continue;
		}
		kind = reason_row(isa, reason, tok, file, line, seen, &row,
				  err);
		if (kind < 0)
			return -1;
		if (kind)
			continue;
		memcpy(t->hist[row], hist, sizeof(hist));
		t->max[row] = max;
	}
	if (!seen_sum[2]) {
		memcpy(t->total_hist, t->other_hist, sizeof(t->total_hist));
		t->total_max = t->other_max;
		for (r = 0; r < KES_NR_ROWS; r++) {
			for (b = 0; b < KES_NR_BUCKETS; b++)
				t->total_hist[b] += t->hist[r][b];
			if (t->max[r] > t->total_max)
				t->total_max = t->max[r];
		}
	}
	t->has_hist = t->has_max = t->has_total_hist = true;
	return 0;
malformed:
	snprintf(err, KES_ERRLEN, "%s:%u: malformed line (expected '<reason> <name>', 'other' or 'total', then <max> and %d bucket counts)",
		 file, line, KES_NR_BUCKETS);
	return -1;
}

/*
 * Copy at most @size - 1 bytes of @src (@n bytes, followed by a NUL or
 * other non-continuation byte) for the terminal: well-formed UTF-8 stays,
 * except the C1 controls U+0080-U+009F; each C0 control, DEL and each byte
 * not part of a well-formed sequence (among them 0x80-0x9F, C1 controls
 * to an 8-bit terminal: 0x9B is CSI) becomes '?'.  A character that would
 * not fit whole is left out.
 */
static void copy_name(char *dst, size_t size, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, len;

	while (i < n && o < size - 1) {
		len = s[i] >= 0x80 ? kes_utf8_len(s + i) : 1;
		if (len > n - i)
			len = 0;
		if (!len || s[i] < 0x20 || s[i] == 0x7F ||
		    (s[i] == 0xC2 && s[i + 1] <= 0x9F)) {
			dst[o++] = '?';
			i += len ? len : 1;
			continue;
		}
		if (len > size - 1 - o)
			break;
		memcpy(dst + o, s + i, len);
		o += len;
		i += len;
	}
	dst[o] = '\0';
}

/*
 * QEMU's "-name [guest=]NAME[,process=...,debug-threads=...]": the guest
 * name is the first element if it has no key, or the one keyed "guest";
 * ",," is an escaped comma.
 */
static bool qemu_name_value(const char *v, char *name, size_t size)
{
	char elem[256];
	bool first = true;
	size_t n;
	char c;

	while (*v) {
		for (n = 0; *v && (*v != ',' || v[1] == ','); n++) {
			c = *v == ',' ? (v += 2, ',') : *v++;
			if (n < sizeof(elem) - 1)
				elem[n] = c;
			else
				n--;
		}
		elem[n] = '\0';
		if (*v == ',')
			v++;
		if (!strncmp(elem, "guest=", 6) && elem[6]) {
			copy_name(name, size, elem + 6, strlen(elem + 6));
			return true;
		}
		if (first && n && !strchr(elem, '=')) {
			copy_name(name, size, elem, n);
			return true;
		}
		first = false;
	}
	return false;
}

/* Find QEMU's -name in a NUL-separated /proc/<pid>/cmdline. */
bool kes_qemu_name(const char *cmdline, size_t len, char *name, size_t size)
{
	const char *p = cmdline, *end = cmdline + len, *next;

	while (p < end) {
		next = memchr(p, '\0', end - p);
		if (!next)
			return false;	/* unterminated: not a whole argument */
		if ((!strcmp(p, "-name") || !strcmp(p, "--name")) &&
		    next + 1 < end && memchr(next + 1, '\0', end - next - 1))
			return qemu_name_value(next + 1, name, size);
		p = next + 1;
	}
	return false;
}

/* QEMU's -name, else the process's comm, else "". */
void kes_vm_name(const struct kes_env *env, long pid, char *name, size_t size)
{
	char path[PATH_MAX], *buf;
	size_t len;

	name[0] = '\0';
	snprintf(path, sizeof(path), "%s/%ld/cmdline", env->proc, pid);
	if (!read_file(path, &buf, &len)) {
		bool found = kes_qemu_name(buf, len, name, size);

		free(buf);
		if (found)
			return;
	}
	snprintf(path, sizeof(path), "%s/%ld/comm", env->proc, pid);
	if (!read_file(path, &buf, &len)) {
		if (len && buf[len - 1] == '\n')
			len--;
		copy_name(name, size, buf, len);
		free(buf);
	}
}

/* KVM names a VM's directory "<pid>-<fd>". */
static bool vm_dir(const char *s, long *pid, long *fd)
{
	char *end;

	if (*s < '1' || *s > '9')
		return false;
	errno = 0;
	*pid = strtol(s, &end, 10);
	if (errno || *end != '-' || end[1] < '0' || end[1] > '9')
		return false;
	*fd = strtol(end + 1, &end, 10);
	return !errno && !*end;
}

static int vm_cmp(const void *a, const void *b)
{
	const struct kes_vm *x = a, *y = b;
	long xfd = strtol(strchr(x->dir, '-') + 1, NULL, 10);
	long yfd = strtol(strchr(y->dir, '-') + 1, NULL, 10);

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return xfd < yfd ? -1 : xfd > yfd;
}

static void access_err(char *err, const char *path, int e)
{
	const char *hint = "";

	if (e == ENOENT)
		hint = " (debugfs not mounted on /sys/kernel/debug, or kvm not loaded?)";
	else if (e == EACCES || e == EPERM)
		hint = " (KVM's debugfs is readable by root only)";
	snprintf(err, KES_ERRLEN, "%s: %s%s", path, strerror(e), hint);
}

/* List the VMs in debugfs, sorted by pid then fd, keeping only @pid's. */
static int list_vms(const struct kes_env *env, long pid, struct kes_vm **vms,
		    size_t *nr, char *err)
{
	struct kes_vm *v = NULL, *q;
	size_t n = 0, size = 0;
	struct dirent *de;
	long dpid, dfd;
	DIR *d;

	d = opendir(env->debugfs);
	if (!d) {
		access_err(err, env->debugfs, errno);
		return -1;
	}
	while ((de = readdir(d))) {
		if (!vm_dir(de->d_name, &dpid, &dfd) || (pid && dpid != pid) ||
		    strlen(de->d_name) >= KES_DIRLEN)
			continue;
		if (n == size) {
			size = size ? 2 * size : 8;
			q = realloc(v, size * sizeof(*v));
			if (!q) {
				snprintf(err, KES_ERRLEN, "out of memory");
				free(v);
				closedir(d);
				return -1;
			}
			v = q;
		}
		memset(&v[n], 0, sizeof(v[n]));
		v[n].pid = dpid;
		memcpy(v[n].dir, de->d_name, strlen(de->d_name) + 1);
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), vm_cmp);
	*vms = v;
	*nr = n;
	return 0;
}

/*
 * Whether the loaded kvm.ko is kvm-exitstats': it has our parameter.  Only
 * asked when a VM's directory has no table, so unknown (no sysfs) is no.
 */
static bool kvm_is_ours(const struct kes_env *env)
{
	char path[PATH_MAX];
	struct stat st;

	if (!env->sysfs)
		return false;
	snprintf(path, sizeof(path), "%s/module/kvm/parameters/exitstats_cpuid",
		 env->sysfs);
	return !stat(path, &st);
}

/*
 * Every VM's table (or only those of process @pid if non-zero).  A VM that
 * comes or goes while we read is left out: its directory is gone, or its
 * table is there but cannot be opened (KVM is destroying the VM), or is
 * not there yet or any more while our kvm.ko is loaded.  Its buckets are
 * read first, so that the counts include every exit they hold; a VM
 * without exitstats_hist (an older kvm-exitstats, or a VM going away) has
 * none.  Returns 0, possibly with no VM, or -1 with a message in @err.
 */
int kes_host_read(const struct kes_env *env, long pid, struct kes_vm **vms,
		  size_t *nr, char *err)
{
	char path[PATH_MAX], hpath[PATH_MAX], *buf, *hbuf = NULL;
	struct kes_vm *v;
	size_t n, i, kept = 0;
	struct stat st;
	size_t len, hlen = 0;
	int r;

	if (list_vms(env, pid, &v, &n, err))
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(hpath, sizeof(hpath), "%s/%s/exitstats_hist",
			 env->debugfs, v[i].dir);
		r = read_file(hpath, &hbuf, &hlen);
		if (r == -ENOENT) {
			hbuf = NULL;
		} else if (r) {
			access_err(err, hpath, -r);
			goto fail;
		}
		snprintf(path, sizeof(path), "%s/%s/exitstats",
			 env->debugfs, v[i].dir);
		r = read_file(path, &buf, &len);
		if (r == -ENOENT) {
			free(hbuf);
			hbuf = NULL;
			if (!stat(path, &st))
				continue;	/* the VM is being destroyed */
			snprintf(path, sizeof(path), "%s/%s", env->debugfs,
				 v[i].dir);
			if (stat(path, &st) || kvm_is_ours(env))
				continue;	/* the VM comes or goes */
			snprintf(err, KES_ERRLEN, "%s has no exitstats file: this KVM is not kvm-exitstats (stock kvm.ko loaded?)",
				 path);
			goto fail;
		}
		if (r) {
			access_err(err, path, -r);
			goto fail;
		}
		r = kes_parse_table(buf, len, &v[i].t, path, err);
		free(buf);
		if (!r && hbuf)
			r = kes_parse_hist(hbuf, hlen, &v[i].t, hpath, err);
		free(hbuf);
		hbuf = NULL;
		if (r)
			goto fail;
		kes_vm_name(env, v[i].pid, v[i].name, sizeof(v[i].name));
		v[kept++] = v[i];
	}
	*vms = v;
	*nr = kept;
	return 0;
fail:
	free(hbuf);
	free(v);
	return -1;
}
