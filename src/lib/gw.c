// SPDX-License-Identifier: GPL-2.0
/* nlb-gateway's request entry: routing, replies, health and metrics. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gw.h"

static const double lat_bounds_ms[GW_LATENCY_BUCKETS] = {
	0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000};

int gw_init(struct gw *gw, struct store *st)
{
	struct gw_limits lim = GW_LIMITS_DEFAULT;

	memset(gw, 0, sizeof(*gw));
	gw->st = st;
	gw->lim = lim;
	gw->heartbeat_timeout_ms = 5000;
	gw->max_poll_ms = 60000;
	pthread_mutex_init(&gw->alloc_mu, NULL);
	pthread_mutex_init(&gw->m.mu, NULL);
	return 0;
}

void gw_fini(struct gw *gw)
{
	pthread_mutex_destroy(&gw->alloc_mu);
	pthread_mutex_destroy(&gw->m.mu);
}

int64_t gw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

char *gw_print(const cJSON *j)
{
	return cJSON_PrintUnformatted(j);
}

void gw_reply_json(struct cp_http_resp *r, int status, cJSON *body)
{
	r->status = status;
	r->body = body ? gw_print(body) : NULL;
	if (body && !r->body)
		r->status = 500;
	cJSON_Delete(body);
}

void gw_reply_err(struct cp_http_resp *r, const struct cp_err *e)
{
	cJSON *o = cJSON_CreateObject(), *er;

	er = cJSON_AddObjectToObject(o, "error");
	cJSON_AddNumberToObject(er, "code", e->status);
	cJSON_AddStringToObject(er, "reason", cp_http_reason(e->status));
	cJSON_AddStringToObject(er, "field", e->field);
	cJSON_AddStringToObject(er, "message", e->msg);
	gw_reply_json(r, e->status, o);
}

void gw_reply_errf(struct cp_http_resp *r, int status, const char *field,
		   const char *fmt, ...)
{
	struct cp_err e = {.status = status};
	va_list ap;

	snprintf(e.field, sizeof(e.field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	gw_reply_err(r, &e);
}

int gw_get_json(struct gw *gw, const char *key, cJSON **out, int64_t *rev)
{
	struct store_kv kv;
	int err = store_get(gw->st, key, &kv);

	*out = NULL;
	if (err)
		return err;
	*out = cJSON_Parse(kv.value);
	if (rev)
		*rev = kv.mod_rev;
	store_kv_clear(&kv);
	return *out ? 0 : -EIO;
}

void gw_observe(struct gw *gw, int status, double ms)
{
	int i, cls = status / 100;

	pthread_mutex_lock(&gw->m.mu);
	gw->m.requests[cls >= 1 && cls <= 5 ? cls : 0]++;
	for (i = 0; i < GW_LATENCY_BUCKETS && ms > lat_bounds_ms[i]; i++)
		;
	gw->m.lat_bucket[i]++;
	gw->m.lat_sum_ms += ms;
	pthread_mutex_unlock(&gw->m.mu);
}

static void metrics(struct gw *gw, struct cp_http_resp *r)
{
	struct gw_metrics m;
	size_t cap = 4096, len = 0;
	unsigned long cum = 0;
	char *b = malloc(cap);
	int i;

	if (!b) {
		r->status = 500;
		return;
	}
	pthread_mutex_lock(&gw->m.mu);
	m = gw->m;
	pthread_mutex_unlock(&gw->m.mu);
#define OUT(...) len += (size_t)snprintf(b + len, cap - len, __VA_ARGS__)
	OUT("# HELP nlb_gateway_requests_total API requests by status "
	    "class.\n# TYPE nlb_gateway_requests_total counter\n");
	for (i = 1; i <= 5; i++)
		OUT("nlb_gateway_requests_total{code=\"%dxx\"} %lu\n", i,
		    m.requests[i]);
	OUT("# HELP nlb_gateway_request_duration_ms API latency.\n"
	    "# TYPE nlb_gateway_request_duration_ms histogram\n");
	for (i = 0; i < GW_LATENCY_BUCKETS; i++) {
		cum += m.lat_bucket[i];
		OUT("nlb_gateway_request_duration_ms_bucket{le=\"%g\"} %lu\n",
		    lat_bounds_ms[i], cum);
	}
	cum += m.lat_bucket[GW_LATENCY_BUCKETS];
	OUT("nlb_gateway_request_duration_ms_bucket{le=\"+Inf\"} %lu\n", cum);
	OUT("nlb_gateway_request_duration_ms_sum %.3f\n", m.lat_sum_ms);
	OUT("nlb_gateway_request_duration_ms_count %lu\n", cum);
	OUT("# TYPE nlb_gateway_lb_writes_total counter\n");
	OUT("nlb_gateway_lb_writes_total{op=\"create\"} %lu\n", m.creates);
	OUT("nlb_gateway_lb_writes_total{op=\"update\"} %lu\n", m.updates);
	OUT("nlb_gateway_lb_writes_total{op=\"delete\"} %lu\n", m.deletes);
	OUT("# TYPE nlb_gateway_store_revision gauge\n");
	OUT("nlb_gateway_store_revision %lld\n",
	    (long long)store_revision(gw->st));
#undef OUT
	r->status = 200;
	r->content_type = "text/plain; version=0.0.4";
	r->body = b;
}

#define MAX_SEG 8

void gw_handle(void *ctx, const struct cp_http_req *req, struct cp_http_resp *r)
{
	struct gw *gw = ctx;
	struct gw_caller c = {0};
	char *seg[MAX_SEG], *path, *p, *save = NULL;
	int nseg = 0, err;

	if (!req->path) {
		r->status = 500;
		return;
	}
	if (!strcmp(req->path, "/healthz")) {
		cJSON *o = cJSON_CreateObject();
		int64_t rev = store_revision(gw->st);

		cJSON_AddStringToObject(o, "status", rev > 0 ? "ok" : "store");
		cJSON_AddNumberToObject(o, "revision", (double)rev);
		gw_reply_json(r, rev > 0 ? 200 : 503, o);
		return;
	}
	if (!strcmp(req->path, "/metrics")) {
		metrics(gw, r);
		return;
	}
	path = strdup(req->path);
	if (!path) {
		r->status = 500;
		return;
	}
	for (p = strtok_r(path, "/", &save); p;
	     p = strtok_r(NULL, "/", &save)) {
		if (nseg == MAX_SEG) {
			gw_reply_errf(r, 404, "", "no such resource");
			goto out;
		}
		seg[nseg++] = p;
	}
	if (nseg < 2 || strcmp(seg[0], "v1")) {
		gw_reply_errf(r, 404, "", "no such resource");
		goto out;
	}
	err = gw_authenticate(gw, req->authorization, &c);
	if (err) {
		gw_reply_errf(r, 401, "Authorization",
			      "missing, malformed or unknown bearer token");
		goto out;
	}
	if (!strcmp(seg[1], "loadbalancers"))
		gw_lb_route(gw, &c, req, seg + 2, nseg - 2, r);
	else if (!strcmp(seg[1], "nodes") && c.role == GW_NODE)
		gw_node_route(gw, &c, req, seg + 2, nseg - 2, r);
	else if (!strcmp(seg[1], "tenants") || !strcmp(seg[1], "pools") ||
		 !strcmp(seg[1], "tokens") || !strcmp(seg[1], "nodes"))
		gw_admin_route(gw, &c, req, seg + 2, nseg - 2, r);
	else
		gw_reply_errf(r, 404, "", "no such resource");
out:
	free(path);
}
