/* SPDX-License-Identifier: GPL-2.0 */
/* VIP placement, pure: given nodes and each VIP's current nodes, choose
 * `replicas` ready nodes per VIP, distinct zones first, then the least
 * loaded, within capacity, keeping every placement that is still good, and
 * holding a draining node's VIPs until the other nodes advertise them. */
#ifndef NLB_SCHED_PLACE_H
#define NLB_SCHED_PLACE_H

#include <stdbool.h>
#include <stddef.h>

#define SCHED_MAX_REPLICAS 16

struct sched_node {
	const char *name;
	const char *zone;
	int capacity; /* VIPs it may host */
	bool ready; /* heartbeating and not drained */
	/* heartbeating but drained: gets nothing new, keeps what it has
	 * until the VIP's other nodes advertise it (or drain_expired) */
	bool draining;
	bool drain_expired; /* drained longer than the drain timeout */
	int load; /* out: VIPs placed on it */
};

struct sched_vip {
	const char *id;
	int replicas;
	const char *const *zones; /* allowed zones; nzones == 0: any */
	int nzones;
	int cur[SCHED_MAX_REPLICAS]; /* in: node indexes it is on now */
	/* in: cur[k] reports the VIP advertised at its current generation;
	 * only read for VIPs on a draining node */
	bool adv[SCHED_MAX_REPLICAS];
	int ncur;
	/* out: node indexes it should be on: the serving replicas first,
	 * then the `held` draining nodes not released yet */
	int out[SCHED_MAX_REPLICAS];
	int nout;
	int held;
	bool changed; /* out: the set differs from cur */
};

/* Places every VIP; returns how many got fewer than `replicas` serving
 * nodes (held draining nodes do not count). */
int sched_place(struct sched_node *nodes, size_t nn, struct sched_vip *vips,
		size_t nv);

#endif /* NLB_SCHED_PLACE_H */
