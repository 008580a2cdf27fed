// SPDX-License-Identifier: GPL-2.0
/* The SQLite (WAL) backend of the store interface. */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_kv.h"

#define READERS 4

/* A read-only connection: WAL lets readers run beside the writer, so a
 * transaction waiting for the file lock never stalls reads. */
struct sq_reader {
	sqlite3 *db;
	pthread_mutex_t mu;
	sqlite3_stmt *get, *range, *rev;
};

struct store_sqlite {
	struct store base;
	/* the writer: SQLite serializes writers anyway */
	sqlite3 *db;
	pthread_mutex_t mu;
	sqlite3_stmt *put, *del, *rev, *bump, *modrev;
	struct sq_reader rd[READERS];
	unsigned next_rd;
};

#define to_sq(s) ((struct store_sqlite *)(s))

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	/* WAL + NORMAL: a commit survives a crash of the process (kill -9);
	 * only an OS crash or power loss may drop the last commits. */
	"PRAGMA synchronous=NORMAL;"
	"CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value TEXT NOT "
	"NULL,"
	" mod_rev INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS meta(id INTEGER PRIMARY KEY CHECK(id = 1),"
	" rev INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO meta(id, rev) VALUES (1, 1);";

/* SQLite's own busy handler sleeps up to 100 ms at a time: under a steady
 * stream of short writes a waiter would keep missing the free lock. Retry
 * every 0.5 ms instead, for at most 10 s. */
static int busy(void *arg, int n)
{
	struct timespec ts = {0, 500000};

	(void)arg;
	if (n >= 20000)
		return 0;
	nanosleep(&ts, NULL);
	return 1;
}

static int sq_err(int rc)
{
	switch (rc) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_READONLY:
		return -EROFS;
	default:
		return -EIO;
	}
}

static char *dup_col(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return strdup(t ? (const char *)t : "");
}

/* Any free reader, else wait for one (round robin). */
static struct sq_reader *reader(struct store_sqlite *q)
{
	unsigned i,
		start = __atomic_fetch_add(&q->next_rd, 1, __ATOMIC_RELAXED);

	for (i = 0; i < READERS; i++) {
		struct sq_reader *r = &q->rd[(start + i) % READERS];

		if (!pthread_mutex_trylock(&r->mu))
			return r;
	}
	pthread_mutex_lock(&q->rd[start % READERS].mu);
	return &q->rd[start % READERS];
}

static int sq_get(struct store *s, const char *key, struct store_kv *out)
{
	struct sq_reader *q = reader(to_sq(s));
	int rc, err = 0;

	memset(out, 0, sizeof(*out));
	sqlite3_bind_text(q->get, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q->get);
	if (rc == SQLITE_ROW) {
		out->key = strdup(key);
		out->value = dup_col(q->get, 0);
		out->mod_rev = sqlite3_column_int64(q->get, 1);
		if (!out->key || !out->value) {
			store_kv_clear(out);
			err = -ENOMEM;
		}
	} else if (rc == SQLITE_DONE) {
		err = -ENOENT;
	} else {
		err = sq_err(rc);
	}
	sqlite3_reset(q->get);
	sqlite3_clear_bindings(q->get);
	pthread_mutex_unlock(&q->mu);
	return err;
}

/* The smallest string greater than every string starting with prefix. */
static char *prefix_end(const char *prefix)
{
	size_t n = strlen(prefix);
	char *e = malloc(n + 2);

	if (!e)
		return NULL;
	memcpy(e, prefix, n);
	e[n] = (char)0xff;
	e[n + 1] = 0;
	return e;
}

static int sq_range(struct store *s, const char *prefix, const char *after,
		    size_t limit, struct store_kv **out, size_t *n)
{
	struct sq_reader *q;
	struct store_kv *kvs = NULL, *tmp;
	size_t cap = 0, cnt = 0;
	char *end = prefix_end(prefix);
	int rc, err = 0;

	*out = NULL;
	*n = 0;
	if (!end)
		return -ENOMEM;
	q = reader(to_sq(s));
	sqlite3_bind_text(q->range, 1,
			  after && strcmp(after, prefix) > 0 ? after : prefix,
			  -1, SQLITE_STATIC);
	sqlite3_bind_int(q->range, 2, after && strcmp(after, prefix) > 0);
	sqlite3_bind_text(q->range, 3, end, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q->range, 4, limit ? (sqlite3_int64)limit : -1);
	while ((rc = sqlite3_step(q->range)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			tmp = realloc(kvs, cap * sizeof(*kvs));
			if (!tmp) {
				err = -ENOMEM;
				break;
			}
			kvs = tmp;
		}
		kvs[cnt].key = dup_col(q->range, 0);
		kvs[cnt].value = dup_col(q->range, 1);
		kvs[cnt].mod_rev = sqlite3_column_int64(q->range, 2);
		cnt++;
		if (!kvs[cnt - 1].key || !kvs[cnt - 1].value) {
			err = -ENOMEM;
			break;
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = sq_err(rc);
	sqlite3_reset(q->range);
	sqlite3_clear_bindings(q->range);
	pthread_mutex_unlock(&q->mu);
	free(end);
	if (err) {
		store_kvs_free(kvs, cnt);
		return err;
	}
	*out = kvs;
	*n = cnt;
	return 0;
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sq_err(rc);
}

static int check_cmp(struct store_sqlite *q, const struct store_cmp *c)
{
	int64_t cur = 0;
	int rc;

	sqlite3_bind_text(q->modrev, 1, c->key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q->modrev);
	if (rc == SQLITE_ROW)
		cur = sqlite3_column_int64(q->modrev, 0);
	sqlite3_reset(q->modrev);
	sqlite3_clear_bindings(q->modrev);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_err(rc);
	if (c->mod_rev == STORE_PRESENT)
		return cur ? 0 : -ECANCELED;
	return cur == c->mod_rev ? 0 : -ECANCELED;
}

static int64_t rev_of(sqlite3_stmt *st)
{
	int64_t rev = -EIO;

	if (sqlite3_step(st) == SQLITE_ROW)
		rev = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rev;
}

static int sq_txn(struct store *s, const struct store_cmp *cmps, size_t ncmp,
		  const struct store_op *ops, size_t nops, int64_t *rev)
{
	struct store_sqlite *q = to_sq(s);
	int64_t r = 0;
	size_t i;
	int rc, err = 0;

	pthread_mutex_lock(&q->mu);
	rc = sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		err = sq_err(rc);
		goto out;
	}
	for (i = 0; i < ncmp && !err; i++)
		err = check_cmp(q, &cmps[i]);
	if (!err)
		err = step_done(q->bump);
	if (!err) {
		r = rev_of(q->rev);
		if (r < 0)
			err = (int)r;
	}
	for (i = 0; i < nops && !err; i++) {
		if (ops[i].type == STORE_PUT) {
			sqlite3_bind_text(q->put, 1, ops[i].key, -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(q->put, 2, ops[i].value, -1,
					  SQLITE_STATIC);
			sqlite3_bind_int64(q->put, 3, r);
			err = step_done(q->put);
		} else {
			sqlite3_bind_text(q->del, 1, ops[i].key, -1,
					  SQLITE_STATIC);
			err = step_done(q->del);
		}
	}
	if (err) {
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	rc = sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		err = sq_err(rc);
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	if (rev)
		*rev = r;
out:
	pthread_mutex_unlock(&q->mu);
	return err;
}

static int64_t sq_revision(struct store *s)
{
	struct sq_reader *q = reader(to_sq(s));
	int64_t r = rev_of(q->rev);

	pthread_mutex_unlock(&q->mu);
	return r;
}

static void sq_close(struct store *s)
{
	struct store_sqlite *q = to_sq(s);
	int i;

	for (i = 0; i < READERS; i++) {
		sqlite3_finalize(q->rd[i].get);
		sqlite3_finalize(q->rd[i].range);
		sqlite3_finalize(q->rd[i].rev);
		sqlite3_close(q->rd[i].db);
		pthread_mutex_destroy(&q->rd[i].mu);
	}
	sqlite3_finalize(q->put);
	sqlite3_finalize(q->del);
	sqlite3_finalize(q->rev);
	sqlite3_finalize(q->bump);
	sqlite3_finalize(q->modrev);
	sqlite3_close(q->db);
	pthread_mutex_destroy(&q->mu);
	free(q);
}

static const struct store_ops sqlite_ops = {
	.get = sq_get,
	.range = sq_range,
	.txn = sq_txn,
	.revision = sq_revision,
	.close = sq_close,
};

static int prep(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : sq_err(rc);
}

static int open_reader(struct sq_reader *r, const char *path)
{
	int rc = sqlite3_open_v2(
		path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	int err;

	if (rc != SQLITE_OK)
		return sq_err(rc);
	sqlite3_busy_handler(r->db, busy, NULL);
	err = prep(r->db, "SELECT value, mod_rev FROM kv WHERE key = ?1",
		   &r->get);
	if (!err)
		err = prep(r->db,
			   "SELECT key, value, mod_rev FROM kv WHERE "
			   "(key > ?1 OR (?2 = 0 AND key = ?1)) AND key < ?3 "
			   "ORDER BY key LIMIT ?4",
			   &r->range);
	if (!err)
		err = prep(r->db, "SELECT rev FROM meta WHERE id = 1", &r->rev);
	return err;
}

struct store *store_sqlite_open(const char *path, int *err)
{
	struct store_sqlite *q = calloc(1, sizeof(*q));
	int rc, i;

	if (!q) {
		*err = -ENOMEM;
		return NULL;
	}
	q->base.ops = &sqlite_ops;
	pthread_mutex_init(&q->mu, NULL);
	for (i = 0; i < READERS; i++)
		pthread_mutex_init(&q->rd[i].mu, NULL);
	rc = sqlite3_open_v2(path, &q->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		*err = sq_err(rc);
		goto fail;
	}
	sqlite3_busy_handler(q->db, busy, NULL);
	rc = sqlite3_exec(q->db, schema, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		*err = sq_err(rc);
		goto fail;
	}
	*err = 0;
	for (i = 0; i < READERS && !*err; i++)
		*err = open_reader(&q->rd[i], path);
	if (!*err)
		*err = prep(q->db,
			    "INSERT OR REPLACE INTO kv(key, value, mod_rev) "
			    "VALUES (?1, ?2, ?3)",
			    &q->put);
	if (!*err)
		*err = prep(q->db, "DELETE FROM kv WHERE key = ?1", &q->del);
	if (!*err)
		*err = prep(q->db, "SELECT rev FROM meta WHERE id = 1",
			    &q->rev);
	if (!*err)
		*err = prep(q->db, "UPDATE meta SET rev = rev + 1 WHERE id = 1",
			    &q->bump);
	if (!*err)
		*err = prep(q->db, "SELECT mod_rev FROM kv WHERE key = ?1",
			    &q->modrev);
	if (*err)
		goto fail;
	return &q->base;
fail:
	sq_close(&q->base);
	return NULL;
}
