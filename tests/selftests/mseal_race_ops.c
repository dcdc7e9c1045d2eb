// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_race_ops - a seal racing mprotect, munmap, mremap, madvise and
 * fork on the same range (SPEC 3.9, 3.3, 3.5, 4.1).
 *
 * The range is read-only private anonymous memory, so that a discarding
 * madvise is among the operations a seal refuses.  One thread seals it
 * while the workers loop over their operation; an atomic flag is set as
 * soon as the seal ioctl has returned, and each worker reads it before it
 * begins an operation.  Linearizability demands:
 *  - no operation that began after the flag was set succeeds: mprotect,
 *    munmap, mremap and madvise(MADV_DONTNEED) return EPERM, and a child
 *    forked after it finds the range sealed;
 *  - from the seal's return to the end of the iteration, nothing about
 *    the range changes (mappings, protections, contents);
 *  - the seal itself either succeeds or, when it met a hole some worker
 *    had just opened, fails with ENOMEM.
 * Bounded: ITERATIONS rounds, a few operations per worker after each seal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mseal_harness.h"

#define NPAGES 4
#define ITERATIONS mseal_rounds(100)
#define AFTER_OPS 2	/* operations per worker after each seal */
#define SEAL_TRIES 200	/* seals per round, while they meet holes */

enum { W_MPROTECT, W_MUNMAP, W_MREMAP, W_MADVISE, W_FORK, NWORKERS };
static const char *const wname[] = {
	"mprotect", "munmap", "mremap", "madvise(DONTNEED)", "fork",
};

struct race {
	pthread_barrier_t go, done;
	char *_Atomic region;
	char *_Atomic scratch;		/* mremap's destination */
	atomic_int sealed;		/* the seal ioctl has returned 0 */
	atomic_int stop, quit;
	atomic_long ops_iter[NWORKERS];
	atomic_long after_iter[NWORKERS];
	atomic_long ok_before[NWORKERS], after_total[NWORKERS];
	struct first_failure fail;
};

struct warg {
	struct race *r;
	int idx;
};

/*
 * In a forked child: is the range sealed?  1 yes (munmap EPERM), 0 no
 * (the child's copy was unmapped), 2 something else.
 */
static int fork_probe(char *p)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int r = munmap(p, pgsz()) ? errno : 0;

		_exit(r == EPERM ? 1 : r == 0 ? 0 : 2);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return WEXITSTATUS(status);
}

/*
 * One operation of worker @idx on the range at @p.  0 or -errno; for
 * W_FORK, 0 if the child found the range unsealed, -EPERM if sealed.
 * Whatever succeeded is undone (a hole refilled, a moved page moved
 * back); failing to undo is a violation.
 */
static int one_op(struct race *r, int idx, char *p)
{
	size_t ps = pgsz();
	char *s = atomic_load(&r->scratch);
	void *m;
	int ret;

	switch (idx) {
	case W_MPROTECT:
		/* no change at all: still refused on sealed memory */
		return xmprotect(p, NPAGES * ps, PROT_READ);
	case W_MUNMAP:
		ret = xmunmap(pg(p, 3), ps);
		if (ret == 0 && !map_at(pg(p, 3), 1, PROT_READ))
			first_failure_set(&r->fail, "munmap worker cannot refill its hole");
		sched_yield();	/* let a seal find the range whole */
		return ret;
	case W_MREMAP:
		m = mremap(pg(p, 1), ps, ps, MREMAP_MAYMOVE | MREMAP_FIXED, s);
		if (m == MAP_FAILED)
			return -errno;
		m = mremap(s, ps, ps, MREMAP_MAYMOVE | MREMAP_FIXED, pg(p, 1));
		if (m == MAP_FAILED)
			first_failure_set(&r->fail, "mremap worker cannot move back: %s",
					  strerror(errno));
		sched_yield();
		return 0;
	case W_MADVISE:
		return madvise(p, NPAGES * ps, MADV_DONTNEED) ? -errno : 0;
	default:
		ret = fork_probe(p);
		return ret == 1 ? -EPERM : ret == 0 ? 0 : ret < 0 ? ret : -EIO;
	}
}

static void *worker(void *a)
{
	struct warg *wa = a;
	struct race *r = wa->r;
	int idx = wa->idx;

	for (;;) {
		char *p;

		pthread_barrier_wait(&r->go);
		if (atomic_load(&r->quit))
			break;
		p = atomic_load(&r->region);
		while (!atomic_load(&r->stop)) {
			/* read before the operation begins */
			int was_sealed = atomic_load(&r->sealed);
			int ret;

			if (was_sealed &&
			    atomic_load(&r->after_iter[idx]) >= AFTER_OPS) {
				sched_yield();
				continue;
			}
			ret = one_op(r, idx, p);
			if (was_sealed) {
				atomic_fetch_add(&r->after_iter[idx], 1);
				atomic_fetch_add(&r->after_total[idx], 1);
				if (ret != -EPERM)
					first_failure_set(&r->fail, "%s begun after the seal "
							  "returned: %d (%s), want "
							  "EPERM", wname[idx], ret,
							  ret ? strerror(-ret) : "ok");
			} else if (ret == 0) {
				atomic_fetch_add(&r->ok_before[idx], 1);
			} else if (ret != -EPERM && ret != -ENOMEM) {
				/* ENOMEM: madvise over another's hole */
				first_failure_set(&r->fail, "%s before the seal: %d (%s)",
						  wname[idx], ret, strerror(-ret));
			}
			atomic_fetch_add(&r->ops_iter[idx], 1);
		}
		pthread_barrier_wait(&r->done);
	}
	return NULL;
}

/* Wait (yielding) until every worker's counter reached @min. */
static void wait_all(atomic_long *ctr, long min, struct race *r)
{
	int i;

	for (i = 0; i < NWORKERS; i++)
		while (atomic_load(&ctr[i]) < min && !atomic_load(&r->fail.hit))
			sched_yield();
}

FIXTURE(race) {
	size_t ps;
};

FIXTURE_SETUP(race)
{
	self->ps = pgsz();
	ASSERT_BACKEND();
}

FIXTURE_TEARDOWN(race)
{
}

/* SPEC 3.9: the seal is linearizable with every operation it refuses. */
TEST_F_TIMEOUT(race, seal_vs_ops_linearizable, 280)
{
	static struct race r;
	struct warg wa[NWORKERS];
	pthread_t th[NWORKERS];
	int it, i, sealed_iters = 0, enomem_iters = 0, enomem_tries = 0;
	long before = 0, after = 0;
	char why[4096];

	memset(&r, 0, sizeof(r));
	ASSERT_EQ(0, pthread_barrier_init(&r.go, NULL, NWORKERS + 1));
	ASSERT_EQ(0, pthread_barrier_init(&r.done, NULL, NWORKERS + 1));
	for (i = 0; i < NWORKERS; i++) {
		wa[i].r = &r;
		wa[i].idx = i;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, worker, &wa[i]));
	}
	for (it = 0; it < ITERATIONS && !atomic_load(&r.fail.hit); it++) {
		char *p = map_region(NPAGES), *s = map_region(1);
		struct region_state st;
		int ret, saved = 0;

		if (!p || !s) {
			first_failure_set(&r.fail, "map_region failed");
			break;
		}
		fill_pattern(p, NPAGES * self->ps, (unsigned int)it);
		if (xmprotect(p, NPAGES * self->ps, PROT_READ)) {
			first_failure_set(&r.fail, "mprotect(PROT_READ) failed");
			break;
		}
		atomic_store(&r.region, p);
		atomic_store(&r.scratch, s);
		atomic_store(&r.sealed, 0);
		atomic_store(&r.stop, 0);
		for (i = 0; i < NWORKERS; i++) {
			atomic_store(&r.ops_iter[i], 0);
			atomic_store(&r.after_iter[i], 0);
		}
		pthread_barrier_wait(&r.go);
		wait_all(r.ops_iter, 1 + it % 3, &r);	/* vary the timing */

		/*
		 * A seal that meets a hole some worker has just opened fails
		 * with ENOMEM and seals nothing: try again, a new race.
		 */
		for (i = 0; i < SEAL_TRIES; i++) {
			ret = seal(p, NPAGES * self->ps, 0);
			if (ret != -ENOMEM)
				break;
			enomem_tries++;
			sched_yield();
		}
		if (ret == 0) {
			atomic_store(&r.sealed, 1);
			sealed_iters++;
			saved = region_save(&st, p, NPAGES * self->ps) == 0;
			if (!saved)
				first_failure_set(&r.fail, "region_save failed");
			wait_all(r.after_iter, AFTER_OPS, &r);
		} else if (ret == -ENOMEM) {
			/* a worker had a hole open: nothing sealed */
			enomem_iters++;
			wait_all(r.ops_iter, 4, &r);
		} else {
			first_failure_set(&r.fail, "seal: %d (%s), want 0 or ENOMEM "
					  "(iteration %d)", ret, strerror(-ret), it);
		}
		atomic_store(&r.stop, 1);
		pthread_barrier_wait(&r.done);

		if (ret == 0) {
			if (saved && region_compare(&st, why, sizeof(why)))
				first_failure_set(&r.fail, "iteration %d: the sealed range "
						  "changed after the seal returned: "
						  "%s", it, why);
			if (saved)
				region_free(&st);
			ret = xmunmap(p, NPAGES * self->ps);
			if (ret != -EPERM)
				first_failure_set(&r.fail, "munmap after the race: %d "
						  "(iteration %d)", ret, it);
		} else {
			xmunmap(p, NPAGES * self->ps);
		}
		xmunmap(s, self->ps);
	}
	atomic_store(&r.quit, 1);
	pthread_barrier_wait(&r.go);
	for (i = 0; i < NWORKERS; i++)
		pthread_join(th[i], NULL);

	for (i = 0; i < NWORKERS; i++) {
		TH_LOG("%-18s %ld succeeded before a seal, %ld begun after",
		       wname[i], atomic_load(&r.ok_before[i]),
		       atomic_load(&r.after_total[i]));
		before += atomic_load(&r.ok_before[i]);
		after += atomic_load(&r.after_total[i]);
	}
	TH_LOG("%d iterations: %d sealed, %d not (%d seals met a hole)", it,
	       sealed_iters, enomem_iters, enomem_tries);
	EXPECT_EQ(0, atomic_load(&r.fail.hit)) TH_LOG("%s", r.fail.why);
	EXPECT_EQ(ITERATIONS, it);
	/* otherwise the test exercised nothing */
	EXPECT_LT(ITERATIONS / 2, sealed_iters);
	EXPECT_LT(0, before);
	for (i = 0; i < NWORKERS; i++) {
		const char *n = wname[i] ? wname[i] : "?";

		EXPECT_LT(0, atomic_load(&r.after_total[i]))
			TH_LOG("%s never ran after a seal", n);
	}
}

TEST_HARNESS_MAIN
