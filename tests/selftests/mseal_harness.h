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

#endif /* MSEAL_HARNESS_H */
