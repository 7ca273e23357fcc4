/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/compiler.h>: what the exit path uses. */
#ifndef KES_FAKE_LINUX_COMPILER_H
#define KES_FAKE_LINUX_COMPILER_H

#ifndef WRITE_ONCE
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)
#endif

#define unlikely(x)	__builtin_expect(!!(x), 0)

static inline void barrier(void)
{
	asm volatile("" : : : "memory");
}

#endif
