// SPDX-License-Identifier: GPL-2.0
/* Backend-side IPIP decapsulation for hosts without the ipip / ip6_tnl
 * modules: strips an outer IPv4 or IPv6 header that carries IPv4 (4) or
 * IPv6 (41) and hands the inner packet, addressed to the VIP on the
 * backend's loopback, to the stack. Everything else passes untouched.
 * With decap_only_listed set by the loader, only outer destinations in
 * decap_dsts are stripped. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lib/parse.h"

const volatile __u8 decap_only_listed = 0;

/* Outer destinations to decapsulate (IPv4 in addr[0]), if restricted. */
struct nlb_decap_dst {
	__be32 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct nlb_decap_dst);
	__type(value, __u8);
	__uint(max_entries, 64);
} decap_dsts SEC(".maps");

SEC("xdp")
int nlb_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct nlb_decap_dst dst = {};
	__u8 l2hdr[18], inner_proto, *inner;
	__u32 olen, l2, i;
	__be16 proto, *etype;
	int l3_off;

	l3_off = nlb_parse_l2(data, data_end, &proto);
	if (l3_off < 0)
		return XDP_PASS;
	l2 = l3_off;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = data + l2;

		if ((void *)(iph + 1) > data_end || iph->version != 4 ||
		    iph->ihl < 5)
			return XDP_PASS;
		/* fragments need reassembly first: the stack's job */
		if (iph->frag_off & bpf_htons(NLB_IP_MF | NLB_IP_OFFSET))
			return XDP_PASS;
		inner_proto = iph->protocol;
		olen = iph->ihl * 4;
		dst.addr[0] = iph->daddr;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = data + l2;

		if ((void *)(ip6h + 1) > data_end || ip6h->version != 6)
			return XDP_PASS;
		inner_proto = ip6h->nexthdr;
		olen = sizeof(*ip6h);
		__builtin_memcpy(dst.addr, &ip6h->daddr, sizeof(dst.addr));
	} else {
		return XDP_PASS;
	}
	if (inner_proto != IPPROTO_IPIP && inner_proto != IPPROTO_IPV6)
		return XDP_PASS;
	if (decap_only_listed && !bpf_map_lookup_elem(&decap_dsts, &dst))
		return XDP_PASS;

	inner = data + l2 + olen;
	if ((void *)(inner + sizeof(struct iphdr)) > data_end)
		return XDP_PASS;
	if ((inner[0] >> 4) != (inner_proto == IPPROTO_IPIP ? 4 : 6))
		return XDP_PASS;

	/* the L2 header moves forward to sit right before the inner packet */
	if (data + sizeof(l2hdr) > data_end)
		return XDP_PASS;
	__builtin_memcpy(l2hdr, data, sizeof(l2hdr));
	etype = l2 == sizeof(struct ethhdr) ? (__be16 *)(l2hdr + 12)
					    : (__be16 *)(l2hdr + 16);
	*etype = bpf_htons(inner_proto == IPPROTO_IPIP ? ETH_P_IP : ETH_P_IPV6);
	if (bpf_xdp_adjust_head(ctx, (int)olen))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + sizeof(l2hdr) > data_end)
		return XDP_DROP;
#pragma unroll
	for (i = 0; i < sizeof(l2hdr); i++)
		if (i < l2)
			((__u8 *)data)[i] = l2hdr[i];
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
