/* SPDX-License-Identifier: GPL-2.0 */
/* nlb-hc output buffer: a growable byte string with printf and JSON string
 * escaping, for event lines, the state file and metrics pages. */
#ifndef HC_BUF_H
#define HC_BUF_H

#include <stddef.h>

struct hc_buf {
	char *p;
	size_t len, cap;
	int err; /* first -ENOMEM, sticky; callers check once at the end */
};

void hc_buf_add(struct hc_buf *b, const void *data, size_t len);
void hc_buf_printf(struct hc_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends s as a quoted JSON string. */
void hc_buf_json_str(struct hc_buf *b, const char *s);
/* Drops the first n bytes (already written out). */
void hc_buf_consume(struct hc_buf *b, size_t n);
void hc_buf_reset(struct hc_buf *b);
void hc_buf_free(struct hc_buf *b);

#endif /* HC_BUF_H */
