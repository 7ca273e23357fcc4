# SPDX-License-Identifier: GPL-2.0
# Payload (sourced by the initramfs /init with /lib/kes.sh): vmxcap.ko on
# the emulated CPU.  msr.ko and our kvm/kvm-intel are loaded already.

vmxcap=/lib/modules/kes/ours/vmxcap.ko
report=/proc/driver/vmxcap

tap_cmd "vmxcap.ko loads" kes_insmod $vmxcap
tap_cmd "it carries a MODULE_VERSION" test -s /sys/module/vmxcap/version
tap_cmd "$report has mode 0444" \
	sh -c "[ \"\$(stat -c %a $report)\" = 444 ]"
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
su -s /bin/sh nobody -c "cat $report" >/tmp/report
tap_is $? "an unprivileged user reads it"
/payload/vmxcap-msr >/tmp/user
tap_is $? "user space decodes /dev/cpu/N/msr"
tap_cmd "the report equals the decoding of /dev/cpu/N/msr, byte for byte" \
	sh -c 'cmp /tmp/report /tmp/user || diff /tmp/report /tmp/user'
n=$(grep -c '^msr ' /tmp/report)
tap_is $(( n >= 15 ? 0 : 1 )) "raw values of $n MSRs in the report"
tap_cmd "every online CPU checked, none differs" \
	grep -qx "cpus checked=$(ls -d /dev/cpu/[0-9]* | wc -l) differing=0" \
	/tmp/report

# KVM decided what to use from the same MSRs: it must agree.
agree() {	# kvm_intel parameter, report line prefix
	case $(cat /sys/module/kvm_intel/parameters/$1) in
	Y) grep -Eq "^$2 (yes|forced) " /tmp/report ;;
	*) ! grep -Eq "^$2 (yes|forced) " /tmp/report ;;
	esac
}
tap_cmd "EPT settable exactly when kvm_intel uses EPT" agree ept "proc2 1"
tap_cmd "VPID settable exactly when kvm_intel uses VPID" agree vpid "proc2 5"
tap_cmd "unrestricted guest settable exactly when kvm_intel uses it" \
	agree unrestricted_guest "proc2 7"

dmesg | sed -n 's/^\[[ 0-9.]*\] vmxcap: //p' |
	grep -v 'taints kernel\|verification failed' >/tmp/log
tap_cmd "the kernel log holds the same report" cmp /tmp/report /tmp/log
tap_cmd "rmmod removes $report" sh -c "rmmod vmxcap && [ ! -e $report ]"
tap_cmd "vmxcap.ko loads again" kes_insmod $vmxcap
tap_cmd "and unloads" rmmod vmxcap
tap_done
