# SPDX-License-Identifier: GPL-2.0
#
# Static test programs for the emulated host's busybox initramfs (it has
# no libraries), built on the VMM of vmm/ (vm.c, guest.S) into O, never
# into the source tree.  Included by the Makefile of each suite below
# tests/emu, which first sets O (the output folder), PROGS (its programs)
# and then, after the include, each program's objects as prerequisites:
#
#	$(O)/prog: $(O)/prog.o $(VMM_OBJS)
#
# with $(CHECKS_OBJS) too for a guest test that uses vmm/checks.h.

EMU	:= $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
VMM	:= $(EMU)/vmm

CC	?= gcc
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -Wall -Wextra -Werror -I$(EMU)/../unit -I$(VMM) -I.
LDFLAGS	+= -static -pthread

VMM_OBJS := $(O)/vm.o $(O)/guest.o
CHECKS_OBJS := $(O)/checks.o

all: $(PROGS)

$(PROGS):
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/%.o: %.c | $(O)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/%.o: %.S | $(O)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/%.o: $(VMM)/%.c | $(O)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/%.o: $(VMM)/%.S | $(O)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O):
	mkdir -p $@

-include $(wildcard $(O)/*.d $(O)/*/*.d)

clean:
	rm -rf $(O)

.PHONY: all clean
