/* SPDX-License-Identifier: GPL-2.0 */
/* Internet checksums: folding, a full IPv4 header sum, incremental updates
 * (RFC 1624), all on 16-bit words as they lie in the packet. */
#ifndef NLB_BPF_CSUM_H
#define NLB_BPF_CSUM_H

#include <linux/types.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

static __always_inline __u16 nlb_csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* Checksum of a 20-byte IPv4 header whose check field is zero. */
static __always_inline __u16 nlb_ipv4_csum(const struct iphdr *iph)
{
	const __u16 *w = (const __u16 *)iph;
	__u32 s = 0;
	int i;

#pragma unroll
	for (i = 0; i < (int)(sizeof(*iph) / 2); i++)
		s += w[i];
	return nlb_csum_fold(s);
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit word m -> m'. */
static __always_inline void nlb_csum_replace2(__u16 *check, __u16 from,
					      __u16 to)
{
	__u32 s = (__u16) ~*check;

	s += (__u16)~from;
	s += to;
	*check = nlb_csum_fold(s);
}

#endif /* NLB_BPF_CSUM_H */
