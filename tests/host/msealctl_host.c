// SPDX-License-Identifier: GPL-2.0
/*
 * msealctl_host - msealctl on the build machine (SPEC 7.2), without the
 * module: usage errors, status and list where the module is not loaded,
 * and list from the kernel's own flags where it has mseal(2).  Run by
 * `make userspace-check` with the path of the binary as argument (or
 * $MSEALCTL).
 *
 * Only commands that change nothing are run: never load, unload,
 * enable, disable, lock or optout here (mseal_ctl tests those in the
 * guest).  If this machine has the module loaded, the status tests skip.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mseal_util.h"
#include "mseal_harness.h"
#include "mseal.h"

static const char *ctl_bin;

struct run {
	int status;
	char out[8192];
	char err[4096];
};

static void slurp(int fd, char *buf, size_t sz)
{
	ssize_t n = pread(fd, buf, sz - 1, 0);

	buf[n > 0 ? n : 0] = 0;
	close(fd);
}

static void run_ctl(struct run *r, ...)
{
	char *argv[8];
	int out, err, status, argc = 0;
	va_list ap;
	pid_t pid;

	argv[argc++] = (char *)ctl_bin;
	va_start(ap, r);
	while (argc < 7 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	r->status = -1;
	out = memfd_create("out", MFD_CLOEXEC);
	err = memfd_create("err", MFD_CLOEXEC);
	if (out < 0 || err < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (!pid) {
		dup2(out, 1);
		dup2(err, 2);
		execv(ctl_bin, argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	slurp(out, r->out, sizeof(r->out));
	slurp(err, r->err, sizeof(r->err));
}

#define CTL(want, ...) do {						\
	run_ctl(&self->r, __VA_ARGS__, NULL);				\
	EXPECT_EQ((want), self->r.status)				\
		TH_LOG("msealctl %s: exit %d\nstdout: %s\nstderr: %s",	\
		       #__VA_ARGS__, self->r.status, self->r.out,	\
		       self->r.err);					\
} while (0)
#define EXPECT_OUT(s) EXPECT_TRUE(strstr(self->r.out, (s)) != NULL)	\
	TH_LOG("stdout lacks '%s':\n%s", (s), self->r.out)
#define EXPECT_ERR(s) EXPECT_TRUE(strstr(self->r.err, (s)) != NULL)	\
	TH_LOG("stderr lacks '%s':\n%s", (s), self->r.err)

static bool native(void)
{
	return syscall(462, 0UL, 0UL, 0UL) == 0;
}

FIXTURE(host) {
	struct run r;
	bool module;
};

FIXTURE_SETUP(host)
{
	ASSERT_EQ(0, access(ctl_bin, X_OK)) TH_LOG("%s", ctl_bin);
	self->module = access("/sys/module/mseal", F_OK) == 0;
}

FIXTURE_TEARDOWN(host)
{
}

TEST_F(host, usage)
{
	run_ctl(&self->r, NULL);
	EXPECT_EQ(2, self->r.status);
	EXPECT_ERR("usage:");
	CTL(2, "frob");
	EXPECT_ERR("unknown command");
	CTL(2, "list");
	CTL(2, "list", "-3");
	CTL(2, "list", "12x");
	CTL(2, "status", "x");
	CTL(2, "load", "--path");
	CTL(2, "load", "=1");
	CTL(2, "optout");
	CTL(0, "--help");
	EXPECT_OUT("usage:");
	CTL(0, "-V");
	EXPECT_OUT("msealctl ");
}

TEST_F(host, status_without_module)
{
	if (self->module)
		SKIP(return, "the mseal module is loaded on this machine");
	CTL(3, "status");
	EXPECT_OUT("module: not loaded\n");
	EXPECT_OUT(native() ? "native-mseal: yes\n" : "native-mseal: no\n");
	EXPECT_ERR("msealctl load");
	/* Commands that need the module say so, and change nothing. */
	CTL(3, "enable");
	CTL(3, "disable");
	CTL(3, "lock");
	CTL(3, "unload");
	CTL(3, "optout", "/bin/true");
	EXPECT_ERR("not loaded");
}

/* Without the module, on a kernel with mseal(2): from smaps. */
TEST_F(host, list_native)
{
	char pid[16], line[128];
	int go[2], ready[2];
	char *base;
	size_t ps = pgsz();
	pid_t child;
	char c;

	if (self->module || !native())
		SKIP(return, "needs a kernel with mseal(2) and no module");
	base = map_region(4);
	ASSERT_TRUE(base != NULL);
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		close(go[1]);
		c = mseal(base, ps, 0) || mseal(base + 2 * ps, 2 * ps, 0) ?
		    'e' : 'k';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ('k', c);
	snprintf(pid, sizeof(pid), "%d", child);
	CTL(0, "list", pid);
	snprintf(line, sizeof(line), "%08llx-%08llx explicit\n",
		 (unsigned long long)(uintptr_t)base,
		 (unsigned long long)(uintptr_t)(base + ps));
	EXPECT_OUT(line);
	snprintf(line, sizeof(line), "%08llx-%08llx explicit\n",
		 (unsigned long long)(uintptr_t)(base + 2 * ps),
		 (unsigned long long)(uintptr_t)(base + 4 * ps));
	EXPECT_OUT(line);
	close(go[1]);
	waitpid(child, NULL, 0);

	/* Gone now. */
	CTL(1, "list", pid);
	EXPECT_ERR("no process");
}

int main(int argc, char **argv)
{
	ctl_bin = argc > 1 ? argv[1] : getenv("MSEALCTL");
	if (!ctl_bin) {
		fprintf(stderr, "usage: %s PATH-OF-MSEALCTL\n", argv[0]);
		return 2;
	}
	return test_harness_run(1, argv);
}
