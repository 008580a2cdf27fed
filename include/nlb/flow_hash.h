/* SPDX-License-Identifier: GPL-2.0 */
/* The flow hash, shared by the XDP program and user space (tests, tools).
 *
 * Every LB node must map a flow to the same table slot, so this function and
 * its seed are part of the ABI. Bob Jenkins' lookup3 final mix (the math of
 * Linux jhash_3words). Slots are taken with a multiply-shift, never a modulo.
 */
#ifndef NLB_FLOW_HASH_H
#define NLB_FLOW_HASH_H

#include <linux/types.h>

#ifdef __bpf__
#define NLB_HASH_INLINE static __always_inline
#else
#define NLB_HASH_INLINE static inline
#endif

#define NLB_HASH_SEED 0x9e3779b9u
#define NLB_HASH_REPICK_SEED 0x85ebca6bu

NLB_HASH_INLINE __u32 nlb_rol32(__u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

NLB_HASH_INLINE __u32 nlb_hash3(__u32 a, __u32 b, __u32 c, __u32 seed)
{
	__u32 iv = 0xdeadbeef + (3 << 2) + seed;

	a += iv;
	b += iv;
	c += iv;
	c ^= b;
	c -= nlb_rol32(b, 14);
	a ^= c;
	a -= nlb_rol32(c, 11);
	b ^= a;
	b -= nlb_rol32(a, 25);
	c ^= b;
	c -= nlb_rol32(b, 16);
	a ^= c;
	a -= nlb_rol32(c, 4);
	b ^= a;
	b -= nlb_rol32(a, 14);
	c ^= b;
	c -= nlb_rol32(b, 24);
	return c;
}

/* Addresses and ports in network byte order, as they are in the packet. */
NLB_HASH_INLINE __u32 nlb_flow_hash_v4(__u32 saddr, __u32 daddr, __u16 sport,
				       __u16 dport, __u8 proto)
{
	return nlb_hash3(saddr, daddr ^ proto, ((__u32)sport << 16) | dport,
			 NLB_HASH_SEED);
}

NLB_HASH_INLINE __u32 nlb_flow_hash_v6(const __u32 *saddr, const __u32 *daddr,
				       __u16 sport, __u16 dport, __u8 proto)
{
	__u32 h = nlb_hash3(saddr[0], saddr[1], saddr[2], NLB_HASH_SEED);

	h = nlb_hash3(saddr[3], daddr[0], daddr[1], h);
	return nlb_hash3(daddr[2], daddr[3] ^ proto,
			 ((__u32)sport << 16) | dport, h);
}

/* Table slot of hash h in a table of m slots. */
NLB_HASH_INLINE __u32 nlb_slot(__u32 h, __u32 m)
{
	return (__u32)(((__u64)h * m) >> 32);
}

/* The i-th (0-based) fallback hash, used when a slot's backend cannot take a
 * new flow: deterministic, so every node falls back to the same backend. */
NLB_HASH_INLINE __u32 nlb_repick_hash(__u32 h, __u32 i)
{
	return nlb_hash3(h, i + 1, 0, NLB_HASH_REPICK_SEED);
}

#endif /* NLB_FLOW_HASH_H */
