/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-hc core types: the daemon context, probes (one per distinct check) and
 * groups (one per backend state that VIPs see). */
#ifndef HC_H
#define HC_H

#include <stdbool.h>
#include <stdint.h>

#include "hc_buf.h"
#include "hc_config.h"
#include "hc_http.h"
#include "hc_sched.h"
#include "hc_state.h"
#include "log.h"
#include "metrics.h"
#include "opts.h"

/* First member of everything registered with epoll: says who it is. */
enum hc_ev_kind {
	EV_PROBE,
	EV_STREAM_LISTEN,
	EV_STREAM_CLIENT,
	EV_METRICS_LISTEN,
	EV_METRICS_CLIENT,
	EV_INOTIFY,
	EV_SIGNAL,
};

struct hc_ev {
	enum hc_ev_kind kind;
};

enum probe_phase { P_IDLE, P_CONNECT, P_TLS, P_SEND, P_RECV, P_ICMP };

struct hc_group;
struct hc_tls;
struct hc_tls_ctx;
struct hc_tls_sess;

struct hc_probe {
	struct hc_ev ev;
	struct hc_timer timer; /* next start when idle, else the deadline */
	char *key;
	struct hc_check chk;
	struct hc_addr addr;
	char addr_str[48];
	/* "http:8080/healthz", "tcp:80@tunnel=10.99.0.1", for humans */
	char name[112];
	uint32_t mark; /* socket mark of a tunneled probe; 0: none (yet) */
	char tunnel_err[80]; /* why a tunneled probe has no mark */
	uint64_t phase_ns, due, sent;
	int fd;
	enum probe_phase phase;
	unsigned events; /* what epoll waits for on fd */
	struct hc_tls_ctx *tls_ctx;
	struct hc_tls *tls;
	struct hc_tls_sess *sess;
	struct hc_http_rd rd;
	char *req;
	int req_len, req_off;
	uint16_t echo_seq;
	struct hc_fsm fsm;
	bool last_ok, keep;
	char reason[96];
	uint32_t latency_us;
	struct hc_group **groups;
	int n_groups;
};

struct hc_group {
	char *key;
	struct hc_addr addr;
	char addr_str[48];
	char **vips;
	int n_vips;
	enum hc_combine combine;
	struct hc_probe **probes;
	int n_probes;
	enum hc_state state;
	char reason[96];
	char check[112];
	uint32_t latency_us;
	uint64_t since_ms;
	bool keep;
};

struct hc_tls_entry {
	char *key;
	struct hc_tls_ctx *ctx;
};

struct hc_stream;
struct hc_conn;
struct hc_tunnel;

struct hc_ctx {
	const struct hc_opts *opts;
	struct nlb_log log;
	int epfd;
	struct hc_heap heap;
	uint64_t epoch; /* monotonic ns that every slot is relative to */
	uint64_t next_slot;
	struct hc_probe **probes; /* sorted by key */
	int n_probes;
	struct hc_group **groups; /* sorted by key */
	int n_groups;
	struct hc_tls_entry *tls;
	int n_tls;
	struct hc_tunnel *tunnel; /* NULL without --tunnel-iface */
	struct hc_stream *stream;
	struct hc_conn *metrics_conns;
	struct hc_ev metrics_ev;
	int metrics_fd;
	struct hc_metrics m;
	uint64_t seq; /* of the last event */
	bool state_dirty;
	uint64_t state_written;
	struct hc_buf scratch;
	/* config file watch and signals */
	struct hc_ev ino_ev, sig_ev;
	int ino_fd, sig_fd;
	bool stop, reload_pending;
};

uint64_t hc_now_ns(void);
uint64_t hc_wall_ms(void);

/* loop.c: the event loop, until ctx->stop. */
int hc_loop_run(struct hc_ctx *ctx);

/* config_file.c: load the config file, and watch it for changes. */
int hc_config_load(struct hc_ctx *ctx);
/* Parses only; msg gets the verdict. */
int hc_config_check(const char *path, char *msg, size_t len);
int hc_config_watch(struct hc_ctx *ctx);
void hc_config_watch_event(struct hc_ctx *ctx);

/* registry.c: turn a config into probes and groups, keeping what did not
 * change. */
int hc_registry_apply(struct hc_ctx *ctx, const struct hc_config *cfg);
void hc_registry_free(struct hc_ctx *ctx);

/* probe.c: running one probe. */
int hc_probe_open(struct hc_probe *p, int type, int proto);
int hc_probe_connect(struct hc_probe *p);
int hc_probe_init(struct hc_ctx *ctx, struct hc_probe *p);
void hc_probe_timer(struct hc_ctx *ctx, struct hc_probe *p, uint64_t now);
void hc_probe_io(struct hc_ctx *ctx, struct hc_probe *p, unsigned events);
void hc_probe_cancel(struct hc_ctx *ctx, struct hc_probe *p);
void hc_probe_free(struct hc_probe *p);

/* Where a probe's packets are addressed: the VIP for a check through the
 * tunnel, else the backend. */
static inline const struct hc_addr *hc_probe_dst(const struct hc_probe *p)
{
	return p->chk.tunnel.family ? &p->chk.tunnel : &p->addr;
}

/* tunnel.c: the TC egress program that puts tunneled probes into the
 * forwarder's IPIP tunnel, and the socket marks that name their backends. */
int hc_tunnel_open(const struct hc_opts *o, struct hc_tunnel **out);
void hc_tunnel_close(struct hc_tunnel *t);
/* The mark of (backend, vip), shared by every probe of that pair; on
 * failure reason says why. */
int hc_tunnel_get(struct hc_tunnel *t, const struct hc_addr *backend,
		  const struct hc_addr *vip, uint32_t *mark, char *reason,
		  size_t rlen);
void hc_tunnel_put(struct hc_tunnel *t, uint32_t mark);

/* icmp.c: echo over ping sockets. */
int hc_icmp_start(struct hc_probe *p, char *reason, size_t rlen);
/* 1: matching reply, 0: not ours, keep waiting, <0: error. */
int hc_icmp_read(struct hc_probe *p, char *reason, size_t rlen);

/* health.c: results to states to events. */
void hc_health_result(struct hc_ctx *ctx, struct hc_probe *p, bool ok);
void hc_health_group_eval(struct hc_ctx *ctx, struct hc_group *g,
			  const char *why);
void hc_health_group_removed(struct hc_ctx *ctx, struct hc_group *g);

/* report.c: the JSON that leaves the daemon. */
void hc_report_event(struct hc_buf *b, uint64_t seq, const char *event,
		     const struct hc_group *g, enum hc_state prev);
void hc_report_snapshot(struct hc_buf *b, const struct hc_ctx *ctx);

/* statefile.c */
int hc_statefile_write(struct hc_ctx *ctx);

/* stream.c: the unix-socket event stream. */
int hc_stream_open(struct hc_ctx *ctx, const char *path);
void hc_stream_close(struct hc_ctx *ctx);
void hc_stream_broadcast(struct hc_ctx *ctx, const char *line, size_t len);
void hc_stream_event(struct hc_ctx *ctx, struct hc_ev *ev, unsigned events);
/* Frees clients dropped during this loop iteration. */
void hc_stream_sweep(struct hc_ctx *ctx);

/* metrics_http.c: the Prometheus endpoint. */
int hc_metrics_http_open(struct hc_ctx *ctx, const char *addr);
void hc_metrics_http_close(struct hc_ctx *ctx);
void hc_metrics_http_event(struct hc_ctx *ctx, struct hc_ev *ev,
			   unsigned events);

#endif /* HC_H */
