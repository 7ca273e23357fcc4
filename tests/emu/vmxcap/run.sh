# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Payload (sourced by the initramfs /init with /lib/kes.sh): vmxcap.ko on
# the emulated CPU, its VMX report or (/payload/vendor: svm, from run --svm)
# its SVM report on an AMD CPU.  msr.ko and our kvm with kvm-intel (or, where
# the harness ships it, kvm-amd) are loaded already.

vendor=$(cat /payload/vendor)
vmxcap=/lib/modules/kes/ours/vmxcap.ko
report=/proc/driver/vmxcap

case $vendor in
svm) tap_cmd "vmxcap.ko loads on AMD" kes_insmod $vmxcap ;;
*) tap_cmd "vmxcap.ko loads" kes_insmod $vmxcap ;;
esac
tap_cmd "it carries a MODULE_VERSION" test -s /sys/module/vmxcap/version
tap_cmd "$report has mode 0444" \
	sh -c "[ \"\$(stat -c %a $report)\" = 444 ]"
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
tap_cmd "an unprivileged user reads it" \
	sh -c "su -s /bin/sh nobody -c 'cat $report' >/tmp/report"

# KVM decided what to use from the same MSRs or CPUID bits: it must agree.
agree() {	# kvm module, its parameter, report line prefix
	case $(cat "/sys/module/$1/parameters/$2") in
	Y|1) grep -Eq "^$3 (yes|forced) " /tmp/report ;;
	*) ! grep -Eq "^$3 (yes|forced) " /tmp/report ;;
	esac
}

case $vendor in
svm)
	sed 's/^/# /' /tmp/report
	tap_run svmcap-check /payload/svmcap-check /tmp/report
	if [ -d /sys/module/kvm_amd/parameters ]; then
		tap_cmd "NP set exactly when kvm_amd uses nested paging" \
			agree kvm_amd npt "svm_edx 0"
		tap_cmd "NRIPS set exactly when kvm_amd uses next-RIP saving" \
			agree kvm_amd nrips "svm_edx 3"
	else
		echo "# kvm_amd is not loaded: no KVM cross-check"
	fi
	;;
*)
	/payload/vmxcap-msr >/tmp/user
	tap_ok $? "user space decodes /dev/cpu/N/msr"
	tap_cmd "the report equals the decoding of /dev/cpu/N/msr, byte for byte" \
		sh -c 'cmp /tmp/report /tmp/user || diff /tmp/report /tmp/user'
	n=$(grep -c '^msr ' /tmp/report)
	tap_ok $(( n >= 15 ? 0 : 1 )) "raw values of $n MSRs in the report"
	tap_cmd "every online CPU checked, none differs" \
		grep -qx "cpus checked=$(find /dev/cpu -maxdepth 1 -name '[0-9]*' | wc -l) differing=0" \
		/tmp/report
	tap_cmd "EPT settable exactly when kvm_intel uses EPT" \
		agree kvm_intel ept "proc2 1"
	tap_cmd "VPID settable exactly when kvm_intel uses VPID" \
		agree kvm_intel vpid "proc2 5"
	tap_cmd "unrestricted guest settable exactly when kvm_intel uses it" \
		agree kvm_intel unrestricted_guest "proc2 7"
	;;
esac

mark=0		# lines in the kernel log before the last load
vmxcap_log() {	# what vmxcap logged since that load
	dmesg | tail -n +$((mark + 1)) | sed -n 's/^\[[ 0-9.]*\] vmxcap: //p' |
		grep -v 'taints kernel\|verification failed'
}
# The log by default: the report's status and cpus records, and where
# the rest is.
vmxcap_log >/tmp/log
grep -E '^(status|cpus) ' /tmp/report >/tmp/want
echo "the whole report: $report" >>/tmp/want
tap_cmd "the kernel log has the summary: status, cpus, where the rest is" \
	sh -c 'cmp /tmp/want /tmp/log || diff /tmp/want /tmp/log'
tap_cmd "rmmod removes $report" sh -c "rmmod vmxcap && [ ! -e $report ]"
mark=$(dmesg | wc -l)
tap_cmd "vmxcap.ko loads again, full_log=1" kes_insmod $vmxcap full_log=1
vmxcap_log >/tmp/log
tap_cmd "with full_log=1 the kernel log holds the whole report" \
	sh -c "cmp $report /tmp/log"
tap_cmd "and unloads" rmmod vmxcap
tap_done
