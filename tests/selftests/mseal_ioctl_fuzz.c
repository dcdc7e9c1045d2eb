// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_ioctl_fuzz - random ioctls on /dev/mseal (issue 11): random
 * commands (of the device's type and not), random argument pointers
 * (NULL, unmapped, kernel addresses, misaligned, straddling into an
 * unmapped page, read-only), random sealing requests, from many threads at
 * once, from 64-bit processes and (mseal_ioctl_fuzz32) 32-bit ones.  Every
 * call must return what include/uapi/linux/mseal_dev.h documents, computed
 * here by a model, and afterwards exactly the pages the model sealed are
 * sealed (the listing, and a real mprotect probe of every page).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mseal_util.h"
#include "mseal_harness.h"

#define THREADS		8
#define AREA		16		/* pages per thread, every other one a hole */
#define CALLS		4000

struct fuzz {
	int fd, id;
	uint64_t rng;
	char *area;			/* AREA pages, odd ones unmapped */
	char *argpage;			/* two pages: RW, then unmapped */
	char *ropage;			/* read-only page */
	unsigned char sealed[AREA];
	char why[256];
	long calls;
};

static uint64_t rnd(struct fuzz *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

/* A command: the device's three, near misses of them, and random ones. */
static unsigned long pick_cmd(struct fuzz *f)
{
	static const unsigned long known[] = {
		MSEAL_IOC_SEAL, MSEAL_IOC_SYSMAP_OPTOUT, MSEAL_IOC_LIST,
	};
	unsigned long c;
	unsigned int type;

	switch (rnd(f) % 4) {
	case 0:
		return known[rnd(f) % 3];
	case 1:	/* same number, other size or direction */
		c = known[rnd(f) % 3] ^ (1UL << (16 + rnd(f) % 16));
		return c;
	case 2:	/* the device's type, any number */
		return _IOC(rnd(f) % 4, MSEAL_IOC_MAGIC, rnd(f) % 256, rnd(f) % 64);
	default:
		/* not the types the VFS handles itself (FIO*, FI*, FS_IOC*, 'T') */
		do {
			c = (unsigned int)rnd(f);
			type = _IOC_TYPE(c);
		} while (type == 0 || type == 'T' || type == 'X' || type == 'f' ||
			 type == 0x94 || type == 0x15 || type == MSEAL_IOC_MAGIC);
		return c;
	}
}

static bool known_cmd(unsigned long c)
{
	return c == MSEAL_IOC_SEAL || c == MSEAL_IOC_SYSMAP_OPTOUT || c == MSEAL_IOC_LIST;
}

/* An argument pointer that cannot be read, and the errno: EFAULT. */
static void *bad_ptr(struct fuzz *f)
{
	switch (rnd(f) % 5) {
	case 0:
		return NULL;
	case 1:
		return f->argpage + pgsz();		/* unmapped */
	case 2:
		return f->argpage + pgsz() - 8;		/* straddles into it */
	case 3:
		return (void *)(uintptr_t)(sizeof(long) == 8 ?
			(uintptr_t)0xffff888000000000ull : (uintptr_t)0xfffff000u);
	default:
		return f->area + pgsz() + 24;		/* a hole, misaligned */
	}
}

/* mseal(2)'s result for the range, and what it seals (SPEC 2.1-2.9). */
static int model_seal(struct fuzz *f, uint64_t addr, uint64_t len, uint64_t flags,
		      bool commit)
{
	uint64_t ps = pgsz(), a0 = (uint64_t)(uintptr_t)f->area, end, rl;
	uint64_t i;

	if (flags)
		return -EINVAL;
	if (addr & (ps - 1))
		return -EINVAL;
	rl = (len + ps - 1) & ~(ps - 1);
	if (len && !rl)
		return -EINVAL;
	end = addr + rl;
	if (end < addr)
		return -EINVAL;
	if (!rl)
		return 0;
	if (addr < a0 || end > a0 + AREA * ps)
		return -ENOMEM;		/* only ever asked for in or next to holes */
	for (i = (addr - a0) / ps; i < (end - a0) / ps; i++)
		if (i & 1)
			return -ENOMEM;
	if (commit)
		for (i = (addr - a0) / ps; i < (end - a0) / ps; i++)
			f->sealed[i] = 1;
	return 0;
}

static int fuzz_one(struct fuzz *f)
{
	unsigned long cmd = pick_cmd(f);
	uint64_t ps = pgsz(), a0 = (uint64_t)(uintptr_t)f->area;
	struct mseal_args *sa;
	struct mseal_list *la;
	void *arg;
	int want, got, bad = 0, k = rnd(f) % 6;

	/* the argument: often well-formed, sometimes not readable at all */
	if (k == 0) {
		arg = bad_ptr(f);
		bad = 1;
	} else if (k == 1) {
		arg = f->argpage + pgsz() - 24 - 1 - rnd(f) % 7;	/* misaligned, fits */
	} else if (k == 2 && cmd == MSEAL_IOC_LIST) {
		arg = f->ropage;	/* readable, count not writable back */
	} else {
		arg = f->argpage + (rnd(f) % 8) * 8;
	}
	sa = arg;
	la = arg;
	if (!bad && arg != f->ropage) {
		if (cmd == MSEAL_IOC_SEAL) {
			static const uint64_t lens[] = { 0, 1, 4096, 8192, 12288, ~0ull,
							 ~0ull - 4095, 0x100000000ull };
			uint64_t a = a0 + (rnd(f) % AREA) * ps;

			switch (rnd(f) % 6) {
			case 0:
				a += 1 + rnd(f) % (ps - 1);
				break;
			case 1:
				a = sizeof(long) == 8 ? 0xffff888000000000ull : 0xfffff000ull;
				break;
			case 2:
				a = ~0ull - ps + 1;
				break;
			}
			memset(sa, 0, sizeof(*sa));
			sa->addr = a;
			sa->len = rnd(f) % 3 ? (1 + rnd(f) % 3) * ps - (rnd(f) % 2) * 7 :
				  lens[rnd(f) % 8];
			sa->flags = rnd(f) % 10 ? 0 : 1ull << (rnd(f) % 64);
			/* an address next to the area is not modelled: keep it in */
			if (sa->addr >= a0 + AREA * ps && sa->addr < a0 + AREA * ps + 0x100000)
				sa->addr = a0;
		} else if (cmd == MSEAL_IOC_LIST) {
			static struct mseal_range_info tiny[1];

			la->pid = 0;
			la->count = rnd(f) % 2;
			la->ranges = rnd(f) % 2 ? (uint64_t)(uintptr_t)tiny :
				(uint64_t)(uintptr_t)bad_ptr(f);
		}
	}

	if (!known_cmd(cmd))
		want = -ENOTTY;
	else if (cmd == MSEAL_IOC_SYSMAP_OPTOUT)
		want = geteuid() == 0 ? 0 : -EPERM;	/* needs no argument */
	else if (bad)
		want = -EFAULT;
	else if (cmd == MSEAL_IOC_LIST && arg == f->ropage)
		want = -EFAULT;
	else if (cmd == MSEAL_IOC_LIST)
		want = -1;	/* 0, or EFAULT for a bad array; checked below */
	else
		want = model_seal(f, sa->addr, sa->len, sa->flags, false);

	if (cmd == MSEAL_IOC_SYSMAP_OPTOUT && rnd(f) % 2)
		arg = bad_ptr(f);	/* ignored */
	got = ioctl_err(f->fd, cmd, arg);
	f->calls++;
	if (want == -1) {
		if (got == 0 || got == -EFAULT)
			return 0;
	} else if (got == want) {
		if (cmd == MSEAL_IOC_SEAL && !got)
			model_seal(f, sa->addr, sa->len, sa->flags, true);
		return 0;
	}
	snprintf(f->why, sizeof(f->why), "thread %d call %ld: cmd %#lx arg %p%s: got %d, want %d",
		 f->id, f->calls, cmd, arg, bad ? " (bad)" : "", got, want);
	if (cmd == MSEAL_IOC_SEAL && !bad)
		snprintf(f->why + strlen(f->why), sizeof(f->why) - strlen(f->why),
			 " (addr %#llx len %#llx flags %#llx, area %#llx)",
			 (unsigned long long)sa->addr, (unsigned long long)sa->len,
			 (unsigned long long)sa->flags, (unsigned long long)a0);
	return -1;
}

static void *fuzz_thread(void *p)
{
	struct fuzz *f = p;
	int i;

	for (i = 0; i < CALLS; i++)
		if (fuzz_one(f))
			break;
	return NULL;
}

static int setup(struct fuzz *f, int id)
{
	size_t ps = pgsz();
	int i;

	memset(f, 0, sizeof(*f));
	f->id = id;
	f->rng = 0x9e3779b97f4a7c15ull * (id + 1) + (uint64_t)getpid();
	f->fd = mseal_dev_fd();
	f->area = map_region(AREA);
	f->argpage = map_region(2);
	f->ropage = map_region(1);
	if (f->fd < 0 || !f->area || !f->argpage || !f->ropage)
		return -1;
	for (i = 1; i < AREA; i += 2)
		munmap(f->area + i * ps, ps);
	munmap(f->argpage + ps, ps);
	memset(f->ropage, 0, ps);
	return mprotect(f->ropage, ps, PROT_READ);
}

/* The seals the process holds, per page of @f's area, from the listing. */
static int listed(struct fuzz *f, unsigned char *out)
{
	static struct mseal_range_info r[1024];
	struct mseal_list l = { .pid = 0, .count = 1024,
				.ranges = (uint64_t)(uintptr_t)r };
	uint64_t a0 = (uint64_t)(uintptr_t)f->area, ps = pgsz(), p;
	unsigned int i;

	memset(out, 0, AREA);
	if (ioctl(f->fd, MSEAL_IOC_LIST, &l))
		return -errno;
	for (i = 0; i < l.count && i < 1024; i++)
		for (p = r[i].start; p < r[i].end; p += ps)
			if (p >= a0 && p < a0 + AREA * ps)
				out[(p - a0) / ps] = 1;
	return 0;
}

/* Many threads, one mm: every result as documented, only the modelled seals. */
FIXTURE(fuzz) {
	int unused;
};

FIXTURE_SETUP(fuzz)
{
	ASSERT_BACKEND();
}

FIXTURE_TEARDOWN(fuzz)
{
}

TEST_F(fuzz, threads)
{
	static struct fuzz f[THREADS];
	pthread_t t[THREADS];
	unsigned char got[AREA];
	long total = 0;
	int i, j;

	if (backend_is_syscall())
		SKIP(return, "device fuzz (syscall backend)");
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, setup(&f[i], i));
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, fuzz_thread, &f[i]));
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < THREADS; i++) {
		EXPECT_EQ(0, f[i].why[0]) TH_LOG("%s", f[i].why);
		total += f[i].calls;
		ASSERT_EQ(0, listed(&f[i], got));
		for (j = 0; j < AREA; j++) {
			EXPECT_EQ(f[i].sealed[j], got[j])
				TH_LOG("thread %d page %d: listed %d, modelled %d", i, j,
				       got[j], f[i].sealed[j]);
			if (!(j & 1))
				EXPECT_EQ(f[i].sealed[j], page_sealed(pg(f[i].area, j)))
					TH_LOG("thread %d page %d: probe", i, j);
		}
	}
	TH_LOG("%ld ioctls", total);
}

TEST_HARNESS_MAIN
