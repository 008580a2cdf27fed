// SPDX-License-Identifier: GPL-2.0
/* The forwarder tests' shared VIPs and backends (see world.h). */
#include "world.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

struct w_vip {
	const char *addr;
	uint16_t port;
	uint8_t proto;
	uint32_t id;
	const char *backend; /* NULL: no table */
};

static const struct w_vip vips[] = {
	{VIP4, 80, IPPROTO_TCP, W_VIP4_HTTP, BACKEND1},
	{VIP4, 53, IPPROTO_UDP, W_VIP4_DNS, BACKEND2},
	{VIP4_ALLPORTS, 0, IPPROTO_TCP, W_VIP4_ALL, BACKEND3},
	{VIP4_EMPTY, 80, IPPROTO_TCP, W_VIP4_EMPTY, NULL},
	{VIP6, 443, IPPROTO_TCP, W_VIP6_HTTPS, BACKEND6_1},
	{VIP6, 53, IPPROTO_UDP, W_VIP6_DNS, BACKEND6_2},
	{VIP4, 443, IPPROTO_TCP, W_VIP4_IN6, BACKEND6_1},
	{VIP6_V4BE, 80, IPPROTO_TCP, W_VIP6_BAD, BACKEND1},
};

/* Fragment VIPs: (addr, proto) -> vip id. */
static const struct w_vip frags[] = {
	{VIP4, 0, IPPROTO_TCP, W_VIP4_HTTP, NULL},
	{VIP4, 0, IPPROTO_UDP, W_VIP4_DNS, NULL},
	{VIP6, 0, IPPROTO_UDP, W_VIP6_DNS, NULL},
};

static const char *addrs[] = {VIP4, VIP4_ALLPORTS, VIP4_EMPTY, VIP6, VIP6_V4BE};

int world_setup(struct xdpfix *f)
{
	struct nlb_config c = {.abi_version = NLB_ABI_VERSION,
			       .src_v4_plen = 16,
			       .src_v6_plen = 64};
	uint32_t a[4];
	size_t i;
	int err;

	pkt_addr(W_SRC4, a);
	c.src_v4 = a[0];
	pkt_addr(W_SRC6, a);
	memcpy(c.src_v6, a, 16);
	err = xdpfix_config(f, &c);
	for (i = 0; !err && i < sizeof(vips) / sizeof(vips[0]); i++) {
		const struct w_vip *v = &vips[i];

		err = xdpfix_vip(f, v->addr, v->port, v->proto,
				 NLB_VIP_KIND_PORT, v->id,
				 v->backend ? FIX_RING : 0);
		if (!err && v->backend)
			err = xdpfix_backend(f, v->id, v->backend, v->id,
					     NLB_BACKEND_ENABLED);
		if (!err && v->backend)
			err = xdpfix_ring(f, v->id, &v->id, 1);
	}
	for (i = 0; !err && i < sizeof(frags) / sizeof(frags[0]); i++)
		err = xdpfix_vip(f, frags[i].addr, 0, frags[i].proto,
				 NLB_VIP_KIND_FRAG, frags[i].id, FIX_RING);
	for (i = 0; !err && i < sizeof(addrs) / sizeof(addrs[0]); i++)
		err = xdpfix_vip(f, addrs[i], 0, 0, NLB_VIP_KIND_ADDR, 0, 0);
	return err;
}

uint32_t world_hash(const struct pkt_spec *s)
{
	uint8_t proto = s->proto ? s->proto : IPPROTO_TCP;

	if (s->quote) {
		const struct pkt_spec *q = s->quote;

		return xdpfix_hash(q->dst, q->src, q->dport, q->sport,
				   q->proto ? q->proto : IPPROTO_TCP);
	}
	if (s->mf || s->frag_off || s->v6_frag)
		return xdpfix_hash(s->src, s->dst, 0, 0, proto);
	return xdpfix_hash(s->src, s->dst, s->sport, s->dport, proto);
}

void world_outer_src(char *buf, size_t len, int family, uint32_t h)
{
	/* the host bits of the /16 and of the /64's last 32 bits */
	if (family == 4)
		snprintf(buf, len, "10.200.%u.%u", h >> 8 & 0xff, h & 0xff);
	else
		snprintf(buf, len, "2001:db8:1b::%x:%x", h >> 16, h & 0xffff);
}

int world_encap(struct pkt *out, const struct pkt *in, const struct pkt_spec *s,
		const char *backend)
{
	uint32_t a[4], h = world_hash(s);
	char src[64];
	struct pkt_outer o = {.dst = backend,
			      .ttl = 64,
			      .flow_label = h & 0xfffff,
			      .dmac = MAC_ROUTER,
			      .smac = MAC_LB,
			      .src = src};

	world_outer_src(src, sizeof(src), pkt_addr(backend, a), h);
	return pkt_encap(out, in, &o);
}
