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

# TAP for run.sh: one numbering across shell checks and TAP programs, and
# one plan at the end (tap_done).
KES_TAP_N=${KES_TAP_N:-/tmp/kes-tap.n}

tap_next() {
	_n=$(($(cat "$KES_TAP_N" 2>/dev/null || echo 0) + 1))
	echo "$_n" >"$KES_TAP_N"
}

# tap_is STATUS DESC: one test line, passing when STATUS is 0.
tap_is() {
	tap_next
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
	fi
}

# tap_cmd DESC CMD...: one test line from CMD's exit status; its output
# becomes diagnostics.
tap_cmd() {
	_d=$1
	shift
	_out=$("$@" 2>&1)
	_rc=$?
	[ -z "$_out" ] || printf '%s\n' "$_out" | while IFS= read -r _l; do echo "# $_l"; done
	tap_is "$_rc" "$_d"
}

# tap_run NAME CMD...: run a program that prints TAP and fold its lines
# into ours.  A missing or wrong plan (a crash, say) or a failing exit
# status without a failing line becomes a failing line of its own.
tap_run() {
	_name=$1
	shift
	_base=$(cat "$KES_TAP_N" 2>/dev/null || echo 0)
	{ "$@" 2>&1; echo "KES-RC $?"; } | awk -v base="$_base" \
		-v name="$_name" -v nfile="$KES_TAP_N" '
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
	/^KES-RC / { rc = $2; next }
	{ print; fflush() }
	END {
		ran = n
		if (plans != 1 || plan != ran) {
			n++
			print "not ok " (base + n) " - " name ": planned " \
				(plans ? plan : "nothing") ", ran " ran
		} else if (rc != 0 && !failed) {
			n++
			print "not ok " (base + n) " - " name ": exit status " rc
		}
		print base + n > nfile
	}'
}

# tap_done: the plan, after the last test.
tap_done() {
	echo "1..$(cat "$KES_TAP_N" 2>/dev/null || echo 0)"
}
