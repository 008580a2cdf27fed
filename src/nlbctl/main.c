// SPDX-License-Identifier: GPL-2.0
/* nlbctl: the nlb control-plane CLI. Global flags, then one do_<verb>()
 * per entry of the command table. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

struct command {
	const char *name;
	int (*fn)(struct ctl *c);
	const char *usage;
};

static const struct command commands[] = {
	{"apply", do_apply,
	 "apply -f FILE       create or update the load "
	 "balancers of a manifest"},
	{"diff", do_diff,
	 "diff -f FILE        show what apply would change "
	 "(exit 1 if anything)"},
	{"get", do_get, "get [NAME] [-l k=v] list load balancers or show one"},
	{"describe", do_describe,
	 "describe NAME       status, nodes and "
	 "backend health with reasons"},
	{"delete", do_delete, "delete NAME|-f FILE [--wait]"},
	{"nodes", do_nodes, "nodes               list LB nodes (admin)"},
	{"drain", do_drain,
	 "drain NODE [--wait [--timeout S]] | --undo  move VIPs off a node "
	 "(admin)"},
	{"pools", do_pools,
	 "pools [create NAME CIDR [--tenant T] | delete "
	 "NAME] (admin)"},
	{"tenants", do_tenants,
	 "tenants [create NAME [--dev] [--max-lbs N] "
	 "[--max-backends N] | delete NAME] (admin)"},
	{"token", do_token,
	 "token create --role admin|tenant|node "
	 "[--tenant T] [--node N] (admin)"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* verb flags that take a value, so that their values are not positional */
static const char *const value_flags[] = {
	"-f",	  "--filename", "-l",	     "--selector",     "--tenant",
	"--node", "--role",	"--max-lbs", "--max-backends", "--timeout",
	NULL};

static bool takes_value(const char *a)
{
	const char *const *v;

	for (v = value_flags; *v; v++)
		if (!strcmp(*v, a))
			return true;
	return false;
}

const char *ctl_opt(struct ctl *c, const char *lng, const char *shrt,
		    bool value)
{
	int i;

	for (i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];
		size_t l = strlen(lng);

		if (!strcmp(a, lng) || (shrt && !strcmp(a, shrt)))
			return value ? (i + 1 < c->argc ? c->argv[i + 1] : "")
				     : "";
		if (value && !strncmp(a, lng, l) && a[l] == '=')
			return a + l + 1;
	}
	return NULL;
}

const char *ctl_arg(struct ctl *c, int want)
{
	int i, n = 0;

	for (i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];

		if (a[0] == '-' && a[1]) {
			if (takes_value(a))
				i++;
			continue;
		}
		if (n++ == want)
			return a;
	}
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: nlbctl [--config FILE] [--endpoint URL] "
		   "[--token TOKEN] [-o table|json|yaml] COMMAND ...\n\n"
		   "commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "\nconfig: --config, $NLBCTL_CONFIG or "
		   "~/.config/nlb/nlbctl.yaml (keys endpoint, token);\n"
		   "$NLB_ENDPOINT and $NLB_TOKEN override the file.\n"
		   "exit codes: 0 ok, 1 diff found, 2 usage, 3 not found, "
		   "4 conflict,\n5 invalid request, 6 not authorized, 7 server "
		   "unreachable or failed\n");
}

int main(int argc, char **argv)
{
	struct ctl c = {.fmt = FMT_TABLE};
	const struct command *cmd = NULL;
	const char *config = NULL, *verb = NULL;
	char **rest = calloc((size_t)argc + 1, sizeof(char *));
	char defconf[4096];
	int i, nrest = 0, rc, err;

	if (!rest)
		return EXIT_SERVER;
	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;

		if (!strcmp(a, "--config"))
			dst = &config;
		else if (!strcmp(a, "--endpoint"))
			dst = &c.endpoint;
		else if (!strcmp(a, "--token"))
			dst = &c.token;
		if (dst) {
			if (i + 1 == argc) {
				fprintf(stderr, "error: %s needs a value\n", a);
				return EXIT_USAGE;
			}
			*dst = argv[++i];
			continue;
		}
		if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			const char *f = i + 1 < argc ? argv[++i] : "";

			if (!strcmp(f, "table"))
				c.fmt = FMT_TABLE;
			else if (!strcmp(f, "json"))
				c.fmt = FMT_JSON;
			else if (!strcmp(f, "yaml"))
				c.fmt = FMT_YAML;
			else {
				fprintf(stderr, "error: -o: table, json or "
						"yaml\n");
				return EXIT_USAGE;
			}
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		}
		if (!verb && a[0] != '-') {
			verb = a;
			continue;
		}
		rest[nrest++] = argv[i];
	}
	if (!verb) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < (int)NCOMMANDS; i++)
		if (!strcmp(commands[i].name, verb))
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "error: unknown command %s\n", verb);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!c.endpoint)
		c.endpoint = getenv("NLB_ENDPOINT");
	if (!c.token)
		c.token = getenv("NLB_TOKEN");
	if (!config)
		config = getenv("NLBCTL_CONFIG");
	if (config) {
		rc = ctl_config_load(&c, config, true);
	} else {
		snprintf(defconf, sizeof(defconf), "%s/.config/nlb/nlbctl.yaml",
			 getenv("HOME") ? getenv("HOME") : "/");
		rc = ctl_config_load(&c, defconf, false);
	}
	if (rc)
		return rc;
	if (!c.endpoint)
		c.endpoint = "http://127.0.0.1:8080";
	c.http = cp_httpc_new(c.endpoint, c.token, &err);
	if (!c.http) {
		fprintf(stderr, "error: endpoint %s: %s\n", c.endpoint,
			strerror(-err));
		return EXIT_USAGE;
	}
	c.argc = nrest;
	c.argv = rest;
	rc = cmd->fn(&c);
	cp_httpc_free(c.http);
	free(rest);
	return rc;
}
