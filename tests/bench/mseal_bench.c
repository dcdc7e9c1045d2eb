// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_bench - what the module costs on the hot path, as ratios (SPEC 8.1).
 *
 * Runs in a guest booted with `-icount shift=0` (make bench), where guest
 * time counts instructions, so the figures are free of host noise.  Each
 * phase runs in a fresh process that maps 1000 one-page VMAs (each between
 * two PROT_NONE guard VMAs, so nothing merges or splits) and touches them;
 * a measurement is one pass of one operation over all of them, the best of
 * 5 passes (what a pass discards is put back, untimed).  Before each
 * pass the kernel's VMA and maple-tree node caches are warmed (settle()):
 * without that, munmap and mmap(MAP_FIXED) cost either N or N + ~615
 * instructions per call, by process and at random, the module loaded or
 * not.  The maple tree preallocates a dozen nodes per store and frees most
 * of them again, and those caches are shared with every other object of
 * their size, so what their slabs hold depends on the rest of the system:
 * measured, shrinking them (/sys/kernel/slab/NAME/shrink) makes the upper
 * count the rule, and warming them the lower one.  The same
 * operations are measured in one boot:
 *   unloaded    mseal.ko not loaded (the stock kernel)
 *   loaded      loaded, nothing sealed anywhere (no hook is armed)
 *   elsewhere   another process holds a seal (hooks armed)
 *   own-seal    this process holds a seal far from the pages it works on
 *   syscall=1   the same, with the module's mseal(2) switched on
 * and printed as instructions per operation and as ratios to "unloaded".
 * The one TAP result asserts what must hold whatever the speed: every
 * operation on unsealed memory succeeded with the module loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mseal_dev.h>

#define PAGE		4096UL
#define NVMAS		1000
#define ROUNDS		5
#define MODULE_PATH	"/mseal/mseal.ko"
#define SYSCALL_PARAM	"/sys/module/mseal/parameters/syscall"

enum { OP_GETPPID, OP_MPROTECT, OP_MADVISE, OP_MUNMAP, OP_MMAP, NR_OPS };

static const char *const op_name[NR_OPS] = {
	"getppid", "mprotect", "madvise", "munmap", "mmap-fixed",
};
static char *region;	/* 2 * NVMAS pages: page 2i is VMA i */
static int failures;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static char *vma_page(int i)
{
	return region + 2 * i * PAGE;
}

/* Every VMA's page present, so that each operation has a page to handle. */
static void populate(void)
{
	int i;

	for (i = 0; i < NVMAS; i++)
		*(volatile char *)vma_page(i) = 1;
}

/*
 * Leave the slab caches of VMAs and maple-tree nodes with free objects
 * to spare: make and drop SETTLE_VMAS VMAs (one mapping split by
 * PROT_NONE pages, unmapped in one call), then give RCU, which frees the
 * tree's replaced nodes, time to run.  Untimed; measured to make the
 * bimodal munmap and mmap(MAP_FIXED) counts of every phase the lower one.
 */
#define SETTLE_VMAS	2000

static void settle(void)
{
	char *a = mmap(NULL, 2 * SETTLE_VMAS * PAGE, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (a == MAP_FAILED)
		return;
	for (i = 0; i < SETTLE_VMAS; i++)
		mprotect(a + 2 * i * PAGE, PAGE, PROT_NONE);
	munmap(a, 2 * SETTLE_VMAS * PAGE);
	usleep(30000);
}

/* One pass of @op over the NVMAS VMAs: ns per operation. */
static double pass(int op, int round)
{
	int prot = (round & 1) ? PROT_READ : PROT_READ | PROT_WRITE;
	double t0, t;
	int i;

	if (op == OP_MMAP) {
		/* Measured on its own: unmap first, untimed. */
		for (i = 0; i < NVMAS; i++)
			munmap(vma_page(i), PAGE);
	} else {
		populate();
	}
	settle();
	t0 = now_ns();
	for (i = 0; i < NVMAS; i++) {
		switch (op) {
		case OP_GETPPID:
			syscall(SYS_getppid);
			break;
		case OP_MPROTECT:
			if (mprotect(vma_page(i), PAGE, prot))
				failures++;
			break;
		case OP_MADVISE:
			if (madvise(vma_page(i), PAGE, MADV_DONTNEED))
				failures++;
			break;
		case OP_MUNMAP:
			if (munmap(vma_page(i), PAGE))
				failures++;
			break;
		case OP_MMAP:
			if (mmap(vma_page(i), PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				 0) == MAP_FAILED)
				failures++;
			break;
		}
	}
	t = (now_ns() - t0) / NVMAS;
	if (op == OP_MUNMAP) {
		for (i = 0; i < NVMAS; i++)
			mmap(vma_page(i), PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	}
	if (op == OP_MPROTECT && (round & 1)) {
		for (i = 0; i < NVMAS; i++)
			mprotect(vma_page(i), PAGE, PROT_READ | PROT_WRITE);
	}
	return t;
}

static int setup(void);
static int seal(int fd, void *addr, size_t len);

/*
 * One phase, in a fresh process (the same address-space shape each time):
 * with @seal_fd >= 0 it first seals a page of its own far from the others.
 */
static void measure(double *out, int seal_fd)
{
	int pfd[2], op, r;
	pid_t pid;

	if (pipe(pfd)) {
		failures++;
		return;
	}
	pid = fork();
	if (pid == 0) {
		double t[NR_OPS];
		char *far = mmap(NULL, PAGE, PROT_READ,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		close(pfd[0]);
		if (far == MAP_FAILED || setup() ||
		    (seal_fd >= 0 && seal(seal_fd, far, PAGE)))
			_exit(2);
		for (op = 0; op < NR_OPS; op++) {
			t[op] = 1e300;
			for (r = 0; r < ROUNDS; r++) {
				double x = pass(op, r);

				if (x < t[op])
					t[op] = x;
			}
		}
		if (write(pfd[1], t, sizeof(t)) != (ssize_t)sizeof(t))
			_exit(3);
		_exit(failures ? 1 : 0);
	}
	close(pfd[1]);
	if (pid < 0 || read(pfd[0], out, NR_OPS * sizeof(*out)) !=
	    (ssize_t)(NR_OPS * sizeof(*out)))
		failures++;
	close(pfd[0]);
	if (pid > 0) {
		int st;

		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			failures++;
	}
}

static int setup(void)
{
	int i;

	region = mmap(NULL, 2 * NVMAS * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		return -1;
	for (i = 0; i < NVMAS; i++)
		if (mprotect(vma_page(i) + PAGE, PAGE, PROT_NONE))
			return -1;
	populate();
	return 0;
}

static int write_param(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

static int seal(int fd, void *addr, size_t len)
{
	struct mseal_args a = { (unsigned long)addr, len, 0 };

	return ioctl(fd, MSEAL_IOC_SEAL, &a);
}

int main(void)
{
	enum { UNLOADED, LOADED, ELSEWHERE, OWN, SYSCALL, NR_PHASES };
	static const char *const phase_name[NR_PHASES] = {
		"unloaded", "loaded", "elsewhere", "own-seal", "syscall=1" };
	double t[NR_PHASES][NR_OPS];
	int pipefd[2], readyfd[2], fd, kfd, op, ph;
	struct utsname u;
	pid_t holder;
	char *far;

	printf("TAP version 13\n1..1\n");
	uname(&u);
	far = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (far == MAP_FAILED) {
		printf("not ok 1 benchmark setup: mmap: %s\n", strerror(errno));
		return 1;
	}

	if (access("/dev/mseal", F_OK) == 0) {
		printf("not ok 1 benchmark needs mseal.ko unloaded at start\n");
		return 1;
	}
	measure(t[UNLOADED], -1);

	kfd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);
	if (kfd < 0 || syscall(SYS_finit_module, kfd, "", 0)) {
		printf("not ok 1 load %s: %s\n", MODULE_PATH, strerror(errno));
		return 1;
	}
	measure(t[LOADED], -1);

	fd = open("/dev/mseal", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pipe(pipefd) || pipe(readyfd)) {
		printf("not ok 1 open /dev/mseal: %s\n", strerror(errno));
		return 1;
	}
	holder = fork();
	if (holder == 0) {
		char c;

		close(pipefd[1]);
		close(readyfd[0]);
		if (seal(fd, far, PAGE))
			_exit(1);
		/* Sealed: the hooks are armed (seal() returns after that). */
		if (write(readyfd[1], "s", 1) != 1)
			_exit(1);
		if (read(pipefd[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[0]);
	close(readyfd[1]);
	{
		char c;

		/* Measure only once the other process holds its seal. */
		if (read(readyfd[0], &c, 1) != 1) {
			printf("not ok 1 the seal holder failed to seal\n");
			return 1;
		}
	}
	close(readyfd[0]);
	measure(t[ELSEWHERE], -1);

	measure(t[OWN], fd);
	/* The module's mseal(2) on: every system call takes the slow path. */
	if (write_param(SYSCALL_PARAM, "1")) {
		printf("not ok 1 %s: %s\n", SYSCALL_PARAM, strerror(errno));
		return 1;
	}
	measure(t[SYSCALL], fd);
	write_param(SYSCALL_PARAM, "0");
	close(pipefd[1]);
	waitpid(holder, NULL, 0);

	printf("# %s %s: %d one-page VMAs, best of %d passes; instructions/op\n",
	       u.release, u.machine, NVMAS, ROUNDS);
	printf("# %-12s", "op");
	for (ph = 0; ph < NR_PHASES; ph++)
		printf(" %10s", phase_name[ph]);
	printf("   ratios to unloaded\n");
	for (op = 0; op < NR_OPS; op++) {
		printf("# %-12s", op_name[op]);
		for (ph = 0; ph < NR_PHASES; ph++)
			printf(" %10.0f", t[ph][op]);
		printf("  ");
		for (ph = LOADED; ph < NR_PHASES; ph++)
			printf(" %s %.3f", phase_name[ph],
			       t[ph][op] / t[UNLOADED][op]);
		printf("\n");
	}
	if (failures)
		printf("not ok 1 %d operations on unsealed memory failed\n",
		       failures);
	else
		printf("ok 1 every operation on unsealed memory succeeded\n");
	return failures ? 1 : 0;
}
