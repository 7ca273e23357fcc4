#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/kernels, the one list of supported kernels: on a scratch
# kernels/ whose content is known (both KERNELS formats), then on the
# repository's own.
set -uo pipefail
# lib.sh: tests/tap.sh (tap_ok, tap_is, tap_skip, tap_diag, tap_done),
# linux_source_deb, kernels_line and $root, the top of the tree.
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
k() { "$root/scripts/kernels" --kernels "$tmp/k" "$@"; }
tab=$(printf '\t')

# 6.1 in the older format (no SUITE column), 6.12 in both suites, 7.3 in
# trixie only.
mkdir -p "$tmp/k/6.1" "$tmp/k/6.12" "$tmp/k/7.3"
printf '%s\n' "# comment" "6.1.0-47${tab}6.1.170-3${tab}amd64 rt-amd64" \
	"6.1.0-57${tab}6.1.192-3${tab}amd64 rt-amd64" >"$tmp/k/6.1/KERNELS"
printf '%s\n' "# comment" \
	"6.12.107+deb12${tab}6.12.107-1~deb12u1${tab}bookworm${tab}amd64 cloud-amd64" \
	"6.12.107+deb13${tab}6.12.107-1${tab}trixie${tab}amd64" \
	"6.12.115+deb13${tab}6.12.115-1${tab}trixie${tab}amd64" \
	"6.12.115+deb13.1${tab}6.12.115-2${tab}trixie${tab}amd64" \
	"6.12.117+deb12${tab}6.12.117-1~deb12u1${tab}bookworm${tab}amd64 cloud-amd64" \
	>"$tmp/k/6.12/KERNELS"
printf '%s\n' "7.3.4+deb13${tab}7.3.4-1~bpo13+1${tab}trixie${tab}amd64 rt-amd64" \
	>"$tmp/k/7.3/KERNELS"

tap_is "$(k | tr '\n' ' ')" "6.1.0-47-amd64 6.1.0-47-rt-amd64 6.1.0-57-amd64 6.1.0-57-rt-amd64 6.12.107+deb12-amd64 6.12.107+deb12-cloud-amd64 6.12.117+deb12-amd64 6.12.117+deb12-cloud-amd64 6.12.107+deb13-amd64 6.12.115+deb13-amd64 6.12.115+deb13.1-amd64 7.3.4+deb13-amd64 7.3.4+deb13-rt-amd64 " \
	"list: series by series, suite by suite, oldest first, flavours in KERNELS order"
tap_is "$(k --flavour amd64 --oldest --newest | tr '\n' ' ')" "6.1.0-47-amd64 6.1.0-57-amd64 6.12.107+deb12-amd64 6.12.117+deb12-amd64 6.12.107+deb13-amd64 6.12.115+deb13.1-amd64 7.3.4+deb13-amd64 " \
	"--flavour amd64 --oldest --newest: both ends of each series in each suite"
tap_is "$(k --suite trixie --series 6.12 --newest)" "6.12.115+deb13.1-amd64" \
	"--suite trixie --series 6.12 --newest: 6.12.115-2 is newer than 6.12.115-1"
tap_is "$(k --suite bookworm --flavour rt-amd64 --oldest)" "6.1.0-47-rt-amd64" \
	"--suite bookworm --flavour rt-amd64 --oldest"
tap_is "$(k suite 6.1.0-57-rt-amd64) $(k suite 6.12.107+deb12-amd64) $(k suite 6.12.107+deb13-amd64) $(k suite 7.3.4+deb13-rt-amd64)" \
	"bookworm bookworm trixie trixie" "suite KVER: from the column, or from the release in the older format"
tap_is "$(k release 6.12.115+deb13.1-amd64) $(k series 6.12.115+deb13.1-amd64)" "6.12.115-2 6.12" "release and series of a KVER"
k suite 6.12.115+deb13-rt-amd64 >"$tmp/out"
rc=$?
[ $rc -eq 1 ] && [ ! -s "$tmp/out" ]
tap_ok $? "a KVER that is not listed (a flavour not recorded): no output, exit 1"
"$root/scripts/kernels" --bogus >/dev/null 2>&1
tap_is $? 2 "bad usage exits 2"
tap_is "$(k suites | tr '\n' ' ')" "bookworm trixie " "suites, oldest first"
tap_is "$(k --suite trixie table | head -n1)" "6.12.107+deb13-amd64${tab}6.12.107-1${tab}trixie${tab}6.12${tab}6.12.107+deb13${tab}amd64" "table"
tap_is "$(k abis | wc -l)" 8 "abis: one line per ABI"

# The repository's list: every kernel has a suite the build knows, and a
# kernel's suite is that of its release.
bad=$("$root/scripts/kernels" table | awk -F '\t' '$3 != "bookworm" && $3 != "trixie"')
[ -z "$bad" ]
tap_ok $? "every supported kernel is of bookworm or trixie ($("$root/scripts/kernels" | wc -l) kernels)" ||
	echo "$bad" | tap_diag
bad=$("$root/scripts/kernels" table | awk -F '\t' '
	($2 ~ /~(deb|bpo)12/ && $3 != "bookworm") || ($2 ~ /~bpo13|^[0-9.]+-[0-9]+$/ && $5 ~ /deb13/ && $3 != "trixie")')
[ -z "$bad" ]
tap_ok $? "the suite agrees with the release (~deb12u/~bpo12: bookworm, +deb13: trixie)" ||
	echo "$bad" | tap_diag
# Lines in the older format (no SUITE) are read, but kvm-import writes
# the SUITE column: say which files still lack it.
bad=$(awk -F '\t' '!/^#/ && !(NF == 4 && $3 !~ /amd64$/) && !(NF == 3 && $3 ~ /amd64$/) {
	print FILENAME ": " $0 }' "$root"/kernels/*/KERNELS)
[ -z "$bad" ]
tap_ok $? "every KERNELS line is ABI, release, [suite,] flavours (tab-separated)" ||
	echo "$bad" | tap_diag
old=$(awk -F '\t' '!/^#/ && NF == 3 { print FILENAME }' "$root"/kernels/*/KERNELS | sort -u)
for f in $old; do echo "# ${f#"$root"/}: without the SUITE column (older format)"; done

tap_done
