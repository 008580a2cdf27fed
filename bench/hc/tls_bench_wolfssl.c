// SPDX-License-Identifier: GPL-2.0
/* bench: the wolfSSL client of tls_bench (Debian's build: no SP assembly). */
#include <stdlib.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "tls_bench.h"

struct wctx {
	WOLFSSL_CTX *c;
	int x25519;
};

static void *ctx_new(int x25519)
{
	struct wctx *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	wolfSSL_Init();
	w->c = wolfSSL_CTX_new(wolfTLSv1_3_client_method());
	w->x25519 = x25519;
	if (!w->c || (x25519 && wolfSSL_CTX_set_cipher_list(
					w->c, "TLS13-AES128-GCM-SHA256") !=
					WOLFSSL_SUCCESS)) {
		if (w->c)
			wolfSSL_CTX_free(w->c);
		wolfSSL_Cleanup();
		free(w);
		return NULL;
	}
	wolfSSL_CTX_set_verify(w->c, WOLFSSL_VERIFY_NONE, NULL);
	return w;
}

static int handshake(void *ctx, int fd)
{
	struct wctx *w = ctx;
	WOLFSSL *s = wolfSSL_new(w->c);
	int ok;

	if (!s)
		return -1;
	if (wolfSSL_UseKeyShare(s, w->x25519 ? WOLFSSL_ECC_X25519
					     : WOLFSSL_ECC_SECP256R1) !=
	    WOLFSSL_SUCCESS) {
		wolfSSL_free(s);
		return -1;
	}
	wolfSSL_set_fd(s, fd);
	ok = wolfSSL_connect(s) == WOLFSSL_SUCCESS;
	wolfSSL_free(s);
	return ok ? 0 : -1;
}

static void ctx_free(void *ctx)
{
	struct wctx *w = ctx;

	wolfSSL_CTX_free(w->c);
	wolfSSL_Cleanup();
	free(w);
}

const struct tls_lib tls_lib_wolfssl = {"wolfssl", ctx_new, handshake,
					ctx_free};
