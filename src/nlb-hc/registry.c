// SPDX-License-Identifier: GPL-2.0
/* nlb-hc registry: applies a configuration by diffing it against the running
 * probes and groups. Equal checks (same key) become one probe whatever the
 * number of VIPs asking; a probe or group whose key survives a reload keeps
 * its state and its slot in the schedule. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hc.h"
#include "tls.h"

#define KEY_MAX 8192

struct want_probe {
	char *key;
	const struct hc_check *chk;
	const struct hc_addr *addr;
};

struct want_group {
	char *key;
	const struct hc_backend *b;
	struct hc_probe *probes[HC_MAX_CHECKS];
	int n_probes;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct hc_probe *find_probe(struct hc_probe **v, int n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(key, v[mid]->key);

		if (!c)
			return v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static struct hc_group *find_group(struct hc_group **v, int n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(key, v[mid]->key);

		if (!c)
			return v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int cmp_probe(const void *a, const void *b)
{
	return strcmp((*(struct hc_probe *const *)a)->key,
		      (*(struct hc_probe *const *)b)->key);
}

static struct hc_tls_ctx *tls_for(struct hc_ctx *ctx, struct hc_probe *p)
{
	const struct hc_check *c = &p->chk;
	struct hc_tls_entry *e;
	char key[KEY_MAX];
	int ret;

	snprintf(key, sizeof(key), "%d|%d|%u|%u|%s|%s|%s", c->verify, c->resume,
		 c->tls_min, c->tls_max, c->ca_file ?: "", c->cert_file ?: "",
		 c->key_file ?: "");
	for (int i = 0; i < ctx->n_tls; i++)
		if (!strcmp(ctx->tls[i].key, key))
			return ctx->tls[i].ctx;
	e = realloc(ctx->tls, (ctx->n_tls + 1) * sizeof(*e));
	if (!e)
		return NULL;
	ctx->tls = e;
	e = &ctx->tls[ctx->n_tls];
	ret = hc_tls_ctx_new(c, &e->ctx, p->reason, sizeof(p->reason));
	if (ret) {
		nlb_logf(&ctx->log, NLB_LOG_WARN,
			 "event=tls_context_failed backend=%s check=%s "
			 "reason=\"%s\"",
			 p->addr_str, p->name, p->reason);
		return NULL;
	}
	e->key = strdup(key);
	if (!e->key) {
		hc_tls_ctx_free(e->ctx);
		return NULL;
	}
	ctx->n_tls++;
	return e->ctx;
}

static struct hc_probe *probe_new(struct hc_ctx *ctx,
				  const struct want_probe *w)
{
	struct hc_probe *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->key = strdup(w->key);
	if (!p->key || hc_check_copy(&p->chk, w->chk)) {
		free(p->key);
		free(p);
		return NULL;
	}
	p->addr = *w->addr;
	if (hc_probe_init(ctx, p)) {
		hc_probe_cancel(ctx, p);
		hc_probe_free(p);
		return NULL;
	}
	if (p->chk.type == HC_HTTPS)
		p->tls_ctx = tls_for(ctx, p);
	return p;
}

static void group_free(struct hc_group *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->n_vips; i++)
		free(g->vips[i]);
	free(g->vips);
	free(g->probes);
	free(g->key);
	free(g);
}

/* Sorted, duplicate-free union of the VIP ids of n backends. */
static int vips_union(struct want_group *w, int n, char ***out, int *n_out)
{
	char **v;
	int k = 0, total = 0;

	for (int i = 0; i < n; i++)
		total += w[i].b->n_vips;
	v = calloc(total, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < w[i].b->n_vips; j++)
			v[k++] = w[i].b->vips[j];
	qsort(v, k, sizeof(*v), cmp_str);
	total = 0;
	for (int i = 0; i < k; i++)
		if (!total || strcmp(v[total - 1], v[i]))
			v[total++] = v[i];
	for (int i = 0; i < total; i++)
		if (!(v[i] = strdup(v[i]))) {
			while (i--)
				free(v[i]);
			free(v);
			return -ENOMEM;
		}
	*out = v;
	*n_out = total;
	return 0;
}

static bool vips_equal(const struct hc_group *g, char **v, int n)
{
	if (g->n_vips != n)
		return false;
	for (int i = 0; i < n; i++)
		if (strcmp(g->vips[i], v[i]))
			return false;
	return true;
}

struct staged {
	struct hc_group *g;
	bool is_new;
	char **vips;
	int n_vips;
	struct hc_probe *probes[HC_MAX_CHECKS];
	int n_probes;
};

static void free_vips(char **v, int n)
{
	for (int i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int hc_registry_apply(struct hc_ctx *ctx, const struct hc_config *cfg)
{
	struct want_probe *wp = NULL;
	struct want_group *wg = NULL;
	struct hc_probe **np = NULL;
	struct hc_group **ng = NULL;
	struct staged *st = NULL;
	int n_wp = 0, n_np = 0, n_wg = 0, n_st = 0, total = 0, err = -ENOMEM;
	char key[KEY_MAX];

	for (int i = 0; i < cfg->n_backends; i++)
		total += cfg->backends[i].n_checks;
	wp = calloc(total ?: 1, sizeof(*wp));
	wg = calloc(cfg->n_backends ?: 1, sizeof(*wg));
	np = calloc(total ?: 1, sizeof(*np));
	if (!wp || !wg || !np)
		goto out;

	/* 1. the distinct probes wanted */
	for (int i = 0; i < cfg->n_backends; i++) {
		const struct hc_backend *b = &cfg->backends[i];

		for (int j = 0; j < b->n_checks; j++) {
			err = hc_check_key(&b->checks[j], &b->addr, key,
					   sizeof(key));
			if (err < 0)
				goto out;
			wp[n_wp].key = strdup(key);
			if (!wp[n_wp].key) {
				err = -ENOMEM;
				goto out;
			}
			wp[n_wp].chk = &b->checks[j];
			wp[n_wp++].addr = &b->addr;
		}
	}
	qsort(wp, n_wp, sizeof(*wp), cmp_str);
	for (int i = 0; i < n_wp; i++) {
		struct hc_probe *p;

		if (i && !strcmp(wp[i].key, wp[i - 1].key))
			continue;
		p = find_probe(ctx->probes, ctx->n_probes, wp[i].key);
		if (!p) {
			p = probe_new(ctx, &wp[i]);
			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			p->keep = false; /* new: not in the old list */
		} else {
			p->keep = true;
		}
		np[n_np++] = p;
	}

	/* 2. the groups wanted: one per address and set of checks */
	for (int i = 0; i < cfg->n_backends; i++) {
		const struct hc_backend *b = &cfg->backends[i];
		struct want_group *w = &wg[n_wg];
		size_t len;
		char a[48];

		w->b = b;
		for (int j = 0; j < b->n_checks; j++) {
			struct hc_probe *p;

			hc_check_key(&b->checks[j], &b->addr, key, sizeof(key));
			p = find_probe(np, n_np, key);
			/* a backend listing one check twice gets it once */
			for (int k = 0; k < w->n_probes; k++)
				if (w->probes[k] == p)
					p = NULL;
			if (p)
				w->probes[w->n_probes++] = p;
		}
		qsort(w->probes, w->n_probes, sizeof(w->probes[0]), cmp_probe);
		len = snprintf(key, sizeof(key), "%s|%d",
			       hc_addr_str(&b->addr, a, sizeof(a)), b->combine);
		for (int k = 0; k < w->n_probes && len < sizeof(key); k++)
			len += snprintf(key + len, sizeof(key) - len, "|%s",
					w->probes[k]->key);
		w->key = strdup(key);
		if (!w->key) {
			err = -ENOMEM;
			goto out;
		}
		n_wg++;
	}
	qsort(wg, n_wg, sizeof(*wg), cmp_str);
	st = calloc(n_wg ?: 1, sizeof(*st));
	if (!st)
		goto out;
	for (int i = 0; i < n_wg;) {
		struct staged *s = &st[n_st];
		int j = i + 1;

		while (j < n_wg && !strcmp(wg[j].key, wg[i].key))
			j++;
		err = vips_union(&wg[i], j - i, &s->vips, &s->n_vips);
		if (err)
			goto out;
		n_st++;
		memcpy(s->probes, wg[i].probes, sizeof(s->probes));
		s->n_probes = wg[i].n_probes;
		s->g = find_group(ctx->groups, ctx->n_groups, wg[i].key);
		if (!s->g) {
			s->is_new = true;
			s->g = calloc(1, sizeof(*s->g));
			if (!s->g || !(s->g->key = strdup(wg[i].key)) ||
			    !(s->g->probes = calloc(HC_MAX_CHECKS,
						    sizeof(*s->g->probes)))) {
				err = -ENOMEM;
				goto out;
			}
			s->g->addr = wg[i].b->addr;
			hc_addr_str(&s->g->addr, s->g->addr_str,
				    sizeof(s->g->addr_str));
			s->g->combine = wg[i].b->combine;
		}
		i = j;
	}
	ng = calloc(n_st ?: 1, sizeof(*ng));
	if (!ng)
		goto out;
	err = 0;

	/* 3. commit: nothing below fails */
	for (int i = 0; i < ctx->n_groups; i++)
		ctx->groups[i]->keep = false;
	for (int i = 0; i < n_st; i++) {
		st[i].g->keep = true;
		ng[i] = st[i].g;
	}
	for (int i = 0; i < ctx->n_groups; i++) {
		struct hc_group *g = ctx->groups[i];

		if (g->keep)
			continue;
		hc_health_group_removed(ctx, g);
		group_free(g);
	}
	for (int i = 0; i < ctx->n_probes; i++) {
		struct hc_probe *p = ctx->probes[i];

		if (p->keep)
			continue;
		hc_probe_cancel(ctx, p);
		hc_probe_free(p);
	}
	for (int i = 0; i < n_np; i++) {
		np[i]->keep = false;
		np[i]->n_groups = 0;
	}
	free(ctx->probes);
	free(ctx->groups);
	ctx->probes = np;
	ctx->n_probes = n_np;
	ctx->groups = ng;
	ctx->n_groups = n_st;
	np = NULL;
	ng = NULL;
	for (int i = 0; i < n_st; i++) {
		struct staged *s = &st[i];
		struct hc_group *g = s->g;
		bool vips_changed =
			!s->is_new && !vips_equal(g, s->vips, s->n_vips);

		free_vips(g->vips, g->n_vips);
		g->vips = s->vips;
		g->n_vips = s->n_vips;
		s->vips = NULL;
		memcpy(g->probes, s->probes, sizeof(s->probes));
		g->n_probes = s->n_probes;
		g->keep = false;
		for (int k = 0; k < g->n_probes; k++) {
			struct hc_probe *p = g->probes[k];
			struct hc_group **v;

			v = realloc(p->groups, (p->n_groups + 1) * sizeof(*v));
			if (!v)
				continue; /* the probe will not notify g */
			p->groups = v;
			v[p->n_groups++] = g;
		}
		if (s->is_new || vips_changed)
			hc_health_group_eval(ctx, g,
					     vips_changed ? "vips" : NULL);
	}
	n_st = 0;
out:
	for (int i = 0; i < n_wp; i++)
		free(wp[i].key);
	for (int i = 0; i < n_wg; i++)
		free(wg[i].key);
	if (err) {
		/* roll back: drop what this call created */
		for (int i = 0; i < n_st; i++)
			if (st[i].is_new)
				group_free(st[i].g);
		for (int i = 0; np && i < n_np; i++)
			if (!np[i]->keep) {
				hc_probe_cancel(ctx, np[i]);
				hc_probe_free(np[i]);
			}
		for (int i = 0; i < ctx->n_probes; i++)
			ctx->probes[i]->keep = false;
	}
	for (int i = 0; st && i < n_st; i++)
		free_vips(st[i].vips, st[i].n_vips);
	free(st);
	free(wp);
	free(wg);
	free(np);
	free(ng);
	return err;
}

void hc_registry_free(struct hc_ctx *ctx)
{
	for (int i = 0; i < ctx->n_groups; i++)
		group_free(ctx->groups[i]);
	for (int i = 0; i < ctx->n_probes; i++) {
		hc_probe_cancel(ctx, ctx->probes[i]);
		hc_probe_free(ctx->probes[i]);
	}
	free(ctx->groups);
	free(ctx->probes);
	ctx->groups = NULL;
	ctx->probes = NULL;
	ctx->n_groups = ctx->n_probes = 0;
	for (int i = 0; i < ctx->n_tls; i++) {
		hc_tls_ctx_free(ctx->tls[i].ctx);
		free(ctx->tls[i].key);
	}
	free(ctx->tls);
	ctx->tls = NULL;
	ctx->n_tls = 0;
}
