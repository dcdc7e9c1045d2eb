// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_util.c - helpers shared by the mseal selftests (see mseal_util.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <grp.h>
#include <inttypes.h>
#include <unistd.h>

#include "mseal_util.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

size_t pgsz(void)
{
	static size_t ps;

	if (!ps)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

void *map_region(long npages)
{
	size_t ps = pgsz();
	char *p = mmap(NULL, (npages + 2) * ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (munmap(p, ps) || munmap(p + (npages + 1) * ps, ps))
		return NULL;
	return p + ps;
}

void *map_at(void *addr, long npages, int prot)
{
	void *p = mmap(addr, npages * pgsz(), prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (p != addr) {	/* old kernels treat the flag as a hint */
		munmap(p, npages * pgsz());
		return NULL;
	}
	return p;
}

/* ---- sealing ------------------------------------------------------- */

static int dev_fd = -1;

bool backend_is_syscall(void)
{
	const char *b = getenv("MSEAL_TEST_BACKEND");

	return b && !strcmp(b, "syscall");
}

bool kernel_enforces(void)
{
	char buf[16];

	if (backend_is_syscall())
		return true;
	/* Without the module loaded, the kernel has mseal(2) or nothing. */
	if (read_file("/sys/kernel/mseal/enforcement", buf, sizeof(buf)))
		return kernel_has_mseal();
	return !strncmp(buf, "kernel", 6);
}

bool kernel_has_mseal(void)
{
	/*
	 * By version, not by calling it: tests count the process's own calls
	 * of system call 462 (libmseal's probe), and the module can provide
	 * 462 too.  mseal(2) is in every 64-bit kernel since 6.10.
	 */
	return !kernel_older_than(6, 10);
}

bool kernel_older_than(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma < major || (ma == major && mi < minor);
}

int mseal_dev_fd(void)
{
	if (dev_fd < 0) {
		dev_fd = open(MSEAL_DEV_PATH, O_RDWR | O_CLOEXEC);
		if (dev_fd < 0)
			return -errno;
	}
	return dev_fd;
}

void mseal_dev_close(void)
{
	if (dev_fd >= 0)
		close(dev_fd);
	dev_fd = -1;
}

int ioctl_err(int fd, unsigned long cmd, void *arg)
{
	int r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

int seal_raw(uint64_t addr, uint64_t len, uint64_t flags)
{
	struct mseal_args a = { .addr = addr, .len = len, .flags = flags };
	int fd;

	if (backend_is_syscall()) {
		long r = syscall(__NR_mseal, (unsigned long)addr,
				 (unsigned long)len, (unsigned long)flags);
		return r < 0 ? -errno : 0;
	}
	fd = mseal_dev_fd();
	if (fd < 0)
		return fd;
	return ioctl_err(fd, MSEAL_IOC_SEAL, &a);
}

int seal(void *addr, size_t len, unsigned long flags)
{
	return seal_raw((uint64_t)(uintptr_t)addr, (uint64_t)len,
			(uint64_t)flags);
}

int perms_to_prot(const char perms[5])
{
	return (perms[0] == 'r' ? PROT_READ : 0) |
	       (perms[1] == 'w' ? PROT_WRITE : 0) |
	       (perms[2] == 'x' ? PROT_EXEC : 0);
}

int page_sealed(void *p)
{
	char perms[5];
	int prot, r;

	r = perms_at(p, perms);
	if (r)
		return r;
	prot = perms_to_prot(perms);
	r = xmprotect(p, pgsz(), prot ^ PROT_EXEC);
	if (r == -EPERM)
		return 1;
	if (r)
		return r;
	r = xmprotect(p, pgsz(), prot);
	return r ? r : 0;
}

/* ---- mm syscalls --------------------------------------------------- */

int xmunmap(void *addr, size_t len)
{
	return munmap(addr, len) ? -errno : 0;
}

int xmprotect(void *addr, size_t len, int prot)
{
	return mprotect(addr, len, prot) ? -errno : 0;
}

int xpkey_mprotect(void *addr, size_t len, int prot, int pkey)
{
	return syscall(SYS_pkey_mprotect, addr, len, prot, pkey) ? -errno : 0;
}

bool have_pkey_mprotect(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return true;	/* never probed: its absence must fail the tests */
#else
	static int have = -1;

	if (have < 0) {
		size_t ps = pgsz();
		void *p = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (p == MAP_FAILED)
			return false;
		have = xpkey_mprotect(p, ps, PROT_READ, -1) != -ENOSYS;
		munmap(p, ps);
	}
	return have;
#endif
}

int pkey_want(int want)
{
	return have_pkey_mprotect() ? want : -ENOSYS;
}

/* ---- /proc/self/maps ---------------------------------------------- */

static int parse_maps_line(const char *line, struct map_line *m)
{
	char *e;
	const char *p = line;

	m->start = strtoull(p, &e, 16);
	if (*e != '-')
		return -1;
	m->end = strtoull(e + 1, &e, 16);
	if (*e != ' ' || strlen(e) < 6)
		return -1;
	memcpy(m->perms, e + 1, 4);
	m->perms[4] = 0;
	p = e + 5;
	m->offset = strtoull(p, &e, 16);
	/* dev */
	p = e;
	while (*p == ' ')
		p++;
	while (*p && *p != ' ')
		p++;
	m->inode = strtoul(p, &e, 10);
	return 0;
}

int maps_snapshot(const void *addr, size_t len, struct maps_snap *s)
{
	uint64_t lo = (uint64_t)(uintptr_t)addr, hi = lo + len;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");

	s->n = 0;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		struct map_line m;

		if (parse_maps_line(line, &m))
			continue;
		if (m.end <= lo || m.start >= hi)
			continue;
		if (s->n == MAPS_MAX) {
			fclose(f);
			return -E2BIG;
		}
		s->l[s->n++] = m;
	}
	fclose(f);
	return 0;
}

bool maps_equal(const struct maps_snap *a, const struct maps_snap *b)
{
	int i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		const struct map_line *x = &a->l[i], *y = &b->l[i];

		if (x->start != y->start || x->end != y->end ||
		    strcmp(x->perms, y->perms) || x->offset != y->offset ||
		    x->inode != y->inode)
			return false;
	}
	return true;
}

const char *maps_str(const struct maps_snap *s, char *buf, size_t bufsz)
{
	size_t used = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < s->n && used < bufsz; i++) {
		int w = snprintf(buf + used, bufsz - used, "%s%llx-%llx %s",
				 i ? " | " : "",
				 (unsigned long long)s->l[i].start,
				 (unsigned long long)s->l[i].end,
				 s->l[i].perms);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (!s->n)
		snprintf(buf, bufsz, "(nothing mapped)");
	return buf;
}

int perms_at(const void *addr, char perms[5])
{
	struct maps_snap s;
	int r = maps_snapshot(addr, 1, &s);

	if (r)
		return r;
	if (s.n != 1)
		return -ENOENT;
	memcpy(perms, s.l[0].perms, 5);
	return 0;
}

const char *perms_str(const void *addr)
{
	static char buf[4][5];
	static int slot;
	char *b = buf[slot++ % 4];

	if (perms_at(addr, b))
		strcpy(b, "none");
	return b;
}

/* ---- contents ------------------------------------------------------ */

static unsigned char pattern_byte(size_t i, unsigned int seed)
{
	uint32_t x = (uint32_t)i * 2654435761u + seed * 40503u + 0x9e37u;

	return (unsigned char)(x ^ (x >> 13) ^ (x >> 24));
}

void fill_pattern(void *addr, size_t len, unsigned int seed)
{
	unsigned char *p = addr;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pattern_byte(i, seed);
}

long check_pattern(const void *addr, size_t len, unsigned int seed)
{
	const unsigned char *p = addr;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pattern_byte(i, seed))
			return (long)i;
	return -1;
}

int region_save(struct region_state *st, void *base, size_t len)
{
	size_t ps = pgsz(), i;
	int r;

	memset(st, 0, sizeof(*st));
	st->base = base;
	st->len = len;
	r = maps_snapshot(base, len, &st->maps);
	if (r)
		return r;
	st->copy = malloc(len);
	st->valid = calloc(len / ps + 1, 1);
	if (!st->copy || !st->valid)
		return -ENOMEM;
	for (i = 0; i < len; i += ps) {
		char pr[5];

		if (perms_at((char *)base + i, pr) == 0 && pr[0] == 'r') {
			memcpy(st->copy + i, (char *)base + i,
			       len - i < ps ? len - i : ps);
			st->valid[i / ps] = 1;
		}
	}
	return 0;
}

/*
 * @s with the boundaries between VMAs that continue each other removed
 * (adjacent, same protection, same file and consecutive offsets).
 */
static void maps_join(const struct maps_snap *s, struct maps_snap *out)
{
	int i;

	out->n = 0;
	for (i = 0; i < s->n; i++) {
		struct map_line *prev = out->n ? &out->l[out->n - 1] : NULL;
		const struct map_line *l = &s->l[i];

		if (prev && prev->end == l->start &&
		    !strcmp(prev->perms, l->perms) && prev->inode == l->inode &&
		    (!l->inode ||
		     prev->offset + (prev->end - prev->start) == l->offset)) {
			prev->end = l->end;
			continue;
		}
		out->l[out->n++] = *l;
	}
}

int region_compare(const struct region_state *st, char *why, size_t whysz)
{
	struct maps_snap now, was_j, now_j;
	size_t ps = pgsz(), i;
	char b1[1024], b2[1024];
	int r = maps_snapshot(st->base, st->len, &now);
	bool same;

	if (r) {
		snprintf(why, whysz, "cannot read maps: %s", strerror(-r));
		return -1;
	}
	/*
	 * Where the kernel enforces seals itself, a refused operation may
	 * leave a split it made before it met the seal (upstream 6.11+);
	 * nothing else may change.
	 */
	if (kernel_enforces()) {
		maps_join(&st->maps, &was_j);
		maps_join(&now, &now_j);
		same = maps_equal(&was_j, &now_j);
	} else {
		same = maps_equal(&st->maps, &now);
	}
	if (!same) {
		snprintf(why, whysz, "maps changed: before [%s] after [%s]",
			 maps_str(&st->maps, b1, sizeof(b1)),
			 maps_str(&now, b2, sizeof(b2)));
		return -1;
	}
	for (i = 0; i < st->len; i += ps) {
		size_t n = st->len - i < ps ? st->len - i : ps;

		if (!st->valid[i / ps])
			continue;
		if (memcmp(st->copy + i, (char *)st->base + i, n)) {
			snprintf(why, whysz, "contents of page %zu changed",
				 i / ps);
			return -1;
		}
	}
	return 0;
}

void region_free(struct region_state *st)
{
	free(st->copy);
	free(st->valid);
	st->copy = NULL;
	st->valid = NULL;
}

/* ---- kernel log ---------------------------------------------------- */

int kmsg_open(struct kmsg_cursor *c)
{
	c->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (c->fd < 0)
		return -errno;
	if (lseek(c->fd, 0, SEEK_END) < 0) {
		int e = errno;

		close(c->fd);
		c->fd = -1;
		return -e;
	}
	return 0;
}

int kmsg_read_new(struct kmsg_cursor *c, char *buf, size_t bufsz)
{
	char rec[8192];
	size_t used = 0;
	int n = 0;

	if (bufsz)
		buf[0] = 0;
	for (;;) {
		ssize_t r = read(c->fd, rec, sizeof(rec) - 1);
		char *msg, *nl;
		size_t ml;

		if (r < 0) {
			if (errno == EAGAIN)
				break;
			if (errno == EPIPE || errno == EINTR)
				continue;	/* overwritten records */
			return -errno;
		}
		if (r == 0)
			break;
		rec[r] = 0;
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = 0;
		ml = strlen(msg);
		if (used + ml + 2 <= bufsz) {
			memcpy(buf + used, msg, ml);
			used += ml;
			buf[used++] = '\n';
			buf[used] = 0;
		}
		n++;
	}
	return n;
}

void kmsg_close(struct kmsg_cursor *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

bool log_has_splat(const char *log, char *first, size_t firstsz)
{
	static const char *const marks[] = {
		"BUG:", "WARNING:", "Oops", "general protection",
		"Call Trace:", "kernel BUG", "RIP:", "Unable to handle",
		"list_add corruption", "list_del corruption", "refcount_t:",
		"stack-protector", "UBSAN:", "KASAN:", "soft lockup",
		"hung_task", "rcu_sched detected stalls",
	};
	const char *line = log;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		size_t i;

		for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
			const char *m = memmem(line, len, marks[i],
					       strlen(marks[i]));
			if (m) {
				snprintf(first, firstsz, "%.*s", (int)len,
					 line);
				return true;
			}
		}
		line = end ? end + 1 : NULL;
	}
	return false;
}

/* ---- misc ---------------------------------------------------------- */

bool file_has_symbol(const char *path, const char *word, int column)
{
	char line[1024];
	size_t wl = strlen(word);
	bool found = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = line;
		int col;

		for (col = 0; col < column && *p; col++) {
			while (*p && *p != ' ' && *p != '\t')
				p++;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		if (!strncmp(p, word, wl) &&
		    (p[wl] == 0 || p[wl] == ' ' || p[wl] == '\t' ||
		     p[wl] == '\n'))
			found = true;
	}
	fclose(f);
	return found;
}

int run_in_child(int (*fn)(void *arg, char *msg, size_t msgsz), void *arg,
		 char *msg, size_t msgsz)
{
	int pfd[2], status;
	size_t got = 0;
	pid_t pid;

	msg[0] = 0;
	if (pipe2(pfd, O_CLOEXEC)) {
		snprintf(msg, msgsz, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(msg, msgsz, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		char buf[1024] = "";
		int rc;

		close(pfd[0]);
		rc = fn(arg, buf, sizeof(buf));
		if (write(pfd[1], buf, strlen(buf)) < 0)
			rc = rc ? rc : 254;
		_exit(rc < 0 || rc > 254 ? 254 : rc);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t r;

		if (got + 1 >= msgsz)
			break;
		r = read(pfd[0], msg + got, msgsz - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	msg[got] = 0;
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			snprintf(msg, msgsz, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFSIGNALED(status)) {
		snprintf(msg + got, msgsz - got, "%schild killed by signal %d",
			 got ? "; " : "", WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status);
}

int drop_to_nobody(void)
{
	if (setgroups(0, NULL))
		return -errno;
	if (setresgid(65534, 65534, 65534))
		return -errno;
	if (setresuid(65534, 65534, 65534))
		return -errno;
	if (geteuid() != 65534 || getegid() != 65534)
		return -EPERM;
	return 0;
}

/* ---- system mappings ---------------------------------------------- */

int find_named(pid_t pid, const char *name, uint64_t *start, uint64_t *end)
{
	char path[64], line[512];
	size_t nl = strlen(name);
	int r = -1;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/maps");
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t l = strlen(line);

		while (l && line[l - 1] == '\n')
			line[--l] = 0;
		if (l >= nl && !strcmp(line + l - nl, name) &&
		    sscanf(line, "%" SCNx64 "-%" SCNx64, start, end) == 2) {
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

/*
 * The content of a system mapping a check may compare: not [vvar], which
 * the kernel updates (clock data) and which may have pages that fault.
 */
static bool sysmap_content_stable(const char *name)
{
	return strcmp(name, "[vvar]") && strcmp(name, "[vvar_vclock]");
}

int sysmap_check_sealed(const char *name)
{
	uint64_t s, e;
	struct maps_snap before, after;
	unsigned char *copy = NULL;
	char perms[5], b1[512], b2[512];
	void *dst, *p;
	size_t len;
	int fails = 0, r;

	if (find_named(0, name, &s, &e))
		return -1;
	len = e - s;
	p = (void *)(uintptr_t)s;
	if (maps_snapshot(p, len, &before) || perms_at(p, perms))
		return 1;
	if (sysmap_content_stable(name) && perms[0] == 'r') {
		copy = malloc(len);
		if (!copy)
			return 1;
		memcpy(copy, p, len);
	}
	dst = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dst == MAP_FAILED) {
		free(copy);
		return 1;
	}

#define SYSMAP_EXPECT_EPERM(what, call) do {				\
	r = (call);							\
	if (r != -EPERM) {						\
		printf("# %s %s: %s, want EPERM\n", what, name,		\
		       r ? strerror(-r) : "succeeded");			\
		fails++;						\
	}								\
} while (0)
	SYSMAP_EXPECT_EPERM("munmap", xmunmap(p, len));
	SYSMAP_EXPECT_EPERM("mprotect to its own protection",
			    xmprotect(p, len, perms_to_prot(perms)));
	SYSMAP_EXPECT_EPERM("mremap elsewhere",
			    mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
				   dst) == MAP_FAILED ? -errno : 0);
	SYSMAP_EXPECT_EPERM("mmap over",
			    mmap(p, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
				 0) == MAP_FAILED ? -errno : 0);
#undef SYSMAP_EXPECT_EPERM

	if (maps_snapshot(p, len, &after) || !maps_equal(&before, &after)) {
		printf("# %s: maps changed: before [%s] after [%s]\n", name,
		       maps_str(&before, b1, sizeof(b1)),
		       maps_str(&after, b2, sizeof(b2)));
		fails++;
	} else if (copy && memcmp(copy, p, len)) {
		printf("# %s: contents changed\n", name);
		fails++;
	}
	munmap(dst, len);
	free(copy);
	return fails;
}

/* ---- small files (sysfs, procfs) ------------------------------------ */

int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		r = -errno;
	close(fd);
	return r;
}

int read_file(const char *path, char *buf, size_t sz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sz - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

long read_long(const char *path)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)) || !buf[0])
		return -1;
	if (buf[0] == 'Y')
		return 1;
	if (buf[0] == 'N')
		return 0;
	return strtol(buf, NULL, 0);
}

/* ---- threads --------------------------------------------------------- */

void first_failure_set(struct first_failure *f, const char *fmt, ...)
{
	int zero = 0;
	va_list ap;

	if (atomic_compare_exchange_strong(&f->hit, &zero, 1)) {
		va_start(ap, fmt);
		vsnprintf(f->why, sizeof(f->why), fmt, ap);
		va_end(ap);
	}
}
