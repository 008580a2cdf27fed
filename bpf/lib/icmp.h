/* SPDX-License-Identifier: GPL-2.0 */
/* ICMP to a VIP: echo requests answered in place, and the quoted header of
 * "fragmentation needed" / "packet too big" read back into the flow it
 * belongs to, so that the error follows that flow to its backend. */
#ifndef NLB_BPF_ICMP_H
#define NLB_BPF_ICMP_H

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

#define NLB_ICMP_ECHO_REQUEST 8
#define NLB_ICMP_ECHO_REPLY 0
#define NLB_ICMP_DEST_UNREACH 3
#define NLB_ICMP_FRAG_NEEDED 4
#define NLB_ICMP6_PKT_TOOBIG 2
#define NLB_ICMP6_ECHO_REQUEST 128
#define NLB_ICMP6_ECHO_REPLY 129

static __always_inline void nlb_swap_macs(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

/* Turns an echo request into its reply where it lies. Addresses swap
 * (the sums stay), the type and TTL change (incremental updates). */
static __always_inline int nlb_icmp_echo_reply(void *data, void *data_end,
					       const struct nlb_pkt *p,
					       const int family)
{
	struct ethhdr *eth = data;
	__u32 off = p->l4_off;
	__u16 *type_code, old;

	if (off > NLB_MAX_L4_OFF || (void *)(eth + 1) > data_end)
		return -1;
	type_code = data + off;
	if ((void *)(type_code + 4) > data_end)
		return -1;

	if (family == NLB_FAMILY_V4) {
		struct iphdr *iph = data + p->l3_off;
		__be32 a;

		if ((void *)(iph + 1) > data_end)
			return -1;
		a = iph->saddr;
		iph->saddr = iph->daddr;
		iph->daddr = a;
		old = *(__u16 *)&iph->ttl;
		iph->ttl = NLB_DEFAULT_TTL;
		nlb_csum_replace2(&iph->check, old, *(__u16 *)&iph->ttl);
		old = type_code[0];
		*(__u8 *)type_code = NLB_ICMP_ECHO_REPLY;
	} else {
		struct ipv6hdr *ip6h = data + p->l3_off;
		struct in6_addr a;

		if ((void *)(ip6h + 1) > data_end)
			return -1;
		a = ip6h->saddr;
		ip6h->saddr = ip6h->daddr;
		ip6h->daddr = a;
		ip6h->hop_limit = NLB_DEFAULT_TTL;
		old = type_code[0];
		*(__u8 *)type_code = NLB_ICMP6_ECHO_REPLY;
	}
	/* the checksum field follows type and code */
	nlb_csum_replace2(&type_code[1], old, type_code[0]);
	nlb_swap_macs(eth);
	return 0;
}

/* Is this ICMP message an error quoting a flow (the PMTU kinds)? */
static __always_inline int nlb_icmp_is_pmtu(const struct nlb_pkt *p,
					    const int family)
{
	if (family == NLB_FAMILY_V4)
		return p->icmp_type == NLB_ICMP_DEST_UNREACH &&
		       p->icmp_code == NLB_ICMP_FRAG_NEEDED;
	return p->icmp_type == NLB_ICMP6_PKT_TOOBIG;
}

/* Reads the quoted header into *t as the client -> VIP flow. Returns
 * NLB_P_OK, NLB_P_BAD when the quote is cut short, or NLB_P_PASS when it
 * does not quote TCP or UDP. */
static __always_inline int nlb_icmp_inner_flow(void *data, void *data_end,
					       const struct nlb_pkt *p,
					       struct nlb_tuple *t,
					       const int family)
{
	__u32 off = p->l4_off + 8, end = (__u32)p->l3_off + p->l3_len;
	__be16 *ports;
	__u8 proto;

	if (off > NLB_MAX_L4_OFF)
		return NLB_P_BAD;
	if (family == NLB_FAMILY_V4) {
		struct iphdr *in = data + off;

		if ((void *)(in + 1) > data_end || off + sizeof(*in) > end)
			return NLB_P_BAD;
		if (in->version != 4 || in->ihl < 5)
			return NLB_P_BAD;
		proto = in->protocol;
		t->saddr[0] = in->daddr;
		t->daddr[0] = in->saddr;
		off += in->ihl * 4;
	} else {
		struct ipv6hdr *in = data + off;

		if ((void *)(in + 1) > data_end || off + sizeof(*in) > end)
			return NLB_P_BAD;
		proto = in->nexthdr;
		__builtin_memcpy(t->saddr, &in->daddr, 16);
		__builtin_memcpy(t->daddr, &in->saddr, 16);
		off += sizeof(*in);
	}
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return NLB_P_PASS;
	ports = data + off;
	if (off > NLB_MAX_L4_OFF + 60 || (void *)(ports + 2) > data_end ||
	    off + 4 > end)
		return NLB_P_BAD;
	t->sport = ports[1];
	t->dport = ports[0];
	t->proto = proto;
	return NLB_P_OK;
}

#endif /* NLB_BPF_ICMP_H */
