// SPDX-License-Identifier: GPL-2.0
/* The control-plane HTTP/1.1 server (see cp_http.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cp_http.h"

#define HDR_MAX 16384
#define IDLE_TIMEOUT_S 120

struct cp_http_server {
	struct cp_http_opts o;
	int fd;
	int port;
	SSL_CTX *tls;
	int active; /* connection threads alive (atomic) */
};

struct conn {
	struct cp_http_server *srv;
	int fd;
	SSL *ssl;
	char peer[64];
	char buf[HDR_MAX];
	size_t len;
};

const char *cp_http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 411:
		return "Length Required";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Payload Too Large";
	case 422:
		return "Unprocessable Entity";
	case 428:
		return "Precondition Required";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Unknown";
	}
}

static ssize_t c_read(struct conn *c, void *b, size_t n)
{
	if (c->ssl) {
		int r = SSL_read(c->ssl, b, (int)n);

		return r > 0 ? r : -1;
	}
	return read(c->fd, b, n);
}

static int c_write_all(struct conn *c, const char *b, size_t n)
{
	while (n) {
		ssize_t w;

		if (c->ssl) {
			int r = SSL_write(c->ssl, b, (int)n);

			w = r > 0 ? r : -1;
		} else {
			w = send(c->fd, b, n, MSG_NOSIGNAL);
		}
		if (w < 0 && errno == EINTR && !c->ssl)
			continue;
		if (w <= 0)
			return -EIO;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static void url_decode(char *s, bool plus)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else if (plus && *s == '+') {
			*o++ = ' ';
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
}

char *cp_http_query_get(const char *query, const char *key)
{
	size_t kl = strlen(key);
	const char *p = query;

	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);

		if (len > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			char *v = strndup(p + kl + 1, len - kl - 1);

			if (v)
				url_decode(v, true);
			return v;
		}
		if (len == kl && !strncmp(p, key, kl))
			return strdup("");
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

static int send_resp(struct conn *c, struct cp_http_resp *r, bool keep)
{
	char hdr[1024];
	size_t blen = r->body ? strlen(r->body) : 0;
	int n;

	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\n%s%s%s%s%s%s%s\r\n",
		     r->status, cp_http_reason(r->status),
		     r->content_type ? r->content_type : "application/json",
		     blen, r->etag[0] ? "ETag: " : "", r->etag,
		     r->etag[0] ? "\r\n" : "",
		     r->location[0] ? "Location: " : "", r->location,
		     r->location[0] ? "\r\n" : "",
		     keep ? "" : "Connection: close\r\n");
	if (n < 0 || (size_t)n >= sizeof(hdr))
		return -EOVERFLOW;
	if (c_write_all(c, hdr, (size_t)n))
		return -EIO;
	return blen ? c_write_all(c, r->body, blen) : 0;
}

static void simple_error(struct conn *c, int status, const char *msg)
{
	struct cp_http_resp r = {.status = status};
	char body[256];

	snprintf(body, sizeof(body),
		 "{\"error\":{\"code\":%d,\"reason\":\"%s\","
		 "\"field\":\"\",\"message\":\"%s\"}}",
		 status, cp_http_reason(status), msg);
	r.body = body;
	send_resp(c, &r, false);
}

static const char *hdr_val(char *line, const char *name)
{
	size_t n = strlen(name);
	char *v;

	if (strncasecmp(line, name, n) || line[n] != ':')
		return NULL;
	v = line + n + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	return v;
}

static double ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1e3 + (b.tv_nsec - a->tv_nsec) / 1e6;
}

/* Serves one request; returns true to keep the connection. */
static bool serve_one(struct conn *c)
{
	struct cp_http_server *s = c->srv;
	struct cp_http_req req = {.peer = c->peer};
	struct cp_http_resp resp = {.status = 500};
	char *end, *line, *next, *target, *q, *auth, *ifm;
	size_t hlen, clen = 0, have;
	bool keep = true, has_len = false, expect_continue = false;
	struct timespec t0;
	ssize_t r;

	while (!(end = memmem(c->buf, c->len, "\r\n\r\n", 4))) {
		if (c->len == sizeof(c->buf)) {
			simple_error(c, 431, "headers too large");
			return false;
		}
		r = c_read(c, c->buf + c->len, sizeof(c->buf) - c->len);
		if (r <= 0)
			return false;
		c->len += (size_t)r;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	*end = 0;
	hlen = (size_t)(end - c->buf) + 4;
	line = c->buf;
	next = strstr(line, "\r\n");
	if (next)
		*next = 0;
	target = strchr(line, ' ');
	if (!target || (size_t)(target - line) >= sizeof(req.method)) {
		simple_error(c, 400, "bad request line");
		return false;
	}
	memcpy(req.method, line, (size_t)(target - line));
	target++;
	q = strchr(target, ' ');
	if (!q || strncmp(q + 1, "HTTP/1.", 7)) {
		simple_error(c, 400, "bad request line");
		return false;
	}
	*q = 0;
	if (!strcmp(q + 1, "HTTP/1.0"))
		keep = false;
	for (line = next ? next + 2 : NULL; line && *line; line = next) {
		const char *v;

		next = strstr(line, "\r\n");
		if (next) {
			*next = 0;
			next += 2;
		}
		if ((v = hdr_val(line, "Content-Length"))) {
			char *e;

			errno = 0;
			clen = strtoull(v, &e, 10);
			if (errno || *e || *v == '-') {
				simple_error(c, 400, "bad Content-Length");
				return false;
			}
			has_len = true;
		} else if ((v = hdr_val(line, "Authorization"))) {
			req.authorization = v;
		} else if ((v = hdr_val(line, "If-Match"))) {
			req.if_match = v;
		} else if ((v = hdr_val(line, "Transfer-Encoding"))) {
			simple_error(c, 411, "chunked bodies not supported");
			return false;
		} else if ((v = hdr_val(line, "Expect"))) {
			expect_continue = !strcasecmp(v, "100-continue");
		} else if ((v = hdr_val(line, "Connection"))) {
			if (!strcasecmp(v, "close"))
				keep = false;
			else if (!strcasecmp(v, "keep-alive"))
				keep = true;
		}
	}
	(void)has_len;
	if (clen > s->o.max_body) {
		resp.status = 413;
		simple_error(c, 413, "body exceeds the size limit");
		return false;
	}
	/* curl waits a second for this before sending larger bodies */
	if (expect_continue && clen && c->len - hlen < clen &&
	    c_write_all(c, "HTTP/1.1 100 Continue\r\n\r\n", 25))
		return false;
	req.body = malloc(clen + 1);
	if (!req.body) {
		simple_error(c, 500, "out of memory");
		return false;
	}
	have = c->len - hlen;
	if (have > clen)
		have = clen;
	memcpy(req.body, c->buf + hlen, have);
	while (have < clen) {
		r = c_read(c, req.body + have, clen - have);
		if (r <= 0) {
			free(req.body);
			return false;
		}
		have += (size_t)r;
	}
	req.body[clen] = 0;
	req.body_len = clen;
	{
		char *qs = strchr(target, '?');

		req.query = strdup(qs ? qs + 1 : "");
		if (qs)
			*qs = 0;
		req.path = strdup(target);
		url_decode(req.path, false);
	}
	/* header values point into buf: copy them before reusing buf for
	 * pipelined bytes after this request's body */
	auth = req.authorization ? strdup(req.authorization) : NULL;
	ifm = req.if_match ? strdup(req.if_match) : NULL;
	req.authorization = auth;
	req.if_match = ifm;
	{
		size_t used = hlen + clen < c->len ? hlen + clen : c->len;

		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
	}
	s->o.handler(s->o.ctx, &req, &resp);
	if (send_resp(c, &resp, keep))
		keep = false;
	if (s->o.logger)
		s->o.logger(s->o.ctx, &req, &resp, ms_since(&t0));
	free(resp.body);
	free(req.body);
	free(req.path);
	free(req.query);
	free(auth);
	free(ifm);
	return keep;
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;

	if (c->ssl) {
		SSL_set_fd(c->ssl, c->fd);
		if (SSL_accept(c->ssl) <= 0)
			goto out;
	}
	while (serve_one(c))
		;
out:
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	close(c->fd);
	__atomic_fetch_sub(&c->srv->active, 1, __ATOMIC_RELEASE);
	free(c);
	return NULL;
}

struct cp_http_server *cp_http_server_new(const struct cp_http_opts *o,
					  int *err)
{
	struct cp_http_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};
	struct sockaddr_in a4 = {.sin_family = AF_INET};
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const char *addr = o->addr ? o->addr : "127.0.0.1";
	int one = 1;

	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	s->o = *o;
	s->fd = -1;
	if (inet_pton(AF_INET, addr, &a4.sin_addr) == 1) {
		a4.sin_port = htons((uint16_t)o->port);
		s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s->fd < 0)
			goto fail_errno;
		setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s->fd, (struct sockaddr *)&a4, sizeof(a4)))
			goto fail_errno;
	} else if (inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1) {
		a6.sin6_port = htons((uint16_t)o->port);
		s->fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s->fd < 0)
			goto fail_errno;
		setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(s->fd, (struct sockaddr *)&a6, sizeof(a6)))
			goto fail_errno;
	} else {
		*err = -EINVAL;
		goto fail;
	}
	if (listen(s->fd, 1024))
		goto fail_errno;
	if (getsockname(s->fd, (struct sockaddr *)&ss, &sl))
		goto fail_errno;
	s->port = ss.ss_family == AF_INET
			  ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
			  : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	if (o->tls_cert && o->tls_key) {
		s->tls = SSL_CTX_new(TLS_server_method());
		if (!s->tls ||
		    SSL_CTX_use_certificate_chain_file(s->tls, o->tls_cert) !=
			    1 ||
		    SSL_CTX_use_PrivateKey_file(s->tls, o->tls_key,
						SSL_FILETYPE_PEM) != 1) {
			*err = -EINVAL;
			goto fail;
		}
	}
	return s;
fail_errno:
	*err = -errno;
fail:
	cp_http_server_free(s);
	return NULL;
}

int cp_http_server_port(const struct cp_http_server *s)
{
	return s->port;
}

int cp_http_server_run(struct cp_http_server *s, volatile sig_atomic_t *stop)
{
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	while (!*stop) {
		struct pollfd p = {.fd = s->fd, .events = POLLIN};
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct timeval tv = {.tv_sec = IDLE_TIMEOUT_S};
		struct conn *c;
		pthread_t th;
		int fd, one = 1;

		if (poll(&p, 1, 200) <= 0)
			continue;
		fd = accept4(s->fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->srv = s;
		c->fd = fd;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET,
				  &((struct sockaddr_in *)&ss)->sin_addr,
				  c->peer, sizeof(c->peer));
		else
			inet_ntop(AF_INET6,
				  &((struct sockaddr_in6 *)&ss)->sin6_addr,
				  c->peer, sizeof(c->peer));
		if (s->tls) {
			c->ssl = SSL_new(s->tls);
			if (!c->ssl) {
				close(fd);
				free(c);
				continue;
			}
		}
		__atomic_fetch_add(&s->active, 1, __ATOMIC_ACQUIRE);
		if (pthread_create(&th, &attr, conn_main, c)) {
			__atomic_fetch_sub(&s->active, 1, __ATOMIC_RELEASE);
			if (c->ssl)
				SSL_free(c->ssl);
			close(fd);
			free(c);
		}
	}
	pthread_attr_destroy(&attr);
	/* stop accepting, then give open requests (long polls) a moment */
	close(s->fd);
	s->fd = -1;
	{
		int i;

		for (i = 0; i < 40; i++) {
			struct timespec ts = {0, 50 * 1000000};

			if (!__atomic_load_n(&s->active, __ATOMIC_ACQUIRE))
				return 0;
			nanosleep(&ts, NULL);
		}
	}
	return -EBUSY;
}

void cp_http_server_free(struct cp_http_server *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	if (s->tls)
		SSL_CTX_free(s->tls);
	free(s);
}
