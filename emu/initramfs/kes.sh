# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers for payloads of emu/boot, sourced by /init and available to
# run.sh as /lib/kes.sh.  KES_KVM says which kvm.ko /init loaded: "ours"
# (boot --modules) or "stock" (the kernel image's own).  KES_VENDOR, "intel"
# or "amd", is the emulated CPU's vendor as emu/boot decided it from
# the Bochs model; the vendor module is kvm-intel.ko or kvm-amd.ko.

# shellcheck source=/dev/null # written by emu/boot
[ ! -f /etc/kes.conf ] || . /etc/kes.conf
KES_VENDOR=${KES_VENDOR:-intel}
KES_MODS=/lib/modules/kes
# The vendor module's name as rmmod and /sys/module know it.
# shellcheck disable=SC2034 # for the payloads that source this file
KES_VENDOR_MOD=kvm_$KES_VENDOR
# What in a kernel log fails a test (emu/boot reads it from here too).
# shellcheck disable=SC2034 # for the payloads that source this file
KES_BAD_LOG='disagrees about version of symbol|WARNING:|BUG:|Oops|general protection fault|Kernel panic|Call Trace:|unable to handle|kernel BUG'
# Kernel arguments that keep a boot under emulation short, measured
# (README.md, "Facts behind the harness"); the L1 kernel (emu/boot)
# and the nested L2 (nested/qemu.sh) both boot with them.  The last one is
# a list that callers may extend with ",name".
# shellcheck disable=SC2034 # for the payloads that source this file
KES_FAST_ARGS='mitigations=off nokaslr rodata=off cryptomgr.notests=1 ipv6.disable=1 initcall_blacklist=jent_mod_init,crypto_kdf108_init,load_system_certificate_list,bpf_tcp_ca_kfunc_init,bpf_dummy_struct_ops_init,init_kprobe_trace,trace_eval_init'

kes_insmod() {
	insmod "$@" || { echo "KES-ERROR insmod $* failed"; return 1; }
}

# kvm_vendor_ko stock|ours [stock|ours]: the vendor module to load with
# that set's kvm.ko: the second set's; by default on Intel the first
# set's kvm-intel.ko, on AMD the stock kvm-amd.ko (our kvm.ko under
# Debian's kvm-amd, as the AMD boots have always run: tests/emu/amd loads
# ours explicitly).
kvm_vendor_ko() {
	if [ "$KES_VENDOR" = amd ]; then
		echo "$KES_MODS/${2:-stock}/kvm-amd.ko"
	else
		echo "$KES_MODS/${2:-$1}/kvm-intel.ko"
	fi
}

# kvm_load stock|ours [stock|ours]: load kvm.ko of that set and the vendor
# module of the second set (default: on Intel the first, on AMD stock).
kvm_load() {
	kes_insmod "$KES_MODS/$1/kvm.ko" &&
		kes_insmod "$(kvm_vendor_ko "$1" "${2:-}")"
}

# kvm_unload: remove the vendor module and kvm, whichever set is loaded.
kvm_unload() {
	rmmod "$KES_VENDOR_MOD" && rmmod kvm
}

# kvm_vendor_check: KES_VENDOR is the vendor /proc/cpuinfo names.
kvm_vendor_check() {
	case $KES_VENDOR:$(sed -n 's/^vendor_id[[:space:]]*: //p;T;q' /proc/cpuinfo) in
	intel:GenuineIntel|amd:AuthenticAMD) return 0 ;;
	esac
	echo "KES-ERROR KES_VENDOR=$KES_VENDOR but /proc/cpuinfo says: $(grep -m 1 '^vendor_id' /proc/cpuinfo)"
	return 1
}

# kvm_loaded: print "ours" or "stock": ours carry MODULE_VERSION().
kvm_loaded() {
	if [ -e /sys/module/kvm/version ]; then echo ours; else echo stock; fi
}

# TAP for run.sh: tests/tap.sh, shipped by emu/boot as /lib/tap.sh
# (tap_ok, tap_is, tap_cmd, tap_run, tap_done, ...): one numbering across
# shell checks and TAP programs, and one plan at the end.
TAP_STATE=${TAP_STATE:-/tmp/kes-tap.state}
# shellcheck source=/dev/null # tests/tap.sh, in the initramfs
. /lib/tap.sh
