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
arch=${1:-x86_64}
case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    arm64 | aarch64) arch=arm64 ;;
    *) echo "usage: $0 [x86_64|arm64]" >&2; exit 2 ;;
esac

modules=${MSEAL_MODULES_DIR:-$root/build/modules/$arch}
tests=${MSEAL_TESTS_DIR:-$root/build/tests/$arch}
[[ -d $modules ]] || { echo "check.sh: no module directory $modules (build first: make check)" >&2; exit 1; }
[[ -f $tests/ORDER ]] || { echo "check.sh: no $tests/ORDER (the Makefile writes it with the test binaries)" >&2; exit 1; }
[[ -f $modules/mseal.ko ]] || echo "check.sh: warning: $modules/mseal.ko does not exist" >&2

vmlinuz=$(bash "$root/tests/vm/fetch-kernel.sh" "$arch")
initrd="$root/build/vm/$arch/initramfs.cpio.gz"
kmods=()
if [[ $arch == arm64 ]]; then # the hvc0 test channel (see tests/vm/run.sh)
    kmods=(--kernel-tree "$(dirname "$(dirname "$vmlinuz")")" --kmod virtio_mmio --kmod virtio_console)
fi
bash "$root/tests/vm/mkinitramfs.sh" --arch "$arch" --modules "$modules" --tests "$tests" \
    "${kmods[@]}" --out "$initrd"

exec bash "$root/tests/vm/run.sh" --arch "$arch" --kernel "$vmlinuz" --initrd "$initrd" --mode check \
    --timeout "${MSEAL_VM_TIMEOUT:-2400}" --test-timeout "${MSEAL_TEST_TIMEOUT:-300}" \
    --append "${MSEAL_VM_APPEND:-}"
