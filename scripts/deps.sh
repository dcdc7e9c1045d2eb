#!/usr/bin/env bash
# scripts/deps.sh [x86_64|arm64|all|kernels] — install (as root) every Debian 12 package
# the build and the QEMU test suite need. Default: x86_64.
#
# Idempotent and fast when nothing is missing: it checks with dpkg-query and
# only then runs `apt-get install -y --no-install-recommends` for what is absent.
# `apt-get update` runs at most once per invocation: when the package lists are
# missing or older than MSEAL_APT_MAX_AGE_MIN minutes (default 720, tracked by
# build/deps/apt-update.stamp), when a package is missing, or with
# MSEAL_APT_UPDATE=1.
# The kernel headers package is linux-headers-<ABI>-amd64 for the CURRENT ABI in
# the mirror (scripts/kernel-abi.sh), never a hard-coded one.
# Non-interactive (DEBIAN_FRONTEND=noninteractive, no stdin needed): safe in CI.
# arm64/all add the cross toolchains, qemu-system-arm, and prefetch the arm64
# package index used by tests/vm/fetch-kernel.sh arm64 (build/apt/arm64).
# kernels = all + what the ten kernels of scripts/kernels.conf need on the host:
# mmdebstrap (the release chroots), curl (is a .deb really on the mirror),
# dwarves (6.12's headers ship vmlinux: module BTF needs pahole), zstd.
#
# Debian 12 conflict: gcc-multilib (its only file is the /usr/include/asm link
# that `gcc -m32` needs) Conflicts with every gcc-12-<triplet> cross compiler.
# So gcc-12-multilib (the 32-bit libraries, no conflict) is installed instead,
# whatever the selection: no later `all` has to remove anything. Without
# /usr/include/asm, tests/selftests/Makefile builds with `-isystem DIR` where
# DIR/asm -> /usr/include/x86_64-linux-gnu/asm.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sel=${1:-x86_64}
want_kernels=0
case "$sel" in
    x86_64 | amd64) want_arm=0 ;;
    arm64 | aarch64 | all) want_arm=1 ;;
    kernels) want_arm=1 want_kernels=1 ;;
    *) echo "usage: $0 [x86_64|arm64|all|kernels]" >&2; exit 2 ;;
esac

export DEBIAN_FRONTEND=noninteractive
export APT_LISTCHANGES_FRONTEND=none
export NEEDRESTART_MODE=a

stampdir="$root/build/deps"
stamp="$stampdir/apt-update.stamp"
updated=0

apt_update_once() {
    if [[ $updated == 0 ]]; then
        echo "deps: apt-get update" >&2
        apt-get -q update >&2
        mkdir -p "$stampdir"
        touch "$stamp"
        updated=1
    fi
}

need_root() {
    if [[ $(id -u) != 0 ]]; then
        echo "deps: must run as root to $1" >&2
        exit 1
    fi
}

lists_present() {
    compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

if [[ ${MSEAL_APT_UPDATE:-0} == 1 ]] || ! lists_present || [[ ! -f $stamp ]] ||
    [[ -n $(find "$stamp" -mmin "+${MSEAL_APT_MAX_AGE_MIN:-720}" 2>/dev/null) ]]; then
    need_root "run apt-get update"
    apt_update_once
fi

installed() { [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) == ii* ]]; }

compute() {
    abi=$(bash "$root/scripts/kernel-abi.sh" amd64)
    pkgs=(
        build-essential gcc-12-multilib pkg-config bc flex bison libelf-dev
        dkms sparse libkmod-dev kmod cpio xz-utils busybox-static
        qemu-system-x86 linux-source-6.1 "linux-headers-$abi"
        groff-base man-db
        gdb python3 perl debhelper dh-dkms lintian mmdebstrap qemu-utils e2fsprogs
    )
    if [[ $want_arm == 1 ]]; then
        pkgs+=(qemu-system-arm gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf
            libc6-dev-arm64-cross libc6-dev-armhf-cross)
    fi
    if [[ $want_kernels == 1 ]]; then
        pkgs+=(mmdebstrap curl dwarves zstd)
    fi
    missing=()
    local p
    for p in "${pkgs[@]}"; do
        installed "$p" || missing+=("$p")
    done
}

compute
if ((${#missing[@]})) && [[ $updated == 0 ]]; then
    # Lists may be stale (the missing headers may be for an ABI the mirror dropped).
    need_root "install ${missing[*]}"
    apt_update_once
    compute
fi

if ((${#missing[@]})); then
    need_root "install ${missing[*]}"
    echo "deps: installing ${missing[*]}" >&2
    apt-get -q install -y --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}" </dev/null
    compute
    if ((${#missing[@]})); then
        echo "deps: still missing after install: ${missing[*]}" >&2
        exit 1
    fi
fi

if [[ $want_arm == 1 ]]; then
    arm_rel=$(bash "$root/scripts/kernel-abi.sh" arm64)
    echo "deps: arm64 kernel in the mirror: $arm_rel" >&2
fi
echo "deps: ${#pkgs[@]} packages present; kernel ABI $abi (headers /usr/src/linux-headers-$abi)" >&2
