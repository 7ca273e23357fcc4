# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Payload of tests/emu/stress/run, sourced by the emulated host's /init
# with /lib/kes.sh, our modules loaded: the leaf fuzzer (stock KVM's
# answers first, in the same boot), then stress rounds with kvm-intel
# reloaded between them and kvm too before the last, then the kernel log.

# shellcheck disable=SC1091 # the payload's
. ./stress.conf
seed=$(($(date +%s) % 100000 + 1))
fuzz_n=24576
log_from=$(($(dmesg | wc -l) + 1))
# Besides what /init looks for: lockdep, RCU and hung task reports.
bad_log="$KES_BAD_LOG|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|lockdep|INFO: task .* blocked|soft lockup|hard LOCKUP|rcu_.*stall|refcount_t:|list_(add|del) corruption|use-after-free|double free"

no_bad_log() {
	! dmesg | tail -n +"$1" | grep -E "$bad_log"
}

stamp() {
	echo "# $(cut -d' ' -f1 /proc/uptime) s: $*"
}

tap_cmd "our kvm is the one loaded" test "$(kvm_loaded)" = ours
stamp "fuzz, seed $seed"
tap_cmd "our modules unload" kvm_unload
tap_cmd "stock modules load" kvm_load stock
tap_run "fuzz stock" ./kes-stress fuzz-record /tmp/fuzz.stock "$seed" "$fuzz_n"
tap_cmd "stock modules unload" kvm_unload
tap_cmd "ours load" kvm_load ours
tap_run "fuzz" ./kes-stress fuzz /tmp/fuzz.stock "$seed" "$fuzz_n"

rounds=3
r=1
while [ "$r" -le "$rounds" ]; do
	stamp "round $r: 3 VMs x 3 vCPUs, ${KES_STRESS_SECONDS} s"
	tap_run "round $r" ./kes-stress round "$KES_STRESS_SECONDS" 3 3 \
		$((seed + r))
	if [ "$r" -lt "$rounds" ]; then
		tap_cmd "round $r: kvm-intel unloads (no VM holds it)" \
			rmmod kvm_intel
		tap_cmd "round $r: kvm-intel loads again" \
			kes_insmod "$KES_MODS/ours/kvm-intel.ko"
	else
		tap_cmd "round $r: kvm-intel and kvm unload" kvm_unload
		tap_cmd "round $r: both load again" kvm_load ours
		tap_run "after the last round" ./kes-stress round 2 1 2 $((seed + 99))
	fi
	r=$((r + 1))
done
stamp "done"
tap_cmd "kernel log: no WARNING, BUG, oops, lockdep, RCU or hung task report" \
	no_bad_log "$log_from"
tap_done
