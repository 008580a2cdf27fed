/* SPDX-License-Identifier: GPL-2.0 */
/* nlblet's context, made in main and passed down, and the calls between
 * its files. */
#ifndef NLBLET_H
#define NLBLET_H

#include <stddef.h>

#include "cp_httpc.h"
#include "dp.h"
#include "log.h"
#include "nlblet_assign.h"
#include "nlblet_hcstate.h"
#include "reconcile.h"

struct nlblet_opts {
	const char *gateway, *token_file, *node, *zone, *iface, *pin_dir;
	const char *hc_config, *hc_state;
	int status_interval_ms, poll_ms;
};

/* The generation of a VIP last programmed into the maps. */
struct nlblet_synced {
	char id[NLBLET_ID_MAX];
	long long gen;
};

struct nlblet {
	struct nlblet_opts o;
	struct nlb_log log;
	struct cp_httpc *http;
	struct nlb_dp *dp;
	struct nlb_node_ops ops;
	int registered;
	long long last_hb_ms, last_status_ms;
	/* desired state: the last assignments document and its revision */
	char *assign_json;
	long long revision;
	/* nlb-hc: the configuration last written, the state last read */
	char *hc_conf;
	char *hc_state_text;
	struct nlblet_hcstate hc;
	struct nlblet_synced *synced;
	size_t n_synced;
	char *last_status;
};

long long nlblet_now_ms(void);

/* gateway.c: the node API. Each returns 0, the HTTP status when it is not
 * a success, or -errno when the gateway could not be reached. */
int nlblet_register(struct nlblet *n);
int nlblet_heartbeat(struct nlblet *n);
/* 0 with *doc (malloc'ed) when the desired state moved, 1 when unchanged */
int nlblet_poll(struct nlblet *n, char **doc);
int nlblet_put_status(struct nlblet *n, const char *body);

/* apply.c: the desired state into maps and nlb-hc's configuration. doc
 * (taken over; NULL: the current one again, with new health) becomes the
 * current document unless it is rejected. */
int nlblet_apply(struct nlblet *n, char *doc);

/* hc.c: writes nlb-hc's configuration for the current document when it
 * differs from the last written; re-reads nlb-hc's state file, 1 when it
 * changed */
int nlblet_write_hc_config(struct nlblet *n);
int nlblet_read_hc_state(struct nlblet *n);

/* report.c: the status report, sent when it changed or every status
 * interval */
int nlblet_report(struct nlblet *n);

/* files.c: the whole file into *out (malloc'ed, NUL-terminated); text
 * written to PATH.tmp, then renamed over PATH */
int nlblet_read_file(const char *path, char **out);
int nlblet_write_atomic(const char *path, const char *text);

#endif /* NLBLET_H */
