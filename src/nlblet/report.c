// SPDX-License-Identifier: GPL-2.0
/* The status report to the gateway: sent when it changed, or every status
 * interval. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nlblet.h"
#include "nlblet_status.h"

/* the rendered report with the node's BGP object added */
static char *with_bgp(const struct nlblet *n, char *body)
{
	char *bgp = nlblet_bgp_report(n), *out;
	cJSON *doc, *b;

	if (!bgp)
		return body;
	doc = cJSON_Parse(body);
	b = cJSON_Parse(bgp);
	free(bgp);
	if (!doc || !b) {
		cJSON_Delete(doc);
		cJSON_Delete(b);
		return body;
	}
	cJSON_AddItemToObject(doc, "bgp", b);
	out = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	if (!out)
		return body;
	free(body);
	return out;
}

char *nlblet_report_render(struct nlblet *n)
{
	long long *gens, now = nlblet_now_ms();
	bool *adv;
	char *body = NULL;
	int e;

	if (!n->effective_json)
		return NULL;
	gens = calloc(n->n_synced + 1, sizeof(*gens));
	adv = calloc(n->n_synced + 1, sizeof(*adv));
	if (!gens || !adv) {
		free(gens);
		free(adv);
		return NULL;
	}
	/* synced[] is in the order of the effective document's VIPs */
	for (size_t i = 0; i < n->n_synced; i++) {
		gens[i] = n->synced[i].gen;
		adv[i] = n->synced[i].advertised;
	}
	e = nlblet_status_render(n->effective_json, gens, adv, n->n_synced,
				 &n->hc, &body);
	free(gens);
	free(adv);
	if (e) {
		nlb_logf(&n->log, NLB_LOG_ERROR,
			 "event=status_render_failed err=%d", e);
		return NULL;
	}
	body = with_bgp(n, body);
	if (n->last_status && !strcmp(body, n->last_status) &&
	    now - n->last_status_ms < n->o.status_interval_ms) {
		free(body);
		return NULL;
	}
	return body;
}

int nlblet_report_send(struct nlblet *n, char *body)
{
	int e = nlblet_put_status(n, body);

	pthread_mutex_lock(&n->mu);
	if (e) {
		free(body);
	} else {
		free(n->last_status);
		n->last_status = body;
		n->last_status_ms = nlblet_now_ms();
	}
	pthread_mutex_unlock(&n->mu);
	return e;
}
