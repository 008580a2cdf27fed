/* SPDX-License-Identifier: GPL-2.0 */
/* Typed access to the forwarder's maps; the only code that writes them.
 *
 * Works on any loaded object that has nlb's maps (the forwarder from the
 * loader, or a skeleton a test loaded itself). Errors are negative errno.
 */
#ifndef NLB_MAPS_LIB_H
#define NLB_MAPS_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "nlb/abi.h"

struct bpf_object;

struct nlb_maps {
	int vips_v4, vips_v6, rings, backends, ct_v4, ct_v6, config;
	int vip_stats, backend_stats, counters;
	struct nlb_backend *backend_mem; /* mmap of backends */
	__u32 max_backends;
	__u32 max_vips;
	int ncpus; /* possible CPUs: per-CPU values come in this many copies */
	bool owns_fds; /* opened from pins: fini closes them */
};

/* A VIP map key in one form for both families; addr[0] holds IPv4. */
struct nlb_vip_ref {
	__u8 family; /* NLB_FAMILY_V4 / NLB_FAMILY_V6 */
	__u8 proto; /* IPPROTO_TCP / IPPROTO_UDP; 0 for NLB_VIP_KIND_ADDR */
	__u8 kind; /* enum nlb_vip_kind */
	__be16 port; /* network order; 0 = every port */
	__be32 addr[4];
};

/* Find nlb's maps in a loaded object and mmap the backends array. */
int nlb_maps__init(struct nlb_maps *m, struct bpf_object *obj);
/* The same for maps pinned in dir by the loader (src/lib/dp.h). */
int nlb_maps__open_pinned(struct nlb_maps *m, const char *dir);
void nlb_maps__fini(struct nlb_maps *m);

int nlb_maps__set_config(struct nlb_maps *m, const struct nlb_config *c);
int nlb_maps__get_config(struct nlb_maps *m, struct nlb_config *c);

int nlb_maps__put_vip(struct nlb_maps *m, const struct nlb_vip_ref *k,
		      const struct nlb_vip *v);
int nlb_maps__get_vip(struct nlb_maps *m, const struct nlb_vip_ref *k,
		      struct nlb_vip *v);
int nlb_maps__del_vip(struct nlb_maps *m, const struct nlb_vip_ref *k);
/* Calls fn for every VIP map entry; stops at and returns a non-zero result. */
int nlb_maps__for_each_vip(struct nlb_maps *m,
			   int (*fn)(const struct nlb_vip_ref *k,
				     const struct nlb_vip *v, void *ctx),
			   void *ctx);

/* Replace rings[vip_id] whole with a new table of size slots (one swap). */
int nlb_maps__put_ring(struct nlb_maps *m, __u32 vip_id, const __u32 *slots,
		       __u32 size);
/* Replaces the tables of n VIPs with one update of the outer map: the
 * kernel waits for readers of the old tables once per call, not per table
 * (about 15 ms each here), so batches of changes go through this. */
int nlb_maps__put_rings(struct nlb_maps *m, size_t n, const __u32 *vip_ids,
			const __u32 *const *slots, const __u32 *sizes);
int nlb_maps__del_ring(struct nlb_maps *m, __u32 vip_id);
/* Copies up to cap slots of rings[vip_id]; returns its size or -ENOENT. */
int nlb_maps__read_ring(struct nlb_maps *m, __u32 vip_id, __u32 *slots,
			__u32 cap);

/* Writes backends[id]; the state is stored last so a reader never sees a
 * usable backend with a half-written address. gen is bumped when the slot
 * was EMPTY, so conntrack entries of a former owner re-pick. */
int nlb_maps__put_backend(struct nlb_maps *m, __u32 id,
			  const struct nlb_backend *b);
/* One store: the data path sees it on the next packet. */
int nlb_maps__set_backend_state(struct nlb_maps *m, __u32 id, __u8 state);
/* Marks the slot EMPTY (its flows re-pick). */
int nlb_maps__del_backend(struct nlb_maps *m, __u32 id);
const struct nlb_backend *nlb_maps__backend(const struct nlb_maps *m, __u32 id);

/* Per-CPU counters summed over CPUs. */
int nlb_maps__vip_stats(struct nlb_maps *m, __u32 vip_id,
			struct nlb_vip_stats *sum);
int nlb_maps__backend_stats(struct nlb_maps *m, __u32 id,
			    struct nlb_backend_stats *sum);
int nlb_maps__counters(struct nlb_maps *m, __u64 sum[NLB_CNT_MAX]);
int nlb_maps__clear_vip_stats(struct nlb_maps *m, __u32 vip_id);
int nlb_maps__clear_backend_stats(struct nlb_maps *m, __u32 id);
const char *nlb_counter_name(int counter);

/* Flow tables: look up one flow, or walk them all. */
int nlb_maps__get_flow_v4(struct nlb_maps *m, const struct nlb_flow_v4 *f,
			  struct nlb_ct *ct);
int nlb_maps__get_flow_v6(struct nlb_maps *m, const struct nlb_flow_v6 *f,
			  struct nlb_ct *ct);
int nlb_maps__for_each_flow(struct nlb_maps *m,
			    int (*fn)(__u8 family, const void *flow,
				      const struct nlb_ct *ct, void *ctx),
			    void *ctx);

#endif /* NLB_MAPS_LIB_H */
