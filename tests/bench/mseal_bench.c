// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_bench - what the hooks cost on the hot path, as ratios.
 *
 * Runs in a guest booted with `-icount shift=0` (make bench), where guest
 * time counts instructions, so the figures are free of host noise.  The same
 * operations are timed in one boot:
 *   unloaded    - mseal.ko not loaded (the stock kernel)
 *   loaded      - loaded, nothing sealed anywhere (static key off)
 *   elsewhere   - another process holds a seal (key on, this mm has no table)
 *   own-seal    - this process holds a seal far from the memory it works on
 * and printed as ns/op and as ratios to "unloaded".  The one TAP result
 * asserts what must hold whatever the speed: every operation on unsealed
 * memory succeeded with the module loaded.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mseal_dev.h>

#define PAGE		4096UL
#define MODULE_PATH	"/mseal/mseal.ko"

enum { OP_GETPPID, OP_MMAP_MUNMAP, OP_MPROTECT, OP_MADVISE, OP_FORK, NR_OPS };

static const char *const op_name[NR_OPS] = {
	"getppid (no hook)", "mmap+munmap", "mprotect", "madvise(DONTNEED)",
	"fork+exit+wait",
};
static const int op_iters[NR_OPS] = { 20000, 5000, 10000, 10000, 200 };
static int failures;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double run_op(int op, char *buf)
{
	int i, n = op_iters[op];
	double t0 = now_ns();

	for (i = 0; i < n; i++) {
		switch (op) {
		case OP_GETPPID:
			syscall(SYS_getppid);
			break;
		case OP_MMAP_MUNMAP: {
			void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED || munmap(p, PAGE))
				failures++;
			break;
		}
		case OP_MPROTECT:
			if (mprotect(buf, PAGE, (i & 1) ? PROT_READ :
					 PROT_READ | PROT_WRITE))
				failures++;
			break;
		case OP_MADVISE:
			if (madvise(buf + PAGE, PAGE, MADV_DONTNEED))
				failures++;
			break;
		case OP_FORK: {
			pid_t pid = fork();

			if (pid == 0)
				_exit(0);
			if (pid < 0 || waitpid(pid, NULL, 0) != pid)
				failures++;
			break;
		}
		}
	}
	mprotect(buf, PAGE, PROT_READ | PROT_WRITE);
	return (now_ns() - t0) / n;
}

static void measure(double *out, char *buf)
{
	int op;

	for (op = 0; op < NR_OPS; op++)
		out[op] = run_op(op, buf);
}

#define SYSCALL_PARAM "/sys/module/mseal/parameters/syscall"

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
	int pipefd[2], fd, kfd, op, ph;
	char *buf, *far;
	pid_t holder;

	printf("TAP version 13\n1..1\n");
	buf = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	far = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || far == MAP_FAILED) {
		printf("not ok 1 benchmark setup: mmap: %s\n", strerror(errno));
		return 1;
	}

	if (access("/dev/mseal", F_OK) == 0) {
		printf("not ok 1 benchmark needs mseal.ko unloaded at start\n");
		return 1;
	}
	measure(t[UNLOADED], buf);

	kfd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);
	if (kfd < 0 || syscall(SYS_finit_module, kfd, "", 0)) {
		printf("not ok 1 load %s: %s\n", MODULE_PATH, strerror(errno));
		return 1;
	}
	measure(t[LOADED], buf);

	fd = open("/dev/mseal", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pipe(pipefd)) {
		printf("not ok 1 open /dev/mseal: %s\n", strerror(errno));
		return 1;
	}
	holder = fork();
	if (holder == 0) {
		char c;

		close(pipefd[1]);
		if (seal(fd, far, PAGE))
			_exit(1);
		read(pipefd[0], &c, 1);
		_exit(0);
	}
	close(pipefd[0]);
	usleep(100000);
	measure(t[ELSEWHERE], buf);

	if (seal(fd, far, PAGE)) {
		printf("not ok 1 seal: %s\n", strerror(errno));
		return 1;
	}
	measure(t[OWN], buf);
	/* The module's mseal(2) on: every system call takes the slow path. */
	if (write_param(SYSCALL_PARAM, "1")) {
		printf("not ok 1 %s: %s\n", SYSCALL_PARAM, strerror(errno));
		return 1;
	}
	measure(t[SYSCALL], buf);
	write_param(SYSCALL_PARAM, "0");
	close(pipefd[1]);
	waitpid(holder, NULL, 0);

	printf("# %-20s", "ns/op (icount)");
	for (ph = 0; ph < NR_PHASES; ph++)
		printf(" %10s", phase_name[ph]);
	printf("   ratios to unloaded\n");
	for (op = 0; op < NR_OPS; op++) {
		printf("# %-20s", op_name[op]);
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
