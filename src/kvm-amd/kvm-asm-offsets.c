// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM copy's asm offsets, generated here for svm/vmenter.S: kvm-intel
 * generates its own in the copy's directory, and the two modules build in
 * parallel, so each has its own file.
 */
#include "../linux/arch/x86/kvm/kvm-asm-offsets.c"
