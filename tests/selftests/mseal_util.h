/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mseal_util.h - helpers shared by the mseal selftests.
 *
 * Everything here is independent of kselftest_harness.h (which may only be
 * included by one translation unit per binary): helpers return values and
 * the tests turn them into ASSERT/EXPECT.  The code builds for 64-bit and
 * for 32-bit (compat) processes alike.
 *
 * Sealing backend: by default seal() goes through /dev/mseal.  With
 * MSEAL_TEST_BACKEND=syscall in the environment it calls the native
 * mseal(2) (syscall 462) instead; that mode exists only to check the tests
 * themselves against upstream's reference implementation on a kernel that
 * has it.  Tests of device-only behaviour (ioctl numbers, EFAULT on the
 * argument pointer, the fd) skip in that mode.
 */
#ifndef MSEAL_UTIL_H
#define MSEAL_UTIL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <linux/mseal_dev.h>

#ifndef __NR_mseal
#define __NR_mseal 462
#endif

/* ---- pages ---------------------------------------------------------- */

size_t pgsz(void);
/* Address of page @i of the region at @base. */
static inline char *pg(void *base, long i)
{
	return (char *)base + i * (long)pgsz();
}

/*
 * Map @npages RW private anonymous with one unmapped guard page on each
 * side. Returns the first mapped page or NULL. Guards are real holes (not
 * PROT_NONE mappings): the pages just before and after the region are
 * unmapped until something else maps there (a later mmap, e.g. a thread
 * stack, may use the free space the lower guard belongs to).
 */
void *map_region(long npages);
/* Map @npages at exactly @addr (MAP_FIXED_NOREPLACE) with @prot. */
void *map_at(void *addr, long npages, int prot);

/* ---- sealing ------------------------------------------------------- */

bool backend_is_syscall(void);
/*
 * Does the kernel enforce seals itself (native mseal(2): the syscall
 * backend, or the module says "kernel")?  Where upstream's behaviour and
 * the contract's stricter one differ, a test expects upstream's then.
 */
bool kernel_enforces(void);
/* Has the running kernel mseal(2) of its own (6.10+)? */
bool kernel_has_mseal(void);
/* Is the running kernel older than @major.@minor? */
bool kernel_older_than(int major, int minor);
/* Open (once per process) /dev/mseal; returns fd or -errno. */
int mseal_dev_fd(void);
/* Close the cached fd so that a later mseal_dev_fd() reopens. */
void mseal_dev_close(void);
/* Seal: 0 or -errno (the device's errno, or the open error). */
int seal(void *addr, size_t len, unsigned long flags);
/* Same with the raw 64-bit ABI fields (for overflow/compat cases). */
int seal_raw(uint64_t addr, uint64_t len, uint64_t flags);
/* Any ioctl on @fd: 0 (or the positive return) or -errno. */
int ioctl_err(int fd, unsigned long cmd, void *arg);

/*
 * Non-destructive probe: is the page at @p sealed? Tries a real protection
 * change (toggle PROT_EXEC) and undoes it if it was allowed.
 * 1 sealed (EPERM), 0 not sealed, -errno on anything else (-ENOENT when
 * not mapped).
 */
int page_sealed(void *p);
/* prot bits of a maps perms string */
int perms_to_prot(const char perms[5]);

/* ---- mm syscalls as 0 / -errno ------------------------------------- */

int xmunmap(void *addr, size_t len);
int xmprotect(void *addr, size_t len, int prot);
int xpkey_mprotect(void *addr, size_t len, int prot, int pkey);
/*
 * pkey_mprotect(2) is there only when the kernel has memory protection keys:
 * always on x86 (both widths; not probed, so that its absence fails), not
 * on arm64 before 6.12, where it returns ENOSYS.  pkey_want(r) is what a
 * pkey_mprotect() call must return when mprotect() with the same arguments
 * would return r.
 */
bool have_pkey_mprotect(void);
int pkey_want(int want);

/* ---- /proc/self/maps ---------------------------------------------- */

#define MAPS_MAX 64
struct map_line {
	uint64_t start, end;
	char perms[5];
	uint64_t offset;
	unsigned long inode;
};
struct maps_snap {
	int n;
	struct map_line l[MAPS_MAX];
};
/*
 * Record the /proc/self/maps lines overlapping [addr, addr+len).
 * 0 or -errno. Lines are kept whole (not clipped to the range).
 */
int maps_snapshot(const void *addr, size_t len, struct maps_snap *s);
bool maps_equal(const struct maps_snap *a, const struct maps_snap *b);
/* Human-readable dump into @buf (for TH_LOG). */
const char *maps_str(const struct maps_snap *s, char *buf, size_t bufsz);
/*
 * perms ("rw-p"...) of the mapping containing @addr into @perms[5];
 * 0, or -ENOENT when @addr is not mapped.
 */
int perms_at(const void *addr, char perms[5]);
/*
 * The same as a string for messages ("none" when unmapped), from a ring
 * of four buffers: up to four in one TH_LOG.
 */
const char *perms_str(const void *addr);
static inline bool is_mapped(const void *addr)
{
	char p[5];

	return perms_at(addr, p) == 0;
}

/* ---- threads ------------------------------------------------------- */

/*
 * The first failure several threads may report: set once, kept whole.
 * A zero-initialised one has none.
 */
struct first_failure {
	atomic_int hit;
	char why[512];
};
void __attribute__((format(printf, 2, 3)))
first_failure_set(struct first_failure *f, const char *fmt, ...);

/* ---- small files (sysfs, procfs) ----------------------------------- */

/*
 * Write @val to @path in one write(), creating a missing regular file (mode
 * 0644): 0 or -errno (open or write).
 */
int write_file(const char *path, const char *val);
/* Read @path into @buf (NUL-terminated, at most @sz - 1 bytes): 0 or -errno. */
int read_file(const char *path, char *buf, size_t sz);
/*
 * The number in @path (a counter, a parameter; Y/N read as 1/0), or -1
 * when it cannot be read.
 */
long read_long(const char *path);

/* ---- system mappings ----------------------------------------------- */

/* [start, end) of the mapping of @pid (0: self) named @name; 0 or -1. */
int find_named(pid_t pid, const char *name, uint64_t *start, uint64_t *end);
/*
 * Try to change this process's system mapping @name every way there is:
 * munmap, mprotect to the protection it has, mremap elsewhere, mmap over
 * it.  Each must fail with EPERM, and afterwards the mapping, and its
 * contents (those of [vvar] change by themselves), must be as they were.
 * 0; -1 when there is no such mapping; otherwise the number of failures,
 * each explained on stdout as a "# " line.
 */
int sysmap_check_sealed(const char *name);

/* ---- contents ------------------------------------------------------ */

void fill_pattern(void *addr, size_t len, unsigned int seed);
/* -1 if the pattern is intact, else the offset of the first bad byte. */
long check_pattern(const void *addr, size_t len, unsigned int seed);

/*
 * Snapshot of a region used for the "nothing changed" check of SPEC 3.11:
 * maps lines plus a copy of the readable bytes. Only pages that are
 * readable at snapshot time are copied (PROT_NONE pages are compared by
 * maps alone).
 */
struct region_state {
	struct maps_snap maps;
	void *base;
	size_t len;
	unsigned char *copy;   /* malloc'ed, len bytes */
	unsigned char *valid;  /* per page: 1 if copied */
};
int region_save(struct region_state *st, void *base, size_t len);
/*
 * 0 if maps and the copied contents are unchanged, else writes a reason to
 * @why and returns -1.
 */
int region_compare(const struct region_state *st, char *why, size_t whysz);
void region_free(struct region_state *st);

/* ---- kernel log ---------------------------------------------------- */

struct kmsg_cursor {
	int fd;
};
/* Position a cursor at the current end of the kernel log. 0 or -errno. */
int kmsg_open(struct kmsg_cursor *c);
/*
 * Read the messages logged since the cursor (or the last read) into @buf,
 * one message per '\n'-terminated line (the text only, no prefix).
 * Returns the number of messages, or -errno.
 */
int kmsg_read_new(struct kmsg_cursor *c, char *buf, size_t bufsz);
void kmsg_close(struct kmsg_cursor *c);
/* Does a line of @log look like a kernel splat (oops, BUG, WARNING...)? */
bool log_has_splat(const char *log, char *first, size_t firstsz);

/* ---- misc ---------------------------------------------------------- */

/*
 * true if some line of @path has @word as its whitespace-separated column
 * @column (0-based), e.g. /proc/kallsyms column 2, or
 * available_filter_functions column 0.
 */
bool file_has_symbol(const char *path, const char *word, int column);

/*
 * Run @fn in a forked child and wait for it. The child's @msg (what @fn
 * wrote there, e.g. why it failed) is copied back to the caller's @msg.
 * Returns @fn's return value (the child's exit code, 0..254), or -1 if the
 * child died by a signal or could not be started (@msg says which).
 */
int run_in_child(int (*fn)(void *arg, char *msg, size_t msgsz), void *arg,
		 char *msg, size_t msgsz);

/* Drop to uid/gid 65534 (nobody) with no supplementary groups. 0/-errno. */
int drop_to_nobody(void);

#endif /* MSEAL_UTIL_H */
