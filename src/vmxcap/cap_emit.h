/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the VMX and the SVM decoder share, in vmxcap.ko and in the
 * user-space unit tests: the types, the callback that takes each report
 * line, and the writers of the lines both reports have in the same format
 * (raw "msr" lines, one feature bit, "cpu <n> differs msr=", "cpus").
 */
#ifndef CAP_EMIT_H
#define CAP_EMIT_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/types.h>
#else
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
typedef unsigned int u32;
typedef unsigned long long u64;
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#endif

/* The kernel build checks cap_emitf()'s formats; user space has no __printf. */
#ifdef __printf
#define CAP_PRINTF		__printf(3, 4)
#else
#define CAP_PRINTF
#endif

#define CAP_BIT64(n)		(1ULL << (n))

typedef void (*vmxcap_emit_t)(void *ctx, const char *line);

struct vmxcap_msr_desc {
	u32 addr;
	const char *name;
};

/* The MSRs of one CPU as a decoder keeps them, seen by the writers here. */
struct cap_msrs {
	const struct vmxcap_msr_desc *desc;	/* indexed by MSR id */
	unsigned int nr;			/* ids 0 to nr - 1 */
	u32 attempted;		/* BIT(id): a read of MSR id was tried */
	u32 valid;		/* BIT(id): that read succeeded */
	const u64 *val;
};

/* The cap_msrs of @regs, whose MSRs @desc (an array) describes. */
#define CAP_MSRS(desc, regs)						\
	((struct cap_msrs){ (desc), ARRAY_SIZE(desc), (regs)->attempted,	\
			    (regs)->valid, (regs)->val })

/* The status word of a report and the reason given for it. */
struct cap_status {
	const char *word;
	const char *reason;
};

CAP_PRINTF void cap_emitf(vmxcap_emit_t emit, void *ctx, const char *fmt, ...);
void cap_emit_msrs(const struct cap_msrs *m, vmxcap_emit_t emit, void *ctx);
void cap_emit_status(const struct cap_status *st, vmxcap_emit_t emit,
		     void *ctx);
void cap_emit_bit(const char *key, unsigned int bit, const char *state,
		  const char *name, vmxcap_emit_t emit, void *ctx);
const char *cap_fmt_value(char *buf, unsigned int len, bool valid, u64 v,
			  int width);
int cap_compare_msrs(const struct cap_msrs *ref, unsigned int ref_cpu,
		     const struct cap_msrs *m, unsigned int cpu,
		     vmxcap_emit_t emit, void *ctx);
void cap_emit_cpus(unsigned int checked, unsigned int differing,
		   vmxcap_emit_t emit, void *ctx);

#endif
