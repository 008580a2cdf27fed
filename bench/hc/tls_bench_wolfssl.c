// SPDX-License-Identifier: GPL-2.0
/* bench: the wolfSSL client of tls_bench (Debian's build: no SP assembly). */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "tls_bench.h"

static void *ctx_new(void)
{
	WOLFSSL_CTX *c;

	wolfSSL_Init();
	c = wolfSSL_CTX_new(wolfTLSv1_3_client_method());
	if (c)
		wolfSSL_CTX_set_verify(c, WOLFSSL_VERIFY_NONE, NULL);
	return c;
}

static int handshake(void *ctx, int fd)
{
	WOLFSSL *s = wolfSSL_new(ctx);
	int ok;

	if (!s)
		return -1;
	wolfSSL_UseKeyShare(s, WOLFSSL_ECC_SECP256R1);
	wolfSSL_set_fd(s, fd);
	ok = wolfSSL_connect(s) == WOLFSSL_SUCCESS;
	wolfSSL_free(s);
	return ok ? 0 : -1;
}

static void ctx_free(void *ctx)
{
	wolfSSL_CTX_free(ctx);
	wolfSSL_Cleanup();
}

const struct tls_lib tls_lib_wolfssl = {"wolfssl", ctx_new, handshake,
					ctx_free};
