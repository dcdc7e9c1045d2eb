#!/usr/bin/env bash
# tests/vm/mkinitramfs.sh — build the gzip'ed cpio initramfs the QEMU guest boots.
#
# usage: mkinitramfs.sh --arch ARCH --modules DIR --tests DIR --out FILE
#                       [--order FILE] [--demo FILE] [--kernel-tree DIR --kmod NAME ...]
#
#   --arch x86_64|arm64  guest architecture (busybox-static of that arch)
#   --modules DIR   every *.ko under DIR is copied to /mseal/ in the guest, keeping
#                   its relative path: DIR/mseal.ko -> /mseal/mseal.ko,
#                   DIR/missing-symbol/mseal.ko -> /mseal/missing-symbol/mseal.ko,
#                   DIR/untraceable/mseal.ko -> /mseal/untraceable/mseal.ko.
#                   Other build files (.o, .mod.c, ...) are left out. May hold no .ko.
#   --tests DIR     copied to /tests/ (all files and subdirectories except *.o/*.d,
#                   symlinks dereferenced). Test binaries should be static; a
#                   dynamically linked ELF of the host arch gets its libraries
#                   copied in (ldd), a foreign one only a warning.
#   --order FILE    run order, copied to /tests/ORDER (default: DIR/ORDER). One entry
#                   per line: a file name under /tests, optionally followed by
#                   arguments; blank lines and lines starting with # are ignored.
#   --demo FILE     guest demo script -> /tests/demo.sh (default: DIR/demo.sh if it
#                   exists, else tests/guest/demo.sh)
#   --kernel-tree DIR --kmod NAME  (optional, repeatable) copy NAME.ko of the guest
#                   kernel (from DIR = build/kernels/<release>, as extracted by
#                   fetch-kernel.sh) to /lib/modules/<release>/ (for kernel
#                   modules the stock config builds as =m, e.g. virtio_console)
#   --out FILE      e.g. build/vm/x86_64/initramfs.cpio.gz
#
# Guest layout: /init (tests/guest/init), /tests/run.sh (tests/guest/run.sh),
# /tests/demo.sh, /tests/ORDER, /tests/*, /mseal/**.ko, busybox (/bin/sh; /init symlinks every
# applet into /bin /sbin /usr/bin /usr/sbin at boot), /etc/passwd+group (root, nobody:65534),
# /dev/console, empty /proc /sys /dev /tmp /run /root /lib/modules/<release>.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=scripts/apt-arch.sh
source "$root/scripts/apt-arch.sh"

die() { echo "mkinitramfs: $*" >&2; exit 1; }

arch="" modules="" tests="" out="" order="" demo="" ktree=""
kmods=()
while (($#)); do
    case "$1" in
        --arch) arch=$2; shift 2 ;;
        --modules) modules=$2; shift 2 ;;
        --tests) tests=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --order) order=$2; shift 2 ;;
        --demo) demo=$2; shift 2 ;;
        --kernel-tree) ktree=$2; shift 2 ;;
        --kmod) kmods+=("$2"); shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[[ -n $arch && -n $modules && -n $tests && -n $out ]] || die "need --arch, --modules, --tests and --out (see --help)"
[[ -d $modules ]] || die "--modules $modules: not a directory"
[[ -d $tests ]] || die "--tests $tests: not a directory"
modules=${modules%/} tests=${tests%/}
debarch=$(apt_arch_name "$arch")
[[ -n $order ]] || order="$tests/ORDER"
[[ -f $order ]] || die "no ORDER file ($order)"
if [[ -z $demo ]]; then
    if [[ -f $tests/demo.sh ]]; then demo="$tests/demo.sh"; else demo="$root/tests/guest/demo.sh"; fi
fi

# --- busybox-static for the guest arch --------------------------------------
host_debarch=$(dpkg --print-architecture)
if [[ $debarch == "$host_debarch" ]]; then
    [[ $(dpkg-query -W -f='${db:Status-Abbrev}' busybox-static 2>/dev/null) == ii* ]] ||
        die "busybox-static is not installed (run scripts/deps.sh)"
    busybox=/bin/busybox
else
    bbdir="$root/build/vm/$arch/busybox-static"
    busybox="$bbdir/bin/busybox"
    if [[ ! -x $busybox ]]; then
        apt_arch_setup "$debarch"
        tmpd=$(mktemp -d)
        (cd "$tmpd" && apt-get -q "${APT_ARCH_OPTS[@]}" download busybox-static >&2)
        rm -rf "$bbdir"
        mkdir -p "$bbdir"
        dpkg-deb -x "$(compgen -G "$tmpd/busybox-static_*.deb" | head -n 1)" "$bbdir"
        rm -rf "$tmpd"
    fi
fi
[[ -x $busybox ]] || die "no busybox at $busybox"

# --- staging tree -------------------------------------------------------------
stage=$(mktemp -d "${TMPDIR:-/tmp}/mseal-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,mseal,tests,lib/modules}
chmod 1777 "$stage/tmp"
chmod 0700 "$stage/root"
install -m 0755 "$busybox" "$stage/bin/busybox"
# Only /bin/sh here: /init runs `busybox --install -s` first thing, which links
# every applet of the guest-arch busybox into /bin /sbin /usr/bin /usr/sbin.
ln -s busybox "$stage/bin/sh"

if [[ $(id -u) == 0 ]]; then
    mknod -m 600 "$stage/dev/console" c 5 1
    mknod -m 666 "$stage/dev/null" c 1 3
fi # else the kernel's built-in initramfs provides /dev/console

cat >"$stage/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
cat >"$stage/etc/group" <<'GR'
root:x:0:
nogroup:x:65534:
GR
echo mseal-vm >"$stage/etc/hostname"

install -m 0755 "$root/tests/guest/init" "$stage/init"

# modules: only *.ko, relative layout kept
nko=0
while IFS= read -r -d '' ko; do
    rel=${ko#"$modules"/}
    install -D -m 0644 "$ko" "$stage/mseal/$rel"
    nko=$((nko + 1))
done < <(find "$modules" -name '*.ko' -type f -print0)

# tests
(cd "$tests" && find -L . -type f ! -name '*.o' ! -name '*.d' -print0) |
    while IFS= read -r -d '' f; do
        install -D "$tests/${f#./}" "$stage/tests/${f#./}"
    done
if [[ -e $tests/run.sh ]]; then
    echo "mkinitramfs: warning: $tests/run.sh replaced by tests/guest/run.sh" >&2
fi
install -m 0755 "$root/tests/guest/run.sh" "$stage/tests/run.sh"
install -m 0644 "$order" "$stage/tests/ORDER"
if [[ -f $demo ]]; then install -m 0755 "$demo" "$stage/tests/demo.sh"; fi

# dynamically linked ELF files among the tests: bring their libraries (host arch only)
while IFS= read -r -d '' f; do
    interp=$(readelf -lW "$f" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p') || true
    [[ -n $interp ]] || continue
    if [[ $debarch != "$host_debarch" ]]; then
        echo "mkinitramfs: warning: ${f#"$stage"} is dynamically linked; it will not run in the $arch guest" >&2
        continue
    fi
    echo "mkinitramfs: note: ${f#"$stage"} is dynamically linked; copying its libraries" >&2
    mapfile -t libs < <(ldd "$f" 2>/dev/null | awk '/=> \//{print $3}')
    for lib in "$interp" "${libs[@]}"; do
        [[ -e $stage$lib ]] || install -D -m 0755 "$(readlink -f "$lib")" "$stage$lib"
    done
done < <(find "$stage/tests" -type f -perm -u+x -print0)

# optional stock kernel modules
if ((${#kmods[@]})); then
    [[ -d $ktree/lib/modules ]] || die "--kmod needs --kernel-tree DIR with lib/modules/"
    krel=$(basename "$(compgen -G "$ktree/lib/modules/*" | head -n 1)")
    for m in "${kmods[@]}"; do
        p=$(find "$ktree/lib/modules/$krel" -name "$m.ko*" | head -n 1)
        [[ -n $p ]] || die "kernel module $m not found in $ktree"
        case "$p" in # busybox insmod wants it uncompressed (6.12+: .ko.xz)
            *.ko.xz) mkdir -p "$stage/lib/modules/$krel" && xz -dc "$p" >"$stage/lib/modules/$krel/$m.ko" ;;
            *.ko.zst) mkdir -p "$stage/lib/modules/$krel" && zstd -qdc "$p" >"$stage/lib/modules/$krel/$m.ko" ;;
            *.ko.gz) mkdir -p "$stage/lib/modules/$krel" && gzip -dc "$p" >"$stage/lib/modules/$krel/$m.ko" ;;
            *) install -D -m 0644 "$p" "$stage/lib/modules/$krel/${p##*/}" ;;
        esac
    done
fi

# --- pack ---------------------------------------------------------------------
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) |
    gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
ntests=$(grep -cvE '^[[:space:]]*(#|$)' "$order" || true)
echo "mkinitramfs: $out ($(du -h "$out" | cut -f1); $nko module file(s), $ntests ORDER entries)" >&2
