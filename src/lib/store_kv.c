// SPDX-License-Identifier: GPL-2.0
/* The store front end: picks a backend by URL and wakes revision waiters. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_kv.h"

struct store_notify {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* the revision last read and when: hundreds of waiters share one
	 * read per 50 ms instead of each asking the store */
	int64_t rev, rev_at_ms;
};

struct store *store_open(const char *url, int *err)
{
	struct store_notify *n;
	struct store *s;

	if (!strncmp(url, "sqlite:", 7))
		s = store_sqlite_open(url + 7, err);
	else if (!strncmp(url, "etcd:", 5))
		s = store_etcd_open(url + 5, err);
	else if (!strstr(url, "://"))
		s = store_sqlite_open(url, err);
	else {
		*err = -EPROTONOSUPPORT;
		return NULL;
	}
	if (!s)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n) {
		s->ops->close(s);
		*err = -ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&n->mu, NULL);
	{
		pthread_condattr_t a;

		pthread_condattr_init(&a);
		pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
		pthread_cond_init(&n->cv, &a);
		pthread_condattr_destroy(&a);
	}
	s->notify = n;
	return s;
}

void store_close(struct store *s)
{
	struct store_notify *n;

	if (!s)
		return;
	n = s->notify;
	if (n) {
		pthread_cond_destroy(&n->cv);
		pthread_mutex_destroy(&n->mu);
		free(n);
	}
	s->ops->close(s);
}

int store_get(struct store *s, const char *key, struct store_kv *out)
{
	return s->ops->get(s, key, out);
}

int store_range(struct store *s, const char *prefix, const char *after,
		size_t limit, struct store_kv **out, size_t *n)
{
	return s->ops->range(s, prefix, after, limit, out, n);
}

int store_txn(struct store *s, const struct store_cmp *cmps, size_t ncmp,
	      const struct store_op *ops, size_t nops, int64_t *rev)
{
	struct store_notify *n = s->notify;
	int err = s->ops->txn(s, cmps, ncmp, ops, nops, rev);

	if (!err && n) {
		pthread_mutex_lock(&n->mu);
		n->rev_at_ms = 0; /* moved: the next waiter reads it afresh */
		pthread_cond_broadcast(&n->cv);
		pthread_mutex_unlock(&n->mu);
	}
	return err;
}

int64_t store_revision(struct store *s)
{
	return s->ops->revision(s);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The revision, read from the store at most every 50 ms per process. */
static int64_t shared_revision(struct store *s)
{
	struct store_notify *n = s->notify;
	int64_t t = now_ms(), rev;

	pthread_mutex_lock(&n->mu);
	if (n->rev_at_ms && t - n->rev_at_ms < 50) {
		rev = n->rev;
		pthread_mutex_unlock(&n->mu);
		return rev;
	}
	pthread_mutex_unlock(&n->mu);
	rev = store_revision(s);
	if (rev > 0) {
		pthread_mutex_lock(&n->mu);
		n->rev = rev;
		n->rev_at_ms = t;
		pthread_mutex_unlock(&n->mu);
	}
	return rev;
}

int64_t store_wait(struct store *s, int64_t after, int timeout_ms)
{
	struct store_notify *n = s->notify;
	int64_t deadline = now_ms() + timeout_ms, rev;

	/* Commits of this process signal the condvar; those of other
	 * processes (a separate scheduler on the same file, other gateways
	 * on etcd) are seen by re-reading the revision every 100 ms. */
	for (;;) {
		struct timespec ts;
		int64_t wake, t;

		rev = shared_revision(s);
		t = now_ms();
		if (rev > after || rev < 0 || t >= deadline)
			return rev;
		wake = t + 100 < deadline ? t + 100 : deadline;
		ts.tv_sec = wake / 1000;
		ts.tv_nsec = (wake % 1000) * 1000000;
		pthread_mutex_lock(&n->mu);
		pthread_cond_timedwait(&n->cv, &n->mu, &ts);
		pthread_mutex_unlock(&n->mu);
	}
}

void store_kv_clear(struct store_kv *kv)
{
	if (!kv)
		return;
	free(kv->key);
	free(kv->value);
	kv->key = kv->value = NULL;
}

void store_kvs_free(struct store_kv *kvs, size_t n)
{
	size_t i;

	if (!kvs)
		return;
	for (i = 0; i < n; i++)
		store_kv_clear(&kvs[i]);
	free(kvs);
}
