// SPDX-License-Identifier: GPL-2.0
/* The flap benchmark's traffic through BPF_PROG_TEST_RUN. */
#include "flap_traffic.h"

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

struct frame {
	struct ethhdr eth;
	struct iphdr ip;
	struct tcphdr tcp;
} __attribute__((packed));

static __u16 ip_csum(const void *p, size_t len)
{
	const __u8 *b = p;
	__u32 sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (__u32)b[i] << 8 | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((__u16)~sum);
}

/* Clients from 100.64.0.0/10 (shared address space), 256 ports each. */
static void build(struct frame *f, __be32 vip, __u32 c)
{
	static const __u8 lb_mac[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x01};
	static const __u8 router_mac[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x02};

	memset(f, 0, sizeof(*f));
	memcpy(f->eth.h_dest, lb_mac, ETH_ALEN);
	memcpy(f->eth.h_source, router_mac, ETH_ALEN);
	f->eth.h_proto = htons(ETH_P_IP);
	f->ip.version = 4;
	f->ip.ihl = 5;
	f->ip.tot_len = htons(sizeof(f->ip) + sizeof(f->tcp));
	f->ip.ttl = 64;
	f->ip.protocol = IPPROTO_TCP;
	f->ip.saddr = htonl(0x64400000u + (c >> 8));
	f->ip.daddr = vip;
	f->ip.check = ip_csum(&f->ip, sizeof(f->ip));
	f->tcp.source = htons(1024 + (c & 0xff));
	f->tcp.dest = htons(80);
	f->tcp.doff = 5;
	f->tcp.syn = 1;
	f->tcp.window = htons(65535);
}

long flap_send(struct flap_world *w, __u32 vip, __u32 c)
{
	__u8 out[256];
	struct frame in;
	struct iphdr outer;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = &in,
		    .data_size_in = sizeof(in), .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);

	build(&in, flap_vip_addr(vip), c);
	if (bpf_prog_test_run_opts(w->prog_fd, &opts))
		return -errno;
	if (opts.retval != XDP_TX ||
	    opts.data_size_out < sizeof(struct ethhdr) + sizeof(outer))
		return -EHOSTUNREACH;
	memcpy(&outer, out + sizeof(struct ethhdr), sizeof(outer));
	if (outer.version != 4 || outer.protocol != IPPROTO_IPIP)
		return -EHOSTUNREACH;
	return flap_backend_of(outer.daddr);
}
