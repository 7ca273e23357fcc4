# SPDX-License-Identifier: GPL-2.0
#
# Shared by src/kvm/Kbuild, src/kvm-intel/Kbuild and src/kvm-amd/Kbuild: take the object lists
# from the upstream arch/x86/kvm/Makefile of the KVM copy that
# dkms/kvm-prepare put in src/linux, evaluated as if that copy were the
# kernel tree, so each series builds exactly the objects its kernel does.

# The package version for MODULE_VERSION(); DKMS and the Makefile pass it.
KES_VERSION	?= unknown

KVM_COPY	:= $(src)/../linux
KVM_X86		:= ../linux/arch/x86/kvm

kes_srctree	:= $(srctree)
srctree		:= $(abspath $(KVM_COPY))
include $(KVM_COPY)/arch/x86/kvm/Makefile
srctree		:= $(kes_srctree)

# vmx/ and svm/ include "x86.h" etc.; trace.h's TRACE_INCLUDE_PATH is relative to
# virt/kvm.
ccflags-y	+= -I $(src)/$(KVM_X86) -I $(KVM_COPY)/virt/kvm \
		   -I $(src)/../exitstats -I $(src)/../kvm -I $(src)/../kvm-intel \
		   -I $(src)/../kvm-amd \
		   -DKES_VERSION='"$(KES_VERSION)"'

# vmx/vmenter.S needs the generated asm offsets, as upstream arranges it.
AFLAGS_$(KVM_X86)/vmx/vmenter.o := -iquote $(obj)/$(KVM_X86)
$(obj)/$(KVM_X86)/vmx/vmenter.o: $(obj)/$(KVM_X86)/kvm-asm-offsets.h
$(obj)/$(KVM_X86)/kvm-asm-offsets.h: $(obj)/$(KVM_X86)/kvm-asm-offsets.s FORCE
	$(call filechk,offsets,__KVM_ASM_OFFSETS_H__)
targets += $(KVM_X86)/kvm-asm-offsets.s
