// SPDX-License-Identifier: GPL-2.0
/* Malformed input: frames cut at every header boundary (and every byte in
 * between), length fields that lie, bad IHL and versions. Junk for a VIP
 * address is dropped and counted; junk for anyone else passes untouched,
 * for the kernel to judge; and a VIP packet is never forwarded half-read. */
#include <netinet/in.h>
#include <string.h>
#include "world.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Rewrites the IPv4 header checksum after a mutation. */
static void fix_ip4(struct pkt *p)
{
	uint8_t *ip = p->b + p->l3;
	uint16_t c;

	memset(ip + 10, 0, 2);
	c = pkt_csum(ip,
		     (size_t)(ip[0] & 0xf) * 4 < 20 ? 20
						    : (size_t)(ip[0] & 0xf) * 4,
		     0);
	memcpy(ip + 10, &c, 2);
}

/* The IP length fields made to agree with a frame cut to len bytes, so
 * that the cut shows up as a short L4 or extension header, not a lie. */
static void cut_consistent(struct pkt *p, size_t len)
{
	uint8_t *ip = p->b + p->l3;

	p->len = len;
	if (len < p->l3 + (ip[0] >> 4 == 4 ? 20 : 40))
		return;
	if (ip[0] >> 4 == 4) {
		put16(ip + 2, (uint16_t)(len - p->l3));
		fix_ip4(p);
	} else {
		put16(ip + 4, (uint16_t)(len - p->l3 - 40));
	}
}

struct cut_case {
	const char *name;
	struct pkt_spec s;
	bool vip; /* destination is a VIP address */
	size_t spare; /* trailing bytes the forwarder needs not read */
};

static const struct cut_case cuts[] = {
	{"tcp4", {.src = CLIENT1, .dst = VIP4, .sport = 1, .dport = 80}, true},
	{"tcp4_vlan_options",
	 {.src = CLIENT1,
	  .dst = VIP4,
	  .sport = 1,
	  .dport = 80,
	  .vlan = 3,
	  .ip_opts = 12},
	 true},
	{"udp4",
	 {.src = CLIENT1,
	  .dst = VIP4,
	  .proto = IPPROTO_UDP,
	  .sport = 1,
	  .dport = 53},
	 true},
	{"icmp4_frag_needed",
	 {.src = ROUTER,
	  .dst = VIP4,
	  .proto = IPPROTO_ICMP,
	  .icmp_type = 3,
	  .icmp_code = 4,
	  .quote = &(const struct pkt_spec){.src = VIP4,
					    .dst = CLIENT1,
					    .sport = 80,
					    .dport = 1}},
	 true,
	 4 /* of the quoted 8 L4 bytes, only the ports count */},
	{"tcp6_ext",
	 {.src = CLIENT6,
	  .dst = VIP6,
	  .sport = 1,
	  .dport = 443,
	  .n_ext = 2,
	  .ext = {IPPROTO_HOPOPTS, IPPROTO_DSTOPTS}},
	 true},
	{"icmp6_echo",
	 {.src = CLIENT6,
	  .dst = VIP6,
	  .proto = IPPROTO_ICMPV6,
	  .icmp_type = 128},
	 true},
	{"tcp4_not_vip",
	 {.src = CLIENT1, .dst = NOT_VIP4, .sport = 1, .dport = 80},
	 false},
	{"tcp6_not_vip",
	 {.src = CLIENT6,
	  .dst = NOT_VIP6,
	  .sport = 1,
	  .dport = 443,
	  .n_ext = 1,
	  .ext = {IPPROTO_ROUTING}},
	 false},
};

/* Every cut from the end of Ethernet to one byte short of the frame, the
 * lengths lying (raw) or made consistent. Below the destination address
 * nothing can be known: pass. Above: drop if it is a VIP address. */
static void run_cuts(struct nlbt *t, struct xdpfix *f, bool consistent)
{
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		const struct cut_case *c = &cuts[i];
		struct pkt full, in;
		size_t len, dst_end;

		if (!nlbt_sub_begin(t, "%s_%s", consistent ? "cut" : "lie",
				    c->name))
			continue;
		if (!CHECK(t, pkt_build(&full, &c->s) == 0, "build")) {
			nlbt_sub_end(t);
			continue;
		}
		dst_end = full.l3 + (full.b[full.l3] >> 4 == 4 ? 20 : 40);
		for (len = 14; len < full.len - c->spare; len++) {
			bool junk = len >= dst_end && c->vip;

			in = full;
			if (consistent)
				cut_consistent(&in, len);
			else
				in.len = len;
			if (!xdpfix_expect(
				    t, f, &in, junk ? XDP_DROP : XDP_PASS,
				    junk ? NULL : &in,
				    junk ? CNT(DROP_MALFORMED) : CNT(PASS))) {
				CHECK(t, false, "at %zu of %zu bytes", len,
				      full.len);
				break;
			}
		}
		nlbt_sub_end(t);
	}
}

struct mut_case {
	const char *name;
	struct pkt_spec s;
	void (*mut)(struct pkt *p);
	__u32 verdict;
	__u32 cnt;
};

static void ihl_4(struct pkt *p)
{
	p->b[p->l3] = 0x44;
	fix_ip4(p);
}

static void ihl_0(struct pkt *p)
{
	p->b[p->l3] = 0x40;
}

static void tot_len_long(struct pkt *p)
{
	put16(p->b + p->l3 + 2, (uint16_t)(p->len - p->l3 + 1));
	fix_ip4(p);
}

static void tot_len_short(struct pkt *p)
{
	put16(p->b + p->l3 + 2, 19);
	fix_ip4(p);
}

static void ihl_beyond_tot_len(struct pkt *p)
{
	p->b[p->l3] = 0x4f; /* 60-byte header in a 40-byte packet */
	fix_ip4(p);
}

static void version_6_in_ipv4(struct pkt *p)
{
	p->b[p->l3] = 0x65;
}

static void payload_len_long(struct pkt *p)
{
	put16(p->b + p->l3 + 4, (uint16_t)(p->len - p->l3 - 40 + 8));
}

static void version_4_in_ipv6(struct pkt *p)
{
	p->b[p->l3] = 0x40;
}

/* A hop-by-hop header claiming to run past the packet. */
static void ext_len_lies(struct pkt *p)
{
	p->b[p->l3 + 40 + 1] = 200;
}

static void padding(struct pkt *p)
{
	/* Ethernet pads short frames; the IP length is what counts */
	memset(p->b + p->len, 0, 6);
	p->len += 6;
}

static const struct mut_case muts[] = {
	{"ihl4_vip",
	 {.src = CLIENT1, .dst = VIP4, .sport = 1, .dport = 80},
	 ihl_4,
	 XDP_DROP,
	 CNT(DROP_MALFORMED)},
	{"ihl0_vip",
	 {.src = CLIENT1, .dst = VIP4, .sport = 1, .dport = 80},
	 ihl_0,
	 XDP_DROP,
	 CNT(DROP_MALFORMED)},
	{"ihl4_not_vip",
	 {.src = CLIENT1, .dst = NOT_VIP4, .sport = 1, .dport = 80},
	 ihl_4,
	 XDP_PASS,
	 CNT(PASS)},
	{"tot_len_past_frame",
	 {.src = CLIENT1, .dst = VIP4, .sport = 1, .dport = 80},
	 tot_len_long,
	 XDP_DROP,
	 CNT(DROP_MALFORMED)},
	{"tot_len_below_header",
	 {.src = CLIENT1, .dst = VIP4, .sport = 1, .dport = 80},
	 tot_len_short,
	 XDP_DROP,
	 CNT(DROP_MALFORMED)},
	{"ihl_past_tot_len",
	 {.src = CLIENT1, .dst = VIP4, .sport = 1, .dport = 80},
	 ihl_beyond_tot_len,
	 XDP_DROP,
	 CNT(DROP_MALFORMED)},
	{"version6_in_ipv4_frame",
	 {.src = CLIENT1, .dst = VIP4, .sport = 1, .dport = 80},
	 version_6_in_ipv4,
	 XDP_DROP,
	 CNT(DROP_MALFORMED)},
	{"payload_len_past_frame",
	 {.src = CLIENT6, .dst = VIP6, .sport = 1, .dport = 443},
	 payload_len_long,
	 XDP_DROP,
	 CNT(DROP_MALFORMED)},
	{"payload_len_past_frame_not_vip",
	 {.src = CLIENT6, .dst = NOT_VIP6, .sport = 1, .dport = 443},
	 payload_len_long,
	 XDP_PASS,
	 CNT(PASS)},
	{"version4_in_ipv6_frame",
	 {.src = CLIENT6, .dst = VIP6, .sport = 1, .dport = 443},
	 version_4_in_ipv6,
	 XDP_DROP,
	 CNT(DROP_MALFORMED)},
	{"ext_header_len_lies",
	 {.src = CLIENT6,
	  .dst = VIP6,
	  .sport = 1,
	  .dport = 443,
	  .n_ext = 1,
	  .ext = {IPPROTO_HOPOPTS}},
	 ext_len_lies,
	 XDP_DROP,
	 CNT(DROP_MALFORMED)},
	{"more_ext_headers_than_walked",
	 {.src = CLIENT6,
	  .dst = VIP6,
	  .sport = 1,
	  .dport = 443,
	  .n_ext = 4,
	  .v6_frag = true,
	  .ext = {IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
		  IPPROTO_DSTOPTS}},
	 NULL,
	 XDP_DROP,
	 CNT(DROP_MALFORMED)},
	{"ethernet_padding_forwarded",
	 {.src = CLIENT1, .dst = VIP4, .sport = 7, .dport = 80},
	 padding,
	 XDP_TX,
	 CNT(TX)},
};

static void run_muts(struct nlbt *t, struct xdpfix *f)
{
	for (size_t i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
		const struct mut_case *c = &muts[i];
		struct pkt in;

		if (!nlbt_sub_begin(t, "%s", c->name))
			continue;
		if (CHECK(t, pkt_build(&in, &c->s) == 0, "build")) {
			if (c->mut)
				c->mut(&in);
			xdpfix_expect(t, f, &in, c->verdict,
				      c->verdict == XDP_PASS ? &in : NULL,
				      c->cnt);
		}
		nlbt_sub_end(t);
	}
}

NLB_TEST(malformed)
{
	struct xdpfix f;
	int err;

	err = xdpfix_open(&f);
	REQUIRE(t, err == 0, "load forwarder: %d", err);
	err = world_setup(&f);
	if (CHECK(t, err == 0, "world: %d", err)) {
		run_cuts(t, &f, false);
		run_cuts(t, &f, true);
		run_muts(t, &f);
	}
	xdpfix_close(&f);
}

/* Frames the kernel refuses to run (shorter than Ethernet) are covered by
 * the parser's first check; BPF_PROG_TEST_RUN needs 14 bytes at least. */
NLB_TEST(non_ip_frames)
{
	struct pkt in = {.len = 60};
	struct xdpfix f;
	int err;

	err = xdpfix_open(&f);
	REQUIRE(t, err == 0, "load forwarder: %d", err);
	memcpy(in.b, MAC_LB, 6);
	memcpy(in.b + 6, MAC_ROUTER, 6);
	if (nlbt_sub_begin(t, "arp")) {
		put16(in.b + 12, 0x0806);
		xdpfix_expect(t, &f, &in, XDP_PASS, &in, CNT(PASS));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "double_tagged")) {
		/* one tag is walked; a second one is not ours to parse */
		put16(in.b + 12, 0x88a8);
		put16(in.b + 16, 0x8100);
		put16(in.b + 20, 0x0800);
		xdpfix_expect(t, &f, &in, XDP_PASS, &in, CNT(PASS));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "vlan_cut_in_tag")) {
		in.len = 16;
		put16(in.b + 12, 0x8100);
		xdpfix_expect(t, &f, &in, XDP_PASS, &in, CNT(PASS));
		nlbt_sub_end(t);
	}
	xdpfix_close(&f);
}
