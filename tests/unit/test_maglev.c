// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the Maglev table builder: balance, disruption, determinism,
 * weights, errors and the parallel batch build. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maglev.h"
#include "nlb/flow_hash.h"
#include "nlbtest.h"

#define M NLB_MAGLEV_DEFAULT_SIZE

/* Backend i: 10.(i>>16).(i>>8).(i & 255) + base, id = i, weight w(i). */
static void mk_backends(struct nlb_maglev_backend *b, size_t n, __u32 base,
			__u32 (*weight)(size_t i))
{
	for (size_t i = 0; i < n; i++) {
		__u32 host = base + (__u32)i;
		__u8 a[16] = {10, host >> 16, host >> 8, host};
		__be32 addr[4];

		memcpy(addr, a, sizeof(addr));
		nlb_maglev_key(b[i].key, 4, addr);
		b[i].id = (__u32)i;
		b[i].weight = weight ? weight(i) : 1;
	}
}

/* A small fixed PRNG so that a failure reproduces. */
static __u32 rnd(__u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (__u32)(*s >> 11);
}

static void shuffle(struct nlb_maglev_backend *b, size_t n, __u64 seed)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd(&seed) % i;
		struct nlb_maglev_backend x = b[i - 1];

		b[i - 1] = b[j];
		b[j] = x;
	}
}

/* Slots per id; false (and a failure) if a slot holds an unknown id. */
static bool count_ids(struct nlbt *t, const __u32 *table, __u32 m, __u32 *cnt,
		      size_t nids)
{
	memset(cnt, 0, nids * sizeof(*cnt));
	for (__u32 s = 0; s < m; s++) {
		if (!CHECK(t, table[s] < nids, "slot %u holds id %u", s,
			   table[s]))
			return false;
		cnt[table[s]]++;
	}
	return true;
}

/* Each backend's slots within 1% of its weight's share, or within one slot
 * where 1% is less than a slot (a count is an integer). */
static void check_balance(struct nlbt *t, const struct nlb_maglev_backend *b,
			  size_t n, __u32 m)
{
	__u32 *table = malloc(m * sizeof(*table));
	__u32 *cnt = calloc(n, sizeof(*cnt));
	double wsum = 0, worst = 0, worst_dev = 0, worst_want = 0;

	if (!CHECK(t, table && cnt, "malloc"))
		goto out;
	if (!CHECK_EQ_INT(t, nlb_maglev_build(b, n, m, table), 0))
		goto out;
	if (!count_ids(t, table, m, cnt, n))
		goto out;
	for (size_t i = 0; i < n; i++)
		wsum += b[i].weight;
	for (size_t i = 0; i < n; i++) {
		double want = (double)m * b[i].weight / wsum;
		double tol = want * 0.01 > 1.0 ? want * 0.01 : 1.0;
		double dev = cnt[i] > want ? cnt[i] - want : want - cnt[i];

		if (dev / tol > worst) {
			worst = dev / tol;
			worst_dev = dev;
			worst_want = want;
		}
		if (!CHECK(t, dev <= tol,
			   "id %u weight %u: %u slots, want %.2f +- %.2f",
			   b[i].id, b[i].weight, cnt[i], want, tol))
			break;
	}
	printf("  n=%zu m=%u: worst backend %.2f slots off its share of %.2f "
	       "(%.0f%% of the allowance)\n",
	       n, m, worst_dev, worst_want, worst * 100);
out:
	free(cnt);
	free(table);
}

static __u32 w_123(size_t i)
{
	return (__u32)(i % 3) + 1;
}

static __u32 w_mixed(size_t i)
{
	static const __u32 w[] = {100, 1, 50, 7, 1000, 3, 250, 10};

	return w[i % (sizeof(w) / sizeof(w[0]))];
}

static __u32 w_big(size_t i)
{
	return i % 2 ? 0xffffffffu : 0x7fffffffu;
}

NLB_TEST(maglev_balance)
{
	static const size_t ns[] = {2, 10, 100, 1000};
	struct nlb_maglev_backend *b = calloc(1000, sizeof(*b));

	REQUIRE(t, b, "calloc");
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		if (nlbt_sub_begin(t, "equal_n%zu", ns[k])) {
			mk_backends(b, ns[k], 1, NULL);
			check_balance(t, b, ns[k], M);
			nlbt_sub_end(t);
		}
	}
	if (nlbt_sub_begin(t, "weights_1_2_3")) {
		mk_backends(b, 3, 1, w_123);
		check_balance(t, b, 3, M);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "weights_1_2_3_n300")) {
		mk_backends(b, 300, 1, w_123);
		check_balance(t, b, 300, M);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "weights_mixed_n8")) {
		mk_backends(b, 8, 1, w_mixed);
		check_balance(t, b, 8, M);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "weights_mixed_n1000")) {
		mk_backends(b, 1000, 1, w_mixed);
		check_balance(t, b, 1000, M);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "weights_near_u32_max")) {
		mk_backends(b, 4, 1, w_big);
		check_balance(t, b, 4, M);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "small_m")) {
		mk_backends(b, 5, 1, NULL);
		check_balance(t, b, 5, 251);
		mk_backends(b, 3, 1, NULL);
		check_balance(t, b, 3, 2);
		nlbt_sub_end(t);
	}
	free(b);
}

/* Slots of a table built from b[0..n) that change owner when b[gone]
 * leaves: the bound is its own share plus 1% of m. */
static void check_leave(struct nlbt *t, struct nlb_maglev_backend *b, size_t n,
			size_t gone, double *worst)
{
	__u32 *before = malloc(M * sizeof(*before));
	__u32 *after = malloc(M * sizeof(*after));
	struct nlb_maglev_backend *rest = malloc(n * sizeof(*rest));
	__u32 moved = 0, own = 0;
	double wsum = 0, bound;

	if (!CHECK(t, before && after && rest, "malloc"))
		goto out;
	for (size_t i = 0, k = 0; i < n; i++) {
		wsum += b[i].weight;
		if (i != gone)
			rest[k++] = b[i];
	}
	if (!CHECK_EQ_INT(t, nlb_maglev_build(b, n, M, before), 0) ||
	    !CHECK_EQ_INT(t, nlb_maglev_build(rest, n - 1, M, after), 0))
		goto out;
	for (__u32 s = 0; s < M; s++) {
		own += before[s] == b[gone].id;
		moved += before[s] != after[s];
		if (!CHECK(t, after[s] != b[gone].id,
			   "slot %u still holds the backend that left", s))
			goto out;
	}
	bound = (double)M * b[gone].weight / wsum + 0.01 * M;
	CHECK(t, moved <= bound, "n=%zu: %u slots moved (own %u), bound %.0f",
	      n, moved, own, bound);
	/* Extra churn beyond the slots the backend owned, in % of m. */
	if (100.0 * (moved - own) / M > *worst)
		*worst = 100.0 * (moved - own) / M;
out:
	free(rest);
	free(after);
	free(before);
}

NLB_TEST(maglev_disruption)
{
	static const size_t ns[] = {3, 10, 30, 100, 1000};
	struct nlb_maglev_backend *b = calloc(1000, sizeof(*b));

	REQUIRE(t, b, "calloc");
	for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
		size_t n = ns[k];

		if (nlbt_sub_begin(t, "leave_n%zu", n)) {
			double worst = 0;

			mk_backends(b, n, 1, NULL);
			/* the first, the last and one in the middle */
			check_leave(t, b, n, 0, &worst);
			check_leave(t, b, n, n / 2, &worst);
			check_leave(t, b, n, n - 1, &worst);
			printf("  n=%zu: worst extra churn %.3f%% of m\n", n,
			       worst);
			nlbt_sub_end(t);
		}
	}
	if (nlbt_sub_begin(t, "leave_weighted_n30")) {
		double worst = 0;

		mk_backends(b, 30, 1, w_mixed);
		check_leave(t, b, 30, 4, &worst); /* the heaviest */
		check_leave(t, b, 30, 1, &worst); /* a light one */
		printf("  n=30 weighted: worst extra churn %.3f%% of m\n",
		       worst);
		nlbt_sub_end(t);
	}
	free(b);
}

NLB_TEST(maglev_determinism)
{
	size_t n = 100;
	struct nlb_maglev_backend *b = calloc(n, sizeof(*b));
	__u32 *ref = malloc(M * sizeof(*ref));
	__u32 *table = malloc(M * sizeof(*table));

	if (!CHECK(t, b && ref && table, "malloc"))
		goto out;
	mk_backends(b, n, 7, w_mixed);
	if (!CHECK_EQ_INT(t, nlb_maglev_build(b, n, M, ref), 0))
		goto out;

	if (nlbt_sub_begin(t, "same_input_same_table")) {
		CHECK_EQ_INT(t, nlb_maglev_build(b, n, M, table), 0);
		CHECK(t, !memcmp(ref, table, M * sizeof(*table)),
		      "two builds of the same input differ");
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "insertion_order")) {
		for (__u64 seed = 1; seed <= 5; seed++) {
			shuffle(b, n, seed * 0x9e3779b97f4a7c15ull);
			if (!CHECK_EQ_INT(t, nlb_maglev_build(b, n, M, table),
					  0))
				break;
			if (!CHECK(t, !memcmp(ref, table, M * sizeof(*table)),
				   "shuffle %llu gives another table",
				   (unsigned long long)seed))
				break;
		}
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "offset_from_key_not_id")) {
		/* Renumbering the ids renames the owners but moves nothing:
		 * a node's local ids must not shape the table. */
		mk_backends(b, n, 7, w_mixed);
		for (size_t i = 0; i < n; i++)
			b[i].id = (__u32)(n - 1 - i);
		CHECK_EQ_INT(t, nlb_maglev_build(b, n, M, table), 0);
		for (__u32 s = 0; s < M; s++)
			if (!CHECK(t, table[s] == n - 1 - ref[s],
				   "slot %u: id %u, want %zu", s, table[s],
				   n - 1 - ref[s]))
				break;
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "key_changes_table")) {
		/* Another address set must give another permutation. */
		mk_backends(b, n, 1000, w_mixed);
		CHECK_EQ_INT(t, nlb_maglev_build(b, n, M, table), 0);
		CHECK(t, memcmp(ref, table, M * sizeof(*table)),
		      "different keys built the same table");
		nlbt_sub_end(t);
	}
out:
	free(table);
	free(ref);
	free(b);
}

NLB_TEST(maglev_weights)
{
	struct nlb_maglev_backend b[4];
	__u32 *table = malloc(M * sizeof(*table));
	__u32 cnt[4];

	REQUIRE(t, table, "malloc");
	if (nlbt_sub_begin(t, "weight0_excluded")) {
		mk_backends(b, 4, 1, NULL);
		b[2].weight = 0;
		if (CHECK_EQ_INT(t, nlb_maglev_build(b, 4, M, table), 0) &&
		    count_ids(t, table, M, cnt, 4)) {
			CHECK_EQ_INT(t, cnt[2], 0);
			CHECK(t, cnt[0] + cnt[1] + cnt[3] == M,
			      "table not full");
		}
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "weight0_same_as_absent")) {
		__u32 *t2 = malloc(M * sizeof(*t2));
		struct nlb_maglev_backend three[3];

		mk_backends(b, 4, 1, NULL);
		b[2].weight = 0;
		three[0] = b[0];
		three[1] = b[1];
		three[2] = b[3];
		if (CHECK(t, t2, "malloc") &&
		    CHECK_EQ_INT(t, nlb_maglev_build(b, 4, M, table), 0) &&
		    CHECK_EQ_INT(t, nlb_maglev_build(three, 3, M, t2), 0))
			CHECK(t, !memcmp(table, t2, M * sizeof(*t2)),
			      "weight 0 differs from leaving the backend out");
		free(t2);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "ratio_1_3")) {
		mk_backends(b, 2, 1, NULL);
		b[1].weight = 3;
		if (CHECK_EQ_INT(t, nlb_maglev_build(b, 2, M, table), 0) &&
		    count_ids(t, table, M, cnt, 2)) {
			/* 65537 / 4 = 16384.25: quotas 16384 and 49153 */
			CHECK_EQ_INT(t, cnt[0], 16384);
			CHECK_EQ_INT(t, cnt[1], 49153);
		}
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "scale_invariant")) {
		/* Weights 1:3 and 100:300 are the same request. */
		__u32 *t2 = malloc(M * sizeof(*t2));

		mk_backends(b, 2, 1, NULL);
		b[1].weight = 3;
		if (CHECK(t, t2, "malloc") &&
		    CHECK_EQ_INT(t, nlb_maglev_build(b, 2, M, table), 0)) {
			b[0].weight = 100;
			b[1].weight = 300;
			CHECK_EQ_INT(t, nlb_maglev_build(b, 2, M, t2), 0);
			CHECK(t, !memcmp(table, t2, M * sizeof(*t2)),
			      "1:3 and 100:300 differ");
		}
		free(t2);
		nlbt_sub_end(t);
	}
	free(table);
}

NLB_TEST(maglev_errors)
{
	struct nlb_maglev_backend b[3];
	__u32 table[13];

	mk_backends(b, 3, 1, NULL);
	if (nlbt_sub_begin(t, "is_prime")) {
		static const __u32 primes[] = {
			2, 3, 5, 13, 251, 65537, 1000003, 4294967291u};
		static const __u32 others[] = {
			0, 1, 4, 9, 25, 65536, 65535, 1000001, 4294967295u};

		for (size_t i = 0; i < sizeof(primes) / sizeof(*primes); i++)
			CHECK(t, nlb_maglev_is_prime(primes[i]), "%u prime",
			      primes[i]);
		for (size_t i = 0; i < sizeof(others) / sizeof(*others); i++)
			CHECK(t, !nlb_maglev_is_prime(others[i]),
			      "%u not prime", others[i]);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "m_not_prime")) {
		CHECK_EQ_INT(t, nlb_maglev_build(b, 3, 12, table), -EINVAL);
		CHECK_EQ_INT(t, nlb_maglev_build(b, 3, 1, table), -EINVAL);
		CHECK_EQ_INT(t, nlb_maglev_build(b, 3, 0, table), -EINVAL);
		CHECK_EQ_INT(t, nlb_maglev_build(b, 3, 13, table), 0);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "duplicate_keys")) {
		struct nlb_maglev_backend d[3] = {b[0], b[1], b[0]};

		d[2].id = 7;
		CHECK_EQ_INT(t, nlb_maglev_build(d, 3, 13, table), -EINVAL);
		d[2].weight = 0; /* still a contradictory input */
		CHECK_EQ_INT(t, nlb_maglev_build(d, 3, 13, table), -EINVAL);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "no_backends")) {
		struct nlb_maglev_backend z[2] = {b[0], b[1]};

		memset(table, 0, sizeof(table));
		CHECK_EQ_INT(t, nlb_maglev_build(NULL, 0, 13, table), -ENOENT);
		for (int s = 0; s < 13; s++)
			CHECK(t, table[s] == NLB_MAGLEV_NONE, "slot %d = %u", s,
			      table[s]);
		z[0].weight = z[1].weight = 0;
		memset(table, 0, sizeof(table));
		CHECK_EQ_INT(t, nlb_maglev_build(z, 2, 13, table), -ENOENT);
		for (int s = 0; s < 13; s++)
			CHECK(t, table[s] == NLB_MAGLEV_NONE, "slot %d = %u", s,
			      table[s]);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "null_args")) {
		CHECK_EQ_INT(t, nlb_maglev_build(b, 3, 13, NULL), -EINVAL);
		CHECK_EQ_INT(t, nlb_maglev_build(NULL, 3, 13, table), -EINVAL);
		CHECK_EQ_INT(t, nlb_maglev_build_many(NULL, 1, 0), -EINVAL);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "key_ipv4_ignores_tail")) {
		__be32 a1[4] = {0x0a000001, 0x11111111, 2, 3};
		__be32 a2[4] = {0x0a000001, 0, 0, 0};
		__u8 k1[NLB_MAGLEV_KEY_LEN], k2[NLB_MAGLEV_KEY_LEN];

		nlb_maglev_key(k1, 4, a1);
		nlb_maglev_key(k2, 4, a2);
		CHECK(t, !memcmp(k1, k2, sizeof(k1)),
		      "IPv4 key uses addr[1..]");
		nlb_maglev_key(k2, 6, a2);
		CHECK(t, memcmp(k1, k2, sizeof(k1)), "family not in the key");
		nlbt_sub_end(t);
	}
}

NLB_TEST(maglev_build_many)
{
	enum { NJOBS = 24 };
	struct nlb_maglev_job jobs[NJOBS];
	struct nlb_maglev_backend *b = calloc(NJOBS * 50, sizeof(*b));
	__u32 *tables = calloc((size_t)NJOBS * 2 * M, sizeof(*tables));
	static const __u32 ms[] = {M, 251, 13};

	if (!CHECK(t, b && tables, "calloc"))
		goto out;
	for (int nthreads = 0; nthreads <= 3; nthreads++) {
		if (!nlbt_sub_begin(t, "equals_sequential_threads%d", nthreads))
			continue;
		memset(tables, 0xab, (size_t)NJOBS * 2 * M * sizeof(*tables));
		for (int j = 0; j < NJOBS; j++) {
			/* job 5 has no backends, job 7 a bad m */
			size_t n = j == 5 ? 0 : 1 + (size_t)j * 2;

			mk_backends(b + j * 50, n, 100 * j, w_mixed);
			jobs[j] = (struct nlb_maglev_job){
				.backends = b + j * 50,
				.n = n,
				.m = j == 7 ? 100 : ms[j % 3],
				.table = tables + (size_t)j * 2 * M,
				.err = 1,
			};
		}
		CHECK_EQ_INT(t, nlb_maglev_build_many(jobs, NJOBS, nthreads),
			     0);
		for (int j = 0; j < NJOBS; j++) {
			__u32 *seq = tables + (size_t)j * 2 * M + M;
			int err = nlb_maglev_build(jobs[j].backends, jobs[j].n,
						   jobs[j].m, seq);

			CHECK(t, jobs[j].err == err, "job %d: err %d, want %d",
			      j, jobs[j].err, err);
			if (!err)
				CHECK(t,
				      !memcmp(jobs[j].table, seq,
					      jobs[j].m * sizeof(*seq)),
				      "job %d differs from a single build", j);
		}
		CHECK_EQ_INT(t, jobs[5].err, -ENOENT);
		CHECK_EQ_INT(t, jobs[7].err, -EINVAL);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "no_jobs")) {
		CHECK_EQ_INT(t, nlb_maglev_build_many(jobs, 0, 0), 0);
		nlbt_sub_end(t);
	}
out:
	free(tables);
	free(b);
}

/* Plain Maglev, written the obvious way, for equal weights: backends in key
 * order take turns, each walking offset + j * skip (mod m) to its next free
 * slot, the first m % n of them one slot more than the rest. The builder's
 * shortcuts (the ranked tail, the bitmap) must not change a single slot. */
static void ref_maglev(const struct nlb_maglev_backend *sorted, size_t n,
		       __u32 m, __u32 *table,
		       __u32 (*hash)(const __u8 *, __u32))
{
	__u32 *next = calloc(n, sizeof(*next)),
	      *skip = calloc(n, sizeof(*skip));
	__u32 *quota = calloc(n, sizeof(*quota));
	__u8 *taken = calloc(m, 1);
	__u32 filled = 0;

	if (!next || !skip || !quota || !taken)
		goto out;
	for (size_t i = 0; i < n; i++) {
		next[i] = hash(sorted[i].key, 0x4d61676cu) % m;
		skip[i] = hash(sorted[i].key, 0x65762121u) % (m - 1) + 1;
		quota[i] = m / n + (i < m % n);
	}
	while (filled < m) {
		for (size_t i = 0; i < n; i++) {
			if (!quota[i])
				continue;
			while (taken[next[i]])
				next[i] = (next[i] + skip[i]) % m;
			taken[next[i]] = 1;
			table[next[i]] = sorted[i].id;
			quota[i]--;
			filled++;
		}
	}
out:
	free(taken);
	free(quota);
	free(skip);
	free(next);
}

/* The key hash as the builder defines it: nlb_hash3 over the address words
 * read little-endian byte by byte, then the family. A change here is a change
 * of every table on every node: it must be deliberate. */
static __u32 ref_word(const __u8 *p)
{
	return (__u32)p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 |
	       (__u32)p[3] << 24;
}

static __u32 ref_hash(const __u8 *key, __u32 seed)
{
	__u32 h = nlb_hash3(ref_word(key + 1), ref_word(key + 5),
			    ref_word(key + 9), seed);

	return nlb_hash3(ref_word(key + 13), key[0], seed, h);
}

static __u32 fnv1a(const __u32 *v, size_t n)
{
	__u32 h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < 32; k += 8) {
			h ^= (v[i] >> k) & 0xff;
			h *= 16777619u;
		}
	}
	return h;
}

NLB_TEST(maglev_reference)
{
	static const size_t ns[] = {1, 2, 7, 100, 1000};
	static const __u32 ms[] = {13, 251, 65537};
	struct nlb_maglev_backend *b = calloc(1000, sizeof(*b));
	__u32 *got = malloc(M * sizeof(*got));
	__u32 *want = malloc(M * sizeof(*want));

	if (!CHECK(t, b && got && want, "malloc"))
		goto out;
	for (size_t k = 0; k < sizeof(ms) / sizeof(ms[0]); k++) {
		for (size_t j = 0; j < sizeof(ns) / sizeof(ns[0]); j++) {
			__u32 m = ms[k];
			size_t n = ns[j];

			if (!nlbt_sub_begin(t, "plain_maglev_m%u_n%zu", m, n))
				continue;
			/* mk_backends makes keys in ascending order */
			mk_backends(b, n, 1, NULL);
			memset(want, 0xff, m * sizeof(*want));
			ref_maglev(b, n, m, want, ref_hash);
			shuffle(b, n, 42);
			CHECK_EQ_INT(t, nlb_maglev_build(b, n, m, got), 0);
			for (__u32 s = 0; s < m; s++)
				if (!CHECK(t, got[s] == want[s],
					   "slot %u: %u, plain Maglev says %u",
					   s, got[s], want[s]))
					break;
			nlbt_sub_end(t);
		}
	}
	if (nlbt_sub_begin(t, "golden")) {
		/* Nodes running different nlb versions during an upgrade must
		 * still agree: this table's digest is pinned. */
		mk_backends(b, 100, 1, w_mixed);
		CHECK_EQ_INT(t, nlb_maglev_build(b, 100, M, got), 0);
		CHECK(t, fnv1a(got, M) == 0x829c56abu, "digest 0x%08x changed",
		      fnv1a(got, M));
		nlbt_sub_end(t);
	}
out:
	free(want);
	free(got);
	free(b);
}
