#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/debian-guest.sh RELEASE - the administrator's whole path in a
# real Debian guest: the packages of `make deb` (build/deb/) installed with
# apt in a Debian RELEASE system booted with its own stock kernel and
# systemd in QEMU (software emulation, amd64).  RELEASE: bookworm (Debian
# 12, 6.1) or trixie (Debian 13, 6.12).
#
# The root filesystem is tests/vm/debian-image.sh's (cached under
# /var/cache/mseal/debian-guest/), booted through a qcow2 overlay in
# build/debian-guest/RELEASE/ so that the cached image never changes.  The
# test (tests/guest/debian/test.sh, seal.c) and the .debs go to the guest
# as a tar archive on a second disk; the guest reports on its second
# serial port, one line per step (guest.out; kernel console: console-N.log).
# Each reboot of the guest ends QEMU (-no-reboot) and the next boot is a
# new QEMU on the same disk:
#   boot 1  apt-get install ./*.deb (DKMS builds the module in the guest),
#           configuration files, modprobe, msealctl status, seal; reboot
#   boot 2  loaded at boot with the configured options, msealctl status,
#           system mappings of a process exec'd after boot sealed, seal;
#           apt-get remove: no module, no file left; reboot
#   boot 3  clean boot without the module; power off
#
# Last line on stdout, the verdict:
#   debian-guest RELEASE: install, dkms build, modprobe, seal, reboot, remove: ok
#   debian-guest RELEASE: FAIL at STEP: REASON
# Exit status 0 only for the first.  Progress and timings on stderr.
#
# Environment: MSEAL_GUEST_BOOT_TIMEOUT (host-side limit per boot, seconds,
# default 1500: boot 1 builds the module under emulation), MSEAL_DEB_DIR
# (default build/deb), MSEAL_GUEST_CACHE and MSEAL_GUEST_REBUILD (see
# debian-image.sh), MSEAL_GUEST_RESUME=1 (development: keep the disk of the
# last run and go on from the stage its guest had reached).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
release=${1:?usage: $0 bookworm|trixie}
debs=${MSEAL_DEB_DIR:-$root/build/deb}
hto=${MSEAL_GUEST_BOOT_TIMEOUT:-1500}
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")
work=$root/build/debian-guest/$release
ok_line="debian-guest $release: install, dkms build, modprobe, seal, reboot, remove: ok"
start=$(date +%s)

verdict() { # FAIL line, exit 1
	echo "debian-guest $release: FAIL at $1"
	echo "debian-guest: $release failed after $(($(date +%s) - start))s; logs in $work" >&2
	exit 1
}

# The guest's lines, as they come (awk and tr would buffer them): to the
# logs, and the protocol's ones to stderr.
progress() {
	local line
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line%$'\r'}
		printf '%s\n' "$line" | tee -a "$work/guest.out" >>"$1"
		case $line in
		STEP* | FAIL* | GUEST* | INFO* | NEXT* | DONE*) echo "debian-guest $release: $line" >&2 ;;
		esac
	done
}

if [[ ${MSEAL_GUEST_RESUME:-0} == 1 && -f $work/disk.qcow2 ]]; then
	# Development: boot the disk as the last run left it, with a new
	# payload; the test goes on from the stage it had reached.
	resume=1
	rm -rf "$work/payload" "$work/payload.tar"
else
	resume=0
	rm -rf "$work"
fi
mkdir -p "$work/payload/debs"
for p in mseal-dkms libmseal0 libmseal-dev mseal-tools; do
	f=$(compgen -G "$debs/${p}_${ver}_*.deb" | head -n 1)
	[[ -n $f ]] || verdict "setup: no ${p}_${ver}_*.deb in $debs (make deb)"
	cp "$f" "$work/payload/debs/"
done
cp "$root/tests/guest/debian/test.sh" "$root/tests/guest/debian/seal.c" "$work/payload/"
echo "$ver" >"$work/payload/VERSION"
tar -C "$work/payload" -cf "$work/payload.tar" .

img=$(bash "$root/tests/vm/debian-image.sh" "$release") || verdict "setup: no $release image (tests/vm/debian-image.sh)"
krel=$(cat "$img/kernel-release")
((resume)) || qemu-img create -q -f qcow2 -F raw -b "$img/rootfs.img" "$work/disk.qcow2" ||
	verdict "setup: qemu-img create failed"
echo "debian-guest: $release, kernel $krel, image $img" >&2

((resume)) || : >"$work/guest.out"
boot=0
while ((boot < 4)); do
	boot=$((boot + 1))
	t0=$(date +%s)
	: >"$work/boot-$boot.out"
	# One TCG thread: the module patches kernel text with ftrace, which a
	# multi-threaded TCG vCPU may keep running stale (tests/vm/run.sh).
	timeout --foreground -k 10 "$hto" qemu-system-x86_64 -machine q35 -cpu max \
		-accel tcg,thread=single -smp 1 -m 2G -nographic -no-reboot -monitor none -nic none \
		-kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0 no_timer_check panic=-1" \
		-drive "file=$work/disk.qcow2,if=virtio,format=qcow2" \
		-drive "file=$work/payload.tar,if=virtio,format=raw,readonly=on" \
		-serial "file:$work/console-$boot.log" -serial stdio </dev/null |
		progress "$work/boot-$boot.out"
	qrc=${PIPESTATUS[0]}
	secs=$(($(date +%s) - t0))
	echo "debian-guest: $release boot $boot took ${secs}s (QEMU exit $qrc)" >&2
	out=$work/boot-$boot.out
	f=$(grep -m1 '^FAIL ' "$out")
	[[ -n $f ]] && verdict "${f#FAIL }"
	if grep -q '^DONE' "$out"; then
		echo "debian-guest: $release passed in $(($(date +%s) - start))s" >&2
		echo "$ok_line"
		exit 0
	fi
	grep -q '^NEXT reboot' "$out" && continue
	last=$(grep '^STEP' "$out" | tail -n 1)
	if [[ $qrc == 124 || $qrc == 137 ]]; then
		verdict "boot $boot: no verdict within ${hto}s (host timeout${last:+; last: $last}; console: $work/console-$boot.log)"
	fi
	verdict "boot $boot: guest stopped without a verdict (QEMU exit $qrc${last:+; last: $last}; $(grep -v '^\s*$' "$work/console-$boot.log" | tail -n 1 | cut -c1-160))"
done
verdict "more than 3 boots"
