/* SPDX-License-Identifier: GPL-2.0 */
/* Packet parsing: Ethernet with one VLAN tag, IPv4 (options) or IPv6
 * (extension headers), then the L4 ports or the ICMP type, into struct nlb_pkt.
 *
 * Every read is bounds-checked against the frame, and every length field is
 * checked against the frame too: a packet whose headers lie is NLB_P_BAD, and
 * the caller drops it only if its destination is a VIP address.
 */
#ifndef NLB_BPF_PARSE_H
#define NLB_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "nlb/abi.h"
#include "nlb_consts.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif
#define NLB_IP_MF 0x2000
#define NLB_IP_DF 0x4000
#define NLB_IP_OFFSET 0x1fff
/* A cap on the IPv6 header chain, far above anything real, so that every
 * packet offset stays small and known to the verifier. */
#define NLB_MAX_L4_OFF 512

enum nlb_parse_rc {
	NLB_P_OK = 0,
	NLB_P_PASS, /* not IP, or too short to read the destination */
	NLB_P_BAD, /* malformed; the addresses are valid */
};

/* The flow a packet belongs to, in packet byte order. */
struct nlb_tuple {
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;
};

struct nlb_pkt {
	struct nlb_tuple t;
	__u32 len; /* frame length as received */
	__u16 l3_off; /* 14, or 18 with a VLAN tag */
	__u16 l4_off;
	__u16 l3_len; /* bytes of the IP packet from its header on */
	__u8 tos; /* DSCP + ECN (IPv4 TOS, IPv6 traffic class) */
	__u8 frag; /* a fragment (v4 MF/offset, v6 fragment header) */
	__u8 df; /* IPv4 DF set (IPv6 never fragments in flight) */
	__u8 icmp_type;
	__u8 icmp_code;
};

/* Returns the L3 offset and stores the ethertype behind the tag, or -1. */
static __always_inline int nlb_parse_l2(void *data, void *data_end,
					__be16 *proto)
{
	struct ethhdr *eth = data;
	struct vlan_hdr {
		__be16 tci;
		__be16 proto;
	} * vh;

	if ((void *)(eth + 1) > data_end)
		return -1;
	*proto = eth->h_proto;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q) &&
	    eth->h_proto != bpf_htons(ETH_P_8021AD))
		return sizeof(*eth);
	vh = (void *)(eth + 1);
	if ((void *)(vh + 1) > data_end)
		return -1;
	*proto = vh->proto;
	return sizeof(*eth) + sizeof(*vh);
}

/* Ports or ICMP type of an unfragmented packet; the L4 header must lie
 * inside both the frame and the IP packet. */
static __always_inline int nlb_parse_l4(void *data, void *data_end,
					struct nlb_pkt *p, __u8 icmp_proto)
{
	__u32 end = (__u32)p->l3_off + p->l3_len;
	__u32 off = p->l4_off;
	__u32 need;
	__u8 *l4;

	if (p->t.proto == IPPROTO_TCP)
		need = sizeof(struct tcphdr);
	else if (p->t.proto == IPPROTO_UDP || p->t.proto == icmp_proto)
		need = 8; /* UDP header; ICMP type, code, csum, id/seq */
	else
		return NLB_P_OK;
	if (off > NLB_MAX_L4_OFF || off + need > end)
		return NLB_P_BAD;
	l4 = data + off;
	if ((void *)(l4 + 8) > data_end)
		return NLB_P_BAD;
	if (p->t.proto == icmp_proto) {
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
	} else {
		/* source and destination ports lead both TCP and UDP */
		p->t.sport = *(__be16 *)l4;
		p->t.dport = *(__be16 *)(l4 + 2);
	}
	return NLB_P_OK;
}

static __always_inline int nlb_parse_ipv4(void *data, void *data_end,
					  struct nlb_pkt *p)
{
	struct iphdr *iph = data + p->l3_off;
	__u32 hlen, tot;

	if ((void *)(iph + 1) > data_end)
		return NLB_P_PASS;
	p->t.saddr[0] = iph->saddr;
	p->t.daddr[0] = iph->daddr;
	p->t.proto = iph->protocol;
	if (iph->version != 4 || iph->ihl < 5)
		return NLB_P_BAD;
	hlen = iph->ihl * 4;
	tot = bpf_ntohs(iph->tot_len);
	if (tot < hlen || p->l3_off + tot > p->len)
		return NLB_P_BAD;
	p->l3_len = tot;
	p->l4_off = p->l3_off + hlen;
	p->tos = iph->tos;
	p->df = !!(iph->frag_off & bpf_htons(NLB_IP_DF));
	p->frag = !!(iph->frag_off & bpf_htons(NLB_IP_MF | NLB_IP_OFFSET));
	if (p->frag)
		return NLB_P_OK;
	return nlb_parse_l4(data, data_end, p, IPPROTO_ICMP);
}

static __always_inline int nlb_ipv6_is_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_DSTOPTS || nh == IPPROTO_FRAGMENT;
}

static __always_inline int nlb_parse_ipv6(void *data, void *data_end,
					  struct nlb_pkt *p)
{
	struct ipv6hdr *ip6h = data + p->l3_off;
	__u32 off, plen;
	__u8 nh;
	int i;

	if ((void *)(ip6h + 1) > data_end)
		return NLB_P_PASS;
	__builtin_memcpy(p->t.saddr, &ip6h->saddr, 16);
	__builtin_memcpy(p->t.daddr, &ip6h->daddr, 16);
	if (ip6h->version != 6)
		return NLB_P_BAD;
	plen = bpf_ntohs(ip6h->payload_len);
	if (p->l3_off + sizeof(*ip6h) + plen > p->len)
		return NLB_P_BAD;
	p->l3_len = sizeof(*ip6h) + plen;
	p->tos = (ip6h->priority << 4) | (ip6h->flow_lbl[0] >> 4);
	nh = ip6h->nexthdr;
	off = p->l3_off + sizeof(*ip6h);

#pragma unroll
	for (i = 0; i < NLB_MAX_IPV6_EXT; i++) {
		__u8 *eh = data + off;

		if (!nlb_ipv6_is_ext(nh))
			break;
		if ((void *)(eh + 8) > data_end ||
		    off + 8 > (__u32)p->l3_off + p->l3_len)
			return NLB_P_BAD;
		if (nh == IPPROTO_FRAGMENT) {
			/* no L4 header to read behind it: fragments are
			 * forwarded by (saddr, daddr, proto) alone */
			p->frag = 1;
			p->t.proto = eh[0];
			p->l4_off = off + 8;
			return NLB_P_OK;
		}
		nh = eh[0];
		off += (eh[1] + 1) * 8;
		if (off > NLB_MAX_L4_OFF)
			return NLB_P_BAD;
	}
	if (nlb_ipv6_is_ext(nh))
		return NLB_P_BAD; /* longer chain than we walk */
	p->t.proto = nh;
	p->l4_off = off;
	return nlb_parse_l4(data, data_end, p, IPPROTO_ICMPV6);
}

#endif /* NLB_BPF_PARSE_H */
