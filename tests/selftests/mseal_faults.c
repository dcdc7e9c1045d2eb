// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_faults - every allocation failure on the module's paths (issue 11).
 *
 * Only meaningful on the debug kernel (scripts/debug-kernel.sh: fault
 * injection with failslab, fail_page_alloc and per-task fail-nth); it skips
 * with the reason elsewhere.  For each operation, fail-nth makes the n-th
 * allocation of this task fail (slab, through failslab; pages, through
 * fail_page_alloc, both with ignore-gfp-wait off and min-order 0 so that
 * GFP_KERNEL allocations count), for n = 1, 2, 3, ... until the operation
 * completes without the fault being hit.  Operations:
 *   seal_ioctl    MSEAL_IOC_SEAL of the middle of a mapping (two splits)
 *   seal_syscall  the same through syscall(462) (the module's emulation)
 *   fork_sealed   fork() of a process holding a seal
 *   exec_sysmap   execve() with seal_system_mappings=1
 * Each attempt must either succeed, with the complete effect (the range
 * sealed; the child sealed; the new program's [vdso] sealed), or fail with
 * ENOMEM (fork: ENOMEM or EAGAIN; exec: ENOMEM, E2BIG from copy_strings(),
 * death by SIGSEGV/SIGKILL after the point of no return, or exit 127 from
 * the C library's start-up in the new program), leaving nothing sealed, the mappings as
 * before (split VMAs with equal attributes count as one) and the module's
 * listing and counters as before.  Anything else is an inconsistency.
 * The last test prints "faults: N injected, N inconsistent" and fails
 * unless N injected >= 100 and none is inconsistent.  Leaks are kmemleak's
 * (tests/guest/run.sh scans after the suite).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mseal_harness.h"
#include "mseal_modctl.h"

#define DBGFS		"/sys/kernel/debug"
#define FAILSLAB	DBGFS "/failslab"
#define FAILPAGE	DBGFS "/fail_page_alloc"
#define P_SYSCALL	"/sys/module/mseal/parameters/syscall"
#define P_TOGGLE	"/sys/module/mseal/parameters/seal_system_mappings"
#define S_MMS		"/sys/kernel/mseal/mms"
#define S_RANGES	"/sys/kernel/mseal/ranges"
#define MAX_N		5000
#define NPAGES		4

/* Shared by the harness's per-test children and the last test. */
struct totals {
	long injected, inconsistent, attempts;
};
static struct totals *tot;
static char self_path[PATH_MAX];

/* ---- fail-nth ------------------------------------------------------- */

static int nth_fd = -1;

static int nth_open(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth",
		 (int)syscall(SYS_gettid));
	nth_fd = open(path, O_RDWR | O_CLOEXEC);
	return nth_fd < 0 ? -errno : 0;
}

/* Make the @n-th allocation from now on fail (0: disarm). */
static void nth_arm(int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%d", n);

	if (pwrite(nth_fd, b, len, 0) != len)
		abort();
}

/* Disarm; was the fault injected (the counter reached 0)? */
static bool nth_hit(void)
{
	char b[16] = "";

	if (pread(nth_fd, b, sizeof(b) - 1, 0) <= 0)
		abort();
	nth_arm(0);
	return atoi(b) == 0;
}

/* What skips the whole binary: no fault injection in this kernel. */
static const char *no_faults(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth",
		 (int)syscall(SYS_gettid));
	if (access(path, W_OK))
		return "no /proc/<pid>/task/<tid>/fail-nth: kernel without CONFIG_FAULT_INJECTION_DEBUG_FS";
	if (access(FAILSLAB "/ignore-gfp-wait", W_OK))
		return "no " FAILSLAB ": kernel without CONFIG_FAILSLAB (or no debugfs)";
	if (access(FAILPAGE "/ignore-gfp-wait", W_OK))
		return "no " FAILPAGE ": kernel without CONFIG_FAIL_PAGE_ALLOC";
	return NULL;
}

/*
 * failslab and fail_page_alloc as syzkaller sets them: sleeping
 * (GFP_KERNEL) and order-0 allocations can fail, quietly (a fault's stack
 * dump would read as a splat).  fail-nth needs no probability.
 */
static int faults_configure(void)
{
	static const char *const set[][2] = {
		{ FAILSLAB "/ignore-gfp-wait", "N" },
		{ FAILSLAB "/verbose", "0" },
		{ FAILPAGE "/ignore-gfp-wait", "N" },
		{ FAILPAGE "/ignore-gfp-highmem", "N" },
		{ FAILPAGE "/min-order", "0" },
		{ FAILPAGE "/verbose", "0" },
	};
	size_t i;
	int r;

	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		r = write_file(set[i][0], set[i][1]);
		if (r)
			return r;
	}
	return 0;
}

/* ---- the state an attempt must leave ---------------------------------- */

/*
 * The lines of /proc/self/maps within [lo, hi), adjacent lines with the
 * same attributes merged (a split left behind by a failed seal is not a
 * change: the same memory, the same attributes).
 */
static int maps_norm(uintptr_t lo, uintptr_t hi, char *buf, size_t sz)
{
	unsigned long s, e, ps = 0, pe = 0, off, inode;
	char perms[5], pperms[5] = "", line[512];
	size_t used = 0;
	FILE *f;

	buf[0] = 0;
	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %4s %lx %*s %lu", &s, &e, perms,
			   &off, &inode) != 5)
			continue;
		if (e <= lo || s >= hi)
			continue;
		if (pe == s && !strcmp(perms, pperms)) {
			pe = e;
			continue;
		}
		if (pe)
			used += snprintf(buf + used, sz - used, "%lx-%lx %s;",
					 ps, pe, pperms);
		ps = s;
		pe = e;
		strcpy(pperms, perms);
		if (used >= sz)
			break;
	}
	if (pe && used < sz)
		snprintf(buf + used, sz - used, "%lx-%lx %s;", ps, pe, pperms);
	fclose(f);
	return 0;
}

/* How many listed seals of this process overlap [lo, hi); -errno. */
static int listed_in(uintptr_t lo, uintptr_t hi)
{
	static struct mseal_range_info r[256];
	struct mseal_list l = {
		.pid = 0, .count = 256, .ranges = (uintptr_t)r,
	};
	int fd = mseal_dev_fd(), ret, n = 0;
	uint32_t i;

	if (fd < 0)
		return fd;
	ret = ioctl_err(fd, MSEAL_IOC_LIST, &l);
	if (ret)
		return ret;
	for (i = 0; i < l.count && i < 256; i++)
		if (r[i].start < hi && r[i].end > lo)
			n++;
	return n;
}

/* The sealed state of each of the NPAGES pages: a string of 0/1. */
static void sealed_pages(char *base, char out[NPAGES + 1])
{
	int i, r;

	for (i = 0; i < NPAGES; i++) {
		r = page_sealed(pg(base, i));
		out[i] = r == 1 ? '1' : r == 0 ? '0' : '?';
	}
	out[NPAGES] = 0;
}

static void inconsistent(int n, const char *op, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void inconsistent(int n, const char *op, const char *fmt, ...)
{
	va_list ap;

	__atomic_add_fetch(&tot->inconsistent, 1, __ATOMIC_SEQ_CST);
	printf("# INCONSISTENT %s n=%d: ", op, n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* ---- operations --------------------------------------------------------- */

typedef int (*seal_fn)(void *addr, size_t len);

static int seal_dev(void *addr, size_t len)
{
	return seal(addr, len, 0);
}

static int seal_sys(void *addr, size_t len)
{
	return syscall(462, (unsigned long)addr, (unsigned long)len, 0UL) ?
	       -errno : 0;
}

/*
 * Seal pages 1..2 of a fresh 4-page mapping with fail-nth = n. Returns 1
 * when the fault was not hit and the seal succeeded (done), else 0.
 */
static int seal_attempt(const char *op, seal_fn fn, int n, int *hits)
{
	char before[1024], after[1024], want[NPAGES + 1], got[NPAGES + 1];
	size_t ps = pgsz();
	char *base = map_region(NPAGES);
	long mms0 = read_long(S_MMS);
	bool hit;
	int r, lst;

	if (!base) {
		inconsistent(n, op, "map_region failed (%s)", strerror(errno));
		return 1;
	}
	fill_pattern(base, NPAGES * ps, n);
	maps_norm((uintptr_t)base, (uintptr_t)base + NPAGES * ps, before,
		  sizeof(before));
	nth_arm(n);
	r = fn(pg(base, 1), 2 * ps);
	hit = nth_hit();
	*hits += hit;
	sealed_pages(base, got);
	maps_norm((uintptr_t)base, (uintptr_t)base + NPAGES * ps, after,
		  sizeof(after));
	lst = listed_in((uintptr_t)base, (uintptr_t)base + NPAGES * ps);
	if (r == 0) {
		strcpy(want, "0110");
		if (strcmp(got, want) || lst != 1)
			inconsistent(n, op, "succeeded (hit %d) but sealed pages %s (want %s), %d listed",
				     hit, got, want, lst);
	} else if (r == -ENOMEM) {
		if (!hit)
			inconsistent(n, op, "ENOMEM without an injected fault");
		if (strcmp(got, "0000") || lst != 0)
			inconsistent(n, op, "ENOMEM but sealed pages %s, %d listed",
				     got, lst);
		if (strcmp(before, after))
			inconsistent(n, op, "ENOMEM but the mappings changed: %s -> %s",
				     before, after);
		if (mms0 == 0 && read_long(S_MMS) != 0)
			inconsistent(n, op, "ENOMEM but the mm was marked sealed");
	} else {
		inconsistent(n, op, "returned %d (%s), hit %d", r, strerror(-r),
			     hit);
	}
	if (check_pattern(base, NPAGES * ps, n) != -1)
		inconsistent(n, op, "contents changed");
	/* An unsealed one goes; a sealed one stays until this child exits. */
	if (r)
		munmap(base, NPAGES * ps);
	return !hit && r == 0;
}

static void seal_loop(struct __test_metadata *_metadata, const char *op,
		      seal_fn fn)
{
	int n, hits = 0;

	for (n = 1; n <= MAX_N; n++) {
		__atomic_add_fetch(&tot->attempts, 1, __ATOMIC_SEQ_CST);
		if (seal_attempt(op, fn, n, &hits))
			break;
	}
	__atomic_add_fetch(&tot->injected, hits, __ATOMIC_SEQ_CST);
	printf("# %s: %d allocation points failed in turn, done at n=%d\n",
	       op, hits, n);
	EXPECT_LE(n, MAX_N);
}

/* ---- fixture -------------------------------------------------------------- */

FIXTURE(faults) {
	int dummy;
};

FIXTURE_SETUP(faults)
{
	const char *why = no_faults();

	if (why)
		SKIP_FIXTURE("%s", why);
	ASSERT_EQ(0, modctl_ensure_loaded());
	if (kernel_enforces())
		SKIP_FIXTURE("native mseal(2): the seal is the kernel's");
	ASSERT_EQ(0, faults_configure());
	ASSERT_LE(0, mseal_dev_fd());
	ASSERT_EQ(0, nth_open());
}

FIXTURE_TEARDOWN(faults)
{
	if (nth_fd >= 0)
		nth_arm(0);
}

TEST_F(faults, seal_ioctl)
{
	seal_loop(_metadata, "seal_ioctl", seal_dev);
}

TEST_F(faults, seal_syscall)
{
	ASSERT_EQ(0, write_file(P_SYSCALL, "1"));
	seal_loop(_metadata, "seal_syscall", seal_sys);
	write_file(P_SYSCALL, "0");
}

/* The child of a sealed process: its copy sealed, contents intact. */
static int fork_child_check(char *base)
{
	char got[NPAGES + 1];

	sealed_pages(base, got);
	if (strcmp(got, "1111") || check_pattern(base, NPAGES * pgsz(), 5) != -1)
		return 1;
	if (listed_in((uintptr_t)base, (uintptr_t)base + NPAGES * pgsz()) != 1)
		return 2;
	return 0;
}

/* mms back to @want within a second (the child's mm may drop late). */
static bool mms_settle(long want)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (read_long(S_MMS) == want)
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * Between fork() and nth_hit() the parent runs user code on a stack that
 * fork made copy-on-write: a fault injected there is the kernel's to
 * handle (a failed copy is retried), but one that fails growing the
 * stack is SIGSEGV, as it is without fault injection.  The loop's stack
 * is grown beforehand, so that only fork's own allocations remain.
 */
static void __attribute__((noinline)) grow_stack(void)
{
	volatile char pad[256 << 10];
	size_t i;

	for (i = 0; i < sizeof(pad); i += 1024)
		pad[i] = 1;
}

TEST_F(faults, fork_sealed)
{
	size_t len = NPAGES * pgsz();
	char *base = map_region(NPAGES);
	int n, hits = 0, status;
	long mms0;
	bool hit;
	pid_t pid;

	ASSERT_TRUE(base != NULL);
	fill_pattern(base, len, 5);
	ASSERT_EQ(0, seal(base, len, 0));
	mms0 = read_long(S_MMS);
	grow_stack();
	for (n = 1; n <= MAX_N; n++) {
		__atomic_add_fetch(&tot->attempts, 1, __ATOMIC_SEQ_CST);
		fflush(stdout);
		nth_arm(n);
		pid = fork();
		if (pid == 0)
			_exit(fork_child_check(base));
		hit = nth_hit();
		hits += hit;
		if (pid < 0) {
			if (errno != ENOMEM && errno != EAGAIN)
				inconsistent(n, "fork_sealed", "fork: %s",
					     strerror(errno));
			if (!hit)
				inconsistent(n, "fork_sealed", "fork failed without an injected fault");
		} else {
			if (waitpid(pid, &status, 0) != pid)
				inconsistent(n, "fork_sealed", "waitpid: %s",
					     strerror(errno));
			else if (!WIFEXITED(status) || WEXITSTATUS(status))
				inconsistent(n, "fork_sealed", "the child (hit %d) found its copy %s (status 0x%x)",
					     hit, WIFEXITED(status) && WEXITSTATUS(status) == 1 ?
					     "not sealed or changed" : "not listed or crashed",
					     status);
		}
		if (fork_child_check(base))
			inconsistent(n, "fork_sealed", "the parent's seal changed");
		if (!mms_settle(mms0))
			inconsistent(n, "fork_sealed", "sealed mms %ld, want %ld",
				     read_long(S_MMS), mms0);
		if (!hit && pid > 0)
			break;
	}
	__atomic_add_fetch(&tot->injected, hits, __ATOMIC_SEQ_CST);
	printf("# fork_sealed: %d allocation points failed in turn, done at n=%d\n",
	       hits, n);
	EXPECT_LE(n, MAX_N);
}

/*
 * exec_sysmap: the child arms fail-nth and execs this binary as
 * "--exec-child FD"; that reports on FD "X <hit> <vdso sealed>" first
 * thing in main(). A failed execve reports "E <hit> <errno>".
 */
static int exec_child_main(int fd)
{
	uint64_t vs, ve;
	char b[64];
	int sealed, hit;

	hit = nth_open() ? -1 : nth_hit();
	sealed = find_named(0, "[vdso]", &vs, &ve) ? -1 :
		 page_sealed((void *)(uintptr_t)vs);
	snprintf(b, sizeof(b), "X %d %d\n", hit, sealed);
	if (write(fd, b, strlen(b)) < 0)
		return 1;
	return 0;
}

TEST_F(faults, exec_sysmap)
{
	int n, hits = 0, status, p[2];
	char b[64], fdarg[16];
	char old[8] = "0";
	ssize_t got;
	pid_t pid;
	bool done = false;

	if (read_file(P_TOGGLE, old, sizeof(old)))
		SKIP(return, "no %s", P_TOGGLE);
	if (atoi(old) == 2)
		SKIP(return, "seal_system_mappings is locked (2)");
	ASSERT_EQ(0, write_file(P_TOGGLE, "1"));
	for (n = 1; n <= MAX_N && !done; n++) {
		__atomic_add_fetch(&tot->attempts, 1, __ATOMIC_SEQ_CST);
		ASSERT_EQ(0, pipe(p));
		fflush(stdout);
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			char *argv[] = { self_path, (char *)"--exec-child",
					 fdarg, NULL };
			int e;

			close(p[0]);
			snprintf(fdarg, sizeof(fdarg), "%d", p[1]);
			if (nth_open())
				_exit(3);
			nth_arm(n);
			execv(self_path, argv);
			e = errno;
			snprintf(b, sizeof(b), "E %d %d\n", nth_hit(), e);
			_exit(write(p[1], b, strlen(b)) < 0);
		}
		close(p[1]);
		got = read(p[0], b, sizeof(b) - 1);
		close(p[0]);
		b[got > 0 ? got : 0] = 0;
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		if (b[0] == 'X') {
			int hit = -1, sealed = -1;

			sscanf(b, "X %d %d", &hit, &sealed);
			hits += hit == 1;
			if (sealed != 1)
				inconsistent(n, "exec_sysmap", "exec succeeded (hit %d) but [vdso] sealed=%d",
					     hit, sealed);
			done = hit == 0;
		} else if (b[0] == 'E') {
			int hit = -1, e = 0;

			sscanf(b, "E %d %d", &hit, &e);
			hits += hit == 1;
			/* copy_strings(): E2BIG when get_arg_page() fails. */
			if ((e != ENOMEM && e != E2BIG) || hit != 1)
				inconsistent(n, "exec_sysmap", "execve failed with %s, hit %d",
					     strerror(e), hit);
		} else if (WIFSIGNALED(status) &&
			   (WTERMSIG(status) == SIGSEGV ||
			    WTERMSIG(status) == SIGKILL)) {
			/* Past the point of no return: killed, as documented. */
			hits++;
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
			/*
			 * The exec succeeded and the static C library's
			 * start-up (TLS, brk) got the fault before main().
			 */
			hits++;
		} else {
			inconsistent(n, "exec_sysmap", "no report, status 0x%x", status);
		}
	}
	write_file(P_TOGGLE, old);
	__atomic_add_fetch(&tot->injected, hits, __ATOMIC_SEQ_CST);
	printf("# exec_sysmap: %d allocation points failed in turn, done at n=%d\n",
	       hits, n - 1);
	EXPECT_TRUE(done);
}

/* Last (tests run in the order they are defined): the totals. */
TEST_F(faults, totals)
{
	printf("# faults: %ld injected, %ld inconsistent (%ld attempts)\n",
	       tot->injected, tot->inconsistent, tot->attempts);
	EXPECT_EQ(0, tot->inconsistent);
	EXPECT_LE(100, tot->injected);
}

/* What TEST_HARNESS_MAIN does, with a main() of our own. */
static void __attribute__((constructor)) constructor_order_last(void)
{
	if (!__constructor_order)
		__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD;
}

int main(int argc, char **argv)
{
	ssize_t n;

	if (argc == 3 && !strcmp(argv[1], "--exec-child"))
		return exec_child_main(atoi(argv[2]));
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n <= 0)
		return 1;
	self_path[n] = 0;
	tot = mmap(NULL, sizeof(*tot), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tot == MAP_FAILED)
		return 1;
	mseal_scale_timeouts();
	return test_harness_run(argc, argv);
}
