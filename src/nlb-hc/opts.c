// SPDX-License-Identifier: GPL-2.0
/* nlb-hc option table, parser and --help. */
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum {
	O_CONFIG = 'c',
	O_STREAM = 's',
	O_STATE = 'S',
	O_METRICS = 'm',
	O_STATE_MIN = 1000,
	O_LOG = 'l',
	O_HELP = 'h',
	O_VERSION = 'V',
	O_CHECK = 'n',
	O_TUNNEL_IFACE = 1001,
	O_TUNNEL_MARK = 1002,
};

static const struct opt {
	const char *name;
	int id;
	const char *arg, *def, *help;
} table[] = {
	{"config", O_CONFIG, "FILE", NULL,
	 "check configuration (JSON); reloaded on change and SIGHUP"},
	{"stream", O_STREAM, "PATH", "/run/nlb-hc/events.sock",
	 "unix socket of the event stream"},
	{"state", O_STATE, "PATH", "/run/nlb-hc/state.json",
	 "state file, replaced atomically"},
	{"metrics", O_METRICS, "ADDR:PORT", "127.0.0.1:9102",
	 "Prometheus endpoint (port 0: any; empty: off)"},
	{"state-min-ms", O_STATE_MIN, "MS", "100",
	 "least time between two state file writes"},
	{"tunnel-iface", O_TUNNEL_IFACE, "IFACE", NULL,
	 "uplink whose egress encapsulates checks with a \"tunnel\""},
	{"tunnel-mark", O_TUNNEL_MARK, "VALUE/MASK", "0x4e480000/0xffff0000",
	 "socket marks of tunneled probes: VALUE | index, index in ~MASK"},
	{"log-level", O_LOG, "LEVEL", "info", "debug, info, warn or error"},
	{"check-config", O_CHECK, NULL, NULL,
	 "validate --config, print the verdict and exit"},
	{"version", O_VERSION, NULL, NULL, "print the version and TLS library"},
	{"help", O_HELP, NULL, NULL, "this text"},
};
#define N_OPTS (sizeof(table) / sizeof(table[0]))

/* VALUE/MASK: MASK is contiguous high bits, VALUE lies inside it and is
 * not 0, so the bits below MASK number the (backend, VIP) pairs. */
static int parse_mark(const char *v, uint32_t *mark, uint32_t *mask)
{
	unsigned long m, k;
	uint32_t low;
	char *end;

	m = strtoul(v, &end, 0);
	if (end == v || *end != '/')
		return -EINVAL;
	v = end + 1;
	k = strtoul(v, &end, 0);
	if (end == v || *end || m > 0xffffffffUL || k > 0xffffffffUL)
		return -EINVAL;
	low = ~(uint32_t)k;
	if (!m || (m & low) || !low || (low & (low + 1)))
		return -EINVAL;
	*mark = m;
	*mask = k;
	return 0;
}

static int set(struct hc_opts *o, int id, const char *v, char *err,
	       size_t errlen)
{
	char *end;

	switch (id) {
	case O_CONFIG:
		o->config = v;
		return 0;
	case O_STREAM:
		o->stream = v;
		return 0;
	case O_STATE:
		o->state = v;
		return 0;
	case O_METRICS:
		o->metrics = v;
		return 0;
	case O_STATE_MIN:
		o->state_min_ms = strtoul(v, &end, 10);
		if (*end || !*v || o->state_min_ms > 60000)
			break;
		return 0;
	case O_TUNNEL_IFACE:
		o->tunnel_iface = v;
		if (!*v || strlen(v) >= 16)
			break;
		return 0;
	case O_TUNNEL_MARK:
		if (parse_mark(v, &o->tunnel_mark, &o->tunnel_mask))
			break;
		return 0;
	case O_LOG:
		if (nlb_log_level_parse(v, &o->log_level))
			break;
		return 0;
	}
	for (size_t i = 0; i < N_OPTS; i++)
		if (table[i].id == id)
			snprintf(err, errlen, "--%s: invalid value \"%s\"",
				 table[i].name, v);
	return -EINVAL;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: nlb-hc --config FILE [options]\n\n");
	for (size_t i = 0; i < N_OPTS; i++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", table[i].name,
			 table[i].arg ? " " : "", table[i].arg ?: "");
		fprintf(out, "  %-28s %s", left, table[i].help);
		if (table[i].def)
			fprintf(out, " [%s]", table[i].def);
		fprintf(out, "\n");
	}
}

int hc_opts_parse(int argc, char **argv, struct hc_opts *o, FILE *out,
		  char *err, size_t errlen)
{
	struct option lo[N_OPTS + 1];
	int c;

	memset(o, 0, sizeof(*o));
	memset(lo, 0, sizeof(lo));
	for (size_t i = 0; i < N_OPTS; i++) {
		lo[i].name = table[i].name;
		lo[i].has_arg = table[i].arg ? required_argument : no_argument;
		lo[i].val = table[i].id;
		if (table[i].def &&
		    set(o, table[i].id, table[i].def, err, errlen))
			return -EINVAL;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:S:m:l:hVn", lo, NULL)) != -1) {
		if (c == O_HELP) {
			usage(out);
			return 1;
		}
		if (c == O_VERSION)
			return 2;
		if (c == O_CHECK) {
			o->check_only = true;
			continue;
		}
		if (c == '?') {
			snprintf(err, errlen, "unknown option (see --help)");
			return -EINVAL;
		}
		if (set(o, c, optarg, err, errlen))
			return -EINVAL;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument \"%s\"",
			 argv[optind]);
		return -EINVAL;
	}
	if (!o->config) {
		snprintf(err, errlen, "--config is required");
		return -EINVAL;
	}
	return 0;
}
