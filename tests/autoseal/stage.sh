#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/autoseal/stage.sh DIR - the dynamically linked system programs the
# autoseal guest test runs (tests/selftests/mseal_autoseal.c), copied from
# this machine into DIR/bin, with the least python3 needs to start: its
# landmark os.py, the encodings it imports at start-up, and one extension
# module (_json, dlopen'd by the test).  tests/vm/mkinitramfs.sh adds the
# shared libraries of every dynamic ELF under the tests directory (ldd).
# Host architecture only: the guest must be of the same one.
set -euo pipefail
out=${1:?usage: stage.sh DIR}
py=$(readlink -f /usr/bin/python3)
pyver=$(basename "$py")                   # python3.11
pylib=/usr/lib/$pyver
mkdir -p "$out/bin" "$out/lib/$pyver/encodings" "$out/lib/$pyver/lib-dynload"
for p in /bin/ls /bin/bash /usr/bin/perl; do
	install -m 0755 "$(readlink -f "$p")" "$out/bin/$(basename "$p")"
done
install -m 0755 "$py" "$out/bin/python3"
install -m 0644 "$pylib/os.py" "$out/lib/$pyver/"
for m in __init__ aliases utf_8; do
	install -m 0644 "$pylib/encodings/$m.py" "$out/lib/$pyver/encodings/"
done
install -m 0755 "$pylib"/lib-dynload/_json.*.so "$out/lib/$pyver/lib-dynload/"
