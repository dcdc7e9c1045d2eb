// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_sysmap - sealing of system mappings at exec, its opt-out, the
 * listing ioctl and the counters (SPEC 5.1-5.5, 6.1, 6.2).
 *
 * Runs after mseal_module (the module is loaded, toggle at its default).
 * Every test that turns the toggle on turns it off again in its teardown,
 * so the binaries after this one run with it off.  The lock (writing 2)
 * is tested by mseal_sysmap_lock, which must run last of all.
 *
 * The processes a test checks must be exec'd after the toggle changed
 * (exec is the edge, SPEC 5.2): the test re-executes this binary with
 * "--helper MODE", which checks its own address space and reports through
 * its exit status (details on stdout as "# " lines).
 *
 * Never run this on a development host: it needs the module loaded.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include "mseal_util.h"
#include "mseal_harness.h"

#define PARAM_TOGGLE	"/sys/module/mseal/parameters/seal_system_mappings"
#define PARAM_LOG	"/sys/module/mseal/parameters/log_denials"
#define SYSFS_DIR	"/sys/kernel/mseal"

/* Helper exit codes. */
#define H_OK		0
#define H_FAIL		1
#define H_MISSING	2	/* the mapping to check does not exist */
#define H_UNSEALED	3	/* the mapping exists and is not sealed */
#define H_DENIED	10	/* restorer: the kernel refused */

static char self_path[PATH_MAX];

/* ---- small file helpers --------------------------------------------- */

static int append_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int set_toggle(int v)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%d", v);
	return write_file(PARAM_TOGGLE, buf);
}

/* ---- counters -------------------------------------------------------- */

enum { OP_MUNMAP, OP_MPROTECT, OP_MREMAP, OP_MMAP, OP_MADVISE, NR_OPS };
static const char *const op_names[NR_OPS] = {
	"munmap", "mprotect", "mremap", "mmap", "madvise",
};

struct counters {
	long seals, ranges, sysmap_denied;
	long denied[NR_OPS];
};

static int read_counters(struct counters *c)
{
	char buf[1024], *line;
	int op, found = 0;

	c->seals = read_long(SYSFS_DIR "/seals");
	c->ranges = read_long(SYSFS_DIR "/ranges");
	c->sysmap_denied = read_long(SYSFS_DIR "/sysmap_denied");
	if (c->seals < 0 || c->ranges < 0 || c->sysmap_denied < 0)
		return -1;
	if (read_file(SYSFS_DIR "/denied", buf, sizeof(buf)))
		return -1;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char name[32];
		long n;

		if (sscanf(line, "%31s %ld", name, &n) != 2)
			return -1;
		for (op = 0; op < NR_OPS; op++) {
			if (!strcmp(name, op_names[op])) {
				c->denied[op] = n;
				found |= 1 << op;
			}
		}
	}
	return found == (1 << NR_OPS) - 1 ? 0 : -1;
}

/* ---- maps ------------------------------------------------------------ */

/* The maps line of self containing @addr: start and file offset. */
static int find_containing(const void *addr, uint64_t *start, uint64_t *off)
{
	char line[512];
	uint64_t a = (uintptr_t)addr;
	int r = -1;
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		uint64_t s, e, o;
		char perms[5];

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64, &s,
			   &e, perms, &o) == 4 && s <= a && a < e) {
			*start = s;
			*off = o;
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

/* ---- MSEAL_IOC_LIST --------------------------------------------------- */

static int list_ranges(pid_t pid, struct mseal_range_info *out, uint32_t *count)
{
	struct mseal_list l = {
		.pid = (uint32_t)pid,
		.count = *count,
		.ranges = (uintptr_t)out,
	};
	int fd = mseal_dev_fd();
	int r;

	if (fd < 0)
		return fd;
	r = ioctl_err(fd, MSEAL_IOC_LIST, &l);
	if (!r)
		*count = l.count;
	return r;
}

static const char *const sysmap_names[] = {
	"[vdso]", "[vvar]", "[vvar_vclock]", "[sigpage]", "[vectors]",
};

/*
 * Does the seal list of @pid consist of exactly its system mappings, as
 * system ranges (adjacent ones merged)?  0, or -1 with @why.
 */
static int check_sysmaps_listed(pid_t pid, char *why, size_t whysz)
{
	struct mseal_range_info got[16];
	uint64_t want[8][2], s, e;
	uint32_t n = 16, i, j, nw = 0;
	int r;

	for (i = 0; i < sizeof(sysmap_names) / sizeof(sysmap_names[0]); i++) {
		if (find_named(pid, sysmap_names[i], &s, &e))
			continue;
		want[nw][0] = s;
		want[nw][1] = e;
		nw++;
	}
	if (!nw) {
		snprintf(why, whysz, "no system mapping in /proc/%d/maps", pid);
		return -1;
	}
	/* Sort and merge adjacent mappings. */
	for (i = 0; i < nw; i++)
		for (j = i + 1; j < nw; j++)
			if (want[j][0] < want[i][0]) {
				uint64_t t0 = want[i][0], t1 = want[i][1];

				want[i][0] = want[j][0];
				want[i][1] = want[j][1];
				want[j][0] = t0;
				want[j][1] = t1;
			}
	for (i = 1, j = 0; i < nw; i++) {
		if (want[i][0] == want[j][1])
			want[j][1] = want[i][1];
		else
			j++, want[j][0] = want[i][0], want[j][1] = want[i][1];
	}
	nw = j + 1;

	r = list_ranges(pid, got, &n);
	if (r) {
		snprintf(why, whysz, "MSEAL_IOC_LIST(%d): %s", pid, strerror(-r));
		return -1;
	}
	if (n != nw) {
		snprintf(why, whysz, "pid %d: %u sealed ranges, want %u", pid,
			 n, nw);
		return -1;
	}
	for (i = 0; i < nw; i++) {
		if (got[i].start != want[i][0] || got[i].end != want[i][1] ||
		    got[i].flags != MSEAL_RANGE_SYSTEM) {
			snprintf(why, whysz,
				 "range %u: %#llx-%#llx flags %llu, want %#llx-%#llx system",
				 i, (unsigned long long)got[i].start,
				 (unsigned long long)got[i].end,
				 (unsigned long long)got[i].flags,
				 (unsigned long long)want[i][0],
				 (unsigned long long)want[i][1]);
			return -1;
		}
	}
	return 0;
}

/* ---- helpers (this binary, re-executed) ------------------------------ */

#define HLOG(...) do { printf("# helper %d: ", getpid()); printf(__VA_ARGS__); \
		       printf("\n"); fflush(stdout); } while (0)

static int data_word = 1;

/*
 * Probed by the uprobe test.  Its first instruction must be one the kernel
 * single-steps out of line (an ALU operation), not one it emulates (a
 * branch, a push, a PC-relative load on arm64): only the former needs the
 * [uprobes] area.
 */
__attribute__((noinline)) int uprobe_target(int x)
{
	return x * 3 + 1;
}

static int expect_eperm(const char *what, int r)
{
	if (r == -EPERM)
		return 0;
	HLOG("%s: %s, want EPERM", what, r ? strerror(-r) : "succeeded");
	return 1;
}

static int expect_ok(const char *what, int r)
{
	if (!r)
		return 0;
	HLOG("%s: %s, want success", what, strerror(-r));
	return 1;
}

static int xmremap_fixed(void *old, size_t len, void *new)
{
	void *p = mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, new);

	return p == MAP_FAILED ? -errno : 0;
}

static int xmmap_fixed(void *addr, size_t len)
{
	void *p = mmap(addr, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	return p == MAP_FAILED ? -errno : 0;
}

/* Toggle on at exec: system mappings sealed, nothing else. */
static int helper_sealed(void)
{
	uint64_t vs, ve, ws, we, ss, se, hs, he, start, off;
	struct timeval tv;
	struct timespec ts;
	int fails = 0, local = 0;
	void *dst, *fresh, *heap;
	size_t ps = pgsz();

	if (find_named(0, "[vdso]", &vs, &ve) ||
	    find_named(0, "[vvar]", &ws, &we)) {
		HLOG("no [vdso] or [vvar]");
		return H_MISSING;
	}
	dst = mmap(NULL, ve - vs, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (dst == MAP_FAILED)
		return H_FAIL;
	fails += expect_eperm("munmap [vdso]",
			      xmunmap((void *)vs, ve - vs));
	fails += expect_eperm("mremap [vdso] elsewhere",
			      xmremap_fixed((void *)vs, ve - vs, dst));
	fails += expect_eperm("mprotect [vdso]",
			      xmprotect((void *)vs, ve - vs,
					PROT_READ | PROT_EXEC));
	fails += expect_eperm("mmap over [vdso]",
			      xmmap_fixed((void *)vs, ve - vs));
	fails += expect_eperm("munmap [vvar]", xmunmap((void *)ws, we - ws));
	fails += expect_eperm("mprotect [vvar]",
			      xmprotect((void *)ws, we - ws, PROT_READ));
	/* The vdso still works. */
	if (gettimeofday(&tv, NULL) || clock_gettime(CLOCK_MONOTONIC, &ts) ||
	    !tv.tv_sec) {
		HLOG("gettimeofday/clock_gettime failed");
		fails++;
	}
	/* Everything else is not sealed. */
	if (find_named(0, "[stack]", &ss, &se)) {
		HLOG("no [stack]");
		fails++;
	} else {
		void *page = (void *)((uintptr_t)&local & ~(ps - 1));

		fails += expect_ok("mprotect [stack] page",
				   xmprotect(page, ps,
					     PROT_READ | PROT_WRITE));
	}
	heap = malloc(64);
	if (heap && !find_named(0, "[heap]", &hs, &he))
		fails += expect_ok("mprotect [heap] page",
				   xmprotect((void *)hs, ps,
					     PROT_READ | PROT_WRITE));
	free(heap);
	if (!find_containing(&data_word, &start, &off))
		fails += expect_ok("mprotect own data page",
				   xmprotect((void *)start, ps,
					     PROT_READ | PROT_WRITE));
	fresh = map_region(2);
	if (!fresh)
		return H_FAIL;
	fails += expect_ok("munmap fresh page", xmunmap(fresh, ps));
	return fails ? H_FAIL : H_OK;
}

/* What CRIU's restorer does: replace the vdso by fresh memory. */
static int helper_restorer(void)
{
	uint64_t vs, ve;
	int r1, r2;

	if (find_named(0, "[vdso]", &vs, &ve)) {
		HLOG("no [vdso]");
		return H_MISSING;
	}
	r1 = xmunmap((void *)vs, ve - vs);
	r2 = xmmap_fixed((void *)vs, ve - vs);
	if (!r1 && !r2)
		return H_OK;
	if (r1 == -EPERM && r2 == -EPERM)
		return H_DENIED;
	HLOG("munmap [vdso]: %s, mmap over it: %s", strerror(-r1),
	     strerror(-r2));
	return H_FAIL;
}

/* Two refused operations on [vdso]: munmap, then mprotect. */
static int helper_deny(void)
{
	uint64_t vs, ve;
	int fails = 0;

	if (find_named(0, "[vdso]", &vs, &ve))
		return H_MISSING;
	fails += expect_eperm("munmap [vdso]", xmunmap((void *)vs, ve - vs));
	fails += expect_eperm("mprotect [vdso]",
			      xmprotect((void *)vs, ve - vs,
					PROT_READ | PROT_EXEC));
	return fails ? H_FAIL : H_OK;
}

/* Opted out: explicit seals work, system mappings are not sealed. */
static int helper_explicit(void)
{
	uint64_t vs, ve;
	char *p = map_region(2);
	int fails = 0;

	if (!p)
		return H_FAIL;
	fails += expect_ok("seal", seal(p, pgsz(), 0));
	fails += expect_eperm("munmap explicitly sealed page",
			      xmunmap(p, pgsz()));
	fails += expect_ok("munmap unsealed page", xmunmap(p + pgsz(),
							   pgsz()));
	if (find_named(0, "[vdso]", &vs, &ve))
		return H_MISSING;
	fails += expect_ok("munmap [vdso]", xmunmap((void *)vs, ve - vs));
	return fails ? H_FAIL : H_OK;
}

/* Hit the uprobe placed on uprobe_target(), then check [uprobes]. */
static int helper_uprobe(void)
{
	volatile int x = 5;
	uint64_t us, ue;
	int r;

	x = uprobe_target(x);
	if (find_named(0, "[uprobes]", &us, &ue)) {
		HLOG("no [uprobes] after the probe hit (x=%d)", x);
		return H_MISSING;
	}
	r = xmunmap((void *)us, ue - us);
	if (r == -EPERM)
		return H_OK;
	if (!r)
		return H_UNSEALED;
	HLOG("munmap [uprobes]: %s", strerror(-r));
	return H_FAIL;
}

/*
 * An explicit seal over a system seal keeps the system part system; the
 * explicit rest is a range of its own, not coalesced with it.
 */
static int helper_kinds(void)
{
	struct mseal_range_info r[8];
	uint64_t vs, ve, ws, we, lo;
	uint32_t n = 8, i;
	int fails = 0;
	char *after;

	if (find_named(0, "[vdso]", &vs, &ve) ||
	    find_named(0, "[vvar]", &ws, &we))
		return H_MISSING;
	lo = ws < vs ? ws : vs;
	/* Idempotent over the system seal. */
	fails += expect_ok("seal [vdso] explicitly", seal((void *)vs,
							   ve - vs, 0));
	after = map_at((void *)ve, 1, PROT_READ);
	if (!after) {
		HLOG("cannot map the page after [vdso]; skipping that part");
	} else {
		fails += expect_ok("seal [vdso] + the page after it",
				   seal((void *)vs, ve - vs + pgsz(), 0));
		fails += expect_eperm("munmap the page after [vdso]",
				      xmunmap(after, pgsz()));
	}
	if (list_ranges(0, r, &n))
		return H_FAIL;
	for (i = 0; i < n && i < 8; i++)
		HLOG("range %u: %#llx-%#llx flags %llu", i,
		     (unsigned long long)r[i].start,
		     (unsigned long long)r[i].end,
		     (unsigned long long)r[i].flags);
	if (n != (after ? 2u : 1u) || r[0].start != lo || r[0].end != ve ||
	    r[0].flags != MSEAL_RANGE_SYSTEM ||
	    (after && (r[1].start != ve || r[1].end != ve + pgsz() ||
		       r[1].flags != 0))) {
		HLOG("unexpected list (%u ranges)", n);
		fails++;
	}
	return fails ? H_FAIL : H_OK;
}

/* SPEC 4.1 for system seals: a forked child keeps them, as system. */
static int helper_fork(void)
{
	struct mseal_range_info r[8];
	uint64_t vs, ve;
	uint32_t n = 8;
	int status;
	pid_t pid;

	if (find_named(0, "[vdso]", &vs, &ve))
		return H_MISSING;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return H_FAIL;
	if (!pid) {
		if (expect_eperm("munmap [vdso] in the child",
				 xmunmap((void *)vs, ve - vs)))
			_exit(H_FAIL);
		if (list_ranges(0, r, &n) || n != 1 ||
		    r[0].flags != MSEAL_RANGE_SYSTEM || r[0].end != ve) {
			HLOG("child's seals: %u ranges, first flags %llu", n,
			     n ? (unsigned long long)r[0].flags : 0ULL);
			_exit(H_FAIL);
		}
		_exit(H_OK);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return H_FAIL;
	return WEXITSTATUS(status);
}

static int helper_main(const char *mode)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} modes[] = {
		{ "kinds", helper_kinds },
		{ "fork", helper_fork },
		{ "sealed", helper_sealed },
		{ "restorer", helper_restorer },
		{ "deny", helper_deny },
		{ "explicit", helper_explicit },
		{ "uprobe", helper_uprobe },
	};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(mode, modes[i].name))
			return modes[i].fn();
	HLOG("unknown mode %s", mode);
	return H_FAIL;
}

/*
 * fork + exec @path with the arguments @args (NULL-terminated, or none) and
 * @env added to the environment (or not); its exit status, or 128 + the
 * signal that killed it, or -1.  *@pidp (if given) gets its pid.
 */
static int run_program(const char *path, char *const *args, char *env,
		       pid_t *pidp)
{
	char *argv[8] = { (char *)path };
	int status, i;
	pid_t pid;

	for (i = 0; args && args[i] && i < 6; i++)
		argv[i + 1] = args[i];
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (env)
			putenv(env);
		execv(path, argv);
		_exit(127);
	}
	if (pidp)
		*pidp = pid;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* This binary as helper @mode: see run_program(). */
static int run_helper(const char *mode, pid_t *pidp)
{
	char *const args[] = { (char *)"--helper", (char *)mode, NULL };

	return run_program(self_path, args, NULL, pidp);
}

static int optout(void)
{
	int fd = mseal_dev_fd();

	if (fd < 0)
		return fd;
	return ioctl_err(fd, MSEAL_IOC_SYSMAP_OPTOUT, NULL);
}

/*
 * In a child: opt out, then (depth 1) run helper @mode, or (depth 2) fork
 * once more and run it from the grandchild.  The helper's status, or 100
 * + errno of a failed opt-out.
 */
static int run_helper_opted_out(const char *mode, int depth)
{
	int status, r;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		r = optout();
		if (r)
			_exit(100 + (-r & 0x7f));
		if (depth > 1) {
			pid_t mid = fork();

			if (mid < 0)
				_exit(99);
			if (mid) {
				if (waitpid(mid, &status, 0) != mid ||
				    !WIFEXITED(status))
					_exit(98);
				_exit(WEXITSTATUS(status));
			}
		}
		_exit(run_helper(mode, NULL) & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Start @path stopped at its first instruction (PTRACE_TRACEME + exec);
 * returns its pid or -1.  Kill it with kill_stopped().
 */
static pid_t spawn_stopped(const char *path, const char *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(126);
		execl(path, path, arg, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != SIGTRAP) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static void kill_stopped(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Capabilities: drop @caps (bit mask of CAP_*) from all three sets. */
static int drop_caps(uint64_t caps)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int i;

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	for (i = 0; i < 2; i++) {
		uint32_t m = (uint32_t)(caps >> (32 * i));

		data[i].effective &= ~m;
		data[i].permitted &= ~m;
		data[i].inheritable &= ~m;
	}
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

#define CAPBIT(c) (1ULL << (c))

/* ---- tests ------------------------------------------------------------ */

/* Tests that need no setup (and must not change the toggle first). */
FIXTURE(plain) {
	int unused;
};

FIXTURE_SETUP(plain)
{
	(void)self;
	(void)variant;
}

FIXTURE_TEARDOWN(plain)
{
	(void)self;
	(void)variant;
}

FIXTURE(sysmap) {
	int unused;
};

FIXTURE_SETUP(sysmap)
{
	(void)self;
	(void)variant;
	if (access(PARAM_TOGGLE, F_OK))
		SKIP(return, "no %s: module not loaded?", PARAM_TOGGLE);
	ASSERT_EQ(0, set_toggle(0));
	ASSERT_EQ(0, write_file(PARAM_LOG, "0"));
}

FIXTURE_TEARDOWN(sysmap)
{
	(void)self;
	(void)variant;
	set_toggle(0);
	write_file(PARAM_LOG, "0");
}

/* SPEC 5.1: default 0; counters and version in /sys/kernel/mseal/. */
TEST_F(plain, toggle_default_off)
{
	char buf[64];
	struct counters c;

	ASSERT_EQ(0, read_file(PARAM_TOGGLE, buf, sizeof(buf)));
	EXPECT_STREQ("0\n", buf);
	ASSERT_EQ(0, read_file(PARAM_LOG, buf, sizeof(buf)));
	EXPECT_STREQ("N\n", buf);
	ASSERT_EQ(0, read_file(SYSFS_DIR "/version", buf, sizeof(buf)));
	EXPECT_NE(0, buf[0] != '\n' && buf[0]);
	EXPECT_EQ(0, read_counters(&c));
}

static int nobody_writes(void *arg, char *msg, size_t msgsz)
{
	int r;

	r = drop_to_nobody();
	if (r) {
		snprintf(msg, msgsz, "drop_to_nobody: %s", strerror(-r));
		return 2;
	}
	r = write_file((const char *)arg, "1");
	snprintf(msg, msgsz, "write as nobody: %s", r ? strerror(-r) : "ok");
	return r ? 0 : 1;
}

static int noadmin_writes(void *arg, char *msg, size_t msgsz)
{
	int r = drop_caps(CAPBIT(CAP_SYS_ADMIN));

	if (r) {
		snprintf(msg, msgsz, "capset: %s", strerror(-r));
		return 2;
	}
	r = write_file((const char *)arg, "1");
	snprintf(msg, msgsz, "write without CAP_SYS_ADMIN: %s",
		 r ? strerror(-r) : "ok");
	return r == -EPERM ? 0 : 1;
}

/* SPEC 5.3: only root (CAP_SYS_ADMIN) changes the toggle. */
TEST_F(sysmap, toggle_needs_admin)
{
	char msg[256], buf[16];

	EXPECT_EQ(0, run_in_child(nobody_writes, PARAM_TOGGLE, msg,
				  sizeof(msg))) TH_LOG("%s", msg);
	EXPECT_EQ(0, run_in_child(noadmin_writes, PARAM_TOGGLE, msg,
				  sizeof(msg))) TH_LOG("%s", msg);
	EXPECT_EQ(0, run_in_child(nobody_writes, PARAM_LOG, msg,
				  sizeof(msg))) TH_LOG("%s", msg);
	EXPECT_EQ(0, run_in_child(noadmin_writes, PARAM_LOG, msg,
				  sizeof(msg))) TH_LOG("%s", msg);
	ASSERT_EQ(0, read_file(PARAM_TOGGLE, buf, sizeof(buf)));
	EXPECT_STREQ("0\n", buf);
	ASSERT_EQ(0, read_file(PARAM_LOG, buf, sizeof(buf)));
	EXPECT_STREQ("N\n", buf);
}

/* SPEC 5.3: 0, 1 and 2 are the only values. */
TEST_F(sysmap, toggle_rejects_other_values)
{
	char buf[16];

	EXPECT_EQ(-EINVAL, set_toggle(3));
	EXPECT_EQ(-EINVAL, set_toggle(-1));
	EXPECT_EQ(-EINVAL, write_file(PARAM_TOGGLE, "on"));
	ASSERT_EQ(0, read_file(PARAM_TOGGLE, buf, sizeof(buf)));
	EXPECT_STREQ("0\n", buf);
	EXPECT_EQ(0, set_toggle(1));
	ASSERT_EQ(0, read_file(PARAM_TOGGLE, buf, sizeof(buf)));
	EXPECT_STREQ("1\n", buf);
	EXPECT_EQ(0, set_toggle(0));
}

static bool module_loaded(void)
{
	return access("/sys/module/mseal", F_OK) == 0;
}

/* finit_module(2) of $MSEAL_MODULE with @params: 0 or -errno. */
static int load_module(const char *params)
{
	const char *ko = getenv("MSEAL_MODULE");
	int fd, r;

	fd = open(ko && *ko ? ko : "/mseal/mseal.ko", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return r;
}

/* Unload, waiting up to 3 s for references that go after an RCU grace. */
static int unload_module(void)
{
	int i, r = 0;

	for (i = 0; i < 60; i++) {
		r = syscall(SYS_delete_module, "mseal", O_NONBLOCK) ? -errno : 0;
		if (r != -EAGAIN && r != -EBUSY)
			break;
		usleep(50000);
	}
	return r;
}

/*
 * SPEC 5.1 "also settable as a module parameter at load" (what
 * /etc/modprobe.d/mseal.conf does): a bad value refuses the load, a good
 * one is in force from the first exec after it.
 */
TEST_F(sysmap, toggle_at_load)
{
	char buf[16];
	int r;

	mseal_dev_close();
	r = unload_module();
	if (r)
		SKIP(return, "cannot unload the module (%s): something holds it",
		     strerror(-r));
	r = load_module("seal_system_mappings=3");
	EXPECT_EQ(-EINVAL, r);
	if (!r)
		ASSERT_EQ(0, unload_module());
	r = load_module("seal_system_mappings=1");
	if (r) {
		load_module("");	/* leave it loaded for what follows */
		ASSERT_EQ(0, r) TH_LOG("load with =1: %s", strerror(-r));
	}
	ASSERT_EQ(0, read_file(PARAM_TOGGLE, buf, sizeof(buf)));
	EXPECT_STREQ("1\n", buf);
	EXPECT_EQ(H_OK, run_helper("sealed", NULL));
	EXPECT_EQ(H_DENIED, run_helper("restorer", NULL));
	ASSERT_EQ(0, set_toggle(0));
	EXPECT_EQ(H_OK, run_helper("restorer", NULL));
	ASSERT_TRUE(module_loaded());
}

/*
 * SPEC 5.1: a program exec'd with the toggle on has [vdso] and [vvar]
 * sealed (munmap, mremap, mprotect, mmap over them: EPERM), the vdso still
 * works, and [stack], [heap], its own and fresh mappings are not sealed.
 */
TEST_F(sysmap, exec_seals_system_mappings)
{
	ASSERT_EQ(0, set_toggle(1));
	EXPECT_EQ(H_OK, run_helper("sealed", NULL));
	/* Off again: the next exec is not sealed. */
	ASSERT_EQ(0, set_toggle(0));
	EXPECT_EQ(H_OK, run_helper("restorer", NULL));
}

/*
 * SPEC 5.1 "from its first instruction", 6.1: stopped right after exec,
 * before it ran, the process's seals are exactly its system mappings,
 * listed as system ranges.
 */
TEST_F(sysmap, sealed_from_first_instruction)
{
	char why[256];
	pid_t pid;

	ASSERT_EQ(0, set_toggle(1));
	pid = spawn_stopped(self_path, "--helper");
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, check_sysmaps_listed(pid, why, sizeof(why)))
		TH_LOG("%s", why);
	kill_stopped(pid);
}

static bool is_elf32(const char *path)
{
	unsigned char ident[EI_NIDENT];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool r;

	if (fd < 0)
		return false;
	r = read(fd, ident, sizeof(ident)) == sizeof(ident) &&
	    !memcmp(ident, ELFMAG, SELFMAG) && ident[EI_CLASS] == ELFCLASS32;
	close(fd);
	return r;
}

/* SPEC 5.1 for 32-bit (compat) programs: their vdso is sealed too. */
TEST_F(sysmap, compat32_exec_sealed)
{
	const char *dir = getenv("MSEAL_TESTS_DIR");
	char path[PATH_MAX], why[256];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/mseal_compat32",
		 dir && *dir ? dir : "/tests");
	if (!is_elf32(path))
		SKIP(return, "no 32-bit mseal_compat32 (CC32 unset?)");
	ASSERT_EQ(0, set_toggle(1));
	pid = spawn_stopped(path, "-h");
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, check_sysmaps_listed(pid, why, sizeof(why)))
		TH_LOG("%s", why);
	kill_stopped(pid);
	/* ...and every change of them is refused in the 32-bit program. */
	EXPECT_EQ(0, run_program(path, NULL, "MSEAL_SYSMAP_CHECK=1", NULL));
}

/* SPEC 2.9 and 6.1 over system seals: kinds stay apart. */
TEST_F(sysmap, explicit_seal_over_system_seal)
{
	ASSERT_EQ(0, set_toggle(1));
	EXPECT_EQ(H_OK, run_helper("kinds", NULL));
}

/* SPEC 4.1 with 5.1: fork keeps system seals, as system. */
TEST_F(sysmap, fork_keeps_system_seals)
{
	ASSERT_EQ(0, set_toggle(1));
	EXPECT_EQ(H_OK, run_helper("fork", NULL));
}

/* SPEC 5.2: a process that was running when the toggle went on is not. */
TEST_F(sysmap, running_process_unaffected)
{
	int go[2], status;
	uint64_t vs, ve;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		if (find_named(0, "[vdso]", &vs, &ve))
			_exit(3);
		_exit(xmunmap((void *)vs, ve - vs) ? 1 : 0);
	}
	close(go[0]);
	ASSERT_EQ(0, set_toggle(1));
	ASSERT_EQ(1, write(go[1], "x", 1));
	close(go[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* SPEC 5.4: a restorer is refused under the toggle... */
TEST_F(sysmap, restorer_refused)
{
	ASSERT_EQ(0, set_toggle(1));
	EXPECT_EQ(H_DENIED, run_helper("restorer", NULL));
}

/* ...and works when its parent opted out first (CAP_SYS_ADMIN). */
TEST_F(sysmap, optout_restorer_works)
{
	ASSERT_EQ(0, set_toggle(1));
	EXPECT_EQ(H_OK, run_helper_opted_out("restorer", 1));
	/* Descendants of descendants too. */
	EXPECT_EQ(H_OK, run_helper_opted_out("restorer", 2));
	/* The opt-out was the child's: this process is still opted in. */
	EXPECT_EQ(H_DENIED, run_helper("restorer", NULL));
}

/* SPEC 5.4: CAP_CHECKPOINT_RESTORE alone is enough. */
static int optout_ckpt_only(void *arg, char *msg, size_t msgsz)
{
	int r = drop_caps(CAPBIT(CAP_SYS_ADMIN));

	(void)arg;
	if (r) {
		snprintf(msg, msgsz, "capset: %s", strerror(-r));
		return 2;
	}
	r = optout();
	snprintf(msg, msgsz, "opt-out with CAP_CHECKPOINT_RESTORE only: %s",
		 r ? strerror(-r) : "ok");
	if (r)
		return 1;
	r = run_helper("restorer", NULL);
	snprintf(msg, msgsz, "restorer after opt-out: %d", r);
	return r == H_OK ? 0 : 1;
}

/* SPEC 5.4: neither capability: EPERM. */
static int optout_nocap(void *arg, char *msg, size_t msgsz)
{
	int r;

	if (arg)
		r = drop_to_nobody();
	else
		r = drop_caps(CAPBIT(CAP_SYS_ADMIN) |
			      CAPBIT(CAP_CHECKPOINT_RESTORE));
	if (r) {
		snprintf(msg, msgsz, "dropping privileges: %s", strerror(-r));
		return 2;
	}
	r = optout();
	snprintf(msg, msgsz, "opt-out: %s", r ? strerror(-r) : "ok");
	if (r != -EPERM)
		return 1;
	r = run_helper("restorer", NULL);
	snprintf(msg, msgsz, "restorer after refused opt-out: %d", r);
	return r == H_DENIED ? 0 : 1;
}

TEST_F(sysmap, optout_privileges)
{
	char msg[256];

	ASSERT_EQ(0, set_toggle(1));
	EXPECT_EQ(0, run_in_child(optout_nocap, "nobody", msg, sizeof(msg)))
		TH_LOG("%s", msg);
	EXPECT_EQ(0, run_in_child(optout_nocap, NULL, msg, sizeof(msg)))
		TH_LOG("%s", msg);
	EXPECT_EQ(0, run_in_child(optout_ckpt_only, NULL, msg, sizeof(msg)))
		TH_LOG("%s", msg);
}

/*
 * SPEC 4.4 with the way out: an opted-out task pins the module like a seal,
 * and the pin goes when the task does (freed after an RCU grace period).
 */
static long settled_refcnt(void)
{
	long r = -1;
	int i;

	for (i = 0; i < 100; i++) {
		r = read_long("/sys/module/mseal/refcnt");
		if (r <= 0)
			break;
		usleep(50000);
	}
	return r;
}

TEST_F(sysmap, optout_released_with_task)
{
	/* Earlier tests' opted-out tasks are released after RCU, too. */
	int up[2], go[2], status;
	pid_t pid;
	char c;

	if (settled_refcnt() != 0)
		SKIP(return, "module held by something else");
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* Opted out, no seal, no open device: only the entry pins. */
		int r = optout();

		mseal_dev_close();
		if (write(up[1], "x", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(r ? 1 : 0);
	}
	ASSERT_EQ(1, read(up[0], &c, 1));
	EXPECT_EQ(1, read_long("/sys/module/mseal/refcnt"));
	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, settled_refcnt());

	/* And the entries a tree of opted-out tasks inherited. */
	EXPECT_EQ(H_OK, run_helper_opted_out("restorer", 2));
	EXPECT_EQ(0, settled_refcnt());
}

/* SPEC 5.4: explicit seals are not affected by the way out. */
TEST_F(sysmap, optout_keeps_explicit_seals)
{
	ASSERT_EQ(0, set_toggle(1));
	EXPECT_EQ(H_OK, run_helper_opted_out("explicit", 1));
}

/* SPEC 6.1: MSEAL_IOC_LIST of self, exactly, and its errors. */
TEST_F(plain, list_self)
{
	struct mseal_range_info r[4];
	char *a = map_region(4), *b = map_region(4);
	uint32_t n;
	pid_t pid;
	int status;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	if (a > b) {
		char *t = a;

		a = b;
		b = t;
	}
	/* The test runs in a child of its own: the seals die with it. */
	ASSERT_EQ(0, seal(a + pgsz(), 2 * pgsz(), 0));
	ASSERT_EQ(0, seal(b, pgsz(), 0));
	ASSERT_EQ(0, seal(b + pgsz(), pgsz(), 0));	/* coalesces */

	n = 0;
	ASSERT_EQ(0, list_ranges(0, NULL, &n));
	EXPECT_EQ(2u, n);

	memset(r, 0xa5, sizeof(r));
	n = 1;
	ASSERT_EQ(0, list_ranges(0, r, &n));
	EXPECT_EQ(2u, n);
	EXPECT_EQ((uintptr_t)a + pgsz(), r[0].start);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, r[1].start);

	n = 4;
	ASSERT_EQ(0, list_ranges(0, r, &n));
	ASSERT_EQ(2u, n);
	EXPECT_EQ((uintptr_t)a + pgsz(), r[0].start);
	EXPECT_EQ((uintptr_t)a + 3 * pgsz(), r[0].end);
	EXPECT_EQ(0ULL, r[0].flags);
	EXPECT_EQ((uintptr_t)b, r[1].start);
	EXPECT_EQ((uintptr_t)b + 2 * pgsz(), r[1].end);
	EXPECT_EQ(0ULL, r[1].flags);

	/* Own pid works like 0. */
	n = 4;
	ASSERT_EQ(0, list_ranges(getpid(), r, &n));
	EXPECT_EQ(2u, n);

	/* Errors. */
	n = 4;
	EXPECT_EQ(-EFAULT, list_ranges(0, (void *)8, &n));
	EXPECT_EQ(-EFAULT, ioctl_err(mseal_dev_fd(), MSEAL_IOC_LIST,
				     (void *)8));
	n = 4;
	EXPECT_EQ(-ESRCH, list_ranges(0x3fffffff, r, &n));
	n = 4;
	EXPECT_EQ(-ESRCH, list_ranges((pid_t)0x80000000u, r, &n));

	/* Another user's process: EACCES. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		n = 4;
		if (drop_to_nobody())
			_exit(2);
		_exit(list_ranges(getppid(), r, &n) == -EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * Wait up to 3 s for no range to be held anywhere (processes of earlier
 * binaries may still be exiting); false if some stay.
 */
static bool ranges_quiet(void)
{
	int i;

	for (i = 0; i < 60; i++) {
		if (read_long(SYSFS_DIR "/ranges") == 0)
			return true;
		usleep(50000);
	}
	return false;
}

/* SPEC 6.2: counters move by exactly what was done. */
TEST_F(sysmap, counters_explicit)
{
	struct counters c0, c1, c2;
	int go[2], done[2], status;
	pid_t pid;
	char c;

	if (kernel_enforces())
		SKIP(return, "native mseal: the kernel refuses, and no hook of the module sees it to count or log");
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	if (!ranges_quiet())
		SKIP(return, "another process holds seals: counters not exact");
	ASSERT_EQ(0, read_counters(&c0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		size_t ps = pgsz();
		char *a = map_region(2), *b = map_region(2);
		void *dst = map_region(2);
		int fails = 0;

		if (!a || !b || !dst || mprotect(a, 2 * ps, PROT_READ))
			_exit(2);
		fails += seal(a, 2 * ps, 0) != 0;
		fails += seal(b, ps, 0) != 0;
		fails += xmunmap(a, ps) != -EPERM;
		fails += xmprotect(a, ps, PROT_READ) != -EPERM;
		fails += xmremap_fixed(a, ps, dst) != -EPERM;
		fails += xmmap_fixed(a, ps) != -EPERM;
		fails += (madvise(a, ps, MADV_DONTNEED) ? errno : 0) != EPERM;
		if (write(done[1], "x", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(3);
		_exit(fails ? 1 : 0);
	}
	ASSERT_EQ(1, read(done[0], &c, 1));
	ASSERT_EQ(0, read_counters(&c1));
	ASSERT_EQ(1, write(go[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(0, read_counters(&c2));

	EXPECT_EQ(c0.seals + 2, c1.seals);
	EXPECT_EQ(c0.ranges + 2, c1.ranges);
	EXPECT_EQ(c0.ranges, c2.ranges);
	EXPECT_EQ(c0.denied[OP_MUNMAP] + 1, c1.denied[OP_MUNMAP]);
	EXPECT_EQ(c0.denied[OP_MPROTECT] + 1, c1.denied[OP_MPROTECT]);
	EXPECT_EQ(c0.denied[OP_MREMAP] + 1, c1.denied[OP_MREMAP]);
	EXPECT_EQ(c0.denied[OP_MMAP] + 1, c1.denied[OP_MMAP]);
	EXPECT_EQ(c0.denied[OP_MADVISE] + 1, c1.denied[OP_MADVISE]);
	EXPECT_EQ(c0.sysmap_denied, c1.sysmap_denied);
}

/* SPEC 5.5, 6.2: system seals and denials on them are counted. */
TEST_F(sysmap, counters_system)
{
	struct counters c0, c1;

	if (kernel_enforces())
		SKIP(return, "native mseal: the kernel refuses, and no hook of the module sees it to count or log");
	if (!ranges_quiet())
		SKIP(return, "another process holds seals: counters not exact");
	ASSERT_EQ(0, set_toggle(1));
	ASSERT_EQ(0, read_counters(&c0));
	EXPECT_EQ(H_OK, run_helper("deny", NULL));
	ASSERT_EQ(0, read_counters(&c1));
	/* [vdso] and [vvar]: two seals, two ranges gone with the helper. */
	EXPECT_EQ(c0.seals + 2, c1.seals);
	EXPECT_EQ(c0.ranges, c1.ranges);
	EXPECT_EQ(c0.denied[OP_MUNMAP] + 1, c1.denied[OP_MUNMAP]);
	EXPECT_EQ(c0.denied[OP_MPROTECT] + 1, c1.denied[OP_MPROTECT]);
	EXPECT_EQ(c0.sysmap_denied + 2, c1.sysmap_denied);
}

/* SPEC 5.5: the optional log line names pid, comm, operation, range. */
TEST_F(sysmap, log_denials)
{
	static char log[65536];
	struct kmsg_cursor kc;
	char want[128];
	uint64_t s, e;
	pid_t pid;
	int n;

	if (kernel_enforces())
		SKIP(return, "native mseal: the kernel refuses, and no hook of the module sees it to count or log");
	if (find_named(0, "[vdso]", &s, &e))
		SKIP(return, "no [vdso]");
	ASSERT_EQ(0, set_toggle(1));
	ASSERT_EQ(0, write_file(PARAM_LOG, "1"));
	ASSERT_EQ(0, kmsg_open(&kc));
	EXPECT_EQ(H_OK, run_helper("deny", &pid));
	n = kmsg_read_new(&kc, log, sizeof(log));
	ASSERT_LE(0, n);
	snprintf(want, sizeof(want), "denied: pid %d (mseal_sysmap)", pid);
	EXPECT_NE(NULL, strstr(log, "munmap of system mapping in [0x"))
		TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, "mprotect of system mapping in [0x"))
		TH_LOG("log: %s", log);
	EXPECT_NE(NULL, strstr(log, want)) TH_LOG("want '%s' in: %s", want,
						  log);

	/* Off: silent. */
	ASSERT_EQ(0, write_file(PARAM_LOG, "0"));
	EXPECT_EQ(H_OK, run_helper("deny", &pid));
	n = kmsg_read_new(&kc, log, sizeof(log));
	ASSERT_LE(0, n);
	EXPECT_EQ(NULL, strstr(log, "of system mapping")) TH_LOG("log: %s",
								 log);
	kmsg_close(&kc);
}

#define TRACEFS		"/sys/kernel/tracing"
#define UPROBE_EVENT	"mseal_sysmap/target"

/* SPEC 5.1: [uprobes], created on the first breakpoint hit, is sealed. */
TEST_F(sysmap, uprobes_area_sealed)
{
	uint64_t start, off;
	char def[PATH_MAX + 64];
	int r, r_on = -1, r_off = -1;

	if (access(TRACEFS "/uprobe_events", F_OK))
		mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	if (access(TRACEFS "/uprobe_events", W_OK))
		SKIP(return, "no " TRACEFS "/uprobe_events");
	ASSERT_EQ(0, find_containing((void *)uprobe_target, &start, &off));
	snprintf(def, sizeof(def), "p:%s %s:0x%llx\n", UPROBE_EVENT,
		 self_path,
		 (unsigned long long)((uintptr_t)uprobe_target - start + off));
	append_file(TRACEFS "/uprobe_events", "-:" UPROBE_EVENT "\n");
	r = append_file(TRACEFS "/uprobe_events", def);
	if (r)
		SKIP(return, "cannot place uprobe: %s", strerror(-r));
	r = write_file(TRACEFS "/events/" UPROBE_EVENT "/enable", "1");
	if (!r) {
		ASSERT_EQ(0, set_toggle(1));
		r_on = run_helper("uprobe", NULL);
		ASSERT_EQ(0, set_toggle(0));
		r_off = run_helper("uprobe", NULL);
		write_file(TRACEFS "/events/" UPROBE_EVENT "/enable", "0");
	}
	append_file(TRACEFS "/uprobe_events", "-:" UPROBE_EVENT "\n");
	ASSERT_EQ(0, r) TH_LOG("enable: %s", strerror(-r));
	if (r_on == H_MISSING && r_off == H_MISSING)
		SKIP(return, "the probed instruction was emulated: no [uprobes]");
	EXPECT_EQ(H_OK, r_on);
	/* Exec'd with the toggle off: its [uprobes] is not sealed. */
	EXPECT_EQ(H_UNSEALED, r_off);
}

/* What TEST_HARNESS_MAIN does, with a main() of our own. */
static void __attribute__((constructor)) constructor_order_last(void)
{
	if (!__constructor_order)
		__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD;
}

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", self_path,
			     sizeof(self_path) - 1);

	if (n <= 0)
		return 1;
	self_path[n] = 0;
	if (argc >= 2 && !strcmp(argv[1], "--helper"))
		return argc >= 3 ? helper_main(argv[2]) : H_FAIL;
	mseal_scale_timeouts();
	return test_harness_run(argc, argv);
}
