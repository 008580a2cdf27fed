// SPDX-License-Identifier: GPL-2.0
/* LoadBalancer validation (canonical form, every error names its field),
 * VIP pool address arithmetic, JSON merge patch and the YAML reader. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cp_json.h"
#include "cp_yaml.h"
#include "gw_addr.h"
#include "gw_lb.h"
#include "nlbtest.h"

static const struct gw_limits lim = GW_LIMITS_DEFAULT;

NLB_TEST(gw_lb_defaults)
{
	const char *doc = "{\"name\":\"web\",\"spec\":{\"listeners\":[{"
			  "\"port\":443,\"backends\":[{\"address\":"
			  "\"2001:DB8::1\"}],\"healthCheck\":{\"type\":"
			  "\"HTTP\"}}]}}";
	struct cp_err e = {0};
	cJSON *c = NULL, *l, *b, *hc;

	REQUIRE(t, gw_lb_validate_text(doc, strlen(doc), &lim, &c, &e) == 0,
		"%s: %s", e.field, e.msg);
	l = cJSON_GetArrayItem(
		cJSON_GetObjectItem(cJSON_GetObjectItem(c, "spec"),
				    "listeners"),
		0);
	b = cJSON_GetArrayItem(cJSON_GetObjectItem(l, "backends"), 0);
	hc = cJSON_GetObjectItem(l, "healthCheck");
	CHECK(t,
	      !strcmp(cJSON_GetObjectItem(b, "address")->valuestring,
		      "2001:db8::1"),
	      "address not canonical");
	CHECK_EQ_INT(t, cJSON_GetObjectItem(b, "weight")->valueint, 100);
	CHECK(t,
	      !strcmp(cJSON_GetObjectItem(b, "state")->valuestring, "enabled"));
	CHECK(t,
	      !strcmp(cJSON_GetObjectItem(l, "protocol")->valuestring, "TCP"));
	CHECK(t, !strcmp(cJSON_GetObjectItem(hc, "path")->valuestring, "/"));
	CHECK(t, !strcmp(cJSON_GetObjectItem(hc, "expectedCodes")->valuestring,
			 "200-399"));
	CHECK_EQ_INT(t, cJSON_GetObjectItem(hc, "intervalMs")->valueint, 2000);
	CHECK_EQ_INT(
		t,
		cJSON_GetObjectItem(cJSON_GetObjectItem(c, "spec"), "replicas")
			->valueint,
		2);
	cJSON_Delete(c);
}

static const struct {
	const char *doc;
	int status;
	const char *field;
} bad[] = {
	{"{", 400, ""},
	{"", 400, ""},
	{"{} x", 400, ""},
	{"\"str\"", 422, ""},
	{"{\"name\":\"a\"}", 422, "spec"},
	{"{\"name\":\"a\",\"spec\":{\"listeners\":[{\"port\":1}]},\"x\":1}",
	 422, "x"},
	{"{\"name\":\"a\",\"name\":\"b\",\"spec\":{\"listeners\":[{\"port\":1}]"
	 "}}",
	 422, "name"},
	{"{\"name\":\"-a\",\"spec\":{}}", 422, "name"},
	{"{\"kind\":\"Service\",\"name\":\"a\",\"spec\":{}}", 422, "kind"},
	{"{\"name\":\"a\",\"spec\":{\"listeners\":{}}}", 422, "spec.listeners"},
	{"{\"name\":\"a\",\"spec\":{\"listeners\":[{\"port\":1e9}]}}", 422,
	 "spec.listeners[0].port"},
	{"{\"name\":\"a\",\"spec\":{\"listeners\":[{\"port\":1,\"backends\":"
	 "[{\"address\":\"::g\"}]}]}}",
	 422, "spec.listeners[0].backends[0].address"},
	{"{\"name\":\"a\",\"spec\":{\"listeners\":[{\"port\":1,\"backends\":"
	 "[{\"address\":\"1.2.3.4\",\"monitorPort\":0}]}]}}",
	 422, "spec.listeners[0].backends[0].monitorPort"},
	{"{\"name\":\"a\",\"spec\":{\"listeners\":[{\"port\":1,\"healthCheck\":"
	 "{\"type\":\"ICMP\",\"port\":5}}]}}",
	 422, "spec.listeners[0].healthCheck.port"},
	{"{\"name\":\"a\",\"spec\":{\"listeners\":[{\"port\":1,\"healthCheck\":"
	 "{\"type\":\"TCP\",\"path\":\"/\"}}]}}",
	 422, "spec.listeners[0].healthCheck.path"},
	{"{\"name\":\"a\",\"spec\":{\"listeners\":[{\"port\":0},{\"port\":5}]}"
	 "}",
	 422, "spec.listeners[1].port"},
	{"{\"name\":\"a\",\"spec\":{\"zones\":[1],\"listeners\":[{\"port\":5}]}"
	 "}",
	 422, "spec.zones[0]"},
	{"{\"name\":\"a\",\"labels\":[],\"spec\":{\"listeners\":[{\"port\":5}]}"
	 "}",
	 422, "labels"},
};

NLB_TEST(gw_lb_rejects)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cp_err e = {0};
		cJSON *c = NULL;
		int err;

		err = gw_lb_validate_text(bad[i].doc, strlen(bad[i].doc), &lim,
					  &c, &e);
		CHECK(t, err && !c, "case %zu accepted: %s", i, bad[i].doc);
		CHECK(t, e.status == bad[i].status, "case %zu: status %d", i,
		      e.status);
		CHECK(t, !strcmp(e.field, bad[i].field),
		      "case %zu: field '%s', want '%s'", i, e.field,
		      bad[i].field);
		cJSON_Delete(c);
	}
}

NLB_TEST(gw_lb_limits)
{
	struct gw_limits small = {
		.max_listeners = 2, .max_backends = 2, .max_replicas = 3};
	const char *three_be = "{\"name\":\"a\",\"spec\":{\"listeners\":["
			       "{\"port\":1,\"backends\":[{\"address\":"
			       "\"1.1.1.1\"}]},{\"port\":2,\"backends\":["
			       "{\"address\":\"1.1.1.2\"},{\"address\":"
			       "\"1.1.1.3\"}]}]}}";
	const char *four_rep = "{\"name\":\"a\",\"spec\":{\"replicas\":4,"
			       "\"listeners\":[{\"port\":1}]}}";
	struct cp_err e = {0};
	cJSON *c;

	CHECK(t,
	      gw_lb_validate_text(three_be, strlen(three_be), &small, &c, &e) &&
		      !strcmp(e.field, "spec.listeners[1].backends[1]"),
	      "field %s", e.field);
	CHECK(t,
	      gw_lb_validate_text(four_rep, strlen(four_rep), &small, &c, &e) &&
		      !strcmp(e.field, "spec.replicas"),
	      "field %s", e.field);
}

NLB_TEST(gw_addr_pools)
{
	struct gw_cidr c;
	struct gw_ip ip;
	char s[64];

	REQUIRE(t, gw_cidr_parse("10.0.0.0/30", &c) == 0);
	CHECK_EQ_INT(t, gw_cidr_size(&c), 2);
	gw_cidr_nth(&c, 0, &ip);
	gw_ip_str(&ip, s, sizeof(s));
	CHECK(t, !strcmp(s, "10.0.0.1"), "%s", s);
	CHECK_EQ_INT(t, gw_cidr_index(&c, &ip), 0);
	CHECK(t, gw_cidr_parse("10.0.0.1/30", &c) != 0, "host bits");
	CHECK(t, gw_cidr_parse("10.0.0.0/", &c) != 0);
	CHECK(t, gw_cidr_parse("10.0.0.0/-1", &c) != 0);
	CHECK(t, gw_cidr_parse("10.0.0.0", &c) != 0);
	REQUIRE(t, gw_cidr_parse("fd00::/64", &c) == 0);
	CHECK(t, gw_cidr_size(&c) == 1ULL << 62, "capped size");
	/* the subnet-router anycast address fd00:: is never handed out */
	gw_cidr_nth(&c, 0, &ip);
	gw_ip_str(&ip, s, sizeof(s));
	CHECK(t, !strcmp(s, "fd00::1"), "%s", s);
	gw_cidr_nth(&c, 0x1234, &ip);
	gw_ip_str(&ip, s, sizeof(s));
	CHECK(t, !strcmp(s, "fd00::1235"), "%s", s);
	CHECK_EQ_INT(t, gw_cidr_index(&c, &ip), 0x1234);
	REQUIRE(t, gw_cidr_parse("fd00::/126", &c) == 0);
	CHECK_EQ_INT(t, gw_cidr_size(&c), 3);
	REQUIRE(t, gw_cidr_parse("10.0.0.0/24", &c) == 0);
	gw_cidr_nth(&c, 255, &ip); /* carries into the next octet */
	{
		struct gw_cidr d;

		REQUIRE(t, gw_cidr_parse("10.0.0.128/25", &d) == 0);
		CHECK(t, gw_cidr_overlap(&c, &d));
		REQUIRE(t, gw_cidr_parse("10.0.1.0/24", &d) == 0);
		CHECK(t, !gw_cidr_overlap(&c, &d));
		CHECK(t, gw_cidr_contains(&d, &ip), "10.0.1.0 expected");
	}
}

NLB_TEST(cp_merge_patch)
{
	cJSON *doc = cJSON_Parse("{\"a\":1,\"b\":{\"c\":2,\"d\":3},\"e\":[1]}");
	cJSON *patch = cJSON_Parse("{\"a\":null,\"b\":{\"c\":9},\"e\":[2,3],"
				   "\"f\":\"x\"}");
	cJSON *want = cJSON_Parse("{\"b\":{\"c\":9,\"d\":3},\"e\":[2,3],"
				  "\"f\":\"x\"}");

	REQUIRE(t, doc && patch && want);
	CHECK_EQ_INT(t, cp_json_merge_patch(&doc, patch), 0);
	CHECK(t, cJSON_Compare(doc, want, true), "%s",
	      cJSON_PrintUnformatted(doc));
	cJSON_Delete(doc);
	cJSON_Delete(patch);
	cJSON_Delete(want);
}

NLB_TEST(cp_yaml_types)
{
	const char *y = "a: 1\nb: \"1\"\nc: true\nd: 10.1.0.11\ne: ~\n"
			"f: [x, 2]\n---\n- 3\n";
	char err[128];
	cJSON *d = cp_yaml_parse(y, strlen(y), err, sizeof(err)), *o, *back;
	char *out;

	REQUIRE(t, d != NULL, "%s", err);
	CHECK_EQ_INT(t, cJSON_GetArraySize(d), 2);
	o = cJSON_GetArrayItem(d, 0);
	CHECK(t, cJSON_IsNumber(cJSON_GetObjectItem(o, "a")));
	CHECK(t, cJSON_IsString(cJSON_GetObjectItem(o, "b")));
	CHECK(t, cJSON_IsTrue(cJSON_GetObjectItem(o, "c")));
	CHECK(t, cJSON_IsString(cJSON_GetObjectItem(o, "d")));
	CHECK(t, cJSON_IsNull(cJSON_GetObjectItem(o, "e")));
	/* what we emit reads back to the same value */
	out = cp_yaml_emit(o);
	REQUIRE(t, out != NULL);
	back = cp_yaml_parse(out, strlen(out), err, sizeof(err));
	CHECK(t, back && cJSON_Compare(cJSON_GetArrayItem(back, 0), o, true),
	      "round trip: %s", out);
	free(out);
	cJSON_Delete(back);
	cJSON_Delete(d);
	CHECK(t, !cp_yaml_parse("a: &x 1\nb: *x\n", 14, err, sizeof(err)),
	      "aliases must be rejected");
	CHECK(t,
	      !cp_yaml_parse("a: 1\na: 2\n", 10, err, sizeof(err)) &&
		      strstr(err, "duplicate key"),
	      "%s", err);
}

/* healthCheck.throughTunnel: a boolean, in the canonical form only when
 * true, so that specs written before it read the same. */
NLB_TEST(gw_lb_hc_through_tunnel)
{
	static const char *const docs[] = {
		"{\"name\":\"a\",\"spec\":{\"listeners\":[{\"port\":80,"
		"\"healthCheck\":{\"type\":\"TCP\",\"throughTunnel\":true}}]}}",
		"{\"name\":\"a\",\"spec\":{\"listeners\":[{\"port\":80,"
		"\"healthCheck\":{\"type\":\"TCP\",\"throughTunnel\":false}}]}"
		"}",
		"{\"name\":\"a\",\"spec\":{\"listeners\":[{\"port\":80,"
		"\"healthCheck\":{\"type\":\"TCP\",\"throughTunnel\":\"yes\"}}]"
		"}}",
	};
	struct cp_err e = {0};
	cJSON *c = NULL, *hc;

	for (int i = 0; i < 2; i++) {
		REQUIRE(t,
			gw_lb_validate_text(docs[i], strlen(docs[i]), &lim, &c,
					    &e) == 0,
			"%s: %s", e.field, e.msg);
		hc = cJSON_GetObjectItem(
			cJSON_GetArrayItem(
				cJSON_GetObjectItem(
					cJSON_GetObjectItem(c, "spec"),
					"listeners"),
				0),
			"healthCheck");
		if (i == 0)
			CHECK(t, cJSON_IsTrue(cJSON_GetObjectItem(
					 hc, "throughTunnel")));
		else
			CHECK(t, !cJSON_GetObjectItem(hc, "throughTunnel"),
			      "false is left out");
		cJSON_Delete(c);
		c = NULL;
	}
	CHECK_EQ_INT(
		t, gw_lb_validate_text(docs[2], strlen(docs[2]), &lim, &c, &e),
		-EINVAL);
	CHECK(t,
	      !strcmp(e.field, "spec.listeners[0].healthCheck.throughTunnel"),
	      "field %s", e.field);
	CHECK_EQ_INT(t, e.status, 422);
}
