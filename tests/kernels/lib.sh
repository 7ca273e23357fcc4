# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# TAP for the shell tests in tests/kernels: ok COND DESCRIPTION prints one
# line; is GOT WANT DESCRIPTION shows both values when they differ; done
# prints the plan and sets the exit status.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tap_n=0 tap_failed=0

ok() {	# ok STATUS DESCRIPTION: STATUS 0 passes
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

is() {	# is GOT WANT DESCRIPTION
	[ "$1" = "$2" ]
	ok $? "$3" || true
	[ "$1" = "$2" ] || printf '#   expected: %s\n#   actual:   %s\n' "$2" "$1"
}

skip() {	# skip DESCRIPTION REASON
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

diag() { sed 's/^/#   /'; }

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# A linux-source-X.Y .deb of exactly VERSION, from the shared cache
# (fetched from SUITE's archive, default bookworm, with scripts/debian-apt
# the first time).
linux_source_deb() {	# linux_source_deb SERIES VERSION [SUITE]
	local cache=${KES_CACHE:-/var/cache/kvm-exitstats}/debs deb
	deb=$cache/linux-source-$1_$2_all.deb
	if [ ! -f "$deb" ]; then
		mkdir -p "$cache"
		(cd "$cache" && "$root/scripts/debian-apt" "${3:-bookworm}" \
			apt-get download -q "linux-source-$1=$2") >&2 || return 1
	fi
	echo "$deb"
}

# The KERNELS line of RELEASE (ABI, release, suite, flavours).
kernels_line() { awk -v r="$1" '!/^#/ && $2 == r' "$root"/kernels/*/KERNELS; }
