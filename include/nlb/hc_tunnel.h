/* SPDX-License-Identifier: GPL-2.0 */
/* The map shared by nlb-hc and its TC egress program (bpf/nlb_hc_tunnel.bpf.c):
 * socket mark of a probe -> the tunnel its packets take. Fixed-width types,
 * no pointers: the same layout under clang -target bpf and gcc. nlb-hc owns
 * the map (it is not pinned), so the layout is private to one binary. */
#ifndef NLB_HC_TUNNEL_H
#define NLB_HC_TUNNEL_H

#include <linux/types.h>

#ifndef NLB_HC_TUNNEL_MAX
#define NLB_HC_TUNNEL_MAX 65536 /* (backend, VIP) pairs checked through it */
#endif

/* Outer addresses in network byte order; IPv4 in word 0, the rest zero. */
struct nlb_hc_tunnel {
	__be32 src[4]; /* the LB node's address toward the backend */
	__be32 dst[4]; /* the backend */
	__u8 family; /* of src and dst: NLB_FAMILY_V4 or NLB_FAMILY_V6 */
	__u8 pad[3];
};

#endif /* NLB_HC_TUNNEL_H */
