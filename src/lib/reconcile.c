// SPDX-License-Identifier: GPL-2.0
/* The node's reconcile decisions: desired state against the forwarder's. */
#include "reconcile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

__u8 nlb_backend_effective_state(const struct nlb_want_backend *b)
{
	if (b->health == NLB_HEALTH_DOWN)
		return NLB_BACKEND_DOWN;
	if (b->drained || !b->weight)
		return NLB_BACKEND_DRAINED;
	return NLB_BACKEND_ENABLED;
}

/* In panic a backend is what its admin state alone makes it. */
static __u8 want_state(const struct nlb_want_vip *w,
		       const struct nlb_want_backend *b)
{
	struct nlb_want_backend healthy = *b;

	if (w->panic)
		healthy.health = NLB_HEALTH_UNKNOWN;
	return nlb_backend_effective_state(&healthy);
}

static bool same_vip(const struct nlb_vip_spec *a, const struct nlb_vip_spec *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       a->port == b->port && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static bool same_addr(__u8 fa, const __be32 *a, __u8 fb, const __be32 *b)
{
	return fa == fb && !memcmp(a, b, 16);
}

struct pass {
	const struct nlb_node_ops *ops;
	const struct nlb_want_vip *want;
	size_t n;
	bool *present; /* want[i] exists in the forwarder */
	struct nlb_vip_spec *rebuild; /* VIPs whose table must be rebuilt */
	size_t nrebuild;
	struct nlb_vip_spec *gone; /* VIPs to remove after the walk */
	size_t ngone, capgone;
	size_t *ranged; /* want[] indexes whose range end moved */
	size_t nranged;
	struct nlb_reconcile_result *res;
};

static void note_err(struct nlb_reconcile_result *res, int err)
{
	if (err && !res->first_err)
		res->first_err = err;
}

static const struct nlb_have_backend *
find_have(const struct nlb_have_backend *have, size_t nhave, __u8 family,
	  const __be32 *addr)
{
	for (size_t j = 0; j < nhave; j++)
		if (same_addr(have[j].family, have[j].addr, family, addr))
			return &have[j];
	return NULL;
}

/* Backends of a VIP the forwarder has: write what differs, drop the rest. */
static bool sync_backends(struct pass *p, const struct nlb_want_vip *w,
			  const struct nlb_have_backend *have, size_t nhave)
{
	bool changed = false;

	for (size_t i = 0; i < w->n; i++) {
		const struct nlb_want_backend *b = &w->backends[i];
		struct nlb_backend_spec bs = {.family = b->family,
					      .weight = b->weight};
		const struct nlb_have_backend *h;

		bs.state = want_state(w, b);
		memcpy(bs.addr, b->addr, sizeof(bs.addr));
		h = find_have(have, nhave, b->family, b->addr);
		if (h && h->state == bs.state && h->weight == bs.weight)
			continue;
		note_err(p->res,
			 p->ops->put_backend(p->ops->ctx, &w->spec, &bs));
		p->res->backends_written++;
		changed = true;
	}
	for (size_t j = 0; j < nhave; j++) {
		size_t i;

		for (i = 0; i < w->n; i++)
			if (same_addr(have[j].family, have[j].addr,
				      w->backends[i].family,
				      w->backends[i].addr))
				break;
		if (i < w->n)
			continue;
		note_err(p->res,
			 p->ops->del_backend(p->ops->ctx, &w->spec,
					     have[j].family, have[j].addr));
		p->res->backends_removed++;
		changed = true;
	}
	return changed;
}

static int visit_have(const struct nlb_vip_spec *s,
		      const struct nlb_have_backend *have, size_t nhave,
		      void *arg)
{
	struct pass *p = arg;

	for (size_t i = 0; i < p->n; i++) {
		if (!same_vip(&p->want[i].spec, s))
			continue;
		if (p->present[i])
			return 0; /* a walk may show a VIP twice */
		p->present[i] = true;
		/* after the removals, so that ports handed over are free */
		if (nlb_vip_spec_last_port(s) !=
		    nlb_vip_spec_last_port(&p->want[i].spec))
			p->ranged[p->nranged++] = i;
		if (sync_backends(p, &p->want[i], have, nhave))
			p->rebuild[p->nrebuild++] = p->want[i].spec;
		return 0;
	}
	/* not wanted: removed after the walk, which deleting would upset */
	if (p->ngone == p->capgone) {
		size_t cap = p->capgone ? p->capgone * 2 : 16;
		void *g = realloc(p->gone, cap * sizeof(*p->gone));

		if (!g)
			return -ENOMEM;
		p->gone = g;
		p->capgone = cap;
	}
	p->gone[p->ngone++] = *s;
	return 0;
}

int nlb_reconcile(const struct nlb_node_ops *ops,
		  const struct nlb_want_vip *want, size_t n,
		  struct nlb_reconcile_result *res)
{
	struct pass p = {.ops = ops, .want = want, .n = n, .res = res};
	int err;

	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (same_vip(&want[i].spec, &want[j].spec))
				return -EINVAL; /* one VIP twice */
	p.present = calloc(n + 1, sizeof(*p.present));
	p.rebuild = calloc(n + 1, sizeof(*p.rebuild));
	p.ranged = calloc(n + 1, sizeof(*p.ranged));
	if (!p.present || !p.rebuild || !p.ranged) {
		err = -ENOMEM;
		goto out;
	}
	err = ops->for_each_vip(ops->ctx, visit_have, &p);
	if (err)
		goto out;
	for (size_t i = 0; i < p.ngone; i++) {
		note_err(res, ops->del_vip(ops->ctx, &p.gone[i]));
		res->vips_removed++;
	}
	for (size_t i = 0; i < p.nranged; i++) {
		note_err(res,
			 ops->set_port_end(ops->ctx, &want[p.ranged[i]].spec));
		res->vips_ranged++;
	}
	for (size_t i = 0; i < n; i++) {
		if (p.present[i])
			continue;
		err = ops->add_vip(ops->ctx, &want[i].spec);
		if (err) {
			note_err(res, err);
			continue;
		}
		res->vips_added++;
		sync_backends(&p, &want[i], NULL, 0);
		p.rebuild[p.nrebuild++] = want[i].spec;
	}
	err = 0;
	if (p.nrebuild) {
		note_err(res, ops->rebuild(ops->ctx, p.rebuild, p.nrebuild));
		res->vips_rebuilt = (unsigned)p.nrebuild;
	}
out:
	free(p.present);
	free(p.rebuild);
	free(p.ranged);
	free(p.gone);
	return err ? err : res->first_err;
}
