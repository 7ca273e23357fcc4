# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Words are split on purpose: set -- $(...) takes a read apart, and
# check takes exit statuses as $(...; echo $?).
# shellcheck disable=SC2046
#
# Payload of tests/emu/nested/run on the emulated host (L1), sourced by its
# /init with /lib/kes.sh: QEMU boots the nested guest (L2, l2-init) on our
# KVM.  When the guest pauses, this reads the VM's debugfs table (and runs
# `kvm-exitstats --host`, also as JSON and in the Prometheus format, checked
# by promtool), then lets the guest go on; at the end it judges what the
# guest read against the table, as TAP.  On Intel our kvm and kvm-intel
# count VMX exit reasons; on AMD (KES_VENDOR) our kvm and kvm-amd count SVM
# exit codes, and the reasons read and checked are the APM's.

# shellcheck source=/dev/null # emu/nested/qemu.sh, in the payload
. ./qemu.sh

# One of the guest's reads as "eax ebx ecx edx" in decimal.
l2_regs() {
	set -- $(tr -d '\r' </tmp/l2.out | sed -n "s/^KES-L2 $1 //p" | head -n 1)
	[ $# -eq 4 ] && echo "$(($1)) $(($2)) $(($3)) $(($4))"
}

# A 64-bit figure from a read: count (EAX low, EBX high) or cycles (EBX
# high, ECX low).  Empty if the guest did not report the read.
l2_count() {
	set -- $(l2_regs "$1")
	[ $# -eq 4 ] && echo $(($1 | $2 << 32))
}
l2_cycles() {
	set -- $(l2_regs "$1")
	[ $# -eq 4 ] && echo $(($2 << 32 | $3))
}

# check STATUS GOT WANT DESC: tap_ok STATUS DESC, and when it fails what
# came and what was expected (tap_is's order; STATUS is an expression's
# exit status, GOT and WANT only say what it saw).
check() {
	tap_ok "$1" "$4" || printf 'got:  %s\nwant: %s\n' "$2" "$3" | tap_diag
}

# debugfs column for a reason: count ($3) or cycles ($4).
dfs() {
	awk -v r="$1" -v c="$2" '$1 == r { print $c }' /tmp/dfs
}

tool=
command -v kvm-exitstats >/dev/null && tool=kvm-exitstats

# The ISA's reasons, as the SDM (Vol. 3D Appendix C) and the APM (Vol. 2
# Appendix C) number and name them: CPUID's number (decimal, as debugfs
# and JSON write it) and code (as the tool's REASON column and
# Prometheus' code label write it), two reasons the ISA does not define
# (read by l2-init, kes.reasons=), the reasons a Linux boot must have
# caused ("NUMBER:NAME"), the one whose histogram is shown, and the tool's
# probe queries before a reading (kvm-exitstats(1), CPUID QUERIES).
if [ "$KES_VENDOR" = amd ]; then
	r_cpuid=114 c_cpuid=0x072 r_u1=0x3FF r_u2=0xFFFFFFFE
	r_boot="96:INTR 114:CPUID 120:HLT 123:IOIO 124:MSR 1024:NPF"
	r_hist=NPF c_hist=0x400 probe=4
	# Bochs 2.7 resets the whole emulated host on an SVM guest's triple
	# fault, the guest's usual way out (qemu.sh, reboot=t).
	l2_end=kes.end=poweroff l2_way=power-off
else
	r_cpuid=10 c_cpuid=10 r_u1=35 r_u2=0xFFFFFFFF
	r_boot="1:EXTERNAL_INTERRUPT 10:CPUID 30:IO_INSTRUCTION 48:EPT_VIOLATION"
	r_hist=EPT_VIOLATION c_hist=48 probe=2
	l2_end='' l2_way=reboot
fi

# On AMD /init loaded our kvm.ko under the stock kvm-amd.ko, which counts
# nothing: ours replaces it.
if [ "$KES_VENDOR" = amd ]; then
	tap_cmd "our kvm.ko and the stock kvm-amd unload" kvm_unload
	tap_cmd "our kvm.ko and our kvm-amd.ko load" kvm_load ours ours
fi
tap_cmd "our kvm is the one loaded (it has a version)" \
	test "$(kvm_loaded)" = ours
tap_cmd "our $KES_VENDOR_MOD is the one loaded (it has a version)" \
	test -e "/sys/module/$KES_VENDOR_MOD/version"

echo "# L2: $(cat l2-kernel) booting under QEMU on our KVM ($KES_VENDOR_MOD)"
qemu_start "kes.reasons=$r_cpuid,$r_u1,$r_u2 $l2_end"

qemu_wait_for KES-L2-PAUSE
tap_ok $? "the nested guest booted and read the leaves"
echo "# L2: booted after $(qemu_elapsed)s of emulated time"

# The guest is paused: its CPUID count cannot move while we look.
set -- /sys/kernel/debug/kvm/*-*/exitstats
check $([ $# -eq 1 ] && [ -f "$1" ]; echo $?) "$*" "one <pid>-<fd>/exitstats" \
	"one VM's debugfs table: $1"
cp "$1" /tmp/dfs 2>/dev/null || : >/tmp/dfs
vmdir=${1%/exitstats}
vmdir=${vmdir##*/}
# The last two lines, "other" and "total", are optional (older tables).
bad=$(awk '($1 == "other" || $1 == "total") && NF == 3 &&
	$2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ { next }
	NF != 4 || $1 !~ /^[0-9]+$/ || $2 !~ /^[A-Z_0-9]+$/ ||
	$3 !~ /^[0-9]+$/ || $4 !~ /^[0-9]+$/' /tmp/dfs | head -n 3)
check $([ -s /tmp/dfs ] && [ -z "$bad" ]; echo $?) "'$bad'" "no other line" \
	"every debugfs line is <reason> <NAME> <count> <cycles> (or other/total)"
for r in $r_boot; do
	n=$(dfs "${r%%:*}" 3)
	y=$(dfs "${r%%:*}" 4)
	name=$(awk -v r="${r%%:*}" '$1 == r { print $2 }' /tmp/dfs)
	check $([ "$name" = "${r#*:}" ] && [ "${n:-0}" -gt 0 ] &&
		  [ "${y:-0}" -gt 0 ]; echo $?) \
		"$name $n $y" "${r#*:} with count > 0, cycles > 0" \
		"debugfs: ${r#*:} exits counted and timed after a Linux boot"
done
dfs_cpuid=$(dfs $r_cpuid 3)
echo "# debugfs at the pause: $(awk '$1 ~ /^[0-9]+$/ { n += $3; y += $4 } END {
	print n " exits, " y " cycles" }' /tmp/dfs), CPUID $dfs_cpuid"

if [ -n "$tool" ]; then
	$tool --host >/tmp/host 2>&1
	rc=$?
	sed 's/^/# /' /tmp/host
	check "$rc" "$rc" "exit status 0" "kvm-exitstats --host runs"
	host_cpuid=$(awk -v c=$c_cpuid '$1 == c && $2 == "CPUID" { print $3 }' /tmp/host)
	check $(grep -q "^VM $vmdir " /tmp/host &&
		  [ "$host_cpuid" = "$dfs_cpuid" ]; echo $?) \
		"CPUID ${host_cpuid:-none}" "VM $vmdir, CPUID $dfs_cpuid" \
		"kvm-exitstats --host shows VM $vmdir with debugfs' CPUID count"
	vmpid=${vmdir%-*}
	check $(grep -qx "VM $vmdir  pid $vmpid  name $L2_NAME" /tmp/host
		  echo $?) \
		"'$(grep '^VM ' /tmp/host)'" \
		"VM $vmdir  pid $vmpid  name $L2_NAME" \
		"kvm-exitstats --host heads it with QEMU's -name"
	# One reason's latency histogram: README shows this output.
	$tool --host --vm "$L2_NAME" --hist $r_hist >/tmp/hist 2>&1
	rc=$?
	sed 's/^/# /' /tmp/hist
	dfs_hist=$(awk -v r=$r_hist '$2 == r { print $3 }' /tmp/dfs)
	check $([ "$rc" -eq 0 ] &&
		  grep -q "^$r_hist ($c_hist): $dfs_hist exits" /tmp/hist
		  echo $?) \
		"status $rc, '$(grep "^$r_hist" /tmp/hist)'" \
		"status 0, $r_hist ($c_hist): $dfs_hist exits" \
		"kvm-exitstats --host --hist $r_hist: debugfs' count"
	$tool --host --vm "$L2_NAME" --json >/tmp/host.json 2>&1
	json_cpuid=$(grep -o "\"reason\":$r_cpuid,\"name\":\"CPUID\",\"count\":[0-9]*" \
		/tmp/host.json | sed 's/.*://')
	check $(grep -q "\"pid\":$vmpid,\"dir\":\"$vmdir\",\"name\":\"$L2_NAME\"," \
			/tmp/host.json &&
		  [ "$json_cpuid" = "$dfs_cpuid" ]; echo $?) \
		"$(head -c 200 /tmp/host.json)" \
		"name $L2_NAME, CPUID $dfs_cpuid" \
		"--vm $L2_NAME --json: the VM's name, pid and CPUID count"

	# The Prometheus text format, as the textfile collector writes it.
	$tool --host --format prometheus >/tmp/prom 2>/tmp/prom.err
	rc=$?
	echo "# kvm-exitstats --host --format prometheus:"
	sed 's/^/# /' /tmp/prom /tmp/prom.err
	prom_cpuid=$(sed -n "s/^kvm_exitstats_exits_total{vm=\"$L2_NAME\",pid=\"$vmpid\",reason=\"CPUID\",code=\"$c_cpuid\"} //p" /tmp/prom)
	check $([ "$rc" -eq 0 ] && grep -qx 'kvm_exitstats_up 1' /tmp/prom &&
		  [ "$prom_cpuid" = "$dfs_cpuid" ]; echo $?) \
		"status $rc, CPUID ${prom_cpuid:-none}" \
		"status 0, CPUID $dfs_cpuid" \
		"--format prometheus: up 1, VM $L2_NAME's CPUID exits as in debugfs"
	n=$(grep -c '^kvm_exitstats_exits_total{' /tmp/prom)
	nz=$(awk '$1 ~ /^[0-9]+$/ && $3 != 0 { n++ } END { print n + 0 }' /tmp/dfs)
	check $([ "$n" -eq "$nz" ] && [ "$(grep -c '^kvm_exitstats_exit_cycles_total{' /tmp/prom)" -eq "$nz" ]
		  echo $?) \
		"$n" "$nz" \
		"--format prometheus: one exits sample per reason with exits"
	if command -v promtool >/dev/null; then
		out=$(promtool check metrics </tmp/prom 2>&1)
		rc=$?
		check $([ "$rc" -eq 0 ] && [ -z "$out" ]; echo $?) \
			"status $rc: $out" "status 0, no output" \
			"promtool check metrics: no error, no lint problem"
	else
		echo "# promtool not in the image: its check skipped"
	fi
else
	echo "# kvm-exitstats not in the image: host tool checks skipped"
fi

echo go >&3
qemu_wait_for KES-L2-DONE
tap_ok $? "the nested guest finished"
qemu_end
rc=$?
check "$rc" "$rc" 0 "QEMU exited cleanly after the guest's $l2_way"
echo "# L2: done after $(qemu_elapsed)s of emulated time"
tr -d '\r' </tmp/l2.out | grep -E '^KES-L2-(ERR|PROFILE|TOOL)' | sed 's/^/# /'
grep -qE 'Kernel panic|BUG:|Oops' /tmp/l2.out && tr -d '\r' </tmp/l2.out |
	tail -n 40 | sed 's/^/# L2 console: /'

# What the guest read (all in decimal).
c1=$(l2_count c1) c2=$(l2_count c2) c3=$(l2_count c3) c4=$(l2_count c4)
k=$((c2 - c1))
echo "# guest: CPUID count $c1, $c2, $c3 in three reads, $c4 after the pause"
check $([ -n "$c1" ] && [ "$c1" -gt 0 ] && [ "$k" -ge 1 ]; echo $?) \
	"c1=$c1 c2=$c2" "0 < c1 < c2" \
	"CPUID exits counted: each cpuid run adds at least its one CPUID"
check $([ $((c3 - c2)) -eq "$k" ]; echo $?) "$((c3 - c2))" "c3 - c2 = $k" \
	"every cpuid run adds the same number of CPUID exits ($k)"
t1=$(l2_count t1) t2=$(l2_count t2)
check $([ -n "$t1" ] && [ "$t2" -gt "$t1" ] && [ "$t1" -ge "$c3" ]; echo $?) \
	"c3=$c3 t1=$t1 t2=$t2" "c3 <= t1 < t2" \
	"total exits grow across a second read (0x4FFFFFFF)"
for u in "u1:0x4FFFFFFD ECX=$r_u1" "u2:0x4FFFFFFD ECX=$r_u2" \
	"u3:0x4FFFFFFC ECX=$r_u1" "u4:0x4FFFFFFC ECX=$r_u2"; do
	regs=$(l2_regs "${u%%:*}")
	check $([ "$regs" = "0 0 0 4294967295" ]; echo $?) \
		"'$regs'" "0 0 0 4294967295" \
		"undefined reason: ${u#*:} answers 0 0 0 0xffffffff"
done
y1=$(l2_cycles y1) y2=$(l2_cycles y2)
set -- $(l2_regs y1) x x x x
set -- "$1" "$4" $(l2_regs y2) x x x x
check $([ "$1" = 0 ] && [ "$2" = 0 ] && [ "$3" = 0 ] && [ "$6" = 0 ] &&
	  [ "${y1:-0}" -gt 0 ] && [ "$y1" -le "$y2" ]; echo $?) \
	"eax=$1 edx=$2 / eax=$3 edx=$6, $y1 <= $y2" \
	"EAX = EDX = 0, 0 < cycles($r_cpuid) <= total" \
	"CPUID cycles (0x4FFFFFFC) > 0 and <= total cycles (0x4FFFFFFE)"
# A cpuid run makes b CPUIDs up to its read (the read included) and a
# after it, a + b = k.  Eight runs after c3, then the pause, during which
# nothing runs CPUID: debugfs shows c3 + a + 8k, with 0 <= a < k.
a=$((${dfs_cpuid:-0} - c3 - 8 * k))
echo "# a cpuid run: $k CPUID exits, $a of them after its read"
check $([ "$a" -ge 0 ] && [ "$a" -lt "$k" ]; echo $?) \
	"${dfs_cpuid:-none}" "$((c3 + 8 * k)) + a, 0 <= a < $k" \
	"debugfs CPUID count = the guest's count before the pause + 8 runs"
check $([ "${c4:-0}" -eq $((c3 + 9 * k)) ]; echo $?) \
	"${c4:-none}" "$((c3 + 9 * k))" \
	"the guest's count after the pause = 9 runs after c3"

if [ -n "$tool" ]; then
	# kvm-exitstats --reason CPUID makes s CPUIDs at startup, reads the
	# probe ($probe CPUIDs), then 0x4FFFFFFD/CPUID (the count it shows),
	# then 0x4FFFFFFC/CPUID, CPUID's 32 buckets (0x4FFFFFFB), 0x4FFFFFFF and
	# 0x4FFFFFFE: 35 after the count.  Between cpuid's reads c4 and c5:
	# c5 = c4 + k + s + probe + 36, shown = c4 + a + s + probe + 1.
	c5=$(l2_count c5)
	shown=$(tr -d '\r' </tmp/l2.out | awk -v c=$c_cpuid \
		'$1 == "KES-L2-TOOL" && $2 == c && $3 == "CPUID" { print $4 }')
	rc=$(tr -d '\r' </tmp/l2.out | sed -n 's/^KES-L2-TOOL exit status //p')
	check "${rc:-1}" "${rc:-none}" 0 \
		"guest kvm-exitstats --reason $r_cpuid runs"
	s1=$((${shown:-0} - c4 - a - probe - 1))
	s2=$((${c5:-0} - c4 - k - probe - 36))
	echo "# guest tool: CPUID $shown between cpuid's $c4 and $c5; its startup: $s1 / $s2 CPUIDs"
	check $([ -n "$shown" ] && [ "$s1" -ge 0 ] && [ "$s1" -eq "$s2" ]
		  echo $?) \
		"$s1 vs $s2" "startup CPUIDs equal from both sides" \
		"guest kvm-exitstats' CPUID count matches cpuid's reads exactly"
	# At the pause the host's Prometheus output had the count the
	# guest's next cpuid run read (c4) less what that run did up to its
	# read: b = k - a CPUIDs, which the guest alone gives (c5 - shown - 35).
	b=$((${c5:-0} - ${shown:-0} - 35))
	check $([ -n "$prom_cpuid" ] && [ "$b" -gt 0 ] &&
		  [ "$prom_cpuid" -eq $((c4 - b)) ]; echo $?) \
		"${prom_cpuid:-none}" "$((c4 - b))" \
		"--format prometheus at the pause: the guest's count c4 less b = $b"
	rc=$(tr -d '\r' </tmp/l2.out |
		sed -n 's/^KES-L2-PROFILE kvm-exitstats exit status //p')
	check "${rc:-1}" "${rc:-none}" 0 \
		"guest kvm-exitstats prints the boot's table"
else
	echo "# kvm-exitstats not in the image: guest tool checks skipped"
fi
tap_done
