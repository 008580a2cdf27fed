// SPDX-License-Identifier: GPL-2.0
/* The programs under test: nlb's forwarder with its production map sizes,
 * and the empty and floor reference programs (compiled from
 * ../shared/bench at bench time), all given the same VIP and backends. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "nlb_xdp.skel.h"
#include "../../tests/bpf/pkt.h"

#define RING 65537
static const char *be4[] = {BACKEND1, BACKEND2, BACKEND3};
static const char *be6[] = {BACKEND6_1, BACKEND6_2, BACKEND6_1};

static int fill_nlb(struct nlb_maps *m)
{
	static __u32 slots[RING];
	struct nlb_config c = {.abi_version = NLB_ABI_VERSION,
			       .src_v4_plen = 16,
			       .src_v6_plen = 64};
	struct nlb_vip_ref k = {.family = NLB_FAMILY_V4,
				.proto = IPPROTO_TCP,
				.kind = NLB_VIP_KIND_PORT};
	struct nlb_vip v = {.vip_id = 1, .ring_size = RING};
	struct nlb_backend b = {.state = NLB_BACKEND_ENABLED, .weight = 1};
	__u32 a[4];
	int err;

	memcpy(c.nexthop_mac, MAC_ROUTER, 6);
	pkt_addr("10.200.0.0", a);
	c.src_v4 = a[0];
	pkt_addr("2001:db8:1b::", c.src_v6);
	err = nlb_maps__set_config(m, &c);
	/* VIP4:80/tcp (id 1) and VIP6:443/tcp (id 2), three backends each */
	for (__u32 vip = 1; !err && vip <= 2; vip++) {
		k.family = vip == 1 ? NLB_FAMILY_V4 : NLB_FAMILY_V6;
		k.kind = NLB_VIP_KIND_PORT;
		k.proto = IPPROTO_TCP;
		k.port = htons(vip == 1 ? 80 : 443);
		pkt_addr(vip == 1 ? VIP4 : VIP6, k.addr);
		v.vip_id = vip;
		err = nlb_maps__put_vip(m, &k, &v);
		k.kind = NLB_VIP_KIND_ADDR;
		k.proto = 0;
		k.port = 0;
		if (!err)
			err = nlb_maps__put_vip(m, &k, &v);
		for (__u32 i = 0; !err && i < 3; i++) {
			b.vip_id = vip;
			b.family = vip == 1 ? NLB_FAMILY_V4 : NLB_FAMILY_V6;
			pkt_addr(vip == 1 ? be4[i] : be6[i], b.addr);
			err = nlb_maps__put_backend(m, vip * 10 + i, &b);
		}
		for (__u32 i = 0; i < RING; i++)
			slots[i] = vip * 10 + i % 3;
		if (!err)
			err = nlb_maps__put_ring(m, vip, slots, RING);
	}
	return err;
}

/* The floor program's own map layouts (see floor_lb.bpf.c). */
struct floor_vip_key {
	__be32 addr;
	__be16 port;
	__u8 proto, pad;
};

struct floor_cfg {
	__u8 router_mac[6], pad[2];
	__be32 outer_src;
};

static int map_fd(struct bpf_object *o, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(o, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

static int fill_floor(struct bpf_object *o)
{
	struct floor_vip_key k = {.port = htons(80), .proto = IPPROTO_TCP};
	struct floor_cfg c = {0};
	__u32 val[2] = {0, 0}, zero = 0, a[4];
	int vips = map_fd(o, "vips"), ring = map_fd(o, "ring");
	int backends = map_fd(o, "backends"), cfg = map_fd(o, "cfg");

	if (vips < 0 || ring < 0 || backends < 0 || cfg < 0)
		return -ENOENT;
	pkt_addr(VIP4, a);
	k.addr = a[0];
	if (bpf_map_update_elem(vips, &k, val, BPF_ANY))
		return -errno;
	for (__u32 i = 0; i < 3; i++) {
		pkt_addr(be4[i], a);
		val[0] = a[0];
		if (bpf_map_update_elem(backends, &i, val, BPF_ANY))
			return -errno;
	}
	for (__u32 i = 0; i < RING; i++) {
		__u32 idx = i % 3;

		if (bpf_map_update_elem(ring, &i, &idx, BPF_ANY))
			return -errno;
	}
	memcpy(c.router_mac, MAC_ROUTER, 6);
	pkt_addr("10.200.0.1", a);
	c.outer_src = a[0];
	return bpf_map_update_elem(cfg, &zero, &c, BPF_ANY) ? -errno : 0;
}

static int load_ref(const char *dir, const char *name, struct bpf_object **o,
		    int *fd)
{
	char path[512];
	struct bpf_program *p;
	int err;

	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, name);
	*o = bpf_object__open_file(path, NULL);
	if (!*o)
		return -errno;
	err = bpf_object__load(*o);
	if (err)
		return err;
	p = bpf_object__next_program(*o, NULL);
	if (!p)
		return -ENOENT;
	*fd = bpf_program__fd(p);
	return 0;
}

int progs_load(struct progs *p, const char *ref_dir)
{
	int err;

	memset(p, 0, sizeof(*p));
	p->xdp = nlb_xdp_bpf__open_and_load();
	if (!p->xdp)
		return -errno;
	p->xdp_fd = bpf_program__fd(p->xdp->progs.nlb_xdp);
	err = nlb_maps__init(&p->m, p->xdp->obj);
	if (!err)
		err = fill_nlb(&p->m);
	if (!err)
		err = load_ref(ref_dir, "empty", &p->empty, &p->empty_fd);
	if (!err)
		err = load_ref(ref_dir, "floor_lb", &p->floor, &p->floor_fd);
	if (!err)
		err = fill_floor(p->floor);
	return err;
}

void progs_free(struct progs *p)
{
	if (p->xdp)
		nlb_maps__fini(&p->m);
	bpf_object__close(p->floor);
	bpf_object__close(p->empty);
	nlb_xdp_bpf__destroy(p->xdp);
}
