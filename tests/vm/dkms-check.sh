#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh - prove that DKMS builds mseal.ko from this tree against the
# Debian 6.1 kernel headers the guests use, as an administrator's
# `dkms add/build/install` would.  Builds only: nothing is installed into,
# or loaded by, this machine's kernel.
set -euo pipefail
cd "$(dirname "$0")/../.."

krel=$(bash scripts/kernel-abi.sh amd64)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
src=/usr/src/mseal-$ver

if [ ! -d "/lib/modules/$krel/build" ]; then
	echo "dkms: /lib/modules/$krel/build missing (linux-headers-$krel not installed)" >&2
	exit 1
fi

# One DKMS tree per machine: serialize concurrent runs.
exec 9>/var/lock/mseal-dkms-check.lock
flock 9

cleanup() {
	dkms remove -m mseal -v "$ver" --all >/dev/null 2>&1 || true
	rm -rf "$src"
}
cleanup
trap cleanup EXIT

mkdir -p "$src"
cp -r --parents dkms.conf Kbuild Makefile module hooks arch include probes scripts/probe.sh "$src/"
dkms add -m mseal -v "$ver"
dkms build -m mseal -v "$ver" -k "$krel"
ko=$(find "/var/lib/dkms/mseal/$ver/$krel" -name 'mseal.ko*' | head -n 1)
if [ -z "$ko" ]; then
	echo "dkms: no mseal.ko built for $krel" >&2
	exit 1
fi
vermagic=$(modinfo -F vermagic "$ko")
case "$vermagic" in
"$krel "*) ;;
*)
	echo "dkms: $ko has vermagic '$vermagic', expected $krel" >&2
	exit 1
	;;
esac
echo "ok - dkms build of mseal $ver for $krel ($ko)"
