// SPDX-License-Identifier: GPL-2.0
/* Running a program for the BGP modules: output (both streams) and exit
 * code captured, a time limit that kills the whole process group, a clear
 * error when the program does not exist. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "bgp_exec.h"
#include "nlbtest.h"

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

NLB_TEST(bgp_exec_output_and_code)
{
	const char *argv[] = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3",
			      NULL};
	struct bgp_exec_result r;

	REQUIRE(t, bgp_exec(argv, 5000, 1 << 20, &r) == 0);
	CHECK_EQ_INT(t, r.exit_code, 3);
	CHECK(t, strstr(r.out, "out\n") && strstr(r.out, "err\n"), "%s", r.out);
	CHECK_EQ_INT(t, r.truncated, 0);
	bgp_exec_result_free(&r);
	bgp_exec_result_free(&r); /* twice is fine */
	bgp_exec_result_free(NULL);
}

NLB_TEST(bgp_exec_no_shell)
{
	/* arguments reach the program as they are: no word splitting */
	const char *argv[] = {"printf", "%s|", "a b", "$HOME", ";x", NULL};
	struct bgp_exec_result r;

	REQUIRE(t, bgp_exec(argv, 5000, 4096, &r) == 0);
	CHECK(t, !strcmp(r.out, "a b|$HOME|;x|"), "%s", r.out);
	bgp_exec_result_free(&r);
}

NLB_TEST(bgp_exec_missing_program)
{
	const char *argv[] = {"/nonexistent/vtysh", "-c", "x", NULL};
	const char *none[] = {NULL};
	struct bgp_exec_result r;

	CHECK_EQ_INT(t, bgp_exec(argv, 5000, 4096, &r), -ENOENT);
	CHECK(t, r.out == NULL);
	CHECK_EQ_INT(t, bgp_exec(none, 5000, 4096, &r), -EINVAL);
	CHECK_EQ_INT(t, bgp_exec(argv, 0, 4096, &r), -EINVAL);
}

NLB_TEST(bgp_exec_timeout_kills_group)
{
	/* the grandchild holds the pipe open too: killing the group ends it */
	const char *argv[] = {"/bin/sh", "-c", "echo started; sleep 30 & wait",
			      NULL};
	struct bgp_exec_result r;
	long long t0 = ms_now(), took;
	int e;

	e = bgp_exec(argv, 300, 4096, &r);
	took = ms_now() - t0;
	CHECK_EQ_INT(t, e, -ETIMEDOUT);
	CHECK(t, took >= 300 && took < 3000, "took %lld ms", took);
	CHECK(t, r.out && strstr(r.out, "started"), "partial output kept");
	bgp_exec_result_free(&r);
}

NLB_TEST(bgp_exec_truncates)
{
	const char *argv[] = {"/bin/sh", "-c",
			      "head -c 100000 /dev/zero | tr '\\0' x", NULL};
	struct bgp_exec_result r;

	REQUIRE(t, bgp_exec(argv, 5000, 1000, &r) == 0);
	CHECK_EQ_INT(t, r.len, 1000);
	CHECK_EQ_INT(t, r.truncated, 1);
	CHECK_EQ_INT(t, strlen(r.out), 1000);
	CHECK_EQ_INT(t, r.exit_code, 0);
	bgp_exec_result_free(&r);
}
