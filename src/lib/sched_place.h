/* SPDX-License-Identifier: GPL-2.0 */
/* VIP placement, pure: given nodes and each VIP's current nodes, choose
 * `replicas` ready nodes per VIP, distinct zones first, then the least
 * loaded, within capacity, keeping every placement that is still good. */
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
	int load; /* out: VIPs placed on it */
};

struct sched_vip {
	const char *id;
	int replicas;
	const char *const *zones; /* allowed zones; nzones == 0: any */
	int nzones;
	int cur[SCHED_MAX_REPLICAS]; /* in: node indexes it is on now */
	int ncur;
	int out[SCHED_MAX_REPLICAS]; /* out: node indexes it should be on */
	int nout;
	bool changed; /* out: the set differs from cur */
};

/* Places every VIP; returns how many got fewer than `replicas` nodes. */
int sched_place(struct sched_node *nodes, size_t nn, struct sched_vip *vips,
		size_t nv);

#endif /* NLB_SCHED_PLACE_H */
