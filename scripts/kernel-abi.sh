#!/usr/bin/env bash
# scripts/kernel-abi.sh [amd64|arm64] — print the current Debian 12 6.1 kernel
# release for an architecture, e.g. "6.1.0-56-amd64".
#
# "Current" = the highest N among the packages linux-image-6.1.0-N-<arch>-unsigned
# that apt knows about (apt-cache; run scripts/deps.sh or `apt-get update` first).
# Default arch: amd64 (x86_64 and aarch64 are accepted as aliases).
# Used by the Makefile: KDIR=/usr/src/linux-headers-$(scripts/kernel-abi.sh amd64).
#
# Override: MSEAL_KERNEL_ABI=N pins the ABI number (prints 6.1.0-N-<arch>)
# without asking apt, e.g. to reproduce a run against an older kernel.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/apt-arch.sh
source "$here/apt-arch.sh"

arch=$(apt_arch_name "${1:-amd64}")

if [[ -n ${MSEAL_KERNEL_ABI:-} ]]; then
    [[ $MSEAL_KERNEL_ABI =~ ^[0-9]+$ ]] || { echo "kernel-abi: MSEAL_KERNEL_ABI must be a number" >&2; exit 2; }
    echo "6.1.0-$MSEAL_KERNEL_ABI-$arch"
    exit 0
fi

apt_arch_setup "$arch"
n=$(apt-cache "${APT_ARCH_OPTS[@]}" search --names-only "^linux-image-6\\.1\\.0-[0-9]+-$arch-unsigned\$" |
    sed -nE "s/^linux-image-6\\.1\\.0-([0-9]+)-$arch-unsigned .*/\\1/p" | sort -n | tail -n 1)
if [[ -z $n ]]; then
    echo "kernel-abi: apt knows no linux-image-6.1.0-N-$arch-unsigned; run 'apt-get update' (or scripts/deps.sh) first" >&2
    exit 1
fi
echo "6.1.0-$n-$arch"
