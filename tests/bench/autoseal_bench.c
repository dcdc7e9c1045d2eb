// SPDX-License-Identifier: GPL-2.0
/*
 * autoseal_bench - start-up cost of libmseal-autoseal.so (make autoseal-bench).
 *
 *   autoseal_bench [-n RUNS] LIB PROG [ARG...]
 *
 * Starts PROG (output to /dev/null) RUNS times plainly and RUNS times with
 * LD_AUDIT=LIB, interleaved (plain, sealed, plain, sealed...: both see the
 * same machine load), each start timed from posix_spawn() to its exit, and
 * prints the medians and their ratio, sealed to plain, of the wall time
 * and of the CPU time the started process used (wait4's rusage, less
 * sensitive to other load on the machine):
 *   autoseal bench /bin/ls: 500 runs each, interleaved: wall plain 612.3 us,
 *   sealed 650.1 us, ratio 1.062; cpu plain ..., ratio ...
 * A benchmark, never a test: nothing fails on the figure.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Wall time of one start, and the CPU time (user + system) it took. */
static double run(char **argv, char **envp, posix_spawn_file_actions_t *fa, double *cpu)
{
	double t0 = now_us();
	struct rusage ru;
	pid_t pid;
	int status;

	if (posix_spawn(&pid, argv[0], fa, NULL, argv, envp)) {
		perror("posix_spawn");
		exit(1);
	}
	wait4(pid, &status, 0, &ru);
	*cpu = ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
	return now_us() - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	char **plain_env, **sealed_env, *audit;
	double *p, *s, *pc, *sc, c;
	int runs = 500, i, n = 0, a = 1;

	if (argc > 2 && !strcmp(argv[1], "-n")) {
		runs = atoi(argv[2]);
		a = 3;
	}
	if (argc - a < 2 || runs < 1) {
		fprintf(stderr, "usage: autoseal_bench [-n RUNS] LIB PROG [ARG...]\n");
		return 2;
	}
	for (char **e = environ; *e; e++)
		n++;
	plain_env = calloc(n + 1, sizeof(char *));
	sealed_env = calloc(n + 2, sizeof(char *));
	p = calloc(runs, sizeof(double));
	s = calloc(runs, sizeof(double));
	pc = calloc(runs, sizeof(double));
	sc = calloc(runs, sizeof(double));
	if (!pc || !sc || !plain_env || !sealed_env || !p || !s || asprintf(&audit, "LD_AUDIT=%s", argv[a]) < 0)
		return 1;
	n = 0;
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "LD_AUDIT=", 9) && strncmp(*e, "MSEAL_AUTOSEAL", 14)) {
			plain_env[n] = sealed_env[n] = *e;
			n++;
		}
	sealed_env[n] = audit;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* Warm-up: page cache, dentries, the dynamic linker's caches. */
	for (i = 0; i < 20; i++) {
		run(argv + a + 1, plain_env, &fa, &c);
		run(argv + a + 1, sealed_env, &fa, &c);
	}
	for (i = 0; i < runs; i++) {
		/* Alternate which goes first, so neither always follows the other. */
		if (i % 2) {
			p[i] = run(argv + a + 1, plain_env, &fa, &pc[i]);
			s[i] = run(argv + a + 1, sealed_env, &fa, &sc[i]);
		} else {
			s[i] = run(argv + a + 1, sealed_env, &fa, &sc[i]);
			p[i] = run(argv + a + 1, plain_env, &fa, &pc[i]);
		}
	}
	{
		double mp = median(p, runs), ms = median(s, runs);
		double cp = median(pc, runs), cs = median(sc, runs);

		printf("autoseal bench %s: %d runs each, interleaved: wall plain %.1f us, sealed %.1f us, ratio %.3f; cpu plain %.1f us, sealed %.1f us, ratio %.3f\n",
		       argv[a + 1], runs, mp, ms, ms / mp, cp, cs, cs / cp);
	}
	return 0;
}
