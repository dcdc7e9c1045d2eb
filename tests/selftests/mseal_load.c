// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_load - load while the module comes and goes (issue 11): 64
 * processes of 4 threads each seal (through the device), fork, exit and
 * hammer munmap/mprotect/madvise/mremap on sealed and unsealed memory for
 * $MSEAL_LOAD_SECONDS in generations (default: a minute where the module
 * enforces, 20 s where the kernel has mseal(2) and the hooks are only
 * those of system mappings and exit), while this process
 * unloads and reloads the module in a loop.  rmmod may only succeed or
 * say the module is in use; the device may only work or be gone; every mm
 * call on a seal gets EPERM while the module is loaded; no task may get
 * stuck (a watchdog here, and the hung task detector set to 10 s); the
 * kernel log stays clean.  At the end of each generation, with its
 * processes gone, the module must unload (no seal outlives its mm).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mseal_harness.h"
#include "mseal_modctl.h"

#define PROCS		64
#define THREADS		4
#define HUNG		"/proc/sys/kernel/hung_task_timeout_secs"

struct shared {
	atomic_int stop;
	atomic_long seals, denied, calls, gone;
	struct first_failure ff;
};

static struct shared *sh;

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

/* seal through a fresh open: 0, or -errno (ENOENT/ENXIO: module gone) */
static int dev_seal(void *p, size_t len)
{
	struct mseal_args a = { (uint64_t)(uintptr_t)p, len, 0 };
	int fd = open(MSEAL_DEV_PATH, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = ioctl(fd, MSEAL_IOC_SEAL, &a) ? -errno : 0;
	close(fd);
	return r;
}

static void *hammer(void *arg)
{
	size_t ps = pgsz();
	unsigned int seed = (unsigned int)(uintptr_t)arg;

	while (!atomic_load(&sh->stop)) {
		char *p = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int r, sealed;
		void *q;

		if (p == MAP_FAILED)
			continue;
		p[0] = 1;
		r = dev_seal(p + ps, 2 * ps);
		sealed = r == 0;
		if (r && r != -ENOENT && r != -ENXIO && r != -ENODEV)
			first_failure_set(&sh->ff, "seal: %s", strerror(-r));
		if (sealed) {
			atomic_fetch_add(&sh->seals, 1);
			/* a seal holds the module: these must all be refused */
			if (!munmap(p + ps, ps) || errno != EPERM)
				first_failure_set(&sh->ff, "munmap of a seal: %s", strerror(errno));
			if (!mprotect(p + 2 * ps, ps, PROT_READ) || errno != EPERM)
				first_failure_set(&sh->ff, "mprotect of a seal: %s", strerror(errno));
			q = mremap(p + ps, ps, 2 * ps, MREMAP_MAYMOVE);
			if (q != MAP_FAILED || errno != EPERM)
				first_failure_set(&sh->ff, "mremap of a seal: %s", strerror(errno));
			atomic_fetch_add(&sh->denied, 3);
		} else {
			atomic_fetch_add(&sh->gone, 1);
		}
		madvise(p, 4 * ps, MADV_DONTNEED);
		mprotect(p + 3 * ps, ps, PROT_READ);
		munmap(p, sealed ? ps : 4 * ps);
		if (sealed)
			munmap(p + 3 * ps, ps);
		if ((rand_r(&seed) & 15) == 0) {
			pid_t c = fork();

			if (c == 0)
				_exit(0);
			if (c > 0)
				waitpid(c, NULL, 0);
		}
		atomic_fetch_add(&sh->calls, 1);
	}
	return NULL;
}

/* one worker process: 4 threads, a short life, then exit (seals and all) */
static void worker(int id)
{
	pthread_t t[THREADS];
	int i;

	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, hammer, (void *)(uintptr_t)(id * 16 + i + 1));
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	_exit(0);
}

FIXTURE(load) {
	char hung[32];
	int secs;
};

FIXTURE_SETUP(load)
{
	const char *s = getenv("MSEAL_LOAD_SECONDS");

	ASSERT_EQ(0, modctl_ensure_loaded());
	/* mseal(2) of nothing: 0 where the kernel has it (the module's is off) */
	self->secs = s && atoi(s) > 0 ? atoi(s) :
		     syscall(462, 0UL, 0UL, 0UL) == 0 ? 20 : 60;
	if (read_file(HUNG, self->hung, sizeof(self->hung)))
		self->hung[0] = 0;
	else
		write_file(HUNG, "10");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
}

FIXTURE_TEARDOWN(load)
{
	if (self->hung[0])
		write_file(HUNG, self->hung);
	modctl_ensure_loaded();
}

TEST_F_TIMEOUT(load, generations, 600)
{
	struct kmsg_cursor kc;
	static char klog[1 << 16];
	char first[256];
	long end = now_ms() + self->secs * 1000L, unloads = 0, busy = 0, gens = 0;
	pid_t pids[PROCS];
	int i, r;

	ASSERT_EQ(0, kmsg_open(&kc));
	while (now_ms() < end) {
		long gen_end, deadline;

		atomic_store(&sh->stop, 0);
		for (i = 0; i < PROCS; i++) {
			pids[i] = fork();
			if (pids[i] == 0)
				worker(i);
			ASSERT_LT(0, pids[i]);
		}
		gen_end = now_ms() + 3000;	/* from when they all exist */
		/* rmmod/insmod while they run: in use, or gone and back */
		while (now_ms() < gen_end) {
			if (!syscall(SYS_delete_module, "mseal", O_NONBLOCK)) {
				unloads++;
				usleep(20000);
				r = modctl_load(modctl_path(), "");
				ASSERT_TRUE(r == 0 || r == -EEXIST) TH_LOG("insmod: %s", strerror(-r));
			} else {
				r = errno;
				ASSERT_TRUE(r == EBUSY || r == EWOULDBLOCK)
					TH_LOG("rmmod: %s", strerror(r));
				busy++;
			}
			usleep(50000);
		}
		atomic_store(&sh->stop, 1);
		/* watchdog: every worker gone within 60 s, or it is stuck */
		deadline = now_ms() + 60000;
		for (i = 0; i < PROCS; i++) {
			int st;

			while (waitpid(pids[i], &st, WNOHANG) == 0) {
				if (now_ms() > deadline) {
					char path[64], buf[512] = "";

					snprintf(path, sizeof(path), "/proc/%d/stack", pids[i]);
					read_file(path, buf, sizeof(buf));
					kill(pids[i], SIGKILL);
					ASSERT_TRUE(0) TH_LOG("worker %d stuck: %s", pids[i], buf);
				}
				usleep(10000);
			}
			EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st))
				TH_LOG("worker %d: status %#x", pids[i], st);
		}
		/* nothing holds a seal now: it unloads, and comes back */
		ASSERT_EQ(0, modctl_unload());
		ASSERT_EQ(0, modctl_load(modctl_path(), ""));
		gens++;
	}
	EXPECT_EQ(0, atomic_load(&sh->ff.hit)) TH_LOG("%s", sh->ff.why);
	r = kmsg_read_new(&kc, klog, sizeof(klog));
	ASSERT_LE(0, r);
	EXPECT_FALSE(log_has_splat(klog, first, sizeof(first))) TH_LOG("kernel: %s", first);
	kmsg_close(&kc);
	TH_LOG("%ld generations of %d x %d; %ld loops, %ld seals, %ld refusals, %ld without module; rmmod in use %ld, unloaded+reloaded %ld",
	       gens, PROCS, THREADS, atomic_load(&sh->calls), atomic_load(&sh->seals),
	       atomic_load(&sh->denied), atomic_load(&sh->gone), busy, unloads);
	EXPECT_LT(0, atomic_load(&sh->seals));
}

TEST_HARNESS_MAIN
