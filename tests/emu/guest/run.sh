# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Payload of tests/emu/run-guest-tests, sourced by the emulated host's
# /init with /lib/kes.sh: the VMM guest tests on our modules, against what
# the stock modules answer in the same boot.  With stock modules only
# (run-guest-tests --stock) it checks the harness and stock KVM.

no_bad_log() {
	! dmesg | tail -n +"$1" | grep -E "$KES_BAD_LOG"
}

if [ "$KES_KVM" = ours ]; then
	tap_cmd "our kvm is the one loaded (it has a version)" \
		test "$(kvm_loaded)" = ours
	log_from=$(($(dmesg | wc -l) + 1))
	tap_cmd "our kvm-intel and kvm unload with no VM running" kvm_unload
	tap_cmd "stock kvm and kvm-intel load in their place" kvm_load stock
	tap_run "stock answers" ./exitstats-test --stock /tmp/stock-answers
	# A stock kvm.ko that stayed (kvmgt, a failed modprobe -r) under
	# our kvm-intel.ko: it loads and runs guests.
	tap_cmd "stock kvm-intel unloads, stock kvm stays" rmmod kvm_intel
	tap_cmd "our kvm-intel loads on stock kvm" \
		kes_insmod "$KES_MODS/ours/kvm-intel.ko"
	tap_run "our kvm-intel on stock kvm" \
		./exitstats-test --stock-kvm /tmp/stock-answers
	tap_cmd "our kvm-intel and stock kvm unload" kvm_unload
	tap_cmd "our modules load again" kvm_load ours
	tap_cmd "/dev/kvm is back" test -c /dev/kvm
	tap_run "guest tests" ./exitstats-test --compare /tmp/stock-answers
	tap_cmd "our modules unload after the VMs ran" kvm_unload
	tap_cmd "and load again" kvm_load ours
	tap_run "after reload" ./exitstats-test --fresh
	if [ -f "$KES_MODS/ours/vmxcap.ko" ]; then
		tap_cmd "vmxcap.ko loads" kes_insmod "$KES_MODS/ours/vmxcap.ko"
		tap_cmd "vmxcap.ko unloads" rmmod vmxcap
	fi
	tap_cmd "kernel log: no symbol version mismatch, WARNING or oops" \
		no_bad_log "$log_from"
else
	log_from=$(($(dmesg | wc -l) + 1))
	tap_run "stock answers" ./exitstats-test --stock /tmp/stock-answers
	tap_cmd "stock modules unload" kvm_unload
	tap_cmd "and load again" kvm_load stock
	tap_run "stock after reload" ./exitstats-test --stock /tmp/stock-again
	tap_cmd "stock answers the same after reload" \
		cmp /tmp/stock-answers /tmp/stock-again
	tap_cmd "kernel log: no symbol version mismatch, WARNING or oops" \
		no_bad_log "$log_from"
fi
tap_done
