// SPDX-License-Identifier: GPL-2.0
/* bench: the GnuTLS client of tls_bench. */
#include <gnutls/gnutls.h>
#include <stdlib.h>

#include "tls_bench.h"

struct gctx {
	gnutls_certificate_credentials_t cred;
	const char *prio;
};

static void *ctx_new(int x25519)
{
	struct gctx *g = malloc(sizeof(*g));

	if (!g || gnutls_certificate_allocate_credentials(&g->cred) < 0) {
		free(g);
		return NULL;
	}
	g->prio = x25519 ? "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:"
			   "+GROUP-X25519:-CIPHER-ALL:+AES-128-GCM"
			 : "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:"
			   "+GROUP-SECP256R1";
	return g;
}

static int handshake(void *ctx, int fd)
{
	struct gctx *g = ctx;
	gnutls_session_t s;
	int ret;

	if (gnutls_init(&s, GNUTLS_CLIENT) < 0)
		return -1;
	if (gnutls_priority_set_direct(s, g->prio, NULL) < 0) {
		gnutls_deinit(s);
		return -1;
	}
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, g->cred);
	gnutls_transport_set_int(s, fd);
	do
		ret = gnutls_handshake(s);
	while (ret < 0 && !gnutls_error_is_fatal(ret));
	gnutls_deinit(s);
	return ret < 0 ? -1 : 0;
}

static void ctx_free(void *ctx)
{
	struct gctx *g = ctx;

	gnutls_certificate_free_credentials(g->cred);
	free(g);
}

const struct tls_lib tls_lib_gnutls = {"gnutls", ctx_new, handshake, ctx_free};
