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

# Every process the emulated host starts costs about a second of wall
# time (fork, exec, page faults, all emulated), so the loops below run no
# program but the tests: the helpers are shell functions that set a
# variable, and awk reads the files once.

# uptime_cs: guest time in hundredths of a second into $cs (/proc/uptime
# has two decimals).
uptime_cs() {
	read -r _up _ </proc/uptime
	cs=$((${_up%.*} * 100 + 1${_up#*.} - 100))
}
# secs CS: CS hundredths as seconds ("1.05") into $secs.
secs() {
	_c=$(($1 % 100))
	[ "$_c" -ge 10 ] || _c=0$_c
	secs=$(($1 / 100)).$_c
}
# result_of EXIT: pass, skip, timeout or fail into $result.
result_of() {
	case $1 in
	0) result=pass ;;
	4) result=skip ;;
	137) result=timeout ;;
	*) result=fail ;;
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
	while read -r t log args; do
		uptime_cs
		t0=$cs
		# shellcheck disable=SC2086 # args are words
		timeout -s KILL "$ST_TIMEOUT" "$ST_OUT/bin/$t" $args \
			</dev/null >"$ST_OUT/$kvm/$log" 2>&1
		rc=$?
		uptime_cs
		secs $((cs - t0))
		result_of $rc
		echo "$t $rc $secs" >>"$ST_OUT/$kvm.results"
		echo "# $kvm $t: $result (exit $rc, ${secs}s)"
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
# The set on this vendor, ./tests less what ./excluded leaves out here,
# as "NAME LOG ARGS" (LOG: NAME with _ for /).
awk -v v="$KES_VENDOR" -v out="$ST_OUT/tests" '
	FILENAME == "excluded" {
		if ($1 == v) { why = $0; sub(/^[^ ]+ [^ ]+ */, "", why); left[$2] = why == "" ? "-" : why }
		next
	}
	$1 in left { print "# " $1 ": left out on " v ": " left[$1]; next }
	{ f = $1; gsub("/", "_", f); $1 = $1 " " f; print > out }' excluded tests
uptime_cs
t0=$cs
xz -dc bin.tar.xz | tar -x -C "$ST_OUT" ||
	tap_bail "cannot unpack bin.tar.xz"
uptime_cs
secs $((cs - t0))
echo "# unpacked the tests in ${secs}s"

run_set stock || tap_bail "cannot load the stock kvm"
run_set ours || tap_bail "cannot load our kvm"

# "NAME LOG STOCK-EXIT OURS-EXIT" for every test of the set, "-" for an
# exit code missing.
awk '
	FILENAME ~ /stock.results$/ { st[$1] = $2; next }
	FILENAME ~ /ours.results$/ { ou[$1] = $2; next }
	{ print $1, $2, ($1 in st ? st[$1] : "-"), ($1 in ou ? ou[$1] : "-") }' \
	"$ST_OUT/stock.results" "$ST_OUT/ours.results" "$ST_OUT/tests" >"$ST_OUT/both"
while read -r t log rc_s rc_o; do
	result_of "$rc_s"
	rs=$result
	result_of "$rc_o"
	ro=$result
	if [ "$rc_s" = - ] || [ "$rc_o" = - ]; then
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
done <"$ST_OUT/both"
summary stock
summary ours
tap_done
