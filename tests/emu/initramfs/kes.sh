# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers for payloads of tests/emu/boot, sourced by /init and available to
# run.sh as /lib/kes.sh.  KES_KVM says which kvm/kvm-intel /init loaded:
# "ours" (boot --modules) or "stock" (the kernel image's own).

# shellcheck source=/dev/null # written by tests/emu/boot
[ ! -f /etc/kes.conf ] || . /etc/kes.conf
KES_MODS=/lib/modules/kes
# What in a kernel log fails a test (tests/emu/boot reads it from here too).
# shellcheck disable=SC2034 # for the payloads that source this file
KES_BAD_LOG='disagrees about version of symbol|WARNING:|BUG:|Oops|general protection fault|Kernel panic|Call Trace:|unable to handle|kernel BUG'
# Kernel arguments that keep a boot under emulation short, measured
# (README.md, "Facts behind the harness"); the L1 kernel (tests/emu/boot)
# and the nested L2 (nested/qemu.sh) both boot with them.  The last one is
# a list that callers may extend with ",name".
# shellcheck disable=SC2034 # for the payloads that source this file
KES_FAST_ARGS='mitigations=off nokaslr rodata=off cryptomgr.notests=1 ipv6.disable=1 initcall_blacklist=jent_mod_init,crypto_kdf108_init,load_system_certificate_list,bpf_tcp_ca_kfunc_init,bpf_dummy_struct_ops_init,init_kprobe_trace,trace_eval_init'

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

# TAP for run.sh: tests/tap.sh, shipped by tests/emu/boot as /lib/tap.sh
# (tap_ok, tap_is, tap_cmd, tap_run, tap_done, ...): one numbering across
# shell checks and TAP programs, and one plan at the end.
TAP_STATE=${TAP_STATE:-/tmp/kes-tap.state}
# shellcheck source=/dev/null # tests/tap.sh, in the initramfs
. /lib/tap.sh
