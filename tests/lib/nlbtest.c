/* SPDX-License-Identifier: GPL-2.0 */
/* Runs the tests registered with NLB_TEST and prints one line per result. */
#include "nlbtest.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NLBT_MAX_TESTS 256

struct nlbt {
	const char *test;
	char sub[192];
	bool in_sub;
	bool failed; /* current leaf */
	bool skipped; /* current leaf */
	bool any_failed; /* whole test, including subtests */
	int subs_run;
	const char *filter;
	int passed, nfailed, nskipped;
};

static struct {
	const char *name;
	nlbt_fn fn;
} tests[NLBT_MAX_TESTS];
static int ntests;

void nlbt_register(const char *name, nlbt_fn fn)
{
	if (ntests == NLBT_MAX_TESTS) {
		fprintf(stderr, "nlbtest: too many tests\n");
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

static void leaf_name(const struct nlbt *t, char *buf, size_t len)
{
	if (t->in_sub)
		snprintf(buf, len, "%s/%s", t->test, t->sub);
	else
		snprintf(buf, len, "%s", t->test);
}

static bool matches(const struct nlbt *t, const char *name)
{
	const char *f = t->filter;

	if (!f || !*f)
		return true;
	/* A filter naming a test also selects all its subtests, and a
	 * filter naming a subtest selects its test. */
	return strstr(name, f) || strncmp(f, name, strlen(name)) == 0;
}

bool nlbt_sub_begin(struct nlbt *t, const char *fmt, ...)
{
	char full[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->sub, sizeof(t->sub), fmt, ap);
	va_end(ap);
	t->in_sub = true;
	leaf_name(t, full, sizeof(full));
	if (t->filter && *t->filter && !strstr(full, t->filter) &&
	    !strstr(t->test, t->filter)) {
		t->in_sub = false;
		return false;
	}
	t->failed = false;
	t->skipped = false;
	t->subs_run++;
	return true;
}

static void report_leaf(struct nlbt *t, const char *why)
{
	char name[256];

	leaf_name(t, name, sizeof(name));
	if (t->failed) {
		t->nfailed++;
		/* FAIL lines with reasons were printed by nlbt_fail */
		printf("FAIL %s\n", name);
	} else if (t->skipped) {
		t->nskipped++;
		printf("SKIP %s: %s\n", name, why ? why : "");
	} else {
		t->passed++;
		printf("PASS %s\n", name);
	}
	fflush(stdout);
}

static char skip_reason[256];

void nlbt_sub_end(struct nlbt *t)
{
	if (!t->in_sub)
		return;
	report_leaf(t, skip_reason);
	t->in_sub = false;
	t->failed = false;
	t->skipped = false;
}

void nlbt_fail(struct nlbt *t, const char *file, int line, const char *cond,
	       const char *fmt, ...)
{
	char name[256];
	va_list ap;

	leaf_name(t, name, sizeof(name));
	printf("  %s: %s:%d: %s%s", name, file, line, cond, *fmt ? ": " : "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	t->failed = true;
	t->any_failed = true;
}

void nlbt_skip(struct nlbt *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
	t->skipped = true;
}

bool nlbt_failed(const struct nlbt *t)
{
	return t->failed;
}

int main(int argc, char **argv)
{
	struct nlbt t = {0};

	setvbuf(stdout, NULL, _IOLBF, 0);
	t.filter = argc > 1 ? argv[1] : getenv("NLB_TEST_FILTER");
	for (int i = 0; i < ntests; i++) {
		if (!matches(&t, tests[i].name) &&
		    !(t.filter && strncmp(t.filter, tests[i].name,
					  strlen(tests[i].name)) == 0))
			continue;
		t.test = tests[i].name;
		t.in_sub = false;
		t.failed = t.skipped = t.any_failed = false;
		t.subs_run = 0;
		skip_reason[0] = 0;
		tests[i].fn(&t);
		if (t.in_sub) /* a subtest left by REQUIRE's return */
			nlbt_sub_end(&t);
		if (t.subs_run == 0 || t.failed || t.skipped)
			report_leaf(&t, skip_reason);
	}
	printf("# %d passed, %d failed, %d skipped\n", t.passed, t.nfailed,
	       t.nskipped);
	return t.nfailed ? 1 : 0;
}
