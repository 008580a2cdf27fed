/* SPDX-License-Identifier: GPL-2.0 */
/* Every size and limit of the data path, overridable at build time; map sizes
 * are also set at load time by the loader (src/lib/dp.c). */
#ifndef NLB_CONSTS_H
#define NLB_CONSTS_H

#ifndef NLB_MAX_VIPS
#define NLB_MAX_VIPS 4096 /* VIP ids, and so Maglev tables */
#endif
#ifndef NLB_MAX_BACKENDS
#define NLB_MAX_BACKENDS 262144 /* (VIP, backend) pairs */
#endif
#ifndef NLB_CT_SIZE
#define NLB_CT_SIZE 8000000 /* IPv4 flows; split over the CPUs' LRU lists */
#endif
#ifndef NLB_CT6_SIZE
#define NLB_CT6_SIZE 2000000 /* IPv6 flows */
#endif
#ifndef NLB_RING_SIZE
#define NLB_RING_SIZE 65537 /* default Maglev table size M (prime) */
#endif
#ifndef NLB_REPICK_TRIES
#define NLB_REPICK_TRIES 16 /* fallback probes for a down/drained slot */
#endif
#ifndef NLB_MAX_IPV6_EXT
#define NLB_MAX_IPV6_EXT 4 /* IPv6 extension headers walked */
#endif
#ifndef NLB_DEFAULT_TTL
#define NLB_DEFAULT_TTL 64
#endif

#endif /* NLB_CONSTS_H */
