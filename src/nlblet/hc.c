// SPDX-License-Identifier: GPL-2.0
/* nlb-hc's files on nlblet's side: the configuration written when it
 * changes, the state file re-read every pass. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nlblet.h"
#include "nlblet_hcconf.h"

int nlblet_write_hc_config(struct nlblet *n)
{
	char err[256] = "", *conf = NULL;
	int e;

	if (!n->o.hc_config)
		return 0;
	/* the effective document: a withdrawn VIP whose maps linger keeps its
	 * checks, so that if it comes back within --withdraw-wait-ms its
	 * health is known and it is advertised again at once */
	e = nlblet_hcconf_render(n->effective_json, &conf, err, sizeof(err));
	if (e) {
		nlb_logf(&n->log, NLB_LOG_ERROR,
			 "event=hc_config_failed reason=\"%s\" err=%d", err, e);
		return e;
	}
	/* after a restart: what an earlier nlblet wrote, so that an nlb-hc
	 * left running is not made to reload the same file */
	if (!n->hc_conf && nlblet_read_file(n->o.hc_config, &n->hc_conf))
		n->hc_conf = NULL;
	if (n->hc_conf && !strcmp(n->hc_conf, conf)) {
		free(conf);
		return 0;
	}
	e = nlblet_write_atomic(n->o.hc_config, conf);
	if (e) {
		nlb_logf(&n->log, NLB_LOG_ERROR,
			 "event=hc_config_failed file=%s err=%d",
			 n->o.hc_config, e);
		free(conf);
		return e;
	}
	nlb_logf(&n->log, NLB_LOG_INFO, "event=hc_config_written file=%s",
		 n->o.hc_config);
	free(n->hc_conf);
	n->hc_conf = conf;
	return 0;
}

int nlblet_read_hc_state(struct nlblet *n)
{
	struct nlblet_hcstate st;
	char err[256] = "", *text;
	int e;

	if (!n->o.hc_state)
		return 0;
	e = nlblet_read_file(n->o.hc_state, &text);
	if (e == -ENOENT) /* nlb-hc has not written one yet */
		return 0;
	if (e)
		return e;
	if (n->hc_state_text && !strcmp(text, n->hc_state_text)) {
		free(text);
		return 0;
	}
	e = nlblet_hcstate_parse(text, &st, err, sizeof(err));
	if (e) {
		nlb_logf(&n->log, NLB_LOG_WARN,
			 "event=hc_state_rejected file=%s reason=\"%s\"",
			 n->o.hc_state, err);
		free(text);
		return e;
	}
	free(n->hc_state_text);
	n->hc_state_text = text;
	nlblet_hcstate_keep_known(&st, &n->hc);
	nlblet_hcstate_free(&n->hc);
	n->hc = st;
	return 1;
}
