// SPDX-License-Identifier: GPL-2.0
/* XDP_PASS for the peer of a veth: a veth drops frames sent to it with
 * XDP_TX or XDP_REDIRECT unless its peer runs an XDP program. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int nlb_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
