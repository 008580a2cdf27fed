// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness for the nlb-hc HTTP response reader: the first byte
 * picks the read size, the rest is what a backend sent. */
#include <stdint.h>
#include <stdlib.h>

#include "hc_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hc_check c = {.type = HC_HTTP, .body = "ok"};
	enum hc_http_res res = HC_HTTP_MORE;
	struct hc_http_rd r;
	char reason[96];
	size_t step, off = 1;

	if (!size)
		return 0;
	step = data[0] % 32 + 1;
	c.n_ranges = hc_ranges_parse("200-399", c.ranges, HC_MAX_RANGES);
	if (data[0] & 0x80)
		c.body = NULL;
	hc_http_rd_init(&r, &c);
	while (off < size && res == HC_HTTP_MORE) {
		size_t n = size - off < step ? size - off : step;

		res = hc_http_rd_feed(&r, (const char *)data + off, n, reason,
				      sizeof(reason));
		off += n;
	}
	if (res == HC_HTTP_MORE &&
	    hc_http_rd_feed(&r, "", 0, reason, sizeof(reason)) != HC_HTTP_FAIL)
		abort(); /* end of stream without a verdict is a failure */
	return 0;
}
