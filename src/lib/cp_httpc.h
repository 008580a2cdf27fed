/* SPDX-License-Identifier: GPL-2.0 */
/* A blocking HTTP/1.1 client for nlbctl and the control-plane tests/bench:
 * one request per call on a kept connection, Content-Length bodies. */
#ifndef NLB_CP_HTTPC_H
#define NLB_CP_HTTPC_H

#include <stddef.h>

struct cp_httpc;

struct cp_httpc_resp {
	int status;
	char *body; /* malloc'ed, NUL-terminated */
	char etag[32];
};

/* endpoint: "http://host:port" (IPv4, IPv6 in brackets, or a name). */
struct cp_httpc *cp_httpc_new(const char *endpoint, const char *token,
			      int *err);
void cp_httpc_free(struct cp_httpc *c);
/* Send/receive timeout for later connections; 0 (default) waits forever. */
void cp_httpc_set_timeout(struct cp_httpc *c, int ms);
/* 0 with resp filled (any HTTP status), or -errno when the server could not
 * be reached or answered garbage. */
int cp_httpc_do(struct cp_httpc *c, const char *method, const char *path,
		const char *if_match, const char *body,
		struct cp_httpc_resp *resp);
void cp_httpc_resp_clear(struct cp_httpc_resp *r);

#endif /* NLB_CP_HTTPC_H */
