// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_module - module lifecycle of mseal.ko (SPEC 1.2, 2.11, 4.4).
 *
 * Runs FIRST in the guest: the module is not loaded when it starts, and it
 * must be loaded (and working) when it exits, because every later test
 * binary relies on /dev/mseal. The tests run in source order and depend on
 * each other's module state; each one first puts the module into the state
 * it needs when it can, so one failure does not cascade.
 *
 * The module files come from the runner:
 *   $MSEAL_MODULE_DIR/mseal.ko                 (default MSEAL_MODULE_DIR=/mseal)
 *   $MSEAL_MODULE_DIR/missing-symbol/mseal.ko  needs mseal_test_no_such_symbol
 *   $MSEAL_MODULE_DIR/untraceable/mseal.ko     hooks a non-ftrace-able symbol
 *   $MSEAL_MODULE_DIR/landing-pad/mseal.ko     checks IBT/BTI landing pads where nothing enforces them
 *
 * Never run this on a development host: it loads kernel modules.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mseal_util.h"
#include "mseal_harness.h"

#define NO_SUCH_SYMBOL "mseal_test_no_such_symbol"
#define MISC_MAJOR 10
#define LOG_SZ 65536

static const char *ko_path(const char *variant)
{
	static char path[3][512];
	static int slot;
	const char *dir = getenv("MSEAL_MODULE_DIR");
	char *p = path[slot++ % 3];

	if (!dir || !*dir)
		dir = "/mseal";
	snprintf(p, sizeof(path[0]), "%s%s%s/mseal.ko", dir,
		 *variant ? "/" : "", variant);
	return p;
}

/*
 * finit_module(2) of @path: 0 or -errno. Sets *open_err when the file
 * could not even be opened (a runner problem, not a module result).
 */
static int load_module(const char *path, int *open_err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	*open_err = 0;
	if (fd < 0) {
		*open_err = errno;
		return -errno;
	}
	r = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return r;
}

static int unload_module(void)
{
	return syscall(SYS_delete_module, "mseal", O_NONBLOCK) ? -errno : 0;
}

static bool module_loaded(void)
{
	return file_has_symbol("/proc/modules", "mseal", 0);
}

static bool dev_present(void)
{
	struct stat st;

	return stat(MSEAL_DEV_PATH, &st) == 0;
}

/* The kernel's own one-time notices on loading an unsigned OOT module. */
static bool is_taint_notice(const char *line)
{
	return strstr(line, "taints kernel") ||
	       strstr(line, "module verification failed") ||
	       strstr(line, "tainting kernel");
}

/*
 * Lines of @log starting "mseal: " that are not kernel taint notices:
 * count them and copy the first to @first.
 */
static int mseal_lines(const char *log, char *first, size_t firstsz)
{
	const char *line = log;
	int n = 0;

	first[0] = 0;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char one[1024];

		snprintf(one, sizeof(one), "%.*s", (int)len, line);
		if (!strncmp(one, "mseal: ", 7) && !is_taint_notice(one)) {
			if (!n++)
				snprintf(first, firstsz, "%s", one);
		}
		line = end ? end + 1 : NULL;
	}
	return n;
}

/*
 * One fixture for every test, so that they run in source order (the
 * harness runs fixtures one after another) and can have a timeout.
 */
FIXTURE(module) {
	int unused;
};
FIXTURE_SETUP(module) {}
FIXTURE_TEARDOWN(module) {}

/* Put the module in the loaded / unloaded state a test starts from. */
#define ENSURE_UNLOADED() do {						\
	if (module_loaded()) {						\
		int __r = unload_module();				\
		ASSERT_EQ(0, __r) TH_LOG("precondition: cannot unload "	\
			"mseal: %s", strerror(-__r));			\
	}								\
} while (0)

#define ENSURE_LOADED() do {						\
	if (!module_loaded()) {						\
		int __oe, __r = load_module(ko_path(""), &__oe);	\
		ASSERT_EQ(0, __r) TH_LOG("precondition: cannot load "	\
			"%s: %s", ko_path(""), strerror(-__r));		\
	}								\
} while (0)

/* Check a failed fault-injection load; returns the mseal: line. */
static void check_failed_load_log(struct __test_metadata *_metadata,
				  const char *log, char *line, size_t linesz)
{
	char splat[512];
	int n = mseal_lines(log, line, linesz);

	EXPECT_FALSE(log_has_splat(log, splat, sizeof(splat)))
		TH_LOG("kernel splat after failed load: %s", splat);
	EXPECT_EQ(1, n) TH_LOG("want exactly one 'mseal: ' line, got %d; "
			       "log:\n%s", n, log);
	EXPECT_FALSE(dev_present())
		TH_LOG("%s exists after a failed load", MSEAL_DEV_PATH);
	EXPECT_FALSE(module_loaded())
		TH_LOG("mseal listed in /proc/modules after a failed load");
}

/*
 * Load the test build @variant, expect it to fail with @want and exactly
 * one "mseal: " log line, copied to @line, and nothing left behind.
 */
static void load_variant_fails(struct __test_metadata *_metadata,
			       const char *variant, int want, char *line,
			       size_t linesz)
{
	static char log[LOG_SZ];
	struct kmsg_cursor kc;
	int r, oe;

	ENSURE_UNLOADED();
	ASSERT_EQ(0, kmsg_open(&kc)) TH_LOG("cannot read /dev/kmsg");
	r = load_module(ko_path(variant), &oe);
	ASSERT_EQ(0, oe) TH_LOG("cannot open %s: %s (runner must provide it)",
				ko_path(variant), strerror(oe));
	ASSERT_GE(kmsg_read_new(&kc, log, sizeof(log)), 0);
	kmsg_close(&kc);
	EXPECT_EQ(want, r) TH_LOG("finit_module(%s): %s", variant,
				  strerror(-r));
	if (r == 0)
		unload_module();
	check_failed_load_log(_metadata, log, line, linesz);
}

/* SPEC 1.2: a required symbol missing -> ENOENT, one line naming it. */
TEST_F(module, load_missing_symbol_fails)
{
	char line[1024];

	load_variant_fails(_metadata, "missing-symbol", -ENOENT, line,
			   sizeof(line));
	EXPECT_NE(NULL, strstr(line, NO_SUCH_SYMBOL))
		TH_LOG("log line does not name %s: '%s'", NO_SUCH_SYMBOL,
		       line);
}

/*
 * SPEC 1.5: the kernel functions the module calls are checked for the
 * landing pad an indirect call needs (IBT's ENDBR, BTI's BTI C).  Debian's
 * 6.1 enforces neither, and its functions start with the ftrace call
 * instead; the test build makes the check anyway, so it must refuse the
 * load with one line naming every callee.
 */
static const char *const kernel_callees[] = { "split_vma", "vma_merge" };

TEST_F(module, load_without_landing_pad_fails)
{
	char line[1024];
	unsigned int i;

	if (backend_is_syscall())
		SKIP(return, "the module's own check");
	if (kernel_enforces())
		SKIP(return, "native mseal: the module calls only mseal(2)'s entry, and works without it");
	load_variant_fails(_metadata, "landing-pad", -EOPNOTSUPP, line,
			   sizeof(line));
	EXPECT_TRUE(strstr(line, "landing pad") != NULL)
		TH_LOG("log line does not say why: '%s'", line);
	for (i = 0; i < sizeof(kernel_callees) / sizeof(kernel_callees[0]); i++) {
		bool named = strstr(line, kernel_callees[i]) != NULL;

		EXPECT_TRUE(named) TH_LOG("log line does not name %s: '%s'",
					  kernel_callees[i], line);
	}
}

static bool is_symchar(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/*
 * Find in @line a word that is a kernel symbol (/proc/kallsyms) and, when
 * the tracing directory is there, not ftrace-traceable (absent from
 * available_filter_functions). Quoted words ('sym' or "sym") are tried
 * first, then every word.
 */
static bool names_untraceable_symbol(const char *line, char *sym,
				     size_t symsz, bool *checked_ftrace)
{
	const char *aff = "/sys/kernel/tracing/available_filter_functions";
	int pass;

	*checked_ftrace = access(aff, R_OK) == 0;
	if (strncmp(line, "mseal: ", 7))
		return false;
	for (pass = 0; pass < 2; pass++) {
		const char *p = line + 7;	/* after "mseal: " */

		while (*p) {
			char w[256];
			size_t n = 0;
			bool quoted;

			while (*p && !is_symchar(*p))
				p++;
			quoted = p > line && (p[-1] == '\'' || p[-1] == '"');
			while (*p && is_symchar(*p) && n < sizeof(w) - 1)
				w[n++] = *p++;
			w[n] = 0;
			while (n && w[n - 1] == '.')
				w[--n] = 0;
			if (pass == 0 && !quoted)
				continue;
			if (n < 2 || !file_has_symbol("/proc/kallsyms", w, 2))
				continue;
			if (*checked_ftrace && file_has_symbol(aff, w, 0))
				continue;
			snprintf(sym, symsz, "%s", w);
			return true;
		}
	}
	return false;
}

/* SPEC 1.2: a required symbol not traceable -> refuses, one line. */
TEST_F(module, load_untraceable_fails)
{
	static char log[LOG_SZ];
	char line[1024], sym[256] = "";
	struct kmsg_cursor kc;
	bool ftrace_checked;
	int r, oe;

	ENSURE_UNLOADED();
	ASSERT_EQ(0, kmsg_open(&kc));
	r = load_module(ko_path("untraceable"), &oe);
	ASSERT_EQ(0, oe) TH_LOG("cannot open %s: %s (runner must provide it)",
				ko_path("untraceable"), strerror(oe));
	ASSERT_GE(kmsg_read_new(&kc, log, sizeof(log)), 0);
	kmsg_close(&kc);
	TH_LOG("finit_module(untraceable) = %d (%s)", r, strerror(-r));
	EXPECT_TRUE(r == -EINVAL || r == -ENOENT || r == -EBUSY ||
		    r == -EOPNOTSUPP)
		TH_LOG("want EINVAL/ENOENT/EBUSY/EOPNOTSUPP, got %d (%s)",
		       r, strerror(-r));
	if (r == 0)
		unload_module();
	check_failed_load_log(_metadata, log, line, sizeof(line));
	EXPECT_TRUE(names_untraceable_symbol(line, sym, sizeof(sym),
					     &ftrace_checked))
		TH_LOG("log line names no %skernel symbol: '%s'",
		       "untraceable ", line);
	TH_LOG("log names %s '%s': %s", ftrace_checked ?
	       "the untraceable symbol" : "(tracefs absent: not checked "
	       "for traceability) the symbol", sym, line);
}

/* The module proper loads, cleanly. */
TEST_F(module, load_succeeds)
{
	static char log[LOG_SZ];
	char splat[512], line[1024];
	struct kmsg_cursor kc;
	int r, oe;

	ENSURE_UNLOADED();
	ASSERT_FALSE(dev_present()) TH_LOG("%s exists before load",
					   MSEAL_DEV_PATH);
	ASSERT_EQ(0, kmsg_open(&kc));
	r = load_module(ko_path(""), &oe);
	ASSERT_EQ(0, oe) TH_LOG("cannot open %s: %s", ko_path(""),
				strerror(oe));
	ASSERT_EQ(0, r) TH_LOG("finit_module(%s): %s", ko_path(""),
			       strerror(-r));
	ASSERT_GE(kmsg_read_new(&kc, log, sizeof(log)), 0);
	kmsg_close(&kc);
	EXPECT_TRUE(module_loaded());
	EXPECT_FALSE(log_has_splat(log, splat, sizeof(splat)))
		TH_LOG("splat on load: %s", splat);
	if (mseal_lines(log, line, sizeof(line)))
		TH_LOG("load logged: %s", line);
}

/* SPEC 2.11: /dev/mseal is a misc char device, mode 0666. */
TEST_F(module, device_node_char_0666)
{
	struct stat st;
	char sysdev[64] = "", want[64];
	FILE *f;

	ENSURE_LOADED();
	ASSERT_EQ(0, stat(MSEAL_DEV_PATH, &st))
		TH_LOG("%s: %s", MSEAL_DEV_PATH, strerror(errno));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666u, st.st_mode & 07777u)
		TH_LOG("mode is %04o", st.st_mode & 07777);
	EXPECT_EQ((unsigned int)MISC_MAJOR, major(st.st_rdev));
	/* The node is the device the module registered. */
	f = fopen("/sys/class/misc/" MSEAL_DEV_NAME "/dev", "re");
	ASSERT_NE(NULL, f) TH_LOG("/sys/class/misc/mseal/dev missing");
	ASSERT_NE(NULL, fgets(sysdev, sizeof(sysdev), f));
	fclose(f);
	snprintf(want, sizeof(want), "%u:%u\n", major(st.st_rdev),
		 minor(st.st_rdev));
	EXPECT_STREQ(want, sysdev);
}

/* Loading twice: EEXIST, first instance untouched. */
TEST_F(module, load_twice_eexist)
{
	int r, oe;

	ENSURE_LOADED();
	r = load_module(ko_path(""), &oe);
	ASSERT_EQ(0, oe);
	EXPECT_EQ(-EEXIST, r) TH_LOG("second finit_module: %s", strerror(-r));
	EXPECT_TRUE(module_loaded());
	EXPECT_TRUE(dev_present());
}

static int unpriv_child(void *arg, char *msg, size_t msgsz)
{
	size_t ps = pgsz();
	char *p;
	int r, fd;

	(void)arg;
	r = drop_to_nobody();
	if (r) {
		snprintf(msg, msgsz, "drop privileges: %s", strerror(-r));
		return 1;
	}
	fd = open(MSEAL_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(msg, msgsz, "uid 65534 open %s: %s", MSEAL_DEV_PATH,
			 strerror(errno));
		return 2;
	}
	close(fd);
	p = map_region(2);
	if (!p)
		return 3;
	fill_pattern(p, 2 * ps, 7);
	r = seal(p, ps, 0);
	if (r) {
		snprintf(msg, msgsz, "uid 65534 seal: %s", strerror(-r));
		return 4;
	}
	r = xmunmap(p, ps);
	if (r != -EPERM) {
		snprintf(msg, msgsz, "munmap of sealed page: %d, want EPERM",
			 r);
		return 5;
	}
	r = xmprotect(p, ps, PROT_READ);
	if (r != -EPERM) {
		snprintf(msg, msgsz, "mprotect of sealed page: %d, want EPERM",
			 r);
		return 6;
	}
	if (check_pattern(p, 2 * ps, 7) != -1) {
		snprintf(msg, msgsz, "contents changed");
		return 7;
	}
	r = xmunmap(pg(p, 1), ps);
	if (r) {
		snprintf(msg, msgsz, "munmap of unsealed page: %d", r);
		return 8;
	}
	return 0;
}

/* SPEC 2.11: sealing needs no privilege. */
TEST_F(module, unprivileged_user_can_seal)
{
	char msg[1024];
	int rc;

	ENSURE_LOADED();
	rc = run_in_child(unpriv_child, NULL, msg, sizeof(msg));
	EXPECT_EQ(0, rc) TH_LOG("%s", msg);
}

/*
 * A child that seals a page and then waits. Commands over @cmd:
 * 'c' close the device fd; 'v' verify seal (munmap/mprotect EPERM,
 * contents intact) and report; 'f' fork a grandchild that keeps the
 * (inherited) seal while this child exits; 'x' exit.
 */
struct holder {
	pid_t pid;
	int cmd;	/* parent writes commands */
	int rep;	/* parent reads one-byte replies */
};

static int holder_verify(char *p)
{
	size_t ps = pgsz();

	if (xmunmap(p, ps) != -EPERM)
		return 'u';
	if (xmprotect(p, ps, PROT_READ) != -EPERM)
		return 'p';
	if (check_pattern(p, ps, 3) != -1)
		return 'd';
	return 'k';
}

static void holder_main(int cmd, int rep)
{
	char *p = map_region(1);
	char c, reply;

	if (!p)
		_exit(2);
	fill_pattern(p, pgsz(), 3);
	reply = seal(p, pgsz(), 0) ? 'e' : 'k';
	if (write(rep, &reply, 1) != 1)
		_exit(3);
	while (read(cmd, &c, 1) == 1) {
		switch (c) {
		case 'c':
			mseal_dev_close();
			reply = 'k';
			break;
		case 'v':
			reply = holder_verify(p);
			break;
		case 'f': {
			pid_t g = fork();

			if (g == 0) {
				/* grandchild: serve commands, parent exits */
				continue;
			}
			reply = g > 0 ? 'k' : 'e';
			if (write(rep, &reply, 1) != 1)
				_exit(3);
			_exit(0);
		}
		case 'x':
			_exit(0);
		default:
			reply = '?';
		}
		if (write(rep, &reply, 1) != 1)
			_exit(3);
	}
	_exit(0);
}

static int holder_start(struct holder *h)
{
	int c[2], r[2];
	char reply = 0;

	if (pipe(c) || pipe(r))
		return -errno;
	fflush(stdout);
	fflush(stderr);
	h->pid = fork();
	if (h->pid < 0)
		return -errno;
	if (h->pid == 0) {
		close(c[1]);
		close(r[0]);
		holder_main(c[0], r[1]);
	}
	close(c[0]);
	close(r[1]);
	h->cmd = c[1];
	h->rep = r[0];
	if (read(h->rep, &reply, 1) != 1)
		return -EIO;
	return reply == 'k' ? 0 : -EINVAL;
}

static char holder_cmd(struct holder *h, char c)
{
	char reply = 0;

	if (write(h->cmd, &c, 1) != 1 || read(h->rep, &reply, 1) != 1)
		return 0;
	return reply;
}

/* Ends the holder (and any grandchild serving the same pipes). */
static void holder_stop(struct holder *h)
{
	char c = 'x';

	if (write(h->cmd, &c, 1) != 1)
		kill(h->pid, SIGKILL);
	close(h->cmd);
	close(h->rep);
	waitpid(h->pid, NULL, 0);
}

static void expect_unload_refused(struct __test_metadata *_metadata,
				  const char *why)
{
	int r = unload_module();

	if (r == -EWOULDBLOCK || r == -EBUSY)
		TH_LOG("unload with %s refused with %s", why,
		       r == -EBUSY ? "EBUSY" : "EWOULDBLOCK/EAGAIN");
	EXPECT_TRUE(r == -EWOULDBLOCK || r == -EBUSY)
		TH_LOG("unload with %s: %d (%s), want EWOULDBLOCK or EBUSY",
		       why, r, r ? strerror(-r) : "succeeded");
	EXPECT_TRUE(module_loaded());
	EXPECT_TRUE(dev_present());
	if (r == 0) {	/* keep later tests going */
		int oe;

		load_module(ko_path(""), &oe);
	}
}

/* SPEC 4.4: a live seal pins the module, even with the fd closed. */
TEST_F(module, unload_refused_while_seal_held)
{
	struct holder h;

	if (kernel_enforces())
		SKIP(return, "native mseal: the seal is the kernel's, and unloading the module leaves it in force");
	ENSURE_LOADED();
	ASSERT_EQ(0, holder_start(&h)) TH_LOG("holder could not seal");
	ASSERT_EQ('k', holder_cmd(&h, 'c'));
	expect_unload_refused(_metadata, "a seal held (fd closed)");
	EXPECT_EQ('k', holder_cmd(&h, 'v'))
		TH_LOG("seal no longer enforced after refused unload");
	holder_stop(&h);
}

/* An open fd alone pins the module (no use-after-unload of fops). */
TEST_F(module, unload_refused_while_fd_open)
{
	int fd, r;

	ENSURE_LOADED();
	fd = open(MSEAL_DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(errno));
	expect_unload_refused(_metadata, "an open fd and no seal");
	/* The fd still works after the refused unload. */
	r = ioctl_err(fd, MSEAL_IOC_SEAL, &(struct mseal_args){ 0, 0, 0 });
	EXPECT_EQ(0, r) TH_LOG("len 0 seal after refused unload: %d", r);
	close(fd);
}

/*
 * SPEC 4.4 + 4.1: the seal outlives the sealing process when a forked
 * child inherited it.
 */
TEST_F(module, unload_refused_while_inherited_seal_held)
{
	struct holder h;

	if (kernel_enforces())
		SKIP(return, "native mseal: the seal is the kernel's, and unloading the module leaves it in force");
	ENSURE_LOADED();
	ASSERT_EQ(0, holder_start(&h));
	ASSERT_EQ('k', holder_cmd(&h, 'c'));
	/* holder forks a grandchild and exits; grandchild serves pipes */
	ASSERT_EQ('k', holder_cmd(&h, 'f'));
	waitpid(h.pid, NULL, 0);
	expect_unload_refused(_metadata, "only an inherited seal held");
	EXPECT_EQ('k', holder_cmd(&h, 'v'))
		TH_LOG("inherited seal not enforced in the forked child");
	{
		char c = 'x';
		if (write(h.cmd, &c, 1) != 1)
			TH_LOG("grandchild gone");
	}
	close(h.cmd);
	/* reading EOF means the grandchild exited */
	{
		char c;

		while (read(h.rep, &c, 1) > 0)
			;
	}
	close(h.rep);
}

/* mmap, mprotect, mremap, munmap of private anon memory all succeed. */
static int mm_ops_once(const char *volatile *what)
{
	size_t ps = pgsz();
	char *p, *q;

	*what = "mmap";
	p = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	p[0] = 1;
	p[3 * ps] = 2;
	*what = "mprotect(PROT_READ)";
	if (mprotect(p, 4 * ps, PROT_READ))
		return -errno;
	*what = "mprotect(PROT_READ|PROT_WRITE)";
	if (mprotect(p + ps, ps, PROT_READ | PROT_WRITE))
		return -errno;
	*what = "mprotect(PROT_READ|PROT_WRITE) all";
	if (mprotect(p, 4 * ps, PROT_READ | PROT_WRITE))
		return -errno;
	*what = "mremap grow";
	q = mremap(p, 4 * ps, 8 * ps, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		return -errno;
	if (q[0] != 1 || q[3 * ps] != 2)
		return -EIO;
	q[7 * ps] = 3;
	*what = "mremap shrink";
	p = mremap(q, 8 * ps, 2 * ps, 0);
	if (p == MAP_FAILED)
		return -errno;
	*what = "munmap middle";
	if (munmap(p + ps, ps))
		return -errno;
	*what = "munmap";
	if (munmap(p, 2 * ps))
		return -errno;
	return 0;
}

/* SPEC 4.4: after unload the kernel is exactly as before. */
TEST_F(module, unload_after_sealers_exit)
{
	static char log[LOG_SZ];
	char splat[512];
	struct kmsg_cursor kc;
	struct holder h;
	const char *volatile what = "";
	int r;

	ENSURE_LOADED();
	ASSERT_EQ(0, holder_start(&h));
	ASSERT_EQ('k', holder_cmd(&h, 'v'));
	holder_stop(&h);	/* waited for: its mm is gone */
	ASSERT_EQ(0, kmsg_open(&kc));
	r = unload_module();
	ASSERT_EQ(0, r) TH_LOG("unload with no seal and no fd: %s",
			       strerror(-r));
	ASSERT_GE(kmsg_read_new(&kc, log, sizeof(log)), 0);
	kmsg_close(&kc);
	EXPECT_FALSE(log_has_splat(log, splat, sizeof(splat)))
		TH_LOG("splat on unload: %s", splat);
	EXPECT_FALSE(module_loaded());
	EXPECT_FALSE(dev_present()) TH_LOG("%s still exists after unload",
					   MSEAL_DEV_PATH);
	EXPECT_EQ(-ENOENT, seal(NULL, 0, 0)) TH_LOG("device still usable?");
	r = mm_ops_once(&what);
	EXPECT_EQ(0, r) TH_LOG("%s after unload: %s", what, strerror(-r));
}

static int sealer_child(void *arg, char *msg, size_t msgsz)
{
	char *p = map_region(3);
	int r;

	(void)arg;
	if (!p)
		return 1;
	fill_pattern(p, 3 * pgsz(), 11);
	r = seal(pg(p, 1), pgsz(), 0);
	if (r) {
		snprintf(msg, msgsz, "seal: %s", strerror(-r));
		return 2;
	}
	r = xmunmap(p, 3 * pgsz());
	if (r != -EPERM) {
		snprintf(msg, msgsz, "munmap over sealed page: %d", r);
		return 3;
	}
	if (check_pattern(p, 3 * pgsz(), 11) != -1) {
		snprintf(msg, msgsz, "contents changed by refused munmap");
		return 4;
	}
	if (xmunmap(p, pgsz()) || xmprotect(pg(p, 2), pgsz(), PROT_NONE)) {
		snprintf(msg, msgsz, "unsealed neighbours not free");
		return 5;
	}
	return 0;
}

/* Reload after unload works and the new instance seals. */
TEST_F(module, reload_works)
{
	char msg[1024];
	int r, oe;

	ENSURE_UNLOADED();
	r = load_module(ko_path(""), &oe);
	ASSERT_EQ(0, oe);
	ASSERT_EQ(0, r) TH_LOG("reload: %s", strerror(-r));
	EXPECT_TRUE(dev_present());
	r = run_in_child(sealer_child, NULL, msg, sizeof(msg));
	EXPECT_EQ(0, r) TH_LOG("after reload: %s", msg);
}

/* ---- stress: load/unload cycles under concurrent mm activity -------- */

#define STRESS_THREADS 4
#define STRESS_CYCLES 10

struct stress {
	atomic_int stop;
	atomic_int failed;
	/* for the watchdog: what each thread / the main thread is doing */
	const char *volatile doing[STRESS_THREADS];
	const char *volatile main_doing;
	atomic_int cycle;
	atomic_long ops[STRESS_THREADS];
	char why[256];
};

struct stress_arg {
	struct stress *s;
	int idx;
};

static void *stress_thread(void *a)
{
	struct stress_arg *sa = a;
	struct stress *s = sa->s;

	while (!atomic_load(&s->stop)) {
		const char *what;
		int r = mm_ops_once(&s->doing[sa->idx]);

		what = s->doing[sa->idx];
		if (r) {
			int zero = 0;

			if (atomic_compare_exchange_strong(&s->failed, &zero,
							   1))
				snprintf(s->why, sizeof(s->why),
					 "thread %d: %s: %s", sa->idx, what,
					 strerror(-r));
			break;
		}
		atomic_fetch_add(&s->ops[sa->idx], 1);
	}
	return NULL;
}

/*
 * SPEC 4.4: STRESS_CYCLES unload/load cycles while STRESS_THREADS threads
 * mmap/mprotect/mremap/munmap private anonymous memory without pause.
 * None of those operations may fail (nothing of theirs is sealed), the
 * cycles may not hang, and each loaded instance must work (a child seals,
 * checks, exits; then the unload must succeed at once).
 */
/*
 * A kernel hang (a task looping or sleeping forever in a hook, an unload
 * that never drains) kills the whole binary at the runner's timeout with
 * nothing said; the watchdog names what made no progress for
 * STRESS_STALL_SECS first.  It only reports: a task stuck in the kernel
 * cannot be recovered from user space, and when every CPU is stuck the
 * watchdog cannot run either (then only the kernel's soft-lockup reports
 * in the console log tell).
 */
#define STRESS_STALL_SECS 60

static void *stress_watchdog(void *a)
{
	struct stress *s = a;
	long last[STRESS_THREADS];
	int stalled[STRESS_THREADS] = { 0 }, i, last_cycle = -1;
	int main_stalled = 0;
	const char *last_main = NULL;

	for (i = 0; i < STRESS_THREADS; i++)
		last[i] = atomic_load(&s->ops[i]);
	while (!atomic_load(&s->stop)) {
		sleep(1);
		for (i = 0; i < STRESS_THREADS; i++) {
			long now = atomic_load(&s->ops[i]);

			if (now != last[i] || atomic_load(&s->failed)) {
				last[i] = now;
				stalled[i] = 0;
			} else if (++stalled[i] == STRESS_STALL_SECS) {
				fprintf(stderr, "# stress watchdog: thread %d "
					"made no progress for %d s, in %s "
					"(cycle %d, main thread in %s)\n", i,
					STRESS_STALL_SECS, s->doing[i],
					atomic_load(&s->cycle), s->main_doing);
			}
		}
		if (s->main_doing != last_main ||
		    atomic_load(&s->cycle) != last_cycle) {
			last_main = s->main_doing;
			last_cycle = atomic_load(&s->cycle);
			main_stalled = 0;
		} else if (++main_stalled == STRESS_STALL_SECS) {
			fprintf(stderr, "# stress watchdog: main thread stuck "
				"for %d s in %s (cycle %d)\n",
				STRESS_STALL_SECS, s->main_doing, last_cycle);
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(module, stress_load_unload_under_mm_activity, 600)
{
	static char log[LOG_SZ];
	struct stress st;
	struct stress_arg sa[STRESS_THREADS];
	pthread_t th[STRESS_THREADS], wd;
	struct kmsg_cursor kc;
	char splat[512], msg[1024];
	int i, r, oe, cycles = 0;

	memset(&st, 0, sizeof(st));
	ENSURE_LOADED();
	ASSERT_EQ(0, kmsg_open(&kc));
	st.main_doing = "start";
	for (i = 0; i < STRESS_THREADS; i++)
		st.doing[i] = "start";
	ASSERT_EQ(0, pthread_create(&wd, NULL, stress_watchdog, &st));
	for (i = 0; i < STRESS_THREADS; i++) {
		sa[i].s = &st;
		sa[i].idx = i;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, stress_thread,
					    &sa[i]));
	}
	for (cycles = 0; cycles < STRESS_CYCLES; cycles++) {
		atomic_store(&st.cycle, cycles);
		st.main_doing = "delete_module";
		r = unload_module();
		if (r) {
			TH_LOG("cycle %d: unload: %s", cycles, strerror(-r));
			break;
		}
		if (dev_present() || module_loaded()) {
			TH_LOG("cycle %d: still present after unload", cycles);
			r = -EEXIST;
			break;
		}
		st.main_doing = "finit_module";
		r = load_module(ko_path(""), &oe);
		if (r) {
			TH_LOG("cycle %d: load: %s", cycles, strerror(-r));
			break;
		}
		st.main_doing = "sealing child";
		r = run_in_child(sealer_child, NULL, msg, sizeof(msg));
		if (r) {
			TH_LOG("cycle %d: sealing child: %s", cycles, msg);
			break;
		}
		if (atomic_load(&st.failed))
			break;
	}
	st.main_doing = "joining threads";
	atomic_store(&st.stop, 1);
	for (i = 0; i < STRESS_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_join(wd, NULL);
	EXPECT_EQ(0, r);
	EXPECT_EQ(STRESS_CYCLES, cycles);
	EXPECT_EQ(0, atomic_load(&st.failed)) TH_LOG("%s", st.why);
	for (i = 0; i < STRESS_THREADS; i++) {
		TH_LOG("thread %d: %ld op rounds", i, atomic_load(&st.ops[i]));
		EXPECT_LT(0, atomic_load(&st.ops[i]));
	}
	ASSERT_GE(kmsg_read_new(&kc, log, sizeof(log)), 0);
	kmsg_close(&kc);
	EXPECT_FALSE(log_has_splat(log, splat, sizeof(splat)))
		TH_LOG("splat during stress: %s", splat);
}

/*
 * Must stay last: leave the module loaded and working for the test
 * binaries that follow (and fail if that cannot be done).
 */
TEST_F(module, module_left_loaded_and_working)
{
	char msg[1024];
	int r;

	ENSURE_LOADED();
	ASSERT_TRUE(dev_present());
	r = run_in_child(sealer_child, NULL, msg, sizeof(msg));
	EXPECT_EQ(0, r) TH_LOG("%s", msg);
	EXPECT_TRUE(module_loaded());
}

TEST_HARNESS_MAIN
