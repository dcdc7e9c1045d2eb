#!/usr/bin/env bash
# tests/vm/demo.sh [ARCH] — what `make demo` runs: boot the stock Debian kernel in
# QEMU with the built module and tests (same layout as tests/vm/check.sh) and run
# the guest demo script live on this terminal.
#
# Guest demo script, in order of preference: build/tests/ARCH/demo.sh (if the
# Makefile put one there), else tests/guest/demo.sh. It runs as root in /tmp with
# the module at /mseal/mseal.ko and the test binaries in /tests/.
# Logs: build/vm/ARCH/demo.log (kernel console) and demo.out (everything the guest
# printed, incl. the final dmesg). Exit status non-zero if the demo script failed,
# the guest did not finish, or the kernel log shows a splat.
# Env: MSEAL_MODULES_DIR, MSEAL_TESTS_DIR, MSEAL_VM_TIMEOUT (default 900), MSEAL_VM_APPEND.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/vm/guest-image.sh
source "$root/tests/vm/guest-image.sh"
arch=$(vm_arch "${1:-x86_64}")

modules=${MSEAL_MODULES_DIR:-$root/build/modules/$arch}
tests=${MSEAL_TESTS_DIR:-$root/build/tests/$arch}
[[ -d $modules ]] || { echo "demo.sh: no module directory $modules (build first: make demo)" >&2; exit 1; }
mkdir -p "$root/build/vm/$arch"
order_args=()
if [[ ! -f $tests/ORDER ]]; then
    mkdir -p "$tests"
    : >"$root/build/vm/$arch/demo-ORDER"
    order_args=(--order "$root/build/vm/$arch/demo-ORDER")
fi

initrd="$root/build/vm/$arch/initramfs-demo.cpio.gz"
vm_image "$arch" "$initrd" --modules "$modules" --tests "$tests" "${order_args[@]}"

exec bash "$root/tests/vm/run.sh" --arch "$arch" --kernel "$VM_KERNEL" --initrd "$initrd" --mode demo \
    --timeout "${MSEAL_VM_TIMEOUT:-900}" --append "${MSEAL_VM_APPEND:-}"
