// SPDX-License-Identifier: GPL-2.0
/* bench: the GnuTLS client of tls_bench. */
#include <gnutls/gnutls.h>
#include <stdlib.h>

#include "tls_bench.h"

static void *ctx_new(void)
{
	gnutls_certificate_credentials_t *cred = malloc(sizeof(*cred));

	if (!cred || gnutls_certificate_allocate_credentials(cred) < 0) {
		free(cred);
		return NULL;
	}
	return cred;
}

static int handshake(void *ctx, int fd)
{
	gnutls_certificate_credentials_t *cred = ctx;
	gnutls_session_t s;
	int ret;

	if (gnutls_init(&s, GNUTLS_CLIENT) < 0)
		return -1;
	gnutls_priority_set_direct(
		s, "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-SECP256R1",
		NULL);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, *cred);
	gnutls_transport_set_int(s, fd);
	do
		ret = gnutls_handshake(s);
	while (ret < 0 && !gnutls_error_is_fatal(ret));
	gnutls_deinit(s);
	return ret < 0 ? -1 : 0;
}

static void ctx_free(void *ctx)
{
	gnutls_certificate_free_credentials(
		*(gnutls_certificate_credentials_t *)ctx);
	free(ctx);
}

const struct tls_lib tls_lib_gnutls = {"gnutls", ctx_new, handshake, ctx_free};
