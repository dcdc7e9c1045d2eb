#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/make-deb.sh - `make deb`: the Debian packages, built with
# debhelper and dh-dkms from debian/, then checked with lintian.
#
#   build/deb/mseal-dkms_V_all.deb      module source, built by DKMS on the
#                                       target for every kernel
#   build/deb/libmseal0_V_ARCH.deb      shared library
#   build/deb/libmseal-dev_V_ARCH.deb   header, .so, .a, .pc, mseal(3)
#   build/deb/mseal-tools_V_ARCH.deb    msealctl, mseal(4), msealctl(8)
#   build/deb/mseal_V.dsc, .tar.xz      the source package
#
# V is dkms.conf's PACKAGE_VERSION, the one place the version is kept: the
# tree is copied to build/deb/mseal-V/ (tracked and untracked files, not
# ignored ones) and debian/changelog is written there from it, so the
# package version cannot disagree with the module's, the library's and the
# man pages'.  The source format is 3.0 (native): upstream ships debian/.
#
# Then one line per package, each of which fails the run:
#   package <name> <version>: built, lintian clean
# lintian --fail-on error,warning (overrides only in debian/*lintian-overrides,
# each with its reason).  Needs debhelper, dh-dkms, libkmod-dev, lintian
# (scripts/deps.sh).  MSEAL_DEB_LINTIAN=0 skips lintian (lines say so).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
[[ -n $ver ]] || { echo "make-deb: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
out=$root/build/deb
stage=$out/mseal-$ver
start=$(date +%s)

rm -rf "$out"
mkdir -p "$stage"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$root" ls-files -z -c -o --exclude-standard |
		while IFS= read -r -d '' f; do [[ -e $f || -L $f ]] && printf '%s\0' "$f"; done |
		xargs -0 cp -a --parents -t "$stage"
	epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct)}
else
	tar -C "$root" --exclude=./build --exclude=./.git -cf - . | tar -C "$stage" -xf -
	epoch=${SOURCE_DATE_EPOCH:-$(date +%s)}
fi
export SOURCE_DATE_EPOCH=$epoch

maint=$(sed -n 's/^Maintainer: //p' debian/control)
cat >"$stage/debian/changelog" <<CHANGELOG
mseal ($ver) unstable; urgency=medium

  * mseal $ver: the module (mseal-dkms), libmseal and msealctl.
    Version from dkms.conf (PACKAGE_VERSION).

 -- $maint  $(date -u -R -d "@$epoch")
CHANGELOG

if [[ ${MSEAL_DEB_LINTIAN:-1} != 0 ]] && ! command -v lintian >/dev/null; then
	echo "make-deb: lintian missing (run scripts/deps.sh)" >&2
	exit 1
fi
(cd "$stage" && dpkg-checkbuilddeps) ||
	{ echo "make-deb: missing build dependencies (run scripts/deps.sh)" >&2; exit 1; }
echo "make-deb: dpkg-buildpackage in $stage" >&2
(cd "$stage" && dpkg-buildpackage -us -uc --build=full -j2) >"$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log" >&2; echo "make-deb: dpkg-buildpackage failed (log: $out/build.log)" >&2; exit 1; }
echo "make-deb: built in $(($(date +%s) - start))s" >&2

debarch=$(dpkg --print-architecture)
fail=0
lint() { # lintian FILE: quiet when clean, the tags otherwise
	local log=$1.lintian
	if [[ ${MSEAL_DEB_LINTIAN:-1} == 0 ]]; then
		return 2
	fi
	if lintian --fail-on error,warning --display-info "$1" >"$log" 2>&1; then
		grep -E '^[EW]: ' "$log" >&2 && return 1
		return 0
	fi
	cat "$log" >&2
	return 1
}
dsc=$out/mseal_$ver.dsc
if lint "$dsc"; then :; elif [[ $? == 1 ]]; then
	echo "package mseal (source) $ver: lintian reports errors or warnings above"
	fail=1
fi
for p in mseal-dkms libmseal0 libmseal-dev mseal-tools; do
	a=$debarch
	[[ $p == mseal-dkms ]] && a=all
	deb=$out/${p}_${ver}_$a.deb
	if [[ ! -f $deb ]]; then
		echo "package $p $ver: not built ($deb missing)"
		fail=1
		continue
	fi
	got=$(dpkg-deb -f "$deb" Version)
	if [[ $got != "$ver" ]]; then
		echo "package $p $ver: built with version $got"
		fail=1
		continue
	fi
	if lint "$deb"; then
		echo "package $p $ver: built, lintian clean"
	elif [[ $? == 2 ]]; then
		echo "package $p $ver: built, lintian not run (MSEAL_DEB_LINTIAN=0)"
	else
		echo "package $p $ver: built, lintian reports errors or warnings above"
		fail=1
	fi
done
echo "make-deb: done in $(($(date +%s) - start))s; packages in $out" >&2
exit "$fail"
