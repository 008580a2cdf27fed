// SPDX-License-Identifier: GPL-2.0
/* nlblet's assignments parser: fixture documents into exact wants. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "nlblet_assign.h"
#include "nlbtest.h"

static const char two_vips[] =
	"{\"node\":\"n1\",\"revision\":42,\"vips\":["
	" {\"id\":\"acme/web\",\"generation\":3,\"vip\":\"10.99.0.1\","
	"  \"ipFamily\":\"IPv4\",\"listeners\":["
	"  {\"port\":443,\"protocol\":\"TCP\",\"backends\":["
	"   {\"address\":\"10.1.0.11\",\"weight\":100,\"state\":\"enabled\"},"
	"   {\"address\":\"10.1.0.12\",\"weight\":0,\"state\":\"enabled\"},"
	"   {\"address\":\"10.1.0.13\",\"weight\":256,\"state\":\"drained\","
	"    \"monitorAddress\":\"10.2.0.13\"}],"
	"   \"healthCheck\":{\"type\":\"TCP\",\"intervalMs\":2000,"
	"    \"timeoutMs\":1000,\"rise\":2,\"fall\":3}},"
	"  {\"port\":53,\"protocol\":\"UDP\",\"backends\":["
	"   {\"address\":\"10.1.0.11\",\"weight\":7,\"state\":\"enabled\"}]}]},"
	" {\"id\":\"acme/v6\",\"generation\":1,\"vip\":\"fd00::99\","
	"  \"ipFamily\":\"IPv6\",\"listeners\":["
	"  {\"port\":0,\"protocol\":\"TCP\",\"backends\":["
	"   {\"address\":\"fd01::11\",\"weight\":100,\"state\":\"enabled\"}]}]}"
	"]}";

static __be32 ip4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

/* down: 10.2.0.13 (the monitor address) on acme/web:443/TCP only */
static enum nlb_health lookup(void *arg, const char *key, const char *addr)
{
	int *calls = arg;

	(*calls)++;
	if (!strcmp(key, "acme/web:443/TCP") && !strcmp(addr, "10.2.0.13"))
		return NLB_HEALTH_DOWN;
	if (!strcmp(key, "acme/web:443/TCP") && !strcmp(addr, "10.1.0.11"))
		return NLB_HEALTH_UP;
	return NLB_HEALTH_UNKNOWN;
}

NLB_TEST(nlblet_assign_exact)
{
	struct nlblet_assign a;
	char err[256] = "";
	int calls = 0, e;

	e = nlblet_assign_parse(two_vips, lookup, &calls, &a, err, sizeof(err));
	REQUIRE(t, e == 0, "parse: %d %s", e, err);
	CHECK_EQ_INT(t, a.revision, 42);
	CHECK_EQ_INT(t, a.n_vips, 2);
	CHECK_EQ_INT(t, a.n_want, 3);
	CHECK_EQ_INT(t, a.n_backends, 5);
	CHECK_EQ_INT(t, calls, 5);
	CHECK(t, !strcmp(a.vips[0].id, "acme/web"));
	CHECK_EQ_INT(t, a.vips[0].generation, 3);
	CHECK_EQ_INT(t, a.vips[0].err, 0);
	CHECK_EQ_INT(t, a.vips[0].first, 0);
	CHECK_EQ_INT(t, a.vips[0].n, 2);
	CHECK_EQ_INT(t, a.vips[1].first, 2);
	CHECK_EQ_INT(t, a.vips[1].n, 1);
	CHECK_EQ_INT(t, a.monitored[0], 1); /* 443 has a healthCheck */
	CHECK_EQ_INT(t, a.monitored[1], 0);
	CHECK_EQ_INT(t, a.monitored[2], 0);

	if (nlbt_sub_begin(t, "tcp443")) {
		const struct nlb_want_vip *w = &a.want[0];

		CHECK_EQ_INT(t, w->spec.family, NLB_FAMILY_V4);
		CHECK_EQ_INT(t, w->spec.proto, IPPROTO_TCP);
		CHECK_EQ_INT(t, w->spec.port, htons(443));
		CHECK(t, w->spec.addr[0] == ip4("10.99.0.1"));
		CHECK_EQ_INT(t, w->spec.addr[1], 0);
		CHECK_EQ_INT(t, w->spec.ring_size, 0);
		CHECK_EQ_INT(t, w->n, 3);
		CHECK(t, w->backends[0].addr[0] == ip4("10.1.0.11"));
		CHECK_EQ_INT(t, w->backends[0].weight, 100);
		CHECK_EQ_INT(t, w->backends[0].drained, 0);
		CHECK_EQ_INT(t, w->backends[0].health, NLB_HEALTH_UP);
		CHECK(t, w->backends[1].addr[0] == ip4("10.1.0.12"));
		CHECK_EQ_INT(t, w->backends[1].weight, 0);
		CHECK_EQ_INT(t, w->backends[1].drained, 0);
		CHECK_EQ_INT(t, w->backends[1].health, NLB_HEALTH_UNKNOWN);
		CHECK(t, w->backends[2].addr[0] == ip4("10.1.0.13"));
		CHECK_EQ_INT(t, w->backends[2].weight, 256);
		CHECK_EQ_INT(t, w->backends[2].drained, 1);
		/* health came from the monitor address */
		CHECK_EQ_INT(t, w->backends[2].health, NLB_HEALTH_DOWN);
		CHECK_EQ_INT(t, nlb_backend_effective_state(&w->backends[2]),
			     NLB_BACKEND_DOWN);
		CHECK_EQ_INT(t, nlb_backend_effective_state(&w->backends[1]),
			     NLB_BACKEND_DRAINED);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "udp53")) {
		const struct nlb_want_vip *w = &a.want[1];

		CHECK_EQ_INT(t, w->spec.proto, IPPROTO_UDP);
		CHECK_EQ_INT(t, w->spec.port, htons(53));
		CHECK_EQ_INT(t, w->n, 1);
		CHECK_EQ_INT(t, w->backends[0].weight, 7);
		/* same address, other listener: its own health */
		CHECK_EQ_INT(t, w->backends[0].health, NLB_HEALTH_UNKNOWN);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "ipv6_all_ports")) {
		const struct nlb_want_vip *w = &a.want[2];
		struct in6_addr v, b;

		inet_pton(AF_INET6, "fd00::99", &v);
		inet_pton(AF_INET6, "fd01::11", &b);
		CHECK_EQ_INT(t, w->spec.family, NLB_FAMILY_V6);
		CHECK_EQ_INT(t, w->spec.port, 0);
		CHECK(t, !memcmp(w->spec.addr, &v, 16));
		CHECK_EQ_INT(t, w->n, 1);
		CHECK_EQ_INT(t, w->backends[0].family, NLB_FAMILY_V6);
		CHECK(t, !memcmp(w->backends[0].addr, &b, 16));
		nlbt_sub_end(t);
	}
	nlblet_assign_free(&a);
	nlblet_assign_free(&a); /* twice, and NULL, are fine */
	nlblet_assign_free(NULL);
}

NLB_TEST(nlblet_assign_no_lookup)
{
	struct nlblet_assign a;
	char err[256];

	REQUIRE(t, !nlblet_assign_parse(two_vips, NULL, NULL, &a, err,
					sizeof(err)));
	for (size_t i = 0; i < a.n_backends; i++)
		CHECK_EQ_INT(t, a.backends[i].health, NLB_HEALTH_UNKNOWN);
	nlblet_assign_free(&a);
}

NLB_TEST(nlblet_assign_empty)
{
	struct nlblet_assign a;
	char err[256];

	REQUIRE(t, !nlblet_assign_parse("{\"node\":\"n\",\"revision\":1,"
					"\"vips\":[]}",
					NULL, NULL, &a, err, sizeof(err)));
	CHECK_EQ_INT(t, a.n_vips, 0);
	CHECK_EQ_INT(t, a.n_want, 0);
	nlblet_assign_free(&a);
}

NLB_TEST(nlblet_assign_port_range)
{
	static const char doc[] =
		"{\"revision\":5,\"vips\":["
		"{\"id\":\"a/range\",\"generation\":2,\"vip\":\"10.99.0.2\","
		" \"listeners\":["
		"  {\"port\":80,\"protocol\":\"TCP\",\"backends\":["
		"   {\"address\":\"10.1.0.1\"}]},"
		"  {\"port\":1000,\"portEnd\":2023,\"protocol\":\"UDP\","
		"   \"backends\":[{\"address\":\"10.1.0.2\"}]}]},"
		"{\"id\":\"a/big\",\"generation\":1,\"vip\":\"10.99.0.3\","
		" \"listeners\":[{\"port\":80,\"backends\":["
		"   {\"address\":\"10.1.0.3\"}]},"
		"  {\"port\":1000,\"portEnd\":2024,\"backends\":[]}]}]}";
	struct nlblet_assign a;
	char err[256] = "";

	REQUIRE(t, !nlblet_assign_parse(doc, NULL, NULL, &a, err, sizeof(err)),
		"%s", err);
	CHECK_EQ_INT(t, a.n_vips, 2);
	/* a range of NLB_VIP_PORTS_MAX ports is one want: one VIP */
	CHECK_EQ_INT(t, a.vips[0].err, 0);
	CHECK_EQ_INT(t, a.vips[0].n, 2);
	CHECK_EQ_INT(t, a.want[0].spec.port, htons(80));
	CHECK_EQ_INT(t, a.want[0].spec.port_end, 0);
	CHECK_EQ_INT(t, a.want[1].spec.port, htons(1000));
	CHECK_EQ_INT(t, a.want[1].spec.port_end, htons(2023));
	CHECK_EQ_INT(t, a.want[1].spec.proto, IPPROTO_UDP);
	CHECK(t, a.want[1].n == 1 &&
			 a.want[1].backends[0].addr[0] == ip4("10.1.0.2"));
	/* one port more: the VIP is left out whole, named in its message */
	CHECK_EQ_INT(t, a.vips[1].err, -EOPNOTSUPP);
	CHECK(t,
	      strstr(a.vips[1].errmsg,
		     "vips[1].listeners[1].portEnd: a range of 1025 ports "
		     "(1000-2024) is more than the data path's 1024") != NULL,
	      "%s", a.vips[1].errmsg);
	CHECK_EQ_INT(t, a.vips[1].n, 0);
	CHECK_EQ_INT(t, a.n_want, 2);
	CHECK_EQ_INT(t, a.n_backends, 2);
	nlblet_assign_free(&a);
}

/* down: 10.3.0.1 and 10.3.0.2; 10.3.0.3 unknown; the rest up */
static enum nlb_health panic_health(void *arg, const char *key,
				    const char *addr)
{
	(void)arg;
	(void)key;
	if (!strcmp(addr, "10.3.0.1") || !strcmp(addr, "10.3.0.2"))
		return NLB_HEALTH_DOWN;
	return strcmp(addr, "10.3.0.3") ? NLB_HEALTH_UP : NLB_HEALTH_UNKNOWN;
}

NLB_TEST(nlblet_panic_edges)
{
	struct nlb_want_backend b[4] = {
		{.weight = 1, .health = NLB_HEALTH_DOWN},
		{.weight = 1, .health = NLB_HEALTH_UP},
		{.weight = 1, .health = NLB_HEALTH_UNKNOWN},
		{.weight = 1, .health = NLB_HEALTH_UP},
	};

	/* 3 of 4 healthy (unknown counts): 75 % */
	CHECK(t, !nlblet_panic(b, 4, 0), "0 is off");
	CHECK(t, !nlblet_panic(b, 4, 75), "exactly at the threshold");
	CHECK(t, nlblet_panic(b, 4, 76));
	CHECK(t, nlblet_panic(b, 4, 100));
	/* drained and weight 0 are not counted at all: 2 of 3 */
	b[3].drained = 1;
	CHECK(t, !nlblet_panic(b, 4, 66));
	CHECK(t, nlblet_panic(b, 4, 67));
	b[2].weight = 0;
	CHECK(t, nlblet_panic(b, 4, 51)); /* 1 of 2 */
	CHECK(t, !nlblet_panic(b, 4, 50));
	/* none healthy: panic at any threshold; none enabled: never */
	b[1].health = NLB_HEALTH_DOWN;
	CHECK(t, nlblet_panic(b, 4, 1));
	b[0].drained = b[1].drained = 1;
	CHECK(t, !nlblet_panic(b, 4, 100));
	CHECK(t, !nlblet_panic(b, 0, 100));
}

NLB_TEST(nlblet_assign_panic)
{
	/* a/low: 2 of 4 healthy (50 %) under 60; a/ok: the same under 50 */
	static const char doc[] =
		"{\"revision\":1,\"vips\":["
		"{\"id\":\"a/low\",\"generation\":1,\"vip\":\"10.99.0.4\","
		" \"panicThresholdPercent\":60,\"listeners\":["
		"  {\"port\":80,\"backends\":[{\"address\":\"10.3.0.1\"},"
		"   {\"address\":\"10.3.0.2\"},{\"address\":\"10.3.0.3\"},"
		"   {\"address\":\"10.3.0.4\"}]},"
		"  {\"port\":81,\"backends\":[{\"address\":\"10.3.0.4\"}]}]},"
		"{\"id\":\"a/ok\",\"generation\":1,\"vip\":\"10.99.0.5\","
		" \"panicThresholdPercent\":50,\"listeners\":["
		"  {\"port\":80,\"backends\":[{\"address\":\"10.3.0.1\"},"
		"   {\"address\":\"10.3.0.2\"},{\"address\":\"10.3.0.3\"},"
		"   {\"address\":\"10.3.0.4\"}]}]},"
		"{\"id\":\"a/off\",\"generation\":1,\"vip\":\"10.99.0.6\","
		" \"listeners\":["
		"  {\"port\":80,\"backends\":[{\"address\":\"10.3.0.1\"}]}]}]}";
	struct nlblet_assign a;
	char err[256] = "";

	REQUIRE(t,
		!nlblet_assign_parse(doc, panic_health, NULL, &a, err,
				     sizeof(err)),
		"%s", err);
	REQUIRE(t, a.n_vips == 3 && a.n_want == 4);
	CHECK_EQ_INT(t, a.vips[0].panic_pct, 60);
	CHECK_EQ_INT(t, a.vips[0].panic, 1);
	CHECK_EQ_INT(t, a.want[0].panic, 1);
	CHECK_EQ_INT(t, a.want[1].panic, 0); /* per listener */
	/* the health stays what nlb-hc said: only the states differ */
	CHECK_EQ_INT(t, a.want[0].backends[0].health, NLB_HEALTH_DOWN);
	CHECK_EQ_INT(t, a.vips[1].panic, 0);
	CHECK_EQ_INT(t, a.want[2].panic, 0);
	/* off by default, even with every backend down */
	CHECK_EQ_INT(t, a.vips[2].panic_pct, 0);
	CHECK_EQ_INT(t, a.want[3].panic, 0);
	nlblet_assign_free(&a);
}

NLB_TEST(nlblet_assign_bad)
{
	static const struct {
		const char *name, *doc, *field;
	} cases[] = {
		{"not_json", "{", "(document)"},
		{"not_object", "[]", "(document)"},
		{"no_revision", "{\"vips\":[]}", "revision: required"},
		{"no_vips", "{\"revision\":1}", "vips: required array"},
		{"vip_not_object", "{\"revision\":1,\"vips\":[3]}", "vips[0]"},
		{"no_id", "{\"revision\":1,\"vips\":[{\"generation\":1}]}",
		 "vips[0].id: required"},
		{"gen_string",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":\"1\","
		 "\"vip\":\"10.0.0.1\",\"listeners\":[]}]}",
		 "vips[0].generation: must be an integer"},
		{"bad_vip",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		 "\"vip\":\"10.0.0.300\",\"listeners\":[]}]}",
		 "vips[0].vip: not an IPv4"},
		{"family_mismatch",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		 "\"vip\":\"10.0.0.1\",\"ipFamily\":\"IPv6\",\"listeners\":[]}]"
		 "}",
		 "vips[0].ipFamily"},
		{"no_listeners",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		 "\"vip\":\"10.0.0.1\"}]}",
		 "vips[0].listeners: required array"},
		{"panic_range",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		 "\"vip\":\"10.0.0.1\",\"panicThresholdPercent\":101,"
		 "\"listeners\":[]}]}",
		 "vips[0].panicThresholdPercent: must be between 0 and 100"},
		{"port_end_below_port",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		 "\"vip\":\"10.0.0.1\",\"listeners\":[{\"port\":80,"
		 "\"portEnd\":79}]}]}",
		 "vips[0].listeners[0].portEnd: must be at least port"},
		{"port_range",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		 "\"vip\":\"10.0.0.1\",\"listeners\":[{\"port\":70000}]}]}",
		 "vips[0].listeners[0].port: must be between 0 and 65535"},
		{"port_missing",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		 "\"vip\":\"10.0.0.1\",\"listeners\":[{\"protocol\":\"TCP\"}]}]"
		 "}",
		 "vips[0].listeners[0].port: required"},
		{"proto",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		 "\"vip\":\"10.0.0.1\",\"listeners\":[{\"port\":1,"
		 "\"protocol\":\"SCTP\"}]}]}",
		 "vips[0].listeners[0].protocol: must be TCP or UDP"},
		{"backends_object",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		 "\"vip\":\"10.0.0.1\",\"listeners\":[{\"port\":1,"
		 "\"backends\":{\"a\":1}}]}]}",
		 "vips[0].listeners[0].backends: must be an array"},
		{"backend_addr",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		 "\"vip\":\"10.0.0.1\",\"listeners\":[{\"port\":1,"
		 "\"backends\":[{\"address\":\"x\"}]}]}]}",
		 "vips[0].listeners[0].backends[0].address: not an IPv4"},
		{"backend_family",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		 "\"vip\":\"10.0.0.1\",\"listeners\":[{\"port\":1,"
		 "\"backends\":[{\"address\":\"fd00::1\"}]}]}]}",
		 "backends[0].address: not of the VIP's family"},
		{"weight_negative",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		 "\"vip\":\"10.0.0.1\",\"listeners\":[{\"port\":1,"
		 "\"backends\":[{\"address\":\"10.1.0.1\",\"weight\":-1}]}]}]}",
		 "backends[0].weight: must be between"},
		{"state",
		 "{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		 "\"vip\":\"10.0.0.1\",\"listeners\":[{\"port\":1,"
		 "\"backends\":[{\"address\":\"10.1.0.1\",\"state\":\"off\"}]}]"
		 "}]}",
		 "backends[0].state: must be enabled or drained"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nlblet_assign a;
		char err[256] = "";
		int e;

		if (!nlbt_sub_begin(t, "%s", cases[i].name))
			continue;
		e = nlblet_assign_parse(cases[i].doc, NULL, NULL, &a, err,
					sizeof(err));
		CHECK_EQ_INT(t, e, -EINVAL);
		CHECK(t, strstr(err, cases[i].field) != NULL,
		      "err \"%s\" lacks \"%s\"", err, cases[i].field);
		CHECK_EQ_INT(t, a.n_want, 0);
		nlbt_sub_end(t);
	}
}

NLB_TEST(nlblet_assign_weight_clamp)
{
	static const char doc[] =
		"{\"revision\":1,\"vips\":[{\"id\":\"a\",\"generation\":1,"
		"\"vip\":\"10.0.0.1\",\"listeners\":[{\"port\":1,"
		"\"backends\":[{\"address\":\"10.1.0.1\",\"weight\":70000}]}]}]"
		"}";
	struct nlblet_assign a;
	char err[256];

	REQUIRE(t, !nlblet_assign_parse(doc, NULL, NULL, &a, err, sizeof(err)));
	CHECK_EQ_INT(t, a.want[0].backends[0].weight, 0xffff);
	nlblet_assign_free(&a);
}

NLB_TEST(nlblet_listener_key)
{
	char key[256], id[200];

	nlblet_listener_key(key, sizeof(key), "acme/web", 443, "TCP");
	CHECK(t, !strcmp(key, "acme/web:443/TCP"), "%s", key);
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = 0;
	nlblet_listener_key(key, sizeof(key), id, 53, "UDP");
	CHECK(t, strlen(key) <= 128, "%zu", strlen(key));
	CHECK(t, key[0] == 'h' && strstr(key, ":53/UDP"), "%s", key);
}
