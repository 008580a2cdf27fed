// SPDX-License-Identifier: GPL-2.0
/* Scheduler decisions: AZ spread, least loaded, capacity, rescheduling on
 * node loss, graceful drain, no churn; and controller passes on a real
 * store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nlbtest.h"
#include "sched_ctl.h"
#include "sched_place.h"

static void mk_nodes(struct sched_node *n, int cnt, int zones, int cap)
{
	static const char *const zn[] = {"az1", "az2", "az3", "az4"};
	static char names[64][8];
	int i;

	for (i = 0; i < cnt; i++) {
		snprintf(names[i], sizeof(names[i]), "n%02d", i);
		n[i] = (struct sched_node){.name = names[i],
					   .zone = zn[i % zones],
					   .capacity = cap,
					   .ready = true};
	}
}

static bool distinct_zones(const struct sched_node *n,
			   const struct sched_vip *v)
{
	int i, j;

	for (i = 0; i < v->nout; i++)
		for (j = i + 1; j < v->nout; j++)
			if (!strcmp(n[v->out[i]].zone, n[v->out[j]].zone))
				return false;
	return true;
}

NLB_TEST(sched_az_spread)
{
	struct sched_node n[6];
	struct sched_vip v[30] = {0};
	int i;

	/* nodes n00..n05 in az1,az2,az3,az1,az2,az3 */
	mk_nodes(n, 6, 3, 100);
	for (i = 0; i < 30; i++)
		v[i].replicas = 3;
	CHECK_EQ_INT(t, sched_place(n, 6, v, 30), 0);
	for (i = 0; i < 30; i++) {
		CHECK_EQ_INT(t, v[i].nout, 3);
		CHECK(t, distinct_zones(n, &v[i]), "vip %d shares a zone", i);
		CHECK(t, v[i].changed, "fresh placement is a change");
	}
}

NLB_TEST(sched_least_loaded)
{
	struct sched_node n[5];
	struct sched_vip v[101] = {0};
	int i, min = 1 << 30, max = 0;

	mk_nodes(n, 5, 1, 1000);
	for (i = 0; i < 100; i++)
		v[i].replicas = 2;
	CHECK_EQ_INT(t, sched_place(n, 5, v, 100), 0);
	for (i = 0; i < 5; i++) {
		min = n[i].load < min ? n[i].load : min;
		max = n[i].load > max ? n[i].load : max;
	}
	CHECK_EQ_INT(t, min, 40);
	CHECK_EQ_INT(t, max, 40);
	/* a new node gets the next VIP, nothing else moves */
	for (i = 0; i < 100; i++) {
		memcpy(v[i].cur, v[i].out, sizeof(v[i].out));
		v[i].ncur = v[i].nout;
	}
	{
		struct sched_node m[6];

		mk_nodes(m, 6, 1, 1000);
		v[100].replicas = 1;
		CHECK_EQ_INT(t, sched_place(m, 6, v, 101), 0);
		CHECK_EQ_INT(t, v[100].out[0], 5);
		for (i = 0; i < 100; i++)
			CHECK(t, !v[i].changed, "vip %d moved", i);
	}
}

NLB_TEST(sched_capacity)
{
	struct sched_node n[3];
	struct sched_vip v[4] = {0};
	int i;

	mk_nodes(n, 3, 3, 2);
	for (i = 0; i < 4; i++)
		v[i].replicas = 2;
	/* 3 nodes x 2 slots = 6 slots for 8 wanted */
	CHECK_EQ_INT(t, sched_place(n, 3, v, 4), 1);
	for (i = 0; i < 3; i++)
		CHECK(t, n[i].load <= 2, "node %d over capacity: %d", i,
		      n[i].load);
	CHECK_EQ_INT(t, v[3].nout, 0);
}

NLB_TEST(sched_node_loss_and_drain)
{
	struct sched_node n[4];
	struct sched_vip v[8] = {0};
	int i, k;

	mk_nodes(n, 4, 2, 100);
	for (i = 0; i < 8; i++)
		v[i].replicas = 2;
	REQUIRE(t, sched_place(n, 4, v, 8) == 0);
	for (i = 0; i < 8; i++) {
		memcpy(v[i].cur, v[i].out, sizeof(v[i].out));
		v[i].ncur = v[i].nout;
	}
	if (nlbt_sub_begin(t, "lost")) {
		n[1].ready = false; /* missed heartbeats */
		CHECK_EQ_INT(t, sched_place(n, 4, v, 8), 0);
		for (i = 0; i < 8; i++) {
			bool had1 = false;

			for (k = 0; k < v[i].ncur; k++)
				had1 |= v[i].cur[k] == 1;
			for (k = 0; k < v[i].nout; k++)
				CHECK(t, v[i].out[k] != 1,
				      "vip %d still on "
				      "the lost node",
				      i);
			CHECK_EQ_INT(t, v[i].nout, 2);
			CHECK(t, v[i].changed == had1,
			      "vip %d changed=%d had1=%d", i, v[i].changed,
			      had1);
			/* the surviving replica stays where it was */
			for (k = 0; k < v[i].ncur; k++)
				if (v[i].cur[k] != 1)
					CHECK(t,
					      v[i].out[0] == v[i].cur[k] ||
						      v[i].out[1] ==
							      v[i].cur[k],
					      "vip %d lost a good node", i);
		}
		n[1].ready = true;
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "drained_silent")) {
		/* drained, then stopped heartbeating: nothing to wait for */
		n[2].ready = false;
		CHECK_EQ_INT(t, sched_place(n, 4, v, 8), 0);
		CHECK_EQ_INT(t, n[2].load, 0);
		for (i = 0; i < 8; i++)
			CHECK_EQ_INT(t, v[i].nout, 2);
		n[2].ready = true;
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "all_down")) {
		for (i = 0; i < 4; i++)
			n[i].ready = false;
		CHECK_EQ_INT(t, sched_place(n, 4, v, 8), 8);
		CHECK_EQ_INT(t, v[0].nout, 0);
		nlbt_sub_end(t);
	}
}

NLB_TEST(sched_no_churn)
{
	struct sched_node n[6];
	struct sched_vip v[50] = {0};
	int i, round;

	mk_nodes(n, 6, 3, 100);
	for (i = 0; i < 50; i++)
		v[i].replicas = 2;
	for (round = 0; round < 3; round++) {
		CHECK_EQ_INT(t, sched_place(n, 6, v, 50), 0);
		for (i = 0; i < 50; i++) {
			if (round)
				CHECK(t, !v[i].changed, "round %d vip %d moved",
				      round, i);
			memcpy(v[i].cur, v[i].out, sizeof(v[i].out));
			v[i].ncur = v[i].nout;
		}
	}
	/* two replicas in one zone (placed when only that zone had room)
	 * are still well placed: no move just to spread */
	{
		struct sched_vip w = {.replicas = 2, .ncur = 2, .cur = {0, 3}};

		CHECK_EQ_INT(t, sched_place(n, 6, &w, 1), 0);
		CHECK(t, !w.changed, "same-zone pair was moved");
	}
}

NLB_TEST(sched_zone_filter)
{
	struct sched_node n[6];
	static const char *const only[] = {"az2"};
	struct sched_vip v = {.replicas = 2, .zones = only, .nzones = 1};
	int k;

	mk_nodes(n, 6, 3, 100);
	CHECK_EQ_INT(t, sched_place(n, 6, &v, 1), 0);
	CHECK_EQ_INT(t, v.nout, 2);
	for (k = 0; k < v.nout; k++)
		CHECK(t, !strcmp(n[v.out[k]].zone, "az2"), "zone %s",
		      n[v.out[k]].zone);
}

/* cur := out, as the next pass sees it; adv[k] for each node in `adv` */
static void settle_vip(struct sched_vip *v, const int *adv, int nadv)
{
	int k, a;

	memcpy(v->cur, v->out, sizeof(v->out));
	v->ncur = v->nout;
	for (k = 0; k < v->ncur; k++) {
		v->adv[k] = false;
		for (a = 0; a < nadv; a++)
			v->adv[k] |= v->cur[k] == adv[a];
	}
}

static void drain(struct sched_node *n)
{
	n->ready = false;
	n->draining = true;
}

static bool on(const struct sched_vip *v, int x)
{
	int k;

	for (k = 0; k < v->nout; k++)
		if (v->out[k] == x)
			return true;
	return false;
}

NLB_TEST(sched_drain_held_until_others_advertise)
{
	struct sched_node n[3];
	struct sched_vip v = {.replicas = 2, .ncur = 2, .cur = {0, 1}};

	mk_nodes(n, 3, 3, 100);
	drain(&n[0]);
	/* n02 replaces n00, which keeps the VIP, after the serving nodes */
	CHECK_EQ_INT(t, sched_place(n, 3, &v, 1), 0);
	REQUIRE(t, v.nout == 3, "nout %d", v.nout);
	CHECK_EQ_INT(t, v.held, 1);
	CHECK_EQ_INT(t, v.out[2], 0);
	CHECK(t, on(&v, 1) && on(&v, 2), "replicas not on n01 and n02");
	CHECK(t, v.changed, "the replacement is a change");
	CHECK_EQ_INT(t, n[0].load, 1);
	/* the old replica advertises, the new one not yet: still held */
	settle_vip(&v, (const int[]){0, 1}, 2);
	CHECK_EQ_INT(t, sched_place(n, 3, &v, 1), 0);
	CHECK_EQ_INT(t, v.held, 1);
	CHECK(t, !v.changed, "nothing moves while n02 does not advertise");
	/* both serving nodes advertise: n00 lets go */
	settle_vip(&v, (const int[]){0, 1, 2}, 3);
	CHECK_EQ_INT(t, sched_place(n, 3, &v, 1), 0);
	CHECK_EQ_INT(t, v.nout, 2);
	CHECK_EQ_INT(t, v.held, 0);
	CHECK(t, !on(&v, 0), "still on the drained node");
	CHECK(t, v.changed, "the release is a change");
	CHECK_EQ_INT(t, n[0].load, 0);
}

NLB_TEST(sched_drain_released_at_once)
{
	struct sched_node n[2];
	struct sched_vip v = {
		.replicas = 2, .ncur = 2, .cur = {0, 1}, .adv = {true, true}};

	/* no node to replace n00, and n01 advertises already: nothing to
	 * wait for */
	mk_nodes(n, 2, 2, 100);
	drain(&n[0]);
	CHECK_EQ_INT(t, sched_place(n, 2, &v, 1), 1);
	CHECK_EQ_INT(t, v.nout, 1);
	CHECK_EQ_INT(t, v.out[0], 1);
	CHECK_EQ_INT(t, v.held, 0);
	CHECK(t, v.changed, "not released");
	/* a report of another generation does not count */
	v = (struct sched_vip){.replicas = 2, .ncur = 2, .cur = {0, 1}};
	CHECK_EQ_INT(t, sched_place(n, 2, &v, 1), 1);
	CHECK_EQ_INT(t, v.held, 1);
	CHECK(t, !v.changed, "released without an advertised replica");
}

NLB_TEST(sched_drain_timeout)
{
	struct sched_node n[2];
	struct sched_vip v = {.replicas = 1, .ncur = 1, .cur = {0}};

	mk_nodes(n, 2, 2, 100);
	if (nlbt_sub_begin(t, "no_other_node")) {
		n[1].ready = false;
		drain(&n[0]);
		CHECK_EQ_INT(t, sched_place(n, 2, &v, 1), 1);
		CHECK_EQ_INT(t, v.nout, 1);
		CHECK_EQ_INT(t, v.held, 1);
		CHECK(t, !v.changed, "moved with nowhere to go");
		n[0].drain_expired = true;
		CHECK_EQ_INT(t, sched_place(n, 2, &v, 1), 1);
		CHECK_EQ_INT(t, v.nout, 0);
		CHECK(t, v.changed, "held past the timeout");
		nlbt_sub_end(t);
	}
	mk_nodes(n, 2, 2, 100);
	v = (struct sched_vip){.replicas = 1, .ncur = 1, .cur = {0}};
	if (nlbt_sub_begin(t, "never_reported")) {
		drain(&n[0]);
		CHECK_EQ_INT(t, sched_place(n, 2, &v, 1), 0);
		CHECK_EQ_INT(t, v.held, 1);
		settle_vip(&v, NULL, 0);
		CHECK_EQ_INT(t, sched_place(n, 2, &v, 1), 0);
		CHECK_EQ_INT(t, v.held, 1);
		n[0].drain_expired = true;
		CHECK_EQ_INT(t, sched_place(n, 2, &v, 1), 0);
		CHECK_EQ_INT(t, v.nout, 1);
		CHECK_EQ_INT(t, v.out[0], 1);
		CHECK_EQ_INT(t, v.held, 0);
		nlbt_sub_end(t);
	}
}

NLB_TEST(sched_undrain)
{
	struct sched_node n[2];
	struct sched_vip v = {.replicas = 1, .ncur = 1, .cur = {0}};

	mk_nodes(n, 2, 2, 100);
	if (nlbt_sub_begin(t, "nothing_moved_yet")) {
		n[1].ready = false;
		drain(&n[0]);
		CHECK_EQ_INT(t, sched_place(n, 2, &v, 1), 1);
		CHECK_EQ_INT(t, v.held, 1);
		settle_vip(&v, (const int[]){0}, 1);
		n[0].ready = true;
		n[0].draining = false;
		CHECK_EQ_INT(t, sched_place(n, 2, &v, 1), 0);
		CHECK_EQ_INT(t, v.nout, 1);
		CHECK_EQ_INT(t, v.held, 0);
		CHECK(t, !v.changed, "undrain moved the VIP");
		nlbt_sub_end(t);
	}
	mk_nodes(n, 2, 2, 100);
	v = (struct sched_vip){.replicas = 1, .ncur = 1, .cur = {0}};
	if (nlbt_sub_begin(t, "replaced_meanwhile")) {
		drain(&n[0]);
		CHECK_EQ_INT(t, sched_place(n, 2, &v, 1), 0);
		settle_vip(&v, (const int[]){0}, 1);
		/* the serving replica comes first: no churn keeps it, and
		 * the undrained node is just a candidate again */
		n[0].ready = true;
		n[0].draining = false;
		CHECK_EQ_INT(t, sched_place(n, 2, &v, 1), 0);
		CHECK_EQ_INT(t, v.nout, 1);
		CHECK_EQ_INT(t, v.out[0], 1);
		CHECK_EQ_INT(t, v.held, 0);
		/* and takes new VIPs again */
		{
			struct sched_vip w = {.replicas = 1};

			CHECK_EQ_INT(t, sched_place(n, 2, &w, 1), 0);
			CHECK_EQ_INT(t, w.out[0], 0);
		}
		nlbt_sub_end(t);
	}
}

/* --- the controller on a real SQLite store ------------------------------ */

static int put(struct store *st, const char *k, const char *v)
{
	struct store_op op = {STORE_PUT, k, v};

	return store_txn(st, NULL, 0, &op, 1, NULL);
}

static int count(struct store *st, const char *prefix)
{
	struct store_kv *kvs;
	size_t n;

	if (store_range(st, prefix, NULL, 0, &kvs, &n))
		return -1;
	store_kvs_free(kvs, n);
	return (int)n;
}

/* A fresh SQLite store in a new directory made from the mkdtemp
 * template dir. */
static struct store *store_in(char *dir, int *err)
{
	char path[64];

	if (!mkdtemp(dir)) {
		*err = -errno;
		return NULL;
	}
	snprintf(path, sizeof(path), "sqlite:%s/db", dir);
	return store_open(path, err);
}

/* Closes st and removes its directory; 0 on success. */
static int store_gone(struct store *st, const char *dir)
{
	char cmd[96];

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* load balancer t/a: two replicas, generation 1 */
#define LB_A                                                      \
	"{\"name\":\"a\",\"spec\":{\"replicas\":2},\"metadata\":" \
	"{\"generation\":1}}"

/* node/n<i> in zone az<i % zones>, last heard at hb (epoch ms) */
static int put_heard(struct store *st, int i, int zones, long long hb)
{
	char k[32], v[256];

	snprintf(k, sizeof(k), "node/n%d", i);
	snprintf(v, sizeof(v),
		 "{\"name\":\"n%d\",\"zone\":\"az%d\",\"capacity\":10,"
		 "\"drained\":false,\"lastHeartbeatMs\":%lld}",
		 i, i % zones, hb);
	return put(st, k, v);
}

NLB_TEST(sched_ctl_pass)
{
	char dir[] = "/tmp/nlbt-cp-sched.XXXXXX";
	struct sched_ctl c;
	struct sched_stats s;
	struct store *st;
	int err, i;
	long long now;

	st = store_in(dir, &err);
	REQUIRE(t, st != NULL, "store: %d", err);
	sched_ctl_init(&c, st, "test");
	c.heartbeat_timeout_ms = 1000;
	now = gw_now_ms();
	for (i = 0; i < 4; i++)
		CHECK_EQ_INT(t, put_heard(st, i, 2, now), 0);
	CHECK_EQ_INT(t, put(st, "lb/t/a", LB_A), 0);
	CHECK_EQ_INT(t, sched_ctl_lead(&c), 1);
	CHECK_EQ_INT(t, sched_ctl_step(&c, &s), 0);
	CHECK_EQ_INT(t, s.moved, 1);
	CHECK_EQ_INT(t, s.ready, 4);
	CHECK_EQ_INT(t, count(st, "nodeassign/"), 2);
	CHECK_EQ_INT(t, count(st, "nodegen/"), 2);
	CHECK_EQ_INT(t, sched_ctl_step(&c, &s), 0);
	CHECK_EQ_INT(t, s.moved, 0);
	/* a second scheduler does not lead while the lease holds */
	{
		struct sched_ctl c2;

		sched_ctl_init(&c2, st, "other");
		CHECK_EQ_INT(t, sched_ctl_lead(&c2), 0);
		sched_ctl_resign(&c);
		CHECK_EQ_INT(t, sched_ctl_lead(&c2), 1);
		CHECK_EQ_INT(t, sched_ctl_lead(&c), 0);
		sched_ctl_fini(&c2);
	}
	/* every node but n3 goes silent, long after c took the lead: the
	 * LB ends on n3 alone */
	c.led_since_ms = now - 5000;
	for (i = 0; i < 3; i++)
		CHECK_EQ_INT(t, put_heard(st, i, 2, now - 5000), 0);
	CHECK_EQ_INT(t, sched_ctl_step(&c, &s), 0);
	CHECK_EQ_INT(t, s.ready, 1);
	CHECK_EQ_INT(t, s.short_, 1);
	CHECK_EQ_INT(t, count(st, "nodeassign/n3/"), 1);
	CHECK_EQ_INT(t, count(st, "nodeassign/"), 1);
	sched_ctl_fini(&c);
	CHECK_EQ_INT(t, store_gone(st, dir), 0);
}

/* A scheduler that has just taken the lead (a control plane back after a
 * minute away) finds every heartbeat stale: it gives the nodes one
 * heartbeat timeout from its start before it moves anything. */
NLB_TEST(sched_ctl_new_leader_grace)
{
	char dir[] = "/tmp/nlbt-cp-sched.XXXXXX";
	struct sched_ctl c;
	struct sched_stats s;
	struct store *st;
	int err, i;
	long long now;

	st = store_in(dir, &err);
	REQUIRE(t, st != NULL, "store: %d", err);
	sched_ctl_init(&c, st, "test");
	c.heartbeat_timeout_ms = 1000;
	now = gw_now_ms();
	for (i = 0; i < 2; i++)
		CHECK_EQ_INT(t, put_heard(st, i, 2, now), 0);
	CHECK_EQ_INT(t, put(st, "lb/t/a", LB_A), 0);
	CHECK_EQ_INT(t, sched_ctl_lead(&c), 1);
	CHECK_EQ_INT(t, sched_ctl_step(&c, &s), 0);
	CHECK_EQ_INT(t, count(st, "nodeassign/"), 2);
	sched_ctl_resign(&c);
	sched_ctl_fini(&c);

	/* a minute later a new scheduler starts: heartbeats 60 s old */
	for (i = 0; i < 2; i++)
		CHECK_EQ_INT(t, put_heard(st, i, 2, now - 60000), 0);
	sched_ctl_init(&c, st, "restarted");
	c.heartbeat_timeout_ms = 1000;
	CHECK_EQ_INT(t, sched_ctl_lead(&c), 1);
	CHECK(t, c.led_since_ms >= now, "led since %lld",
	      (long long)c.led_since_ms);
	CHECK_EQ_INT(t, sched_ctl_step(&c, &s), 0);
	CHECK_EQ_INT(t, s.ready, 2);
	CHECK_EQ_INT(t, s.moved, 0);
	CHECK_EQ_INT(t, count(st, "nodeassign/"), 2);
	/* renewing the lease does not restart the grace */
	c.led_since_ms -= 5000;
	{
		int64_t since = c.led_since_ms;

		CHECK_EQ_INT(t, sched_ctl_lead(&c), 1);
		CHECK(t, c.led_since_ms == since, "grace restarted on renewal");
	}
	/* a timeout after taking the lead, still silent: expired */
	CHECK_EQ_INT(t, sched_ctl_step(&c, &s), 0);
	CHECK_EQ_INT(t, s.ready, 0);
	CHECK_EQ_INT(t, count(st, "nodeassign/"), 0);
	sched_ctl_fini(&c);
	CHECK_EQ_INT(t, store_gone(st, dir), 0);
}

static int put_node(struct store *st, int i, bool drained, long long at)
{
	char k[32], v[256];

	snprintf(k, sizeof(k), "node/n%d", i);
	snprintf(
		v, sizeof(v),
		"{\"name\":\"n%d\",\"zone\":\"az%d\",\"capacity\":10,"
		"\"drained\":%s,\"drainedAtMs\":%lld,\"lastHeartbeatMs\":%lld}",
		i, i, drained ? "true" : "false", at, (long long)gw_now_ms());
	return put(st, k, v);
}

static int put_report(struct store *st, const char *node, int gen)
{
	char k[64], v[128];

	snprintf(k, sizeof(k), "nodestatus/%s", node);
	snprintf(v, sizeof(v),
		 "{\"vips\":[{\"id\":\"t/a\",\"generation\":%d,"
		 "\"advertised\":true,\"backends\":[]}]}",
		 gen);
	return put(st, k, v);
}

NLB_TEST(sched_ctl_drain)
{
	char dir[] = "/tmp/nlbt-cp-drain.XXXXXX";
	struct sched_ctl c;
	struct sched_stats s;
	struct store *st;
	int err;

	st = store_in(dir, &err);
	REQUIRE(t, st != NULL, "store: %d", err);
	sched_ctl_init(&c, st, "test");
	c.heartbeat_timeout_ms = 60000;
	CHECK_EQ_INT(t, c.drain_timeout_ms, 30000);
	CHECK_EQ_INT(t, put_node(st, 0, false, 0), 0);
	CHECK_EQ_INT(t, put_node(st, 1, false, 0), 0);
	CHECK_EQ_INT(t,
		     put(st, "lb/t/a",
			 "{\"name\":\"a\",\"spec\":{\"replicas\":1},"
			 "\"metadata\":{\"generation\":3}}"),
		     0);
	CHECK_EQ_INT(t, sched_ctl_lead(&c), 1);
	CHECK_EQ_INT(t, sched_ctl_step(&c, &s), 0);
	CHECK_EQ_INT(t, count(st, "nodeassign/n0/"), 1);
	/* drained: n1 takes it over, n0 holds it meanwhile */
	CHECK_EQ_INT(t, put_node(st, 0, true, gw_now_ms()), 0);
	CHECK_EQ_INT(t, sched_ctl_step(&c, &s), 0);
	CHECK_EQ_INT(t, s.draining, 1);
	CHECK_EQ_INT(t, s.held, 1);
	CHECK_EQ_INT(t, s.short_, 0);
	CHECK_EQ_INT(t, count(st, "nodeassign/n0/"), 1);
	CHECK_EQ_INT(t, count(st, "nodeassign/n1/"), 1);
	CHECK_EQ_INT(t, sched_ctl_step(&c, &s), 0);
	CHECK_EQ_INT(t, s.moved, 0);
	/* n1 advertises an older generation: not yet */
	CHECK_EQ_INT(t, put_report(st, "n1", 2), 0);
	CHECK_EQ_INT(t, sched_ctl_step(&c, &s), 0);
	CHECK_EQ_INT(t, s.moved, 0);
	CHECK_EQ_INT(t, count(st, "nodeassign/n0/"), 1);
	/* the current one: n0 lets go */
	CHECK_EQ_INT(t, put_report(st, "n1", 3), 0);
	CHECK_EQ_INT(t, sched_ctl_step(&c, &s), 0);
	CHECK_EQ_INT(t, s.moved, 1);
	CHECK_EQ_INT(t, s.held, 0);
	CHECK_EQ_INT(t, count(st, "nodeassign/n0/"), 0);
	CHECK_EQ_INT(t, count(st, "nodeassign/n1/"), 1);
	/* the other way round, and nobody reports: the timeout decides */
	CHECK_EQ_INT(t, put_node(st, 0, false, 0), 0);
	CHECK_EQ_INT(t, put_node(st, 1, true, gw_now_ms() - 1000), 0);
	CHECK_EQ_INT(t, put(st, "nodestatus/n1", "{\"vips\":[]}"), 0);
	CHECK_EQ_INT(t, sched_ctl_step(&c, &s), 0);
	CHECK_EQ_INT(t, s.held, 1);
	CHECK_EQ_INT(t, count(st, "nodeassign/n1/"), 1);
	c.drain_timeout_ms = 1000;
	CHECK_EQ_INT(t, sched_ctl_step(&c, &s), 0);
	CHECK_EQ_INT(t, s.held, 0);
	CHECK_EQ_INT(t, count(st, "nodeassign/n1/"), 0);
	CHECK_EQ_INT(t, count(st, "nodeassign/n0/"), 1);
	sched_ctl_fini(&c);
	CHECK_EQ_INT(t, store_gone(st, dir), 0);
}
