// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_stress - differential stress of memory sealing (issue 11).
 *
 * A seeded generator of random operation sequences over a window of pages
 * at a fixed address (reserved with MAP_FIXED_NOREPLACE, so that layouts
 * are comparable between kernels): mmap (fixed and hinted, private and
 * shared anonymous, memfd), munmap, mprotect, pkey_mprotect, mremap in
 * every flavour, madvise with every advice, brk, shmat/shmdt, mseal
 * (system call 462: native, or the module's emulation), writes, fork, and
 * threads working on disjoint halves (deterministic) or racing mseal
 * against munmap (only the linearizability of the outcome is recorded).
 * Every op's result and errno, and at checkpoints a digest of the window's
 * /proc/self/maps lines (relative to the window) and of its readable
 * contents, are hashed into the seed's trace digest.  The oracle is the
 * same seed on a kernel with native mseal; tests/stress/compare.sh
 * compares the digests.
 *
 *   mseal_stress [-s FIRST] [-n SEEDS] [-o OPS] [-t SECONDS] [-T SEED]
 *
 * prints "1..1", one "# STRESS seed=S ops=N digest=H chunks=C,C,..." line
 * per seed (each seed runs in a child process of its own), and "ok 1".
 * -T SEED prints the full trace of one seed instead (one line per op).
 * -t SECONDS runs seeds from FIRST on until the time is up.
 *
 * Cases left out on purpose, because they differ between kernel versions
 * or between upstream and the contract, not because of sealing:
 *  - mprotect/madvise over a range where a sealed page comes after other
 *    pages: upstream 6.12 changes the VMAs before the seal, the contract
 *    (SPEC 3.8) changes nothing.  Such ranges are cut to start at the
 *    first sealed page and to one page.
 *  - private /dev/zero mappings: 6.12 lets MADV_DONTNEED discard them when
 *    sealed read-only (FIELD-NOTES: it decides anonymity by vm_file).
 *  - pkey_mprotect on arm64: 6.1 has no pkeys there (ENOSYS), 6.12 has.
 *  - Where VMA boundaries inside equal memory lie: 6.1 keeps apart some
 *    adjacent equal VMAs (anonymous ones with distinct anon_vmas) that 6.12
 *    merges.  The maps digest joins adjacent equal lines unless a seal
 *    boundary lies between them, and an mremap that expands or moves its
 *    source (which must lie in one VMA) moves one page.
 *  - Which check comes first for a sealed mremap source whose arguments
 *    are also invalid (6.12: the seal); and which of EINVAL, EFAULT and
 *    ENOMEM MADV_POPULATE_* returns over a hole and a page it cannot
 *    populate: one refusal each.
 *  - MADV_HWPOISON, MADV_SOFT_OFFLINE (destroy pages of the machine),
 *    MADV_COLLAPSE (depends on free huge pages), MADV_MERGEABLE (KSM scan
 *    timing), MADV_GUARD_* (6.13+).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_PAGEOUT
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#endif

#define NR_MSEAL	462
#define WPAGES		64		/* the window */
#define MARGIN		8		/* pages either side, also digested */
#define HEAPPAGES	16
#define BASE		0x300000000000UL
#define CHUNKS		8

static size_t ps;
static uintptr_t wbase;			/* first page of the window */
static uintptr_t brk0;			/* page-aligned start of our brk area */
static int memfd = -1;
static int trace;			/* -T: print each op */

/* ---- malloc: a bump allocator, so that nothing but the ops moves brk ---- */
static char heap_pool[8 << 20] __attribute__((aligned(64)));
static atomic_size_t heap_used;

void *malloc(size_t n)
{
	size_t off = atomic_fetch_add(&heap_used, (n + 63) & ~(size_t)63);

	if (off + n > sizeof(heap_pool)) {
		errno = ENOMEM;
		return NULL;
	}
	return heap_pool + off;
}

void free(void *p)
{
	(void)p;
}

void *calloc(size_t a, size_t b)
{
	return malloc(a * b);	/* the pool is zero and never reused */
}

void *realloc(void *p, size_t n)
{
	void *q = malloc(n);

	if (q && p)
		memcpy(q, p, n);	/* may read past the old block: in the pool */
	return q;
}

void *memalign(size_t al, size_t n)
{
	char *p = malloc(n + al);

	return p ? (void *)(((uintptr_t)p + al - 1) & ~(uintptr_t)(al - 1)) : NULL;
}

void *aligned_alloc(size_t al, size_t n)
{
	return memalign(al, n);
}

int posix_memalign(void **r, size_t al, size_t n)
{
	*r = memalign(al, n);
	return *r ? 0 : ENOMEM;
}

void *valloc(size_t n)
{
	return memalign(4096, n);
}

void *pvalloc(size_t n)
{
	return memalign(4096, n);
}

size_t malloc_usable_size(void *p)
{
	(void)p;
	return 0;
}

/* ---- hashing and the random generator ---- */
struct ctx {
	uint64_t rng, hash, ops;
	long lo, hi;			/* page range of the window it may use */
	char *tbuf;			/* -T in a thread: the trace, printed at join */
	size_t tlen, tcap;
	char line[256];
};

/*
 * The model of what is sealed, per page: of the window and its margins
 * (page i at sealed_pg[i + MARGIN]) and of the heap (heap_pg[i] for brk0 +
 * i pages), set where mseal succeeded.  Nothing sealed can be unmapped, so
 * the model stays exact; it is shared by the threads (disjoint halves).
 */
static unsigned char sealed_pg[WPAGES + 2 * MARGIN];
static unsigned char heap_pg[HEAPPAGES * 4];

static int page_sealed(long i)
{
	return i >= -MARGIN && i < WPAGES + MARGIN && sealed_pg[i + MARGIN];
}

static uint64_t rnd(struct ctx *c)
{
	uint64_t z = (c->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static long rn(struct ctx *c, long n)
{
	return (long)(rnd(c) % (uint64_t)n);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static void rec(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void rec(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->line, sizeof(c->line), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n >= (int)sizeof(c->line))
		n = sizeof(c->line) - 1;
	c->hash = fnv(c->hash, c->line, n);
	if (trace) {
		c->line[n] = '\n';
		if (c->tbuf) {
			if (c->tlen + n + 1 <= c->tcap) {
				memcpy(c->tbuf + c->tlen, c->line, n + 1);
				c->tlen += n + 1;
			}
		} else if (write(1, c->line, n + 1) < 0) {
			_exit(3);
		}
	}
}

/* result of a syscall: "0" or "-ERRNO" */
static long res(long r)
{
	return r == -1 ? -errno : r;
}

static uintptr_t pga(long i)
{
	return wbase + i * ps;
}

/* relative page number of an address for the trace; out of the digest range: "out" */
static long rel(uintptr_t a)
{
	if (a >= wbase - MARGIN * ps && a < wbase + (WPAGES + MARGIN) * ps)
		return (long)((a - wbase) / ps);
	return -100000;
}

/* ---- digests ---- */
struct maps_ent {
	long s, e;		/* pages, relative to ref */
	unsigned long off;
	uintptr_t ref;
	char perms[5];
	char name[64];
};

/* sealed per the model: page @i relative to @ref */
static int ent_sealed(uintptr_t ref, long i)
{
	if (ref == wbase)
		return page_sealed(i);
	return i >= 0 && i < HEAPPAGES * 4 && heap_pg[i];
}

/*
 * Two adjacent lines that differ only in where a VMA boundary lies, with
 * no seal boundary between them: the kernels merge VMAs differently (6.1
 * does not merge anonymous VMAs with distinct anon_vmas, 6.12 often does),
 * whatever sealing does, so such lines are digested as one.  A boundary
 * between sealed and unsealed memory stays: both kernels must split there.
 */
static int ent_joins(const struct maps_ent *a, const struct maps_ent *b)
{
	int file = a->name[0] == '/' || !strncmp(a->name, "SYSV", 4);

	return a->ref == b->ref && a->e == b->s && !strcmp(a->perms, b->perms) &&
	       !strcmp(a->name, b->name) &&
	       (!file || a->off + (a->e - a->s) * ps == b->off) &&
	       ent_sealed(a->ref, a->e - 1) == ent_sealed(b->ref, b->s);
}

static uint64_t maps_digest(uint64_t h, int contents)
{
	static __thread char buf[1 << 16];
	static __thread struct maps_ent ent[256];
	uintptr_t lo = wbase - MARGIN * ps, hi = wbase + (WPAGES + MARGIN) * ps;
	uintptr_t hlo = brk0, hhi = brk0 + HEAPPAGES * 4 * ps;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	int mem = contents ? open("/proc/self/mem", O_RDONLY | O_CLOEXEC) : -1;
	size_t len = 0;
	ssize_t n;
	char *l, *nl;
	int ne = 0, i;

	if (fd < 0)
		return h ^ 1;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	for (l = buf; *l && ne < (int)(sizeof(ent) / sizeof(ent[0])); l = nl + 1) {
		unsigned long s, e, off;
		char perms[5], name[128] = "";
		struct maps_ent *m;
		uintptr_t ref;

		nl = strchr(l, '\n');
		if (!nl)
			break;
		*nl = 0;
		if (sscanf(l, "%lx-%lx %4s %lx %*s %*s %127[^\n]", &s, &e, perms, &off, name) < 4)
			continue;
		if (e > lo && s < hi)
			ref = wbase;
		else if (e > hlo && s < hhi)
			ref = brk0;
		else
			continue;
		if (ref == brk0) {
			/*
			 * Only what lies above the (randomized) start of the
			 * break: the heap may be merged with .bss, and the
			 * program's own mappings below it are named by its path.
			 */
			if (e <= brk0)
				continue;
			if (s < brk0) {
				off += brk0 - s;
				s = brk0;
			}
			if (strcmp(name, "[heap]"))
				name[0] = 0;
		} else if (s < lo) {
			off += lo - s;
			s = lo;
		}
		if (e > hi && ref == wbase)
			e = hi;
		if (!strncmp(name, "/SYSV", 5))
			strcpy(name, "SYSV");
		if (name[0] != '/' && strncmp(name, "SYSV", 4))
			off = 0;
		m = &ent[ne];
		m->s = (long)(s - ref) / (long)ps;
		m->e = (long)(e - ref) / (long)ps;
		m->off = off;
		m->ref = ref;
		snprintf(m->perms, sizeof(m->perms), "%s", perms);
		snprintf(m->name, sizeof(m->name), "%s", name);
		if (ne && ent_joins(&ent[ne - 1], m))
			ent[ne - 1].e = m->e;
		else
			ne++;
	}
	for (i = 0; i < ne; i++) {
		struct maps_ent *m = &ent[i];
		char norm[200];
		int k;

		k = snprintf(norm, sizeof(norm), "%ld %ld %s %lx %s", m->s, m->e,
			     m->perms, m->off, m->name);
		h = fnv(h, norm, k > 0 ? (size_t)k : 0);
		if (trace)
			dprintf(1, "  map %s\n", norm);
		if (contents && m->perms[0] == 'r' && m->ref == wbase) {
			static __thread unsigned char pgbuf[65536];
			uintptr_t a;
			ssize_t r;

			/* not by loads: a page past the end of a shm object is SIGBUS */
			for (a = wbase + m->s * ps; a < wbase + m->e * ps; a += ps) {
				r = pread(mem, pgbuf, ps, a);
				h = fnv(h, &r, sizeof(r));
				if (r > 0)
					h = fnv(h, pgbuf, r);
			}
		}
	}
	if (mem >= 0)
		close(mem);
	return h;
}

static void checkpoint(struct ctx *c)
{
	uint64_t d = maps_digest(0xcbf29ce484222325ULL, 1);

	rec(c, "checkpoint %016llx", (unsigned long long)d);
}

/* ---- the operations ---- */
static const int advices[] = {
	MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED,
	MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_HUGEPAGE,
	MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK,
	MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ,
	MADV_POPULATE_WRITE, MADV_DONTNEED_LOCKED, MADV_UNMERGEABLE, 9999,
};

static const int prots[] = {
	PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC,
	PROT_READ | PROT_WRITE | PROT_EXEC, PROT_WRITE,
};

/* a start page and a length in pages inside the context's range */
static void pick(struct ctx *c, long *p, long *n)
{
	*p = c->lo + rn(c, c->hi - c->lo);
	*n = 1 + rn(c, 6);
	if (*p + *n > c->hi + (c->hi == WPAGES ? MARGIN : 0))
		*n = c->hi - *p > 0 ? c->hi - *p : 1;
}

/* SPEC 3.8 vs upstream: cut [p, p+n) to its first sealed page, if any */
static void cut_to_seal(struct ctx *c, long *p, long *n)
{
	long i;

	(void)c;
	for (i = *p; i < *p + *n; i++) {
		if (page_sealed(i)) {
			*p = i;
			*n = 1;
			return;
		}
	}
}

static void seal_model(struct ctx *c, long p, long n)
{
	long i;

	(void)c;
	for (i = p; i < p + n; i++)
		if (i >= -MARGIN && i < WPAGES + MARGIN)
			sealed_pg[i + MARGIN] = 1;
}

static void op_mmap(struct ctx *c)
{
	long p, n;
	int kind = rn(c, 4), prot = prots[rn(c, 5)], fixed = rn(c, 3);
	int flags, fd = -1;
	long off = 0, r;
	void *m;

	pick(c, &p, &n);
	flags = kind == 0 ? MAP_PRIVATE | MAP_ANONYMOUS :
		kind == 1 ? MAP_SHARED | MAP_ANONYMOUS : kind == 2 ? MAP_SHARED : MAP_PRIVATE;
	if (kind >= 2) {
		fd = memfd;
		off = rn(c, WPAGES) * ps;
	}
	flags |= fixed == 0 ? MAP_FIXED : fixed == 1 ? MAP_FIXED_NOREPLACE : 0;
	m = mmap((void *)pga(p), n * ps, prot, flags, fd, off);
	r = m == MAP_FAILED ? -errno : 0;
	rec(c, "mmap %ld %ld k%d p%d f%d = %ld @%ld", p, n, kind, prot, fixed, r,
	    r ? 0 : rel((uintptr_t)m));
	if (!r && rel((uintptr_t)m) == -100000)
		munmap(m, n * ps);
}

static void op_munmap(struct ctx *c)
{
	long p, n;

	pick(c, &p, &n);
	rec(c, "munmap %ld %ld = %ld", p, n, res(munmap((void *)pga(p), n * ps)));
}

static void op_mprotect(struct ctx *c, int pkey)
{
	long p, n, r;
	int prot = prots[rn(c, 6)];

	pick(c, &p, &n);
	cut_to_seal(c, &p, &n);
#if defined(__x86_64__) || defined(__i386__)
	if (pkey)
		r = res(syscall(SYS_pkey_mprotect, pga(p), n * ps, prot, rn(c, 2) - 1));
	else
#endif
		r = res(mprotect((void *)pga(p), n * ps, prot));
	rec(c, "mprotect%d %ld %ld p%d = %ld", pkey, p, n, prot, r);
}

static void op_madvise(struct ctx *c)
{
	long p, n, r;
	int a = advices[rn(c, sizeof(advices) / sizeof(advices[0]))];

	pick(c, &p, &n);
	cut_to_seal(c, &p, &n);
	r = res(madvise((void *)pga(p), n * ps, a));
	/*
	 * MADV_POPULATE_* over a range with a hole and a page it cannot
	 * populate (PROT_NONE, not writable): 6.1 and 6.12 check them in
	 * another order, so EINVAL, EFAULT or ENOMEM; it changes no contents,
	 * seals play no part: one failure.
	 */
	if ((a == MADV_POPULATE_READ || a == MADV_POPULATE_WRITE) &&
	    (r == -EINVAL || r == -EFAULT))
		r = -ENOMEM;
	rec(c, "madvise %ld %ld a%d = %ld", p, n, a, r);
	/*
	 * After MADV_FREE the contents are the old ones or zeroes, as memory
	 * pressure decides: make them zeroes (allowed wherever MADV_FREE was).
	 */
	if (a == MADV_FREE && !r)
		rec(c, "madvise-after-free = %ld",
		    res(madvise((void *)pga(p), n * ps, MADV_DONTNEED)));
}

static void op_mseal(struct ctx *c)
{
	long p, n, r;
	unsigned long fl = rn(c, 50) ? 0 : 1;
	unsigned long a;

	pick(c, &p, &n);
	a = pga(p) + (rn(c, 40) ? 0 : 8);
	r = res(syscall(NR_MSEAL, a, n * ps - (rn(c, 4) ? 0 : 100), fl));
	if (!r)
		seal_model(c, p, n);
	rec(c, "mseal %ld %ld %lx %lu = %ld", p, n, a & 0xfff, fl, r);
}

static void op_write(struct ctx *c)
{
	static __thread int memfd_self = -1;
	unsigned char buf[64];
	long p = c->lo + rn(c, c->hi - c->lo), r;
	unsigned int i, v = (unsigned int)rnd(c);

	if (memfd_self < 0)
		memfd_self = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(v + i * 7);
	r = pwrite(memfd_self, buf, sizeof(buf), pga(p) + (v % (ps / 64)) * 64);
	rec(c, "write %ld = %ld", p, r < 0 ? -errno : r);
}

static void op_mremap(struct ctx *c)
{
	long p, n, q, m, r;
	int kind = rn(c, 8);
	void *x = MAP_FAILED;
	const char *name[] = { "shrink", "expand", "expandmove", "same", "fixed",
			       "dontunmap", "zero", "move0" };

	pick(c, &p, &n);
	/*
	 * A source whose first page is not sealed but a later one is: 6.12
	 * checks only the VMA at the address (so EFAULT, or success for a
	 * no-op or a shrink that keeps the sealed part), the contract refuses
	 * a source with any sealed byte (SPEC 3.3): start it at the seal.
	 */
	cut_to_seal(c, &p, &n);
	pick(c, &q, &m);
	if (c->hi - c->lo < WPAGES && p + n + m > c->hi)
		m = 1;	/* a thread's half: never grow into the gap */
	if (c->hi - c->lo < WPAGES && p + n + m > c->hi)
		kind = 0;
	if (c->hi - c->lo < WPAGES && kind == 7)
		kind = 3;	/* address 0 is one place for both threads */
	/*
	 * Expanding or moving a source needs it inside one VMA (else EFAULT),
	 * and where adjacent equal VMAs are merged differs between kernels
	 * (6.1 keeps apart anonymous VMAs that 6.12 merges), whatever seals
	 * do: those sources are one page, which is one VMA, or a hole, on
	 * every kernel.  (Expanding one page in place needs the next one
	 * free, on every kernel the end of its VMA.)
	 */
	if (kind == 1 || kind == 2 || kind == 4 || kind == 5 || kind == 7)
		n = 1;
	switch (kind) {
	case 0:
		m = n > 1 ? n - 1 : 1;
		x = mremap((void *)pga(p), n * ps, m * ps, 0);
		break;
	case 1:
		x = mremap((void *)pga(p), n * ps, (n + m) * ps, 0);
		break;
	case 2:
		x = mremap((void *)pga(p), n * ps, (n + m) * ps, MREMAP_MAYMOVE);
		break;
	case 3:
		x = mremap((void *)pga(p), n * ps, n * ps, rn(c, 2) ? MREMAP_MAYMOVE : 0);
		break;
	case 4:
		x = mremap((void *)pga(p), n * ps, m * ps, MREMAP_MAYMOVE | MREMAP_FIXED,
			   (void *)pga(q));
		break;
	case 5:
		x = mremap((void *)pga(p), n * ps, n * ps, MREMAP_MAYMOVE | MREMAP_DONTUNMAP |
			   (rn(c, 2) ? MREMAP_FIXED : 0), (void *)pga(q));
		break;
	case 6: /* old_len 0: an alias of a shared mapping */
		x = mremap((void *)pga(p), 0, m * ps, MREMAP_MAYMOVE | MREMAP_FIXED,
			   (void *)pga(q));
		break;
	case 7: /* move to address 0 is refused for an unprivileged... or not */
		x = mremap((void *)pga(p), n * ps, n * ps, MREMAP_MAYMOVE | MREMAP_FIXED,
			   (void *)0);
		break;
	}
	r = x == MAP_FAILED ? -errno : 0;
	/*
	 * A sealed source with arguments that are invalid as well (a move
	 * onto itself, old_len 0 of private memory): 6.12 checks the seal
	 * first (EPERM), 6.10, 7.x and the module the arguments (EINVAL).
	 * Either is a refusal; what it left is compared at the checkpoints.
	 */
	if (r == -EINVAL && page_sealed(p))
		r = -EPERM;
	rec(c, "mremap-%s %ld %ld %ld %ld = %ld @%ld", name[kind], p, n, q, m, r,
	    r ? 0 : rel((uintptr_t)x));
	if (!r && rel((uintptr_t)x) == -100000)
		munmap(x, (kind == 2 ? n + m : n) * ps + (kind == 3 ? 0 : 0));
}

static void op_brk(struct ctx *c)
{
	uintptr_t cur = (uintptr_t)sbrk(0), want;
	long d = rn(c, HEAPPAGES);

	if (rn(c, 3) == 0) {	/* seal part of the heap */
		long a = rn(c, HEAPPAGES), n = 1 + rn(c, 3);

		long r = res(syscall(NR_MSEAL, brk0 + a * ps, n * ps, 0));

		if (!r)
			memset(heap_pg + a, 1, n);
		rec(c, "brkseal %ld %ld = %ld", a, n, r);
		return;
	}
	want = brk0 + d * ps;
	syscall(SYS_brk, want);
	rec(c, "brk %ld (was %ld) -> %ld", d, (long)(cur - brk0) / (long)ps,
	    (long)((uintptr_t)sbrk(0) - brk0) / (long)ps);
}

static void op_shm(struct ctx *c)
{
	long p, n, r;
	int id, remap = rn(c, 2);
	void *m;

	pick(c, &p, &n);
	if (rn(c, 2)) {
		rec(c, "shmdt %ld = %ld", p, res(shmdt((void *)pga(p))));
		return;
	}
	id = shmget(IPC_PRIVATE, n * ps, IPC_CREAT | 0600);
	if (id < 0) {
		rec(c, "shmget = %d", -errno);
		return;
	}
	m = shmat(id, (void *)pga(p), remap ? SHM_REMAP : 0);
	r = m == (void *)-1 ? -errno : 0;
	shmctl(id, IPC_RMID, NULL);
	rec(c, "shmat %ld %ld r%d = %ld", p, n, remap, r);
}

/* the child inherits the seals: it tries to take the window apart */
static void op_fork(struct ctx *c)
{
	int fd[2], st;
	uint64_t d[2] = { 0, 0 };
	pid_t pid;

	if (pipe(fd))
		return;
	pid = fork();
	if (pid == 0) {
		long r;

		d[0] = maps_digest(1, 1);
		r = res(munmap((void *)pga(0), WPAGES * ps));
		d[1] = maps_digest((uint64_t)r, 0);
		if (write(fd[1], d, sizeof(d)) < 0)
			_exit(2);
		_exit(0);
	}
	close(fd[1]);
	if (pid < 0 || read(fd[0], d, sizeof(d)) != sizeof(d))
		d[0] = d[1] = 0;
	close(fd[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	rec(c, "fork %016llx %016llx", (unsigned long long)d[0], (unsigned long long)d[1]);
}

static void run_ops(struct ctx *c, long nops);

struct half {
	struct ctx c;
	long nops;
};

static void *half_main(void *arg)
{
	struct half *h = arg;

	run_ops(&h->c, h->nops);
	return NULL;
}

/*
 * Two threads, each on its own half of the window with a gap between
 * them (so that nothing they do can merge across): the result does not
 * depend on the interleaving.
 */
static void op_threads(struct ctx *c)
{
	static struct half h[2];
	pthread_t t[2];
	int i;

	for (i = 0; i < 2; i++) {
		h[i].c = *c;
		h[i].c.rng = rnd(c);
		h[i].c.hash = 0;
		h[i].c.ops = 0;
		h[i].c.lo = i ? WPAGES / 2 + 2 : 0;
		h[i].c.hi = i ? WPAGES : WPAGES / 2 - 2;
		h[i].nops = 8 + rn(c, 16);
		/* -T: each thread's lines together, in thread order */
		h[i].c.tcap = trace ? 1 << 16 : 0;
		h[i].c.tbuf = trace ? malloc(h[i].c.tcap) : NULL;
		h[i].c.tlen = 0;
	}
	/* the gap must be a hole, and nothing may sit across it */
	rec(c, "gap %ld", res(munmap((void *)pga(WPAGES / 2 - 2), 4 * ps)));
	if (page_sealed(WPAGES / 2 - 2) || page_sealed(WPAGES / 2 + 1) ||
	    page_sealed(WPAGES / 2 - 1) || page_sealed(WPAGES / 2))
		return;
	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, half_main, &h[i]))
			return;
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 2; i++)
		if (h[i].c.tbuf && write(1, h[i].c.tbuf, h[i].c.tlen) < 0)
			_exit(3);
	rec(c, "threads %016llx %016llx", (unsigned long long)h[0].c.hash,
	    (unsigned long long)h[1].c.hash);
	c->ops += h[0].c.ops + h[1].c.ops;
}

/* mseal racing munmap on a fresh mapping: either order, nothing else */
struct race {
	void *p;
	atomic_int go;
	long r;
};

static void *race_seal(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->go))
		;
	r->r = res(syscall(NR_MSEAL, (unsigned long)r->p, 2 * ps, 0));
	return NULL;
}

static void op_race(struct ctx *c)
{
	struct race r = { 0 };
	pthread_t t;
	long u, ok;

	r.p = mmap(NULL, 2 * ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r.p == MAP_FAILED || pthread_create(&t, NULL, race_seal, &r))
		return;
	atomic_store(&r.go, 1);
	u = res(munmap(r.p, 2 * ps));
	pthread_join(t, NULL);
	/* linearizable: seal first (munmap EPERM) or unmap first (ENOMEM) */
	ok = (r.r == 0 && u == -EPERM) || (u == 0 && r.r == -ENOMEM);
	rec(c, "race %ld", ok ? 1L : (r.r * 1000 + u));
}

static void run_ops(struct ctx *c, long nops)
{
	long i;

	for (i = 0; i < nops; i++) {
		long k = rn(c, 100);

		c->ops++;
		if (k < 14)
			op_mmap(c);
		else if (k < 22)
			op_munmap(c);
		else if (k < 32)
			op_mprotect(c, 0);
#if defined(__x86_64__) || defined(__i386__)
		else if (k < 36)
			op_mprotect(c, 1);
#endif
		else if (k < 50)
			op_mremap(c);
		else if (k < 62)
			op_madvise(c);
		else if (k < 74)
			op_mseal(c);
		else if (k < 86)
			op_write(c);
		else if (k < 90 && c->hi - c->lo == WPAGES)
			op_brk(c);	/* brk is the process's: not in a thread */
		else if (k < 95)
			op_shm(c);
		else if (c->lo == 0 && c->hi == WPAGES && k < 96)
			op_fork(c);
		else if (c->lo == 0 && c->hi == WPAGES && k < 97)
			op_threads(c);
		else if (c->lo == 0 && c->hi == WPAGES && k < 98)
			op_race(c);
		else
			op_write(c);
	}
}

/* one seed, in the calling (fresh) process */
static int one_seed(uint64_t seed, long nops, char *out, size_t outsz)
{
	struct ctx c = { .rng = seed * 0x2545f4914f6cdd1dULL + 1, .hash = 0xcbf29ce484222325ULL,
			 .lo = 0, .hi = WPAGES };
	uint64_t chunks[CHUNKS];
	long per = nops / CHUNKS, k;
	void *w;
	size_t o;

	/* a file of the seed's own: what one seed writes, the next never reads */
	memfd = memfd_create("stress", 0);
	if (memfd < 0 || ftruncate(memfd, 4 * WPAGES * ps))
		return -errno;
	w = mmap((void *)(BASE - MARGIN * ps), (WPAGES + 2 * MARGIN) * ps, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (w == MAP_FAILED)
		return -errno;
	munmap(w, (WPAGES + 2 * MARGIN) * ps);	/* margins and window: holes */
	wbase = BASE;
	/* start: a few regions, sealed and not */
	for (k = 0; k < 4; k++) {
		long p = k * 16, n = 4 + rn(&c, 8);

		mmap((void *)pga(p), n * ps, k == 3 ? PROT_READ : PROT_READ | PROT_WRITE,
		     (k == 2 ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (k & 1) {
			if (!syscall(NR_MSEAL, pga(p + 1), 2 * ps, 0))
				seal_model(&c, p + 1, 2);
		}
	}
	for (k = 0; k < CHUNKS; k++) {
		run_ops(&c, per);
		checkpoint(&c);
		chunks[k] = c.hash;
	}
	o = snprintf(out, outsz, "seed=%llu ops=%ld len=%ld digest=%016llx chunks=",
		     (unsigned long long)seed, (long)c.ops, nops, (unsigned long long)c.hash);
	for (k = 0; k < CHUNKS && o < outsz; k++)
		o += snprintf(out + o, outsz - o, "%s%08x", k ? "," : "",
			      (unsigned int)(chunks[k] >> 32));
	return 0;
}

static int run_seed(uint64_t seed, long nops, long *ops)
{
	static char line[512];
	int fd[2], st;
	pid_t pid;
	ssize_t n;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid == 0) {
		int r;

		close(fd[0]);
		r = one_seed(seed, nops, line, sizeof(line));
		if (r)
			snprintf(line, sizeof(line), "seed=%llu setup failed: %s",
				 (unsigned long long)seed, strerror(-r));
		if (write(fd[1], line, strlen(line)) < 0)
			_exit(2);
		_exit(0);
	}
	close(fd[1]);
	n = pid < 0 ? -1 : read(fd[0], line, sizeof(line) - 1);
	close(fd[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	if (n <= 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("# STRESS seed=%llu died (status %#x)\n", (unsigned long long)seed, st);
		return -1;
	}
	line[n] = 0;
	printf("# STRESS %s\n", line);
	fflush(stdout);
	{
		char *o = strstr(line, " ops=");

		*ops += o ? atol(o + 5) : 0;
	}
	return 0;
}

/* On a kernel without mseal(2) the module provides 462 while "syscall" is 1. */
#define PARAM "/sys/module/mseal/parameters/syscall"
static int param_set(const char *v)
{
	int fd = open(PARAM, O_WRONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = write(fd, v, 1) == 1 ? 0 : -errno;
	close(fd);
	return r;
}

static int native_mseal(void)
{
	/* len 0 is success where mseal exists, ENOSYS where it does not */
	return syscall(NR_MSEAL, 0UL, 0UL, 0UL) == 0;
}

int main(int argc, char **argv)
{
	uint64_t first = 1, tseed = 0;
	long nseeds = 240, nops = 4000, secs = 0, ops = 0, i, bad = 0;
	int opt, param = 0;
	time_t t0 = time(NULL);

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "s:n:o:t:T:")) != -1) {
		switch (opt) {
		case 's': first = strtoull(optarg, NULL, 0); break;
		case 'n': nseeds = atol(optarg); break;
		case 'o': nops = atol(optarg); break;
		case 't': secs = atol(optarg); break;
		case 'T': tseed = strtoull(optarg, NULL, 0); trace = 1; break;
		default:
			fprintf(stderr, "usage: %s [-s FIRST] [-n SEEDS] [-o OPS] [-t SECONDS] [-T SEED]\n",
				argv[0]);
			return 2;
		}
	}
	ps = sysconf(_SC_PAGESIZE);
	nops -= nops % CHUNKS;
	brk0 = ((uintptr_t)sbrk(0) + ps - 1) & ~(ps - 1);
	if (syscall(SYS_brk, brk0) != (long)brk0)
		return 1;
	printf("1..1\n");
	if (!native_mseal()) {
		param = param_set("1") == 0;
		if (!native_mseal()) {
			printf("not ok 1 stress # no system call 462 (native or module)\n");
			return 1;
		}
	}
	printf("# kernel mseal: %s\n", param ? "module (syscall=1)" : "native");
	if (trace) {
		static char line[512];
		int r = one_seed(tseed, nops, line, sizeof(line));

		printf("# TRACE %s\n", r ? "setup failed" : line);
		printf("%sok 1 trace of seed %llu\n", r ? "not " : "", (unsigned long long)tseed);
		return r ? 1 : 0;
	}
	for (i = 0; secs ? time(NULL) - t0 < secs : i < nseeds; i++)
		bad += run_seed(first + i, nops, &ops) != 0;
	if (param)
		param_set("0");
	printf("# STRESS-TOTAL seeds=%ld ops=%ld died=%ld secs=%ld\n", i, ops, bad,
	       (long)(time(NULL) - t0));
	printf("%sok 1 stress: %ld seeds, %ld ops\n", bad ? "not " : "", i, ops);
	return bad ? 1 : 0;
}
