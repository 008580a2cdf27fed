/* SPDX-License-Identifier: GPL-2.0 */
/* Backend selection for a new flow: the VIP's Maglev slot, and when that
 * backend takes no new flows, a deterministic fallback that every node
 * computes alike, so a flow moving between LB nodes keeps its backend. */
#ifndef NLB_BPF_SELECT_H
#define NLB_BPF_SELECT_H

#include "nlb_maps.h"
#include "nlb/flow_hash.h"

/* Fit for a new flow of vip_id: enabled, and still owned by that VIP. */
static __always_inline struct nlb_backend *nlb_new_flow_backend(__u32 *idp,
								__u32 vip_id)
{
	struct nlb_backend *b;

	if (!idp)
		return NULL;
	b = bpf_map_lookup_elem(&backends, idp);
	if (!b || b->state != NLB_BACKEND_ENABLED || b->vip_id != vip_id)
		return NULL;
	return b;
}

/* The backend id in slot of a table (two slots per element). */
static __always_inline __u32 *nlb_ring_slot(void *ring, __u32 slot)
{
	__u32 pair = slot >> 1;
	__u32 *p = bpf_map_lookup_elem(ring, &pair);

	return p ? p + (slot & 1) : NULL;
}

/* Returns the backend for hash h and stores its id; NULL when the VIP has
 * no table or no enabled backend in NLB_REPICK_TRIES probes. */
static __always_inline struct nlb_backend *
nlb_select(const struct nlb_vip *vip, __u32 h, __u32 *id, int *fell_back)
{
	__u32 vip_id = vip->vip_id, m = vip->ring_size, i;
	struct nlb_backend *b;
	__u32 *idp;
	void *ring;

	if (!m)
		return NULL;
	ring = bpf_map_lookup_elem(&rings, &vip_id);
	if (!ring)
		return NULL;
	idp = nlb_ring_slot(ring, nlb_slot(h, m));
	b = nlb_new_flow_backend(idp, vip_id);
	if (b) {
		*id = *idp;
		return b;
	}
#pragma clang loop unroll(disable)
	for (i = 0; i < NLB_REPICK_TRIES; i++) {
		idp = nlb_ring_slot(ring, nlb_slot(nlb_repick_hash(h, i), m));
		b = nlb_new_flow_backend(idp, vip_id);
		if (b) {
			*id = *idp;
			*fell_back = 1;
			return b;
		}
	}
	return NULL;
}

#endif /* NLB_BPF_SELECT_H */
