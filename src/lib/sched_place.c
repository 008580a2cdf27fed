// SPDX-License-Identifier: GPL-2.0
/* VIP placement (see sched_place.h). */
#include <string.h>

#include "sched_place.h"

static bool zone_allowed(const struct sched_vip *v, const struct sched_node *n)
{
	int i;

	if (!v->nzones)
		return true;
	for (i = 0; i < v->nzones; i++)
		if (n->zone && !strcmp(v->zones[i], n->zone))
			return true;
	return false;
}

static bool has(const int *set, int n, int x)
{
	int i;

	for (i = 0; i < n; i++)
		if (set[i] == x)
			return true;
	return false;
}

static bool zone_used(const struct sched_node *nodes, const struct sched_vip *v,
		      const struct sched_node *cand)
{
	int i;

	for (i = 0; i < v->nout; i++) {
		const char *z = nodes[v->out[i]].zone;

		if (z && cand->zone && !strcmp(z, cand->zone))
			return true;
	}
	return false;
}

static int replicas_of(const struct sched_vip *v)
{
	if (v->replicas < 1)
		return 1;
	return v->replicas > SCHED_MAX_REPLICAS ? SCHED_MAX_REPLICAS
						: v->replicas;
}

static bool advertised_by(const struct sched_vip *v, int x)
{
	int k;

	for (k = 0; k < v->ncur; k++)
		if (v->cur[k] == x)
			return v->adv[k];
	return false; /* placed in this pass: cannot have advertised yet */
}

/* A draining node lets a VIP go once every serving node advertises it (a
 * VIP with enough advertised replicas goes at once), or when its drain
 * timed out: with no other node, or others that never report, waiting
 * longer keeps no connection that waiting this long did not. */
static bool releasable(const struct sched_node *x, const struct sched_vip *v,
		       int nserve)
{
	int k;

	if (x->drain_expired || v->nout == SCHED_MAX_REPLICAS)
		return true;
	if (!nserve)
		return false;
	for (k = 0; k < nserve; k++)
		if (!advertised_by(v, v->out[k]))
			return false;
	return true;
}

/* Appends the draining nodes of cur that still have to hold the VIP. */
static void hold_draining(struct sched_node *nodes, size_t nn,
			  struct sched_vip *v)
{
	int nserve = v->nout, k;

	v->held = 0;
	for (k = 0; k < v->ncur; k++) {
		int x = v->cur[k];

		if (x < 0 || (size_t)x >= nn || !nodes[x].draining ||
		    has(v->out, v->nout, x) || releasable(&nodes[x], v, nserve))
			continue;
		v->out[v->nout++] = x;
		v->held++;
		nodes[x].load++;
	}
}

int sched_place(struct sched_node *nodes, size_t nn, struct sched_vip *vips,
		size_t nv)
{
	size_t i, j;
	int short_ = 0;

	for (j = 0; j < nn; j++)
		nodes[j].load = 0;
	/* keep what is still good first, so that new VIPs fill around it
	 * and nothing well placed ever moves */
	for (i = 0; i < nv; i++) {
		struct sched_vip *v = &vips[i];
		int k;

		v->nout = 0;
		for (k = 0; k < v->ncur && v->nout < replicas_of(v); k++) {
			int x = v->cur[k];
			struct sched_node *n;

			if (x < 0 || (size_t)x >= nn || has(v->out, v->nout, x))
				continue;
			n = &nodes[x];
			if (!n->ready || !zone_allowed(v, n) ||
			    n->load >= n->capacity)
				continue;
			v->out[v->nout++] = x;
			n->load++;
		}
	}
	for (i = 0; i < nv; i++) {
		struct sched_vip *v = &vips[i];

		while (v->nout < replicas_of(v)) {
			int best = -1;
			bool best_used = true;

			for (j = 0; j < nn; j++) {
				struct sched_node *n = &nodes[j];
				bool used;

				if (!n->ready || n->load >= n->capacity ||
				    !zone_allowed(v, n) ||
				    has(v->out, v->nout, (int)j))
					continue;
				used = zone_used(nodes, v, n);
				if (best < 0 || (!used && best_used) ||
				    (used == best_used &&
				     n->load < nodes[best].load)) {
					best = (int)j;
					best_used = used;
				}
			}
			if (best < 0)
				break;
			v->out[v->nout++] = best;
			nodes[best].load++;
		}
		if (v->nout < replicas_of(v))
			short_++;
		hold_draining(nodes, nn, v);
		v->changed = v->nout != v->ncur;
		for (j = 0; !v->changed && j < (size_t)v->nout; j++)
			v->changed = !has(v->cur, v->ncur, v->out[j]);
	}
	return short_;
}
