#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/kvm-prepare for every recorded release, its refusals, and its
# auto-import path: a kernel whose delta the tree does not carry, built
# from the host's installed linux-source-X.Y of exactly that release.
#
# kvm-prepare reads only the headers' UTS_VERSION, so a fake KDIR with
# include/generated/utsversion.h stands for the headers here; the matrix
# (scripts/matrix) builds against the real ones.
set -uo pipefail
. "$(dirname "$0")/tap.sh"

tmp=$(mktemp -d)
installed_by_us=
cleanup() {
	[ -z "$installed_by_us" ] ||
		DEBIAN_FRONTEND=noninteractive apt-get remove -y -q \
			-o DPkg::Lock::Timeout=600 linux-source-6.1 >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

fake_kdir() {	# fake_kdir DIR RELEASE
	mkdir -p "$1/include/generated"
	echo "#define UTS_VERSION \"#1 SMP PREEMPT_DYNAMIC Debian $2 (2026-11-16)\"" \
		>"$1/include/generated/utsversion.h"
}

prepare() {	# prepare ROOT RELEASE DEST: run ROOT's kvm-prepare, stderr to $tmp/err
	rm -rf "$tmp/kdir" "$3"
	fake_kdir "$tmp/kdir" "$2"
	"$1/scripts/kvm-prepare" "$tmp/kdir" "$3" 2>"$tmp/err"
}

# A copy of the scripts and kernels/ to change without touching the tree.
scratch_root() {
	rm -rf "$tmp/root"; mkdir -p "$tmp/root/scripts"
	cp "$root/scripts/kvm-prepare" "$tmp/root/scripts/"
	cp -a "$root/kernels" "$tmp/root/"
}

# 1. Every recorded release assembles, with our hooks, and says so.
releases=$(awk '!/^#/ { print $2 }' "$root"/kernels/*/KERNELS)
for r in $releases; do
	series=${r%.*-*}
	prepare "$root" "$r" "$tmp/out"
	rc=$?
	[ $rc -eq 0 ] && [ "$(cat "$tmp/out/RELEASE")" = "$r" ] &&
		grep -q exitstats_exit_begin "$tmp/out/arch/x86/kvm/vmx/vmx.c" &&
		[ ! -e "$tmp/out/Documentation" ]
	ok $? "kvm-prepare $r: base $(cat "$root/kernels/$series/BASE")$( [ -f "$root/kernels/$series/deltas/$r.diff" ] && echo " + delta") + exitstats.patch" ||
		diag <"$tmp/err"
done

# 2. Unknown releases: exit 2, one line, nothing left behind.
for r in 6.1.999-1 5.10.226-1; do
	prepare "$root" "$r" "$tmp/out"
	rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -e "$tmp/out" ] &&
		! ls "$tmp"/out.tmp.* >/dev/null 2>&1
	ok $? "kvm-prepare $r (not supported) exits 2 with one line: $(cat "$tmp/err")"
done

# 3. No fuzz: a hunk whose context moved by a line is refused, though
#    plain patch (fuzz 2) would have put it somewhere.  Change the first
#    context line of the trace_kvm_exit() hunk.
scratch_root
awk '!done && /^@@/ { h = 1; print; next }
	h == 1 && /vmx->idt_vectoring_info = vmcs_read32/ { sub(/vmcs_read32/, "vmcs_read32 "); done = 1 }
	{ h = 0; print }' "$root/kernels/6.1/exitstats.patch" >"$tmp/root/kernels/6.1/exitstats.patch"
base61=$(cat "$root/kernels/6.1/BASE")
rm -rf "$tmp/plain" && cp -a "$root/kernels/6.1/base" "$tmp/plain"
patch -s -p1 -d "$tmp/plain" -f <"$tmp/root/kernels/6.1/exitstats.patch" >/dev/null 2>&1
plain=$?
prepare "$tmp/root" "$base61" "$tmp/out"
rc=$?
[ $plain -eq 0 ] && [ $rc -eq 2 ] && grep -q 'our hooks do not apply' "$tmp/err"
ok $? "a hook that applies only with fuzz is refused (plain patch: $plain, kvm-prepare: $rc)"

# 4. Auto-import: the delta of R is not in the tree, but linux-source-6.1
#    of exactly R is installed.  Use the installed one if it is a recorded
#    point release; otherwise install 6.1.190-1 for the test and remove it
#    afterwards.  Never replace a linux-source-6.1 someone else installed.
have=$(dpkg-query -W -f '${db:Status-Abbrev} ${Version}' linux-source-6.1 2>/dev/null | awk '$1 == "ii" { print $2 }')
r=
if [ -n "$have" ]; then
	if [ "$have" != "$base61" ] && [ -f "$root/kernels/6.1/deltas/$have.diff" ]; then
		r=$have
	else
		why="linux-source-6.1 $have is installed and is not a recorded point release"
	fi
elif deb=$(linux_source_deb 6.1 6.1.190-1); then
	if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			-o DPkg::Lock::Timeout=600 "$deb" >"$tmp/apt" 2>&1; then
		installed_by_us=1 r=6.1.190-1
	else
		why="apt-get install $deb failed"; diag <"$tmp/apt"
	fi
else
	why="cannot download linux-source-6.1 6.1.190-1"
fi
if [ -n "$r" ]; then
	scratch_root
	rm "$tmp/root/kernels/6.1/deltas/$r.diff"
	prepare "$tmp/root" "$r" "$tmp/auto"
	rc=$?
	diag <"$tmp/err"
	[ $rc -eq 0 ] && grep -q "using KVM sources from the installed linux-source-6.1" "$tmp/err"
	ok $? "kernel $r, delta absent, linux-source-6.1 $r installed: kvm-prepare imports from it"
	prepare "$root" "$r" "$tmp/delta"
	diff -r "$tmp/auto" "$tmp/delta" >"$tmp/diff" 2>&1
	ok $? "the auto-imported copy is identical to base + recorded delta + hooks" ||
		head -n 20 "$tmp/diff" | diag
	# The same tree with a different release installed: the graceful path.
	prepare "$tmp/root" "${r%-*}-9" "$tmp/none"
	rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "Install linux-source-6.1=${r%-*}-9" "$tmp/err"
	ok $? "a release whose linux-source is not the installed one exits 2 with one line"
else
	skip "auto-import from the installed linux-source-6.1" "$why"
	skip "the auto-imported copy is identical to base + recorded delta + hooks" "$why"
	skip "a release whose linux-source is not the installed one exits 2 with one line" "$why"
fi

done_testing
