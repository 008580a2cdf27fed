/* SPDX-License-Identifier: GPL-2.0 */
/* The outer header of nlb's IPIP tunnels, written in place: the one
 * definition of its fields (TOS/traffic class copied from the inner packet,
 * IPv4 id 0 and DF copied, the IPv6 flow label from the flow hash), whatever
 * program pushes it and however it made room for it. */
#ifndef NLB_BPF_IPIP_H
#define NLB_BPF_IPIP_H

#include <linux/types.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include "csum.h"
#include "parse.h"

/* IPv4 outer header over an inner packet of inner_len bytes; inner_v4
 * says which of IPv4 (protocol 4) or IPv6 (41) it carries. */
static __always_inline void nlb_ipip_v4(struct iphdr *o, __u8 tos, __u8 df,
					__u8 ttl, __u32 inner_len, int inner_v4,
					__be32 saddr, __be32 daddr)
{
	o->version = 4;
	o->ihl = 5;
	o->tos = tos;
	o->tot_len = bpf_htons(inner_len + sizeof(*o));
	o->id = 0;
	o->frag_off = df ? bpf_htons(NLB_IP_DF) : 0;
	o->ttl = ttl;
	o->protocol = inner_v4 ? IPPROTO_IPIP : IPPROTO_IPV6;
	o->check = 0;
	o->saddr = saddr;
	o->daddr = daddr;
	o->check = nlb_ipv4_csum(o);
}

/* IPv6 outer header; the addresses are 4 words each. */
static __always_inline void nlb_ipip_v6(struct ipv6hdr *o, __u8 tos,
					__u32 flow_hash, __u8 ttl,
					__u32 inner_len, int inner_v4,
					const __be32 *saddr,
					const __be32 *daddr)
{
	*(__be32 *)o = bpf_htonl((6u << 28) | ((__u32)tos << 20) |
				 (flow_hash & 0xfffff));
	o->payload_len = bpf_htons(inner_len);
	o->nexthdr = inner_v4 ? IPPROTO_IPIP : IPPROTO_IPV6;
	o->hop_limit = ttl;
	__builtin_memcpy(&o->saddr, saddr, 16);
	__builtin_memcpy(&o->daddr, daddr, 16);
}

#endif /* NLB_BPF_IPIP_H */
