# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Payload (sourced by the initramfs /init with /lib/kes.sh): vmxcap.ko's
# SVM report on the emulated AMD CPU.  msr.ko and our kvm (under kvm-amd,
# where the harness ships it) are loaded already.

vmxcap=/lib/modules/kes/ours/vmxcap.ko
report=/proc/driver/vmxcap

tap_cmd "vmxcap.ko loads on AMD" kes_insmod $vmxcap
tap_cmd "it carries a MODULE_VERSION" test -s /sys/module/vmxcap/version
tap_cmd "$report has mode 0444" \
	sh -c "[ \"\$(stat -c %a $report)\" = 444 ]"
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
# Only tap_cmd, tap_run and tap_done: the helpers' one stable set.
tap_cmd "an unprivileged user reads it" \
	sh -c "su -s /bin/sh nobody -c 'cat $report' >/tmp/report"
sed 's/^/# /' /tmp/report
tap_run svmcap-check /payload/svmcap-check /tmp/report

# kvm-amd decided from the same CPUID bits: where it is loaded, it agrees.
if [ -d /sys/module/kvm_amd/parameters ]; then
	agree() {	# kvm_amd parameter, report line prefix
		case $(cat "/sys/module/kvm_amd/parameters/$1") in
		Y|1) grep -q "^$2 yes " /tmp/report ;;
		*) ! grep -q "^$2 yes " /tmp/report ;;
		esac
	}
	tap_cmd "NP set exactly when kvm_amd uses nested paging" \
		agree npt "svm_edx 0"
	tap_cmd "NRIPS set exactly when kvm_amd uses next-RIP saving" \
		agree nrips "svm_edx 3"
else
	echo "# kvm_amd is not loaded: no KVM cross-check"
fi

mark=0		# lines in the kernel log before the last load
vmxcap_log() {	# what vmxcap logged since that load
	dmesg | tail -n +$((mark + 1)) | sed -n 's/^\[[ 0-9.]*\] vmxcap: //p' |
		grep -v 'taints kernel\|verification failed'
}
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
