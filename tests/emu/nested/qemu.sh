# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the emulated host's payloads that boot the nested guest
# (l1.sh, scripts/demo-host.sh): QEMU on /dev/kvm running Debian's kernel
# from /payload/vmlinux with /payload/l2.cpio (see mkpayload).

export PATH=$PATH:/usr/bin
L2_TIMEOUT=900		# seconds of emulated time for the whole guest run

# The measured fast-boot arguments (shared/reference.md); cmos_init too,
# microvm has no RTC worth waiting for.
L2_APPEND="console=ttyS0 quiet panic=-1 mitigations=off nokaslr rodata=off"
L2_APPEND="$L2_APPEND cryptomgr.notests=1 ipv6.disable=1"
L2_APPEND="$L2_APPEND initcall_blacklist=jent_mod_init,crypto_kdf108_init"
L2_APPEND="$L2_APPEND,load_system_certificate_list,bpf_tcp_ca_kfunc_init"
L2_APPEND="$L2_APPEND,bpf_dummy_struct_ops_init,init_kprobe_trace"
L2_APPEND="$L2_APPEND,trace_eval_init,cmos_init"

# qemu_start [ARGS]: QEMU in the background with ARGS added to the guest's
# command line, its console in /tmp/l2.out, its input on fd 3 (kept open:
# QEMU must never see an end of file).
qemu_start() {
	rm -f /tmp/l2.in
	mkfifo /tmp/l2.in
	exec 3<>/tmp/l2.in
	qemu_t0=$(date +%s)
	qemu-system-x86_64 -M microvm -enable-kvm -cpu host -m 128 \
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

# qemu_elapsed: seconds of emulated time since QEMU started.
qemu_elapsed() {
	echo $(($(date +%s) - qemu_t0))
}
