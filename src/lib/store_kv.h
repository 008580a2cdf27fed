/* SPDX-License-Identifier: GPL-2.0 */
/* The control-plane store interface: a revisioned key-value store with
 * all-or-nothing compare-and-swap transactions (the etcd v3 model).
 *
 * Every committed transaction bumps one global revision; every key remembers
 * the revision that last modified it (mod_rev). Callers build optimistic
 * concurrency on top: read, compute, commit only if mod_revs did not move.
 */
#ifndef NLB_STORE_KV_H
#define NLB_STORE_KV_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct store_kv {
	char *key;
	char *value;
	int64_t mod_rev;
};

enum store_op_type { STORE_PUT, STORE_DEL };

struct store_op {
	enum store_op_type type;
	const char *key;
	const char *value; /* STORE_PUT only */
};

/* Condition of a transaction on a key's mod_rev. */
#define STORE_ABSENT 0 /* the key must not exist */
#define STORE_PRESENT -1 /* the key must exist, any revision */
struct store_cmp {
	const char *key;
	int64_t mod_rev; /* exact mod_rev, STORE_ABSENT or STORE_PRESENT */
};

struct store_ops {
	int (*get)(struct store *s, const char *key, struct store_kv *out);
	int (*range)(struct store *s, const char *prefix, const char *after,
		     size_t limit, struct store_kv **out, size_t *n);
	int (*txn)(struct store *s, const struct store_cmp *cmps, size_t ncmp,
		   const struct store_op *ops, size_t nops, int64_t *rev);
	int64_t (*revision)(struct store *s);
	void (*close)(struct store *s);
};

struct store {
	const struct store_ops *ops;
	/* change notification shared by every backend, see store_wait() */
	void *notify;
};

/* "sqlite:PATH" (or a bare path), or "etcd:http://HOST:PORT[,http://...]"
 * (etcd v3 JSON gateway). Returns NULL and sets *err on failure. */
struct store *store_open(const char *url, int *err);
void store_close(struct store *s);

/* -ENOENT when absent. out->key/value are malloc'ed: store_kv_clear(). */
int store_get(struct store *s, const char *key, struct store_kv *out);
/* Keys starting with prefix, sorted, strictly after `after` (NULL: from the
 * start), at most limit (0: all). *out is an array freed by store_kvs_free. */
int store_range(struct store *s, const char *prefix, const char *after,
		size_t limit, struct store_kv **out, size_t *n);
/* -ECANCELED when a compare fails (nothing written); *rev = new revision. */
int store_txn(struct store *s, const struct store_cmp *cmps, size_t ncmp,
	      const struct store_op *ops, size_t nops, int64_t *rev);
int64_t store_revision(struct store *s);
/* Block until the revision exceeds `after` or timeout_ms passes; returns the
 * current revision. Sees commits of other processes too (it polls). */
int64_t store_wait(struct store *s, int64_t after, int timeout_ms);

void store_kv_clear(struct store_kv *kv);
void store_kvs_free(struct store_kv *kvs, size_t n);

/* backend constructors, used by store_open() */
struct store *store_sqlite_open(const char *path, int *err);
struct store *store_etcd_open(const char *endpoints, int *err);

#endif /* NLB_STORE_KV_H */
