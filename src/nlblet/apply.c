// SPDX-License-Identifier: GPL-2.0
/* nlblet's reconcile step: the desired state, with nlb-hc's health, into
 * the maps, then into bgpd (make before break: a VIP is advertised only
 * once its maps hold it; a removed VIP is withdrawn, and its maps go
 * --withdraw-wait-ms later), then nlb-hc's configuration. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nlblet.h"
#include "nlblet_advert.h"

static long long synced_gen(const struct nlblet *n, const char *id)
{
	for (size_t i = 0; i < n->n_synced; i++)
		if (!strcmp(n->synced[i].id, id))
			return n->synced[i].gen;
	return 0;
}

static bool was_panic(const struct nlblet *n, const char *id)
{
	for (size_t i = 0; i < n->n_synced; i++)
		if (!strcmp(n->synced[i].id, id))
			return n->synced[i].panic;
	return false;
}

static struct nlblet_linger *find_linger(struct nlblet_linger *l, size_t n,
					 const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i].id, id))
			return &l[i];
	return NULL;
}

static void linger_free(struct nlblet_linger *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i].vip_json);
	free(l);
}

static const char *vip_id(const cJSON *v)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "id"));
}

/* The VIPs that linger after the document new_doc (NULL: the current one
 * stays): those still lingering and not withdrawn long enough, not back in
 * the document, plus those in the maps that the new document dropped. */
static int next_linger(const struct nlblet *n, const char *new_doc,
		       struct nlblet_linger **out, size_t *n_out)
{
	cJSON *nd = NULL, *od = NULL;
	const cJSON *v;
	struct nlblet_linger *l;
	size_t cap, k = 0;
	long long now = nlblet_now_ms();
	int e = -ENOMEM;

	*out = NULL;
	*n_out = 0;
	if (!n->o.bgp_asn)
		return 0; /* nothing to withdraw: maps go at once */
	if (new_doc) {
		nd = cJSON_Parse(new_doc);
		od = n->assign_json ? cJSON_Parse(n->assign_json) : NULL;
	}
	cap = n->n_linger +
	      (size_t)cJSON_GetArraySize(
		      cJSON_GetObjectItemCaseSensitive(od, "vips"));
	l = calloc(cap + 1, sizeof(*l));
	if (!l)
		goto out;
	for (size_t i = 0; i < n->n_linger; i++) {
		const struct nlblet_linger *o = &n->linger[i];
		bool back = false;

		cJSON_ArrayForEach(v,
				   cJSON_GetObjectItemCaseSensitive(nd, "vips"))
			back |= vip_id(v) && !strcmp(vip_id(v), o->id);
		if (back || (o->withdrawn_ms &&
			     now - o->withdrawn_ms >= n->o.withdraw_wait_ms))
			continue;
		l[k] = *o;
		l[k].vip_json = strdup(o->vip_json);
		if (!l[k++].vip_json)
			goto out;
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(od, "vips"))
	{
		const char *id = vip_id(v);
		const cJSON *w;
		bool kept = false;

		if (!id || !synced_gen(n, id) || strlen(id) >= NLBLET_ID_MAX ||
		    find_linger(l, k, id))
			continue;
		cJSON_ArrayForEach(w,
				   cJSON_GetObjectItemCaseSensitive(nd, "vips"))
			kept |= vip_id(w) && !strcmp(vip_id(w), id);
		if (kept)
			continue;
		strcpy(l[k].id, id);
		l[k].vip_json = cJSON_PrintUnformatted(v);
		if (!l[k++].vip_json)
			goto out;
	}
	*out = l;
	*n_out = k;
	l = NULL;
	e = 0;
out:
	if (l)
		linger_free(l, k);
	cJSON_Delete(nd);
	cJSON_Delete(od);
	return e;
}

/* doc with the lingering VIPs appended to its vips (malloc'ed) */
static char *compose(const char *doc, const struct nlblet_linger *l, size_t n)
{
	cJSON *d, *vips;
	char *out;

	if (!n)
		return strdup(doc);
	d = cJSON_Parse(doc);
	vips = cJSON_GetObjectItemCaseSensitive(d, "vips");
	if (!cJSON_IsArray(vips)) {
		cJSON_Delete(d);
		return strdup(doc); /* the parse below names the error */
	}
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(vips, cJSON_Parse(l[i].vip_json));
	out = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	return out;
}

static bool doc_drained(const char *doc)
{
	cJSON *d = cJSON_Parse(doc);
	bool r = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "drained"));

	cJSON_Delete(d);
	return r;
}

static bool in_list(const char **l, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i], s))
			return true;
	return false;
}

/* The prefixes that may be advertised, handed to the BGP thread; each
 * VIP's prefix kept for marking what bgpd has. */
static void advertise(struct nlblet *n, const struct nlblet_assign *a,
		      struct nlblet_synced *s)
{
	const char **want = calloc(a->n_vips + 1, sizeof(*want));
	size_t k = 0;

	if (!want)
		return;
	for (size_t i = 0; i < a->n_vips; i++) {
		struct nlblet_linger *l =
			find_linger(n->linger, n->n_linger, s[i].id);

		if (nlblet_advert_prefix(a, i, s[i].prefix,
					 sizeof(s[i].prefix)))
			s[i].prefix[0] = 0;
		if (l)
			strcpy(l->prefix, s[i].prefix);
		else if (s[i].prefix[0] && nlblet_advert_vip(a, i, s[i].gen) &&
			 !in_list(want, k, s[i].prefix))
			want[k++] = s[i].prefix;
	}
	nlblet_bgp_want(n, want, k);
	free(want);
}

int nlblet_apply(struct nlblet *n, char *doc)
{
	struct nlb_reconcile_result res = {0};
	struct nlblet_linger *l = NULL;
	struct nlblet_assign a;
	struct nlblet_synced *s;
	char err[256] = "", *eff;
	size_t nl = 0;
	int e;

	if (!doc && !n->assign_json)
		return 0;
	e = next_linger(n, doc, &l, &nl);
	eff = e ? NULL : compose(doc ?: n->assign_json, l, nl);
	if (!eff) {
		linger_free(l, nl);
		free(doc);
		return -ENOMEM;
	}
	e = nlblet_assign_parse(eff, nlblet_hcstate_health, &n->hc, &a, err,
				sizeof(err));
	if (e) {
		/* fail static: the maps keep what they have, and the report
		 * stays that of the last document applied */
		nlb_logf(&n->log, NLB_LOG_ERROR,
			 "event=assignments_rejected revision=%lld "
			 "reason=\"%s\" "
			 "err=%d action=keep_maps",
			 n->revision, err, e);
		linger_free(l, nl);
		free(eff);
		free(doc);
		return e;
	}
	if (doc) {
		free(n->assign_json);
		n->assign_json = doc;
	}
	linger_free(n->linger, n->n_linger);
	n->linger = l;
	n->n_linger = nl;
	free(n->effective_json);
	n->effective_json = eff;
	n->drained = doc_drained(n->assign_json);
	for (size_t i = 0; i < a.n_vips; i++) {
		if (a.vips[i].err)
			nlb_logf(&n->log, NLB_LOG_WARN,
				 "event=vip_rejected id=%s reason=\"%s\"",
				 a.vips[i].id, a.vips[i].errmsg);
		if (a.vips[i].panic != was_panic(n, a.vips[i].id))
			nlb_logf(&n->log,
				 a.vips[i].panic ? NLB_LOG_WARN : NLB_LOG_INFO,
				 "event=%s id=%s",
				 a.vips[i].panic ? "vip_panic "
						   "action=all_enabled_backends"
						 : "vip_panic_over",
				 a.vips[i].id);
	}
	e = nlb_reconcile(&n->ops, a.want, a.n_want, &res);
	nlb_logf(&n->log,
		 e ? NLB_LOG_ERROR
		 : res.vips_added || res.vips_removed || res.vips_rebuilt ||
				 res.backends_written || res.backends_removed
			 ? NLB_LOG_INFO
			 : NLB_LOG_DEBUG,
		 "event=reconciled revision=%lld vips=%zu added=%u removed=%u "
		 "rebuilt=%u backends_written=%u backends_removed=%u "
		 "lingering=%zu err=%d",
		 n->revision, a.n_want, res.vips_added, res.vips_removed,
		 res.vips_rebuilt, res.backends_written, res.backends_removed,
		 nl, e);
	s = calloc(a.n_vips ? a.n_vips : 1, sizeof(*s));
	if (!s) {
		nlblet_assign_free(&a);
		return -ENOMEM;
	}
	for (size_t i = 0; i < a.n_vips; i++) {
		strcpy(s[i].id, a.vips[i].id);
		s[i].panic = a.vips[i].panic;
		if (a.vips[i].err)
			s[i].gen = 0;
		else if (e) /* what was synced before, if anything */
			s[i].gen = synced_gen(n, a.vips[i].id);
		else
			s[i].gen = a.vips[i].generation;
	}
	if (n->o.bgp_asn)
		advertise(n, &a, s);
	free(n->synced);
	n->synced = s;
	n->n_synced = a.n_vips;
	if (n->o.bgp_asn)
		nlblet_bgp_mark(n);
	nlblet_assign_free(&a);
	nlblet_write_hc_config(n);
	return e;
}
