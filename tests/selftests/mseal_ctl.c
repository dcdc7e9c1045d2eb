// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_ctl - msealctl in the guest (SPEC 7.2): every command's effect,
 * exit status and messages, with the module loaded, unloaded, locked and
 * in use, as root and as nobody.
 *
 * Each test runs twice: against /tests/msealctl (built with libkmod when
 * the build machine has it) and /tests/msealctl-nokmod (the build without
 * it: modprobe(8) by name, finit_module(2) for a file).  Both must behave
 * the same.
 *
 * A few situations cannot be made for real in the middle of the suite;
 * they are made in a private mount namespace of the msealctl process:
 *  - the toggle locked (2) is irreversible until reboot, so a file bound
 *    over /sys/module/mseal/parameters/seal_system_mappings stands for it;
 *  - loading by name needs the module installed for the running kernel:
 *    /tests/modroot (made at build time by mkmodroot.sh, with depmod's
 *    indexes) is bound over /lib/modules/$(uname -r), and a tmpfs over
 *    /etc/modprobe.d holds the options a test wants.
 *
 * Runs after mseal_lib, leaves the module loaded with its defaults.  Never
 * run this on a development host: it loads and unloads kernel modules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mseal_util.h"
#include "mseal_harness.h"
#include "mseal_modctl.h"

#define PARAM_TOGGLE	"/sys/module/mseal/parameters/seal_system_mappings"
#define PARAM_LOG	"/sys/module/mseal/parameters/log_denials"

/* Exit status of msealctl (msealctl(8)). */
#define RC_OK		0
#define RC_FAIL		1
#define RC_USAGE	2
#define RC_NOT_LOADED	3
#define RC_PERM		4
#define RC_LOCKED	5

/* How to run it. */
#define AS_NOBODY	(1u << 0)
#define IN_MODROOT	(1u << 1)	/* /lib/modules/REL = /tests/modroot */
#define FAKE_TOGGLE	(1u << 2)	/* the toggle is the file fake_toggle */

struct run {
	int status;		/* exit status, 128 + signal, or 200+ setup */
	char out[16384];
	char err[4096];
};

struct env {
	unsigned int flags;
	const char *fake_toggle;	/* FAKE_TOGGLE: file bound over it */
	const char *modprobe_conf;	/* IN_MODROOT: /etc/modprobe.d/mseal.conf */
};

static const struct env plain;

static const char *tests_dir(void)
{
	const char *d = getenv("MSEAL_TESTS_DIR");

	return d && *d ? d : "/tests";
}

static void read_str(const char *path, char *buf, size_t sz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sz - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

static void slurp(int fd, char *buf, size_t sz)
{
	ssize_t n = pread(fd, buf, sz - 1, 0);

	buf[n > 0 ? n : 0] = 0;
	close(fd);
}

/* In the child, before exec: the namespace and the user asked for. */
static int child_setup(const struct env *env)
{
	char dir[PATH_MAX], src[PATH_MAX];
	struct utsname u;

	if (env->flags & (IN_MODROOT | FAKE_TOGGLE)) {
		if (unshare(CLONE_NEWNS))
			return 201;
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			return 202;
	}
	if ((env->flags & FAKE_TOGGLE) &&
	    mount(env->fake_toggle, PARAM_TOGGLE, NULL, MS_BIND, NULL))
		return 203;
	if (env->flags & IN_MODROOT) {
		uname(&u);
		if (mount("tmpfs", "/lib/modules", "tmpfs", 0, "mode=0755"))
			return 204;
		snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
		snprintf(src, sizeof(src), "%s/modroot/lib/modules/%s",
			 tests_dir(), u.release);
		if (mkdir(dir, 0755) ||
		    mount(src, dir, NULL, MS_BIND, NULL))
			return 205;
		if (mount("tmpfs", "/etc/modprobe.d", "tmpfs", 0, "mode=0755"))
			return 206;
		if (env->modprobe_conf &&
		    write_file("/etc/modprobe.d/mseal.conf", env->modprobe_conf))
			return 207;
	}
	if ((env->flags & AS_NOBODY) && drop_to_nobody())
		return 208;
	return 0;
}

/* Run @bin with the NULL-terminated arguments; fills @r. */
static void run_ctl(struct run *r, const char *bin, const struct env *env,
		    ...)
{
	char *argv[16];
	int out, err, status, argc = 0;
	va_list ap;
	pid_t pid;

	argv[argc++] = (char *)bin;
	va_start(ap, env);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	out = memfd_create("out", MFD_CLOEXEC);
	err = memfd_create("err", MFD_CLOEXEC);
	r->status = -1;
	r->out[0] = 0;
	r->err[0] = 0;
	if (out < 0 || err < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		int rc;

		dup2(out, 1);
		dup2(err, 2);
		rc = child_setup(env);
		if (rc)
			_exit(rc);
		execv(bin, argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status);
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
}

/* Run and check the exit status, logging everything when it is wrong. */
#define CTL(want, env, ...) do {					\
	run_ctl(&self->r, self->bin, (env), __VA_ARGS__, NULL);		\
	EXPECT_EQ((want), self->r.status)				\
		TH_LOG("msealctl %s: exit %d\nstdout: %s\nstderr: %s",	\
		       #__VA_ARGS__, self->r.status, self->r.out,	\
		       self->r.err);					\
} while (0)

#define EXPECT_OUT(s) EXPECT_TRUE(strstr(self->r.out, (s)) != NULL)		\
	TH_LOG("stdout lacks '%s':\n%s", (s), self->r.out)
#define EXPECT_ERR(s) EXPECT_TRUE(strstr(self->r.err, (s)) != NULL)		\
	TH_LOG("stderr lacks '%s':\n%s", (s), self->r.err)
#define EXPECT_NO_OUT(s) EXPECT_TRUE(strstr(self->r.out, (s)) == NULL)	\
	TH_LOG("stdout has '%s':\n%s", (s), self->r.out)

/* A process that holds a seal (so that the module is in use). */
struct holder {
	pid_t pid;
	int release;
};

static int hold_seal(struct holder *h)
{
	int go[2], ready[2];
	char c = 0;

	if (pipe(go) || pipe(ready))
		return -1;
	h->pid = fork();
	if (h->pid < 0)
		return -1;
	if (!h->pid) {
		char *p = map_region(1);

		close(go[1]);
		c = p && !seal(p, pgsz(), 0) ? 'k' : 'e';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	h->release = go[1];
	if (read(ready[0], &c, 1) != 1)
		c = 0;
	close(ready[0]);
	return c == 'k' ? 0 : -1;
}

static void release_seal(struct holder *h)
{
	close(h->release);
	waitpid(h->pid, NULL, 0);
}

FIXTURE(ctl) {
	char bin[PATH_MAX];
	char version[64];
	struct run r;
};

FIXTURE_VARIANT(ctl) {
	const char *name;
};

FIXTURE_VARIANT_ADD(ctl, libkmod) {
	.name = "msealctl",
};

FIXTURE_VARIANT_ADD(ctl, nokmod) {
	.name = "msealctl-nokmod",
};

FIXTURE_SETUP(ctl)
{
	int r;

	snprintf(self->bin, sizeof(self->bin), "%s/%s", tests_dir(),
		 variant->name);
	ASSERT_EQ(0, access(self->bin, X_OK)) TH_LOG("%s: %s", self->bin,
						     strerror(errno));
	r = modctl_ensure_loaded();
	ASSERT_EQ(0, r) TH_LOG("cannot load the module: %s", strerror(-r));
	ASSERT_EQ(0, write_file(PARAM_TOGGLE, "0"));
	read_str("/sys/kernel/mseal/version", self->version,
		 sizeof(self->version));
	ASSERT_NE(0, self->version[0]);
}

FIXTURE_TEARDOWN(ctl)
{
	if (modctl_ensure_loaded())
		TH_LOG("cannot load the module again");
	write_file(PARAM_TOGGLE, "0");
	write_file(PARAM_LOG, "0");
}

/* ---- usage -------------------------------------------------------------- */

TEST_F(ctl, usage)
{
	char want[128];

	run_ctl(&self->r, self->bin, &plain, NULL);
	EXPECT_EQ(RC_USAGE, self->r.status);
	EXPECT_ERR("usage:");
	EXPECT_EQ(0, self->r.out[0]);

	CTL(RC_USAGE, &plain, "frob");
	EXPECT_ERR("unknown command 'frob'");
	EXPECT_ERR("--help");
	CTL(RC_USAGE, &plain, "list");
	CTL(RC_USAGE, &plain, "list", "abc");
	EXPECT_ERR("'abc' is not a process id");
	CTL(RC_USAGE, &plain, "list", "0");
	CTL(RC_USAGE, &plain, "list", "1", "2");
	CTL(RC_USAGE, &plain, "status", "now");
	CTL(RC_USAGE, &plain, "enable", "1");
	CTL(RC_USAGE, &plain, "load", "junk");
	EXPECT_ERR("'junk' is not PARAM=VALUE");
	CTL(RC_USAGE, &plain, "load", "--path");
	CTL(RC_USAGE, &plain, "optout");
	CTL(RC_USAGE, &plain, "optout", "--");
	/* Nothing happened meanwhile. */
	EXPECT_TRUE(modctl_loaded());
	EXPECT_EQ(0, read_long(PARAM_TOGGLE));

	CTL(RC_OK, &plain, "--help");
	EXPECT_OUT("usage:");
	EXPECT_OUT("exit status");
	EXPECT_EQ(0, self->r.err[0]);
	CTL(RC_OK, &plain, "--version");
	snprintf(want, sizeof(want), "msealctl %s (", self->version);
	EXPECT_EQ(0, strncmp(self->r.out, want, strlen(want)))
		TH_LOG("want '%s...', got '%s'", want, self->r.out);
}

/* ---- status ------------------------------------------------------------- */

static long field(const char *out, const char *key)
{
	const char *p = strstr(out, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

TEST_F(ctl, status_loaded)
{
	char want[128];
	long seals, munmaps;
	char *p;

	CTL(RC_OK, &plain, "status");
	EXPECT_EQ(0, self->r.err[0]) TH_LOG("stderr: %s", self->r.err);
	EXPECT_EQ(0, strncmp(self->r.out, "module: loaded\n", 15));
	snprintf(want, sizeof(want), "\nversion: %s\n", self->version);
	EXPECT_OUT(want);
	EXPECT_OUT(kernel_enforces() ? "\nnative-mseal: yes\n" :
				       "\nnative-mseal: no\n");
	EXPECT_OUT("\ndevice: /dev/mseal\n");
	EXPECT_OUT("\nseal-system-mappings: off\n");
	EXPECT_OUT("\nlog-denials: off\n");
	EXPECT_OUT("\ndenied: munmap=");
	EXPECT_OUT(" mprotect=");
	EXPECT_OUT(" madvise=");
	EXPECT_OUT("\nsysmap-denied: ");
	seals = field(self->r.out, "\nseals: ");
	EXPECT_EQ(read_long("/sys/kernel/mseal/seals"), seals);
	munmaps = field(self->r.out, "munmap=");
	ASSERT_LE(0, munmaps);

	/* The counters move: one seal, one refused munmap. */
	p = map_region(1);
	ASSERT_TRUE(p != NULL);
	ASSERT_EQ(0, seal(p, pgsz(), 0));
	ASSERT_EQ(-EPERM, xmunmap(p, pgsz()));
	CTL(RC_OK, &plain, "status");
	EXPECT_EQ(seals + 1, field(self->r.out, "\nseals: "));
	/* Where the kernel refuses, the module sees no denial to count. */
	EXPECT_EQ(munmaps + !kernel_enforces(), field(self->r.out, "munmap="));
	EXPECT_LE(1, field(self->r.out, "\nranges: "));

	ASSERT_EQ(0, write_file(PARAM_LOG, "1"));
	CTL(RC_OK, &plain, "status");
	EXPECT_OUT("\nlog-denials: on\n");
}

/* ---- enable / disable / lock ------------------------------------------- */

TEST_F(ctl, enable_disable)
{
	struct env nobody = { .flags = AS_NOBODY };

	CTL(RC_OK, &plain, "enable");
	EXPECT_EQ(1, read_long(PARAM_TOGGLE));
	EXPECT_OUT("on");
	CTL(RC_OK, &plain, "status");
	EXPECT_OUT("\nseal-system-mappings: on\n");
	CTL(RC_OK, &plain, "enable");		/* again: still fine */
	EXPECT_EQ(1, read_long(PARAM_TOGGLE));

	CTL(RC_PERM, &nobody, "disable");
	EXPECT_ERR("root");
	EXPECT_EQ(1, read_long(PARAM_TOGGLE));
	CTL(RC_OK, &plain, "disable");
	EXPECT_EQ(0, read_long(PARAM_TOGGLE));
	EXPECT_OUT("off");
	CTL(RC_OK, &plain, "status");
	EXPECT_OUT("\nseal-system-mappings: off\n");

	CTL(RC_PERM, &nobody, "enable");
	EXPECT_EQ(0, read_long(PARAM_TOGGLE));
	CTL(RC_PERM, &nobody, "lock");
	EXPECT_EQ(0, read_long(PARAM_TOGGLE));
}

#define FAKE "/tmp/mseal_ctl_fake_toggle"

/*
 * lock writes 2; when locked, disable is refused (5), enable and lock are
 * already done (0), status says so, and unload is refused as locked.
 * The lock being irreversible, the toggle here is a file bound over the
 * real one in the namespace of the msealctl process.
 */
TEST_F(ctl, lock)
{
	struct env fake = { .flags = FAKE_TOGGLE, .fake_toggle = FAKE };
	struct holder h;

	ASSERT_EQ(0, write_file(FAKE, "0\n"));
	CTL(RC_OK, &fake, "lock");
	EXPECT_EQ(2, read_long(FAKE));
	EXPECT_OUT("locked until reboot");
	EXPECT_EQ(0, read_long(PARAM_TOGGLE));	/* the real one */

	ASSERT_EQ(0, write_file(FAKE, "2\n"));
	CTL(RC_LOCKED, &fake, "disable");
	EXPECT_ERR("locked");
	EXPECT_EQ(2, read_long(FAKE));
	CTL(RC_OK, &fake, "enable");
	EXPECT_OUT("already on and locked");
	CTL(RC_OK, &fake, "lock");
	EXPECT_EQ(2, read_long(FAKE));
	CTL(RC_OK, &fake, "status");
	EXPECT_OUT("\nseal-system-mappings: on, locked until reboot\n");

	ASSERT_EQ(0, hold_seal(&h));
	CTL(RC_LOCKED, &fake, "unload");
	EXPECT_ERR("locked");
	EXPECT_TRUE(modctl_loaded());
	release_seal(&h);
	unlink(FAKE);
}

/* ---- list ------------------------------------------------------------- */

TEST_F(ctl, list)
{
	struct env nobody = { .flags = AS_NOBODY };
	char pid[16], line[128];
	char *base = map_region(4);
	size_t ps = pgsz();
	pid_t gone;

	ASSERT_TRUE(base != NULL);
	ASSERT_EQ(0, seal(base, ps, 0));
	ASSERT_EQ(0, seal(base + 2 * ps, 2 * ps, 0));
	snprintf(pid, sizeof(pid), "%d", getpid());
	CTL(RC_OK, &plain, "list", pid);
	snprintf(line, sizeof(line), "%08llx-%08llx explicit",
		 (unsigned long long)(uintptr_t)base,
		 (unsigned long long)(uintptr_t)(base + ps));
	EXPECT_OUT(line);
	snprintf(line, sizeof(line), "%08llx-%08llx explicit",
		 (unsigned long long)(uintptr_t)(base + 2 * ps),
		 (unsigned long long)(uintptr_t)(base + 4 * ps));
	EXPECT_OUT(line);
	EXPECT_NO_OUT("system");
	EXPECT_EQ(0, self->r.err[0]);

	/* msealctl itself, with the toggle off: nothing. */
	CTL(RC_OK, &plain, "list", "self");
	EXPECT_EQ(0, self->r.out[0]) TH_LOG("out: %s", self->r.out);

	gone = fork();
	ASSERT_LE(0, gone);
	if (!gone)
		_exit(0);
	waitpid(gone, NULL, 0);
	snprintf(pid, sizeof(pid), "%d", gone);
	CTL(RC_FAIL, &plain, "list", pid);
	EXPECT_ERR("no process");

	CTL(RC_PERM, &nobody, "list", "1");
	EXPECT_ERR("permission denied");
}

/* System seals are listed as such, and optout runs a program without. */
TEST_F(ctl, list_system_and_optout)
{
	struct env nobody = { .flags = AS_NOBODY };

	ASSERT_EQ(0, write_file(PARAM_TOGGLE, "1"));
	CTL(RC_OK, &plain, "list", "self");
	EXPECT_OUT(" system ");
	EXPECT_OUT(" [vdso]");
	CTL(RC_OK, &plain, "optout", "--", self->bin, "list", "self");
	EXPECT_NO_OUT("system");
	CTL(RC_OK, &plain, "optout", self->bin, "list", "self");
	EXPECT_NO_OUT("system");
	/* The exit status is the program's. */
	CTL(3, &plain, "optout", "/bin/sh", "-c", "exit 3");
	CTL(127, &plain, "optout", "/nonexistent/program");
	EXPECT_ERR("cannot run");
	CTL(RC_PERM, &nobody, "optout", self->bin, "list", "self");
	EXPECT_ERR("CAP_CHECKPOINT_RESTORE");
	EXPECT_EQ(0, self->r.out[0]);
}

/* ---- module not loaded -------------------------------------------------- */

TEST_F(ctl, not_loaded)
{
	int r = modctl_unload();

	ASSERT_EQ(0, r) TH_LOG("cannot unload: %s", strerror(-r));
	CTL(RC_NOT_LOADED, &plain, "status");
	EXPECT_OUT("module: not loaded\n");
	EXPECT_OUT(kernel_has_mseal() ? "native-mseal: yes\n" :
					"native-mseal: no\n");
	EXPECT_NO_OUT("version");
	EXPECT_ERR("msealctl load");
	CTL(RC_NOT_LOADED, &plain, "enable");
	EXPECT_ERR("msealctl load");
	CTL(RC_NOT_LOADED, &plain, "disable");
	CTL(RC_NOT_LOADED, &plain, "lock");
	if (kernel_has_mseal()) {
		/* The kernel's own listing (smaps) needs no module. */
		CTL(RC_OK, &plain, "list", "self");
	} else {
		CTL(RC_NOT_LOADED, &plain, "list", "self");
		EXPECT_ERR("not loaded");
	}
	CTL(RC_NOT_LOADED, &plain, "unload");
	CTL(RC_NOT_LOADED, &plain, "optout", "/bin/true");
	EXPECT_FALSE(modctl_loaded());
}

/* ---- load / unload ------------------------------------------------------ */

TEST_F(ctl, load_path)
{
	struct env nobody = { .flags = AS_NOBODY };
	char bad[PATH_MAX], *ko = (char *)modctl_path();
	int r = modctl_unload();

	ASSERT_EQ(0, r) TH_LOG("cannot unload: %s", strerror(-r));
	CTL(RC_PERM, &nobody, "load", "--path", ko);
	EXPECT_ERR("root");
	EXPECT_FALSE(modctl_loaded());

	CTL(RC_OK, &plain, "load", "--path", ko);
	EXPECT_OUT("loaded");
	EXPECT_TRUE(modctl_loaded());
	EXPECT_EQ(0, access(MSEAL_DEV_PATH, F_OK));
	EXPECT_EQ(0, read_long(PARAM_TOGGLE));
	CTL(RC_OK, &plain, "load", "--path", ko);
	EXPECT_OUT("already loaded");
	CTL(RC_FAIL, &plain, "load", "--path", ko, "seal_system_mappings=1");
	EXPECT_ERR("already loaded");
	EXPECT_EQ(0, read_long(PARAM_TOGGLE));

	CTL(RC_OK, &plain, "unload");
	EXPECT_OUT("unloaded");
	EXPECT_FALSE(modctl_loaded());

	/* Parameters, and the --path=FILE spelling. */
	snprintf(bad, sizeof(bad), "--path=%s", ko);
	CTL(RC_OK, &plain, "load", bad, "seal_system_mappings=1",
	    "log_denials=1");
	EXPECT_EQ(1, read_long(PARAM_TOGGLE));
	EXPECT_EQ(1, read_long(PARAM_LOG));
	/*
	 * With the toggle on, every program started since holds system
	 * seals, msealctl itself included: the module stays until it is
	 * off and they have exited, and unload says so.
	 */
	CTL(RC_FAIL, &plain, "unload");
	EXPECT_ERR("msealctl disable");
	EXPECT_TRUE(modctl_loaded());
	CTL(RC_OK, &plain, "disable");
	CTL(RC_OK, &plain, "unload");
	EXPECT_FALSE(modctl_loaded());

	CTL(RC_FAIL, &plain, "load", "--path", ko, "seal_system_mappings=7");
	EXPECT_ERR("invalid");
	EXPECT_FALSE(modctl_loaded());

	CTL(RC_FAIL, &plain, "load", "--path", "/nonexistent/mseal.ko");
	EXPECT_ERR("/nonexistent/mseal.ko");
	EXPECT_FALSE(modctl_loaded());

	/* A kernel the module does not support: the log names why. */
	snprintf(bad, sizeof(bad), "%s", ko);
	*strrchr(bad, '/') = 0;
	strcat(bad, "/missing-symbol/mseal.ko");
	CTL(RC_FAIL, &plain, "load", "--path", bad);
	EXPECT_ERR("dmesg");
	EXPECT_FALSE(modctl_loaded());
}

TEST_F(ctl, load_by_name)
{
	struct env modroot = { .flags = IN_MODROOT };
	struct env conf = {
		.flags = IN_MODROOT,
		.modprobe_conf = "options mseal seal_system_mappings=1\n",
	};
	struct env nobody = { .flags = IN_MODROOT | AS_NOBODY };
	char dir[PATH_MAX];
	struct utsname u;
	int r;

	uname(&u);
	snprintf(dir, sizeof(dir), "%s/modroot/lib/modules/%s/modules.dep",
		 tests_dir(), u.release);
	if (access(dir, R_OK))
		SKIP(return, "no modroot/ for %.64s (no module built for it)",
		     u.release);
	mkdir("/etc/modprobe.d", 0755);
	r = modctl_unload();
	ASSERT_EQ(0, r) TH_LOG("cannot unload: %s", strerror(-r));

	/* Not installed for this kernel: say how to install it. */
	CTL(RC_FAIL, &plain, "load");
	EXPECT_ERR("--path");
	EXPECT_FALSE(modctl_loaded());

	CTL(RC_PERM, &nobody, "load");
	EXPECT_FALSE(modctl_loaded());

	CTL(RC_OK, &modroot, "load");
	EXPECT_OUT("loaded");
	EXPECT_TRUE(modctl_loaded());
	EXPECT_EQ(0, read_long(PARAM_TOGGLE));
	CTL(RC_OK, &plain, "unload");

	/* Options from /etc/modprobe.d, as modprobe applies them. */
	CTL(RC_OK, &conf, "load");
	EXPECT_TRUE(modctl_loaded());
	EXPECT_EQ(1, read_long(PARAM_TOGGLE));
	CTL(RC_OK, &plain, "disable");
	CTL(RC_OK, &plain, "unload");

	/* ... and from the command line. */
	CTL(RC_OK, &modroot, "load", "log_denials=1");
	EXPECT_EQ(1, read_long(PARAM_LOG));
}

TEST_F(ctl, unload_in_use)
{
	struct env nobody = { .flags = AS_NOBODY };
	struct holder h;
	int i;

	ASSERT_EQ(0, hold_seal(&h));
	CTL(RC_FAIL, &plain, "unload");
	EXPECT_ERR("in use");
	EXPECT_TRUE(modctl_loaded());
	CTL(RC_PERM, &nobody, "unload");
	EXPECT_TRUE(modctl_loaded());
	release_seal(&h);

	/* The holder's mm may go a little after its exit. */
	for (i = 0; i < 20; i++) {
		run_ctl(&self->r, self->bin, &plain, "unload", NULL);
		if (self->r.status != RC_FAIL)
			break;
		usleep(100000);
	}
	EXPECT_EQ(RC_OK, self->r.status) TH_LOG("unload: %s", self->r.err);
	EXPECT_FALSE(modctl_loaded());
}

TEST_HARNESS_MAIN
