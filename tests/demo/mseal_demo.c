// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_demo - a narrated session for `make demo`: seal a buffer, watch the
 * kernel refuse to unmap, re-protect, move or discard it, and check that its
 * contents and mapping survived every attempt.  Exit status 0 only if every
 * step behaved as mseal(2) says it must.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mseal_dev.h>

#define PAGE	4096UL
static const char secret[] = "sealed: nobody may unmap, move or change me";
static int bad;

static void say(const char *what)
{
	printf("\n-- %s\n", what);
}

/* Report a call that must fail with EPERM. */
static void expect_eperm(const char *call, long ret)
{
	int ok = ret == -1 && errno == EPERM;

	printf("   %-52s -> %s%s\n", call,
	       ret == -1 ? strerror(errno) : "succeeded",
	       ok ? "   (refused, as it must be)" : "   UNEXPECTED");
	bad |= !ok;
}

static void show_mapping(const char *buf)
{
	char line[256], lo[32];
	FILE *f = fopen("/proc/self/maps", "r");

	snprintf(lo, sizeof(lo), "%lx-", (unsigned long)buf);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, lo, strlen(lo)))
			printf("   maps: %s", line);
	if (f)
		fclose(f);
}

int main(void)
{
	struct mseal_args args;
	char *buf;
	int fd;

	setvbuf(stdout, NULL, _IONBF, 0);
	say("map a read-only buffer and write a secret into it first");
	buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	strcpy(buf, secret);
	mprotect(buf, 2 * PAGE, PROT_READ);
	printf("   buffer at %p: \"%s\"\n", buf, buf);
	show_mapping(buf);

	say("seal it: ioctl(/dev/mseal, MSEAL_IOC_SEAL, {addr, len, 0})");
	fd = open(MSEAL_DEV_PATH, O_RDONLY | O_CLOEXEC);
	args = (struct mseal_args){ (unsigned long)buf, 2 * PAGE, 0 };
	if (fd < 0 || ioctl(fd, MSEAL_IOC_SEAL, &args)) {
		printf("   seal failed: %s\n", strerror(errno));
		return 1;
	}
	printf("   sealed %lu bytes; no privilege was needed\n", 2 * PAGE);

	say("now try to get rid of it or change it");
	expect_eperm("munmap(buf, 8192)", munmap(buf, 2 * PAGE));
	expect_eperm("mprotect(buf, 4096, PROT_READ|PROT_WRITE)",
		     mprotect(buf, PAGE, PROT_READ | PROT_WRITE));
	expect_eperm("mprotect(buf, 4096, PROT_READ)  (no-op)",
		     mprotect(buf, PAGE, PROT_READ));
	expect_eperm("mmap(buf, 4096, ..., MAP_FIXED)",
		     (long)mmap(buf, PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	expect_eperm("mremap(buf, 8192, 4096, 0)  (shrink)",
		     (long)mremap(buf, 2 * PAGE, PAGE, 0));
	expect_eperm("madvise(buf, 8192, MADV_DONTNEED)",
		     madvise(buf, 2 * PAGE, MADV_DONTNEED));

	say("and it is all still there");
	printf("   buffer at %p: \"%s\"\n", buf, buf);
	show_mapping(buf);
	if (strcmp(buf, secret)) {
		printf("   CONTENTS CHANGED\n");
		bad = 1;
	}

	say("sealing again is fine (idempotent); bad requests get mseal(2)'s errors");
	printf("   seal again            -> %s\n",
	       ioctl(fd, MSEAL_IOC_SEAL, &args) ? strerror(errno) : "ok");
	args.flags = 1;
	printf("   flags=1               -> %s\n",
	       ioctl(fd, MSEAL_IOC_SEAL, &args) ? strerror(errno) : "ok");
	args = (struct mseal_args){ (unsigned long)buf + 1, PAGE, 0 };
	printf("   unaligned address     -> %s\n",
	       ioctl(fd, MSEAL_IOC_SEAL, &args) ? strerror(errno) : "ok");

	printf("\n%s\n", bad ? "demo: SOMETHING WAS NOT REFUSED" :
	       "demo: every attempt was refused and nothing changed");
	return bad;
}
