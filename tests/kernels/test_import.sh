#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/kvm-import, on a real linux-source package and on kernel trees
# made from the committed base and deltas, each time into a scratch copy
# of kernels/ so the repository is never touched.
set -uo pipefail
# lib.sh: tests/tap.sh (tap_ok, tap_is, tap_skip, tap_diag, tap_done),
# linux_source_deb, kernels_line and $root, the top of the tree.
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"

series=6.1 release=6.1.190-1	# a recorded point release, not the base
TAB=$'\t'
base_release=$(cat "$root/kernels/$series/BASE")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A scratch kernels/ without RELEASE: its delta and its KERNELS line.
scratch() {
	rm -rf "$tmp/k"
	cp -a "$root/kernels" "$tmp/k"
	rm -f "$tmp/k/$series/deltas/$release.diff"
	awk -v r="$release" '$2 != r' "$root/kernels/$series/KERNELS" >"$tmp/k/$series/KERNELS"
}

# A kernel tree: BASE + the delta of REL, with a top Makefile saying VER.
make_tree() {	# make_tree DIR REL VERSION.PATCHLEVEL.SUBLEVEL
	local d=$1 rel=$2 v=$3
	rm -rf "$d"; mkdir -p "$d"
	cp -a "$root/kernels/$series/base/." "$d/"
	[ "$rel" = "$base_release" ] ||
		patch -s -p1 -d "$d" -F0 <"$root/kernels/$series/deltas/$rel.diff"
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\n' \
		"${v%%.*}" "$(echo "$v" | cut -d. -f2)" "${v##*.}" >"$d/Makefile"
}

import() { "$root/scripts/kvm-import" --kernels "$tmp/k" "$@" >"$tmp/out" 2>&1; }

# 1. The real package: the delta and the KERNELS line come out exactly as
#    committed (ABI, suite and flavours found from the archive's headers).
if deb=$(linux_source_deb "$series" "$release"); then
	scratch
	import "$deb"
	tap_ok $? "import linux-source-$series $release from $(basename "$deb")" || true
	tap_diag <"$tmp/out"
	cmp -s "$tmp/k/$series/deltas/$release.diff" "$root/kernels/$series/deltas/$release.diff"
	tap_ok $? "the delta reproduces kernels/$series/deltas/$release.diff byte for byte"
	tap_is "$(awk -v r="$release" '$2 == r' "$tmp/k/$series/KERNELS")" "$(kernels_line "$release")" \
		"the KERNELS line (ABI, suite, flavours) is the committed one"
	import "$deb"
	grep -q 'unchanged' "$tmp/out"
	tap_ok $? "importing it again changes nothing"
else
	tap_skip "import linux-source-$series $release" "cannot download the package"
fi

# 2. An unpacked kernel tree with an explicit release gives the same delta.
scratch
make_tree "$tmp/tree" "$release" "${release%-*}"
line=$(kernels_line "$release")
import --abi "$(echo "$line" | cut -f1)" --suite "$(echo "$line" | cut -f3)" \
	--flavours "$(echo "$line" | cut -f4)" "$tmp/tree" "$release"
tap_ok $? "import an unpacked tree with an explicit release"
cmp -s "$tmp/k/$series/deltas/$release.diff" "$root/kernels/$series/deltas/$release.diff"
tap_ok $? "the tree's delta is the committed one too"
tap_is "$(awk -v r="$release" '$2 == r' "$tmp/k/$series/KERNELS")" "$line" "--abi/--suite/--flavours are recorded as given"

# 3. A hunk of exitstats.patch that no longer applies is named, and
#    nothing is written.  Change the context of the trace_kvm_exit() hook.
scratch
sed -i 's/^ \ttrace_kvm_exit(vcpu, KVM_ISA_VMX);$/ \ttrace_kvm_exit(vcpu, KVM_ISA_VMX, 0);/' \
	"$tmp/k/$series/exitstats.patch"
! cmp -s "$tmp/k/$series/exitstats.patch" "$root/kernels/$series/exitstats.patch"
tap_ok $? "tampered with the vmx_vcpu_run() hunk of exitstats.patch"
want_hunk=$(awk '/^\+\+\+ /{f=$2; n=0} /^@@/{n++} /trace_kvm_exit\(vcpu, KVM_ISA_VMX, 0\)/{print n; exit}' \
	"$tmp/k/$series/exitstats.patch")
import --abi x --flavours amd64 "$tmp/tree" "$release"
rc=$?
tap_diag <"$tmp/out"
[ $rc -ne 0 ]
tap_ok $? "import fails when a hunk does not apply"
grep -q "arch/x86/kvm/vmx/vmx.c: hunk #$want_hunk does not apply" "$tmp/out"
tap_ok $? "the report names vmx.c hunk #$want_hunk"
tap_is "$(grep -c 'does not apply (' "$tmp/out")" 1 "exactly one hunk is reported"
[ ! -e "$tmp/k/$series/deltas/$release.diff" ] &&
	! grep -q "$release" "$tmp/k/$series/KERNELS"
tap_ok $? "nothing is written or recorded"

# 4. Refusals: the base itself, and a tree that is not the release named.
scratch
make_tree "$tmp/base" "$base_release" "${base_release%-*}"
import --abi x --flavours amd64 "$tmp/base" "$base_release"
rc=$?
[ $rc -ne 0 ] && grep -q "is the base of series $series" "$tmp/out"
tap_ok $? "importing the base release $base_release is refused"
[ ! -e "$tmp/k/$series/deltas/$base_release.diff" ]
tap_ok $? "no delta is written for the base"
import --abi x --flavours amd64 "$tmp/tree" 6.1.191-1
rc=$?
[ $rc -ne 0 ] && grep -q "is Linux ${release%-*}, but release 6.1.191-1" "$tmp/out"
tap_ok $? "a tree whose Makefile is another version is refused"

# 5. --base starts a new series: kernels/6.12 from its own base tree, into
#    a kernels/ that only has 6.1.  Its exitstats.patch has to be ported,
#    which the command says, showing how the previous series' patch fares.
rm -rf "$tmp/k" && mkdir -p "$tmp/k" && cp -a "$root/kernels/6.1" "$tmp/k/"
nb=$(cat "$root/kernels/6.12/BASE")
rm -rf "$tmp/t12" && mkdir -p "$tmp/t12"
cp -a "$root/kernels/6.12/base/." "$tmp/t12/"
sub=${nb#6.12.}
printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = %s\n' "${sub%%-*}" \
	>"$tmp/t12/Makefile"
import --base --abi 6.12.117+deb12 --suite bookworm --flavours amd64 "$tmp/t12" "$nb"
rc=$?
tap_diag <"$tmp/out"
diff -r "$tmp/k/6.12/base" "$root/kernels/6.12/base" >/dev/null &&
	[ "$(cat "$tmp/k/6.12/BASE")" = "$nb" ]
tap_ok $? "--base writes kernels/6.12/base and BASE ($nb)"
[ $rc -ne 0 ] && grep -q "6.12/exitstats.patch does not exist yet" "$tmp/out" &&
	grep -q "kernels/6.1/exitstats.patch" "$tmp/out"
tap_ok $? "--base says the series' exitstats.patch must be ported from 6.1's"
cp "$root/kernels/6.12/exitstats.patch" "$tmp/k/6.12/"
import --base --abi 6.12.117+deb12 --suite bookworm --flavours amd64 "$tmp/t12" "$nb"
tap_ok $? "with its patch in place, --base again only checks and records"

# 6. Another suite's releases, named as PKG=VERSION: kvm-import fetches
#    the .deb from the suite whose archive has it (trixie here) and finds
#    ABI, suite and flavours there.  A release whose KVM is a recorded
#    release's gets a symlink to that delta, one whose KVM is the base's an
#    empty delta: no bytes twice.  The committed outcome is reproduced.
#    The newest is fetched into a cache directory that does not exist yet,
#    as on a new machine.
scratch_other() {	# scratch_other SERIES RELEASE: kernels/ without RELEASE
	rm -rf "$tmp/k" && cp -a "$root/kernels" "$tmp/k"
	rm -f "$tmp/k/$1/deltas/$2.diff"
	awk -v r="$2" '$2 != r' "$root/kernels/$1/KERNELS" >"$tmp/k/$1/KERNELS"
}
for sr in 6.12:6.12.116-1 6.12:6.12.117-1 6.12:6.12.118-1~deb12u1 6.1:6.1.192-3; do
	s=${sr%%:*} r=${sr#*:} d=kernels/${sr%%:*}/deltas/${sr#*:}.diff
	cache=()
	[ "$r" != 6.12.118-1~deb12u1 ] || cache=(--cache "$tmp/new/debs")
	if [ -L "$root/$d" ]; then want="a symlink to $(readlink "$root/$d")"
	elif [ ! -s "$root/$d" ]; then want="empty"
	else want="a delta"
	fi
	scratch_other "$s" "$r"
	import "${cache[@]}" "linux-source-$s=$r"
	rc=$?
	tap_diag <"$tmp/out"
	got=
	if [ -L "$tmp/k/${d#kernels/}" ]; then got="a symlink to $(readlink "$tmp/k/${d#kernels/}")"
	elif [ -f "$tmp/k/${d#kernels/}" ] && [ ! -s "$tmp/k/${d#kernels/}" ]; then got="empty"
	elif [ -f "$tmp/k/${d#kernels/}" ]; then got="a delta"
	fi
	[ $rc -eq 0 ] && [ "$got" = "$want" ]
	tap_ok $? "import linux-source-$s=$r: $d is $want (got: ${got:-nothing})"
	tap_is "$(awk -v r="$r" '$2 == r' "$tmp/k/$s/KERNELS")" "$(kernels_line "$r")" \
		"the KERNELS line of $r (ABI, suite, flavours) is the committed one"
done

# 7. --new names what the archives have and kernels/ lacks, in the form
#    kvm-import takes: a release left out of a scratch kernels/, and a
#    series it has no directory for.  The repository's kernels/ carries
#    both, so its own --new names neither.
scratch_other 6.1 6.1.192-3
rm -rf "$tmp/k/7.3"
"$root/scripts/kvm-import" --kernels "$tmp/k" --new >"$tmp/new.out"
tap_ok $? "--new on a kernels/ without 6.1.192-3 and without series 7.3"
tap_diag <"$tmp/new.out"
grep -qx "linux-source-6.1=6.1.192-3${TAB}bookworm" "$tmp/new.out"
tap_ok $? "--new names linux-source-6.1=6.1.192-3 of bookworm"
grep -qx "linux-source-7.3=7.3.4-1~bpo13+1${TAB}trixie${TAB}new series" "$tmp/new.out"
tap_ok $? "--new names linux-source-7.3=7.3.4-1~bpo13+1 of trixie as a new series"
"$root/scripts/kvm-import" --new >"$tmp/new.out"
tap_ok $? "--new on the repository's kernels/"
tap_diag <"$tmp/new.out"
! grep -q -e '=6.1.192-3' -e '^linux-source-7.3=' "$tmp/new.out"
tap_ok $? "the repository's kernels/ carries both"

tap_done
