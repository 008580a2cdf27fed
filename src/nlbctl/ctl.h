/* SPDX-License-Identifier: GPL-2.0 */
/* nlbctl's shared context: the connection, output format, exit codes. */
#ifndef NLBCTL_CTL_H
#define NLBCTL_CTL_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "cp_httpc.h"

/* Exit codes scripts can rely on (docs/nlbctl.md). */
enum {
	EXIT_OK = 0,
	EXIT_DIFF = 1, /* diff: differences found */
	EXIT_USAGE = 2, /* bad command line or manifest syntax */
	EXIT_NOTFOUND = 3, /* 404 */
	EXIT_CONFLICT = 4, /* 409: exists, generation moved, pool empty */
	EXIT_INVALID = 5, /* 400, 413, 422: the request was rejected */
	EXIT_AUTH = 6, /* 401, 403 */
	EXIT_SERVER = 7, /* unreachable, 5xx, anything else */
};

enum ctl_fmt { FMT_TABLE, FMT_JSON, FMT_YAML };

struct ctl {
	const char *endpoint;
	const char *token;
	enum ctl_fmt fmt;
	struct cp_httpc *http;
	/* verb arguments after the global flags */
	int argc;
	char **argv;
	/* a 404 is an answer, not an error, for the next call (apply) */
	bool quiet_404;
};

/* One request; prints the server's error (naming the field) and returns an
 * exit code != 0 on failure. *out gets the parsed body when non-NULL. */
int ctl_call(struct ctl *c, const char *method, const char *path,
	     const char *if_match, const cJSON *body, cJSON **out, char *etag,
	     int *status);
int ctl_exit_for_status(int status);

/* output */
void ctl_print(const struct ctl *c, const cJSON *j);
void ctl_table(const cJSON *items, const char *const *cols,
	       const char *const *paths);
/* Prints "  + path: v", "  - path: v", "  ~ path: a -> b"; returns the
 * number of differences. */
int ctl_diff(const char *path, const cJSON *a, const cJSON *b, bool print);
/* A value at a dotted path ("status.vip"), as a string; "" if none. */
const char *ctl_str(const cJSON *j, const char *path, char *buf, int n);

/* config */
int ctl_config_load(struct ctl *c, const char *path, bool explicit_path);

/* commands */
int do_apply(struct ctl *c);
int do_diff(struct ctl *c);
int do_get(struct ctl *c);
int do_describe(struct ctl *c);
int do_delete(struct ctl *c);
int do_nodes(struct ctl *c);
int do_drain(struct ctl *c);
int do_pools(struct ctl *c);
int do_tenants(struct ctl *c);
int do_token(struct ctl *c);

/* flag helper for verbs: the value of "--name v" or "-x v" in argv, or
 * NULL; a bare "--name" gives "" */
const char *ctl_opt(struct ctl *c, const char *lng, const char *shrt,
		    bool takes_value);
/* positional argument i (flags skipped), or NULL */
const char *ctl_arg(struct ctl *c, int i);

#endif /* NLBCTL_CTL_H */
