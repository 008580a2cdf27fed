// SPDX-License-Identifier: GPL-2.0
/* Mutated frames (a fixed seed, so every run is the same): whatever the
 * bytes, the forwarder must answer with PASS (frame untouched), DROP, or TX
 * of either its own well-formed outer header in front of the untouched
 * input, or an echo reply; and exactly one verdict counter goes up. */
#include <netinet/in.h>
#include <string.h>
#include "world.h"

#define ROUNDS 4000

static const struct pkt_spec seeds[] = {
	{.src = CLIENT1, .dst = VIP4, .sport = 1, .dport = 80, .payload = 8},
	{.src = CLIENT1,
	 .dst = VIP4,
	 .proto = IPPROTO_UDP,
	 .sport = 1,
	 .dport = 53,
	 .vlan = 4,
	 .ip_opts = 8},
	{.src = CLIENT1,
	 .dst = VIP4,
	 .mf = true,
	 .proto = IPPROTO_UDP,
	 .payload = 16},
	{.src = CLIENT1,
	 .dst = VIP4,
	 .proto = IPPROTO_ICMP,
	 .icmp_type = 8,
	 .payload = 8},
	{.src = ROUTER,
	 .dst = VIP4,
	 .proto = IPPROTO_ICMP,
	 .icmp_type = 3,
	 .icmp_code = 4,
	 .quote =
		 &(const struct pkt_spec){
			 .src = VIP4, .dst = CLIENT1, .sport = 80, .dport = 9}},
	{.src = CLIENT6,
	 .dst = VIP6,
	 .sport = 1,
	 .dport = 443,
	 .n_ext = 2,
	 .ext = {IPPROTO_HOPOPTS, IPPROTO_DSTOPTS}},
	{.src = CLIENT6,
	 .dst = VIP6,
	 .proto = IPPROTO_UDP,
	 .v6_frag = true,
	 .frag_off = 3,
	 .payload = 8},
	{.src = CLIENT6,
	 .dst = VIP6,
	 .proto = IPPROTO_ICMPV6,
	 .icmp_type = 128},
	{.src = CLIENT1, .dst = VIP4, .sport = 1, .dport = 443},
};

/* xorshift32: small, seeded, the same sequence everywhere */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void mutate(struct pkt *p, uint32_t *s)
{
	int n = 1 + (int)(rnd(s) % 4);

	for (int i = 0; i < n; i++) {
		uint32_t what = rnd(s) % 8;

		if (what == 0 && p->len > 14) {
			p->len = 14 + rnd(s) % (p->len - 14);
		} else if (p->len > 12) {
			/* the headers, where the decisions are */
			size_t at =
				12 +
				rnd(s) % (p->len - 12 < 90 ? p->len - 12 : 90);

			p->b[at] = (uint8_t)rnd(s);
		}
	}
}

static const int verdict_counters[] = {
	NLB_CNT_PASS,
	NLB_CNT_TX,
	NLB_CNT_REDIRECT,
	NLB_CNT_ICMP_ECHO_REPLY,
	NLB_CNT_DROP_MALFORMED,
	NLB_CNT_DROP_NO_BACKEND,
	NLB_CNT_DROP_ICMP_UNSUPP,
	NLB_CNT_DROP_FRAG_NO_VIP,
	NLB_CNT_DROP_ENCAP,
	NLB_CNT_DROP_FAMILY,
};

/* Is out an encapsulation of in (outer header well formed)? */
static bool is_encap(const struct pkt *in, const struct pkt *out)
{
	size_t olen = out->len - in->len, l2 = in->l3;
	const uint8_t *o = out->b + l2;

	if (olen != 20 && olen != 40)
		return false;
	if (memcmp(out->b + l2 + olen, in->b + l2, in->len - l2))
		return false; /* the inner packet changed */
	if (l2 == 18 && memcmp(out->b + 12, in->b + 12, 4))
		return false; /* the tag changed */
	if (olen == 20)
		return o[0] == 0x45 && pkt_csum(o, 20, 0) == 0 &&
		       (o[9] == IPPROTO_IPIP || o[9] == IPPROTO_IPV6);
	return o[0] >> 4 == 6 && (o[6] == IPPROTO_IPIP || o[6] == 41);
}

NLB_TEST(random_frames)
{
	__u64 before[NLB_CNT_MAX], after[NLB_CNT_MAX];
	uint32_t seed = 0x2545f491;
	struct pkt base[sizeof(seeds) / sizeof(seeds[0])], in, out;
	int counts[5] = {0};
	struct xdpfix f;
	__u32 v;
	int err;

	err = xdpfix_open(&f);
	REQUIRE(t, err == 0, "load forwarder: %d", err);
	err = world_setup(&f);
	for (size_t i = 0; !err && i < sizeof(seeds) / sizeof(seeds[0]); i++)
		err = pkt_build(&base[i], &seeds[i]);
	if (!CHECK(t, err == 0, "setup: %d", err))
		goto out;
	for (int r = 0; r < ROUNDS; r++) {
		int ups = 0;

		in = base[rnd(&seed) % (sizeof(seeds) / sizeof(seeds[0]))];
		mutate(&in, &seed);
		if (!CHECK(t, nlb_maps__counters(&f.m, before) == 0, "ctr") ||
		    !CHECK(t, xdpfix_run(&f, &in, &out, &v) == 0, "run") ||
		    !CHECK(t, nlb_maps__counters(&f.m, after) == 0, "ctr"))
			break;
		for (size_t i = 0;
		     i < sizeof(verdict_counters) / sizeof(verdict_counters[0]);
		     i++)
			ups += (int)(after[verdict_counters[i]] -
				     before[verdict_counters[i]]);
		if (v < 5)
			counts[v]++;
		if (!CHECK(t, ups == 1, "round %d: %d verdict counters", r,
			   ups))
			break;
		if (v == XDP_PASS &&
		    !CHECK(t, out.len == in.len && !memcmp(out.b, in.b, in.len),
			   "round %d: passed frame changed", r))
			break;
		if (v == XDP_TX && out.len != in.len &&
		    !CHECK(t, is_encap(&in, &out),
			   "round %d: bad encapsulation", r))
			break;
		if (!CHECK(t, v == XDP_PASS || v == XDP_DROP || v == XDP_TX,
			   "round %d: verdict %u", r, v))
			break;
	}
	/* the mutations must reach every outcome, or they test little */
	CHECK(t,
	      counts[XDP_PASS] > 100 && counts[XDP_DROP] > 100 &&
		      counts[XDP_TX] > 100,
	      "outcomes pass %d drop %d tx %d", counts[XDP_PASS],
	      counts[XDP_DROP], counts[XDP_TX]);
	printf("  outcomes of %d frames: pass %d drop %d tx %d\n", ROUNDS,
	       counts[XDP_PASS], counts[XDP_DROP], counts[XDP_TX]);
out:
	xdpfix_close(&f);
}
