/* SPDX-License-Identifier: GPL-2.0 */
/* Counting: the per-CPU action/drop counters and per-VIP and per-backend
 * statistics. Per-CPU arrays, so plain increments, no atomics. */
#ifndef NLB_BPF_STATS_H
#define NLB_BPF_STATS_H

#include "nlb_maps.h"

static __always_inline void nlb_count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);

	if (c)
		*c += 1;
}

/* How a forwarded packet found its backend. */
enum nlb_acct {
	NLB_ACCT_HIT = 0, /* a usable conntrack entry */
	NLB_ACCT_NEW = 1, /* no usable entry: picked and inserted */
	NLB_ACCT_MISS = 2, /* no entry, picked without inserting (ICMP error) */
};

static __always_inline void nlb_vip_account(__u32 vip_id, __u32 len, __u32 acct)
{
	struct nlb_vip_stats *s = bpf_map_lookup_elem(&vip_stats, &vip_id);

	if (!s)
		return;
	s->packets++;
	s->bytes += len;
	if (acct == NLB_ACCT_HIT) {
		s->ct_hits++;
		return;
	}
	s->ct_misses++;
	if (acct == NLB_ACCT_NEW)
		s->new_flows++;
}

static __always_inline void nlb_backend_account(__u32 id, __u32 len, __u32 acct)
{
	struct nlb_backend_stats *s = bpf_map_lookup_elem(&backend_stats, &id);

	if (!s)
		return;
	s->packets++;
	s->bytes += len;
	if (acct == NLB_ACCT_NEW)
		s->new_flows++;
}

#endif /* NLB_BPF_STATS_H */
