/* SPDX-License-Identifier: GPL-2.0 */
/* The loader: the forwarder's skeleton opened, sized, loaded with its maps
 * pinned, attached through a pinned bpf_link, and upgraded in place.
 *
 * Maps live in pin_dir; loading again (a restart, a new program version)
 * reuses them, so VIPs, tables and established flows survive. The link is
 * pinned too, so the program stays attached when the process exits, and an
 * upgrade swaps the program under the link atomically (bpf_link_update).
 */
#ifndef NLB_DP_H
#define NLB_DP_H

#include <linux/types.h>
#include "maps.h"

#define NLB_DEFAULT_PIN_DIR "/sys/fs/bpf/nlb"

struct nlb_dp_opts {
	const char *pin_dir; /* NULL: NLB_DEFAULT_PIN_DIR */
	__u32 ct_size; /* 0: build default; ignored when already pinned */
	__u32 ct6_size;
	__u32 max_vips;
	__u32 max_backends;
};

struct nlb_dp;

/* Opens, sizes and loads the forwarder, reusing maps pinned in pin_dir and
 * pinning the rest. */
int nlb_dp__load(const struct nlb_dp_opts *opts, struct nlb_dp **out);
void nlb_dp__free(struct nlb_dp *dp);
struct nlb_maps *nlb_dp__maps(struct nlb_dp *dp);
int nlb_dp__prog_fd(const struct nlb_dp *dp);

/* Attaches to ifindex (xdp_flags: XDP_FLAGS_DRV_MODE / SKB_MODE / 0) with a
 * link pinned as pin_dir/link_<ifindex>. When that link exists, the program
 * behind it is replaced instead: an upgrade that drops nothing. */
int nlb_dp__attach(struct nlb_dp *dp, int ifindex, __u32 xdp_flags);
/* Detaches the pinned link of ifindex and removes its pin. */
int nlb_dp__detach(const char *pin_dir, int ifindex);
/* Removes every pin in pin_dir (maps, links): forgets all state. */
int nlb_dp__unpin_all(const char *pin_dir);

/* Auxiliary programs for backends and veth peers, attached through netlink
 * so they stay without a process: decapsulation, or a plain XDP_PASS. */
enum nlb_aux_prog { NLB_AUX_DECAP, NLB_AUX_PASS };
int nlb_aux__attach(enum nlb_aux_prog which, int ifindex, __u32 xdp_flags);
int nlb_aux__detach(int ifindex, __u32 xdp_flags);

#endif /* NLB_DP_H */
