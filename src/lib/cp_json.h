/* SPDX-License-Identifier: GPL-2.0 */
/* Strict JSON field readers for request validation: each names the field it
 * rejects (a JSON path like spec.listeners[0].port) in a cp_err. */
#ifndef NLB_CP_JSON_H
#define NLB_CP_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

struct cp_err {
	int status; /* HTTP status to answer with */
	char field[160];
	char msg[200];
};

/* Fills e and returns -EINVAL (so callers can `return cp_err_set(...)`). */
int cp_err_set(struct cp_err *e, int status, const char *field, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));

/* Rejects any member of obj whose name is not in the NULL-terminated list. */
int cp_json_only(const cJSON *obj, const char *path, const char *const *known,
		 struct cp_err *e);
/* Integer member in [min, max]; absent: *out = def, or an error if def is
 * CP_REQUIRED. */
#define CP_REQUIRED (-0x7fffffffffffLL)
int cp_json_int(const cJSON *obj, const char *path, const char *name,
		long long min, long long max, long long def, long long *out,
		struct cp_err *e);
/* String member of length [1, maxlen]; absent: *out = def (may be NULL), or
 * an error when required. *out points into obj. */
int cp_json_str(const cJSON *obj, const char *path, const char *name,
		size_t maxlen, bool required, const char *def, const char **out,
		struct cp_err *e);
/* String member that must be one of the NULL-terminated choices. */
int cp_json_enum(const cJSON *obj, const char *path, const char *name,
		 const char *const *choices, const char *def, const char **out,
		 struct cp_err *e);
int cp_json_bool(const cJSON *obj, const char *path, const char *name, bool def,
		 bool *out, struct cp_err *e);
/* Parses a request body: 400 on malformed JSON, 422 when not an object. */
cJSON *cp_json_parse_object(const char *body, size_t len, struct cp_err *e);
/* RFC 7386 JSON merge patch: applies patch to *target in place. */
int cp_json_merge_patch(cJSON **target, const cJSON *patch);
/* "path.name" or "name" into buf. */
const char *cp_json_path(char *buf, size_t n, const char *path,
			 const char *name);

#endif /* NLB_CP_JSON_H */
