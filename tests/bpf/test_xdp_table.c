// SPDX-License-Identifier: GPL-2.0
/* The forwarder's behaviour as a fixture table: one row per case, each with
 * its input frame, its verdict, the exact frame that must come out and the
 * counters that must go up (and no others). */
#include <netinet/in.h>
#include <string.h>
#include "world.h"

enum out_kind {
	OUT_SAME, /* the frame untouched (XDP_PASS) */
	OUT_ENCAP, /* encapsulated toward .backend */
	OUT_ECHO, /* turned into an echo reply */
	OUT_NONE, /* dropped: output not compared */
};

struct row {
	const char *name;
	struct pkt_spec in;
	__u32 verdict;
	enum out_kind out;
	const char *backend;
	__u32 cnt;
};

#define ICMP6_PTB 2
#define NH_HOP IPPROTO_HOPOPTS
#define NH_DST IPPROTO_DSTOPTS
#define NH_RT IPPROTO_ROUTING

static const struct pkt_spec q_tcp4 = {
	.src = VIP4, .dst = CLIENT1, .sport = 80, .dport = 40000};
static const struct pkt_spec q_tcp4_other = {
	.src = NOT_VIP4, .dst = CLIENT1, .sport = 80, .dport = 40000};
static const struct pkt_spec q_tcp6 = {
	.src = VIP6, .dst = CLIENT6, .sport = 443, .dport = 40000};
static const struct pkt_spec q_icmp4 = {
	.src = VIP4, .dst = CLIENT1, .proto = IPPROTO_ICMP, .icmp_type = 0};

static const struct row rows[] = {
	/* forwarding, every encapsulation */
	{"tcp4_to_vip",
	 {.src = CLIENT1,
	  .dst = VIP4,
	  .sport = 40000,
	  .dport = 80,
	  .payload = 32},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND1,
	 CNT(TX)},
	{"udp4_to_vip",
	 {.src = CLIENT1,
	  .dst = VIP4,
	  .proto = IPPROTO_UDP,
	  .sport = 5353,
	  .dport = 53,
	  .payload = 20},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND2,
	 CNT(TX)},
	{"tcp4_dscp_ecn_df",
	 {.src = CLIENT1,
	  .dst = VIP4,
	  .sport = 40001,
	  .dport = 80,
	  .tos = 0xb9,
	  .df = true},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND1,
	 CNT(TX)},
	{"tcp4_ip_options",
	 {.src = CLIENT1,
	  .dst = VIP4,
	  .sport = 40002,
	  .dport = 80,
	  .ip_opts = 8,
	  .payload = 4},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND1,
	 CNT(TX)},
	{"tcp4_vlan_kept",
	 {.src = CLIENT1,
	  .dst = VIP4,
	  .sport = 40003,
	  .dport = 80,
	  .vlan = 0x2064},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND1,
	 CNT(TX)},
	{"tcp4_qinq_tag_kept",
	 {.src = CLIENT1,
	  .dst = VIP4,
	  .sport = 40004,
	  .dport = 80,
	  .vlan = 7,
	  .qinq = true},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND1,
	 CNT(TX)},
	{"tcp4_all_ports_vip",
	 {.src = CLIENT1, .dst = VIP4_ALLPORTS, .sport = 40000, .dport = 2222},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND3,
	 CNT(TX)},
	{"tcp4_in_ipv6",
	 {.src = CLIENT1,
	  .dst = VIP4,
	  .sport = 40000,
	  .dport = 443,
	  .tos = 0x28,
	  .payload = 8},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND6_1,
	 CNT(TX)},
	{"tcp6_to_vip",
	 {.src = CLIENT6,
	  .dst = VIP6,
	  .sport = 40000,
	  .dport = 443,
	  .tos = 0x2e,
	  .payload = 32},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND6_1,
	 CNT(TX)},
	{"udp6_to_vip",
	 {.src = CLIENT6,
	  .dst = VIP6,
	  .proto = IPPROTO_UDP,
	  .sport = 5353,
	  .dport = 53,
	  .payload = 11},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND6_2,
	 CNT(TX)},
	{"tcp6_vlan",
	 {.src = CLIENT6,
	  .dst = VIP6,
	  .sport = 40001,
	  .dport = 443,
	  .vlan = 12},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND6_1,
	 CNT(TX)},
	{"tcp6_ext_headers",
	 {.src = CLIENT6,
	  .dst = VIP6,
	  .sport = 40002,
	  .dport = 443,
	  .n_ext = 3,
	  .ext = {NH_HOP, NH_RT, NH_DST}},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND6_1,
	 CNT(TX)},
	{"tcp6_max_ext_headers",
	 {.src = CLIENT6,
	  .dst = VIP6,
	  .sport = 40003,
	  .dport = 443,
	  .n_ext = 4,
	  .ext = {NH_HOP, NH_DST, NH_RT, NH_DST}},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND6_1,
	 CNT(TX)},

	/* not ours: untouched */
	{"tcp4_not_vip",
	 {.src = CLIENT1, .dst = NOT_VIP4, .sport = 40000, .dport = 80},
	 XDP_PASS,
	 OUT_SAME,
	 NULL,
	 CNT(PASS)},
	{"tcp4_vip_other_port",
	 {.src = CLIENT1, .dst = VIP4, .sport = 40000, .dport = 22},
	 XDP_PASS,
	 OUT_SAME,
	 NULL,
	 CNT(PASS)},
	{"udp4_all_ports_vip_is_tcp_only",
	 {.src = CLIENT1,
	  .dst = VIP4_ALLPORTS,
	  .proto = IPPROTO_UDP,
	  .sport = 1,
	  .dport = 2},
	 XDP_PASS,
	 OUT_SAME,
	 NULL,
	 CNT(PASS)},
	{"tcp6_not_vip",
	 {.src = CLIENT6, .dst = NOT_VIP6, .sport = 40000, .dport = 443},
	 XDP_PASS,
	 OUT_SAME,
	 NULL,
	 CNT(PASS)},
	{"gre4_to_vip_addr",
	 {.src = CLIENT1, .dst = VIP4, .proto = 47, .payload = 12},
	 XDP_PASS,
	 OUT_SAME,
	 NULL,
	 CNT(PASS)},
	{"echo4_not_vip",
	 {.src = CLIENT1,
	  .dst = NOT_VIP4,
	  .proto = IPPROTO_ICMP,
	  .icmp_type = 8},
	 XDP_PASS,
	 OUT_SAME,
	 NULL,
	 CNT(PASS)},

	/* no backend to take it */
	{"vip_without_backends",
	 {.src = CLIENT1, .dst = VIP4_EMPTY, .sport = 40000, .dport = 80},
	 XDP_DROP,
	 OUT_NONE,
	 NULL,
	 CNT(DROP_NO_BACKEND)},
	{"ipv6_vip_ipv4_backend",
	 {.src = CLIENT6, .dst = VIP6_V4BE, .sport = 40000, .dport = 80},
	 XDP_DROP,
	 OUT_NONE,
	 NULL,
	 CNT(DROP_FAMILY)},

	/* ICMP */
	{"echo4_to_vip",
	 {.src = CLIENT1,
	  .dst = VIP4,
	  .proto = IPPROTO_ICMP,
	  .icmp_type = 8,
	  .payload = 56},
	 XDP_TX,
	 OUT_ECHO,
	 NULL,
	 CNT(ICMP_ECHO_REPLY)},
	{"echo4_to_vip_options_vlan",
	 {.src = CLIENT1,
	  .dst = VIP4_EMPTY,
	  .proto = IPPROTO_ICMP,
	  .vlan = 5,
	  .ip_opts = 4,
	  .icmp_type = 8,
	  .payload = 9},
	 XDP_TX,
	 OUT_ECHO,
	 NULL,
	 CNT(ICMP_ECHO_REPLY)},
	{"echo6_to_vip",
	 {.src = CLIENT6,
	  .dst = VIP6,
	  .proto = IPPROTO_ICMPV6,
	  .icmp_type = 128,
	  .payload = 56},
	 XDP_TX,
	 OUT_ECHO,
	 NULL,
	 CNT(ICMP_ECHO_REPLY)},
	{"icmp4_timestamp_to_vip",
	 {.src = CLIENT1,
	  .dst = VIP4,
	  .proto = IPPROTO_ICMP,
	  .icmp_type = 13,
	  .payload = 12},
	 XDP_DROP,
	 OUT_NONE,
	 NULL,
	 CNT(DROP_ICMP_UNSUPP)},
	{"icmp4_port_unreach_to_vip",
	 {.src = ROUTER,
	  .dst = VIP4,
	  .proto = IPPROTO_ICMP,
	  .icmp_type = 3,
	  .icmp_code = 3,
	  .quote = &q_tcp4},
	 XDP_DROP,
	 OUT_NONE,
	 NULL,
	 CNT(DROP_ICMP_UNSUPP)},
	{"echo_reply4_to_vip",
	 {.src = CLIENT1, .dst = VIP4, .proto = IPPROTO_ICMP, .icmp_type = 0},
	 XDP_DROP,
	 OUT_NONE,
	 NULL,
	 CNT(DROP_ICMP_UNSUPP)},
	{"frag_needed4_to_flow_backend",
	 {.src = ROUTER,
	  .dst = VIP4,
	  .proto = IPPROTO_ICMP,
	  .icmp_type = 3,
	  .icmp_code = 4,
	  .quote = &q_tcp4},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND1,
	 CNT(TX) | CNT(ICMP_ERR_FWD)},
	{"frag_needed4_quoting_icmp",
	 {.src = ROUTER,
	  .dst = VIP4,
	  .proto = IPPROTO_ICMP,
	  .icmp_type = 3,
	  .icmp_code = 4,
	  .quote = &q_icmp4},
	 XDP_DROP,
	 OUT_NONE,
	 NULL,
	 CNT(DROP_ICMP_UNSUPP)},
	{"frag_needed4_not_ours",
	 {.src = ROUTER,
	  .dst = NOT_VIP4,
	  .proto = IPPROTO_ICMP,
	  .icmp_type = 3,
	  .icmp_code = 4,
	  .quote = &q_tcp4_other},
	 XDP_PASS,
	 OUT_SAME,
	 NULL,
	 CNT(PASS)},
	{"packet_too_big6_to_flow_backend",
	 {.src = ROUTER6,
	  .dst = VIP6,
	  .proto = IPPROTO_ICMPV6,
	  .icmp_type = ICMP6_PTB,
	  .quote = &q_tcp6},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND6_1,
	 CNT(TX) | CNT(ICMP_ERR_FWD)},
	{"icmp6_dest_unreach_to_vip",
	 {.src = ROUTER6,
	  .dst = VIP6,
	  .proto = IPPROTO_ICMPV6,
	  .icmp_type = 1,
	  .quote = &q_tcp6},
	 XDP_DROP,
	 OUT_NONE,
	 NULL,
	 CNT(DROP_ICMP_UNSUPP)},

	/* fragments: (saddr, daddr, proto) of the datagram, FRAG VIP */
	{"frag4_first",
	 {.src = CLIENT1,
	  .dst = VIP4,
	  .proto = IPPROTO_UDP,
	  .sport = 5353,
	  .dport = 53,
	  .mf = true,
	  .payload = 64},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND2,
	 CNT(TX) | CNT(FRAGMENT)},
	{"frag4_non_first",
	 {.src = CLIENT1,
	  .dst = VIP4,
	  .proto = IPPROTO_UDP,
	  .frag_off = 9,
	  .payload = 40},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND2,
	 CNT(TX) | CNT(FRAGMENT)},
	{"frag4_last_tcp",
	 {.src = CLIENT1, .dst = VIP4, .frag_off = 100, .payload = 3},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND1,
	 CNT(TX) | CNT(FRAGMENT)},
	{"frag4_no_frag_vip",
	 {.src = CLIENT1, .dst = VIP4_ALLPORTS, .frag_off = 3, .payload = 8},
	 XDP_DROP,
	 OUT_NONE,
	 NULL,
	 CNT(DROP_FRAG_NO_VIP)},
	{"frag4_not_vip",
	 {.src = CLIENT1,
	  .dst = NOT_VIP4,
	  .mf = true,
	  .sport = 1,
	  .dport = 2,
	  .payload = 8},
	 XDP_PASS,
	 OUT_SAME,
	 NULL,
	 CNT(PASS)},
	{"frag6_first",
	 {.src = CLIENT6,
	  .dst = VIP6,
	  .proto = IPPROTO_UDP,
	  .sport = 5353,
	  .dport = 53,
	  .v6_frag = true,
	  .mf = true,
	  .payload = 64},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND6_2,
	 CNT(TX) | CNT(FRAGMENT)},
	{"frag6_non_first_after_ext",
	 {.src = CLIENT6,
	  .dst = VIP6,
	  .proto = IPPROTO_UDP,
	  .v6_frag = true,
	  .frag_off = 20,
	  .n_ext = 1,
	  .ext = {NH_HOP},
	  .payload = 16},
	 XDP_TX,
	 OUT_ENCAP,
	 BACKEND6_2,
	 CNT(TX) | CNT(FRAGMENT)},
	{"frag6_no_frag_vip",
	 {.src = CLIENT6,
	  .dst = VIP6,
	  .v6_frag = true,
	  .frag_off = 2,
	  .payload = 8},
	 XDP_DROP,
	 OUT_NONE,
	 NULL,
	 CNT(DROP_FRAG_NO_VIP)},
};

static void run_rows(struct nlbt *t, struct xdpfix *f)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct pkt in, want;
		bool cmp = true;

		if (!nlbt_sub_begin(t, "%s", r->name))
			continue;
		if (!CHECK(t, pkt_build(&in, &r->in) == 0, "bad spec")) {
			nlbt_sub_end(t);
			continue;
		}
		switch (r->out) {
		case OUT_SAME:
			want = in;
			break;
		case OUT_ENCAP:
			cmp = CHECK(t,
				    world_encap(&want, &in, &r->in,
						r->backend) == 0,
				    "expected frame");
			break;
		case OUT_ECHO:
			cmp = CHECK(t, pkt_echo_reply(&want, &in) == 0,
				    "expected frame");
			break;
		case OUT_NONE:
			break;
		}
		if (cmp)
			xdpfix_expect(t, f, &in, r->verdict,
				      r->out == OUT_NONE ? NULL : &want,
				      r->cnt);
		nlbt_sub_end(t);
	}
}

NLB_TEST(forwarder_table)
{
	struct xdpfix f;
	int err;

	err = xdpfix_open(&f);
	REQUIRE(t, err == 0, "load forwarder: %d", err);
	err = world_setup(&f);
	if (CHECK(t, err == 0, "world: %d", err))
		run_rows(t, &f);
	xdpfix_close(&f);
}

/* The builder and the program could share a mistake; this frame is written
 * out by hand: 198.51.100.1:40000 -> 192.0.2.10:80, a bare ACK, no
 * payload, encapsulated to 10.1.0.11 from 10.200.0.0/32 with TTL 9. */
NLB_TEST(golden_ipv4_in_ipv4)
{
	static const uint8_t want[] = {
		/* ethernet: nexthop <- src MAC, IPv4 */
		0x02,
		0,
		0,
		0,
		0,
		0x03,
		0x02,
		0,
		0,
		0,
		0,
		0x04,
		0x08,
		0x00,
		/* outer: 45 00, len 60, id 0, no DF, ttl 9, proto 4 */
		0x45,
		0x00,
		0x00,
		0x3c,
		0x00,
		0x00,
		0x00,
		0x00,
		0x09,
		0x04,
		0x00,
		0x00, /* checksum, patched below */
		10,
		200,
		0,
		0,
		10,
		1,
		0,
		11,
		/* inner IPv4 as built: 45 00, len 40, id 1234, ttl 64, tcp */
		0x45,
		0x00,
		0x00,
		0x28,
		0x12,
		0x34,
		0x00,
		0x00,
		0x40,
		0x06,
		0x00,
		0x00,
		198,
		51,
		100,
		1,
		192,
		0,
		2,
		10,
		/* tcp 40000 -> 80, seq 1, ack 0, doff 5, ACK, win 65535 */
		0x9c,
		0x40,
		0x00,
		0x50,
		0,
		0,
		0,
		1,
		0,
		0,
		0,
		0,
		0x50,
		0x10,
		0xff,
		0xff,
		0x00,
		0x00,
		0x00,
		0x00,
	};
	struct pkt_spec s = {
		.src = CLIENT1, .dst = VIP4, .sport = 40000, .dport = 80};
	struct nlb_config c = {
		.abi_version = NLB_ABI_VERSION, .ttl = 9, .src_v4_plen = 32};
	struct pkt in, exp;
	struct xdpfix f;
	uint32_t a[4];
	int err;

	err = xdpfix_open(&f);
	REQUIRE(t, err == 0, "load forwarder: %d", err);
	memcpy(c.nexthop_mac, MAC_NEXTHOP, 6);
	memcpy(c.src_mac, MAC_SRC, 6);
	pkt_addr("10.200.0.0", a);
	c.src_v4 = a[0];
	err = world_setup(&f);
	if (CHECK(t, err == 0, "world: %d", err))
		err = xdpfix_config(&f, &c);
	if (CHECK(t, err == 0, "config: %d", err) &&
	    CHECK(t, pkt_build(&in, &s) == 0, "build")) {
		memcpy(exp.b, want, sizeof(want));
		exp.len = sizeof(want);
		/* the inner checksums as the builder made them */
		memcpy(exp.b + 34 + 10, in.b + 14 + 10, 2);
		memcpy(exp.b + 34 + 20 + 16, in.b + 14 + 20 + 16, 2);
		/* ~(4500+003c+0000+0000+0904+0ac8+0000+0a01+000b) */
		exp.b[24] = 0x9c;
		exp.b[25] = 0xeb;
		CHECK(t, in.len + 20 == sizeof(want), "input length %zu",
		      in.len);
		xdpfix_expect(t, &f, &in, XDP_TX, &exp, CNT(TX));
	}
	xdpfix_close(&f);
}
