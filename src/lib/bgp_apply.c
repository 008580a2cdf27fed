// SPDX-License-Identifier: GPL-2.0
/* The apply transaction of a bgpd configuration: write, test, reload,
 * verify, and back to the last good configuration on failure. */
#include "bgp_apply.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "bgp_delta.h"
#include "bgp_status.h"

#define GOOD_FILE "bgpd.conf"
#define PREFIX_FILE "bgpd.prefixes"
#define NEW_FILE "bgpd.conf.new"
#define DELTA_FILE "bgpd.delta"
#define DEFAULT_VERIFY_MS 5000
#define VERIFY_POLL_US 50000

struct prefixes {
	char **v;
	size_t n;
};

struct bgp_applier {
	struct bgp_frr frr;
	char *dir;
	int verify_ms;
	char *good; /* last good text, or NULL */
	struct prefixes good_pfx;
};

static const char *const step_names[] = {
	[BGP_STEP_NONE] = "none",     [BGP_STEP_WRITE] = "write",
	[BGP_STEP_TEST] = "test",     [BGP_STEP_RELOAD] = "reload",
	[BGP_STEP_VERIFY] = "verify",
};

const char *bgp_apply_step_name(enum bgp_apply_step s)
{
	if ((unsigned)s >= sizeof(step_names) / sizeof(step_names[0]))
		return "?";
	return step_names[s];
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void prefixes_free(struct prefixes *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static int prefixes_copy(struct prefixes *p, const char *const *v, size_t n)
{
	p->v = calloc(n ? n : 1, sizeof(*p->v));
	p->n = 0;
	if (!p->v)
		return -ENOMEM;
	for (; p->n < n; p->n++) {
		p->v[p->n] = strdup(v[p->n] ? v[p->n] : "");
		if (!p->v[p->n]) {
			prefixes_free(p);
			return -ENOMEM;
		}
	}
	return 0;
}

static char *path_in(const struct bgp_applier *a, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", a->dir, name) < 0)
		return NULL;
	return p;
}

/* Write the whole of data to dir/name through a temp file and a rename,
 * so a crash never leaves a half-written last good configuration. */
static int write_file(const struct bgp_applier *a, const char *name,
		      const char *data, size_t len)
{
	char *path = path_in(a, name), *tmp = NULL;
	size_t off = 0;
	int fd = -1, e = 0;

	if (!path || asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		e = -ENOMEM;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = -errno;
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = -errno;
			goto out;
		}
		off += n;
	}
	if (fsync(fd) || close(fd)) {
		fd = -1;
		e = -errno;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path))
		e = -errno;
out:
	if (fd >= 0)
		close(fd);
	if (e && tmp)
		unlink(tmp);
	free(tmp);
	free(path);
	return e;
}

static char *read_file(const struct bgp_applier *a, const char *name)
{
	char *path = path_in(a, name), *buf = NULL;
	size_t cap = 0;
	FILE *f;

	if (!path)
		return NULL;
	f = fopen(path, "re");
	free(path);
	if (!f)
		return NULL;
	if (getdelim(&buf, &cap, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* the last good configuration of a previous run, if both files are there */
static void load_good(struct bgp_applier *a)
{
	char *text = read_file(a, GOOD_FILE), *list = read_file(a, PREFIX_FILE);
	char *save = NULL, *tok;
	size_t n = 0;

	if (!text || !list)
		goto out;
	for (char *p = list; *p; p++)
		n += *p == '\n';
	a->good_pfx.v = calloc(n + 1, sizeof(char *));
	if (!a->good_pfx.v)
		goto out;
	for (tok = strtok_r(list, "\n", &save); tok;
	     tok = strtok_r(NULL, "\n", &save)) {
		a->good_pfx.v[a->good_pfx.n] = strdup(tok);
		if (!a->good_pfx.v[a->good_pfx.n]) {
			prefixes_free(&a->good_pfx);
			goto out;
		}
		a->good_pfx.n++;
	}
	a->good = text;
	text = NULL;
out:
	free(text);
	free(list);
}

static int save_good(struct bgp_applier *a, const char *text,
		     const char *const *pfx, size_t n)
{
	struct prefixes copy;
	char *list = NULL, *dup;
	size_t len = 0;
	FILE *m;
	int e;

	m = open_memstream(&list, &len);
	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		fprintf(m, "%s\n", pfx[i]);
	if (fclose(m)) {
		free(list);
		return -ENOMEM;
	}
	e = write_file(a, PREFIX_FILE, list, len);
	if (!e)
		e = write_file(a, GOOD_FILE, text, strlen(text));
	free(list);
	if (e)
		return e;
	dup = strdup(text);
	if (!dup || prefixes_copy(&copy, pfx, n)) {
		free(dup);
		return -ENOMEM;
	}
	free(a->good);
	a->good = dup;
	prefixes_free(&a->good_pfx);
	a->good_pfx = copy;
	return 0;
}

struct bgp_applier *bgp_applier__new(const struct bgp_frr *frr,
				     const char *state_dir,
				     int verify_timeout_ms)
{
	struct bgp_applier *a;

	if (!frr || !state_dir) {
		errno = EINVAL;
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->frr = *frr;
	a->verify_ms =
		verify_timeout_ms > 0 ? verify_timeout_ms : DEFAULT_VERIFY_MS;
	a->dir = strdup(state_dir);
	if (!a->dir) {
		free(a);
		errno = ENOMEM;
		return NULL;
	}
	load_good(a);
	return a;
}

void bgp_applier__free(struct bgp_applier *a)
{
	if (!a)
		return;
	prefixes_free(&a->good_pfx);
	free(a->good);
	free(a->dir);
	free(a);
}

const char *bgp_applier__last_good(const struct bgp_applier *a)
{
	return a ? a->good : NULL;
}

/* One look at both tables, with one vtysh: the IPv4 table's JSON, then
 * the IPv6 table's. */
static int verify_once(struct bgp_applier *a, const char *const *pfx, size_t n,
		       char *err, size_t errlen)
{
	static const char *const cmds[] = {"show bgp ipv4 unicast json",
					   "show bgp ipv6 unicast json"};
	struct bgp_exec_result res;
	const char *v6 = NULL;
	cJSON *v4doc;
	char keep;
	int e;

	e = bgp_vtysh_cmds(&a->frr, cmds, 2, &res, err, errlen);
	if (e)
		goto out;
	v4doc = cJSON_ParseWithOpts(res.out, &v6, 0);
	cJSON_Delete(v4doc);
	if (!v4doc || !v6) {
		snprintf(err, errlen, "%s: not JSON", cmds[0]);
		e = -EINVAL;
		goto out;
	}
	/* the IPv4 document alone, then the rest */
	keep = *v6;
	*(char *)v6 = 0;
	e = bgp_status_check_originated(res.out, AF_INET, pfx, n, err, errlen);
	*(char *)v6 = keep;
	if (!e)
		e = bgp_status_check_originated(v6, AF_INET6, pfx, n, err,
						errlen);
out:
	bgp_exec_result_free(&res);
	return e;
}

/* bgpd applies network statements at once, but give it verify_ms to
 * settle before calling the result wrong. */
static int verify(struct bgp_applier *a, const char *const *pfx, size_t n,
		  char *err, size_t errlen)
{
	long long deadline = now_ms() + a->verify_ms;
	int e;

	for (;;) {
		e = verify_once(a, pfx, n, err, errlen);
		if (!e || now_ms() >= deadline)
			return e;
		if (e != -ENOENT && e != -EEXIST)
			return e;
		usleep(VERIFY_POLL_US);
	}
}

static int step_fail(struct bgp_apply_report *rep, enum bgp_apply_step s, int e,
		     const char *why)
{
	rep->failed = s;
	snprintf(rep->err, sizeof(rep->err), "%s: %s", bgp_apply_step_name(s),
		 why);
	return e;
}

/* After a failed reload or verification: the last good one, verified. */
static void roll_back(struct bgp_applier *a, struct bgp_apply_report *rep)
{
	struct bgp_exec_result res;
	char *path = NULL, why[256];
	size_t len = strlen(rep->err);
	int e;

	if (!a->good) {
		snprintf(rep->err + len, sizeof(rep->err) - len,
			 "; no last good configuration to restore");
		return;
	}
	path = path_in(a, GOOD_FILE);
	if (!path)
		return;
	e = bgp_vtysh_reload(&a->frr, path, a->dir, false, &res, why,
			     sizeof(why));
	bgp_exec_result_free(&res);
	if (!e)
		e = verify(a, (const char *const *)a->good_pfx.v, a->good_pfx.n,
			   why, sizeof(why));
	rep->rolled_back = !e;
	if (e)
		snprintf(rep->err + len, sizeof(rep->err) - len,
			 "; restoring the last good configuration failed: %s",
			 why);
	free(path);
}

/* The fast path: only network lines changed since the last good text, and
 * bgpd still originates the last good prefixes (so it runs that text, not an
 * empty or older configuration): send just those lines. -ENOENT: not
 * eligible. */
static int reload_delta(struct bgp_applier *a, const char *text, char *why,
			size_t whylen)
{
	struct bgp_exec_result res;
	char *delta = NULL, *path = NULL;
	int e;

	if (!a->good)
		return -ENOENT;
	e = bgp_delta_networks(a->good, text, &delta);
	if (e <= 0)
		return e ? e : -ENOENT;
	if (verify_once(a, (const char *const *)a->good_pfx.v, a->good_pfx.n,
			why, whylen)) {
		e = -ENOENT;
		goto out;
	}
	e = write_file(a, DELTA_FILE, delta, strlen(delta));
	if (e)
		goto out;
	path = path_in(a, DELTA_FILE);
	if (!path) {
		e = -ENOMEM;
		goto out;
	}
	e = bgp_vtysh_exec_file(&a->frr, path, &res, why, whylen);
	bgp_exec_result_free(&res);
out:
	free(path);
	free(delta);
	return e;
}

/* The reload step: the fast path when it applies, else frr-reload.py. */
static int reload(struct bgp_applier *a, const char *text, const char *path,
		  struct bgp_apply_report *rep, char *why, size_t whylen)
{
	struct bgp_exec_result res;
	int e;

	e = reload_delta(a, text, why, whylen);
	if (e != -ENOENT) {
		rep->fast = true;
		return e;
	}
	e = bgp_vtysh_reload(&a->frr, path, a->dir, false, &res, why, whylen);
	bgp_exec_result_free(&res);
	return e;
}

int bgp_applier__apply(struct bgp_applier *a, const char *text,
		       const char *const *prefixes, size_t n_prefixes,
		       struct bgp_apply_report *rep)
{
	struct bgp_exec_result res = {0};
	char why[384], *path = NULL;
	long long t0;
	int e;

	memset(rep, 0, sizeof(*rep));
	if (!a || !text || (n_prefixes && !prefixes))
		return step_fail(rep, BGP_STEP_WRITE, -EINVAL, "bad arguments");

	/* already in effect: only make sure bgpd still agrees (it may have
	 * restarted from an older file) */
	if (a->good && !strcmp(a->good, text)) {
		t0 = now_ms();
		e = verify_once(a, prefixes, n_prefixes, why, sizeof(why));
		rep->verify_ms = now_ms() - t0;
		if (!e)
			return 0;
	}

	e = write_file(a, NEW_FILE, text, strlen(text));
	if (e)
		return step_fail(rep, BGP_STEP_WRITE, e, strerror(-e));
	path = path_in(a, NEW_FILE);
	if (!path)
		return step_fail(rep, BGP_STEP_WRITE, -ENOMEM, "out of memory");

	t0 = now_ms();
	e = bgp_vtysh_check(&a->frr, path, &res, why, sizeof(why));
	rep->test_ms = now_ms() - t0;
	bgp_exec_result_free(&res);
	if (e) {
		/* vtysh refused the text: a bad configuration, not an
		 * I/O problem */
		e = step_fail(rep, BGP_STEP_TEST, e == -EIO ? -EINVAL : e, why);
		goto out;
	}

	rep->changed = true;
	t0 = now_ms();
	e = reload(a, text, path, rep, why, sizeof(why));
	rep->reload_ms = now_ms() - t0;
	if (e) {
		step_fail(rep, BGP_STEP_RELOAD, e, why);
		roll_back(a, rep);
		goto out;
	}

	t0 = now_ms();
	e = verify(a, prefixes, n_prefixes, why, sizeof(why));
	rep->verify_ms = now_ms() - t0;
	if (e) {
		step_fail(rep, BGP_STEP_VERIFY, e, why);
		roll_back(a, rep);
		goto out;
	}

	e = save_good(a, text, prefixes, n_prefixes);
	if (e)
		step_fail(rep, BGP_STEP_WRITE, e,
			  "applied, but the last good file was not saved");
out:
	free(path);
	return e;
}
