/* SPDX-License-Identifier: GPL-2.0 */
/* BGP state read from FRR's JSON answers: the sessions with their BFD
 * state, and which prefixes this node originates. The parse functions are
 * pure (tests feed them recorded answers); the query ones ask vtysh. */
#ifndef NLB_BGP_STATUS_H
#define NLB_BGP_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "bgp_vtysh.h"

enum bgp_session_state {
	BGP_STATE_UNKNOWN,
	BGP_STATE_IDLE,
	BGP_STATE_CONNECT,
	BGP_STATE_ACTIVE,
	BGP_STATE_OPENSENT,
	BGP_STATE_OPENCONFIRM,
	BGP_STATE_ESTABLISHED,
};

struct bgp_session {
	char peer[64]; /* as FRR names it: an address or an interface */
	uint32_t remote_asn;
	enum bgp_session_state state;
	uint64_t uptime_ms; /* in the current state when Established */
	uint32_t pfx_sent, pfx_rcvd; /* summed over address families */
	char bfd[16]; /* "up", "down", "init", "adm-down"; "" without BFD */
};

const char *bgp_session_state_name(enum bgp_session_state s);

/* `show bgp summary json` (all address families; a peer in several counts
 * once). Fills at most max sessions sorted by peer, returns how many peers
 * there are (may exceed max); -EINVAL when the JSON is not FRR's. */
int bgp_status_parse_summary(const char *json, struct bgp_session *s,
			     size_t max, char *err, size_t errlen);

/* `show bfd peers json`: sets .bfd of the n sessions that have a BFD peer.
 * 0 or -EINVAL. */
int bgp_status_parse_bfd(const char *json, struct bgp_session *s, size_t n,
			 char *err, size_t errlen);

/* `show bgp ipv4|ipv6 unicast json`: 0 when the prefixes this node
 * originates (network statements: FRR's peer "(unspec)") are exactly the
 * wanted ones of that family (others in want are ignored); -ENOENT when a
 * wanted one is missing, -EEXIST when one that is not wanted is there (err
 * names it), -EINVAL on bad JSON or a bad wanted prefix. */
int bgp_status_check_originated(const char *json, int family,
				const char *const *want, size_t n_want,
				char *err, size_t errlen);

/* Both queries above through vtysh; a missing bfdd only leaves .bfd empty.
 * Returns the number of peers (may exceed max) or negative errno. */
int bgp_status_sessions(const struct bgp_frr *f, struct bgp_session *s,
			size_t max, char *err, size_t errlen);

#endif /* NLB_BGP_STATUS_H */
