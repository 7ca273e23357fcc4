# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# tests/tap.sh: the one set of TAP helpers, sourced by every shell test
# that prints TAP (tests/, tools/check, scripts/style, scripts/matrix) and
# by the emulated host's payloads, which find it in the initramfs as
# /lib/tap.sh (emu/boot ships it, initramfs/kes.sh sources it).
# POSIX sh, so that bash, dash and busybox sh all run it.
#
# One argument order: what is checked comes first and the description
# last; only where a command follows (taking the rest of the line) does
# the description come first.
#
#   tap_ok STATUS DESC      one test line, passing when STATUS is 0
#   tap_is GOT WANT DESC    passing when the strings GOT and WANT are equal;
#                           a failure shows both as diagnostics
#   tap_cmd DESC CMD...     passing when CMD exits 0; what CMD prints (stdout
#                           and stderr) follows as diagnostics
#   tap_skip DESC REASON    a skipped test
#   tap_run NAME CMD...     run a program that prints TAP and fold its lines
#                           into ours, renumbered; a missing or wrong plan (a
#                           crash, say) or a failing exit status without a
#                           failing line becomes a failing line of its own
#   tap_diag                standard input as diagnostics ("# " lines)
#   tap_bail REASON         "Bail out! REASON" and exit 1
#   tap_done                the plan, after the last test; its status is 0
#                           when no test failed (end a test with it)
#
# tap_ok, tap_is and tap_cmd return 0 when the test passed and 1 when it
# failed, so `tap_ok $? "..." || tap_diag <log` shows a log on failure
# (under set -e, call them where a failure does not end the script).
# The count of tests and of failures lives in the file TAP_STATE (a fresh
# temporary file unless set before sourcing; tap_done and tap_bail remove
# it), so tests in subshells and pipelines and the programs tap_run folds
# in share one numbering.  The helpers' own variables start with _tap_.

[ -n "${TAP_STATE:-}" ] || TAP_STATE=$(mktemp "${TMPDIR:-/tmp}/tap.XXXXXX")

# _tap_read: the counts so far into _tap_n and _tap_f.
_tap_read() {
	_tap_n=0 _tap_f=0
	[ ! -s "$TAP_STATE" ] || read -r _tap_n _tap_f <"$TAP_STATE"
}

tap_ok() {
	_tap_read
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ] 2>/dev/null; then
		echo "$_tap_n $_tap_f" >"$TAP_STATE"
		echo "ok $_tap_n - $2"
		return 0
	fi
	echo "$_tap_n $((_tap_f + 1))" >"$TAP_STATE"
	echo "not ok $_tap_n - $2"
	return 1
}

tap_is() {
	if [ "$1" = "$2" ]; then
		tap_ok 0 "$3"
		return 0
	fi
	tap_ok 1 "$3" || :
	printf 'got:  %s\nwant: %s\n' "$1" "$2" | tap_diag
	return 1
}

tap_cmd() {
	_tap_d=$1
	shift
	_tap_out=$("$@" 2>&1) && _tap_rc=0 || _tap_rc=$?
	tap_ok "$_tap_rc" "$_tap_d" && _tap_rc=0 || _tap_rc=1
	[ -z "$_tap_out" ] || printf '%s\n' "$_tap_out" | tap_diag
	return "$_tap_rc"
}

tap_skip() {
	_tap_read
	_tap_n=$((_tap_n + 1))
	echo "$_tap_n $_tap_f" >"$TAP_STATE"
	echo "ok $_tap_n - $1 # SKIP $2"
}

tap_run() {
	_tap_name=$1
	shift
	_tap_read
	{ "$@" 2>&1; echo "TAP-RUN-RC $?"; } | awk -v base="$_tap_n" \
		-v fails="$_tap_f" -v name="$_tap_name" -v state="$TAP_STATE" '
	/^(not )?ok [0-9]+/ {
		bad = ($1 == "not")
		sub(/^(not )?ok [0-9]+/, "")
		n++
		failed += bad
		print (bad ? "not ok " : "ok ") (base + n) $0
		fflush()
		next
	}
	/^1\.\.[0-9]+/ { plan = substr($0, 4) + 0; plans++; next }
	/^TAP-RUN-RC / { rc = $2; next }
	{ print; fflush() }
	END {
		ran = n
		if (plans != 1 || plan != ran) {
			n++
			failed++
			print "not ok " (base + n) " - " name ": planned " \
				(plans ? plan : "nothing") ", ran " ran
		} else if (rc != 0 && !failed) {
			n++
			failed++
			print "not ok " (base + n) " - " name ": exit status " rc
		}
		print base + n, fails + failed > state
	}'
}

tap_diag() {
	sed 's/^/# /'
}

tap_bail() {
	echo "Bail out! $*"
	rm -f "$TAP_STATE"
	exit 1
}

tap_done() {
	_tap_read
	echo "1..$_tap_n"
	rm -f "$TAP_STATE"
	[ "$_tap_f" -eq 0 ]
}
