#!/usr/bin/env bash
# tests/vm/fetch-kernel.sh <arch> — fetch Debian's stock 6.1 kernel image for a
# QEMU guest and print the path of its vmlinuz on stdout (progress on stderr).
#
#   arch: x86_64 (Debian amd64) | arm64
#   release: scripts/kernel-abi.sh <arch>   (current ABI, e.g. 6.1.0-56-amd64)
#   package: linux-image-<release>-unsigned, via `apt-get download` from the
#            Debian mirror (arm64: through the private apt state build/apt/arm64,
#            see scripts/apt-arch.sh; the host's dpkg config is not changed)
#   result:  build/kernels/<release>/  (dpkg-deb -x of the package: boot/vmlinuz-*,
#            boot/config-*, lib/modules/<release>/...)
#   prints:  build/kernels/<release>/boot/vmlinuz-<release>
#
# Cached: nothing is done when the tree is complete (vmlinuz and
# lib/modules/<release>/modules.order present). The .deb is kept in
# build/kernels/debs/ so that an incomplete tree is re-extracted without a
# download: `make -C KDIR M=<repo> clean` deletes every *.ko and modules.order
# below the repo, build/kernels/ included. A .deb of the right name found in
# $MSEAL_DEB_CACHE (a directory) or /var/cache/apt/archives is used too.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/apt-arch.sh
source "$root/scripts/apt-arch.sh"

[[ $# -eq 1 ]] || { echo "usage: $0 <x86_64|arm64>" >&2; exit 2; }
debarch=$(apt_arch_name "$1")
release=$(bash "$root/scripts/kernel-abi.sh" "$debarch")
dest="$root/build/kernels/$release"
vmlinuz="$dest/boot/vmlinuz-$release"

if [[ -s $vmlinuz && -f $dest/lib/modules/$release/modules.order ]]; then
    echo "$vmlinuz"
    exit 0
fi
[[ -s $vmlinuz ]] && echo "fetch-kernel: $dest lost its modules (a Kbuild clean?), re-extracting" >&2

pkg="linux-image-$release-unsigned"
debs="$root/build/kernels/debs"
deb=$(apt_fetch_deb "$pkg" "$debarch" "$debs")
tmp=$(mktemp -d "$root/build/kernels/.fetch-$release.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "fetch-kernel: extracting into $dest" >&2
dpkg-deb -x "$deb" "$tmp/x"
[[ -s $tmp/x/boot/vmlinuz-$release ]] || { echo "fetch-kernel: $deb has no boot/vmlinuz-$release" >&2; exit 1; }
rm -rf "$dest"
mv "$tmp/x" "$dest" 2>/dev/null || [[ -s $vmlinuz ]] # a concurrent fetch may have won
echo "$vmlinuz"
