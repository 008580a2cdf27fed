// SPDX-License-Identifier: GPL-2.0
/* The node's forwarding configuration as the data path applies it: next-hop
 * and source MACs, XDP_REDIRECT to an interface, outer TTL, and the outer
 * source prefix whose host bits vary per flow. */
#include <netinet/in.h>
#include <string.h>
#include "world.h"

static const struct pkt_spec flow4 = {.src = CLIENT1,
				      .dst = VIP4,
				      .sport = 41000,
				      .dport = 80,
				      .vlan = 9,
				      .payload = 5};
static const struct pkt_spec flow6 = {
	.src = CLIENT6, .dst = VIP6, .sport = 41000, .dport = 443};

static struct nlb_config base(void)
{
	struct nlb_config c = {.abi_version = NLB_ABI_VERSION};
	uint32_t a[4];

	pkt_addr(W_SRC4, a);
	c.src_v4 = a[0];
	pkt_addr(W_SRC6, a);
	memcpy(c.src_v6, a, 16);
	return c;
}

/* Runs s with config c; the outer header must be o (MACs, TTL, source). */
static void expect_outer(struct nlbt *t, struct xdpfix *f,
			 const struct nlb_config *c, const struct pkt_spec *s,
			 struct pkt_outer *o, __u32 verdict, __u32 cnt)
{
	struct pkt in, want;

	if (!CHECK(t, xdpfix_config(f, c) == 0, "config") ||
	    !CHECK(t, pkt_build(&in, s) == 0, "build") ||
	    !CHECK(t, pkt_encap(&want, &in, o) == 0, "expected frame"))
		return;
	xdpfix_expect(t, f, &in, verdict, &want, cnt);
}

NLB_TEST(config)
{
	uint32_t h4 = world_hash(&flow4), h6 = world_hash(&flow6);
	struct nlb_config c;
	struct pkt_outer o;
	struct xdpfix f;
	char src[64];
	int err;

	err = xdpfix_open(&f);
	REQUIRE(t, err == 0, "load forwarder: %d", err);
	err = world_setup(&f);
	if (!CHECK(t, err == 0, "world: %d", err))
		goto out;
	if (nlbt_sub_begin(t, "macs_from_config")) {
		c = base();
		c.src_v4_plen = 32;
		memcpy(c.nexthop_mac, MAC_NEXTHOP, 6);
		memcpy(c.src_mac, MAC_SRC, 6);
		o = (struct pkt_outer){.src = W_SRC4,
				       .dst = BACKEND1,
				       .ttl = 64,
				       .dmac = MAC_NEXTHOP,
				       .smac = MAC_SRC};
		expect_outer(t, &f, &c, &flow4, &o, XDP_TX, CNT(TX));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "redirect_and_ttl")) {
		c = base();
		c.src_v4_plen = 32;
		c.out_ifindex = 1; /* lo: test_run only reports the verdict */
		c.ttl = 17;
		o = (struct pkt_outer){.src = W_SRC4,
				       .dst = BACKEND1,
				       .ttl = 17,
				       .dmac = MAC_ROUTER,
				       .smac = MAC_LB};
		expect_outer(t, &f, &c, &flow4, &o, XDP_REDIRECT,
			     CNT(REDIRECT));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "source_prefix_24")) {
		c = base();
		c.src_v4_plen = 24;
		snprintf(src, sizeof(src), "10.200.0.%u", h4 & 0xff);
		o = (struct pkt_outer){.src = src,
				       .dst = BACKEND1,
				       .ttl = 64,
				       .dmac = MAC_ROUTER,
				       .smac = MAC_LB};
		expect_outer(t, &f, &c, &flow4, &o, XDP_TX, CNT(TX));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "source_prefix_v6_120")) {
		c = base();
		c.src_v6_plen = 120;
		snprintf(src, sizeof(src), "2001:db8:1b::%x", h6 & 0xff);
		o = (struct pkt_outer){.src = src,
				       .dst = BACKEND6_1,
				       .ttl = 64,
				       .flow_label = h6 & 0xfffff,
				       .dmac = MAC_ROUTER,
				       .smac = MAC_LB};
		expect_outer(t, &f, &c, &flow6, &o, XDP_TX, CNT(TX));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "source_varies_per_flow")) {
		/* 32 flows over a /16: the backend's RSS needs many sources */
		struct pkt in, out;
		uint32_t seen[32];
		int distinct = 0;
		__u32 v;

		c = base();
		c.src_v4_plen = 16;
		CHECK(t, xdpfix_config(&f, &c) == 0, "config");
		for (int i = 0; i < 32; i++) {
			struct pkt_spec s = flow4;
			uint32_t src32;
			bool dup = false;

			s.sport = (uint16_t)(50000 + i);
			if (!CHECK(t, pkt_build(&in, &s) == 0, "build") ||
			    !CHECK(t,
				   xdpfix_run(&f, &in, &out, &v) == 0 &&
					   v == XDP_TX,
				   "run"))
				break;
			memcpy(&src32, out.b + 18 + 12, 4);
			for (int j = 0; j < distinct; j++)
				dup |= seen[j] == src32;
			if (!dup)
				seen[distinct++] = src32;
		}
		CHECK(t, distinct >= 30, "only %d outer sources for 32 flows",
		      distinct);
		nlbt_sub_end(t);
	}
out:
	xdpfix_close(&f);
}
