/* SPDX-License-Identifier: GPL-2.0 */
/* The forwarder under test: its skeleton loaded with small maps, filled
 * through src/lib/maps.h, and frames run through BPF_PROG_TEST_RUN with
 * the verdict, the output bytes and the counters' changes compared with a
 * fixture row. */
#ifndef NLB_TEST_XDPFIX_H
#define NLB_TEST_XDPFIX_H

#include <linux/bpf.h>
#include "nlb/abi.h"
#include "maps.h"
#include "nlbtest.h"
#include "pkt.h"

struct nlb_xdp_bpf;

struct xdpfix {
	struct nlb_xdp_bpf *skel;
	struct nlb_maps m;
	int prog_fd;
	struct nlb_config cfg;
};

#define FIX_MAX_VIPS 64
#define FIX_MAX_BACKENDS 256
#define FIX_CT_SIZE 4096
#define FIX_RING 251 /* prime, small: rings are built by the tests */

int xdpfix_open(struct xdpfix *f);
void xdpfix_close(struct xdpfix *f);

/* A VIP key of kind for addr (port in host order) naming vip_id. */
int xdpfix_vip(struct xdpfix *f, const char *addr, uint16_t port, uint8_t proto,
	       uint8_t kind, uint32_t vip_id, uint32_t ring_size);
int xdpfix_backend(struct xdpfix *f, uint32_t id, const char *addr,
		   uint32_t vip_id, uint8_t state);
/* rings[vip_id] of FIX_RING slots, ids[] repeated in order. */
int xdpfix_ring(struct xdpfix *f, uint32_t vip_id, const uint32_t *ids, int n);
int xdpfix_config(struct xdpfix *f, const struct nlb_config *c);
/* Empties the connection tables. */
int xdpfix_flush_ct(struct xdpfix *f);

/* One run: verdict, output frame. Returns 0 or -errno of the syscall. */
int xdpfix_run(struct xdpfix *f, const struct pkt *in, struct pkt *out,
	       __u32 *verdict);

/* Bit set of enum nlb_counter values. */
#define CNT(x) (1u << NLB_CNT_##x)

/* Runs in and checks verdict, output (want NULL: output not compared) and
 * that exactly the counters in cnt went up by one. */
bool xdpfix_expect(struct nlbt *t, struct xdpfix *f, const struct pkt *in,
		   __u32 verdict, const struct pkt *want, __u32 cnt);

/* The ABI's choice for flow (saddr, daddr, sport, dport, proto) in a ring
 * built by xdpfix_ring from ids[n], all enabled. */
uint32_t xdpfix_hash(const char *src, const char *dst, uint16_t sport,
		     uint16_t dport, uint8_t proto);
uint32_t xdpfix_pick(uint32_t h, const uint32_t *ids, int n);

#endif /* NLB_TEST_XDPFIX_H */
