// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_autoseal - libmseal-autoseal.so (lib/autoseal.c) on unmodified
 * programs, in the guest (6.1 with the module: sealing through
 * /dev/mseal, the seals read with MSEAL_IOC_LIST) and on the build
 * machine (its kernel's own mseal(2), the seals read from smaps "sl").
 *
 * Each program runs twice, plainly and with LD_AUDIT=libmseal-autoseal.so
 * under ptrace; stdout, stderr and the exit status must be the same.  At
 * the entry of the audited run's exit_group(), with every mapping still in
 * place, the test checks:
 *  - the sealed ranges are exactly what the ELF files on disk say they
 *    should be: for the main program, ld.so and every object ld.so lists
 *    for it (LD_TRACE_LOADED_OBJECTS), the span of its PT_LOADs minus its
 *    writable segments plus its PT_GNU_RELRO; nothing else ([vdso],
 *    [heap], [stack], anonymous memory, dlopen'd objects, the audit
 *    module itself) is sealed;
 *  - on each sealed range, mprotect, munmap and mmap(MAP_FIXED), made by
 *    the process itself (system calls injected with ptrace), fail with
 *    EPERM and leave its mappings and contents unchanged;
 *  - a debugger can still write breakpoints into sealed text
 *    (PTRACE_POKETEXT), as gdb does.
 *
 * The last test's name carries the summary that `make check` prints:
 *   autoseal <kernel release, or MSEAL_AUTOSEAL_WHERE>: N programs, N ranges sealed, N failed
 *
 * Environment: MSEAL_AUTOSEAL_DIR (default /tests/autoseal: as_prog,
 * as_asan, as_cxx, libas_dl.so, libmseal-autoseal.so, and bin/ with ls,
 * bash, perl, python3 when they are not the system's), MSEAL_AUTOSEAL_LIB
 * (the audit module), MSEAL_AUTOSEAL_WHERE (the summary's place name).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/user.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mseal_harness.h"
#include "mseal.h"

/* ---- intervals ------------------------------------------------------ */

struct iv {
	uint64_t lo, hi;
};

struct ivs {
	struct iv v[512];
	int n;
};

static void ivs_add(struct ivs *s, uint64_t lo, uint64_t hi)
{
	if (lo < hi && s->n < (int)(sizeof(s->v) / sizeof(s->v[0])))
		s->v[s->n++] = (struct iv){ lo, hi };
}

static int iv_cmp(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort and merge touching or overlapping intervals. */
static void ivs_norm(struct ivs *s)
{
	int i, j = 0;

	qsort(s->v, s->n, sizeof(s->v[0]), iv_cmp);
	for (i = 0; i < s->n; i++) {
		if (j && s->v[i].lo <= s->v[j - 1].hi) {
			if (s->v[i].hi > s->v[j - 1].hi)
				s->v[j - 1].hi = s->v[i].hi;
		} else {
			s->v[j++] = s->v[i];
		}
	}
	s->n = j;
}

/* Remove [lo, hi) from every interval of @s. */
static void ivs_sub(struct ivs *s, uint64_t lo, uint64_t hi)
{
	struct ivs out = { .n = 0 };
	int i;

	for (i = 0; i < s->n; i++) {
		struct iv v = s->v[i];

		if (v.hi <= lo || v.lo >= hi) {
			ivs_add(&out, v.lo, v.hi);
			continue;
		}
		ivs_add(&out, v.lo, lo);
		ivs_add(&out, hi, v.hi);
	}
	*s = out;
}

/* Is [lo, hi) inside normalized @s? */
static bool ivs_covers(const struct ivs *s, uint64_t lo, uint64_t hi)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].lo <= lo && hi <= s->v[i].hi)
			return true;
	return false;
}

static bool ivs_meets(const struct ivs *s, uint64_t lo, uint64_t hi)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].lo < hi && lo < s->v[i].hi)
			return true;
	return false;
}

/* ---- results shared with the summary (tests run in child processes) -- */

struct result {
	char name[32];
	int failed;	/* until the test says otherwise */
	int ranges;
};

struct shared {
	struct result r[32];
	int n;
	char summary[192];
};
static struct shared *sh;

static struct result *result_start(const char *name)
{
	struct result *r = &sh->r[sh->n < 31 ? sh->n++ : 31];

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->failed = 1;
	r->ranges = 0;
	return r;
}

/* ---- programs ---------------------------------------------------------- */

static const char *dir(void)
{
	const char *d = getenv("MSEAL_AUTOSEAL_DIR");

	return d && *d ? d : "/tests/autoseal";
}

static char *path_in_dir(const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir(), name) < 0)
		abort();
	return p;
}

static char *audit_lib(void)
{
	const char *l = getenv("MSEAL_AUTOSEAL_LIB");

	return l && *l ? strdup(l) : path_in_dir("libmseal-autoseal.so");
}

/* DIR/bin/NAME if it is there, else the system's. */
static char *system_prog(const char *name)
{
	static const char *const dirs[] = { "/usr/bin", "/bin" };
	char *p;
	size_t i;

	if (asprintf(&p, "%s/bin/%s", dir(), name) < 0)
		abort();
	if (!access(p, X_OK))
		return p;
	free(p);
	for (i = 0; i < 2; i++) {
		if (asprintf(&p, "%s/%s", dirs[i], name) < 0)
			abort();
		if (!access(p, X_OK))
			return p;
		free(p);
	}
	return strdup(name);
}

struct spec {
	const char *name;
	char *argv[10];
	const char *env[4];	/* added to both runs */
	const char *exempt;	/* file name left unsealed on purpose */
	const char *want_out;	/* audited stdout, when it differs from the plain one */
	bool none_sealed;	/* opt-outs and no route: nothing may be sealed */
	bool no_route;		/* no mseal(2) (seccomp) and no /dev/mseal (mount ns) */
	bool any_status;	/* the exit status differs from the plain run's on purpose */
	char *main_prog;	/* the program, when argv[0] is ld.so run as a command */
};

#if defined(__x86_64__)
#define LD_SO_NAME "ld-linux-x86-64.so.2"
#define LD_SO_PATH "/lib64/ld-linux-x86-64.so.2"
#elif defined(__aarch64__)
#define LD_SO_NAME "ld-linux-aarch64.so.1"
#define LD_SO_PATH "/lib/ld-linux-aarch64.so.1"
#else
#define LD_SO_NAME "ld.so"
#define LD_SO_PATH "/lib/ld.so"
#endif

struct run {
	char *out, *err;
	int status;
};

static char *memfd_text(int fd)
{
	off_t len = lseek(fd, 0, SEEK_END);
	char *s = calloc(1, len + 1);

	if (s && len > 0 && pread(fd, s, len, 0) != len)
		s[0] = 0;
	close(fd);
	return s;
}

static char **make_env(const struct spec *sp, const char *extra1, const char *extra2)
{
	static char *env[16];
	int n = 0, i;

	env[n++] = "PATH=/usr/bin:/bin";
	env[n++] = "LC_ALL=C";
	env[n++] = "HOME=/tmp";
	for (i = 0; i < 4 && sp->env[i]; i++)
		env[n++] = (char *)sp->env[i];
	if (extra1)
		env[n++] = (char *)extra1;
	if (extra2)
		env[n++] = (char *)extra2;
	env[n] = NULL;
	return env;
}

/* Exit status of a child that could not hide the routes. */
#define NO_ROUTE_UNAVAILABLE 120

/* In the child: no mseal(2) (ENOSYS, as before 6.10) and no /dev/mseal. */
static void no_route(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mseal, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	/* Not root: a user namespace of its own gives the right to mount. */
	if (unshare(CLONE_NEWNS) && unshare(CLONE_NEWUSER | CLONE_NEWNS))
		_exit(NO_ROUTE_UNAVAILABLE);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("none", "/dev", "tmpfs", 0, NULL) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		_exit(NO_ROUTE_UNAVAILABLE);
}

/* fork + exec; @traced: stopped before exec for the tracer. */
static pid_t spawn(const struct spec *sp, char **env, int out, int err, bool traced)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	dup2(out, 1);
	dup2(err, 2);
	if (sp->no_route)
		no_route();
	if (traced) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
	}
	execve(sp->argv[0], sp->argv, env);
	_exit(127);
}

static void run_plain(const struct spec *sp, char **env, struct run *r)
{
	int out = memfd_create("out", 0), err = memfd_create("err", 0);
	pid_t pid = spawn(sp, env, out, err, false);

	waitpid(pid, &r->status, 0);
	r->out = memfd_text(out);
	r->err = memfd_text(err);
}

/* ---- the start-up objects, as ld.so lists them --------------------- */

struct file_id {
	dev_t dev;
	ino_t ino;
};

struct objset {
	struct file_id f[64];
	int n;
};

static void objset_add_path(struct objset *s, const char *path)
{
	struct stat st;

	if (s->n < 64 && !stat(path, &st))
		s->f[s->n++] = (struct file_id){ st.st_dev, st.st_ino };
}

static bool objset_has(const struct objset *s, dev_t dev, ino_t ino)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->f[i].dev == dev && s->f[i].ino == ino)
			return true;
	return false;
}

/* LD_TRACE_LOADED_OBJECTS=1: "name => /path (addr)" or "/path (addr)". */
static void startup_objects(const struct spec *sp, struct objset *s)
{
	struct spec t = *sp;
	struct run r;
	char *line, *save = NULL;

	t.no_route = false;
	run_plain(&t, make_env(sp, "LD_TRACE_LOADED_OBJECTS=1", NULL), &r);
	for (line = strtok_r(r.out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "=> "), *e;

		p = p ? p + 3 : line + strspn(line, " \t");
		if (*p != '/')
			continue;
		e = strstr(p, " (");
		if (e)
			*e = 0;
		objset_add_path(s, p);
	}
	free(r.out);
	free(r.err);
}

/* ---- the traced process ------------------------------------------------ */

struct vma {
	uint64_t lo, hi, off;
	char perms[5];
	dev_t dev;
	ino_t ino;
	char path[256];
};

static int read_maps(pid_t pid, struct vma *v, int max)
{
	char p[64], line[512];
	int n = 0;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/maps", pid);
	f = fopen(p, "re");
	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, off, ino;
		unsigned int maj, mn;
		int pos = 0;

		if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %n", &lo, &hi, v[n].perms,
			   &off, &maj, &mn, &ino, &pos) < 7)
			continue;
		v[n].lo = lo;
		v[n].hi = hi;
		v[n].off = off;
		v[n].dev = makedev(maj, mn);
		v[n].ino = ino;
		snprintf(v[n].path, sizeof(v[n].path), "%s", line + pos);
		v[n].path[strcspn(v[n].path, "\n")] = 0;
		n++;
	}
	fclose(f);
	return n;
}

static char *maps_text(pid_t pid)
{
	char p[64];
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/maps", pid);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return strdup("");
	{
		size_t cap = 1 << 16, len = 0;
		char *s = malloc(cap);
		ssize_t k;

		while ((k = read(fd, s + len, cap - len - 1)) > 0) {
			len += k;
			if (cap - len < 4096)
				s = realloc(s, cap *= 2);
		}
		s[len] = 0;
		close(fd);
		return s;
	}
}

/* FNV-1a of [lo, hi) of @pid's memory, read through /proc/PID/mem. */
static uint64_t mem_hash(pid_t pid, uint64_t lo, uint64_t hi)
{
	static char buf[1 << 16];
	uint64_t h = 1469598103934665603ULL, a;
	char p[64];
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/mem", pid);
	fd = open(p, O_RDONLY);
	for (a = lo; a < hi; a += sizeof(buf)) {
		size_t len = hi - a < sizeof(buf) ? hi - a : sizeof(buf);
		ssize_t k = pread(fd, buf, len, a);
		ssize_t i;

		if (k < 0) {
			h = (h ^ (uint64_t)errno) * 1099511628211ULL;
			continue;
		}
		for (i = 0; i < k; i++)
			h = (h ^ (unsigned char)buf[i]) * 1099511628211ULL;
	}
	close(fd);
	return h;
}

/* What the ELF file of @v says is to be sealed, at its load address. */
static int expected_of(const char *path, const struct vma *v, int nv, dev_t dev,
		       ino_t ino, struct ivs *want)
{
	uint64_t ps = pgsz(), lo = UINT64_MAX, hi = 0, base = UINT64_MAX, bias, first = UINT64_MAX;
	struct ivs mine = { .n = 0 };
	Elf64_Phdr ph[64];
	Elf64_Ehdr eh;
	int fd, i, n;

	for (i = 0; i < nv; i++)
		if (v[i].dev == dev && v[i].ino == ino && v[i].off == 0 && v[i].lo < base)
			base = v[i].lo;
	fd = open(path, O_RDONLY);
	if (fd < 0 || base == UINT64_MAX)
		return -1;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_phnum > 64 ||
	    pread(fd, ph, eh.e_phnum * sizeof(ph[0]), eh.e_phoff) !=
		    (ssize_t)(eh.e_phnum * sizeof(ph[0]))) {
		close(fd);
		return -1;
	}
	close(fd);
	n = eh.e_phnum;
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < first)
			first = ph[i].p_vaddr;
	bias = base - (first & ~(ps - 1));
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_memsz) {
			uint64_t s = (bias + ph[i].p_vaddr) & ~(ps - 1);
			uint64_t e = (bias + ph[i].p_vaddr + ph[i].p_memsz + ps - 1) & ~(ps - 1);

			lo = s < lo ? s : lo;
			hi = e > hi ? e : hi;
		}
	ivs_add(&mine, lo, hi);
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_W))
			ivs_sub(&mine, (bias + ph[i].p_vaddr) & ~(ps - 1),
				(bias + ph[i].p_vaddr + ph[i].p_memsz + ps - 1) & ~(ps - 1));
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_GNU_RELRO)
			ivs_add(&mine, (bias + ph[i].p_vaddr) & ~(ps - 1),
				(bias + ph[i].p_vaddr + ph[i].p_memsz) & ~(ps - 1));
	for (i = 0; i < mine.n; i++)
		ivs_add(want, mine.v[i].lo, mine.v[i].hi);
	return 0;
}

static bool is_elf(const char *path)
{
	char m[4];
	int fd = open(path, O_RDONLY);
	bool ret = fd >= 0 && read(fd, m, 4) == 4 && !memcmp(m, ELFMAG, SELFMAG);

	if (fd >= 0)
		close(fd);
	return ret;
}

#ifdef __x86_64__
/*
 * At the entry stop of exit_group, @saved its registers: run another system
 * call in the process instead, return its result, and come back to the
 * entry of exit_group (the syscall instruction executed again).
 */
static long inject(pid_t pid, const struct user_regs_struct *saved, long nr,
		   long a, long b, long c, long d, long e, long f)
{
	struct user_regs_struct r = *saved;
	int status;
	long ret;

	r.orig_rax = nr;
	r.rdi = a;
	r.rsi = b;
	r.rdx = c;
	r.r10 = d;
	r.r8 = e;
	r.r9 = f;
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) || ptrace(PTRACE_SYSCALL, pid, 0, 0) ||
	    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		return -1000;
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	ret = r.rax;
	r = *saved;
	r.rip -= 2;
	r.rax = saved->orig_rax;
	if (ptrace(PTRACE_SETREGS, pid, 0, &r) || ptrace(PTRACE_SYSCALL, pid, 0, 0) ||
	    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		return -1001;
	return ret;
}
#endif

/* Everything checked at the entry of exit_group; @ranges: sealed count. */
static void at_exit_checks(struct __test_metadata *_metadata, const struct spec *sp,
			   const struct objset *startup, pid_t pid, int *ranges)
{
	static struct vma v[1024];
	struct ivs want = { .n = 0 }, got = { .n = 0 };
	struct mseal_range *r = NULL;
	char exe[64];
	struct stat st;
	struct objset objs = *startup;
	int nv, i, j, dlopened = 0;
	ssize_t nr;

	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	if (!stat(exe, &st))
		objs.f[objs.n++] = (struct file_id){ st.st_dev, st.st_ino };
	nv = read_maps(pid, v, 1024);
	ASSERT_LT(0, nv);

	/* What should be sealed, object by object (each file once). */
	for (i = 0; i < nv && !sp->none_sealed; i++) {
		const char *b = strrchr(v[i].path, '/');

		if (v[i].path[0] != '/' || v[i].off != 0)
			continue;
		for (j = 0; j < i; j++)
			if (v[j].dev == v[i].dev && v[j].ino == v[i].ino)
				break;
		if (j < i || !objset_has(&objs, v[i].dev, v[i].ino))
			continue;
		if (sp->exempt && b && !strcmp(b + 1, sp->exempt))
			continue;
		EXPECT_EQ(0, expected_of(v[i].path, v, nv, v[i].dev, v[i].ino, &want))
			TH_LOG("cannot read the program headers of %s", v[i].path);
	}
	ivs_norm(&want);

	nr = mseal_list(pid, &r);
	ASSERT_LE(0, nr) TH_LOG("mseal_list(%d): %s", pid, strerror(errno));
	for (i = 0; i < nr; i++)
		if (!(r[i].flags & MSEAL_RANGE_SYSTEM))
			ivs_add(&got, r[i].start, r[i].end);
	free(r);
	ivs_norm(&got);

	for (i = 0; i < want.n; i++) {
		unsigned long long lo = want.v[i].lo, hi = want.v[i].hi;

		EXPECT_TRUE(ivs_covers(&got, lo, hi))
			TH_LOG("%s: expected sealed, is not: %llx-%llx", sp->name, lo, hi);
	}
	for (i = 0; i < got.n; i++) {
		unsigned long long lo = got.v[i].lo, hi = got.v[i].hi;

		EXPECT_TRUE(ivs_covers(&want, lo, hi))
			TH_LOG("%s: sealed but should not be: %llx-%llx", sp->name, lo, hi);
	}
	if (sp->none_sealed) {
		EXPECT_EQ(0, got.n) TH_LOG("%s: %d ranges sealed, want none", sp->name, got.n);
	} else {
		EXPECT_LT(0, want.n);
	}

	/* Named: never [vdso], heap, stack, a dlopen'd object. */
	for (i = 0; i < nv; i++) {
		bool other_elf = v[i].path[0] == '/' && !objset_has(&objs, v[i].dev, v[i].ino) &&
				 is_elf(v[i].path);

		if (!strcmp(v[i].path, "[vdso]") || !strcmp(v[i].path, "[heap]") ||
		    !strcmp(v[i].path, "[stack]") || other_elf)
			EXPECT_FALSE(ivs_meets(&got, v[i].lo, v[i].hi))
				TH_LOG("%s: %s is sealed", sp->name, v[i].path);
		if (other_elf && v[i].off == 0)
			dlopened++;
	}
	if (!strcmp(sp->name, "dlopen") || !strcmp(sp->name, "python3"))
		EXPECT_LT(0, dlopened) TH_LOG("%s: no dlopen'd object mapped at exit", sp->name);

#ifdef __x86_64__
	if (got.n) {
		struct user_regs_struct saved;

		ASSERT_EQ(0, ptrace(PTRACE_GETREGS, pid, 0, &saved));
		for (i = 0; i < got.n; i++) {
			uint64_t lo = got.v[i].lo, len = got.v[i].hi - got.v[i].lo;
			char *before = maps_text(pid), *after;
			uint64_t h = mem_hash(pid, lo, lo + len);

			EXPECT_EQ(-EPERM, inject(pid, &saved, __NR_mprotect, lo, len, PROT_READ, 0, 0, 0));
			EXPECT_EQ(-EPERM, inject(pid, &saved, __NR_munmap, lo, len, 0, 0, 0, 0));
			EXPECT_EQ(-EPERM, inject(pid, &saved, __NR_mmap, lo, len, PROT_READ,
						 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
			after = maps_text(pid);
			EXPECT_STREQ(before, after) TH_LOG("%s: mappings changed by refused calls", sp->name);
			EXPECT_EQ(h, mem_hash(pid, lo, lo + len))
				TH_LOG("%s: contents of %llx changed", sp->name, (unsigned long long)lo);
			free(before);
			free(after);
		}
		/* gdb's way of setting a breakpoint: write into sealed text. */
		for (i = 0; i < nv; i++) {
			long word, back;

			if (v[i].perms[2] != 'x' || !ivs_covers(&got, v[i].lo, v[i].hi))
				continue;
			errno = 0;
			word = ptrace(PTRACE_PEEKTEXT, pid, v[i].lo, 0);
			ASSERT_EQ(0, errno);
			EXPECT_EQ(0, ptrace(PTRACE_POKETEXT, pid, v[i].lo, word ^ 0xcc));
			back = ptrace(PTRACE_PEEKTEXT, pid, v[i].lo, 0);
			EXPECT_EQ(word ^ 0xcc, back) TH_LOG("breakpoint write into sealed text");
			EXPECT_EQ(0, ptrace(PTRACE_POKETEXT, pid, v[i].lo, word));
			break;
		}
	}
#endif
	*ranges = got.n;
}

static void run_traced(struct __test_metadata *_metadata, const struct spec *sp, char **env,
		       const struct objset *startup, struct run *res, int *ranges)
{
	int out = memfd_create("out", 0), err = memfd_create("err", 0);
	pid_t pid = spawn(sp, env, out, err, true);
	bool checked = false;
	int status;

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, ptrace(PTRACE_SETOPTIONS, pid, 0,
			    PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
	ptrace(PTRACE_SYSCALL, pid, 0, 0);
	while (waitpid(pid, &status, 0) == pid && WIFSTOPPED(status)) {
		int sig = WSTOPSIG(status);

		if (sig == (SIGTRAP | 0x80)) {
			struct __ptrace_syscall_info si;

			if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(si), &si) > 0 &&
			    si.op == PTRACE_SYSCALL_INFO_ENTRY && si.entry.nr == __NR_exit_group) {
				at_exit_checks(_metadata, sp, startup, pid, ranges);
				checked = true;
				ptrace(PTRACE_DETACH, pid, 0, 0);
				break;
			}
			sig = 0;
		} else if (sig == SIGTRAP || sig == SIGSTOP) {
			sig = 0;	/* exec event, our own SIGSTOP */
		}
		ptrace(PTRACE_SYSCALL, pid, 0, sig);
	}
	if (checked)
		waitpid(pid, &status, 0);
	res->status = status;
	res->out = memfd_text(out);
	res->err = memfd_text(err);
	EXPECT_TRUE(checked) TH_LOG("%s: never reached exit_group (status %#x)", sp->name, status);
}

static void check_prog(struct __test_metadata *_metadata, const struct spec *sp)
{
	struct objset startup = { .n = 0 };
	char *lib = audit_lib(), *ld_audit;
	struct run plain, sealed;
	struct result *res;
	int ranges = 0;

	if (_metadata->skip)	/* no route (FIXTURE_SETUP) */
		return;
	res = result_start(sp->name);

	ASSERT_EQ(0, access(lib, R_OK)) TH_LOG("no audit module %s", lib);
	ASSERT_EQ(0, access(sp->argv[0], X_OK)) TH_LOG("no program %s", sp->argv[0]);
	ASSERT_LE(0, asprintf(&ld_audit, "LD_AUDIT=%s", lib));
	startup_objects(sp, &startup);
	if (sp->main_prog)
		objset_add_path(&startup, sp->main_prog);
	ASSERT_LT(0, startup.n) TH_LOG("ld.so lists no object for %s", sp->argv[0]);

	run_plain(sp, make_env(sp, NULL, NULL), &plain);
	if (sp->no_route && WIFEXITED(plain.status) &&
	    WEXITSTATUS(plain.status) == NO_ROUTE_UNAVAILABLE) {
		res->failed = 0;
		SKIP(return, "cannot hide /dev/mseal here (no mount namespace)");
	}
	run_traced(_metadata, sp, make_env(sp, ld_audit, NULL), &startup, &sealed, &ranges);

	if (!sp->any_status) {
		EXPECT_EQ(plain.status, sealed.status)
			TH_LOG("%s: exit status %#x plain, %#x sealed", sp->name,
			       plain.status, sealed.status);
	}
	if (sp->want_out) {
		EXPECT_STREQ(sp->want_out, sealed.out);
	} else {
		EXPECT_STREQ(plain.out, sealed.out);
	}
	EXPECT_STREQ(plain.err, sealed.err);
	TH_LOG("%s: exit %#x, %d ranges sealed; stdout %.*s%s; stderr '%.120s'", sp->name,
	       sealed.status, ranges, (int)strcspn(sealed.out, "\n"), sealed.out,
	       strchr(sealed.out, '\n') && strchr(sealed.out, '\n')[1] ? " ..." : "",
	       sealed.err);
	res->ranges = ranges;
	res->failed = !_metadata->passed;
}

/* ---- the tests --------------------------------------------------------- */

FIXTURE(autoseal) {
	int unused;
};
/* Is there a way to seal here?  (A build machine may have none.) */
static bool route(void)
{
	return !syscall(__NR_mseal, 0, 0, 0) || mseal_dev_fd() >= 0;
}

FIXTURE_SETUP(autoseal)
{
	if (!route())
		SKIP(return, "no mseal(2) and no %s here", MSEAL_DEV_PATH);
}
FIXTURE_TEARDOWN(autoseal)
{
}

#define PROG(name) path_in_dir(name)

TEST_F_TIMEOUT(autoseal, c, 300)
{
	struct spec sp = { .name = "c", .argv = { PROG("as_prog"), "hello", "one", "two" } };

	check_prog(_metadata, &sp);
}

TEST_F_TIMEOUT(autoseal, threads, 300)
{
	struct spec sp = { .name = "threads", .argv = { PROG("as_prog"), "threads" } };

	check_prog(_metadata, &sp);
}

TEST_F_TIMEOUT(autoseal, cxx, 300)
{
	struct spec sp = { .name = "cxx", .argv = { PROG("as_cxx") } };

	check_prog(_metadata, &sp);
}

/* LeakSanitizer cannot run under ptrace: off in both runs. */
TEST_F_TIMEOUT(autoseal, asan, 300)
{
	struct spec sp = { .name = "asan", .argv = { PROG("as_asan"), "hello", "asan" }, .env = { "ASAN_OPTIONS=detect_leaks=0" } };

	check_prog(_metadata, &sp);
}

TEST_F_TIMEOUT(autoseal, ls, 300)
{
	struct spec sp = { .name = "ls", .argv = { system_prog("ls"), "-la", (char *)dir() } };

	check_prog(_metadata, &sp);
}

TEST_F_TIMEOUT(autoseal, bash, 300)
{
	struct spec sp = { .name = "bash", .argv = { system_prog("bash"), "--norc", "--noprofile", "-c",
				     "x=(a b c); echo \"${#x[@]} $((6 * 7))\"; exit 6" } };

	check_prog(_metadata, &sp);
}

TEST_F_TIMEOUT(autoseal, perl, 300)
{
	struct spec sp = { .name = "perl", .argv = { system_prog("perl"), "-e",
		"my %h = map { $_ => $_ * 2 } 1..5; print join(',', map { $h{$_} } sort keys %h), \"\\n\"; exit 4" } };

	check_prog(_metadata, &sp);
}

/* _json is an extension module: dlopen'd, never sealed. */
TEST_F_TIMEOUT(autoseal, python3, 300)
{
	struct spec sp = { .name = "python3", .argv = { system_prog("python3"), "-S", "-B", "-c",
		"import _json, sys; print(_json.__name__, sum(range(10))); sys.exit(5)" } };

	check_prog(_metadata, &sp);
}

TEST_F_TIMEOUT(autoseal, dlopen, 300)
{
	struct spec sp = { .name = "dlopen", .argv = { PROG("as_prog"), "dlopen", "1000", PROG("libas_dl.so") },
			   .want_out = "1000 dlopen/dlclose cycles: 0 VMAs added\n" };

	check_prog(_metadata, &sp);
}

/*
 * glibc 2.36 makes the page of ld.so's RELRO holding __stack_prot writable
 * for a moment to dlopen a library that needs an executable stack: with
 * ld.so sealed that dlopen fails, cleanly; exempting ld.so lets it work.
 * (glibc 2.41 refuses such a dlopen anyway.)  Only the runs' exit status
 * differs from the plain run's: it is not compared.
 */
TEST_F_TIMEOUT(autoseal, execstack_dlopen, 300)
{
	struct spec sp = { .name = "execstack_dlopen",
			   .argv = { PROG("as_prog"), "execstack", PROG("libas_execstack.so") },
			   .want_out = "execstack dlopen: refused (cannot change memory protections)\n",
			   .any_status = true };

	check_prog(_metadata, &sp);
}

TEST_F_TIMEOUT(autoseal, execstack_dlopen_ld_so_exempt, 300)
{
	struct spec sp = { .name = "execstack_exempt",
			   .argv = { PROG("as_prog"), "execstack", PROG("libas_execstack.so") },
			   .env = { "MSEAL_AUTOSEAL_EXEMPT=" LD_SO_NAME },
			   .exempt = LD_SO_NAME,
			   .want_out = "execstack dlopen: ok\n" };

	check_prog(_metadata, &sp);
}

/* LD_PRELOAD objects are start-up objects: sealed like the others. */
TEST_F_TIMEOUT(autoseal, preload, 300)
{
	char *pre;
	struct spec sp = { .name = "preload", .argv = { PROG("as_prog"), "hello", "preload" } };

	ASSERT_LE(0, asprintf(&pre, "LD_PRELOAD=%s", PROG("libas_dl.so")));
	sp.env[0] = pre;
	check_prog(_metadata, &sp);
}

/* ld.so run as a command: the program is not what the kernel executed. */
TEST_F_TIMEOUT(autoseal, ld_so_command, 300)
{
	struct spec sp = { .name = "ld_so_command",
			   .argv = { (char *)LD_SO_PATH, PROG("as_prog"), "hello", "ld.so" },
			   .main_prog = PROG("as_prog") };

	check_prog(_metadata, &sp);
}

/* Sealed before any constructor: a constructor's mprotect is refused. */
TEST_F_TIMEOUT(autoseal, constructor, 300)
{
	struct spec sp = { .name = "constructor", .argv = { PROG("as_prog"), "ctor" }, .env = { "AS_PROG_CTOR=1" },
			   .want_out = "ctor mprotect: EPERM\nmain mprotect: EPERM\n" };

	check_prog(_metadata, &sp);
}

/* MSEAL_AUTOSEAL=late: constructors may still change protections. */
TEST_F_TIMEOUT(autoseal, late, 300)
{
	struct spec sp = { .name = "late", .argv = { PROG("as_prog"), "ctor" }, .env = { "AS_PROG_CTOR=1", "MSEAL_AUTOSEAL=late" },
			   .want_out = "ctor mprotect: 0\nmain mprotect: EPERM\n" };

	check_prog(_metadata, &sp);
}

TEST_F_TIMEOUT(autoseal, optout, 300)
{
	struct spec sp = { .name = "optout", .argv = { PROG("as_prog"), "hello" }, .env = { "MSEAL_AUTOSEAL=0" },
			   .none_sealed = true };

	check_prog(_metadata, &sp);
}

TEST_F_TIMEOUT(autoseal, tunable, 300)
{
	struct spec sp = { .name = "tunable", .argv = { PROG("as_prog"), "hello" }, .env = { "GLIBC_TUNABLES=glibc.malloc.check=0:glibc.rtld.seal=0" },
			   .none_sealed = true };

	check_prog(_metadata, &sp);
}

TEST_F_TIMEOUT(autoseal, exempt, 300)
{
	struct spec sp = { .name = "exempt", .argv = { PROG("as_prog"), "hello" }, .env = { "MSEAL_AUTOSEAL_EXEMPT=libc.so.6" }, .exempt = "libc.so.6" };

	check_prog(_metadata, &sp);
}

/* "main" names the main program (whose link map has no name). */
TEST_F_TIMEOUT(autoseal, exempt_main, 300)
{
	struct spec sp = { .name = "exempt_main", .argv = { PROG("as_prog"), "hello" },
			   .env = { "MSEAL_AUTOSEAL_EXEMPT=libnothing.so:main" },
			   .exempt = "as_prog" };

	check_prog(_metadata, &sp);
}

/* Neither mseal(2) nor /dev/mseal: nothing sealed, nothing said. */
TEST_F_TIMEOUT(autoseal, no_route, 300)
{
	struct spec sp = { .name = "no_route", .argv = { PROG("as_prog"), "hello", "x" },
			   .none_sealed = true, .no_route = true };

	check_prog(_metadata, &sp);
}

/*
 * MADV_DONTNEED on sealed RELRO is allowed (file-backed private memory,
 * as upstream): the relocated page is discarded and reads back the file's
 * bytes.  Not a protection autoseal gives; documented, and tested as is.
 */
TEST_F_TIMEOUT(autoseal, madvise_relro, 300)
{
	struct spec sp = { .name = "madvise_relro", .argv = { PROG("as_prog"), "madvise" },
		.want_out = "madvise(MADV_DONTNEED) on RELRO: 0, relocated pointer lost (file contents)\n" };

	check_prog(_metadata, &sp);
}

/*
 * msealctl run, and msealctl list of a sealed process (through
 * MSEAL_IOC_LIST with the module, smaps "sl" without).  msealctl:
 * MSEAL_AUTOSEAL_MSEALCTL, else MSEAL_TESTS_DIR/msealctl-nokmod (guest).
 */
static char *msealctl_path(void)
{
	const char *p = getenv("MSEAL_AUTOSEAL_MSEALCTL"), *t = getenv("MSEAL_TESTS_DIR");
	char *q;

	if (p && *p)
		return strdup(p);
	if (!t || asprintf(&q, "%s/msealctl-nokmod", t) < 0)
		return NULL;
	return q;
}

TEST_F_TIMEOUT(autoseal, msealctl_run_and_list, 300)
{
	char *ctl = msealctl_path(), *lib = audit_lib(), *env_lib;
	struct spec sp = { .name = "msealctl" };
	struct result *res;
	struct run r;

	if (_metadata->skip)
		return;
	if (!ctl || access(ctl, X_OK))
		SKIP(return, "no msealctl (MSEAL_AUTOSEAL_MSEALCTL)");
	res = result_start("msealctl");
	ASSERT_LE(0, asprintf(&env_lib, "MSEAL_AUTOSEAL_LIB=%s", lib));

	/* Sealed before the constructor, by msealctl run alone. */
	sp.argv[0] = ctl;
	sp.argv[1] = "run";
	sp.argv[2] = "--";
	sp.argv[3] = PROG("as_prog");
	sp.argv[4] = "ctor";
	sp.env[0] = "AS_PROG_CTOR=1";
	sp.env[1] = env_lib;
	run_plain(&sp, make_env(&sp, NULL, NULL), &r);
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ("ctor mprotect: EPERM\nmain mprotect: EPERM\n", r.out);
	EXPECT_STREQ("", r.err);

	/* --late: the constructor ran unsealed. */
	sp.argv[2] = "--late";
	sp.argv[3] = "--";
	sp.argv[4] = PROG("as_prog");
	sp.argv[5] = "ctor";
	run_plain(&sp, make_env(&sp, NULL, NULL), &r);
	EXPECT_EQ(0, r.status);
	EXPECT_STREQ("ctor mprotect: 0\nmain mprotect: EPERM\n", r.out);

	/* bash, sealed, asks msealctl (static: not audited) for its seals. */
	sp.argv[2] = "--";
	sp.argv[3] = system_prog("bash");
	sp.argv[4] = "--norc";
	sp.argv[5] = "-c";
	ASSERT_LE(0, asprintf(&sp.argv[6], "%s list $$; exit 9", ctl));
	run_plain(&sp, make_env(&sp, NULL, NULL), &r);
	EXPECT_EQ(9 << 8, r.status) TH_LOG("stderr: %s", r.err);
	EXPECT_NE(NULL, strstr(r.out, " explicit ")) TH_LOG("list: %s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "/bash")) TH_LOG("list: %s", r.out);
	EXPECT_NE(NULL, strstr(r.out, "libc.so.6")) TH_LOG("list: %s", r.out);
	EXPECT_NE(NULL, strstr(r.out, LD_SO_NAME)) TH_LOG("list: %s", r.out);
	EXPECT_EQ(NULL, strstr(r.out, "[vdso]")) TH_LOG("list: %s", r.out);
	EXPECT_EQ(NULL, strstr(r.out, "[stack]")) TH_LOG("list: %s", r.out);
	TH_LOG("msealctl list of a sealed bash:\n%s", r.out);
	res->failed = !_metadata->passed;
}

/* Last: its name is the summary line (set in the shared page it points to). */
TEST_F_TIMEOUT(autoseal, summary, 30)
{
	int i, failed = 0, ranges = 0;
	struct utsname u;
	const char *where = getenv("MSEAL_AUTOSEAL_WHERE");

	if (!route())
		SKIP(return, "no mseal(2) and no %s here", MSEAL_DEV_PATH);
	uname(&u);
	for (i = 0; i < sh->n; i++) {
		failed += sh->r[i].failed;
		ranges += sh->r[i].ranges;
		if (sh->r[i].failed)
			TH_LOG("failed: %s", sh->r[i].name);
	}
	snprintf(sh->summary, sizeof(sh->summary),
		 "autoseal %s: %d programs, %d ranges sealed, %d failed",
		 where && *where ? where : u.release, sh->n, ranges, failed);
	printf("# %s\n", sh->summary);
	fflush(stdout);
	EXPECT_EQ(0, failed);
	EXPECT_LT(0, sh->n);
}

static void __attribute__((constructor)) setup_shared(void)
{
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		abort();
	snprintf(sh->summary, sizeof(sh->summary), "summary");
	_autoseal_summary_object.name = sh->summary;
}

TEST_HARNESS_MAIN
