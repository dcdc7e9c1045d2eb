#!/usr/bin/env bash
# scripts/debug-kernel.sh [--key] — the debug kernel of issue 11, built from
# Debian's linux-source-6.1 (the source of the stock 6.1 image), amd64:
# x86_64 defconfig + scripts/debug-kernel/debug.config (KASAN, lockdep,
# DEBUG_VM, DEBUG_OBJECTS, fault injection, kmemleak, and what the module and
# the suite need; networking, graphics, sound, most filesystems trimmed).
#
# Cached in /var/cache/mseal/debug-kernel/<key>/ (MSEAL_CACHE overrides the
# parent), <key> = hash of the linux-source package version, the compiler,
# the fragment and this script:
#   src/          the extracted source
#   obj/          the object tree (O=): `make -C obj M=DIR` builds a module
#                 against it (objects dropped, .config, generated headers,
#                 scripts, Module.symvers and vmlinux kept)
#   bzImage       the kernel the guest boots
#   release       its `uname -r`
#   build-seconds the wall time of the cold build
#   .complete     written last: the directory is usable
# A directory without .complete is a build that died: it is removed and
# rebuilt.  Prints the directory as the last line of stdout.
#   --key   print the key and exit
# Environment: MSEAL_DEBUG_KERNEL_JOBS (default 2).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
frag=$root/scripts/debug-kernel/debug.config
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=${MSEAL_DEBUG_KERNEL_JOBS:-2}
cache=${MSEAL_CACHE:-/var/cache/mseal}/debug-kernel

if [[ ! -f $tarball ]]; then
    echo "debug-kernel: installing linux-source-6.1" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        linux-source-6.1 flex bison bc libelf-dev libssl-dev >&2
fi
srcver=$(dpkg-query -W -f '${Version}' linux-source-6.1)
key=$({
    echo "linux-source-6.1 $srcver"
    gcc --version | head -n 1
    cat "$frag" "${BASH_SOURCE[0]}"
} | sha256sum | cut -c1-16)
if [[ ${1:-} == --key ]]; then
    echo "$key"
    exit 0
fi
dir=$cache/$key
mkdir -p "$cache"
exec 9>"$cache/.lock-$key"
flock 9
if [[ -f $dir/.complete ]]; then
    echo "debug-kernel: cached $dir ($(cat "$dir/release"))" >&2
    echo "$dir"
    exit 0
fi

rm -rf "$dir"
mkdir -p "$dir/src" "$dir/obj"
start=$(date +%s)
echo "debug-kernel: building linux-source-6.1 $srcver in $dir (-j$jobs)" >&2
tar -C "$dir/src" --strip-components=1 -xf "$tarball"
kmake=(make -C "$dir/src" O="$dir/obj" -j"$jobs")
"${kmake[@]}" -s x86_64_defconfig >&2
"$dir/src/scripts/kconfig/merge_config.sh" -m -O "$dir/obj" "$dir/obj/.config" "$frag" >&2
"${kmake[@]}" -s olddefconfig >&2

# Every option the fragment asks for must have survived olddefconfig
# (a dependency it lacks silently drops it).
bad=0
while IFS= read -r line; do
    case "$line" in
        CONFIG_*=*)
            opt=${line%%=*}
            got=$(grep -E "^$opt=" "$dir/obj/.config" || echo "# $opt is not set")
            ;;
        "# CONFIG_"*" is not set")
            opt=${line#\# }
            opt=${opt%% *}
            got=$(grep -E "^$opt=" "$dir/obj/.config" || echo "# $opt is not set")
            [[ $got == "# $opt is not set" ]] && got=$line
            ;;
        *) continue ;;
    esac
    if [[ $got != "$line" ]]; then
        echo "debug-kernel: $opt: fragment has '$line', config has '$got'" >&2
        bad=1
    fi
done <"$frag"
((bad == 0)) || { echo "debug-kernel: the fragment does not apply; fix $frag" >&2; exit 1; }

"${kmake[@]}" >"$dir/build.log" 2>&1 || {
    tail -n 40 "$dir/build.log" >&2
    echo "debug-kernel: build failed (log: $dir/build.log)" >&2
    exit 1
}
cp "$dir/obj/arch/x86/boot/bzImage" "$dir/bzImage"
cat "$dir/obj/include/config/kernel.release" >"$dir/release"
# What `make M=` needs stays (config, generated headers, scripts, objtool,
# Module.symvers, vmlinux for BTF-less modpost); the objects go.
find "$dir/obj" -name '*.o' ! -path "$dir/obj/scripts/*" ! -path "$dir/obj/tools/*" -delete
find "$dir/obj" -name '*.a' ! -path "$dir/obj/scripts/*" ! -path "$dir/obj/tools/*" -delete
echo $(($(date +%s) - start)) >"$dir/build-seconds"
touch "$dir/.complete"
echo "debug-kernel: built $(cat "$dir/release") in $(cat "$dir/build-seconds")s" >&2
echo "$dir"
