#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/debian-image.sh RELEASE - a bootable Debian root filesystem for
# tests/vm/debian-guest.sh, made with mmdebstrap from the Debian mirror the
# host's apt uses, cached by content.  Prints the cache directory:
#
#   /var/cache/mseal/debian-guest/RELEASE-amd64-HASH/
#     rootfs.img   raw ext4, the whole system (mounted read-write by the
#                  guest through a qcow2 overlay: the image never changes)
#     vmlinuz      the stock kernel and initramfs of the image itself
#     initrd.img   (/boot of the root filesystem, copied out)
#     kernel-release, packages.txt, key.txt
#
# HASH is a sha256 over what the image is made of: RELEASE, the package
# list below, this script, tests/guest/debian/{boot.sh,mseal-guest.service}
# and mmdebstrap's version.  Change any of them and a new image is made; an
# image is otherwise reused as it is (a newer kernel ABI in the mirror does
# not invalidate it: MSEAL_GUEST_REBUILD=1 forces a new one).  The cache
# root is MSEAL_GUEST_CACHE (default /var/cache/mseal/debian-guest).  Images
# unused for 14 days are removed when a new one is made (not sooner: other
# trees on the machine may be booting theirs).
#
# RELEASE: bookworm (Debian 12, 6.1) or trixie (Debian 13, 6.12), amd64.
# The guest has no apt source it can reach: everything the packages need
# to install and to build the module with DKMS is in the image already.
# shellcheck disable=SC2016 # apt's, dpkg's, mmdebstrap's own $(...), ${...}, $1
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
release=${1:?usage: $0 bookworm|trixie}
case "$release" in
bookworm | trixie) ;;
*) echo "debian-image: unsupported release '$release' (bookworm|trixie)" >&2; exit 2 ;;
esac
arch=amd64

# What the packages under test need inside the guest, and a system that boots.
pkgs=(systemd-sysv udev kmod initramfs-tools linux-image-amd64 linux-headers-amd64
	dkms build-essential pkg-config libkmod2)

guestdir=$root/tests/guest/debian
cache=${MSEAL_GUEST_CACHE:-/var/cache/mseal/debian-guest}
key=$({
	echo "release=$release arch=$arch"
	echo "packages=${pkgs[*]}"
	mmdebstrap --version
	sha256sum "$root/tests/vm/debian-image.sh" "$guestdir/boot.sh" "$guestdir/mseal-guest.service" |
		awk '{print $1}'
} | sha256sum | cut -c1-16)
dir=$cache/$release-$arch-$key

mkdir -p "$cache"
exec 8>"$cache/.lock-$release"
flock 8
if [[ -f $dir/.complete && ${MSEAL_GUEST_REBUILD:-0} != 1 ]]; then
	touch "$dir/.used"
	echo "debian-image: $release image cached in $dir" >&2
	echo "$dir"
	exit 0
fi

# The mirror: the one the host's apt already uses for Debian (no host name
# is written here).
mirror=$(apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 'Origin: Debian' |
	grep -v -- '-security/$' | sort -u | head -n 1)
security=$(apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 'Origin: Debian' |
	grep -- '-security/$' | sort -u | head -n 1)
[[ -n $mirror ]] || { echo "debian-image: the host's apt has no Debian mirror (apt-get update?)" >&2; exit 1; }
sources=("deb ${mirror%/} $release main" "deb ${mirror%/} $release-updates main")
[[ -n $security ]] && sources+=("deb ${security%/} $release-security main")

command -v mmdebstrap >/dev/null || { echo "debian-image: mmdebstrap missing (scripts/deps.sh)" >&2; exit 1; }
start=$(date +%s)
tmp=$(mktemp -d "$cache/.build-$release.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "debian-image: building the $release root filesystem with mmdebstrap (cold: several minutes)" >&2
# $1 is mmdebstrap's: the root directory.
mmdebstrap --mode=root --variant=minbase --format=directory --architectures="$arch" \
	--include="$(
		IFS=,
		echo "${pkgs[*]}"
	)" \
	--customize-hook='bash '"$guestdir"'/boot.sh --install "$1"' \
	"$release" "$tmp/root" "${sources[@]}" >"$tmp/mmdebstrap.log" 2>&1 ||
	{ tail -n 30 "$tmp/mmdebstrap.log" >&2; echo "debian-image: mmdebstrap failed" >&2; exit 1; }

krel=$(find "$tmp/root/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
[[ -n $krel && -f $tmp/root/boot/vmlinuz-$krel && -f $tmp/root/boot/initrd.img-$krel ]] ||
	{ echo "debian-image: no kernel or initramfs in the $release image" >&2; exit 1; }
[[ -e $tmp/root/lib/modules/$krel/build ]] ||
	{ echo "debian-image: no headers for $krel in the $release image" >&2; exit 1; }
cp "$tmp/root/boot/vmlinuz-$krel" "$tmp/vmlinuz"
cp "$tmp/root/boot/initrd.img-$krel" "$tmp/initrd.img"
echo "$krel" >"$tmp/kernel-release"
chroot "$tmp/root" dpkg-query -W -f '${Package} ${Version}\n' >"$tmp/packages.txt"

# Room for the module's sources and DKMS build, the test program, logs.
used=$(du -sm "$tmp/root" | cut -f1)
mkfs.ext4 -q -F -L mseal-root -d "$tmp/root" "$tmp/rootfs.img" "$((used + 1024))M" >&2
rm -rf "$tmp/root"
{
	echo "release=$release arch=$arch"
	echo "packages=${pkgs[*]}"
	printf 'source=%s\n' "${sources[@]}"
	echo "kernel=$krel"
	echo "built=$(date -u +%FT%TZ) in $(($(date +%s) - start))s"
} >"$tmp/key.txt"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
touch "$dir/.complete" "$dir/.used"
for old in "$cache/"*-*-*/.used; do
	if [[ -n $(find "$old" -mtime +14 2>/dev/null) ]]; then rm -rf "${old%/.used}"; fi
done
echo "debian-image: $release image ($krel, $(du -sh --apparent-size "$dir/rootfs.img" | cut -f1)) made in $(($(date +%s) - start))s: $dir" >&2
echo "$dir"
