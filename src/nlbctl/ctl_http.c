// SPDX-License-Identifier: GPL-2.0
/* nlbctl's requests and the mapping of HTTP statuses to exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

int ctl_exit_for_status(int status)
{
	if (status >= 200 && status < 300)
		return EXIT_OK;
	switch (status) {
	case 404:
		return EXIT_NOTFOUND;
	case 409:
	case 412:
		return EXIT_CONFLICT;
	case 400:
	case 411:
	case 413:
	case 422:
		return EXIT_INVALID;
	case 401:
	case 403:
		return EXIT_AUTH;
	default:
		return EXIT_SERVER;
	}
}

int ctl_call(struct ctl *c, const char *method, const char *path,
	     const char *if_match, const cJSON *body, cJSON **out, char *etag,
	     int *status)
{
	struct cp_httpc_resp r;
	char *b = body ? cJSON_PrintUnformatted(body) : NULL;
	int err, rc;

	if (out)
		*out = NULL;
	err = cp_httpc_do(c->http, method, path, if_match, b, &r);
	free(b);
	if (err) {
		fprintf(stderr, "error: %s: %s\n", c->endpoint, strerror(-err));
		return EXIT_SERVER;
	}
	if (status)
		*status = r.status;
	if (etag)
		snprintf(etag, 32, "%s", r.etag);
	rc = ctl_exit_for_status(r.status);
	if (rc && !(c->quiet_404 && r.status == 404)) {
		cJSON *j = cJSON_Parse(r.body ? r.body : "");
		cJSON *e = cJSON_GetObjectItem(j, "error");
		const char *field =
			cJSON_GetStringValue(cJSON_GetObjectItem(e, "field"));
		const char *msg =
			cJSON_GetStringValue(cJSON_GetObjectItem(e, "message"));

		if (field && *field)
			fprintf(stderr, "error: %s: %s (HTTP %d)\n", field,
				msg ? msg : "", r.status);
		else
			fprintf(stderr, "error: %s (HTTP %d)\n",
				msg ? msg : "request failed", r.status);
		cJSON_Delete(j);
	} else if (out && r.body && *r.body) {
		*out = cJSON_Parse(r.body);
	}
	cp_httpc_resp_clear(&r);
	return rc;
}
