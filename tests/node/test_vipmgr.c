// SPDX-License-Identifier: GPL-2.0
/* The node's VIP manager against the forwarder's real maps (loaded, not
 * attached): ids, FRAG/ADDR keys, tables, states, removal, pinning. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "dp.h"
#include "maglev.h"
#include "maps.h"
#include "nlbtest.h"
#include "reconcile.h"
#include "vipmgr.h"

#define RING 251 /* small prime: quick tables */

static struct nlb_vip_spec vip4(const char *addr, __u16 port, __u8 proto)
{
	struct nlb_vip_spec s = {.family = NLB_FAMILY_V4,
				 .proto = proto,
				 .port = htons(port),
				 .ring_size = RING};

	s.addr[0] = inet_addr(addr);
	return s;
}

static struct nlb_backend_spec be4(const char *addr, __u16 weight, __u8 state)
{
	struct nlb_backend_spec b = {
		.family = NLB_FAMILY_V4, .weight = weight, .state = state};

	b.addr[0] = inet_addr(addr);
	return b;
}

static int kind_exists(struct nlb_maps *m, const struct nlb_vip_spec *s,
		       __u8 kind, __u8 proto, struct nlb_vip *v)
{
	struct nlb_vip_ref r = {
		.family = s->family, .kind = kind, .proto = proto};

	memcpy(r.addr, s->addr, sizeof(r.addr));
	return nlb_maps__get_vip(m, &r, v) == 0;
}

/* slots of the VIP's table owned by backend id */
static int slots_of(struct nlb_maps *m, __u32 vip_id, __u32 id)
{
	__u32 table[RING];
	int n = nlb_maps__read_ring(m, vip_id, table, RING), c = 0;

	for (int i = 0; i < n; i++)
		c += table[i] == id;
	return n < 0 ? n : c;
}

static char pin_dir[64];

static struct nlb_dp *load(struct nlbt *t)
{
	struct nlb_dp_opts o = {.pin_dir = pin_dir,
				.ct_size = 1024,
				.ct6_size = 1024,
				.max_vips = 64,
				.max_backends = 256};
	struct nlb_dp *dp = NULL;
	int err = nlb_dp__load(&o, &dp);

	CHECK(t, err == 0, "load: %d", err);
	return err ? NULL : dp;
}

NLB_TEST(vipmgr)
{
	struct nlb_vip_spec a = vip4("192.0.2.1", 80, IPPROTO_TCP);
	struct nlb_vip_spec b = vip4("192.0.2.1", 443, IPPROTO_TCP);
	struct nlb_vip_spec all = vip4("192.0.2.1", 0, IPPROTO_TCP);
	struct nlb_backend_spec b1 =
		be4("198.51.100.1", 100, NLB_BACKEND_ENABLED);
	struct nlb_backend_spec b2 =
		be4("198.51.100.2", 100, NLB_BACKEND_ENABLED);
	struct nlb_maps *m;
	struct nlb_vip va, vall, v;
	struct nlb_dp *dp;
	__u32 ida, idb, idall, id1, id2, id1b;
	int s1, s2;

	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/nlbt-node-%d",
		 getpid());
	dp = load(t);
	if (!dp)
		return;
	m = nlb_dp__maps(dp);

	if (nlbt_sub_begin(t, "add_vip_keys")) {
		CHECK(t, !nlb_vipmgr__add_vip(m, &a, &ida));
		CHECK(t, nlb_vipmgr__add_vip(m, &a, NULL) == -EEXIST);
		CHECK(t, !nlb_vipmgr__add_vip(m, &b, &idb) && idb != ida,
		      "ids %u %u", ida, idb);
		CHECK(t, kind_exists(m, &a, NLB_VIP_KIND_ADDR, 0, &v));
		CHECK(t,
		      kind_exists(m, &a, NLB_VIP_KIND_FRAG, IPPROTO_TCP, &v) &&
			      v.vip_id == ida,
		      "fragments go to the first VIP");
		/* an all-ports VIP takes the address's fragments */
		CHECK(t, !nlb_vipmgr__add_vip(m, &all, &idall));
		CHECK(t,
		      kind_exists(m, &a, NLB_VIP_KIND_FRAG, IPPROTO_TCP, &v) &&
			      v.vip_id == idall);
		CHECK(t, !nlb_vipmgr__find_vip(m, &all, &vall) &&
				 vall.ring_size == RING);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "backends_and_table")) {
		CHECK(t, !nlb_vipmgr__set_backend(m, &a, &b1, &id1));
		CHECK(t,
		      !nlb_vipmgr__set_backend(m, &a, &b2, &id2) && id1 != id2);
		CHECK(t, !nlb_vipmgr__find_vip(m, &a, &va));
		s1 = slots_of(m, va.vip_id, id1);
		s2 = slots_of(m, va.vip_id, id2);
		CHECK(t, s1 + s2 == RING && abs(s1 - s2) <= 2,
		      "slots %d + %d of %d", s1, s2, RING);
		/* weights: 3:1 */
		b1.weight = 300;
		CHECK(t,
		      !nlb_vipmgr__set_backend(m, &a, &b1, &id1b) &&
			      id1b == id1,
		      "update keeps the id");
		s1 = slots_of(m, va.vip_id, id1);
		CHECK(t, s1 > RING * 70 / 100 && s1 < RING * 80 / 100,
		      "weight 300:100 gave %d of %d", s1, RING);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "states")) {
		const struct nlb_backend *be = nlb_maps__backend(m, id1);

		b1.state = NLB_BACKEND_DRAINED;
		CHECK(t, !nlb_vipmgr__set_backend(m, &a, &b1, NULL));
		CHECK_EQ_INT(t, be->state, NLB_BACKEND_DRAINED);
		CHECK_EQ_INT(t, slots_of(m, va.vip_id, id1), 0);
		CHECK_EQ_INT(t, slots_of(m, va.vip_id, id2), RING);
		b2.state = NLB_BACKEND_DOWN;
		CHECK(t, !nlb_vipmgr__set_backend(m, &a, &b2, NULL));
		/* nothing enabled: a table of no backend */
		CHECK_EQ_INT(t, slots_of(m, va.vip_id, NLB_MAGLEV_NONE), RING);
		b1.state = b2.state = NLB_BACKEND_ENABLED;
		CHECK(t, !nlb_vipmgr__set_backend(m, &a, &b1, NULL));
		CHECK(t, !nlb_vipmgr__set_backend(m, &a, &b2, NULL));
		CHECK(t, slots_of(m, va.vip_id, id2) > 0);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "bad_input")) {
		struct nlb_backend_spec v6be = {.family = NLB_FAMILY_V6,
						.weight = 1,
						.state = NLB_BACKEND_ENABLED};
		struct nlb_vip_spec nope = vip4("192.0.2.9", 80, IPPROTO_TCP);
		struct nlb_vip_spec odd = vip4("192.0.2.9", 80, IPPROTO_TCP);
		struct nlb_backend_spec bad = b1;

		odd.ring_size = 100; /* not prime */
		CHECK(t, nlb_vipmgr__add_vip(m, &odd, NULL) == -EINVAL);
		CHECK(t,
		      nlb_vipmgr__set_backend(m, &nope, &b1, NULL) == -ENOENT);
		bad.state = NLB_BACKEND_EMPTY;
		CHECK(t, nlb_vipmgr__set_backend(m, &a, &bad, NULL) == -EINVAL);
		v6be.addr[0] = htonl(0xfd000000);
		/* IPv6 backend of an IPv4 VIP is fine (IPv4 in IPv6) */
		CHECK(t, !nlb_vipmgr__set_backend(m, &a, &v6be, NULL));
		CHECK(t, !nlb_vipmgr__del_backend(m, &a, NLB_FAMILY_V6,
						  v6be.addr));
		CHECK(t, nlb_vipmgr__del_backend(m, &a, NLB_FAMILY_V6,
						 v6be.addr) == -ENOENT);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "state_survives_reload")) {
		/* a second load reuses the pinned maps: an upgrade */
		struct nlb_dp *dp2 = load(t);

		if (dp2) {
			struct nlb_maps *m2 = nlb_dp__maps(dp2);

			CHECK(t, !nlb_vipmgr__find_vip(m2, &a, &v) &&
					 v.vip_id == va.vip_id);
			CHECK(t, slots_of(m2, va.vip_id, id1) > 0);
			nlb_dp__free(dp2);
		}
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "del_vip")) {
		CHECK(t, !nlb_vipmgr__del_vip(m, &all));
		/* fragments fall back to a remaining VIP of the address */
		CHECK(t,
		      kind_exists(m, &a, NLB_VIP_KIND_FRAG, IPPROTO_TCP, &v) &&
			      (v.vip_id == ida || v.vip_id == idb));
		CHECK(t, !nlb_vipmgr__del_vip(m, &a));
		CHECK(t, nlb_maps__backend(m, id1)->state == NLB_BACKEND_EMPTY);
		CHECK(t, nlb_vipmgr__backends_of(m, va.vip_id, NULL, 0) == 0);
		CHECK(t, kind_exists(m, &b, NLB_VIP_KIND_ADDR, 0, &v),
		      "address still has a VIP");
		CHECK(t, !nlb_vipmgr__del_vip(m, &b));
		CHECK(t, !kind_exists(m, &b, NLB_VIP_KIND_ADDR, 0, &v));
		CHECK(t,
		      !kind_exists(m, &b, NLB_VIP_KIND_FRAG, IPPROTO_TCP, &v));
		CHECK(t, nlb_vipmgr__del_vip(m, &b) == -ENOENT);
		nlbt_sub_end(t);
	}
	nlb_dp__free(dp);
	CHECK(t, !nlb_dp__unpin_all(pin_dir), "unpin");
}

/* A batch of state changes over many VIPs: states at once, tables after. */
NLB_TEST(vipmgr_set_states)
{
	enum { NVIPS = 20, NB = 10 };
	struct nlb_state_change ch[NVIPS * NB];
	__u32 ids[NVIPS][NB], vip_ids[NVIPS];
	struct nlb_maps *m;
	struct nlb_dp *dp;
	char addr[32];
	int n = 0, err;

	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/nlbt-node-%d",
		 getpid());
	dp = load(t);
	if (!dp)
		return;
	m = nlb_dp__maps(dp);
	for (int v = 0; v < NVIPS; v++) {
		struct nlb_vip_spec s;

		snprintf(addr, sizeof(addr), "192.0.2.%d", v + 1);
		s = vip4(addr, 80, IPPROTO_TCP);
		REQUIRE(t, !nlb_vipmgr__add_vip(m, &s, &vip_ids[v]));
		for (int i = 0; i < NB; i++) {
			struct nlb_backend_spec b;

			snprintf(addr, sizeof(addr), "198.51.100.%d", i + 1);
			b = be4(addr, 100, NLB_BACKEND_ENABLED);
			REQUIRE(t, !nlb_vipmgr__set_backend(m, &s, &b,
							    &ids[v][i]));
		}
	}
	/* backends 0..2 of every VIP go down, backend 3 is drained */
	for (int v = 0; v < NVIPS; v++) {
		for (int i = 0; i < 3; i++)
			ch[n++] = (struct nlb_state_change){ids[v][i],
							    NLB_BACKEND_DOWN};
		ch[n++] = (struct nlb_state_change){ids[v][3],
						    NLB_BACKEND_DRAINED};
	}
	err = nlb_vipmgr__set_states(m, ch, (size_t)n, 0);
	CHECK(t, err == 0, "set_states: %d", err);
	for (int v = 0; v < NVIPS; v++) {
		int in_table = 0;

		for (int i = 0; i < NB; i++) {
			int s = slots_of(m, vip_ids[v], ids[v][i]);

			if (i < 4)
				CHECK(t, s == 0,
				      "vip %d backend %d still has %d slots", v,
				      i, s);
			else
				in_table += s;
			CHECK_EQ_INT(t, nlb_maps__backend(m, ids[v][i])->state,
				     i < 3    ? NLB_BACKEND_DOWN
				     : i == 3 ? NLB_BACKEND_DRAINED
					      : NLB_BACKEND_ENABLED);
		}
		CHECK_EQ_INT(t, in_table, RING);
	}
	/* a bad id is reported, the good ones still apply */
	ch[0] = (struct nlb_state_change){100000, NLB_BACKEND_DOWN};
	ch[1] = (struct nlb_state_change){ids[0][0], NLB_BACKEND_ENABLED};
	CHECK(t, nlb_vipmgr__set_states(m, ch, 2, 1) == -ERANGE);
	CHECK(t, slots_of(m, vip_ids[0], ids[0][0]) > 0);
	nlb_dp__free(dp);
	CHECK(t, !nlb_dp__unpin_all(pin_dir), "unpin");
}

/* The reconcile decisions through the real maps: converges, then is a no-op. */
NLB_TEST(reconcile_real_maps)
{
	struct nlb_want_backend bes[3] = {
		{.family = NLB_FAMILY_V4, .weight = 1},
		{.family = NLB_FAMILY_V4, .weight = 1},
		{.family = NLB_FAMILY_V4,
		 .weight = 1,
		 .health = NLB_HEALTH_DOWN},
	};
	struct nlb_want_vip want[1] = {
		{vip4("192.0.2.50", 80, IPPROTO_TCP), bes, 3}};
	struct nlb_reconcile_result r;
	struct nlb_node_ops ops;
	struct nlb_maps *m;
	struct nlb_dp *dp;
	struct nlb_vip v;
	__u32 ids[8];
	int n, down_slots = 0, other = 0;

	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/nlbt-node-%d",
		 getpid());
	dp = load(t);
	if (!dp)
		return;
	m = nlb_dp__maps(dp);
	for (int i = 0; i < 3; i++)
		bes[i].addr[0] = htonl(0xc6336401 + i); /* 198.51.100.1.. */
	nlb_reconcile_vipmgr_ops(&ops, m);
	CHECK(t, nlb_reconcile(&ops, want, 1, &r) == 0, "%d", r.first_err);
	CHECK(t, r.vips_added == 1 && r.backends_written == 3 &&
			 r.vips_rebuilt == 1);
	REQUIRE(t, !nlb_vipmgr__find_vip(m, &want[0].spec, &v));
	n = nlb_vipmgr__backends_of(m, v.vip_id, ids, 8);
	CHECK_EQ_INT(t, n, 3);
	for (int i = 0; i < n && i < 8; i++) {
		const struct nlb_backend *b = nlb_maps__backend(m, ids[i]);

		if (b->state == NLB_BACKEND_DOWN)
			down_slots += slots_of(m, v.vip_id, ids[i]);
		else
			other += slots_of(m, v.vip_id, ids[i]);
	}
	CHECK_EQ_INT(t, down_slots, 0);
	CHECK_EQ_INT(t, other, RING);
	CHECK(t, nlb_reconcile(&ops, want, 1, &r) == 0);
	CHECK(t,
	      !r.vips_added && !r.backends_written && !r.vips_rebuilt &&
		      !r.backends_removed && !r.vips_removed,
	      "second pass wrote something");
	CHECK(t, nlb_reconcile(&ops, want, 0, &r) == 0 && r.vips_removed == 1);
	CHECK(t, nlb_vipmgr__find_vip(m, &want[0].spec, &v) == -ENOENT);
	nlb_dp__free(dp);
	CHECK(t, !nlb_dp__unpin_all(pin_dir), "unpin");
}

static struct nlb_vip_spec range4(const char *addr, __u16 first, __u16 last)
{
	struct nlb_vip_spec s = vip4(addr, first, IPPROTO_TCP);

	s.port_end = last > first ? htons(last) : 0;
	return s;
}

/* The VIP id a PORT key of addr:port/tcp names; -1 without one. */
static long long port_owner(struct nlb_maps *m, const char *addr, __u16 port)
{
	struct nlb_vip_spec s = vip4(addr, port, IPPROTO_TCP);
	struct nlb_vip_ref r = {.family = NLB_FAMILY_V4,
				.kind = NLB_VIP_KIND_PORT,
				.proto = IPPROTO_TCP,
				.port = s.port};
	struct nlb_vip v;

	r.addr[0] = s.addr[0];
	return nlb_maps__get_vip(m, &r, &v) ? -1 : (long long)v.vip_id;
}

static int count_keys(const struct nlb_vip_ref *k, const struct nlb_vip *v,
		      void *ctx)
{
	(void)k;
	(void)v;
	++*(int *)ctx;
	return 0;
}

static int nkeys(struct nlb_maps *m)
{
	int n = 0;

	nlb_maps__for_each_vip(m, count_keys, &n);
	return n;
}

/* ports lo..hi all name id, and the ports just outside do not */
static bool owns(struct nlbt *t, struct nlb_maps *m, const char *addr, __u16 lo,
		 __u16 hi, __u32 id)
{
	for (__u32 p = lo; p <= hi; p++)
		if (!CHECK(t, port_owner(m, addr, (__u16)p) == id,
			   "port %u: owner %lld, want %u", p,
			   port_owner(m, addr, (__u16)p), id))
			return false;
	return CHECK(t, port_owner(m, addr, lo - 1) != id, "port %u", lo - 1) &&
	       CHECK(t, port_owner(m, addr, hi + 1) != id, "port %u", hi + 1);
}

struct seen {
	struct nlb_vip_spec s[8];
	int n;
};

static int see_vip(const struct nlb_vip_spec *s, const struct nlb_vip *v,
		   void *ctx)
{
	struct seen *w = ctx;

	(void)v;
	if (w->n < 8)
		w->s[w->n] = *s;
	w->n++;
	return 0;
}

/* Port ranges: one VIP id behind one PORT key per port; overlaps rejected
 * with nothing written; the end moved in place; a full map rolled back. */
NLB_TEST(vipmgr_port_range)
{
	const char *A = "192.0.2.70";
	struct nlb_vip_spec r = range4(A, 1000, 1009);
	struct nlb_backend_spec b1 =
		be4("198.51.100.1", 100, NLB_BACKEND_ENABLED);
	struct nlb_maps *m;
	struct nlb_vip v;
	struct nlb_dp *dp;
	__u32 id, id2;
	int keys;

	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/nlbt-node-%d",
		 getpid());
	dp = load(t);
	if (!dp)
		return;
	m = nlb_dp__maps(dp);

	if (nlbt_sub_begin(t, "keys_written")) {
		REQUIRE(t, !nlb_vipmgr__add_vip(m, &r, &id));
		owns(t, m, A, 1000, 1009, id);
		CHECK(t,
		      kind_exists(m, &r, NLB_VIP_KIND_FRAG, IPPROTO_TCP, &v) &&
			      v.vip_id == id);
		CHECK(t, kind_exists(m, &r, NLB_VIP_KIND_ADDR, 0, &v));
		CHECK_EQ_INT(t, nkeys(m), 12); /* 10 ports, FRAG, ADDR */
		/* the VIP is named by its first port only */
		CHECK(t, !nlb_vipmgr__find_vip(m, &r, &v) && v.vip_id == id);
		{
			struct nlb_vip_spec later = vip4(A, 1005, IPPROTO_TCP);

			CHECK(t,
			      nlb_vipmgr__find_vip(m, &later, &v) == -ENOENT);
		}
		CHECK(t, !nlb_vipmgr__set_backend(m, &r, &b1, NULL));
		CHECK(t, slots_of(m, id, 0) + slots_of(m, id, 1) > 0);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "overlap_rejected")) {
		struct nlb_vip_spec one = vip4(A, 1009, IPPROTO_TCP);
		struct nlb_vip_spec over = range4(A, 990, 1000);
		struct nlb_vip_spec same = range4(A, 1000, 1001);
		struct nlb_vip_spec udp = range4(A, 1000, 1009);
		struct nlb_vip_spec next = range4(A, 1010, 1019);

		keys = nkeys(m);
		CHECK(t, nlb_vipmgr__add_vip(m, &one, NULL) == -EADDRINUSE);
		CHECK(t, nlb_vipmgr__add_vip(m, &over, NULL) == -EADDRINUSE);
		CHECK(t, nlb_vipmgr__add_vip(m, &same, NULL) == -EEXIST);
		CHECK_EQ_INT(t, nkeys(m), keys);
		owns(t, m, A, 1000, 1009, id);
		/* another protocol, and the ports right after, are free */
		udp.proto = IPPROTO_UDP;
		CHECK(t, !nlb_vipmgr__add_vip(m, &udp, NULL));
		CHECK(t, !nlb_vipmgr__add_vip(m, &next, &id2) && id2 != id);
		owns(t, m, A, 1010, 1019, id2);
		/* growing into the next VIP writes nothing */
		keys = nkeys(m);
		r = range4(A, 1000, 1012);
		CHECK(t, nlb_vipmgr__set_port_end(m, &r) == -EADDRINUSE);
		CHECK_EQ_INT(t, nkeys(m), keys);
		CHECK(t, !nlb_vipmgr__del_vip(m, &next));
		CHECK(t, !nlb_vipmgr__del_vip(m, &udp));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "range_changed")) {
		keys = nkeys(m);
		r = range4(A, 1000, 1004);
		CHECK(t, !nlb_vipmgr__set_port_end(m, &r));
		owns(t, m, A, 1000, 1004, id);
		CHECK_EQ_INT(t, nkeys(m), keys - 5);
		r = range4(A, 1000, 1019);
		CHECK(t, !nlb_vipmgr__set_port_end(m, &r));
		owns(t, m, A, 1000, 1019, id);
		/* same id, same backends, same table */
		CHECK_EQ_INT(t, nlb_vipmgr__backends_of(m, id, NULL, 0), 1);
		CHECK(t, !nlb_vipmgr__find_vip(m, &r, &v) && v.vip_id == id);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "bad_ranges")) {
		struct nlb_vip_spec big = range4("192.0.2.71", 1, 1025);
		struct nlb_vip_spec back = range4("192.0.2.71", 10, 10);
		struct nlb_vip_spec all = range4("192.0.2.71", 0, 0);

		keys = nkeys(m);
		CHECK(t, nlb_vipmgr__add_vip(m, &big, NULL) == -E2BIG);
		back.port_end = htons(9);
		CHECK(t, nlb_vipmgr__add_vip(m, &back, NULL) == -EINVAL);
		all.port_end = htons(5);
		CHECK(t, nlb_vipmgr__add_vip(m, &all, NULL) == -EINVAL);
		CHECK_EQ_INT(t, nkeys(m), keys);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "full_map_rolls_back")) {
		/* max_vips 64: 192 keys; a range of 500 cannot fit */
		struct nlb_vip_spec huge = range4("192.0.2.72", 2000, 2499);
		int err;

		keys = nkeys(m);
		err = nlb_vipmgr__add_vip(m, &huge, NULL);
		CHECK(t, err == -E2BIG || err == -ENOSPC, "%d", err);
		CHECK_EQ_INT(t, nkeys(m), keys);
		CHECK(t, port_owner(m, "192.0.2.72", 2001) == -1);
		/* growing an existing range: the same */
		huge = range4(A, 1000, 1499);
		err = nlb_vipmgr__set_port_end(m, &huge);
		CHECK(t, err == -E2BIG || err == -ENOSPC, "%d", err);
		CHECK_EQ_INT(t, nkeys(m), keys);
		owns(t, m, A, 1000, 1019, id);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "reload_keeps_it")) {
		struct nlb_dp *dp2 = load(t);

		if (dp2) {
			struct nlb_maps *m2 = nlb_dp__maps(dp2);
			struct seen w = {0};

			CHECK(t, !nlb_vipmgr__for_each_vip(m2, see_vip, &w));
			CHECK_EQ_INT(t, w.n, 1);
			CHECK(t,
			      w.n == 1 && w.s[0].port == htons(1000) &&
				      w.s[0].port_end == htons(1019) &&
				      w.s[0].ring_size == RING,
			      "read back %u-%u", ntohs(w.s[0].port),
			      ntohs(w.s[0].port_end));
			owns(t, m2, A, 1000, 1019, id);
			nlb_dp__free(dp2);
		}
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "keys_removed")) {
		struct nlb_vip_spec later = vip4(A, 1005, IPPROTO_TCP);

		/* a later port does not name the VIP */
		CHECK(t, nlb_vipmgr__del_vip(m, &later) == -ENOENT);
		CHECK(t, !nlb_vipmgr__del_vip(m, &r));
		CHECK_EQ_INT(t, nkeys(m), 0);
		CHECK(t, nlb_maps__backend(m, 0)->state == NLB_BACKEND_EMPTY);
		nlbt_sub_end(t);
	}
	nlb_dp__free(dp);
	CHECK(t, !nlb_dp__unpin_all(pin_dir), "unpin");
}

/* Reconcile with ranges over the real maps: the end moved in place, the
 * first port moved by removal and addition, overlaps rejected per VIP. */
NLB_TEST(reconcile_port_range)
{
	struct nlb_want_backend bes[1] = {
		{.family = NLB_FAMILY_V4, .weight = 1}};
	struct nlb_want_vip want[2] = {
		{range4("192.0.2.80", 7000, 7049), bes, 1},
		{vip4("192.0.2.80", 7060, IPPROTO_TCP), bes, 1}};
	struct nlb_reconcile_result res;
	struct nlb_node_ops ops;
	struct nlb_maps *m;
	struct nlb_dp *dp;
	struct nlb_vip v;
	__u32 id;

	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/nlbt-node-%d",
		 getpid());
	dp = load(t);
	if (!dp)
		return;
	m = nlb_dp__maps(dp);
	bes[0].addr[0] = inet_addr("198.51.100.9");
	nlb_reconcile_vipmgr_ops(&ops, m);
	CHECK(t, nlb_reconcile(&ops, want, 2, &res) == 0, "%d", res.first_err);
	CHECK_EQ_INT(t, res.vips_added, 2);
	REQUIRE(t, !nlb_vipmgr__find_vip(m, &want[0].spec, &v));
	id = v.vip_id;
	owns(t, m, "192.0.2.80", 7000, 7049, id);
	CHECK(t, nlb_reconcile(&ops, want, 2, &res) == 0);
	CHECK(t,
	      !res.vips_added && !res.vips_removed && !res.vips_ranged &&
		      !res.backends_written && !res.vips_rebuilt,
	      "second pass wrote something");
	/* the range grows up to the other VIP, which leaves */
	want[0].spec.port_end = htons(7060);
	CHECK(t, nlb_reconcile(&ops, want, 1, &res) == 0, "%d", res.first_err);
	CHECK(t,
	      res.vips_removed == 1 && res.vips_ranged == 1 && !res.vips_added);
	owns(t, m, "192.0.2.80", 7000, 7060, id);
	CHECK_EQ_INT(t, nlb_vipmgr__backends_of(m, id, NULL, 0), 1);
	/* an overlapping newcomer is refused; the range stays whole */
	want[1] = (struct nlb_want_vip){vip4("192.0.2.80", 7055, IPPROTO_TCP),
					bes, 1};
	CHECK(t, nlb_reconcile(&ops, want, 2, &res) == -EADDRINUSE);
	owns(t, m, "192.0.2.80", 7000, 7060, id);
	CHECK(t, nlb_vipmgr__find_vip(m, &want[1].spec, &v) == -ENOENT);
	/* a new first port: removed and added */
	want[0].spec.port = htons(6990);
	CHECK(t, nlb_reconcile(&ops, want, 1, &res) == 0, "%d", res.first_err);
	CHECK(t, res.vips_removed == 1 && res.vips_added == 1);
	REQUIRE(t, !nlb_vipmgr__find_vip(m, &want[0].spec, &v));
	owns(t, m, "192.0.2.80", 6990, 7060, v.vip_id);
	CHECK(t, nlb_reconcile(&ops, want, 0, &res) == 0);
	CHECK_EQ_INT(t, nkeys(m), 0);
	nlb_dp__free(dp);
	CHECK(t, !nlb_dp__unpin_all(pin_dir), "unpin");
}
