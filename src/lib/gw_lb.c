// SPDX-License-Identifier: GPL-2.0
/* Validation of LoadBalancer documents into their canonical form. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "gw_addr.h"
#include "gw_lb.h"
#include "vipmgr.h" /* NLB_VIP_PORTS_MAX: the data path's cap */

static const char *const top_fields[] = {"kind",     "name",   "labels", "spec",
					 "metadata", "status", NULL};
static const char *const spec_fields[] = {"vip",
					  "ipFamily",
					  "replicas",
					  "zones",
					  "listeners",
					  "expiresAt",
					  "panicThresholdPercent",
					  NULL};
static const char *const lis_fields[] = {"port",     "portEnd",	    "protocol",
					 "backends", "healthCheck", NULL};
static const char *const be_fields[] = {
	"address", "weight", "state", "monitorAddress", "monitorPort", NULL};
static const char *const hc_fields[] = {
	"type", "port",		 "intervalMs", "timeoutMs",	"rise", "fall",
	"path", "expectedCodes", "host",       "throughTunnel", NULL};
static const char *const protocols[] = {"TCP", "UDP", NULL};
static const char *const be_states[] = {"enabled", "drained", NULL};
static const char *const hc_types[] = {"ICMP", "TCP", "HTTP", "HTTPS", NULL};
static const char *const families[] = {"IPv4", "IPv6", NULL};

int gw_name_check(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) ||
		      isdigit((unsigned char)s[i]) || s[i] == '-'))
			return -EINVAL;
	return 0;
}

int gw_time_parse(const char *s, int64_t *out)
{
	struct tm tm = {0};
	const char *e;

	e = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!e || *e || tm.tm_year < 70 || tm.tm_year > 1100)
		return -EINVAL;
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int label_key_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > 63)
		return 0;
	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || strchr("-_./", s[i])))
			return 0;
	return 1;
}

static int check_labels(const cJSON *labels, cJSON *out, struct cp_err *e)
{
	const cJSON *l;
	char f[160];
	int n = 0;

	if (!labels || cJSON_IsNull(labels))
		return 0;
	if (!cJSON_IsObject(labels))
		return cp_err_set(e, 422, "labels", "must be an object");
	cJSON_ArrayForEach(l, labels)
	{
		snprintf(f, sizeof(f), "labels.%s", l->string);
		if (++n > 32)
			return cp_err_set(e, 422, "labels",
					  "at most 32 labels");
		if (!label_key_ok(l->string))
			return cp_err_set(
				e, 422, f,
				"key must be 1-63 of [A-Za-z0-9-_./]");
		if (!cJSON_IsString(l) || strlen(l->valuestring) > 63)
			return cp_err_set(
				e, 422, f,
				"value must be a string of at most 63");
		if (cJSON_GetObjectItemCaseSensitive(out, l->string))
			return cp_err_set(e, 422, f, "duplicate label");
		cJSON_AddStringToObject(out, l->string, l->valuestring);
	}
	return 0;
}

static int check_hc(const cJSON *hc, const char *path, cJSON *out,
		    struct cp_err *e)
{
	const char *type, *p, *codes, *host;
	long long port, ival, tmo, rise, fall;
	bool tunnel;
	char f[160];
	int err;

	if (!cJSON_IsObject(hc))
		return cp_err_set(e, 422, path, "must be an object");
	if ((err = cp_json_only(hc, path, hc_fields, e)) ||
	    (err = cp_json_enum(hc, path, "type", hc_types, NULL, &type, e)) ||
	    (err = cp_json_int(hc, path, "port", 0, 65535, 0, &port, e)) ||
	    (err = cp_json_int(hc, path, "intervalMs", 100, 3600000, 2000,
			       &ival, e)) ||
	    (err = cp_json_int(hc, path, "timeoutMs", 10, 3600000,
			       ival < 1000 ? ival : 1000, &tmo, e)) ||
	    (err = cp_json_int(hc, path, "rise", 1, 100, 2, &rise, e)) ||
	    (err = cp_json_int(hc, path, "fall", 1, 100, 3, &fall, e)) ||
	    (err = cp_json_str(hc, path, "path", 1024, false, NULL, &p, e)) ||
	    (err = cp_json_str(hc, path, "expectedCodes", 64, false, NULL,
			       &codes, e)) ||
	    (err = cp_json_str(hc, path, "host", 253, false, NULL, &host, e)) ||
	    (err = cp_json_bool(hc, path, "throughTunnel", false, &tunnel, e)))
		return err;
	if (tmo > ival)
		return cp_err_set(e, 422,
				  cp_json_path(f, sizeof(f), path, "timeoutMs"),
				  "must not exceed intervalMs");
	if (strncmp(type, "HTTP", 4) && (p || codes || host))
		return cp_err_set(e, 422,
				  cp_json_path(f, sizeof(f), path,
					       p       ? "path"
					       : codes ? "expectedCodes"
						       : "host"),
				  "only for HTTP and HTTPS checks");
	if (!strcmp(type, "ICMP") && port)
		return cp_err_set(e, 422,
				  cp_json_path(f, sizeof(f), path, "port"),
				  "ICMP checks have no port");
	if (p && p[0] != '/')
		return cp_err_set(e, 422,
				  cp_json_path(f, sizeof(f), path, "path"),
				  "must start with /");
	if (p && strpbrk(p, " \r\n\t"))
		return cp_err_set(e, 422,
				  cp_json_path(f, sizeof(f), path, "path"),
				  "must not contain whitespace");
	if (codes) {
		const char *c;

		for (c = codes; *c; c++)
			if (!isdigit((unsigned char)*c) && *c != ',' &&
			    *c != '-')
				return cp_err_set(e, 422,
						  cp_json_path(f, sizeof(f),
							       path,
							       "expectedCodes"),
						  "like 200-299 or 200,204");
	}
	if (host && strpbrk(host, " \r\n\t/"))
		return cp_err_set(e, 422,
				  cp_json_path(f, sizeof(f), path, "host"),
				  "must be a host name");
	cJSON_AddStringToObject(out, "type", type);
	if (port)
		cJSON_AddNumberToObject(out, "port", (double)port);
	cJSON_AddNumberToObject(out, "intervalMs", (double)ival);
	cJSON_AddNumberToObject(out, "timeoutMs", (double)tmo);
	cJSON_AddNumberToObject(out, "rise", (double)rise);
	cJSON_AddNumberToObject(out, "fall", (double)fall);
	if (!strncmp(type, "HTTP", 4)) {
		cJSON_AddStringToObject(out, "path", p ? p : "/");
		cJSON_AddStringToObject(out, "expectedCodes",
					codes ? codes : "200-399");
		if (host)
			cJSON_AddStringToObject(out, "host", host);
	}
	/* absent when off, so that specs written before it read the same */
	if (tunnel)
		cJSON_AddTrueToObject(out, "throughTunnel");
	return 0;
}

static int check_backend(const cJSON *b, const char *path, cJSON *out,
			 struct cp_err *e)
{
	const char *addr, *state, *maddr;
	long long weight, mport;
	struct gw_ip ip;
	char f[160], canon[64];
	int err;

	if (!cJSON_IsObject(b))
		return cp_err_set(e, 422, path, "must be an object");
	if ((err = cp_json_only(b, path, be_fields, e)) ||
	    (err = cp_json_str(b, path, "address", 64, true, NULL, &addr, e)) ||
	    (err = cp_json_int(b, path, "weight", 0, 256, 100, &weight, e)) ||
	    (err = cp_json_enum(b, path, "state", be_states, "enabled", &state,
				e)) ||
	    (err = cp_json_str(b, path, "monitorAddress", 64, false, NULL,
			       &maddr, e)) ||
	    (err = cp_json_int(b, path, "monitorPort", 1, 65535, 0, &mport, e)))
		return err;
	if (gw_ip_parse(addr, &ip))
		return cp_err_set(e, 422,
				  cp_json_path(f, sizeof(f), path, "address"),
				  "not an IPv4 or IPv6 address");
	gw_ip_str(&ip, canon, sizeof(canon));
	cJSON_AddStringToObject(out, "address", canon);
	cJSON_AddNumberToObject(out, "weight", (double)weight);
	cJSON_AddStringToObject(out, "state", state);
	if (maddr) {
		if (gw_ip_parse(maddr, &ip))
			return cp_err_set(e, 422,
					  cp_json_path(f, sizeof(f), path,
						       "monitorAddress"),
					  "not an IPv4 or IPv6 address");
		gw_ip_str(&ip, canon, sizeof(canon));
		cJSON_AddStringToObject(out, "monitorAddress", canon);
	}
	if (mport)
		cJSON_AddNumberToObject(out, "monitorPort", (double)mport);
	return 0;
}

int gw_backends_validate(const cJSON *arr, const char *path,
			 const struct gw_limits *lim, int *total, cJSON *out,
			 struct cp_err *e)
{
	const cJSON *b;
	char f[160];
	int i = 0, err;

	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return cp_err_set(e, 422, path, "must be an array");
	cJSON_ArrayForEach(b, arr)
	{
		cJSON *o = cJSON_CreateObject(), *prev;

		snprintf(f, sizeof(f), "%s[%d]", path, i++);
		if (!o)
			return cp_err_set(e, 500, f, "out of memory");
		if (++*total > lim->max_backends) {
			cJSON_Delete(o);
			return cp_err_set(e, 422, f,
					  "more than %d backends per load "
					  "balancer",
					  lim->max_backends);
		}
		err = check_backend(b, f, o, e);
		if (err) {
			cJSON_Delete(o);
			return err;
		}
		cJSON_ArrayForEach(prev, out)
		{
			if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(
					    prev, "address")),
				    cJSON_GetStringValue(cJSON_GetObjectItem(
					    o, "address")))) {
				cJSON_Delete(o);
				snprintf(f + strlen(f), sizeof(f) - strlen(f),
					 ".address");
				return cp_err_set(e, 422, f,
						  "duplicate backend address");
			}
		}
		cJSON_AddItemToArray(out, o);
	}
	return 0;
}

static int check_listener(const cJSON *l, const char *path,
			  const struct gw_limits *lim, int *total, cJSON *out,
			  struct cp_err *e)
{
	long long port, pend;
	const char *proto;
	cJSON *bes;
	char f[160];
	int err;

	if (!cJSON_IsObject(l))
		return cp_err_set(e, 422, path, "must be an object");
	if ((err = cp_json_only(l, path, lis_fields, e)) ||
	    (err = cp_json_int(l, path, "port", 0, 65535, CP_REQUIRED, &port,
			       e)) ||
	    (err = cp_json_int(l, path, "portEnd", 0, 65535, 0, &pend, e)) ||
	    (err = cp_json_enum(l, path, "protocol", protocols, "TCP", &proto,
				e)))
		return err;
	if (pend && pend < port)
		return cp_err_set(e, 422,
				  cp_json_path(f, sizeof(f), path, "portEnd"),
				  "must be at least port");
	if (!port && pend)
		return cp_err_set(e, 422,
				  cp_json_path(f, sizeof(f), path, "portEnd"),
				  "port 0 (all ports) takes no range");
	if (pend && pend - port + 1 > NLB_VIP_PORTS_MAX)
		return cp_err_set(
			e, 422, cp_json_path(f, sizeof(f), path, "portEnd"),
			"a range has at most %d ports", NLB_VIP_PORTS_MAX);
	cJSON_AddNumberToObject(out, "port", (double)port);
	if (pend && pend != port)
		cJSON_AddNumberToObject(out, "portEnd", (double)pend);
	cJSON_AddStringToObject(out, "protocol", proto);
	bes = cJSON_AddArrayToObject(out, "backends");
	err = gw_backends_validate(
		cJSON_GetObjectItemCaseSensitive(l, "backends"),
		cp_json_path(f, sizeof(f), path, "backends"), lim, total, bes,
		e);
	if (err)
		return err;
	{
		const cJSON *hc =
			cJSON_GetObjectItemCaseSensitive(l, "healthCheck");

		if (hc && !cJSON_IsNull(hc)) {
			cJSON *o = cJSON_AddObjectToObject(out, "healthCheck");

			err = check_hc(
				hc,
				cp_json_path(f, sizeof(f), path, "healthCheck"),
				o, e);
		}
	}
	return err;
}

static int ranges_overlap(const cJSON *a, const cJSON *b)
{
	int ap = cJSON_GetObjectItem(a, "port")->valueint, bp;
	const cJSON *ae = cJSON_GetObjectItem(a, "portEnd"), *be;
	int aend, bend;

	bp = cJSON_GetObjectItem(b, "port")->valueint;
	be = cJSON_GetObjectItem(b, "portEnd");
	if (strcmp(cJSON_GetObjectItem(a, "protocol")->valuestring,
		   cJSON_GetObjectItem(b, "protocol")->valuestring))
		return 0;
	if (!ap || !bp)
		return 1; /* "all ports" overlaps everything */
	aend = ae ? ae->valueint : ap;
	bend = be ? be->valueint : bp;
	return ap <= bend && bp <= aend;
}

static int check_spec(const cJSON *spec, const struct gw_limits *lim,
		      cJSON *out, struct cp_err *e)
{
	const char *vip, *fam, *exp;
	const cJSON *ls, *l, *z;
	long long replicas, panic;
	cJSON *lo, *zo;
	struct gw_ip ip;
	char f[160], canon[64];
	int64_t t;
	int i, err, total = 0;

	if (!spec || cJSON_IsNull(spec))
		return cp_err_set(e, 422, "spec", "required");
	if (!cJSON_IsObject(spec))
		return cp_err_set(e, 422, "spec", "must be an object");
	if ((err = cp_json_only(spec, "spec", spec_fields, e)) ||
	    (err = cp_json_str(spec, "spec", "vip", 64, false, "auto", &vip,
			       e)) ||
	    (err = cp_json_enum(spec, "spec", "ipFamily", families, "", &fam,
				e)) ||
	    (err = cp_json_int(spec, "spec", "replicas", 1, lim->max_replicas,
			       2, &replicas, e)) ||
	    (err = cp_json_str(spec, "spec", "expiresAt", 32, false, NULL, &exp,
			       e)) ||
	    (err = cp_json_int(spec, "spec", "panicThresholdPercent", 0, 100, 0,
			       &panic, e)))
		return err;
	if (strcmp(vip, "auto")) {
		if (gw_ip_parse(vip, &ip))
			return cp_err_set(e, 422, "spec.vip",
					  "must be auto or an IP address");
		if (*fam && strcmp(fam, ip.family == AF_INET ? "IPv4" : "IPv6"))
			return cp_err_set(e, 422, "spec.ipFamily",
					  "does not match spec.vip");
		fam = ip.family == AF_INET ? "IPv4" : "IPv6";
		gw_ip_str(&ip, canon, sizeof(canon));
		vip = canon;
	}
	if (!*fam)
		fam = "IPv4";
	cJSON_AddStringToObject(out, "vip", vip);
	cJSON_AddStringToObject(out, "ipFamily", fam);
	cJSON_AddNumberToObject(out, "replicas", (double)replicas);
	/* absent when off, so that specs written before it read the same */
	if (panic)
		cJSON_AddNumberToObject(out, "panicThresholdPercent",
					(double)panic);
	z = cJSON_GetObjectItemCaseSensitive(spec, "zones");
	zo = cJSON_AddArrayToObject(out, "zones");
	if (z && !cJSON_IsNull(z)) {
		const cJSON *zi;

		if (!cJSON_IsArray(z))
			return cp_err_set(e, 422, "spec.zones",
					  "must be an array of zone names");
		i = 0;
		cJSON_ArrayForEach(zi, z)
		{
			snprintf(f, sizeof(f), "spec.zones[%d]", i++);
			if (i > 16)
				return cp_err_set(e, 422, f,
						  "at most 16 zones");
			if (!cJSON_IsString(zi) || !*zi->valuestring ||
			    strlen(zi->valuestring) > 63)
				return cp_err_set(e, 422, f,
						  "must be a zone name");
			cJSON_AddItemToArray(
				zo, cJSON_CreateString(zi->valuestring));
		}
	}
	if (exp) {
		if (gw_time_parse(exp, &t))
			return cp_err_set(e, 422, "spec.expiresAt",
					  "must be like 2026-01-31T12:00:00Z");
		cJSON_AddStringToObject(out, "expiresAt", exp);
	}
	ls = cJSON_GetObjectItemCaseSensitive(spec, "listeners");
	if (!ls || cJSON_IsNull(ls))
		return cp_err_set(e, 422, "spec.listeners", "required");
	if (!cJSON_IsArray(ls))
		return cp_err_set(e, 422, "spec.listeners", "must be an array");
	if (!cJSON_GetArraySize(ls))
		return cp_err_set(e, 422, "spec.listeners",
				  "at least one listener");
	if (cJSON_GetArraySize(ls) > lim->max_listeners)
		return cp_err_set(e, 422, "spec.listeners",
				  "at most %d listeners", lim->max_listeners);
	lo = cJSON_AddArrayToObject(out, "listeners");
	i = 0;
	cJSON_ArrayForEach(l, ls)
	{
		cJSON *o = cJSON_CreateObject(), *prev;

		snprintf(f, sizeof(f), "spec.listeners[%d]", i++);
		if (!o)
			return cp_err_set(e, 500, f, "out of memory");
		err = check_listener(l, f, lim, &total, o, e);
		if (err) {
			cJSON_Delete(o);
			return err;
		}
		cJSON_ArrayForEach(prev, lo)
		{
			if (ranges_overlap(prev, o)) {
				cJSON_Delete(o);
				snprintf(f + strlen(f), sizeof(f) - strlen(f),
					 ".port");
				return cp_err_set(e, 422, f,
						  "overlaps another listener");
			}
		}
		cJSON_AddItemToArray(lo, o);
	}
	return 0;
}

int gw_lb_validate(const cJSON *doc, const char *name_from_path,
		   const struct gw_limits *lim, cJSON **canon, struct cp_err *e)
{
	const char *name, *kind;
	cJSON *out, *labels, *spec;
	int err;

	*canon = NULL;
	if (!cJSON_IsObject(doc))
		return cp_err_set(e, 422, "", "the body must be a JSON object");
	if ((err = cp_json_only(doc, "", top_fields, e)) ||
	    (err = cp_json_str(doc, "", "kind", 64, false, "LoadBalancer",
			       &kind, e)) ||
	    (err = cp_json_str(doc, "", "name", 63, !name_from_path,
			       name_from_path, &name, e)))
		return err;
	if (strcmp(kind, "LoadBalancer"))
		return cp_err_set(e, 422, "kind", "must be LoadBalancer");
	if (gw_name_check(name))
		return cp_err_set(e, 422, "name",
				  "1-63 of [a-z0-9-], no dash at either end");
	if (name_from_path && strcmp(name, name_from_path))
		return cp_err_set(e, 422, "name",
				  "does not match the name in the URL");
	out = cJSON_CreateObject();
	if (!out)
		return cp_err_set(e, 500, "", "out of memory");
	cJSON_AddStringToObject(out, "name", name);
	labels = cJSON_AddObjectToObject(out, "labels");
	spec = cJSON_AddObjectToObject(out, "spec");
	err = check_labels(cJSON_GetObjectItemCaseSensitive(doc, "labels"),
			   labels, e);
	if (!err)
		err = check_spec(cJSON_GetObjectItemCaseSensitive(doc, "spec"),
				 lim, spec, e);
	if (err) {
		cJSON_Delete(out);
		return err;
	}
	*canon = out;
	return 0;
}

int gw_lb_validate_text(const char *body, size_t len,
			const struct gw_limits *lim, cJSON **canon,
			struct cp_err *e)
{
	cJSON *doc = cp_json_parse_object(body, len, e);
	int err;

	*canon = NULL;
	if (!doc)
		return -EINVAL;
	err = gw_lb_validate(doc, NULL, lim, canon, e);
	cJSON_Delete(doc);
	return err;
}

int gw_lb_backend_count(const cJSON *spec)
{
	const cJSON *l;
	int n = 0;

	cJSON_ArrayForEach(l, cJSON_GetObjectItem(spec, "listeners")) n +=
		cJSON_GetArraySize(cJSON_GetObjectItem(l, "backends"));
	return n;
}
