/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP producer for the user-space unit tests: each check prints one
 * "ok N - ..." line, failures show expected and actual values, and done()
 * prints the plan and returns the exit status.
 */
#ifndef KES_TAP_H
#define KES_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * One count per program, however many of its files print TAP lines (the
 * guest tests share tests/emu/vmm/checks.c): each file's definition is
 * weak, and the linker keeps one.
 */
#pragma weak tap_n
#pragma weak tap_failed
int tap_n, tap_failed;

static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	return cond;
}

#define is_u64(got, want, ...) ({					\
	uint64_t __g = (got), __w = (want);				\
	if (!ok(__g == __w, __VA_ARGS__))				\
		printf("#   expected 0x%" PRIx64 " (%" PRIu64 "), "	\
		       "got 0x%" PRIx64 " (%" PRIu64 ")\n",		\
		       __w, __w, __g, __g);				\
	__g == __w; })

#define is_str(got, want, ...) ({					\
	const char *__g = (got), *__w = (want);				\
	int __eq = __g && __w && !strcmp(__g, __w);			\
	if (!ok(__eq, __VA_ARGS__))					\
		printf("#   expected \"%s\"\n#   got      \"%s\"\n",	\
		       __w ? __w : "(null)", __g ? __g : "(null)");	\
	__eq; })

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
