# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# run.sh of tests/emu/selftests/run inside the emulated host (busybox sh,
# /lib/kes.sh sourced): run every test of ./tests on the stock kvm and
# vendor module (kvm-intel, or on AMD kvm-amd), then on ours, and print one
# TAP line per test saying whether both ended the same way.  A test that
# ./excluded names for this vendor ("VENDOR NAME REASON") is left out.
# ./bin.tar.xz holds the static test programs: 60 copies of static glibc
# pack to 3 MB, and the firmware reads the initramfs through an emulated
# CD-ROM at about 1 MB every 2 s.
#
# Exit codes are the kselftest ones: 0 pass, 4 skip (KSFT_SKIP), anything
# else a failure (254 is a failed TEST_ASSERT); a test still running after
# ST_TIMEOUT seconds of guest time is killed and counts as "timeout".

ST_TIMEOUT=${ST_TIMEOUT:-30}
ST_OUT=/tmp/st

# Guest time in hundredths of a second, and such a figure as seconds.
uptime_cs() {
	awk '{ printf "%d", $1 * 100 }' /proc/uptime
}
secs() {
	awk -v cs="$1" 'BEGIN { printf "%.2f", cs / 100 }'
}

result_of() {
	case $1 in
	0) echo pass ;;
	4) echo skip ;;
	137) echo timeout ;;
	*) echo fail ;;
	esac
}

# loaded_set: "stock" or "ours" when kvm.ko and the vendor module are
# both of that set (ours carry MODULE_VERSION()), else "mixed" (on AMD /init
# loads our kvm.ko under the stock kvm-amd.ko).
loaded_set() {
	_v=stock
	[ ! -e "/sys/module/$KES_VENDOR_MOD/version" ] || _v=ours
	if [ "$(kvm_loaded)" = "$_v" ]; then echo "$_v"; else echo mixed; fi
}

# run_set stock|ours: load that kvm and vendor module and run every test,
# one line per test in $ST_OUT/SET.results: "NAME EXIT SECONDS".
run_set() {
	kvm=$1

	if [ "$(loaded_set)" != "$kvm" ]; then
		kvm_unload && kvm_load "$kvm" "$kvm" || return 1
	fi
	if [ "$(loaded_set)" != "$kvm" ]; then
		echo "KES-ERROR asked for $kvm kvm and $KES_VENDOR_MOD, $(loaded_set) is loaded"
		return 1
	fi
	mkdir -p "$ST_OUT/$kvm"
	: >"$ST_OUT/$kvm.results"
	while read -r t args; do
		log=$ST_OUT/$kvm/$(echo "$t" | tr / _)
		t0=$(uptime_cs)
		# shellcheck disable=SC2086 # args are words
		timeout -s KILL "$ST_TIMEOUT" "$ST_OUT/bin/$t" $args \
			</dev/null >"$log" 2>&1
		rc=$?
		dt=$(secs $(($(uptime_cs) - t0)))
		echo "$t $rc $dt" >>"$ST_OUT/$kvm.results"
		echo "# $kvm $t: $(result_of $rc) (exit $rc, ${dt}s)"
	done <"$ST_OUT/tests"
}

# The part of a test's output worth showing: assertion, skip reason or
# the last lines.
excerpt() {
	grep -v 'addr2line: not found' "$1" >"$1.short"
	{ grep -E -A3 'Assertion failure|Skipping|SKIP|requirement' "$1.short" ||
		tail -n 5 "$1.short"; } | head -n 6 | sed 's/^/#   /'
}

summary() {
	awk -v set="$1" '
	{ r = $2 == 0 ? "pass" : $2 == 4 ? "skip" : $2 == 137 ? "timeout" : "fail"; n[r]++; s += $3 }
	END { printf "# %s: %d pass, %d skip, %d fail, %d timeout, %.0fs guest time\n",
		set, n["pass"], n["skip"], n["fail"], n["timeout"], s }' \
		"$ST_OUT/$1.results"
}

mkdir -p "$ST_OUT"
# The set on this vendor: ./tests less what ./excluded leaves out here.
: >"$ST_OUT/tests"
while read -r t args; do
	why=$(awk -v v="$KES_VENDOR" -v t="$t" '$1 == v && $2 == t {
		sub(/^[^ ]+ [^ ]+ */, ""); print ($0 == "" ? "-" : $0); exit }' excluded)
	if [ -n "$why" ]; then
		echo "# $t: left out on $KES_VENDOR: $why"
	else
		echo "$t${args:+ $args}" >>"$ST_OUT/tests"
	fi
done <tests
t0=$(uptime_cs)
xz -dc bin.tar.xz | tar -x -C "$ST_OUT" ||
	tap_bail "cannot unpack bin.tar.xz"
echo "# unpacked the tests in $(secs $(($(uptime_cs) - t0)))s"

run_set stock || tap_bail "cannot load the stock kvm"
run_set ours || tap_bail "cannot load our kvm"

# exit_of SET NAME: the exit code NAME had on SET, or nothing.
exit_of() {
	awk -v t="$2" '$1 == t { print $2 }' "$ST_OUT/$1.results"
}

while read -r t args; do
	log=$(echo "$t" | tr / _)
	rc_s=$(exit_of stock "$t")
	rc_o=$(exit_of ours "$t")
	rs=$(result_of "${rc_s:-none}")
	ro=$(result_of "${rc_o:-none}")
	if [ -z "$rc_s" ] || [ -z "$rc_o" ]; then
		tap_ok 1 "$t: no result (stock '$rc_s', ours '$rc_o')"
	elif [ "$rs" = "$ro" ]; then
		tap_ok 0 "$t: same result on stock and ours ($rs)"
		# Say why, once: a skip's reason, a failure's assertion.
		[ "$rs" = pass ] || excerpt "$ST_OUT/stock/$log"
	else
		tap_ok 1 "$t: stock $rs (exit $rc_s), ours $ro (exit $rc_o)"
		echo "# stock:"
		excerpt "$ST_OUT/stock/$log"
		echo "# ours:"
		excerpt "$ST_OUT/ours/$log"
	fi
done <"$ST_OUT/tests"
summary stock
summary ours
tap_done
