// SPDX-License-Identifier: GPL-2.0
/* nlb-hc's state file into backend health per listener. */
#include "nlblet_hcstate.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

void nlblet_hcstate_free(struct nlblet_hcstate *s)
{
	if (!s)
		return;
	free(s->e);
	memset(s, 0, sizeof(*s));
}

static int health_of(const char *state, __u8 *out)
{
	if (!state)
		return -EINVAL;
	if (!strcmp(state, "up"))
		*out = NLB_HEALTH_UP;
	else if (!strcmp(state, "down"))
		*out = NLB_HEALTH_DOWN;
	else if (!strcmp(state, "unknown"))
		*out = NLB_HEALTH_UNKNOWN;
	else
		return -EINVAL;
	return 0;
}

int nlblet_hcstate_parse(const char *json, struct nlblet_hcstate *out,
			 char *err, size_t errlen)
{
	struct nlblet_hcstate s = {0};
	cJSON *doc = cJSON_Parse(json);
	const cJSON *bes, *b, *v;
	size_t n = 0, i = 0;
	int e = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (!doc) {
		snprintf(err, errlen, "(document): invalid JSON");
		return -EINVAL;
	}
	bes = cJSON_GetObjectItemCaseSensitive(doc, "backends");
	if (!cJSON_IsArray(bes)) {
		snprintf(err, errlen, "backends: required array");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(doc, "seq");
	s.seq = cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
	cJSON_ArrayForEach(b, bes) n +=
		cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "vips"));
	e = -ENOMEM;
	s.e = calloc(n ? n : 1, sizeof(*s.e));
	if (!s.e)
		goto out;
	e = -EINVAL;
	cJSON_ArrayForEach(b, bes)
	{
		const char *addr = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(b, "backend"));
		const char *state = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(b, "state"));
		const char *reason = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(b, "reason"));
		const cJSON *since =
			cJSON_GetObjectItemCaseSensitive(b, "since_ms");
		struct nlblet_hc_entry proto = {0};

		if (!addr || nlb_parse_ip(addr, &proto.family, proto.addr)) {
			snprintf(err, errlen,
				 "backends[%zu].backend: not an "
				 "IP address",
				 i);
			goto out;
		}
		if (health_of(state, &proto.health)) {
			snprintf(err, errlen,
				 "backends[%zu].state: must be up, down or "
				 "unknown",
				 i);
			goto out;
		}
		snprintf(proto.reason, sizeof(proto.reason), "%s",
			 reason ?: "");
		proto.since_ms = cJSON_IsNumber(since)
					 ? (long long)since->valuedouble
					 : 0;
		cJSON_ArrayForEach(v,
				   cJSON_GetObjectItemCaseSensitive(b, "vips"))
		{
			const char *key = cJSON_GetStringValue(v);

			if (!key || strlen(key) >= sizeof(proto.key)) {
				snprintf(err, errlen,
					 "backends[%zu].vips: strings of at "
					 "most %zu bytes",
					 i, sizeof(proto.key) - 1);
				goto out;
			}
			s.e[s.n] = proto;
			strcpy(s.e[s.n].key, key);
			s.n++;
		}
		i++;
	}
	*out = s;
	memset(&s, 0, sizeof(s));
	e = 0;
out:
	nlblet_hcstate_free(&s);
	cJSON_Delete(doc);
	return e;
}

const struct nlblet_hc_entry *
nlblet_hcstate_find(const struct nlblet_hcstate *s, const char *key,
		    const char *addr)
{
	__be32 a[4];
	__u8 fam;
	size_t i;

	if (!s || nlb_parse_ip(addr, &fam, a))
		return NULL;
	/* linear: a node has thousands of backends, not millions; an index
	 * comes when a benchmark says so */
	for (i = 0; i < s->n; i++)
		if (s->e[i].family == fam && !memcmp(s->e[i].addr, a, 16) &&
		    !strcmp(s->e[i].key, key))
			return &s->e[i];
	return NULL;
}

enum nlb_health nlblet_hcstate_health(void *arg, const char *key,
				      const char *addr)
{
	const struct nlblet_hc_entry *e = nlblet_hcstate_find(arg, key, addr);

	return e ? (enum nlb_health)e->health : NLB_HEALTH_UNKNOWN;
}
