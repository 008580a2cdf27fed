// SPDX-License-Identifier: GPL-2.0
/* nlblet: the node agent. Wires the options, the gateway client, the
 * forwarder's maps and nlb-hc's files into one reconcile loop. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>

#include "nlblet.h"
#include "addr.h"
#include "log_libbpf.h"
#include "maps.h"
#include "nlblet_hcstate.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Options, one table: parsing, --help and docs/nlblet.md come from it. */
enum opt_id {
	O_GATEWAY,
	O_TOKEN_FILE,
	O_NODE,
	O_ZONE,
	O_IFACE,
	O_XDP_MODE,
	O_PIN_DIR,
	O_HC_CONFIG,
	O_HC_STATE,
	O_STATUS_INTERVAL,
	O_POLL_MS,
	O_SRC_V4,
	O_SRC_V6,
	O_HC_BIN,
	O_HC_STREAM,
	O_HC_METRICS,
	O_BGP_ASN,
	O_BGP_ROUTER_ID,
	O_BGP_NEIGHBOR,
	O_BFD_INTERVAL,
	O_FRR_VTY_SOCKET,
	O_FRR_CONFIG_DIR,
	O_BGP_STATE_DIR,
	O_WITHDRAW_WAIT,
	O_LOG_LEVEL,
	O_HELP,
	O_MAX
};

static const struct {
	const char *name, *arg, *help;
	int required;
} opt_table[O_MAX] = {
	[O_GATEWAY] = {"gateway", "URL", "gateway endpoint, http://host:port",
		       1},
	[O_TOKEN_FILE] = {"token-file", "FILE", "file holding the node token",
			  1},
	[O_NODE] = {"node", "NAME", "this node's name", 1},
	[O_ZONE] = {"zone", "AZ", "availability zone (default \"default\")"},
	[O_IFACE] = {"iface", "IFACE",
		     "attach the forwarder to IFACE (default: maps only)"},
	[O_XDP_MODE] = {"xdp-mode", "native|skb|auto",
			"how --iface is attached (default auto: native when "
			"the driver has it)"},
	[O_PIN_DIR] =
		{"pin-dir", "DIR",
		 "bpffs directory of the maps (default " NLB_DEFAULT_PIN_DIR
		 ")"},
	[O_HC_CONFIG] = {"hc-config", "PATH",
			 "nlb-hc configuration to write (default: none)"},
	[O_HC_STATE] = {"hc-state", "PATH",
			"nlb-hc state file to read (default: none)"},
	[O_STATUS_INTERVAL] = {"status-interval-ms", "MS",
			       "resend an unchanged status every MS (default "
			       "10000)"},
	[O_POLL_MS] = {"poll-ms", "MS",
		       "long-poll timeout, also the health and heartbeat "
		       "period (default 1000)"},
	[O_SRC_V4] = {"src-v4", "PREFIX",
		      "outer IPv4 source prefix of the tunnels (default: "
		      "what the maps hold)"},
	[O_SRC_V6] = {"src-v6", "PREFIX",
		      "outer IPv6 source prefix of the tunnels (default: "
		      "what the maps hold)"},
	[O_HC_BIN] = {"hc-bin", "PATH",
		      "run nlb-hc from PATH and restart it when it exits "
		      "(default: nlb-hc is run by someone else)"},
	[O_HC_STREAM] = {"hc-stream", "PATH",
			 "nlb-hc's event stream (default: events.sock beside "
			 "--hc-state)"},
	[O_HC_METRICS] = {"hc-metrics", "ADDR:PORT",
			  "nlb-hc's metrics endpoint when run by nlblet "
			  "(default: none)"},
	[O_BGP_ASN] = {"bgp-asn", "ASN",
		       "advertise VIPs through bgpd with this AS (default: "
		       "BGP off)"},
	[O_BGP_ROUTER_ID] = {"bgp-router-id", "IPV4",
			     "BGP router id (required with --bgp-asn)"},
	[O_BGP_NEIGHBOR] = {"bgp-neighbor", "ADDR,ASN[,bfd]",
			    "a BGP peer; repeat for more (required with "
			    "--bgp-asn)"},
	[O_BFD_INTERVAL] = {"bfd-interval-ms", "MS",
			    "BFD transmit and receive interval, detection "
			    "after 3 (default 100)"},
	[O_FRR_VTY_SOCKET] = {"frr-vty-socket", "DIR",
			      "FRR daemons' vty socket directory (default "
			      "FRR's)"},
	[O_FRR_CONFIG_DIR] = {"frr-config-dir", "DIR",
			      "where FRR's vtysh.conf is (default FRR's)"},
	[O_BGP_STATE_DIR] = {"bgp-state-dir", "DIR",
			     "last good bgpd configuration (default "
			     "/var/lib/nlb/bgp)"},
	[O_WITHDRAW_WAIT] = {"withdraw-wait-ms", "MS",
			     "a removed VIP's maps go this long after its "
			     "withdrawal (default 2000)"},
	[O_LOG_LEVEL] = {"log-level", "LEVEL",
			 "debug, info, warn or error (default info)"},
	[O_HELP] = {"help", NULL, "this text"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: nlblet --gateway URL --token-file FILE --node NAME "
		   "[options]\n\n");
	for (int i = 0; i < O_MAX; i++) {
		char lhs[64];

		snprintf(lhs, sizeof(lhs), "--%s%s%s", opt_table[i].name,
			 opt_table[i].arg ? " " : "", opt_table[i].arg ?: "");
		fprintf(f, "  %-26s %s%s\n", lhs, opt_table[i].help,
			opt_table[i].required ? " (required)" : "");
	}
}

static int parse_num(const char *name, const char *v, long min, long max,
		     long *out)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || !*v || *end || x < min || x > max) {
		fprintf(stderr, "nlblet: --%s: %s is not %ld..%ld\n", name, v,
			min, max);
		return -EINVAL;
	}
	*out = x;
	return 0;
}

static int parse_ms(const char *name, const char *v, long min, int *out)
{
	long x;
	int e = parse_num(name, v, min, 600000, &x);

	*out = (int)x;
	return e;
}

/* ADDR,ASN[,bfd] */
static int parse_neighbor(struct nlblet_opts *o, const char *v)
{
	const char *c1 = strchr(v, ','), *c2;
	char asn[16];
	struct bgp_neighbor *nb;
	size_t len;
	long x;

	if (o->n_neighbors == BGP_MAX_NEIGHBORS) {
		fprintf(stderr, "nlblet: --bgp-neighbor: at most %d\n",
			BGP_MAX_NEIGHBORS);
		return -EINVAL;
	}
	c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	len = c1 ? (size_t)(c1 - v) : 0;
	if (!c1 || !len || len >= sizeof(o->neighbor_addr[0]) ||
	    (c2 && strcmp(c2, ",bfd")) ||
	    (size_t)((c2 ?: c1 + strlen(c1)) - c1 - 1) >= sizeof(asn)) {
		fprintf(stderr,
			"nlblet: --bgp-neighbor: %s is not ADDR,ASN[,bfd]\n",
			v);
		return -EINVAL;
	}
	memcpy(o->neighbor_addr[o->n_neighbors], v, len);
	o->neighbor_addr[o->n_neighbors][len] = 0;
	snprintf(asn, sizeof(asn), "%.*s",
		 (int)((c2 ?: c1 + strlen(c1)) - c1 - 1), c1 + 1);
	if (parse_num("bgp-neighbor", asn, 1, 4294967295L, &x))
		return -EINVAL;
	nb = &o->neighbors[o->n_neighbors];
	nb->address = o->neighbor_addr[o->n_neighbors];
	nb->remote_asn = (uint32_t)x;
	nb->bfd = c2 != NULL;
	o->n_neighbors++;
	return 0;
}

static int parse_opts(int argc, char **argv, struct nlblet *n)
{
	struct option lo[O_MAX + 1] = {0};
	const char *val[O_MAX] = {0};
	__u8 fam;
	int c, err;

	for (int i = 0; i < O_MAX; i++) {
		lo[i].name = opt_table[i].name;
		lo[i].has_arg =
			opt_table[i].arg ? required_argument : no_argument;
		lo[i].val = 256 + i;
	}
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c < 256) {
			usage(stderr);
			return -EINVAL;
		}
		val[c - 256] = optarg ? optarg : "";
		if (c - 256 == O_BGP_NEIGHBOR && parse_neighbor(&n->o, optarg))
			return -EINVAL;
	}
	if (val[O_HELP]) {
		usage(stdout);
		exit(0);
	}
	if (optind < argc) {
		fprintf(stderr, "nlblet: unexpected argument %s\n",
			argv[optind]);
		return -EINVAL;
	}
	for (int i = 0; i < O_MAX; i++)
		if (opt_table[i].required && !val[i]) {
			fprintf(stderr, "nlblet: --%s is required\n",
				opt_table[i].name);
			return -EINVAL;
		}
	n->o.gateway = val[O_GATEWAY];
	n->o.token_file = val[O_TOKEN_FILE];
	n->o.node = val[O_NODE];
	n->o.zone = val[O_ZONE] ?: "default";
	n->o.iface = val[O_IFACE];
	n->o.pin_dir = val[O_PIN_DIR] ?: NLB_DEFAULT_PIN_DIR;
	n->o.hc_config = val[O_HC_CONFIG];
	n->o.hc_state = val[O_HC_STATE];
	if (val[O_SRC_V4] && (nlb_parse_prefix(val[O_SRC_V4], &fam, n->o.src_v4,
					       &n->o.src_v4_plen) ||
			      fam != NLB_FAMILY_V4)) {
		fprintf(stderr, "nlblet: --src-v4: %s is not an IPv4 prefix\n",
			val[O_SRC_V4]);
		return -EINVAL;
	}
	if (val[O_SRC_V6] && (nlb_parse_prefix(val[O_SRC_V6], &fam, n->o.src_v6,
					       &n->o.src_v6_plen) ||
			      fam != NLB_FAMILY_V6)) {
		fprintf(stderr, "nlblet: --src-v6: %s is not an IPv6 prefix\n",
			val[O_SRC_V6]);
		return -EINVAL;
	}
	if (!val[O_XDP_MODE] || !strcmp(val[O_XDP_MODE], "auto")) {
		n->o.xdp_flags = 0;
	} else if (!strcmp(val[O_XDP_MODE], "native")) {
		n->o.xdp_flags = XDP_FLAGS_DRV_MODE;
	} else if (!strcmp(val[O_XDP_MODE], "skb")) {
		n->o.xdp_flags = XDP_FLAGS_SKB_MODE;
	} else {
		fprintf(stderr,
			"nlblet: --xdp-mode: %s is not native, skb or "
			"auto\n",
			val[O_XDP_MODE]);
		return -EINVAL;
	}
	n->o.hc_bin = val[O_HC_BIN];
	n->o.hc_stream = val[O_HC_STREAM];
	if (!n->o.hc_stream && n->o.hc_state) {
		static char def[4096];
		const char *slash = strrchr(n->o.hc_state, '/');
		int dl = slash ? (int)(slash - n->o.hc_state + 1) : 0;

		snprintf(def, sizeof(def), "%.*sevents.sock", dl,
			 n->o.hc_state);
		n->o.hc_stream = def;
	}
	n->o.hc_metrics = val[O_HC_METRICS] ?: "";
	n->o.status_interval_ms = 10000;
	n->o.poll_ms = 1000;
	n->o.bfd_interval_ms = 100;
	n->o.withdraw_wait_ms = 2000;
	n->o.bgp_router_id = val[O_BGP_ROUTER_ID];
	n->o.bgp_state_dir = val[O_BGP_STATE_DIR] ?: "/var/lib/nlb/bgp";
	n->o.frr.vty_socket = val[O_FRR_VTY_SOCKET];
	n->o.frr.config_dir = val[O_FRR_CONFIG_DIR];
	if (val[O_STATUS_INTERVAL] &&
	    (err = parse_ms(opt_table[O_STATUS_INTERVAL].name,
			    val[O_STATUS_INTERVAL], 100,
			    &n->o.status_interval_ms)))
		return err;
	if (val[O_POLL_MS] &&
	    (err = parse_ms(opt_table[O_POLL_MS].name, val[O_POLL_MS], 100,
			    &n->o.poll_ms)))
		return err;
	if (val[O_BFD_INTERVAL] &&
	    (err = parse_ms(opt_table[O_BFD_INTERVAL].name, val[O_BFD_INTERVAL],
			    10, &n->o.bfd_interval_ms)))
		return err;
	if (val[O_WITHDRAW_WAIT] &&
	    (err = parse_ms(opt_table[O_WITHDRAW_WAIT].name,
			    val[O_WITHDRAW_WAIT], 0, &n->o.withdraw_wait_ms)))
		return err;
	if (val[O_BGP_ASN]) {
		long asn;

		if (parse_num("bgp-asn", val[O_BGP_ASN], 1, 4294967295L, &asn))
			return -EINVAL;
		n->o.bgp_asn = (uint32_t)asn;
		if (!n->o.bgp_router_id || !n->o.n_neighbors) {
			fprintf(stderr, "nlblet: --bgp-asn needs "
					"--bgp-router-id and --bgp-neighbor\n");
			return -EINVAL;
		}
	}
	if (n->o.hc_bin && (!n->o.hc_config || !n->o.hc_state)) {
		fprintf(stderr,
			"nlblet: --hc-bin needs --hc-config and --hc-state\n");
		return -EINVAL;
	}
	if (strspn(n->o.node, "abcdefghijklmnopqrstuvwxyz0123456789-") !=
		    strlen(n->o.node) ||
	    strlen(n->o.node) > 63) {
		fprintf(stderr, "nlblet: --node: 1-63 of [a-z0-9-]\n");
		return -EINVAL;
	}
	if (val[O_LOG_LEVEL] &&
	    nlb_log_level_parse(val[O_LOG_LEVEL], &n->log.level)) {
		fprintf(stderr, "nlblet: --log-level: %s\n", val[O_LOG_LEVEL]);
		return -EINVAL;
	}
	return 0;
}

long long nlblet_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int read_token(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ' ||
		     buf[n - 1] == '\r' || buf[n - 1] == '\t'))
		buf[--n] = 0;
	return n ? 0 : -EINVAL;
}

/* The outer source prefixes, when given, into the forwarder's config (the
 * rest of it stays as nlb-node or an earlier nlblet set it). */
static int write_forwarding(struct nlblet *n)
{
	struct nlb_config c;
	int e;

	if (!n->o.src_v4_plen && !n->o.src_v6_plen)
		return 0;
	e = nlb_maps__get_config(nlb_dp__maps(n->dp), &c);
	if (e)
		return e;
	if (n->o.src_v4_plen) {
		c.src_v4 = n->o.src_v4[0];
		c.src_v4_plen = n->o.src_v4_plen;
	}
	if (n->o.src_v6_plen) {
		memcpy(c.src_v6, n->o.src_v6, sizeof(c.src_v6));
		c.src_v6_plen = n->o.src_v6_plen;
	}
	return nlb_maps__set_config(nlb_dp__maps(n->dp), &c);
}

/* The periodic full pass: the maps compared with what they should hold,
 * so whatever changed them behind nlblet's back is put right (the BGP
 * thread re-verifies bgpd on its own). */
#define FULL_PASS_MS 10000

/* One pass: heartbeat, assignments (long poll), health, maps, BGP,
 * status. Everything but the long poll runs under n->mu. */
static void step(struct nlblet *n)
{
	static const int backoff_ms = 1000;
	char *doc = NULL, *report;
	int err, perr, changed = 0;
	long long now;

	if (!__atomic_load_n(&n->registered, __ATOMIC_ACQUIRE)) {
		err = nlblet_register(n);
		if (err) {
			nlb_logf(&n->log, NLB_LOG_WARN,
				 "event=register_failed err=%d action=retry",
				 err);
			pthread_mutex_lock(&n->mu);
			nlblet_hc_supervise(n);
			pthread_mutex_unlock(&n->mu);
			sleep_ms(backoff_ms);
			return;
		}
		__atomic_store_n(&n->registered, 1, __ATOMIC_RELEASE);
		nlb_logf(&n->log, NLB_LOG_INFO,
			 "event=registered node=%s zone=%s", n->o.node,
			 n->o.zone);
	}
	perr = nlblet_poll(n, &doc);
	pthread_mutex_lock(&n->mu);
	if (perr < 0 || perr > 1) {
		/* fail static: the maps stay as they are */
		nlb_logf(&n->log, NLB_LOG_WARN,
			 "event=poll_failed err=%d action=keep_maps", perr);
	} else if (!perr) {
		changed = 1;
	}
	if (!n->stream_up && nlblet_read_hc_state(n) == 1)
		changed = 1;
	now = nlblet_now_ms();
	for (size_t i = 0; i < n->n_linger; i++)
		if (n->linger[i].withdrawn_ms &&
		    now - n->linger[i].withdrawn_ms >= n->o.withdraw_wait_ms)
			changed = 1;
	if (now - n->last_full_ms >= FULL_PASS_MS) {
		changed = 1;
		n->last_full_ms = now;
	}
	if (changed)
		nlblet_apply(n, doc);
	nlblet_hc_supervise(n);
	report = nlblet_report_render(n);
	pthread_mutex_unlock(&n->mu);
	err = report ? nlblet_report_send(n, report) : 0;
	if (err)
		nlb_logf(&n->log, NLB_LOG_WARN, "event=status_failed err=%d",
			 err);
	if (perr < 0 || perr > 1)
		sleep_ms(backoff_ms);
}

int nlblet_spawn(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	int e = pthread_create(&t, NULL, fn, arg);

	if (e)
		return -e;
	pthread_detach(t);
	return 0;
}

/* Heartbeats every half second: the gateway stores one only when the
 * stored one is older than a fifth of its timeout, so this is cheap. */
static void *heartbeats(void *arg)
{
	struct nlblet *n = arg;

	while (!*n->stop) {
		if (__atomic_load_n(&n->registered, __ATOMIC_ACQUIRE)) {
			int err = nlblet_heartbeat(n);

			if (err == 404) /* the gateway forgot us */
				__atomic_store_n(&n->registered, 0,
						 __ATOMIC_RELEASE);
			else if (err)
				nlb_logf(&n->log, NLB_LOG_WARN,
					 "event=heartbeat_failed err=%d", err);
		}
		sleep_ms(500);
	}
	return NULL;
}

int nlblet_heartbeats_start(struct nlblet *n)
{
	return nlblet_spawn(heartbeats, n);
}

static void nlblet_free(struct nlblet *n)
{
	cp_httpc_free(n->http);
	cp_httpc_free(n->hb_http);
	nlb_dp__free(n->dp);
	free(n->assign_json);
	free(n->hc_conf);
	free(n->hc_state_text);
	nlblet_hcstate_free(&n->hc);
	free(n->synced);
	free(n->last_status);
	free(n->effective_json);
	for (size_t i = 0; i < n->n_linger; i++)
		free(n->linger[i].vip_json);
	free(n->linger);
	nlblet_bgp_free(n);
	bgp_applier__free(n->bgp.ap);
}

int main(int argc, char **argv)
{
	struct nlblet n = {.mu = PTHREAD_MUTEX_INITIALIZER, .stop = &stop};
	struct nlb_dp_opts dpo = {0};
	struct sigaction sa = {0};
	char token[512];
	int err, ifindex = 0;

	n.log.f = stderr;
	n.log.level = NLB_LOG_INFO;
	n.log.daemon = "nlblet";
	if (parse_opts(argc, argv, &n))
		return 2;
	nlb_log_libbpf(&n.log);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	err = read_token(n.o.token_file, token, sizeof(token));
	if (err) {
		nlb_logf(&n.log, NLB_LOG_ERROR,
			 "event=fatal step=token file=%s err=%d",
			 n.o.token_file, err);
		goto out;
	}
	n.http = cp_httpc_new(n.o.gateway, token, &err);
	if (!n.http) {
		nlb_logf(&n.log, NLB_LOG_ERROR,
			 "event=fatal step=gateway url=%s err=%d", n.o.gateway,
			 err);
		goto out;
	}
	cp_httpc_set_timeout(n.http, n.o.poll_ms + 5000);
	n.hb_http = cp_httpc_new(n.o.gateway, token, &err);
	if (!n.hb_http) {
		nlb_logf(&n.log, NLB_LOG_ERROR,
			 "event=fatal step=gateway url=%s err=%d", n.o.gateway,
			 err);
		goto out;
	}
	cp_httpc_set_timeout(n.hb_http, 2000);
	if (n.o.iface) {
		ifindex = (int)if_nametoindex(n.o.iface);
		if (!ifindex) {
			err = -errno;
			nlb_logf(&n.log, NLB_LOG_ERROR,
				 "event=fatal step=iface iface=%s err=%d",
				 n.o.iface, err);
			goto out;
		}
	}
	dpo.pin_dir = n.o.pin_dir;
	err = nlb_dp__load(&dpo, &n.dp);
	if (err) {
		nlb_logf(&n.log, NLB_LOG_ERROR,
			 "event=fatal step=load pin_dir=%s err=%d", n.o.pin_dir,
			 err);
		goto out;
	}
	if (ifindex) {
		err = nlb_dp__attach(n.dp, ifindex, n.o.xdp_flags);
		if (err) {
			nlb_logf(&n.log, NLB_LOG_ERROR,
				 "event=fatal step=attach iface=%s err=%d",
				 n.o.iface, err);
			goto out;
		}
	}
	err = write_forwarding(&n);
	if (err) {
		nlb_logf(&n.log, NLB_LOG_ERROR,
			 "event=fatal step=forwarding_config err=%d", err);
		goto out;
	}
	nlb_reconcile_vipmgr_ops(&n.ops, nlb_dp__maps(n.dp));
	if (n.o.bgp_asn) {
		/* its parent is the operator's (/var/lib/nlb): made by the
		 * package or the unit */
		if (mkdir(n.o.bgp_state_dir, 0700) && errno != EEXIST)
			nlb_logf(&n.log, NLB_LOG_WARN,
				 "event=bgp_state_dir_failed dir=%s err=%d",
				 n.o.bgp_state_dir, -errno);
		n.bgp.ap = bgp_applier__new(&n.o.frr, n.o.bgp_state_dir, 0);
		err = n.bgp.ap ? nlblet_bgp_start(&n) : -errno;
		if (err) {
			nlb_logf(&n.log, NLB_LOG_ERROR,
				 "event=fatal step=bgp state_dir=%s err=%d",
				 n.o.bgp_state_dir, err);
			goto out;
		}
	}
	/* the last states nlb-hc wrote stand until it says otherwise */
	nlblet_read_hc_state(&n);
	if (n.o.hc_stream) {
		err = nlblet_hc_stream_start(&n);
		if (err) {
			nlb_logf(&n.log, NLB_LOG_ERROR,
				 "event=fatal step=hc_stream err=%d", err);
			goto out;
		}
	}
	err = nlblet_heartbeats_start(&n);
	if (err) {
		nlb_logf(&n.log, NLB_LOG_ERROR,
			 "event=fatal step=heartbeats err=%d", err);
		goto out;
	}
	nlb_logf(&n.log, NLB_LOG_INFO,
		 "event=started node=%s gateway=%s pin_dir=%s iface=%s "
		 "bgp=%s hc=%s",
		 n.o.node, n.o.gateway, n.o.pin_dir, n.o.iface ?: "-",
		 n.o.bgp_asn ? "on" : "off", n.o.hc_bin ? "run" : "external");
	while (!stop)
		step(&n);
	/* the other threads may be inside a call (a bgpd reload, an HTTP
	 * request): the process ends holding the lock they need to touch
	 * anything, and frees nothing they might use */
	pthread_mutex_lock(&n.mu);
	nlb_logf(&n.log, NLB_LOG_INFO, "event=stopped");
	return 0;
out:
	nlblet_free(&n);
	return err ? 1 : 0;
}
