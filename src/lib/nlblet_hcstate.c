// SPDX-License-Identifier: GPL-2.0
/* nlb-hc's state file into backend health per listener. */
#include "nlblet_hcstate.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
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

/* One backend object of a snapshot or a state event (since_ms: its
 * since_ms, else time_ms) as one entry per VIP appended to s, which has
 * room for them. */
static int add_backend(struct nlblet_hcstate *s, const cJSON *b, size_t i,
		       char *err, size_t errlen)
{
	const char *addr = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(b, "backend"));
	const char *state = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(b, "state"));
	const char *reason = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(b, "reason"));
	const cJSON *since = cJSON_GetObjectItemCaseSensitive(b, "since_ms"),
		    *v;
	struct nlblet_hc_entry proto = {0};

	if (!cJSON_IsNumber(since))
		since = cJSON_GetObjectItemCaseSensitive(b, "time_ms");
	if (!addr || nlb_parse_ip(addr, &proto.family, proto.addr)) {
		snprintf(err, errlen,
			 "backends[%zu].backend: not an IP address", i);
		return -EINVAL;
	}
	if (health_of(state, &proto.health)) {
		snprintf(err, errlen,
			 "backends[%zu].state: must be up, down or unknown", i);
		return -EINVAL;
	}
	snprintf(proto.reason, sizeof(proto.reason), "%s", reason ?: "");
	proto.since_ms =
		cJSON_IsNumber(since) ? (long long)since->valuedouble : 0;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(b, "vips"))
	{
		const char *key = cJSON_GetStringValue(v);

		if (!key || strlen(key) >= sizeof(proto.key)) {
			snprintf(err, errlen,
				 "backends[%zu].vips: strings of at most %zu "
				 "bytes",
				 i, sizeof(proto.key) - 1);
			return -EINVAL;
		}
		s->e[s->n] = proto;
		strcpy(s->e[s->n].key, key);
		s->n++;
	}
	return 0;
}

static int parse_doc(const cJSON *doc, struct nlblet_hcstate *out, char *err,
		     size_t errlen)
{
	struct nlblet_hcstate s = {0};
	const cJSON *bes, *b, *v;
	size_t n = 0, i = 0;
	int e;

	memset(out, 0, sizeof(*out));
	bes = cJSON_GetObjectItemCaseSensitive(doc, "backends");
	if (!cJSON_IsArray(bes)) {
		snprintf(err, errlen, "backends: required array");
		return -EINVAL;
	}
	v = cJSON_GetObjectItemCaseSensitive(doc, "seq");
	s.seq = cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
	cJSON_ArrayForEach(b, bes) n +=
		cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "vips"));
	s.e = calloc(n ? n : 1, sizeof(*s.e));
	if (!s.e)
		return -ENOMEM;
	cJSON_ArrayForEach(b, bes)
	{
		e = add_backend(&s, b, i++, err, errlen);
		if (e) {
			nlblet_hcstate_free(&s);
			return e;
		}
	}
	*out = s;
	return 0;
}

int nlblet_hcstate_parse(const char *json, struct nlblet_hcstate *out,
			 char *err, size_t errlen)
{
	cJSON *doc = cJSON_Parse(json);
	int e;

	memset(out, 0, sizeof(*out));
	if (!doc) {
		snprintf(err, errlen, "(document): invalid JSON");
		return -EINVAL;
	}
	e = parse_doc(doc, out, err, errlen);
	cJSON_Delete(doc);
	return e;
}

static struct nlblet_hc_entry *find_entry(const struct nlblet_hcstate *s,
					  const char *key, __u8 fam,
					  const __be32 *a)
{
	/* linear: a node has thousands of backends, not millions; an index
	 * comes when a benchmark says so */
	for (size_t i = 0; s && i < s->n; i++)
		if (s->e[i].family == fam && !memcmp(s->e[i].addr, a, 16) &&
		    !strcmp(s->e[i].key, key))
			return &s->e[i];
	return NULL;
}

void nlblet_hcstate_keep_known(struct nlblet_hcstate *s,
			       const struct nlblet_hcstate *old)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct nlblet_hc_entry *o;

		if (s->e[i].health != NLB_HEALTH_UNKNOWN)
			continue;
		o = find_entry(old, s->e[i].key, s->e[i].family, s->e[i].addr);
		if (o && o->health != NLB_HEALTH_UNKNOWN)
			s->e[i] = *o;
	}
}

/* A state or removed event: its entries replace (or, removed, delete)
 * those of the same VIP and address. */
static int apply_event(struct nlblet_hcstate *s, const cJSON *ev, bool removed,
		       char *err, size_t errlen)
{
	size_t nv = (size_t)cJSON_GetArraySize(
		cJSON_GetObjectItemCaseSensitive(ev, "vips"));
	struct nlblet_hcstate add = {0};
	struct nlblet_hc_entry *grown;
	int e, changed = 0;

	add.e = calloc(nv ? nv : 1, sizeof(*add.e));
	if (!add.e)
		return -ENOMEM;
	e = add_backend(&add, ev, 0, err, errlen);
	if (e)
		goto out;
	e = -ENOMEM;
	grown = realloc(s->e, (s->n + add.n + 1) * sizeof(*s->e));
	if (!grown)
		goto out;
	s->e = grown;
	for (size_t i = 0; i < add.n; i++) {
		struct nlblet_hc_entry *o = find_entry(
			s, add.e[i].key, add.e[i].family, add.e[i].addr);

		if (removed) {
			if (o) {
				*o = s->e[--s->n];
				changed = 1;
			}
		} else if (!o) {
			s->e[s->n++] = add.e[i];
			changed = 1;
		} else if (add.e[i].health != NLB_HEALTH_UNKNOWN ||
			   o->health == NLB_HEALTH_UNKNOWN) {
			changed |= o->health != add.e[i].health;
			*o = add.e[i];
		}
	}
	e = changed;
out:
	free(add.e);
	return e;
}

int nlblet_hcstate_apply_line(struct nlblet_hcstate *s, const char *line,
			      char *err, size_t errlen)
{
	cJSON *doc = cJSON_Parse(line);
	const char *ev;
	struct nlblet_hcstate snap;
	int e = 0;

	if (!doc) {
		snprintf(err, errlen, "(line): invalid JSON");
		return -EINVAL;
	}
	ev = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(doc, "event"));
	if (!ev) {
		snprintf(err, errlen, "event: required string");
		e = -EINVAL;
	} else if (!strcmp(ev, "snapshot")) {
		e = parse_doc(doc, &snap, err, errlen);
		if (!e) {
			nlblet_hcstate_keep_known(&snap, s);
			nlblet_hcstate_free(s);
			*s = snap;
			e = 1;
		}
	} else if (!strcmp(ev, "state") || !strcmp(ev, "removed")) {
		e = apply_event(s, doc, !strcmp(ev, "removed"), err, errlen);
	} /* other events (errors, future kinds) change no health */
	cJSON_Delete(doc);
	return e;
}

const struct nlblet_hc_entry *
nlblet_hcstate_find(const struct nlblet_hcstate *s, const char *key,
		    const char *addr)
{
	__be32 a[4];
	__u8 fam;

	if (!s || nlb_parse_ip(addr, &fam, a))
		return NULL;
	return find_entry(s, key, fam, a);
}

enum nlb_health nlblet_hcstate_health(void *arg, const char *key,
				      const char *addr)
{
	const struct nlblet_hc_entry *e = nlblet_hcstate_find(arg, key, addr);

	return e ? (enum nlb_health)e->health : NLB_HEALTH_UNKNOWN;
}
