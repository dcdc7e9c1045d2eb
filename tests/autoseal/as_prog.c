// SPDX-License-Identifier: GPL-2.0
/*
 * as_prog - the C program the autoseal tests run with and without
 * libmseal-autoseal.so (tests/selftests/mseal_autoseal.c).  Its output
 * must not depend on whether it was sealed, except where a mode is about
 * exactly that:
 *
 *   as_prog hello ARG...     print the arguments, exit 3
 *   as_prog threads          four threads, joined, exit 0
 *   as_prog dlopen N LIB     N dlopen/dlclose cycles of LIB; print how many
 *                            VMAs that added (must be 0), keep LIB open at exit
 *   as_prog execstack LIB    dlopen LIB, which needs an executable stack:
 *                            "ok", or "refused" and why
 *   as_prog ctor             mprotect() of its own text from a constructor
 *                            and from main: 0 or the errno name each
 *   as_prog madvise          MADV_DONTNEED on the page of its RELRO holding a
 *                            relocated pointer: the result, and whether the
 *                            pointer was lost (reverted to the file's bytes)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int ctor_result = -1;

static int text_mprotect(void)
{
	uintptr_t p = (uintptr_t)&text_mprotect & ~(uintptr_t)(getpagesize() - 1);

	return mprotect((void *)p, getpagesize(), PROT_READ | PROT_EXEC) ? errno : 0;
}

__attribute__((constructor)) static void ctor(void)
{
	if (getenv("AS_PROG_CTOR"))
		ctor_result = text_mprotect();
}

static const char *ename(int e)
{
	return e < 0 ? "not run" : e == 0 ? "0" : e == EPERM ? "EPERM" : strerror(e);
}

static void *thread_fn(void *arg)
{
	long n = (long)arg, sum = 0, i;

	for (i = 0; i <= n * 1000; i++)
		sum += i;
	return (void *)sum;
}

static int vma_count(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static int do_dlopen(long cycles, const char *lib)
{
	const char *(*hello)(void);
	int before, after;
	void *h;
	long i;

	/* The first load may allocate what stays (a TLS slot, a name). */
	h = dlopen(lib, RTLD_NOW);
	if (!h) {
		printf("dlopen: %s\n", dlerror());
		return 1;
	}
	dlclose(h);
	before = vma_count();
	for (i = 0; i < cycles; i++) {
		h = dlopen(lib, RTLD_NOW);
		if (!h) {
			printf("dlopen %ld: %s\n", i, dlerror());
			return 1;
		}
		hello = (const char *(*)(void))dlsym(h, "as_dl_hello");
		if (!hello || strcmp(hello(), "as_dl rodata")) {
			printf("dlsym %ld: wrong\n", i);
			return 1;
		}
		if (dlclose(h)) {
			printf("dlclose %ld: %s\n", i, dlerror());
			return 1;
		}
	}
	after = vma_count();
	printf("%ld dlopen/dlclose cycles: %d VMAs added\n", cycles, after - before);
	/* Left open: at exit the test checks that it is not sealed. */
	if (!dlopen(lib, RTLD_NOW))
		return 1;
	return after != before;
}

/* A relocated pointer in .data.rel.ro (RELRO): unrelocated in the file. */
static const char *const relro_ptr = "relocated";

/*
 * After the page is discarded nothing may go through the GOT (it may be
 * on that page): raw system calls, lengths known at compile time.
 */
#ifdef __x86_64__
static long raw3(long n, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}
#define RAW_PUT(s) raw3(1, 1, (long)(s), sizeof(s) - 1)

static int do_madvise(void)
{
	long ps = getpagesize();
	uintptr_t page = (uintptr_t)&relro_ptr & ~(uintptr_t)(ps - 1);
	const char *volatile const *pp = (const char *volatile const *)&relro_ptr;
	const char *before = *pp;
	long ret;

	if (!before || strcmp(before, "relocated"))
		return 1;
	fflush(stdout);
	ret = raw3(28 /* madvise */, (long)page, ps, MADV_DONTNEED);
	RAW_PUT("madvise(MADV_DONTNEED) on RELRO: ");
	if (ret == 0)
		RAW_PUT("0");
	else if (ret == -EPERM)
		RAW_PUT("EPERM");
	else
		RAW_PUT("error");
	if (*pp != before)
		RAW_PUT(", relocated pointer lost (file contents)\n");
	else
		RAW_PUT(", relocated pointer kept\n");
	raw3(231 /* exit_group */, 0, 0, 0);
	return 1;
}
#else
static int do_madvise(void)
{
	printf("madvise: x86_64 only\n");
	return 0;
}
#endif

int main(int argc, char **argv)
{
	int i;

	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "hello")) {
		for (i = 2; i < argc; i++)
			printf("arg %d: %s\n", i - 1, argv[i]);
		fprintf(stderr, "to stderr\n");
		return 3;
	}
	if (!strcmp(argv[1], "threads")) {
		pthread_t t[4];
		long total = 0;

		for (i = 0; i < 4; i++)
			if (pthread_create(&t[i], NULL, thread_fn, (void *)(long)(i + 1)))
				return 1;
		for (i = 0; i < 4; i++) {
			void *r;

			pthread_join(t[i], &r);
			total += (long)r;
		}
		printf("threads total %ld\n", total);
		return 0;
	}
	if (!strcmp(argv[1], "dlopen") && argc == 4)
		return do_dlopen(atol(argv[2]), argv[3]);
	if (!strcmp(argv[1], "execstack") && argc == 3) {
		const char *e;

		if (dlopen(argv[2], RTLD_NOW)) {
			printf("execstack dlopen: ok\n");
			return 0;
		}
		e = dlerror();
		printf("execstack dlopen: refused%s\n",
		       e && strstr(e, "cannot change memory protections") ?
		       " (cannot change memory protections)" : "");
		return 1;
	}
	if (!strcmp(argv[1], "ctor")) {
		printf("ctor mprotect: %s\n", ename(ctor_result));
		printf("main mprotect: %s\n", ename(text_mprotect()));
		return 0;
	}
	if (!strcmp(argv[1], "madvise"))
		return do_madvise();
	return 2;
}
