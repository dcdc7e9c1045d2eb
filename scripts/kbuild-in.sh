#!/usr/bin/env bash
# scripts/kbuild-in.sh <kernel-id> <module-src-dir> [make args]
#   build an out-of-tree module for one kernel of scripts/kernels.conf with
#   that kernel's own release's compiler:
#     make -C <KDIR> M=<module-src-dir> [ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-] [make args]
#   (no "modules" is added: pass the targets you want, default kbuild's).
#   When <module-src-dir> has scripts/probe.sh and probes/ (mseal's tree), the
#   feature probes run first and write <module-src-dir>/mseal_config.h
#   (MSEAL_PROBE=0 skips them).
# scripts/kbuild-in.sh --exec <kernel-id> <dir> <command> [args...]
#   run any command in the same environment, cwd <dir> (bind-mounted like a
#   module source), with KDIR, KARCH and KCROSS (the ARCH=/CROSS_COMPILE=
#   words, empty for amd64) exported, e.g.
#     kbuild-in.sh --exec 7-arm64 "$PWD" bash -c 'scripts/probe.sh "$KDIR" x.h $KCROSS'
#
# Where: the kernel's headers come from scripts/kernels.sh fetch (cached
# under $MSEAL_CACHE/kernels/); its "chroot" column says which release builds
# it. "host" = this Debian 12 machine (gcc-12, gcc-12 cross), used as is.
# Any other release: its chroot (scripts/chroot.sh), entered in a private
# mount namespace (unshare -m) where only /proc, /dev, the headers tree (read
# only) and the source dir are bind-mounted, each at its own host path, so
# paths in messages are the host's; the mounts vanish with the namespace.
# Nothing on the host changes but <module-src-dir>.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mode=build
if [[ ${1:-} == --exec ]]; then
    mode="exec"
    shift
fi
[[ $# -ge 2 ]] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
id=$1
src=$(cd "$2" && pwd)
shift 2
[[ $mode == exec && $# -eq 0 ]] && { echo "kbuild-in: --exec needs a command" >&2; exit 2; }

read -r rel _ kdir < <(bash "$root/scripts/kernels.sh" fetch "$id")
[[ -n $kdir ]] || { echo "kbuild-in: cannot fetch $id" >&2; exit 1; }
arch=$(bash "$root/scripts/kernels.sh" get "$id" arch)
crel=$(bash "$root/scripts/kernels.sh" get "$id" chroot)
gcc=$(bash "$root/scripts/kernels.sh" get "$id" gcc)
hdr=${kdir%/usr/src/*}
kcross=""
[[ $arch == arm64 ]] && kcross="ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-"
cc="gcc-$gcc"
[[ $arch == arm64 ]] && cc="aarch64-linux-gnu-gcc-$gcc"

# The script run in the build environment: $1 mode, $2 src, $3 kdir, $4 kcross, rest: args.
# shellcheck disable=SC2016 # expanded there
inner='
set -e
mode=$1 src=$2 kdir=$3 kcross=$4
shift 4
export KDIR=$kdir KARCH='"$arch"' KCROSS=$kcross
cd "$src"
if [ "$mode" = exec ]; then exec "$@"; fi
if [ "${MSEAL_PROBE:-1}" != 0 ] && [ -f scripts/probe.sh ] && [ -d probes ]; then
    # shellcheck disable=SC2086
    bash scripts/probe.sh "$kdir" "$src/mseal_config.h" $kcross ${MSEAL_PROBE_MAKEFLAGS:--j2}
fi
# shellcheck disable=SC2086
exec make -C "$kdir" M="$src" $kcross "$@"
'

echo "kbuild-in: $id ($rel) with $cc in ${crel/#host/the host}" >&2
if [[ $crel == host ]]; then
    command -v "$cc" >/dev/null || { echo "kbuild-in: $cc missing on the host (scripts/deps.sh all)" >&2; exit 1; }
    exec bash -c "$inner" inner "$mode" "$src" "$kdir" "$kcross" "$@"
fi

[[ $(id -u) == 0 ]] || { echo "kbuild-in: building in the $crel chroot needs root (mount namespace)" >&2; exit 1; }
croot=$(bash "$root/scripts/chroot.sh" "$crel")
[[ -x $croot/usr/bin/$cc ]] || { echo "kbuild-in: $cc missing in $croot" >&2; exit 1; }
mkdir -p "$croot$hdr" "$croot$src"
# shellcheck disable=SC2016 # expanded by the inner shell
exec unshare --mount --propagation private bash -c '
set -e
croot=$1 hdr=$2 src=$3
shift 3
mount -t proc proc "$croot/proc"
mount --rbind /dev "$croot/dev"
mount --bind "$hdr" "$croot$hdr"
mount -o remount,bind,ro "$croot$hdr"
mount --bind "$src" "$croot$src"
exec chroot "$croot" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    TERM=dumb MSEAL_PROBE="${MSEAL_PROBE:-1}" MSEAL_PROBE_MAKEFLAGS="${MSEAL_PROBE_MAKEFLAGS:-}" \
    MSEAL_PROBE_VERBOSE="${MSEAL_PROBE_VERBOSE:-0}" MSEAL_PROBE_KEEP="${MSEAL_PROBE_KEEP:-0}" \
    /bin/bash "$@"
' mount-ns "$croot" "$hdr" "$src" -c "$inner" inner "$mode" "$src" "$kdir" "$kcross" "$@"
