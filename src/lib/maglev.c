// SPDX-License-Identifier: GPL-2.0
/* The Maglev table builder (see maglev.h and docs/maglev.md).
 *
 * Backends are sorted by key, so the result does not depend on input order.
 * Each gets an exact quota of slots (largest-remainder apportionment of m by
 * weight) and they take turns in rounds: a backend earns its weight in
 * credit per round and takes its next preferred free slot whenever its credit
 * reaches the largest weight still filling. Its preference list is the usual
 * Maglev permutation offset + j * skip (mod m), both from hashing the key.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maglev.h"
#include "nlb/flow_hash.h"

/* Seeds of the two key hashes; part of the table's definition, so every node
 * (and every version of nlb that must agree with it) uses the same ones. */
#define MG_SEED_OFFSET 0x4d61676cu
#define MG_SEED_SKIP 0x65762121u

/* Below this many free slots a backend finds its next slot by ranking the
 * free slots instead of walking its permutation: a walk then costs about
 * m / free probes, the ranking free multiplications. The table is the same
 * either way; this constant only moves cost. */
#define MG_TAIL_SLOTS 256

/* One backend's build state, kept together for the probe loop. */
struct mg_perm {
	__u32 next; /* next slot of its permutation to try */
	__u32 skip; /* 1 .. m-1 */
	__u32 id;
	__u32 quota; /* slots still to take */
	__u32 offset; /* first slot of its permutation */
	__u32 inv; /* skip^-1 mod m, for the tail; 0 until needed */
	__u64 weight;
	__u64 credit;
};

/* Scratch memory of one build, reused across the jobs of a thread. */
struct mg_work {
	const struct nlb_maglev_backend **sorted;
	struct mg_perm *perm;
	__u64 *rem; /* apportionment remainders */
	__u32 *order; /* indices into perm by remainder */
	__u64 *taken; /* bitmap of m bits */
	__u32 *scratch; /* the table being built: m slots */
	size_t n_cap;
	size_t m_words_cap;
	__u32 tail[MG_TAIL_SLOTS]; /* the free slots, once few are left */
	__u32 ntail;
	__u64 mu; /* floor((2^64 - 1) / m): Barrett reduction */
};

int nlb_maglev_is_prime(__u32 m)
{
	__u64 i;

	if (m < 2)
		return 0;
	if (m < 4)
		return 1;
	if (m % 2 == 0 || m % 3 == 0)
		return 0;
	for (i = 5; i * i <= m; i += 6)
		if (m % i == 0 || m % (i + 2) == 0)
			return 0;
	return 1;
}

void nlb_maglev_key(__u8 key[NLB_MAGLEV_KEY_LEN], __u8 family,
		    const __be32 addr[4])
{
	memset(key, 0, NLB_MAGLEV_KEY_LEN);
	key[0] = family;
	/* An IPv4 key must not depend on whatever follows addr[0]. */
	memcpy(key + 1, addr, family == 6 ? 16 : 4);
}

/* Words assembled byte by byte, so that hosts of either endianness agree. */
static __u32 mg_key_word(const __u8 *p)
{
	return (__u32)p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 |
	       (__u32)p[3] << 24;
}

static __u32 mg_key_hash(const __u8 key[NLB_MAGLEV_KEY_LEN], __u32 seed)
{
	__u32 h;

	h = nlb_hash3(mg_key_word(key + 1), mg_key_word(key + 5),
		      mg_key_word(key + 9), seed);
	return nlb_hash3(mg_key_word(key + 13), key[0], seed, h);
}

static int mg_cmp_key(const void *a, const void *b)
{
	const struct nlb_maglev_backend *x =
		*(const struct nlb_maglev_backend *const *)a;
	const struct nlb_maglev_backend *y =
		*(const struct nlb_maglev_backend *const *)b;

	return memcmp(x->key, y->key, NLB_MAGLEV_KEY_LEN);
}

static void mg_work_free(struct mg_work *w)
{
	free(w->sorted);
	free(w->perm);
	free(w->rem);
	free(w->order);
	free(w->taken);
	free(w->scratch);
	memset(w, 0, sizeof(*w));
}

static int mg_work_reserve(struct mg_work *w, size_t n, __u32 m)
{
	size_t words = ((size_t)m + 63) / 64;

	if (n > w->n_cap) {
		free(w->sorted);
		free(w->perm);
		free(w->rem);
		free(w->order);
		w->sorted = malloc(n * sizeof(*w->sorted));
		w->perm = malloc(n * sizeof(*w->perm));
		w->rem = malloc(n * sizeof(*w->rem));
		w->order = malloc(n * sizeof(*w->order));
		if (!w->sorted || !w->perm || !w->rem || !w->order) {
			mg_work_free(w);
			return -ENOMEM;
		}
		w->n_cap = n;
	}
	if (words > w->m_words_cap) {
		free(w->taken);
		free(w->scratch);
		w->taken = malloc(words * sizeof(*w->taken));
		w->scratch = malloc(words * 64 * sizeof(*w->scratch));
		if (!w->taken || !w->scratch) {
			mg_work_free(w);
			return -ENOMEM;
		}
		w->m_words_cap = words;
	}
	return 0;
}

/* Ties among the largest remainders go to the lower index, i.e. the lower
 * key, so the split is the same on every node. */
static int mg_cmp_rem(const void *a, const void *b, void *arg)
{
	const __u64 *rem = arg;
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	if (rem[x] != rem[y])
		return rem[x] > rem[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Quotas summing to exactly m, each within one slot of m * w / W. */
static void mg_apportion(struct mg_work *w, size_t np, __u32 m, __u64 wsum)
{
	__u64 given = 0;
	size_t i;

	for (i = 0; i < np; i++) {
		/* m < 2^32 and weight < 2^32: the product fits. */
		__u64 exact = (__u64)m * w->perm[i].weight;

		w->perm[i].quota = exact / wsum;
		w->rem[i] = exact % wsum;
		w->order[i] = i;
		given += w->perm[i].quota;
	}
	if (given == m)
		return;
	qsort_r(w->order, np, sizeof(*w->order), mg_cmp_rem, w->rem);
	for (i = 0; given < m; i++, given++)
		w->perm[w->order[i]].quota++;
}

/* Drops the backends whose quota is met from perm (keeping key order) and
 * returns the largest weight left: the credit a backend needs for one slot.
 * *equal tells that all weights left are the same, so that every backend
 * takes a slot every round. */
static __u64 mg_compact(struct mg_work *w, size_t *na, int *equal)
{
	__u64 wmax = 0, wmin = ~0ull;
	size_t i, k = 0;

	for (i = 0; i < *na; i++) {
		struct mg_perm *p = &w->perm[i];

		if (!p->quota)
			continue;
		if (k != i)
			w->perm[k] = *p;
		k++;
		if (p->weight > wmax)
			wmax = p->weight;
		if (p->weight < wmin)
			wmin = p->weight;
	}
	*na = k;
	*equal = wmin == wmax;
	return wmax;
}

/* (c + d) mod m for c, d < m, without a division or an overflow. */
static inline __u32 mg_step(__u32 c, __u32 d, __u32 m)
{
	return c >= m - d ? c - (m - d) : c + d;
}

static inline __u32 mg_is_free(const __u64 *taken, __u32 c)
{
	return ~taken[c >> 6] >> (c & 63) & 1;
}

/* The first free slot of p's permutation, from p->next on: the hot loop, with
 * one bit test and no division per probe. (Testing 2 or 4 positions per
 * iteration measured within 3% of this.) */
static inline __u32 mg_probe(const struct mg_perm *p, const __u64 *taken,
			     __u32 m)
{
	__u32 c = p->next;

	while (!mg_is_free(taken, c))
		c = mg_step(c, p->skip, m);
	return c;
}

/* skip^-1 mod m (m prime, 0 < skip < m), by extended Euclid. */
static __u32 mg_inverse(__u32 skip, __u32 m)
{
	__s64 r0 = m, r1 = skip, t0 = 0, t1 = 1;

	while (r1) {
		__s64 q = r0 / r1, x;

		x = r0 - q * r1;
		r0 = r1;
		r1 = x;
		x = t0 - q * t1;
		t0 = t1;
		t1 = x;
	}
	return (__u32)(t0 < 0 ? t0 + m : t0);
}

/* x mod m for x < 2^64 by Barrett reduction: multiplications only. */
static inline __u32 mg_reduce(__u64 x, __u32 m, __u64 mu)
{
	__u64 q = (__u64)(((unsigned __int128)x * mu) >> 64);
	__u64 r = x - q * m;

	return (__u32)(r >= m ? r - m : r);
}

/* No free slot comes before p->next in p's permutation: p passed each of
 * those while it was taken, and taken slots stay taken. So the free slot of
 * least rank (slot = offset + rank * skip mod m) is the one a walk from
 * p->next would reach first. */
static __u32 mg_tail_pick(struct mg_work *w, struct mg_perm *p, __u32 m)
{
	__u32 best = 0, best_rank = m, i;

	if (!p->inv)
		p->inv = mg_inverse(p->skip, m);
	for (i = 0; i < w->ntail; i++) {
		__u32 c = w->tail[i];
		__u32 d = c >= p->offset ? c - p->offset : c + (m - p->offset);
		__u32 rank = mg_reduce((__u64)d * p->inv, m, w->mu);

		if (rank < best_rank) {
			best_rank = rank;
			best = i;
		}
	}
	i = w->tail[best];
	w->tail[best] = w->tail[--w->ntail];
	return i;
}

static void mg_tail_init(struct mg_work *w, __u32 m)
{
	__u32 word;

	w->ntail = 0;
	w->mu = ~0ull / m;
	for (word = 0; word < ((size_t)m + 63) / 64; word++) {
		__u64 free = ~w->taken[word];

		while (free) {
			__u32 c = word * 64 + __builtin_ctzll(free);

			if (c >= m)
				break;
			w->tail[w->ntail++] = c;
			free &= free - 1;
		}
	}
}

/* p takes its next slot by walking its permutation. */
static inline __u32 mg_take(struct mg_perm *p, __u64 *taken, __u32 m)
{
	__u32 c = mg_probe(p, taken, m);

	taken[c >> 6] |= 1ull << (c & 63);
	p->next = mg_step(c, p->skip, m);
	return c;
}

static void mg_fill(struct mg_work *w, size_t np, __u32 m, __u32 *table)
{
	struct mg_perm *perm = w->perm;
	__u64 *taken = w->taken;
	int equal;
	/* Tiny tables fill fast anyway, and Barrett needs m well above 2. */
	int use_tail = m > 16 * MG_TAIL_SLOTS, in_tail = 0;
	__u32 left = m;
	size_t na = np, i;
	__u64 wmax;

	memset(taken, 0, (((size_t)m + 63) / 64) * sizeof(*taken));
	wmax = mg_compact(w, &na, &equal);

	while (left) {
		int finished = 0;

		/* A round takes at most na slots. While that cannot bring the
		 * table down to its tail, the round needs no check per slot:
		 * this is where nearly all slots are taken. */
		if (equal && left >= na + MG_TAIL_SLOTS) {
			for (i = 0; i < na; i++) {
				struct mg_perm *p = &perm[i];
				__u32 c = mg_take(p, taken, m);

				table[c] = p->id;
				finished |= !--p->quota;
			}
			left -= na;
		} else if (left >= na + MG_TAIL_SLOTS) {
			for (i = 0; i < na; i++) {
				struct mg_perm *p = &perm[i];
				__u32 c;

				p->credit += p->weight;
				if (p->credit < wmax)
					continue;
				p->credit -= wmax;
				c = mg_take(p, taken, m);
				table[c] = p->id;
				left--;
				finished |= !--p->quota;
			}
		} else {
			for (i = 0; i < na; i++) {
				struct mg_perm *p = &perm[i];
				__u32 c;

				p->credit += p->weight;
				if (p->credit < wmax)
					continue;
				p->credit -= wmax;
				if (use_tail && !in_tail &&
				    left <= MG_TAIL_SLOTS) {
					mg_tail_init(w, m);
					in_tail = 1;
				}
				c = in_tail ? mg_tail_pick(w, p, m)
					    : mg_take(p, taken, m);
				table[c] = p->id;
				left--;
				finished |= !--p->quota;
			}
		}
		/* Dropping finished backends and lowering the bar to the
		 * largest weight left keeps the last rounds from idling. */
		if (finished)
			wmax = mg_compact(w, &na, &equal);
	}
}

static int mg_build(struct mg_work *w, const struct nlb_maglev_backend *b,
		    size_t n, __u32 m, __u32 *table)
{
	__u64 wsum = 0;
	size_t i, np = 0;
	int err;

	if (!table || !nlb_maglev_is_prime(m) || (n && !b))
		return -EINVAL;
	err = mg_work_reserve(w, n ? n : 1, m);
	if (err)
		return err;

	for (i = 0; i < n; i++)
		w->sorted[i] = &b[i];
	qsort(w->sorted, n, sizeof(*w->sorted), mg_cmp_key);
	for (i = 1; i < n; i++)
		if (!mg_cmp_key(&w->sorted[i - 1], &w->sorted[i]))
			return -EINVAL;

	for (i = 0; i < n; i++) {
		const struct nlb_maglev_backend *s = w->sorted[i];
		struct mg_perm *p = &w->perm[np];

		if (!s->weight)
			continue;
		p->offset = mg_key_hash(s->key, MG_SEED_OFFSET) % m;
		p->next = p->offset;
		p->inv = 0;
		p->skip = mg_key_hash(s->key, MG_SEED_SKIP) % (m - 1) + 1;
		p->id = s->id;
		p->weight = s->weight;
		p->credit = 0;
		wsum += s->weight;
		np++;
	}
	if (!np) {
		for (i = 0; i < m; i++)
			table[i] = NLB_MAGLEV_NONE;
		return -ENOENT;
	}
	mg_apportion(w, np, m, wsum);
	/* Slots are written in random order: into memory the thread reuses,
	 * which stays in its cache, and then to the caller's table in one
	 * sequential copy. */
	mg_fill(w, np, m, w->scratch);
	memcpy(table, w->scratch, (size_t)m * sizeof(*table));
	return 0;
}

int nlb_maglev_build(const struct nlb_maglev_backend *b, size_t n, __u32 m,
		     __u32 *table)
{
	struct mg_work w = {0};
	int err;

	err = mg_build(&w, b, n, m, table);
	mg_work_free(&w);
	return err;
}

/* The shared state of one nlb_maglev_build_many call. */
struct mg_batch {
	struct nlb_maglev_job *jobs;
	size_t njobs;
	size_t next; /* next job to take; atomic */
};

static void *mg_worker(void *arg)
{
	struct mg_batch *batch = arg;
	struct mg_work w = {0};
	size_t i;

	while ((i = __atomic_fetch_add(&batch->next, 1, __ATOMIC_RELAXED)) <
	       batch->njobs) {
		struct nlb_maglev_job *j = &batch->jobs[i];

		j->err = mg_build(&w, j->backends, j->n, j->m, j->table);
	}
	mg_work_free(&w);
	return NULL;
}

/* Returns 0 once every job ran (each job's err is its own result), or -EINVAL
 * for a bad argument. A thread that cannot be started only means fewer
 * threads: the caller's thread always works too. */
int nlb_maglev_build_many(struct nlb_maglev_job *jobs, size_t njobs,
			  int nthreads)
{
	struct mg_batch batch = {.jobs = jobs, .njobs = njobs, .next = 0};
	pthread_t *tids = NULL;
	int i, started = 0;

	if ((njobs && !jobs) || nthreads < 0)
		return -EINVAL;
	if (nthreads == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		nthreads = cpus > 0 ? (int)cpus : 1;
	}
	if ((size_t)nthreads > njobs)
		nthreads = njobs ? (int)njobs : 1;

	if (nthreads > 1)
		tids = calloc(nthreads - 1, sizeof(*tids));
	for (i = 0; tids && i < nthreads - 1; i++) {
		if (pthread_create(&tids[i], NULL, mg_worker, &batch))
			break;
		started++;
	}
	mg_worker(&batch);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	return 0;
}
