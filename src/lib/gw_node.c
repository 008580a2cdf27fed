// SPDX-License-Identifier: GPL-2.0
/* The node API: register, heartbeat, assignments (long poll with a
 * revision) and status reports, each for the caller's own node only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gw.h"
#include "gw_addr.h"

static void reg(struct gw *gw, const char *name, const struct cp_http_req *req,
		struct cp_http_resp *r)
{
	static const char *const f[] = {"name", "zone", "addresses", "capacity",
					NULL};
	struct cp_err e = {0};
	const char *n, *zone;
	long long cap;
	const cJSON *addrs, *a;
	cJSON *doc, *node, *old = NULL, *ao;
	char key[96], *s;
	int64_t rev = STORE_ABSENT;
	int i = 0, err;

	doc = cp_json_parse_object(req->body, req->body_len, &e);
	if (!doc || cp_json_only(doc, "", f, &e) ||
	    cp_json_str(doc, "", "name", 63, false, name, &n, &e) ||
	    cp_json_str(doc, "", "zone", 63, true, NULL, &zone, &e) ||
	    cp_json_int(doc, "", "capacity", 1, 1000000, 1000, &cap, &e)) {
		cJSON_Delete(doc);
		gw_reply_err(r, &e);
		return;
	}
	if (strcmp(n, name)) {
		gw_reply_errf(r, 422, "name", "does not match the URL");
		cJSON_Delete(doc);
		return;
	}
	node = cJSON_CreateObject();
	cJSON_AddStringToObject(node, "name", name);
	cJSON_AddStringToObject(node, "zone", zone);
	ao = cJSON_AddArrayToObject(node, "addresses");
	addrs = cJSON_GetObjectItem(doc, "addresses");
	if (addrs && !cJSON_IsArray(addrs)) {
		gw_reply_errf(r, 422, "addresses", "must be an array");
		goto out;
	}
	cJSON_ArrayForEach(a, addrs)
	{
		struct gw_ip ip;
		char f2[32], c[64];

		snprintf(f2, sizeof(f2), "addresses[%d]", i++);
		if (!cJSON_IsString(a) || gw_ip_parse(a->valuestring, &ip)) {
			gw_reply_errf(r, 422, f2, "not an IP address");
			goto out;
		}
		gw_ip_str(&ip, c, sizeof(c));
		cJSON_AddItemToArray(ao, cJSON_CreateString(c));
	}
	cJSON_AddNumberToObject(node, "capacity", (double)cap);
	snprintf(key, sizeof(key), "node/%s", name);
	if (gw_get_json(gw, key, &old, &rev))
		rev = STORE_ABSENT;
	/* re-registering keeps an operator's drain, and when it began */
	cJSON_AddBoolToObject(
		node, "drained",
		cJSON_IsTrue(cJSON_GetObjectItem(old, "drained")));
	if (cJSON_GetObjectItem(old, "drainedAtMs"))
		cJSON_AddItemToObject(
			node, "drainedAtMs",
			cJSON_Duplicate(cJSON_GetObjectItem(old, "drainedAtMs"),
					true));
	cJSON_AddNumberToObject(node, "lastHeartbeatMs", (double)gw_now_ms());
	s = gw_print(node);
	{
		struct store_cmp cmp = {key, rev};
		struct store_op op = {STORE_PUT, key, s};

		err = store_txn(gw->st, &cmp, 1, &op, 1, NULL);
	}
	free(s);
	if (err)
		gw_reply_errf(r, 409, "", "changed concurrently, retry");
	else
		gw_reply_json(r, rev == STORE_ABSENT ? 201 : 200, node),
			node = NULL;
out:
	cJSON_Delete(old);
	cJSON_Delete(node);
	cJSON_Delete(doc);
}

static void heartbeat(struct gw *gw, const char *name, struct cp_http_resp *r)
{
	char key[96], *s;
	cJSON *n;
	int64_t rev;
	int err, i;

	snprintf(key, sizeof(key), "node/%s", name);
	for (i = 0; i < 8; i++) {
		err = gw_get_json(gw, key, &n, &rev);
		if (err) {
			gw_reply_errf(r, 404, "name", "register first");
			return;
		}
		/* a heartbeat a fifth of the timeout after the stored one
		 * changes nothing the scheduler could see: skip the write,
		 * which halves the store's write load from heartbeats */
		if (gw_now_ms() -
			    (int64_t)cJSON_GetNumberValue(
				    cJSON_GetObjectItem(n, "lastHeartbeatMs")) <
		    gw->heartbeat_timeout_ms / 5) {
			cJSON_Delete(n);
			r->status = 204;
			return;
		}
		cJSON_ReplaceItemInObject(
			n, "lastHeartbeatMs",
			cJSON_CreateNumber((double)gw_now_ms()));
		s = gw_print(n);
		cJSON_Delete(n);
		{
			struct store_cmp cmp = {key, rev};
			struct store_op op = {STORE_PUT, key, s};

			err = store_txn(gw->st, &cmp, 1, &op, 1, NULL);
		}
		free(s);
		if (err != -ECANCELED)
			break;
	}
	if (err)
		gw_reply_errf(r, 500, "", "store: %s", strerror(-err));
	else
		r->status = 204;
}

static int64_t node_rev(struct gw *gw, const char *name)
{
	struct store_kv kv;
	char key[96];

	snprintf(key, sizeof(key), "nodegen/%s", name);
	/* 1, not 0, for a node never assigned: revision=0 means "I have
	 * nothing yet" and must return at once */
	if (store_get(gw->st, key, &kv))
		return 1;
	store_kv_clear(&kv);
	return kv.mod_rev;
}

static cJSON *desired(struct gw *gw, const char *name, int64_t rev)
{
	char prefix[96];
	struct store_kv *kvs;
	size_t n, i;
	cJSON *out, *vips, *node = NULL;
	bool drained;
	int err;

	snprintf(prefix, sizeof(prefix), "node/%s", name);
	err = gw_get_json(gw, prefix, &node, NULL);
	if (err && err != -ENOENT)
		return NULL;
	drained = cJSON_IsTrue(cJSON_GetObjectItem(node, "drained"));
	cJSON_Delete(node);
	snprintf(prefix, sizeof(prefix), "nodeassign/%s/", name);
	if (store_range(gw->st, prefix, NULL, 0, &kvs, &n))
		return NULL;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "node", name);
	cJSON_AddNumberToObject(out, "revision", (double)rev);
	/* the node advertises what it still holds as less preferred, so
	 * that routers move flows to the nodes taking its VIPs over */
	cJSON_AddBoolToObject(out, "drained", drained);
	vips = cJSON_AddArrayToObject(out, "vips");
	for (i = 0; i < n; i++) {
		const char *id = kvs[i].key + strlen(prefix);
		char key[200];
		cJSON *lb, *v, *meta, *spec;

		snprintf(key, sizeof(key), "lb/%s", id);
		if (gw_get_json(gw, key, &lb, NULL))
			continue;
		meta = cJSON_GetObjectItem(lb, "metadata");
		spec = cJSON_GetObjectItem(lb, "spec");
		if (cJSON_GetObjectItem(meta, "deletionRequestedAt")) {
			cJSON_Delete(lb);
			continue;
		}
		v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "id", id);
		cJSON_AddItemToObject(
			v, "generation",
			cJSON_Duplicate(cJSON_GetObjectItem(meta, "generation"),
					true));
		cJSON_AddStringToObject(
			v, "vip",
			cJSON_GetStringValue(cJSON_GetObjectItem(
				cJSON_GetObjectItem(lb, "vip"), "address"))
				?: "");
		cJSON_AddItemToObject(
			v, "ipFamily",
			cJSON_Duplicate(cJSON_GetObjectItem(spec, "ipFamily"),
					true));
		cJSON_AddItemToObject(
			v, "listeners",
			cJSON_Duplicate(cJSON_GetObjectItem(spec, "listeners"),
					true));
		if (cJSON_GetObjectItem(spec, "panicThresholdPercent"))
			cJSON_AddItemToObject(
				v, "panicThresholdPercent",
				cJSON_Duplicate(
					cJSON_GetObjectItem(
						spec, "panicThresholdPercent"),
					true));
		cJSON_AddItemToArray(vips, v);
		cJSON_Delete(lb);
	}
	store_kvs_free(kvs, n);
	return out;
}

static void assignments(struct gw *gw, const char *name,
			const struct cp_http_req *req, struct cp_http_resp *r)
{
	char *rs = cp_http_query_get(req->query, "revision");
	char *ts = cp_http_query_get(req->query, "timeoutMs");
	long long have = rs ? strtoll(rs, NULL, 10) : 0;
	long long tmo = ts ? strtoll(ts, NULL, 10) : 30000;
	int64_t deadline, rev, seen;
	cJSON *out;

	free(rs);
	free(ts);
	if (tmo < 0 || tmo > gw->max_poll_ms)
		tmo = gw->max_poll_ms;
	deadline = gw_now_ms() + tmo;
	seen = store_revision(gw->st);
	/* cheap check per store change: only nodegen/<name> tells whether
	 * this node's desired state moved */
	while ((rev = node_rev(gw, name)) <= have) {
		int64_t left = deadline - gw_now_ms();

		if (left <= 0)
			break;
		seen = store_wait(gw->st, seen, (int)left);
		if (seen < 0)
			break;
		{
			/* hundreds of pollers wake on every commit: look at
			 * most every 50 ms, which also batches changes */
			struct timespec ts = {0, 50 * 1000000};

			if (gw_now_ms() + 50 < deadline)
				nanosleep(&ts, NULL);
		}
	}
	out = desired(gw, name, rev);
	if (!out) {
		gw_reply_errf(r, 500, "", "store read failed");
		return;
	}
	gw_reply_json(r, 200, out);
}

static int status_parse(const cJSON *doc, cJSON **out, struct cp_err *e)
{
	static const char *const f[] = {"vips", "bgp", NULL};
	static const char *const vf[] = {"id",	     "generation", "advertised",
					 "backends", "panic",	   NULL};
	static const char *const bf[] = {"address", "port",  "health",
					 "reason",  "since", NULL};
	static const char *const health[] = {"healthy", "unhealthy", "unknown",
					     NULL};
	const cJSON *vips = cJSON_GetObjectItem(doc, "vips"), *v;
	cJSON *ov;
	char p[96], pb[128];
	int i = 0, err;

	if ((err = cp_json_only(doc, "", f, e)))
		return err;
	if (!cJSON_IsArray(vips))
		return cp_err_set(e, 422, "vips", "required array");
	if (cJSON_GetObjectItem(doc, "bgp") &&
	    !cJSON_IsObject(cJSON_GetObjectItem(doc, "bgp")))
		return cp_err_set(e, 422, "bgp", "must be an object");
	*out = cJSON_CreateObject();
	ov = cJSON_AddArrayToObject(*out, "vips");
	/* the node's BGP sessions and last reload, shown as sent */
	if (cJSON_GetObjectItem(doc, "bgp"))
		cJSON_AddItemToObject(
			*out, "bgp",
			cJSON_Duplicate(cJSON_GetObjectItem(doc, "bgp"), 1));
	cJSON_ArrayForEach(v, vips)
	{
		const char *id, *h, *reason, *addr, *since;
		long long gen, port;
		bool adv, panic;
		const cJSON *b, *bes;
		cJSON *o, *ob;
		int j = 0;

		snprintf(p, sizeof(p), "vips[%d]", i++);
		if (!cJSON_IsObject(v))
			return cp_err_set(e, 422, p, "must be an object");
		if ((err = cp_json_only(v, p, vf, e)) ||
		    (err = cp_json_str(v, p, "id", 200, true, NULL, &id, e)) ||
		    (err = cp_json_int(v, p, "generation", 0, 1LL << 52,
				       CP_REQUIRED, &gen, e)) ||
		    (err = cp_json_bool(v, p, "advertised", false, &adv, e)) ||
		    (err = cp_json_bool(v, p, "panic", false, &panic, e)))
			return err;
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(ov, o);
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddNumberToObject(o, "generation", (double)gen);
		cJSON_AddBoolToObject(o, "advertised", adv);
		if (panic)
			cJSON_AddBoolToObject(o, "panic", true);
		ob = cJSON_AddArrayToObject(o, "backends");
		bes = cJSON_GetObjectItem(v, "backends");
		if (bes && !cJSON_IsArray(bes))
			return cp_err_set(e, 422, p, "backends: array");
		cJSON_ArrayForEach(b, bes)
		{
			struct gw_ip ip;
			cJSON *x;

			snprintf(pb, sizeof(pb), "%s.backends[%d]", p, j++);
			if (!cJSON_IsObject(b))
				return cp_err_set(e, 422, pb,
						  "must be an object");
			if ((err = cp_json_only(b, pb, bf, e)) ||
			    (err = cp_json_str(b, pb, "address", 64, true, NULL,
					       &addr, e)) ||
			    (err = cp_json_int(b, pb, "port", 0, 65535, 0,
					       &port, e)) ||
			    (err = cp_json_enum(b, pb, "health", health,
						"unknown", &h, e)) ||
			    (err = cp_json_str(b, pb, "reason", 200, false, "",
					       &reason, e)) ||
			    (err = cp_json_str(b, pb, "since", 32, false, NULL,
					       &since, e)))
				return err;
			if (gw_ip_parse(addr, &ip))
				return cp_err_set(e, 422, pb,
						  "address: not an IP");
			x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "address", addr);
			if (port)
				cJSON_AddNumberToObject(x, "port",
							(double)port);
			cJSON_AddStringToObject(x, "health", h);
			cJSON_AddStringToObject(x, "reason", reason);
			if (since)
				cJSON_AddStringToObject(x, "since", since);
			cJSON_AddItemToArray(ob, x);
		}
	}
	return 0;
}

static void status(struct gw *gw, const char *name,
		   const struct cp_http_req *req, struct cp_http_resp *r)
{
	struct cp_err e = {0};
	cJSON *doc, *st = NULL;
	char key[96], nkey[96], *s;
	int err;

	doc = cp_json_parse_object(req->body, req->body_len, &e);
	if (!doc || status_parse(doc, &st, &e)) {
		cJSON_Delete(doc);
		cJSON_Delete(st);
		gw_reply_err(r, &e);
		return;
	}
	cJSON_Delete(doc);
	cJSON_AddNumberToObject(st, "reportedAtMs", (double)gw_now_ms());
	snprintf(key, sizeof(key), "nodestatus/%s", name);
	snprintf(nkey, sizeof(nkey), "node/%s", name);
	s = gw_print(st);
	cJSON_Delete(st);
	{
		struct store_cmp cmp = {nkey, STORE_PRESENT};
		struct store_op op = {STORE_PUT, key, s};

		err = store_txn(gw->st, &cmp, 1, &op, 1, NULL);
	}
	free(s);
	if (err == -ECANCELED)
		gw_reply_errf(r, 404, "name", "register first");
	else if (err)
		gw_reply_errf(r, 500, "", "store: %s", strerror(-err));
	else
		r->status = 204;
}

void gw_node_route(struct gw *gw, const struct gw_caller *c,
		   const struct cp_http_req *req, char **seg, int nseg,
		   struct cp_http_resp *r)
{
	const char *m = req->method;

	if (nseg != 2 || strcmp(seg[0], c->node)) {
		gw_reply_errf(r, 403, "Authorization",
			      "a node token only serves its own node's "
			      "register, heartbeat, assignments and status");
		return;
	}
	if (!strcmp(seg[1], "register") && !strcmp(m, "POST"))
		reg(gw, seg[0], req, r);
	else if (!strcmp(seg[1], "heartbeat") && !strcmp(m, "POST"))
		heartbeat(gw, seg[0], r);
	else if (!strcmp(seg[1], "assignments") && !strcmp(m, "GET"))
		assignments(gw, seg[0], req, r);
	else if (!strcmp(seg[1], "status") && !strcmp(m, "PUT"))
		status(gw, seg[0], req, r);
	else
		gw_reply_errf(r, 404, "", "no such node resource");
}
