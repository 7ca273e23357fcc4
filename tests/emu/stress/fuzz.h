/* SPDX-License-Identifier: GPL-2.0 */
/* fuzz.S: the fuzzing routine of kes-stress, copied into the guest. */
#ifndef KES_FUZZ_H
#define KES_FUZZ_H

#include <stdint.h>

extern const uint8_t fuzz_code[], fuzz_code_end[];

#endif
