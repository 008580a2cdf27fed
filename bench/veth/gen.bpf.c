// SPDX-License-Identifier: GPL-2.0
/* The traffic generator of bench-veth: run with BPF_PROG_TEST_RUN in
 * live-frames mode, it rewrites each frame from a template and sends it
 * with XDP_TX, one UDP source port per packet from a per-CPU counter, so
 * that the forwarder sees `nflows` flows. Not under bpf/: not nlb. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define GEN_HDR_MAX 64 /* Ethernet + IPv6 + UDP = 62 */

/* Set by the loader before load. The template holds the headers with
 * source port sport_base and their checksums; the kernel does not restore
 * a recycled page, and the forwarder writes over the headers, so every
 * run writes them again. */
const volatile __u8 tmpl[GEN_HDR_MAX];
const volatile __u32 hdr_len; /* bytes of tmpl in use: 42 or 62 */
const volatile __u32 udp_off; /* offset of the UDP header in tmpl */
const volatile __u16 sport_base;
const volatile __u32 nflows = 1;

/* packets generated on this CPU: the next source port, and the count */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_count SEC(".maps");

/* one's complement checksum after a 16-bit field went from old to new */
static __always_inline __u16 csum_replace16(__u16 csum, __u16 old, __u16 new)
{
	__u32 s = (__u16)~csum + (__u32)(__u16)~old + new;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s;
}

SEC("xdp")
int veth_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0, off = udp_off;
	struct udphdr *udp;
	__u16 sport, csum;
	__u64 *cnt;

	if (data + GEN_HDR_MAX > data_end || off > GEN_HDR_MAX - sizeof(*udp))
		return XDP_ABORTED;
	cnt = bpf_map_lookup_elem(&gen_count, &zero);
	if (!cnt)
		return XDP_ABORTED;
	sport = sport_base + (__u16)(*cnt % nflows);
	(*cnt)++;

	for (int i = 0; i < GEN_HDR_MAX; i++)
		if (i < hdr_len)
			((__u8 *)data)[i] = tmpl[i];
	udp = data + off;
	udp->source = bpf_htons(sport);
	csum = udp->check;
	/* IPv4 may carry no checksum; IPv6 must, and 0 is written 0xffff */
	if (csum) {
		csum = csum_replace16(csum, bpf_htons(sport_base),
				      bpf_htons(sport));
		udp->check = csum ? csum : 0xffff;
	}
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
