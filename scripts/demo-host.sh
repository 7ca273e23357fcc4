# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Payload of scripts/demo on the emulated host (L1), sourced by its /init
# with /lib/kes.sh, our modules loaded: vmxcap.ko's report of the emulated
# CPU, then a nested Linux guest boot under QEMU whose /init prints the
# exit profile of its own boot (emu/nested/l2-init, kes.demo=1).
# Lines for people start with "# vmxcap ", "# profile " or "# note ";
# scripts/demo formats them.  TAP lines say which steps worked.

# shellcheck source=/dev/null # emu/nested/qemu.sh, in the payload
. ./qemu.sh

if [ -f "$KES_MODS/ours/vmxcap.ko" ]; then
	tap_cmd "vmxcap.ko loads" kes_insmod "$KES_MODS/ours/vmxcap.ko"
	sed 's/^/# vmxcap /' /proc/driver/vmxcap
	tap_cmd "vmxcap reports status ok" grep -q '^status ok' /proc/driver/vmxcap
	rmmod vmxcap
else
	echo "# note vmxcap.ko is not built yet: no capability report"
fi

echo "# note booting $(cat l2-kernel) under QEMU (-M microvm -enable-kvm -cpu host) on our KVM"
qemu_start kes.demo=1
qemu_wait_for KES-L2-PROFILE-END
tap_ok $? "the nested guest booted and read its exit profile"
tr -d '\r' </tmp/l2.out |
	sed -n '/^KES-L2-PROFILE-BEGIN/,/^KES-L2-PROFILE-END/p' |
	sed '1d;$d' | sed 's/^/# profile /'
qemu_end
tap_ok $? "QEMU exited cleanly"
tap_done
