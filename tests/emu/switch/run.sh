# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Payload of tests/emu/switch/run, sourced by the emulated host's /init
# with /lib/kes.sh, our modules loaded: kvm-exitstats-switch under dash
# (Debian's /bin/sh: busybox sh would run its own modprobe, depmod and
# modinfo, never kmod's) with Debian's kmod in /usr/sbin, and
# /lib/modules/KVER laid out as DKMS leaves it.

M=/lib/modules/$(uname -r)
sw=/usr/sbin/kvm-exitstats-switch
log_from=$(($(dmesg | wc -l) + 1))
export PATH="/usr/sbin:$PATH"
# Directories put before PATH for the command only (a fake mokutil).
sw_path=

no_bad_log() {
	! dmesg | tail -n +"$1" | grep -E "$KES_BAD_LOG"
}

# switch_is STATUS DESC [ARGS]: run the command, its output as
# diagnostics, pass when it exits with STATUS.
switch_is() {
	_want=$1
	_d=$2
	shift 2
	_out=$(PATH="$sw_path$PATH" /usr/bin/dash "$sw" "$@" 2>&1)
	_rc=$?
	[ -z "$_out" ] || echo "$_out" | sed 's/^/# /'
	[ "$_rc" = "$_want" ]
	tap_ok $? "$_d (exit $_rc, want $_want)"
	_lines=$(echo "$_out" | grep -c .)
}

is_loaded() {
	test "$(kvm_loaded)" = "$1" && test -d /sys/module/kvm_intel
}

# to_stock: the stock modules loaded, whatever was.
to_stock() {
	is_loaded stock && return 0
	[ ! -d /sys/module/kvm_intel ] || rmmod kvm_intel
	[ ! -d /sys/module/kvm ] || rmmod kvm
	kvm_load stock
}

mkdir -p "$M/kernel/arch/x86/kvm" "$M/kernel/virt/lib" "$M/updates/dkms" \
	"$M/kernel/extra"
cp "$KES_MODS/stock/kvm.ko" "$KES_MODS/stock/kvm-intel.ko" "$M/kernel/arch/x86/kvm/"
cp "$KES_MODS/irqbypass.ko" "$M/kernel/virt/lib/"
[ ! -d "$KES_MODS/deps" ] || cp "$KES_MODS"/deps/*.ko "$M/kernel/extra/" 2>/dev/null
cp "$KES_MODS/ours/kvm.ko" "$KES_MODS/ours/kvm-intel.ko" "$M/updates/dkms/"
# What a Debian host has besides the modules (depmod warns without them).
: >"$M/modules.order"
: >"$M/modules.builtin"
: >"$M/modules.builtin.modinfo"
mkdir -p /etc/modprobe.d
tap_cmd "kmod's depmod indexes the modules" /usr/sbin/depmod -a
tap_cmd "modprobe would load ours (updates/dkms)" \
	sh -c '/usr/sbin/modinfo -n kvm_intel | grep -q /updates/dkms/kvm-intel.ko'
tap_cmd "our kvm is loaded" is_loaded ours
switch_is 0 "ours already loaded: nothing to do"
tap_ok "$((_lines != 1))" "and one line says so"
tap_cmd "ours still loaded" is_loaded ours

# From stock, as after installing the package.
tap_cmd "our modules unload" kvm_unload
tap_cmd "stock modules load" kvm_load stock

./kes-stress hold >/tmp/hold.out 2>&1 &
hold=$!
i=0
while ! grep -q ready /tmp/hold.out && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
tap_cmd "a VM runs ($(cat /tmp/hold.out))" grep -q ready /tmp/hold.out
switch_is 3 "refused while a VM runs"
tap_ok "$((_lines != 1))" "with one line"
tap_cmd "stock still loaded" is_loaded stock
kill -9 "$hold"
wait "$hold" 2>/dev/null

exec 7</dev/kvm
switch_is 3 "refused while /dev/kvm is open"
exec 7<&-

tap_cmd "a module holding kvm loads" kes_insmod ./kes_holder.ko
switch_is 3 "refused while another module holds kvm"
tap_ok "$((_lines != 1))" "with one line"
tap_cmd "stock still loaded" is_loaded stock
tap_cmd "the holder unloads" rmmod kes_holder

# Secure Boot, with a mokutil that says what the test needs.
mkdir -p /tmp/sb
cat >/tmp/sb/mokutil <<'MOK'
#!/bin/sh
case $1 in
--sb-state) echo "SecureBoot enabled" ;;
--test-key) echo "$2 $(cat /tmp/sb/enrolled)" ;;
--list-enrolled) echo "        Subject: $(cat /tmp/sb/list)" ;;
esac
MOK
chmod +x /tmp/sb/mokutil
echo "is not enrolled" >/tmp/sb/enrolled
sw_path=/tmp/sb:
switch_is 4 "refused: Secure Boot on, DKMS's key not enrolled"
tap_ok "$((_lines != 1))" "with one line"
echo "is already enrolled" >/tmp/sb/enrolled
echo "CN=DKMS module signing key" >/tmp/sb/list
switch_is 4 "refused: Secure Boot on, key enrolled, our modules unsigned"
tap_cmd "stock still loaded" is_loaded stock
cp ./signed/kvm.ko ./signed/kvm-intel.ko "$M/updates/dkms/"
switch_is 4 "refused: Secure Boot on, ours signed by a key not enrolled"
tap_ok "$((_lines != 1))" "with one line"
tap_cmd "stock still loaded" is_loaded stock
echo "CN=kes test signing key" >/tmp/sb/list
switch_is 0 "Secure Boot on, ours signed by an enrolled key: switched"
sw_path=
tap_cmd "ours loaded" is_loaded ours
tap_cmd "stock loaded" to_stock

switch_is 0 "--check: would switch" --check
tap_cmd "stock still loaded" is_loaded stock

# Ours fails to load: a module parameter our kvm refuses, then a corrupt
# kvm-intel.ko in updates/.
tap_cmd "stock loaded" to_stock
echo "options kvm exitstats_cpuid=bogus" >/etc/modprobe.d/kes-test.conf
switch_is 5 "our kvm refuses its parameter: stock loaded back"
tap_cmd "stock loaded" is_loaded stock
rm /etc/modprobe.d/kes-test.conf
cp "$M/updates/dkms/kvm-intel.ko" /tmp/kvm-intel.ko
head -c 4096 /tmp/kvm-intel.ko >"$M/updates/dkms/kvm-intel.ko"
tap_cmd "stock loaded" to_stock
switch_is 5 "corrupt kvm-intel.ko in updates/: stock loaded back"
tap_cmd "stock loaded" is_loaded stock
cp /tmp/kvm-intel.ko "$M/updates/dkms/kvm-intel.ko"

switch_is 0 "stock to ours"
tap_cmd "ours loaded" is_loaded ours
tap_cmd "/dev/kvm is there" test -c /dev/kvm
tap_run "a VM runs on ours" ./kes-stress round 2 1 2 7
switch_is 0 "--stock: back to stock" --stock
tap_cmd "stock loaded" is_loaded stock
switch_is 0 "and to ours again"
tap_cmd "ours loaded" is_loaded ours
tap_cmd "kernel log: no symbol version mismatch, WARNING or oops" \
	no_bad_log "$log_from"
tap_done
