/* SPDX-License-Identifier: GPL-2.0 */
/* The scheduler's controller: one step reads nodes, load balancers and
 * placements from the store, runs sched_place, and writes the changes;
 * it also expires load balancers and finishes their deletion. Leader
 * election through the store keeps exactly one scheduler acting. */
#ifndef NLB_SCHED_CTL_H
#define NLB_SCHED_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include "gw.h"
#include "store_kv.h"

struct sched_ctl {
	struct gw gw; /* the store plus the shared finalize path */
	int64_t heartbeat_timeout_ms;
	/* a drained node holds a VIP at most this long for its other nodes
	 * to advertise it */
	int64_t drain_timeout_ms;
	int64_t lease_ms;
	char holder[96];
	int64_t lease_until_ms; /* when we last won, +lease */
	/* when this scheduler took the lead: a node's heartbeat counts as no
	 * older than this, since nobody watched the nodes before (a control
	 * plane that was down for a minute must not expire every node) */
	int64_t led_since_ms;
};

struct sched_stats {
	int nodes, ready, lbs;
	int moved; /* placements written */
	int short_; /* VIPs with fewer nodes than replicas */
	int draining; /* drained nodes still heartbeating */
	int held; /* VIPs a draining node still holds */
	int expired; /* marked for deletion because expiresAt passed */
	int finalized;
};

int sched_ctl_init(struct sched_ctl *c, struct store *st, const char *holder);
void sched_ctl_fini(struct sched_ctl *c);
/* Try to take or keep the leadership; 1 leader, 0 follower, <0 error. */
int sched_ctl_lead(struct sched_ctl *c);
/* Gives the lease up (on shutdown), so a standby takes over at once. */
void sched_ctl_resign(struct sched_ctl *c);
int sched_ctl_step(struct sched_ctl *c, struct sched_stats *s);

#endif /* NLB_SCHED_CTL_H */
