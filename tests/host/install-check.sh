#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# install-check.sh - `make install` into a staging directory, then use what
# was installed the way a packager and a program would (SPEC 7.1-7.3):
#  - every file in its place (library, links, header, .pc, msealctl, man
#    pages with their .so links);
#  - libmseal.so.0: soname, and exactly mseal, mseal_list and
#    mseal_sysmap_optout exported, at version LIBMSEAL_0.1;
#  - pkg-config finds it; a C program builds with it, dynamically (and
#    binds mseal to libmseal's version) and statically, and runs;
#  - <mseal.h> coexists with the mseal() declaration of glibc 2.41's
#    <sys/mman.h>, in C and C++, in either order.
# Runs on the build machine with its compiler; nothing outside a
# temporary directory is written.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CC=${CC:-cc}
CXX=${CXX:-c++}
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }

make -s -C "$root" install DESTDIR="$stage" PREFIX=/usr >"$stage/make.log" 2>&1 ||
	{ cat "$stage/make.log"; echo "not ok - make install"; exit 1; }
d=$stage/usr
for f in lib/libmseal.so.$version lib/libmseal.a include/mseal.h \
	lib/pkgconfig/libmseal.pc sbin/msealctl share/man/man3/mseal.3 \
	share/man/man3/mseal_list.3 share/man/man3/mseal_sysmap_optout.3 \
	share/man/man4/mseal.4 share/man/man8/msealctl.8 \
	lib/mseal/libmseal-autoseal.so share/man/man8/libmseal-autoseal.8; do
	check "installed $f" test -f "$d/$f"
done
check "libmseal.so.0 -> libmseal.so.$version" \
	test "$(readlink "$d/lib/libmseal.so.0")" = "libmseal.so.$version"
check "libmseal.so -> libmseal.so.0" test "$(readlink "$d/lib/libmseal.so")" = libmseal.so.0
check "msealctl executable" test -x "$d/sbin/msealctl"

lib=$d/lib/libmseal.so.$version
soname=$(readelf -dW "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
check "soname libmseal.so.0 (got '$soname')" test "$soname" = libmseal.so.0
exported=$(readelf --dyn-syms -W "$lib" | awk '$7 != "UND" && $8 ~ /@/ && $4 == "FUNC" {print $8}' | sort | tr '\n' ' ')
want="mseal@@LIBMSEAL_0.1 mseal_list@@LIBMSEAL_0.1 mseal_sysmap_optout@@LIBMSEAL_0.1 "
check "exports exactly: $want(got: $exported)" test "$exported" = "$want"
check "depends on the C library only" \
	test "$(readelf -dW "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')" = "libc.so.6 "

export PKG_CONFIG_SYSROOT_DIR=$stage PKG_CONFIG_LIBDIR=$d/lib/pkgconfig
check "pkg-config version $version" test "$(pkg-config --modversion libmseal)" = "$version"
cflags=$(pkg-config --cflags libmseal)
libs=$(pkg-config --libs libmseal | sed "s/ *$//")
check "pkg-config --libs (got '$libs')" test "$libs" = "-L$d/lib -lmseal"

cat >"$stage/prog.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <mseal.h>

int main(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 2;
	if (mseal(p, ps, 0)) {
		printf("mseal: %s\n", strerror(errno));
		return errno == ENOSYS ? 0 : 1;
	}
	if (!mprotect(p, ps, PROT_READ | PROT_WRITE) || errno != EPERM)
		return 1;
	printf("sealed\n");
	return 0;
}
C
native=$(printf '#include <unistd.h>\nint main(void){return syscall(462,0L,0L,0L)!=0;}\n' |
	"$CC" -x c -o "$stage/probe" - && "$stage/probe" && echo yes || echo no)
[[ $native == yes ]] && want_out=sealed || want_out="mseal: Function not implemented"
# shellcheck disable=SC2086 # pkg-config output is a word list
if "$CC" -Wall -Wextra -Werror $cflags -o "$stage/prog" "$stage/prog.c" $libs; then
	ok "builds with pkg-config, dynamically"
	out=$(LD_LIBRARY_PATH=$d/lib "$stage/prog") && rc=0 || rc=$?
	check "dynamic program runs: '$out' (want '$want_out')" test "$rc.$out" = "0.$want_out"
	check "binds mseal to libmseal.so.0 version LIBMSEAL_0.1" \
		grep -q 'LIBMSEAL_0.1' <(readelf -VW "$stage/prog" | sed -n '/libmseal.so.0/,$p')
else
	notok "builds with pkg-config, dynamically"
fi
# shellcheck disable=SC2086
if "$CC" -static -Wall -Wextra -Werror $cflags -o "$stage/prog-static" "$stage/prog.c" \
	$(pkg-config --static --libs libmseal); then
	out=$("$stage/prog-static") && rc=0 || rc=$?
	check "static program runs: '$out'" test "$rc.$out" = "0.$want_out"
else
	notok "builds with pkg-config, statically"
fi

# glibc 2.41's declaration (bits/mman-shared.h), whatever this glibc is.
cat >"$stage/glibc241.h" <<'C'
#include <stddef.h>
#ifdef __cplusplus
extern "C" int mseal (void *__addr, size_t __len, unsigned long __flags) noexcept (true);
#else
extern int mseal (void *__addr, size_t __len, unsigned long __flags)
	__attribute__ ((__nothrow__, __leaf__));
#endif
C
printf '#include "glibc241.h"\n#include <mseal.h>\nint f(void *p) { return mseal(p, 1, 0); }\n' >"$stage/a.c"
printf '#include <mseal.h>\n#include "glibc241.h"\nint f(void *p) { return mseal(p, 1, 0); }\n' >"$stage/b.c"
for src in a b; do
	# shellcheck disable=SC2086
	check "C: <mseal.h> with glibc 2.41's mseal() ($src)" \
		"$CC" -Wall -Wextra -Werror -I"$stage" $cflags -c -o /dev/null "$stage/$src.c"
	for std in c++11 c++17 c++98; do
		cp "$stage/$src.c" "$stage/$src.cc"
		if [[ $std == c++98 ]]; then
			# Before C++11 glibc writes throw ().
			sed -i 's/noexcept (true)/throw ()/' "$stage/glibc241.h"
		fi
		# shellcheck disable=SC2086
		check "$std: <mseal.h> with glibc 2.41's mseal() ($src)" \
			"$CXX" -std=$std -Wall -Wextra -Werror -I"$stage" $cflags -c -o /dev/null "$stage/$src.cc"
		sed -i 's/throw ()/noexcept (true)/' "$stage/glibc241.h"
	done
done

for page in man3/mseal.3 man3/mseal_list.3 man3/mseal_sysmap_optout.3 man4/mseal.4 man8/msealctl.8 \
	man8/libmseal-autoseal.8; do
	check "man renders installed $page" \
		bash -c "cd '$d/share/man' && MANWIDTH=80 man -l '$page' 2>&1 >/dev/null | (! grep .) && \
			MANWIDTH=80 man -l '$page' 2>/dev/null | grep -q NAME"
done

echo "# install-check: $((n - fails)) passed, $fails failed"
exit $((fails > 0))
