/* SPDX-License-Identifier: GPL-2.0 */
/* The node's status report (docs/api.md, "Nodes": PUT status) built from
 * the assignments, what was synced, and nlb-hc's state. */
#ifndef NLB_NLBLET_STATUS_H
#define NLB_NLBLET_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include "nlblet_hcstate.h"

/* Renders the report for assignments document json. synced[i] is the
 * generation of the document's i-th VIP now in the maps (0: none),
 * advertised[i] (NULL: none is) whether bgpd advertises it; n their
 * length. Backends are reported only for listeners with a health check
 * (the gateway shows the others as unmonitored), with their health and
 * reason from hc (NULL: unknown). A VIP with a listener below its panic
 * threshold (nlblet_panic) has "panic": true. *out is malloc'ed. Returns 0,
 * -EINVAL or -ENOMEM. */
int nlblet_status_render(const char *json, const long long *synced,
			 const bool *advertised, size_t n,
			 const struct nlblet_hcstate *hc, char **out);

#endif /* NLB_NLBLET_STATUS_H */
