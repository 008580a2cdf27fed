/* SPDX-License-Identifier: GPL-2.0 */
/* The flap benchmark's traffic: one TCP packet of client c to a VIP, run
 * through the forwarder with BPF_PROG_TEST_RUN, and the backend it was
 * encapsulated to. */
#ifndef NLB_BENCH_FLAP_TRAFFIC_H
#define NLB_BENCH_FLAP_TRAFFIC_H

#include <linux/types.h>

#include "flap_world.h"

/* Client c is a (source address, source port) pair of its own; a client
 * sends the same flow every time. Returns the backend id, -EHOSTUNREACH if
 * the packet was not encapsulated to a backend, or another -errno. */
long flap_send(struct flap_world *w, __u32 vip, __u32 c);

#endif /* NLB_BENCH_FLAP_TRAFFIC_H */
