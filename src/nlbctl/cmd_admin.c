// SPDX-License-Identifier: GPL-2.0
/* nlbctl's admin verbs: nodes, drain, pools, tenants, token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int do_drain(struct ctl *c)
{
	const char *node = ctl_arg(c, 0);
	bool undo = ctl_opt(c, "--undo", NULL, false) != NULL;
	char path[160], done[200];
	cJSON *b;

	if (!node) {
		fprintf(stderr, "usage: nlbctl drain NODE [--undo]\n");
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/v1/nodes/%s/drain", node);
	snprintf(done, sizeof(done), "node/%s %s", node,
		 undo ? "undrained" : "drained");
	b = cJSON_CreateObject();
	cJSON_AddBoolToObject(b, "drained", !undo);
	return send_print(c, "POST", path, b, done);
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
