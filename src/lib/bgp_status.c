// SPDX-License-Identifier: GPL-2.0
/* BGP sessions and originated prefixes, read from FRR's JSON answers. */
#include "bgp_status.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>

static const char *const state_names[] = {
	[BGP_STATE_UNKNOWN] = "Unknown",
	[BGP_STATE_IDLE] = "Idle",
	[BGP_STATE_CONNECT] = "Connect",
	[BGP_STATE_ACTIVE] = "Active",
	[BGP_STATE_OPENSENT] = "OpenSent",
	[BGP_STATE_OPENCONFIRM] = "OpenConfirm",
	[BGP_STATE_ESTABLISHED] = "Established",
};

const char *bgp_session_state_name(enum bgp_session_state s)
{
	if ((unsigned)s >= sizeof(state_names) / sizeof(state_names[0]))
		s = BGP_STATE_UNKNOWN;
	return state_names[s];
}

static enum bgp_session_state parse_state(const char *s)
{
	for (size_t i = 1; i < sizeof(state_names) / sizeof(state_names[0]);
	     i++)
		if (s && !strcmp(s, state_names[i]))
			return i;
	return BGP_STATE_UNKNOWN;
}

static int fail(char *err, size_t errlen, int e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int e, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return e;
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int session_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bgp_session *)a)->peer,
		      ((const struct bgp_session *)b)->peer);
}

int bgp_status_parse_summary(const char *json, struct bgp_session *s,
			     size_t max, char *err, size_t errlen)
{
	struct bgp_session *all = NULL;
	size_t n = 0, cap = 0;
	const cJSON *af, *peer;
	cJSON *root;
	int e = 0;

	root = cJSON_Parse(json ? json : "");
	if (!cJSON_IsObject(root)) {
		e = fail(err, errlen, -EINVAL,
			 "bgp summary: not a JSON object");
		goto out;
	}
	/* { "ipv4Unicast": { "peers": { ADDR: {...} } }, "ipv6Unicast": ... } */
	cJSON_ArrayForEach(af, root)
	{
		const cJSON *peers =
			cJSON_GetObjectItemCaseSensitive(af, "peers");

		if (!cJSON_IsObject(peers))
			continue;
		cJSON_ArrayForEach(peer, peers)
		{
			struct bgp_session *x = NULL;

			for (size_t i = 0; i < n && !x; i++)
				if (!strcmp(all[i].peer, peer->string))
					x = &all[i];
			if (!x) {
				if (n == cap) {
					size_t nc = cap ? 2 * cap : 8;
					void *p =
						realloc(all, nc * sizeof(*all));

					if (!p) {
						e = -ENOMEM;
						goto out;
					}
					all = p;
					cap = nc;
				}
				x = &all[n++];
				memset(x, 0, sizeof(*x));
				snprintf(x->peer, sizeof(x->peer), "%s",
					 peer->string);
				x->remote_asn = num(peer, "remoteAs");
				x->state = parse_state(str(peer, "state"));
				x->uptime_ms = num(peer, "peerUptimeMsec");
			}
			x->pfx_sent += num(peer, "pfxSnt");
			x->pfx_rcvd += num(peer, "pfxRcd");
		}
	}
	if (n)
		qsort(all, n, sizeof(*all), session_cmp);
	for (size_t i = 0; i < n && i < max; i++)
		s[i] = all[i];
	e = (int)n;
out:
	free(all);
	cJSON_Delete(root);
	return e;
}

int bgp_status_parse_bfd(const char *json, struct bgp_session *s, size_t n,
			 char *err, size_t errlen)
{
	const cJSON *p;
	cJSON *root;

	root = cJSON_Parse(json ? json : "");
	if (!cJSON_IsArray(root)) {
		cJSON_Delete(root);
		return fail(err, errlen, -EINVAL,
			    "bfd peers: not a JSON array");
	}
	cJSON_ArrayForEach(p, root)
	{
		const char *peer = str(p, "peer"), *status = str(p, "status");

		for (size_t i = 0; peer && status && i < n; i++)
			if (!strcmp(s[i].peer, peer))
				snprintf(s[i].bfd, sizeof(s[i].bfd), "%s",
					 status);
	}
	cJSON_Delete(root);
	return 0;
}

struct pfx {
	int family;
	unsigned char bytes[16];
	unsigned int len;
};

static int parse_pfx(const char *s, struct pfx *p)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long len;
	unsigned int max;

	if (!s || snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (inet_pton(AF_INET, buf, p->bytes) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, p->bytes) == 1)
		p->family = AF_INET6;
	else
		return -EINVAL;
	max = p->family == AF_INET ? 32 : 128;
	p->len = max;
	if (slash) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || len > max)
			return -EINVAL;
		p->len = len;
	}
	return 0;
}

static int pfx_cmp(const void *a, const void *b)
{
	const struct pfx *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->bytes, y->bytes, sizeof(x->bytes));
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* a path this node originated: network statements have no peer */
static bool originated(const cJSON *paths)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, paths)
	{
		const char *peer = str(p, "peerId");

		if (cJSON_IsTrue(
			    cJSON_GetObjectItemCaseSensitive(p, "valid")) &&
		    peer && !strcmp(peer, "(unspec)"))
			return true;
	}
	return false;
}

int bgp_status_check_originated(const char *json, int family,
				const char *const *want, size_t n_want,
				char *err, size_t errlen)
{
	struct pfx *w = NULL;
	bool *seen = NULL;
	size_t nw = 0;
	const cJSON *routes, *r;
	cJSON *root = NULL;
	int e = 0;

	w = calloc(n_want ? n_want : 1, sizeof(*w));
	seen = calloc(n_want ? n_want : 1, sizeof(*seen));
	if (!w || !seen) {
		e = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_want; i++) {
		struct pfx p;

		if (parse_pfx(want[i], &p)) {
			e = fail(err, errlen, -EINVAL, "%s: not a prefix",
				 want[i] ? want[i] : "(null)");
			goto out;
		}
		if (p.family == family)
			w[nw++] = p;
	}
	qsort(w, nw, sizeof(*w), pfx_cmp);

	root = cJSON_Parse(json ? json : "");
	routes = cJSON_GetObjectItemCaseSensitive(root, "routes");
	if (!cJSON_IsObject(routes)) {
		e = fail(err, errlen, -EINVAL,
			 "bgp table: no \"routes\" object");
		goto out;
	}
	cJSON_ArrayForEach(r, routes)
	{
		struct pfx p, *hit;

		if (!originated(r))
			continue;
		if (parse_pfx(r->string, &p)) {
			e = fail(err, errlen, -EINVAL,
				 "bgp table: bad prefix %s", r->string);
			goto out;
		}
		hit = nw ? bsearch(&p, w, nw, sizeof(*w), pfx_cmp) : NULL;
		if (!hit) {
			e = fail(err, errlen, -EEXIST,
				 "%s is in the BGP table but not wanted",
				 r->string);
			goto out;
		}
		seen[hit - w] = true;
	}
	for (size_t i = 0; i < nw; i++) {
		char a[INET6_ADDRSTRLEN];

		if (seen[i])
			continue;
		inet_ntop(w[i].family, w[i].bytes, a, sizeof(a));
		e = fail(err, errlen, -ENOENT, "%s/%u is not in the BGP table",
			 a, w[i].len);
		goto out;
	}
out:
	cJSON_Delete(root);
	free(seen);
	free(w);
	return e;
}

int bgp_status_sessions(const struct bgp_frr *f, struct bgp_session *s,
			size_t max, char *err, size_t errlen)
{
	struct bgp_exec_result res;
	char ignored[64];
	int n;

	n = bgp_vtysh_cmd(f, "show bgp summary json", &res, err, errlen);
	if (n == 0)
		n = bgp_status_parse_summary(res.out, s, max, err, errlen);
	bgp_exec_result_free(&res);
	if (n <= 0)
		return n;
	/* BFD is optional: without bfdd the sessions still count */
	if (!bgp_vtysh_cmd(f, "show bfd peers json", &res, ignored,
			   sizeof(ignored)))
		bgp_status_parse_bfd(res.out, s,
				     (size_t)n < max ? (size_t)n : max, ignored,
				     sizeof(ignored));
	bgp_exec_result_free(&res);
	return n;
}
