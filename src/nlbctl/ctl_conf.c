// SPDX-License-Identifier: GPL-2.0
/* nlbctl's config file: a YAML mapping with endpoint and token. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_yaml.h"
#include "ctl.h"

int ctl_config_load(struct ctl *c, const char *path, bool explicit_path)
{
	static const char *const known[] = {"endpoint", "token", NULL};
	char buf[8192], err[256];
	cJSON *docs, *d, *it;
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f) {
		if (!explicit_path && errno == ENOENT)
			return 0;
		fprintf(stderr, "error: config %s: %s\n", path,
			strerror(errno));
		return EXIT_USAGE;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	docs = cp_yaml_parse(buf, n, err, sizeof(err));
	if (!docs) {
		fprintf(stderr, "error: config %s: %s\n", path, err);
		return EXIT_USAGE;
	}
	d = cJSON_GetArrayItem(docs, 0);
	if (d && !cJSON_IsObject(d)) {
		fprintf(stderr, "error: config %s: must be a mapping\n", path);
		cJSON_Delete(docs);
		return EXIT_USAGE;
	}
	cJSON_ArrayForEach(it, d)
	{
		const char *const *k;

		for (k = known; *k && strcmp(*k, it->string); k++)
			;
		if (!*k || !cJSON_IsString(it)) {
			fprintf(stderr, "error: config %s: %s: %s\n", path,
				it->string,
				*k ? "must be a string" : "unknown key");
			cJSON_Delete(docs);
			return EXIT_USAGE;
		}
		/* flags and environment win over the file */
		if (!strcmp(it->string, "endpoint") && !c->endpoint)
			c->endpoint = strdup(it->valuestring);
		if (!strcmp(it->string, "token") && !c->token)
			c->token = strdup(it->valuestring);
	}
	cJSON_Delete(docs);
	return 0;
}
