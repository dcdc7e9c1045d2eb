// SPDX-License-Identifier: GPL-2.0
/*
 * msealctl - administer the mseal module: its state and counters, the
 * sealing of system mappings at exec, the seals of a process, loading and
 * unloading it, and running a program opted out of system-mapping sealing.
 * See msealctl(8).
 *
 * Exit status (documented in msealctl(8); scripts depend on it):
 *   0 done (or already in the requested state)   3 module not loaded
 *   1 the operation failed (the message says why) 4 permission denied
 *   2 usage error                                 5 locked until reboot
 *
 * Module loading goes through libkmod when msealctl is built with it
 * (MSEAL_WITH_KMOD=1): by name as modprobe does (modules.dep, options from
 * /etc/modprobe.d), or a given file.  Without it, loading by name runs
 * modprobe(8), and a file is loaded with finit_module(2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "mseal.h"

#ifndef MSEAL_VERSION
#define MSEAL_VERSION "unknown"
#endif
#ifndef MSEAL_WITH_KMOD
#define MSEAL_WITH_KMOD 0
#endif
#ifndef __NR_mseal
#define __NR_mseal 462
#endif
/* Where `make install` puts the LD_AUDIT module (tools/Makefile). */
#ifndef MSEAL_AUTOSEAL_PATH
#define MSEAL_AUTOSEAL_PATH "/usr/local/lib/libmseal-autoseal.so"
#endif

#if MSEAL_WITH_KMOD
#include <libkmod.h>
#endif

#define RC_OK		0
#define RC_FAIL		1
#define RC_USAGE	2
#define RC_NOT_LOADED	3
#define RC_PERM		4
#define RC_LOCKED	5

#define MODULE_NAME	"mseal"
#define DEV_PATH	"/dev/mseal"
#define SYS_MODULE	"/sys/module/mseal"
#define PARAM_SYSMAP	SYS_MODULE "/parameters/seal_system_mappings"
#define PARAM_LOG	SYS_MODULE "/parameters/log_denials"
#define SYS_COUNTERS	"/sys/kernel/mseal"

#define SYSMAP_OFF	0
#define SYSMAP_ON	1
#define SYSMAP_LOCKED	2

#define HINT_LOAD "run 'msealctl load' (or 'modprobe mseal') as root"

static const char usage_text[] =
"usage: msealctl COMMAND [ARG...]\n"
"       msealctl -h|--help | -V|--version\n"
"\n"
"commands:\n"
"  status                 module state, version, system-mapping sealing, counters\n"
"  enable                 seal the system mappings of programs started from now on\n"
"  disable                stop sealing them for programs started from now on\n"
"  lock                   enable, and forbid any change until reboot\n"
"  list PID|self          the sealed ranges of a process\n"
"  load [--path FILE] [PARAM=VALUE...]\n"
"                         load the module (by name as modprobe does, or FILE)\n"
"  unload                 unload the module (possible when no seal is in force)\n"
"  optout [--] CMD [ARG...]\n"
"                         run CMD with system-mapping sealing off for it and\n"
"                         its descendants (CAP_CHECKPOINT_RESTORE)\n"
"  run [--late] [--exempt NAME[:NAME...]] [--] CMD [ARG...]\n"
"                         run CMD, and what it starts, with its code, read-only\n"
"                         data and RELRO sealed at start-up (libmseal-autoseal(8))\n"
"\n"
"exit status: 0 done, 1 failed, 2 usage, 3 module not loaded,\n"
"             4 permission denied, 5 locked until reboot; see msealctl(8)\n";

static void __attribute__((format(printf, 1, 2))) err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("msealctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("msealctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nrun 'msealctl --help' for usage\n", stderr);
	return RC_USAGE;
}

/* ---- small helpers -------------------------------------------------- */

/* Read a small file without its trailing newline: 0 or -errno. */
static int read_file(const char *path, char *buf, size_t sz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	int e;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sz - 1);
	e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

/* One write() of @val: 0 or -errno (what the kernel's handler said). */
static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

/* A counter or parameter as a number, -1 when it cannot be read. */
static long read_long(const char *path)
{
	char buf[64], *end;
	long v;

	if (read_file(path, buf, sizeof(buf)))
		return -1;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf)
		return -1;
	return v;
}

/* "live", "coming", "going", or NULL when the module is not there. */
static const char *module_state(char *buf, size_t sz)
{
	if (read_file(SYS_MODULE "/initstate", buf, sz))
		return NULL;
	return buf;
}

static bool module_loaded(void)
{
	char buf[32];
	const char *s = module_state(buf, sizeof(buf));

	return s && !strcmp(s, "live");
}

/* seal_system_mappings, or -1 when the module is not loaded. */
static int read_sysmap(void)
{
	return (int)read_long(PARAM_SYSMAP);
}

/* Does the kernel itself have mseal(2), usable by this process? */
static bool native_mseal(void)
{
	return syscall(__NR_mseal, 0UL, 0UL, 0UL) == 0;
}

/* Is capability @cap in this process's effective set? */
static bool has_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

static int not_loaded(void)
{
	err("the mseal module is not loaded: %s", HINT_LOAD);
	return RC_NOT_LOADED;
}

/* ---- status --------------------------------------------------------- */

static const char *sysmap_str(int v)
{
	switch (v) {
	case SYSMAP_OFF:
		return "off";
	case SYSMAP_ON:
		return "on";
	case SYSMAP_LOCKED:
		return "on, locked until reboot";
	default:
		return "unknown";
	}
}

static void print_counter(const char *key, const char *file)
{
	char path[128];
	long v;

	snprintf(path, sizeof(path), SYS_COUNTERS "/%s", file);
	v = read_long(path);
	if (v < 0)
		printf("%s: unknown\n", key);
	else
		printf("%s: %ld\n", key, v);
}

/* "munmap 1\nmprotect 0\n..." -> "munmap=1 mprotect=0 ..." */
static void print_denied(void)
{
	char buf[512], out[512] = "", op[32];
	const char *p = buf;
	size_t len = 0;
	long n;
	int used;

	if (read_file(SYS_COUNTERS "/denied", buf, sizeof(buf))) {
		printf("denied: unknown\n");
		return;
	}
	while (sscanf(p, "%31s %ld%n", op, &n, &used) == 2) {
		len += snprintf(out + len, sizeof(out) - len, "%s%s=%ld",
				len ? " " : "", op, n);
		if (len >= sizeof(out))
			break;
		p += used;
	}
	printf("denied: %s\n", out);
}

static int cmd_status(void)
{
	char state_buf[32], version[64], enforcement[16];
	const char *state = module_state(state_buf, sizeof(state_buf));
	bool native = native_mseal();
	struct utsname u;

	uname(&u);
	printf("module: %s\n", !state ? "not loaded" :
	       !strcmp(state, "live") ? "loaded" : state);
	printf("kernel: %s\n", u.release);
	printf("native-mseal: %s\n", native ? "yes" : "no");
	if (!state || strcmp(state, "live")) {
		if (native)
			err("the mseal module is not loaded (mseal() works through the kernel's own mseal(2); sealing system mappings needs the module): %s",
			    HINT_LOAD);
		else
			not_loaded();
		return RC_NOT_LOADED;
	}
	if (read_file(SYS_COUNTERS "/version", version, sizeof(version)))
		snprintf(version, sizeof(version), "unknown");
	printf("version: %s\n", version);
	printf("device: %s\n", access(DEV_PATH, F_OK) ? "missing" : DEV_PATH);
	if (read_file(SYS_COUNTERS "/enforcement", enforcement,
		      sizeof(enforcement)))
		snprintf(enforcement, sizeof(enforcement), "unknown");
	printf("enforcement: %s\n", enforcement);
	printf("seal-system-mappings: %s\n", sysmap_str(read_sysmap()));
	printf("log-denials: %s\n",
	       read_file(PARAM_LOG, state_buf, sizeof(state_buf)) ? "unknown" :
	       state_buf[0] == 'Y' || state_buf[0] == '1' ? "on" : "off");
	print_counter("seals", "seals");
	print_counter("ranges", "ranges");
	print_counter("sealed-processes", "mms");
	print_denied();
	print_counter("sysmap-denied", "sysmap_denied");
	return RC_OK;
}

/* ---- enable / disable / lock ----------------------------------------- */

static int cmd_set_sysmap(int want)
{
	char val[4];
	int cur, ret;

	if (!module_loaded()) {
		err("the mseal module is not loaded: %s%s", HINT_LOAD,
		    want ? "; 'msealctl load seal_system_mappings=1' loads it with sealing on" : "");
		return RC_NOT_LOADED;
	}
	cur = read_sysmap();
	if (cur == SYSMAP_LOCKED) {
		if (want == SYSMAP_OFF) {
			err("system-mapping sealing is locked on until reboot (seal_system_mappings=2): it cannot be turned off");
			return RC_LOCKED;
		}
		printf("system-mapping sealing: already on and locked until reboot\n");
		return RC_OK;
	}
	snprintf(val, sizeof(val), "%d", want);
	ret = write_file(PARAM_SYSMAP, val);
	if (ret == -EPERM || ret == -EACCES) {
		if (read_sysmap() == SYSMAP_LOCKED) {
			err("system-mapping sealing was locked until reboot meanwhile");
			return want == SYSMAP_OFF ? RC_LOCKED : RC_OK;
		}
		err("permission denied: changing system-mapping sealing needs root (CAP_SYS_ADMIN)");
		return RC_PERM;
	}
	if (ret) {
		err("cannot write %s: %s", PARAM_SYSMAP, strerror(-ret));
		return RC_FAIL;
	}
	switch (want) {
	case SYSMAP_OFF:
		printf("system-mapping sealing: off (programs started from now on are not sealed; running ones keep their seals)\n");
		break;
	case SYSMAP_ON:
		printf("system-mapping sealing: on (programs started from now on have [vdso] & co. sealed; restart running ones to seal them)\n");
		break;
	default:
		printf("system-mapping sealing: on, locked until reboot (no change, no module unload, until then)\n");
		break;
	}
	return RC_OK;
}

/* ---- list ------------------------------------------------------------ */

struct vma {
	unsigned long long start, end;
	char *name;
};

/* The mappings of @pid (0: self) with their names; count or -1. */
static long read_maps(pid_t pid, struct vma **out)
{
	struct vma *v = NULL, *bigger;
	size_t n = 0, room = 0, linesz = 0;
	char path[64], *line = NULL;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/maps");
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (getline(&line, &linesz, f) > 0) {
		unsigned long long s, e;
		int off = 0;
		char *name;

		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s%n", &s, &e,
			   &off) != 2 || !off)
			continue;
		name = line + off;
		name += strspn(name, " \t");
		name[strcspn(name, "\n")] = 0;
		if (n == room) {
			room = room ? room * 2 : 64;
			bigger = realloc(v, room * sizeof(*v));
			if (!bigger)
				break;
			v = bigger;
		}
		v[n].start = s;
		v[n].end = e;
		v[n].name = strdup(name);
		n++;
	}
	free(line);
	fclose(f);
	*out = v;
	return (long)n;
}

/*
 * " name1 name2": the names of the mappings [start, end) covers, each
 * once in a row, anonymous ones left out (into @buf).
 */
static const char *vma_names(const struct vma *v, long n,
			     unsigned long long start, unsigned long long end,
			     char *buf, size_t sz)
{
	const char *last = NULL;
	size_t len = 0;
	long i;

	buf[0] = 0;
	for (i = 0; i < n && len < sz; i++) {
		if (v[i].end <= start || v[i].start >= end || !v[i].name ||
		    !*v[i].name || (last && !strcmp(last, v[i].name)))
			continue;
		last = v[i].name;
		len += snprintf(buf + len, sz - len, " %s", last);
	}
	return buf;
}

static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	if (!strcmp(s, "self")) {
		*pid = 0;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > INT_MAX)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	struct mseal_range *r;
	struct vma *maps = NULL;
	long nmaps;
	ssize_t n, i;
	pid_t pid;

	if (argc != 2)
		return usage_error("list needs one argument: a process id, or 'self'");
	if (parse_pid(argv[1], &pid))
		return usage_error("list: '%s' is not a process id", argv[1]);
	n = mseal_list(pid, &r);
	if (n < 0) {
		switch (errno) {
		case ENOSYS:
			err("cannot list seals: the mseal module is not loaded and this kernel has no mseal(2): %s",
			    HINT_LOAD);
			return RC_NOT_LOADED;
		case ESRCH:
			err("no process %s", argv[1]);
			return RC_FAIL;
		case EACCES:
		case EPERM:
			err("permission denied: listing the seals of process %s needs the access reading /proc/%s/maps needs (its user, or root)",
			    argv[1], argv[1]);
			return RC_PERM;
		default:
			err("cannot list the seals of process %s: %s", argv[1],
			    strerror(errno));
			return RC_FAIL;
		}
	}
	nmaps = n ? read_maps(pid, &maps) : 0;
	for (i = 0; i < n; i++) {
		char names[1024];

		printf("%08llx-%08llx %s%s\n",
		       (unsigned long long)r[i].start,
		       (unsigned long long)r[i].end,
		       r[i].flags & MSEAL_RANGE_SYSTEM ? "system" : "explicit",
		       vma_names(maps, nmaps, r[i].start, r[i].end, names,
				 sizeof(names)));
	}
	for (i = 0; i < nmaps; i++)
		free(maps[i].name);
	free(maps);
	free(r);
	return RC_OK;
}

/* ---- load / unload --------------------------------------------------- */

/* "a=1 b=2" from the PARAM=VALUE arguments, or NULL on a bad one. */
static char *join_params(int argc, char **argv, int *bad)
{
	size_t len = 1;
	char *s;
	int i;

	*bad = -1;
	for (i = 0; i < argc; i++) {
		if (!strchr(argv[i], '=') || argv[i][0] == '=') {
			*bad = i;
			return NULL;
		}
		len += strlen(argv[i]) + 1;
	}
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Explain a failed load (-errno @e) and give the exit status. */
static int load_failed(int e, const char *what)
{
	switch (e) {
	case EEXIST:
		printf("mseal is already loaded\n");
		return RC_OK;
	case EPERM:
		err("permission denied loading %s: needs root (CAP_SYS_MODULE), and module loading must be allowed (kernel.modules_disabled, lockdown)",
		    what);
		return RC_PERM;
	case ENOEXEC:
		err("%s is not a module for this kernel (built for another kernel? rebuild it: dkms install mseal/%s)",
		    what, MSEAL_VERSION);
		return RC_FAIL;
	case EKEYREJECTED:
	case ENOKEY:
	case EBADMSG:
		err("the kernel rejected the signature of %s (Secure Boot): sign it with a key enrolled in MOK, see README",
		    what);
		return RC_FAIL;
	case ENOENT:
	case EOPNOTSUPP:
		err("the kernel refused %s: %s; the kernel log (dmesg) names what this kernel lacks",
		    what, strerror(e));
		return RC_FAIL;
	case EINVAL:
		err("the kernel refused %s: invalid argument (a bad parameter? see dmesg)",
		    what);
		return RC_FAIL;
	default:
		err("cannot load %s: %s", what, strerror(e));
		return RC_FAIL;
	}
}

static int load_done(void)
{
	char version[64];

	if (read_file(SYS_COUNTERS "/version", version, sizeof(version)))
		snprintf(version, sizeof(version), "unknown version");
	if (access(DEV_PATH, F_OK))
		printf("mseal %s loaded (%s does not exist yet: is devtmpfs or udev running?)\n",
		       version, DEV_PATH);
	else
		printf("mseal %s loaded: %s ready\n", version, DEV_PATH);
	return RC_OK;
}

static const char *const not_found_hint =
	"install it with DKMS (see README: dkms install mseal/" MSEAL_VERSION
	"), or give the file: msealctl load --path FILE";

#if MSEAL_WITH_KMOD

static int kmod_load(const char *path, const char *params)
{
	struct kmod_list *list = NULL;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	struct utsname u;
	int ret;

	ctx = kmod_new(NULL, NULL);
	if (!ctx) {
		err("cannot initialise libkmod");
		return RC_FAIL;
	}
	if (path) {
		ret = kmod_module_new_from_path(ctx, path, &mod);
		if (ret < 0) {
			err("cannot use %s: %s", path, strerror(-ret));
			kmod_unref(ctx);
			return RC_FAIL;
		}
		ret = kmod_module_insert_module(mod, 0, params);
	} else {
		ret = kmod_module_new_from_lookup(ctx, MODULE_NAME, &list);
		if (ret < 0 || !list) {
			uname(&u);
			err("module mseal not found for kernel %s: %s",
			    u.release, not_found_hint);
			kmod_module_unref_list(list);
			kmod_unref(ctx);
			return RC_FAIL;
		}
		mod = kmod_module_get_module(list);
		kmod_module_unref_list(list);
		/* As modprobe: dependencies, and options from modprobe.d. */
		ret = kmod_module_probe_insert_module(mod, 0, params, NULL,
						      NULL, NULL);
		if (ret > 0)	/* blacklisted, or an install command refused */
			ret = -EPERM;
	}
	kmod_module_unref(mod);
	kmod_unref(ctx);
	if (ret < 0)
		return load_failed(-ret, path ? path : "mseal");
	return load_done();
}

#else /* !MSEAL_WITH_KMOD */

static int kmod_load(const char *path, const char *params)
{
	int status, fd;
	pid_t pid;

	if (path) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			err("cannot use %s: %s", path, strerror(errno));
			return RC_FAIL;
		}
		if (syscall(SYS_finit_module, fd, params ? params : "", 0)) {
			int e = errno;

			close(fd);
			return load_failed(e, path);
		}
		close(fd);
		return load_done();
	}

	/* By name: modprobe knows where modules are, and their options. */
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		err("fork: %s", strerror(errno));
		return RC_FAIL;
	}
	if (!pid) {
		char *argv[64] = { "modprobe", MODULE_NAME };
		int argc = 2;
		char *p = params ? strdup(params) : NULL;
		char *tok, *save = NULL;

		for (tok = p ? strtok_r(p, " ", &save) : NULL; tok && argc < 63;
		     tok = strtok_r(NULL, " ", &save))
			argv[argc++] = tok;
		argv[argc] = NULL;
		execvp("modprobe", argv);
		execv("/sbin/modprobe", argv);
		fprintf(stderr, "msealctl: cannot run modprobe: %s\n",
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			err("waitpid: %s", strerror(errno));
			return RC_FAIL;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && module_loaded())
		return load_done();
	err("modprobe could not load mseal: %s", not_found_hint);
	return RC_FAIL;
}

#endif /* MSEAL_WITH_KMOD */

static int cmd_load(int argc, char **argv)
{
	const char *path = NULL;
	char *params = NULL;
	int i = 1, bad, ret;

	if (i < argc && !strncmp(argv[i], "--path", 6)) {
		if (argv[i][6] == '=') {
			path = argv[i] + 7;
			i++;
		} else if (!argv[i][6] && i + 1 < argc) {
			path = argv[i + 1];
			i += 2;
		} else {
			return usage_error("load: --path needs a file");
		}
		if (!*path)
			return usage_error("load: --path needs a file");
	}
	if (i < argc) {
		params = join_params(argc - i, argv + i, &bad);
		if (!params && bad >= 0)
			return usage_error("load: '%s' is not PARAM=VALUE",
					   argv[i + bad]);
		if (!params) {
			err("out of memory");
			return RC_FAIL;
		}
	}
	if (module_loaded()) {
		if (params) {
			err("mseal is already loaded: parameters apply at load only (unload it first, or use 'msealctl enable')");
			free(params);
			return RC_FAIL;
		}
		printf("mseal is already loaded\n");
		return RC_OK;
	}
	if (!has_cap(CAP_SYS_MODULE)) {
		err("permission denied: loading a module needs root (CAP_SYS_MODULE)");
		free(params);
		return RC_PERM;
	}
	ret = kmod_load(path, params);
	free(params);
	return ret;
}

static int cmd_unload(void)
{
	long refs;
	int sysmap;

	if (!module_loaded())
		return not_loaded();
	if (!has_cap(CAP_SYS_MODULE)) {
		err("permission denied: unloading a module needs root (CAP_SYS_MODULE)");
		return RC_PERM;
	}
	if (!syscall(SYS_delete_module, MODULE_NAME, O_NONBLOCK)) {
		printf("mseal unloaded\n");
		return RC_OK;
	}
	switch (errno) {
	case ENOENT:
		return not_loaded();
	case EPERM:
		err("permission denied: unloading a module needs root (CAP_SYS_MODULE)");
		return RC_PERM;
	case EWOULDBLOCK:
	case EBUSY:
		sysmap = read_sysmap();
		if (sysmap == SYSMAP_LOCKED) {
			err("mseal cannot be unloaded until reboot: system-mapping sealing is locked (seal_system_mappings=2)");
			return RC_LOCKED;
		}
		refs = read_long(SYS_MODULE "/refcnt");
		if (sysmap == SYSMAP_ON) {
			err("mseal is in use (%ld references): system-mapping sealing is on, so every program started since holds seals (msealctl itself included): run 'msealctl disable', restart them, then unload",
			    refs);
			return RC_FAIL;
		}
		err("mseal is in use (%ld references): processes hold seals or opt-outs; it can be unloaded once they have exited",
		    refs);
		return RC_FAIL;
	default:
		err("cannot unload mseal: %s", strerror(errno));
		return RC_FAIL;
	}
}

/* ---- optout ---------------------------------------------------------- */

static int cmd_optout(int argc, char **argv)
{
	int i = 1;

	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i >= argc)
		return usage_error("optout needs a command to run");
	if (mseal_sysmap_optout()) {
		switch (errno) {
		case ENOSYS:
			err("cannot opt out: the mseal module is not loaded: %s",
			    HINT_LOAD);
			return RC_NOT_LOADED;
		case EPERM:
			err("permission denied: opting out of system-mapping sealing needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN");
			return RC_PERM;
		default:
			err("cannot opt out of system-mapping sealing: %s",
			    strerror(errno));
			return RC_FAIL;
		}
	}
	execvp(argv[i], argv + i);
	err("cannot run %s: %s", argv[i], strerror(errno));
	/* As env(1) and nice(1): 127 not found, 126 found but not run. */
	return errno == ENOENT ? 127 : 126;
}

/* ---- run ------------------------------------------------------------- */

/* Is @lib one of the colon-separated entries of LD_AUDIT @list? */
static bool audit_listed(const char *list, const char *lib)
{
	size_t n = strlen(lib);

	for (;;) {
		if (!strncmp(list, lib, n) && (list[n] == ':' || !list[n]))
			return true;
		list = strchr(list, ':');
		if (!list)
			return false;
		list++;
	}
}

/*
 * Exec CMD with libmseal-autoseal.so as an LD_AUDIT module (added to any
 * already there).  The module does the work, in CMD and in every program
 * started from it that inherits the environment; MSEAL_AUTOSEAL_LIB names
 * another copy of the module (tests, a build tree).
 */
static int cmd_run(int argc, char **argv)
{
	const char *lib = getenv("MSEAL_AUTOSEAL_LIB");
	const char *old = getenv("LD_AUDIT"), *exempt = NULL;
	bool late = false;
	char *audit;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "--late")) {
			late = true;
		} else if (!strcmp(argv[i], "--exempt") && i + 1 < argc) {
			exempt = argv[++i];
		} else if (!strncmp(argv[i], "--exempt=", 9)) {
			exempt = argv[i] + 9;
		} else {
			return usage_error("run: unknown option '%s'", argv[i]);
		}
	}
	if (i >= argc)
		return usage_error("run needs a command to run");
	if (!lib || !*lib)
		lib = MSEAL_AUTOSEAL_PATH;
	if (access(lib, R_OK)) {
		err("cannot use %s: %s (install it with 'make install', or name it in MSEAL_AUTOSEAL_LIB)",
		    lib, strerror(errno));
		return RC_FAIL;
	}
	if (!native_mseal() && access(DEV_PATH, F_OK))
		err("warning: this kernel has no mseal(2) and the mseal module is not loaded: %s runs unsealed (%s)",
		    argv[i], HINT_LOAD);
	if (old && *old && !audit_listed(old, lib)) {
		if (asprintf(&audit, "%s:%s", old, lib) < 0)
			audit = NULL;
	} else {
		audit = strdup(old && *old ? old : lib);
	}
	if (!audit || setenv("LD_AUDIT", audit, 1) ||
	    setenv("MSEAL_AUTOSEAL", late ? "late" : "1", 1) ||
	    (exempt && setenv("MSEAL_AUTOSEAL_EXEMPT", exempt, 1))) {
		err("out of memory");
		return RC_FAIL;
	}
	execvp(argv[i], argv + i);
	err("cannot run %s: %s", argv[i], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

/* ---- main ------------------------------------------------------------ */

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return RC_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "help")) {
		fputs(usage_text, stdout);
		return RC_OK;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("msealctl %s (%s)\n", MSEAL_VERSION,
		       MSEAL_WITH_KMOD ? "libkmod" : "without libkmod: modprobe");
		return RC_OK;
	}
	argc--;
	argv++;
	if (!strcmp(cmd, "status") || !strcmp(cmd, "enable") ||
	    !strcmp(cmd, "disable") || !strcmp(cmd, "lock") ||
	    !strcmp(cmd, "unload")) {
		if (argc > 1)
			return usage_error("%s takes no argument", cmd);
	}
	if (!strcmp(cmd, "status"))
		return cmd_status();
	if (!strcmp(cmd, "enable"))
		return cmd_set_sysmap(SYSMAP_ON);
	if (!strcmp(cmd, "disable"))
		return cmd_set_sysmap(SYSMAP_OFF);
	if (!strcmp(cmd, "lock"))
		return cmd_set_sysmap(SYSMAP_LOCKED);
	if (!strcmp(cmd, "list"))
		return cmd_list(argc, argv);
	if (!strcmp(cmd, "load"))
		return cmd_load(argc, argv);
	if (!strcmp(cmd, "unload"))
		return cmd_unload();
	if (!strcmp(cmd, "optout"))
		return cmd_optout(argc, argv);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc, argv);
	return usage_error("unknown command '%s'", cmd);
}
