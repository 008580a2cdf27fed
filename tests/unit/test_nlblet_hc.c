// SPDX-License-Identifier: GPL-2.0
/* nlblet's nlb-hc configuration rendering and state file reading. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "hc_config.h"
#include "nlblet_hcconf.h"
#include "nlblet_hcstate.h"
#include "nlblet_status.h"
#include "nlbtest.h"

static const char assign[] =
	"{\"node\":\"n1\",\"revision\":42,\"vips\":["
	" {\"id\":\"acme/web\",\"generation\":3,\"vip\":\"10.99.0.1\","
	"  \"ipFamily\":\"IPv4\",\"listeners\":["
	"  {\"port\":443,\"protocol\":\"TCP\",\"backends\":["
	"   {\"address\":\"10.1.0.11\",\"weight\":100,\"state\":\"enabled\"},"
	"   {\"address\":\"10.1.0.13\",\"weight\":256,\"state\":\"drained\","
	"    \"monitorAddress\":\"10.2.0.13\",\"monitorPort\":8443}],"
	"   \"healthCheck\":{\"type\":\"HTTPS\",\"intervalMs\":2000,"
	"    \"timeoutMs\":1000,\"rise\":2,\"fall\":3,\"path\":\"/healthz\","
	"    \"expectedCodes\":\"200-299\",\"host\":\"web.internal\"}},"
	"  {\"port\":53,\"protocol\":\"UDP\",\"backends\":["
	"   {\"address\":\"10.1.0.11\",\"weight\":7,\"state\":\"enabled\"}]},"
	"  {\"port\":0,\"protocol\":\"TCP\",\"backends\":["
	"   {\"address\":\"10.1.0.12\"}],"
	"   \"healthCheck\":{\"type\":\"TCP\",\"intervalMs\":1000,"
	"    \"timeoutMs\":500,\"rise\":1,\"fall\":1}}]},"
	" {\"id\":\"acme/v6\",\"generation\":1,\"vip\":\"fd00::99\","
	"  \"ipFamily\":\"IPv6\",\"listeners\":["
	"  {\"port\":80,\"protocol\":\"TCP\",\"backends\":["
	"   {\"address\":\"fd01::11\"}],"
	"   \"healthCheck\":{\"type\":\"ICMP\",\"intervalMs\":500,"
	"    \"timeoutMs\":100,\"rise\":2,\"fall\":3}}]}"
	"]}";

static const char want_conf[] = "{\n"
				"\t\"backends\":\t[{\n"
				"\t\t\t\"address\":\t\"10.1.0.11\",\n"
				"\t\t\t\"vips\":\t[\"acme/web:443/TCP\"],\n"
				"\t\t\t\"checks\":\t[{\n"
				"\t\t\t\t\t\"type\":\t\"https\",\n"
				"\t\t\t\t\t\"port\":\t443,\n"
				"\t\t\t\t\t\"interval_ms\":\t2000,\n"
				"\t\t\t\t\t\"timeout_ms\":\t1000,\n"
				"\t\t\t\t\t\"rise\":\t2,\n"
				"\t\t\t\t\t\"fall\":\t3,\n"
				"\t\t\t\t\t\"path\":\t\"/healthz\",\n"
				"\t\t\t\t\t\"expect\":\t\"200-299\",\n"
				"\t\t\t\t\t\"host\":\t\"web.internal\"\n"
				"\t\t\t\t}]\n"
				"\t\t}, {\n"
				"\t\t\t\"address\":\t\"10.2.0.13\",\n"
				"\t\t\t\"vips\":\t[\"acme/web:443/TCP\"],\n"
				"\t\t\t\"checks\":\t[{\n"
				"\t\t\t\t\t\"type\":\t\"https\",\n"
				"\t\t\t\t\t\"port\":\t8443,\n"
				"\t\t\t\t\t\"interval_ms\":\t2000,\n"
				"\t\t\t\t\t\"timeout_ms\":\t1000,\n"
				"\t\t\t\t\t\"rise\":\t2,\n"
				"\t\t\t\t\t\"fall\":\t3,\n"
				"\t\t\t\t\t\"path\":\t\"/healthz\",\n"
				"\t\t\t\t\t\"expect\":\t\"200-299\",\n"
				"\t\t\t\t\t\"host\":\t\"web.internal\"\n"
				"\t\t\t\t}]\n"
				"\t\t}, {\n"
				"\t\t\t\"address\":\t\"fd01::11\",\n"
				"\t\t\t\"vips\":\t[\"acme/v6:80/TCP\"],\n"
				"\t\t\t\"checks\":\t[{\n"
				"\t\t\t\t\t\"type\":\t\"icmp\",\n"
				"\t\t\t\t\t\"interval_ms\":\t500,\n"
				"\t\t\t\t\t\"timeout_ms\":\t100,\n"
				"\t\t\t\t\t\"rise\":\t2,\n"
				"\t\t\t\t\t\"fall\":\t3\n"
				"\t\t\t\t}]\n"
				"\t\t}]\n"
				"}";

NLB_TEST(nlblet_hcconf_render)
{
	char err[256] = "", *a = NULL, *b = NULL;
	struct hc_config *cfg = NULL;
	int e;

	e = nlblet_hcconf_render(assign, &a, err, sizeof(err));
	REQUIRE(t, e == 0, "%d %s", e, err);
	if (nlbt_sub_begin(t, "exact")) {
		/* the all-ports listener's TCP check has no port: left out */
		CHECK(t, !strcmp(a, want_conf), "got:\n%s", a);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "deterministic")) {
		CHECK_EQ_INT(t,
			     nlblet_hcconf_render(assign, &b, err, sizeof(err)),
			     0);
		CHECK(t, b && !strcmp(a, b));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "nlb_hc_accepts")) {
		e = hc_config_parse(a, strlen(a), &cfg, err, sizeof(err));
		CHECK(t, e == 0, "nlb-hc's parser: %d %s", e, err);
		if (!e)
			CHECK_EQ_INT(t, cfg->n_backends, 3);
		hc_config_free(cfg);
		nlbt_sub_end(t);
	}
	free(a);
	free(b);
}

NLB_TEST(nlblet_hcconf_empty)
{
	char err[256], *a = NULL;
	struct hc_config *cfg = NULL;

	REQUIRE(t, !nlblet_hcconf_render("{\"revision\":1,\"vips\":[]}", &a,
					 err, sizeof(err)));
	CHECK(t, !strcmp(a, "{\n\t\"backends\":\t[]\n}"), "%s", a);
	CHECK_EQ_INT(t, hc_config_parse(a, strlen(a), &cfg, err, sizeof(err)),
		     0);
	hc_config_free(cfg);
	free(a);
}

NLB_TEST(nlblet_hcconf_bad)
{
	char err[256] = "", *a = NULL;

	CHECK_EQ_INT(t, nlblet_hcconf_render("{", &a, err, sizeof(err)),
		     -EINVAL);
	CHECK_EQ_INT(t,
		     nlblet_hcconf_render("{\"vips\":1}", &a, err, sizeof(err)),
		     -EINVAL);
	CHECK(t, strstr(err, "vips") != NULL, "%s", err);
	CHECK_EQ_INT(
		t,
		nlblet_hcconf_render(
			"{\"vips\":[{\"id\":\"a\",\"listeners\":[{"
			"\"port\":1,\"backends\":[{\"address\":\"10.0.0.1\"}"
			"],\"healthCheck\":{\"type\":\"SMTP\"}}]}]}",
			&a, err, sizeof(err)),
		-EINVAL);
	CHECK(t, strstr(err, "vips[0].listeners[0].healthCheck.type") != NULL,
	      "%s", err);
	CHECK(t, a == NULL);
}

/* throughTunnel: the check goes to the listener's VIP through the tunnel,
 * for the backend's monitorAddress too; nlb-hc takes it. */
NLB_TEST(nlblet_hcconf_tunnel)
{
	static const char doc[] =
		"{\"revision\":1,\"vips\":["
		"{\"id\":\"a/t\",\"generation\":1,\"vip\":\"10.99.0.7\","
		" \"listeners\":[{\"port\":80,\"protocol\":\"TCP\","
		"  \"backends\":[{\"address\":\"10.1.0.1\"},"
		"   {\"address\":\"10.1.0.2\",\"monitorAddress\":\"fd01::2\"}],"
		"  \"healthCheck\":{\"type\":\"HTTP\",\"path\":\"/hz\","
		"   \"throughTunnel\":true}}]}]}";
	static const char want[] = "{\n"
				   "\t\"backends\":\t[{\n"
				   "\t\t\t\"address\":\t\"10.1.0.1\",\n"
				   "\t\t\t\"vips\":\t[\"a/t:80/TCP\"],\n"
				   "\t\t\t\"checks\":\t[{\n"
				   "\t\t\t\t\t\"type\":\t\"http\",\n"
				   "\t\t\t\t\t\"port\":\t80,\n"
				   "\t\t\t\t\t\"path\":\t\"/hz\",\n"
				   "\t\t\t\t\t\"tunnel\":\t{\n"
				   "\t\t\t\t\t\t\"vip\":\t\"10.99.0.7\"\n"
				   "\t\t\t\t\t}\n"
				   "\t\t\t\t}]\n"
				   "\t\t}, {\n"
				   "\t\t\t\"address\":\t\"fd01::2\",\n"
				   "\t\t\t\"vips\":\t[\"a/t:80/TCP\"],\n"
				   "\t\t\t\"checks\":\t[{\n"
				   "\t\t\t\t\t\"type\":\t\"http\",\n"
				   "\t\t\t\t\t\"port\":\t80,\n"
				   "\t\t\t\t\t\"path\":\t\"/hz\",\n"
				   "\t\t\t\t\t\"tunnel\":\t{\n"
				   "\t\t\t\t\t\t\"vip\":\t\"10.99.0.7\"\n"
				   "\t\t\t\t\t}\n"
				   "\t\t\t\t}]\n"
				   "\t\t}]\n"
				   "}";
	char err[256] = "", *a = NULL;
	struct hc_config *cfg = NULL;
	int e;

	e = nlblet_hcconf_render(doc, &a, err, sizeof(err));
	REQUIRE(t, e == 0, "%d %s", e, err);
	CHECK(t, !strcmp(a, want), "got:\n%s", a);
	e = hc_config_parse(a, strlen(a), &cfg, err, sizeof(err));
	CHECK(t, e == 0, "nlb-hc's parser: %d %s", e, err);
	if (!e)
		CHECK_EQ_INT(t, cfg->backends[1].checks[0].tunnel.family,
			     AF_INET);
	hc_config_free(cfg);
	free(a);
	a = NULL;
	/* a VIP without an address cannot be tunneled to */
	CHECK_EQ_INT(t,
		     nlblet_hcconf_render(
			     "{\"vips\":[{\"id\":\"a\",\"listeners\":[{"
			     "\"port\":1,\"backends\":[{\"address\":"
			     "\"10.0.0.1\"}],\"healthCheck\":{\"type\":\"TCP\","
			     "\"throughTunnel\":true}}]}]}",
			     &a, err, sizeof(err)),
		     -EINVAL);
	CHECK(t,
	      strstr(err, "vips[0].listeners[0].healthCheck.throughTunnel") !=
		      NULL,
	      "%s", err);
	CHECK(t, a == NULL);
}

static const char state[] =
	"{\"event\":\"snapshot\",\"seq\":43,\"time_ms\":1795315969100,"
	"\"backends\":["
	"{\"backend\":\"10.1.0.11\",\"vips\":[\"acme/web:443/TCP\","
	"\"acme/api:443/TCP\"],\"combine\":\"all\",\"state\":\"down\","
	"\"reason\":\"HTTP 503\",\"check\":\"https:443/healthz\","
	"\"latency_us\":2140,\"since_ms\":1795315968744,\"checks\":[]},"
	"{\"backend\":\"fd01:0::11\",\"vips\":[\"acme/v6:80/TCP\"],"
	"\"combine\":\"all\",\"state\":\"up\",\"reason\":\"echo reply\","
	"\"since_ms\":5},"
	"{\"backend\":\"10.1.0.12\",\"vips\":[\"acme/web:443/TCP\"],"
	"\"state\":\"unknown\"}]}";

NLB_TEST(nlblet_hcstate_parse)
{
	const struct nlblet_hc_entry *e;
	struct nlblet_hcstate s;
	char err[256] = "";

	REQUIRE(t, !nlblet_hcstate_parse(state, &s, err, sizeof(err)), "%s",
		err);
	CHECK_EQ_INT(t, s.seq, 43);
	CHECK_EQ_INT(t, s.n, 4);
	e = nlblet_hcstate_find(&s, "acme/web:443/TCP", "10.1.0.11");
	if (CHECK(t, e != NULL)) {
		CHECK_EQ_INT(t, e->health, NLB_HEALTH_DOWN);
		CHECK(t, !strcmp(e->reason, "HTTP 503"));
		CHECK_EQ_INT(t, e->since_ms, 1795315968744LL);
	}
	CHECK_EQ_INT(t,
		     nlblet_hcstate_health(&s, "acme/api:443/TCP", "10.1.0.11"),
		     NLB_HEALTH_DOWN);
	/* another spelling of the same IPv6 address */
	CHECK_EQ_INT(t, nlblet_hcstate_health(&s, "acme/v6:80/TCP", "fd01::11"),
		     NLB_HEALTH_UP);
	CHECK_EQ_INT(t,
		     nlblet_hcstate_health(&s, "acme/web:443/TCP", "10.1.0.12"),
		     NLB_HEALTH_UNKNOWN);
	/* not checked, other listener, bad address, no state */
	CHECK_EQ_INT(t,
		     nlblet_hcstate_health(&s, "acme/web:80/TCP", "10.1.0.11"),
		     NLB_HEALTH_UNKNOWN);
	CHECK(t, !nlblet_hcstate_find(&s, "acme/web:443/TCP", "nope"));
	CHECK_EQ_INT(t, nlblet_hcstate_health(NULL, "a", "10.1.0.11"),
		     NLB_HEALTH_UNKNOWN);
	nlblet_hcstate_free(&s);
	nlblet_hcstate_free(NULL);
}

NLB_TEST(nlblet_hcstate_bad)
{
	static const struct {
		const char *name, *doc, *field;
	} cases[] = {
		{"not_json", "{", "(document)"},
		{"no_backends", "{\"seq\":1}", "backends"},
		{"bad_addr",
		 "{\"backends\":[{\"backend\":\"x\",\"vips\":[],\"state\":"
		 "\"up\"}]}",
		 "backends[0].backend"},
		{"bad_state",
		 "{\"backends\":[{\"backend\":\"10.0.0.1\",\"vips\":[],"
		 "\"state\":\"meh\"}]}",
		 "backends[0].state"},
		{"bad_vip",
		 "{\"backends\":[{\"backend\":\"10.0.0.1\",\"vips\":[1],"
		 "\"state\":\"up\"}]}",
		 "backends[0].vips"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nlblet_hcstate s;
		char err[256] = "";

		if (!nlbt_sub_begin(t, "%s", cases[i].name))
			continue;
		CHECK_EQ_INT(t,
			     nlblet_hcstate_parse(cases[i].doc, &s, err,
						  sizeof(err)),
			     -EINVAL);
		CHECK(t, strstr(err, cases[i].field) != NULL, "%s", err);
		CHECK_EQ_INT(t, s.n, 0);
		nlbt_sub_end(t);
	}
}

/* the state read back drives the assignment's health */
NLB_TEST(nlblet_hc_roundtrip)
{
	struct nlblet_hcstate s;
	struct nlblet_assign a;
	char err[256] = "";

	REQUIRE(t, !nlblet_hcstate_parse(state, &s, err, sizeof(err)));
	REQUIRE(t,
		!nlblet_assign_parse(assign, nlblet_hcstate_health, &s, &a, err,
				     sizeof(err)),
		"%s", err);
	CHECK_EQ_INT(t, a.want[0].backends[0].health, NLB_HEALTH_DOWN);
	CHECK_EQ_INT(t, a.want[0].backends[1].health, NLB_HEALTH_UNKNOWN);
	CHECK_EQ_INT(t, a.want[1].backends[0].health, NLB_HEALTH_UNKNOWN);
	CHECK_EQ_INT(t, a.want[3].backends[0].health, NLB_HEALTH_UP);
	nlblet_assign_free(&a);
	nlblet_hcstate_free(&s);
}

NLB_TEST(nlblet_status_render)
{
	static const char want[] =
		"{\"vips\":[{\"id\":\"acme/web\",\"generation\":3,"
		"\"advertised\":false,\"backends\":["
		"{\"address\":\"10.1.0.11\",\"port\":443,\"health\":"
		"\"unhealthy\",\"reason\":\"HTTP 503\",\"since\":"
		"\"2026-11-22T02:52:48Z\"},"
		"{\"address\":\"10.1.0.13\",\"port\":443,\"health\":"
		"\"unknown\","
		"\"reason\":\"not checked yet\"},"
		"{\"address\":\"10.1.0.12\",\"port\":0,\"health\":\"unknown\","
		"\"reason\":\"\"}]},"
		"{\"id\":\"acme/v6\",\"generation\":0,\"advertised\":false,"
		"\"backends\":[{\"address\":\"fd01::11\",\"port\":80,"
		"\"health\":\"healthy\",\"reason\":\"echo reply\","
		"\"since\":\"1970-01-01T00:00:00Z\"}]}]}";
	static const char st[] =
		"{\"seq\":1,\"backends\":["
		"{\"backend\":\"10.1.0.11\",\"vips\":[\"acme/web:443/TCP\"],"
		"\"state\":\"down\",\"reason\":\"HTTP 503\","
		"\"since_ms\":1795315968744},"
		"{\"backend\":\"10.1.0.12\",\"vips\":[\"acme/web:0/TCP\"],"
		"\"state\":\"unknown\"},"
		"{\"backend\":\"fd01::11\",\"vips\":[\"acme/v6:80/TCP\"],"
		"\"state\":\"up\",\"reason\":\"echo reply\",\"since_ms\":5}]}";
	long long synced[2] = {3, 0};
	struct nlblet_hcstate s;
	char err[256], *out = NULL;

	REQUIRE(t, !nlblet_hcstate_parse(st, &s, err, sizeof(err)), "%s", err);
	REQUIRE(t, !nlblet_status_render(assign, synced, NULL, 2, &s, &out));
	/* the UDP listener has no health check: not reported */
	CHECK(t, !strcmp(out, want), "got %s", out);
	free(out);
	CHECK_EQ_INT(t, nlblet_status_render("[", synced, NULL, 2, &s, &out),
		     -EINVAL);
	nlblet_hcstate_free(&s);
}

/* A VIP below its panic threshold says so; one above it, or without one,
 * has no panic field at all. */
NLB_TEST(nlblet_status_panic)
{
	static const char assign[] =
		"{\"revision\":1,\"vips\":["
		"{\"id\":\"a/low\",\"generation\":1,\"vip\":\"10.99.0.1\","
		" \"panicThresholdPercent\":60,\"listeners\":[{\"port\":80,"
		"  \"backends\":[{\"address\":\"10.1.0.1\"},"
		"   {\"address\":\"10.1.0.2\"}]}]},"
		"{\"id\":\"a/off\",\"generation\":1,\"vip\":\"10.99.0.2\","
		" \"listeners\":[{\"port\":80,"
		"  \"backends\":[{\"address\":\"10.1.0.1\"}]}]}]}";
	static const char st[] =
		"{\"seq\":1,\"backends\":["
		"{\"backend\":\"10.1.0.1\",\"vips\":[\"a/low:80/TCP\","
		"\"a/off:80/"
		"TCP\"],\"state\":\"down\",\"reason\":\"timeout\"}]}";
	long long synced[2] = {1, 1};
	struct nlblet_hcstate s;
	char err[256], *out = NULL;

	REQUIRE(t, !nlblet_hcstate_parse(st, &s, err, sizeof(err)), "%s", err);
	REQUIRE(t, !nlblet_status_render(assign, synced, NULL, 2, &s, &out));
	CHECK(t,
	      strstr(out, "{\"id\":\"a/low\",\"generation\":1,\"advertised\":"
			  "false,\"panic\":true,") != NULL,
	      "got %s", out);
	CHECK(t, !strstr(strstr(out, "a/off"), "panic"), "a/off: %s", out);
	free(out);
	nlblet_hcstate_free(&s);
}
