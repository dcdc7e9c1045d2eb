#!/usr/bin/env bash
# tests/vm/debug-kernel-check.sh — the whole suite on the debug kernel (issue 11):
# Debian's linux-source-6.1 built with KASAN, lockdep, DEBUG_VM,
# DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, fault injection and kmemleak
# (scripts/debug-kernel.sh, cached under /var/cache/mseal/debug-kernel/).
#
#   1. the kernel (cached: seconds; cold: about 10 min at -j2);
#   2. mseal.ko against its object tree, W=1, and the fault-injection variants
#      the suite loads (missing-symbol/, untraceable/, landing-pad/), as the
#      Makefile's kmods, in build/debug-kernel/variants/;
#   3. one x86_64 guest booting it with build/tests/x86_64 (make tests), whose
#      ORDER has mseal_faults (the fail-nth test; it skips on stock kernels);
#   4. three lines, each able to fail the run:
#        debug-kernel <release>: N passed, N failed, N skipped
#        debug-kernel <release>: splats N
#        faults: N injected, N inconsistent
#      splats counts, in the kernel console log, WARNING:, BUG:, Oops, KASAN:,
#      general protection fault, lockdep's "possible circular"/"possible
#      recursive"/"inconsistent lock state", RCU stalls, hung tasks, and the
#      kmemleak reports (tests/guest/run.sh scans after the suite and after
#      the final rmmod) whose backtrace is in the module or an mm path;
#      each is listed. faults: must have N injected >= 100, 0 inconsistent.
# Exit 1 if any line fails. Logs: build/debug-kernel/{check.log,check.out,run.out}.
# Env: MSEAL_VM_TIMEOUT (default 5400), MSEAL_TEST_TIMEOUT (default 2400),
# MSEAL_DEBUG_TESTS_DIR (instead of build/tests/x86_64), MSEAL_VM_APPEND, MSEAL_DEBUG_VM_MEM (default 2G), MSEAL_DEBUG_TSCALE (default 4:
# every test's harness timeout times 4, msealvm.tscale).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
base=$root/build/debug-kernel
tests=${MSEAL_DEBUG_TESTS_DIR:-$root/build/tests/x86_64}
mkdir -p "$base"

t0=$(date +%s)
kdir=$(bash "$root/scripts/debug-kernel.sh") || { echo "debug-kernel: the kernel did not build"; exit 1; }
kdir=$(tail -n 1 <<<"$kdir")
rel=$(cat "$kdir/release")
obj=$kdir/obj
echo "debug-kernel: kernel $rel ready in $(($(date +%s) - t0)) s (cold build: $(cat "$kdir/build-seconds") s)" >&2

fail() { # the three lines, failed, for a run that could not happen
    echo "debug-kernel $rel: 0 passed, 1 failed, 0 skipped ($1)"
    echo "debug-kernel $rel: splats 0"
    echo "faults: 0 injected, 0 inconsistent"
    exit 1
}
[[ -f $tests/ORDER ]] || fail "no $tests/ORDER: make ARCH_GUEST=x86_64 tests"

# --- the module and its variants ----------------------------------------
mods=$base/modules
rm -rf "$mods" "$base/variants"
mkdir -p "$mods" "$base/probes"
bash "$root/scripts/probe.sh" "$obj" "$base/probes/mseal_config.h" -j2 >"$base/probe.log" 2>&1 ||
    fail "feature probes failed ($base/probe.log)"
variant() { # NAME DEST MAKEARGS...
    local v=$base/variants/$1 dest=$mods/$2
    shift 2
    mkdir -p "$v" "$dest"
    (cd "$root" && cp -r --parents Kbuild dkms.conf module hooks arch include "$v/")
    cp "$base/probes/mseal_config.h" "$v/mseal_config.h"
    make -C "$obj" M="$v" -j2 "$@" modules && cp "$v/mseal.ko" "$dest/"
}
variant main . W=1 >"$base/kbuild.log" 2>&1 || fail "module build failed ($base/kbuild.log)"
if grep -E 'warning:|error:' "$base/kbuild.log" >&2; then
    fail "module build not clean (W=1)"
fi
: >"$base/kbuild-variants.log"
for v in missing-symbol:MSEAL_TEST_FAULT_SYMBOL=mseal_test_no_such_symbol \
    untraceable:MSEAL_TEST_FAULT_SYMBOL=rcu_is_watching landing-pad:MSEAL_TEST_LANDING_PAD=1; do
    variant "${v%%:*}" "${v%%:*}" "${v#*:}" >>"$base/kbuild-variants.log" 2>&1 ||
        fail "variant ${v%%:*} failed to build ($base/kbuild-variants.log)"
done

# --- the guest --------------------------------------------------------------
if ! grep -qx mseal_faults "$tests/ORDER"; then
    fail "no mseal_faults in $tests/ORDER (tests/selftests/Makefile)"
fi
bash "$root/tests/vm/mkinitramfs.sh" --arch x86_64 --modules "$mods" --tests "$tests" \
    --out "$base/initramfs.cpio.gz" >"$base/mkinitramfs.log" 2>&1 ||
    fail "initramfs: $(tail -n 1 "$base/mkinitramfs.log")"
start=$(date +%s)
# A boot that died before /init ran (no module, no test yet: under a loaded
# TCG an early interrupt has met an uninitialised IRQ descriptor, a KASAN
# report that panic_on_warn makes fatal) is booted once more, its log kept
# as check-noinit.log; anything after /init counts as it is.
rm -f "$base/check-noinit.log"
for attempt in 1 2; do
    bash "$root/tests/vm/run.sh" --arch x86_64 --kernel "$kdir/bzImage" \
        --initrd "$base/initramfs.cpio.gz" --mode check --log "$base/check.log" \
        --mem "${MSEAL_DEBUG_VM_MEM:-2G}" \
        --timeout "${MSEAL_VM_TIMEOUT:-5400}" --test-timeout "${MSEAL_TEST_TIMEOUT:-2400}" \
        --append "no_timer_check panic_on_warn=1 msealvm.tscale=${MSEAL_DEBUG_TSCALE:-4} ${MSEAL_VM_APPEND:-}" >"$base/run.out" 2>&1
    grep -q '^not ok - guest boot: /init never started' "$base/run.out" || break
    [[ $attempt == 2 ]] && break
    mv "$base/check.log" "$base/check-noinit.log"
    echo "debug-kernel: the first boot died before /init (check-noinit.log); booted again" >&2
done
secs=$(($(date +%s) - start))
status=0

# The results (parse-results.sh's lines), then ours.
grep -vE '^[0-9]+ passed, [0-9]+ failed' "$base/run.out" | grep -E '^(vm: QEMU|.*not ok|#)' >&2 || true
last=$(tail -n 1 "$base/run.out")
if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
    np=${BASH_REMATCH[1]} nf=${BASH_REMATCH[2]} ns=${BASH_REMATCH[4]:-0}
else
    np=0 nf=1 ns=0
    echo "debug-kernel: no summary line from the guest ($base/run.out)" >&2
fi
((nf == 0)) || status=1
echo "debug-kernel: guest wall time ${secs} s" >&2

# --- splats -------------------------------------------------------------------
con=$(mktemp)
out=$(mktemp)
trap 'rm -f "$con" "$out"' EXIT
tr -d '\r' <"$base/check.log" | sed -E 's/^\[ *[0-9]+\.[0-9]+\] ?//' >"$con"
tr -d '\r' <"$base/check.out" >"$out"
pat='WARNING:|BUG:|Oops|KASAN:|general protection fault|possible circular locking|possible recursive locking|inconsistent lock state|self-detected stall|detected stalls|rcu_preempt detected|blocked for more than|kernel BUG'
ksplats=$(grep -cE "$pat" "$con")
# kmemleak: one block per object, "unreferenced object 0x..." then its
# backtrace; one that passes through the module or an mm path counts.
leaks=$(awk '
    /^===KMEMLEAK-BEGIN===/ { on = 1; next }
    /^===KMEMLEAK-END===/   { flush(); on = 0; next }
    function flush() { if (obj != "" && hit && !seen[obj]++) { n++; print "leak " obj ": " what > "/dev/stderr" } obj = ""; hit = 0; what = "" }
    on && /unreferenced object/ { flush(); obj = $3; next }
    on && obj != "" && /\[<[0-9a-f]+>\]/ {
        if ($0 ~ /\[mseal\]|mseal_|0xffffffffc0|vm_area_|vma|mmap|munmap|mprotect|mremap|madvise|dup_mm|split_vma|anon_vma|mm_alloc|brk|shm|exec|mm_init|pgd_alloc|__pte_alloc|mas_|mt_/) {
            hit = 1; if (what == "") what = $0
        }
    }
    END { flush(); print n + 0 }' "$out")
grep -E "$pat" "$con" | head -n 20 | sed 's/^/debug-kernel: splat: /' >&2
splats=$((ksplats + leaks))
((splats == 0)) || status=1

# --- fault injection ------------------------------------------------------------
fl=$(grep -oE 'faults: [0-9]+ injected, [0-9]+ inconsistent' "$out" | tail -n 1)
[[ -n $fl ]] || fl="faults: 0 injected, 0 inconsistent"
read -r _ inj _ inc _ <<<"$fl"
if ((inj < 100 || inc > 0)); then
    status=1
    ((inj < 100)) && echo "debug-kernel: fewer than 100 faults injected" >&2
fi

echo "debug-kernel $rel: $np passed, $nf failed, $ns skipped (guest ${secs} s)"
echo "debug-kernel $rel: splats $splats ($ksplats in the kernel log, $leaks kmemleak)"
echo "$fl"
exit "$status"
