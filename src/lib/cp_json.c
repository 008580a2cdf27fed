// SPDX-License-Identifier: GPL-2.0
/* Strict JSON field readers for request validation (see cp_json.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cp_json.h"

int cp_err_set(struct cp_err *e, int status, const char *field, const char *fmt,
	       ...)
{
	va_list ap;

	e->status = status;
	snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *cp_json_path(char *buf, size_t n, const char *path,
			 const char *name)
{
	if (path && *path)
		snprintf(buf, n, "%s.%s", path, name);
	else
		snprintf(buf, n, "%s", name);
	return buf;
}

int cp_json_only(const cJSON *obj, const char *path, const char *const *known,
		 struct cp_err *e)
{
	const cJSON *it;
	char f[160];

	cJSON_ArrayForEach(it, obj)
	{
		const char *const *k;

		for (k = known; *k; k++)
			if (!strcmp(*k, it->string))
				break;
		if (!*k)
			return cp_err_set(
				e, 422,
				cp_json_path(f, sizeof(f), path, it->string),
				"unknown field");
	}
	/* duplicate keys would make "which one wins" ambiguous */
	cJSON_ArrayForEach(it, obj)
	{
		const cJSON *o;

		for (o = it->next; o; o = o->next)
			if (!strcmp(o->string, it->string))
				return cp_err_set(e, 422,
						  cp_json_path(f, sizeof(f),
							       path, o->string),
						  "duplicate field");
	}
	return 0;
}

int cp_json_int(const cJSON *obj, const char *path, const char *name,
		long long min, long long max, long long def, long long *out,
		struct cp_err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	char f[160];
	double d;

	cp_json_path(f, sizeof(f), path, name);
	if (!v || cJSON_IsNull(v)) {
		if (def == CP_REQUIRED)
			return cp_err_set(e, 422, f, "required");
		*out = def;
		return 0;
	}
	if (!cJSON_IsNumber(v))
		return cp_err_set(e, 422, f, "must be an integer");
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d))
		return cp_err_set(e, 422, f, "must be an integer");
	if (d < (double)min || d > (double)max)
		return cp_err_set(e, 422, f, "must be between %lld and %lld",
				  min, max);
	*out = (long long)d;
	return 0;
}

int cp_json_str(const cJSON *obj, const char *path, const char *name,
		size_t maxlen, bool required, const char *def, const char **out,
		struct cp_err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	char f[160];
	size_t len;

	cp_json_path(f, sizeof(f), path, name);
	if (!v || cJSON_IsNull(v)) {
		if (required)
			return cp_err_set(e, 422, f, "required");
		*out = def;
		return 0;
	}
	if (!cJSON_IsString(v))
		return cp_err_set(e, 422, f, "must be a string");
	len = strlen(v->valuestring);
	if (!len || len > maxlen)
		return cp_err_set(e, 422, f, "length must be 1 to %zu", maxlen);
	*out = v->valuestring;
	return 0;
}

int cp_json_enum(const cJSON *obj, const char *path, const char *name,
		 const char *const *choices, const char *def, const char **out,
		 struct cp_err *e)
{
	const char *s, *const *c;
	char f[160], list[120] = "";
	int err;

	err = cp_json_str(obj, path, name, 64, !def, def, &s, e);
	if (err)
		return err;
	if (s == def) {
		*out = def;
		return 0;
	}
	for (c = choices; *c; c++) {
		if (!strcmp(*c, s)) {
			*out = *c;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", c == choices ? "" : ", ", *c);
	}
	return cp_err_set(e, 422, cp_json_path(f, sizeof(f), path, name),
			  "must be one of %s", list);
}

int cp_json_bool(const cJSON *obj, const char *path, const char *name, bool def,
		 bool *out, struct cp_err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	char f[160];

	if (!v || cJSON_IsNull(v)) {
		*out = def;
		return 0;
	}
	if (!cJSON_IsBool(v))
		return cp_err_set(e, 422,
				  cp_json_path(f, sizeof(f), path, name),
				  "must be true or false");
	*out = cJSON_IsTrue(v);
	return 0;
}

cJSON *cp_json_parse_object(const char *body, size_t len, struct cp_err *e)
{
	const char *end = NULL;
	cJSON *j;

	if (!len) {
		cp_err_set(e, 400, "", "empty body, a JSON object is required");
		return NULL;
	}
	j = cJSON_ParseWithLengthOpts(body, len, &end, false);
	if (!j) {
		cp_err_set(e, 400, "", "malformed JSON near byte %zu",
			   end ? (size_t)(end - body) : (size_t)0);
		return NULL;
	}
	/* only whitespace may follow the value */
	while (end && (size_t)(end - body) < len &&
	       (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
		end++;
	if (end && (size_t)(end - body) < len && *end) {
		cJSON_Delete(j);
		cp_err_set(e, 400, "", "trailing data after the JSON value");
		return NULL;
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		cp_err_set(e, 422, "", "the body must be a JSON object");
		return NULL;
	}
	return j;
}

int cp_json_merge_patch(cJSON **target, const cJSON *patch)
{
	const cJSON *p;

	if (!cJSON_IsObject(patch)) {
		cJSON *dup = cJSON_Duplicate(patch, true);

		if (!dup)
			return -ENOMEM;
		cJSON_Delete(*target);
		*target = dup;
		return 0;
	}
	if (!cJSON_IsObject(*target)) {
		cJSON_Delete(*target);
		*target = cJSON_CreateObject();
		if (!*target)
			return -ENOMEM;
	}
	cJSON_ArrayForEach(p, patch)
	{
		cJSON *cur;
		int err;

		if (cJSON_IsNull(p)) {
			cJSON_DeleteItemFromObjectCaseSensitive(*target,
								p->string);
			continue;
		}
		cur = cJSON_DetachItemFromObjectCaseSensitive(*target,
							      p->string);
		if (!cur)
			cur = cJSON_CreateNull();
		if (!cur)
			return -ENOMEM;
		err = cp_json_merge_patch(&cur, p);
		if (err) {
			cJSON_Delete(cur);
			return err;
		}
		cJSON_AddItemToObject(*target, p->string, cur);
	}
	return 0;
}
