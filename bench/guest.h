/* SPDX-License-Identifier: GPL-2.0 */
/* The guest code of cpuid-bench (guest.S) and where it runs. */
#ifndef BENCH_GUEST_H
#define BENCH_GUEST_H

#include <stdint.h>

#define GUEST_MEM_SIZE	0x10000
#define GUEST_ENTRY	0x1000

extern const uint8_t bench_guest[], bench_guest_end[];

#endif
