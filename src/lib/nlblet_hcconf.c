// SPDX-License-Identifier: GPL-2.0
/* nlb-hc's configuration rendered from the assignments. */
#include "nlblet_hcconf.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 4, 5))) static int
fail(char *err, size_t len, const char *field, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, len, "%s: ", field);

	if (n < 0 || (size_t)n >= len)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err + n, len - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

__attribute__((format(printf, 3, 4))) static void pathf(char *buf, size_t len,
							const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static long num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *name)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* The check of one backend; NULL with *skip when it has no port to check
 * (an all-ports listener without a check port). */
static cJSON *render_check(const cJSON *hc, const cJSON *b, long lport,
			   const char *vip, const char *path, int *skip,
			   char *err, size_t len)
{
	static const char *const types[] = {"ICMP", "TCP", "HTTP", "HTTPS"};
	const char *type = str(hc, "type");
	char lower[8], f[256];
	cJSON *c;
	long port;
	size_t i;

	*skip = 0;
	for (i = 0; type && i < 4; i++)
		if (!strcmp(type, types[i]))
			break;
	if (!type || i == 4) {
		pathf(f, sizeof(f), "%s.healthCheck.type", path);
		fail(err, len, f, "must be ICMP, TCP, HTTP or HTTPS");
		return NULL;
	}
	/* the names are short: "HTTPS" is the longest */
	for (i = 0; i < sizeof(lower) - 1 && type[i]; i++)
		lower[i] = (char)tolower((unsigned char)type[i]);
	lower[i] = 0;
	port = num(b, "monitorPort") ?: num(hc, "port") ?: lport;
	if (strcmp(type, "ICMP") && (port <= 0 || port > 65535)) {
		*skip = 1;
		return NULL;
	}
	c = cJSON_CreateObject();
	if (!c)
		return NULL;
	cJSON_AddStringToObject(c, "type", lower);
	if (strcmp(type, "ICMP"))
		cJSON_AddNumberToObject(c, "port", (double)port);
	if (num(hc, "intervalMs"))
		cJSON_AddNumberToObject(c, "interval_ms",
					(double)num(hc, "intervalMs"));
	if (num(hc, "timeoutMs"))
		cJSON_AddNumberToObject(c, "timeout_ms",
					(double)num(hc, "timeoutMs"));
	if (num(hc, "rise"))
		cJSON_AddNumberToObject(c, "rise", (double)num(hc, "rise"));
	if (num(hc, "fall"))
		cJSON_AddNumberToObject(c, "fall", (double)num(hc, "fall"));
	if (!strncmp(type, "HTTP", 4)) {
		if (str(hc, "path"))
			cJSON_AddStringToObject(c, "path", str(hc, "path"));
		if (str(hc, "expectedCodes"))
			cJSON_AddStringToObject(c, "expect",
						str(hc, "expectedCodes"));
		if (str(hc, "host"))
			cJSON_AddStringToObject(c, "host", str(hc, "host"));
	}
	/* the probe goes to the VIP inside the tunnel to this backend */
	if (cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(hc, "throughTunnel"))) {
		if (!vip) {
			cJSON_Delete(c);
			pathf(f, sizeof(f), "%s.healthCheck.throughTunnel",
			      path);
			fail(err, len, f, "the VIP has no address");
			return NULL;
		}
		cJSON_AddStringToObject(cJSON_AddObjectToObject(c, "tunnel"),
					"vip", vip);
	}
	return c;
}

static int render_listener(const cJSON *l, const char *id, const char *vip,
			   const char *path, cJSON *backends, char *err,
			   size_t len)
{
	const cJSON *hc = cJSON_GetObjectItemCaseSensitive(l, "healthCheck");
	const cJSON *b;
	const char *proto = str(l, "protocol") ?: "TCP";
	long port = num(l, "port");
	char key[256], f[256];
	size_t i = 0;

	if (!hc)
		return 0;
	if (!cJSON_IsObject(hc)) {
		pathf(f, sizeof(f), "%s.healthCheck", path);
		return fail(err, len, f, "must be an object");
	}
	nlblet_listener_key(key, sizeof(key), id, port, proto);
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(l, "backends"))
	{
		const char *addr =
			str(b, "monitorAddress") ?: str(b, "address");
		cJSON *e, *c, *arr;
		int skip;

		pathf(f, sizeof(f), "%s.backends[%zu]", path, i++);
		if (!addr)
			return fail(err, len, f, "address: required");
		c = render_check(hc, b, port, vip, path, &skip, err, len);
		if (!c && skip)
			continue;
		if (!c)
			return *err ? -EINVAL : -ENOMEM;
		e = cJSON_CreateObject();
		if (!e) {
			cJSON_Delete(c);
			return -ENOMEM;
		}
		cJSON_AddItemToArray(backends, e);
		cJSON_AddStringToObject(e, "address", addr);
		arr = cJSON_AddArrayToObject(e, "vips");
		cJSON_AddItemToArray(arr, cJSON_CreateString(key));
		arr = cJSON_AddArrayToObject(e, "checks");
		cJSON_AddItemToArray(arr, c);
	}
	return 0;
}

int nlblet_hcconf_render(const char *json, char **out, char *err, size_t errlen)
{
	cJSON *doc = cJSON_Parse(json), *conf = NULL, *backends;
	const cJSON *v, *l;
	size_t i = 0, j;
	char f[256];
	int e = -EINVAL;

	*out = NULL;
	if (err && errlen)
		err[0] = 0;
	if (!doc)
		return fail(err, errlen, "(document)", "invalid JSON");
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "vips"))) {
		fail(err, errlen, "vips", "required array");
		goto out;
	}
	e = -ENOMEM;
	conf = cJSON_CreateObject();
	if (!conf)
		goto out;
	backends = cJSON_AddArrayToObject(conf, "backends");
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(doc, "vips"))
	{
		/* the VIP's address: only tunneled checks need it */
		const char *id = str(v, "id"), *vip = str(v, "vip");

		pathf(f, sizeof(f), "vips[%zu]", i++);
		if (!id) {
			e = fail(err, errlen, f, "id: required");
			goto out;
		}
		j = 0;
		cJSON_ArrayForEach(
			l, cJSON_GetObjectItemCaseSensitive(v, "listeners"))
		{
			char lp[256];

			pathf(lp, sizeof(lp), "%s.listeners[%zu]", f, j++);
			e = render_listener(l, id, vip, lp, backends, err,
					    errlen);
			if (e)
				goto out;
		}
	}
	*out = cJSON_Print(conf);
	e = *out ? 0 : -ENOMEM;
out:
	cJSON_Delete(conf);
	cJSON_Delete(doc);
	return e;
}
