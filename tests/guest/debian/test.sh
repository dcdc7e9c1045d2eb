#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test.sh - the administrator's path in a Debian guest, run at each boot by
# boot.sh from the payload tests/vm/debian-guest.sh attaches (debs/, seal.c,
# VERSION).  Its state across reboots is in /var/lib/mseal-guest-test.
#
#   boot 1: apt-get install ./debs/*.deb (DKMS builds mseal.ko here),
#           the configuration files, modprobe, msealctl status, a program
#           built with `pkg-config --libs libmseal` seals and is refused;
#           reboot
#   boot 2: mseal loaded at boot by systemd-modules-load with the options
#           of /etc/modprobe.d/mseal.conf, msealctl status, a process
#           exec'd after boot has its system mappings sealed, the program
#           again; apt-get remove of the four packages leaves no module
#           and no file; reboot
#   boot 3: the boot is clean without the module: not loaded,
#           systemd-modules-load did not fail; power off
#
# Protocol on stdout (the host's ttyS1), one line each:
#   STEP <name> ok [detail]          a step passed
#   FAIL <name>: <one-line reason>   a step failed (then power off)
#   NEXT reboot                      the guest reboots (QEMU exits, -no-reboot)
#   DONE                             everything passed (then power off)
set -uo pipefail

p=$(cd "$(dirname "$0")" && pwd)
st=/var/lib/mseal-guest-test
mkdir -p "$st"
ver=$(cat "$p/VERSION")
krel=$(uname -r)
export DEBIAN_FRONTEND=noninteractive PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
stage=$(cat "$st/stage" 2>/dev/null || echo install)
pkgs=(mseal-dkms mseal-tools libmseal-dev libmseal0)

step() { echo "STEP $*"; }
fail() {
	echo "FAIL $1: $2"
	echo "$1" >"$st/failed"
	end_boot poweroff
}
next_boot() {
	echo "$1" >"$st/stage"
	sync
	echo "NEXT reboot"
	end_boot reboot
}
# The boot ends here: QEMU (-no-reboot) exits when the guest resets or
# powers off.  No D-Bus in the guest: no inhibitor check, no wall message.
end_boot() {
	systemctl --no-wall --check-inhibitors=no "$1" 2>/dev/null
	sleep infinity
}
oneline() { tr '\n' ' ' | sed 's/  */ /g; s/ $//' | cut -c1-300; }

seal_test() { # as nobody: sealing needs no privilege
	local out
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$st/seal" 2>&1) ||
		fail "seal$1" "$out"
	step "seal$1 ok" "$out"
}

status_check() { # msealctl status: loaded, version, system-mapping sealing on
	local s
	s=$(msealctl status 2>&1) || fail "msealctl status$1" "exit $?: $(echo "$s" | oneline)"
	if ! grep -qx 'module: loaded' <<<"$s" || ! grep -qx "version: $ver" <<<"$s" ||
		! grep -qx 'seal-system-mappings: on' <<<"$s"; then
		fail "msealctl status$1" "$(echo "$s" | oneline)"
	fi
	step "msealctl status$1 ok" "$(grep -E '^(module|version|seal-system-mappings):' <<<"$s" | oneline)"
}

# shellcheck source=/dev/null
echo "GUEST stage $stage, kernel $krel, $(. /etc/os-release && echo "$PRETTY_NAME")"
case "$stage" in
install)
	t0=$(date +%s)
	debs=()
	for n in "${pkgs[@]}"; do debs+=("$p/debs/$n"_*.deb); done
	apt-get install -y --no-install-recommends "${debs[@]}" >"$st/apt-install.log" 2>&1
	rc=$?
	t=$(($(date +%s) - t0))
	mlog=/var/lib/dkms/mseal/$ver/build/make.log
	ko=$(find "/lib/modules/$krel" -name 'mseal.ko*' 2>/dev/null | head -n 1)
	if [[ -z $ko ]]; then
		why=$(grep -m1 -E 'error:|Error [0-9]' "$mlog" 2>/dev/null || tail -n 3 "$st/apt-install.log")
		fail "dkms build" "no mseal.ko for $krel after apt-get install (exit $rc, ${t}s): $(echo "$why" | oneline)"
	fi
	((rc == 0)) || fail install "apt-get install exit $rc: $(tail -n 3 "$st/apt-install.log" | oneline)"
	step "install ok" "apt-get install of ${#debs[@]} packages in ${t}s"
	dk=$(dkms status -m mseal -v "$ver" -k "$krel" 2>&1)
	grep -q ': installed' <<<"$dk" || fail "dkms build" "dkms status: $dk"
	vm=$(modinfo -F vermagic "$ko")
	[[ $vm == "$krel "* ]] || fail "dkms build" "$ko has vermagic '$vm'"
	el=$(sed -n 's/.*elapsed time: *//p' "$mlog" 2>/dev/null | tail -n 1)
	step "dkms build ok" "$ko${el:+, make took $el}"
	grep -qx 'options mseal seal_system_mappings=1' /etc/modprobe.d/mseal.conf ||
		fail config "/etc/modprobe.d/mseal.conf lacks 'options mseal seal_system_mappings=1'"
	grep -qx mseal /etc/modules-load.d/mseal.conf || fail config "/etc/modules-load.d/mseal.conf lacks 'mseal'"
	step "config ok" "/etc/modprobe.d/mseal.conf, /etc/modules-load.d/mseal.conf"
	out=$(modprobe mseal 2>&1) || fail modprobe "$out $(dmesg 2>/dev/null | grep 'mseal: ' | tail -n 2 | oneline)"
	[[ -c /dev/mseal && $(stat -c %a /dev/mseal) == 666 ]] || fail modprobe "/dev/mseal missing or not mode 0666"
	step "modprobe ok" "$(dmesg 2>/dev/null | grep -m1 'mseal: version' | oneline)"
	status_check ""
	# shellcheck disable=SC2046 # pkg-config prints a list of words
	out=$(cc -Wall -Wextra -Werror -o "$st/seal" "$p/seal.c" $(pkg-config --cflags --libs libmseal) 2>&1) ||
		fail "seal build" "$out"
	readelf -VW "$st/seal" | sed -n '/libmseal.so.0/,$p' | grep -q LIBMSEAL_0.1 ||
		fail "seal build" "mseal not bound to libmseal.so.0 (LIBMSEAL_0.1)"
	step "seal build ok" "cc seal.c \$(pkg-config --cflags --libs libmseal): $(pkg-config --libs libmseal)"
	seal_test ""
	next_boot reboot
	;;
reboot)
	[[ -d /sys/module/mseal ]] || fail reboot "mseal not loaded at boot"
	r="$(systemctl show -p ActiveState --value systemd-modules-load.service)/$(systemctl show -p Result --value systemd-modules-load.service)"
	[[ $r == active/success ]] || fail reboot "systemd-modules-load.service: $r"
	# What it logged, for the record (not every systemd logs the insertion).
	echo "INFO systemd-modules-load: $({ journalctl -b -o cat -u systemd-modules-load.service 2>/dev/null
		dmesg 2>/dev/null | grep 'systemd-modules-load'; } | oneline)"
	v=$(cat /sys/module/mseal/parameters/seal_system_mappings)
	[[ $v == 1 ]] || fail reboot "seal_system_mappings is $v, /etc/modprobe.d/mseal.conf says 1"
	step "reboot ok" "loaded at boot (systemd-modules-load: $r), seal_system_mappings=$v"
	status_check " after reboot"
	sleep 300 &
	pid=$!
	for _ in $(seq 50); do # until the child has exec'd sleep
		[[ $(readlink "/proc/$pid/exe") == */sleep ]] && break
		sleep 0.1
	done
	l=$(msealctl list "$pid" 2>&1)
	kill "$pid"
	grep -q ' system .*\[vdso\]' <<<"$l" || fail sysmap "msealctl list of a process exec'd after boot: $(echo "$l" | oneline)"
	step "sysmap ok" "$(echo "$l" | oneline)"
	seal_test " after reboot"
	t0=$(date +%s)
	apt-get remove -y "${pkgs[@]}" >"$st/apt-remove.log" 2>&1 ||
		fail remove "apt-get remove: $(tail -n 3 "$st/apt-remove.log" | oneline)"
	t=$(($(date +%s) - t0))
	left=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' "${pkgs[@]}" 2>/dev/null | grep -v '^un' | grep -v '^rc')
	[[ -z $left ]] || fail remove "still installed: $(echo "$left" | oneline)"
	left=$(find / -xdev \( -path /proc -o -path /sys -o -path /run -o -path "$st" -o -path /var/lib/dpkg \
		-o -path /usr/local/lib/mseal-guest -o -path /var/lib/mseal-guest -o -name mseal-guest.service \) -prune -o \( -iname '*mseal*' -print \) 2>/dev/null)
	[[ -z $left ]] || fail remove "left behind: $(echo "$left" | oneline)"
	dkms status 2>/dev/null | grep -q mseal && fail remove "dkms still knows mseal: $(dkms status | oneline)"
	step "remove ok" "apt-get remove in ${t}s; no mseal file, no module, no package left ($(grep -c . "$st/apt-remove.log") log lines)"
	next_boot removed
	;;
removed)
	[[ ! -d /sys/module/mseal ]] || fail "boot after remove" "mseal still loaded"
	systemctl is-failed -q systemd-modules-load.service &&
		fail "boot after remove" "systemd-modules-load.service failed: $(journalctl -b -o cat -u systemd-modules-load.service | oneline)"
	modprobe -n mseal >/dev/null 2>&1 && fail "boot after remove" "modprobe still finds mseal"
	step "boot after remove ok" "not loaded, systemd-modules-load clean"
	echo DONE
	end_boot poweroff
	;;
*)
	fail stage "unknown stage '$stage'"
	;;
esac
