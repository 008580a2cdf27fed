// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: request bodies through the gateway's JSON parsing, the
 * LoadBalancer validator and a merge patch onto a valid document. A valid
 * result must validate again to itself (canonical form is a fixed point). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cp_json.h"
#include "gw_lb.h"

static const char base[] = "{\"name\":\"web\",\"spec\":{\"listeners\":[{"
			   "\"port\":80,\"backends\":[{\"address\":"
			   "\"10.0.0.1\"}]}]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct gw_limits lim = {
		.max_listeners = 8, .max_backends = 16, .max_replicas = 16};
	struct cp_err e = {0};
	cJSON *canon = NULL, *again = NULL, *doc, *patch;

	if (!gw_lb_validate_text((const char *)data, size, &lim, &canon, &e)) {
		if (gw_lb_validate(canon, NULL, &lim, &again, &e) ||
		    !cJSON_Compare(canon, again, 1))
			abort();
		cJSON_Delete(again);
		cJSON_Delete(canon);
	} else if (canon || !e.status || e.status < 400 || e.status > 500) {
		abort(); /* a failure always says why, and writes no result */
	}
	patch = cp_json_parse_object((const char *)data, size, &e);
	if (patch) {
		doc = cJSON_Parse(base);
		if (doc && !cp_json_merge_patch(&doc, patch) &&
		    !gw_lb_validate(doc, "web", &lim, &canon, &e))
			cJSON_Delete(canon);
		cJSON_Delete(doc);
		cJSON_Delete(patch);
	}
	return 0;
}
