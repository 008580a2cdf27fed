// SPDX-License-Identifier: GPL-2.0
/* YAML <-> JSON for nlbctl manifests and output (see cp_yaml.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cp_yaml.h"

#define MAX_DEPTH 64

static cJSON *plain_scalar(const char *s)
{
	char *end;
	double d;

	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
		return cJSON_CreateTrue();
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
		return cJSON_CreateFalse();
	if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null"))
		return cJSON_CreateNull();
	if (isdigit((unsigned char)s[0]) ||
	    ((s[0] == '-' || s[0] == '+') && isdigit((unsigned char)s[1]))) {
		d = strtod(s, &end);
		/* "10.1.0.11" is no number: strtod stops at the second dot */
		if (!*end && !strpbrk(s, "xX"))
			return cJSON_CreateNumber(d);
	}
	return cJSON_CreateString(s);
}

static void seterr(char *err, size_t n, const yaml_mark_t *m, const char *fmt,
		   ...)
{
	int k = snprintf(err, n, "line %zu column %zu: ", m->line + 1,
			 m->column + 1);
	va_list ap;

	if (k < 0 || (size_t)k >= n)
		return;
	va_start(ap, fmt);
	vsnprintf(err + k, n - (size_t)k, fmt, ap);
	va_end(ap);
}

/* Parses one node whose first event is ev (already taken). */
static cJSON *node(yaml_parser_t *p, yaml_event_t *ev, int depth, char *err,
		   size_t errlen)
{
	cJSON *out = NULL;
	yaml_event_t e;

	if (depth > MAX_DEPTH) {
		seterr(err, errlen, &ev->start_mark, "nested too deeply");
		return NULL;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.tag) {
			seterr(err, errlen, &ev->start_mark,
			       "tags are not supported");
			return NULL;
		}
		if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			return plain_scalar(
				(const char *)ev->data.scalar.value);
		return cJSON_CreateString((const char *)ev->data.scalar.value);
	case YAML_ALIAS_EVENT:
		seterr(err, errlen, &ev->start_mark,
		       "aliases are not supported");
		return NULL;
	case YAML_SEQUENCE_START_EVENT:
		out = cJSON_CreateArray();
		for (;;) {
			cJSON *c;

			if (!yaml_parser_parse(p, &e)) {
				seterr(err, errlen, &p->problem_mark, "%s",
				       p->problem ? p->problem : "bad YAML");
				goto fail;
			}
			if (e.type == YAML_SEQUENCE_END_EVENT) {
				yaml_event_delete(&e);
				return out;
			}
			c = node(p, &e, depth + 1, err, errlen);
			yaml_event_delete(&e);
			if (!c)
				goto fail;
			cJSON_AddItemToArray(out, c);
		}
	case YAML_MAPPING_START_EVENT:
		out = cJSON_CreateObject();
		for (;;) {
			cJSON *c;
			char *key;
			yaml_mark_t km;

			if (!yaml_parser_parse(p, &e)) {
				seterr(err, errlen, &p->problem_mark, "%s",
				       p->problem ? p->problem : "bad YAML");
				goto fail;
			}
			if (e.type == YAML_MAPPING_END_EVENT) {
				yaml_event_delete(&e);
				return out;
			}
			if (e.type != YAML_SCALAR_EVENT) {
				seterr(err, errlen, &e.start_mark,
				       "mapping keys must be scalars");
				yaml_event_delete(&e);
				goto fail;
			}
			key = strdup((const char *)e.data.scalar.value);
			km = e.start_mark;
			yaml_event_delete(&e);
			if (!key)
				goto fail;
			if (cJSON_GetObjectItemCaseSensitive(out, key)) {
				seterr(err, errlen, &km, "duplicate key %s",
				       key);
				free(key);
				goto fail;
			}
			if (!yaml_parser_parse(p, &e)) {
				seterr(err, errlen, &p->problem_mark, "%s",
				       p->problem ? p->problem : "bad YAML");
				free(key);
				goto fail;
			}
			c = node(p, &e, depth + 1, err, errlen);
			yaml_event_delete(&e);
			if (!c) {
				free(key);
				goto fail;
			}
			cJSON_AddItemToObject(out, key, c);
			free(key);
		}
	default:
		seterr(err, errlen, &ev->start_mark, "unexpected YAML event");
		return NULL;
	}
fail:
	cJSON_Delete(out);
	return NULL;
}

cJSON *cp_yaml_parse(const char *text, size_t len, char *err, size_t errlen)
{
	yaml_parser_t p;
	yaml_event_t e;
	cJSON *docs = cJSON_CreateArray();
	bool done = false;

	if (!docs || !yaml_parser_initialize(&p)) {
		cJSON_Delete(docs);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&p, &e)) {
			seterr(err, errlen, &p.problem_mark, "%s",
			       p.problem ? p.problem : "bad YAML");
			goto fail;
		}
		switch (e.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT: {
			yaml_event_t b;
			cJSON *d;

			if (!yaml_parser_parse(&p, &b)) {
				seterr(err, errlen, &p.problem_mark, "%s",
				       p.problem ? p.problem : "bad YAML");
				yaml_event_delete(&e);
				goto fail;
			}
			d = node(&p, &b, 0, err, errlen);
			yaml_event_delete(&b);
			if (!d) {
				yaml_event_delete(&e);
				goto fail;
			}
			cJSON_AddItemToArray(docs, d);
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	return docs;
fail:
	yaml_parser_delete(&p);
	cJSON_Delete(docs);
	return NULL;
}

struct sbuf {
	char *b;
	size_t len, cap;
	bool oom;
};

static void put(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(s->b + s->len, s->cap - s->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < s->cap - s->len) {
			s->len += (size_t)n;
			return;
		}
		{
			size_t cap = s->cap * 2 + (size_t)n + 64;
			char *nb = realloc(s->b, cap);

			if (!nb) {
				s->oom = true;
				return;
			}
			s->b = nb;
			s->cap = cap;
		}
	}
}

static bool needs_quotes(const char *s)
{
	cJSON *j;
	bool q;

	if (!*s || strpbrk(s, ":#{}[],&*!|>'\"%@`\n\t") ||
	    isspace((unsigned char)s[0]) || s[0] == '-' || s[0] == '?' ||
	    isspace((unsigned char)s[strlen(s) - 1]))
		return true;
	/* a plain scalar that would read back as another type */
	j = plain_scalar(s);
	q = !cJSON_IsString(j);
	cJSON_Delete(j);
	return q;
}

static void scalar(struct sbuf *s, const cJSON *j)
{
	if (cJSON_IsString(j)) {
		if (needs_quotes(j->valuestring)) {
			char *q = cJSON_PrintUnformatted(j);

			put(s, "%s", q ? q : "\"\"");
			free(q);
		} else {
			put(s, "%s", j->valuestring);
		}
	} else {
		char *v = cJSON_PrintUnformatted(j);

		put(s, "%s", v ? v : "null");
		free(v);
	}
}

static bool is_empty_coll(const cJSON *j)
{
	return (cJSON_IsArray(j) || cJSON_IsObject(j)) && !j->child;
}

static void emit(struct sbuf *s, const cJSON *j, int ind)
{
	const cJSON *c;

	if (cJSON_IsObject(j)) {
		cJSON_ArrayForEach(c, j)
		{
			put(s, "%*s", ind, "");
			if (needs_quotes(c->string)) {
				cJSON *k = cJSON_CreateString(c->string);

				scalar(s, k);
				cJSON_Delete(k);
				put(s, ":");
			} else {
				put(s, "%s:", c->string);
			}
			if (is_empty_coll(c)) {
				put(s, cJSON_IsArray(c) ? " []\n" : " {}\n");
			} else if (cJSON_IsArray(c) || cJSON_IsObject(c)) {
				put(s, "\n");
				emit(s, c, ind + 2);
			} else {
				put(s, " ");
				scalar(s, c);
				put(s, "\n");
			}
		}
	} else if (cJSON_IsArray(j)) {
		cJSON_ArrayForEach(c, j)
		{
			put(s, "%*s-", ind, "");
			if (is_empty_coll(c)) {
				put(s, cJSON_IsArray(c) ? " []\n" : " {}\n");
			} else if (cJSON_IsObject(c)) {
				/* first key on the dash line, the rest below */
				struct sbuf sub = {0};

				emit(&sub, c, ind + 2);
				if (sub.oom || !sub.b) {
					s->oom = true;
				} else {
					put(s, " %s", sub.b + ind + 2);
				}
				free(sub.b);
			} else if (cJSON_IsArray(c)) {
				put(s, "\n");
				emit(s, c, ind + 2);
			} else {
				put(s, " ");
				scalar(s, c);
				put(s, "\n");
			}
		}
	} else {
		put(s, "%*s", ind, "");
		scalar(s, j);
		put(s, "\n");
	}
}

char *cp_yaml_emit(const cJSON *j)
{
	struct sbuf s = {0};

	if (is_empty_coll(j))
		put(&s, cJSON_IsArray(j) ? "[]\n" : "{}\n");
	else
		emit(&s, j, 0);
	if (s.oom) {
		free(s.b);
		return NULL;
	}
	return s.b ? s.b : strdup("");
}
