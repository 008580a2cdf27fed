// SPDX-License-Identifier: GPL-2.0
/* nlb-hc report format: the JSON of stream events, snapshots and the state
 * file (a snapshot is exactly what the state file holds). */
#include "hc.h"

static void vips(struct hc_buf *b, const struct hc_group *g)
{
	hc_buf_add(b, "[", 1);
	for (int i = 0; i < g->n_vips; i++) {
		if (i)
			hc_buf_add(b, ",", 1);
		hc_buf_json_str(b, g->vips[i]);
	}
	hc_buf_add(b, "]", 1);
}

void hc_report_event(struct hc_buf *b, uint64_t seq, const char *event,
		     const struct hc_group *g, enum hc_state prev)
{
	hc_buf_printf(b,
		      "{\"event\":\"%s\",\"seq\":%llu,\"time_ms\":%llu,"
		      "\"backend\":\"%s\",\"vips\":",
		      event, (unsigned long long)seq,
		      (unsigned long long)hc_wall_ms(), g->addr_str);
	vips(b, g);
	hc_buf_printf(b, ",\"state\":\"%s\",\"prev\":\"%s\",\"reason\":",
		      hc_state_name(g->state), hc_state_name(prev));
	hc_buf_json_str(b, g->reason);
	hc_buf_add(b, ",\"check\":", 9);
	hc_buf_json_str(b, g->check);
	hc_buf_printf(b, ",\"latency_us\":%u}\n", g->latency_us);
}

static void group(struct hc_buf *b, const struct hc_group *g)
{
	hc_buf_printf(b, "{\"backend\":\"%s\",\"vips\":", g->addr_str);
	vips(b, g);
	hc_buf_printf(b, ",\"combine\":\"%s\",\"state\":\"%s\",\"reason\":",
		      g->combine == HC_COMBINE_ALL ? "all" : "any",
		      hc_state_name(g->state));
	hc_buf_json_str(b, g->reason);
	hc_buf_add(b, ",\"check\":", 9);
	hc_buf_json_str(b, g->check);
	hc_buf_printf(b, ",\"latency_us\":%u,\"since_ms\":%llu,\"checks\":[",
		      g->latency_us, (unsigned long long)g->since_ms);
	for (int i = 0; i < g->n_probes; i++) {
		const struct hc_probe *p = g->probes[i];

		hc_buf_printf(b, "%s{\"check\":", i ? "," : "");
		hc_buf_json_str(b, p->name);
		hc_buf_printf(b, ",\"state\":\"%s\",\"reason\":",
			      hc_state_name(p->fsm.state));
		hc_buf_json_str(b, p->reason);
		hc_buf_printf(b, ",\"latency_us\":%u}", p->latency_us);
	}
	hc_buf_add(b, "]}", 2);
}

void hc_report_snapshot(struct hc_buf *b, const struct hc_ctx *ctx)
{
	hc_buf_printf(b,
		      "{\"event\":\"snapshot\",\"seq\":%llu,"
		      "\"time_ms\":%llu,\"backends\":[",
		      (unsigned long long)ctx->seq,
		      (unsigned long long)hc_wall_ms());
	for (int i = 0; i < ctx->n_groups; i++) {
		if (i)
			hc_buf_add(b, ",", 1);
		group(b, ctx->groups[i]);
	}
	hc_buf_add(b, "]}\n", 3);
}
