/* SPDX-License-Identifier: GPL-2.0 */
/* The gateway's assignments document (docs/api.md, "Nodes") turned into the
 * desired forwarder state: one struct nlb_want_vip per listener, with the
 * health of each backend taken from a caller's lookup. */
#ifndef NLB_NLBLET_ASSIGN_H
#define NLB_NLBLET_ASSIGN_H

#include <stddef.h>
#include <linux/types.h>
#include "reconcile.h"

#define NLBLET_ID_MAX 201
#define NLBLET_ERR_MAX 200

/* Health of one backend of one listener. key is the listener's check key
 * (nlblet_listener_key), addr the address health checks go to (the
 * backend's monitorAddress, else its address). */
typedef enum nlb_health (*nlblet_health_fn)(void *arg, const char *key,
					    const char *addr);

/* One assigned load balancer. */
struct nlblet_vip {
	char id[NLBLET_ID_MAX];
	long long generation;
	/* 0, or why this VIP cannot be programmed (it then has no wants) */
	int err;
	char errmsg[NLBLET_ERR_MAX];
	unsigned panic_pct; /* panicThresholdPercent; 0: off */
	int panic; /* a listener is below it (its want[].panic is set) */
	size_t first, n; /* its listeners: want[first .. first + n) */
};

struct nlblet_assign {
	long long revision;
	struct nlblet_vip *vips;
	size_t n_vips;
	struct nlb_want_vip *want; /* one per listener of every good VIP */
	__u8 *monitored; /* per want: its listener has a healthCheck */
	size_t n_want;
	struct nlb_want_backend *backends; /* storage behind want[].backends */
	size_t n_backends;
};

/* Parses json into out (owned; nlblet_assign_free). health may be NULL
 * (every backend UNKNOWN). Returns 0, or -EINVAL with a message naming the
 * field in err, or -ENOMEM. A VIP the data path cannot express (a port
 * range over NLB_VIP_PORTS_MAX) is not an error of the document: it is kept
 * with vips[i].err. */
int nlblet_assign_parse(const char *json, nlblet_health_fn health, void *arg,
			struct nlblet_assign *out, char *err, size_t errlen);
void nlblet_assign_free(struct nlblet_assign *a);

/* Whether a listener with these backends is in panic: some backends take
 * new flows by admin state (enabled, weight > 0), and fewer than pct % of
 * them are healthy (not down: unknown is forwarded to, so it counts).
 * pct 0 is off. */
int nlblet_panic(const struct nlb_want_backend *b, size_t n, unsigned pct);

/* The key that names a listener of VIP id in nlb-hc's configuration and
 * state ("acme/web:443/TCP"; hashed when longer than nlb-hc allows). */
void nlblet_listener_key(char *buf, size_t len, const char *id, long port,
			 const char *proto);

#endif /* NLB_NLBLET_ASSIGN_H */
