// SPDX-License-Identifier: GPL-2.0
/* bench-veth's baseline in place of the forwarder: sends every frame back
 * (XDP_TX) to the next hop the forwarder would use, so that the generator,
 * the veth pair and the returned frames cost what they cost with the
 * forwarder, and only the forwarder's own work is missing. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

/* the forwarder's next hop in bench/veth/run.sh (ROUTER_MAC) */
static const __u8 next_hop[ETH_ALEN] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x01};

SEC("xdp")
int veth_reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, next_hop, ETH_ALEN);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
