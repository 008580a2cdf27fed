// SPDX-License-Identifier: GPL-2.0
/* nlbctl's output: tables, JSON, YAML and spec diffs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_yaml.h"
#include "ctl.h"

void ctl_print(const struct ctl *c, const cJSON *j)
{
	char *s = c->fmt == FMT_YAML ? cp_yaml_emit(j) : cJSON_Print(j);

	if (s)
		fputs(s, stdout);
	if (c->fmt != FMT_YAML)
		fputc('\n', stdout);
	free(s);
}

const char *ctl_str(const cJSON *j, const char *path, char *buf, int n)
{
	char tmp[128], *tok, *save = NULL;
	const cJSON *cur = j;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (tok = strtok_r(tmp, ".", &save); tok && cur;
	     tok = strtok_r(NULL, ".", &save))
		cur = cJSON_GetObjectItem(cur, tok);
	buf[0] = 0;
	if (cJSON_IsString(cur))
		snprintf(buf, (size_t)n, "%s", cur->valuestring);
	else if (cJSON_IsNumber(cur))
		snprintf(buf, (size_t)n, "%g", cur->valuedouble);
	else if (cJSON_IsBool(cur))
		snprintf(buf, (size_t)n, "%s",
			 cJSON_IsTrue(cur) ? "true" : "false");
	else if (cur && cur != j) {
		char *s = cJSON_PrintUnformatted(cur);

		snprintf(buf, (size_t)n, "%s", s ? s : "");
		free(s);
	}
	return buf;
}

void ctl_table(const cJSON *items, const char *const *cols,
	       const char *const *paths)
{
	int w[16] = {0}, nc, i;
	const cJSON *it;
	char buf[256];

	for (nc = 0; nc < 16 && cols[nc]; nc++)
		w[nc] = (int)strlen(cols[nc]);
	cJSON_ArrayForEach(it, items) for (i = 0; i < nc; i++)
	{
		int l = (int)strlen(ctl_str(it, paths[i], buf, sizeof(buf)));

		w[i] = l > w[i] ? l : w[i];
	}
	for (i = 0; i < nc; i++)
		printf("%-*s%s", w[i], cols[i], i + 1 < nc ? "   " : "\n");
	cJSON_ArrayForEach(it, items) for (i = 0; i < nc; i++)
		printf("%-*s%s", w[i], ctl_str(it, paths[i], buf, sizeof(buf)),
		       i + 1 < nc ? "   " : "\n");
}

static void show(const char *sign, const char *path, const cJSON *v,
		 const cJSON *to)
{
	char *a = v ? cJSON_PrintUnformatted(v) : NULL;
	char *b = to ? cJSON_PrintUnformatted(to) : NULL;

	if (to)
		printf("  %s %s: %s -> %s\n", sign, path, a ? a : "",
		       b ? b : "");
	else
		printf("  %s %s: %s\n", sign, path, a ? a : "");
	free(a);
	free(b);
}

int ctl_diff(const char *path, const cJSON *a, const cJSON *b, bool print)
{
	char sub[256];
	const cJSON *c;
	int n = 0, i;

	if (!a && !b)
		return 0;
	if (!a || !b) {
		if (print)
			show(a ? "-" : "+", path, a ? a : b, NULL);
		return 1;
	}
	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		cJSON_ArrayForEach(c, a)
		{
			snprintf(sub, sizeof(sub), "%s%s%s", path,
				 *path ? "." : "", c->string);
			n += ctl_diff(
				sub, c,
				cJSON_GetObjectItemCaseSensitive(b, c->string),
				print);
		}
		cJSON_ArrayForEach(c, b)
		{
			if (cJSON_GetObjectItemCaseSensitive(a, c->string))
				continue;
			snprintf(sub, sizeof(sub), "%s%s%s", path,
				 *path ? "." : "", c->string);
			n += ctl_diff(sub, NULL, c, print);
		}
		return n;
	}
	if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
		int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);

		for (i = 0; i < na || i < nb; i++) {
			snprintf(sub, sizeof(sub), "%s[%d]", path, i);
			n += ctl_diff(sub, cJSON_GetArrayItem(a, i),
				      cJSON_GetArrayItem(b, i), print);
		}
		return n;
	}
	if (cJSON_Compare(a, b, true))
		return 0;
	if (print)
		show("~", path, a, b);
	return 1;
}
