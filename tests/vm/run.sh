#!/usr/bin/env bash
# tests/vm/run.sh — boot a Debian kernel + test initramfs in QEMU (TCG, no KVM)
# and report the results.
#
# usage: run.sh --arch x86_64|arm64 --kernel VMLINUZ --initrd CPIO --mode check|demo|shell
#               [--timeout S] [--log FILE] [--append "EXTRA CMDLINE"]
#               [--test-timeout S] [--smp N] [--mem SIZE]
#
#   --timeout S       host-side limit for the whole VM (default 2400 s check,
#                     900 s demo, none for shell); QEMU is killed after it
#   --test-timeout S  per-binary limit inside the guest (msealvm.timeout, default 300)
#   --log FILE        console log (default build/vm/<arch>/<mode>.log); the test
#                     channel goes next to it as <log without .log>.out
#   --append STR      extra kernel command line
#   env QEMU_EXTRA    extra QEMU arguments (word-split)
#   env MSEAL_VM_ICOUNT=1  -icount shift=0 on one vCPU (benchmarks)
#   env MSEAL_VM_TCG_THREAD=single|multi  TCG threading (default single: see below)
#   env MSEAL_VM_ONE_SERIAL=1  console and test output on the one console line
#   env MSEAL_VM_KMODS=a,b  arm64: the stock modules the guest loads for hvc0, in
#                      order (default virtio_mmio,virtio_console; 5.10 also needs
#                      virtio,virtio_ring first, 6.12+ has virtio_console built in)
#
# Machines (software emulation, -accel tcg,thread=single, -m 1G, -smp 2):
#   x86_64: qemu-system-x86_64 -machine q35 -cpu max; ttyS0 = kernel console
#           (log file), ttyS1 = test output (msealvm.out=ttyS1).
#   arm64:  qemu-system-aarch64 -M virt -cpu cortex-a57; ttyAMA0 = kernel console,
#           a virtio console hvc0 = test output (msealvm.out=hvc0
#           msealvm.kmods=virtio_mmio,virtio_console: the initrd must carry those
#           two stock modules, mkinitramfs.sh --kernel-tree/--kmod; check.sh does).
#           If hvc0 does not appear the guest falls back to the console, which
#           the parser tolerates (kernel lines may then split TAP lines).
# Kernel command line: console=<tty> panic=-1 oops=panic printk.devkmsg=on
#   log_buf_len=4M msealvm.mode=<mode> msealvm.timeout=<S> [msealvm.out=ttyS1] [--append]
#   (see tests/guest/init for the msealvm.* keys)
#
# check: QEMU runs with nothing on the terminal but progress lines ("vm: RUN x",
#   "vm: EXIT x rc"); then tests/vm/parse-results.sh prints every result and, as
#   the LAST line, "N passed, N failed[, N skipped]". Exit 1 if anything failed.
# demo:  the guest's test channel is streamed live (boot noise and the final
#   dmesg dump hidden; both are in the logs). Exit 1 if the demo script failed,
#   the guest did not finish, or the kernel log shows a splat.
# shell: interactive serial console (Ctrl-A X quits QEMU).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
die() { echo "run.sh: $*" >&2; exit 2; }

arch="" kernel="" initrd="" mode="" hto="" log="" append="" tto=300 smp=2 mem=1G
while (($#)); do
    case "$1" in
        --arch) arch=$2; shift 2 ;;
        --kernel) kernel=$2; shift 2 ;;
        --initrd) initrd=$2; shift 2 ;;
        --mode) mode=$2; shift 2 ;;
        --timeout) hto=$2; shift 2 ;;
        --log) log=$2; shift 2 ;;
        --append) append=$2; shift 2 ;;
        --test-timeout) tto=$2; shift 2 ;;
        --smp) smp=$2; shift 2 ;;
        --mem) mem=$2; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[[ -n $arch && -n $kernel && -n $initrd && -n $mode ]] || die "need --arch, --kernel, --initrd and --mode"
[[ -f $kernel ]] || die "no kernel at $kernel"
[[ -f $initrd ]] || die "no initrd at $initrd"
case "$mode" in
    check) : "${hto:=2400}" ;;
    demo) : "${hto:=900}" ;;
    shell) hto=0 ;;
    *) die "--mode must be check, demo or shell" ;;
esac

case "$arch" in
    x86_64)
        qemu=(qemu-system-x86_64 -machine q35 -cpu max)
        con=ttyS0
        ;;
    arm64 | aarch64)
        arch=arm64
        qemu=(qemu-system-aarch64 -M virt -cpu cortex-a57)
        con=ttyAMA0
        ;;
    *) die "unsupported --arch $arch" ;;
esac
command -v "${qemu[0]}" >/dev/null || die "${qemu[0]} not installed (scripts/deps.sh $arch)"

outdir="$root/build/vm/$arch"
mkdir -p "$outdir"
[[ -n $log ]] || log="$outdir/$mode.log"
mkdir -p "$(dirname "$log")"
outlog="${log%.log}.out"
[[ $outlog != "$log" ]] || outlog="$log.out"

cmdline="console=$con panic=-1 oops=panic printk.devkmsg=on log_buf_len=4M msealvm.mode=$mode msealvm.timeout=$tto"
# MSEAL_VM_ICOUNT=1 (benchmarks): guest time counts instructions, which
# needs single-threaded TCG; with two vCPUs the Debian kernel does not
# reach init under icount, so benchmarks run on one.
if [[ ${MSEAL_VM_ICOUNT:-0} == 1 ]]; then
    accel=(-accel tcg -icount shift=0)
    smp=1
else
    # One host thread for all vCPUs by default.  With multi-threaded TCG a
    # vCPU can keep running a stale translation of kernel text that ftrace
    # just patched (an int3 that memory no longer holds: kprobes' "int3
    # already removed, retry" path then loops at the function's first byte
    # for good).  Measured: mseal_module's load/unload stress hung in about
    # half of the runs with thread=multi, never with thread=single.  The
    # guest still has two vCPUs, interleaved, for the race tests.
    accel=(-accel "tcg,thread=${MSEAL_VM_TCG_THREAD:-single}")
fi
qemu+=(-smp "$smp" "${accel[@]}" -m "$mem" -nographic -no-reboot -monitor none
    -kernel "$kernel" -initrd "$initrd")
# shellcheck disable=SC2206 # QEMU_EXTRA is split on purpose
[[ -n ${QEMU_EXTRA:-} ]] && qemu+=($QEMU_EXTRA)

if [[ $mode == shell ]]; then
    exec "${qemu[@]}" -append "$cmdline $append" -serial mon:stdio
fi

: >"$log"
: >"$outlog"
split=1
[[ ${MSEAL_VM_ONE_SERIAL:-0} == 1 ]] && split=0
if [[ $split == 0 ]]; then
    serial=(-serial stdio)
elif [[ $arch == x86_64 ]]; then
    cmdline+=" msealvm.out=ttyS1"
    serial=(-serial "file:$log" -serial stdio)
elif [[ $arch == arm64 ]]; then
    cmdline+=" msealvm.out=hvc0 msealvm.kmods=${MSEAL_VM_KMODS:-virtio_mmio,virtio_console}"
    serial=(-serial "file:$log" -device virtio-serial-device -chardev "stdio,id=msealout"
        -device "virtconsole,chardev=msealout")
fi
cmdline+=" $append"

progress_filter() { # check mode: show progress only
    awk '{ sub(/\r$/, "") }
         /^===GUEST-INIT===/ { print "vm: init reached (" $2 ", " $3 ")"; fflush() }
         /^# RUN /  { print "vm: RUN " $3; fflush() }
         /^# EXIT / { print "vm: EXIT " $3 " rc=" $4; fflush() }'
}
demo_filter() { # demo mode: show what the demo prints, hide boot noise and the dmesg dump
    awk '{ sub(/\r$/, "") }
         /^===DEMO-BEGIN===/ { on = 1; next }
         /^===DEMO-END===/   { on = 0; next }
         /^# DEMO-EXIT /     { next }
         on { print; fflush() }'
}

echo "vm: booting $(basename "$kernel") on ${qemu[0]} (mode $mode, timeout ${hto}s); logs: $log $outlog" >&2
start=$(date +%s)
set +e
if [[ $split == 1 ]]; then
    timeout --foreground -k 10 "$hto" "${qemu[@]}" -append "$cmdline" "${serial[@]}" </dev/null |
        tee "$outlog" | if [[ $mode == demo ]]; then demo_filter; else progress_filter; fi
    rcs=("${PIPESTATUS[@]}")
else
    timeout --foreground -k 10 "$hto" "${qemu[@]}" -append "$cmdline" "${serial[@]}" </dev/null |
        tee "$log" | if [[ $mode == demo ]]; then demo_filter; else progress_filter; fi
    rcs=("${PIPESTATUS[@]}")
    cp "$log" "$outlog"
fi
set -e
qrc=${rcs[0]}
secs=$(($(date +%s) - start))
host_timeout=()
if [[ $qrc == 124 || $qrc == 137 ]]; then
    host_timeout=(--host-timeout)
    echo "vm: QEMU killed by the host timeout after ${secs}s" >&2
elif [[ $qrc != 0 ]]; then
    echo "vm: QEMU exited with status $qrc after ${secs}s" >&2
else
    echo "vm: QEMU exited after ${secs}s (guest powered off or rebooted)" >&2
fi

if [[ $mode == check ]]; then
    exec bash "$root/tests/vm/parse-results.sh" --out "$outlog" --console "$log" --qemu-rc "$qrc" "${host_timeout[@]}"
fi

# demo: verdict without a results line
fail=0
tr -d '\r' <"$outlog" >"$outlog.tmp"
demo_rc=$(sed -n 's/^# DEMO-EXIT \([0-9]*\).*/\1/p' "$outlog.tmp" | tail -n 1)
grep -q '^===GUEST-DONE===' "$outlog.tmp" || { echo "demo: the guest did not finish (see $log)" >&2; fail=1; }
rm -f "$outlog.tmp"
if [[ -n $demo_rc && $demo_rc != 0 ]]; then
    echo "demo: demo script exited with $demo_rc" >&2
    fail=1
fi
scan=$(bash "$root/tests/vm/parse-results.sh" --out "$outlog" --console "$log" | grep -A40 '^not ok - kernel log clean' || true)
if [[ -n $scan ]]; then
    echo "$scan" >&2
    fail=1
fi
exit "$fail"
