// SPDX-License-Identifier: GPL-2.0
/* The control-plane HTTP client (see cp_httpc.h). */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cp_httpc.h"

struct cp_httpc {
	char host[256];
	char port[16];
	char *token;
	int fd;
	int timeout_ms;
};

void cp_httpc_set_timeout(struct cp_httpc *c, int ms)
{
	c->timeout_ms = ms;
}

struct cp_httpc *cp_httpc_new(const char *endpoint, const char *token, int *err)
{
	struct cp_httpc *c;
	const char *h, *e, *colon;

	if (strncmp(endpoint, "http://", 7)) {
		*err = -EPROTONOSUPPORT;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->fd = -1;
	h = endpoint + 7;
	e = h + strcspn(h, "/");
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(e - h));

		if (!rb)
			goto inval;
		colon = rb + 1 < e && rb[1] == ':' ? rb + 1 : NULL;
		h++;
		if ((size_t)(rb - h) >= sizeof(c->host))
			goto inval;
		memcpy(c->host, h, (size_t)(rb - h));
	} else {
		colon = memchr(h, ':', (size_t)(e - h));
		if ((size_t)((colon ? colon : e) - h) >= sizeof(c->host))
			goto inval;
		memcpy(c->host, h, (size_t)((colon ? colon : e) - h));
	}
	if (colon) {
		if ((size_t)(e - colon - 1) >= sizeof(c->port))
			goto inval;
		memcpy(c->port, colon + 1, (size_t)(e - colon - 1));
	} else {
		strcpy(c->port, "80");
	}
	if (token && !(c->token = strdup(token))) {
		free(c);
		*err = -ENOMEM;
		return NULL;
	}
	return c;
inval:
	free(c);
	*err = -EINVAL;
	return NULL;
}

void cp_httpc_free(struct cp_httpc *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->token);
	free(c);
}

void cp_httpc_resp_clear(struct cp_httpc_resp *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static int dial(struct cp_httpc *c)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai, *p;
	int fd = -1, rc, one = 1;

	rc = getaddrinfo(c->host, c->port, &hints, &ai);
	if (rc)
		return -EHOSTUNREACH;
	for (p = ai; p; p = p->ai_next) {
		fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		if (!connect(fd, p->ai_addr, p->ai_addrlen))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		return -ECONNREFUSED;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (c->timeout_ms) {
		struct timeval tv = {c->timeout_ms / 1000,
				     (c->timeout_ms % 1000) * 1000};

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	c->fd = fd;
	return 0;
}

static int send_all(int fd, const char *b, size_t n)
{
	while (n) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -EPIPE;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A growable buffer over the connection for one response. */
struct rbuf {
	int fd;
	char *b;
	size_t len, cap, pos;
};

static int rb_fill(struct rbuf *r)
{
	ssize_t n;

	if (r->len + 1 >= r->cap) {
		size_t cap = r->cap * 2;
		char *nb = cap <= (256u << 20) ? realloc(r->b, cap) : NULL;

		if (!nb)
			return -EMSGSIZE;
		r->b = nb;
		r->cap = cap;
	}
	do
		n = recv(r->fd, r->b + r->len, r->cap - r->len - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	r->len += (size_t)n;
	r->b[r->len] = 0;
	return 0;
}

/* Makes n bytes available from pos on. */
static int rb_need(struct rbuf *r, size_t n)
{
	int err;

	while (r->len - r->pos < n)
		if ((err = rb_fill(r)))
			return err;
	return 0;
}

/* The next CRLF-terminated line from pos on (NUL-terminated in place). */
static char *rb_line(struct rbuf *r, int *err)
{
	char *e;

	for (;;) {
		e = memmem(r->b + r->pos, r->len - r->pos, "\r\n", 2);
		if (e)
			break;
		if ((*err = rb_fill(r)))
			return NULL;
	}
	*e = 0;
	{
		char *line = r->b + r->pos;

		r->pos = (size_t)(e - r->b) + 2;
		return line;
	}
}

/* Reads one response; -EPIPE when the connection died before any byte. */
static int read_resp(struct cp_httpc *c, struct cp_httpc_resp *r)
{
	struct rbuf rb = {.fd = c->fd, .cap = 8192};
	bool has_len = false, close_after = false, chunked = false;
	size_t clen = 0, blen = 0, bcap = 0;
	char *line, *body = NULL;
	int err = 0;

	rb.b = malloc(rb.cap);
	if (!rb.b)
		return -ENOMEM;
	rb.b[0] = 0;
	line = rb_line(&rb, &err);
	if (!line) {
		free(rb.b);
		return rb.len ? -EPROTO : -EPIPE;
	}
	if (sscanf(line, "HTTP/1.%*d %d", &r->status) != 1) {
		free(rb.b);
		return -EPROTO;
	}
	while ((line = rb_line(&rb, &err)) && *line) {
		if (!strncasecmp(line, "Content-Length:", 15)) {
			clen = strtoull(line + 15, NULL, 10);
			has_len = true;
		} else if (!strncasecmp(line, "Transfer-Encoding:", 18) &&
			   strcasestr(line, "chunked")) {
			chunked = true;
		} else if (!strncasecmp(line, "ETag:", 5)) {
			const char *v = line + 5;

			while (*v == ' ')
				v++;
			snprintf(r->etag, sizeof(r->etag), "%s", v);
		} else if (!strncasecmp(line, "Connection:", 11) &&
			   strcasestr(line, "close")) {
			close_after = true;
		}
	}
	if (!line)
		goto fail;
	if (chunked) {
		for (;;) {
			size_t n;

			line = rb_line(&rb, &err);
			if (!line)
				goto fail;
			n = strtoull(line, NULL, 16);
			if (n > (64u << 20)) {
				err = -EMSGSIZE;
				goto fail;
			}
			if ((err = rb_need(&rb, n + 2)))
				goto fail;
			if (blen + n + 1 > bcap) {
				char *nb;

				bcap = (blen + n + 1) * 2;
				nb = realloc(body, bcap);
				if (!nb) {
					err = -ENOMEM;
					goto fail;
				}
				body = nb;
			}
			memcpy(body + blen, rb.b + rb.pos, n);
			blen += n;
			rb.pos += n + 2;
			if (!n)
				break; /* no trailers from our peers */
		}
	} else if (has_len) {
		if ((err = rb_need(&rb, clen)))
			goto fail;
		body = malloc(clen + 1);
		if (!body) {
			err = -ENOMEM;
			goto fail;
		}
		memcpy(body, rb.b + rb.pos, clen);
		blen = clen;
	} else {
		/* delimited by the end of the connection */
		while (!(err = rb_fill(&rb)))
			;
		if (err != -EPIPE)
			goto fail;
		err = 0;
		blen = rb.len - rb.pos;
		body = malloc(blen + 1);
		if (!body) {
			err = -ENOMEM;
			goto fail;
		}
		memcpy(body, rb.b + rb.pos, blen);
		close_after = true;
	}
	if (!body && !(body = malloc(1))) {
		err = -ENOMEM;
		goto fail;
	}
	body[blen] = 0;
	r->body = body;
	free(rb.b);
	if (close_after) {
		close(c->fd);
		c->fd = -1;
	}
	return 0;
fail:
	free(body);
	free(rb.b);
	return err == -EPIPE ? -EPROTO : (err ? err : -EPROTO);
}

int cp_httpc_do(struct cp_httpc *c, const char *method, const char *path,
		const char *if_match, const char *body,
		struct cp_httpc_resp *resp)
{
	size_t blen = body ? strlen(body) : 0;
	char hdr[2048];
	int n, err, attempt;

	memset(resp, 0, sizeof(*resp));
	n = snprintf(hdr, sizeof(hdr),
		     "%s %s HTTP/1.1\r\nHost: %s\r\n%s%s%s%s%s%s"
		     "Content-Type: application/json\r\n"
		     "Content-Length: %zu\r\n\r\n",
		     method, path, c->host,
		     c->token ? "Authorization: Bearer " : "",
		     c->token ? c->token : "", c->token ? "\r\n" : "",
		     if_match ? "If-Match: " : "", if_match ? if_match : "",
		     if_match ? "\r\n" : "", blen);
	if (n < 0 || (size_t)n >= sizeof(hdr))
		return -ENAMETOOLONG;
	/* a kept connection may have been closed by the server: one retry
	 * on a fresh connection, only when nothing was read back */
	for (attempt = 0; attempt < 2; attempt++) {
		bool fresh = c->fd < 0;

		if (fresh && (err = dial(c)))
			return err;
		err = send_all(c->fd, hdr, (size_t)n);
		if (!err && blen)
			err = send_all(c->fd, body, blen);
		if (!err)
			err = read_resp(c, resp);
		if (!err)
			return 0;
		close(c->fd);
		c->fd = -1;
		if (err != -EPIPE || fresh)
			return err;
	}
	return err;
}
