#!/usr/bin/env bash
# tests/vm/parse-results.sh — turn the logs of a check-mode guest run into results.
# Called by tests/vm/run.sh; can be re-run by hand on saved logs:
#
#   parse-results.sh --out build/vm/x86_64/check.out --console build/vm/x86_64/check.log
#                    [--host-timeout] [--qemu-rc N]
#
#   --out FILE      the guest's test-output channel (ttyS1); may be the same file
#                   as --console when the guest had one serial line only
#   --console FILE  the kernel console (ttyS0): scanned whole for kernel splats
#   --host-timeout  QEMU was killed by the host-side timeout
#
# Counting (one line per result is printed, prefixed with the binary's name):
#  * per binary, between "# RUN name" and "# EXIT name rc": each TAP line
#    "ok N ..." passes, "not ok N ..." fails, either with "# SKIP" is a skip
#    ("ok ... # XFAIL" passes, "not ok ... # TODO" is a skip);
#  * a plan "1..N" with fewer results printed (crash, timeout, Bail out!, guest
#    death) counts every missing result as failed; more results than planned is
#    one failure; "1..0 # SKIP" or exit code 4 (KSFT_SKIP) without results is one
#    skip;
#  * a non-zero exit without any "not ok" nor missing result is one failure, so is
#    a binary that printed no result at all, one listed in ORDER that never ran,
#    and one that started but never reached "# EXIT";
#  * top-level lines "ok - what" / "not ok - what" (e.g. "final rmmod") count;
#  * "kernel log clean": the whole console log plus the guest's dmesg dump
#    (===KLOG-BEGIN===..===KLOG-END===) must contain none of the splat patterns
#    below, except the known-benign boot lines in $BENIGN; pass or fail, printed
#    with the offending lines;
#  * a guest that never printed ===GUEST-INIT=== or never reached ===GUEST-DONE===
#    is one more failure.
# The LAST line printed is exactly "N passed, N failed" (", N skipped" appended
# when skips > 0). Exit status 1 when anything failed, else 0.
set -euo pipefail

out="" console="" host_timeout=0 qemu_rc=""
while (($#)); do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --console) console=$2; shift 2 ;;
        --host-timeout) host_timeout=1; shift ;;
        --qemu-rc) qemu_rc=$2; shift 2 ;;
        *) echo "parse-results: unknown argument $1" >&2; exit 2 ;;
    esac
done
[[ -f $out && -f $console ]] || { echo "parse-results: need --out FILE and --console FILE" >&2; exit 2; }

# Kernel splat patterns (fixed strings, case-sensitive; kfence case-insensitive).
SPLATS=(
    'WARNING:' 'BUG:' 'Oops' 'general protection fault' 'Unable to handle kernel'
    'kernel BUG' 'possible circular locking' 'possible recursive locking' 'lockdep'
    'INFO: rcu' 'rcu: INFO' 'rcu_sched self-detected stall' 'blocked for more than'
    'Call Trace:' 'Kernel panic' 'list_add corruption' 'list_del corruption'
    'refcount_t:' 'UBSAN:' 'KASAN:'
)
# Lines matching a splat pattern that a clean boot of the stock Debian kernel
# under QEMU/TCG prints (extended regex). Keep this list short and specific.
# The debug kernel (scripts/debug-kernel.sh) adds lockdep's boot banner.
BENIGN='(kfence: initialized|KFENCE: .*(disabled|initialized)|rcu:[[:space:]]+RCU lockdep checking is enabled\.)'

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tr -d '\r' <"$out" >"$tmp/out"
tr -d '\r' <"$console" >"$tmp/console"

# ---------------------------------------------------------------- TAP ----
awk -v host_timeout="$host_timeout" -v qemu_rc="$qemu_rc" \
    -v klogf="$tmp/klog" -v statf="$tmp/stat" '
function emit(kind, s) {
    if (kind == "pass") npass++; else if (kind == "fail") nfail++; else nskip++
    print s
}
function start(name) {
    cur = name; ran[name]++; plan = -1; seen = 0; bad = 0; planskip = 0
    timedout = 0; ndiag = 0; nrun++
}
function finish(rc,    missing, why) {
    why = (rc == "none") ? "never reached # EXIT (guest died or timed out)" : "exit code " rc
    if (timedout) why = why ", killed by the per-binary timeout"
    if (plan > 0 && seen < plan) {
        missing = plan - seen
        nfail += missing
        print cur ": not ok - " missing " of " plan " planned results missing (" why "), counted as failed"
        flushdiag()
    } else if (plan >= 0 && seen > plan) {
        emit("fail", cur ": not ok - printed " seen " results but planned " plan)
    } else if (seen == 0 && plan <= 0) {
        if (planskip || rc == 4) emit("skip", cur ": ok - whole binary skipped # SKIP (" (planskip ? "plan 1..0" : "exit code 4") ")")
        else emit("fail", cur ": not ok - no TAP results (" why ")")
        if (!planskip && rc != 4) flushdiag()
    } else if (rc != 0 && rc != 4 && !bad) {
        emit("fail", cur ": not ok - " why " without a failed result")
        flushdiag()
    }
    cur = ""
}
function flushdiag(   i, from) {
    from = (ndiag > 25) ? ndiag - 25 : 1
    for (i = from; i <= ndiag; i++) print "    | " diag[i]
    ndiag = 0
}
BEGIN { cur = ""; inklog = 0 }
/^===GUEST-INIT===/ { init = 1; next }
/^===GUEST-DONE===/ { done = 1; next }
/^===KLOG-BEGIN===/ { inklog = 1; klog = 1; next }
/^===KLOG-END===/   { inklog = 0; next }
inklog              { print > klogf; next }
/^# ORDER /         { order[++norder] = $3; next }
/^# RUN /           { if (cur != "") finish("none"); start($3); next }
/^# TIMEOUT /       { if ($3 == cur) timedout = 1; next }
/^# EXIT /          { if (cur != "" && $3 == cur) finish($4 + 0); next }
cur != "" {
    if (plan < 0 && $0 ~ /^1\.\.[0-9]+/) {
        plan = substr($0, 4) + 0
        if (plan == 0 && $0 ~ /# *[Ss][Kk][Ii][Pp]/) planskip = 1
        next
    }
    if ($0 ~ /^(not )?ok([ \t]|$)/) {
        seen++
        line = cur ": " $0
        if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) emit("skip", line)
        else if ($0 ~ /^ok/) emit("pass", line)
        else if ($0 ~ /#[ \t]*[Tt][Oo][Dd][Oo]/) emit("skip", line)
        else { bad = 1; emit("fail", line); flushdiag() }
        ndiag = 0
        next
    }
    if ($0 ~ /^Bail out!/) { diag[++ndiag] = $0; next }
    if ($0 != "") diag[++ndiag] = $0
    if (ndiag > 200) { for (i = 1; i <= 100; i++) diag[i] = diag[i + 100]; ndiag = 100 }
    next
}
/^ok - /     { emit("pass", $0); ndiag = 0; next }
/^not ok - / { emit("fail", $0); flushdiag(); next }
/^# /        { diag[++ndiag] = $0; if (ndiag > 200) ndiag = 0; next }
END {
    if (cur != "") finish("none")
    for (i = 1; i <= norder; i++)
        if (ran[order[i]]-- <= 0) emit("fail", order[i] ": not ok - never ran")
    if (!init)
        emit("fail", "not ok - guest boot: /init never started" (host_timeout ? " (host timeout)" : ""))
    else if (!done)
        emit("fail", "not ok - guest run finished: no ===GUEST-DONE===" (host_timeout ? " (killed by the host timeout)" : " (guest panic, crash or reboot)"))
    if (init && norder == 0 && nrun == 0)
        print "# note: the guest ran no test binary (empty ORDER?)"
    printf "%d %d %d %d %d\n", npass, nfail, nskip, init, klog > statf
}' "$tmp/out"

read -r npass nfail nskip booted _ <"$tmp/stat"

# ------------------------------------------------------ kernel log scan ----
grep_args=()
for p in "${SPLATS[@]}"; do grep_args+=(-e "$p"); done
if [[ ! -s $tmp/console && $booted != 1 ]]; then
    echo "not ok - kernel log clean (console log is empty: QEMU or the kernel did not start)"
    nfail=$((nfail + 1))
else
    : >"$tmp/hits"
    touch "$tmp/klog"
    for f in "$tmp/console" "$tmp/klog"; do
        { grep -F "${grep_args[@]}" "$f" || true; grep -i -e kfence "$f" || true; } |
            { grep -vE "$BENIGN" || true; } >>"$tmp/hits"
    done
    if [[ -s $tmp/hits ]]; then
        echo "not ok - kernel log clean"
        # strip "[ time]" prefixes, dedupe (console + dmesg dump show the same lines)
        sed -E 's/^\[ *[0-9]+\.[0-9]+\] ?//' "$tmp/hits" | awk '!seen[$0]++' | head -n 40 | sed 's/^/    | /'
        echo "    (full logs: $console, $out)"
        nfail=$((nfail + 1))
    else
        echo "ok - kernel log clean"
        npass=$((npass + 1))
    fi
fi

if [[ -s $tmp/console ]] && ! grep -q '^===GUEST-DONE===' "$tmp/out"; then
    # The guest died or hung: show the console from shortly before the first splat
    # (the oops/panic text), or else its last lines.
    first=$({ grep -n -F "${grep_args[@]}" "$tmp/console" || true; } | { grep -vE "$BENIGN" || true; } | head -n 1 | cut -d: -f1)
    if [[ -n $first ]]; then
        echo "# console from line $((first > 5 ? first - 5 : 1)) (first splat):"
        sed -n "$((first > 5 ? first - 5 : 1)),$((first + 60))p" "$tmp/console" | sed 's/^/    | /'
    else
        echo "# last console lines:"
        tail -n 25 "$tmp/console" | sed 's/^/    | /'
    fi
fi

if ((nskip > 0)); then
    echo "$npass passed, $nfail failed, $nskip skipped"
else
    echo "$npass passed, $nfail failed"
fi
((nfail == 0))
