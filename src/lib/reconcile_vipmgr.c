// SPDX-License-Identifier: GPL-2.0
/* The reconcile interface over the real maps, through vipmgr. */
#include "reconcile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct walk {
	struct nlb_maps *m;
	int (*fn)(const struct nlb_vip_spec *s,
		  const struct nlb_have_backend *b, size_t n, void *arg);
	void *arg;
};

static int walk_vip(const struct nlb_vip_spec *s, const struct nlb_vip *v,
		    void *ctx)
{
	struct walk *w = ctx;
	struct nlb_have_backend *have;
	__u32 *ids;
	int n, err;

	n = nlb_vipmgr__backends_of(w->m, v->vip_id, NULL, 0);
	ids = calloc((size_t)n + 1, sizeof(*ids));
	have = calloc((size_t)n + 1, sizeof(*have));
	if (!ids || !have) {
		err = -ENOMEM;
		goto out;
	}
	n = nlb_vipmgr__backends_of(w->m, v->vip_id, ids, n);
	for (int i = 0; i < n; i++) {
		const struct nlb_backend *b = nlb_maps__backend(w->m, ids[i]);

		have[i].family = b->family;
		have[i].state = b->state;
		have[i].weight = b->weight;
		memcpy(have[i].addr, b->addr, sizeof(have[i].addr));
	}
	err = w->fn(s, have, (size_t)n, w->arg);
out:
	free(ids);
	free(have);
	return err;
}

static int for_each_vip(void *ctx,
			int (*fn)(const struct nlb_vip_spec *s,
				  const struct nlb_have_backend *b, size_t n,
				  void *arg),
			void *arg)
{
	struct walk w = {.m = ctx, .fn = fn, .arg = arg};

	return nlb_vipmgr__for_each_vip(ctx, walk_vip, &w);
}

static int add_vip(void *ctx, const struct nlb_vip_spec *s)
{
	return nlb_vipmgr__add_vip(ctx, s, NULL);
}

static int del_vip(void *ctx, const struct nlb_vip_spec *s)
{
	return nlb_vipmgr__del_vip(ctx, s);
}

static int set_port_end(void *ctx, const struct nlb_vip_spec *s)
{
	return nlb_vipmgr__set_port_end(ctx, s);
}

static int put_backend(void *ctx, const struct nlb_vip_spec *s,
		       const struct nlb_backend_spec *b)
{
	return nlb_vipmgr__put_backend(ctx, s, b, NULL);
}

static int del_backend(void *ctx, const struct nlb_vip_spec *s, __u8 family,
		       const __be32 addr[4])
{
	return nlb_vipmgr__remove_backend(ctx, s, family, addr);
}

static int rebuild(void *ctx, const struct nlb_vip_spec *vips, size_t n)
{
	__u32 *ids = calloc(n + 1, sizeof(*ids));
	size_t k = 0;
	int err = 0;

	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct nlb_vip v;

		if (nlb_vipmgr__find_vip(ctx, &vips[i], &v))
			continue; /* failed to add: reported already */
		ids[k++] = v.vip_id;
	}
	err = nlb_vipmgr__rebuild_many(ctx, ids, k, 0);
	free(ids);
	return err;
}

void nlb_reconcile_vipmgr_ops(struct nlb_node_ops *ops, struct nlb_maps *m)
{
	*ops = (struct nlb_node_ops){
		.ctx = m,
		.for_each_vip = for_each_vip,
		.add_vip = add_vip,
		.del_vip = del_vip,
		.set_port_end = set_port_end,
		.put_backend = put_backend,
		.del_backend = del_backend,
		.rebuild = rebuild,
	};
}
