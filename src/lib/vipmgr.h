/* SPDX-License-Identifier: GPL-2.0 */
/* VIPs and their backends on one node, kept in the maps themselves.
 *
 * Allocates VIP and backend ids, keeps the FRAG and ADDR keys of each VIP
 * address right, applies a backend state change with one store first and
 * then rebuilds the VIP's exact Maglev table and swaps it in. The maps are
 * the only record, so separate processes (the node CLI) can share it.
 */
#ifndef NLB_VIPMGR_H
#define NLB_VIPMGR_H

#include <stddef.h>
#include <linux/types.h>
#include "maps.h"

struct nlb_vip_spec {
	__u8 family; /* NLB_FAMILY_V4 / NLB_FAMILY_V6 */
	__u8 proto; /* IPPROTO_TCP / IPPROTO_UDP */
	__be16 port; /* network order; 0 = every port */
	__be32 addr[4];
	__u32 ring_size; /* prime; 0: NLB_MAGLEV_DEFAULT_SIZE */
};

struct nlb_backend_spec {
	__u8 family;
	__u8 state; /* enum nlb_backend_state, not EMPTY */
	__u16 weight; /* 0 keeps established flows only, like drained */
	__be32 addr[4];
};

/* Adds a VIP with an empty table; -EEXIST if it exists. */
int nlb_vipmgr__add_vip(struct nlb_maps *m, const struct nlb_vip_spec *s,
			__u32 *vip_id);
/* Removes a VIP, its table and its backends. */
int nlb_vipmgr__del_vip(struct nlb_maps *m, const struct nlb_vip_spec *s);
int nlb_vipmgr__find_vip(struct nlb_maps *m, const struct nlb_vip_spec *s,
			 struct nlb_vip *v);

/* Adds or updates a backend of a VIP (weight, state). A state change is
 * visible to the data path before the table is rebuilt. */
int nlb_vipmgr__set_backend(struct nlb_maps *m, const struct nlb_vip_spec *s,
			    const struct nlb_backend_spec *b,
			    __u32 *backend_id);
int nlb_vipmgr__del_backend(struct nlb_maps *m, const struct nlb_vip_spec *s,
			    __u8 family, const __be32 addr[4]);

/* The same two without the table rebuild, for a batch of changes that ends
 * with one nlb_vipmgr__rebuild_many. */
int nlb_vipmgr__put_backend(struct nlb_maps *m, const struct nlb_vip_spec *s,
			    const struct nlb_backend_spec *b,
			    __u32 *backend_id);
int nlb_vipmgr__remove_backend(struct nlb_maps *m, const struct nlb_vip_spec *s,
			       __u8 family, const __be32 addr[4]);

/* Many backend state changes at once (health checks flapping): every state
 * is stored first, so the data path avoids down backends at once; then each
 * affected VIP's exact table is rebuilt, all VIPs in parallel, and swapped
 * in. Returns 0 or the first error; states are written even when a rebuild
 * fails. */
struct nlb_state_change {
	__u32 backend_id;
	__u8 state; /* enum nlb_backend_state, not EMPTY */
};
int nlb_vipmgr__set_states(struct nlb_maps *m,
			   const struct nlb_state_change *changes, size_t n,
			   int nthreads);

/* Rebuilds the exact tables of these VIPs from their backends, all VIPs in
 * parallel (nthreads 0: one per CPU), and swaps them in with one update. */
int nlb_vipmgr__rebuild_many(struct nlb_maps *m, const __u32 *vip_ids, size_t n,
			     int nthreads);

/* Rebuilds and swaps in the exact table of a VIP from its backends. */
int nlb_vipmgr__rebuild(struct nlb_maps *m, __u32 vip_id, __u32 ring_size);

/* Ids of the VIP's backends (any state but EMPTY); returns the count, which
 * may exceed cap. */
int nlb_vipmgr__backends_of(const struct nlb_maps *m, __u32 vip_id, __u32 *ids,
			    int cap);

#endif /* NLB_VIPMGR_H */
