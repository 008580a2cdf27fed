/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-hc HTTP check: the request line and an incremental response reader
 * that stops as soon as the verdict is known. */
#ifndef HC_HTTP_H
#define HC_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "hc_config.h"

#define HC_HTTP_MAX_READ 65536 /* give up on a body match after this much */

enum hc_http_res {
	HC_HTTP_MORE, /* feed more bytes */
	HC_HTTP_PASS,
	HC_HTTP_FAIL, /* reason filled */
};

struct hc_http_rd {
	const struct hc_check *chk;
	int status;
	unsigned eoh; /* how much of "\r\n\r\n" was last seen */
	bool in_body;
	size_t total;
	char line[64]; /* the start of the status line */
	size_t line_len;
	char tail
		[HC_MAX_BODY]; /* last bytes of body, for matches across reads */
	size_t tail_len;
};

/* Writes "GET path HTTP/1.1" with Host, Connection: close. Returns the length
 * or -ENOSPC. host_default is used without a configured host. */
int hc_http_request(const struct hc_check *c, const char *host_default,
		    char *buf, size_t len);

void hc_http_rd_init(struct hc_http_rd *r, const struct hc_check *c);
/* Feed received bytes (len 0 means the peer closed). */
enum hc_http_res hc_http_rd_feed(struct hc_http_rd *r, const char *buf,
				 size_t len, char *reason, size_t rlen);

#endif /* HC_HTTP_H */
