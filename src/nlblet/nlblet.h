/* SPDX-License-Identifier: GPL-2.0 */
/* nlblet's context, made in main and passed down, and the calls between
 * its files. */
#ifndef NLBLET_H
#define NLBLET_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "bgp_apply.h"
#include "bgp_config.h"
#include "bgp_status.h"
#include "cp_httpc.h"
#include "dp.h"
#include "log.h"
#include "nlblet_assign.h"
#include "nlblet_hcstate.h"
#include "reconcile.h"

struct nlblet_opts {
	const char *gateway, *token_file, *node, *zone, *iface, *pin_dir;
	const char *hc_config, *hc_state, *hc_bin, *hc_stream, *hc_metrics;
	/* outer source prefixes; plen 0: leave the maps' value */
	__be32 src_v4[4], src_v6[4];
	__u8 src_v4_plen, src_v6_plen;
	int status_interval_ms, poll_ms;
	__u32 xdp_flags; /* --xdp-mode */
	/* BGP: off when bgp_asn is 0 */
	uint32_t bgp_asn;
	const char *bgp_router_id, *bgp_state_dir;
	struct bgp_frr frr;
	struct bgp_neighbor neighbors[BGP_MAX_NEIGHBORS];
	char neighbor_addr[BGP_MAX_NEIGHBORS][64];
	size_t n_neighbors;
	int bfd_interval_ms, withdraw_wait_ms;
};

/* The generation of a VIP last programmed into the maps. */
struct nlblet_synced {
	char id[NLBLET_ID_MAX];
	long long gen;
	char prefix[64]; /* "" when it has no address in the maps */
	bool advertised; /* its prefix is in bgpd's table */
	bool panic; /* below its panic threshold at the last reconcile */
};

/* A VIP gone from the assignments whose maps stay until its prefix has
 * been withdrawn for --withdraw-wait-ms (make before break, backwards). */
struct nlblet_linger {
	char id[NLBLET_ID_MAX];
	char *vip_json; /* its object in the last document that had it */
	char prefix[64];
	long long withdrawn_ms; /* 0 until a BGP apply without it succeeded */
};

/* What bgpd should advertise, what it was last told, and how that went.
 * A thread of its own talks to FRR (a reload takes seconds), so neither the
 * maps nor the gateway ever wait for it. */
struct nlblet_bgp {
	struct bgp_applier *ap;
	pthread_cond_t wake;
	char **want; /* wanted by the last reconcile */
	size_t n_want;
	bool want_drained;
	unsigned long want_gen, done_gen;
	char *text; /* the configuration applied last (NULL: none yet) */
	char **prefixes; /* advertised: in bgpd's table after that apply */
	size_t n_prefixes;
	long long next_try_ms; /* after a failure, retry the same text then */
	long long verified_ms; /* the last time bgpd was checked */
	bool ok; /* the last apply succeeded */
	char step[16], err[512];
	long long at_ms; /* wall clock of the last apply */
	struct bgp_session sessions[BGP_MAX_NEIGHBORS];
	int n_sessions;
	long long sessions_ms;
};

struct nlblet {
	struct nlblet_opts o;
	struct nlb_log log;
	struct cp_httpc *http, *hb_http; /* the main loop's, heartbeats' */
	struct nlb_dp *dp;
	struct nlb_node_ops ops;
	int registered; /* atomic: the heartbeat thread clears it on 404 */
	long long last_status_ms;
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
	/* the document last applied: assign_json plus the lingering VIPs */
	char *effective_json;
	struct nlblet_linger *linger;
	size_t n_linger;
	bool drained; /* the assignments say the node is drained */
	struct nlblet_bgp bgp;
	long long last_full_ms; /* the last periodic reconcile */
	/* nlb-hc run by nlblet (--hc-bin) */
	pid_t hc_pid;
	bool hc_adopted; /* found running at start: not our child */
	long long hc_restart_ms;
	/* the event stream thread and the main loop take turns on all of the
	 * above; only the main loop talks to the gateway */
	pthread_mutex_t mu;
	volatile sig_atomic_t *stop; /* set by SIGTERM/SIGINT */
	bool stream_up; /* the stream feeds health: skip the state file */
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

/* bgp.c: nlblet_bgp_want (under n->mu) hands the thread the prefixes to
 * advertise (with the drain policy when n->drained); the thread applies
 * the latest set, keeping the last good configuration when that fails,
 * re-verifies it every few seconds, reads the sessions, and afterwards
 * marks what bgpd has in n->synced[].advertised and n->linger. */
int nlblet_bgp_start(struct nlblet *n);
void nlblet_bgp_want(struct nlblet *n, const char *const *want, size_t n_want);
bool nlblet_bgp_has(const struct nlblet *n, const char *prefix);
/* under n->mu: advertised flags and lingering VIPs' withdrawal from what
 * bgpd has now */
void nlblet_bgp_mark(struct nlblet *n);
/* the "bgp" object of the status report (NULL without BGP) */
char *nlblet_bgp_report(const struct nlblet *n);
void nlblet_bgp_free(struct nlblet *n);

/* main.c: heartbeats from a thread of their own, so that nothing the main
 * loop waits for makes the gateway think the node is gone */
int nlblet_heartbeats_start(struct nlblet *n);
/* a detached thread running fn(arg); 0 or -errno */
int nlblet_spawn(void *(*fn)(void *), void *arg);

/* hcproc.c: starts nlb-hc (--hc-bin) once its configuration exists, adopts
 * one left running by an earlier nlblet, restarts it when it exits. */
void nlblet_hc_supervise(struct nlblet *n);

/* hcstream.c: a thread following nlb-hc's event stream; each batch of
 * events goes into n->hc and through nlblet_apply at once. */
int nlblet_hc_stream_start(struct nlblet *n);

/* hc.c: writes nlb-hc's configuration for the current document when it
 * differs from the last written; re-reads nlb-hc's state file, 1 when it
 * changed */
int nlblet_write_hc_config(struct nlblet *n);
int nlblet_read_hc_state(struct nlblet *n);

/* report.c: the status report, rendered under n->mu when it changed or
 * the status interval passed (NULL: nothing to send), and sent without
 * it: a slow gateway must not hold up health in the maps */
char *nlblet_report_render(struct nlblet *n);
int nlblet_report_send(struct nlblet *n, char *body);

/* files.c: the whole file into *out (malloc'ed, NUL-terminated); text
 * written to PATH.tmp, then renamed over PATH */
int nlblet_read_file(const char *path, char **out);
int nlblet_write_atomic(const char *path, const char *text);

#endif /* NLBLET_H */
