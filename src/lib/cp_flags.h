/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line flags from one table per daemon: the table drives parsing,
 * validation (names the flag), --help and the docs. */
#ifndef NLB_CP_FLAGS_H
#define NLB_CP_FLAGS_H

#include <stddef.h>
#include <stdio.h>

enum cp_flag_type { CP_FLAG_STR, CP_FLAG_INT, CP_FLAG_BOOL };

struct cp_flag {
	const char *name; /* without the leading -- */
	enum cp_flag_type type;
	size_t off; /* offsetof() in the daemon's config struct */
	long long min, max;
	const char *help;
};

/* Parses argv into cfg; on error writes "flag: why" into err and returns
 * -EINVAL; returns 1 when --help was asked for. Positional arguments are
 * not accepted. */
int cp_flags_parse(const struct cp_flag *t, size_t n, void *cfg, int argc,
		   char **argv, char *err, size_t errlen);
void cp_flags_usage(FILE *f, const char *prog, const char *what,
		    const struct cp_flag *t, size_t n, const void *cfg);

#endif /* NLB_CP_FLAGS_H */
