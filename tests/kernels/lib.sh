# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What the shell tests in tests/kernels share: the TAP helpers of
# tests/tap.sh, $root (the top of the tree), linux_source_deb and
# kernels_line.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=/dev/null
. "$root/tests/tap.sh"

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
