#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkmodroot.sh KO DIR - DIR/lib/modules/<release>/extra/mseal.ko with the
# indexes depmod(8) makes (modules.dep and modules.dep.bin, ...), where
# <release> is the kernel KO was built for (its vermagic).  mseal_ctl binds
# it over the guest's /lib/modules/<release> to test loading by name
# (libkmod and modprobe need those indexes).  depmod -b only writes under
# DIR: nothing of this machine's kernel or /lib/modules is touched.
set -eu
ko=$1 dir=$2
PATH=$PATH:/sbin:/usr/sbin
rel=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
[ -n "$rel" ] || { echo "mkmodroot: no vermagic in $ko" >&2; exit 1; }
rm -rf "$dir"
mkdir -p "$dir/lib/modules/$rel/extra"
cp "$ko" "$dir/lib/modules/$rel/extra/mseal.ko"
# What a kernel package provides, for depmod: nothing built in.
echo extra/mseal.ko >"$dir/lib/modules/$rel/modules.order"
: >"$dir/lib/modules/$rel/modules.builtin"
: >"$dir/lib/modules/$rel/modules.builtin.modinfo"
depmod -b "$dir" "$rel"
echo "mkmodroot: $dir/lib/modules/$rel"
