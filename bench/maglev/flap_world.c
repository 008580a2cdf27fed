// SPDX-License-Identifier: GPL-2.0
/* The flap benchmark's world: forwarder, VIPs, backends, tables. */
#include "flap_world.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_util.h"
#include "nlb_xdp.skel.h"

/* VIPs in 198.18.0.0/16 (the benchmarking range), backends from 10.128.0.0:
 * no address is ever used on a wire, but none should look like a real one. */
__be32 flap_vip_addr(__u32 v)
{
	return htonl(0xc6120000u | (v & 0xffff));
}

__be32 flap_backend_addr(__u32 id)
{
	return htonl(0x0a800000u + id);
}

long flap_backend_of(__be32 addr)
{
	__u32 a = ntohl(addr);

	if (a < 0x0a800000u || a >= 0x0b000000u)
		return -ENOENT;
	return (long)(a - 0x0a800000u);
}

static int put_vip(struct flap_world *w, __u32 v)
{
	struct nlb_vip_ref ref = {
		.family = NLB_FAMILY_V4,
		.proto = IPPROTO_TCP,
		.kind = NLB_VIP_KIND_PORT,
		.port = htons(80),
		.addr = {flap_vip_addr(v)},
	};
	struct nlb_vip vip = {.vip_id = v + 1, .ring_size = w->ring_size};

	return nlb_maps__put_vip(&w->m, &ref, &vip);
}

static int put_backend(struct flap_world *w, __u32 v, __u32 id)
{
	struct nlb_backend b = {
		.addr = {flap_backend_addr(id)},
		.vip_id = v + 1,
		.family = NLB_FAMILY_V4,
		.state = NLB_BACKEND_ENABLED,
		.weight = 1,
	};

	nlb_maglev_key(w->keys[id].key, NLB_FAMILY_V4, b.addr);
	w->keys[id].id = id;
	w->keys[id].weight = 1;
	return nlb_maps__put_backend(&w->m, id, &b);
}

/* All tables in one swap (nlb_maps__put_rings): each swap of an outer map
 * entry makes the kernel wait for an RCU grace period so no program still
 * reads the old table; one batch pays that wait once. */
static int write_tables(struct flap_world *w, const __u32 *vips, size_t n)
{
	const __u32 **slots = calloc(n + 1, sizeof(*slots));
	__u32 *ids = calloc(n + 1, sizeof(*ids));
	__u32 *sizes = calloc(n + 1, sizeof(*sizes));
	size_t k = 0;
	int err = 0;

	if (!slots || !ids || !sizes) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (w->jobs[i].err) {
			err = w->jobs[i].err;
			goto out;
		}
		ids[k] = vips[i] + 1;
		sizes[k] = w->ring_size;
		slots[k++] = w->jobs[i].table;
	}
	err = nlb_maps__put_rings(&w->m, k, ids, slots, sizes);
out:
	free(slots);
	free(ids);
	free(sizes);
	return err;
}

int flap_world_rebuild(struct flap_world *w, const __u32 *vips, size_t n)
{
	size_t i;
	__u64 t0;
	int err;

	for (i = 0; i < n; i++) {
		__u32 v = vips[i], first = v * w->per_vip;

		for (__u32 j = 0; j < w->per_vip; j++)
			w->keys[first + j].weight = !w->down[first + j];
		w->jobs[i] = (struct nlb_maglev_job){
			.backends = &w->keys[first],
			.n = w->per_vip,
			.m = w->ring_size,
			.table = &w->tables[(size_t)v * w->ring_size],
		};
	}
	t0 = bench_now_ns();
	err = nlb_maglev_build_many(w->jobs, n, 0);
	w->build_ms = (bench_now_ns() - t0) / 1e6;
	return err ? err : write_tables(w, vips, n);
}

int flap_world_open(struct flap_world *w, __u32 nvips, __u32 per_vip)
{
	struct nlb_config c = {.abi_version = NLB_ABI_VERSION,
			       .src_v4 = htonl(0x0aff0000u),
			       .src_v4_plen = 16};
	size_t nb = (size_t)nvips * per_vip;
	int err = -ENOMEM;
	__u32 v;

	memset(w, 0, sizeof(*w));
	w->nvips = nvips;
	w->per_vip = per_vip;
	w->ring_size = NLB_MAGLEV_DEFAULT_SIZE;
	w->keys = calloc(nb, sizeof(*w->keys));
	w->down = calloc(nb, 1);
	w->jobs = calloc(nvips, sizeof(*w->jobs));
	w->vips = calloc(nvips, sizeof(*w->vips));
	w->tables = malloc((size_t)nvips * w->ring_size * sizeof(*w->tables));
	if (!w->keys || !w->down || !w->jobs || !w->vips || !w->tables)
		goto fail;

	w->skel = nlb_xdp_bpf__open_and_load();
	if (!w->skel) {
		err = -errno;
		goto fail;
	}
	w->prog_fd = bpf_program__fd(w->skel->progs.nlb_xdp);
	err = nlb_maps__init(&w->m, w->skel->obj);
	if (err)
		goto fail;
	if (nb > w->m.max_backends || nvips >= w->m.max_vips) {
		err = -ERANGE;
		goto fail;
	}
	err = nlb_maps__set_config(&w->m, &c);
	for (v = 0; !err && v < nvips; v++) {
		err = put_vip(w, v);
		for (__u32 j = 0; !err && j < per_vip; j++)
			err = put_backend(w, v, v * per_vip + j);
		w->vips[v] = v;
	}
	if (!err)
		err = flap_world_rebuild(w, w->vips, nvips);
	if (!err)
		return 0;
fail:
	flap_world_close(w);
	return err;
}

void flap_world_close(struct flap_world *w)
{
	if (w->skel) {
		nlb_maps__fini(&w->m);
		nlb_xdp_bpf__destroy(w->skel);
	}
	free(w->tables);
	free(w->vips);
	free(w->jobs);
	free(w->down);
	free(w->keys);
	memset(w, 0, sizeof(*w));
}

static int fd_memlock(int fd, __u64 *bytes)
{
	char path[64], line[128];
	int err = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (sscanf(line, "memlock: %llu", &v) == 1) {
			*bytes += v;
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

int flap_world_map_memory(struct flap_world *w, __u64 *bytes, FILE *detail)
{
	struct bpf_map *map;
	__u32 key, next, id;
	__u64 rings = 0;
	int err = 0, fd;

	*bytes = 0;
	bpf_object__for_each_map (map, w->skel->obj) {
		__u64 one = 0;

		err = fd_memlock(bpf_map__fd(map), &one);
		if (err)
			return err;
		if (detail)
			fprintf(detail, "#   map %s: %.1f MiB\n",
				bpf_map__name(map), one / 1048576.0);
		*bytes += one;
	}
	/* The rings' inner maps have no fd here: put_ring closes its own. */
	for (err = bpf_map_get_next_key(w->m.rings, NULL, &next); !err;
	     err = bpf_map_get_next_key(w->m.rings, &key, &next)) {
		key = next;
		if (bpf_map_lookup_elem(w->m.rings, &key, &id))
			continue; /* an empty slot of the outer array */
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			return -errno;
		err = fd_memlock(fd, &rings);
		close(fd);
		if (err)
			return err;
	}
	if (errno != ENOENT)
		return -errno;
	if (detail)
		fprintf(detail, "#   inner ring maps: %.1f MiB\n",
			rings / 1048576.0);
	*bytes += rings;
	return 0;
}
