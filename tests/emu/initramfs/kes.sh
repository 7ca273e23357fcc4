# SPDX-License-Identifier: GPL-2.0
#
# Helpers for payloads of tests/emu/boot, sourced by /init and available to
# run.sh as /lib/kes.sh.  KES_KVM says which kvm/kvm-intel /init loaded:
# "ours" (boot --modules) or "stock" (the kernel image's own).

. /etc/kes.conf
KES_MODS=/lib/modules/kes
KES_BAD_LOG='disagrees about version of symbol|WARNING:|BUG:|Oops|general protection fault|Kernel panic|Call Trace:|unable to handle|kernel BUG'

kes_insmod() {
	insmod "$@" || { echo "KES-ERROR insmod $* failed"; return 1; }
}

# kvm_load stock|ours: load kvm.ko and kvm-intel.ko of that set.
kvm_load() {
	kes_insmod "$KES_MODS/$1/kvm.ko" &&
		kes_insmod "$KES_MODS/$1/kvm-intel.ko"
}

# kvm_unload: remove kvm-intel and kvm, whichever set is loaded.
kvm_unload() {
	rmmod kvm_intel && rmmod kvm
}

# kvm_loaded: print "ours" or "stock": ours carry MODULE_VERSION().
kvm_loaded() {
	if [ -e /sys/module/kvm/version ]; then echo ours; else echo stock; fi
}
