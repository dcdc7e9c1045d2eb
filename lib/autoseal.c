// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * autoseal.c - libmseal-autoseal.so, an LD_AUDIT module (rtld-audit(7))
 * that seals the loaded program itself at start-up, as OpenBSD's loader
 * does: once relocation is done, the code, read-only data, RELRO and the
 * holes between the segments of the main program, its dependencies, the
 * LD_PRELOAD objects and ld.so can never again be unmapped, remapped or
 * re-protected.  See libmseal-autoseal(8).
 *
 * What is sealed, per object of the start-up link map: the span from its
 * first to its last PT_LOAD page, minus the pages of its writable
 * segments, plus its PT_GNU_RELRO pages (which ld.so has made read-only
 * by then).  Usually that is one contiguous range, sealed in one call.
 * Never sealed: the vDSO, writable pages (data, .bss, heap, stack), and
 * any object loaded later with dlopen() (dlclose() must be able to unmap
 * it), nor this module itself (ld.so loads it into a namespace of its own).
 *
 * When: at the first LA_ACT_CONSISTENT of the base namespace, after every
 * start-up object is relocated and its RELRO applied, before any
 * constructor runs; with MSEAL_AUTOSEAL=late, in la_preinit(), after the
 * constructors, just before main().
 *
 * How: the kernel's own mseal(2) where it works for this process, else
 * the mseal module's /dev/mseal (MSEAL_IOC_SEAL), else nothing at all
 * (la_version() returns 0 and ld.so silently drops the module).
 *
 * Opt-out and exemptions, read from the environment the process was
 * exec'd with: MSEAL_AUTOSEAL=0 (or off, no), GLIBC_TUNABLES containing
 * glibc.rtld.seal=0, MSEAL_AUTOSEAL_EXEMPT=NAME[:NAME...] (an object's
 * path or file name; the main program by its path, file name or "main").
 * MSEAL_AUTOSEAL_DEBUG=1 writes one line per sealed range to stderr.
 *
 * Freestanding on purpose: an audit module that links the C library gets
 * a second copy of it in its namespace.  This one uses raw system calls
 * and what rtld-audit hands it, nothing else.  The environment and the
 * auxiliary vector are found from the initial stack, whose address is
 * field 28 (startstack) of /proc/self/stat: without /proc, nothing is
 * sealed.
 */
#define _GNU_SOURCE	/* the rtld-audit part of <link.h> */
#include <stddef.h>
#include <stdint.h>
#include <elf.h>
#include <link.h>
#include <asm/unistd.h>
#include <linux/fcntl.h>
#include <linux/ioctl.h>

#include <linux/mseal_dev.h>

#ifndef __NR_mseal
#define __NR_mseal 462
#endif

#define EXPORT __attribute__((visibility("default")))

#define E_NOMEM		12

#if UINTPTR_MAX > 0xffffffffUL
typedef Elf64_Ehdr Ehdr;
typedef Elf64_Phdr Phdr;
typedef Elf64_auxv_t Auxv;
#else
typedef Elf32_Ehdr Ehdr;
typedef Elf32_Phdr Phdr;
typedef Elf32_auxv_t Auxv;
#endif

/* ---- raw system calls ------------------------------------------------ */

#if defined(__x86_64__)
static long sc(long n, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
static long sc(long n, long a, long b, long c)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2)
			 : "memory");
	return x0;
}
#elif defined(__i386__)
static long sc(long n, long a, long b, long c)
{
	long ret;

	/* ebx may hold the GOT pointer: swap it in and out around the call. */
	__asm__ volatile("xchg %%ebx, %2\n\tint $0x80\n\txchg %%ebx, %2"
			 : "=a"(ret) : "a"(n), "r"(a), "c"(b), "d"(c) : "memory");
	return ret;
}
#elif defined(__arm__)
static long sc(long n, long a, long b, long c)
{
	register long r7 __asm__("r7") = n;
	register long r0 __asm__("r0") = a;
	register long r1 __asm__("r1") = b;
	register long r2 __asm__("r2") = c;

	__asm__ volatile("svc 0" : "+r"(r0) : "r"(r7), "r"(r1), "r"(r2)
			 : "memory");
	return r0;
}
#else
#error "autoseal: raw system calls for this architecture are missing"
#endif

static long sys_open(const char *path, int flags)
{
	return sc(__NR_openat, AT_FDCWD, (long)path, flags);
}

static void sys_close(long fd)
{
	sc(__NR_close, fd, 0, 0);
}

/* The compiler may emit calls to these even in freestanding code. */
__attribute__((visibility("hidden"))) void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

__attribute__((visibility("hidden"))) void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

/* ---- strings ----------------------------------------------------------- */

static size_t slen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Does @s start with @prefix?  Then the rest, else NULL. */
static const char *after(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return NULL;
	return s;
}

/* Is @s[0, n) equal to the NUL-terminated @t? */
static int eqn(const char *s, size_t n, const char *t)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!t[i] || t[i] != s[i])
			return 0;
	return !t[n];
}

static const char *base_name(const char *path)
{
	const char *b = path;

	for (; *path; path++)
		if (*path == '/')
			b = path + 1;
	return b;
}

/* ---- state --------------------------------------------------------------- */

enum { MODE_EARLY = 1, MODE_LATE };
enum { ROUTE_NATIVE = 1, ROUTE_DEV };

static int mode, route, debug, done;
static const char *exempt;		/* in the initial stack's strings */
static uintptr_t at_phdr, at_phnum, at_base, at_vdso, pagesz = 4096;
static const char *at_execfn;
static struct link_map *head;		/* base namespace, main program */
static int nobjs;			/* the start-up set: the first nobjs */

/* ---- debug output ------------------------------------------------------- */

static char dbuf[256];
static size_t dlen;

static void dputs(const char *s)
{
	while (*s && dlen < sizeof(dbuf) - 1)
		dbuf[dlen++] = *s++;
}

static void dhex(uintptr_t v)
{
	char b[2 + 2 * sizeof(v) + 1];
	int i = sizeof(b) - 1;

	b[i] = 0;
	do {
		b[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	b[--i] = 'x';
	b[--i] = '0';
	dputs(b + i);
}

static void ddec(unsigned int v)
{
	char b[12];
	int i = sizeof(b) - 1;

	b[i] = 0;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	dputs(b + i);
}

static void dflush(void)
{
	dbuf[dlen++] = '\n';
	sc(__NR_write, 2, (long)dbuf, (long)dlen);
	dlen = 0;
}

/* ---- where the process came from --------------------------------------- */

/*
 * Field 28 of /proc/self/stat: the kernel's mm->start_stack, the address
 * of argc on the initial stack.  0 when it cannot be read.
 */
static uintptr_t start_stack(void)
{
	char buf[1024];
	long fd = sys_open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	long n, i, field;
	uintptr_t v = 0;
	char *p = NULL;

	if (fd < 0)
		return 0;
	n = sc(__NR_read, fd, (long)buf, sizeof(buf) - 1);
	sys_close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* comm (field 2) may hold anything: count from its closing ')'. */
	for (i = n - 1; i >= 0; i--)
		if (buf[i] == ')') {
			p = buf + i + 1;
			break;
		}
	if (!p)
		return 0;
	for (field = 2; *p && field < 28; p++)
		if (*p == ' ')
			field++;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (uintptr_t)(*p++ - '0');
	return v;
}

/* GLIBC_TUNABLES=a.b.c=v:... : does it say glibc.rtld.seal=0? */
static int tunable_off(const char *t)
{
	while (*t) {
		const char *v = after(t, "glibc.rtld.seal=");

		if (v && v[0] == '0' && (!v[1] || v[1] == ':'))
			return 1;
		while (*t && *t != ':')
			t++;
		if (*t)
			t++;
	}
	return 0;
}

/* Read the environment and the auxiliary vector; 0 to go on, -1 not to. */
static int read_start(void)
{
	uintptr_t *sp = (uintptr_t *)start_stack();
	const char *v;
	char **envp;
	Auxv *av;

	if (!sp)
		return -1;
	envp = (char **)(sp + 1 + *sp + 1);
	mode = MODE_EARLY;
	for (; *envp; envp++) {
		if ((v = after(*envp, "MSEAL_AUTOSEAL="))) {
			if (eqn(v, slen(v), "0") || eqn(v, slen(v), "off") ||
			    eqn(v, slen(v), "no"))
				mode = 0;
			else if (eqn(v, slen(v), "late"))
				mode = mode ? MODE_LATE : 0;
		} else if ((v = after(*envp, "MSEAL_AUTOSEAL_EXEMPT="))) {
			exempt = v;
		} else if ((v = after(*envp, "MSEAL_AUTOSEAL_DEBUG="))) {
			debug = v[0] == '1';
		} else if ((v = after(*envp, "GLIBC_TUNABLES="))) {
			if (tunable_off(v))
				return -1;
		}
	}
	if (!mode)
		return -1;
	for (av = (Auxv *)(envp + 1); av->a_type != AT_NULL; av++) {
		switch (av->a_type) {
		case AT_PHDR:
			at_phdr = av->a_un.a_val;
			break;
		case AT_PHNUM:
			at_phnum = av->a_un.a_val;
			break;
		case AT_BASE:
			at_base = av->a_un.a_val;
			break;
		case AT_SYSINFO_EHDR:
			at_vdso = av->a_un.a_val;
			break;
		case AT_PAGESZ:
			pagesz = av->a_un.a_val;
			break;
		case AT_EXECFN:
			at_execfn = (const char *)av->a_un.a_val;
			break;
		}
	}
	return 0;
}

/* ---- sealing ------------------------------------------------------------ */

/* /dev/mseal, open while seal_startup() runs (ROUTE_DEV). */
static long devfd = -1;

/* 0 or -errno. */
static long seal(uintptr_t addr, uintptr_t len)
{
	struct mseal_args args = { .addr = addr, .len = len, .flags = 0 };

	if (route == ROUTE_NATIVE)
		return sc(__NR_mseal, (long)addr, (long)len, 0);
	if (devfd < 0)
		return devfd;
	return sc(__NR_ioctl, devfd, MSEAL_IOC_SEAL, (long)&args);
}

/* Which way is there to seal?  0: none. */
static int probe_route(void)
{
	struct mseal_args args = { 0 };
	long fd, ret;

	if (sc(__NR_mseal, 0, 0, 0) == 0)
		return ROUTE_NATIVE;
	fd = sys_open(MSEAL_DEV_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* len 0 seals nothing and succeeds; ENOTTY: not the mseal device. */
	ret = sc(__NR_ioctl, fd, MSEAL_IOC_SEAL, (long)&args);
	sys_close(fd);
	return ret == 0 ? ROUTE_DEV : 0;
}

static int is_exempt(const char *name)
{
	const char *p = exempt, *b = base_name(name);

	if (!p || !*name)
		return 0;
	while (*p) {
		size_t n = 0;

		while (p[n] && p[n] != ':')
			n++;
		if (n && (eqn(p, n, name) || eqn(p, n, b)))
			return 1;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static uintptr_t pdown(uintptr_t a)
{
	return a & ~(pagesz - 1);
}

static uintptr_t pup(uintptr_t a)
{
	return (a + pagesz - 1) & ~(pagesz - 1);
}

/* The program headers of @m: count (0 when they cannot be found). */
static size_t phdrs_of(struct link_map *m, const Phdr **ph)
{
	const Ehdr *eh;
	unsigned char vec;

	if (m == head && at_phdr) {
		const Phdr *p = (const Phdr *)at_phdr;
		size_t i;

		/*
		 * AT_PHDR describes the program the kernel executed, which is
		 * ld.so itself when it was run as a command (ld.so PROG):
		 * trust it only if its PT_PHDR is where the main map says.
		 */
		for (i = 0; i < at_phnum; i++)
			if (p[i].p_type == PT_PHDR)
				break;
		if (i == at_phnum || m->l_addr + p[i].p_vaddr == at_phdr) {
			*ph = p;
			return at_phnum;
		}
	}
	/*
	 * ld.so maps every object from its first PT_LOAD, which holds the
	 * ELF header; that is at l_addr when its first p_vaddr is 0, as
	 * the linker makes it for shared objects.  mincore() says whether
	 * that page is mapped at all before it is read.
	 */
	if (sc(__NR_mincore, (long)m->l_addr, (long)pagesz, (long)&vec))
		return 0;
	eh = (const Ehdr *)m->l_addr;
	if (eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 ||
	    eh->e_ident[EI_MAG2] != ELFMAG2 || eh->e_ident[EI_MAG3] != ELFMAG3 ||
	    eh->e_phentsize != sizeof(Phdr) ||
	    eh->e_phoff + (uintptr_t)eh->e_phnum * sizeof(Phdr) > pagesz)
		return 0;
	*ph = (const Phdr *)(m->l_addr + eh->e_phoff);
	return eh->e_phnum;
}

struct span {
	uintptr_t lo, hi;
};

/* Is page-aligned @a to be sealed: in RELRO, or in no writable segment? */
static int sealable(uintptr_t a, const struct span *w, int nw, struct span relro)
{
	int i;

	if (a >= relro.lo && a < relro.hi)
		return 1;
	for (i = 0; i < nw; i++)
		if (a >= w[i].lo && a < w[i].hi)
			return 0;
	return 1;
}

static int nranges, nfailed;

static void count(long ret, uintptr_t lo, uintptr_t hi, const char *name)
{
	if (ret)
		nfailed++;
	else
		nranges++;
	if (debug) {
		dputs(ret ? "autoseal: failed " : "autoseal: sealed ");
		dhex(lo);
		dputs("-");
		dhex(hi);
		dputs(" ");
		dputs(*name ? name : at_execfn ? at_execfn : "(main)");
		dflush();
	}
}

#define MAX_PT 32

static void seal_range(uintptr_t lo, uintptr_t hi, const char *name)
{
	count(seal(lo, hi - lo), lo, hi, name);
}

static void seal_object(struct link_map *m)
{
	struct span w[MAX_PT], relro = { 0, 0 }, seg[MAX_PT];
	uintptr_t b[2 * MAX_PT + 4], lo = UINTPTR_MAX, hi = 0, run = 0;
	const char *name = m->l_name ? m->l_name : "";
	int nw = 0, nseg = 0, nb = 0, i, j, in = 0;
	const Phdr *ph = NULL;
	size_t n, k;

	if ((m->l_addr && m->l_addr == at_vdso) ||
	    eqn(name, slen(name), "linux-vdso.so.1") ||
	    eqn(name, slen(name), "linux-vdso64.so.1"))
		return;
	if (is_exempt(*name ? name : "main") ||
	    (!*name && m == head && at_execfn && is_exempt(at_execfn)))
		return;
	n = phdrs_of(m, &ph);
	if (!n) {
		nfailed++;
		return;
	}
	for (k = 0; k < n; k++) {
		uintptr_t s = m->l_addr + ph[k].p_vaddr;
		uintptr_t e = s + ph[k].p_memsz;

		if (ph[k].p_type == PT_GNU_RELRO) {
			relro.lo = pdown(s);
			relro.hi = pdown(e);
		} else if (ph[k].p_type == PT_LOAD && ph[k].p_memsz && nseg < MAX_PT) {
			seg[nseg].lo = pdown(s);
			seg[nseg++].hi = pup(e);
			if (ph[k].p_flags & PF_W)
				w[nw++] = seg[nseg - 1];
			if (pdown(s) < lo)
				lo = pdown(s);
			if (pup(e) > hi)
				hi = pup(e);
		}
	}
	if (!nseg)
		return;
	/* Every boundary where sealable() may change, in ascending order. */
	b[nb++] = lo;
	b[nb++] = hi;
	for (i = 0; i < nw; i++) {
		b[nb++] = w[i].lo;
		b[nb++] = w[i].hi;
	}
	if (relro.lo < relro.hi) {
		b[nb++] = relro.lo;
		b[nb++] = relro.hi;
	}
	for (i = 1; i < nb; i++)
		for (j = i; j > 0 && b[j - 1] > b[j]; j--) {
			uintptr_t t = b[j];

			b[j] = b[j - 1];
			b[j - 1] = t;
		}
	for (i = 0; i < nb; i++) {
		uintptr_t a = b[i];
		int s = a < hi && a >= lo && sealable(a, w, nw, relro);

		if (i && a == b[i - 1])
			continue;
		if (s && !in) {
			run = a;
			in = 1;
		} else if (!s && in) {
			in = 0;
			/*
			 * One call for the whole run, holes included; ENOMEM:
			 * some hole is not mapped (a loader that leaves holes
			 * unmapped), so seal the segments' parts of it alone.
			 */
			long ret = seal(run, a - run);

			if (ret == -E_NOMEM) {
				for (j = 0; j < nseg; j++) {
					uintptr_t l = seg[j].lo > run ? seg[j].lo : run;
					uintptr_t h = seg[j].hi < a ? seg[j].hi : a;

					if (l < h)
						seal_range(l, h, name);
				}
			} else {
				count(ret, run, a, name);
			}
		}
	}
}

/*
 * The first @nobjs objects of the base namespace: ld.so appends what
 * dlopen() loads later, so the start-up set stays at the head of the list.
 */
static void seal_startup(void)
{
	struct link_map *m = head;
	int i;

	done = 1;
	if (route == ROUTE_DEV)
		devfd = sys_open(MSEAL_DEV_PATH, O_RDONLY | O_CLOEXEC);
	for (i = 0; i < nobjs && m; i++, m = m->l_next)
		seal_object(m);
	if (devfd >= 0)
		sys_close(devfd);
	devfd = -1;
	if (debug) {
		dputs("autoseal: ");
		ddec((unsigned int)nranges);
		dputs(" ranges sealed, ");
		ddec((unsigned int)nfailed);
		dputs(" failed");
		dflush();
	}
}

/* ---- rtld-audit interface -------------------------------------------- */

EXPORT unsigned int la_version(unsigned int version)
{
	if (read_start())
		return 0;
	route = probe_route();
	if (!route)
		return 0;	/* no way to seal: a silent no-op */
	return version < LAV_CURRENT ? version : LAV_CURRENT;
}

EXPORT unsigned int la_objopen(struct link_map *map, Lmid_t lmid, uintptr_t *cookie)
{
	*cookie = (uintptr_t)map;
	if (lmid == LM_ID_BASE && !head)
		head = map;
	return 0;	/* no symbol binding audit: no PLT cost */
}

EXPORT void la_activity(uintptr_t *cookie, unsigned int flag)
{
	struct link_map *m;

	if (flag != LA_ACT_CONSISTENT || done || !head ||
	    (struct link_map *)*cookie != head)
		return;
	/* The start-up set: whatever the base namespace holds now. */
	for (m = head; m; m = m->l_next)
		nobjs++;
	if (mode == MODE_EARLY)
		seal_startup();
	else
		done = -1;	/* remembered; sealed in la_preinit() */
}

EXPORT void la_preinit(uintptr_t *cookie)
{
	(void)cookie;
	if (done == -1)
		seal_startup();
}
