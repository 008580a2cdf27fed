// SPDX-License-Identifier: GPL-2.0
/* nlb-hc growable output buffer. */
#include "hc_buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct hc_buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->err)
		return b->err;
	if (b->len + need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + need + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return b->err = -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

void hc_buf_add(struct hc_buf *b, const void *data, size_t len)
{
	if (grow(b, len))
		return;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void hc_buf_printf(struct hc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

void hc_buf_json_str(struct hc_buf *b, const char *s)
{
	hc_buf_add(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			hc_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			hc_buf_printf(b, "\\u%04x", c);
		else
			hc_buf_add(b, s, 1);
	}
	hc_buf_add(b, "\"", 1);
}

void hc_buf_consume(struct hc_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

void hc_buf_reset(struct hc_buf *b)
{
	b->len = 0;
	b->err = 0;
}

void hc_buf_free(struct hc_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
