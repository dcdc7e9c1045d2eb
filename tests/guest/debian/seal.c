// SPDX-License-Identifier: GPL-2.0
/*
 * seal.c - built in the Debian guest with the installed libmseal-dev:
 *   cc -o seal seal.c $(pkg-config --cflags --libs libmseal)
 * Seals a page with mseal(), then checks that mprotect, munmap and
 * mremap are refused with EPERM and the page still reads.  Prints one
 * line; exit status 0 only if all of that held.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <mseal.h>

int main(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		printf("mmap: %s\n", strerror(errno));
		return 1;
	}
	p[0] = 42;
	if (mseal(p, ps, 0)) {
		printf("mseal: %s\n", strerror(errno));
		return 1;
	}
	if (mprotect(p, ps, PROT_READ) == 0 || errno != EPERM) {
		printf("mprotect after mseal: not refused with EPERM\n");
		return 1;
	}
	if (munmap(p, ps) == 0 || errno != EPERM) {
		printf("munmap after mseal: not refused with EPERM\n");
		return 1;
	}
	if (mremap(p, ps, 2 * ps, MREMAP_MAYMOVE) != MAP_FAILED || errno != EPERM) {
		printf("mremap after mseal: not refused with EPERM\n");
		return 1;
	}
	if (p[0] != 42) {
		printf("sealed page lost its contents\n");
		return 1;
	}
	printf("sealed; mprotect, munmap, mremap refused with EPERM\n");
	return 0;
}
