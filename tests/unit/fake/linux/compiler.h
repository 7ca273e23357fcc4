/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for <linux/compiler.h> (and container_of()): what
 * the exit path uses.
 */
#ifndef KES_FAKE_LINUX_COMPILER_H
#define KES_FAKE_LINUX_COMPILER_H

#ifndef WRITE_ONCE
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)
#endif

#define unlikely(x)	__builtin_expect(!!(x), 0)
/* The kernel's attribute shorthands, as <linux/compiler_attributes.h>. */
#define KES_ATTRIBUTE(a)	__attribute__((a))
#define noinline	KES_ATTRIBUTE(__noinline__)
#define __cold		KES_ATTRIBUTE(__cold__)
#define __maybe_unused	KES_ATTRIBUTE(__unused__)

/*
 * The tests keep the figures on their own, not in a vendor's vCPU
 * structure: the pointer is hidden from GCC, which would otherwise warn of
 * an address outside the object (only the figures are ever accessed).
 */
#define container_of(ptr, type, member)	({			\
	char *__p = (char *)(ptr);					\
	asm("" : "+r" (__p));						\
	(type *)(__p - offsetof(type, member)); })

static inline void barrier(void)
{
	asm volatile("" : : : "memory");
}

#endif
