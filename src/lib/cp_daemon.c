// SPDX-License-Identifier: GPL-2.0
/* The control-plane daemons' shared wiring (see cp_daemon.h). */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cp_daemon.h"
#include "gw.h"
#include "sched_ctl.h"

#define F(n, t, field, lo, hi, h)                               \
	{                                                       \
		n, t, offsetof(struct cp_cfg, field), lo, hi, h \
	}

#define COMMON_FLAGS                                                         \
	F("store", CP_FLAG_STR, store, 0, 0,                                 \
	  "store URL: sqlite:PATH (WAL); a bare path means sqlite"),         \
		F("heartbeat-timeout-ms", CP_FLAG_INT, heartbeat_timeout_ms, \
		  100, 3600000,                                              \
		  "a node missing heartbeats this long is not ready"),       \
		F("log-level", CP_FLAG_STR, log_level, 0, 0,                 \
		  "error, warn, info or debug")

#define GATEWAY_FLAGS                                                        \
	F("listen", CP_FLAG_STR, listen, 0, 0, "API listen address"),        \
		F("port", CP_FLAG_INT, port, 0, 65535,                       \
		  "API port; 0 lets the kernel pick (see --port-file)"),     \
		F("port-file", CP_FLAG_STR, port_file, 0, 0,                 \
		  "write the bound port here once listening"),               \
		F("admin-token-file", CP_FLAG_STR, admin_token_file, 0, 0,   \
		  "file whose first line is an admin token to accept"),      \
		F("tls-cert", CP_FLAG_STR, tls_cert, 0, 0,                   \
		  "PEM certificate chain: serve HTTPS (with --tls-key)"),    \
		F("tls-key", CP_FLAG_STR, tls_key, 0, 0, "PEM private key"), \
		F("max-body", CP_FLAG_INT, max_body, 1024, 64 << 20,         \
		  "largest request body in bytes (else 413)"),               \
		F("max-listeners", CP_FLAG_INT, max_listeners, 1, 4096,      \
		  "listeners per load balancer"),                            \
		F("max-backends", CP_FLAG_INT, max_backends, 1, 1000000,     \
		  "backends per load balancer")

#define SCHEDULER_FLAGS                                                  \
	F("interval-ms", CP_FLAG_INT, interval_ms, 10, 60000,            \
	  "longest pause between scheduling passes"),                    \
		F("lease-ms", CP_FLAG_INT, lease_ms, 500, 600000,        \
		  "leader lease; a dead leader is replaced after this"), \
		F("holder", CP_FLAG_STR, holder, 0, 0,                   \
		  "this scheduler's identity for leader election"),      \
		F("drain-timeout-ms", CP_FLAG_INT, drain_timeout_ms, 0,  \
		  3600000,                                               \
		  "longest a drained node holds a VIP for the others")

const struct cp_flag cp_gateway_flags[] = {COMMON_FLAGS, GATEWAY_FLAGS};
const size_t cp_gateway_nflags =
	sizeof(cp_gateway_flags) / sizeof(cp_gateway_flags[0]);
const struct cp_flag cp_scheduler_flags[] = {COMMON_FLAGS, SCHEDULER_FLAGS};
const size_t cp_scheduler_nflags =
	sizeof(cp_scheduler_flags) / sizeof(cp_scheduler_flags[0]);
const struct cp_flag cp_controlplane_flags[] = {COMMON_FLAGS, GATEWAY_FLAGS,
						SCHEDULER_FLAGS};
const size_t cp_controlplane_nflags =
	sizeof(cp_controlplane_flags) / sizeof(cp_controlplane_flags[0]);

void cp_cfg_defaults(struct cp_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->store = "sqlite:/var/lib/nlb/controlplane.db";
	c->listen = "127.0.0.1";
	c->port = 8080;
	c->max_body = 1 << 20;
	c->max_listeners = 64;
	c->max_backends = 4096;
	c->heartbeat_timeout_ms = 5000;
	c->interval_ms = 250;
	c->lease_ms = 3000;
	c->drain_timeout_ms = 30000;
	c->log_level = "info";
}

int cp_daemon_setup(int argc, char **argv, const char *daemon, const char *what,
		    const struct cp_flag *t, size_t n, struct cp_cfg *cfg,
		    struct nlb_log *log, struct store **st)
{
	char err[256];
	int rc;

	cp_cfg_defaults(cfg);
	log->f = stderr;
	log->level = NLB_LOG_INFO;
	log->daemon = daemon;
	rc = cp_flags_parse(t, n, cfg, argc, argv, err, sizeof(err));
	if (rc == 1) {
		cp_flags_usage(stdout, daemon, what, t, n, cfg);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "%s: %s\n", daemon, err);
		return rc;
	}
	if (nlb_log_level_parse(cfg->log_level, &log->level)) {
		fprintf(stderr, "%s: --log-level: error, warn, info or debug\n",
			daemon);
		return -EINVAL;
	}
	if (!!cfg->tls_cert != !!cfg->tls_key) {
		fprintf(stderr, "%s: --tls-cert and --tls-key go together\n",
			daemon);
		return -EINVAL;
	}
	*st = store_open(cfg->store, &rc);
	if (!*st) {
		nlb_logf(log, NLB_LOG_ERROR,
			 "msg=\"store open failed\" "
			 "store=%s err=\"%s\"",
			 cfg->store, strerror(-rc));
		return rc;
	}
	return 0;
}

static void access_log(void *ctx, const struct cp_http_req *req,
		       const struct cp_http_resp *resp, double ms);

struct gw_srv {
	struct gw gw;
	struct nlb_log *log;
};

static void access_log(void *ctx, const struct cp_http_req *req,
		       const struct cp_http_resp *resp, double ms)
{
	struct gw_srv *s = ctx;

	gw_observe(&s->gw, resp->status, ms);
	nlb_logf(s->log, NLB_LOG_INFO,
		 "msg=request method=%s path=%s status=%d ms=%.2f peer=%s",
		 req->method, req->path ? req->path : "-", resp->status, ms,
		 req->peer);
}

static int read_token(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	char *nl;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)n, f)) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	nl = strpbrk(buf, "\r\n");
	if (nl)
		*nl = 0;
	return 0;
}

int cp_gateway_run(const struct cp_cfg *cfg, struct nlb_log *log,
		   struct store *st, volatile sig_atomic_t *stop)
{
	struct cp_http_opts o = {0};
	struct cp_http_server *srv;
	struct gw_srv s;
	char tok[300];
	int err;

	gw_init(&s.gw, st);
	s.log = log;
	s.gw.lim.max_listeners = (int)cfg->max_listeners;
	s.gw.lim.max_backends = (int)cfg->max_backends;
	s.gw.heartbeat_timeout_ms = cfg->heartbeat_timeout_ms;
	if (cfg->admin_token_file) {
		err = read_token(cfg->admin_token_file, tok, sizeof(tok));
		if (!err)
			err = gw_bootstrap_admin(&s.gw, tok);
		if (err) {
			nlb_logf(log, NLB_LOG_ERROR,
				 "msg=\"admin token not usable\" file=%s "
				 "err=\"%s\"",
				 cfg->admin_token_file, strerror(-err));
			gw_fini(&s.gw);
			return err;
		}
	}
	o.addr = cfg->listen;
	o.port = (int)cfg->port;
	o.max_body = (size_t)cfg->max_body;
	o.tls_cert = cfg->tls_cert;
	o.tls_key = cfg->tls_key;
	o.handler = gw_handle;
	o.logger = access_log;
	o.ctx = &s;
	srv = cp_http_server_new(&o, &err);
	if (!srv) {
		nlb_logf(log, NLB_LOG_ERROR,
			 "msg=\"listen failed\" addr=%s port=%lld err=\"%s\"",
			 cfg->listen, cfg->port, strerror(-err));
		gw_fini(&s.gw);
		return err;
	}
	nlb_logf(log, NLB_LOG_INFO, "msg=listening addr=%s port=%d tls=%s",
		 cfg->listen, cp_http_server_port(srv),
		 cfg->tls_cert ? "yes" : "no");
	if (cfg->port_file) {
		char tmp[4096];
		FILE *f;

		/* write then rename, so a reader never sees half a number */
		snprintf(tmp, sizeof(tmp), "%s.tmp", cfg->port_file);
		f = fopen(tmp, "w");
		if (f) {
			fprintf(f, "%d\n", cp_http_server_port(srv));
			fclose(f);
			rename(tmp, cfg->port_file);
		}
	}
	err = cp_http_server_run(srv, stop);
	if (err == -EBUSY) {
		/* requests still in flight use s and the store: leave both
		 * to the exit of the process */
		nlb_logf(log, NLB_LOG_INFO,
			 "msg=\"stopping with open requests\"");
		return err;
	}
	cp_http_server_free(srv);
	gw_fini(&s.gw);
	return err;
}

int cp_scheduler_run(const struct cp_cfg *cfg, struct nlb_log *log,
		     struct store *st, volatile sig_atomic_t *stop)
{
	struct sched_ctl c;
	char holder[128];
	int leader = 0, err = 0;
	int64_t rev = 0;
	double pass_ms;

	if (cfg->holder)
		snprintf(holder, sizeof(holder), "%s", cfg->holder);
	else {
		char host[64] = "host";

		gethostname(host, sizeof(host) - 1);
		snprintf(holder, sizeof(holder), "%s-%d", host, getpid());
	}
	sched_ctl_init(&c, st, holder);
	c.heartbeat_timeout_ms = cfg->heartbeat_timeout_ms;
	c.lease_ms = cfg->lease_ms;
	c.drain_timeout_ms = cfg->drain_timeout_ms;
	c.gw.heartbeat_timeout_ms = cfg->heartbeat_timeout_ms;
	nlb_logf(log, NLB_LOG_INFO, "msg=started holder=%s", holder);
	while (!*stop) {
		struct sched_stats s;
		int l = sched_ctl_lead(&c);

		if (l < 0) {
			nlb_logf(log, NLB_LOG_WARN,
				 "msg=\"leader election failed\" err=\"%s\"",
				 strerror(-l));
		} else if (l != leader) {
			leader = l;
			nlb_logf(log, NLB_LOG_INFO, "msg=%s holder=%s",
				 leader ? "\"became leader\""
					: "\"lost leadership\"",
				 holder);
		}
		pass_ms = 0;
		if (leader) {
			struct timespec a, b;

			clock_gettime(CLOCK_MONOTONIC, &a);
			err = sched_ctl_step(&c, &s);
			clock_gettime(CLOCK_MONOTONIC, &b);
			pass_ms = (b.tv_sec - a.tv_sec) * 1e3 +
				  (b.tv_nsec - a.tv_nsec) / 1e6;
			if (err)
				nlb_logf(log, NLB_LOG_WARN,
					 "msg=\"scheduling pass failed\" "
					 "err=\"%s\"",
					 strerror(-err));
			else if (s.moved || s.expired || s.finalized)
				nlb_logf(log, NLB_LOG_INFO,
					 "msg=scheduled nodes=%d ready=%d "
					 "draining=%d lbs=%d moved=%d short=%d "
					 "held=%d expired=%d deleted=%d "
					 "ms=%.1f",
					 s.nodes, s.ready, s.draining, s.lbs,
					 s.moved, s.short_, s.held, s.expired,
					 s.finalized, pass_ms);
		}
		{
			/* heartbeats alone change the store hundreds of
			 * times a second: pause at least 50 ms, and twice
			 * the last pass, so passes take at most a third of
			 * a core */
			double pause_ms = pass_ms * 2 > 50 ? pass_ms * 2 : 50;
			struct timespec pause = {
				(time_t)(pause_ms / 1000),
				(long)((long long)(pause_ms * 1e6) %
				       1000000000)};

			nanosleep(&pause, NULL);
		}
		rev = store_wait(st, rev, (int)cfg->interval_ms);
	}
	if (leader)
		sched_ctl_resign(&c);
	sched_ctl_fini(&c);
	return 0;
}
