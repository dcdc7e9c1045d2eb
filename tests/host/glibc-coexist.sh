#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# glibc-coexist.sh - libmseal next to a C library that has its own mseal()
# (glibc 2.43: mseal@@GLIBC_2.43, declared in <sys/mman.h>).  This
# machine's glibc may be older, so a stand-in is built: libfakec.so.6
# exporting mseal@@GLIBC_2.43 (and libfakec.a), which fails with EDOM so
# that the caller can tell whose mseal() it reached; libmseal's fails with
# ENOSYS here (no mseal(2) on a build machine without the module) or
# succeeds (a kernel with mseal(2)).
#  - no clash: a program, a static link and a shared library all build
#    with both;
#  - no surprise: a program linked with -lmseal calls libmseal's, and keeps
#    calling it when the C library's comes first in the lookup order
#    (LD_PRELOAD): the reference is versioned (LIBMSEAL_0.1); a program
#    linked without -lmseal calls the C library's, even with libmseal.so.0
#    loaded first.
# Usage: LIBMSEAL_DIR=<dir with libmseal.so.0, libmseal.so, libmseal.a> glibc-coexist.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CC=${CC:-cc}
L=$(realpath "${LIBMSEAL_DIR:?LIBMSEAL_DIR: the directory of libmseal.so.0 and libmseal.a}")
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }

cat >"$t/fakec.c" <<'C'
#include <errno.h>
#include <stddef.h>
int mseal(void *addr, size_t len, unsigned long flags)
{
	(void)addr; (void)len; (void)flags;
	errno = EDOM;
	return -1;
}
C
printf 'GLIBC_2.43 { global: mseal; local: *; };\n' >"$t/fakec.map"
"$CC" -O2 -fPIC -shared -Wl,-soname,libfakec.so.6 -Wl,--version-script,"$t/fakec.map" \
	-o "$t/libfakec.so.6" "$t/fakec.c"
ln -s libfakec.so.6 "$t/libfakec.so"
"$CC" -O2 -c -o "$t/fakec.o" "$t/fakec.c"
ar rcs "$t/libfakec.a" "$t/fakec.o"

# glibc 2.43's declaration in <sys/mman.h>, then <mseal.h>: one program.
cat >"$t/prog.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
extern int mseal (void *__addr, size_t __len, unsigned long __flags)
	__attribute__ ((__nothrow__, __leaf__));
#include <mseal.h>
int main(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mseal(p, ps, 0) == 0)
		puts("libmseal");
	else
		puts(errno == EDOM ? "libc" : errno == ENOSYS ? "libmseal" : strerror(errno));
	return 0;
}
C
run() { LD_LIBRARY_PATH=$L:$t "$@" 2>&1; }
inc=(-I"$root/lib")
if "$CC" -Wall -Wextra -Werror "${inc[@]}" -o "$t/with" "$t/prog.c" -L"$L" -lmseal -L"$t" -lfakec; then
	ok "builds with -lmseal and a C library that has mseal@@GLIBC_2.43"
	check "binds mseal to LIBMSEAL_0.1" \
		grep -q 'mseal@LIBMSEAL_0.1' <(readelf --dyn-syms -W "$t/with")
	check "calls libmseal's mseal() (got '$(run "$t/with")')" test "$(run "$t/with")" = libmseal
	check "calls libmseal's with the C library's looked up first (LD_PRELOAD)" \
		test "$(LD_PRELOAD=$t/libfakec.so.6 run "$t/with")" = libmseal
else
	notok "builds with -lmseal and a C library that has mseal@@GLIBC_2.43"
fi
if "$CC" -Wall -Wextra -Werror "${inc[@]}" -o "$t/without" "$t/prog.c" -L"$t" -lfakec; then
	check "without -lmseal: binds to GLIBC_2.43" \
		grep -q 'mseal@GLIBC_2.43' <(readelf --dyn-syms -W "$t/without")
	check "without -lmseal: the C library's, even with libmseal.so.0 loaded first" \
		test "$(LD_PRELOAD=$L/libmseal.so.0 run "$t/without")" = libc
else
	notok "builds with the C library's mseal() alone"
fi
check "static: libmseal.a and a C library archive with mseal(): no clash" \
	"$CC" -Wall -Wextra -Werror "${inc[@]}" -o "$t/static" "$t/prog.c" "$L/libmseal.a" "$t/libfakec.a"
[[ -x $t/static ]] && check "static: calls libmseal's (got '$("$t/static")')" test "$("$t/static")" = libmseal
# A shared library that seals through libmseal, used by a program that
# does not: the library gets libmseal's.
printf '#include <mseal.h>\nint lib_seal(void *p, size_t n) { return mseal(p, n, 0); }\n' >"$t/user.c"
check "a shared library linked with -lmseal next to the C library's mseal()" \
	"$CC" -Wall -Wextra -Werror -fPIC -shared "${inc[@]}" -o "$t/libuser.so" "$t/user.c" -L"$L" -lmseal
[[ -f $t/libuser.so ]] && check "that library binds mseal to LIBMSEAL_0.1" \
	grep -q 'mseal@LIBMSEAL_0.1' <(readelf --dyn-syms -W "$t/libuser.so")

echo "# glibc-coexist: $((n - fails)) passed, $fails failed"
exit $((fails > 0))
