// SPDX-License-Identifier: GPL-2.0
/* Typed access to the forwarder's maps: the one place that writes them. */
#include "maps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static const char *const counter_names[NLB_CNT_MAX] = {
	[NLB_CNT_PASS] = "pass",
	[NLB_CNT_TX] = "tx",
	[NLB_CNT_REDIRECT] = "redirect",
	[NLB_CNT_ICMP_ECHO_REPLY] = "icmp_echo_reply",
	[NLB_CNT_ICMP_ERR_FWD] = "icmp_error_forwarded",
	[NLB_CNT_FRAGMENT] = "fragment",
	[NLB_CNT_CT_REPICK] = "conntrack_repick",
	[NLB_CNT_FALLBACK] = "fallback",
	[NLB_CNT_DROP_MALFORMED] = "drop_malformed",
	[NLB_CNT_DROP_NO_BACKEND] = "drop_no_backend",
	[NLB_CNT_DROP_ICMP_UNSUPP] = "drop_icmp_unsupported",
	[NLB_CNT_DROP_FRAG_NO_VIP] = "drop_fragment_no_vip",
	[NLB_CNT_DROP_ENCAP] = "drop_encap",
	[NLB_CNT_DROP_FAMILY] = "drop_family",
};

const char *nlb_counter_name(int counter)
{
	if (counter < 0 || counter >= NLB_CNT_MAX || !counter_names[counter])
		return "unknown";
	return counter_names[counter];
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);
	int fd;

	if (!map)
		return -ENOENT;
	fd = bpf_map__fd(map);
	return fd < 0 ? -EINVAL : fd;
}

static size_t backend_mem_len(const struct nlb_maps *m)
{
	size_t len = (size_t)m->max_backends * sizeof(struct nlb_backend);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (len + page - 1) / page * page;
}

#define NLB_MAP_LIST(X) \
	X(vips_v4)      \
	X(vips_v6)      \
	X(rings)        \
	X(backends)     \
	X(ct_v4) X(ct_v6) X(config) X(vip_stats) X(backend_stats) X(counters)

/* With every fd set: sizes, CPU count, and the backends mmap. */
static int maps_setup(struct nlb_maps *m)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	void *mem;

	if (bpf_obj_get_info_by_fd(m->backends, &info, &len))
		return -errno;
	m->max_backends = info.max_entries;
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(m->rings, &info, &len))
		return -errno;
	m->max_vips = info.max_entries;
	m->ncpus = libbpf_num_possible_cpus();
	if (m->ncpus <= 0)
		return m->ncpus ? m->ncpus : -EINVAL;
	mem = mmap(NULL, backend_mem_len(m), PROT_READ | PROT_WRITE, MAP_SHARED,
		   m->backends, 0);
	if (mem == MAP_FAILED)
		return -errno;
	m->backend_mem = mem;
	return 0;
}

static void maps_reset(struct nlb_maps *m)
{
	memset(m, 0, sizeof(*m));
#define X(name) m->name = -1;
	NLB_MAP_LIST(X)
#undef X
}

int nlb_maps__init(struct nlb_maps *m, struct bpf_object *obj)
{
	maps_reset(m);
#define X(name)                       \
	m->name = map_fd(obj, #name); \
	if (m->name < 0)              \
		return m->name;
	NLB_MAP_LIST(X)
#undef X
	return maps_setup(m);
}

int nlb_maps__open_pinned(struct nlb_maps *m, const char *dir)
{
	char path[512];
	int err;

	maps_reset(m);
	m->owns_fds = true;
#define X(name)                                            \
	snprintf(path, sizeof(path), "%s/%s", dir, #name); \
	m->name = bpf_obj_get(path);                       \
	if (m->name < 0) {                                 \
		err = -errno;                              \
		goto fail;                                 \
	}
	NLB_MAP_LIST(X)
#undef X
	err = maps_setup(m);
	if (!err)
		return 0;
fail:
	nlb_maps__fini(m);
	return err;
}

void nlb_maps__fini(struct nlb_maps *m)
{
	if (!m)
		return;
	if (m->backend_mem)
		munmap(m->backend_mem, backend_mem_len(m));
	m->backend_mem = NULL;
	if (m->owns_fds) {
#define X(name)           \
	if (m->name >= 0) \
		close(m->name);
		NLB_MAP_LIST(X)
#undef X
	}
	maps_reset(m);
}

int nlb_maps__set_config(struct nlb_maps *m, const struct nlb_config *c)
{
	struct nlb_config v = *c;
	__u32 zero = 0;

	v.abi_version = NLB_ABI_VERSION;
	return bpf_map_update_elem(m->config, &zero, &v, BPF_ANY) ? -errno : 0;
}

int nlb_maps__get_config(struct nlb_maps *m, struct nlb_config *c)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(m->config, &zero, c) ? -errno : 0;
}

/* Fills the family's key; returns the map fd or -EAFNOSUPPORT. */
static int vip_key(struct nlb_maps *m, const struct nlb_vip_ref *k,
		   struct nlb_vip_key_v4 *k4, struct nlb_vip_key_v6 *k6,
		   void **key)
{
	if (k->family == NLB_FAMILY_V4) {
		memset(k4, 0, sizeof(*k4));
		k4->addr = k->addr[0];
		k4->port = k->port;
		k4->proto = k->proto;
		k4->kind = k->kind;
		*key = k4;
		return m->vips_v4;
	}
	if (k->family == NLB_FAMILY_V6) {
		memset(k6, 0, sizeof(*k6));
		memcpy(k6->addr, k->addr, sizeof(k6->addr));
		k6->port = k->port;
		k6->proto = k->proto;
		k6->kind = k->kind;
		*key = k6;
		return m->vips_v6;
	}
	return -EAFNOSUPPORT;
}

int nlb_maps__put_vip(struct nlb_maps *m, const struct nlb_vip_ref *k,
		      const struct nlb_vip *v)
{
	struct nlb_vip_key_v4 k4;
	struct nlb_vip_key_v6 k6;
	void *key;
	int fd = vip_key(m, k, &k4, &k6, &key);

	if (fd < 0)
		return fd;
	if (v->vip_id >= m->max_vips)
		return -ERANGE;
	return bpf_map_update_elem(fd, key, v, BPF_ANY) ? -errno : 0;
}

int nlb_maps__get_vip(struct nlb_maps *m, const struct nlb_vip_ref *k,
		      struct nlb_vip *v)
{
	struct nlb_vip_key_v4 k4;
	struct nlb_vip_key_v6 k6;
	void *key;
	int fd = vip_key(m, k, &k4, &k6, &key);

	if (fd < 0)
		return fd;
	return bpf_map_lookup_elem(fd, key, v) ? -errno : 0;
}

int nlb_maps__del_vip(struct nlb_maps *m, const struct nlb_vip_ref *k)
{
	struct nlb_vip_key_v4 k4;
	struct nlb_vip_key_v6 k6;
	void *key;
	int fd = vip_key(m, k, &k4, &k6, &key);

	if (fd < 0)
		return fd;
	return bpf_map_delete_elem(fd, key) ? -errno : 0;
}

int nlb_maps__for_each_vip(struct nlb_maps *m,
			   int (*fn)(const struct nlb_vip_ref *k,
				     const struct nlb_vip *v, void *ctx),
			   void *ctx)
{
	struct nlb_vip_key_v4 k4, n4;
	struct nlb_vip_key_v6 k6, n6;
	struct nlb_vip_ref ref;
	struct nlb_vip v;
	void *prev = NULL;
	int ret;

	while (!bpf_map_get_next_key(m->vips_v4, prev, &n4)) {
		k4 = n4;
		prev = &k4;
		if (bpf_map_lookup_elem(m->vips_v4, &k4, &v))
			continue; /* deleted meanwhile */
		memset(&ref, 0, sizeof(ref));
		ref.family = NLB_FAMILY_V4;
		ref.addr[0] = k4.addr;
		ref.port = k4.port;
		ref.proto = k4.proto;
		ref.kind = k4.kind;
		ret = fn(&ref, &v, ctx);
		if (ret)
			return ret;
	}
	prev = NULL;
	while (!bpf_map_get_next_key(m->vips_v6, prev, &n6)) {
		k6 = n6;
		prev = &k6;
		if (bpf_map_lookup_elem(m->vips_v6, &k6, &v))
			continue;
		memset(&ref, 0, sizeof(ref));
		ref.family = NLB_FAMILY_V6;
		memcpy(ref.addr, k6.addr, sizeof(ref.addr));
		ref.port = k6.port;
		ref.proto = k6.proto;
		ref.kind = k6.kind;
		ret = fn(&ref, &v, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

/* A table packs two u32 slots in each 8-byte element (array maps keep
 * every value in 8 bytes anyway), so its mmap is a plain u32 array. */
static __u32 ring_elems(__u32 size)
{
	return (size + 1) / 2;
}

static size_t ring_bytes(__u32 elems)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return ((size_t)elems * sizeof(__u64) + page - 1) / page * page;
}

/* A new inner map holding the table; returns its fd. */
static int new_ring(const __u32 *slots, __u32 size)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts,
		    .map_flags = BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	void *mem;
	int fd, err;

	if (size == 0)
		return -ERANGE;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "nlb_ring", sizeof(__u32),
			    sizeof(__u64), ring_elems(size), &opts);
	if (fd < 0)
		return -errno;
	mem = mmap(NULL, ring_bytes(ring_elems(size)), PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		err = -errno;
		close(fd);
		return err;
	}
	memcpy(mem, slots, (size_t)size * sizeof(__u32));
	if (size & 1) /* the pad slot past the table: never read */
		((__u32 *)mem)[size] = ~0u;
	munmap(mem, ring_bytes(ring_elems(size)));
	return fd;
}

int nlb_maps__put_ring(struct nlb_maps *m, __u32 vip_id, const __u32 *slots,
		       __u32 size)
{
	return nlb_maps__put_rings(m, 1, &vip_id, &slots, &size);
}

int nlb_maps__put_rings(struct nlb_maps *m, size_t n, const __u32 *vip_ids,
			const __u32 *const *slots, const __u32 *sizes)
{
	__u32 *fds = NULL, count = (__u32)n;
	size_t made = 0;
	int err = 0;

	if (!n)
		return 0;
	fds = calloc(n, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	for (; made < n; made++) {
		int fd;

		if (vip_ids[made] >= m->max_vips) {
			err = -ERANGE;
			goto out;
		}
		fd = new_ring(slots[made], sizes[made]);
		if (fd < 0) {
			err = fd;
			goto out;
		}
		fds[made] = (__u32)fd;
	}
	/* Filled first, then published by one update of the outer map:
	 * each reader sees a whole old table or a whole new one. */
	if (n == 1) {
		if (bpf_map_update_elem(m->rings, &vip_ids[0], &fds[0],
					BPF_ANY))
			err = -errno;
	} else if (bpf_map_update_batch(m->rings, vip_ids, fds, &count, NULL)) {
		err = -errno;
	}
out:
	for (size_t i = 0; i < made; i++)
		close((int)fds[i]);
	free(fds);
	return err;
}

int nlb_maps__del_ring(struct nlb_maps *m, __u32 vip_id)
{
	if (bpf_map_delete_elem(m->rings, &vip_id))
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

int nlb_maps__read_ring(struct nlb_maps *m, __u32 vip_id, __u32 *slots,
			__u32 cap)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), id, n, size;
	void *mem;
	int fd, ret;

	if (bpf_map_lookup_elem(m->rings, &vip_id, &id))
		return -errno;
	fd = bpf_map_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		ret = -errno;
		goto out;
	}
	mem = mmap(NULL, ring_bytes(info.max_entries), PROT_READ, MAP_SHARED,
		   fd, 0);
	if (mem == MAP_FAILED) {
		ret = -errno;
		goto out;
	}
	/* tables are prime-sized, so odd: the last word is the pad slot */
	size = info.max_entries * 2;
	if (((const __u32 *)mem)[size - 1] == ~0u)
		size--;
	n = size < cap ? size : cap;
	memcpy(slots, mem, (size_t)n * sizeof(__u32));
	munmap(mem, ring_bytes(info.max_entries));
	ret = (int)size;
out:
	close(fd);
	return ret;
}

static bool same_backend(const struct nlb_backend *a,
			 const struct nlb_backend *b)
{
	return a->family == b->family && a->vip_id == b->vip_id &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

int nlb_maps__put_backend(struct nlb_maps *m, __u32 id,
			  const struct nlb_backend *b)
{
	struct nlb_backend *cur;

	if (id >= m->max_backends || !m->backend_mem)
		return -ERANGE;
	if (b->state == NLB_BACKEND_EMPTY || b->state > NLB_BACKEND_DOWN)
		return -EINVAL;
	cur = &m->backend_mem[id];
	if (cur->state == NLB_BACKEND_EMPTY || !same_backend(cur, b)) {
		/* A new owner: hide the slot first, then change identity,
		 * so no packet pairs the old flows with the new address. */
		__atomic_store_n(&cur->state, NLB_BACKEND_EMPTY,
				 __ATOMIC_RELEASE);
		memcpy(cur->addr, b->addr, sizeof(cur->addr));
		cur->vip_id = b->vip_id;
		cur->family = b->family;
		__atomic_store_n(&cur->gen, cur->gen + 1, __ATOMIC_RELEASE);
	}
	cur->weight = b->weight;
	__atomic_store_n(&cur->state, b->state, __ATOMIC_RELEASE);
	return 0;
}

int nlb_maps__set_backend_state(struct nlb_maps *m, __u32 id, __u8 state)
{
	struct nlb_backend *cur;

	if (id >= m->max_backends || !m->backend_mem)
		return -ERANGE;
	if (state == NLB_BACKEND_EMPTY || state > NLB_BACKEND_DOWN)
		return -EINVAL;
	cur = &m->backend_mem[id];
	if (cur->state == NLB_BACKEND_EMPTY)
		return -ENOENT;
	__atomic_store_n(&cur->state, state, __ATOMIC_RELEASE);
	return 0;
}

int nlb_maps__del_backend(struct nlb_maps *m, __u32 id)
{
	if (id >= m->max_backends || !m->backend_mem)
		return -ERANGE;
	__atomic_store_n(&m->backend_mem[id].state, NLB_BACKEND_EMPTY,
			 __ATOMIC_RELEASE);
	return 0;
}

const struct nlb_backend *nlb_maps__backend(const struct nlb_maps *m, __u32 id)
{
	if (id >= m->max_backends || !m->backend_mem)
		return NULL;
	return &m->backend_mem[id];
}

/* Sums a per-CPU array entry of u64 fields into out (nfields u64s). */
static int percpu_sum(struct nlb_maps *m, int fd, __u32 key, size_t size,
		      __u64 *out)
{
	size_t stride = (size + 7) & ~(size_t)7, nf = size / sizeof(__u64);
	__u64 *vals = calloc((size_t)m->ncpus, stride);
	int err = 0;

	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, vals)) {
		err = -errno;
		goto out;
	}
	memset(out, 0, size);
	for (int c = 0; c < m->ncpus; c++)
		for (size_t f = 0; f < nf; f++)
			out[f] += vals[c * (stride / 8) + f];
out:
	free(vals);
	return err;
}

static int percpu_clear(struct nlb_maps *m, int fd, __u32 key, size_t size)
{
	size_t stride = (size + 7) & ~(size_t)7;
	void *vals = calloc((size_t)m->ncpus, stride);
	int err = 0;

	if (!vals)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &key, vals, BPF_ANY))
		err = -errno;
	free(vals);
	return err;
}

int nlb_maps__vip_stats(struct nlb_maps *m, __u32 vip_id,
			struct nlb_vip_stats *sum)
{
	return percpu_sum(m, m->vip_stats, vip_id, sizeof(*sum), (__u64 *)sum);
}

int nlb_maps__backend_stats(struct nlb_maps *m, __u32 id,
			    struct nlb_backend_stats *sum)
{
	return percpu_sum(m, m->backend_stats, id, sizeof(*sum), (__u64 *)sum);
}

int nlb_maps__clear_vip_stats(struct nlb_maps *m, __u32 vip_id)
{
	return percpu_clear(m, m->vip_stats, vip_id,
			    sizeof(struct nlb_vip_stats));
}

int nlb_maps__clear_backend_stats(struct nlb_maps *m, __u32 id)
{
	return percpu_clear(m, m->backend_stats, id,
			    sizeof(struct nlb_backend_stats));
}

int nlb_maps__counters(struct nlb_maps *m, __u64 sum[NLB_CNT_MAX])
{
	for (__u32 i = 0; i < NLB_CNT_MAX; i++) {
		int err = percpu_sum(m, m->counters, i, sizeof(__u64), &sum[i]);

		if (err)
			return err;
	}
	return 0;
}

int nlb_maps__get_flow_v4(struct nlb_maps *m, const struct nlb_flow_v4 *f,
			  struct nlb_ct *ct)
{
	return bpf_map_lookup_elem(m->ct_v4, f, ct) ? -errno : 0;
}

int nlb_maps__get_flow_v6(struct nlb_maps *m, const struct nlb_flow_v6 *f,
			  struct nlb_ct *ct)
{
	return bpf_map_lookup_elem(m->ct_v6, f, ct) ? -errno : 0;
}

int nlb_maps__for_each_flow(struct nlb_maps *m,
			    int (*fn)(__u8 family, const void *flow,
				      const struct nlb_ct *ct, void *ctx),
			    void *ctx)
{
	struct nlb_flow_v4 k4, n4;
	struct nlb_flow_v6 k6, n6;
	struct nlb_ct ct;
	void *prev = NULL;
	int ret;

	while (!bpf_map_get_next_key(m->ct_v4, prev, &n4)) {
		k4 = n4;
		prev = &k4;
		if (bpf_map_lookup_elem(m->ct_v4, &k4, &ct))
			continue; /* evicted meanwhile */
		ret = fn(NLB_FAMILY_V4, &k4, &ct, ctx);
		if (ret)
			return ret;
	}
	prev = NULL;
	while (!bpf_map_get_next_key(m->ct_v6, prev, &n6)) {
		k6 = n6;
		prev = &k6;
		if (bpf_map_lookup_elem(m->ct_v6, &k6, &ct))
			continue;
		ret = fn(NLB_FAMILY_V6, &k6, &ct, ctx);
		if (ret)
			return ret;
	}
	return 0;
}
