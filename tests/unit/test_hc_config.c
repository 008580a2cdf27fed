// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the nlb-hc config parser: defaults, validation messages that
 * name the key, and the probe identity used for deduplication. */
#include <errno.h>
#include <string.h>

#include "hc_config.h"
#include "nlbtest.h"

static int parse(const char *text, struct hc_config **cfg, char *err)
{
	return hc_config_parse(text, strlen(text), cfg, err, 256);
}

NLB_TEST(hc_config_full)
{
	const char *text =
		"{\"defaults\":{\"interval_ms\":2000,\"timeout_ms\":500,"
		"\"rise\":3,\"fall\":4},\"backends\":["
		"{\"address\":\"10.0.0.1\",\"vips\":[\"v1\",\"v2\"],"
		" \"combine\":\"any\",\"checks\":["
		"  {\"type\":\"tcp\",\"port\":80},"
		"  {\"type\":\"http\",\"port\":8080,\"path\":\"/hz\","
		"   "
		"\"host\":\"web\",\"expect\":\"200-299,301\",\"body\":\"ok\","
		"   \"rise\":1,\"source\":\"10.0.0.9\"},"
		"  {\"type\":\"https\",\"port\":443,\"sni\":\"a.example\","
		"   \"verify\":true,\"resume\":\"psk_ke\",\"tls_min\":\"1.3\"},"
		"  "
		"{\"type\":\"icmp\",\"interval_ms\":100,\"timeout_ms\":100}]},"
		"{\"address\":\"fd00::1\",\"vips\":[\"v3\"],"
		" \"checks\":[{\"type\":\"icmp\"}]}]}";
	struct hc_config *cfg;
	const struct hc_check *c;
	char err[256];

	REQUIRE(t, parse(text, &cfg, err) == 0, "parse: %s", err);
	REQUIRE(t, cfg->n_backends == 2);
	CHECK_EQ_INT(t, cfg->backends[0].n_vips, 2);
	CHECK(t, !strcmp(cfg->backends[0].vips[1], "v2"));
	CHECK_EQ_INT(t, cfg->backends[0].combine, HC_COMBINE_ANY);
	CHECK_EQ_INT(t, cfg->backends[1].combine, HC_COMBINE_ALL);
	CHECK_EQ_INT(t, cfg->backends[1].addr.family, AF_INET6);
	REQUIRE(t, cfg->backends[0].n_checks == 4);
	c = &cfg->backends[0].checks[0];
	CHECK_EQ_INT(t, c->type, HC_TCP);
	CHECK_EQ_INT(t, c->interval_ms, 2000);
	CHECK_EQ_INT(t, c->timeout_ms, 500);
	CHECK_EQ_INT(t, c->rise, 3);
	CHECK_EQ_INT(t, c->fall, 4);
	c = &cfg->backends[0].checks[1];
	CHECK_EQ_INT(t, c->type, HC_HTTP);
	CHECK_EQ_INT(t, c->rise, 1);
	CHECK(t, !strcmp(c->path, "/hz") && !strcmp(c->host, "web") &&
			 !strcmp(c->body, "ok"));
	CHECK_EQ_INT(t, c->n_ranges, 2);
	CHECK(t, hc_ranges_match(c->ranges, c->n_ranges, 301));
	CHECK(t, !hc_ranges_match(c->ranges, c->n_ranges, 302));
	CHECK_EQ_INT(t, c->source.family, AF_INET);
	c = &cfg->backends[0].checks[2];
	CHECK(t, c->verify && c->resume == HC_RESUME_PSK_KE &&
			 c->tls_min == 13 && c->tls_max == 13);
	CHECK(t, !strcmp(c->path, "/"), "https path defaults to /");
	CHECK(t,
	      hc_ranges_match(c->ranges, c->n_ranges, 399) &&
		      !hc_ranges_match(c->ranges, c->n_ranges, 400),
	      "default expect is 200-399");
	c = &cfg->backends[0].checks[3];
	CHECK_EQ_INT(t, c->interval_ms, 100);
	CHECK_EQ_INT(t, c->port, 0);
	hc_config_free(cfg);
}

static const struct {
	const char *name, *text, *want;
} bad[] = {
	{"syntax", "{\"backends\": [\n  {\"address\": }\n]}", "line 2"},
	{"top_unknown", "{\"backend\":[]}", "(top).backend: unknown key"},
	{"no_backends", "{}", "backends: must be an array"},
	{"bad_address",
	 "{\"backends\":[{\"address\":\"10.0.0.300\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"tcp\",\"port\":1}]}]}",
	 "backends[0].address"},
	{"no_vips",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[],"
	 "\"checks\":[{\"type\":\"tcp\",\"port\":1}]}]}",
	 "backends[0].vips"},
	{"bad_type",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"udp\",\"port\":1}]}]}",
	 "backends[0].checks[0].type"},
	{"no_port",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"tcp\"}]}]}",
	 "backends[0].checks[0].port: missing"},
	{"port_range",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"tcp\",\"port\":70000}]}]}",
	 "backends[0].checks[0].port: must be between 1 and 65535"},
	{"timeout_gt_interval",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"tcp\",\"port\":1,\"interval_ms\":1000,"
	 "\"timeout_ms\":2000}]}]}",
	 "backends[0].checks[0].timeout_ms"},
	{"http_key_on_tcp",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"tcp\",\"port\":1,\"path\":\"/\"}]}]}",
	 "backends[0].checks[0].path: only valid for http"},
	{"bad_expect",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"http\",\"port\":1,\"expect\":\"2xx\"}]}]}",
	 "backends[0].checks[0].expect"},
	{"source_family",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"tcp\",\"port\":1,\"source\":\"::1\"}]}]}",
	 "backends[0].checks[0].source"},
	{"crlf_path",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"http\",\"port\":1,\"path\":\"/\\r\\nX: "
	 "y\"}]}]}",
	 "backends[0].checks[0].path: must not contain CR or LF"},
	{"cert_without_key",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"https\",\"port\":1,\"cert_file\":\"c\"}]}]}",
	 "backends[0].checks[0].key_file"},
	{"duplicate_key",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"tcp\",\"port\":1,\"port\":2}]}]}",
	 "backends[0].checks[0].port: duplicate key"},
	{"rise_zero", "{\"defaults\":{\"rise\":0},\"backends\":[]}",
	 "defaults.rise: must be between 1 and 100"},
	{"resume_bad",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"https\",\"port\":1,\"resume\":\"yes\"}]}]}",
	 "backends[0].checks[0].resume: must be true, false or \"psk_ke\""},
	{"tls_max_below_min",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"https\",\"port\":1,\"tls_min\":\"1.3\","
	 "\"tls_max\":\"1.2\"}]}]}",
	 "backends[0].checks[0].tls_max: is below tls_min"},
	{"tunnel_not_object",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"tcp\",\"port\":1,\"tunnel\":\"x\"}]}]}",
	 "backends[0].checks[0].tunnel: must be an object"},
	{"tunnel_unknown_key",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"tcp\",\"port\":1,\"tunnel\":"
	 "{\"vip\":\"10.9.0.1\",\"mark\":1}}]}]}",
	 "backends[0].checks[0].tunnel.mark: unknown key"},
	{"tunnel_no_vip",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"tcp\",\"port\":1,\"tunnel\":{}}]}]}",
	 "backends[0].checks[0].tunnel.vip: missing"},
	{"tunnel_bad_vip",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"tcp\",\"port\":1,\"tunnel\":"
	 "{\"vip\":\"web\"}}]}]}",
	 "backends[0].checks[0].tunnel.vip: \"web\" is not an IPv4 or IPv6"},
	{"tunnel_source_family",
	 "{\"backends\":[{\"address\":\"fd00::1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"tcp\",\"port\":1,\"source\":\"fd00::2\","
	 "\"tunnel\":{\"vip\":\"10.9.0.1\"}}]}]}",
	 "backends[0].checks[0].source: \"fd00::2\" is not an address of the "
	 "VIP's family"},
	{"string_int",
	 "{\"backends\":[{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],"
	 "\"checks\":[{\"type\":\"tcp\",\"port\":\"80\"}]}]}",
	 "backends[0].checks[0].port: must be an integer"},
};

NLB_TEST(hc_config_rejects_naming_the_key)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hc_config *cfg = (void *)1;
		char err[256];
		int ret;

		if (!nlbt_sub_begin(t, "%s", bad[i].name))
			continue;
		ret = parse(bad[i].text, &cfg, err);
		CHECK_EQ_INT(t, ret, -EINVAL);
		CHECK(t, cfg == NULL, "no config on failure");
		CHECK(t, strstr(err, bad[i].want), "error \"%s\", want \"%s\"",
		      err, bad[i].want);
		nlbt_sub_end(t);
	}
}

NLB_TEST(hc_config_check_key)
{
	const char *text =
		"{\"backends\":["
		"{\"address\":\"10.0.0.1\",\"vips\":[\"a\"],\"checks\":"
		" [{\"type\":\"tcp\",\"port\":80}]},"
		"{\"address\":\"10.0.0.1\",\"vips\":[\"b\"],\"checks\":"
		" [{\"port\":80,\"type\":\"tcp\",\"interval_ms\":1000}]},"
		"{\"address\":\"10.0.0.1\",\"vips\":[\"c\"],\"checks\":"
		" [{\"type\":\"tcp\",\"port\":80,\"fall\":5}]},"
		"{\"address\":\"10.0.0.2\",\"vips\":[\"d\"],\"checks\":"
		" [{\"type\":\"tcp\",\"port\":80}]}]}";
	char k[4][1024], err[256];
	struct hc_config *cfg;

	REQUIRE(t, parse(text, &cfg, err) == 0, "parse: %s", err);
	for (int i = 0; i < 4; i++)
		CHECK(t, hc_check_key(&cfg->backends[i].checks[0],
				      &cfg->backends[i].addr, k[i],
				      sizeof(k[i])) > 0);
	CHECK(t, !strcmp(k[0], k[1]), "same check, default written out");
	CHECK(t, strcmp(k[0], k[2]), "fall differs");
	CHECK(t, strcmp(k[0], k[3]), "address differs");
	CHECK_EQ_INT(t,
		     hc_check_key(&cfg->backends[0].checks[0],
				  &cfg->backends[0].addr, k[0], 8),
		     -ENOSPC);
	hc_config_free(cfg);
}

/* A tunneled check is its own probe: per VIP, and apart from the plain
 * check of the same backend; an IPv4 VIP may go to an IPv6 backend. */
NLB_TEST(hc_config_tunnel)
{
	const char *text =
		"{\"backends\":["
		"{\"address\":\"fd00::1\",\"vips\":[\"a\"],\"checks\":"
		" [{\"type\":\"tcp\",\"port\":80,"
		"   \"tunnel\":{\"vip\":\"10.9.0.1\"}}]},"
		"{\"address\":\"fd00::1\",\"vips\":[\"b\"],\"checks\":"
		" [{\"type\":\"tcp\",\"port\":80,"
		"   \"tunnel\":{\"vip\":\"10.9.0.1\"}}]},"
		"{\"address\":\"fd00::1\",\"vips\":[\"c\"],\"checks\":"
		" [{\"type\":\"tcp\",\"port\":80,"
		"   \"tunnel\":{\"vip\":\"10.9.0.2\"}}]},"
		"{\"address\":\"fd00::1\",\"vips\":[\"d\"],\"checks\":"
		" [{\"type\":\"tcp\",\"port\":80}]},"
		"{\"address\":\"fd00::1\",\"vips\":[\"e\"],\"checks\":"
		" [{\"type\":\"icmp\",\"source\":\"10.0.0.5\","
		"   \"tunnel\":{\"vip\":\"10.9.0.1\"}}]},"
		/* refused when it runs, not here: see docs/nlb-hc.md */
		"{\"address\":\"10.0.0.1\",\"vips\":[\"f\"],\"checks\":"
		" [{\"type\":\"tcp\",\"port\":80,"
		"   \"tunnel\":{\"vip\":\"fd99::1\"}}]}]}";
	char k[4][1024], err[256];
	struct hc_config *cfg;
	struct hc_addr vip;

	REQUIRE(t, parse(text, &cfg, err) == 0, "parse: %s", err);
	hc_addr_parse("10.9.0.1", &vip);
	CHECK(t,
	      cfg->backends[0].checks[0].tunnel.family == AF_INET &&
		      !memcmp(cfg->backends[0].checks[0].tunnel.bytes,
			      vip.bytes, 4),
	      "tunnel VIP parsed");
	CHECK_EQ_INT(t, cfg->backends[3].checks[0].tunnel.family, 0);
	CHECK_EQ_INT(t, cfg->backends[4].checks[0].source.family, AF_INET);
	for (int i = 0; i < 4; i++)
		CHECK(t, hc_check_key(&cfg->backends[i].checks[0],
				      &cfg->backends[i].addr, k[i],
				      sizeof(k[i])) > 0);
	CHECK(t, !strcmp(k[0], k[1]), "same VIP: one probe");
	CHECK(t, strcmp(k[0], k[2]), "another VIP: another probe");
	CHECK(t, strcmp(k[0], k[3]), "plain and tunneled differ");
	hc_config_free(cfg);
}

NLB_TEST(hc_config_ranges)
{
	struct hc_status_range r[HC_MAX_RANGES];

	CHECK_EQ_INT(t, hc_ranges_parse("200", r, HC_MAX_RANGES), 1);
	CHECK_EQ_INT(t, hc_ranges_parse("200-204,301,404-404", r, 8), 3);
	CHECK(t, hc_ranges_match(r, 3, 404) && !hc_ranges_match(r, 3, 300));
	CHECK_EQ_INT(t, hc_ranges_parse("", r, 8), -EINVAL);
	CHECK_EQ_INT(t, hc_ranges_parse("300-200", r, 8), -EINVAL);
	CHECK_EQ_INT(t, hc_ranges_parse("99", r, 8), -EINVAL);
	CHECK_EQ_INT(t, hc_ranges_parse("200,", r, 8), 1);
	CHECK_EQ_INT(t, hc_ranges_parse("200;300", r, 8), -EINVAL);
	CHECK_EQ_INT(t, hc_ranges_parse("200,201,202", r, 2), -EINVAL);
}
