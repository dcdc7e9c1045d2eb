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
# With them: the differential stress in the guests of MSEAL_STRESS_KERNELS,
# one `stress <arch>: N ops, N mismatches` line per arch, and with
# MSEAL_KCHECK_DEBUG=1 the debug kernel as one more job (below).
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
    rm -rf "$dir/modules" "$dir/result.out" "$dir/result.note" "$dir/check.out"
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
        if stress_kernel "$id"; then
            stress_order "$dir/tests"
        fi
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

# The differential stress (tests/stress/) runs in the guests of
# MSEAL_STRESS_KERNELS (default: Debian 12's 6.1, the module's enforcement,
# and Debian 13's 6.12, the kernel's own mseal, both arches; empty: none):
# MSEAL_STRESS_PARTS entries (default 4) of MSEAL_STRESS_SEEDS seeds (60)
# of MSEAL_STRESS_OPS ops (4000) each, about 1,000,000 ops per guest, run
# before the suite's last test (which locks the system-mapping toggle).
stress_ids=" ${MSEAL_STRESS_KERNELS-6.1-amd64 6.12-deb13-amd64 6.1-arm64 6.12-deb13-arm64} "
stress_kernel() { [[ $smoke == 0 && $stress_ids == *" $1 "* ]]; }
stress_order() { # TESTS-DIR: its ORDER (a hard link) replaced by one with the stress
    local d=$1 i parts=${MSEAL_STRESS_PARTS:-4} seeds=${MSEAL_STRESS_SEEDS:-60} ops=${MSEAL_STRESS_OPS:-4000}
    {
        sed '$d' "$d/ORDER"
        for ((i = 0; i < parts; i++)); do
            echo "mseal_stress -s $((i * seeds + 1)) -n $seeds -o $ops"
        done
        tail -n 1 "$d/ORDER"
    } >"$d/ORDER.new"
    mv "$d/ORDER.new" "$d/ORDER"
}

# The debug kernel (MSEAL_KCHECK_DEBUG=1, make check): the whole suite on a
# KASAN/lockdep/fault-injection build of linux-source-6.1
# (tests/vm/debug-kernel-check.sh) as one more job of the pool, the first
# one started, since it is the longest.  Its three lines (suite, splats,
# faults) are printed with the kernels'; its exit status counts.
debug=${MSEAL_KCHECK_DEBUG:-0}
((smoke || buildonly)) && debug=0
debug_job() {
    local d=$base/debug-kernel
    rm -rf "$d"
    mkdir -p "$d"
    bash "$root/tests/vm/debug-kernel-check.sh" >"$d/result.out" 2>"$d/stderr.log"
    echo $? >"$d/status"
    {
        echo -n "debug-kernel: "
        grep -E '^debug-kernel: (kernel .* ready|guest wall time|the first boot)' "$d/stderr.log" |
            sed 's/^debug-kernel: //' | paste -sd ';' -
    } >"$d/result.note"
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
if ((debug)); then
    debug_job &
    running=1
fi
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
((debug)) && { cat "$base/debug-kernel/result.note" 2>/dev/null || echo "debug-kernel: no result"; }
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
if ((debug)); then
    d=$base/debug-kernel
    if [[ -s $d/result.out ]]; then
        cat "$d/result.out"
    else
        echo "debug-kernel: 0 passed, 1 failed, 0 skipped (no result: $d/stderr.log)"
    fi
    if [[ $(cat "$d/result.out" 2>/dev/null) =~ :\ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        skipped=$((skipped + BASH_REMATCH[3]))
        # the splats or faults line failed, or the guest could not run
        [[ $(cat "$d/status" 2>/dev/null) == 0 ]] || ((BASH_REMATCH[2])) || failed=$((failed + 1))
    else
        failed=$((failed + 1))
    fi
fi
# The differential stress (tests/stress/): per arch, the 6.1 guest's run
# (the module's enforcement) against the same seeds on Debian 13's 6.12
# (the kernel's own mseal), both of this invocation (make check, make
# stress-check, make stress-long); one line per arch
# (compare.sh), a result: any mismatch, or fewer than
# MSEAL_STRESS_MIN_OPS (default 1,000,000) ops compared, is one failure.
if [[ $smoke == 0 && $buildonly == 0 ]]; then
    for a in amd64 arm64; do
        m="$base/6.1-$a/check.out" o="$base/6.12-deb13-$a/check.out"
        [[ " ${ids[*]} " == *" 6.1-$a "* && " ${ids[*]} " == *" 6.12-deb13-$a "* ]] || continue
        # make stress-long: its own ORDER runs the stress
        { stress_kernel "6.1-$a" && stress_kernel "6.12-deb13-$a"; } ||
            grep -q '# STRESS seed' "$m" 2>/dev/null || continue
        if [[ ! -f $m || ! -f $o ]]; then
            echo "stress $a: 0 ops, 1 mismatches (a guest did not run: $m, $o)"
            failed=$((failed + 1))
            continue
        fi
        if bash "$root/tests/stress/compare.sh" "$a" "$m" "$o" "${MSEAL_STRESS_MIN_OPS:-1000000}"; then
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
