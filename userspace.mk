# SPDX-License-Identifier: GPL-2.0
#
# The userspace part (SPEC 7): libmseal, msealctl, man pages.  Included by
# the top-level Makefile, and kept in a file of its own so that it and the
# kernel side change independently.
#
#   make lib tools        build into build/userspace/<target triplet of $(CC)>;
#                         CC=aarch64-linux-gnu-gcc builds for arm64 (msealctl
#                         then goes without libkmod: see tools/Makefile)
#   make install          libmseal (shared, static, <mseal.h>, libmseal.pc),
#                         libmseal-autoseal.so (LD_AUDIT module, in LIBDIR),
#                         msealctl and the man pages, under $(DESTDIR)$(PREFIX)
#                         (PREFIX=/usr/local; LIBDIR, INCLUDEDIR, SBINDIR, MANDIR)
#   make userspace-check  tests on this machine, no kernel module involved:
#                         the library, msealctl without the module, the
#                         installed tree, the man pages, libmseal-autoseal.so
#                         on unmodified programs (native $(CC) only)
#
# The module itself is installed by DKMS (README), or `make modules_install`.

USERSPACE_O = $(BUILD)/userspace/$(shell $(CC) -dumpmachine)
HOST_TEST_O = $(USERSPACE_O)/host-tests
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
MAN3_LINKS := mseal_list.3 mseal_sysmap_optout.3

.PHONY: lib tools userspace install install-man userspace-check autoseal-bench

lib:
	$(MAKE) -C lib O=$(USERSPACE_O)

tools: lib
	$(MAKE) -C tools O=$(USERSPACE_O)

userspace: lib tools

install: userspace install-man
	$(MAKE) -C lib O=$(USERSPACE_O) install
	$(MAKE) -C tools O=$(USERSPACE_O) install
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

install-man:
	install -d $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man4 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 docs/man/mseal.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 0644 docs/man/mseal.4 $(DESTDIR)$(MANDIR)/man4/
	install -m 0644 docs/man/msealctl.8 docs/man/libmseal-autoseal.8 $(DESTDIR)$(MANDIR)/man8/
	for l in $(MAN3_LINKS); do \
		echo '.so man3/mseal.3' > $(DESTDIR)$(MANDIR)/man3/$$l; done

# The contract tests that also run on this machine's own kernel, where it
# has mseal(2): their expectations checked against upstream.
NATIVE_TESTS := mseal_vma mseal_ioctl mseal_munmap mseal_mprotect mseal_mmap \
	mseal_mremap mseal_madvise mseal_brk_shm

HOST_CFLAGS = -Wall -Wextra -Werror -O2 -pthread -Iinclude/uapi -I$(BUILD)/kselftest \
	      -Itests/selftests -Ilib

userspace-check: userspace
	$(MAKE) -C tests/selftests harness
	mkdir -p $(HOST_TEST_O)
	$(CC) $(HOST_CFLAGS) -o $(HOST_TEST_O)/libmseal_host tests/host/libmseal_host.c \
		tests/selftests/mseal_util.c $(USERSPACE_O)/libmseal.a
	$(CC) $(HOST_CFLAGS) -o $(HOST_TEST_O)/msealctl_host tests/host/msealctl_host.c \
		tests/selftests/mseal_util.c $(USERSPACE_O)/libmseal.a
	$(HOST_TEST_O)/libmseal_host
	$(HOST_TEST_O)/msealctl_host $(USERSPACE_O)/msealctl
	CC="$(CC)" bash tests/host/install-check.sh
	CC="$(CC)" LIBMSEAL_A=$(USERSPACE_O)/libmseal.a bash tests/host/man-check.sh
	for t in $(NATIVE_TESTS); do \
		$(CC) $(HOST_CFLAGS) -o $(HOST_TEST_O)/$$t tests/selftests/$$t.c \
			tests/selftests/mseal_util.c || exit; done
	bash tests/host/native-check.sh $(addprefix $(HOST_TEST_O)/,$(NATIVE_TESTS))
	$(MAKE) -C tests/autoseal O=$(HOST_TEST_O)/autoseal CC="$(CC)" \
		AUTOSEAL_LIB=$(USERSPACE_O)/libmseal-autoseal.so
	$(CC) $(HOST_CFLAGS) -o $(HOST_TEST_O)/mseal_autoseal tests/selftests/mseal_autoseal.c \
		tests/selftests/mseal_util.c $(USERSPACE_O)/libmseal.a
	CC="$(CC)" bash tests/host/autoseal-check.sh $(HOST_TEST_O) $(USERSPACE_O)

	CC="$(CC)" LIBMSEAL_DIR=$(USERSPACE_O) bash tests/host/glibc-coexist.sh

# Start-up cost of libmseal-autoseal.so on this machine (its own mseal(2)):
# medians of interleaved plain and sealed starts, and their ratio.  A
# benchmark, not a test: nothing fails on the figures.
AUTOSEAL_BENCH_RUNS ?= 1000
autoseal-bench: lib
	mkdir -p $(USERSPACE_O)/bench
	$(CC) -Wall -Wextra -Werror -O2 -o $(USERSPACE_O)/bench/autoseal_bench \
		tests/bench/autoseal_bench.c
	@for p in "/bin/ls -l /" "/bin/bash -c true" "/usr/bin/python3 -S -c pass"; do \
		$(USERSPACE_O)/bench/autoseal_bench -n $(AUTOSEAL_BENCH_RUNS) \
			$(USERSPACE_O)/libmseal-autoseal.so $$p || exit; done
