// SPDX-License-Identifier: GPL-2.0
/* bench: the OpenSSL 3 client of tls_bench. */
#include <openssl/ssl.h>

#include "tls_bench.h"

static void *ctx_new(int x25519)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());

	if (!c)
		return NULL;
	SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
	SSL_CTX_set1_groups_list(c, x25519 ? "X25519" : "P-256");
	if (x25519)
		SSL_CTX_set_ciphersuites(c, "TLS_AES_128_GCM_SHA256");
	SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	return c;
}

static int handshake(void *ctx, int fd)
{
	SSL *s = SSL_new(ctx);
	int ok;

	SSL_set_fd(s, fd);
	ok = SSL_connect(s) == 1;
	SSL_free(s);
	return ok ? 0 : -1;
}

static void ctx_free(void *ctx)
{
	SSL_CTX_free(ctx);
}

const struct tls_lib tls_lib_openssl = {"openssl", ctx_new, handshake,
					ctx_free};
