// SPDX-License-Identifier: GPL-2.0
/* The status report to the gateway: sent when it changed, or every status
 * interval. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nlblet.h"
#include "nlblet_status.h"

int nlblet_report(struct nlblet *n)
{
	long long *gens, now = nlblet_now_ms();
	char *body = NULL;
	int e;

	if (!n->assign_json)
		return 0;
	gens = calloc(n->n_synced ? n->n_synced : 1, sizeof(*gens));
	if (!gens)
		return -ENOMEM;
	/* synced[] is in the order of the document's VIPs */
	for (size_t i = 0; i < n->n_synced; i++)
		gens[i] = n->synced[i].gen;
	e = nlblet_status_render(n->assign_json, gens, n->n_synced, &n->hc,
				 &body);
	free(gens);
	if (e)
		return e;
	if (n->last_status && !strcmp(body, n->last_status) &&
	    now - n->last_status_ms < n->o.status_interval_ms) {
		free(body);
		return 0;
	}
	e = nlblet_put_status(n, body);
	if (e) {
		free(body);
		return e;
	}
	free(n->last_status);
	n->last_status = body;
	n->last_status_ms = now;
	return 0;
}
