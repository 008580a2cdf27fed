/* SPDX-License-Identifier: GPL-2.0 */
/* The map ABI: every struct shared by the XDP programs and user space.
 *
 * Fixed-width types only, no pointers, explicit padding, so the layout is the
 * same for clang -target bpf and for gcc on the host. docs/map-abi.md explains
 * each map; bpf/nlb_maps.h declares them. Change a struct here only together
 * with NLB_ABI_VERSION: pinned maps of an older layout are refused on load.
 */
#ifndef NLB_ABI_H
#define NLB_ABI_H

#include <linux/types.h>

#define NLB_ABI_VERSION 1

/* Address families as stored in the maps (not AF_*: BPF has no libc). */
#define NLB_FAMILY_V4 4
#define NLB_FAMILY_V6 6

/* vips_v4 / vips_v6 key kinds. */
enum nlb_vip_kind {
	NLB_VIP_KIND_PORT = 0, /* (addr, port, proto); port 0 = every port */
	NLB_VIP_KIND_FRAG =
		1, /* (addr, 0, proto): the VIP that takes fragments */
	NLB_VIP_KIND_ADDR =
		2, /* (addr, 0, 0): the address is a VIP (ICMP echo) */
};

struct nlb_vip_key_v4 {
	__be32 addr;
	__be16 port;
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP; 0 for KIND_ADDR */
	__u8 kind; /* enum nlb_vip_kind */
};

struct nlb_vip_key_v6 {
	__be32 addr[4];
	__be16 port;
	__u8 proto;
	__u8 kind;
};

/* Value of both VIP maps. The Maglev table is rings[vip_id]. */
struct nlb_vip {
	__u32 vip_id;
	__u32 ring_size; /* M of rings[vip_id]; 0 = no table (no backends) */
	__u32 flags; /* NLB_VIP_F_* */
	__u32 pad;
};

#define NLB_VIP_F_NONE 0

/* Backend states. EMPTY marks a free slot of the backends array. */
enum nlb_backend_state {
	NLB_BACKEND_EMPTY = 0,
	NLB_BACKEND_ENABLED = 1, /* gets new flows */
	NLB_BACKEND_DRAINED = 2, /* keeps established flows, gets no new ones */
	NLB_BACKEND_DOWN = 3, /* gets nothing; its flows re-pick at once */
};

/* backends[id]: an mmap-able array, so that a state change is one store.
 * A backend id names one (VIP, address) pair; gen changes whenever an id is
 * reused, so a conntrack entry that still names the old owner is re-picked. */
struct nlb_backend {
	__be32 addr[4]; /* IPv4 in addr[0] */
	__u32 vip_id;
	__u32 gen;
	__u8 family; /* NLB_FAMILY_V4 / NLB_FAMILY_V6 */
	__u8 state; /* enum nlb_backend_state; written last */
	__u16 weight;
	__u32 pad;
};

/* Connection tables ct_v4 / ct_v6 (LRU, one LRU list per CPU). Ports are 0
 * for fragments, whose flow is (saddr, daddr, proto). */
struct nlb_flow_v4 {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct nlb_flow_v6 {
	__be32 saddr[4];
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct nlb_ct {
	__u32 backend_id;
	__u32 backend_gen;
};

/* config[0]: the node's forwarding configuration. */
struct nlb_config {
	__u8 src_mac[6]; /* all zero: the received frame's destination MAC */
	__u8 nexthop_mac[6]; /* all zero: the received frame's source MAC */
	__u32 out_ifindex; /* 0: XDP_TX; otherwise XDP_REDIRECT to it */
	__be32 src_v4; /* outer IPv4 source prefix ... */
	__be32 src_v6[4]; /* ... and IPv6; host bits vary per flow */
	__u8 src_v4_plen;
	__u8 src_v6_plen;
	__u8 ttl; /* outer TTL / hop limit; 0 means 64 */
	__u8 flags;
	__u32 abi_version; /* NLB_ABI_VERSION of the writer */
};

/* Per-CPU counters, summed by user space. */
struct nlb_vip_stats {
	__u64 packets;
	__u64 bytes;
	__u64 new_flows; /* conntrack misses that picked a backend */
	__u64 ct_hits;
	__u64 ct_misses;
};

struct nlb_backend_stats {
	__u64 packets;
	__u64 bytes;
	__u64 new_flows;
};

/* counters[]: actions and drops by reason. Names in nlb_counter_names(). */
enum nlb_counter {
	NLB_CNT_PASS = 0, /* not for a VIP */
	NLB_CNT_TX, /* encapsulated, XDP_TX */
	NLB_CNT_REDIRECT, /* encapsulated, XDP_REDIRECT */
	NLB_CNT_ICMP_ECHO_REPLY, /* echo to a VIP answered by the node */
	NLB_CNT_ICMP_ERR_FWD, /* frag-needed / packet-too-big to the flow's backend */
	NLB_CNT_FRAGMENT, /* fragments forwarded */
	NLB_CNT_CT_REPICK, /* conntrack entry whose backend was down or gone */
	NLB_CNT_FALLBACK, /* table slot down/drained: fell back to another */
	NLB_CNT_DROP_MALFORMED, /* truncated or inconsistent packet for a VIP */
	NLB_CNT_DROP_NO_BACKEND, /* VIP with no usable backend */
	NLB_CNT_DROP_ICMP_UNSUPP, /* other ICMP to a VIP address */
	NLB_CNT_DROP_FRAG_NO_VIP, /* fragment for an address with no fragment VIP */
	NLB_CNT_DROP_ENCAP, /* no headroom / adjust_head failed */
	NLB_CNT_DROP_FAMILY, /* IPv6 VIP with an IPv4 backend */
	NLB_CNT_MAX,
};

#endif /* NLB_ABI_H */
