// SPDX-License-Identifier: GPL-2.0
/* The node's reconcile decisions against an in-memory forwarder. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "nlbtest.h"
#include "reconcile.h"

#define FAKE_VIPS 8
#define FAKE_BES 8

/* The fake forwarder: what it has, and how many writes it got. */
struct fake {
	struct {
		int used;
		struct nlb_vip_spec s;
		struct nlb_have_backend b[FAKE_BES];
		size_t n;
	} vip[FAKE_VIPS];
	int writes, rebuilds;
	__be32 fail_addr; /* put_backend of this address fails */
};

static int fake_find(struct fake *f, const struct nlb_vip_spec *s)
{
	for (int i = 0; i < FAKE_VIPS; i++)
		if (f->vip[i].used && f->vip[i].s.port == s->port &&
		    f->vip[i].s.proto == s->proto &&
		    !memcmp(f->vip[i].s.addr, s->addr, 16))
			return i;
	return -ENOENT;
}

static int fake_each(void *ctx,
		     int (*fn)(const struct nlb_vip_spec *s,
			       const struct nlb_have_backend *b, size_t n,
			       void *arg),
		     void *arg)
{
	struct fake *f = ctx;

	for (int i = 0; i < FAKE_VIPS; i++) {
		int err;

		if (!f->vip[i].used)
			continue;
		err = fn(&f->vip[i].s, f->vip[i].b, f->vip[i].n, arg);
		if (err)
			return err;
	}
	return 0;
}

static int fake_add(void *ctx, const struct nlb_vip_spec *s)
{
	struct fake *f = ctx;

	f->writes++;
	for (int i = 0; i < FAKE_VIPS; i++) {
		if (f->vip[i].used)
			continue;
		memset(&f->vip[i], 0, sizeof(f->vip[i]));
		f->vip[i].used = 1;
		f->vip[i].s = *s;
		return 0;
	}
	return -ENOSPC;
}

static int fake_del(void *ctx, const struct nlb_vip_spec *s)
{
	struct fake *f = ctx;
	int i = fake_find(f, s);

	f->writes++;
	if (i < 0)
		return i;
	f->vip[i].used = 0;
	return 0;
}

static int fake_set_end(void *ctx, const struct nlb_vip_spec *s)
{
	struct fake *f = ctx;
	int i = fake_find(f, s);

	f->writes++;
	if (i < 0)
		return i;
	f->vip[i].s.port_end = s->port_end;
	return 0;
}

static int fake_put(void *ctx, const struct nlb_vip_spec *s,
		    const struct nlb_backend_spec *b)
{
	struct fake *f = ctx;
	int i = fake_find(f, s);
	size_t j;

	f->writes++;
	if (i < 0)
		return i;
	if (f->fail_addr && b->addr[0] == f->fail_addr)
		return -EIO;
	for (j = 0; j < f->vip[i].n; j++)
		if (!memcmp(f->vip[i].b[j].addr, b->addr, 16))
			break;
	if (j == f->vip[i].n) {
		if (j == FAKE_BES)
			return -ENOSPC;
		f->vip[i].n++;
	}
	f->vip[i].b[j].family = b->family;
	f->vip[i].b[j].state = b->state;
	f->vip[i].b[j].weight = b->weight;
	memcpy(f->vip[i].b[j].addr, b->addr, 16);
	return 0;
}

static int fake_del_be(void *ctx, const struct nlb_vip_spec *s, __u8 family,
		       const __be32 addr[4])
{
	struct fake *f = ctx;
	int i = fake_find(f, s);

	(void)family;
	f->writes++;
	if (i < 0)
		return i;
	for (size_t j = 0; j < f->vip[i].n; j++) {
		if (memcmp(f->vip[i].b[j].addr, addr, 16))
			continue;
		f->vip[i].b[j] = f->vip[i].b[--f->vip[i].n];
		return 0;
	}
	return -ENOENT;
}

static int fake_rebuild(void *ctx, const struct nlb_vip_spec *vips, size_t n)
{
	struct fake *f = ctx;

	(void)vips;
	f->rebuilds += (int)n;
	return 0;
}

static void fake_ops(struct nlb_node_ops *ops, struct fake *f)
{
	memset(f, 0, sizeof(*f));
	*ops = (struct nlb_node_ops){.ctx = f,
				     .for_each_vip = fake_each,
				     .add_vip = fake_add,
				     .del_vip = fake_del,
				     .set_port_end = fake_set_end,
				     .put_backend = fake_put,
				     .del_backend = fake_del_be,
				     .rebuild = fake_rebuild};
}

static struct nlb_want_backend be(const char *a, __u16 w)
{
	struct nlb_want_backend b = {.family = NLB_FAMILY_V4, .weight = w};

	b.addr[0] = inet_addr(a);
	return b;
}

static struct nlb_vip_spec vip(const char *a, __u16 port)
{
	struct nlb_vip_spec s = {.family = NLB_FAMILY_V4,
				 .proto = IPPROTO_TCP,
				 .port = htons(port)};

	s.addr[0] = inet_addr(a);
	return s;
}

static __u8 state_of(struct fake *f, const struct nlb_vip_spec *s,
		     const char *a)
{
	int i = fake_find(f, s);

	for (size_t j = 0; i >= 0 && j < f->vip[i].n; j++)
		if (f->vip[i].b[j].addr[0] == inet_addr(a))
			return f->vip[i].b[j].state;
	return NLB_BACKEND_EMPTY;
}

NLB_TEST(reconcile)
{
	struct nlb_want_backend web_be[3] = {
		be("10.1.0.1", 100), be("10.1.0.2", 100), be("10.1.0.3", 50)};
	struct nlb_want_backend dns_be[1] = {be("10.2.0.1", 1)};
	struct nlb_want_vip want[2] = {
		{vip("192.0.2.1", 443), web_be, 3},
		{vip("192.0.2.2", 53), dns_be, 1},
	};
	struct nlb_reconcile_result r;
	struct nlb_node_ops ops;
	struct fake f;

	fake_ops(&ops, &f);
	if (nlbt_sub_begin(t, "from_empty")) {
		CHECK(t, nlb_reconcile(&ops, want, 2, &r) == 0);
		CHECK_EQ_INT(t, r.vips_added, 2);
		CHECK_EQ_INT(t, r.backends_written, 4);
		CHECK_EQ_INT(t, r.vips_rebuilt, 2);
		CHECK_EQ_INT(t, state_of(&f, &want[0].spec, "10.1.0.3"),
			     NLB_BACKEND_ENABLED);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "idempotent")) {
		f.writes = f.rebuilds = 0;
		CHECK(t, nlb_reconcile(&ops, want, 2, &r) == 0);
		CHECK_EQ_INT(t, f.writes, 0);
		CHECK_EQ_INT(t, f.rebuilds, 0);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "health_and_admin_states")) {
		web_be[0].health = NLB_HEALTH_DOWN;
		web_be[1].drained = 1;
		dns_be[0].weight = 0;
		f.writes = f.rebuilds = 0;
		CHECK(t, nlb_reconcile(&ops, want, 2, &r) == 0);
		CHECK_EQ_INT(t, r.backends_written, 3);
		CHECK_EQ_INT(t, f.rebuilds, 2);
		CHECK_EQ_INT(t, state_of(&f, &want[0].spec, "10.1.0.1"),
			     NLB_BACKEND_DOWN);
		CHECK_EQ_INT(t, state_of(&f, &want[0].spec, "10.1.0.2"),
			     NLB_BACKEND_DRAINED);
		CHECK_EQ_INT(t, state_of(&f, &want[1].spec, "10.2.0.1"),
			     NLB_BACKEND_DRAINED);
		/* down wins over drained: no flows at all */
		web_be[1].health = NLB_HEALTH_DOWN;
		CHECK(t, nlb_reconcile(&ops, want, 2, &r) == 0);
		CHECK_EQ_INT(t, state_of(&f, &want[0].spec, "10.1.0.2"),
			     NLB_BACKEND_DOWN);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "removals")) {
		f.writes = f.rebuilds = 0;
		want[0].n = 2; /* 10.1.0.3 leaves */
		CHECK(t, nlb_reconcile(&ops, want, 1, &r) == 0);
		CHECK_EQ_INT(t, r.backends_removed, 1);
		CHECK_EQ_INT(t, r.vips_removed, 1);
		CHECK(t, fake_find(&f, &want[1].spec) == -ENOENT);
		CHECK_EQ_INT(t, state_of(&f, &want[0].spec, "10.1.0.3"),
			     NLB_BACKEND_EMPTY);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "bad_input_writes_nothing")) {
		struct nlb_want_vip twice[2] = {want[0], want[0]};

		f.writes = 0;
		CHECK(t, nlb_reconcile(&ops, twice, 2, &r) == -EINVAL);
		CHECK_EQ_INT(t, f.writes, 0);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "a_failed_write_does_not_stop_the_rest")) {
		struct nlb_want_backend bes[2] = {be("10.3.0.1", 1),
						  be("10.3.0.2", 1)};
		struct nlb_want_vip w[1] = {{vip("192.0.2.3", 80), bes, 2}};

		f.fail_addr = inet_addr("10.3.0.1");
		CHECK(t, nlb_reconcile(&ops, w, 1, &r) == -EIO);
		CHECK_EQ_INT(t, r.first_err, -EIO);
		CHECK_EQ_INT(t, state_of(&f, &w[0].spec, "10.3.0.2"),
			     NLB_BACKEND_ENABLED);
		/* the next pass retries what failed */
		f.fail_addr = 0;
		CHECK(t, nlb_reconcile(&ops, w, 1, &r) == 0);
		CHECK_EQ_INT(t, r.backends_written, 1);
		nlbt_sub_end(t);
	}
}

NLB_TEST(reconcile_port_range)
{
	struct nlb_want_backend bes[1] = {be("10.4.0.1", 1)};
	struct nlb_want_vip w[1] = {{vip("192.0.2.9", 1000), bes, 1}};
	struct nlb_reconcile_result r;
	struct nlb_node_ops ops;
	struct fake f;
	int i;

	fake_ops(&ops, &f);
	w[0].spec.port_end = htons(1009);
	CHECK(t, nlb_reconcile(&ops, w, 1, &r) == 0);
	CHECK_EQ_INT(t, r.vips_added, 1);
	i = fake_find(&f, &w[0].spec);
	CHECK(t, i >= 0 && f.vip[i].s.port_end == htons(1009));
	f.writes = f.rebuilds = 0;
	CHECK(t, nlb_reconcile(&ops, w, 1, &r) == 0);
	CHECK_EQ_INT(t, f.writes, 0);
	/* a moved end: one update in place, the backends untouched */
	w[0].spec.port_end = htons(1004);
	CHECK(t, nlb_reconcile(&ops, w, 1, &r) == 0);
	CHECK_EQ_INT(t, r.vips_ranged, 1);
	CHECK_EQ_INT(t, f.writes, 1);
	CHECK_EQ_INT(t, f.rebuilds, 0);
	CHECK(t, i >= 0 && f.vip[i].s.port_end == htons(1004));
	/* a range down to one port: port_end 0 and the port itself agree */
	w[0].spec.port_end = 0;
	CHECK(t, nlb_reconcile(&ops, w, 1, &r) == 0 && r.vips_ranged == 1);
	f.writes = 0;
	w[0].spec.port_end = htons(1000);
	CHECK(t, nlb_reconcile(&ops, w, 1, &r) == 0);
	CHECK_EQ_INT(t, f.writes, 0);
	/* a moved first port names another VIP */
	w[0].spec.port = htons(999);
	CHECK(t, nlb_reconcile(&ops, w, 1, &r) == 0);
	CHECK(t, r.vips_removed == 1 && r.vips_added == 1 && !r.vips_ranged);
}

NLB_TEST(reconcile_panic)
{
	struct nlb_want_backend bes[3] = {be("10.5.0.1", 1), be("10.5.0.2", 1),
					  be("10.5.0.3", 1)};
	struct nlb_want_vip w[1] = {{vip("192.0.2.10", 80), bes, 3}};
	struct nlb_reconcile_result r;
	struct nlb_node_ops ops;
	struct fake f;

	fake_ops(&ops, &f);
	bes[1].health = NLB_HEALTH_DOWN;
	bes[2].health = NLB_HEALTH_DOWN;
	bes[2].drained = 1;
	CHECK(t, nlb_reconcile(&ops, w, 1, &r) == 0);
	CHECK_EQ_INT(t, state_of(&f, &w[0].spec, "10.5.0.2"), NLB_BACKEND_DOWN);
	CHECK_EQ_INT(t, state_of(&f, &w[0].spec, "10.5.0.3"), NLB_BACKEND_DOWN);
	/* in panic health is ignored: the admin state alone decides */
	w[0].panic = 1;
	CHECK(t, nlb_reconcile(&ops, w, 1, &r) == 0);
	CHECK_EQ_INT(t, r.backends_written, 2);
	CHECK_EQ_INT(t, state_of(&f, &w[0].spec, "10.5.0.1"),
		     NLB_BACKEND_ENABLED);
	CHECK_EQ_INT(t, state_of(&f, &w[0].spec, "10.5.0.2"),
		     NLB_BACKEND_ENABLED);
	CHECK_EQ_INT(t, state_of(&f, &w[0].spec, "10.5.0.3"),
		     NLB_BACKEND_DRAINED);
	/* out of panic: down again */
	w[0].panic = 0;
	CHECK(t, nlb_reconcile(&ops, w, 1, &r) == 0);
	CHECK_EQ_INT(t, state_of(&f, &w[0].spec, "10.5.0.2"), NLB_BACKEND_DOWN);
}
