// SPDX-License-Identifier: GPL-2.0
/* The TC egress program of health checks through the tunnel: a marked probe
 * is encapsulated exactly as the forwarder does (outer header, checksum,
 * flow label) and redirected for the kernel to route to the backend,
 * unmarked; unmarked traffic and other marks pass untouched; a marked probe
 * that cannot be encapsulated is dropped. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "nlb/abi.h"
#include "nlb/flow_hash.h"
#include "nlb/hc_tunnel.h"
#include "nlbtest.h"
#include "pkt.h"
#include "nlb_hc_tunnel.skel.h"

#define NODE4 "10.1.0.1"
#define NODE6 "2001:db8:b::1"
#define MARK 0x4e480000u
#define MASK 0xffff0000u

/* The tunnels of the map, by the low bits of their marks. */
enum { T_BE1 = 1, T_BE6 };
static const struct {
	__u32 idx;
	const char *src, *dst;
} tunnels[] = {
	{T_BE1, NODE4, BACKEND1},
	{T_BE6, NODE6, BACKEND6_1},
};

enum mangle { M_NONE, M_TOT_LEN, M_ARP };

struct tcase {
	const char *name;
	struct pkt_spec in;
	__u32 mark;
	enum mangle mangle;
	__u32 verdict;
	/* the expected frame: NULL dst = the input untouched */
	const char *outer_src, *outer_dst;
};

#define TCP4(...)                                                       \
	{                                                               \
		.src = NODE4, .dst = VIP4, .sport = 40001, .dport = 80, \
		.payload = 24, __VA_ARGS__                              \
	}
#define TCP6(...)                                                        \
	{                                                                \
		.src = NODE6, .dst = VIP6, .sport = 40002, .dport = 443, \
		.payload = 9, __VA_ARGS__                                \
	}

static const struct tcase cases[] = {
	{"unmarked_untouched", TCP4(), 0, M_NONE, TC_ACT_OK},
	{"other_mark_untouched", TCP4(), 0x1, M_NONE, TC_ACT_OK},
	{"unknown_mark_untouched", TCP4(), MARK | 0xfff0, M_NONE, TC_ACT_OK},
	{"ipv4_in_ipv4", TCP4(.tos = 0x2e, .df = true), MARK | T_BE1, M_NONE,
	 TC_ACT_REDIRECT, NODE4, BACKEND1},
	{"ipv4_in_ipv4_no_df", TCP4(), MARK | T_BE1, M_NONE, TC_ACT_REDIRECT,
	 NODE4, BACKEND1},
	{"icmp_echo_in_ipv4",
	 {.src = NODE4,
	  .dst = VIP4,
	  .proto = IPPROTO_ICMP,
	  .icmp_type = 8,
	  .payload = 16},
	 MARK | T_BE1,
	 M_NONE,
	 TC_ACT_REDIRECT,
	 NODE4,
	 BACKEND1},
	{"ipv6_in_ipv6", TCP6(.tos = 0xb8), MARK | T_BE6, M_NONE,
	 TC_ACT_REDIRECT, NODE6, BACKEND6_1},
	{"icmpv6_echo_in_ipv6",
	 {.src = NODE6,
	  .dst = VIP6,
	  .proto = IPPROTO_ICMPV6,
	  .icmp_type = 128,
	  .payload = 16},
	 MARK | T_BE6,
	 M_NONE,
	 TC_ACT_REDIRECT,
	 NODE6,
	 BACKEND6_1},
	{"ipv4_in_ipv6", TCP4(.df = true), MARK | T_BE6, M_NONE,
	 TC_ACT_REDIRECT, NODE6, BACKEND6_1},
	{"ipv6_to_ipv4_backend_dropped", TCP6(), MARK | T_BE1, M_NONE,
	 TC_ACT_SHOT},
	{"fragment_dropped", TCP4(.mf = true), MARK | T_BE1, M_NONE,
	 TC_ACT_SHOT},
	{"vlan_dropped", TCP4(.vlan = 7), MARK | T_BE1, M_NONE, TC_ACT_SHOT},
	{"truncated_dropped", TCP4(), MARK | T_BE1, M_TOT_LEN, TC_ACT_SHOT},
	{"not_ip_dropped", TCP4(), MARK | T_BE1, M_ARP, TC_ACT_SHOT},
	{"not_ip_unmarked_untouched", TCP4(), 0, M_ARP, TC_ACT_OK},
};

static int fill(struct nlbt *t, struct nlb_hc_tunnel_bpf *s)
{
	for (size_t i = 0; i < sizeof(tunnels) / sizeof(tunnels[0]); i++) {
		struct nlb_hc_tunnel v = {0};
		__u32 mark = MARK | tunnels[i].idx;
		int fam = pkt_addr(tunnels[i].dst, v.dst);

		pkt_addr(tunnels[i].src, v.src);
		v.family = fam == 4 ? NLB_FAMILY_V4 : NLB_FAMILY_V6;
		if (!CHECK(t,
			   bpf_map__update_elem(s->maps.hc_tunnels, &mark,
						sizeof(mark), &v, sizeof(v),
						BPF_ANY) == 0,
			   "tunnel %u: %d", tunnels[i].idx, -errno))
			return -1;
	}
	return 0;
}

/* The forwarder's flow hash of the inner packet (ports 0 unless TCP/UDP):
 * the IPv6 outer's flow label. */
static __u32 inner_hash(const struct pkt_spec *s)
{
	uint32_t sa[4], da[4];
	__u16 sp = 0, dp = 0;
	__u8 proto = s->proto ? s->proto : IPPROTO_TCP;

	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		sp = htons(s->sport);
		dp = htons(s->dport);
	}
	if (pkt_addr(s->src, sa) == 4) {
		pkt_addr(s->dst, da);
		return nlb_flow_hash_v4(sa[0], da[0], sp, dp, proto);
	}
	pkt_addr(s->dst, da);
	return nlb_flow_hash_v6(sa, da, sp, dp, proto);
}

static void check_case(struct nlbt *t, int fd, const struct tcase *c)
{
	struct __sk_buff ctx = {.mark = c->mark};
	struct __sk_buff ctx_out = {0};
	struct pkt in, want, out;
	struct pkt_outer o = {.src = c->outer_src,
			      .dst = c->outer_dst,
			      .ttl = 64,
			      /* the kernel puts the next hop's in later */
			      .dmac = MAC_LB,
			      .smac = MAC_ROUTER};
	LIBBPF_OPTS(bpf_test_run_opts, r, .data_in = in.b, .data_out = out.b,
		    .data_size_out = sizeof(out.b), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .ctx_out = &ctx_out,
		    .ctx_size_out = sizeof(ctx_out), .repeat = 1);

	if (!CHECK(t, pkt_build(&in, &c->in) == 0, "build"))
		return;
	if (c->mangle == M_TOT_LEN)
		in.b[in.l3 + 2] += 1; /* 256 bytes more than the frame */
	if (c->mangle == M_ARP) {
		in.b[12] = 0x08;
		in.b[13] = 0x06;
	}
	want = in;
	o.flow_label = inner_hash(&c->in) & 0xfffff;
	if (c->outer_dst &&
	    !CHECK(t, pkt_encap(&want, &in, &o) == 0, "expected frame"))
		return;
	r.data_size_in = (__u32)in.len;
	if (!CHECK(t, bpf_prog_test_run_opts(fd, &r) == 0, "test_run: %d",
		   -errno))
		return;
	out.len = r.data_size_out;
	CHECK(t, r.retval == c->verdict, "verdict %u, want %u", r.retval,
	      c->verdict);
	if (c->verdict == TC_ACT_REDIRECT)
		CHECK(t, ctx_out.mark == 0, "mark 0x%x left on a redirect",
		      ctx_out.mark);
	else
		CHECK(t, ctx_out.mark == c->mark, "mark 0x%x, want 0x%x",
		      ctx_out.mark, c->mark);
	if (c->verdict == TC_ACT_SHOT)
		return; /* the frame is gone: its bytes do not matter */
	if (out.len != want.len || memcmp(out.b, want.b, want.len)) {
		char diff[8192];

		pkt_diff(diff, sizeof(diff), out.b, out.len, want.b, want.len);
		CHECK(t, false, "output differs: %s", diff);
	}
}

NLB_TEST(hc_tunnel)
{
	struct nlb_hc_tunnel_bpf *s;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd;

	s = nlb_hc_tunnel_bpf__open();
	REQUIRE(t, s, "open: %d", -errno);
	s->rodata->mark_value = MARK;
	s->rodata->mark_mask = MASK;
	if (!CHECK(t, nlb_hc_tunnel_bpf__load(s) == 0, "verifier refused"))
		goto out;
	fd = bpf_program__fd(s->progs.nlb_hc_tunnel);
	if (CHECK(t, bpf_obj_get_info_by_fd(fd, &info, &len) == 0, "info"))
		printf("  insns nlb_hc_tunnel: xlated %u verified %u\n",
		       info.xlated_prog_len / 8, info.verified_insns);
	if (fill(t, s))
		goto out;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!nlbt_sub_begin(t, "%s", cases[i].name))
			continue;
		check_case(t, fd, &cases[i]);
		nlbt_sub_end(t);
	}
out:
	nlb_hc_tunnel_bpf__destroy(s);
}
