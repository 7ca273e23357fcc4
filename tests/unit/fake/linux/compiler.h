/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/compiler.h>: what exitstats_vmx.h uses. */
#ifndef KES_FAKE_LINUX_COMPILER_H
#define KES_FAKE_LINUX_COMPILER_H

#ifndef WRITE_ONCE
#define WRITE_ONCE(x, val)	__atomic_store_n(&(x), (val), __ATOMIC_RELAXED)
#endif

#endif
