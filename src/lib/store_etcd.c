// SPDX-License-Identifier: GPL-2.0
/* The etcd (v3, JSON gateway over HTTP) backend of the store interface. */
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cp_httpc.h"
#include "store_kv.h"

#define MAX_EPS 8
#define POOL 16
#define TIMEOUT_MS 3000

struct store_etcd {
	struct store base;
	char *eps[MAX_EPS];
	int neps;
	pthread_mutex_t mu;
	int cur; /* endpoint in use; moves on when one fails */
	struct cp_httpc *idle[POOL];
	int idle_ep[POOL];
	int nidle;
};

#define to_et(s) ((struct store_etcd *)(s))

static char *b64(const char *s, size_t n)
{
	char *o = malloc(4 * ((n + 2) / 3) + 1);

	if (o)
		EVP_EncodeBlock((unsigned char *)o, (const unsigned char *)s,
				(int)n);
	return o;
}

static char *unb64(const char *s)
{
	size_t n = strlen(s), pad = 0;
	char *o = malloc(n / 4 * 3 + 1);
	int len;

	if (!o)
		return NULL;
	len = EVP_DecodeBlock((unsigned char *)o, (const unsigned char *)s,
			      (int)n);
	if (len < 0) {
		free(o);
		return NULL;
	}
	if (n && s[n - 1] == '=')
		pad++;
	if (n > 1 && s[n - 2] == '=')
		pad++;
	o[len - (int)pad] = 0;
	return o;
}

static struct cp_httpc *conn_get(struct store_etcd *e, int *ep)
{
	struct cp_httpc *c = NULL;
	int err, i;

	pthread_mutex_lock(&e->mu);
	*ep = e->cur;
	for (i = e->nidle - 1; i >= 0; i--) {
		if (e->idle_ep[i] != e->cur)
			continue;
		c = e->idle[i];
		e->idle[i] = e->idle[--e->nidle];
		e->idle_ep[i] = e->idle_ep[e->nidle];
		break;
	}
	pthread_mutex_unlock(&e->mu);
	if (!c) {
		c = cp_httpc_new(e->eps[*ep], NULL, &err);
		if (c)
			cp_httpc_set_timeout(c, TIMEOUT_MS);
	}
	return c;
}

static void conn_put(struct store_etcd *e, struct cp_httpc *c, int ep, bool ok)
{
	pthread_mutex_lock(&e->mu);
	if (!ok) {
		/* that member failed us: the next call tries the next one */
		if (e->cur == ep)
			e->cur = (e->cur + 1) % e->neps;
		pthread_mutex_unlock(&e->mu);
		cp_httpc_free(c);
		return;
	}
	if (e->nidle < POOL) {
		e->idle[e->nidle] = c;
		e->idle_ep[e->nidle++] = ep;
		c = NULL;
	}
	pthread_mutex_unlock(&e->mu);
	cp_httpc_free(c);
}

/* POSTs body to path on some live member; *out is the parsed answer. Only
 * reads are retried on another member after a failure mid-request, since
 * a write may have been applied before its answer was lost. */
static int call(struct store_etcd *e, const char *path, cJSON *body,
		bool retry_any, cJSON **out)
{
	char *b = cJSON_PrintUnformatted(body);
	int attempt, err = -EIO;

	*out = NULL;
	if (!b)
		return -ENOMEM;
	for (attempt = 0; attempt < e->neps * 2; attempt++) {
		struct cp_httpc_resp r;
		struct cp_httpc *c;
		int ep;

		c = conn_get(e, &ep);
		if (!c) {
			err = -ENOMEM;
			break;
		}
		err = cp_httpc_do(c, "POST", path, NULL, b, &r);
		if (err) {
			conn_put(e, c, ep, false);
			/* refused: nothing was sent, any request may retry */
			if (err == -ECONNREFUSED || err == -EHOSTUNREACH ||
			    retry_any)
				continue;
			break;
		}
		if (r.status != 200) {
			/* 503 etc.: no leader right now; try elsewhere */
			err = r.status >= 500 ? -EAGAIN : -EIO;
			cp_httpc_resp_clear(&r);
			conn_put(e, c, ep, false);
			if (err == -EAGAIN && retry_any)
				continue;
			break;
		}
		*out = cJSON_Parse(r.body ? r.body : "");
		cp_httpc_resp_clear(&r);
		conn_put(e, c, ep, true);
		err = *out ? 0 : -EPROTO;
		break;
	}
	free(b);
	return err;
}

static long long jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);

	if (cJSON_IsString(v))
		return strtoll(v->valuestring, NULL, 10);
	if (cJSON_IsNumber(v))
		return (long long)v->valuedouble;
	return 0;
}

static void add_b64(cJSON *o, const char *name, const char *s, size_t n)
{
	char *v = b64(s, n);

	cJSON_AddStringToObject(o, name, v ? v : "");
	free(v);
}

static char *range_end(const char *prefix)
{
	size_t n = strlen(prefix);
	char *e = strdup(prefix);

	/* the first key after every key with this prefix */
	while (e && n) {
		if ((unsigned char)e[n - 1] < 0xff) {
			e[n - 1]++;
			e[n] = 0;
			return e;
		}
		n--;
	}
	return e;
}

static int et_get(struct store *s, const char *key, struct store_kv *out)
{
	cJSON *req = cJSON_CreateObject(), *res, *kv;
	const char *v;
	int err;

	memset(out, 0, sizeof(*out));
	add_b64(req, "key", key, strlen(key));
	err = call(to_et(s), "/v3/kv/range", req, true, &res);
	cJSON_Delete(req);
	if (err)
		return err;
	kv = cJSON_GetArrayItem(cJSON_GetObjectItem(res, "kvs"), 0);
	if (!kv) {
		cJSON_Delete(res);
		return -ENOENT;
	}
	v = cJSON_GetStringValue(cJSON_GetObjectItem(kv, "value"));
	out->key = strdup(key);
	out->value = v ? unb64(v) : strdup("");
	out->mod_rev = jnum(kv, "mod_revision");
	cJSON_Delete(res);
	if (!out->key || !out->value) {
		store_kv_clear(out);
		return -ENOMEM;
	}
	return 0;
}

static int et_range(struct store *s, const char *prefix, const char *after,
		    size_t limit, struct store_kv **out, size_t *n)
{
	cJSON *req = cJSON_CreateObject(), *res, *kv;
	char *end = range_end(prefix);
	struct store_kv *kvs;
	size_t i = 0, cnt;
	int err;

	*out = NULL;
	*n = 0;
	if (!end || !req) {
		free(end);
		cJSON_Delete(req);
		return -ENOMEM;
	}
	if (after && strcmp(after, prefix) > 0)
		add_b64(req, "key", after, strlen(after) + 1); /* after + NUL */
	else
		add_b64(req, "key", prefix, strlen(prefix));
	add_b64(req, "range_end", end, strlen(end));
	free(end);
	if (limit)
		cJSON_AddNumberToObject(req, "limit", (double)limit);
	err = call(to_et(s), "/v3/kv/range", req, true, &res);
	cJSON_Delete(req);
	if (err)
		return err;
	cnt = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(res, "kvs"));
	kvs = calloc(cnt + 1, sizeof(*kvs));
	if (!kvs) {
		cJSON_Delete(res);
		return -ENOMEM;
	}
	cJSON_ArrayForEach(kv, cJSON_GetObjectItem(res, "kvs"))
	{
		const char *k =
			cJSON_GetStringValue(cJSON_GetObjectItem(kv, "key"));
		const char *v =
			cJSON_GetStringValue(cJSON_GetObjectItem(kv, "value"));

		kvs[i].key = k ? unb64(k) : NULL;
		kvs[i].value = v ? unb64(v) : strdup("");
		kvs[i].mod_rev = jnum(kv, "mod_revision");
		if (!kvs[i].key || !kvs[i].value) {
			store_kvs_free(kvs, i + 1);
			cJSON_Delete(res);
			return -ENOMEM;
		}
		i++;
	}
	cJSON_Delete(res);
	*out = kvs;
	*n = i;
	return 0;
}

static int et_txn(struct store *s, const struct store_cmp *cmps, size_t ncmp,
		  const struct store_op *ops, size_t nops, int64_t *rev)
{
	cJSON *req = cJSON_CreateObject(), *ca, *sa, *res;
	char num[32];
	size_t i;
	int err;

	ca = cJSON_AddArrayToObject(req, "compare");
	sa = cJSON_AddArrayToObject(req, "success");
	for (i = 0; i < ncmp; i++) {
		cJSON *c = cJSON_CreateObject();

		add_b64(c, "key", cmps[i].key, strlen(cmps[i].key));
		if (cmps[i].mod_rev == STORE_PRESENT) {
			cJSON_AddStringToObject(c, "target", "CREATE");
			cJSON_AddStringToObject(c, "result", "GREATER");
			cJSON_AddStringToObject(c, "create_revision", "0");
		} else if (cmps[i].mod_rev == STORE_ABSENT) {
			cJSON_AddStringToObject(c, "target", "CREATE");
			cJSON_AddStringToObject(c, "result", "EQUAL");
			cJSON_AddStringToObject(c, "create_revision", "0");
		} else {
			snprintf(num, sizeof(num), "%lld",
				 (long long)cmps[i].mod_rev);
			cJSON_AddStringToObject(c, "target", "MOD");
			cJSON_AddStringToObject(c, "result", "EQUAL");
			cJSON_AddStringToObject(c, "mod_revision", num);
		}
		cJSON_AddItemToArray(ca, c);
	}
	for (i = 0; i < nops; i++) {
		cJSON *o = cJSON_CreateObject(), *r;

		if (ops[i].type == STORE_PUT) {
			r = cJSON_AddObjectToObject(o, "request_put");
			add_b64(r, "key", ops[i].key, strlen(ops[i].key));
			add_b64(r, "value", ops[i].value, strlen(ops[i].value));
		} else {
			r = cJSON_AddObjectToObject(o, "request_delete_range");
			add_b64(r, "key", ops[i].key, strlen(ops[i].key));
		}
		cJSON_AddItemToArray(sa, o);
	}
	err = call(to_et(s), "/v3/kv/txn", req, false, &res);
	cJSON_Delete(req);
	if (err)
		return err;
	if (!cJSON_IsTrue(cJSON_GetObjectItem(res, "succeeded"))) {
		err = cJSON_GetObjectItem(res, "error") ? -EIO : -ECANCELED;
	} else if (rev) {
		*rev = jnum(cJSON_GetObjectItem(res, "header"), "revision");
	}
	cJSON_Delete(res);
	return err;
}

static int64_t et_revision(struct store *s)
{
	cJSON *req = cJSON_CreateObject(), *res;
	int64_t rev;
	int err;

	add_b64(req, "key", "\x01", 1);
	cJSON_AddBoolToObject(req, "count_only", 1);
	err = call(to_et(s), "/v3/kv/range", req, true, &res);
	cJSON_Delete(req);
	if (err)
		return err;
	rev = jnum(cJSON_GetObjectItem(res, "header"), "revision");
	cJSON_Delete(res);
	return rev;
}

static void et_close(struct store *s)
{
	struct store_etcd *e = to_et(s);
	int i;

	for (i = 0; i < e->nidle; i++)
		cp_httpc_free(e->idle[i]);
	for (i = 0; i < e->neps; i++)
		free(e->eps[i]);
	pthread_mutex_destroy(&e->mu);
	free(e);
}

static const struct store_ops etcd_ops = {
	.get = et_get,
	.range = et_range,
	.txn = et_txn,
	.revision = et_revision,
	.close = et_close,
};

struct store *store_etcd_open(const char *endpoints, int *err)
{
	struct store_etcd *e = calloc(1, sizeof(*e));
	char *dup = strdup(endpoints), *tok, *save = NULL;

	if (!e || !dup) {
		free(e);
		free(dup);
		*err = -ENOMEM;
		return NULL;
	}
	e->base.ops = &etcd_ops;
	pthread_mutex_init(&e->mu, NULL);
	for (tok = strtok_r(dup, ",", &save); tok && e->neps < MAX_EPS;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, "http://", 7)) {
			*err = -EPROTONOSUPPORT;
			free(dup);
			et_close(&e->base);
			return NULL;
		}
		e->eps[e->neps++] = strdup(tok);
	}
	free(dup);
	if (!e->neps) {
		*err = -EINVAL;
		et_close(&e->base);
		return NULL;
	}
	/* fail at start, not at the first request, when no member answers */
	if (et_revision(&e->base) < 0) {
		*err = -ECONNREFUSED;
		et_close(&e->base);
		return NULL;
	}
	return &e->base;
}
