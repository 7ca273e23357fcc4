# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Sourced by the emulated host's payloads that boot the nested guest
# (l1.sh, scripts/demo-host.sh): QEMU on /dev/kvm running Debian's kernel
# from /payload/vmlinux with /payload/l2.cpio (see mkpayload).

export PATH="$PATH:/usr/bin"
L2_TIMEOUT=900		# seconds of emulated time for the whole guest run
L2_NAME=kes-l2		# QEMU's -name guest=: the VM's name on the host

# The fast-boot arguments (/lib/kes.sh), its initcall list extended by
# cmos_init: microvm has no RTC worth waiting for.
L2_APPEND="console=ttyS0 quiet panic=-1 $KES_FAST_ARGS,cmos_init"
# The guest ends with reboot -f; a triple fault ends QEMU (-no-reboot) on
# every kernel (6.1's default reboot methods leave microvm running).
L2_APPEND="$L2_APPEND reboot=t"

# qemu_start [ARGS]: QEMU in the background with ARGS added to the guest's
# command line, its console in /tmp/l2.out, its input on fd 3 (kept open:
# QEMU must never see an end of file).
qemu_start() {
	rm -f /tmp/l2.in
	mkfifo /tmp/l2.in
	exec 3<>/tmp/l2.in
	qemu_t0=$(date +%s)
	qemu-system-x86_64 -name "guest=$L2_NAME" \
		-M microvm -enable-kvm -cpu host -m 128 \
		-nodefaults -nographic -no-reboot -serial stdio \
		-kernel /payload/vmlinux -initrd /payload/l2.cpio \
		-append "$L2_APPEND $*" \
		</tmp/l2.in >/tmp/l2.out 2>&1 &
	qemu_pid=$!
}

# qemu_wait_for WORD: until the guest printed a line starting with WORD;
# non-zero if QEMU ended or the time ran out first.
qemu_wait_for() {
	while ! grep -q "^$1" /tmp/l2.out; do
		kill -0 "$qemu_pid" 2>/dev/null || return 1
		[ $(($(date +%s) - qemu_t0)) -lt $L2_TIMEOUT ] || return 1
		sleep 1
	done
}

# qemu_end: QEMU's exit status once it ended by itself (the guest
# rebooted), or after 60 s kill it and fail.
qemu_end() {
	_t=0
	while kill -0 "$qemu_pid" 2>/dev/null && [ $_t -lt 60 ]; do
		sleep 1
		_t=$((_t + 1))
	done
	if kill -0 "$qemu_pid" 2>/dev/null; then
		echo "# QEMU still running 60s after the guest's reboot: killed"
		kill -9 "$qemu_pid"
		wait "$qemu_pid"
		return 1
	fi
	wait "$qemu_pid"
}

# qemu_elapsed: seconds of emulated time since QEMU started.
qemu_elapsed() {
	echo $(($(date +%s) - qemu_t0))
}
