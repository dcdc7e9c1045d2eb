#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# man-check.sh - the man pages (SPEC 7.3): groff and man-db format them
# without a warning, their version is the package's (dkms.conf), every
# page the pages refer to with the project's sections exists, and the C
# code of their EXAMPLES sections compiles (-Wall -Wextra -Werror) and,
# for mseal(3), runs as the page says.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CC=${CC:-cc}
lib=$(realpath "${LIBMSEAL_A:?LIBMSEAL_A: path of libmseal.a}")
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }

# The C code of a page's EXAMPLES section, roff escapes undone.
examples() {
	awk '/^\.SH /{ex = ($2 == "EXAMPLES")} ex && /^\.EE/{code = 0} ex && code {print} ex && /^\.EX/{code = 1}' "$1" |
		sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' -e 's/\\e/\\/g' -e 's/\\\\/\\/g'
}

cd "$root/docs/man"
for page in mseal.3 mseal.4 msealctl.8 libmseal-autoseal.8; do
	check "$page: groff -ww clean" bash -c "groff -man -Tutf8 -ww -z '$page' 2>&1 | (! grep .)"
	check "$page: man -l clean" bash -c "MANWIDTH=80 man -l '$page' 2>&1 >/dev/null | (! grep .)"
	th=$(sed -n 's/^\.TH [^ ]* [0-9] [^ ]* "[^ ]* \([^"]*\)".*/\1/p' "$page")
	check "$page: version $version (got '$th')" test "$th" = "$version"
	for ref in $(grep -oE '^\.BR (mseal|msealctl|libmseal\\-autoseal) \([348]\)' "$page" | sed 's/^\.BR \(.*\) (\(.\))/\1.\2/; s/\\-/-/' | sort -u); do
		check "$page: refers to $ref, which exists" test -f "$ref"
	done
done

examples mseal.3 >"$tmp/mseal3.c"
check "mseal.3: EXAMPLES compiles" \
	"$CC" -Wall -Wextra -Werror -I"$root/lib" -o "$tmp/mseal3" "$tmp/mseal3.c" "$lib"
if printf '#include <unistd.h>\nint main(void){return syscall(462,0L,0L,0L)!=0;}\n' |
	"$CC" -x c -o "$tmp/probe" - && "$tmp/probe"; then
	out=$("$tmp/mseal3" 2>&1) && rc=0 || rc=$?
	check "mseal.3: EXAMPLES runs: mprotect refused after mseal ('$out')" \
		test "$rc:$out" = "0:mseal3: mprotect after mseal: Operation not permitted"
else
	n=$((n + 1))
	echo "ok $n - mseal.3: EXAMPLES run # SKIP no mseal(2) here (and never a module on a build machine)"
fi
examples mseal.4 >"$tmp/mseal4.c"
check "mseal.4: EXAMPLES compiles" \
	"$CC" -Wall -Wextra -Werror -Wno-unused-function -I"$root/include/uapi" -c -o /dev/null "$tmp/mseal4.c"

echo "# man-check: $((n - fails)) passed, $fails failed"
exit $((fails > 0))
