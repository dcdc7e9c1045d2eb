// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_race - seals and threads (SPEC 3.9, 4.3).
 *
 * 3.9: the seal check and the operation are atomic with respect to the
 * seal, so sealing is linearizable with munmap/mprotect racing it:
 *  - no munmap/mprotect that STARTS after the seal ioctl returned may
 *    succeed (an atomic flag is set when the ioctl returns; each worker
 *    reads it before beginning an operation);
 *  - nothing about the range (maps lines, protections, contents) may
 *    change between the return of the seal ioctl and the end of the
 *    iteration, which catches an operation that passed its check before
 *    the seal but applied its change after it;
 *  - a seal racing one munmap/mprotect ends in one of the two serial
 *    outcomes, never a mix.
 * 4.3: threads share one mm and so one set of seals.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mseal_harness.h"

#define NPAGES 4
#define RW (PROT_READ | PROT_WRITE)
#define ITERATIONS mseal_rounds(200)

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

/* ---- 3.9: one sealer, several operating threads ------------------- */

enum { W_MPROTECT, W_PKEY_MPROTECT, W_MUNMAP, NWORKERS };
static const char *const wname[] = {
	"mprotect", "pkey_mprotect", "munmap/mprotect(page 2)",
};

struct lin {
	pthread_barrier_t go, done;
	char *_Atomic region;
	atomic_int sealed;	/* the seal ioctl has returned 0 */
	atomic_int stop;
	atomic_int quit;
	atomic_long ops_iter[NWORKERS];		/* this iteration */
	atomic_long ops_after_iter[NWORKERS];	/* begun after the flag */
	atomic_long before_ok, after_total;
	struct first_failure fail;
};

struct lin_arg {
	struct lin *l;
	int idx;
};

static int lin_op(int idx, char *p, long k)
{
	size_t ps = pgsz();
	int r;

	switch (idx) {
	case W_MPROTECT:
		return xmprotect(p, NPAGES * ps, k & 1 ? PROT_READ : RW);
	case W_PKEY_MPROTECT:
		if (!have_pkey_mprotect())	/* page 1 is raced all the same */
			return xmprotect(p + ps, ps, k & 1 ? RW : PROT_READ);
		return xpkey_mprotect(p + ps, ps, k & 1 ? RW : PROT_READ, -1);
	default:
		/* munmap a third of the time: each success opens a hole */
		if (k % 3)
			return xmprotect(p + 2 * ps, ps,
					 k & 1 ? PROT_READ : RW);
		r = xmunmap(p + 2 * ps, ps);
		if (r == 0 && !map_at(p + 2 * ps, 1, RW))
			return -EEXIST;	/* cannot restore: reported */
		return r;
	}
}

static void *lin_worker(void *a)
{
	struct lin_arg *la = a;
	struct lin *l = la->l;

	for (;;) {
		char *p;
		long k = 0;

		pthread_barrier_wait(&l->go);
		if (atomic_load(&l->quit))
			break;
		p = atomic_load(&l->region);
		while (!atomic_load(&l->stop)) {
			/* read before the operation begins */
			int was_sealed = atomic_load(&l->sealed);
			int r;

			if (was_sealed &&
			    atomic_load(&l->ops_after_iter[la->idx]) >= 16) {
				sched_yield();	/* enough for this round */
				continue;
			}
			r = lin_op(la->idx, p, k++);

			if (was_sealed) {
				atomic_fetch_add(&l->ops_after_iter[la->idx], 1);
				atomic_fetch_add(&l->after_total, 1);
				if (r != -EPERM)
					first_failure_set(&l->fail, "%s begun after the "
							  "seal returned: %d, "
							  "want EPERM",
							  wname[la->idx], r);
			} else {
				if (r == 0)
					atomic_fetch_add(&l->before_ok, 1);
				else if (r != -EPERM && r != -ENOMEM)
					first_failure_set(&l->fail, "%s before the seal: "
							  "%d, want 0, EPERM or "
							  "ENOMEM",
							  wname[la->idx], r);
			}
			atomic_fetch_add(&l->ops_iter[la->idx], 1);
		}
		pthread_barrier_wait(&l->done);
	}
	return NULL;
}

/* Spin (yielding) until every worker's counter reached @min. */
static void wait_ops(atomic_long *ctr, long min)
{
	int i;

	for (i = 0; i < NWORKERS; i++)
		while (atomic_load(&ctr[i]) < min)
			sched_yield();
}

TEST_F_TIMEOUT(race, seal_vs_ops_linearizable, 600)
{
	static struct lin l;
	struct lin_arg la[NWORKERS];
	pthread_t th[NWORKERS];
	int it, i, sealed_iters = 0, enomem_iters = 0;
	char why[4096];

	memset(&l, 0, sizeof(l));
	ASSERT_EQ(0, pthread_barrier_init(&l.go, NULL, NWORKERS + 1));
	ASSERT_EQ(0, pthread_barrier_init(&l.done, NULL, NWORKERS + 1));
	for (i = 0; i < NWORKERS; i++) {
		la[i].l = &l;
		la[i].idx = i;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, lin_worker, &la[i]));
	}
	for (it = 0; it < ITERATIONS && !atomic_load(&l.fail.hit); it++) {
		struct region_state st;
		char *p = map_region(NPAGES);
		int r, saved = 0;

		if (!p) {
			first_failure_set(&l.fail, "map_region failed");
			break;
		}
		fill_pattern(p, NPAGES * self->ps, (unsigned int)it);
		atomic_store(&l.region, p);
		atomic_store(&l.sealed, 0);
		atomic_store(&l.stop, 0);
		for (i = 0; i < NWORKERS; i++) {
			atomic_store(&l.ops_iter[i], 0);
			atomic_store(&l.ops_after_iter[i], 0);
		}
		pthread_barrier_wait(&l.go);
		wait_ops(l.ops_iter, 1 + it % 3);	/* vary the timing */

		r = seal(p, NPAGES * self->ps, 0);
		if (r == 0) {
			atomic_store(&l.sealed, 1);
			sealed_iters++;
			saved = region_save(&st, p, NPAGES * self->ps) == 0;
			if (!saved)
				first_failure_set(&l.fail, "region_save failed");
			wait_ops(l.ops_after_iter, 2);
		} else if (r == -ENOMEM) {
			/* the munmap worker had a hole open: no seal */
			enomem_iters++;
			wait_ops(l.ops_iter, 4 + it % 3);
		} else {
			first_failure_set(&l.fail, "seal: %d, want 0 or ENOMEM "
					  "(iteration %d)", r, it);
		}
		atomic_store(&l.stop, 1);
		pthread_barrier_wait(&l.done);

		if (r == 0) {
			if (saved && region_compare(&st, why, sizeof(why)))
				first_failure_set(&l.fail, "iteration %d: sealed range "
						  "changed after the seal "
						  "returned: %s", it, why);
			region_free(&st);
			r = xmunmap(p, NPAGES * self->ps);
			if (r != -EPERM)
				first_failure_set(&l.fail, "munmap after the race: %d "
						  "(iteration %d)", r, it);
		} else {
			xmunmap(p, NPAGES * self->ps);
		}
	}
	atomic_store(&l.quit, 1);
	pthread_barrier_wait(&l.go);
	for (i = 0; i < NWORKERS; i++)
		pthread_join(th[i], NULL);

	TH_LOG("%d iterations: %d sealed, %d seal lost to a hole; "
	       "%ld ops succeeded before, %ld began after the seal",
	       it, sealed_iters, enomem_iters, atomic_load(&l.before_ok),
	       atomic_load(&l.after_total));
	EXPECT_EQ(0, atomic_load(&l.fail.hit)) TH_LOG("%s", l.fail.why);
	EXPECT_EQ(ITERATIONS, it);
	/* otherwise the test exercised nothing */
	EXPECT_LT(0, sealed_iters);
	EXPECT_LT(0, atomic_load(&l.before_ok));
	EXPECT_LT(0, atomic_load(&l.after_total));
}

/* ---- 3.9: a seal against a single racing operation ----------------- */

struct duel {
	pthread_barrier_t go, done;
	char *_Atomic region;
	int op;			/* 0 munmap, 1 mprotect */
	atomic_int quit;
	int result;
};

static void *duel_thread(void *a)
{
	struct duel *d = a;

	for (;;) {
		char *p;

		pthread_barrier_wait(&d->go);
		if (atomic_load(&d->quit))
			break;
		p = atomic_load(&d->region);
		d->result = d->op == 0 ? xmunmap(p, NPAGES * pgsz())
				       : xmprotect(p, NPAGES * pgsz(),
						   PROT_READ);
		pthread_barrier_wait(&d->done);
	}
	return NULL;
}

static int all_perms(char *p, const char *want)
{
	char now[5];
	int i;

	for (i = 0; i < NPAGES; i++)
		if (perms_at(pg(p, i), now) || strcmp(now, want))
			return 0;
	return 1;
}

static int none_mapped(char *p)
{
	int i;

	for (i = 0; i < NPAGES; i++)
		if (is_mapped(pg(p, i)))
			return 0;
	return 1;
}

static void duel_run(struct __test_metadata *_metadata, int op)
{
	static struct duel d;
	pthread_t th;
	int it, first[2] = { 0, 0 }, bad = 0;

	memset(&d, 0, sizeof(d));
	d.op = op;
	ASSERT_EQ(0, pthread_barrier_init(&d.go, NULL, 2));
	ASSERT_EQ(0, pthread_barrier_init(&d.done, NULL, 2));
	ASSERT_EQ(0, pthread_create(&th, NULL, duel_thread, &d));
	for (it = 0; it < ITERATIONS && !bad; it++) {
		char *p = map_region(NPAGES);
		int rs;

		if (!p) {
			bad = 1;
			TH_LOG("map_region failed");
			break;
		}
		fill_pattern(p, NPAGES * pgsz(), 40u + (unsigned int)it);
		atomic_store(&d.region, p);
		pthread_barrier_wait(&d.go);
		rs = seal(p, NPAGES * pgsz(), 0);
		pthread_barrier_wait(&d.done);

		if (op == 0) {
			/* seal first: EPERM, all there; munmap first: ENOMEM */
			if (rs == 0 && d.result == -EPERM &&
			    all_perms(p, "rw-p") &&
			    check_pattern(p, NPAGES * pgsz(),
					  40u + (unsigned int)it) == -1) {
				first[0]++;
				continue;
			}
			if (rs == -ENOMEM && d.result == 0 && none_mapped(p)) {
				first[1]++;
				continue;
			}
		} else {
			/* seal first: EPERM, rw; mprotect first: 0, r-- */
			if (rs == 0 && d.result == -EPERM &&
			    all_perms(p, "rw-p")) {
				first[0]++;
				goto check_sealed;
			}
			if (rs == 0 && d.result == 0 && all_perms(p, "r--p")) {
				first[1]++;
				goto check_sealed;
			}
		}
		bad = 1;
		TH_LOG("iteration %d: seal = %d, %s = %d: not a serial "
		       "outcome (perms of page 0: %s)", it, rs,
		       op ? "mprotect" : "munmap", d.result,
		       is_mapped(p) ? "mapped" : "unmapped");
		break;
check_sealed:
		if (xmprotect(p, NPAGES * pgsz(), RW) != -EPERM) {
			bad = 1;
			TH_LOG("iteration %d: range not sealed after race", it);
		}
	}
	atomic_store(&d.quit, 1);
	pthread_barrier_wait(&d.go);
	pthread_join(th, NULL);
	TH_LOG("%d iterations: seal first %d, %s first %d", it, first[0],
	       op ? "mprotect" : "munmap", first[1]);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(ITERATIONS, first[0] + first[1]);
}

TEST_F_TIMEOUT(race, seal_vs_munmap_serial_outcomes, 300)
{
	duel_run(_metadata, 0);
}

TEST_F_TIMEOUT(race, seal_vs_mprotect_serial_outcomes, 300)
{
	duel_run(_metadata, 1);
}

/* ---- 4.3: threads share one set of seals -------------------------- */

struct thr_arg {
	char *p;
	size_t len;
	int r_seal, r_munmap, r_mprotect, r_pkey;
	int do_seal;
	pthread_barrier_t *gate;	/* wait here first, if set */
};

static void *thr_body(void *a)
{
	struct thr_arg *t = a;

	if (t->gate)
		pthread_barrier_wait(t->gate);
	if (t->do_seal) {
		t->r_seal = seal(t->p, t->len, 0);
	} else {
		t->r_munmap = xmunmap(t->p, t->len);
		t->r_mprotect = xmprotect(t->p, t->len, PROT_READ);
		t->r_pkey = xpkey_mprotect(t->p, t->len, PROT_NONE, -1);
	}
	return NULL;
}

/* A seal made by a (now exited) thread binds the main thread. */
TEST_F(race, seal_by_thread_binds_main)
{
	char *p = map_region(3);
	struct thr_arg t;
	pthread_t th;

	ASSERT_NE(NULL, p);
	fill_pattern(p, 3 * self->ps, 9);
	t = (struct thr_arg){ .p = pg(p, 1), .len = self->ps, .do_seal = 1 };
	ASSERT_EQ(0, pthread_create(&th, NULL, thr_body, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, t.r_seal);
	EXPECT_REFUSED(-EPERM, xmunmap(p, 3 * self->ps), p, 3 * self->ps);
	EXPECT_REFUSED(-EPERM, xmprotect(pg(p, 1), self->ps, PROT_READ), p,
		       3 * self->ps);
	EXPECT_EQ(0, xmunmap(pg(p, 2), self->ps));
}

/* A seal made by the main thread binds every other thread. */
TEST_F(race, seal_by_main_binds_threads)
{
	char *p = map_region(2);
	struct region_state st;
	struct thr_arg t[3];
	pthread_barrier_t gate;
	pthread_t th[3];
	char why[4096];
	int i;

	ASSERT_NE(NULL, p);
	fill_pattern(p, 2 * self->ps, 10);
	/*
	 * Threads first: their stacks are mmap()ed next to the region (the
	 * guard hole below it is free address space) and may even merge with
	 * its VMA; that must happen before the "before" snapshot.
	 */
	ASSERT_EQ(0, pthread_barrier_init(&gate, NULL, 4));
	for (i = 0; i < 3; i++) {
		t[i] = (struct thr_arg){ .p = pg(p, i % 2),
					 .len = (size_t)(1 + i / 2) * self->ps,
					 .gate = &gate };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, thr_body, &t[i]));
	}
	ASSERT_EQ(0, seal(p, 2 * self->ps, 0));
	ASSERT_EQ(0, region_save(&st, p, 2 * self->ps));
	pthread_barrier_wait(&gate);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(-EPERM, t[i].r_munmap) TH_LOG("thread %d", i);
		EXPECT_EQ(-EPERM, t[i].r_mprotect) TH_LOG("thread %d", i);
		EXPECT_EQ(pkey_want(-EPERM), t[i].r_pkey) TH_LOG("thread %d", i);
	}
	EXPECT_EQ(0, region_compare(&st, why, sizeof(why))) TH_LOG("%s", why);
	region_free(&st);
}

/* Threads sealing overlapping ranges at once: all succeed, union sealed */
TEST_F(race, concurrent_overlapping_seals)
{
	enum { NT = 4, SPAN = 3, ROUNDS = 50 };
	char *p = map_region(NT + SPAN);
	struct thr_arg t[NT];
	pthread_t th[NT];
	int round, i;

	ASSERT_NE(NULL, p);
	for (round = 0; round < ROUNDS; round++) {
		for (i = 0; i < NT; i++) {
			t[i] = (struct thr_arg){ .p = pg(p, i),
				.len = SPAN * self->ps, .do_seal = 1 };
			ASSERT_EQ(0, pthread_create(&th[i], NULL, thr_body,
						    &t[i]));
		}
		for (i = 0; i < NT; i++) {
			ASSERT_EQ(0, pthread_join(th[i], NULL));
			EXPECT_EQ(0, t[i].r_seal) TH_LOG("round %d thread %d",
							 round, i);
		}
	}
	for (i = 0; i < NT + SPAN - 1; i++) {
		EXPECT_EQ(1, page_sealed(pg(p, i))) TH_LOG("page %d", i);
	}
	EXPECT_EQ(0, page_sealed(pg(p, NT + SPAN - 1)));
}

TEST_HARNESS_MAIN
