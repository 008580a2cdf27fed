/* SPDX-License-Identifier: GPL-2.0 */
/* The flap benchmark's world: the forwarder loaded from its skeleton with
 * its default map sizes, nvips IPv4 VIPs of per_vip backends each, every
 * Maglev table built and written. Backend ids are global: VIP v owns ids
 * v * per_vip .. v * per_vip + per_vip - 1. Nothing is pinned or attached. */
#ifndef NLB_BENCH_FLAP_WORLD_H
#define NLB_BENCH_FLAP_WORLD_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "maglev.h"
#include "maps.h"

struct nlb_xdp_bpf;

struct flap_world {
	struct nlb_xdp_bpf *skel;
	struct nlb_maps m;
	int prog_fd;
	__u32 nvips, per_vip, ring_size;
	struct nlb_maglev_backend *keys; /* nvips * per_vip, by backend id */
	__u8 *down; /* per backend id: 1 while down */
	struct nlb_maglev_job *jobs; /* one per VIP being rebuilt */
	__u32 *tables; /* nvips * ring_size */
	__u32 *vips; /* scratch: VIP list of a rebuild */
	double build_ms; /* the last rebuild's build part */
};

int flap_world_open(struct flap_world *w, __u32 nvips, __u32 per_vip);
void flap_world_close(struct flap_world *w);

/* The address of VIP v and of backend id (network order). */
__be32 flap_vip_addr(__u32 v);
__be32 flap_backend_addr(__u32 id);
/* The backend id of an address, or -ENOENT. */
long flap_backend_of(__be32 addr);

/* Rebuilds the tables of vips[0..n) from the backends not down (weight 0
 * for down ones) with nlb_maglev_build_many, and writes them all with one
 * nlb_maps__put_rings. */
int flap_world_rebuild(struct flap_world *w, const __u32 *vips, size_t n);

/* Kernel memory of every map: the skeleton's maps and every inner ring map,
 * from the memlock field of /proc/self/fdinfo; one "#" line per map to
 * detail when it is not NULL. */
int flap_world_map_memory(struct flap_world *w, __u64 *bytes, FILE *detail);

#endif /* NLB_BENCH_FLAP_WORLD_H */
