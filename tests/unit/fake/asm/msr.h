/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <asm/msr.h>: a TSC the test moves by hand. */
#ifndef KES_FAKE_ASM_MSR_H
#define KES_FAKE_ASM_MSR_H

#include <stdint.h>

static uint64_t fake_tsc;

static inline uint64_t rdtsc(void)
{
	return fake_tsc;
}

/* exitstats_exit.h's RDTSC, from the same TSC. */
#define EXITSTATS_RDTSC_HALVES
static inline void exitstats_rdtsc_halves(uint32_t *lo, uint32_t *hi)
{
	*lo = (uint32_t)fake_tsc;
	*hi = fake_tsc >> 32;
}

#endif
