// SPDX-License-Identifier: GPL-2.0
/* nlb-hc health: a probe's result through rise/fall to the states of the
 * backends that use it, and each change out as an event. */
#include <stdio.h>
#include <string.h>

#include "hc.h"

static void emit(struct hc_ctx *ctx, const char *event, struct hc_group *g,
		 enum hc_state prev)
{
	struct hc_buf *b = &ctx->scratch;
	char vips[256] = "";
	size_t n = 0;

	ctx->seq++;
	hc_buf_reset(b);
	hc_report_event(b, ctx->seq, event, g, prev);
	if (!b->err)
		hc_stream_broadcast(ctx, b->p, b->len);
	ctx->state_dirty = true;
	for (int i = 0; i < g->n_vips && n < sizeof(vips); i++)
		n += snprintf(vips + n, sizeof(vips) - n, "%s%s", i ? "," : "",
			      g->vips[i]);
	nlb_logf(&ctx->log, NLB_LOG_INFO,
		 "event=%s seq=%llu backend=%s vips=%s state=%s prev=%s "
		 "check=%s reason=\"%s\" latency_us=%u",
		 event, (unsigned long long)ctx->seq, g->addr_str, vips,
		 hc_state_name(g->state), hc_state_name(prev), g->check,
		 g->reason, g->latency_us);
}

void hc_health_group_eval(struct hc_ctx *ctx, struct hc_group *g,
			  const char *why)
{
	enum hc_state st[HC_MAX_CHECKS] = {0}, next, prev = g->state;
	struct hc_probe *cause = NULL;
	int n = g->n_probes;

	for (int i = 0; i < n; i++)
		st[i] = g->probes[i]->fsm.state;
	next = hc_combine_states(st, n, g->combine);
	if (next == prev) {
		if (why) /* same state, but VIPs changed: say so */
			emit(ctx, "state", g, prev);
		return;
	}
	/* the reason is the check that made the difference */
	for (int i = 0; i < n && !cause; i++)
		if (st[i] == next)
			cause = g->probes[i];
	g->state = next;
	g->since_ms = hc_wall_ms();
	if (cause) {
		snprintf(g->reason, sizeof(g->reason), "%s", cause->reason);
		snprintf(g->check, sizeof(g->check), "%s", cause->name);
		g->latency_us = cause->latency_us;
	}
	ctx->m.state_changes++;
	emit(ctx, "state", g, prev);
}

void hc_health_result(struct hc_ctx *ctx, struct hc_probe *p, bool ok)
{
	p->last_ok = ok;
	if (!hc_fsm_feed(&p->fsm, ok, p->chk.rise, p->chk.fall))
		return;
	for (int i = 0; i < p->n_groups; i++)
		hc_health_group_eval(ctx, p->groups[i], NULL);
}

void hc_health_group_removed(struct hc_ctx *ctx, struct hc_group *g)
{
	snprintf(g->reason, sizeof(g->reason), "removed from configuration");
	emit(ctx, "removed", g, g->state);
}
