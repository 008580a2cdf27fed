// SPDX-License-Identifier: GPL-2.0
/* The LoadBalancer API: create, get, list, replace, merge patch, batch
 * backend replace and delete, for tenant tokens, within their tenant. */
#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gw.h"

#define MAX_RETRIES 64

/* After a lost compare-and-swap: a short random pause, growing with the
 * attempt, so that writers racing from several gateways spread out. */
static void backoff(int attempt)
{
	unsigned char r = 0;
	struct timespec ts;

	RAND_bytes(&r, 1);
	ts.tv_sec = 0;
	ts.tv_nsec =
		(long)(1 + r % 4) * (attempt < 8 ? attempt + 1 : 8) * 500000L;
	nanosleep(&ts, NULL);
}

static void lb_key(char *buf, size_t n, const char *tenant, const char *name)
{
	snprintf(buf, n, "lb/%s/%s", tenant, name);
}

static void iso_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static long long num(const cJSON *o, const char *k, long long def)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);

	return cJSON_IsNumber(v) ? (long long)v->valuedouble : def;
}

/* The tenant's quotas and usage; usage_rev is STORE_ABSENT when none. */
struct tenant_acct {
	bool dev;
	long long q_lbs, q_bes;
	long long u_lbs, u_bes;
	int64_t usage_rev;
};

static int load_acct(struct gw *gw, const char *tenant, struct tenant_acct *a,
		     struct cp_err *e)
{
	cJSON *t = NULL, *u = NULL, *q;
	char key[96];
	int err;

	memset(a, 0, sizeof(*a));
	snprintf(key, sizeof(key), "tenant/%s", tenant);
	err = gw_get_json(gw, key, &t, NULL);
	if (err)
		return cp_err_set(e, err == -ENOENT ? 404 : 500, "",
				  "tenant %s not found", tenant);
	a->dev = cJSON_IsTrue(cJSON_GetObjectItem(t, "dev"));
	q = cJSON_GetObjectItem(t, "quotas");
	a->q_lbs = num(q, "loadBalancers", 100);
	a->q_bes = num(q, "backends", 10000);
	cJSON_Delete(t);
	snprintf(key, sizeof(key), "usage/%s", tenant);
	a->usage_rev = STORE_ABSENT;
	err = gw_get_json(gw, key, &u, &a->usage_rev);
	if (err && err != -ENOENT)
		return cp_err_set(e, 500, "", "store: %s", strerror(-err));
	if (err)
		a->usage_rev = STORE_ABSENT;
	a->u_lbs = num(u, "loadBalancers", 0);
	a->u_bes = num(u, "backends", 0);
	cJSON_Delete(u);
	return 0;
}

static char *usage_doc(long long lbs, long long bes)
{
	char *s = malloc(96);

	if (s)
		snprintf(s, 96, "{\"loadBalancers\":%lld,\"backends\":%lld}",
			 lbs, bes);
	return s;
}

static int check_expiry(const struct tenant_acct *a, const cJSON *spec,
			struct cp_err *e)
{
	const char *exp =
		cJSON_GetStringValue(cJSON_GetObjectItem(spec, "expiresAt"));
	int64_t t;

	if (!exp)
		return a->dev ? cp_err_set(e, 422, "spec.expiresAt",
					   "required for development "
					   "tenants")
			      : 0;
	if (gw_time_parse(exp, &t) || t * 1000 <= gw_now_ms())
		return cp_err_set(e, 422, "spec.expiresAt",
				  "must be in the future");
	return 0;
}

static void reply_view(struct gw *gw, struct cp_http_resp *r, int status,
		       const char *tenant, const cJSON *stored)
{
	cJSON *v = gw_lb_view(gw, tenant, stored);

	snprintf(r->etag, sizeof(r->etag), "\"%lld\"",
		 num(cJSON_GetObjectItem(stored, "metadata"), "generation", 0));
	gw_reply_json(r, status, v);
}

static void create(struct gw *gw, const struct gw_caller *c,
		   const struct cp_http_req *req, struct cp_http_resp *r)
{
	struct cp_err e = {0};
	cJSON *doc, *canon = NULL, *meta, *vip;
	const cJSON *spec;
	struct tenant_acct a;
	char key[160], vkey[160], addr[64], uid[33], ts[32];
	unsigned char rnd[16];
	int err = 0, i, nbe;

	doc = cp_json_parse_object(req->body, req->body_len, &e);
	if (!doc || gw_lb_validate(doc, NULL, &gw->lim, &canon, &e)) {
		cJSON_Delete(doc);
		gw_reply_err(r, &e);
		return;
	}
	cJSON_Delete(doc);
	spec = cJSON_GetObjectItem(canon, "spec");
	nbe = gw_lb_backend_count(spec);
	lb_key(key, sizeof(key), c->tenant,
	       cJSON_GetObjectItem(canon, "name")->valuestring);
	RAND_bytes(rnd, sizeof(rnd));
	for (i = 0; i < 16; i++)
		sprintf(uid + 2 * i, "%02x", rnd[i]);
	iso_now(ts, sizeof(ts));
	meta = cJSON_AddObjectToObject(canon, "metadata");
	cJSON_AddStringToObject(meta, "tenant", c->tenant);
	cJSON_AddStringToObject(meta, "uid", uid);
	cJSON_AddNumberToObject(meta, "generation", 1);
	cJSON_AddStringToObject(meta, "createdAt", ts);
	cJSON_AddStringToObject(meta, "updatedAt", ts);
	vip = cJSON_AddObjectToObject(canon, "vip");

	pthread_mutex_lock(&gw->alloc_mu);
	for (i = 0; i < MAX_RETRIES; i++) {
		const char *want =
			cJSON_GetObjectItem(spec, "vip")->valuestring;
		struct store_kv old;
		char *lbs = NULL, *us = NULL;

		if ((err = load_acct(gw, c->tenant, &a, &e)) ||
		    (err = check_expiry(&a, spec, &e)))
			break;
		if (!store_get(gw->st, key, &old)) {
			store_kv_clear(&old);
			err = cp_err_set(&e, 409, "name",
					 "a load balancer with this name "
					 "exists");
			break;
		}
		if (a.u_lbs + 1 > a.q_lbs) {
			err = cp_err_set(&e, 409, "",
					 "quota of %lld load balancers reached",
					 a.q_lbs);
			break;
		}
		if (a.u_bes + nbe > a.q_bes) {
			err = cp_err_set(&e, 409, "spec.listeners",
					 "quota of %lld backends exceeded",
					 a.q_bes);
			break;
		}
		err = gw_vip_pick(
			gw, c->tenant,
			cJSON_GetObjectItem(spec, "ipFamily")->valuestring,
			strcmp(want, "auto") ? want : NULL, vkey, sizeof(vkey),
			addr, sizeof(addr), &e);
		if (err)
			break;
		cJSON_DeleteItemFromObject(vip, "address");
		cJSON_DeleteItemFromObject(vip, "key");
		cJSON_AddStringToObject(vip, "address", addr);
		cJSON_AddStringToObject(vip, "key", vkey);
		lbs = gw_print(canon);
		us = usage_doc(a.u_lbs + 1, a.u_bes + nbe);
		{
			char ref[200];
			struct store_cmp cmps[] = {
				{key, STORE_ABSENT},
				{vkey, STORE_ABSENT},
				{"", a.usage_rev},
			};
			char ukey[96];
			struct store_op ops[3];

			snprintf(ukey, sizeof(ukey), "usage/%s", c->tenant);
			cmps[2].key = ukey;
			snprintf(ref, sizeof(ref), "{\"lb\":\"%s/%s\"}",
				 c->tenant,
				 cJSON_GetObjectItem(canon, "name")
					 ->valuestring);
			ops[0] = (struct store_op){STORE_PUT, key, lbs};
			ops[1] = (struct store_op){STORE_PUT, vkey, ref};
			ops[2] = (struct store_op){STORE_PUT, ukey, us};
			err = lbs && us
				      ? store_txn(gw->st, cmps, 3, ops, 3, NULL)
				      : -ENOMEM;
		}
		free(lbs);
		free(us);
		if (err != -ECANCELED)
			break;
		pthread_mutex_lock(&gw->m.mu);
		gw->m.vip_conflicts++;
		pthread_mutex_unlock(&gw->m.mu);
		backoff(i);
		if (strcmp(want, "auto")) {
			/* the address itself may be the conflict */
			struct store_kv kv;

			if (!store_get(gw->st, vkey, &kv)) {
				store_kv_clear(&kv);
				err = cp_err_set(&e, 409, "spec.vip",
						 "%s is already in use", want);
				break;
			}
		}
	}
	pthread_mutex_unlock(&gw->alloc_mu);
	if (err == -ECANCELED)
		cp_err_set(&e, 409, "", "too much contention, retry");
	else if (err && !e.status)
		cp_err_set(&e, 500, "", "store: %s", strerror(-err));
	if (err) {
		gw_reply_err(r, &e);
	} else {
		pthread_mutex_lock(&gw->m.mu);
		gw->m.creates++;
		pthread_mutex_unlock(&gw->m.mu);
		snprintf(r->location, sizeof(r->location),
			 "/v1/loadbalancers/%s",
			 cJSON_GetObjectItem(canon, "name")->valuestring);
		reply_view(gw, r, 201, c->tenant, canon);
	}
	cJSON_Delete(canon);
}

static int load_lb(struct gw *gw, const char *tenant, const char *name,
		   cJSON **lb, int64_t *rev, struct cp_http_resp *r)
{
	char key[160];
	int err;

	if (gw_name_check(name)) {
		gw_reply_errf(r, 404, "name", "load balancer %s not found",
			      name);
		return -ENOENT;
	}
	lb_key(key, sizeof(key), tenant, name);
	err = gw_get_json(gw, key, lb, rev);
	if (err == -ENOENT)
		gw_reply_errf(r, 404, "name", "load balancer %s not found",
			      name);
	else if (err)
		gw_reply_errf(r, 500, "", "store: %s", strerror(-err));
	return err;
}

static void get_one(struct gw *gw, const struct gw_caller *c, const char *name,
		    struct cp_http_resp *r)
{
	cJSON *lb;

	if (load_lb(gw, c->tenant, name, &lb, NULL, r))
		return;
	reply_view(gw, r, 200, c->tenant, lb);
	cJSON_Delete(lb);
}

static bool label_match(const cJSON *labels, const char *sel)
{
	char *dup = strdup(sel), *tok, *save = NULL;
	bool ok = dup != NULL;

	for (tok = dup ? strtok_r(dup, ",", &save) : NULL; tok && ok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char *v;

		if (eq)
			*eq = 0;
		v = cJSON_GetStringValue(cJSON_GetObjectItem(labels, tok));
		ok = v && (!eq || !strcmp(v, eq + 1));
	}
	free(dup);
	return ok;
}

static void list(struct gw *gw, const struct gw_caller *c,
		 const struct cp_http_req *req, struct cp_http_resp *r)
{
	char *lim_s = cp_http_query_get(req->query, "limit");
	char *cont = cp_http_query_get(req->query, "continue");
	char *name = cp_http_query_get(req->query, "name");
	char *label = cp_http_query_get(req->query, "label");
	char prefix[96], after[200] = "", *end;
	cJSON *out = cJSON_CreateObject(), *items;
	long limit = 100;
	int got = 0;
	bool more = false;

	items = cJSON_AddArrayToObject(out, "items");
	if (lim_s) {
		limit = strtol(lim_s, &end, 10);
		if (!*lim_s || *end || limit < 1 || limit > 1000) {
			gw_reply_errf(r, 422, "limit", "must be 1 to 1000");
			goto out;
		}
	}
	snprintf(prefix, sizeof(prefix), "lb/%s/", c->tenant);
	if (cont && *cont)
		snprintf(after, sizeof(after), "%s%s", prefix, cont);
	for (;;) {
		struct store_kv *kvs;
		size_t n, i;
		int err = store_range(gw->st, prefix, *after ? after : NULL,
				      (size_t)limit + 1, &kvs, &n);

		if (err) {
			gw_reply_errf(r, 500, "", "store: %s", strerror(-err));
			goto out;
		}
		for (i = 0; i < n && !more; i++) {
			const char *nm = kvs[i].key + strlen(prefix);
			cJSON *lb;

			snprintf(after, sizeof(after), "%s", kvs[i].key);
			if (name && strcmp(nm, name))
				continue;
			lb = cJSON_Parse(kvs[i].value);
			if (!lb)
				continue;
			if (label &&
			    !label_match(cJSON_GetObjectItem(lb, "labels"),
					 label)) {
				cJSON_Delete(lb);
				continue;
			}
			if (got == limit) {
				more = true;
				cJSON_Delete(lb);
				break;
			}
			cJSON_AddItemToArray(items,
					     gw_lb_view(gw, c->tenant, lb));
			got++;
			cJSON_Delete(lb);
		}
		store_kvs_free(kvs, n);
		if (more || n < (size_t)limit + 1)
			break;
	}
	if (more) {
		const cJSON *last = cJSON_GetArrayItem(items, got - 1);

		cJSON_AddStringToObject(
			out, "continue",
			cJSON_GetObjectItem(last, "name")->valuestring);
	}
	gw_reply_json(r, 200, out);
	out = NULL;
out:
	cJSON_Delete(out);
	free(lim_s);
	free(cont);
	free(name);
	free(label);
}

static bool if_match_ok(const char *im, long long gen)
{
	char want[32];

	if (!im || !strcmp(im, "*"))
		return true;
	snprintf(want, sizeof(want), "\"%lld\"", gen);
	if (!strcmp(im, want))
		return true;
	snprintf(want, sizeof(want), "%lld", gen);
	return !strcmp(im, want);
}

/* Nodes whose desired state includes this load balancer, for touching
 * their nodegen keys; *prev is the placement's mod_rev (or ABSENT). */
static cJSON *placement_of(struct gw *gw, const char *tenant, const char *name,
			   int64_t *prev)
{
	char key[200];
	cJSON *p = NULL;

	snprintf(key, sizeof(key), "placement/%s/%s", tenant, name);
	*prev = STORE_ABSENT;
	if (gw_get_json(gw, key, &p, prev))
		*prev = STORE_ABSENT;
	return p;
}

typedef int (*edit_fn)(const cJSON *cur_user, const void *arg, cJSON **next,
		       struct cp_err *e);

/* The one write path for every spec change: re-read, edit, validate, bump
 * the generation when the spec changed, commit only if nothing moved. */
static void update(struct gw *gw, const struct gw_caller *c,
		   const struct cp_http_req *req, const char *name,
		   edit_fn edit, const void *arg, struct cp_http_resp *r)
{
	struct cp_err e = {0};
	cJSON *lb = NULL, *next = NULL, *canon = NULL;
	int i, err = 0;
	bool changed = false;

	for (i = 0; i < MAX_RETRIES; i++) {
		cJSON *user, *meta, *place, *pn, *spec;
		struct tenant_acct a;
		struct store_cmp cmps[3 + 16];
		struct store_op ops[2 + 16];
		char key[160], ukey[96], pkey[200], gkeys[2 + 16][96];
		char *lbs = NULL, *us = NULL;
		const char *oldvip, *newvip;
		int64_t rev, prev;
		long long gen, dbe;
		size_t nc = 0, no = 0;

		cJSON_Delete(lb);
		cJSON_Delete(canon);
		lb = canon = NULL;
		if (load_lb(gw, c->tenant, name, &lb, &rev, r))
			goto out;
		meta = cJSON_GetObjectItem(lb, "metadata");
		gen = num(meta, "generation", 1);
		if (!if_match_ok(req->if_match, gen)) {
			cp_err_set(&e, 409, "If-Match",
				   "generation is %lld, not %s", gen,
				   req->if_match);
			err = -EINVAL;
			break;
		}
		if (cJSON_GetObjectItem(meta, "deletionRequestedAt")) {
			err = cp_err_set(&e, 409, "",
					 "the load balancer is being deleted");
			break;
		}
		user = cJSON_CreateObject();
		cJSON_AddItemReferenceToObject(user, "name",
					       cJSON_GetObjectItem(lb, "name"));
		cJSON_AddItemReferenceToObject(
			user, "labels", cJSON_GetObjectItem(lb, "labels"));
		cJSON_AddItemReferenceToObject(user, "spec",
					       cJSON_GetObjectItem(lb, "spec"));
		next = NULL;
		err = edit(user, arg, &next, &e);
		if (!err)
			err = gw_lb_validate(next, name, &gw->lim, &canon, &e);
		cJSON_Delete(next);
		next = NULL;
		if (err) {
			cJSON_Delete(user);
			break;
		}
		changed =
			!cJSON_Compare(cJSON_GetObjectItem(canon, "spec"),
				       cJSON_GetObjectItem(lb, "spec"), true) ||
			!cJSON_Compare(cJSON_GetObjectItem(canon, "labels"),
				       cJSON_GetObjectItem(lb, "labels"), true);
		cJSON_Delete(user);
		if (!changed)
			break;
		spec = cJSON_GetObjectItem(canon, "spec");
		oldvip = cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetObjectItem(lb, "vip"), "address"));
		newvip = cJSON_GetObjectItem(spec, "vip")->valuestring;
		if (strcmp(newvip, "auto") && oldvip &&
		    strcmp(newvip, oldvip)) {
			err = cp_err_set(&e, 422, "spec.vip",
					 "cannot change the VIP (%s) of an "
					 "existing load balancer",
					 oldvip);
			break;
		}
		if (strcmp(cJSON_GetObjectItem(spec, "ipFamily")->valuestring,
			   cJSON_GetStringValue(cJSON_GetObjectItem(
				   cJSON_GetObjectItem(lb, "spec"), "ipFamily"))
				   ?: "")) {
			err = cp_err_set(&e, 422, "spec.ipFamily",
					 "cannot change the IP family of an "
					 "existing load balancer");
			break;
		}
		if ((err = load_acct(gw, c->tenant, &a, &e)) ||
		    (err = check_expiry(&a, spec, &e)))
			break;
		dbe = gw_lb_backend_count(spec) -
		      gw_lb_backend_count(cJSON_GetObjectItem(lb, "spec"));
		if (dbe > 0 && a.u_bes + dbe > a.q_bes) {
			err = cp_err_set(&e, 409, "spec.listeners",
					 "quota of %lld backends exceeded",
					 a.q_bes);
			break;
		}
		cJSON_AddItemToObject(canon, "metadata",
				      cJSON_Duplicate(meta, true));
		cJSON_AddItemToObject(
			canon, "vip",
			cJSON_Duplicate(cJSON_GetObjectItem(lb, "vip"), true));
		meta = cJSON_GetObjectItem(canon, "metadata");
		cJSON_ReplaceItemInObject(meta, "generation",
					  cJSON_CreateNumber((double)gen + 1));
		{
			char ts[32];

			iso_now(ts, sizeof(ts));
			cJSON_ReplaceItemInObject(meta, "updatedAt",
						  cJSON_CreateString(ts));
		}
		lb_key(key, sizeof(key), c->tenant, name);
		lbs = gw_print(canon);
		cmps[nc++] = (struct store_cmp){key, rev};
		ops[no++] = (struct store_op){STORE_PUT, key, lbs};
		if (dbe) {
			snprintf(ukey, sizeof(ukey), "usage/%s", c->tenant);
			us = usage_doc(a.u_lbs, a.u_bes + dbe);
			cmps[nc++] = (struct store_cmp){ukey, a.usage_rev};
			ops[no++] = (struct store_op){STORE_PUT, ukey, us};
		}
		place = placement_of(gw, c->tenant, name, &prev);
		snprintf(pkey, sizeof(pkey), "placement/%s/%s", c->tenant,
			 name);
		cmps[nc++] = (struct store_cmp){pkey, prev};
		cJSON_ArrayForEach(pn, cJSON_GetObjectItem(place, "nodes"))
		{
			if (no >= 2 + 16 || !cJSON_IsString(pn))
				break;
			snprintf(gkeys[no], sizeof(gkeys[no]), "nodegen/%s",
				 pn->valuestring);
			ops[no] = (struct store_op){STORE_PUT, gkeys[no], "{}"};
			no++;
		}
		cJSON_Delete(place);
		err = lbs && (us || !dbe)
			      ? store_txn(gw->st, cmps, nc, ops, no, NULL)
			      : -ENOMEM;
		free(lbs);
		free(us);
		if (err != -ECANCELED)
			break;
		backoff(i);
	}
	if (err == -ECANCELED)
		cp_err_set(&e, 409, "", "too much contention, retry");
	else if (err && !e.status)
		cp_err_set(&e, 500, "", "store: %s", strerror(-err));
	if (err) {
		gw_reply_err(r, &e);
	} else if (!changed) {
		reply_view(gw, r, 200, c->tenant, lb);
	} else {
		pthread_mutex_lock(&gw->m.mu);
		gw->m.updates++;
		pthread_mutex_unlock(&gw->m.mu);
		reply_view(gw, r, 200, c->tenant, canon);
	}
out:
	cJSON_Delete(lb);
	cJSON_Delete(canon);
}

static int edit_replace(const cJSON *cur, const void *arg, cJSON **next,
			struct cp_err *e)
{
	(void)cur;
	(void)e;
	*next = cJSON_Duplicate(arg, true);
	return *next ? 0 : -ENOMEM;
}

static int edit_patch(const cJSON *cur, const void *arg, cJSON **next,
		      struct cp_err *e)
{
	const cJSON *patch = arg;
	int err;

	/* merge-patching metadata or status would silently do nothing */
	if (cJSON_GetObjectItem(patch, "metadata") ||
	    cJSON_GetObjectItem(patch, "status"))
		return cp_err_set(e, 422,
				  cJSON_GetObjectItem(patch, "metadata")
					  ? "metadata"
					  : "status",
				  "read-only");
	*next = cJSON_Duplicate(cur, true);
	if (!*next)
		return -ENOMEM;
	err = cp_json_merge_patch(next, patch);
	return err;
}

struct backends_arg {
	int port;
	const char *proto;
	const cJSON *backends;
};

static int edit_backends(const cJSON *cur, const void *arg, cJSON **next,
			 struct cp_err *e)
{
	const struct backends_arg *b = arg;
	cJSON *l;

	*next = cJSON_Duplicate(cur, true);
	if (!*next)
		return -ENOMEM;
	cJSON_ArrayForEach(
		l, cJSON_GetObjectItem(cJSON_GetObjectItem(*next, "spec"),
				       "listeners"))
	{
		if (cJSON_GetObjectItem(l, "port")->valueint == b->port &&
		    !strcmp(cJSON_GetObjectItem(l, "protocol")->valuestring,
			    b->proto)) {
			cJSON_ReplaceItemInObject(
				l, "backends",
				cJSON_Duplicate(b->backends, true));
			return 0;
		}
	}
	return cp_err_set(e, 404, "port", "no %s listener on port %d", b->proto,
			  b->port);
}

static void put_backends(struct gw *gw, const struct gw_caller *c,
			 const struct cp_http_req *req, const char *name,
			 const char *port_s, struct cp_http_resp *r)
{
	struct backends_arg a = {0};
	char *proto = cp_http_query_get(req->query, "protocol");
	static const char *const fields[] = {"backends", NULL};
	struct cp_err e = {0};
	cJSON *doc, *tmp;
	char *end;
	long port;
	int total = 0;

	port = strtol(port_s, &end, 10);
	if (*end || port < 0 || port > 65535) {
		gw_reply_errf(r, 404, "port", "no listener on port %s", port_s);
		free(proto);
		return;
	}
	a.port = (int)port;
	a.proto = proto && !strcmp(proto, "UDP") ? "UDP" : "TCP";
	if (proto && strcmp(proto, "UDP") && strcmp(proto, "TCP")) {
		gw_reply_errf(r, 422, "protocol", "must be TCP or UDP");
		free(proto);
		return;
	}
	doc = cp_json_parse_object(req->body, req->body_len, &e);
	tmp = cJSON_CreateArray();
	if (!doc || cp_json_only(doc, "", fields, &e) ||
	    !cJSON_IsArray(cJSON_GetObjectItem(doc, "backends")) ||
	    gw_backends_validate(cJSON_GetObjectItem(doc, "backends"),
				 "backends", &gw->lim, &total, tmp, &e)) {
		if (doc && !e.status)
			cp_err_set(&e, 422, "backends", "required array");
		gw_reply_err(r, &e);
	} else {
		a.backends = cJSON_GetObjectItem(doc, "backends");
		update(gw, c, req, name, edit_backends, &a, r);
	}
	cJSON_Delete(tmp);
	cJSON_Delete(doc);
	free(proto);
}

/* True when some node still reports this load balancer as present. */
static int reported_anywhere(struct gw *gw, const char *id, bool *yes)
{
	struct store_kv *kvs;
	size_t n, i;
	int err = store_range(gw->st, "nodestatus/", NULL, 0, &kvs, &n);

	*yes = false;
	if (err)
		return err;
	for (i = 0; i < n && !*yes; i++) {
		cJSON *ns = cJSON_Parse(kvs[i].value), *v;

		cJSON_ArrayForEach(v, cJSON_GetObjectItem(ns, "vips")) if (
			!strcmp(cJSON_GetStringValue(
					cJSON_GetObjectItem(v, "id"))
					?: "",
				id)) *yes = true;
		cJSON_Delete(ns);
	}
	store_kvs_free(kvs, n);
	return 0;
}

int gw_lb_finalize(struct gw *gw, const char *tenant, const char *name,
		   int64_t rev, int64_t place_rev, const cJSON *lb)
{
	char key[160], pkey[200], ukey[96], id[140];
	const char *vkey = cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(lb, "vip"), "key"));
	struct tenant_acct a;
	struct cp_err e;
	char *us;
	bool rep;
	int err, nbe = gw_lb_backend_count(cJSON_GetObjectItem(lb, "spec"));

	snprintf(id, sizeof(id), "%s/%s", tenant, name);
	err = reported_anywhere(gw, id, &rep);
	if (err)
		return err;
	if (rep)
		return -EBUSY;
	if (load_acct(gw, tenant, &a, &e))
		a.usage_rev = STORE_ABSENT;
	lb_key(key, sizeof(key), tenant, name);
	snprintf(pkey, sizeof(pkey), "placement/%s", id);
	snprintf(ukey, sizeof(ukey), "usage/%s", tenant);
	us = usage_doc(a.u_lbs > 0 ? a.u_lbs - 1 : 0,
		       a.u_bes > nbe ? a.u_bes - nbe : 0);
	if (!us)
		return -ENOMEM;
	{
		struct store_cmp cmps[] = {
			{key, rev}, {pkey, place_rev}, {ukey, a.usage_rev}};
		struct store_op ops[] = {{STORE_DEL, key, NULL},
					 {STORE_PUT, ukey, us},
					 {STORE_DEL, pkey, NULL},
					 {STORE_DEL, vkey ?: key, NULL}};

		err = store_txn(gw->st, cmps, 3, ops, vkey ? 4 : 3, NULL);
	}
	free(us);
	return err;
}

static void del(struct gw *gw, const struct gw_caller *c,
		const struct cp_http_req *req, const char *name,
		struct cp_http_resp *r)
{
	int i, err = 0;

	for (i = 0; i < MAX_RETRIES; i++) {
		cJSON *lb, *meta, *place;
		int64_t rev, prev;
		char key[160], ts[32], *s;
		int nplaced;

		if (load_lb(gw, c->tenant, name, &lb, &rev, r))
			return;
		meta = cJSON_GetObjectItem(lb, "metadata");
		if (!if_match_ok(req->if_match, num(meta, "generation", 1))) {
			gw_reply_errf(r, 409, "If-Match",
				      "generation is %lld, not %s",
				      num(meta, "generation", 1),
				      req->if_match);
			cJSON_Delete(lb);
			return;
		}
		place = placement_of(gw, c->tenant, name, &prev);
		nplaced =
			cJSON_GetArraySize(cJSON_GetObjectItem(place, "nodes"));
		cJSON_Delete(place);
		/* on no node: nothing to wait for, delete now */
		if (!nplaced) {
			err = gw_lb_finalize(gw, c->tenant, name, rev, prev,
					     lb);
			if (!err) {
				cJSON_Delete(lb);
				pthread_mutex_lock(&gw->m.mu);
				gw->m.deletes++;
				pthread_mutex_unlock(&gw->m.mu);
				r->status = 204;
				return;
			}
			if (err != -EBUSY && err != -ECANCELED) {
				cJSON_Delete(lb);
				break;
			}
		}
		if (err == -ECANCELED) {
			cJSON_Delete(lb);
			continue;
		}
		/* placed somewhere: mark it, the scheduler unplaces it and
		 * finalizes once every node reports it gone */
		if (!cJSON_GetObjectItem(meta, "deletionRequestedAt")) {
			iso_now(ts, sizeof(ts));
			cJSON_AddStringToObject(meta, "deletionRequestedAt",
						ts);
			lb_key(key, sizeof(key), c->tenant, name);
			s = gw_print(lb);
			{
				struct store_cmp cmp = {key, rev};
				struct store_op op = {STORE_PUT, key, s};

				err = s ? store_txn(gw->st, &cmp, 1, &op, 1,
						    NULL)
					: -ENOMEM;
			}
			free(s);
			if (err == -ECANCELED) {
				cJSON_Delete(lb);
				continue;
			}
		} else {
			err = 0;
		}
		if (!err) {
			pthread_mutex_lock(&gw->m.mu);
			gw->m.deletes++;
			pthread_mutex_unlock(&gw->m.mu);
			reply_view(gw, r, 202, c->tenant, lb);
		}
		cJSON_Delete(lb);
		break;
	}
	if (err)
		gw_reply_errf(r, err == -ECANCELED ? 409 : 500, "", "store: %s",
			      strerror(-err));
}

void gw_lb_route(struct gw *gw, const struct gw_caller *c,
		 const struct cp_http_req *req, char **seg, int nseg,
		 struct cp_http_resp *r)
{
	const char *m = req->method;

	if (c->role != GW_TENANT) {
		gw_reply_errf(r, 403, "Authorization",
			      "load balancers need a tenant token");
		return;
	}
	if (nseg == 0) {
		if (!strcmp(m, "GET"))
			list(gw, c, req, r);
		else if (!strcmp(m, "POST"))
			create(gw, c, req, r);
		else
			gw_reply_errf(r, 405, "", "use GET or POST");
		return;
	}
	if (nseg == 1) {
		if (!strcmp(m, "GET")) {
			get_one(gw, c, seg[0], r);
		} else if (!strcmp(m, "PUT") || !strcmp(m, "PATCH")) {
			struct cp_err e = {0};
			cJSON *doc = cp_json_parse_object(req->body,
							  req->body_len, &e);
			cJSON *tmp;

			if (!doc) {
				gw_reply_err(r, &e);
				return;
			}
			if (gw_name_check(seg[0])) {
				gw_reply_errf(r, 404, "name",
					      "load balancer %s not found",
					      seg[0]);
				cJSON_Delete(doc);
				return;
			}
			/* a PUT body gets validated before any read, so that
			 * a bad one never costs a store round trip */
			if (!strcmp(m, "PUT") &&
			    gw_lb_validate(doc, seg[0], &gw->lim, &tmp, &e)) {
				gw_reply_err(r, &e);
				cJSON_Delete(doc);
				return;
			}
			if (!strcmp(m, "PUT"))
				cJSON_Delete(tmp);
			update(gw, c, req, seg[0],
			       !strcmp(m, "PUT") ? edit_replace : edit_patch,
			       doc, r);
			cJSON_Delete(doc);
		} else if (!strcmp(m, "DELETE")) {
			del(gw, c, req, seg[0], r);
		} else {
			gw_reply_errf(r, 405, "",
				      "use GET, PUT, PATCH or "
				      "DELETE");
		}
		return;
	}
	if (nseg == 4 && !strcmp(seg[1], "listeners") &&
	    !strcmp(seg[3], "backends")) {
		if (strcmp(m, "PUT")) {
			gw_reply_errf(r, 405, "", "use PUT");
			return;
		}
		put_backends(gw, c, req, seg[0], seg[2], r);
		return;
	}
	gw_reply_errf(r, 404, "", "no such resource");
}
