// SPDX-License-Identifier: GPL-2.0
/*
 * mseal_lib - libmseal in the guest (SPEC 7.1): Debian's 6.1 has no
 * mseal(2), so the library must seal through /dev/mseal, and fail with
 * ENOSYS once the module is gone.  Linked with the static libmseal.a
 * (the 32-bit build, mseal_lib32, compiles lib/libmseal.c in).
 *
 * The tests shared with the host build are in mseal_lib_common.h; here
 * are those that need the module: that the device is what sealed, the
 * module unloaded and loaded again, and the privileged requests.
 *
 * Runs after mseal_module (module loaded, defaults) and leaves the module
 * loaded with its defaults.  Never run this on a development host: it
 * unloads and loads kernel modules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mseal_util.h"
#include "mseal_harness.h"
#include "mseal_lib_common.h"
#include "mseal_modctl.h"

/* 6.1 has no mseal(2): what sealed is the module, and it counted it. */
TEST_F(lib, device_used_without_native)
{
	long before = dev_seal_count();

	if (self->native)
		SKIP(return, "this kernel has mseal(2)");
	ASSERT_TRUE(self->device) TH_LOG("%s missing: module not loaded?",
					 MSEAL_DEV_PATH);
	ASSERT_LE(0, before);
	errno = 0;
	EXPECT_EQ(-1, syscall(NOTIF_NR_MSEAL, 0UL, 0UL, 0UL));
	EXPECT_EQ(ENOSYS, errno);
	ASSERT_EQ(0, mseal(P(1), 2 * self->ps, 0));
	EXPECT_EQ(before + 1, dev_seal_count());
	EXPECT_EQ(1, page_sealed(P(1)));
	EXPECT_EQ(1, page_sealed(P(2)));
}

static int optout_as(void *arg, char *msg, size_t msgsz)
{
	bool nobody = arg != NULL;
	int r;

	if (nobody && drop_to_nobody()) {
		snprintf(msg, msgsz, "cannot become nobody");
		return 10;
	}
	errno = 0;
	r = mseal_sysmap_optout();
	snprintf(msg, msgsz, "mseal_sysmap_optout() = %d, errno %s", r,
		 strerror(errno));
	return r ? errno : 0;
}

/* SPEC 5.4 through the library: privileged, EPERM otherwise. */
TEST_F(lib, optout_needs_privilege)
{
	char msg[256];

	EXPECT_EQ(EPERM, run_in_child(optout_as, "nobody", msg, sizeof(msg)))
		TH_LOG("%s", msg);
	EXPECT_EQ(0, run_in_child(optout_as, NULL, msg, sizeof(msg)))
		TH_LOG("%s", msg);
}

static int list_init_as_nobody(void *arg, char *msg, size_t msgsz)
{
	struct mseal_range *r;
	char *page = arg;

	if (drop_to_nobody()) {
		snprintf(msg, msgsz, "cannot become nobody");
		return 10;
	}
	if (mseal_list(1, &r) != -1 || errno != EACCES) {
		snprintf(msg, msgsz, "mseal_list(1) as nobody: %s",
			 strerror(errno));
		return 1;
	}
	/* Its own seals are its own business. */
	if (mseal(page, pgsz(), 0) || mseal_list(0, &r) < 1) {
		snprintf(msg, msgsz, "own seals as nobody: %s",
			 strerror(errno));
		return 2;
	}
	free(r);
	return 0;
}

TEST_F(lib, list_needs_access)
{
	char msg[256];

	EXPECT_EQ(0, run_in_child(list_init_as_nobody, P(0), msg,
				  sizeof(msg)))
		TH_LOG("%s", msg);
}

/* ---- without the module ------------------------------------------------ */

FIXTURE(nomod) {
	char *base;
	size_t ps;
};

FIXTURE_SETUP(nomod)
{
	self->ps = pgsz();
	self->base = map_region(NPAGES);
	ASSERT_TRUE(self->base != NULL);
	fill_pattern(self->base, NPAGES * self->ps, 3);
	ASSERT_EQ(0, modctl_ensure_loaded());
}

FIXTURE_TEARDOWN(nomod)
{
	int r = modctl_ensure_loaded();

	if (r)
		TH_LOG("cannot load %s again: %s", modctl_path(), strerror(-r));
}

#define EXPECT_ENOSYS_UNCHANGED(call) do {				\
	struct region_state __st;					\
	static char __why[4096];					\
	long __r;							\
									\
	ASSERT_EQ(0, region_save(&__st, self->base, NPAGES * self->ps));\
	errno = 0;							\
	__r = (call);							\
	EXPECT_EQ(-1, __r) TH_LOG("%s", #call);				\
	EXPECT_EQ(ENOSYS, errno) TH_LOG("%s: %s", #call, strerror(errno));\
	EXPECT_EQ(0, region_compare(&__st, __why, sizeof(__why)))	\
		TH_LOG("after %s: %s", #call, __why);			\
	region_free(&__st);						\
} while (0)

/*
 * SPEC 7.1: neither mseal(2) nor the device -> ENOSYS, from every
 * function; a device node left without its driver counts as absent; and
 * the module loaded again is used by the same process at once (the
 * library remembers no absence).
 */
TEST_F(nomod, enosys_then_works_again)
{
	struct mseal_range *r;
	struct stat st;
	int fd;

	if (have_native())
		SKIP(return, "this kernel has mseal(2)");
	ASSERT_EQ(0, stat(MSEAL_DEV_PATH, &st));
	fd = modctl_unload();
	ASSERT_EQ(0, fd) TH_LOG("cannot unload: %s", strerror(-fd));
	ASSERT_FALSE(modctl_loaded());

	EXPECT_ENOSYS_UNCHANGED(mseal(self->base, self->ps, 0));
	EXPECT_ENOSYS_UNCHANGED(mseal_list(0, &r));
	EXPECT_ENOSYS_UNCHANGED(mseal_sysmap_optout());
	EXPECT_EQ(0, page_sealed(self->base));

	/* A stale node: the device number of the unloaded module. */
	if (access(MSEAL_DEV_PATH, F_OK) == 0) {
		TH_LOG("%s still exists after unload", MSEAL_DEV_PATH);
	} else {
		ASSERT_EQ(0, mknod(MSEAL_DEV_PATH, S_IFCHR | 0666, st.st_rdev));
		fd = open(MSEAL_DEV_PATH, O_RDONLY | O_CLOEXEC);
		EXPECT_EQ(-1, fd);
		EXPECT_TRUE(errno == ENODEV || errno == ENXIO)
			TH_LOG("open of a stale node: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		EXPECT_ENOSYS_UNCHANGED(mseal(self->base, self->ps, 0));
		EXPECT_ENOSYS_UNCHANGED(mseal_list(0, &r));
		unlink(MSEAL_DEV_PATH);
	}

	ASSERT_EQ(0, modctl_load(modctl_path(), ""));
	EXPECT_EQ(0, mseal(self->base, self->ps, 0)) TH_LOG("after reload: %s",
							    strerror(errno));
	EXPECT_EQ(1, page_sealed(self->base));
	EXPECT_EQ(1, mseal_list(0, &r));
	free(r);
}

TEST_HARNESS_MAIN
