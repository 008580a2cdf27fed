// SPDX-License-Identifier: GPL-2.0
/* Health checks through the tunnel: TC egress on the LB node's uplink puts
 * the packets of nlb-hc's tunneled probes (their socket mark names a
 * backend in hc_tunnels) into the same IPIP tunnel the forwarder uses for
 * data, so that a probe addressed to the VIP proves the backend's
 * decapsulation and VIP binding. Every other packet leaves untouched. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "nlb/abi.h"
#include "nlb/flow_hash.h"
#include "nlb/hc_tunnel.h"
#include "nlb_consts.h"
#include "lib/ipip.h"
#include "lib/parse.h"

/* Marks of tunneled probes: (mark & mark_mask) == mark_value. Set by the
 * loader, so that other users of socket marks on the node are left alone
 * without a map lookup. */
const volatile __u32 mark_value = 0;
const volatile __u32 mark_mask = 0;

/* Socket mark of a probe -> its backend and the node's address toward it;
 * written by nlb-hc only. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct nlb_hc_tunnel);
	__uint(max_entries, NLB_HC_TUNNEL_MAX);
} hc_tunnels SEC(".maps");

SEC("tc")
int nlb_hc_tunnel(struct __sk_buff *skb)
{
	const struct nlb_hc_tunnel *t;
	struct nlb_pkt p = {};
	void *data, *data_end;
	__u32 mark = skb->mark, h, olen, flags;
	__be16 proto;
	int inner_v4, l3, rc;

	if (!mark || (mark & mark_mask) != mark_value)
		return TC_ACT_OK;
	t = bpf_map_lookup_elem(&hc_tunnels, &mark);
	if (!t)
		return TC_ACT_OK;
	/* From here on the packet is a tunneled probe: one that cannot be
	 * encapsulated is dropped, since sent plainly to the VIP it would
	 * prove nothing about this backend. Probes are small: linearize. */
	if (bpf_skb_pull_data(skb, 0))
		return TC_ACT_SHOT;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	l3 = nlb_parse_l2(data, data_end, &proto);
	/* a VLAN tag in the frame: attach to the VLAN device instead */
	if (l3 != sizeof(struct ethhdr))
		return TC_ACT_SHOT;
	p.len = skb->len;
	p.l3_off = l3;
	if (proto == bpf_htons(ETH_P_IP)) {
		inner_v4 = 1;
		rc = nlb_parse_ipv4(data, data_end, &p);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		inner_v4 = 0;
		rc = nlb_parse_ipv6(data, data_end, &p);
	} else {
		return TC_ACT_SHOT;
	}
	if (rc != NLB_P_OK || p.frag)
		return TC_ACT_SHOT;
	/* no IPv6 in IPv4, as in the forwarder */
	if (!inner_v4 && t->family != NLB_FAMILY_V6)
		return TC_ACT_SHOT;

	h = inner_v4 ? nlb_flow_hash_v4(p.t.saddr[0], p.t.daddr[0], p.t.sport,
					p.t.dport, p.t.proto)
		     : nlb_flow_hash_v6(p.t.saddr, p.t.daddr, p.t.sport,
					p.t.dport, p.t.proto);
	if (t->family == NLB_FAMILY_V4) {
		olen = sizeof(struct iphdr);
		flags = BPF_F_ADJ_ROOM_ENCAP_L3_IPV4;
	} else {
		olen = sizeof(struct ipv6hdr);
		flags = BPF_F_ADJ_ROOM_ENCAP_L3_IPV6;
	}
	if (bpf_skb_adjust_room(skb, olen, BPF_ADJ_ROOM_MAC, flags))
		return TC_ACT_SHOT;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	if (t->family == NLB_FAMILY_V4) {
		struct ethhdr *eth = data;
		struct iphdr *o = (void *)(eth + 1);

		if ((void *)(o + 1) > data_end)
			return TC_ACT_SHOT;
		eth->h_proto = bpf_htons(ETH_P_IP);
		nlb_ipip_v4(o, p.tos, p.df, NLB_DEFAULT_TTL, p.l3_len, 1,
			    t->src[0], t->dst[0]);
	} else {
		struct ethhdr *eth = data;
		struct ipv6hdr *o = (void *)(eth + 1);

		if ((void *)(o + 1) > data_end)
			return TC_ACT_SHOT;
		eth->h_proto = bpf_htons(ETH_P_IPV6);
		nlb_ipip_v6(o, p.tos, h, NLB_DEFAULT_TTL, p.l3_len, inner_v4,
			    t->src, t->dst);
	}
	/* The backend's next hop need not be the VIP's, whose MACs the
	 * frame carries: the kernel routes the outer header again (out of
	 * this interface) and resolves the neighbour. bpf_fib_lookup would
	 * save that pass but needs forwarding on, which an LB node need not
	 * have. The redirected frame passes this hook again: unmarked. */
	skb->mark = 0;
	return bpf_redirect_neigh(skb->ifindex, NULL, 0, 0);
}

char LICENSE[] SEC("license") = "GPL";
