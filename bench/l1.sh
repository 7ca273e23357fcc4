# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Payload of bench/run on the emulated host (L1), sourced by its
# /init with /lib/kes.sh: cpuid-bench on our modules, on the stock kvm.ko
# under our vendor module (the exit path alone), on the stock ones, and
# on the stock ones with the kvm:kvm_exit and kvm:kvm_entry tracepoints
# on; ours and stock also with a vCPU that has no CPUID table.  Each
# figure goes out as "# bench <config> <cycles>"; the TAP lines only say
# that the measurement ran.

N=1000
RUNS=7

# bench CONFIG [-e]: the figure is the fastest of RUNS runs in one VM: a
# run that a timer interrupt of the host hit is slower by the interrupt's
# exit; all runs are shown.  -e: a vCPU without a CPUID table.
bench() {
	out=$(./cpuid-bench ${2:+"$2"} -n $N -r $RUNS 2>&1)
	rc=$?
	printf '%s\n' "$out" | while IFS= read -r l; do echo "# $1: $l"; done
	fig=$(echo "$out" | awk '/^cpuid-bench: [0-9.]+ cycles/ {
		if (min == "" || $2 + 0 < min + 0) min = $2 } END { print min }')
	[ -n "$fig" ] || rc=1
	[ $rc -ne 0 ] || echo "# bench $1 $fig"
	tap_ok $rc "cpuid-bench on $1: ${fig:-no figure}"
}

# tracepoints 0|1: kvm:kvm_exit and kvm:kvm_entry off or on.
tracepoints() {
	for e in kvm_exit kvm_entry; do
		echo "$1" >"$tracefs/events/kvm/$e/enable" || return 1
	done
}

# On AMD /init loaded our kvm.ko under the stock kvm-amd.ko: ours is both.
both_ours() {
	kvm_unload && kvm_load ours ours
}
[ "$KES_VENDOR" != amd ] || tap_cmd "our kvm and kvm-amd load" both_ours
tap_cmd "our kvm is the one loaded (it has a version)" \
	test "$(kvm_loaded)" = ours
bench ours
bench ours/no-table -e
tap_cmd "our modules unload" kvm_unload
# The exit path alone: our vendor module, counting every exit, under the
# stock kvm.ko (which has no CPUID hook and finds no one to report to).
tap_cmd "stock kvm and our $KES_VENDOR_MOD load" kvm_load stock ours
bench stock+exit-path
tap_cmd "they unload" kvm_unload
tap_cmd "stock kvm and $KES_VENDOR_MOD load" kvm_load stock
bench stock
bench stock/no-table -e
tracefs=/sys/kernel/tracing
mount -t tracefs nodev "$tracefs" 2>/dev/null
tap_cmd "kvm:kvm_exit and kvm:kvm_entry on" tracepoints 1
bench stock+tracepoints
tap_cmd "tracepoints off" tracepoints 0
echo "# trace buffer: $(grep -c kvm_exit "$tracefs/trace") kvm_exit events kept"
tap_done
