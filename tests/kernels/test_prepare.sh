#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms/kvm-prepare for every recorded release, its empty and
# symlinked deltas, its refusals, and its auto-import path: a kernel whose
# delta the tree does not carry, built from an installed linux-source-X.Y
# of exactly that release.  No package is installed or removed on the
# host: the "installed" linux-source is the real .deb unpacked into a
# scratch system root (KES_SYSROOT) with a dpkg database that lists it.
#
# kvm-prepare reads only the headers' UTS_VERSION, so a fake KDIR with
# include/generated/utsversion.h stands for the headers here; the matrix
# (scripts/matrix) builds against the real ones.
set -uo pipefail
# lib.sh: tests/tap.sh (tap_ok, tap_is, tap_skip, tap_diag, tap_done),
# linux_source_deb, kernels_line and $root, the top of the tree.
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fake_kdir() {	# fake_kdir DIR RELEASE
	mkdir -p "$1/include/generated"
	echo "#define UTS_VERSION \"#1 SMP PREEMPT_DYNAMIC Debian $2 (2026-11-16)\"" \
		>"$1/include/generated/utsversion.h"
}

prepare() {	# prepare ROOT RELEASE DEST: run ROOT's kvm-prepare, stderr to $tmp/err
	rm -rf "$tmp/kdir" "$3"
	fake_kdir "$tmp/kdir" "$2"
	"$1/dkms/kvm-prepare" "$tmp/kdir" "$3" 2>"$tmp/err"
}

# A copy of the scripts and kernels/ to change without touching the tree.
scratch_root() {
	rm -rf "$tmp/root"; mkdir -p "$tmp/root/dkms"
	cp "$root/dkms/kvm-prepare" "$tmp/root/dkms/"
	cp -a "$root/kernels" "$tmp/root/"
}

# How kvm-prepare gets release R of SERIES from kernels/.
how() {	# how SERIES R
	local d=$root/kernels/$1/deltas/$2.diff
	if [ -L "$d" ]; then echo " + delta -> $(readlink "$d")"
	elif [ -f "$d" ] && [ ! -s "$d" ]; then echo " + empty delta (the base's KVM)"
	elif [ -f "$d" ]; then echo " + delta"
	fi
}

# 1. Every recorded release assembles, with our hooks, and says so.
releases=$("$root/scripts/kernels" abis | cut -f2)
for r in $releases; do
	series=${r%.*-*}
	prepare "$root" "$r" "$tmp/out"
	rc=$?
	[ $rc -eq 0 ] && [ "$(cat "$tmp/out/RELEASE")" = "$r" ] &&
		grep -q exitstats_exit_begin "$tmp/out/arch/x86/kvm/vmx/vmx.c" &&
		[ ! -e "$tmp/out/Documentation" ]
	tap_ok $? "kvm-prepare $r: base $(cat "$root/kernels/$series/BASE")$(how "$series" "$r") + exitstats.patch" ||
		tap_diag <"$tmp/err"
done

# 1b. No bytes twice: no two regular deltas of a series are the same, and
#     every symlinked delta names a regular delta next to it.
for d in "$root"/kernels/*/deltas; do
	[ -d "$d" ] || continue
	s=${d%/deltas}; s=${s##*/}
	dups=$(find "$d" -maxdepth 1 -type f -size +0 -name '*.diff' -print0 |
		xargs -0 -r sha1sum | sort | uniq -w40 -D | sed 's|  .*/| |')
	bad=$(find "$d" -maxdepth 1 -type l -name '*.diff' | while read -r l; do
		t=$(readlink "$l")
		case $t in */*) echo "${l##*/} -> $t" ; continue ;; esac
		[ -f "$d/$t" ] && [ ! -L "$d/$t" ] || echo "${l##*/} -> $t"
	done)
	[ -z "$dups$bad" ]
	tap_ok $? "kernels/$s/deltas: no delta stored twice ($(find "$d" -maxdepth 1 -type l | wc -l) symlinks, $(find "$d" -maxdepth 1 -type f -empty | wc -l) empty)" ||
		echo "$dups$bad" | tap_diag
done

# 1c. A release with an empty delta gets exactly the base's KVM, one with
#     a symlinked delta exactly that of the release it links to.
same_but_release() {	# same_but_release DIR1 DIR2
	diff -r -x RELEASE "$1" "$2" >"$tmp/diff" 2>&1 || { head -n 20 "$tmp/diff" | tap_diag; return 1; }
}
for r in $releases; do
	series=${r%.*-*} d=$root/kernels/${r%.*-*}/deltas/$r.diff
	if [ -L "$d" ]; then
		other=$(readlink "$d"); other=${other%.diff}
	elif [ -f "$d" ] && [ ! -s "$d" ]; then
		other=$(cat "$root/kernels/$series/BASE")
	else
		continue
	fi
	prepare "$root" "$r" "$tmp/a" && prepare "$root" "$other" "$tmp/b" &&
		same_but_release "$tmp/a" "$tmp/b"
	tap_ok $? "kvm-prepare $r$(how "$series" "$r"): the same KVM as $other"
done

# 2. Unknown releases: exit 2, one line, nothing left behind.
for r in 6.1.999-1 5.10.226-1; do
	prepare "$root" "$r" "$tmp/out"
	rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -e "$tmp/out" ] &&
		! ls "$tmp"/out.tmp.* >/dev/null 2>&1
	tap_ok $? "kvm-prepare $r (not supported) exits 2 with one line: $(cat "$tmp/err")"
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
tap_ok $? "a hook that applies only with fuzz is refused (plain patch: $plain, kvm-prepare: $rc)"

# 4. A synthetic empty delta is no patching at all, a synthetic symlink
#    reads through to the delta it names, a dangling one is refused.
scratch_root
base612=$(cat "$root/kernels/6.12/BASE")
point61=$(find "$root/kernels/6.1/deltas" -maxdepth 1 -type f -size +0 -name '*.diff' |
	sort -V | tail -n1); point61=${point61##*/}; point61=${point61%.diff}
: >"$tmp/root/kernels/6.12/deltas/6.12.997-1.diff"
ln -s "$point61.diff" "$tmp/root/kernels/6.1/deltas/6.1.998-1.diff"
ln -s 6.1.0-none.diff "$tmp/root/kernels/6.1/deltas/6.1.999-1.diff"
prepare "$tmp/root" 6.12.997-1 "$tmp/e" && prepare "$root" "$base612" "$tmp/b" &&
	same_but_release "$tmp/e" "$tmp/b" && [ "$(cat "$tmp/e/RELEASE")" = 6.12.997-1 ]
tap_ok $? "an empty delta (6.12.997-1) gives the base $base612's KVM with our hooks"
prepare "$tmp/root" 6.1.998-1 "$tmp/l" && prepare "$root" "$point61" "$tmp/b" &&
	same_but_release "$tmp/l" "$tmp/b" && [ "$(cat "$tmp/l/RELEASE")" = 6.1.998-1 ]
tap_ok $? "a delta symlinked to $point61.diff (6.1.998-1) gives $point61's KVM with our hooks"
prepare "$tmp/root" 6.1.999-1 "$tmp/n"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -e "$tmp/n" ] &&
	grep -q 'which is missing' "$tmp/err"
tap_ok $? "a dangling delta symlink exits 2 with one line: $(cat "$tmp/err")"

# 5. Auto-import: the delta of R is not in the tree, but linux-source-6.1
#    of exactly R is installed -- in a scratch system root (KES_SYSROOT):
#    the real .deb unpacked, and a dpkg status file that lists it.
r=6.1.190-1
fake_install() {	# fake_install DEB SYSROOT
	rm -rf "$2" && mkdir -p "$2/var/lib/dpkg/info" "$2/var/lib/dpkg/updates" &&
	dpkg-deb -x "$1" "$2" &&
	{ dpkg-deb -f "$1"; echo "Status: install ok installed"; } >"$2/var/lib/dpkg/status"
}
if deb=$(linux_source_deb 6.1 "$r") && fake_install "$deb" "$tmp/sys"; then
	scratch_root
	rm "$tmp/root/kernels/6.1/deltas/$r.diff"
	KES_SYSROOT=$tmp/sys prepare "$tmp/root" "$r" "$tmp/auto"
	rc=$?
	tap_diag <"$tmp/err"
	[ $rc -eq 0 ] && grep -q "using KVM sources from the installed linux-source-6.1" "$tmp/err"
	tap_ok $? "kernel $r, delta absent, linux-source-6.1 $r installed: kvm-prepare imports from it"
	prepare "$root" "$r" "$tmp/delta"
	diff -r "$tmp/auto" "$tmp/delta" >"$tmp/diff" 2>&1
	tap_ok $? "the auto-imported copy is identical to base + recorded delta + hooks" ||
		head -n 20 "$tmp/diff" | tap_diag
	# The same tree with a different release installed: the graceful path.
	KES_SYSROOT=$tmp/sys prepare "$tmp/root" "${r%-*}-9" "$tmp/none"
	rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "Install linux-source-6.1=${r%-*}-9" "$tmp/err"
	tap_ok $? "a release whose linux-source is not the installed one exits 2 with one line"
	# Unpacked but not installed (the dpkg database says nothing): not used.
	: >"$tmp/sys/var/lib/dpkg/status"
	KES_SYSROOT=$tmp/sys prepare "$tmp/root" "$r" "$tmp/none"
	rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]
	tap_ok $? "a linux-source tarball no installed package owns is not used"
else
	why="cannot download linux-source-6.1 $r"
	tap_skip "auto-import from the installed linux-source-6.1" "$why"
	tap_skip "the auto-imported copy is identical to base + recorded delta + hooks" "$why"
	tap_skip "a release whose linux-source is not the installed one exits 2 with one line" "$why"
	tap_skip "a linux-source tarball no installed package owns is not used" "$why"
fi

tap_done
