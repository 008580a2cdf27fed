/* SPDX-License-Identifier: GPL-2.0 */
/* Which VIPs a node may advertise: those whose maps are synced and that
 * have a backend able to take new flows that is healthy (or unmonitored). */
#ifndef NLB_NLBLET_ADVERT_H
#define NLB_NLBLET_ADVERT_H

#include <stdbool.h>
#include <stddef.h>
#include "nlblet_assign.h"

/* VIP i of a may be advertised: it could be programmed, synced_gen (the
 * generation in the maps) is its generation, and one of its listeners has
 * a backend in state ENABLED whose health is UP, or UNKNOWN on a listener
 * without a health check. */
bool nlblet_advert_vip(const struct nlblet_assign *a, size_t i,
		       long long synced_gen);

/* The VIP's prefix for BGP ("10.99.0.1/32", "fd00::1/128") into buf;
 * -ENOENT when the VIP has no listener programmed (no address known). */
int nlblet_advert_prefix(const struct nlblet_assign *a, size_t i, char *buf,
			 size_t len);

#endif /* NLB_NLBLET_ADVERT_H */
