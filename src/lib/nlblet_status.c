// SPDX-License-Identifier: GPL-2.0
/* The node's status report. */
#include "nlblet_status.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static long num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

static const char *health_name(int h)
{
	return h == NLB_HEALTH_UP     ? "healthy"
	       : h == NLB_HEALTH_DOWN ? "unhealthy"
				      : "unknown";
}

static int add_backends(cJSON *arr, const cJSON *l, const char *id,
			const struct nlblet_hcstate *hc)
{
	const char *proto = str(l, "protocol") ?: "TCP";
	long port = num(l, "port");
	const cJSON *b;
	char key[256];

	nlblet_listener_key(key, sizeof(key), id, port, proto);
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(l, "backends"))
	{
		const char *addr = str(b, "address");
		const char *mon = str(b, "monitorAddress") ?: addr;
		const struct nlblet_hc_entry *e;
		cJSON *o;

		if (!addr)
			return -EINVAL;
		e = nlblet_hcstate_find(hc, key, mon);
		o = cJSON_CreateObject();
		if (!o)
			return -ENOMEM;
		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "address", addr);
		cJSON_AddNumberToObject(o, "port", (double)port);
		cJSON_AddStringToObject(o, "health",
					health_name(e ? e->health : -1));
		cJSON_AddStringToObject(o, "reason",
					e && e->reason[0] ? e->reason
					: e		  ? ""
							  : "not checked yet");
		if (e && e->since_ms > 0) {
			time_t s = (time_t)(e->since_ms / 1000);
			struct tm tm;
			char ts[32];

			gmtime_r(&s, &tm);
			strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
			cJSON_AddStringToObject(o, "since", ts);
		}
	}
	return 0;
}

int nlblet_status_render(const char *json, const long long *synced,
			 const bool *advertised, size_t n,
			 const struct nlblet_hcstate *hc, char **out)
{
	cJSON *doc = cJSON_Parse(json), *rep = NULL, *vips;
	struct nlblet_assign a;
	const cJSON *v, *l;
	char perr[64];
	size_t i = 0;
	int e = -EINVAL;

	*out = NULL;
	/* the same fold of health as the maps got, for each VIP's panic;
	 * hc is only read */
	if (nlblet_assign_parse(json, nlblet_hcstate_health, (void *)hc, &a,
				perr, sizeof(perr)))
		memset(&a, 0, sizeof(a));
	if (!doc)
		goto out;
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "vips")))
		goto out;
	e = -ENOMEM;
	rep = cJSON_CreateObject();
	if (!rep)
		goto out;
	vips = cJSON_AddArrayToObject(rep, "vips");
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(doc, "vips"))
	{
		const char *id = str(v, "id");
		cJSON *o, *bes;

		e = -EINVAL;
		if (!id)
			goto out;
		e = -ENOMEM;
		o = cJSON_CreateObject();
		if (!o)
			goto out;
		cJSON_AddItemToArray(vips, o);
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddNumberToObject(o, "generation",
					i < n ? (double)synced[i] : 0);
		cJSON_AddBoolToObject(o, "advertised",
				      i < n && advertised && advertised[i]);
		if (i < a.n_vips && a.vips[i].panic)
			cJSON_AddBoolToObject(o, "panic", 1);
		bes = cJSON_AddArrayToObject(o, "backends");
		cJSON_ArrayForEach(
			l, cJSON_GetObjectItemCaseSensitive(v, "listeners"))
		{
			if (!cJSON_GetObjectItemCaseSensitive(l, "healthCheck"))
				continue;
			e = add_backends(bes, l, id, hc);
			if (e)
				goto out;
		}
		i++;
	}
	*out = cJSON_PrintUnformatted(rep);
	e = *out ? 0 : -ENOMEM;
out:
	nlblet_assign_free(&a);
	cJSON_Delete(rep);
	cJSON_Delete(doc);
	return e;
}
