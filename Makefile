# SPDX-License-Identifier: GPL-2.0
#
# mseal: memory sealing for stock kernels.
#
#   make                 build mseal.ko for the running kernel (or KDIR=...)
#   make demo            install what it needs, boot Debian's 6.1 kernel in
#                        QEMU, load the module and show sealing at work
#   make check           install what it needs, lint, build, run every test
#                        in QEMU guests
#   make modules_install install the module for the running kernel
#   make install         install libmseal, msealctl and man pages (userspace.mk)
#   make deb             Debian packages; make debian-guest: them in a Debian
#                        guest (deb.mk)

SHELL := /bin/bash

KDIR ?= /lib/modules/$(shell uname -r)/build
# The guest architectures `make check` runs; ARCH_GUEST selects one for the
# per-architecture targets (kmods, tests, bench, demo).
GUEST_ARCHES ?= x86_64 arm64
ARCH_GUEST ?= x86_64

BUILD := $(CURDIR)/build
# The stock Debian kernel the guests boot, and its headers (extracted from
# the mirror for a foreign architecture: scripts/kernel-headers.sh).
DEB_KDIR = $(shell scripts/kernel-headers.sh $(ARCH_GUEST))
# Compilers per guest architecture: the kernel's, the tests' (static), and
# the 32-bit (compat) tests'.
ifeq ($(ARCH_GUEST),arm64)
KCROSS := ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
TEST_CC := aarch64-linux-gnu-gcc
TEST_CC32 := arm-linux-gnueabihf-gcc
else
KCROSS :=
TEST_CC := gcc
TEST_CC32 := gcc -m32
endif
MODDIR = $(BUILD)/modules/$(ARCH_GUEST)
TESTDIR = $(BUILD)/tests/$(ARCH_GUEST)
SRCS = Kbuild dkms.conf $(wildcard module/*.[ch] hooks/*.[ch] arch/*/*.[chS] include/uapi/linux/*.h)
CHECKPATCH = $(BUILD)/checkpatch/checkpatch.pl
KSRC_TAR = /usr/src/linux-source-6.1.tar.xz

BENCHDIR = $(BUILD)/bench/$(ARCH_GUEST)

.PHONY: all module modules clean install check demo deps lint kmods tests vm-check bench
.PHONY: probe-check kernels-smoke kernels-check debug-kernel-check

all: module

module modules:
	bash scripts/probe.sh $(KDIR) $(CURDIR)/mseal_config.h
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf $(BUILD) mseal_config.h

deps:
	bash scripts/deps.sh $(ARCH_GUEST)

# Kernel-style lint of every kernel source file: checkpatch --strict from
# the linux-source-6.1 package.
$(CHECKPATCH):
	mkdir -p $(BUILD)/checkpatch
	tar -C $(BUILD)/checkpatch --strip-components=2 -xf $(KSRC_TAR) \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch

lint: $(CHECKPATCH)
	$(CHECKPATCH) --strict --no-tree --quiet --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		-f $(filter %.c %.h,$(SRCS))
	@echo "checkpatch --strict: clean"

# The module for the guest kernel, built warning-free with W=1 and sparse
# (C=2 checks every file), plus the fault-injection variants the tests load.
# Each is built in a copy of the sources under build/, so nothing in the
# tree (or in build/kernels) is touched by Kbuild's clean.
define kbuild_variant
	{ rm -rf $(BUILD)/variants/$(1) && \
	  mkdir -p $(BUILD)/variants/$(1) $(MODDIR)/$(2) && \
	  cp -r --parents $(SRCS) $(BUILD)/variants/$(1)/ && \
	  cp $(PROBE_H) $(BUILD)/variants/$(1)/mseal_config.h && \
	  $(MAKE) -C $(DEB_KDIR) $(KCROSS) M=$(BUILD)/variants/$(1) $(3) modules && \
	  cp $(BUILD)/variants/$(1)/mseal.ko $(MODDIR)/$(2)/; }
endef

KBUILD_LOG = $(BUILD)/kbuild-$(ARCH_GUEST).log
# The kernel feature probes (scripts/probe.sh, probes/*.c): once per guest
# kernel, shared by the variants; Kbuild includes the header.
PROBE_H = $(BUILD)/probes/$(ARCH_GUEST)/mseal_config.h

kmods:
	rm -rf $(MODDIR) && mkdir -p $(MODDIR) $(dir $(PROBE_H))
	bash scripts/probe.sh $(DEB_KDIR) $(PROBE_H) $(KCROSS) -j2
	set -o pipefail; $(call kbuild_variant,$(ARCH_GUEST)/main,.,W=1 C=2) 2>&1 | tee $(KBUILD_LOG)
	@! grep -E 'warning:|error:' $(KBUILD_LOG) || \
		{ echo "kernel build not clean (W=1, sparse)"; exit 1; }
	@test -f $(MODDIR)/mseal.ko
	$(call kbuild_variant,$(ARCH_GUEST)/missing-symbol,missing-symbol,MSEAL_TEST_FAULT_SYMBOL=mseal_test_no_such_symbol) >/dev/null
	$(call kbuild_variant,$(ARCH_GUEST)/untraceable,untraceable,MSEAL_TEST_FAULT_SYMBOL=rcu_is_watching) >/dev/null
	$(call kbuild_variant,$(ARCH_GUEST)/landing-pad,landing-pad,MSEAL_TEST_LANDING_PAD=1) >/dev/null

tests:
	$(MAKE) -C tests/selftests ARCH=$(ARCH_GUEST) O=$(TESTDIR) CC=$(TEST_CC) CC32='$(TEST_CC32)'
	$(TEST_CC) -Wall -Wextra -Werror -O2 -static -Iinclude/uapi \
		-o $(TESTDIR)/mseal_demo tests/demo/mseal_demo.c

vm-check:
	bash tests/vm/check.sh $(ARCH_GUEST)

# Hot-path cost as ratios (module loaded vs not, one boot).  -icount makes
# guest time count instructions: the figures are free of host noise.
bench-build:
	mkdir -p $(BENCHDIR)
	$(TEST_CC) -Wall -Wextra -Werror -O2 -static -Iinclude/uapi \
		-o $(BENCHDIR)/mseal_bench tests/bench/mseal_bench.c
	echo mseal_bench > $(BENCHDIR)/ORDER

bench: deps
	$(MAKE) kmods bench-build
	MSEAL_TESTS_DIR=$(BENCHDIR) MSEAL_VM_ICOUNT=1 bash tests/vm/check.sh $(ARCH_GUEST)

# Every guest architecture: build, then one QEMU guest per architecture
# (run side by side), then one summary line for all of them.
# The kernels whose guests `make check` runs the whole suite on (ids of
# scripts/kernels.conf); `make kernels-check` runs all ten.  The longest
# guests first (those with the differential stress, arm64 before amd64),
# so that the pool's two workers end close together.
CHECK_KERNELS ?= 6.1-arm64 6.12-deb13-arm64 6.1-amd64 6.12-deb13-amd64 5.10-arm64 5.10-amd64 \
	6.12-deb12-arm64 6.12-deb12-amd64 7-arm64 7-amd64

check:
	bash scripts/deps.sh kernels
	@# The debug kernel (issue 11) builds in the background, niced, while
	@# the steps below keep the cores only partly busy (cached: seconds);
	@# its guest is the first job of check-kernels' pool.
	mkdir -p $(BUILD)/debug-kernel
	nice -n 10 bash scripts/debug-kernel.sh >$(BUILD)/debug-kernel/kernel-build.log 2>&1 &
	$(MAKE) lint
	$(MAKE) probe-check
	for a in $(GUEST_ARCHES); do \
		$(MAKE) ARCH_GUEST=$$a kmods tests || exit; \
	done
	$(MAKE) userspace-check
	bash tests/vm/dkms-check.sh
	$(MAKE) deb-check
	@# Last, and not through a sub-make: its final line is the summary.
	MSEAL_KCHECK_DEBUG=1 bash tests/vm/check-kernels.sh $(CHECK_KERNELS)

# The differential stress for hours (issue 11): mseal_stress -t on Debian 12's
# 6.1 (the module) and Debian 13's 6.12 (native mseal), per arch, one guest at
# a time; the digests of every seed both ran are compared (tests/stress/).
STRESS_SECONDS ?= 3600
STRESS_KERNELS ?= 6.1-amd64 6.12-deb13-amd64 6.1-arm64 6.12-deb13-arm64
.PHONY: stress-long
stress-long:
	bash scripts/deps.sh kernels
	for a in $(GUEST_ARCHES); do \
		$(MAKE) ARCH_GUEST=$$a tests || exit; \
		d=$(BUILD)/stress-long/tests/$$a; rm -rf $$d; mkdir -p $$d; \
		cp $(BUILD)/tests/$$a/mseal_module $(BUILD)/tests/$$a/mseal_stress $$d/; \
		printf 'mseal_module\nmseal_stress -t $(STRESS_SECONDS)\n' > $$d/ORDER; \
	done
	MSEAL_KCHECK_TESTS_DIR=$(BUILD)/stress-long/tests MSEAL_KCHECK_BASE=$(BUILD)/stress-long/kcheck \
	MSEAL_STRESS_KERNELS= MSEAL_STRESS_MIN_OPS=1 MSEAL_KCHECK_JOBS=1 \
	MSEAL_TEST_TIMEOUT=$$(($(STRESS_SECONDS) + 300)) \
	MSEAL_VM_TIMEOUT=$$(($(STRESS_SECONDS) + 900)) \
		bash tests/vm/check-kernels.sh $(STRESS_KERNELS)

# The suite with the differential stress on the four kernels it compares
# (about 1,000,000 ops per guest; make check runs the same among the ten):
# `stress <arch>: N ops, N mismatches`.
.PHONY: stress-check
stress-check:
	bash scripts/deps.sh kernels
	for a in $(GUEST_ARCHES); do $(MAKE) ARCH_GUEST=$$a tests || exit; done
	bash tests/vm/check-kernels.sh $(STRESS_KERNELS)

# Issue 11: the whole suite, mseal_faults (fail-nth at every allocation) and
# a kmemleak scan in a guest booting a debug build of linux-source-6.1
# (KASAN, lockdep, DEBUG_VM, fault injection, panic_on_warn;
# scripts/debug-kernel.sh, cached in /var/cache/mseal/debug-kernel/).  Three
# lines, each can fail it: "debug-kernel R: N passed, N failed, N skipped",
# "debug-kernel R: splats N", "faults: N injected, N inconsistent".
# `make check` runs the same as a job of check-kernels (MSEAL_KCHECK_DEBUG).
debug-kernel-check:
	$(MAKE) ARCH_GUEST=x86_64 tests
	bash tests/vm/debug-kernel-check.sh

# The feature probes against Debian 12's 6.1 headers (both arches) give the
# results tests/host/probe-check.sh expects.
probe-check:
	bash tests/host/probe-check.sh

# The ten kernels of scripts/kernels.conf (issue 10): --smoke boots each with
# a one-test initramfs (no module); kernels-check builds the module for each
# in its release's chroot and runs the suite on each, two guests at a time.
kernels-smoke:
	bash scripts/deps.sh kernels
	bash tests/vm/check-kernels.sh --smoke

kernels-check:
	bash scripts/deps.sh kernels
	for a in $(GUEST_ARCHES); do $(MAKE) ARCH_GUEST=$$a tests || exit; done
	bash tests/vm/check-kernels.sh

demo: deps
	$(MAKE) kmods
	$(MAKE) tests
	bash tests/vm/demo.sh $(ARCH_GUEST)

include userspace.mk
include deb.mk
