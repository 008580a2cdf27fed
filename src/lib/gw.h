/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-gateway's request handling: the context every handler gets, the
 * store layout, and the entry point that the HTTP server calls. */
#ifndef NLB_GW_H
#define NLB_GW_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cp_http.h"
#include "cp_json.h"
#include "gw_lb.h"
#include "store_kv.h"

/* Store layout (keys):
 *   tenant/<t>                 {name, dev, quotas}
 *   usage/<t>                  {loadBalancers, backends}
 *   token/<sha256 hex>         {role, tenant|node, id}
 *   pool/<p>                   {name, cidr, tenant}
 *   vip/<p>/<address>          {lb}            one per allocated VIP
 *   lb/<t>/<name>              {name, labels, spec, metadata, vip}
 *   placement/<t>/<name>       {nodes, error}   written by the scheduler
 *   nodeassign/<n>/<t>/<name>  {}               the same, indexed by node
 *   nodegen/<n>                {}   touched whenever node n's desired state
 *                                   changes: its mod_rev is the node's
 *                                   assignment revision
 *   node/<n>                   {name, zone, addresses, capacity, drained,
 *                               drainedAtMs, lastHeartbeatMs}
 *   nodestatus/<n>             {vips: [...], reportedAtMs}
 *   leader/scheduler           {holder, expiresMs}
 */

#define GW_LATENCY_BUCKETS 12

struct gw_metrics {
	unsigned long requests[6]; /* by status class 1xx..5xx, [0] other */
	unsigned long lat_bucket[GW_LATENCY_BUCKETS + 1];
	double lat_sum_ms;
	unsigned long creates, updates, deletes, vip_conflicts;
	pthread_mutex_t mu;
};

struct gw {
	struct store *st;
	struct gw_limits lim;
	int64_t heartbeat_timeout_ms;
	int max_poll_ms;
	/* serializes VIP allocation and quota accounting in this process;
	 * compare-and-swap in the store covers other gateways */
	pthread_mutex_t alloc_mu;
	struct gw_metrics m;
};

enum gw_role { GW_ANON, GW_ADMIN, GW_TENANT, GW_NODE };

struct gw_caller {
	enum gw_role role;
	char tenant[64];
	char node[64];
};

int gw_init(struct gw *gw, struct store *st);
void gw_fini(struct gw *gw);
/* The cp_http handler. */
void gw_handle(void *ctx, const struct cp_http_req *req,
	       struct cp_http_resp *resp);
/* Accounts one finished request in the metrics. */
void gw_observe(struct gw *gw, int status, double ms);

/* --- shared by the gw_*.c handler modules ------------------------------ */
int64_t gw_now_ms(void);
void gw_reply_json(struct cp_http_resp *r, int status, cJSON *body);
void gw_reply_err(struct cp_http_resp *r, const struct cp_err *e);
void gw_reply_errf(struct cp_http_resp *r, int status, const char *field,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* store_get + parse; -ENOENT, -EIO (corrupt) or 0. */
int gw_get_json(struct gw *gw, const char *key, cJSON **out, int64_t *rev);
char *gw_print(const cJSON *j);

/* gw_auth.c */
void gw_token_hash(const char *token, char out[65]);
int gw_token_new(char out[48]);
int gw_authenticate(struct gw *gw, const char *authorization,
		    struct gw_caller *c);
/* Stores (the hash of) an operator-supplied admin token; idempotent. */
int gw_bootstrap_admin(struct gw *gw, const char *token);

/* gw_vip.c: picks a free address of a pool that fits; fills key/address. */
int gw_vip_pick(struct gw *gw, const char *tenant, const char *family,
		const char *want, char *key, size_t keylen, char *addr,
		size_t addrlen, struct cp_err *e);

/* gw_view.c: the API view of a stored load balancer, status included. */
cJSON *gw_lb_view(struct gw *gw, const char *tenant, const cJSON *stored);

/* gw_lbapi.c: deletes a load balancer marked for deletion and frees its VIP
 * once it is on no node (placement at place_rev, or STORE_ABSENT) and no
 * node reports it; -EBUSY while some node still
 * reports it, -ECANCELED when something moved (retry). */
int gw_lb_finalize(struct gw *gw, const char *tenant, const char *name,
		   int64_t rev, int64_t place_rev, const cJSON *lb);

/* handler modules; path segments after /v1/<collection> */
void gw_lb_route(struct gw *gw, const struct gw_caller *c,
		 const struct cp_http_req *req, char **seg, int nseg,
		 struct cp_http_resp *r);
void gw_admin_route(struct gw *gw, const struct gw_caller *c,
		    const struct cp_http_req *req, char **seg, int nseg,
		    struct cp_http_resp *r);
void gw_node_route(struct gw *gw, const struct gw_caller *c,
		   const struct cp_http_req *req, char **seg, int nseg,
		   struct cp_http_resp *r);

#endif /* NLB_GW_H */
