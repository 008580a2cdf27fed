/* SPDX-License-Identifier: GPL-2.0 */
/* The data-path benchmark's parts: the programs under test, the frames of
 * many flows, and the timed BPF_PROG_TEST_RUN loops. */
#ifndef NLB_BENCH_DP_H
#define NLB_BENCH_DP_H

#include <stddef.h>
#include <stdint.h>
#include "maps.h"

struct nlb_xdp_bpf;
struct bpf_object;

struct progs {
	struct nlb_xdp_bpf *xdp;
	struct nlb_maps m;
	struct bpf_object *empty, *floor;
	int xdp_fd, empty_fd, floor_fd;
};

/* Loads nlb_xdp (default map sizes) and the two reference programs from
 * ref_dir, and gives all of them the same VIPs and backends. */
int progs_load(struct progs *p, const char *ref_dir);
void progs_free(struct progs *p);

/* Frames: a template patched per flow (source address); programs under
 * test never check L4 checksums, so the patch needs no fix-up. */
enum frame_kind {
	FRAME_TCP4, /* CLIENT -> VIP4:80 */
	FRAME_TCP6, /* CLIENT6 -> VIP6:443 */
	FRAME_PASS4, /* to an address that is no VIP */
	FRAME_ECHO4, /* echo request to VIP4 */
};

struct frame {
	uint8_t b[256];
	uint32_t len;
	uint32_t src_off; /* where the flow number goes */
};

int frame_make(struct frame *f, enum frame_kind kind);
void frame_flow(struct frame *f, uint32_t flow);

/* Calls prog once per frame (repeat = 1, fresh input each time) for
 * flows first .. first + n - 1 cycled over nflows, n calls in all; returns
 * the kernel-measured mean ns per call, or a negative errno. */
double run_calls(int prog, struct frame *f, uint32_t first, uint32_t nflows,
		 uint64_t n);
/* The same from nthreads threads pinned to CPUs 0.., each over its own
 * flows, timed by the wall clock; returns packets per second of all, and
 * the threads' mean in-kernel ns per call in *kernel_ns. */
double run_pps(int prog, enum frame_kind kind, uint32_t nflows, uint64_t n,
	       int nthreads, double *kernel_ns);

#endif /* NLB_BENCH_DP_H */
