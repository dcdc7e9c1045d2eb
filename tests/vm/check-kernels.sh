#!/usr/bin/env bash
# tests/vm/check-kernels.sh [--smoke|--build] [ID...] — the suite on each kernel of
# scripts/kernels.conf (default: all ten), two guests at a time (one per core).
#
# For each kernel id:
#   1. fetch its image and headers (scripts/kernels.sh fetch; cached);
#   2. build mseal.ko for it in its release's chroot (scripts/kbuild-in.sh: the
#      feature probes, then `make modules`), from a copy of the sources in
#      build/kcheck/<id>/src (build log: build/kcheck/<id>/build.log), and the
#      fault-injection variants the tests load (missing-symbol/,
#      untraceable/, landing-pad/; as the Makefile's kmods), rebuilt in the
#      same tree;
#   3. boot it (tests/vm/mkinitramfs.sh + tests/vm/run.sh --mode check) with
#      the arch's static test binaries, build/tests/<arch>/ (made by
#      `make ARCH_GUEST=<arch> tests`: the tests are per architecture, not per
#      kernel; linked into build/kcheck/<id>/tests with a modroot/ made
#      from this kernel's module) and the stock modules hvc0 needs on arm64 (those of virtio,
#      virtio_ring, virtio_mmio, virtio_console that the kernel has as =m);
#   4. print one line: `kernel <release>: N passed, N failed, N skipped`.
# A kernel whose module does not build counts as 1 failed, and its line says
# why (the first compiler error). Printed: first a note per kernel (times,
# errors), then the result lines, then, last, their sum
# "N passed, N failed[, N skipped]"; exit 1 if anything failed.
#
# --build: only steps 1-2; a module that builds counts as 1 passed.
# --smoke: no module and no test binaries: each kernel boots an initramfs
# whose one test prints `ok 1 - booted <release>` (and the kernel log must be
# clean); the line also gives the boot's wall time. Proves the images, the
# virtio console modules and the QEMU settings for every kernel.
#
# Output per kernel: build/kcheck/<id>/{build.log,check.log,check.out,result.out}.
# Env: MSEAL_KCHECK_JOBS (default 2) guests at once; MSEAL_VM_TIMEOUT,
# MSEAL_TEST_TIMEOUT as tests/vm/check.sh; MSEAL_KCHECK_MAKEFLAGS (default -j1)
# for each module build; MSEAL_KCHECK_BASE (default build/kcheck) for the
# output, MSEAL_KCHECK_TESTS_DIR (default build/tests) for the test binaries
# (make stress-long). x86 guests get no_timer_check (a loaded host can
# make the IO-APIC timer check fail at boot).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
smoke=0 buildonly=0
case "${1:-}" in
    --smoke) smoke=1; shift ;;
    --build) buildonly=1; shift ;;
esac
if (($#)); then ids=("$@"); else mapfile -t ids < <(bash "$root/scripts/kernels.sh" ids); fi
jobs=${MSEAL_KCHECK_JOBS:-2}
base=${MSEAL_KCHECK_BASE:-$root/build/kcheck}
mkdir -p "$base"

vm_arch_of() { [[ $1 == arm64 ]] && echo arm64 || echo x86_64; }

# The sources a module build needs (as the Makefile's SRCS, plus the probes).
copy_sources() {
    local dst=$1
    rm -rf "$dst"
    mkdir -p "$dst"
    (cd "$root" && cp -r --parents Kbuild dkms.conf module hooks arch include probes scripts/probe.sh "$dst/")
}

smoke_tests() { # DIR — the one-test "suite" of --smoke
    local d=$1
    mkdir -p "$d"
    cat >"$d/smoke.sh" <<'EOF'
#!/bin/sh
echo "1..1"
echo "ok 1 - booted $(uname -r) on $(uname -m)"
EOF
    chmod +x "$d/smoke.sh"
    echo smoke.sh >"$d/ORDER"
    : >"$d/NO_MODULE"
}

# first_error LOG SRC KDIR — the first compiler error, paths shortened; when
# it is in a kernel header, where in the module source it comes from
first_error() {
    local e loc common
    common=$(dirname "$3")
    e=$(grep -m1 -E 'error:' "$1" || grep -m1 -E '\*\*\*|Error [0-9]' "$1")
    if [[ $e == /* && $e != "$2"/* ]]; then
        loc=$(sed "s|^$2/||" "$1" | grep -m1 -E '^(module|hooks|arch|include)/[^:]+:[0-9]+:[0-9]+: ' | cut -d' ' -f1)
        [[ -n $loc ]] && e="$loc (in a header) ${e#*: }"
    fi
    echo "$e" | sed "s|$2/||g; s|$common/|<headers>/|g" | cut -c1-300
}

# result RELEASE "N passed, N failed, N skipped" NOTE
result() {
    echo "kernel $1: $2" >"$dir/result.out"
    echo "$id ($1): $3" >"$dir/result.note"
}

# one_kernel ID — everything for one kernel; its result line goes to result.out
one_kernel() {
    local id=$1 dir="$base/$1" rel img kdir arch va tests kmods=() km=() m p append="" start secs note="" err init last attempt
    rm -rf "$dir/modules" "$dir/result.out" "$dir/result.note"
    mkdir -p "$dir"
    arch=$(bash "$root/scripts/kernels.sh" get "$id" arch)
    va=$(vm_arch_of "$arch")
    if ! read -r rel img kdir < <(bash "$root/scripts/kernels.sh" fetch "$id" 2>"$dir/fetch.log"); then
        result "$id" "0 passed, 1 failed, 0 skipped" "fetch failed: $(tail -n 1 "$dir/fetch.log")"
        return
    fi
    mkdir -p "$dir/modules"
    if [[ $smoke == 1 ]]; then
        tests="$base/smoke/tests"
    else
        tests="${MSEAL_KCHECK_TESTS_DIR:-$root/build/tests}/$va"
        if [[ ! -f $tests/ORDER && $buildonly == 0 ]]; then
            result "$rel" "0 passed, 1 failed, 0 skipped" "no $tests/ORDER (make ARCH_GUEST=$va tests)"
            return
        fi
        copy_sources "$dir/src"
        start=$(date +%s)
        # shellcheck disable=SC2086 # MSEAL_KCHECK_MAKEFLAGS is split on purpose
        if ! bash "$root/scripts/kbuild-in.sh" "$id" "$dir/src" ${MSEAL_KCHECK_MAKEFLAGS:--j1} modules >"$dir/build.log" 2>&1 ||
            [[ ! -f $dir/src/mseal.ko ]]; then
            err=$(first_error "$dir/build.log" "$dir/src" "$kdir")
            result "$rel" "0 passed, 1 failed, 0 skipped" "build failed ($(($(date +%s) - start)) s): ${err:-see $dir/build.log}"
            return
        fi
        cp "$dir/src/mseal.ko" "$dir/modules/"
        # The fault-injection variants mseal_module loads (as the Makefile's
        # kmods), rebuilt in the same tree: kbuild recompiles only the objects
        # whose command line the variable changes (all of them while Kbuild
        # adds it to ccflags-y; hooks/hook.o alone once it is CFLAGS_hooks/hook.o).
        for v in missing-symbol:MSEAL_TEST_FAULT_SYMBOL=mseal_test_no_such_symbol \
            untraceable:MSEAL_TEST_FAULT_SYMBOL=rcu_is_watching landing-pad:MSEAL_TEST_LANDING_PAD=1; do
            # shellcheck disable=SC2086
            if MSEAL_PROBE=0 bash "$root/scripts/kbuild-in.sh" "$id" "$dir/src" ${MSEAL_KCHECK_MAKEFLAGS:--j1} \
                "${v#*:}" modules >"$dir/build-${v%%:*}.log" 2>&1; then
                mkdir -p "$dir/modules/${v%%:*}"
                cp "$dir/src/mseal.ko" "$dir/modules/${v%%:*}/"
            fi
        done
        echo "$(($(date +%s) - start))" >"$dir/build.secs"
        # The arch's tests, with a modroot/ (mseal_ctl loads by name from
        # it) made from this kernel's module: hard links, a cheap copy.
        rm -rf "$dir/tests"
        cp -al "$tests" "$dir/tests"
        sh "$root/tests/selftests/mkmodroot.sh" "$dir/modules/mseal.ko" "$dir/tests/modroot" >"$dir/modroot.log" 2>&1 ||
            echo "check-kernels: $id: no modroot ($dir/modroot.log)" >&2
        tests="$dir/tests"
        if [[ $buildonly == 1 ]]; then
            result "$rel" "1 passed, 0 failed, 0 skipped" "built in $(cat "$dir/build.secs") s"
            return
        fi
    fi
    # the stock modules the arm64 test channel (hvc0 on virtio-mmio) needs
    if [[ $va == arm64 ]]; then
        for m in virtio virtio_ring virtio_mmio virtio_console; do
            p=$(find "$img/lib/modules/$rel/" -name "$m.ko*" 2>/dev/null | head -n 1)
            [[ -n $p ]] && kmods+=(--kmod "$m") && km+=("$m")
        done
        ((${#kmods[@]})) && kmods=(--kernel-tree "$img" "${kmods[@]}")
    else
        append="no_timer_check"
    fi
    if ! bash "$root/tests/vm/mkinitramfs.sh" --arch "$va" --modules "$dir/modules" --tests "$tests" \
        "${kmods[@]}" --out "$dir/initramfs.cpio.gz" >"$dir/mkinitramfs.log" 2>&1; then
        result "$rel" "0 passed, 1 failed, 0 skipped" "initramfs: $(tail -n 1 "$dir/mkinitramfs.log")"
        return
    fi
    start=$(date +%s)
    # A guest whose kernel died before /init ran (no module, no test had
    # run yet: TCG under load has shown an early double fault in stock 6.12
    # once in many boots) is booted once more; its log is kept, and the
    # note says so. Anything after /init counts as it is.
    for attempt in 1 2; do
        MSEAL_VM_KMODS=$(
            IFS=,
            echo "${km[*]}"
        ) bash "$root/tests/vm/run.sh" --arch "$va" --kernel "$img/boot/vmlinuz-$rel" \
            --initrd "$dir/initramfs.cpio.gz" --mode check --log "$dir/check.log" \
            --timeout "${MSEAL_VM_TIMEOUT:-2400}" --test-timeout "${MSEAL_TEST_TIMEOUT:-300}" \
            --append "$append ${MSEAL_VM_APPEND:-}" >"$dir/run.out" 2>&1
        grep -q '^not ok - guest boot: /init never started' "$dir/run.out" || break
        [[ $attempt == 2 ]] && break
        mv "$dir/check.log" "$dir/check-noinit.log"
        note="booted twice: the first boot died before /init (check-noinit.log); "
    done
    secs=$(($(date +%s) - start))
    last=$(tail -n 1 "$dir/run.out")
    if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
        last="${BASH_REMATCH[1]} passed, ${BASH_REMATCH[2]} failed, ${BASH_REMATCH[4]:-0} skipped"
    else
        last="0 passed, 1 failed, 0 skipped"
        note="${note}no summary line from the guest ($dir/run.out); "
    fi
    if [[ $smoke == 1 ]]; then
        init=$(grep -m1 -o 'init reached' "$dir/run.out" >/dev/null && echo ok || echo "no init")
        result "$rel" "$last" "${note:-}boot+test+poweroff ${secs}s ($init)"
    else
        result "$rel" "$last" "${note:-}build $(cat "$dir/build.secs") s, guest ${secs} s"
    fi
}

[[ $smoke == 1 ]] && smoke_tests "$base/smoke/tests"

# Cold start: make the release chroots (in parallel: mostly download and
# unpack) while the kernels are fetched, before any guest competes for the cores.
prep_start=$(date +%s)
prep=()
if [[ $smoke == 0 ]]; then
    for c in $(for id in "${ids[@]}"; do bash "$root/scripts/kernels.sh" get "$id" chroot; done | sort -u); do
        [[ $c == host ]] && continue
        bash "$root/scripts/chroot.sh" "$c" >"$base/chroot-$c.log" 2>&1 &
        prep+=($!)
    done
fi
for id in "${ids[@]}"; do
    mkdir -p "$base/$id"
    bash "$root/scripts/kernels.sh" fetch "$id" >/dev/null 2>"$base/$id/fetch.log" ||
        echo "check-kernels: fetching $id failed (build/kcheck/$id/fetch.log)" >&2
done
for p in "${prep[@]}"; do
    wait "$p" || echo "check-kernels: a chroot could not be made (build/kcheck/chroot-*.log)" >&2
done
echo "check-kernels: chroots and kernels ready in $(($(date +%s) - prep_start)) s" >&2

# a pool of $jobs workers
running=0
for id in "${ids[@]}"; do
    if ((running >= jobs)); then
        wait -n
        running=$((running - 1))
    fi
    one_kernel "$id" &
    running=$((running + 1))
done
wait

for id in "${ids[@]}"; do
    cat "$base/$id/result.note" 2>/dev/null || echo "$id: no result"
done
passed=0 failed=0 skipped=0 status=0
for id in "${ids[@]}"; do
    f="$base/$id/result.out"
    line=$(cat "$f" 2>/dev/null || echo "kernel $id: 0 passed, 1 failed, 0 skipped")
    echo "$line"
    if [[ $line =~ :\ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        skipped=$((skipped + BASH_REMATCH[3]))
    fi
done
# The differential stress (tests/stress/): each 6.1 run (the module's
# enforcement) against the same seeds on Debian 13's 6.12 (the kernel's own
# mseal), from this invocation or an earlier one; one line per arch, each
# a result (a mismatch is one failure). Only with MSEAL_STRESS_COMPARE=1
# (make stress-check).
if [[ $smoke == 0 && $buildonly == 0 && ${MSEAL_STRESS_COMPARE:-0} == 1 ]]; then
    for a in amd64 arm64; do
        m="$base/6.1-$a/check.out" o="$base/6.12-deb13-$a/check.out"
        [[ " ${ids[*]} " == *" 6.1-$a "* || " ${ids[*]} " == *" 6.12-deb13-$a "* ]] || continue
        if [[ ! -f $m || ! -f $o ]]; then
            echo "stress $a: not compared (needs the 6.1-$a and 6.12-deb13-$a runs)"
            continue
        fi
        if bash "$root/tests/stress/compare.sh" "$a" "$m" "$o"; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
        fi
    done
fi
((failed == 0)) || status=1
if ((skipped)); then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
exit "$status"
