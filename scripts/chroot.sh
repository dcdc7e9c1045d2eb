#!/usr/bin/env bash
# scripts/chroot.sh <release> — print the directory of the build chroot of a
# Debian release (bullseye, trixie, sid, ...: the "chroot" lines of
# scripts/kernels.conf), creating it first if needed. Progress on stderr.
#
# Made by mmdebstrap --variant=minbase from the mirror ($MSEAL_DEBIAN_MIRROR,
# default http://deb.debian.org/debian) with the packages kernels.conf lists
# (compiler, cross compiler, kbuild's tools), signed by the host's
# debian-archive-keyring. Cached by content: $MSEAL_CACHE/chroots/<release>-<key>/
# where <key> hashes the release, the package list, the mirror and this
# script's recipe version; a chroot is used once its .complete marker exists,
# so an interrupted build is redone, and a changed package list makes a new
# one (old ones can be deleted at will). The host's apt sources and dpkg state
# are not touched; nothing of the chroot is mounted by this script
# (scripts/kbuild-in.sh mounts what a build needs, in a private namespace).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rel=${1:?usage: chroot.sh <release>}
recipe=1
mirror=${MSEAL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
pkgs=$(bash "$root/scripts/kernels.sh" chroot-pkgs "$rel")
cache=$(bash "$root/scripts/kernels.sh" cache)
key=$(printf '%s\n' "$recipe" "$rel" "$pkgs" "$mirror" | sha256sum | cut -c1-12)
dir="$cache/chroots/$rel-$key"

if [[ -f $dir/.complete ]]; then
    echo "$dir"
    exit 0
fi
command -v mmdebstrap >/dev/null || { echo "chroot: mmdebstrap missing (scripts/deps.sh kernels)" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "chroot: must run as root to create $dir" >&2; exit 1; }
mkdir -p "$cache/chroots"
exec 9>"$cache/chroots/.$rel-$key.lock"
flock 9
if [[ -f $dir/.complete ]]; then
    echo "$dir"
    exit 0
fi
rm -rf "$dir" "$dir.tmp"
start=$(date +%s)
echo "chroot: creating $rel ($pkgs) in $dir" >&2
mmdebstrap --quiet --variant=minbase --mode=root \
    --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --aptopt='Acquire::Languages "none"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --include="${pkgs// /,}" \
    "$rel" "$dir.tmp" "deb $mirror $rel main" >&2
# what a build there runs must be there
for t in make bc flex bison; do
    [[ -x $dir.tmp/usr/bin/$t ]] || { echo "chroot: $t missing in the new $rel chroot" >&2; exit 1; }
done
rm -rf "$dir.tmp/var/cache/apt/archives/"*.deb "$dir.tmp/var/lib/apt/lists/"*_Packages* 2>/dev/null || true
printf '%s\n' "$rel $pkgs" >"$dir.tmp/.complete"
mv "$dir.tmp" "$dir"
echo "chroot: $rel ready in $(($(date +%s) - start)) s ($(du -sh "$dir" | cut -f1))" >&2
echo "$dir"
