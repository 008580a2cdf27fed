/* SPDX-License-Identifier: GPL-2.0 */
/* A small HTTP/1.1 server for the control plane: one thread per connection,
 * keep-alive, Content-Length bodies with a size limit, optional TLS. */
#ifndef NLB_CP_HTTP_H
#define NLB_CP_HTTP_H

#include <signal.h>
#include <stddef.h>

struct cp_http_req {
	char method[16];
	char *path; /* decoded path, without the query */
	char *query; /* raw query string, "" when none */
	const char *authorization;
	const char *if_match;
	const char *peer; /* remote address, for the log */
	char *body; /* NUL-terminated */
	size_t body_len;
};

struct cp_http_resp {
	int status;
	char *body; /* malloc'ed, freed by the server */
	const char *content_type;
	char etag[32];
	char location[256];
};

typedef void (*cp_http_handler)(void *ctx, const struct cp_http_req *req,
				struct cp_http_resp *resp);
/* Called once per request after the response went out. */
typedef void (*cp_http_logger)(void *ctx, const struct cp_http_req *req,
			       const struct cp_http_resp *resp, double ms);

struct cp_http_opts {
	const char *addr; /* listen address, default 127.0.0.1 */
	int port; /* 0: the kernel picks */
	size_t max_body;
	const char *tls_cert; /* PEM files; both set: HTTPS */
	const char *tls_key;
	cp_http_handler handler;
	cp_http_logger logger;
	void *ctx;
};

struct cp_http_server;

struct cp_http_server *cp_http_server_new(const struct cp_http_opts *o,
					  int *err);
int cp_http_server_port(const struct cp_http_server *s);
/* Accepts until *stop becomes non-zero, then waits up to 2 s for open
 * connections; -EBUSY when some are still running (their threads still use
 * the handler's context, so the caller must not free it). */
int cp_http_server_run(struct cp_http_server *s, volatile sig_atomic_t *stop);
void cp_http_server_free(struct cp_http_server *s);

/* The value of key in a query string, decoded; NULL when absent. */
char *cp_http_query_get(const char *query, const char *key);
const char *cp_http_reason(int status);

#endif /* NLB_CP_HTTP_H */
