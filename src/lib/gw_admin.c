// SPDX-License-Identifier: GPL-2.0
/* The admin API: tenants with quotas, tokens, VIP pools, and nodes
 * (list, drain, remove). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw.h"
#include "gw_addr.h"

static void list_prefix(struct gw *gw, const char *prefix,
			struct cp_http_resp *r,
			cJSON *(*decorate)(struct gw *, cJSON *))
{
	struct store_kv *kvs;
	cJSON *out = cJSON_CreateObject(), *items;
	size_t n, i;
	int err = store_range(gw->st, prefix, NULL, 0, &kvs, &n);

	if (err) {
		cJSON_Delete(out);
		gw_reply_errf(r, 500, "", "store: %s", strerror(-err));
		return;
	}
	items = cJSON_AddArrayToObject(out, "items");
	for (i = 0; i < n; i++) {
		cJSON *j = cJSON_Parse(kvs[i].value);

		if (j && decorate)
			j = decorate(gw, j);
		if (j)
			cJSON_AddItemToArray(items, j);
	}
	store_kvs_free(kvs, n);
	gw_reply_json(r, 200, out);
}

static void get_key(struct gw *gw, const char *key, struct cp_http_resp *r,
		    cJSON *(*decorate)(struct gw *, cJSON *))
{
	cJSON *j;
	int err = gw_get_json(gw, key, &j, NULL);

	if (err == -ENOENT) {
		gw_reply_errf(r, 404, "name", "%s not found", key);
		return;
	}
	if (err) {
		gw_reply_errf(r, 500, "", "store: %s", strerror(-err));
		return;
	}
	gw_reply_json(r, 200, decorate ? decorate(gw, j) : j);
}

static int put_new(struct gw *gw, const char *key, const cJSON *doc,
		   struct cp_http_resp *r)
{
	char *s = gw_print(doc);
	struct store_cmp cmp = {key, STORE_ABSENT};
	struct store_op op = {STORE_PUT, key, s};
	int err = s ? store_txn(gw->st, &cmp, 1, &op, 1, NULL) : -ENOMEM;

	free(s);
	if (err == -ECANCELED)
		gw_reply_errf(r, 409, "name", "%s already exists", key);
	else if (err)
		gw_reply_errf(r, 500, "", "store: %s", strerror(-err));
	return err;
}

static int count_prefix(struct gw *gw, const char *prefix, size_t *n)
{
	struct store_kv *kvs;
	int err = store_range(gw->st, prefix, NULL, 0, &kvs, n);

	if (!err)
		store_kvs_free(kvs, *n);
	return err;
}

static void del_key(struct gw *gw, const char *key, const char *busy_prefix,
		    const char *busy_what, struct cp_http_resp *r)
{
	struct store_kv kv;
	size_t n = 0;
	int err = store_get(gw->st, key, &kv);

	if (err == -ENOENT) {
		gw_reply_errf(r, 404, "name", "%s not found", key);
		return;
	}
	if (err) {
		gw_reply_errf(r, 500, "", "store: %s", strerror(-err));
		return;
	}
	if (busy_prefix && !count_prefix(gw, busy_prefix, &n) && n) {
		gw_reply_errf(r, 409, "name", "%s still has %zu %s", key, n,
			      busy_what);
		store_kv_clear(&kv);
		return;
	}
	{
		struct store_cmp cmp = {key, kv.mod_rev};
		struct store_op op = {STORE_DEL, key, NULL};

		err = store_txn(gw->st, &cmp, 1, &op, 1, NULL);
	}
	store_kv_clear(&kv);
	if (err)
		gw_reply_errf(r, err == -ECANCELED ? 409 : 500, "", "%s",
			      err == -ECANCELED ? "changed concurrently"
						: strerror(-err));
	else
		r->status = 204;
}

/* --- tenants ------------------------------------------------------------ */

static int tenant_parse(const cJSON *doc, const char *name, cJSON **out,
			struct cp_err *e)
{
	static const char *const f[] = {"name", "dev", "quotas", NULL};
	static const char *const qf[] = {"loadBalancers", "backends", NULL};
	const cJSON *q = cJSON_GetObjectItem(doc, "quotas");
	long long lbs, bes;
	const char *n;
	bool dev;
	int err;

	if ((err = cp_json_only(doc, "", f, e)) ||
	    (err = cp_json_str(doc, "", "name", 63, !name, name, &n, e)) ||
	    (err = cp_json_bool(doc, "", "dev", false, &dev, e)))
		return err;
	if (gw_name_check(n))
		return cp_err_set(e, 422, "name",
				  "1-63 of [a-z0-9-], no dash at either end");
	if (name && strcmp(n, name))
		return cp_err_set(e, 422, "name", "does not match the URL");
	if (q && !cJSON_IsNull(q) && !cJSON_IsObject(q))
		return cp_err_set(e, 422, "quotas", "must be an object");
	if ((q && (err = cp_json_only(q, "quotas", qf, e))) ||
	    (err = cp_json_int(q, "quotas", "loadBalancers", 0, 1000000, 100,
			       &lbs, e)) ||
	    (err = cp_json_int(q, "quotas", "backends", 0, 100000000, 10000,
			       &bes, e)))
		return err;
	*out = cJSON_CreateObject();
	cJSON_AddStringToObject(*out, "name", n);
	cJSON_AddBoolToObject(*out, "dev", dev);
	q = cJSON_AddObjectToObject(*out, "quotas");
	cJSON_AddNumberToObject((cJSON *)q, "loadBalancers", (double)lbs);
	cJSON_AddNumberToObject((cJSON *)q, "backends", (double)bes);
	return 0;
}

static cJSON *tenant_usage(struct gw *gw, cJSON *t)
{
	char key[96];
	cJSON *u;

	snprintf(key, sizeof(key), "usage/%s",
		 cJSON_GetStringValue(cJSON_GetObjectItem(t, "name")) ?: "");
	if (gw_get_json(gw, key, &u, NULL))
		u = cJSON_Parse("{\"loadBalancers\":0,\"backends\":0}");
	cJSON_AddItemToObject(t, "usage", u);
	return t;
}

static void tenants(struct gw *gw, const struct cp_http_req *req, char **seg,
		    int nseg, struct cp_http_resp *r)
{
	const char *m = req->method;
	struct cp_err e = {0};
	cJSON *doc, *t = NULL;
	char key[96];

	if (nseg == 0 && !strcmp(m, "GET")) {
		list_prefix(gw, "tenant/", r, tenant_usage);
		return;
	}
	if (nseg > 1 || (nseg == 0 && strcmp(m, "POST"))) {
		gw_reply_errf(r, nseg > 1 ? 404 : 405, "", "no such resource");
		return;
	}
	if (nseg == 1 && gw_name_check(seg[0])) {
		gw_reply_errf(r, 404, "name", "tenant not found");
		return;
	}
	if (nseg == 1)
		snprintf(key, sizeof(key), "tenant/%s", seg[0]);
	if (nseg == 1 && !strcmp(m, "GET")) {
		get_key(gw, key, r, tenant_usage);
		return;
	}
	if (nseg == 1 && !strcmp(m, "DELETE")) {
		char p[96];

		snprintf(p, sizeof(p), "lb/%s/", seg[0]);
		del_key(gw, key, p, "load balancers", r);
		return;
	}
	if (strcmp(m, "POST") && strcmp(m, "PUT")) {
		gw_reply_errf(r, 405, "", "method not allowed");
		return;
	}
	doc = cp_json_parse_object(req->body, req->body_len, &e);
	if (!doc || tenant_parse(doc, nseg ? seg[0] : NULL, &t, &e)) {
		cJSON_Delete(doc);
		gw_reply_err(r, &e);
		return;
	}
	cJSON_Delete(doc);
	snprintf(key, sizeof(key), "tenant/%s",
		 cJSON_GetObjectItem(t, "name")->valuestring);
	if (!strcmp(m, "POST")) {
		if (!put_new(gw, key, t, r))
			gw_reply_json(r, 201, tenant_usage(gw, t));
		else
			cJSON_Delete(t);
		return;
	}
	{
		char *s = gw_print(t);
		struct store_cmp cmp = {key, STORE_PRESENT};
		struct store_op op = {STORE_PUT, key, s};
		int err = store_txn(gw->st, &cmp, 1, &op, 1, NULL);

		free(s);
		if (err == -ECANCELED)
			gw_reply_errf(r, 404, "name", "tenant not found");
		else if (err)
			gw_reply_errf(r, 500, "", "store: %s", strerror(-err));
		else
			gw_reply_json(r, 200, tenant_usage(gw, t)), t = NULL;
		cJSON_Delete(t);
	}
}

/* --- tokens ------------------------------------------------------------- */

static void tokens(struct gw *gw, const struct cp_http_req *req, int nseg,
		   struct cp_http_resp *r)
{
	static const char *const f[] = {"role", "tenant", "node", NULL};
	static const char *const roles[] = {"admin", "tenant", "node", NULL};
	struct cp_err e = {0};
	const char *role, *tenant, *node;
	char tok[48], hash[65], key[80];
	cJSON *doc, *rec, *out;
	int err;

	if (nseg || strcmp(req->method, "POST")) {
		gw_reply_errf(r, nseg ? 404 : 405, "", "POST /v1/tokens only");
		return;
	}
	doc = cp_json_parse_object(req->body, req->body_len, &e);
	if (!doc || cp_json_only(doc, "", f, &e) ||
	    cp_json_enum(doc, "", "role", roles, NULL, &role, &e) ||
	    cp_json_str(doc, "", "tenant", 63, !strcmp(role, "tenant"), NULL,
			&tenant, &e) ||
	    cp_json_str(doc, "", "node", 63, !strcmp(role, "node"), NULL, &node,
			&e)) {
		cJSON_Delete(doc);
		gw_reply_err(r, &e);
		return;
	}
	if (!strcmp(role, "tenant")) {
		cJSON *t;

		snprintf(key, sizeof(key), "tenant/%s", tenant);
		if (gw_name_check(tenant) || gw_get_json(gw, key, &t, NULL)) {
			cJSON_Delete(doc);
			gw_reply_errf(r, 422, "tenant", "no such tenant");
			return;
		}
		cJSON_Delete(t);
	}
	if (!strcmp(role, "node") && gw_name_check(node)) {
		cJSON_Delete(doc);
		gw_reply_errf(r, 422, "node",
			      "1-63 of [a-z0-9-], no dash at either end");
		return;
	}
	if (gw_token_new(tok)) {
		cJSON_Delete(doc);
		gw_reply_errf(r, 500, "", "no randomness");
		return;
	}
	gw_token_hash(tok, hash);
	snprintf(key, sizeof(key), "token/%s", hash);
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "role", role);
	if (!strcmp(role, "tenant"))
		cJSON_AddStringToObject(rec, "tenant", tenant);
	if (!strcmp(role, "node"))
		cJSON_AddStringToObject(rec, "node", node);
	/* a short, non-secret handle for logs and listings */
	snprintf(key + 6 + 16, 2, "%s", "");
	cJSON_AddStringToObject(rec, "id", key + 6);
	snprintf(key, sizeof(key), "token/%s", hash);
	cJSON_Delete(doc);
	err = put_new(gw, key, rec, r);
	if (!err) {
		out = cJSON_Duplicate(rec, true);
		/* the only time the secret is ever shown */
		cJSON_AddStringToObject(out, "token", tok);
		gw_reply_json(r, 201, out);
	}
	cJSON_Delete(rec);
}

/* --- pools -------------------------------------------------------------- */

static cJSON *pool_usage(struct gw *gw, cJSON *p)
{
	struct gw_cidr c;
	char prefix[96];
	size_t n = 0;

	snprintf(prefix, sizeof(prefix), "vip/%s/",
		 cJSON_GetStringValue(cJSON_GetObjectItem(p, "name")) ?: "");
	count_prefix(gw, prefix, &n);
	cJSON_AddNumberToObject(p, "used", (double)n);
	if (!gw_cidr_parse(cJSON_GetStringValue(cJSON_GetObjectItem(p, "cidr"))
				   ?: "",
			   &c))
		cJSON_AddNumberToObject(p, "size", (double)gw_cidr_size(&c));
	return p;
}

static void pools(struct gw *gw, const struct cp_http_req *req, char **seg,
		  int nseg, struct cp_http_resp *r)
{
	static const char *const f[] = {"name", "cidr", "tenant", NULL};
	const char *m = req->method, *name, *cidr, *tenant;
	struct cp_err e = {0};
	struct store_kv *kvs;
	struct gw_cidr c;
	char key[96], canon[80];
	cJSON *doc, *p;
	size_t n, i;
	int err;

	if (nseg == 0 && !strcmp(m, "GET")) {
		list_prefix(gw, "pool/", r, pool_usage);
		return;
	}
	if (nseg == 1) {
		if (gw_name_check(seg[0])) {
			gw_reply_errf(r, 404, "name", "pool not found");
			return;
		}
		snprintf(key, sizeof(key), "pool/%s", seg[0]);
		if (!strcmp(m, "GET")) {
			get_key(gw, key, r, pool_usage);
		} else if (!strcmp(m, "DELETE")) {
			char pre[96];

			snprintf(pre, sizeof(pre), "vip/%s/", seg[0]);
			del_key(gw, key, pre, "allocated VIPs", r);
		} else {
			gw_reply_errf(r, 405, "", "use GET or DELETE");
		}
		return;
	}
	if (nseg || strcmp(m, "POST")) {
		gw_reply_errf(r, nseg ? 404 : 405, "", "no such resource");
		return;
	}
	doc = cp_json_parse_object(req->body, req->body_len, &e);
	if (!doc || cp_json_only(doc, "", f, &e) ||
	    cp_json_str(doc, "", "name", 63, true, NULL, &name, &e) ||
	    cp_json_str(doc, "", "cidr", 64, true, NULL, &cidr, &e) ||
	    cp_json_str(doc, "", "tenant", 63, false, NULL, &tenant, &e)) {
		cJSON_Delete(doc);
		gw_reply_err(r, &e);
		return;
	}
	if (gw_name_check(name)) {
		gw_reply_errf(r, 422, "name",
			      "1-63 of [a-z0-9-], no dash at either end");
		goto out;
	}
	if (gw_cidr_parse(cidr, &c)) {
		gw_reply_errf(r, 422, "cidr",
			      "not a CIDR prefix with zero host bits");
		goto out;
	}
	if (tenant && gw_name_check(tenant)) {
		gw_reply_errf(r, 422, "tenant", "not a tenant name");
		goto out;
	}
	err = store_range(gw->st, "pool/", NULL, 0, &kvs, &n);
	if (err) {
		gw_reply_errf(r, 500, "", "store: %s", strerror(-err));
		goto out;
	}
	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_Parse(kvs[i].value);
		struct gw_cidr oc;

		if (o &&
		    !gw_cidr_parse(
			    cJSON_GetStringValue(cJSON_GetObjectItem(o, "cidr"))
				    ?: "",
			    &oc) &&
		    gw_cidr_overlap(&oc, &c)) {
			gw_reply_errf(r, 409, "cidr", "overlaps pool %s",
				      cJSON_GetStringValue(
					      cJSON_GetObjectItem(o, "name"))
					      ?: "?");
			cJSON_Delete(o);
			store_kvs_free(kvs, n);
			goto out;
		}
		cJSON_Delete(o);
	}
	store_kvs_free(kvs, n);
	p = cJSON_CreateObject();
	gw_ip_str(&c.net, canon, sizeof(canon));
	snprintf(canon + strlen(canon), sizeof(canon) - strlen(canon), "/%d",
		 c.plen);
	cJSON_AddStringToObject(p, "name", name);
	cJSON_AddStringToObject(p, "cidr", canon);
	if (tenant)
		cJSON_AddStringToObject(p, "tenant", tenant);
	snprintf(key, sizeof(key), "pool/%s", name);
	if (!put_new(gw, key, p, r))
		gw_reply_json(r, 201, pool_usage(gw, p));
	else
		cJSON_Delete(p);
out:
	cJSON_Delete(doc);
}

/* --- nodes (admin side) --------------------------------------------- */

static cJSON *node_decorate(struct gw *gw, cJSON *n)
{
	int64_t hb = (int64_t)cJSON_GetNumberValue(
		cJSON_GetObjectItem(n, "lastHeartbeatMs"));
	bool fresh = gw_now_ms() - hb <= gw->heartbeat_timeout_ms;
	bool drained = cJSON_IsTrue(cJSON_GetObjectItem(n, "drained"));
	char prefix[96];
	size_t cnt = 0;
	cJSON *st;
	int64_t rev;

	snprintf(prefix, sizeof(prefix), "nodeassign/%s/",
		 cJSON_GetStringValue(cJSON_GetObjectItem(n, "name")) ?: "");
	count_prefix(gw, prefix, &cnt);
	/* a drained node keeps its VIPs until the scheduler has handed each
	 * one over: "draining" until it holds none */
	cJSON_AddStringToObject(n, "state",
				drained ? (cnt ? "draining" : "drained")
				: fresh ? "ready"
					: "not-ready");
	cJSON_AddNumberToObject(n, "vips", (double)cnt);
	/* the node's own word on its BGP sessions and last reload */
	snprintf(prefix, sizeof(prefix), "nodestatus/%s",
		 cJSON_GetStringValue(cJSON_GetObjectItem(n, "name")) ?: "");
	if (!gw_get_json(gw, prefix, &st, &rev)) {
		cJSON *bgp = cJSON_DetachItemFromObject(st, "bgp");

		if (bgp)
			cJSON_AddItemToObject(n, "bgp", bgp);
		cJSON_Delete(st);
	}
	return n;
}

/* Sets or clears a node's drain; the node's assignments tell it whether it
 * is drained, so its long poll must wake too (nodegen/<n>). */
static int node_set_drained(struct gw *gw, const char *name, bool drained,
			    cJSON **out)
{
	char key[96], gkey[96], *s;
	cJSON *n;
	int64_t rev;
	int err = -ECANCELED, i;

	snprintf(key, sizeof(key), "node/%s", name);
	snprintf(gkey, sizeof(gkey), "nodegen/%s", name);
	/* heartbeats rewrite the node about once a second: retry a lost
	 * race rather than fail the operator's request */
	for (i = 0; i < 8 && err == -ECANCELED; i++) {
		err = gw_get_json(gw, key, &n, &rev);
		if (err)
			return err;
		if (cJSON_IsTrue(cJSON_GetObjectItem(n, "drained")) ==
		    drained) {
			*out = n; /* a repeated drain keeps its start time */
			return 0;
		}
		cJSON_DeleteItemFromObject(n, "drained");
		cJSON_AddBoolToObject(n, "drained", drained);
		/* the scheduler's --drain-timeout-ms counts from here */
		cJSON_DeleteItemFromObject(n, "drainedAtMs");
		if (drained)
			cJSON_AddNumberToObject(n, "drainedAtMs",
						(double)gw_now_ms());
		s = gw_print(n);
		{
			struct store_cmp cmp = {key, rev};
			struct store_op ops[2] = {{STORE_PUT, key, s},
						  {STORE_PUT, gkey, "{}"}};

			err = s ? store_txn(gw->st, &cmp, 1, ops, 2, NULL)
				: -ENOMEM;
		}
		free(s);
		if (err)
			cJSON_Delete(n);
	}
	if (!err)
		*out = n;
	return err;
}

static void nodes(struct gw *gw, const struct cp_http_req *req, char **seg,
		  int nseg, struct cp_http_resp *r)
{
	const char *m = req->method;
	char key[96];

	if (nseg == 0 && !strcmp(m, "GET")) {
		list_prefix(gw, "node/", r, node_decorate);
		return;
	}
	if (nseg < 1 || gw_name_check(seg[0])) {
		gw_reply_errf(r, 404, "name", "node not found");
		return;
	}
	snprintf(key, sizeof(key), "node/%s", seg[0]);
	if (nseg == 1 && !strcmp(m, "GET")) {
		get_key(gw, key, r, node_decorate);
	} else if (nseg == 1 && !strcmp(m, "DELETE")) {
		char sk[96];
		struct store_op ops[2] = {{STORE_DEL, key, NULL},
					  {STORE_DEL, sk, NULL}};
		struct store_cmp cmp = {key, STORE_PRESENT};
		int err;

		/* forgetting a dead node also forgets its reports, which
		 * unblocks deletes that wait for it */
		snprintf(sk, sizeof(sk), "nodestatus/%s", seg[0]);
		err = store_txn(gw->st, &cmp, 1, ops, 2, NULL);
		if (err == -ECANCELED)
			gw_reply_errf(r, 404, "name", "node not found");
		else if (err)
			gw_reply_errf(r, 500, "", "store: %s", strerror(-err));
		else
			r->status = 204;
	} else if (nseg == 2 && !strcmp(seg[1], "drain") &&
		   (!strcmp(m, "POST") || !strcmp(m, "PUT"))) {
		static const char *const f[] = {"drained", NULL};
		struct cp_err e = {0};
		cJSON *doc = NULL, *n = NULL;
		bool drained = true;
		int err;

		if (req->body_len) {
			doc = cp_json_parse_object(req->body, req->body_len,
						   &e);
			if (!doc || cp_json_only(doc, "", f, &e) ||
			    cp_json_bool(doc, "", "drained", true, &drained,
					 &e)) {
				cJSON_Delete(doc);
				gw_reply_err(r, &e);
				return;
			}
			cJSON_Delete(doc);
		}
		err = node_set_drained(gw, seg[0], drained, &n);
		if (err == -ENOENT)
			gw_reply_errf(r, 404, "name", "node not found");
		else if (err == -ECANCELED)
			gw_reply_errf(r, 409, "",
				      "changed concurrently, retry");
		else if (err)
			gw_reply_errf(r, 500, "", "store: %s", strerror(-err));
		else
			gw_reply_json(r, 200, node_decorate(gw, n));
	} else {
		gw_reply_errf(r, 404, "", "no such resource");
	}
}

void gw_admin_route(struct gw *gw, const struct gw_caller *c,
		    const struct cp_http_req *req, char **seg, int nseg,
		    struct cp_http_resp *r)
{
	const char *coll = seg[-1];

	if (c->role != GW_ADMIN) {
		gw_reply_errf(r, 403, "Authorization", "needs an admin token");
		return;
	}
	if (!strcmp(coll, "tenants"))
		tenants(gw, req, seg, nseg, r);
	else if (!strcmp(coll, "tokens"))
		tokens(gw, req, nseg, r);
	else if (!strcmp(coll, "pools"))
		pools(gw, req, seg, nseg, r);
	else
		nodes(gw, req, seg, nseg, r);
}
