// SPDX-License-Identifier: GPL-2.0
/* The BGP tests' driver of libnlb's BGP modules, for one FRR instance:
 *
 *   bgp-driver [FRR] render CONFIG        print the rendered configuration
 *   bgp-driver [FRR] apply CONFIG         render and apply it
 *   bgp-driver [FRR] apply-file FILE PFX...  apply FILE, wanting PFX...
 *   bgp-driver [FRR] sessions             one line per BGP session
 *
 * FRR: --vty-socket DIR, --pathspace NAME, --state DIR (the applier's).
 * CONFIG: --asn N --router-id A [--hostname H] --neighbor ADDR,ASN[,bfd]...
 *   [--vip PREFIX[,COMMUNITY...]]... [--bfd MULT,RX,TX] [--timers KA,HOLD]
 *   [--connect S] [--drain gshut|med=N|local-pref=N|prepend=N]
 * Results are key=value lines; the exit code is 0 on success.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_apply.h"
#include "bgp_config.h"
#include "bgp_status.h"

#define MAX_LIST 64

struct args {
	struct bgp_frr frr;
	const char *state;
	struct bgp_config cfg;
	struct bgp_neighbor nbrs[MAX_LIST];
	struct bgp_vip vips[MAX_LIST];
	const char *comms[MAX_LIST][BGP_MAX_COMMUNITIES];
	const char *prefixes[MAX_LIST];
	size_t n_prefixes;
};

static int usage(void)
{
	fprintf(stderr,
		"usage: see the first comment of tests/bgp/bgp_driver.c\n");
	return 2;
}

static int parse_neighbor(struct args *a, char *s)
{
	struct bgp_neighbor *n;
	char *asn, *flag;

	if (a->cfg.n_neighbors >= MAX_LIST)
		return -E2BIG;
	n = &a->nbrs[a->cfg.n_neighbors++];
	asn = strchr(s, ',');
	if (!asn)
		return -EINVAL;
	*asn++ = 0;
	flag = strchr(asn, ',');
	if (flag)
		*flag++ = 0;
	n->address = s;
	n->remote_asn = strtoul(asn, NULL, 10);
	n->bfd = flag && !strcmp(flag, "bfd");
	return 0;
}

static int parse_vip(struct args *a, char *s)
{
	size_t i = a->cfg.n_vips;
	char *tok, *save = NULL;

	if (i >= MAX_LIST)
		return -E2BIG;
	a->vips[i].prefix = strtok_r(s, ",", &save);
	while ((tok = strtok_r(NULL, ",", &save)) &&
	       a->vips[i].n_communities < BGP_MAX_COMMUNITIES)
		a->comms[i][a->vips[i].n_communities++] = tok;
	a->vips[i].communities = a->comms[i];
	a->prefixes[a->n_prefixes++] = a->vips[i].prefix;
	a->cfg.n_vips++;
	return 0;
}

static int parse_drain(struct bgp_drain *d, const char *s)
{
	if (!strcmp(s, "gshut"))
		d->graceful_shutdown = true;
	else if (!strncmp(s, "med=", 4))
		d->set_med = true, d->med = strtoul(s + 4, NULL, 10);
	else if (!strncmp(s, "local-pref=", 11))
		d->set_local_pref = true,
		d->local_pref = strtoul(s + 11, NULL, 10);
	else if (!strncmp(s, "prepend=", 8))
		d->as_path_prepend = strtoul(s + 8, NULL, 10);
	else
		return -EINVAL;
	return 0;
}

/* options before and after the command; returns the index of the command */
static int parse(struct args *a, int argc, char **argv, int *cmd)
{
	*cmd = -1;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int e = 0;

		if (o[0] != '-') {
			if (*cmd < 0) {
				*cmd = i;
				continue;
			}
			/* apply-file's FILE and prefixes */
			continue;
		}
		if (!v)
			return -EINVAL;
		i++;
		if (!strcmp(o, "--vty-socket"))
			a->frr.vty_socket = v;
		else if (!strcmp(o, "--pathspace"))
			a->frr.pathspace = v;
		else if (!strcmp(o, "--config-dir"))
			a->frr.config_dir = v;
		else if (!strcmp(o, "--state"))
			a->state = v;
		else if (!strcmp(o, "--asn"))
			a->cfg.local_asn = strtoul(v, NULL, 10);
		else if (!strcmp(o, "--router-id"))
			a->cfg.router_id = v;
		else if (!strcmp(o, "--hostname"))
			a->cfg.hostname = v;
		else if (!strcmp(o, "--neighbor"))
			e = parse_neighbor(a, v);
		else if (!strcmp(o, "--vip"))
			e = parse_vip(a, v);
		else if (!strcmp(o, "--bfd"))
			e = sscanf(v, "%u,%u,%u", &a->cfg.bfd.detect_mult,
				   &a->cfg.bfd.rx_ms, &a->cfg.bfd.tx_ms) == 3
				    ? 0
				    : -EINVAL;
		else if (!strcmp(o, "--timers"))
			e = sscanf(v, "%u,%u", &a->cfg.keepalive_s,
				   &a->cfg.hold_s) == 2
				    ? 0
				    : -EINVAL;
		else if (!strcmp(o, "--connect"))
			a->cfg.connect_retry_s = strtoul(v, NULL, 10);
		else if (!strcmp(o, "--drain"))
			e = parse_drain(&a->cfg.drain, v);
		else
			e = -EINVAL;
		if (e) {
			fprintf(stderr, "bad option %s %s\n", o, v);
			return e;
		}
	}
	return *cmd < 0 ? -EINVAL : 0;
}

static int do_apply(struct args *a, const char *text)
{
	struct bgp_apply_report rep;
	struct bgp_applier *ap;
	int e;

	if (!a->state)
		return usage();
	ap = bgp_applier__new(&a->frr, a->state, 0);
	if (!ap) {
		fprintf(stderr, "applier: %s\n", strerror(errno));
		return 1;
	}
	e = bgp_applier__apply(ap, text, a->prefixes, a->n_prefixes, &rep);
	if (!e)
		printf("apply=ok changed=%d fast=%d test_ms=%d reload_ms=%d "
		       "verify_ms=%d\n",
		       rep.changed, rep.fast, rep.test_ms, rep.reload_ms,
		       rep.verify_ms);
	else
		printf("apply=failed errno=%d step=%s fast=%d rolled_back=%d "
		       "err=\"%s\"\n",
		       -e, bgp_apply_step_name(rep.failed), rep.fast,
		       rep.rolled_back, rep.err);
	bgp_applier__free(ap);
	return e ? 1 : 0;
}

static int do_sessions(struct args *a)
{
	struct bgp_session s[MAX_LIST];
	char err[256];
	int n;

	n = bgp_status_sessions(&a->frr, s, MAX_LIST, err, sizeof(err));
	if (n < 0) {
		printf("sessions=failed err=\"%s\"\n", err);
		return 1;
	}
	for (int i = 0; i < n && i < MAX_LIST; i++)
		printf("peer=%s asn=%u state=%s uptime_ms=%llu pfx_sent=%u "
		       "pfx_rcvd=%u bfd=%s\n",
		       s[i].peer, s[i].remote_asn,
		       bgp_session_state_name(s[i].state),
		       (unsigned long long)s[i].uptime_ms, s[i].pfx_sent,
		       s[i].pfx_rcvd, s[i].bfd[0] ? s[i].bfd : "-");
	return 0;
}

static char *slurp(const char *path)
{
	char *buf = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	if (getdelim(&buf, &cap, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	static struct args a; /* big: off the stack */
	static char text[1 << 20];
	char err[512] = "";
	const char *cmd;
	int c, n, rc;

	a.cfg.neighbors = a.nbrs;
	a.cfg.vips = a.vips;
	if (parse(&a, argc, argv, &c))
		return usage();
	cmd = argv[c];
	if (!strcmp(cmd, "sessions"))
		return do_sessions(&a);
	if (!strcmp(cmd, "apply-file")) {
		char *file;

		if (c + 1 >= argc)
			return usage();
		file = slurp(argv[c + 1]);
		if (!file) {
			perror(argv[c + 1]);
			return 1;
		}
		for (int i = c + 2; i < argc && a.n_prefixes < MAX_LIST; i++)
			if (argv[i][0] != '-' &&
			    (i == 0 || argv[i - 1][0] != '-'))
				a.prefixes[a.n_prefixes++] = argv[i];
		rc = do_apply(&a, file);
		free(file);
		return rc;
	}
	if (strcmp(cmd, "render") && strcmp(cmd, "apply"))
		return usage();
	n = bgp_config_render(&a.cfg, text, sizeof(text), err, sizeof(err));
	if (n < 0) {
		printf("render=failed errno=%d err=\"%s\"\n", -n, err);
		return 1;
	}
	if (!strcmp(cmd, "render")) {
		fputs(text, stdout);
		return 0;
	}
	return do_apply(&a, text);
}
