/* SPDX-License-Identifier: GPL-2.0 */
/* bgpd's configuration for an LB node, rendered as FRR text from a struct.
 *
 * The node originates one /32 or /128 per advertised VIP (network statements,
 * so no local route is needed), accepts nothing from its peers, and sends its
 * VIPs through one outbound route-map that carries the drain policy. Each
 * neighbor's session carries the address family of its address. Output is
 * deterministic: neighbors, VIPs and communities are sorted, so the same
 * input gives the same bytes on every node and every run.
 */
#ifndef NLB_BGP_CONFIG_H
#define NLB_BGP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BGP_MAX_NEIGHBORS 64
#define BGP_MAX_VIPS 65536
#define BGP_MAX_COMMUNITIES 16
#define BGP_MAX_PREPEND 10

struct bgp_neighbor {
	const char *address; /* IPv4 or IPv6, no prefix length */
	uint32_t remote_asn;
	bool bfd; /* BFD with struct bgp_config's bfd timers */
};

struct bgp_vip {
	/* "192.0.2.10/32", "2001:db8::10/128", or a bare address */
	const char *prefix;
	/* standard communities: "ASN:VALUE" (each 0..65535) or one of
	 * no-export, no-advertise, local-AS, no-peer, blackhole,
	 * graceful-shutdown */
	const char *const *communities;
	size_t n_communities;
};

/* 0 in a field: FRR's default (detect 3, 300 ms each way). */
struct bgp_bfd_timers {
	uint32_t detect_mult; /* 2..255 */
	uint32_t rx_ms; /* 10..60000 */
	uint32_t tx_ms; /* 10..60000 */
};

/* Node drain: make the peers prefer other nodes before the VIPs are
 * withdrawn. Any combination; all false/0 is a node in service. */
struct bgp_drain {
	/* RFC 8326: GRACEFUL_SHUTDOWN community (and local-pref 0) on every
	 * route sent ("bgp graceful-shutdown") */
	bool graceful_shutdown;
	bool set_med; /* MED: compared between nodes of one AS */
	uint32_t med;
	bool set_local_pref; /* only iBGP peers see it */
	uint32_t local_pref;
	uint32_t as_path_prepend; /* 0..BGP_MAX_PREPEND times the local AS */
};

struct bgp_config {
	uint32_t local_asn; /* 1..4294967295 */
	const char *router_id; /* IPv4 address */
	const char *hostname; /* optional: FRR's hostname */
	/* session timers in seconds; 0: FRR's defaults. keepalive and hold
	 * are set together, hold >= 3 * keepalive. */
	uint32_t keepalive_s, hold_s;
	uint32_t connect_retry_s; /* 0: FRR's default (120 s) */
	struct bgp_bfd_timers bfd;
	const struct bgp_neighbor *neighbors;
	size_t n_neighbors; /* 1..BGP_MAX_NEIGHBORS */
	const struct bgp_vip *vips;
	size_t n_vips; /* 0..BGP_MAX_VIPS */
	struct bgp_drain drain;
};

/* Check every field. 0, or -EINVAL with the offending field named in err
 * (e.g. "vips[3].prefix: 10.0.0.0/24: only /32 and /128 are advertised"). */
int bgp_config_validate(const struct bgp_config *c, char *err, size_t errlen);

/* Validate, then write the configuration into buf (NUL-terminated).
 * Returns its length; -EINVAL (err says why); -ENOSPC when size is too
 * small (err says how much is needed); -ENOMEM. */
int bgp_config_render(const struct bgp_config *c, char *buf, size_t size,
		      char *err, size_t errlen);

#endif /* NLB_BGP_CONFIG_H */
