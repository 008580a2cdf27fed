// SPDX-License-Identifier: GPL-2.0
/* The scheduler's controller loop body and leader election (see
 * sched_ctl.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_ctl.h"
#include "sched_place.h"

#define LEADER_KEY "leader/scheduler"
/* load balancers per transaction: few, large transactions take the store's
 * write lock less often (etcd needs --max-txn-ops of ~10 per LB) */
#define BATCH 256

int sched_ctl_init(struct sched_ctl *c, struct store *st, const char *holder)
{
	memset(c, 0, sizeof(*c));
	gw_init(&c->gw, st);
	c->heartbeat_timeout_ms = 5000;
	c->drain_timeout_ms = 30000;
	c->lease_ms = 3000;
	snprintf(c->holder, sizeof(c->holder), "%s", holder);
	return 0;
}

void sched_ctl_fini(struct sched_ctl *c)
{
	gw_fini(&c->gw);
}

int sched_ctl_lead(struct sched_ctl *c)
{
	struct store *st = c->gw.st;
	int64_t now = gw_now_ms(), rev = STORE_ABSENT;
	cJSON *cur = NULL;
	char val[200];
	int err;

	err = gw_get_json(&c->gw, LEADER_KEY, &cur, &rev);
	if (err == -ENOENT)
		rev = STORE_ABSENT;
	else if (err)
		return err;
	if (cur) {
		const char *h = cJSON_GetStringValue(
			cJSON_GetObjectItem(cur, "holder"));
		int64_t exp = (int64_t)cJSON_GetNumberValue(
			cJSON_GetObjectItem(cur, "expiresMs"));
		bool mine = h && !strcmp(h, c->holder);

		cJSON_Delete(cur);
		if (!mine && exp > now)
			return 0;
		/* renew at a third of the lease, not on every step */
		if (mine && exp - now > c->lease_ms * 2 / 3 &&
		    c->lease_until_ms == exp)
			return 1;
	}
	snprintf(val, sizeof(val), "{\"holder\":\"%s\",\"expiresMs\":%lld}",
		 c->holder, (long long)(now + c->lease_ms));
	{
		struct store_cmp cmp = {LEADER_KEY, rev};
		struct store_op op = {STORE_PUT, LEADER_KEY, val};

		err = store_txn(st, &cmp, 1, &op, 1, NULL);
	}
	if (err == -ECANCELED)
		return 0;
	if (err)
		return err;
	if (c->lease_until_ms <= now)
		c->led_since_ms = now;
	c->lease_until_ms = now + c->lease_ms;
	return 1;
}

void sched_ctl_resign(struct sched_ctl *c)
{
	struct store_kv kv;
	cJSON *cur;

	if (store_get(c->gw.st, LEADER_KEY, &kv))
		return;
	cur = cJSON_Parse(kv.value);
	if (cur &&
	    !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(cur, "holder"))
			    ?: "",
		    c->holder)) {
		struct store_cmp cmp = {LEADER_KEY, kv.mod_rev};
		struct store_op op = {STORE_DEL, LEADER_KEY, NULL};

		store_txn(c->gw.st, &cmp, 1, &op, 1, NULL);
	}
	cJSON_Delete(cur);
	store_kv_clear(&kv);
}

struct lbrec {
	char *id; /* tenant/name */
	int64_t rev;
	cJSON *doc;
	const char *zones[16];
	struct store_kv *place; /* NULL when unplaced */
	cJSON *pdoc;
};

static int find_node(struct sched_node *nodes, int nn, const char *name)
{
	int lo = 0, hi = nn - 1;

	/* nodes come from a sorted range */
	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(nodes[mid].name, name);

		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Appends the ops moving one LB from its old to its new node set. */
struct txnbuf {
	struct store_cmp *cmps;
	struct store_op *ops;
	char **owned;
	size_t nc, no, nown, cap;
	/* nodegen keys already in this transaction: etcd rejects a
	 * transaction that puts one key twice */
	char **gens;
	size_t ngens, capgens;
};

static char *tb_str(struct txnbuf *t, char *s);

/* Adds a put of nodegen/<node> unless the transaction has one. */
static int tb_touch(struct txnbuf *t, const char *node)
{
	char k[160], *dup;
	size_t i;

	snprintf(k, sizeof(k), "nodegen/%s", node);
	for (i = 0; i < t->ngens; i++)
		if (!strcmp(t->gens[i], k))
			return 0;
	if (t->ngens == t->capgens) {
		size_t cap = t->capgens ? t->capgens * 2 : 64;
		char **g = realloc(t->gens, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		t->gens = g;
		t->capgens = cap;
	}
	dup = tb_str(t, strdup(k));
	if (!dup)
		return -ENOMEM;
	t->gens[t->ngens++] = dup;
	t->ops[t->no++] = (struct store_op){STORE_PUT, dup, "{}"};
	return 0;
}

static int tb_grow(struct txnbuf *t, size_t need)
{
	if (t->no + need <= t->cap && t->nc + need <= t->cap &&
	    t->nown + need <= t->cap)
		return 0;
	{
		size_t cap = (t->cap + need) * 2;
		void *a = realloc(t->cmps, cap * sizeof(*t->cmps));

		if (!a)
			return -ENOMEM;
		t->cmps = a;
		a = realloc(t->ops, cap * sizeof(*t->ops));
		if (!a)
			return -ENOMEM;
		t->ops = a;
		a = realloc(t->owned, cap * sizeof(*t->owned));
		if (!a)
			return -ENOMEM;
		t->owned = a;
		t->cap = cap;
	}
	return 0;
}

static char *tb_str(struct txnbuf *t, char *s)
{
	if (s)
		t->owned[t->nown++] = s;
	return s;
}

static void tb_reset(struct txnbuf *t)
{
	size_t i;

	for (i = 0; i < t->nown; i++)
		free(t->owned[i]);
	t->nc = t->no = t->nown = t->ngens = 0;
}

static void tb_free(struct txnbuf *t)
{
	tb_reset(t);
	free(t->cmps);
	free(t->ops);
	free(t->owned);
	free(t->gens);
}

/* Adds the change of one LB to t: new node list `names` (NULL: unplace). */
static int tb_move(struct txnbuf *t, const struct lbrec *l,
		   const char *const *names, int n, const char *error)
{
	const cJSON *old = cJSON_GetObjectItem(l->pdoc, "nodes"), *o;
	char pkey[200], *s;
	cJSON *doc, *arr;
	int i, err;

	err = tb_grow(t, 8 + 4 * (size_t)(n + cJSON_GetArraySize(old)));
	if (err)
		return err;
	snprintf(pkey, sizeof(pkey), "lb/%s", l->id);
	t->cmps[t->nc++] = (struct store_cmp){tb_str(t, strdup(pkey)), l->rev};
	snprintf(pkey, sizeof(pkey), "placement/%s", l->id);
	t->cmps[t->nc++] =
		(struct store_cmp){tb_str(t, strdup(pkey)),
				   l->place ? l->place->mod_rev : STORE_ABSENT};
	if (names) {
		doc = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(doc, "nodes");
		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(names[i]));
		if (error)
			cJSON_AddStringToObject(doc, "error", error);
		s = tb_str(t, cJSON_PrintUnformatted(doc));
		cJSON_Delete(doc);
		t->ops[t->no++] = (struct store_op){STORE_PUT,
						    tb_str(t, strdup(pkey)), s};
	} else {
		t->ops[t->no++] = (struct store_op){
			STORE_DEL, tb_str(t, strdup(pkey)), NULL};
	}
	/* remove assignments that go away, add the new ones; touch the
	 * nodegen key of every node whose set changes */
	cJSON_ArrayForEach(o, old)
	{
		bool keep = false;
		char k[240];

		for (i = 0; names && i < n; i++)
			keep |= !strcmp(names[i], o->valuestring);
		if (keep)
			continue;
		snprintf(k, sizeof(k), "nodeassign/%s/%s", o->valuestring,
			 l->id);
		t->ops[t->no++] = (struct store_op){STORE_DEL,
						    tb_str(t, strdup(k)), NULL};
		err = tb_touch(t, o->valuestring);
		if (err)
			return err;
	}
	for (i = 0; names && i < n; i++) {
		bool had = false;
		char k[240];

		cJSON_ArrayForEach(o, old) had |=
			!strcmp(names[i], o->valuestring);
		if (had)
			continue;
		snprintf(k, sizeof(k), "nodeassign/%s/%s", names[i], l->id);
		t->ops[t->no++] = (struct store_op){STORE_PUT,
						    tb_str(t, strdup(k)), "{}"};
		err = tb_touch(t, names[i]);
		if (err)
			return err;
	}
	return 0;
}

/* Commits a batch; on a conflict nothing of it happened, and the next step
 * recomputes from fresh reads. */
static int tb_commit(struct sched_ctl *c, struct txnbuf *t)
{
	int err = 0;

	/* a long pass must not outlive the lease it started under: renew
	 * when a third of it is left, and stop if another scheduler leads */
	if (t->no && gw_now_ms() > c->lease_until_ms - c->lease_ms / 3 &&
	    sched_ctl_lead(c) != 1) {
		tb_reset(t);
		return -EPERM;
	}
	if (t->no)
		err = store_txn(c->gw.st, t->cmps, t->nc, t->ops, t->no, NULL);
	tb_reset(t);
	return err == -ECANCELED ? 0 : err;
}

static int64_t num_ms(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItem(o, key);

	return cJSON_IsNumber(j) ? (int64_t)j->valuedouble : 0;
}

/* Whether a node's status report has the VIP advertised at generation
 * gen: only then may a draining node hand it over. */
static bool reports_advertised(const cJSON *report, const char *id, int64_t gen)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, cJSON_GetObjectItem(report, "vips"))
	{
		const char *vid =
			cJSON_GetStringValue(cJSON_GetObjectItem(v, "id"));

		if (vid && !strcmp(vid, id))
			return num_ms(v, "generation") == gen &&
			       cJSON_IsTrue(
				       cJSON_GetObjectItem(v, "advertised"));
	}
	return false;
}

/* The nodes' status reports, by node index, when some node drains (they
 * are read for nothing else, so a pass without a drain skips them). */
static int read_reports(struct store *st, struct sched_node *nodes, size_t nn,
			cJSON **reports)
{
	struct store_kv *rk;
	size_t nr, i;
	int err = store_range(st, "nodestatus/", NULL, 0, &rk, &nr);

	if (err)
		return err;
	for (i = 0; i < nr; i++) {
		int x = find_node(nodes, (int)nn,
				  rk[i].key + strlen("nodestatus/"));

		if (x >= 0)
			reports[x] = cJSON_Parse(rk[i].value);
	}
	store_kvs_free(rk, nr);
	return 0;
}

/* Fills v->adv for a VIP that a draining node holds. */
static void vip_advertised(const struct sched_node *nodes, cJSON **reports,
			   struct sched_vip *v, int64_t gen)
{
	bool draining = false;
	int k;

	for (k = 0; k < v->ncur; k++)
		draining |= v->cur[k] >= 0 && nodes[v->cur[k]].draining;
	for (k = 0; draining && k < v->ncur; k++)
		v->adv[k] = v->cur[k] >= 0 &&
			    reports_advertised(reports[v->cur[k]], v->id, gen);
}

static int mark_deleting(struct sched_ctl *c, struct lbrec *l)
{
	cJSON *meta = cJSON_GetObjectItem(l->doc, "metadata");
	char key[200], *s;
	int err;

	cJSON_AddStringToObject(meta, "deletionRequestedAt", "expired");
	s = cJSON_PrintUnformatted(l->doc);
	snprintf(key, sizeof(key), "lb/%s", l->id);
	{
		struct store_cmp cmp = {key, l->rev};
		struct store_op op = {STORE_PUT, key, s};

		err = s ? store_txn(c->gw.st, &cmp, 1, &op, 1, NULL) : -ENOMEM;
	}
	free(s);
	return err == -ECANCELED ? 0 : err;
}

int sched_ctl_step(struct sched_ctl *c, struct sched_stats *s)
{
	struct store *st = c->gw.st;
	struct store_kv *nk = NULL, *lk = NULL, *pk = NULL;
	size_t nn = 0, nl = 0, np = 0, i, p = 0, nv = 0;
	struct sched_node *nodes = NULL;
	struct sched_vip *vips = NULL;
	struct lbrec *lbs = NULL;
	cJSON **ndocs = NULL, **reports = NULL;
	struct txnbuf t = {0};
	int64_t now = gw_now_ms();
	int err;

	memset(s, 0, sizeof(*s));
	if ((err = store_range(st, "node/", NULL, 0, &nk, &nn)) ||
	    (err = store_range(st, "lb/", NULL, 0, &lk, &nl)) ||
	    (err = store_range(st, "placement/", NULL, 0, &pk, &np)))
		goto out;
	nodes = calloc(nn + 1, sizeof(*nodes));
	ndocs = calloc(nn + 1, sizeof(*ndocs));
	reports = calloc(nn + 1, sizeof(*reports));
	lbs = calloc(nl + 1, sizeof(*lbs));
	vips = calloc(nl + 1, sizeof(*vips));
	if (!nodes || !ndocs || !reports || !lbs || !vips) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nn; i++) {
		cJSON *d = ndocs[i] = cJSON_Parse(nk[i].value);
		bool drained = cJSON_IsTrue(cJSON_GetObjectItem(d, "drained"));
		int64_t hb = num_ms(d, "lastHeartbeatMs");
		bool fresh =
			d &&
			now - (hb > c->led_since_ms ? hb : c->led_since_ms) <=
				c->heartbeat_timeout_ms;

		nodes[i].name = nk[i].key + strlen("node/");
		nodes[i].zone =
			cJSON_GetStringValue(cJSON_GetObjectItem(d, "zone"));
		nodes[i].capacity = (int)cJSON_GetNumberValue(
			cJSON_GetObjectItem(d, "capacity"));
		nodes[i].ready = fresh && !drained;
		/* a drained node that stopped heartbeating forwards nothing
		 * worth waiting for: it is simply not ready */
		nodes[i].draining = fresh && drained;
		nodes[i].drain_expired =
			now - num_ms(d, "drainedAtMs") >= c->drain_timeout_ms;
		s->ready += nodes[i].ready;
		s->draining += nodes[i].draining;
	}
	if (s->draining && (err = read_reports(st, nodes, nn, reports)))
		goto out;
	s->nodes = (int)nn;
	s->lbs = (int)nl;
	/* lb/<id> and placement/<id> are both sorted by id: merge them */
	for (i = 0; i < nl; i++) {
		struct lbrec *l = &lbs[i];
		int cmp = 1;

		l->id = lk[i].key + strlen("lb/");
		l->rev = lk[i].mod_rev;
		l->doc = cJSON_Parse(lk[i].value);
		while (p < np && (cmp = strcmp(pk[p].key + strlen("placement/"),
					       l->id)) < 0)
			p++;
		if (p < np && !cmp) {
			l->place = &pk[p];
			l->pdoc = cJSON_Parse(pk[p].value);
		}
	}
	/* expiry and deletion first: their placements must not be kept */
	for (i = 0; i < nl; i++) {
		struct lbrec *l = &lbs[i];
		cJSON *meta = cJSON_GetObjectItem(l->doc, "metadata");
		const char *exp = cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetObjectItem(l->doc, "spec"), "expiresAt"));
		int64_t et;

		if (!l->doc)
			continue;
		if (!cJSON_GetObjectItem(meta, "deletionRequestedAt") && exp &&
		    !gw_time_parse(exp, &et) && et * 1000 <= now) {
			err = mark_deleting(c, l);
			if (err)
				goto out;
			s->expired++;
			continue; /* the next step sees the new revision */
		}
		if (!cJSON_GetObjectItem(meta, "deletionRequestedAt"))
			continue;
		if (l->place &&
		    cJSON_GetArraySize(cJSON_GetObjectItem(l->pdoc, "nodes"))) {
			err = tb_move(&t, l, NULL, 0, NULL);
			if (!err)
				err = tb_commit(c, &t);
			if (err)
				goto out;
			continue;
		}
		{
			char *slash = strchr(l->id, '/');
			char tenant[96];

			if (!slash || (size_t)(slash - l->id) >= sizeof(tenant))
				continue;
			memcpy(tenant, l->id, (size_t)(slash - l->id));
			tenant[slash - l->id] = 0;
			err = gw_lb_finalize(&c->gw, tenant, slash + 1, l->rev,
					     l->place ? l->place->mod_rev
						      : STORE_ABSENT,
					     l->doc);
			if (!err)
				s->finalized++;
			else if (err != -EBUSY && err != -ECANCELED)
				goto out;
			err = 0;
		}
	}
	/* placement of everything that lives */
	for (i = 0; i < nl; i++) {
		struct lbrec *l = &lbs[i];
		cJSON *meta = cJSON_GetObjectItem(l->doc, "metadata");
		cJSON *spec = cJSON_GetObjectItem(l->doc, "spec"), *z, *o;
		struct sched_vip *v;

		if (!l->doc || cJSON_GetObjectItem(meta, "deletionRequestedAt"))
			continue;
		v = &vips[nv++];
		v->id = l->id;
		v->replicas = (int)cJSON_GetNumberValue(
			cJSON_GetObjectItem(spec, "replicas"));
		cJSON_ArrayForEach(
			z, cJSON_GetObjectItem(spec,
					       "zones")) if (v->nzones < 16 &&
							     cJSON_IsString(z))
			l->zones[v->nzones++] = z->valuestring;
		v->zones = l->zones;
		cJSON_ArrayForEach(o, cJSON_GetObjectItem(l->pdoc, "nodes"))
		{
			int x = cJSON_IsString(o) ? find_node(nodes, (int)nn,
							      o->valuestring)
						  : -1;

			if (v->ncur < SCHED_MAX_REPLICAS)
				v->cur[v->ncur++] = x;
		}
		vip_advertised(nodes, reports, v, num_ms(meta, "generation"));
	}
	s->short_ = sched_place(nodes, nn, vips, nv);
	{
		size_t vi = 0, batch = 0;

		for (i = 0; i < nl; i++) {
			struct lbrec *l = &lbs[i];
			struct sched_vip *v;
			const char *names[SCHED_MAX_REPLICAS];
			char msg[96];
			const char *want_err = NULL, *have_err;
			int k;

			if (!l->doc ||
			    cJSON_GetObjectItem(
				    cJSON_GetObjectItem(l->doc, "metadata"),
				    "deletionRequestedAt"))
				continue;
			v = &vips[vi++];
			s->held += v->held > 0;
			/* a draining node is no replica: it only holds the
			 * VIP until the serving nodes advertise it */
			if (v->nout - v->held < v->replicas) {
				snprintf(msg, sizeof(msg),
					 "placed on %d of %d replicas: not "
					 "enough ready nodes",
					 v->nout - v->held, v->replicas);
				want_err = msg;
			}
			have_err = cJSON_GetStringValue(
				cJSON_GetObjectItem(l->pdoc, "error"));
			if (!v->changed && l->place &&
			    !(want_err ? !have_err || strcmp(want_err, have_err)
				       : have_err != NULL))
				continue;
			for (k = 0; k < v->nout; k++)
				names[k] = nodes[v->out[k]].name;
			err = tb_move(&t, l, names, v->nout, want_err);
			if (err)
				goto out;
			s->moved++;
			if (++batch == BATCH) {
				err = tb_commit(c, &t);
				if (err)
					goto out;
				batch = 0;
			}
		}
		err = tb_commit(c, &t);
	}
out:
	if (err == -EPERM)
		err = 0; /* lost the lease mid-pass: the new leader goes on */
	tb_free(&t);
	for (i = 0; lbs && i < nl; i++) {
		cJSON_Delete(lbs[i].doc);
		cJSON_Delete(lbs[i].pdoc);
	}
	for (i = 0; ndocs && i < nn; i++)
		cJSON_Delete(ndocs[i]);
	for (i = 0; reports && i < nn; i++)
		cJSON_Delete(reports[i]);
	free(ndocs);
	free(reports);
	free(nodes);
	free(vips);
	free(lbs);
	store_kvs_free(nk, nn);
	store_kvs_free(lk, nl);
	store_kvs_free(pk, np);
	return err;
}
