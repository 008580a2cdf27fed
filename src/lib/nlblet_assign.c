// SPDX-License-Identifier: GPL-2.0
/* Assignments JSON into desired VIPs and backends. */
#include "nlblet_assign.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* nlb-hc's limit on a VIP id */
#define HC_ID_MAX 128

/* snprintf for paths and messages, where truncation is acceptable */
__attribute__((format(printf, 3, 4))) static void pathf(char *buf, size_t len,
							const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 4, 5))) static int
fail(char *err, size_t len, const char *field, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, len, "%s: ", field);
	if (n < 0 || (size_t)n >= len)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err + n, len - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* An integer member in [min, max]; absent: def, or an error if required. */
static int get_int(const cJSON *o, const char *path, const char *name,
		   double min, double max, int required, long long def,
		   long long *out, char *err, size_t len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	char f[256];

	pathf(f, sizeof(f), "%s%s%s", path, *path ? "." : "", name);
	if (!v) {
		if (required)
			return fail(err, len, f, "required");
		*out = def;
		return 0;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble))
		return fail(err, len, f, "must be an integer");
	if (v->valuedouble < min || v->valuedouble > max)
		return fail(err, len, f, "must be between %.0f and %.0f", min,
			    max);
	*out = (long long)v->valuedouble;
	return 0;
}

static int get_str(const cJSON *o, const char *path, const char *name,
		   int required, const char **out, char *err, size_t len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	char f[256];

	pathf(f, sizeof(f), "%s%s%s", path, *path ? "." : "", name);
	if (!v) {
		if (required)
			return fail(err, len, f, "required");
		*out = NULL;
		return 0;
	}
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return fail(err, len, f, "must be a non-empty string");
	*out = v->valuestring;
	return 0;
}

static __u64 fnv1a(const char *s)
{
	__u64 h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

void nlblet_listener_key(char *buf, size_t len, const char *id, long port,
			 const char *proto)
{
	int n = snprintf(buf, len, "%s:%ld/%s", id, port, proto);

	if (n >= 0 && n <= HC_ID_MAX && (size_t)n < len)
		return;
	snprintf(buf, len, "h%016llx:%ld/%s", (unsigned long long)fnv1a(id),
		 port, proto);
}

void nlblet_assign_free(struct nlblet_assign *a)
{
	if (!a)
		return;
	free(a->vips);
	free(a->want);
	free(a->monitored);
	free(a->backends);
	memset(a, 0, sizeof(*a));
}

/* Counts what to allocate: VIPs, listeners, backends. */
static void count(const cJSON *vips, size_t *nv, size_t *nl, size_t *nb)
{
	const cJSON *v, *l;

	*nv = *nl = *nb = 0;
	cJSON_ArrayForEach(v, vips)
	{
		(*nv)++;
		cJSON_ArrayForEach(
			l, cJSON_GetObjectItemCaseSensitive(v, "listeners"))
		{
			(*nl)++;
			*nb += cJSON_GetArraySize(
				cJSON_GetObjectItemCaseSensitive(l,
								 "backends"));
		}
	}
}

static int parse_backend(const cJSON *b, const char *path, __u8 vfamily,
			 const char *key, nlblet_health_fn health, void *arg,
			 struct nlb_want_backend *out, char *err, size_t len)
{
	const char *addr, *state, *maddr;
	long long weight;
	char f[256];
	int e;

	if (!cJSON_IsObject(b))
		return fail(err, len, path, "must be an object");
	if ((e = get_str(b, path, "address", 1, &addr, err, len)) ||
	    (e = get_str(b, path, "state", 0, &state, err, len)) ||
	    (e = get_str(b, path, "monitorAddress", 0, &maddr, err, len)) ||
	    (e = get_int(b, path, "weight", 0, 1e9, 0, 100, &weight, err, len)))
		return e;
	memset(out, 0, sizeof(*out));
	pathf(f, sizeof(f), "%s.address", path);
	if (nlb_parse_ip(addr, &out->family, out->addr))
		return fail(err, len, f, "not an IPv4 or IPv6 address");
	/* the forwarder encapsulates in the VIP's family */
	if (out->family != vfamily)
		return fail(err, len, f, "not of the VIP's family");
	pathf(f, sizeof(f), "%s.state", path);
	if (!state || !strcmp(state, "enabled"))
		out->drained = 0;
	else if (!strcmp(state, "drained"))
		out->drained = 1;
	else
		return fail(err, len, f, "must be enabled or drained");
	out->weight = weight > 0xffff ? 0xffff : (__u16)weight;
	out->health = health ? health(arg, key, maddr ? maddr : addr)
			     : NLB_HEALTH_UNKNOWN;
	return 0;
}

int nlblet_panic(const struct nlb_want_backend *b, size_t n, unsigned pct)
{
	size_t enabled = 0, healthy = 0;

	for (size_t i = 0; i < n; i++) {
		if (b[i].drained || !b[i].weight)
			continue;
		enabled++;
		healthy += b[i].health != NLB_HEALTH_DOWN;
	}
	return pct && enabled && healthy * 100 < (size_t)pct * enabled;
}

/* One listener into want (its backends appended at *nb). Returns 0, 1 when
 * the VIP cannot be expressed (msg in verr), or -EINVAL. */
static int parse_listener(const cJSON *l, const char *path, const char *id,
			  const struct nlb_vip_spec *vip, unsigned panic_pct,
			  nlblet_health_fn health, void *arg,
			  struct nlb_want_vip *want,
			  struct nlb_want_backend *bes, size_t *nb, char *verr,
			  size_t verrlen, char *err, size_t len)
{
	const cJSON *arr, *b;
	const char *proto;
	long long port, pend;
	char f[256], key[256];
	size_t i = 0;
	int e;

	if (!cJSON_IsObject(l))
		return fail(err, len, path, "must be an object");
	if ((e = get_int(l, path, "port", 0, 65535, 1, 0, &port, err, len)) ||
	    (e = get_int(l, path, "portEnd", 0, 65535, 0, port, &pend, err,
			 len)) ||
	    (e = get_str(l, path, "protocol", 0, &proto, err, len)))
		return e;
	if (!proto)
		proto = "TCP";
	pathf(f, sizeof(f), "%s.protocol", path);
	memset(want, 0, sizeof(*want));
	want->spec = *vip;
	if (!strcmp(proto, "TCP"))
		want->spec.proto = IPPROTO_TCP;
	else if (!strcmp(proto, "UDP"))
		want->spec.proto = IPPROTO_UDP;
	else
		return fail(err, len, f, "must be TCP or UDP");
	want->spec.port = htons((__u16)port);
	pathf(f, sizeof(f), "%s.portEnd", path);
	if (pend < port)
		return fail(err, len, f, "must be at least port");
	if (!port && pend)
		return fail(err, len, f, "port 0 (every port) takes no range");
	if (pend - port + 1 > NLB_VIP_PORTS_MAX) {
		/* checked after the fields so a bad document still fails */
		pathf(verr, verrlen,
		      "%s: a range of %lld ports (%lld-%lld) is more than "
		      "the data path's %d",
		      f, pend - port + 1, port, pend, NLB_VIP_PORTS_MAX);
		return 1;
	}
	if (pend > port)
		want->spec.port_end = htons((__u16)pend);
	arr = cJSON_GetObjectItemCaseSensitive(l, "backends");
	pathf(f, sizeof(f), "%s.backends", path);
	if (arr && !cJSON_IsArray(arr))
		return fail(err, len, f, "must be an array");
	nlblet_listener_key(key, sizeof(key), id, (long)port, proto);
	want->n = 0;
	cJSON_ArrayForEach(b, arr)
	{
		pathf(f, sizeof(f), "%s.backends[%zu]", path, i++);
		e = parse_backend(b, f, vip->family, key, health, arg,
				  &bes[*nb], err, len);
		if (e)
			return e;
		(*nb)++;
		want->n++;
	}
	want->panic =
		(__u8)nlblet_panic(&bes[*nb - want->n], want->n, panic_pct);
	return 0;
}

static int parse_vip(const cJSON *v, const char *path, nlblet_health_fn health,
		     void *arg, struct nlblet_assign *a, size_t *nb, char *err,
		     size_t len)
{
	struct nlblet_vip *out = &a->vips[a->n_vips];
	const cJSON *lis, *l;
	const char *id, *addr, *fam;
	struct nlb_vip_spec spec;
	size_t i = 0, nb0 = *nb, nw0 = a->n_want;
	long long pct;
	char f[256];
	int e;

	if (!cJSON_IsObject(v))
		return fail(err, len, path, "must be an object");
	if ((e = get_str(v, path, "id", 1, &id, err, len)) ||
	    (e = get_int(v, path, "generation", 0, 9007199254740992.0, 1, 0,
			 &out->generation, err, len)) ||
	    (e = get_str(v, path, "vip", 1, &addr, err, len)) ||
	    (e = get_str(v, path, "ipFamily", 0, &fam, err, len)) ||
	    (e = get_int(v, path, "panicThresholdPercent", 0, 100, 0, 0, &pct,
			 err, len)))
		return e;
	pathf(f, sizeof(f), "%s.id", path);
	if (strlen(id) >= sizeof(out->id))
		return fail(err, len, f, "longer than %zu bytes",
			    sizeof(out->id) - 1);
	memset(&spec, 0, sizeof(spec));
	pathf(f, sizeof(f), "%s.vip", path);
	if (nlb_parse_ip(addr, &spec.family, spec.addr))
		return fail(err, len, f, "not an IPv4 or IPv6 address");
	pathf(f, sizeof(f), "%s.ipFamily", path);
	if (fam && strcmp(fam, spec.family == NLB_FAMILY_V4 ? "IPv4" : "IPv6"))
		return fail(err, len, f, "does not match vip %s", addr);
	strcpy(out->id, id);
	out->err = 0;
	out->errmsg[0] = 0;
	out->panic_pct = (unsigned)pct;
	out->panic = 0;
	out->first = a->n_want;
	out->n = 0;
	lis = cJSON_GetObjectItemCaseSensitive(v, "listeners");
	pathf(f, sizeof(f), "%s.listeners", path);
	if (!cJSON_IsArray(lis))
		return fail(err, len, f, "required array");
	cJSON_ArrayForEach(l, lis)
	{
		pathf(f, sizeof(f), "%s.listeners[%zu]", path, i++);
		e = parse_listener(l, f, id, &spec, out->panic_pct, health, arg,
				   &a->want[a->n_want], a->backends, nb,
				   out->errmsg, sizeof(out->errmsg), err, len);
		if (e < 0)
			return e;
		if (e > 0 && !out->err)
			out->err = -EOPNOTSUPP;
		if (e == 0) {
			out->panic |= a->want[a->n_want].panic;
			a->monitored[a->n_want++] =
				cJSON_GetObjectItemCaseSensitive(
					l, "healthCheck") != NULL;
		}
	}
	if (out->err) {
		/* nothing of a VIP that cannot be expressed whole */
		a->n_want = nw0;
		*nb = nb0;
		out->panic = 0;
	}
	out->n = a->n_want - out->first;
	a->n_vips++;
	return 0;
}

int nlblet_assign_parse(const char *json, nlblet_health_fn health, void *arg,
			struct nlblet_assign *out, char *err, size_t errlen)
{
	struct nlblet_assign a = {0};
	cJSON *doc = cJSON_Parse(json);
	const cJSON *vips, *v;
	size_t nv, nl, nb, used = 0, i = 0, bi = 0, w = 0;
	long long rev;
	char f[64];
	int e;

	memset(out, 0, sizeof(*out));
	if (!doc)
		return fail(err, errlen, "(document)", "invalid JSON");
	e = -EINVAL;
	if (!cJSON_IsObject(doc)) {
		fail(err, errlen, "(document)", "must be an object");
		goto out;
	}
	if ((e = get_int(doc, "", "revision", 0, 9007199254740992.0, 1, 0, &rev,
			 err, errlen)))
		goto out;
	vips = cJSON_GetObjectItemCaseSensitive(doc, "vips");
	if (!cJSON_IsArray(vips)) {
		e = fail(err, errlen, "vips", "required array");
		goto out;
	}
	a.revision = rev;
	count(vips, &nv, &nl, &nb);
	a.vips = calloc(nv ? nv : 1, sizeof(*a.vips));
	a.want = calloc(nl ? nl : 1, sizeof(*a.want));
	a.monitored = calloc(nl ? nl : 1, sizeof(*a.monitored));
	a.backends = calloc(nb ? nb : 1, sizeof(*a.backends));
	e = -ENOMEM;
	if (!a.vips || !a.want || !a.monitored || !a.backends) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(v, vips)
	{
		pathf(f, sizeof(f), "vips[%zu]", i++);
		e = parse_vip(v, f, health, arg, &a, &used, err, errlen);
		if (e)
			goto out;
	}
	/* backends were appended in listener order: point each want at its
	 * slice now that the array no longer moves */
	bi = 0;
	for (w = 0; w < a.n_want; w++) {
		a.want[w].backends = &a.backends[bi];
		bi += a.want[w].n;
	}
	a.n_backends = bi;
	*out = a;
	memset(&a, 0, sizeof(a));
	e = 0;
out:
	nlblet_assign_free(&a);
	cJSON_Delete(doc);
	return e;
}
