// SPDX-License-Identifier: GPL-2.0
/* Flows over time: Maglev selection as the ABI defines it, conntrack hits,
 * drained and down backends, re-picks of entries whose backend was removed
 * or reused, fallback, fragments and ICMP errors following their flow, and
 * the per-VIP / per-backend statistics. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include "nlb/flow_hash.h"
#include "../../bpf/nlb_consts.h"
#include "world.h"

#define VIP4_POOL "192.0.2.40"
#define VIP6_POOL "2001:db8:f::40"

enum { V_TCP = 20, V_UDP = 21, V_TCP6 = 22 };

/* Backend ids: three per VIP, one per (VIP, address). */
static const uint32_t tcp_ids[] = {100, 101, 102};
static const uint32_t udp_ids[] = {110, 111, 112};
static const uint32_t tcp6_ids[] = {120, 121};
static const char *addr4[] = {BACKEND1, BACKEND2, BACKEND3};
static const char *addr6[] = {BACKEND6_1, BACKEND6_2};

static int pool_vip(struct xdpfix *f, const char *vip, uint16_t port,
		    uint8_t proto, uint32_t vip_id, const uint32_t *ids,
		    const char **addrs, int n)
{
	int err = xdpfix_vip(f, vip, port, proto, NLB_VIP_KIND_PORT, vip_id,
			     FIX_RING);

	for (int i = 0; !err && i < n; i++)
		err = xdpfix_backend(f, ids[i], addrs[i], vip_id,
				     NLB_BACKEND_ENABLED);
	return err ? err : xdpfix_ring(f, vip_id, ids, n);
}

static int pool_setup(struct xdpfix *f)
{
	int err = world_setup(f);

	if (!err)
		err = pool_vip(f, VIP4_POOL, 80, IPPROTO_TCP, V_TCP, tcp_ids,
			       addr4, 3);
	if (!err)
		err = pool_vip(f, VIP4_POOL, 53, IPPROTO_UDP, V_UDP, udp_ids,
			       addr4, 3);
	if (!err)
		err = pool_vip(f, VIP6_POOL, 443, IPPROTO_TCP, V_TCP6, tcp6_ids,
			       addr6, 2);
	if (!err)
		err = xdpfix_vip(f, VIP4_POOL, 0, IPPROTO_UDP,
				 NLB_VIP_KIND_FRAG, V_UDP, FIX_RING);
	if (!err)
		err = xdpfix_vip(f, VIP4_POOL, 0, 0, NLB_VIP_KIND_ADDR, 0, 0);
	return err;
}

/* The backend id the ABI picks for hash h of vip_id with the ring of ids:
 * the slot's backend if it takes new flows, else the first that does
 * among the NLB_REPICK_TRIES fallback slots; -1 for none. */
static int64_t abi_pick(struct xdpfix *f, uint32_t h, uint32_t vip_id,
			const uint32_t *ids, int n)
{
	for (int i = -1; i < NLB_REPICK_TRIES; i++) {
		uint32_t hh = i < 0 ? h : nlb_repick_hash(h, (uint32_t)i);
		uint32_t id = xdpfix_pick(hh, ids, n);
		const struct nlb_backend *b = nlb_maps__backend(&f->m, id);

		if (b && b->state == NLB_BACKEND_ENABLED && b->vip_id == vip_id)
			return id;
	}
	return -1;
}

static const char *addr_of(struct xdpfix *f, uint32_t id)
{
	static char buf[64];
	const struct nlb_backend *b = nlb_maps__backend(&f->m, id);

	if (!b)
		return "?";
	inet_ntop(b->family == NLB_FAMILY_V4 ? AF_INET : AF_INET6, b->addr, buf,
		  sizeof(buf));
	return buf;
}

/* One packet of s, expected encapsulated to backend id. */
static bool send_to(struct nlbt *t, struct xdpfix *f, const struct pkt_spec *s,
		    uint32_t id, __u32 cnt)
{
	struct pkt in, want;

	if (!CHECK(t, pkt_build(&in, s) == 0, "build") ||
	    !CHECK(t, world_encap(&want, &in, s, addr_of(f, id)) == 0,
		   "expected frame"))
		return false;
	return CHECK(t, xdpfix_expect(t, f, &in, XDP_TX, &want, cnt),
		     "flow %u -> backend %u (%s)", s->sport, id,
		     addr_of(f, id));
}

static struct pkt_spec tcp_flow(uint16_t sport)
{
	return (struct pkt_spec){.src = CLIENT1,
				 .dst = VIP4_POOL,
				 .sport = sport,
				 .dport = 80,
				 .payload = 10};
}

/* A source port whose flow lands on slot backend want (and one that does
 * not, for want_not). */
static uint16_t port_for(uint32_t want, bool on, uint16_t from)
{
	for (uint16_t p = from; p; p++) {
		uint32_t h =
			xdpfix_hash(CLIENT1, VIP4_POOL, p, 80, IPPROTO_TCP);

		if ((xdpfix_pick(h, tcp_ids, 3) == want) == on)
			return p;
	}
	return 0;
}

#define OPEN(f)                                                    \
	do {                                                       \
		int err_ = xdpfix_open(f);                         \
		REQUIRE(t, err_ == 0, "load forwarder: %d", err_); \
		err_ = pool_setup(f);                              \
		if (!CHECK(t, err_ == 0, "setup: %d", err_)) {     \
			xdpfix_close(f);                           \
			return;                                    \
		}                                                  \
	} while (0)

NLB_TEST(selection_follows_abi)
{
	bool used[3] = {false};
	struct xdpfix f;

	OPEN(&f);
	for (uint16_t p = 1000; p < 1064; p++) {
		struct pkt_spec s = tcp_flow(p);
		uint32_t h = xdpfix_hash(s.src, s.dst, p, 80, IPPROTO_TCP);
		uint32_t id = xdpfix_pick(h, tcp_ids, 3);

		if (!send_to(t, &f, &s, id, CNT(TX)))
			break;
		used[id - tcp_ids[0]] = true;
	}
	CHECK(t, used[0] && used[1] && used[2], "64 flows on one backend");
	xdpfix_close(&f);
}

NLB_TEST(conntrack)
{
	uint32_t all_b2[1] = {102};
	struct pkt_spec s = tcp_flow(port_for(100, true, 2000));
	struct xdpfix f;
	struct nlb_ct ct;

	OPEN(&f);
	if (nlbt_sub_begin(t, "established_keeps_backend_across_tables")) {
		struct pkt_spec n = tcp_flow(port_for(100, true, 3000));
		struct nlb_flow_v4 key = {.sport = htons(s.sport),
					  .dport = htons(80),
					  .proto = IPPROTO_TCP};
		uint32_t a[4];

		pkt_addr(CLIENT1, a);
		key.saddr = a[0];
		pkt_addr(VIP4_POOL, a);
		key.daddr = a[0];
		send_to(t, &f, &s, 100, CNT(TX));
		CHECK(t,
		      nlb_maps__get_flow_v4(&f.m, &key, &ct) == 0 &&
			      ct.backend_id == 100,
		      "conntrack entry of the flow");
		/* a new table sending everything to 102 */
		CHECK(t, xdpfix_ring(&f, V_TCP, all_b2, 1) == 0, "ring");
		send_to(t, &f, &s, 100, CNT(TX));
		send_to(t, &f, &n, 102, CNT(TX));
		CHECK(t, xdpfix_ring(&f, V_TCP, tcp_ids, 3) == 0, "ring");
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "udp_tracked_too")) {
		struct pkt_spec u = {.src = CLIENT2,
				     .dst = VIP4_POOL,
				     .proto = IPPROTO_UDP,
				     .sport = 999,
				     .dport = 53};
		uint32_t h = xdpfix_hash(u.src, u.dst, 999, 53, IPPROTO_UDP);
		uint32_t id = xdpfix_pick(h, udp_ids, 3);
		uint32_t other = id == 110 ? 111 : 110;

		send_to(t, &f, &u, id, CNT(TX));
		CHECK(t, xdpfix_ring(&f, V_UDP, &other, 1) == 0, "ring");
		send_to(t, &f, &u, id, CNT(TX));
		CHECK(t, xdpfix_ring(&f, V_UDP, udp_ids, 3) == 0, "ring");
		nlbt_sub_end(t);
	}
	xdpfix_close(&f);
}

NLB_TEST(backend_states)
{
	struct pkt_spec est = tcp_flow(port_for(100, true, 2000));
	struct pkt_spec fresh = tcp_flow(port_for(100, true, est.sport + 1));
	struct xdpfix f;
	int64_t fb;

	OPEN(&f);
	if (nlbt_sub_begin(t, "drained_keeps_established_no_new")) {
		send_to(t, &f, &est, 100, CNT(TX));
		CHECK(t,
		      nlb_maps__set_backend_state(&f.m, 100,
						  NLB_BACKEND_DRAINED) == 0,
		      "drain");
		send_to(t, &f, &est, 100, CNT(TX));
		fb = abi_pick(&f,
			      xdpfix_hash(CLIENT1, VIP4_POOL, fresh.sport, 80,
					  IPPROTO_TCP),
			      V_TCP, tcp_ids, 3);
		if (CHECK(t, fb > 100, "fallback of a new flow: %lld",
			  (long long)fb))
			send_to(t, &f, &fresh, (uint32_t)fb,
				CNT(TX) | CNT(FALLBACK));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "down_moves_established_at_once")) {
		CHECK(t,
		      nlb_maps__set_backend_state(&f.m, 100,
						  NLB_BACKEND_DOWN) == 0,
		      "down");
		fb = abi_pick(&f,
			      xdpfix_hash(CLIENT1, VIP4_POOL, est.sport, 80,
					  IPPROTO_TCP),
			      V_TCP, tcp_ids, 3);
		if (CHECK(t, fb > 100, "fallback: %lld", (long long)fb)) {
			send_to(t, &f, &est, (uint32_t)fb,
				CNT(TX) | CNT(CT_REPICK) | CNT(FALLBACK));
			/* and it stays there, even when 100 comes back */
			CHECK(t,
			      nlb_maps__set_backend_state(
				      &f.m, 100, NLB_BACKEND_ENABLED) == 0,
			      "enable");
			send_to(t, &f, &est, (uint32_t)fb, CNT(TX));
		}
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "all_down_drops")) {
		for (int i = 0; i < 3; i++)
			CHECK(t,
			      nlb_maps__set_backend_state(
				      &f.m, tcp_ids[i], NLB_BACKEND_DOWN) == 0,
			      "down");
		struct pkt in;

		if (CHECK(t, pkt_build(&in, &est) == 0, "build"))
			xdpfix_expect(t, &f, &in, XDP_DROP, NULL,
				      CNT(CT_REPICK) | CNT(DROP_NO_BACKEND));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "all_drained_keeps_established_only")) {
		struct pkt in;

		for (int i = 0; i < 3; i++)
			CHECK(t,
			      nlb_maps__set_backend_state(
				      &f.m, tcp_ids[i], NLB_BACKEND_ENABLED) ==
				      0,
			      "enable");
		CHECK(t, xdpfix_flush_ct(&f) == 0, "flush");
		send_to(t, &f, &est, 100, CNT(TX));
		for (int i = 0; i < 3; i++)
			CHECK(t,
			      nlb_maps__set_backend_state(
				      &f.m, tcp_ids[i], NLB_BACKEND_DRAINED) ==
				      0,
			      "drain");
		send_to(t, &f, &est, 100, CNT(TX));
		if (CHECK(t, pkt_build(&in, &fresh) == 0, "build"))
			xdpfix_expect(t, &f, &in, XDP_DROP, NULL,
				      CNT(DROP_NO_BACKEND));
		nlbt_sub_end(t);
	}
	xdpfix_close(&f);
}

NLB_TEST(removed_or_reused_backend_repicks)
{
	struct pkt_spec s = tcp_flow(port_for(101, true, 2000));
	struct xdpfix f;

	OPEN(&f);
	if (nlbt_sub_begin(t, "reused_for_another_address")) {
		send_to(t, &f, &s, 101, CNT(TX));
		/* id 101 now names a new (VIP, address) pair: a new gen */
		CHECK(t, nlb_maps__del_backend(&f.m, 101) == 0, "del");
		CHECK(t,
		      xdpfix_backend(&f, 101, BACKEND3, V_TCP,
				     NLB_BACKEND_ENABLED) == 0,
		      "reuse");
		send_to(t, &f, &s, 101, CNT(TX) | CNT(CT_REPICK));
		send_to(t, &f, &s, 101, CNT(TX));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "moved_to_another_vip")) {
		int64_t fb;

		CHECK(t,
		      xdpfix_backend(&f, 101, BACKEND2, V_UDP,
				     NLB_BACKEND_ENABLED) == 0,
		      "move");
		fb = abi_pick(&f,
			      xdpfix_hash(CLIENT1, VIP4_POOL, s.sport, 80,
					  IPPROTO_TCP),
			      V_TCP, tcp_ids, 3);
		if (CHECK(t, fb >= 0 && fb != 101, "fallback %lld",
			  (long long)fb))
			send_to(t, &f, &s, (uint32_t)fb,
				CNT(TX) | CNT(CT_REPICK) | CNT(FALLBACK));
		nlbt_sub_end(t);
	}
	xdpfix_close(&f);
}

NLB_TEST(fragments_and_icmp_follow_flow)
{
	struct xdpfix f;

	OPEN(&f);
	if (nlbt_sub_begin(t, "all_fragments_one_backend")) {
		struct pkt_spec first = {.src = CLIENT2,
					 .dst = VIP4_POOL,
					 .proto = IPPROTO_UDP,
					 .sport = 7,
					 .dport = 53,
					 .mf = true,
					 .payload = 32};
		struct pkt_spec mid = {.src = CLIENT2,
				       .dst = VIP4_POOL,
				       .proto = IPPROTO_UDP,
				       .mf = true,
				       .frag_off = 5,
				       .payload = 40};
		struct pkt_spec last = {.src = CLIENT2,
					.dst = VIP4_POOL,
					.proto = IPPROTO_UDP,
					.frag_off = 10,
					.payload = 3};
		uint32_t h = xdpfix_hash(CLIENT2, VIP4_POOL, 0, 0, IPPROTO_UDP);
		uint32_t id = xdpfix_pick(h, udp_ids, 3);

		send_to(t, &f, &first, id, CNT(TX) | CNT(FRAGMENT));
		send_to(t, &f, &mid, id, CNT(TX) | CNT(FRAGMENT));
		send_to(t, &f, &last, id, CNT(TX) | CNT(FRAGMENT));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "frag_needed_uses_conntrack")) {
		struct pkt_spec s = tcp_flow(port_for(100, true, 5000));
		struct pkt_spec reply = {.src = VIP4_POOL,
					 .dst = CLIENT1,
					 .sport = 80,
					 .dport = s.sport};
		struct pkt_spec err = {.src = ROUTER,
				       .dst = VIP4_POOL,
				       .proto = IPPROTO_ICMP,
				       .icmp_type = 3,
				       .icmp_code = 4,
				       .quote = &reply};
		uint32_t all_102 = 102;

		send_to(t, &f, &s, 100, CNT(TX));
		CHECK(t, xdpfix_ring(&f, V_TCP, &all_102, 1) == 0, "ring");
		send_to(t, &f, &err, 100, CNT(TX) | CNT(ICMP_ERR_FWD));
		CHECK(t, xdpfix_ring(&f, V_TCP, tcp_ids, 3) == 0, "ring");
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "frag_needed_without_entry_hashes")) {
		uint16_t port = port_for(101, true, 6000);
		struct pkt_spec reply = {.src = VIP4_POOL,
					 .dst = CLIENT1,
					 .sport = 80,
					 .dport = port};
		struct pkt_spec err = {.src = ROUTER,
				       .dst = VIP4_POOL,
				       .proto = IPPROTO_ICMP,
				       .icmp_type = 3,
				       .icmp_code = 4,
				       .quote = &reply};
		struct nlb_flow_v4 key = {.sport = htons(port),
					  .dport = htons(80),
					  .proto = IPPROTO_TCP};
		struct nlb_ct ct;
		uint32_t a[4];

		send_to(t, &f, &err, 101, CNT(TX) | CNT(ICMP_ERR_FWD));
		pkt_addr(CLIENT1, a);
		key.saddr = a[0];
		pkt_addr(VIP4_POOL, a);
		key.daddr = a[0];
		CHECK(t, nlb_maps__get_flow_v4(&f.m, &key, &ct) == -ENOENT,
		      "an ICMP error created a flow");
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "packet_too_big_ipv6")) {
		struct pkt_spec s = {.src = CLIENT6,
				     .dst = VIP6_POOL,
				     .sport = 777,
				     .dport = 443};
		struct pkt_spec reply = {.src = VIP6_POOL,
					 .dst = CLIENT6,
					 .sport = 443,
					 .dport = 777};
		struct pkt_spec err = {.src = ROUTER6,
				       .dst = VIP6_POOL,
				       .proto = IPPROTO_ICMPV6,
				       .icmp_type = 2,
				       .quote = &reply};
		uint32_t h =
			xdpfix_hash(CLIENT6, VIP6_POOL, 777, 443, IPPROTO_TCP);
		uint32_t id = xdpfix_pick(h, tcp6_ids, 2);

		send_to(t, &f, &s, id, CNT(TX));
		send_to(t, &f, &err, id, CNT(TX) | CNT(ICMP_ERR_FWD));
		nlbt_sub_end(t);
	}
	xdpfix_close(&f);
}

NLB_TEST(statistics)
{
	struct pkt_spec a = tcp_flow(port_for(100, true, 2000));
	struct pkt_spec b = tcp_flow(port_for(100, true, a.sport + 1));
	struct nlb_backend_stats bs;
	struct nlb_vip_stats vs;
	struct pkt in;
	struct xdpfix f;

	OPEN(&f);
	REQUIRE(t, pkt_build(&in, &a) == 0, "build");
	send_to(t, &f, &a, 100, CNT(TX));
	send_to(t, &f, &a, 100, CNT(TX));
	send_to(t, &f, &a, 100, CNT(TX));
	send_to(t, &f, &b, 100, CNT(TX));
	if (CHECK(t, nlb_maps__vip_stats(&f.m, V_TCP, &vs) == 0, "vip stats")) {
		CHECK_EQ_INT(t, vs.packets, 4);
		CHECK_EQ_INT(t, vs.bytes, 4 * in.len);
		CHECK_EQ_INT(t, vs.new_flows, 2);
		CHECK_EQ_INT(t, vs.ct_hits, 2);
		CHECK_EQ_INT(t, vs.ct_misses, 2);
	}
	if (CHECK(t, nlb_maps__backend_stats(&f.m, 100, &bs) == 0,
		  "backend stats")) {
		CHECK_EQ_INT(t, bs.packets, 4);
		CHECK_EQ_INT(t, bs.bytes, 4 * in.len);
		CHECK_EQ_INT(t, bs.new_flows, 2);
	}
	if (CHECK(t, nlb_maps__backend_stats(&f.m, 101, &bs) == 0,
		  "backend stats"))
		CHECK_EQ_INT(t, bs.packets, 0);
	xdpfix_close(&f);
}
