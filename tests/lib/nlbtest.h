/* SPDX-License-Identifier: GPL-2.0 */
/* The C side of nlb's one test runner: registration, subtests, checks.
 *
 * A test program prints one line per leaf result, "PASS name", "FAIL name: why"
 * or "SKIP name: why", which tests/run counts. Filter with a substring of
 * "test" or "test/subtest" as argv[1] or in NLB_TEST_FILTER.
 */
#ifndef NLBTEST_H
#define NLBTEST_H

#include <stdbool.h>
#include <stdio.h>

struct nlbt;
typedef void (*nlbt_fn)(struct nlbt *t);

void nlbt_register(const char *name, nlbt_fn fn);

/* Start a subtest; false when the filter excludes it (skip its body). */
bool nlbt_sub_begin(struct nlbt *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void nlbt_sub_end(struct nlbt *t);

/* Record a failure of the current subtest (or test) and keep going; cond is
 * the failed expression's text, printed with the optional message. */
void nlbt_fail(struct nlbt *t, const char *file, int line, const char *cond,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* CHECK(t, cond) with no message is fine: the condition is printed. */
#pragma GCC diagnostic ignored "-Wformat-zero-length"
/* Mark the current subtest (or test) skipped, with a reason. */
void nlbt_skip(struct nlbt *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool nlbt_failed(const struct nlbt *t);

#define NLB_TEST(name)                                                 \
	static void test_##name(struct nlbt *t);                       \
	__attribute__((constructor)) static void nlbt_reg_##name(void) \
	{                                                              \
		nlbt_register(#name, test_##name);                     \
	}                                                              \
	static void test_##name(struct nlbt *t)

/* CHECK evaluates to the condition, so a failed setup step can bail out:
 *   if (!CHECK(t, fd >= 0, "open: %d", fd)) return; */
#define CHECK(t, cond, ...)                                       \
	({                                                        \
		bool nlbt_ok_ = (cond);                           \
		if (!nlbt_ok_)                                    \
			nlbt_fail((t), __FILE__, __LINE__, #cond, \
				  "" __VA_ARGS__);                \
		nlbt_ok_;                                         \
	})

/* REQUIRE stops the current test function when the condition is false. */
#define REQUIRE(t, cond, ...)                     \
	do {                                      \
		if (!CHECK(t, cond, __VA_ARGS__)) \
			return;                   \
	} while (0)

#define CHECK_EQ_INT(t, got, want)                            \
	CHECK(t, (long long)(got) == (long long)(want),       \
	      "%s = %lld, want %lld", #got, (long long)(got), \
	      (long long)(want))

#endif /* NLBTEST_H */
