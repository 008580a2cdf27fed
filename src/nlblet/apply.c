// SPDX-License-Identifier: GPL-2.0
/* nlblet's reconcile step: the desired state, with nlb-hc's health, into
 * the maps (and the matching nlb-hc configuration). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nlblet.h"

static long long synced_gen(const struct nlblet *n, const char *id)
{
	for (size_t i = 0; i < n->n_synced; i++)
		if (!strcmp(n->synced[i].id, id))
			return n->synced[i].gen;
	return 0;
}

int nlblet_apply(struct nlblet *n, char *doc)
{
	struct nlb_reconcile_result res = {0};
	struct nlblet_assign a;
	struct nlblet_synced *s;
	char err[256] = "";
	int e;

	if (!doc && !n->assign_json)
		return 0;
	e = nlblet_assign_parse(doc ?: n->assign_json, nlblet_hcstate_health,
				&n->hc, &a, err, sizeof(err));
	if (e) {
		/* fail static: the maps keep what they have, and the report
		 * stays that of the last document applied */
		nlb_logf(&n->log, NLB_LOG_ERROR,
			 "event=assignments_rejected revision=%lld "
			 "reason=\"%s\" "
			 "err=%d action=keep_maps",
			 n->revision, err, e);
		free(doc);
		return e;
	}
	if (doc) {
		free(n->assign_json);
		n->assign_json = doc;
	}
	for (size_t i = 0; i < a.n_vips; i++)
		if (a.vips[i].err)
			nlb_logf(&n->log, NLB_LOG_WARN,
				 "event=vip_rejected id=%s reason=\"%s\"",
				 a.vips[i].id, a.vips[i].errmsg);
	e = nlb_reconcile(&n->ops, a.want, a.n_want, &res);
	nlb_logf(&n->log, e ? NLB_LOG_ERROR : NLB_LOG_INFO,
		 "event=reconciled revision=%lld vips=%zu added=%u removed=%u "
		 "rebuilt=%u backends_written=%u backends_removed=%u err=%d",
		 n->revision, a.n_want, res.vips_added, res.vips_removed,
		 res.vips_rebuilt, res.backends_written, res.backends_removed,
		 e);
	s = calloc(a.n_vips ? a.n_vips : 1, sizeof(*s));
	if (!s) {
		nlblet_assign_free(&a);
		return -ENOMEM;
	}
	for (size_t i = 0; i < a.n_vips; i++) {
		strcpy(s[i].id, a.vips[i].id);
		if (a.vips[i].err)
			s[i].gen = 0;
		else if (e) /* what was synced before, if anything */
			s[i].gen = synced_gen(n, a.vips[i].id);
		else
			s[i].gen = a.vips[i].generation;
	}
	free(n->synced);
	n->synced = s;
	n->n_synced = a.n_vips;
	nlblet_assign_free(&a);
	nlblet_write_hc_config(n);
	return e;
}
