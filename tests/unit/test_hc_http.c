// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the nlb-hc HTTP reader: status ranges, body matches across
 * reads, early verdicts, and malformed answers. */
#include <string.h>

#include "hc_http.h"
#include "nlbtest.h"

static struct hc_check check(const char *expect, char *body)
{
	struct hc_check c = {.type = HC_HTTP, .body = body};

	c.n_ranges = hc_ranges_parse(expect, c.ranges, HC_MAX_RANGES);
	return c;
}

/* Feeds text in pieces of step bytes (0: whole), then EOF if still open. */
static enum hc_http_res run(const struct hc_check *c, const char *text,
			    size_t step, char *reason)
{
	struct hc_http_rd r;
	size_t len = strlen(text), off = 0;
	enum hc_http_res res = HC_HTTP_MORE;

	hc_http_rd_init(&r, c);
	reason[0] = '\0';
	while (off < len && res == HC_HTTP_MORE) {
		size_t n = step && len - off > step ? step : len - off;

		res = hc_http_rd_feed(&r, text + off, n, reason, 96);
		off += n;
	}
	if (res == HC_HTTP_MORE)
		res = hc_http_rd_feed(&r, "", 0, reason, 96);
	return res;
}

static const char ok_resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n"
			      "\r\nstatus: ok\n";

NLB_TEST(hc_http_status)
{
	struct hc_check c = check("200-299", NULL);
	char reason[96];

	for (size_t step = 0; step < 14; step++) {
		if (!nlbt_sub_begin(t, "step_%zu", step))
			continue;
		CHECK_EQ_INT(t, run(&c, ok_resp, step, reason), HC_HTTP_PASS);
		CHECK_EQ_INT(t,
			     run(&c, "HTTP/1.0 503 Service Unavailable\r\n\r\n",
				 step, reason),
			     HC_HTTP_FAIL);
		CHECK(t, !strcmp(reason, "HTTP 503"), "reason %s", reason);
		nlbt_sub_end(t);
	}
}

NLB_TEST(hc_http_stops_at_status)
{
	struct hc_check c = check("200", NULL);
	struct hc_http_rd r;
	char reason[96];

	hc_http_rd_init(&r, &c);
	CHECK_EQ_INT(t, hc_http_rd_feed(&r, "HTTP/1.1 200 ", 13, reason, 96),
		     HC_HTTP_PASS);
	CHECK_EQ_INT(t, r.status, 200);
}

NLB_TEST(hc_http_body)
{
	char needle[] = "status: ok";
	struct hc_check c = check("200", needle);
	char reason[96];

	for (size_t step = 0; step < 20; step++) {
		if (!nlbt_sub_begin(t, "step_%zu", step))
			continue;
		CHECK_EQ_INT(t, run(&c, ok_resp, step, reason), HC_HTTP_PASS);
		CHECK_EQ_INT(t,
			     run(&c,
				 "HTTP/1.1 200 OK\r\n\r\nstatus: degraded\n",
				 step, reason),
			     HC_HTTP_FAIL);
		CHECK(t, strstr(reason, "body mismatch"), "reason %s", reason);
		/* the needle in a header does not count */
		CHECK_EQ_INT(t,
			     run(&c,
				 "HTTP/1.1 200 OK\r\nX: status: ok\r\n\r\nno",
				 step, reason),
			     HC_HTTP_FAIL);
		nlbt_sub_end(t);
	}
}

NLB_TEST(hc_http_malformed)
{
	struct hc_check c = check("200", NULL);
	char reason[96];

	CHECK_EQ_INT(t, run(&c, "SSH-2.0-OpenSSH_9.2\r\n", 0, reason),
		     HC_HTTP_FAIL);
	CHECK(t, strstr(reason, "malformed"), "reason %s", reason);
	CHECK_EQ_INT(t, run(&c, "HTTP/1.1 2", 0, reason), HC_HTTP_FAIL);
	CHECK(t, strstr(reason, "closed before status"), "reason %s", reason);
	CHECK_EQ_INT(t, run(&c, "HTTP/1.1 2x0 OK\r\n\r\n", 0, reason),
		     HC_HTTP_FAIL);
}

NLB_TEST(hc_http_request)
{
	struct hc_check c = {.type = HC_HTTP, .path = "/healthz"};
	char buf[256];
	int n;

	n = hc_http_request(&c, "10.0.0.1:80", buf, sizeof(buf));
	REQUIRE(t, n > 0);
	CHECK(t,
	      !strncmp(buf, "GET /healthz HTTP/1.1\r\nHost: 10.0.0.1:80\r\n",
		       42),
	      "%s", buf);
	CHECK(t, strstr(buf, "Connection: close\r\n\r\n"));
	c.host = "web.example";
	n = hc_http_request(&c, "10.0.0.1:80", buf, sizeof(buf));
	CHECK(t, n > 0 && strstr(buf, "Host: web.example\r\n"));
	CHECK(t, hc_http_request(&c, "x", buf, 16) < 0, "too small");
}
