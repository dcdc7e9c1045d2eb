#!/bin/sh
# tests/guest/run.sh — the in-guest test runner (/tests/run.sh), started by /init
# in msealvm.mode=check. busybox sh.
#
# For each entry of /tests/ORDER (one per line: a file under /tests, optionally
# followed by arguments; blank lines and "#" lines are skipped) it prints
#   # ORDER <name>          (all entries first, so the host knows what should run)
#   # RUN <name>
#   ... the binary's stdout+stderr (kselftest TAP) ...
#   # TIMEOUT <name> <secs>  (only if the per-binary timeout fired)
#   # EXIT <name> <rc>
# where <name> is the entry with blanks replaced by "_". Each binary runs in /tmp
# with stdin </dev/null, in a session of its own (setsid), under
# `timeout -k 10 $MSEAL_TEST_TIMEOUT` (default 300 s), with
# env MSEAL_MODULE=/mseal/mseal.ko MSEAL_MODULE_DIR=/mseal MSEAL_TESTS_DIR=/tests.
# RUN/EXIT are also written to /dev/kmsg so the kernel log shows which binary ran.
#
# The module is loaded by the first binary (mseal_module), not here. After the
# last binary the module must unload: "rmmod mseal" (up to 5 tries, 1 s apart,
# for deferred mm teardown) is reported as one more TAP-style result:
#   ok - final rmmod  |  not ok - final rmmod   (+ "# ..." diagnostics)
# which proves every seal was dropped when the test processes exited.
# Exception: when seal_system_mappings reads 2 (locked by mseal_sysmap_lock,
# which runs last), the module holds a reference on itself until reboot, so
# rmmod must FAIL because the module is in use; that is then the passing check:
#   ok - final rmmod # module locked ...  |  not ok - final rmmod (it unloaded,
#   or failed for another reason)
#
# Debug kernels (CONFIG_DEBUG_KMEMLEAK, /sys/kernel/debug/kmemleak): before the
# first binary, one scan and "clear" (what boot leaked is not ours); after the
# last binary, and again after the final rmmod (objects only the module's
# data referenced), a scan whose report is printed between
#   ===KMEMLEAK-BEGIN=== <when> ... ===KMEMLEAK-END===
# for the host to count (tests/vm/debug-kernel-check.sh).
T=${MSEAL_TEST_TIMEOUT:-300}
ORDER=/tests/ORDER
export MSEAL_MODULE="${MSEAL_MODULE:-/mseal/mseal.ko}" MSEAL_MODULE_DIR="${MSEAL_MODULE_DIR:-/mseal}"
export MSEAL_TESTS_DIR=/tests

kmsg() { echo "msealvm: $*" >/dev/kmsg 2>/dev/null; }
entries() { grep -vE '^[[:space:]]*(#|$)' "$ORDER" 2>/dev/null; }

KMEMLEAK=/sys/kernel/debug/kmemleak
# kmemleak_scan WHEN — a scan, its report between markers. An object must be
# unreferenced for two scans (and older than 5 s) to be reported: two scans.
kmemleak_scan() {
    [ -w $KMEMLEAK ] || return 0
    kmsg "kmemleak scan ($1)"
    start=$(date +%s)
    sleep 6
    echo scan >$KMEMLEAK 2>/dev/null
    echo scan >$KMEMLEAK 2>/dev/null
    echo "===KMEMLEAK-BEGIN=== $1"
    cat $KMEMLEAK 2>&1
    echo "===KMEMLEAK-END=== $1 $(($(date +%s) - start))s"
    echo clear >$KMEMLEAK 2>/dev/null
}
if [ -w $KMEMLEAK ]; then
    echo scan >$KMEMLEAK 2>/dev/null
    echo clear >$KMEMLEAK 2>/dev/null
fi

entries | while read -r line; do
    echo "# ORDER $(echo "$line" | tr ' \t' '__')"
done

entries | while read -r bin args; do
    name=$(echo "$bin $args" | sed 's/[[:space:]]*$//' | tr ' \t' '__')
    echo "# RUN $name"
    kmsg "RUN $name"
    start=$(date +%s)
    if [ -f "/tests/$bin" ] && [ -x "/tests/$bin" ]; then
        # shellcheck disable=SC2086 # $args: intentional word splitting
        (cd /tmp && exec setsid timeout -k 10 "$T" "/tests/$bin" $args </dev/null 2>&1)
        rc=$?
    else
        echo "# /tests/$bin: missing or not executable"
        rc=127
    fi
    secs=$(($(date +%s) - start))
    [ "$secs" -ge "$T" ] && echo "# TIMEOUT $name $secs"
    echo "# EXIT $name $rc"
    kmsg "EXIT $name rc=$rc ${secs}s"
done

# --- final rmmod ---------------------------------------------------------------
kmemleak_scan after-suite
# A run without the module (tests/vm/check-kernels.sh --smoke) says so.
if [ -f /tests/NO_MODULE ]; then
    kmsg "run.sh done (no module)"
    exit 0
fi
locked=$(cat /sys/module/mseal/parameters/seal_system_mappings 2>/dev/null)
if [ -d /sys/module/mseal ] && [ "$locked" = 2 ]; then
    echo "# lsmod before final rmmod:"
    lsmod 2>&1 | sed 's/^/#   /'
    refs=$(cat /sys/module/mseal/refcnt 2>/dev/null)
    if err=$(rmmod mseal 2>&1); then
        echo "# rmmod mseal succeeded although seal_system_mappings was locked (2)"
        echo "not ok - final rmmod"
    else
        echo "# rmmod mseal: $err"
        case "$err" in
        *"in use"* | *"busy"* | *"Resource temporarily unavailable"*)
            if [ -d /sys/module/mseal ] && [ "${refs:-0}" -ge 1 ]; then
                echo "ok - final rmmod # module locked by seal_system_mappings=2: in use ($refs references) until reboot, as required"
            else
                echo "# module gone or no reference held ($refs)"
                echo "not ok - final rmmod"
            fi
            ;;
        *)
            echo "# rmmod failed, but not because the module is in use"
            echo "not ok - final rmmod"
            ;;
        esac
    fi
elif [ -d /sys/module/mseal ]; then
    echo "# lsmod before final rmmod:"
    lsmod 2>&1 | sed 's/^/#   /'
    tries=0
    ok=0
    while [ $tries -lt 5 ]; do
        tries=$((tries + 1))
        if err=$(rmmod mseal 2>&1); then
            ok=1
            break
        fi
        echo "# rmmod mseal (try $tries): $err"
        [ -d /sys/module/mseal ] || break
        sleep 1
    done
    if [ $ok = 1 ] && [ ! -d /sys/module/mseal ]; then
        [ $tries -gt 1 ] && echo "# rmmod needed $tries tries"
        echo "ok - final rmmod"
    else
        echo "# mseal still loaded after $tries tries ($(cat /sys/module/mseal/refcnt 2>/dev/null) references); user processes:"
        # shellcheck disable=SC2009 # we want the listing, not PIDs
        ps -o pid,ppid,args 2>&1 | grep -vE '^ *[0-9]+ +[0-9]+ +\[|/tests/run.sh|ps -o|grep -vE' | sed 's/^/#   /'
        echo "not ok - final rmmod"
    fi
else
    echo "# module mseal is not loaded (the first test binary should have loaded it)"
    echo "not ok - final rmmod"
fi
kmemleak_scan after-rmmod
kmsg "run.sh done"
