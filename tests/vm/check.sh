#!/usr/bin/env bash
# tests/vm/check.sh [ARCH] — the test suite behind `make check` (ARCH: x86_64
# default, arm64). Run it after the Makefile has built, for ARCH:
#
#   build/modules/ARCH/mseal.ko                    the module
#   build/modules/ARCH/missing-symbol/mseal.ko     fault-injection variants (optional)
#   build/modules/ARCH/untraceable/mseal.ko
#   build/tests/ARCH/<binaries>                    static test binaries (kselftest TAP)
#   build/tests/ARCH/ORDER                         run order, one binary per line,
#                                                  mseal_module first (it loads the module)
#   build/tests/ARCH/demo.sh                       (optional, for make demo)
#
# Steps: tests/vm/fetch-kernel.sh ARCH (stock Debian kernel of the current ABI,
# cached in build/kernels/), tests/vm/mkinitramfs.sh (-> build/vm/ARCH/initramfs.cpio.gz:
# /mseal/ = every .ko under build/modules/ARCH, /tests/ = build/tests/ARCH),
# tests/vm/run.sh --mode check (QEMU, logs build/vm/ARCH/check.log and check.out).
# Its exit status is ours; its LAST output line is "N passed, N failed[, N skipped]",
# so nothing may be printed after this script (call it last in the recipe).
#
# Environment overrides:
#   MSEAL_MODULES_DIR, MSEAL_TESTS_DIR   instead of build/modules/ARCH, build/tests/ARCH
#   MSEAL_VM_TIMEOUT    host-side limit for the whole VM, seconds (default 2400)
#   MSEAL_TEST_TIMEOUT  per test binary inside the guest, seconds (default 300)
#   MSEAL_KERNEL_ABI    pin the Debian ABI number (see scripts/kernel-abi.sh)
#   MSEAL_VM_APPEND     extra kernel command line
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/vm/guest-image.sh
source "$root/tests/vm/guest-image.sh"
arch=$(vm_arch "${1:-x86_64}")

modules=${MSEAL_MODULES_DIR:-$root/build/modules/$arch}
tests=${MSEAL_TESTS_DIR:-$root/build/tests/$arch}
[[ -d $modules ]] || { echo "check.sh: no module directory $modules (build first: make check)" >&2; exit 1; }
[[ -f $tests/ORDER ]] || { echo "check.sh: no $tests/ORDER (the Makefile writes it with the test binaries)" >&2; exit 1; }
[[ -f $modules/mseal.ko ]] || echo "check.sh: warning: $modules/mseal.ko does not exist" >&2

initrd="$root/build/vm/$arch/initramfs.cpio.gz"
vm_image "$arch" "$initrd" --modules "$modules" --tests "$tests"

exec bash "$root/tests/vm/run.sh" --arch "$arch" --kernel "$VM_KERNEL" --initrd "$initrd" --mode check \
    --timeout "${MSEAL_VM_TIMEOUT:-2400}" --test-timeout "${MSEAL_TEST_TIMEOUT:-300}" \
    --append "${MSEAL_VM_APPEND:-}"
