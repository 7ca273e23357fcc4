// SPDX-License-Identifier: GPL-2.0
/*
 * kes_holder: a test module that uses one export of kvm.ko, so that kvm
 * lists it among its holders as it would kvmgt; kvm-exitstats-switch must
 * then refuse (tests/emu/switch).
 */
#include <linux/module.h>
#include <linux/kvm_host.h>

static int __init kes_holder_init(void)
{
	pr_info("kes_holder: holding kvm (kvm_rebooting=%d)\n",
		READ_ONCE(kvm_rebooting));
	return 0;
}

static void __exit kes_holder_exit(void)
{
}

module_init(kes_holder_init);
module_exit(kes_holder_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kvm-exitstats test: a module holding kvm");
