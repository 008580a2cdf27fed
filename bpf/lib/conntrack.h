/* SPDX-License-Identifier: GPL-2.0 */
/* The connection table: flow keys and the validity of an entry. Entries are
 * never trusted blindly: the backend they name must still belong to the VIP
 * (same vip_id and generation) and be enabled or drained. */
#ifndef NLB_BPF_CONNTRACK_H
#define NLB_BPF_CONNTRACK_H

#include "nlb_maps.h"
#include "parse.h"

static __always_inline void nlb_flow_v4(struct nlb_flow_v4 *f,
					const struct nlb_tuple *t)
{
	f->saddr = t->saddr[0];
	f->daddr = t->daddr[0];
	f->sport = t->sport;
	f->dport = t->dport;
	f->proto = t->proto;
}

static __always_inline void nlb_flow_v6(struct nlb_flow_v6 *f,
					const struct nlb_tuple *t)
{
	__builtin_memcpy(f->saddr, t->saddr, sizeof(f->saddr));
	__builtin_memcpy(f->daddr, t->daddr, sizeof(f->daddr));
	f->sport = t->sport;
	f->dport = t->dport;
	f->proto = t->proto;
}

/* The backend of a conntrack entry if it may still carry the flow. */
static __always_inline struct nlb_backend *
nlb_ct_backend(const struct nlb_ct *ct, __u32 vip_id)
{
	__u32 id = ct->backend_id;
	struct nlb_backend *b = bpf_map_lookup_elem(&backends, &id);

	if (!b || b->gen != ct->backend_gen || b->vip_id != vip_id)
		return NULL;
	if (b->state != NLB_BACKEND_ENABLED && b->state != NLB_BACKEND_DRAINED)
		return NULL;
	return b;
}

#endif /* NLB_BPF_CONNTRACK_H */
