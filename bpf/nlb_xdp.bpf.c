// SPDX-License-Identifier: GPL-2.0
/* The XDP forwarder: parse -> VIP lookup -> conntrack / select -> encap ->
 * verdict. docs/datapath.md describes the behaviour; the headers in lib/
 * hold one step each. Every path is specialised per address family at
 * compile time (the family is a constant argument), so that the IPv4 path
 * carries no IPv6 work and each map lookup site names one map. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "nlb/abi.h"
#include "nlb/flow_hash.h"
#include "nlb_consts.h"
#include "nlb_maps.h"
#include "lib/parse.h"
#include "lib/lookup.h"
#include "lib/conntrack.h"
#include "lib/select.h"
#include "lib/encap.h"
#include "lib/icmp.h"
#include "lib/stats.h"

static __always_inline int nlb_pass(void)
{
	nlb_count(NLB_CNT_PASS);
	return XDP_PASS;
}

static __always_inline int nlb_drop(__u32 reason)
{
	nlb_count(reason);
	return XDP_DROP;
}

/* Junk is dropped only when it is ours; the kernel judges the rest. */
static __always_inline int nlb_malformed(const struct nlb_pkt *p,
					 const int family)
{
	if (nlb_is_vip_addr(p->t.daddr, family))
		return nlb_drop(NLB_CNT_DROP_MALFORMED);
	return nlb_pass();
}

/* Conntrack, selection, encapsulation and the verdict for one packet of
 * VIP vip whose flow is p->t. what: NLB_CNT_FRAGMENT or NLB_CNT_ICMP_ERR_FWD
 * to count once it is sent, else NLB_CNT_MAX. An ICMP error riding along a
 * flow uses the flow's entry but never creates one. */
static __always_inline int nlb_forward(struct xdp_md *ctx, struct nlb_pkt *p,
				       const struct nlb_vip *vip,
				       const int family, __u32 what)
{
	struct nlb_flow_v4 f4 = {};
	struct nlb_flow_v6 f6 = {};
	struct nlb_backend *b = NULL;
	__u32 vip_id = vip->vip_id, id = 0, acct = NLB_ACCT_HIT, zero = 0;
	struct nlb_config *c;
	struct nlb_ct *ct;
	int fell_back = 0;
	__u32 h;

	if (family == NLB_FAMILY_V4) {
		nlb_flow_v4(&f4, &p->t);
		h = nlb_flow_hash_v4(f4.saddr, f4.daddr, f4.sport, f4.dport,
				     f4.proto);
		ct = bpf_map_lookup_elem(&ct_v4, &f4);
	} else {
		nlb_flow_v6(&f6, &p->t);
		h = nlb_flow_hash_v6(f6.saddr, f6.daddr, f6.sport, f6.dport,
				     f6.proto);
		ct = bpf_map_lookup_elem(&ct_v6, &f6);
	}
	if (ct) {
		id = ct->backend_id;
		b = nlb_ct_backend(ct, vip_id);
		if (!b)
			nlb_count(NLB_CNT_CT_REPICK);
	}
	if (!b) {
		b = nlb_select(vip, h, &id, &fell_back);
		if (!b)
			return nlb_drop(NLB_CNT_DROP_NO_BACKEND);
		if (fell_back)
			nlb_count(NLB_CNT_FALLBACK);
		acct = NLB_ACCT_MISS;
		if (what != NLB_CNT_ICMP_ERR_FWD) {
			struct nlb_ct nct = {.backend_id = id,
					     .backend_gen = b->gen};

			acct = NLB_ACCT_NEW;
			if (family == NLB_FAMILY_V4)
				bpf_map_update_elem(&ct_v4, &f4, &nct, BPF_ANY);
			else
				bpf_map_update_elem(&ct_v6, &f6, &nct, BPF_ANY);
		}
	}
	if (family == NLB_FAMILY_V6 && b->family != NLB_FAMILY_V6)
		return nlb_drop(NLB_CNT_DROP_FAMILY);
	c = bpf_map_lookup_elem(&config, &zero);
	if (!c)
		return nlb_drop(NLB_CNT_DROP_ENCAP);

	if (nlb_encap(ctx, p, b, c, h, family))
		return nlb_drop(NLB_CNT_DROP_ENCAP);
	nlb_vip_account(vip_id, p->len, acct);
	nlb_backend_account(id, p->len, acct);
	if (what != NLB_CNT_MAX)
		nlb_count(what);
	if (c->out_ifindex) {
		nlb_count(NLB_CNT_REDIRECT);
		return bpf_redirect(c->out_ifindex, 0);
	}
	nlb_count(NLB_CNT_TX);
	return XDP_TX;
}

/* ICMP to an address: echo replies, PMTU errors follow their flow, the
 * rest is dropped when it is for a VIP address. */
static __always_inline int nlb_icmp(struct xdp_md *ctx, struct nlb_pkt *p,
				    const int family)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 echo = family == NLB_FAMILY_V4 ? NLB_ICMP_ECHO_REQUEST
					    : NLB_ICMP6_ECHO_REQUEST;
	struct nlb_vip *vip;
	int rc;

	if (nlb_icmp_is_pmtu(p, family)) {
		rc = nlb_icmp_inner_flow(data, data_end, p, &p->t, family);
		if (rc == NLB_P_OK) {
			vip = nlb_vip_find(p->t.daddr, p->t.dport, p->t.proto,
					   family);
			if (vip)
				return nlb_forward(ctx, p, vip, family,
						   NLB_CNT_ICMP_ERR_FWD);
		}
		/* p->t may now hold the quote: judge by the outer header */
		if (family == NLB_FAMILY_V4) {
			struct iphdr *iph = data + p->l3_off;

			if ((void *)(iph + 1) > data_end)
				return XDP_DROP;
			p->t.daddr[0] = iph->daddr;
		} else {
			struct ipv6hdr *ip6h = data + p->l3_off;

			if ((void *)(ip6h + 1) > data_end)
				return XDP_DROP;
			__builtin_memcpy(p->t.daddr, &ip6h->daddr, 16);
		}
		if (!nlb_is_vip_addr(p->t.daddr, family))
			return nlb_pass();
		if (rc == NLB_P_BAD)
			return nlb_drop(NLB_CNT_DROP_MALFORMED);
		return nlb_drop(NLB_CNT_DROP_ICMP_UNSUPP);
	}
	if (!nlb_is_vip_addr(p->t.daddr, family))
		return nlb_pass();
	if (p->icmp_type != echo)
		return nlb_drop(NLB_CNT_DROP_ICMP_UNSUPP);
	if (nlb_icmp_echo_reply(data, data_end, p, family))
		return nlb_drop(NLB_CNT_DROP_MALFORMED);
	nlb_count(NLB_CNT_ICMP_ECHO_REPLY);
	return XDP_TX;
}

static __always_inline int nlb_l3(struct xdp_md *ctx, __u32 l3_off,
				  const int family)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 icmp = family == NLB_FAMILY_V4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct nlb_pkt p = {
		.len = data_end - data,
		.l3_off = l3_off,
	};
	struct nlb_vip *vip;
	int rc;

	if (family == NLB_FAMILY_V4)
		rc = nlb_parse_ipv4(data, data_end, &p);
	else
		rc = nlb_parse_ipv6(data, data_end, &p);
	if (rc == NLB_P_PASS)
		return nlb_pass();
	if (rc == NLB_P_BAD)
		return nlb_malformed(&p, family);

	if (p.frag) {
		/* every fragment of a datagram shares (saddr, daddr, proto) */
		vip = nlb_vip_get(p.t.daddr, 0, p.t.proto, NLB_VIP_KIND_FRAG,
				  family);
		if (!vip) {
			if (nlb_is_vip_addr(p.t.daddr, family))
				return nlb_drop(NLB_CNT_DROP_FRAG_NO_VIP);
			return nlb_pass();
		}
		return nlb_forward(ctx, &p, vip, family, NLB_CNT_FRAGMENT);
	}
	if (p.t.proto == IPPROTO_TCP || p.t.proto == IPPROTO_UDP) {
		vip = nlb_vip_find(p.t.daddr, p.t.dport, p.t.proto, family);
		if (!vip)
			return nlb_pass();
		return nlb_forward(ctx, &p, vip, family, NLB_CNT_MAX);
	}
	if (p.t.proto == icmp)
		return nlb_icmp(ctx, &p, family);
	return nlb_pass();
}

SEC("xdp")
int nlb_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__be16 proto;
	int l3_off;

	l3_off = nlb_parse_l2(data, data_end, &proto);
	if (l3_off < 0)
		return nlb_pass();
	if (proto == bpf_htons(ETH_P_IP))
		return nlb_l3(ctx, l3_off, NLB_FAMILY_V4);
	if (proto == bpf_htons(ETH_P_IPV6))
		return nlb_l3(ctx, l3_off, NLB_FAMILY_V6);
	return nlb_pass();
}

char _license[] SEC("license") = "GPL";
