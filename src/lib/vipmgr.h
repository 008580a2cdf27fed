/* SPDX-License-Identifier: GPL-2.0 */
/* VIPs and their backends on one node, kept in the maps themselves.
 *
 * Allocates VIP and backend ids, keeps the PORT keys of each VIP (one per
 * port of a range) and the FRAG and ADDR keys of each VIP address right,
 * applies a backend state change with one store first and then rebuilds the
 * VIP's exact Maglev table and swaps it in. The maps are the only record, so
 * separate processes (the node CLI) can share it.
 */
#ifndef NLB_VIPMGR_H
#define NLB_VIPMGR_H

#include <stddef.h>
#include <arpa/inet.h>
#include <linux/types.h>
#include "maps.h"

/* Most ports one VIP may span. Every port of a range is a key of the VIP
 * map, which holds 3 keys per VIP id (12,288 by default: a PORT, FRAG and
 * ADDR key each); the cap keeps one range from taking the room of hundreds
 * of VIPs (docs/map-abi.md). */
#define NLB_VIP_PORTS_MAX 1024

/* A VIP is named by (family, addr, proto, port): a range by its first port. */
struct nlb_vip_spec {
	__u8 family; /* NLB_FAMILY_V4 / NLB_FAMILY_V6 */
	__u8 proto; /* IPPROTO_TCP / IPPROTO_UDP */
	__be16 port; /* network order; 0 = every port; a range's first port */
	__be16 port_end; /* network order; a range's last port; 0: port alone */
	__be32 addr[4];
	__u32 ring_size; /* prime; 0: NLB_MAGLEV_DEFAULT_SIZE */
};

/* The last port of the VIP, host order (the port itself when no range). */
static inline __u16 nlb_vip_spec_last_port(const struct nlb_vip_spec *s)
{
	return s->port_end ? ntohs(s->port_end) : ntohs(s->port);
}

/* -EINVAL for a bad family, protocol, ring size or range (an end below the
 * port, a range of port 0); -E2BIG for more than NLB_VIP_PORTS_MAX ports. */
int nlb_vipmgr__check_spec(const struct nlb_vip_spec *s);

struct nlb_backend_spec {
	__u8 family;
	__u8 state; /* enum nlb_backend_state, not EMPTY */
	__u16 weight; /* 0 keeps established flows only, like drained */
	__be32 addr[4];
};

/* Adds a VIP with an empty table, one PORT key per port; -EEXIST if it
 * exists, -EADDRINUSE if a port of it belongs to another VIP of the address
 * and protocol. A failure leaves the maps as they were. */
int nlb_vipmgr__add_vip(struct nlb_maps *m, const struct nlb_vip_spec *s,
			__u32 *vip_id);
/* Removes a VIP (every port of its range), its table and its backends;
 * s->port_end is not looked at. */
int nlb_vipmgr__del_vip(struct nlb_maps *m, const struct nlb_vip_spec *s);
/* Moves the end of the VIP's range to s->port_end: adds or removes only the
 * keys that differ; the VIP keeps its id, table, backends and counters.
 * -EADDRINUSE (nothing written) if a new port belongs to another VIP. */
int nlb_vipmgr__set_port_end(struct nlb_maps *m, const struct nlb_vip_spec *s);
/* The VIP whose first port is s->port; -ENOENT also when s->port is a later
 * port of another VIP's range. */
int nlb_vipmgr__find_vip(struct nlb_maps *m, const struct nlb_vip_spec *s,
			 struct nlb_vip *v);
/* Calls fn once per VIP, its range read back from its PORT keys (ring_size
 * from the value); stops at and returns a non-zero result. */
int nlb_vipmgr__for_each_vip(struct nlb_maps *m,
			     int (*fn)(const struct nlb_vip_spec *s,
				       const struct nlb_vip *v, void *ctx),
			     void *ctx);

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
