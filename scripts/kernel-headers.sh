#!/usr/bin/env bash
# scripts/kernel-headers.sh <x86_64|arm64> — print the KDIR (kernel build tree)
# for Debian's stock 6.1 kernel of an architecture, the current ABI
# (scripts/kernel-abi.sh). Progress on stderr.
#
# Host architecture: /usr/src/linux-headers-<release>, installed by
# scripts/deps.sh.
# Foreign architecture (arm64 on an amd64 host): the packages
# linux-headers-<release> and linux-headers-<abi>-common are downloaded from
# the mirror (scripts/apt-arch.sh; the host's dpkg configuration is not
# changed) and extracted under build/kernels/headers/<release>/ as if it were
# /, so that their relative links reach usr/lib/linux-kbuild-6.1, which points
# to the host's own linux-kbuild-6.1 (the kbuild tools run on the host; the
# package is the same for every architecture's headers). Cross-compile with
#   make -C "$(scripts/kernel-headers.sh arm64)" ARCH=arm64 \
#        CROSS_COMPILE=aarch64-linux-gnu- M=...
# Cached: nothing is done when the tree is complete.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/apt-arch.sh
source "$root/scripts/apt-arch.sh"

[[ $# -eq 1 ]] || { echo "usage: $0 <x86_64|arm64>" >&2; exit 2; }
debarch=$(apt_arch_name "$1")
release=$(bash "$root/scripts/kernel-abi.sh" "$debarch")

if [[ $debarch == "$(dpkg --print-architecture)" ]]; then
    kdir=/usr/src/linux-headers-$release
    [[ -f $kdir/Makefile ]] || { echo "kernel-headers: $kdir missing: run scripts/deps.sh" >&2; exit 1; }
    echo "$kdir"
    exit 0
fi

kbuild=/usr/lib/linux-kbuild-6.1
[[ -x $kbuild/scripts/basic/fixdep ]] ||
    { echo "kernel-headers: $kbuild missing (package linux-kbuild-6.1): run scripts/deps.sh" >&2; exit 1; }

common=linux-headers-${release%-"$debarch"}-common
dest="$root/build/kernels/headers/$release"
kdir="$dest/usr/src/linux-headers-$release"
if [[ -f $kdir/.complete ]]; then
    echo "$kdir"
    exit 0
fi

debs="$root/build/kernels/debs"
arch_deb=$(apt_fetch_deb "linux-headers-$release" "$debarch" "$debs")
common_deb=$(apt_fetch_deb "$common" all "$debs")

echo "kernel-headers: extracting into $dest" >&2
tmp=$(mktemp -d "$root/build/kernels/.headers-$release.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$arch_deb" "$tmp"
dpkg-deb -x "$common_deb" "$tmp"
mkdir -p "$tmp/usr/lib"
ln -s "$kbuild" "$tmp/usr/lib/linux-kbuild-6.1"
# The arch tree's Makefile includes the common tree by its absolute path.
sed -i "s|^include /usr/src/$common/|include $dest/usr/src/$common/|" \
    "$tmp/usr/src/linux-headers-$release/Makefile"
grep -q "^include $dest/" "$tmp/usr/src/linux-headers-$release/Makefile" ||
    { echo "kernel-headers: unexpected Makefile in linux-headers-$release" >&2; exit 1; }
touch "$tmp/usr/src/linux-headers-$release/.complete"
rm -rf "$dest"
mkdir -p "${dest%/*}"
mv "$tmp" "$dest"
trap - EXIT
echo "$kdir"
