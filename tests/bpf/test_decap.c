// SPDX-License-Identifier: GPL-2.0
/* The backend-side decapsulation program: what the forwarder sends comes
 * out as the original packet with the right ethertype; everything else
 * passes untouched; with a destination list, only listed outer
 * destinations are stripped. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "nlbtest.h"
#include "pkt.h"
#include "decap.skel.h"

struct dcase {
	const char *name;
	struct pkt_spec inner;
	const char *outer_src, *outer_dst; /* NULL: not encapsulated */
	bool stripped;
};

static const struct dcase cases[] = {
	{"ipv4_in_ipv4",
	 {.src = CLIENT1, .dst = VIP4, .sport = 1, .dport = 80, .payload = 20},
	 "10.200.0.1",
	 BACKEND1,
	 true},
	{"ipv4_in_ipv4_vlan",
	 {.src = CLIENT1, .dst = VIP4, .sport = 1, .dport = 80, .vlan = 44},
	 "10.200.0.1",
	 BACKEND1,
	 true},
	{"ipv6_in_ipv6",
	 {.src = CLIENT6, .dst = VIP6, .sport = 1, .dport = 443, .payload = 7},
	 "2001:db8:1b::1",
	 BACKEND6_1,
	 true},
	{"ipv4_in_ipv6",
	 {.src = CLIENT1, .dst = VIP4, .sport = 1, .dport = 443},
	 "2001:db8:1b::1",
	 BACKEND6_1,
	 true},
	{"ipv6_in_ipv4_vlan",
	 {.src = CLIENT6, .dst = VIP6, .sport = 1, .dport = 443, .vlan = 2},
	 "10.200.0.1",
	 BACKEND1,
	 true},
	{"plain_tcp_passes",
	 {.src = CLIENT1, .dst = BACKEND1, .sport = 1, .dport = 22},
	 NULL,
	 NULL,
	 false},
	{"plain_udp6_passes",
	 {.src = CLIENT6,
	  .dst = BACKEND6_1,
	  .proto = IPPROTO_UDP,
	  .sport = 1,
	  .dport = 53},
	 NULL,
	 NULL,
	 false},
};

static int run(int fd, const struct pkt *in, struct pkt *out, __u32 *verdict)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in->b,
		    .data_size_in = (__u32)in->len, .data_out = out->b,
		    .data_size_out = sizeof(out->b), .repeat = 1);

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	*verdict = o.retval;
	out->len = o.data_size_out;
	return 0;
}

static void check_case(struct nlbt *t, int fd, const struct dcase *c,
		       bool listed_only_other)
{
	struct pkt inner, in, out;
	struct pkt_outer o = {.src = c->outer_src,
			      .dst = c->outer_dst,
			      .ttl = 64,
			      .dmac = MAC_LB,
			      .smac = MAC_ROUTER};
	const struct pkt *want;
	__u32 v = 0;

	if (!CHECK(t, pkt_build(&inner, &c->inner) == 0, "build"))
		return;
	in = inner;
	if (c->outer_dst && !CHECK(t, pkt_encap(&in, &inner, &o) == 0, "encap"))
		return;
	/* the inner frame as the stack must see it: same MACs as received */
	want = c->stripped && !listed_only_other ? &inner : &in;
	if (!CHECK(t, run(fd, &in, &out, &v) == 0, "test_run"))
		return;
	CHECK(t, v == XDP_PASS, "verdict %u", v);
	if (out.len != want->len || memcmp(out.b, want->b, want->len)) {
		char diff[8192];

		pkt_diff(diff, sizeof(diff), out.b, out.len, want->b,
			 want->len);
		CHECK(t, false, "output differs: %s", diff);
	}
}

NLB_TEST(decap)
{
	struct decap_bpf *s = decap_bpf__open_and_load();

	REQUIRE(t, s, "load decap: %d", -errno);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!nlbt_sub_begin(t, "%s", cases[i].name))
			continue;
		check_case(t, bpf_program__fd(s->progs.nlb_decap), &cases[i],
			   false);
		nlbt_sub_end(t);
	}
	decap_bpf__destroy(s);
}

NLB_TEST(decap_listed_destinations_only)
{
	struct decap_bpf *s = decap_bpf__open();
	__u32 key[4] = {0};
	__u8 one = 1;
	int err;

	REQUIRE(t, s, "open decap: %d", -errno);
	s->rodata->decap_only_listed = 1;
	err = decap_bpf__load(s);
	if (!CHECK(t, err == 0, "load: %d", err))
		goto out;
	/* BACKEND1 is listed; BACKEND6_1 is not */
	pkt_addr(BACKEND1, key);
	err = bpf_map__update_elem(s->maps.decap_dsts, key, sizeof(key), &one,
				   sizeof(one), BPF_ANY);
	if (!CHECK(t, err == 0, "list: %d", err))
		goto out;
	if (nlbt_sub_begin(t, "listed")) {
		check_case(t, bpf_program__fd(s->progs.nlb_decap), &cases[0],
			   false);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "not_listed_passes_untouched")) {
		check_case(t, bpf_program__fd(s->progs.nlb_decap), &cases[2],
			   true);
		nlbt_sub_end(t);
	}
out:
	decap_bpf__destroy(s);
}
