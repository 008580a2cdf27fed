// SPDX-License-Identifier: GPL-2.0
/* Every BPF object through the verifier, with its instruction counts, so
 * that a complexity regression shows (and a program that no longer loads
 * fails here first). */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "nlbtest.h"
#include "nlb_xdp.skel.h"
#include "decap.skel.h"
#include "pass.skel.h"
#include "nlb_hc_tunnel.skel.h"

static void report(struct nlbt *t, const char *name, struct bpf_program *p)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int err;

	err = bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len);
	if (!CHECK(t, err == 0, "prog info: %d", -errno))
		return;
	CHECK(t, info.xlated_prog_len > 0, "no instructions");
	/* one line per program: the record to compare across changes */
	printf("  insns %s: xlated %u verified %u jited_bytes %u\n", name,
	       info.xlated_prog_len / 8, info.verified_insns,
	       info.jited_prog_len);
}

/* The forwarder's connection tables are shrunk: their default size would
 * preallocate gigabytes; the program verified is the same. */
static int shrink(struct bpf_object *obj)
{
	static const char *big[] = {"ct_v4", "ct_v6", "backends",
				    "backend_stats"};
	struct bpf_map *m;

	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		m = bpf_object__find_map_by_name(obj, big[i]);
		if (m && bpf_map__set_max_entries(m, 4096))
			return -EINVAL;
	}
	return 0;
}

#define LOAD_TEST(o, prog)                                                  \
	NLB_TEST(load_##o)                                                  \
	{                                                                   \
		struct o##_bpf *s = o##_bpf__open();                        \
		int err;                                                    \
                                                                            \
		REQUIRE(t, s, "open: %d", -errno);                          \
		err = shrink(s->obj);                                       \
		if (!err)                                                   \
			err = o##_bpf__load(s);                             \
		if (CHECK(t, err == 0, "verifier refused %s: %d", #o, err)) \
			report(t, #o, s->progs.prog);                       \
		o##_bpf__destroy(s);                                        \
	}

LOAD_TEST(nlb_xdp, nlb_xdp)
LOAD_TEST(decap, nlb_decap)
LOAD_TEST(pass, nlb_pass)
LOAD_TEST(nlb_hc_tunnel, nlb_hc_tunnel)
