# shellcheck shell=bash
# tests/vm/guest-image.sh — sourced by check.sh and demo.sh: what both do before
# they boot a guest.
#
#   vm_arch ARG            print x86_64 or arm64 for ARG (amd64/aarch64 accepted),
#                          or fail with a usage line naming the caller
#   vm_image ARCH OUT ARGS...
#                          fetch Debian's kernel for ARCH (tests/vm/fetch-kernel.sh)
#                          and build the initramfs OUT (tests/vm/mkinitramfs.sh ARGS...),
#                          with the modules the arch's test channel needs (arm64:
#                          hvc0 over virtio-mmio, see tests/vm/run.sh); sets
#                          VM_KERNEL to the vmlinuz

vm_arch() {
    case "$1" in
        x86_64 | amd64) echo x86_64 ;;
        arm64 | aarch64) echo arm64 ;;
        *) echo "usage: $(basename "$0") [x86_64|arm64]" >&2; return 2 ;;
    esac
}

vm_image() {
    local arch=$1 out=$2 root
    shift 2
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    local kmods=()
    VM_KERNEL=$(bash "$root/tests/vm/fetch-kernel.sh" "$arch") || return
    if [[ $arch == arm64 ]]; then
        kmods=(--kernel-tree "$(dirname "$(dirname "$VM_KERNEL")")" --kmod virtio_mmio --kmod virtio_console)
    fi
    bash "$root/tests/vm/mkinitramfs.sh" --arch "$arch" "$@" "${kmods[@]}" --out "$out"
}
