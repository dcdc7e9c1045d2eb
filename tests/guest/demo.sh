#!/bin/sh
# tests/guest/demo.sh — default guest demo (/tests/demo.sh) for `make demo`,
# used when the build provides no build/tests/<arch>/demo.sh. busybox sh, root,
# cwd /tmp. Walks through: load the module, show the device and its parameters,
# run the demo/CLI binaries the build put in /tests (mseal_demo, msealctl) if
# present, show the module's kernel messages, unload. Exit 0 when every step
# that could run worked.
rc=0
step() { echo; echo "== $*"; }
run() { echo "\$ $*"; "$@"; r=$?; [ $r = 0 ] || { echo "(exit $r)"; rc=1; }; return $r; }

step "kernel"
uname -a

step "load the module"
if [ ! -f /mseal/mseal.ko ]; then
    echo "no /mseal/mseal.ko in this initramfs"
    exit 1
fi
run insmod /mseal/mseal.ko || exit 1
run ls -l /dev/mseal
for p in /sys/module/mseal/parameters/*; do
    [ -f "$p" ] && echo "$p = $(cat "$p" 2>/dev/null)"
done

if [ -x /tests/msealctl ]; then
    step "msealctl status"
    run /tests/msealctl status
fi

if [ -x /tests/mseal_demo ]; then
    step "mseal_demo"
    run /tests/mseal_demo
fi

if [ -w /sys/module/mseal/parameters/seal_system_mappings ]; then
    step "seal system mappings for new processes"
    run sh -c 'echo 1 > /sys/module/mseal/parameters/seal_system_mappings'
    echo "a new process's special mappings:"
    grep -E '\[(vdso|vvar|vvar_vclock|sigpage|vectors)\]' /proc/self/maps
    # msealctl is exec'd after the switch: it lists its own system seals
    [ -x /tests/msealctl ] && run /tests/msealctl list self
    run sh -c 'echo 0 > /sys/module/mseal/parameters/seal_system_mappings'
fi

step "kernel messages of the module"
dmesg | grep -i mseal | grep -v msealvm | tail -n 20

step "unload"
run rmmod mseal
echo
echo "demo finished (rc=$rc)"
exit $rc
