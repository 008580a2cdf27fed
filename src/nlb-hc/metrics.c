// SPDX-License-Identifier: GPL-2.0
/* nlb-hc metrics: histogram bookkeeping and the Prometheus text format. */
#include "metrics.h"

#include <stdio.h>
#include <string.h>

#include "hc_config.h"

/* seconds; from a fast loopback connect to a slow TLS handshake */
static const double bounds[HC_HIST_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025,	0.05,	 0.1,	 0.25,	0.5,	1,     2.5,
};

void hc_hist_observe(struct hc_hist *h, uint64_t ns)
{
	double s = ns / 1e9;
	int i = 0;

	while (i < HC_HIST_BUCKETS && s > bounds[i])
		i++;
	h->le[i]++;
	h->count++;
	h->sum += s;
}

double hc_hist_quantile(const struct hc_hist *h, double q)
{
	uint64_t acc = 0;

	for (int i = 0; i < HC_HIST_BUCKETS; i++) {
		acc += h->le[i];
		if (acc >= q * h->count)
			return bounds[i];
	}
	return 1e9;
}

static void hist(struct hc_buf *b, const char *name, const char *labels,
		 const struct hc_hist *h)
{
	uint64_t acc = 0;

	for (int i = 0; i < HC_HIST_BUCKETS; i++) {
		acc += h->le[i];
		hc_buf_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name,
			      labels, *labels ? "," : "", bounds[i],
			      (unsigned long long)acc);
	}
	hc_buf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels,
		      *labels ? "," : "", (unsigned long long)h->count);
	if (*labels)
		hc_buf_printf(b, "%s_sum{%s} %.6f\n%s_count{%s} %llu\n", name,
			      labels, h->sum, name, labels,
			      (unsigned long long)h->count);
	else
		hc_buf_printf(b, "%s_sum %.6f\n%s_count %llu\n", name, h->sum,
			      name, (unsigned long long)h->count);
}

void hc_metrics_tls(struct hc_metrics *m, const char *version,
		    const char *key_exchange)
{
	struct hc_tls_kind *k = m->tls_kinds;
	int i;

	for (i = 0; i < HC_TLS_KINDS - 1 && k[i].version; i++)
		if (!strcmp(k[i].version, version) &&
		    !strcmp(k[i].key_exchange, key_exchange)) {
			k[i].n++;
			return;
		}
	/* the last slot is for whatever did not fit */
	if (i == HC_TLS_KINDS - 1)
		version = key_exchange = "other";
	k[i].version = version;
	k[i].key_exchange = key_exchange;
	k[i].n++;
}

void hc_metrics_render(struct hc_buf *b, const struct hc_metrics *m,
		       int n_probes, int n_groups, int groups_up)
{
	char labels[32];

	hc_buf_printf(b, "# HELP nlb_hc_checks_total Checks completed, by "
			 "type and result.\n"
			 "# TYPE nlb_hc_checks_total counter\n");
	for (int t = 0; t < 4; t++)
		for (int ok = 0; ok < 2; ok++)
			hc_buf_printf(b,
				      "nlb_hc_checks_total{type=\"%s\","
				      "result=\"%s\"} %llu\n",
				      hc_type_name(t), ok ? "pass" : "fail",
				      (unsigned long long)m->checks[t][ok]);
	hc_buf_printf(b, "# HELP nlb_hc_check_latency_seconds Time from "
			 "sending the probe to its result.\n"
			 "# TYPE nlb_hc_check_latency_seconds histogram\n");
	for (int t = 0; t < 4; t++) {
		snprintf(labels, sizeof(labels), "type=\"%s\"",
			 hc_type_name(t));
		hist(b, "nlb_hc_check_latency_seconds", labels, &m->latency[t]);
	}
	hc_buf_printf(b, "# HELP nlb_hc_schedule_lag_seconds How late probes "
			 "started against their slot.\n"
			 "# TYPE nlb_hc_schedule_lag_seconds histogram\n");
	hist(b, "nlb_hc_schedule_lag_seconds", "", &m->lag);
	hc_buf_printf(
		b,
		"# HELP nlb_hc_missed_checks_total Slots skipped because "
		"the agent was a whole interval late.\n"
		"# TYPE nlb_hc_missed_checks_total counter\n"
		"nlb_hc_missed_checks_total %llu\n"
		"# HELP nlb_hc_state_changes_total Backend state changes "
		"sent on the event stream.\n"
		"# TYPE nlb_hc_state_changes_total counter\n"
		"nlb_hc_state_changes_total %llu\n"
		"# HELP nlb_hc_open_sockets Probe sockets open now.\n"
		"# TYPE nlb_hc_open_sockets gauge\n"
		"nlb_hc_open_sockets %lld\n"
		"# HELP nlb_hc_probes Distinct checks scheduled.\n"
		"# TYPE nlb_hc_probes gauge\n"
		"nlb_hc_probes %d\n"
		"# HELP nlb_hc_backends Backend states kept, and how many "
		"are up.\n"
		"# TYPE nlb_hc_backends gauge\n"
		"nlb_hc_backends{state=\"any\"} %d\n"
		"nlb_hc_backends{state=\"up\"} %d\n"
		"# HELP nlb_hc_config_reloads_total Configuration loads.\n"
		"# TYPE nlb_hc_config_reloads_total counter\n"
		"nlb_hc_config_reloads_total{result=\"ok\"} %llu\n"
		"nlb_hc_config_reloads_total{result=\"rejected\"} %llu\n"
		"# HELP nlb_hc_stream_clients_dropped_total Stream clients "
		"cut off for not reading.\n"
		"# TYPE nlb_hc_stream_clients_dropped_total counter\n"
		"nlb_hc_stream_clients_dropped_total %llu\n"
		"# HELP nlb_hc_tls_handshakes_total TLS handshakes completed, "
		"and how many resumed a session.\n"
		"# TYPE nlb_hc_tls_handshakes_total counter\n"
		"nlb_hc_tls_handshakes_total{resumed=\"no\"} %llu\n"
		"nlb_hc_tls_handshakes_total{resumed=\"yes\"} %llu\n",
		(unsigned long long)m->missed,
		(unsigned long long)m->state_changes,
		(long long)m->open_sockets, n_probes, n_groups, groups_up,
		(unsigned long long)m->reloads_ok,
		(unsigned long long)m->reloads_failed,
		(unsigned long long)m->stream_clients_dropped,
		(unsigned long long)(m->tls_handshakes - m->tls_resumed),
		(unsigned long long)m->tls_resumed);
	hc_buf_printf(b, "# HELP nlb_hc_tls_negotiated_total TLS handshakes "
			 "completed, by protocol version and key exchange "
			 "(none: a resumption without one).\n"
			 "# TYPE nlb_hc_tls_negotiated_total counter\n");
	for (int i = 0; i < HC_TLS_KINDS && m->tls_kinds[i].version; i++)
		hc_buf_printf(b,
			      "nlb_hc_tls_negotiated_total{version=\"%s\","
			      "key_exchange=\"%s\"} %llu\n",
			      m->tls_kinds[i].version,
			      m->tls_kinds[i].key_exchange,
			      (unsigned long long)m->tls_kinds[i].n);
}
