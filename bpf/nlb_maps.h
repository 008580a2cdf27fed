/* SPDX-License-Identifier: GPL-2.0 */
/* Every map of the forwarder, each with its purpose. Layouts: include/nlb/abi.h.
 * The loader (src/lib/dp.c) pins them all, so that a restart or an upgrade of
 * the program keeps VIPs, tables, backends and established flows. */
#ifndef NLB_MAPS_H
#define NLB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "nlb/abi.h"
#include "nlb_consts.h"

/* IPv4 VIPs: (addr, port, proto, kind) -> VIP. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct nlb_vip_key_v4);
	__type(value, struct nlb_vip);
	__uint(max_entries, NLB_MAX_VIPS * 3); /* PORT, FRAG, ADDR keys */
} vips_v4 SEC(".maps");

/* IPv6 VIPs, same shape. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct nlb_vip_key_v6);
	__type(value, struct nlb_vip);
	__uint(max_entries, NLB_MAX_VIPS * 3); /* PORT, FRAG, ADDR keys */
} vips_v6 SEC(".maps");

/* One Maglev table per VIP: slot -> backend id, two slots per element
 * (slot s is word s & 1 of element s >> 1), because an array map stores
 * every value in 8 bytes: a u32 per element would waste half the memory.
 * Inner maps may differ in size (BPF_F_INNER_MAP); a table is replaced whole
 * by swapping the inner map, so no packet ever sees a half-written table. */
struct nlb_ring {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, (NLB_RING_SIZE + 1) / 2);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, NLB_MAX_VIPS);
	__array(values, struct nlb_ring);
} rings SEC(".maps");

/* Backend id -> address, owner VIP, state. mmap-able: a state change is one
 * store by the map manager, visible to the next packet. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct nlb_backend);
	__uint(max_entries, NLB_MAX_BACKENDS);
} backends SEC(".maps");

/* IPv4 connection table: flow -> backend. One LRU list per CPU, so CPUs never
 * share an eviction lock. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct nlb_flow_v4);
	__type(value, struct nlb_ct);
	__uint(max_entries, NLB_CT_SIZE);
} ct_v4 SEC(".maps");

/* IPv6 connection table. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__type(key, struct nlb_flow_v6);
	__type(value, struct nlb_ct);
	__uint(max_entries, NLB_CT6_SIZE);
} ct_v6 SEC(".maps");

/* The node's forwarding configuration (one entry). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct nlb_config);
	__uint(max_entries, 1);
} config SEC(".maps");

/* Per-VIP packets, bytes, new flows, conntrack hits and misses, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct nlb_vip_stats);
	__uint(max_entries, NLB_MAX_VIPS);
} vip_stats SEC(".maps");

/* Per-backend packets, bytes, new flows, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct nlb_backend_stats);
	__uint(max_entries, NLB_MAX_BACKENDS);
} backend_stats SEC(".maps");

/* Actions and drops by reason (enum nlb_counter), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, NLB_CNT_MAX);
} counters SEC(".maps");

#endif /* NLB_MAPS_H */
