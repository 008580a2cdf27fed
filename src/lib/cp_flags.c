// SPDX-License-Identifier: GPL-2.0
/* Table-driven command-line flags (see cp_flags.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cp_flags.h"

static int set(const struct cp_flag *f, void *cfg, const char *v, char *err,
	       size_t errlen)
{
	char *p = (char *)cfg + f->off, *e;
	long long x;

	switch (f->type) {
	case CP_FLAG_STR:
		*(const char **)p = v;
		return 0;
	case CP_FLAG_BOOL:
		if (!v || !strcmp(v, "true") || !strcmp(v, "1"))
			*(int *)p = 1;
		else if (!strcmp(v, "false") || !strcmp(v, "0"))
			*(int *)p = 0;
		else
			goto bad;
		return 0;
	case CP_FLAG_INT:
		errno = 0;
		x = strtoll(v, &e, 10);
		if (errno || !*v || *e || x < f->min || x > f->max) {
			snprintf(err, errlen,
				 "--%s: must be an integer from %lld to %lld",
				 f->name, f->min, f->max);
			return -EINVAL;
		}
		*(long long *)p = x;
		return 0;
	}
bad:
	snprintf(err, errlen, "--%s: must be true or false", f->name);
	return -EINVAL;
}

int cp_flags_parse(const struct cp_flag *t, size_t n, void *cfg, int argc,
		   char **argv, char *err, size_t errlen)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *v;
		size_t k, len;

		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return 1;
		if (strncmp(a, "--", 2)) {
			snprintf(err, errlen, "%s: unexpected argument", a);
			return -EINVAL;
		}
		a += 2;
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a) : strlen(a);
		for (k = 0; k < n; k++)
			if (strlen(t[k].name) == len &&
			    !strncmp(t[k].name, a, len))
				break;
		if (k == n) {
			snprintf(err, errlen, "--%.*s: unknown flag", (int)len,
				 a);
			return -EINVAL;
		}
		if (eq)
			v = eq + 1;
		else if (t[k].type == CP_FLAG_BOOL)
			v = NULL;
		else if (i + 1 < argc)
			v = argv[++i];
		else {
			snprintf(err, errlen, "--%s: needs a value", t[k].name);
			return -EINVAL;
		}
		if (set(&t[k], cfg, v, err, errlen))
			return -EINVAL;
	}
	return 0;
}

void cp_flags_usage(FILE *f, const char *prog, const char *what,
		    const struct cp_flag *t, size_t n, const void *cfg)
{
	size_t k;

	fprintf(f, "usage: %s [flags]\n%s\n\nflags:\n", prog, what);
	for (k = 0; k < n; k++) {
		const char *p = (const char *)cfg + t[k].off;

		fprintf(f, "  --%-22s %s", t[k].name, t[k].help);
		if (t[k].type == CP_FLAG_STR && *(const char *const *)p)
			fprintf(f, " (default %s)", *(const char *const *)p);
		else if (t[k].type == CP_FLAG_INT)
			fprintf(f, " (default %lld)", *(const long long *)p);
		fputc('\n', f);
	}
}
