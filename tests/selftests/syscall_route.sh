#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# syscall_route.sh TEST [ARGS...] - run the contract test TEST (a binary next
# to this script) a second time, sealing through the kernel's own mseal(2)
# (system call 462, MSEAL_TEST_BACKEND=syscall) instead of /dev/mseal.
#
# Issue 10: on a kernel with native mseal(2) both routes must seal the same,
# so the same binary with the same expectations (exact errno, unchanged
# contents and mappings) must pass through either; its ioctl run is TEST's
# own ORDER entry. On a kernel without native mseal(2) there is only the
# device route (462 there is the module's, which mseal_syscall tests): one
# skip that says so. The module is loaded (mseal_module ran first) and
# tells which it is through /sys/kernel/mseal/enforcement.
d=$(dirname "$0")
t=${1:?usage: syscall_route.sh TEST [ARGS...]}
shift
e=$(cat /sys/kernel/mseal/enforcement 2>/dev/null)
case "$e" in
kernel)
	MSEAL_TEST_BACKEND=syscall exec "$d/$t" "$@"
	;;
module)
	echo "1..1"
	echo "ok 1 $t through mseal(2) # SKIP this kernel has no native mseal(2): the device is the only route"
	exit 0
	;;
*)
	echo "1..1"
	echo "not ok 1 $t through mseal(2): cannot read /sys/kernel/mseal/enforcement (module not loaded?)"
	exit 1
	;;
esac
