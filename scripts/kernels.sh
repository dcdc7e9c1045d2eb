#!/usr/bin/env bash
# scripts/kernels.sh — the ten kernels of scripts/kernels.conf: resolve, fetch,
# extract. Progress on stderr, answers on stdout.
#
#   kernels.sh ids                  every kernel id, in kernels.conf order
#   kernels.sh get ID FIELD         arch | suites | ere | layout | chroot | gcc
#   kernels.sh resolve [ID...]      "ID RELEASE SUITE VERSION" per kernel: the
#                                   highest release matching ID's ERE in its
#                                   suites whose image .deb the mirror serves
#   kernels.sh release ID           RELEASE only
#   kernels.sh fetch ID             download + extract image and headers; prints
#                                   "RELEASE IMAGE-TREE KDIR"
#   kernels.sh image ID             fetch, print the vmlinuz path
#   kernels.sh kdir ID              fetch, print the headers dir (make -C it)
#   kernels.sh chroot-pkgs REL      the packages of REL's build chroot
#
# Package indexes: private apt states build/apt/<suite>-<arch>/
# (scripts/apt-arch.sh apt_suite_setup); the host's apt sources and dpkg
# state are never used nor changed.
#
# Cache, outside the clone so that every CI clone on this machine reuses it:
# $MSEAL_CACHE (default /var/cache/mseal; build/cache when that is not
# writable):
#   debs/<package>_<version>_<arch>.deb       as apt-get download verified them
#   kernels/<release>_<version>/image/        boot/vmlinuz-<release>, lib/modules/<release>/
#   kernels/<release>_<version>/headers/      usr/src/linux-headers-<release>{,-common},
#                                             usr/lib/linux-kbuild-*; KDIR is
#                                             headers/usr/src/linux-headers-<release>
# A Debian package version names its content, so <release>_<version> is the
# content key; a tree is used only once its .complete marker exists.
#
# Layouts: "image" = linux-image-<rel>-unsigned (vmlinuz in boot/, modules in
# lib/modules/); "split" (sid's 7.x) = linux-binary-unsigned-<rel>
# (usr/lib/modules/<rel>/vmlinuz.unsigned) + linux-modules-<rel> +
# linux-base-<rel>; both are arranged as boot/vmlinuz-<rel> and lib/modules/<rel>.
# Headers: linux-headers-<rel>, linux-headers-<...>-common, and the amd64
# (build machine) linux-kbuild-* the headers depend on, of the same suite; the
# arch Makefile's absolute /usr/src/ paths are rewritten to the tree's, so
# `make -C KDIR M=...` works wherever the cache is visible at the same path
# (on the host, or in a chroot with the cache bind-mounted: kbuild-in.sh).
#
# Resolution is remembered in build/kernels/resolved/<id> until a suite index
# is refreshed (MSEAL_APT_UPDATE=1 or older than MSEAL_APT_MAX_AGE_MIN).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/apt-arch.sh
source "$root/scripts/apt-arch.sh"
conf="$root/scripts/kernels.conf"

die() { echo "kernels: $*" >&2; exit 1; }

mseal_cache() {
    local c=${MSEAL_CACHE:-/var/cache/mseal}
    if ! mkdir -p "$c" 2>/dev/null || [[ ! -w $c ]]; then
        c="$root/build/cache"
        mkdir -p "$c"
    fi
    echo "$c"
}
cache=$(mseal_cache)

# conf_line ID — sets K_ID K_ARCH K_SUITES K_ERE K_LAYOUT K_CHROOT K_GCC
conf_line() {
    local kw id arch suites ere layout chroot gcc
    while read -r kw id arch suites ere layout chroot gcc; do
        [[ $kw == kernel && $id == "$1" ]] || continue
        K_ID=$id K_ARCH=$arch K_SUITES=$suites K_ERE=$ere K_LAYOUT=$layout K_CHROOT=$chroot K_GCC=$gcc
        return 0
    done <"$conf"
    die "unknown kernel id '$1' (scripts/kernels.sh ids)"
}

ids() { awk '$1 == "kernel" { print $2 }' "$conf"; }

# url_ok URL — does the mirror serve it? (HEAD)
url_ok() { curl -sfI -m 30 -o /dev/null "$1"; }

# deb_uri SUITE ARCH PKG[=VERSION] — the URI apt would download it from
deb_uri() {
    apt_suite_setup "$1" "$2" || return 1
    apt-get -q "${APT_SUITE_OPTS[@]}" download --print-uris "$3" 2>/dev/null | awk -F"'" 'NR == 1 { print $2 }'
}

image_pkg() { # LAYOUT RELEASE
    if [[ $1 == split ]]; then echo "linux-binary-unsigned-$2"; else echo "linux-image-$2-unsigned"; fi
}

# resolve_one ID — prints "ID RELEASE SUITE VERSION"
resolve_one() {
    conf_line "$1"
    local memo="$root/build/kernels/resolved/$K_ID" s fresh=1 cands=() names=() rel ver pkg uri
    IFS=, read -r -a suites <<<"$K_SUITES"
    for s in "${suites[@]}"; do
        apt_suite_setup "$s" "$K_ARCH" || die "no package index for $s $K_ARCH"
        [[ -f $memo && $memo -nt $APT_SUITE_STATE/updated.stamp ]] || fresh=0
    done
    if [[ $fresh == 1 && -z ${MSEAL_KERNEL_RESOLVE:-} ]]; then
        cat "$memo"
        return 0
    fi
    # every candidate "RELEASE SUITE VERSION", highest release first
    for s in "${suites[@]}"; do
        apt_suite_setup "$s" "$K_ARCH"
        mapfile -t names < <(apt-cache "${APT_SUITE_OPTS[@]}" pkgnames | grep -E "^$(image_pkg "$K_LAYOUT" "$K_ERE")\$")
        ((${#names[@]})) || continue
        while read -r pkg ver; do
            if [[ $K_LAYOUT == split ]]; then
                rel=${pkg#linux-binary-unsigned-}
            else
                rel=${pkg#linux-image-}
                rel=${rel%-unsigned}
            fi
            cands+=("$rel $s $ver")
        done < <(apt-cache "${APT_SUITE_OPTS[@]}" madison "${names[@]}" 2>/dev/null | awk -F' [|] ' '{ gsub(/ /, "", $1); gsub(/ /, "", $2); print $1, $2 }')
    done
    ((${#cands[@]})) || die "$K_ID: no $(image_pkg "$K_LAYOUT" "$K_ERE") in ${K_SUITES}"
    while read -r rel s ver; do
        pkg=$(image_pkg "$K_LAYOUT" "$rel")
        uri=$(deb_uri "$s" "$K_ARCH" "$pkg=$ver")
        if [[ -n $uri ]] && url_ok "$uri"; then
            mkdir -p "${memo%/*}"
            echo "$K_ID $rel $s $ver" | tee "$memo"
            return 0
        fi
        echo "kernels: $K_ID: $pkg $ver of $s is in the index but not on the mirror ($uri); next" >&2
    done < <(printf '%s\n' "${cands[@]}" | sort -V -r -k1,1 -k3,3)
    die "$K_ID: no candidate is downloadable"
}

# fetch_deb SUITE ARCH PKG VERSION — path of the verified .deb in the cache
fetch_deb() {
    local suite=$1 arch=$2 pkg=$3 ver=$4 f tmp
    local fver=${ver//:/%3a}
    mkdir -p "$cache/debs"
    for f in "$cache/debs/${pkg}_${fver}_$arch.deb" "$cache/debs/${pkg}_${fver}_all.deb"; do
        [[ -s $f ]] && { echo "$f"; return 0; }
    done
    apt_suite_setup "$suite" "$arch" || return 1
    tmp=$(mktemp -d "$cache/debs/.dl.XXXXXX")
    echo "kernels: download $pkg $ver ($suite $arch)" >&2
    if ! (cd "$tmp" && apt-get -q "${APT_SUITE_OPTS[@]}" download "$pkg=$ver" >&2); then
        rm -rf "$tmp"
        return 1
    fi
    f=$(compgen -G "$tmp/${pkg}_*.deb" | head -n 1) || true
    [[ -n $f ]] || { rm -rf "$tmp"; echo "kernels: download of $pkg gave no .deb" >&2; return 1; }
    mv "$f" "$cache/debs/"
    rm -rf "$tmp"
    echo "$cache/debs/${f##*/}"
}

# pkg_field SUITE ARCH PKG VERSION FIELD
pkg_field() {
    apt_suite_setup "$1" "$2" || return 1
    apt-cache "${APT_SUITE_OPTS[@]}" show "$3=$4" 2>/dev/null | sed -n "s/^$5: //p" | head -n 1
}

fetch_one() {
    local rel suite ver key dir img hdr tmp d pkg common kbuild kver deb hostarch
    read -r _ rel suite ver < <(resolve_one "$1")
    conf_line "$1"
    key="${rel}_${ver}"
    dir="$cache/kernels/$key"
    img="$dir/image" hdr="$dir/headers"
    mkdir -p "$dir"
    exec 7>"$dir/.lock"
    flock 7

    if [[ ! -f $img/.complete ]]; then
        tmp=$(mktemp -d "$dir/.image.XXXXXX")
        if [[ $K_LAYOUT == split ]]; then
            for pkg in "linux-binary-unsigned-$rel" "linux-modules-$rel" "linux-base-$rel"; do
                deb=$(fetch_deb "$suite" "$K_ARCH" "$pkg" "$ver") || die "$K_ID: cannot fetch $pkg"
                dpkg-deb -x "$deb" "$tmp"
            done
            mkdir -p "$tmp/boot"
            ln -s "../usr/lib/modules/$rel/vmlinuz.unsigned" "$tmp/boot/vmlinuz-$rel"
            [[ -e $tmp/lib ]] || ln -s usr/lib "$tmp/lib"
        else
            deb=$(fetch_deb "$suite" "$K_ARCH" "linux-image-$rel-unsigned" "$ver") || die "$K_ID: cannot fetch the image"
            dpkg-deb -x "$deb" "$tmp"
            [[ -d $tmp/lib/modules || ! -d $tmp/usr/lib/modules ]] || ln -s usr/lib "$tmp/lib"
        fi
        [[ -s $tmp/boot/vmlinuz-$rel ]] || die "$K_ID: no vmlinuz in the image packages"
        [[ -f $tmp/lib/modules/$rel/modules.order ]] || die "$K_ID: no lib/modules/$rel in the image packages"
        touch "$tmp/.complete"
        rm -rf "$img"
        mv "$tmp" "$img"
    fi

    if [[ ! -f $hdr/.complete ]]; then
        tmp=$(mktemp -d "$dir/.headers.XXXXXX")
        pkg="linux-headers-$rel"
        deb=$(fetch_deb "$suite" "$K_ARCH" "$pkg" "$ver") || die "$K_ID: cannot fetch $pkg"
        dpkg-deb -x "$deb" "$tmp"
        common=$(pkg_field "$suite" "$K_ARCH" "$pkg" "$ver" Depends | grep -oE 'linux-headers-[^ ,]+-common' | head -n 1)
        [[ -n $common ]] || die "$K_ID: $pkg names no -common package"
        deb=$(fetch_deb "$suite" "$K_ARCH" "$common" "$ver") || die "$K_ID: cannot fetch $common"
        dpkg-deb -x "$deb" "$tmp"
        # The kbuild tools run on the build machine: its architecture's package.
        hostarch=$(dpkg --print-architecture)
        kbuild=$(pkg_field "$suite" "$K_ARCH" "$pkg" "$ver" Depends | grep -oE 'linux-kbuild-[^ ,]+' | head -n 1)
        [[ -n $kbuild ]] || die "$K_ID: $pkg names no linux-kbuild package"
        apt_suite_setup "$suite" "$hostarch"
        kver=$(apt-cache "${APT_SUITE_OPTS[@]}" madison "$kbuild" | awk -F' [|] ' -v v="$ver" '
            { gsub(/ /, "", $2); if ($2 == v) hit = v; if (!any) any = $2 }
            END { print (hit ? hit : any) }')
        [[ -n $kver ]] || die "$K_ID: no $kbuild for $hostarch in $suite"
        deb=$(fetch_deb "$suite" "$hostarch" "$kbuild" "$kver") || die "$K_ID: cannot fetch $kbuild"
        dpkg-deb -x "$deb" "$tmp"
        d="$tmp/usr/src/linux-headers-$rel"
        [[ -f $d/Makefile && -f $d/.config ]] || die "$K_ID: $pkg has no Makefile/.config"
        sed -i "s|/usr/src/|$hdr/usr/src/|g" "$d/Makefile"
        grep -q "include $hdr/usr/src/" "$d/Makefile" || die "$K_ID: unexpected Makefile in $pkg"
        [[ -e $d/scripts/basic/fixdep ]] || die "$K_ID: $d/scripts/basic/fixdep missing ($kbuild)"
        echo "$K_ID $rel $suite $ver kbuild=$kbuild=$kver" >"$tmp/.complete"
        rm -rf "$hdr"
        mv "$tmp" "$hdr"
    fi
    exec 7>&-
    echo "$rel $img $hdr/usr/src/linux-headers-$rel"
}

cmd=${1:-}
shift || true
case "$cmd" in
    ids) ids ;;
    get)
        conf_line "$1"
        case "$2" in
            arch) echo "$K_ARCH" ;; suites) echo "$K_SUITES" ;; ere) echo "$K_ERE" ;;
            layout) echo "$K_LAYOUT" ;; chroot) echo "$K_CHROOT" ;; gcc) echo "$K_GCC" ;;
            *) die "unknown field '$2'" ;;
        esac
        ;;
    resolve)
        (($#)) || mapfile -t ids_ < <(ids)
        (($#)) && ids_=("$@")
        for i in "${ids_[@]}"; do resolve_one "$i"; done
        ;;
    release) read -r _ rel _ < <(resolve_one "$1"); echo "$rel" ;;
    fetch) fetch_one "$1" ;;
    image) read -r rel img _ < <(fetch_one "$1"); echo "$img/boot/vmlinuz-$rel" ;;
    kdir) read -r _ _ kd < <(fetch_one "$1"); echo "$kd" ;;
    chroot-pkgs) awk -v r="$1" '$1 == "chroot" && $2 == r { $1 = $2 = ""; sub(/^ +/, ""); print; f = 1 } END { exit !f }' "$conf" ||
        die "no chroot line for '$1' in $conf" ;;
    cache) echo "$cache" ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
