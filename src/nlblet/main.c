// SPDX-License-Identifier: GPL-2.0
/* nlblet: the node agent. Wires the options, the gateway client, the
 * forwarder's maps and nlb-hc's files into one reconcile loop. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "nlblet.h"
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
	O_PIN_DIR,
	O_HC_CONFIG,
	O_HC_STATE,
	O_STATUS_INTERVAL,
	O_POLL_MS,
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

static int parse_ms(const char *name, const char *v, int *out)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || *end || x < 100 || x > 600000) {
		fprintf(stderr, "nlblet: --%s: %s is not 100..600000\n", name,
			v);
		return -EINVAL;
	}
	*out = (int)x;
	return 0;
}

static int parse_opts(int argc, char **argv, struct nlblet *n)
{
	struct option lo[O_MAX + 1] = {0};
	const char *val[O_MAX] = {0};
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
	n->o.status_interval_ms = 10000;
	n->o.poll_ms = 1000;
	if (val[O_STATUS_INTERVAL] &&
	    (err = parse_ms(opt_table[O_STATUS_INTERVAL].name,
			    val[O_STATUS_INTERVAL], &n->o.status_interval_ms)))
		return err;
	if (val[O_POLL_MS] && (err = parse_ms(opt_table[O_POLL_MS].name,
					      val[O_POLL_MS], &n->o.poll_ms)))
		return err;
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

/* libbpf's output goes through the one log */
static struct nlb_log *libbpf_log;
static int libbpf_print(enum libbpf_print_level lvl, const char *fmt,
			va_list ap)
{
	char msg[512];
	size_t n;

	if (lvl == LIBBPF_DEBUG || !libbpf_log)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	nlb_logf(libbpf_log, lvl == LIBBPF_WARN ? NLB_LOG_WARN : NLB_LOG_INFO,
		 "event=libbpf msg=\"%s\"", msg);
	return 0;
}

/* One pass: heartbeat, assignments (long poll), health, maps, status. */
static void step(struct nlblet *n)
{
	static const int backoff_ms = 1000;
	char *doc = NULL;
	int err, changed = 0;

	if (!n->registered) {
		err = nlblet_register(n);
		if (err) {
			nlb_logf(&n->log, NLB_LOG_WARN,
				 "event=register_failed err=%d action=retry",
				 err);
			sleep_ms(backoff_ms);
			return;
		}
		n->registered = 1;
		n->last_hb_ms = nlblet_now_ms();
		nlb_logf(&n->log, NLB_LOG_INFO,
			 "event=registered node=%s zone=%s", n->o.node,
			 n->o.zone);
	}
	if (nlblet_now_ms() - n->last_hb_ms >= 1000) {
		err = nlblet_heartbeat(n);
		if (err == 404)
			n->registered = 0; /* the gateway forgot us */
		else if (err)
			nlb_logf(&n->log, NLB_LOG_WARN,
				 "event=heartbeat_failed err=%d", err);
		n->last_hb_ms = nlblet_now_ms();
	}
	err = nlblet_poll(n, &doc);
	if (err < 0 || err > 1) {
		/* fail static: the maps stay as they are */
		nlb_logf(&n->log, NLB_LOG_WARN,
			 "event=poll_failed err=%d action=keep_maps", err);
		sleep_ms(backoff_ms);
	} else if (!err) {
		changed = 1;
	}
	if (nlblet_read_hc_state(n) == 1)
		changed = 1;
	if (changed)
		nlblet_apply(n, doc);
	err = nlblet_report(n);
	if (err)
		nlb_logf(&n->log, NLB_LOG_WARN, "event=status_failed err=%d",
			 err);
}

static void nlblet_free(struct nlblet *n)
{
	cp_httpc_free(n->http);
	nlb_dp__free(n->dp);
	free(n->assign_json);
	free(n->hc_conf);
	free(n->hc_state_text);
	nlblet_hcstate_free(&n->hc);
	free(n->synced);
	free(n->last_status);
}

int main(int argc, char **argv)
{
	struct nlblet n = {0};
	struct nlb_dp_opts dpo = {0};
	struct sigaction sa = {0};
	char token[512];
	int err, ifindex = 0;

	n.log.f = stderr;
	n.log.level = NLB_LOG_INFO;
	n.log.daemon = "nlblet";
	if (parse_opts(argc, argv, &n))
		return 2;
	libbpf_log = &n.log;
	libbpf_set_print(libbpf_print);
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
		err = nlb_dp__attach(n.dp, ifindex, 0);
		if (err) {
			nlb_logf(&n.log, NLB_LOG_ERROR,
				 "event=fatal step=attach iface=%s err=%d",
				 n.o.iface, err);
			goto out;
		}
	}
	nlb_reconcile_vipmgr_ops(&n.ops, nlb_dp__maps(n.dp));
	nlb_logf(&n.log, NLB_LOG_INFO,
		 "event=started node=%s gateway=%s pin_dir=%s iface=%s",
		 n.o.node, n.o.gateway, n.o.pin_dir, n.o.iface ?: "-");
	while (!stop)
		step(&n);
	nlb_logf(&n.log, NLB_LOG_INFO, "event=stopped");
	err = 0;
out:
	nlblet_free(&n);
	return err ? 1 : 0;
}
