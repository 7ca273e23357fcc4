# SPDX-License-Identifier: GPL-2.0
#
# kvm-exitstats developer entry points.  See README.md.
#
#   make modules [KVER=<kernel release>]  build kvm, kvm-intel, vmxcap into
#                                          build/<KVER>/ and check the CRCs
#   make unit                              user-space unit tests
#   make check                             everything .ci/run runs

KVER		?= $(shell uname -r)
KDIR		?= /usr/src/linux-headers-$(KVER)
B		:= build/$(KVER)
KES_VERSION	?= $(shell dpkg-parsechangelog -S Version)

SOURCES		:= Kbuild src

modules:
	@test -f $(KDIR)/Makefile || { echo "no kernel headers in $(KDIR): install linux-headers-$(KVER)" >&2; exit 1; }
	rm -rf $(B)/tree
	mkdir -p $(B)/tree $(B)/modules
	cp -a $(SOURCES) $(B)/tree/
	scripts/kvm-prepare $(KDIR) $(B)/tree/src/linux
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(B)/tree KES_VERSION=$(KES_VERSION) modules
	scripts/check-crcs $(KDIR)/Module.symvers $(B)/tree/Module.symvers
	cp $(B)/tree/src/kvm/kvm.ko $(B)/tree/src/kvm-intel/kvm-intel.ko $(B)/modules/
	cp $(B)/tree/src/vmxcap/vmxcap.ko $(B)/modules/ 2>/dev/null || true

unit:
	$(MAKE) -C tests/unit

.PHONY: modules unit
