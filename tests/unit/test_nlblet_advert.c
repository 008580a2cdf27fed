// SPDX-License-Identifier: GPL-2.0
/* nlblet's advertise decision per VIP. */
#include <errno.h>
#include <string.h>

#include "nlblet_advert.h"
#include "nlbtest.h"

/* listener 80 monitored, 53/UDP not; lookup by address below */
static const char doc[] =
	"{\"revision\":1,\"vips\":["
	"{\"id\":\"a/mon\",\"generation\":4,\"vip\":\"10.99.0.1\","
	" \"listeners\":[{\"port\":80,\"healthCheck\":{\"type\":\"TCP\"},"
	"  \"backends\":[{\"address\":\"10.1.0.1\"},"
	"   {\"address\":\"10.1.0.2\",\"state\":\"drained\"},"
	"   {\"address\":\"10.1.0.3\",\"weight\":0}]}]},"
	"{\"id\":\"a/unmon\",\"generation\":2,\"vip\":\"fd00::1\","
	" \"listeners\":[{\"port\":53,\"protocol\":\"UDP\","
	"  \"backends\":[{\"address\":\"fd01::1\"}]}]},"
	"{\"id\":\"a/empty\",\"generation\":1,\"vip\":\"10.99.0.3\","
	" \"listeners\":[{\"port\":80,\"backends\":[]}]},"
	/* a range over NLB_VIP_PORTS_MAX: not programmable */
	"{\"id\":\"a/range\",\"generation\":1,\"vip\":\"10.99.0.4\","
	" \"listeners\":[{\"port\":80,\"portEnd\":1104,"
	"  \"backends\":[{\"address\":\"10.1.0.9\"}]}]}]}";

struct h {
	const char *up, *down; /* addresses */
};

static enum nlb_health lookup(void *arg, const char *key, const char *addr)
{
	const struct h *h = arg;

	(void)key;
	if (h->up && strstr(h->up, addr))
		return NLB_HEALTH_UP;
	if (h->down && strstr(h->down, addr))
		return NLB_HEALTH_DOWN;
	return NLB_HEALTH_UNKNOWN;
}

static bool advert(struct nlbt *t, const struct h *h, size_t i, long long gen)
{
	struct nlblet_assign a;
	char err[256] = "";
	bool r;

	if (!CHECK(t,
		   !nlblet_assign_parse(doc, lookup, (void *)h, &a, err,
					sizeof(err)),
		   "%s", err))
		return false;
	r = nlblet_advert_vip(&a, i, gen);
	nlblet_assign_free(&a);
	return r;
}

NLB_TEST(nlblet_advert)
{
	struct h none = {0}, up1 = {"10.1.0.1", NULL},
		 up_drained = {"10.1.0.2 10.1.0.3", "10.1.0.1"},
		 v6down = {NULL, "fd01::1"};

	if (nlbt_sub_begin(t, "monitored_unknown_not_advertised")) {
		CHECK(t, !advert(t, &none, 0, 4));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "monitored_healthy")) {
		CHECK(t, advert(t, &up1, 0, 4));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "not_synced")) {
		CHECK(t, !advert(t, &up1, 0, 3));
		CHECK(t, !advert(t, &up1, 0, 0));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "only_drained_or_weight0_healthy")) {
		CHECK(t, !advert(t, &up_drained, 0, 4));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "unmonitored_unknown_advertised")) {
		CHECK(t, advert(t, &none, 1, 2));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "unmonitored_down_not_advertised")) {
		CHECK(t, !advert(t, &v6down, 1, 2));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "no_backends")) {
		CHECK(t, !advert(t, &none, 2, 1));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "rejected_vip")) {
		CHECK(t, !advert(t, &none, 3, 1));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "out_of_range")) {
		CHECK(t, !advert(t, &none, 9, 1));
		nlbt_sub_end(t);
	}
}

NLB_TEST(nlblet_advert_prefix)
{
	struct nlblet_assign a;
	char err[256], buf[64];

	REQUIRE(t, !nlblet_assign_parse(doc, NULL, NULL, &a, err, sizeof(err)));
	CHECK_EQ_INT(t, nlblet_advert_prefix(&a, 0, buf, sizeof(buf)), 0);
	CHECK(t, !strcmp(buf, "10.99.0.1/32"), "%s", buf);
	CHECK_EQ_INT(t, nlblet_advert_prefix(&a, 1, buf, sizeof(buf)), 0);
	CHECK(t, !strcmp(buf, "fd00::1/128"), "%s", buf);
	CHECK_EQ_INT(t, nlblet_advert_prefix(&a, 3, buf, sizeof(buf)), -ENOENT);
	CHECK_EQ_INT(t, nlblet_advert_prefix(&a, 0, buf, 5), -ENOSPC);
	nlblet_assign_free(&a);
}
