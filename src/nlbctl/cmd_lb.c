// SPDX-License-Identifier: GPL-2.0
/* nlbctl's load balancer verbs: apply, diff, get, describe, delete. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cp_yaml.h"
#include "ctl.h"
#include "gw_lb.h"

static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 65536, n = 0;
	char *b;

	if (!f)
		return NULL;
	b = malloc(cap);
	while (b) {
		size_t r = fread(b + n, 1, cap - n - 1, f);

		n += r;
		if (n < cap - 1)
			break;
		if (cap > (64u << 20)) {
			free(b);
			b = NULL;
			errno = EFBIG;
			break;
		}
		{
			char *nb = realloc(b, cap * 2);

			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (f != stdin)
		fclose(f);
	if (b)
		b[n] = 0;
	*len = n;
	return b;
}

/* Loads -f FILE into an array of canonical documents; prints errors. */
static int load_manifests(struct ctl *c, cJSON **docs_out, cJSON **raw_out)
{
	const char *file = ctl_opt(c, "--filename", "-f", true);
	struct gw_limits lim = GW_LIMITS_DEFAULT;
	char err[256];
	cJSON *raw, *docs, *d;
	size_t len;
	char *text;
	int i = 0;

	if (!file || !*file) {
		fprintf(stderr, "error: -f FILE is required\n");
		return EXIT_USAGE;
	}
	text = read_all(file, &len);
	if (!text) {
		fprintf(stderr, "error: %s: %s\n", file, strerror(errno));
		return EXIT_USAGE;
	}
	raw = cp_yaml_parse(text, len, err, sizeof(err));
	free(text);
	if (!raw) {
		fprintf(stderr, "error: %s: %s\n", file, err);
		return EXIT_USAGE;
	}
	docs = cJSON_CreateArray();
	cJSON_ArrayForEach(d, raw)
	{
		struct cp_err e = {0};
		cJSON *canon;

		i++;
		if (cJSON_IsNull(d))
			continue; /* an empty document between --- lines */
		if (gw_lb_validate(d, NULL, &lim, &canon, &e)) {
			fprintf(stderr, "error: %s: document %d: %s%s%s\n",
				file, i, e.field, *e.field ? ": " : "", e.msg);
			cJSON_Delete(raw);
			cJSON_Delete(docs);
			return EXIT_INVALID;
		}
		cJSON_AddItemToArray(docs, canon);
	}
	if (!cJSON_GetArraySize(docs)) {
		fprintf(stderr, "error: %s: no documents\n", file);
		cJSON_Delete(raw);
		cJSON_Delete(docs);
		return EXIT_USAGE;
	}
	*docs_out = docs;
	*raw_out = raw;
	return 0;
}

static cJSON *user_part(const cJSON *lb)
{
	cJSON *u = cJSON_CreateObject();

	cJSON_AddItemToObject(
		u, "labels",
		cJSON_Duplicate(cJSON_GetObjectItem(lb, "labels"), true));
	cJSON_AddItemToObject(
		u, "spec",
		cJSON_Duplicate(cJSON_GetObjectItem(lb, "spec"), true));
	return u;
}

static int apply_or_diff(struct ctl *c, bool write)
{
	cJSON *docs, *raw, *d;
	int rc, ndiff = 0;

	rc = load_manifests(c, &docs, &raw);
	if (rc)
		return rc;
	cJSON_ArrayForEach(d, docs)
	{
		const char *name = cJSON_GetObjectItem(d, "name")->valuestring;
		char path[160], etag[32] = "";
		cJSON *cur = NULL, *a, *b;
		int status = 0, n;

		snprintf(path, sizeof(path), "/v1/loadbalancers/%s", name);
		c->quiet_404 = true;
		rc = ctl_call(c, "GET", path, NULL, NULL, &cur, etag, &status);
		c->quiet_404 = false;
		if (rc == EXIT_NOTFOUND) {
			ndiff++;
			if (!write) {
				printf("loadbalancer/%s: would be created\n",
				       name);
				rc = 0;
				continue;
			}
			rc = ctl_call(c, "POST", "/v1/loadbalancers", NULL, d,
				      &cur, NULL, NULL);
			if (rc)
				break;
			printf("loadbalancer/%s created (vip %s)\n", name,
			       cJSON_GetStringValue(cJSON_GetObjectItem(
				       cJSON_GetObjectItem(cur, "status"),
				       "vip"))
				       ?: "?");
			cJSON_Delete(cur);
			continue;
		}
		if (rc)
			break;
		a = user_part(cur);
		b = user_part(d);
		n = ctl_diff("", a, b, false);
		if (!n) {
			printf("loadbalancer/%s %s\n", name,
			       write ? "unchanged" : ": no changes");
		} else if (!write) {
			printf("loadbalancer/%s: %d change%s\n", name, n,
			       n > 1 ? "s" : "");
			ctl_diff("", a, b, true);
			ndiff++;
		} else {
			cJSON *res = NULL;

			rc = ctl_call(c, "PUT", path, etag, d, &res, NULL,
				      NULL);
			if (!rc) {
				printf("loadbalancer/%s configured "
				       "(generation %s)\n",
				       name,
				       ctl_str(res, "metadata.generation", etag,
					       sizeof(etag)));
				ctl_diff("", a, b, true);
			}
			cJSON_Delete(res);
		}
		cJSON_Delete(a);
		cJSON_Delete(b);
		cJSON_Delete(cur);
		if (rc)
			break;
	}
	cJSON_Delete(docs);
	cJSON_Delete(raw);
	if (rc)
		return rc;
	return !write && ndiff ? EXIT_DIFF : EXIT_OK;
}

int do_apply(struct ctl *c)
{
	return apply_or_diff(c, true);
}

int do_diff(struct ctl *c)
{
	return apply_or_diff(c, false);
}

static const char *const lb_cols[] = {"NAME",	   "VIP",	 "PROVISIONING",
				      "OPERATING", "ADVERTISED", "GENERATION",
				      NULL};
static const char *const lb_paths[] = {"name",
				       "status.vip",
				       "status.provisioningStatus",
				       "status.operatingStatus",
				       "status.advertised",
				       "metadata.generation"};

int do_get(struct ctl *c)
{
	const char *name = ctl_arg(c, 0),
		   *label = ctl_opt(c, "--selector", "-l", true);
	char path[512], cont[200] = "";
	cJSON *all = cJSON_CreateArray(), *page;
	int rc = 0;

	if (name && !strcmp(name, "lb")) /* "get lb NAME" reads well too */
		name = ctl_arg(c, 1);
	if (name) {
		snprintf(path, sizeof(path), "/v1/loadbalancers/%s", name);
		rc = ctl_call(c, "GET", path, NULL, NULL, &page, NULL, NULL);
		if (!rc)
			cJSON_AddItemToArray(all, page);
	} else {
		for (;;) {
			const char *next;

			snprintf(path, sizeof(path),
				 "/v1/loadbalancers?limit=500%s%s%s%s",
				 *cont ? "&continue=" : "", cont,
				 label ? "&label=" : "", label ? label : "");
			rc = ctl_call(c, "GET", path, NULL, NULL, &page, NULL,
				      NULL);
			if (rc)
				break;
			{
				cJSON *items = cJSON_GetObjectItem(page,
								   "items"),
				      *it;

				while ((it = cJSON_DetachItemFromArray(items,
								       0)))
					cJSON_AddItemToArray(all, it);
			}
			next = cJSON_GetStringValue(
				cJSON_GetObjectItem(page, "continue"));
			snprintf(cont, sizeof(cont), "%s", next ? next : "");
			cJSON_Delete(page);
			if (!*cont)
				break;
		}
	}
	if (!rc) {
		if (c->fmt == FMT_TABLE)
			ctl_table(all, lb_cols, lb_paths);
		else if (name)
			ctl_print(c, cJSON_GetArrayItem(all, 0));
		else
			ctl_print(c, all);
	}
	cJSON_Delete(all);
	return rc;
}

int do_describe(struct ctl *c)
{
	const char *name = ctl_arg(c, 0);
	char path[160], b[256];
	cJSON *lb, *it;
	int rc;

	if (name && !strcmp(name, "lb"))
		name = ctl_arg(c, 1);
	if (!name) {
		fprintf(stderr, "usage: nlbctl describe NAME\n");
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "/v1/loadbalancers/%s", name);
	rc = ctl_call(c, "GET", path, NULL, NULL, &lb, NULL, NULL);
	if (rc)
		return rc;
	if (c->fmt != FMT_TABLE) {
		ctl_print(c, lb);
		cJSON_Delete(lb);
		return 0;
	}
	printf("Name:                %s\n", ctl_str(lb, "name", b, sizeof(b)));
	printf("Labels:              %s\n",
	       ctl_str(lb, "labels", b, sizeof(b)));
	printf("VIP:                 %s",
	       ctl_str(lb, "status.vip", b, sizeof(b)));
	printf(" (%s)\n", ctl_str(lb, "spec.ipFamily", b, sizeof(b)));
	printf("Provisioning status: %s\n",
	       ctl_str(lb, "status.provisioningStatus", b, sizeof(b)));
	if (*ctl_str(lb, "status.message", b, sizeof(b)))
		printf("Message:             %s\n", b);
	printf("Operating status:    %s\n",
	       ctl_str(lb, "status.operatingStatus", b, sizeof(b)));
	printf("Advertised from:     %s nodes\n",
	       ctl_str(lb, "status.advertised", b, sizeof(b)));
	printf("Generation:          %s",
	       ctl_str(lb, "status.generation", b, sizeof(b)));
	printf(" (observed %s)\n",
	       ctl_str(lb, "status.observedGeneration", b, sizeof(b)));
	printf("Replicas:            %s\n",
	       ctl_str(lb, "spec.replicas", b, sizeof(b)));
	if (*ctl_str(lb, "spec.expiresAt", b, sizeof(b)))
		printf("Expires at:          %s\n", b);
	printf("Nodes:\n");
	{
		static const char *const cols[] = {"  NAME",	 "ZONE",
						   "SYNCED",	 "GENERATION",
						   "ADVERTISED", NULL};
		static const char *const paths[] = {"name", "zone", "synced",
						    "syncedGeneration",
						    "advertised"};

		ctl_table(cJSON_GetObjectItem(cJSON_GetObjectItem(lb, "status"),
					      "nodes"),
			  cols, paths);
	}
	printf("Listeners:\n");
	cJSON_ArrayForEach(it,
			   cJSON_GetObjectItem(cJSON_GetObjectItem(lb, "spec"),
					       "listeners"))
	{
		printf("  %s/%s", ctl_str(it, "protocol", b, sizeof(b)),
		       ctl_str(it, "port", b + 128, 128));
		if (*ctl_str(it, "portEnd", b, sizeof(b)))
			printf("-%s", b);
		if (*ctl_str(it, "healthCheck.type", b, sizeof(b)))
			printf("  health check %s", b);
		printf("\n");
	}
	printf("Backends:\n");
	{
		static const char *const cols[] = {"  PORT", "ADDRESS", "STATE",
						   "HEALTH", "REASON",	NULL};
		static const char *const paths[] = {"port", "address", "state",
						    "health", "reason"};

		ctl_table(cJSON_GetObjectItem(cJSON_GetObjectItem(lb, "status"),
					      "backends"),
			  cols, paths);
	}
	cJSON_Delete(lb);
	return 0;
}

static int delete_one(struct ctl *c, const char *name, bool wait)
{
	char path[160];
	int rc, status = 0;
	time_t until = time(NULL) + 60;

	snprintf(path, sizeof(path), "/v1/loadbalancers/%s", name);
	rc = ctl_call(c, "DELETE", path, NULL, NULL, NULL, NULL, &status);
	if (rc)
		return rc;
	if (status == 204 || !wait) {
		printf("loadbalancer/%s %s\n", name,
		       status == 204 ? "deleted"
				     : "deletion requested (nodes still have "
				       "it)");
		return 0;
	}
	while (time(NULL) < until) {
		struct timespec ts = {0, 200 * 1000000};
		cJSON *o;

		nanosleep(&ts, NULL);
		rc = ctl_call(c, "GET", path, NULL, NULL, &o, NULL, &status);
		cJSON_Delete(o);
		if (rc == EXIT_NOTFOUND) {
			printf("loadbalancer/%s deleted\n", name);
			return 0;
		}
		if (rc)
			return rc;
	}
	fprintf(stderr, "error: %s: still pending deletion after 60 s\n", name);
	return EXIT_SERVER;
}

int do_delete(struct ctl *c)
{
	bool wait = ctl_opt(c, "--wait", NULL, false) != NULL;
	const char *name;
	int i, rc = 0;

	if (ctl_opt(c, "--filename", "-f", true)) {
		cJSON *docs, *raw, *d;

		rc = load_manifests(c, &docs, &raw);
		if (rc)
			return rc;
		cJSON_ArrayForEach(d, docs)
		{
			rc = delete_one(
				c, cJSON_GetObjectItem(d, "name")->valuestring,
				wait);
			if (rc)
				break;
		}
		cJSON_Delete(docs);
		cJSON_Delete(raw);
		return rc;
	}
	if (!ctl_arg(c, 0)) {
		fprintf(stderr, "usage: nlbctl delete NAME... | -f FILE\n");
		return EXIT_USAGE;
	}
	for (i = 0; (name = ctl_arg(c, i)) && !rc; i++)
		if (strcmp(name, "lb"))
			rc = delete_one(c, name, wait);
	return rc;
}
