// SPDX-License-Identifier: GPL-2.0
/* The API view of a load balancer: its spec plus the status rolled up from
 * the scheduler's placement and the nodes' reports. */
#include <stdio.h>
#include <string.h>

#include "gw.h"

static cJSON *find_vip(const cJSON *nodestatus, const char *id)
{
	cJSON *v;

	cJSON_ArrayForEach(v, cJSON_GetObjectItem(nodestatus, "vips"))
	{
		const char *vid =
			cJSON_GetStringValue(cJSON_GetObjectItem(v, "id"));

		if (vid && !strcmp(vid, id))
			return v;
	}
	return NULL;
}

static const cJSON *find_backend(const cJSON *vipst, int port, const char *addr)
{
	const cJSON *b;

	cJSON_ArrayForEach(b, cJSON_GetObjectItem(vipst, "backends"))
	{
		const char *a =
			cJSON_GetStringValue(cJSON_GetObjectItem(b, "address"));
		const cJSON *p = cJSON_GetObjectItem(b, "port");

		if (a && !strcmp(a, addr) &&
		    (!p || !cJSON_IsNumber(p) || p->valueint == port))
			return b;
	}
	return NULL;
}

cJSON *gw_lb_view(struct gw *gw, const char *tenant, const cJSON *stored)
{
	const char *name =
		cJSON_GetStringValue(cJSON_GetObjectItem(stored, "name"));
	const cJSON *meta = cJSON_GetObjectItem(stored, "metadata");
	const cJSON *spec = cJSON_GetObjectItem(stored, "spec");
	const cJSON *vip = cJSON_GetObjectItem(stored, "vip");
	cJSON *out, *st, *nodes, *bes, *place = NULL, *reports[16] = {0};
	cJSON *l, *pn;
	char key[200], id[140], adv[32];
	long long gen, observed = -1;
	int nplaced = 0, nadv = 0, nsynced = 0, nreported = 0, i;
	int healthy = 0, unhealthy = 0, monitored = 0;
	bool deleting;

	gen = (long long)cJSON_GetNumberValue(
		cJSON_GetObjectItem(meta, "generation"));
	deleting = cJSON_GetObjectItem(meta, "deletionRequestedAt") != NULL;
	snprintf(id, sizeof(id), "%s/%s", tenant, name ? name : "");
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "kind", "LoadBalancer");
	cJSON_AddStringToObject(out, "name", name ? name : "");
	cJSON_AddItemToObject(
		out, "labels",
		cJSON_Duplicate(cJSON_GetObjectItem(stored, "labels"), true));
	cJSON_AddItemToObject(out, "spec", cJSON_Duplicate(spec, true));
	cJSON_AddItemToObject(out, "metadata", cJSON_Duplicate(meta, true));
	st = cJSON_AddObjectToObject(out, "status");

	snprintf(key, sizeof(key), "placement/%s", id);
	gw_get_json(gw, key, &place, NULL);
	nodes = cJSON_CreateArray();
	cJSON_ArrayForEach(pn, cJSON_GetObjectItem(place, "nodes"))
	{
		const char *n = cJSON_GetStringValue(pn);
		cJSON *ns = NULL, *node = NULL, *o, *v;
		long long sg = 0;
		bool advertised = false, panic = false;

		if (!n || nplaced == 16)
			continue;
		snprintf(key, sizeof(key), "nodestatus/%s", n);
		gw_get_json(gw, key, &ns, NULL);
		snprintf(key, sizeof(key), "node/%s", n);
		gw_get_json(gw, key, &node, NULL);
		v = find_vip(ns, id);
		if (v) {
			sg = (long long)cJSON_GetNumberValue(
				cJSON_GetObjectItem(v, "generation"));
			advertised = cJSON_IsTrue(
				cJSON_GetObjectItem(v, "advertised"));
			panic = cJSON_IsTrue(cJSON_GetObjectItem(v, "panic"));
			nreported++;
		}
		if (observed < 0 || sg < observed)
			observed = sg;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", n);
		cJSON_AddStringToObject(
			o, "zone",
			cJSON_GetStringValue(cJSON_GetObjectItem(node, "zone"))
				?: "");
		cJSON_AddBoolToObject(o, "synced", v && sg == gen);
		cJSON_AddNumberToObject(o, "syncedGeneration", (double)sg);
		cJSON_AddBoolToObject(o, "advertised", advertised);
		/* below spec.panicThresholdPercent: unhealthy backends too */
		if (panic)
			cJSON_AddBoolToObject(o, "panic", true);
		cJSON_AddItemToArray(nodes, o);
		nsynced += v && sg == gen;
		nadv += advertised;
		/* keep the report for the backend roll-up */
		reports[nplaced++] = v ? cJSON_Duplicate(v, true) : NULL;
		cJSON_Delete(ns);
		cJSON_Delete(node);
	}
	if (observed < 0)
		observed = 0;

	if (deleting)
		cJSON_AddStringToObject(st, "provisioningStatus",
					"PENDING_DELETE");
	else if (!nplaced && cJSON_GetObjectItem(place, "error"))
		cJSON_AddStringToObject(st, "provisioningStatus", "ERROR");
	else if (nplaced && nsynced == nplaced)
		cJSON_AddStringToObject(st, "provisioningStatus", "ACTIVE");
	else if (!nreported)
		cJSON_AddStringToObject(st, "provisioningStatus",
					"PENDING_CREATE");
	else
		cJSON_AddStringToObject(st, "provisioningStatus",
					"PENDING_UPDATE");
	if (cJSON_GetObjectItem(place, "error"))
		cJSON_AddStringToObject(
			st, "message",
			cJSON_GetStringValue(
				cJSON_GetObjectItem(place, "error"))
				?: "");

	bes = cJSON_CreateArray();
	cJSON_ArrayForEach(l, cJSON_GetObjectItem(spec, "listeners"))
	{
		int port = cJSON_GetObjectItem(l, "port")->valueint;
		bool hc = cJSON_GetObjectItem(l, "healthCheck") != NULL;
		const cJSON *b;

		monitored |= hc;
		cJSON_ArrayForEach(b, cJSON_GetObjectItem(l, "backends"))
		{
			const char *a = cJSON_GetStringValue(
				cJSON_GetObjectItem(b, "address"));
			const cJSON *rep = NULL;
			cJSON *o = cJSON_CreateObject();
			const char *h = "unknown", *reason = "not reported yet";

			for (i = 0; i < nplaced && !rep; i++)
				rep = find_backend(reports[i], port, a);
			if (rep) {
				h = cJSON_GetStringValue(
					    cJSON_GetObjectItem(rep, "health"))
					    ?: "unknown";
				reason = cJSON_GetStringValue(
						 cJSON_GetObjectItem(rep,
								     "reason"))
						 ?: "";
			} else if (!hc) {
				h = "unmonitored";
				reason = "no health check";
			}
			if (!strcmp(h, "healthy"))
				healthy++;
			else if (strcmp(h, "unmonitored"))
				unhealthy++;
			cJSON_AddNumberToObject(o, "port", port);
			cJSON_AddStringToObject(
				o, "protocol",
				cJSON_GetObjectItem(l, "protocol")
					->valuestring);
			cJSON_AddStringToObject(o, "address", a);
			cJSON_AddStringToObject(
				o, "state",
				cJSON_GetStringValue(
					cJSON_GetObjectItem(b, "state")));
			cJSON_AddStringToObject(o, "health", h);
			cJSON_AddStringToObject(o, "reason", reason);
			if (rep && cJSON_GetObjectItem(rep, "since"))
				cJSON_AddItemToObject(
					o, "since",
					cJSON_Duplicate(cJSON_GetObjectItem(
								rep, "since"),
							true));
			cJSON_AddItemToArray(bes, o);
		}
	}
	if (!nadv)
		cJSON_AddStringToObject(st, "operatingStatus", "OFFLINE");
	else if (!monitored)
		cJSON_AddStringToObject(st, "operatingStatus", "NO_MONITOR");
	else if (!unhealthy)
		cJSON_AddStringToObject(st, "operatingStatus", "ONLINE");
	else if (!healthy)
		cJSON_AddStringToObject(st, "operatingStatus", "OFFLINE");
	else
		cJSON_AddStringToObject(st, "operatingStatus", "DEGRADED");
	cJSON_AddStringToObject(
		st, "vip",
		cJSON_GetStringValue(cJSON_GetObjectItem(vip, "address"))
			?: "");
	/* of the replicas asked for: a VIP left on one node of two (nowhere
	 * to move it) shows its lost redundancy; a draining node held past
	 * replicas counts too */
	{
		const cJSON *r = cJSON_GetObjectItem(spec, "replicas");
		int want = cJSON_IsNumber(r) ? r->valueint : 0;

		snprintf(adv, sizeof(adv), "%d of %d", nadv,
			 want > nplaced ? want : nplaced);
	}
	cJSON_AddStringToObject(st, "advertised", adv);
	cJSON_AddNumberToObject(st, "generation", (double)gen);
	cJSON_AddNumberToObject(st, "observedGeneration", (double)observed);
	cJSON_AddItemToObject(st, "nodes", nodes);
	cJSON_AddItemToObject(st, "backends", bes);
	for (i = 0; i < nplaced; i++)
		cJSON_Delete(reports[i]);
	cJSON_Delete(place);
	return out;
}
