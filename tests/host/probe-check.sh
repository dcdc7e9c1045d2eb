#!/usr/bin/env bash
# tests/host/probe-check.sh — `make probe-check`: the kernel feature probes
# (scripts/probe.sh, probes/*.c) against Debian 12's 6.1 headers, amd64
# (/usr/src/linux-headers-<abi>-amd64, scripts/deps.sh) and arm64 (extracted
# by scripts/kernel-headers.sh, cross-compiled), must give exactly the results
# below: what those headers were read to declare. One "ok -"/"not ok -" line
# per probe and kernel, then "N passed, N failed". Builds objects only;
# nothing is loaded anywhere.
#
# A new probe needs its expected 6.1 result here (the test fails otherwise).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# present on 6.1 amd64 (everything else must be absent)
# shellcheck disable=SC2034 # read through a nameref
yes_amd64=(
    DO_MAS_MUNMAP FTRACE_INSTRUCTION_POINTER_SET FTRACE_OPS_FL_RECURSION
    FTRACE_REGS_CALLBACK IN_EXECVE MMAP_REGION MPROTECT_FIXUP_TLB
    REGISTER_FTRACE_DIRECT_IP SPLIT_VMA_MM TLB_GATHER_MMU_2ARG VMA_ITERATOR
    VMA_MERGE_ANON_NAME FILE_OPEN_ROOT_MNT MADV_DONTNEED_LOCKED
    EXPORTED_FTRACE_FREE_FILTER
)
# arm64 6.1 has no DYNAMIC_FTRACE_WITH_ARGS: ftrace_instruction_pointer_set
# is only the empty fallback there
# shellcheck disable=SC2034 # read through a nameref
yes_arm64=(
    DO_MAS_MUNMAP FTRACE_OPS_FL_RECURSION
    FTRACE_REGS_CALLBACK IN_EXECVE MMAP_REGION MPROTECT_FIXUP_TLB
    REGISTER_FTRACE_DIRECT_IP SPLIT_VMA_MM TLB_GATHER_MMU_2ARG VMA_ITERATOR
    VMA_MERGE_ANON_NAME FILE_OPEN_ROOT_MNT MADV_DONTNEED_LOCKED
    EXPORTED_FTRACE_FREE_FILTER
)

out="$root/build/probe-check"
mkdir -p "$out"
passed=0 failed=0
check() { # ARCH KDIR CROSS...
    local arch=$1 kdir=$2 n m want got
    shift 2
    local -n yes="yes_$arch"
    if ! bash "$root/scripts/probe.sh" "$kdir" "$out/$arch.h" "$@" -j2; then
        echo "not ok - probes $arch: scripts/probe.sh failed on $kdir"
        failed=$((failed + 1))
        return
    fi
    local names=() f
    for f in "$root"/probes/*.c; do names+=("$(basename "$f" .c)"); done
    # probes/exported.list: MSEAL_HAVE_EXPORTED_<SYM>
    mapfile -t -O "${#names[@]}" names < <(sed -n 's/^\([a-z_0-9][a-z_0-9]*\)$/exported_\1/p' "$root/probes/exported.list")
    for n in "${names[@]}"; do
        [[ $n == control ]] && continue
        m=$(tr '[:lower:]' '[:upper:]' <<<"$n")
        want=no
        [[ " ${yes[*]} " == *" $m "* ]] && want=yes
        got=no
        grep -qx "#define MSEAL_HAVE_$m 1" "$out/$arch.h" && got=yes
        if [[ $want == "$got" ]]; then
            echo "ok - probe $arch 6.1 MSEAL_HAVE_$m: $got"
            passed=$((passed + 1))
        else
            echo "not ok - probe $arch 6.1 MSEAL_HAVE_$m: $got, expected $want"
            failed=$((failed + 1))
        fi
    done
}

check amd64 "/usr/src/linux-headers-$(bash "$root/scripts/kernel-abi.sh" amd64)"
if arm_kdir=$(bash "$root/scripts/kernel-headers.sh" arm64); then
    check arm64 "$arm_kdir" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
else
    echo "not ok - probes arm64: no 6.1 arm64 headers (scripts/kernel-headers.sh arm64)"
    failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
((failed == 0))
