// SPDX-License-Identifier: GPL-2.0
/* nlbctl's admin verbs: nodes, drain, pools, tenants, token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

static int list(struct ctl *c, const char *path, const char *const *cols,
		const char *const *paths)
{
	cJSON *o;
	int rc = ctl_call(c, "GET", path, NULL, NULL, &o, NULL, NULL);

	if (rc)
		return rc;
	if (c->fmt == FMT_TABLE)
		ctl_table(cJSON_GetObjectItem(o, "items"), cols, paths);
	else
		ctl_print(c, cJSON_GetObjectItem(o, "items"));
	cJSON_Delete(o);
	return 0;
}

static int send_print(struct ctl *c, const char *method, const char *path,
		      cJSON *body, const char *done)
{
	cJSON *o = NULL;
	int status = 0, rc;

	rc = ctl_call(c, method, path, NULL, body, &o, NULL, &status);
	cJSON_Delete(body);
	if (!rc) {
		if (c->fmt != FMT_TABLE && o)
			ctl_print(c, o);
		else
			printf("%s\n", done);
	}
	cJSON_Delete(o);
	return rc;
}

int do_nodes(struct ctl *c)
{
	static const char *const cols[] = {"NAME", "ZONE",     "STATE",
					   "VIPS", "CAPACITY", NULL};
	static const char *const paths[] = {"name", "zone", "state", "vips",
					    "capacity"};

	return list(c, "/v1/nodes", cols, paths);
}

/* Prints where a drain stands: "drained" once the node holds no VIP. */
static void drain_progress(const char *node, const cJSON *n)
{
	int vips = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(n, "vips"));

	if (vips > 0)
		printf("node/%s draining: %d VIP%s still on it\n", node, vips,
		       vips == 1 ? "" : "s");
	else
		printf("node/%s drained\n", node);
	fflush(stdout);
}

/* Polls the node until the scheduler has moved every VIP off it. */
static int drain_wait(struct ctl *c, const char *node, cJSON **n,
		      long timeout_s)
{
	char path[160];
	time_t until = time(NULL) + timeout_s;
	int last = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(*n, "vips"));
	const char *state;
	int rc;

	snprintf(path, sizeof(path), "/v1/nodes/%s", node);
	for (;;) {
		struct timespec ts = {0, 250 * 1000000};
		int vips;

		state = cJSON_GetStringValue(cJSON_GetObjectItem(*n, "state"));
		if (!state || strcmp(state, "draining"))
			break;
		if (time(NULL) >= until) {
			fprintf(stderr,
				"error: node/%s still holds %d VIP%s after "
				"%ld s: each moves once the nodes taking it "
				"over advertise it, or after the scheduler's "
				"--drain-timeout-ms\n",
				node, last, last == 1 ? "" : "s", timeout_s);
			return EXIT_SERVER;
		}
		nanosleep(&ts, NULL);
		cJSON_Delete(*n);
		*n = NULL;
		rc = ctl_call(c, "GET", path, NULL, NULL, n, NULL, NULL);
		if (rc)
			return rc;
		vips = (int)cJSON_GetNumberValue(
			cJSON_GetObjectItem(*n, "vips"));
		if (vips != last && c->fmt == FMT_TABLE)
			drain_progress(node, *n);
		last = vips;
	}
	if (!state || strcmp(state, "drained")) {
		fprintf(stderr,
			"error: node/%s is %s: undrained while "
			"waiting\n",
			node, state ? state : "gone");
		return EXIT_CONFLICT;
	}
	return 0;
}

int do_drain(struct ctl *c)
{
	const char *node = ctl_arg(c, 0);
	bool undo = ctl_opt(c, "--undo", NULL, false) != NULL;
	bool wait = ctl_opt(c, "--wait", NULL, false) != NULL;
	const char *tmo = ctl_opt(c, "--timeout", NULL, true);
	long timeout_s = 120;
	char path[160];
	cJSON *b, *n = NULL;
	int rc;

	if (!node || (undo && wait)) {
		fprintf(stderr, "usage: nlbctl drain NODE [--wait [--timeout "
				"SECONDS]] | drain NODE --undo\n");
		return EXIT_USAGE;
	}
	if (tmo) {
		char *end;

		timeout_s = strtol(tmo, &end, 10);
		if (!*tmo || *end || timeout_s < 1 || timeout_s > 86400) {
			fprintf(stderr, "error: --timeout: seconds, 1 to "
					"86400\n");
			return EXIT_USAGE;
		}
	}
	snprintf(path, sizeof(path), "/v1/nodes/%s/drain", node);
	b = cJSON_CreateObject();
	cJSON_AddBoolToObject(b, "drained", !undo);
	rc = ctl_call(c, "POST", path, NULL, b, &n, NULL, NULL);
	cJSON_Delete(b);
	if (rc)
		return rc;
	if (c->fmt == FMT_TABLE) {
		if (undo)
			printf("node/%s undrained\n", node);
		else
			drain_progress(node, n);
	}
	if (wait)
		rc = drain_wait(c, node, &n, timeout_s);
	if (!rc && c->fmt != FMT_TABLE)
		ctl_print(c, n);
	cJSON_Delete(n);
	return rc;
}

int do_pools(struct ctl *c)
{
	static const char *const cols[] = {"NAME", "CIDR", "TENANT",
					   "USED", "SIZE", NULL};
	static const char *const paths[] = {"name", "cidr", "tenant", "used",
					    "size"};
	const char *verb = ctl_arg(c, 0), *name = ctl_arg(c, 1);
	char path[160], done[200];

	if (!verb || !strcmp(verb, "list"))
		return list(c, "/v1/pools", cols, paths);
	if (!strcmp(verb, "create") && name && ctl_arg(c, 2)) {
		const char *tenant = ctl_opt(c, "--tenant", NULL, true);
		cJSON *b = cJSON_CreateObject();

		cJSON_AddStringToObject(b, "name", name);
		cJSON_AddStringToObject(b, "cidr", ctl_arg(c, 2));
		if (tenant)
			cJSON_AddStringToObject(b, "tenant", tenant);
		snprintf(done, sizeof(done), "pool/%s created", name);
		return send_print(c, "POST", "/v1/pools", b, done);
	}
	if (!strcmp(verb, "delete") && name) {
		snprintf(path, sizeof(path), "/v1/pools/%s", name);
		snprintf(done, sizeof(done), "pool/%s deleted", name);
		return send_print(c, "DELETE", path, NULL, done);
	}
	fprintf(stderr, "usage: nlbctl pools [list | create NAME CIDR "
			"[--tenant T] | delete NAME]\n");
	return EXIT_USAGE;
}

static int add_quota(cJSON *q, const char *key, const char *v)
{
	char *end;
	long long n;

	if (!v)
		return 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || n < 0) {
		fprintf(stderr, "error: %s: must be a count\n", key);
		return EXIT_USAGE;
	}
	cJSON_AddNumberToObject(q, key, (double)n);
	return 0;
}

int do_tenants(struct ctl *c)
{
	static const char *const cols[] = {
		"NAME",	    "DEV",	     "LBS", "LB-QUOTA",
		"BACKENDS", "BACKEND-QUOTA", NULL};
	static const char *const paths[] = {"name",
					    "dev",
					    "usage.loadBalancers",
					    "quotas.loadBalancers",
					    "usage.backends",
					    "quotas.backends"};
	const char *verb = ctl_arg(c, 0), *name = ctl_arg(c, 1);
	char path[160], done[200];

	if (!verb || !strcmp(verb, "list"))
		return list(c, "/v1/tenants", cols, paths);
	if ((!strcmp(verb, "create") || !strcmp(verb, "update")) && name) {
		bool create = !strcmp(verb, "create");
		cJSON *b = cJSON_CreateObject(), *q;

		cJSON_AddStringToObject(b, "name", name);
		cJSON_AddBoolToObject(b, "dev",
				      ctl_opt(c, "--dev", NULL, false) != NULL);
		q = cJSON_AddObjectToObject(b, "quotas");
		if (add_quota(q, "loadBalancers",
			      ctl_opt(c, "--max-lbs", NULL, true)) ||
		    add_quota(q, "backends",
			      ctl_opt(c, "--max-backends", NULL, true))) {
			cJSON_Delete(b);
			return EXIT_USAGE;
		}
		snprintf(path, sizeof(path), "/v1/tenants/%s", name);
		snprintf(done, sizeof(done), "tenant/%s %s", name,
			 create ? "created" : "updated");
		return send_print(c, create ? "POST" : "PUT",
				  create ? "/v1/tenants" : path, b, done);
	}
	if (!strcmp(verb, "delete") && name) {
		snprintf(path, sizeof(path), "/v1/tenants/%s", name);
		snprintf(done, sizeof(done), "tenant/%s deleted", name);
		return send_print(c, "DELETE", path, NULL, done);
	}
	fprintf(stderr, "usage: nlbctl tenants [list | create NAME [--dev] "
			"[--max-lbs N] [--max-backends N] | update NAME ... | "
			"delete NAME]\n");
	return EXIT_USAGE;
}

int do_token(struct ctl *c)
{
	const char *verb = ctl_arg(c, 0);
	const char *role = ctl_opt(c, "--role", NULL, true);
	const char *tenant = ctl_opt(c, "--tenant", NULL, true);
	const char *node = ctl_opt(c, "--node", NULL, true);
	cJSON *b, *o;
	int rc;

	if (!verb || strcmp(verb, "create") || !role) {
		fprintf(stderr, "usage: nlbctl token create --role "
				"admin|tenant|node [--tenant T] [--node N]\n");
		return EXIT_USAGE;
	}
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "role", role);
	if (tenant)
		cJSON_AddStringToObject(b, "tenant", tenant);
	if (node)
		cJSON_AddStringToObject(b, "node", node);
	rc = ctl_call(c, "POST", "/v1/tokens", NULL, b, &o, NULL, NULL);
	cJSON_Delete(b);
	if (rc)
		return rc;
	if (c->fmt == FMT_TABLE)
		printf("%s\n",
		       cJSON_GetStringValue(cJSON_GetObjectItem(o, "token")));
	else
		ctl_print(c, o);
	cJSON_Delete(o);
	return 0;
}
