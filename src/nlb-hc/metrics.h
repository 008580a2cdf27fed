/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-hc metrics: the counters and histograms, and their Prometheus text. */
#ifndef HC_METRICS_H
#define HC_METRICS_H

#include <stdint.h>

#include "hc_buf.h"

#define HC_HIST_BUCKETS 14
#define HC_TLS_KINDS 8

struct hc_hist {
	uint64_t le[HC_HIST_BUCKETS + 1]; /* last one is +Inf */
	uint64_t count;
	double sum; /* seconds */
};

struct hc_metrics {
	uint64_t checks[4][2]; /* [type][pass] */
	struct hc_hist latency[4];
	struct hc_hist lag;
	uint64_t state_changes;
	uint64_t missed;
	int64_t open_sockets;
	uint64_t reloads_ok, reloads_failed;
	uint64_t stream_clients_dropped;
	uint64_t tls_handshakes, tls_resumed;
	/* handshakes by what they negotiated, in order of first sight */
	struct hc_tls_kind {
		const char *version, *key_exchange; /* static strings */
		uint64_t n;
	} tls_kinds[HC_TLS_KINDS];
};

void hc_hist_observe(struct hc_hist *h, uint64_t ns);
/* The smallest bucket bound that holds at least q of the observations. */
double hc_hist_quantile(const struct hc_hist *h, double q);

/* Counts a handshake that negotiated version and key exchange; past
 * HC_TLS_KINDS - 1 distinct pairs, the rest count as ("other", "other"). */
void hc_metrics_tls(struct hc_metrics *m, const char *version,
		    const char *key_exchange);

void hc_metrics_render(struct hc_buf *b, const struct hc_metrics *m,
		       int n_probes, int n_groups, int groups_up);

#endif /* HC_METRICS_H */
