// SPDX-License-Identifier: GPL-2.0
/* nlb-hc configuration parser: JSON text to a validated struct hc_config.
 * Every rejection names the key path (backends[3].checks[0].port) so that the
 * writer of the file, usually nlblet, can tell what it got wrong. */
#include "hc_config.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pctx {
	char *err;
	size_t errlen;
	char path[128];
};

__attribute__((format(printf, 2, 3))) static int fail(struct pctx *p,
						      const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s: ", p->path);
	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Appends ".key" to the error path; returns the old length to restore. */
static size_t path_push(struct pctx *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static size_t path_push(struct pctx *p, const char *fmt, ...)
{
	size_t old = strlen(p->path);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->path + old, sizeof(p->path) - old, fmt, ap);
	va_end(ap);
	return old;
}

static void path_pop(struct pctx *p, size_t old)
{
	p->path[old] = '\0';
}

const char *hc_type_name(enum hc_type t)
{
	static const char *const names[] = {"icmp", "tcp", "http", "https"};

	return (unsigned)t < 4 ? names[t] : "?";
}

int hc_addr_parse(const char *s, struct hc_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

const char *hc_addr_str(const struct hc_addr *a, char *buf, size_t len)
{
	if (!a->family) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (!inet_ntop(a->family, a->bytes, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

int hc_ranges_parse(const char *s, struct hc_status_range *r, int max)
{
	int n = 0;

	while (*s) {
		char *end;
		long lo, hi;

		lo = strtol(s, &end, 10);
		if (end == s)
			return -EINVAL;
		hi = lo;
		s = end;
		if (*s == '-') {
			s++;
			hi = strtol(s, &end, 10);
			if (end == s)
				return -EINVAL;
			s = end;
		}
		if (lo < 100 || hi > 599 || lo > hi || n == max)
			return -EINVAL;
		r[n].lo = lo;
		r[n].hi = hi;
		n++;
		if (*s == ',')
			s++;
		else if (*s)
			return -EINVAL;
	}
	return n ? n : -EINVAL;
}

bool hc_ranges_match(const struct hc_status_range *r, int n, int status)
{
	for (int i = 0; i < n; i++)
		if (status >= r[i].lo && status <= r[i].hi)
			return true;
	return false;
}

/* Only the listed keys may appear; a typo must not silently become a
 * default. */
static int check_keys(struct pctx *p, const cJSON *obj,
		      const char *const *allowed)
{
	const cJSON *it;

	if (!cJSON_IsObject(obj))
		return fail(p, "must be an object");
	cJSON_ArrayForEach(it, obj)
	{
		const char *const *a;
		const cJSON *dup;

		for (a = allowed; *a; a++)
			if (!strcmp(*a, it->string))
				break;
		if (!*a) {
			size_t old = path_push(p, ".%s", it->string);
			int err = fail(p, "unknown key");

			path_pop(p, old);
			return err;
		}
		for (dup = it->next; dup; dup = dup->next)
			if (!strcmp(dup->string, it->string)) {
				size_t old = path_push(p, ".%s", it->string);
				int err = fail(p, "duplicate key");

				path_pop(p, old);
				return err;
			}
	}
	return 0;
}

static int get_uint(struct pctx *p, const cJSON *obj, const char *key,
		    unsigned long lo, unsigned long hi, uint32_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t old;
	int err = 0;

	if (!v)
		return 0;
	old = path_push(p, ".%s", key);
	/* range first: converting a huge double to an integer is undefined */
	if (!cJSON_IsNumber(v))
		err = fail(p, "must be an integer");
	else if (!(v->valuedouble >= (double)lo &&
		   v->valuedouble <= (double)hi))
		err = fail(p, "must be between %lu and %lu", lo, hi);
	else if (v->valuedouble != (double)(uint32_t)v->valuedouble)
		err = fail(p, "must be an integer");
	else
		*out = (uint32_t)v->valuedouble;
	path_pop(p, old);
	return err;
}

/* Returns 1 when present (value in *out), 0 when absent. */
static int get_str(struct pctx *p, const cJSON *obj, const char *key,
		   size_t maxlen, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t old;
	int err = 1;

	if (!v)
		return 0;
	old = path_push(p, ".%s", key);
	if (!cJSON_IsString(v))
		err = fail(p, "must be a string");
	else if (strlen(v->valuestring) > maxlen)
		err = fail(p, "longer than %zu bytes", maxlen);
	else if (strpbrk(v->valuestring, "\r\n"))
		err = fail(p, "must not contain CR or LF");
	else
		*out = v->valuestring;
	path_pop(p, old);
	return err;
}

static int get_bool(struct pctx *p, const cJSON *obj, const char *key,
		    bool *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t old;
	int err = 0;

	if (!v)
		return 0;
	old = path_push(p, ".%s", key);
	if (!cJSON_IsBool(v))
		err = fail(p, "must be true or false");
	else
		*out = cJSON_IsTrue(v);
	path_pop(p, old);
	return err;
}

static int dup_str(struct pctx *p, const cJSON *obj, const char *key,
		   size_t maxlen, char **out)
{
	const char *s;
	int err = get_str(p, obj, key, maxlen, &s);

	if (err <= 0)
		return err;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

/* "1.2" or "1.3" as 12 or 13; *out keeps its default when absent. */
static int get_tls_version(struct pctx *p, const cJSON *obj, const char *key,
			   uint8_t *out)
{
	const char *s;
	size_t old;
	int err = get_str(p, obj, key, 8, &s);

	if (err <= 0)
		return err;
	old = path_push(p, ".%s", key);
	err = 0;
	if (!strcmp(s, "1.2"))
		*out = 12;
	else if (!strcmp(s, "1.3"))
		*out = 13;
	else
		err = fail(p, "must be \"1.2\" or \"1.3\"");
	path_pop(p, old);
	return err;
}

/* "resume": false, true or "psk_ke". */
static int get_resume(struct pctx *p, const cJSON *obj, enum hc_resume *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "resume");
	size_t old;
	int err = 0;

	if (!v)
		return 0;
	old = path_push(p, ".resume");
	if (cJSON_IsBool(v))
		*out = cJSON_IsTrue(v) ? HC_RESUME_ON : HC_RESUME_OFF;
	else if (cJSON_IsString(v) && !strcmp(v->valuestring, "psk_ke"))
		*out = HC_RESUME_PSK_KE;
	else
		err = fail(p, "must be true, false or \"psk_ke\"");
	path_pop(p, old);
	return err;
}

struct defaults {
	uint32_t interval_ms, timeout_ms, rise, fall;
};

static const char *const check_keys_allowed[] = {
	"type",	   "port",   "interval_ms", "timeout_ms", "rise",   "fall",
	"source",  "host",   "path",	    "expect",	  "body",   "sni",
	"ca_file", "verify", "cert_file",   "key_file",	  "resume", "tls_min",
	"tls_max", "tunnel", NULL};

static const char *const http_only[] = {"host", "path", "expect", "body", NULL};
static const char *const https_only[] = {"sni",	      "ca_file",  "verify",
					 "cert_file", "key_file", "resume",
					 "tls_min",   "tls_max",  NULL};

static int reject_keys(struct pctx *p, const cJSON *obj,
		       const char *const *keys, const char *why)
{
	for (; *keys; keys++)
		if (cJSON_GetObjectItemCaseSensitive(obj, *keys)) {
			size_t old = path_push(p, ".%s", *keys);
			int err = fail(p, "only valid for %s checks", why);

			path_pop(p, old);
			return err;
		}
	return 0;
}

static const char *const tunnel_keys[] = {"vip", NULL};

/* "tunnel": {"vip": ADDR}: the probe goes to the VIP inside the tunnel to
 * the backend, as data does. */
static int parse_tunnel(struct pctx *p, const cJSON *o, struct hc_addr *vip)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "tunnel");
	const char *s;
	size_t old;
	int err;

	if (!t)
		return 0;
	old = path_push(p, ".tunnel");
	err = check_keys(p, t, tunnel_keys);
	if (!err) {
		err = get_str(p, t, "vip", 64, &s);
		if (!err) {
			size_t o2 = path_push(p, ".vip");

			err = fail(p, "missing");
			path_pop(p, o2);
		}
	}
	if (err > 0) {
		size_t o2 = path_push(p, ".vip");

		err = 0;
		/* an IPv6 VIP with an IPv4 backend is not refused here: it
		 * fails as that one check's reason rather than stopping the
		 * whole file (nlblet cannot tell beforehand) */
		if (hc_addr_parse(s, vip))
			err = fail(p, "\"%s\" is not an IPv4 or IPv6 address",
				   s);
		path_pop(p, o2);
	}
	path_pop(p, old);
	return err;
}

static int parse_check(struct pctx *p, const cJSON *o, const struct defaults *d,
		       const struct hc_addr *addr, struct hc_check *c)
{
	const char *s;
	uint32_t v;
	int err;

	err = check_keys(p, o, check_keys_allowed);
	if (err)
		return err;
	err = get_str(p, o, "type", 16, &s);
	if (err < 0)
		return err;
	if (!err) {
		size_t old = path_push(p, ".type");

		err = fail(p, "missing (icmp, tcp, http or https)");
		path_pop(p, old);
		return err;
	}
	if (!strcmp(s, "icmp"))
		c->type = HC_ICMP;
	else if (!strcmp(s, "tcp"))
		c->type = HC_TCP;
	else if (!strcmp(s, "http"))
		c->type = HC_HTTP;
	else if (!strcmp(s, "https"))
		c->type = HC_HTTPS;
	else {
		size_t old = path_push(p, ".type");

		err = fail(p, "\"%s\" is not icmp, tcp, http or https", s);
		path_pop(p, old);
		return err;
	}
	err = 0;
	if (c->type == HC_ICMP || c->type == HC_TCP)
		err = reject_keys(p, o, http_only, "http and https");
	if (!err && c->type != HC_HTTPS)
		err = reject_keys(p, o, https_only, "https");
	if (err)
		return err;

	v = 0;
	err = get_uint(p, o, "port", 1, 65535, &v);
	if (err)
		return err;
	if (c->type == HC_ICMP && v)
		return reject_keys(p, o, (const char *const[]){"port", NULL},
				   "tcp, http and https");
	if (c->type != HC_ICMP && !v) {
		size_t old = path_push(p, ".port");

		err = fail(p, "missing");
		path_pop(p, old);
		return err;
	}
	c->port = v;

	c->interval_ms = d->interval_ms;
	c->timeout_ms = d->timeout_ms;
	v = d->rise;
	err = get_uint(p, o, "interval_ms", 100, 3600000, &c->interval_ms) ?:
	      get_uint(p, o, "timeout_ms", 1, 3600000, &c->timeout_ms) ?:
	      get_uint(p, o, "rise", 1, HC_MAX_RISE_FALL, &v);
	if (err)
		return err;
	c->rise = v;
	v = d->fall;
	err = get_uint(p, o, "fall", 1, HC_MAX_RISE_FALL, &v);
	if (err)
		return err;
	c->fall = v;
	if (c->timeout_ms > c->interval_ms) {
		size_t old = path_push(p, ".timeout_ms");

		err = fail(p, "%u is longer than interval_ms %u", c->timeout_ms,
			   c->interval_ms);
		path_pop(p, old);
		return err;
	}

	err = parse_tunnel(p, o, &c->tunnel);
	if (err)
		return err;
	err = get_str(p, o, "source", 64, &s);
	if (err < 0)
		return err;
	if (err && (hc_addr_parse(s, &c->source) ||
		    c->source.family != (c->tunnel.family ?: addr->family))) {
		size_t old = path_push(p, ".source");

		err = fail(p, "\"%s\" is not an address of the %s family", s,
			   c->tunnel.family ? "VIP's" : "backend's");
		path_pop(p, old);
		return err;
	}

	if (c->type == HC_HTTP || c->type == HC_HTTPS) {
		err = dup_str(p, o, "host", 255, &c->host) ?:
		      dup_str(p, o, "path", 1024, &c->path) ?:
		      dup_str(p, o, "body", HC_MAX_BODY, &c->body);
		if (err)
			return err;
		if (!c->path && !(c->path = strdup("/")))
			return -ENOMEM;
		if (c->path[0] != '/' || strpbrk(c->path, " \t")) {
			size_t old = path_push(p, ".path");

			err = fail(p, "must start with / and hold no blanks");
			path_pop(p, old);
			return err;
		}
		if (c->body && !c->body[0]) {
			size_t old = path_push(p, ".body");

			err = fail(p, "must not be empty");
			path_pop(p, old);
			return err;
		}
		s = "200-399";
		err = get_str(p, o, "expect", 64, &s);
		if (err < 0)
			return err;
		c->n_ranges = hc_ranges_parse(s, c->ranges, HC_MAX_RANGES);
		if (c->n_ranges < 0) {
			size_t old = path_push(p, ".expect");

			err = fail(p,
				   "\"%s\" is not a list of status ranges "
				   "like 200-299,301",
				   s);
			path_pop(p, old);
			return err;
		}
	}
	if (c->type == HC_HTTPS) {
		c->tls_min = 12;
		c->tls_max = 13;
		err = dup_str(p, o, "sni", 255, &c->sni) ?:
		      dup_str(p, o, "ca_file", 4096, &c->ca_file) ?:
		      dup_str(p, o, "cert_file", 4096, &c->cert_file) ?:
		      dup_str(p, o, "key_file", 4096, &c->key_file) ?:
		      get_bool(p, o, "verify", &c->verify) ?:
		      get_resume(p, o, &c->resume) ?:
		      get_tls_version(p, o, "tls_min", &c->tls_min) ?:
		      get_tls_version(p, o, "tls_max", &c->tls_max);
		if (err)
			return err;
		if (c->tls_min > c->tls_max) {
			size_t old = path_push(p, ".tls_max");

			err = fail(p, "is below tls_min");
			path_pop(p, old);
			return err;
		}
		if (!c->cert_file != !c->key_file) {
			size_t old = path_push(p, c->cert_file ? ".key_file"
							       : ".cert_file");

			err = fail(p, "cert_file and key_file go together");
			path_pop(p, old);
			return err;
		}
	}
	return 0;
}

void hc_check_free(struct hc_check *c)
{
	free(c->host);
	free(c->path);
	free(c->body);
	free(c->sni);
	free(c->ca_file);
	free(c->cert_file);
	free(c->key_file);
}

int hc_check_copy(struct hc_check *dst, const struct hc_check *src)
{
	char **const d[] = {&dst->host,	   &dst->path,	  &dst->body,
			    &dst->sni,	   &dst->ca_file, &dst->cert_file,
			    &dst->key_file};

	*dst = *src;
	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (*d[i] && !(*d[i] = strdup(*d[i]))) {
			for (size_t j = i + 1; j < sizeof(d) / sizeof(d[0]);
			     j++)
				*d[j] = NULL;
			hc_check_free(dst);
			return -ENOMEM;
		}
	return 0;
}

static const char *const backend_keys[] = {"address", "vips", "combine",
					   "checks", NULL};

static int parse_backend(struct pctx *p, const cJSON *o,
			 const struct defaults *d, struct hc_backend *b)
{
	const cJSON *vips, *checks, *it;
	const char *s;
	size_t old;
	int err, i;

	err = check_keys(p, o, backend_keys);
	if (err)
		return err;
	err = get_str(p, o, "address", 64, &s);
	if (err < 0)
		return err;
	old = path_push(p, ".address");
	if (!err)
		err = fail(p, "missing");
	else if (hc_addr_parse(s, &b->addr))
		err = fail(p, "\"%s\" is not an IPv4 or IPv6 address", s);
	else
		err = 0;
	path_pop(p, old);
	if (err)
		return err;

	err = get_str(p, o, "combine", 8, &s);
	if (err < 0)
		return err;
	b->combine = HC_COMBINE_ALL;
	if (err && !strcmp(s, "any"))
		b->combine = HC_COMBINE_ANY;
	else if (err && strcmp(s, "all")) {
		old = path_push(p, ".combine");
		err = fail(p, "must be \"all\" or \"any\"");
		path_pop(p, old);
		return err;
	}

	vips = cJSON_GetObjectItemCaseSensitive(o, "vips");
	old = path_push(p, ".vips");
	if (!vips || !cJSON_IsArray(vips) || !cJSON_GetArraySize(vips))
		err = fail(p, "must be a non-empty array of VIP ids");
	path_pop(p, old);
	if (err < 0)
		return err;
	b->n_vips = cJSON_GetArraySize(vips);
	b->vips = calloc(b->n_vips, sizeof(*b->vips));
	if (!b->vips)
		return -ENOMEM;
	i = 0;
	cJSON_ArrayForEach(it, vips)
	{
		if (!cJSON_IsString(it) || !it->valuestring[0] ||
		    strlen(it->valuestring) > 128 ||
		    strpbrk(it->valuestring, "\"\\\r\n")) {
			old = path_push(p, ".vips[%d]", i);
			err = fail(p, "must be a string of 1 to 128 bytes "
				      "without quotes or backslashes");
			path_pop(p, old);
			return err;
		}
		b->vips[i] = strdup(it->valuestring);
		if (!b->vips[i++])
			return -ENOMEM;
	}

	checks = cJSON_GetObjectItemCaseSensitive(o, "checks");
	old = path_push(p, ".checks");
	if (!checks || !cJSON_IsArray(checks) || !cJSON_GetArraySize(checks) ||
	    cJSON_GetArraySize(checks) > HC_MAX_CHECKS)
		err = fail(p, "must be an array of 1 to %d checks",
			   HC_MAX_CHECKS);
	path_pop(p, old);
	if (err < 0)
		return err;
	b->n_checks = cJSON_GetArraySize(checks);
	b->checks = calloc(b->n_checks, sizeof(*b->checks));
	if (!b->checks)
		return -ENOMEM;
	i = 0;
	cJSON_ArrayForEach(it, checks)
	{
		old = path_push(p, ".checks[%d]", i);
		err = parse_check(p, it, d, &b->addr, &b->checks[i]);
		path_pop(p, old);
		if (err)
			return err;
		i++;
	}
	return 0;
}

void hc_config_free(struct hc_config *cfg)
{
	if (!cfg)
		return;
	for (int i = 0; i < cfg->n_backends; i++) {
		struct hc_backend *b = &cfg->backends[i];

		for (int j = 0; b->vips && j < b->n_vips; j++)
			free(b->vips[j]);
		free(b->vips);
		for (int j = 0; b->checks && j < b->n_checks; j++)
			hc_check_free(&b->checks[j]);
		free(b->checks);
	}
	free(cfg->backends);
	free(cfg);
}

static void syntax_error(struct pctx *p, const char *text, size_t len,
			 const char *at)
{
	int line = 1, col = 1;

	if (!at || at < text || at > text + len)
		at = text + len;
	for (const char *c = text; c < at; c++) {
		if (*c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(p->err, p->errlen, "line %d column %d: invalid JSON", line,
		 col);
}

static const char *const top_keys[] = {"defaults", "backends", NULL};
static const char *const default_keys[] = {"interval_ms", "timeout_ms", "rise",
					   "fall", NULL};

static int parse_root(struct pctx *p, const cJSON *root, struct hc_config *cfg)
{
	struct defaults d = {1000, 1000, 2, 3};
	const cJSON *defs, *backends, *it;
	size_t old;
	int err, i;

	p->path[0] = '\0';
	old = path_push(p, "(top)");
	err = check_keys(p, root, top_keys);
	path_pop(p, old);
	if (err)
		return err;
	defs = cJSON_GetObjectItemCaseSensitive(root, "defaults");
	if (defs) {
		old = path_push(p, "defaults");
		err = check_keys(p, defs, default_keys) ?:
		      get_uint(p, defs, "interval_ms", 100, 3600000,
			       &d.interval_ms) ?:
		      get_uint(p, defs, "timeout_ms", 1, 3600000,
			       &d.timeout_ms) ?:
		      get_uint(p, defs, "rise", 1, HC_MAX_RISE_FALL, &d.rise) ?:
		      get_uint(p, defs, "fall", 1, HC_MAX_RISE_FALL, &d.fall);
		path_pop(p, old);
		if (err)
			return err;
		if (d.timeout_ms > d.interval_ms)
			d.timeout_ms = d.interval_ms;
	}
	backends = cJSON_GetObjectItemCaseSensitive(root, "backends");
	if (!backends || !cJSON_IsArray(backends)) {
		old = path_push(p, "backends");
		err = fail(p, "must be an array");
		path_pop(p, old);
		return err;
	}
	cfg->n_backends = cJSON_GetArraySize(backends);
	cfg->backends = calloc(cfg->n_backends ?: 1, sizeof(*cfg->backends));
	if (!cfg->backends)
		return -ENOMEM;
	i = 0;
	cJSON_ArrayForEach(it, backends)
	{
		old = path_push(p, "backends[%d]", i);
		err = parse_backend(p, it, &d, &cfg->backends[i]);
		path_pop(p, old);
		if (err)
			return err;
		i++;
	}
	return 0;
}

int hc_config_parse(const char *text, size_t len, struct hc_config **out,
		    char *err, size_t errlen)
{
	struct pctx p = {.err = err, .errlen = errlen};
	const char *end = NULL;
	struct hc_config *cfg;
	cJSON *root;
	int ret;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		syntax_error(&p, text, len, end);
		return -EINVAL;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		cJSON_Delete(root);
		return -ENOMEM;
	}
	ret = parse_root(&p, root, cfg);
	cJSON_Delete(root);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		hc_config_free(cfg);
		return ret;
	}
	*out = cfg;
	return 0;
}

int hc_check_key(const struct hc_check *c, const struct hc_addr *addr,
		 char *buf, size_t len)
{
	char a[64], s[64], t[64], r[8 * HC_MAX_RANGES + 1] = "";
	size_t rl = 0;
	int n;

	for (int i = 0; i < c->n_ranges; i++)
		rl += snprintf(r + rl, sizeof(r) - rl, "%u-%u,",
			       c->ranges[i].lo, c->ranges[i].hi);
	/* \x1f separates fields: it cannot occur in any validated string. */
	n = snprintf(buf, len,
		     "%s\x1f%s\x1f%u\x1f%s\x1f%u\x1f%u\x1f%u\x1f%u\x1f%s\x1f%s"
		     "\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%d%d%u%u"
		     "\x1f%s",
		     hc_type_name(c->type), hc_addr_str(addr, a, sizeof(a)),
		     c->port, hc_addr_str(&c->source, s, sizeof(s)),
		     c->interval_ms, c->timeout_ms, c->rise, c->fall,
		     c->host ?: "", c->path ?: "", r, c->body ?: "",
		     c->sni ?: "", c->ca_file ?: "", c->cert_file ?: "",
		     c->key_file ?: "", c->body ? "b" : "", c->verify,
		     c->resume, c->tls_min, c->tls_max,
		     hc_addr_str(&c->tunnel, t, sizeof(t)));
	if (n < 0)
		return -EINVAL;
	return (size_t)n >= len ? -ENOSPC : n;
}
