/* SPDX-License-Identifier: GPL-2.0 */
/* The host CLI's figures for one of our VMs; see hostcli.c. */
#ifndef KES_HOSTCLI_H
#define KES_HOSTCLI_H

#include <stdint.h>

/* TOTAL of `kvm-exitstats --host --pid <us> --json` for VM @vm_fd. */
int host_cli_total(int vm_fd, uint64_t *count, uint64_t *cycles);

#endif
