// SPDX-License-Identifier: GPL-2.0
/* FRR's tools (vtysh, frr-reload.py) run against one FRR instance. */
#include "bgp_vtysh.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_BINDIR "/usr/bin"
#define DEFAULT_RELOAD "/usr/lib/frr/frr-reload.py"
#define DEFAULT_PYTHON "python3"
#define DEFAULT_TIMEOUT_MS 20000
#define MAX_ARGS 32

struct argv {
	const char *v[MAX_ARGS + 1];
	int n;
	char vtysh[512];
};

static void add(struct argv *a, const char *s)
{
	if (a->n < MAX_ARGS)
		a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static int timeout(const struct bgp_frr *f)
{
	return f->timeout_ms > 0 ? f->timeout_ms : DEFAULT_TIMEOUT_MS;
}

/* vtysh and the options that select the instance */
static int vtysh_argv(const struct bgp_frr *f, struct argv *a)
{
	a->n = 0;
	if (snprintf(a->vtysh, sizeof(a->vtysh), "%s/vtysh",
		     f->bindir ? f->bindir : DEFAULT_BINDIR) >=
	    (int)sizeof(a->vtysh))
		return -ENAMETOOLONG;
	add(a, a->vtysh);
	if (f->config_dir) {
		add(a, "--config_dir");
		add(a, f->config_dir);
	}
	if (f->vty_socket) {
		add(a, "--vty_socket");
		add(a, f->vty_socket);
	}
	if (f->pathspace) {
		add(a, "-N");
		add(a, f->pathspace);
	}
	return 0;
}

/* The first line that says what went wrong: vtysh's "% ..." or
 * frr-reload's "ERROR" line, else the last non-empty line. */
static void first_error(const char *out, char *buf, size_t len)
{
	const char *line = out, *pick = NULL, *last = NULL;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);

		if (n && !memmem(line, n, "vtysh.conf", 10)) {
			if (!pick && (memmem(line, n, "% ", 2) ||
				      memmem(line, n, "ERROR", 5)))
				pick = line;
			last = line;
		}
		line = end ? end + 1 : NULL;
	}
	if (!pick)
		pick = last;
	if (!pick) {
		snprintf(buf, len, "no output");
		return;
	}
	snprintf(buf, len, "%.*s", (int)strcspn(pick, "\n"), pick);
}

static int run(const char *what, const struct argv *a, int timeout_ms,
	       struct bgp_exec_result *res, char *err, size_t errlen)
{
	char why[256];
	int e;

	e = bgp_exec(a->v, timeout_ms, BGP_VTYSH_MAX_OUT, res);
	if (e == -ETIMEDOUT) {
		snprintf(err, errlen, "%s: no answer within %d ms", what,
			 timeout_ms);
		return e;
	}
	if (e) {
		snprintf(err, errlen, "%s: cannot run %s: %s", what, a->v[0],
			 strerror(-e));
		return e;
	}
	if (res->truncated) {
		snprintf(err, errlen, "%s: more than %u bytes of output", what,
			 BGP_VTYSH_MAX_OUT);
		return -EFBIG;
	}
	if (res->exit_code) {
		first_error(res->out, why, sizeof(why));
		snprintf(err, errlen, "%s: exit %d: %s", what, res->exit_code,
			 why);
		return -EIO;
	}
	return 0;
}

int bgp_vtysh_cmds(const struct bgp_frr *f, const char *const *cmds, size_t n,
		   struct bgp_exec_result *res, char *err, size_t errlen)
{
	struct argv a;
	int e;

	memset(res, 0, sizeof(*res));
	e = vtysh_argv(f, &a);
	if (e)
		return e;
	if (!n || a.n + 2 * n > MAX_ARGS)
		return -E2BIG;
	for (size_t i = 0; i < n; i++) {
		add(&a, "-c");
		add(&a, cmds[i]);
	}
	return run(cmds[0], &a, timeout(f), res, err, errlen);
}

int bgp_vtysh_cmd(const struct bgp_frr *f, const char *cmd,
		  struct bgp_exec_result *res, char *err, size_t errlen)
{
	return bgp_vtysh_cmds(f, &cmd, 1, res, err, errlen);
}

int bgp_vtysh_check(const struct bgp_frr *f, const char *file,
		    struct bgp_exec_result *res, char *err, size_t errlen)
{
	struct argv a;
	int e;

	memset(res, 0, sizeof(*res));
	e = vtysh_argv(f, &a);
	if (e)
		return e;
	add(&a, "--dryrun");
	add(&a, "-f");
	add(&a, file);
	return run("vtysh --dryrun", &a, timeout(f), res, err, errlen);
}

int bgp_vtysh_exec_file(const struct bgp_frr *f, const char *file,
			struct bgp_exec_result *res, char *err, size_t errlen)
{
	struct argv a;
	int e;

	memset(res, 0, sizeof(*res));
	e = vtysh_argv(f, &a);
	if (e)
		return e;
	add(&a, "-f");
	add(&a, file);
	return run("vtysh -f", &a, timeout(f), res, err, errlen);
}

int bgp_vtysh_reload(const struct bgp_frr *f, const char *file,
		     const char *rundir, bool test_only,
		     struct bgp_exec_result *res, char *err, size_t errlen)
{
	struct argv a = {.n = 0};

	memset(res, 0, sizeof(*res));
	add(&a, f->python ? f->python : DEFAULT_PYTHON);
	add(&a, f->reload_script ? f->reload_script : DEFAULT_RELOAD);
	add(&a, test_only ? "--test" : "--reload");
	/* log to our pipe, not /var/log/frr, so failures can be reported */
	add(&a, "--stdout");
	/* bgpd only: zebra's and bfdd's own settings are not ours to undo */
	add(&a, "--daemon");
	add(&a, "bgpd");
	add(&a, "--bindir");
	add(&a, f->bindir ? f->bindir : DEFAULT_BINDIR);
	if (f->config_dir) {
		add(&a, "--confdir");
		add(&a, f->config_dir);
	}
	if (f->vty_socket) {
		add(&a, "--vty_socket");
		add(&a, f->vty_socket);
	}
	if (f->pathspace) {
		add(&a, "--pathspace");
		add(&a, f->pathspace);
	}
	if (rundir) {
		add(&a, "--rundir");
		add(&a, rundir);
	}
	add(&a, file);
	return run(test_only ? "frr-reload.py --test"
			     : "frr-reload.py --reload",
		   &a, timeout(f), res, err, errlen);
}
