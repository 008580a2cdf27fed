/* SPDX-License-Identifier: GPL-2.0 */
/* The node's reconcile decisions: desired VIPs and backends (from the control
 * plane, with health folded in) against what the forwarder has, turned into
 * the fewest writes, through an interface so that tests run the decisions
 * against an in-memory fake and the agent against the real maps
 * (nlb_reconcile_vipmgr_ops). */
#ifndef NLB_RECONCILE_H
#define NLB_RECONCILE_H

#include <stddef.h>
#include <linux/types.h>
#include "vipmgr.h"

enum nlb_health {
	NLB_HEALTH_UNKNOWN = 0, /* not checked yet, or no check: forwarded to */
	NLB_HEALTH_UP,
	NLB_HEALTH_DOWN,
};

struct nlb_want_backend {
	__u8 family;
	__u8 drained; /* the tenant's admin state: no new flows */
	__u8 health; /* enum nlb_health */
	__u16 weight; /* 0 also drains */
	__be32 addr[4];
};

struct nlb_want_vip {
	struct nlb_vip_spec spec;
	const struct nlb_want_backend *backends;
	size_t n;
	/* below its panic threshold: health is ignored, so that unhealthy
	 * backends share the load with the few healthy ones left */
	__u8 panic;
};

/* What the forwarder has, as the ops report it. */
struct nlb_have_backend {
	__u8 family;
	__u8 state; /* enum nlb_backend_state */
	__u16 weight;
	__be32 addr[4];
};

struct nlb_node_ops {
	void *ctx;
	/* calls fn once per VIP the forwarder has, with its backends */
	int (*for_each_vip)(void *ctx,
			    int (*fn)(const struct nlb_vip_spec *s,
				      const struct nlb_have_backend *b,
				      size_t n, void *arg),
			    void *arg);
	int (*add_vip)(void *ctx, const struct nlb_vip_spec *s);
	int (*del_vip)(void *ctx, const struct nlb_vip_spec *s);
	/* moves the end of the range of the VIP named by s to s->port_end */
	int (*set_port_end)(void *ctx, const struct nlb_vip_spec *s);
	/* backend writes: no table rebuild until rebuild() */
	int (*put_backend)(void *ctx, const struct nlb_vip_spec *s,
			   const struct nlb_backend_spec *b);
	int (*del_backend)(void *ctx, const struct nlb_vip_spec *s, __u8 family,
			   const __be32 addr[4]);
	/* rebuilds the tables of these VIPs, all in one batch */
	int (*rebuild)(void *ctx, const struct nlb_vip_spec *vips, size_t n);
};

struct nlb_reconcile_result {
	unsigned vips_added, vips_removed, vips_rebuilt;
	unsigned vips_ranged; /* VIPs whose range end moved */
	unsigned backends_written, backends_removed;
	int first_err; /* the first failed write; the rest still went on */
};

/* The state a backend must have in the maps. */
__u8 nlb_backend_effective_state(const struct nlb_want_backend *b);

/* Converges the forwarder to want[0..n). A VIP is named by its first port:
 * a moved range end is an update in place, a moved first port a removal and
 * an addition. Removals go first, then range updates, then additions, so
 * ports handed from one VIP to another are free when taken. Idempotent: a
 * second call with the same input writes nothing. Returns 0 or the first
 * error (also in res). */
int nlb_reconcile(const struct nlb_node_ops *ops,
		  const struct nlb_want_vip *want, size_t n,
		  struct nlb_reconcile_result *res);

/* The ops over the real maps, through vipmgr. */
void nlb_reconcile_vipmgr_ops(struct nlb_node_ops *ops, struct nlb_maps *m);

#endif /* NLB_RECONCILE_H */
