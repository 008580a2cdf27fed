// SPDX-License-Identifier: GPL-2.0
/* The forwarder under test (see xdpfix.h). */
#include "xdpfix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "nlb/flow_hash.h"
#include "nlb_xdp.skel.h"

int xdpfix_open(struct xdpfix *f)
{
	struct nlb_xdp_bpf *s;
	int err;

	memset(f, 0, sizeof(*f));
	s = nlb_xdp_bpf__open();
	if (!s)
		return -errno;
	f->skel = s;
	/* small maps: tests fill them by hand and the CT must fit CI */
	if ((err = bpf_map__set_max_entries(s->maps.ct_v4, FIX_CT_SIZE)) ||
	    (err = bpf_map__set_max_entries(s->maps.ct_v6, FIX_CT_SIZE)) ||
	    (err = bpf_map__set_max_entries(s->maps.backends,
					    FIX_MAX_BACKENDS)) ||
	    (err = bpf_map__set_max_entries(s->maps.backend_stats,
					    FIX_MAX_BACKENDS)) ||
	    (err = bpf_map__set_max_entries(s->maps.rings, FIX_MAX_VIPS)) ||
	    (err = bpf_map__set_max_entries(s->maps.vip_stats, FIX_MAX_VIPS)))
		goto fail;
	err = nlb_xdp_bpf__load(s);
	if (err)
		goto fail;
	err = nlb_maps__init(&f->m, s->obj);
	if (err)
		goto fail;
	f->prog_fd = bpf_program__fd(s->progs.nlb_xdp);
	return 0;
fail:
	xdpfix_close(f);
	return err;
}

void xdpfix_close(struct xdpfix *f)
{
	if (f->skel)
		nlb_maps__fini(&f->m);
	nlb_xdp_bpf__destroy(f->skel);
	f->skel = NULL;
}

int xdpfix_vip(struct xdpfix *f, const char *addr, uint16_t port, uint8_t proto,
	       uint8_t kind, uint32_t vip_id, uint32_t ring_size)
{
	struct nlb_vip_ref k = {.proto = proto, .kind = kind};
	struct nlb_vip v = {.vip_id = vip_id, .ring_size = ring_size};
	int fam = pkt_addr(addr, k.addr);

	if (fam < 0)
		return -EINVAL;
	k.family = fam == 4 ? NLB_FAMILY_V4 : NLB_FAMILY_V6;
	k.port = htons(port);
	return nlb_maps__put_vip(&f->m, &k, &v);
}

int xdpfix_backend(struct xdpfix *f, uint32_t id, const char *addr,
		   uint32_t vip_id, uint8_t state)
{
	struct nlb_backend b = {
		.vip_id = vip_id, .state = state, .weight = 100};
	int fam = pkt_addr(addr, b.addr);

	if (fam < 0)
		return -EINVAL;
	b.family = fam == 4 ? NLB_FAMILY_V4 : NLB_FAMILY_V6;
	return nlb_maps__put_backend(&f->m, id, &b);
}

/* Reads the table back through the kernel's own lookups: what the data
 * path will see, whatever way the map manager wrote it. */
static int ring_check(struct xdpfix *f, uint32_t vip_id, const __u32 *slots)
{
	__u32 inner_id, v[2];
	int fd, err = 0;

	if (bpf_map_lookup_elem(f->m.rings, &vip_id, &inner_id))
		return -errno;
	fd = bpf_map_get_fd_by_id(inner_id);
	if (fd < 0)
		return -errno;
	/* two slots per element */
	for (__u32 i = 0; i < FIX_RING && !err; i++) {
		__u32 pair = i / 2;

		if (bpf_map_lookup_elem(fd, &pair, v))
			err = -errno;
		else if (v[i & 1] != slots[i])
			err = -EBADMSG;
	}
	close(fd);
	return err;
}

int xdpfix_ring(struct xdpfix *f, uint32_t vip_id, const uint32_t *ids, int n)
{
	__u32 slots[FIX_RING];
	int err;

	for (int i = 0; i < FIX_RING; i++)
		slots[i] = ids[i % n];
	err = nlb_maps__put_ring(&f->m, vip_id, slots, FIX_RING);
	return err ? err : ring_check(f, vip_id, slots);
}

int xdpfix_config(struct xdpfix *f, const struct nlb_config *c)
{
	f->cfg = *c;
	return nlb_maps__set_config(&f->m, c);
}

static int flush(int fd, size_t ksz)
{
	char next[64];

	if (ksz > sizeof(next))
		return -EINVAL;
	/* deleting while walking: restart from the first key each time */
	while (!bpf_map_get_next_key(fd, NULL, next))
		if (bpf_map_delete_elem(fd, next))
			return -errno;
	return errno == ENOENT ? 0 : -errno;
}

int xdpfix_flush_ct(struct xdpfix *f)
{
	int err = flush(f->m.ct_v4, sizeof(struct nlb_flow_v4));

	return err ? err : flush(f->m.ct_v6, sizeof(struct nlb_flow_v6));
}

int xdpfix_run(struct xdpfix *f, const struct pkt *in, struct pkt *out,
	       __u32 *verdict)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in->b,
		    .data_size_in = (__u32)in->len, .data_out = out->b,
		    .data_size_out = sizeof(out->b), .repeat = 1);
	int err;

	memset(out, 0, sizeof(*out));
	err = bpf_prog_test_run_opts(f->prog_fd, &o);
	if (err)
		return -errno;
	*verdict = o.retval;
	out->len = o.data_size_out;
	return 0;
}

static const char *verdict_name(__u32 v)
{
	static const char *n[] = {"ABORTED", "DROP", "PASS", "TX", "REDIRECT"};

	return v < 5 ? n[v] : "?";
}

bool xdpfix_expect(struct nlbt *t, struct xdpfix *f, const struct pkt *in,
		   __u32 verdict, const struct pkt *want, __u32 cnt)
{
	__u64 before[NLB_CNT_MAX], after[NLB_CNT_MAX];
	struct pkt out;
	char diff[8192];
	__u32 got;
	bool ok = true;
	int err;

	err = nlb_maps__counters(&f->m, before);
	if (!CHECK(t, err == 0, "counters: %d", err))
		return false;
	err = xdpfix_run(f, in, &out, &got);
	if (!CHECK(t, err == 0, "test_run: %d", err))
		return false;
	ok &= CHECK(t, got == verdict, "verdict %s, want %s", verdict_name(got),
		    verdict_name(verdict));
	if (want &&
	    (out.len != want->len || memcmp(out.b, want->b, want->len))) {
		pkt_diff(diff, sizeof(diff), out.b, out.len, want->b,
			 want->len);
		ok &= CHECK(t, false, "output differs: %s", diff);
	}
	err = nlb_maps__counters(&f->m, after);
	if (!CHECK(t, err == 0, "counters: %d", err))
		return false;
	for (int i = 0; i < NLB_CNT_MAX; i++) {
		__u64 want_d = (cnt >> i) & 1, d = after[i] - before[i];

		ok &= CHECK(t, d == want_d,
			    "counter %s went up by %llu, want %llu",
			    nlb_counter_name(i), (unsigned long long)d,
			    (unsigned long long)want_d);
	}
	return ok;
}

uint32_t xdpfix_hash(const char *src, const char *dst, uint16_t sport,
		     uint16_t dport, uint8_t proto)
{
	uint32_t s[4], d[4];

	if (pkt_addr(src, s) == 4) {
		pkt_addr(dst, d);
		return nlb_flow_hash_v4(s[0], d[0], htons(sport), htons(dport),
					proto);
	}
	pkt_addr(dst, d);
	return nlb_flow_hash_v6(s, d, htons(sport), htons(dport), proto);
}

uint32_t xdpfix_pick(uint32_t h, const uint32_t *ids, int n)
{
	return ids[nlb_slot(h, FIX_RING) % (uint32_t)n];
}
