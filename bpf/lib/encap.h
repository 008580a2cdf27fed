/* SPDX-License-Identifier: GPL-2.0 */
/* IPIP encapsulation toward a backend: IPv4-in-IPv4, IPv6-in-IPv6 and
 * IPv4-in-IPv6, pushed in front of the untouched inner packet, with the
 * Ethernet header (and VLAN tag) moved to the new front. */
#ifndef NLB_BPF_ENCAP_H
#define NLB_BPF_ENCAP_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "nlb/abi.h"
#include "nlb_consts.h"
#include "csum.h"
#include "parse.h"

static __always_inline int nlb_mac_is_zero(const __u8 *m)
{
	const __u16 *w = (const __u16 *)m;

	return (w[0] | w[1] | w[2]) == 0;
}

/* Host bits of an outer source address word come from the flow hash, so
 * the backend's NIC spreads flows over its queues (RSS hashes addresses). */
static __always_inline __be32 nlb_src_word(__be32 pfx, __u32 bits, __u32 h)
{
	__u32 mask;

	if (bits >= 32)
		return pfx;
	mask = bits ? 0xffffffffu << (32 - bits) : 0;
	return bpf_htonl((bpf_ntohl(pfx) & mask) | (h & ~mask));
}

/* Pushes the outer header for backend b (whose family was checked against
 * the inner packet by the caller). Returns 0, or -1 when the head could
 * not grow; every packet pointer is stale afterwards. */
static __always_inline int nlb_encap(struct xdp_md *ctx,
				     const struct nlb_pkt *p,
				     const struct nlb_backend *b,
				     const struct nlb_config *c, __u32 h,
				     const int inner_family)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 dmac[ETH_ALEN], smac[ETH_ALEN];
	__u32 l2 = sizeof(*eth), olen;
	__be16 tpid = 0, tci = 0;
	__u8 ttl = c->ttl ? c->ttl : NLB_DEFAULT_TTL;

	if ((void *)(eth + 1) > data_end)
		return -1;
	if (nlb_mac_is_zero(c->nexthop_mac))
		__builtin_memcpy(dmac, eth->h_source, ETH_ALEN);
	else
		__builtin_memcpy(dmac, c->nexthop_mac, ETH_ALEN);
	if (nlb_mac_is_zero(c->src_mac))
		__builtin_memcpy(smac, eth->h_dest, ETH_ALEN);
	else
		__builtin_memcpy(smac, c->src_mac, ETH_ALEN);
	if (p->l3_off != sizeof(*eth)) {
		__be16 *tag = (void *)(eth + 1);

		if ((void *)(tag + 2) > data_end)
			return -1;
		tpid = eth->h_proto;
		tci = tag[0];
		l2 += 4;
	}

	olen = b->family == NLB_FAMILY_V4 ? sizeof(struct iphdr)
					  : sizeof(struct ipv6hdr);
	if (bpf_xdp_adjust_head(ctx, -(int)olen))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, smac, ETH_ALEN);

	if (b->family == NLB_FAMILY_V4) {
		struct iphdr *o = data + l2;

		if ((void *)(o + 1) > data_end)
			return -1;
		if (l2 != sizeof(*eth)) {
			__be16 *tag = (void *)(eth + 1);

			eth->h_proto = tpid;
			tag[0] = tci;
			tag[1] = bpf_htons(ETH_P_IP);
		} else {
			eth->h_proto = bpf_htons(ETH_P_IP);
		}
		o->version = 4;
		o->ihl = 5;
		o->tos = p->tos;
		o->tot_len = bpf_htons(p->l3_len + sizeof(*o));
		o->id = 0;
		o->frag_off = p->df ? bpf_htons(NLB_IP_DF) : 0;
		o->ttl = ttl;
		o->protocol = IPPROTO_IPIP;
		o->check = 0;
		o->saddr = nlb_src_word(c->src_v4, c->src_v4_plen, h);
		o->daddr = b->addr[0];
		o->check = nlb_ipv4_csum(o);
	} else {
		struct ipv6hdr *o = data + l2;
		__u32 plen = c->src_v6_plen;

		if ((void *)(o + 1) > data_end)
			return -1;
		if (l2 != sizeof(*eth)) {
			__be16 *tag = (void *)(eth + 1);

			eth->h_proto = tpid;
			tag[0] = tci;
			tag[1] = bpf_htons(ETH_P_IPV6);
		} else {
			eth->h_proto = bpf_htons(ETH_P_IPV6);
		}
		*(__be32 *)o = bpf_htonl((6u << 28) | ((__u32)p->tos << 20) |
					 (h & 0xfffff));
		o->payload_len = bpf_htons(p->l3_len);
		o->nexthdr = inner_family == NLB_FAMILY_V4 ? IPPROTO_IPIP
							   : IPPROTO_IPV6;
		o->hop_limit = ttl;
		/* host bits beyond the last word keep the configured value */
		o->saddr.in6_u.u6_addr32[0] = c->src_v6[0];
		o->saddr.in6_u.u6_addr32[1] = c->src_v6[1];
		o->saddr.in6_u.u6_addr32[2] = c->src_v6[2];
		plen = plen > 96 ? plen - 96 : 0;
		o->saddr.in6_u.u6_addr32[3] =
			nlb_src_word(c->src_v6[3], plen, h);
		__builtin_memcpy(&o->daddr, b->addr, 16);
	}
	return 0;
}

#endif /* NLB_BPF_ENCAP_H */
