/* SPDX-License-Identifier: GPL-2.0 */
/* The VIPs and backends the forwarder tests share, and the flow arithmetic
 * of the ABI (hash, outer source) recomputed for expected frames. */
#ifndef NLB_TEST_WORLD_H
#define NLB_TEST_WORLD_H

#include "xdpfix.h"

/* vip ids and backend ids of world_setup(); every VIP has one backend,
 * so a row can name where its packet must go. */
enum {
	W_VIP4_HTTP = 1, /* VIP4:80/tcp -> BACKEND1, takes VIP4's tcp frags */
	W_VIP4_DNS = 2, /* VIP4:53/udp -> BACKEND2, takes VIP4's udp frags */
	W_VIP4_ALL = 3, /* VIP4_ALLPORTS:any/tcp -> BACKEND3 */
	W_VIP4_EMPTY = 4, /* VIP4_EMPTY:80/tcp, no table */
	W_VIP6_HTTPS = 5, /* VIP6:443/tcp -> BACKEND6_1 */
	W_VIP6_DNS = 6, /* VIP6:53/udp -> BACKEND6_2, and VIP6's udp frags */
	W_VIP4_IN6 = 7, /* VIP4:443/tcp -> BACKEND6_1 (IPv4 in IPv6) */
	W_VIP6_BAD = 8, /* VIP6_V4BE:80/tcp -> BACKEND1: wrong family */
};

/* Outer sources: 10.200.0.0/16 and 2001:db8:1b::/64. */
#define W_SRC4 "10.200.0.0"
#define W_SRC6 "2001:db8:1b::"

int world_setup(struct xdpfix *f);

/* The hash of the flow a spec's packet belongs to (ports 0 for fragments,
 * the quoted flow reversed for ICMP errors). */
uint32_t world_hash(const struct pkt_spec *s);
/* The frame the forwarder must send for in toward backend, with the
 * world's default config (MACs from the frame, TTL 64). */
int world_encap(struct pkt *out, const struct pkt *in, const struct pkt_spec *s,
		const char *backend);
void world_outer_src(char *buf, size_t len, int family, uint32_t h);

#endif /* NLB_TEST_WORLD_H */
