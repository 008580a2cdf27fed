/* SPDX-License-Identifier: GPL-2.0 */
/* The Maglev table builder: weighted, deterministic, fast.
 *
 * Every LB node must build the same table from the same backends, so a
 * backend's place in the permutation comes from its address (key), never from
 * its node-local id, and the input order does not matter. The table holds the
 * caller's ids. Pure computation: no maps, no I/O.
 */
#ifndef NLB_MAGLEV_H
#define NLB_MAGLEV_H

#include <stddef.h>
#include <linux/types.h>

#define NLB_MAGLEV_DEFAULT_SIZE 65537
#define NLB_MAGLEV_KEY_LEN 17

struct nlb_maglev_backend {
	__u8 key[NLB_MAGLEV_KEY_LEN]; /* family byte + 16 address bytes */
	__u32 id; /* what the table slots hold */
	__u32 weight; /* 0: not in the table */
};

/* Fills table[0..m-1] with ids. m must be prime (> 1). Returns 0, -EINVAL
 * (m not prime, duplicate keys) or -ENOENT (no backend with weight > 0; the
 * table is then filled with NLB_MAGLEV_NONE). */
#define NLB_MAGLEV_NONE 0xffffffffu
int nlb_maglev_build(const struct nlb_maglev_backend *b, size_t n, __u32 m,
		     __u32 *table);

/* One VIP's build in a batch. */
struct nlb_maglev_job {
	const struct nlb_maglev_backend *backends;
	size_t n;
	__u32 m;
	__u32 *table; /* m slots, owned by the caller */
	int err; /* result of nlb_maglev_build */
};

/* Builds every job, spread over nthreads threads (0: one per online CPU). */
int nlb_maglev_build_many(struct nlb_maglev_job *jobs, size_t njobs,
			  int nthreads);

/* The key of an address: family (4 or 6) then 16 bytes, IPv4 in the first 4. */
void nlb_maglev_key(__u8 key[NLB_MAGLEV_KEY_LEN], __u8 family,
		    const __be32 addr[4]);

/* True when m is prime. */
int nlb_maglev_is_prime(__u32 m);

#endif /* NLB_MAGLEV_H */
