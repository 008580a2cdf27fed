// SPDX-License-Identifier: GPL-2.0
/* A port range as the map manager writes it (one PORT key per port, one VIP
 * id): every port of the range reaches the same VIP's table and counters
 * through the real program, the ports around it pass, and a moved range end
 * or a removal takes effect on the next packet. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include "nlb/flow_hash.h"
#include "vipmgr.h"
#include "world.h"

#define VIP_RANGE "192.0.2.60"
#define FIRST 5000
#define LAST 5009

static struct nlb_vip_spec range_spec(uint16_t last)
{
	struct nlb_vip_spec s = {.family = NLB_FAMILY_V4,
				 .proto = IPPROTO_TCP,
				 .port = htons(FIRST),
				 .port_end = htons(last),
				 .ring_size = FIX_RING};

	s.addr[0] = inet_addr(VIP_RANGE);
	return s;
}

static struct pkt_spec to_port(uint16_t dport)
{
	return (struct pkt_spec){.src = CLIENT1,
				 .dst = VIP_RANGE,
				 .sport = 40000,
				 .dport = dport,
				 .payload = 10};
}

/* The backend address the VIP's table gives the flow of s. */
static const char *table_pick(struct xdpfix *f, __u32 vip_id,
			      const struct pkt_spec *s, char *buf, size_t len)
{
	uint32_t h =
		xdpfix_hash(s->src, s->dst, s->sport, s->dport, IPPROTO_TCP);
	__u32 table[FIX_RING];
	const struct nlb_backend *b;

	if (nlb_maps__read_ring(&f->m, vip_id, table, FIX_RING) != FIX_RING)
		return NULL;
	b = nlb_maps__backend(&f->m, table[nlb_slot(h, FIX_RING)]);
	if (!b || b->vip_id != vip_id)
		return NULL;
	return inet_ntop(AF_INET, b->addr, buf, (socklen_t)len);
}

/* A packet to port: encapsulated to the VIP's pick; its packets counted. */
static bool forwarded(struct nlbt *t, struct xdpfix *f, __u32 vip_id,
		      uint16_t port)
{
	struct pkt_spec s = to_port(port);
	struct nlb_vip_stats before = {}, after = {};
	struct pkt in, want;
	char be[INET_ADDRSTRLEN];
	const char *addr = table_pick(f, vip_id, &s, be, sizeof(be));

	if (!CHECK(t, addr != NULL, "port %u: no table pick", port) ||
	    !CHECK(t, pkt_build(&in, &s) == 0, "build") ||
	    !CHECK(t, world_encap(&want, &in, &s, addr) == 0, "expected"))
		return false;
	nlb_maps__vip_stats(&f->m, vip_id, &before);
	if (!CHECK(t, xdpfix_expect(t, f, &in, XDP_TX, &want, CNT(TX)),
		   "port %u -> %s", port, addr))
		return false;
	nlb_maps__vip_stats(&f->m, vip_id, &after);
	return CHECK(t, after.packets == before.packets + 1,
		     "port %u not counted on VIP %u", port, vip_id);
}

static bool passed(struct nlbt *t, struct xdpfix *f, uint16_t port)
{
	struct pkt_spec s = to_port(port);
	struct pkt in;

	return CHECK(t, pkt_build(&in, &s) == 0, "build") &&
	       CHECK(t, xdpfix_expect(t, f, &in, XDP_PASS, &in, CNT(PASS)),
		     "port %u is not the VIP's", port);
}

static struct nlb_backend_spec be4(const char *addr)
{
	struct nlb_backend_spec b = {.family = NLB_FAMILY_V4,
				     .weight = 100,
				     .state = NLB_BACKEND_ENABLED};

	b.addr[0] = inet_addr(addr);
	return b;
}

NLB_TEST(port_range)
{
	struct nlb_vip_spec s = range_spec(LAST);
	struct nlb_backend_spec b1 = be4(BACKEND1), b2 = be4(BACKEND2);
	struct xdpfix f;
	__u32 id;
	int err;

	err = xdpfix_open(&f);
	REQUIRE(t, err == 0, "load forwarder: %d", err);
	err = world_setup(&f);
	if (!CHECK(t, err == 0, "world: %d", err))
		goto out;
	err = nlb_vipmgr__add_vip(&f.m, &s, &id);
	if (!CHECK(t, err == 0, "add range: %d", err))
		goto out;
	err = nlb_vipmgr__set_backend(&f.m, &s, &b1, NULL);
	if (!err)
		err = nlb_vipmgr__set_backend(&f.m, &s, &b2, NULL);
	if (!CHECK(t, err == 0, "backends: %d", err))
		goto out;
	if (nlbt_sub_begin(t, "every_port_one_vip")) {
		for (uint16_t p = FIRST; p <= LAST; p++)
			if (!forwarded(t, &f, id, p))
				break;
		passed(t, &f, FIRST - 1);
		passed(t, &f, LAST + 1);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "moved_end")) {
		s = range_spec(FIRST + 4);
		CHECK(t, nlb_vipmgr__set_port_end(&f.m, &s) == 0);
		forwarded(t, &f, id, FIRST + 4);
		passed(t, &f, FIRST + 5);
		passed(t, &f, LAST);
		s = range_spec(LAST);
		CHECK(t, nlb_vipmgr__set_port_end(&f.m, &s) == 0);
		forwarded(t, &f, id, LAST);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "removed")) {
		CHECK(t, nlb_vipmgr__del_vip(&f.m, &s) == 0);
		passed(t, &f, FIRST);
		passed(t, &f, LAST);
		nlbt_sub_end(t);
	}
out:
	xdpfix_close(&f);
}
