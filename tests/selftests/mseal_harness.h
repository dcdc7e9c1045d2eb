/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mseal_harness.h - include kselftest_harness.h (from Debian's
 * linux-source-6.1, extracted at build time) under -Wextra -Werror.
 *
 * The 6.1 harness defines __timeout_handler() with an unused parameter,
 * which -Wextra reports; silence exactly that warning for the harness's
 * own code and nothing else. Include only once per binary (the harness
 * defines globals).
 */
#ifndef MSEAL_HARNESS_H
#define MSEAL_HARNESS_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include "mseal_util.h"

/*
 * SPEC 3.11: run @call (an expression giving 0 or -errno), expect it to
 * return @want, and expect the contents, protections and mappings of
 * [@lo, @lo + @len) to be exactly what they were before the call.
 */
#define EXPECT_REFUSED(want, call, lo, len) do {			\
	struct region_state __st;					\
	static char __why[4096];					\
	int __r;							\
									\
	ASSERT_EQ(0, region_save(&__st, (lo), (len)));			\
	__r = (call);							\
	EXPECT_EQ((want), __r) TH_LOG("%s = %d (%s), want %s", #call,	\
				      __r, __r ? strerror(-__r) : "ok",	\
				      #want);				\
	EXPECT_EQ(0, region_compare(&__st, __why, sizeof(__why)))	\
		TH_LOG("after %s: %s", #call, __why);			\
	region_free(&__st);						\
} while (0)

/*
 * In a FIXTURE_SETUP: skip the test.  The 6.1 harness runs the test body
 * after a setup that only SKIP()ped; jumping back to its setjmp() skips
 * the body (and the teardown of a setup that did not complete).
 */
#define SKIP_FIXTURE(fmt, ...) \
	SKIP(longjmp(_metadata->env, 1), fmt, ##__VA_ARGS__)

/*
 * SPEC 3.8 is stricter than upstream: where upstream changes the VMAs
 * before a sealed one and then fails, the module changes nothing.  A
 * kernel that enforces seals itself is upstream.
 */
#define SKIP_IF_KERNEL_ENFORCES_3_8() do {				\
	if (kernel_enforces())						\
		SKIP(return, "native mseal: the kernel changes what lies before a seal (SPEC 3.8's all-or-nothing is the module's)"); \
} while (0)

/*
 * In a FIXTURE_SETUP: the sealing backend must be there (the device open
 * when the module is what seals).
 */
#define ASSERT_BACKEND() do {						\
	if (!backend_is_syscall()) {					\
		int __fd = mseal_dev_fd();				\
									\
		ASSERT_LE(0, __fd) TH_LOG("cannot open %s: %s (module loaded?)", \
					  MSEAL_DEV_PATH, strerror(-__fd)); \
	}								\
} while (0)

/*
 * FIXTURE @name: @npages RW private anonymous pages, one VMA, filled with
 * pattern @seed, framed by unmapped guard pages; lo/len cover guards and
 * region, the range EXPECT_REFUSED compares.  P(i) is page i, PS the page
 * size, REFUSED(want, call) the check on the whole framed region.
 */
#define GUARDED_REGION_FIXTURE(name, npages, seed)			\
FIXTURE(name) {								\
	char *base, *lo;						\
	size_t ps, len;							\
};									\
FIXTURE_SETUP(name)							\
{									\
	self->ps = pgsz();						\
	ASSERT_BACKEND();						\
	self->base = map_region(npages);				\
	ASSERT_TRUE(self->base != NULL);				\
	fill_pattern(self->base, (npages) * self->ps, (seed));		\
	self->lo = self->base - self->ps;				\
	self->len = ((npages) + 2) * self->ps;				\
}									\
FIXTURE_TEARDOWN(name)							\
{									\
}

#define P(i) pg(self->base, (i))
#define PS (self->ps)
#define REFUSED(want, call) EXPECT_REFUSED(want, call, self->lo, self->len)

/*
 * Slow kernels (the debug kernel: KASAN, lockdep) run the same tests with
 * every harness timeout multiplied by MSEAL_TIMEOUT_SCALE (an integer; the
 * guest's init sets it from msealvm.tscale=).  Call before
 * test_harness_run(); TEST_HARNESS_MAIN does.
 */
static inline void mseal_scale_timeouts(void)
{
	const char *env = getenv("MSEAL_TIMEOUT_SCALE");
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	int k = env ? atoi(env) : 1;

	if (k <= 1)
		return;
	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= k;
}

/*
 * The tests whose point is scale (many seals in one process, many
 * processes, many race rounds) run a tenth of their rounds on a slow
 * kernel (MSEAL_TIMEOUT_SCALE > 1: the debug kernel, which is there for
 * what each round does under KASAN and lockdep, not for their number; its
 * DEBUG_VM and KASAN make a seal among 40,000 VMAs take ~18 ms).  The
 * stock kernels run them all.
 */
static inline int mseal_rounds(int n)
{
	const char *env = getenv("MSEAL_TIMEOUT_SCALE");

	return env && atoi(env) > 1 && n >= 10 ? n / 10 : n;
}

#undef TEST_HARNESS_MAIN
#define TEST_HARNESS_MAIN \
	static void __attribute__((constructor)) \
	__constructor_order_last(void) \
	{ \
		if (!__constructor_order) \
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	} \
	int main(int argc, char **argv) { \
		mseal_scale_timeouts(); \
		return test_harness_run(argc, argv); \
	}

#endif /* MSEAL_HARNESS_H */
