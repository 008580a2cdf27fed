// SPDX-License-Identifier: GPL-2.0
/* nlblet's calls to the gateway's node API (docs/api.md, "Nodes"). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlblet.h"

/* ok2: a second status that is a success too (0: none) */
static int call(struct nlblet *n, struct cp_httpc *c, const char *method,
		const char *path, const char *body, int ok, int ok2, char **out)
{
	struct cp_httpc_resp r = {0};
	int err = cp_httpc_do(c, method, path, NULL, body, &r);

	if (err)
		return err;
	if (r.status != ok && (!ok2 || r.status != ok2)) {
		nlb_logf(&n->log, NLB_LOG_WARN,
			 "event=gateway_error method=%s path=%s status=%d "
			 "body=\"%.200s\"",
			 method, path, r.status, r.body ? r.body : "");
		err = r.status;
	} else if (out) {
		*out = r.body;
		r.body = NULL;
	}
	cp_httpc_resp_clear(&r);
	return err;
}

int nlblet_register(struct nlblet *n)
{
	char path[256];
	cJSON *b = cJSON_CreateObject();
	char *body;
	int err;

	if (!b)
		return -ENOMEM;
	cJSON_AddStringToObject(b, "zone", n->o.zone);
	body = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	if (!body)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/v1/nodes/%s/register", n->o.node);
	/* 200: registered before */
	err = call(n, n->http, "POST", path, body, 201, 200, NULL);
	free(body);
	return err;
}

int nlblet_heartbeat(struct nlblet *n)
{
	char path[256];

	snprintf(path, sizeof(path), "/v1/nodes/%s/heartbeat", n->o.node);
	return call(n, n->hb_http, "POST", path, NULL, 204, 0, NULL);
}

int nlblet_poll(struct nlblet *n, char **doc)
{
	char path[320];
	cJSON *d;
	long long rev;
	int err;

	snprintf(path, sizeof(path),
		 "/v1/nodes/%s/assignments?revision=%lld&timeoutMs=%d",
		 n->o.node, n->revision, n->o.poll_ms);
	err = call(n, n->http, "GET", path, NULL, 200, 0, doc);
	if (err)
		return err;
	d = cJSON_Parse(*doc);
	rev = d && cJSON_IsNumber(cJSON_GetObjectItem(d, "revision"))
		      ? (long long)cJSON_GetObjectItem(d, "revision")
				->valuedouble
		      : -1;
	cJSON_Delete(d);
	if (rev < 0) {
		free(*doc);
		*doc = NULL;
		return -EBADMSG;
	}
	if (rev == n->revision && n->assign_json) {
		free(*doc);
		*doc = NULL;
		return 1;
	}
	n->revision = rev;
	return 0;
}

int nlblet_put_status(struct nlblet *n, const char *body)
{
	char path[256];

	snprintf(path, sizeof(path), "/v1/nodes/%s/status", n->o.node);
	return call(n, n->http, "PUT", path, body, 204, 0, NULL);
}
