#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# boot.sh - the fixed part of a Debian test guest (tests/vm/debian-image.sh).
#
#   boot.sh --install ROOT   on the host, as mmdebstrap's customize hook:
#                            install this script and mseal-guest.service
#                            into ROOT, and make ROOT a quiet guest
#   boot.sh                  in the guest, at every boot (the unit): unpack
#                            the payload, a tar archive the host attaches as
#                            the raw disk /dev/vdb, and run its test.sh with
#                            its output on the second serial port (ttyS1)
#
# The test itself is in the payload, so that changing it does not change
# the image.  If test.sh does not end the boot, this script powers off.
set -eu

if [ "${1:-}" = --install ]; then
	r=$2
	here=$(dirname "$0")
	install -D -m 0755 "$0" "$r/usr/local/lib/mseal-guest/boot.sh"
	install -D -m 0644 "$here/mseal-guest.service" "$r/etc/systemd/system/mseal-guest.service"
	mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
	ln -sf /etc/systemd/system/mseal-guest.service \
		"$r/etc/systemd/system/multi-user.target.wants/mseal-guest.service"
	# Nothing in the background that could change what the test sees.
	for t in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
		man-db.timer dpkg-db-backup.timer; do
		ln -sf /dev/null "$r/etc/systemd/system/$t"
	done
	echo mseal-guest >"$r/etc/hostname"
	echo '/dev/vda / ext4 rw 0 0' >"$r/etc/fstab"
	chroot "$r" passwd -d root >/dev/null
	: >"$r/etc/machine-id"
	exit 0
fi

out=/dev/ttyS1
# Not under /run: it is mounted noexec.
p=/var/lib/mseal-guest/payload
rm -rf "$p"
mkdir -p "$p"
if ! tar -xf /dev/vdb -C "$p" 2>"$p/tar.err" || [ ! -f "$p/test.sh" ]; then
	echo "GUEST FAIL payload: no test.sh in /dev/vdb ($(head -c 200 "$p/tar.err"))" >"$out"
	systemctl poweroff
	exit 1
fi
bash "$p/test.sh" >"$out" 2>&1 || true
echo "GUEST test.sh did not end the boot: powering off" >"$out"
systemctl poweroff
