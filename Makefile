# SPDX-License-Identifier: GPL-2.0
#
# mseal: memory sealing for stock kernels.
#
#   make                 build mseal.ko for the running kernel (or KDIR=...)
#   make demo            install what it needs, boot Debian's 6.1 kernel in
#                        QEMU, load the module and show sealing at work
#   make check           install what it needs, lint, build, run every test
#                        in QEMU guests
#   make install         install the module for the running kernel

KDIR ?= /lib/modules/$(shell uname -r)/build
ARCH_GUEST ?= x86_64

BUILD := $(CURDIR)/build
# The stock Debian kernel the guests boot, and its headers.
DEB_KREL = $(shell scripts/kernel-abi.sh amd64)
DEB_KDIR = /usr/src/linux-headers-$(DEB_KREL)
MODDIR = $(BUILD)/modules/$(ARCH_GUEST)
TESTDIR = $(BUILD)/tests/$(ARCH_GUEST)
SRCS = Kbuild dkms.conf $(wildcard module/*.[ch] hooks/*.[ch] arch/*/*.h include/uapi/linux/*.h)
CHECKPATCH = $(BUILD)/checkpatch/checkpatch.pl
KSRC_TAR = /usr/src/linux-source-6.1.tar.xz

.PHONY: all module modules clean install check demo deps lint kmods tests vm-check

all: module

module modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf $(BUILD)

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
kmods:
	rm -rf $(MODDIR) && mkdir -p $(MODDIR)
	$(MAKE) -C $(DEB_KDIR) M=$(CURDIR) clean
	$(MAKE) -C $(DEB_KDIR) M=$(CURDIR) W=1 C=2 modules 2>&1 | tee $(BUILD)/kbuild.log
	@! grep -E 'warning:|error:' $(BUILD)/kbuild.log || \
		{ echo "kernel build not clean (W=1, sparse)"; exit 1; }
	cp mseal.ko $(MODDIR)/
	for v in missing-symbol:mseal_test_no_such_symbol \
		 untraceable:rcu_is_watching; do \
		d=$(BUILD)/variants/$${v%%:*}; rm -rf $$d; mkdir -p $$d; \
		cp -r --parents $(SRCS) $$d/; \
		$(MAKE) -C $(DEB_KDIR) M=$$d MSEAL_TEST_FAULT_SYMBOL=$${v#*:} modules >/dev/null || exit 1; \
		mkdir -p $(MODDIR)/$${v%%:*}; cp $$d/mseal.ko $(MODDIR)/$${v%%:*}/; \
	done

tests:
	$(MAKE) -C tests/selftests O=$(TESTDIR)

vm-check:
	bash tests/vm/check.sh $(ARCH_GUEST)

check: deps
	$(MAKE) lint
	$(MAKE) kmods
	$(MAKE) tests
	bash tests/vm/dkms-check.sh
	$(MAKE) vm-check

demo: deps
	$(MAKE) kmods
	$(MAKE) tests
	bash tests/vm/demo.sh $(ARCH_GUEST)
