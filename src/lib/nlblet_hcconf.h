/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-hc's check configuration (docs/nlb-hc.md) rendered from the
 * assignments, keyed so that its state reads back per listener
 * (nlblet_hcstate.h). */
#ifndef NLB_NLBLET_HCCONF_H
#define NLB_NLBLET_HCCONF_H

#include <stddef.h>
#include <linux/types.h>
#include "nlblet_assign.h"

/* nlb-hc's configuration for every healthCheck of the assignments document
 * json: one backend entry per listener and backend, its vips the listener's
 * key (nlblet_listener_key), checking monitorAddress/monitorPort when set.
 * The same input gives the same bytes. *out is malloc'ed. Returns 0,
 * -EINVAL (message naming the field in err) or -ENOMEM. */
int nlblet_hcconf_render(const char *json, char **out, char *err,
			 size_t errlen);

#endif /* NLB_NLBLET_HCCONF_H */
