// SPDX-License-Identifier: GPL-2.0
/* nlb-hc HTTP check request and incremental response reader. */
#include "hc_http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int hc_http_request(const struct hc_check *c, const char *host_default,
		    char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "GET %s HTTP/1.1\r\nHost: %s\r\n"
			 "User-Agent: nlb-hc\r\nConnection: close\r\n\r\n",
			 c->path ?: "/", c->host ?: host_default);

	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

void hc_http_rd_init(struct hc_http_rd *r, const struct hc_check *c)
{
	memset(r, 0, sizeof(*r));
	r->chk = c;
}

static enum hc_http_res verdict_status(struct hc_http_rd *r, char *reason,
				       size_t rlen)
{
	if (!hc_ranges_match(r->chk->ranges, r->chk->n_ranges, r->status)) {
		snprintf(reason, rlen, "HTTP %d", r->status);
		return HC_HTTP_FAIL;
	}
	return r->chk->body ? HC_HTTP_MORE : HC_HTTP_PASS;
}

/* "HTTP/1.x SSS" once at least 12 bytes are there. */
static int parse_status(struct hc_http_rd *r)
{
	const char *l = r->line;

	if (r->line_len < 12)
		return 0;
	if (memcmp(l, "HTTP/1.", 7) || l[8] != ' ' || l[9] < '1' ||
	    l[9] > '5' || l[10] < '0' || l[10] > '9' || l[11] < '0' ||
	    l[11] > '9')
		return -EPROTO;
	r->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	return 1;
}

static bool body_scan(struct hc_http_rd *r, const char *buf, size_t len)
{
	const char *needle = r->chk->body;
	size_t nl = strlen(needle), take;
	char win[2 * HC_MAX_BODY];

	/* a match may straddle the previous read and this one */
	take = len < nl - 1 ? len : nl - 1;
	memcpy(win, r->tail, r->tail_len);
	memcpy(win + r->tail_len, buf, take);
	if (memmem(win, r->tail_len + take, needle, nl))
		return true;
	if (memmem(buf, len, needle, nl))
		return true;
	if (len >= nl - 1) {
		r->tail_len = nl - 1;
		memcpy(r->tail, buf + len - r->tail_len, r->tail_len);
	} else {
		size_t keep =
			r->tail_len + len > nl - 1 ? nl - 1 - len : r->tail_len;

		memmove(r->tail, r->tail + r->tail_len - keep, keep);
		memcpy(r->tail + keep, buf, len);
		r->tail_len = keep + len;
	}
	return false;
}

enum hc_http_res hc_http_rd_feed(struct hc_http_rd *r, const char *buf,
				 size_t len, char *reason, size_t rlen)
{
	enum hc_http_res res;
	size_t i = 0;

	if (!len) {
		if (!r->status)
			snprintf(reason, rlen,
				 "HTTP: connection closed "
				 "before status line");
		else
			snprintf(reason, rlen, "HTTP %d: body mismatch",
				 r->status);
		return HC_HTTP_FAIL;
	}
	r->total += len;
	if (!r->status) {
		size_t take = sizeof(r->line) - r->line_len;
		int ret;

		if (take > len)
			take = len;
		memcpy(r->line + r->line_len, buf, take);
		r->line_len += take;
		ret = parse_status(r);
		if (ret < 0) {
			snprintf(reason, rlen, "HTTP: malformed status line");
			return HC_HTTP_FAIL;
		}
		if (!ret)
			return HC_HTTP_MORE;
		res = verdict_status(r, reason, rlen);
		if (res != HC_HTTP_MORE)
			return res;
		/* the status was fine and a body match is wanted; find the
		 * end of the headers from the start of this read */
		i = 0;
	}
	if (!r->in_body) {
		static const char eoh[] = "\r\n\r\n";

		for (; i < len && r->eoh < 4; i++)
			r->eoh = buf[i] == eoh[r->eoh] ? r->eoh + 1
						       : (buf[i] == '\r');
		if (r->eoh < 4)
			goto more;
		r->in_body = true;
	}
	if (body_scan(r, buf + i, len - i))
		return HC_HTTP_PASS;
more:
	if (r->total > HC_HTTP_MAX_READ) {
		snprintf(reason, rlen, "HTTP %d: body mismatch", r->status);
		return HC_HTTP_FAIL;
	}
	return HC_HTTP_MORE;
}
