# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Payload of tests/emu/amd/run, sourced by the emulated AMD host's /init
# with /lib/kes.sh: /init loaded our kvm.ko under the stock kvm-amd.ko (and
# its ccp.ko).  The VMM guest runs on stock kvm + kvm-amd, then on our
# kvm.ko + stock kvm-amd (amd-test), then on our kvm.ko + our kvm-amd.ko
# (svm-test), in this one boot.

no_bad_log() {
	! dmesg | tail -n +"$1" | grep -E "$KES_BAD_LOG"
}

# The flags of /proc/cpuinfo's first processor.
cpu_flags() {
	sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -n 1
}

log_from=$(($(dmesg | wc -l) + 1))
tap_cmd "the emulated CPU is AMD with SVM" \
	sh -c 'grep -q "^vendor_id.*AuthenticAMD" /proc/cpuinfo &&
		grep -qw svm /proc/cpuinfo'
tap_cmd "ccp and kvm_amd are loaded" \
	test -d /sys/module/ccp -a -d /sys/module/kvm_amd
tap_cmd "our kvm.ko is loaded (it has a version)" test "$(kvm_loaded)" = ours
# kvm-amd links against kvm.ko's exports: ours keep the stock CRCs.
tap_cmd "the stock kvm-amd.ko loaded against our kvm.ko" \
	test ! -e /sys/module/kvm_amd/version
tap_cmd "kvm_amd uses nested paging (npt=Y)" \
	grep -qx Y /sys/module/kvm_amd/parameters/npt
echo "# kvm_amd: npt=$(cat /sys/module/kvm_amd/parameters/npt)" \
	"nrips=$(cat /sys/module/kvm_amd/parameters/nrips 2>/dev/null)" \
	"avic=$(cat /sys/module/kvm_amd/parameters/avic 2>/dev/null)"
case " $(cpu_flags) " in
*" mwaitx "*) echo "# mwaitx in /proc/cpuinfo" ;;
*) echo "# no mwaitx in /proc/cpuinfo" ;;
esac

tap_cmd "our kvm.ko and kvm-amd unload" kvm_unload
tap_cmd "stock kvm and kvm-amd load" kvm_load stock
tap_cmd "stock kvm.ko is the one loaded" test "$(kvm_loaded)" = stock
tap_run "stock kvm + kvm-amd" ./amd-test --stock /tmp/stock-answers
tap_cmd "stock kvm and kvm-amd unload" kvm_unload

tap_cmd "our kvm.ko and the stock kvm-amd load again" kvm_load ours
tap_cmd "our kvm.ko is the one loaded" test "$(kvm_loaded)" = ours
tap_cmd "/dev/kvm is back" test -c /dev/kvm
tap_run "our kvm + stock kvm-amd" ./amd-test --ours /tmp/stock-answers
tap_cmd "our kvm.ko and kvm-amd unload after the VMs ran" kvm_unload
tap_cmd "and load again" kvm_load ours
tap_run "ours after reload" ./amd-test --ours /tmp/stock-answers

# Our kvm.ko with our kvm-amd.ko: the leaves and debugfs count SVM exits.
tap_cmd "our kvm.ko and the stock kvm-amd unload" kvm_unload
tap_cmd "our kvm.ko and our kvm-amd.ko load" kvm_load ours ours
tap_cmd "our kvm-amd.ko is the one loaded (it has a version)" \
	test -e /sys/module/kvm_amd/version
tap_cmd "kernel log: our kvm-amd registered with our kvm.ko" \
	sh -c '! dmesg | grep -q "kvm.ko is not kvm-exitstats"'
tap_run "our kvm + our kvm-amd" ./svm-test
tap_cmd "our kvm.ko and kvm-amd.ko unload after the VMs ran" kvm_unload
tap_cmd "kernel log: no symbol version mismatch, WARNING or oops" \
	no_bad_log "$log_from"
tap_done
