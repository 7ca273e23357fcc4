# SPDX-License-Identifier: GPL-2.0
#
# kvm-exitstats developer entry points (README.md explains each):
#
#   make demo      the product at work on an emulated VMX host (no VMX needed)
#   make check     the quick tier: unit, style, tools, harness self-checks,
#                  one module build with its CRC check (under 3 minutes)
#   make test      every test suite (what CI runs, after scripts/install-deps)
#   make bench     cycles per CPUID exit: stock, ours, stock with tracepoints,
#                  on an emulated Intel CPU, then an AMD one
#   make modules [KVER=<kernel release>]
#                  build kvm, kvm-intel and vmxcap into build/<KVER>/ and
#                  check the exported-symbol CRCs against the stock ones
#   make matrix    build and CRC-check against every supported kernel
#   make deb       the Debian packages, in build/deb/
#   make unit      user-space unit tests only
#   make clean     remove build/ and what the unit tests and tools built

KVER		?= $(shell uname -r)

modules:
	scripts/build-modules $(KVER)

demo:
	scripts/demo

check:
	tests/run unit style tools harness modules

test:
	tests/run

bench:
	bench/run
	bench/run --cpu zambezi

matrix:
	scripts/matrix

deb:
	rm -rf build/deb && mkdir -p build/deb/src
	git ls-files -z | xargs -0 cp --parents -t build/deb/src
	cd build/deb/src && dpkg-buildpackage -us -uc -b

unit:
	$(MAKE) -C tests/unit

clean:
	rm -rf build src/linux
	$(MAKE) -C tests/unit clean
	$(MAKE) -C tools clean

.PHONY: modules demo check test bench matrix deb unit clean
